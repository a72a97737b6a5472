"""Field paths of the API in plain words, for the pages: one mapping for every form, so that a
person never reads `starts_at` or `values.victims_assisted.female_adult`."""

from __future__ import annotations

import re
from collections.abc import Mapping

# The API's field names (the last part of a path) as a person says them.
FIELD_WORDS: dict[str, str] = {
    "title": "Title", "type": "Type", "lead_agency": "Lead agency",
    "starts_at": "Starts", "ends_at": "Ends", "time_zone": "Time zone",
    "locations": "Sites", "site": "airport code", "name": "name", "lat": "latitude",
    "lon": "longitude", "radius_m": "radius", "targets": "Targets", "kind": "kind",
    "value": "value", "label": "label", "dob": "date of birth", "contact": "Contact officer",
    "email": "e-mail", "phone": "phone", "date": "Date", "operation_id": "Operation",
    "values": "Figures", "states": "Participating states", "co_chairs": "Co-chairs",
    "note": "Why it changes", "reason": "Reason",
}
# Rows of a list are counted from one, as people count them.
ROW_WORDS: dict[str, str] = {"locations": "Site", "targets": "Target"}
_ROW = re.compile(r"^(?P<list>[a-z_]+)\[(?P<index>\d+)\]$")
_NAME = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def in_words(path: str, *, names: Mapping[str, str] | None = None) -> str:
    """'locations[1].site' -> 'Site 2 airport code'; 'contact.phone' -> 'Contact officer phone';
    'values.victims_assisted.female_adult' -> 'victims assisted, female adult' unless `names`
    (e.g. indicator keys to their labels) names a part."""
    extra = names or {}
    words: list[str] = []
    for index, part in enumerate(path.split(".")):
        row = _ROW.match(part)
        if row:
            words.append(f"{ROW_WORDS.get(row['list'], row['list'])} {int(row['index']) + 1}")
        elif part in extra:
            words.append(extra[part])
        elif index == 0 or part in FIELD_WORDS:
            words.append(FIELD_WORDS.get(part, part.replace("_", " ")))
        else:
            words.append(part.replace("_", " "))
    if path.startswith("values.") and len(words) > 1:
        return ", ".join(words[1:])  # the figures of a report: the indicator, then the category
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def plain_message(message: str) -> str:
    """A service message with any field name in it said in words ('after starts_at' ->
    'after the start')."""
    replaced = message.replace("starts_at", "the start").replace("ends_at", "the end")
    return _NAME.sub(lambda match: FIELD_WORDS.get(match.group(0), match.group(0))
                     .lower().replace("_", " "), replaced)
