"""Fixtures of the deconfliction tests: a period with THA, MYS, NZL and LKA (NZL and LKA
co-chairing) and people of every role. The helpers themselves live in
`tests.deconfliction.helpers`; the real SMTP server (`smtp_server`) is tests/conftest.py's."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.deconfliction.helpers import World, make_world


@pytest.fixture
def world(app: Flask, accounts: Any) -> World:
    """A period (THA, MYS, NZL, LKA; NZL and LKA co-chair) with everyone in PEOPLE."""
    return make_world(app, accounts)
