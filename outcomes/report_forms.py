"""The report and amend forms' plumbing, shared by outcomes.views and outcomes.report_pages:
figures read from the indicator inputs, errors led by the field's name in words, a stored
report's values back into the inputs, and where each error's field is on the page."""

from __future__ import annotations

import re
from typing import Any

from core import field_words
from outcomes.indicators import IndicatorDef
from outcomes.services import MAX_VALUE
from outcomes.sums import ValueMap

# ASCII digits only: str.isdigit() also takes '²' and '١٢', which int() refuses or reads
# as another number; at most seven significant digits, so int() never meets a huge string.
FIGURE = re.compile(r"0*[0-9]{1,7}")
NO_FIGURES = ("Enter at least one figure, or choose “Nothing to report today” if there was "
              "nothing to count")
FIGURES_AND_NIL = ("You chose “Nothing to report today” but entered figures: clear them, or "
                   "submit the report")


def in_words(path: str, message: str, indicators: list[IndicatorDef]) -> str:
    """An error of the report page led by the field's name in words (core.field_words, the
    mapping every form uses): values.victims_assisted.female_child ->
    'Trafficked persons assisted, female child: …'."""
    return f"{field_words.in_words(path, names={i.key: i.label for i in indicators})}: {message}"


def field_id(path: str, indicators: list[IndicatorDef]) -> str:
    """The id of the input an error's path names (the error summary links to it)."""
    head, _, rest = path.partition(".")
    if head == "values":
        if not rest:  # "no figures at all": the first input of the first indicator
            first = indicators[0]
            return f"v-{first.key}-{first.categories[0]}" if first.categories \
                else f"v-{first.key}"
        key, _, category = rest.partition(".")
        return f"v-{key}-{category}" if category else f"v-{key}"
    return path


def values_from_form(form: Any, indicators: list[IndicatorDef],
                     ) -> tuple[dict[str, Any], dict[str, str]]:
    """Indicator inputs named v-KEY or v-KEY-CATEGORY; empty inputs are left out."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def number(name: str, path: str) -> int | None:
        text = (form.get(name) or "").strip()
        if not text:
            return None
        if not FIGURE.fullmatch(text) or int(text) > MAX_VALUE:
            errors[path] = in_words(
                path, f"give a whole number from 0 to {MAX_VALUE:,}, written with the digits "
                      "0-9", indicators)
            return None
        return int(text)

    for indicator in indicators:
        if indicator.categories:
            breakdown = {}
            for category in indicator.categories:
                value = number(f"v-{indicator.key}-{category}",
                               f"values.{indicator.key}.{category}")
                if value is not None:
                    breakdown[category] = value
            if breakdown:
                values[indicator.key] = breakdown
        else:
            value = number(f"v-{indicator.key}", f"values.{indicator.key}")
            if value is not None:
                values[indicator.key] = value
    return values, errors


def figures_or_nil(form: Any, indicators: list[IndicatorDef],
                   ) -> tuple[dict[str, Any], dict[str, str]]:
    """The figures of a submitted form, checked against the button pressed: "Nothing to
    report today" (`nil`) with no figures, or the submit button with at least one."""
    values, errors = values_from_form(form, indicators)
    nil = bool(form.get("nil"))
    if not errors:
        if nil and values:
            errors["values"] = in_words("values", FIGURES_AND_NIL, indicators)
        elif not nil and not values:
            errors["values"] = in_words("values", NO_FIGURES, indicators)
    return ({} if nil else values), errors


def inputs_of(values: ValueMap) -> dict[str, str]:
    """A stored report's values as the form's inputs (v-KEY, v-KEY-CATEGORY), for amending."""
    inputs: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            for category, count in value.items():
                inputs[f"v-{key}-{category}"] = str(count)
        else:
            inputs[f"v-{key}"] = str(value)
    return inputs


def described(values: ValueMap, indicators: list[IndicatorDef]) -> list[str]:
    """A version's figures in words, e.g. 'Arrests: 4', 'Victims: 3 (female adult 2, …)'."""
    lines = []
    for indicator in indicators:
        value = values.get(indicator.key)
        if value is None:
            continue
        if isinstance(value, dict):
            parts = ", ".join(f"{c.replace('_', ' ')} {n}" for c, n in value.items())
            lines.append(f"{indicator.label}: {sum(value.values())} ({parts})")
        else:
            lines.append(f"{indicator.label}: {value}")
    return lines
