"""Request and response models of the debrief packs' API (they appear in the OpenAPI
document)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class PackPath(BaseModel):
    """Path parameter of one debrief pack."""

    pack_id: int


class PackFileOut(BaseModel):
    """One file of the ZIP as the manifest lists it."""

    name: str = Field(description="fixed entry name, e.g. report.pdf or data/totals.csv")
    bytes: int
    sha256: str


class PackQueued(BaseModel):
    """A pack just requested: queued for the scheduler's builder."""

    id: int
    version: int
    status: Literal["building", "ready", "failed"]
    progress: int = Field(ge=0, le=100)


class PackOut(BaseModel):
    """One version of a period's debrief pack: `building` (with progress and stage), `ready`
    (immutable, with its files) or `failed` (with a short error)."""

    id: int
    period_id: int
    version: int
    status: Literal["building", "ready", "failed"]
    progress: int = Field(ge=0, le=100, description="percent of the build done")
    stage: str = Field(description="what the builder is doing, e.g. queued, outcomes, ready")
    handling: str = Field(description="handling code H0-H3 marked on every page")
    files: list[PackFileOut] = Field(description="empty until ready; manifest.json not listed")
    zip_bytes: int
    requested_at: datetime
    generated_at: datetime | None
    finished_at: datetime | None
    error: str | None = Field(description="why the build failed (failed packs only)")


class PackList(BaseModel):
    """The period's packs, newest version first."""

    packs: list[PackOut]


class AnnexOut(BaseModel):
    """An NLO's annex of its state: the pack plus the state's own operations in full and its
    own conflicts at pointer level, built in the background from the data of the moment."""

    id: int
    period_id: int
    state: str
    status: Literal["building", "ready", "failed"]
    progress: int = Field(ge=0, le=100)
    stage: str
    handling: str
    files: list[PackFileOut]
    zip_bytes: int
    requested_at: datetime
    generated_at: datetime | None
    finished_at: datetime | None
    error: str | None
