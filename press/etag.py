"""Strong ETags for the stored public documents, and If-None-Match matching (RFC 9110).

The public press routes serve bytes stored at publication; the ETag is the SHA-256 of those
bytes, so it changes exactly when the document does (a correction or a withdrawal).
"""

from __future__ import annotations

import hashlib
import re
from typing import Final


def strong_etag(data: bytes) -> str:
    """A strong ETag (quoted SHA-256 of the stored bytes) for a public response."""
    return f'"{hashlib.sha256(data).hexdigest()}"'


_ENTITY_TAG: Final = re.compile(r'(?:W/)?"([^"]*)"')


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """True when an If-None-Match header matches `etag` (weak comparison, RFC 9110 13.1.2)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/").strip('"')
    return any(tag == wanted for tag in _ENTITY_TAG.findall(if_none_match))
