"""The pack as one ZIP: the content's files plus `manifest.json`, in a fixed order, under
fixed safe names, with fixed timestamps, so that the same content gives the same bytes.

Pure: the standard library only (no Flask, SQLAlchemy or core)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MANIFEST = "manifest.json"
# Every entry carries this time (the earliest a ZIP can say): the bytes depend on the content.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Safe entry names: at most one folder, ASCII letters, digits, `_`, `-` and `.`, never
# starting with a dot (so no `..`, no absolute path, no hidden file, no user text).
SAFE_NAME = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9_.-]{0,63}/)?[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_SECTIONS = {"report.html": 0, "report.pdf": 1}
_FOLDERS = {"data/": 2, "charts/": 3}


@dataclass(frozen=True)
class PackFile:
    """One entry of the ZIP as the manifest lists it."""

    name: str
    bytes: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        """The manifest's record of the file."""
        return {"name": self.name, "bytes": self.bytes, "sha256": self.sha256}


@dataclass(frozen=True)
class Archive:
    """The ZIP's bytes and the manifest's list of files (manifest.json itself not listed)."""

    content: bytes
    files: list[PackFile]


def is_safe_name(name: str) -> bool:
    """Whether `name` may be a ZIP entry of the pack."""
    return bool(SAFE_NAME.match(name)) and ".." not in name and name != MANIFEST


def entry_order(name: str) -> tuple[int, str]:
    """Report first (HTML, then PDF), then data/, then charts/, then anything else by name."""
    if name in _SECTIONS:
        return _SECTIONS[name], name
    for folder, rank in _FOLDERS.items():
        if name.startswith(folder):
            return rank, name
    return 4, name


def manifest(*, period: Mapping[str, Any], version: int, generated_at: datetime, handling: str,
             files: list[PackFile], annex_state: str | None = None) -> bytes:
    """manifest.json: the period, version, generation time (UTC), handling code and each
    file's name, bytes and SHA-256."""
    document: dict[str, Any] = {
        "period": dict(period),
        "version": version,
        "generated_at": generated_at.astimezone(UTC).isoformat(),
        "handling": handling,
    }
    if annex_state is not None:
        document["annex_state"] = annex_state
    document["files"] = [f.as_dict() for f in files]
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def build_archive(content: Mapping[str, bytes], *, period: Mapping[str, Any], version: int,
                  generated_at: datetime, handling: str,
                  annex_state: str | None = None) -> Archive:
    """The ZIP of `content` (name -> bytes) with its manifest last; ValueError for an unsafe
    or duplicate name."""
    bad = sorted(name for name in content if not is_safe_name(name))
    if bad:
        raise ValueError(f"unsafe ZIP entry names: {bad[:5]}")
    names = sorted(content, key=entry_order)
    files = [PackFile(name, len(content[name]), hashlib.sha256(content[name]).hexdigest())
             for name in names]
    document = manifest(period=period, version=version, generated_at=generated_at,
                        handling=handling, files=files, annex_state=annex_state)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in [*names, MANIFEST]:
            data = document if name == MANIFEST else content[name]
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever the machine
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=6)
    return Archive(buffer.getvalue(), files)
