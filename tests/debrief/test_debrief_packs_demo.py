"""`jpa demo` builds version 1 of the demo period's debrief pack once, after the other
seeders (so it carries their operations, reports and releases); a second run adds nothing.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from debrief.models import Pack
from tests.debrief.debrief_packs_support import entries, manifest_of


def test_demo_builds_one_pack(app: Flask, runner: Any) -> None:
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    with app.extensions["jpa.db"].transaction(write=False) as session:
        found = list(session.scalars(select(Pack)))
        assert len(found) == 1
        pack = found[0]
        content = pack.content or b""
    assert (pack.version, pack.status, pack.progress, pack.handling) == (1, "ready", 100, "H2")
    assert pack.zip_bytes == len(content) and pack.files
    manifest = manifest_of(content)
    assert manifest["period"]["name"].startswith("Bali Process")
    assert manifest["files"] == pack.files
    assert {"report.html", "report.pdf"} <= set(entries(content))
