"""Checks every request passes before a handler runs: control characters and JSON nesting.

One rule for the whole service, applied centrally (API bodies and query strings in core.api,
form fields and query strings of the pages in core.web), so no field can forget it:
PostgreSQL refuses a NUL byte in text (a 500 after the handler ran) and other control
characters only serve to hide or forge what a reader of the data sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Structure deeper than any request schema needs (the deepest is about 4 levels); deeper input
# is refused before validation, which would otherwise recurse once per level.
MAX_JSON_DEPTH = 32

# C0 controls except TAB, LF and CR; DEL; and the C1 controls U+0080-U+009F.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_MESSAGE = "must not contain control characters (such as NUL)"
KEY_MESSAGE = "a name here contains control characters (such as NUL)"
# Enough to name the offending fields; a body full of them needs no longer answer.
MAX_REPORTED = 20


def has_control_character(text: str) -> bool:
    """Whether `text` holds a character the service never accepts (see CONTROL_CHARACTERS)."""
    return CONTROL_CHARACTERS.search(text) is not None


@dataclass
class JsonProblems:
    """What is wrong with a parsed JSON body: too deep, and where control characters are.

    `control` maps a location (a tuple of keys and indexes, as pydantic reports them) to a
    message; a bad key is reported at the location of the object holding it."""

    too_deep: bool = False
    control: dict[tuple[Any, ...], str] = field(default_factory=dict)


def inspect_json(value: Any, max_depth: int = MAX_JSON_DEPTH) -> JsonProblems:
    """Walk a parsed JSON value without recursion; stop at the first level past `max_depth`."""
    problems = JsonProblems()
    stack: list[tuple[Any, tuple[Any, ...], int]] = [(value, (), 0)]
    while stack:
        node, location, depth = stack.pop()
        if isinstance(node, str):
            if has_control_character(node) and len(problems.control) < MAX_REPORTED:
                problems.control.setdefault(location, CONTROL_MESSAGE)
            continue
        if not isinstance(node, dict | list):
            continue
        if depth + 1 > max_depth:
            problems.too_deep = True
            return problems
        if isinstance(node, dict):
            for key, item in node.items():
                if has_control_character(key) and len(problems.control) < MAX_REPORTED:
                    problems.control.setdefault(location, KEY_MESSAGE)
                    continue
                stack.append((item, (*location, key), depth + 1))
        else:
            stack.extend((item, (*location, index), depth + 1)
                         for index, item in enumerate(node))
    return problems


def control_character_fields(pairs: Iterable[tuple[str, str]],
                             anonymous: str = "query") -> dict[str, str]:
    """{field name: message} for the (name, value) pairs holding control characters; a name
    that itself holds one is reported as `anonymous` (it is never echoed back)."""
    fields: dict[str, str] = {}
    for name, text in pairs:
        if has_control_character(name):
            fields.setdefault(anonymous, KEY_MESSAGE)
        elif has_control_character(text):
            fields.setdefault(name, CONTROL_MESSAGE)
        if len(fields) >= MAX_REPORTED:
            break
    return fields
