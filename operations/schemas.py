"""Request and response models of the periods API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from core.schemas import Number, RequestModel
from operations.models import Operation, Period
from operations.phase import Phase
from operations.services import ContactData, LocationData, Registration, TargetData

StateCode = Annotated[str, StringConstraints(min_length=3, max_length=3),
                     Field(description="ISO 3166-1 alpha-3, e.g. NZL")]


class PeriodCreate(RequestModel):
    """A new joint period. Times must carry an offset."""

    name: str = Field(min_length=1, max_length=200)
    starts_at: AwareDatetime = Field(
        description="from 2000-01-01T00:00:00Z to 2101-01-01T00:00:00Z")
    ends_at: AwareDatetime = Field(
        description="after starts_at, at most 366 days later, by 2101-01-01T00:00:00Z")
    states: list[StateCode] = Field(min_length=1, max_length=250)
    co_chairs: list[StateCode] = Field(default_factory=list, max_length=250)


class PeriodPath(BaseModel):
    """Path parameter of one period."""

    pid: int


class PeriodOut(BaseModel):
    """A period as every role that may see it sees it."""

    id: int
    name: str
    starts_at: datetime
    ends_at: datetime
    phase: Phase
    states: list[str]
    co_chairs: list[str]

    @classmethod
    def of(cls, period: Period) -> PeriodOut:
        """Build from the model, deriving the phase from the clock; times in UTC, as stored
        (so a period just created reads the same as when it is fetched again)."""
        return cls(id=period.id, name=period.name, starts_at=period.starts_at.astimezone(UTC),
                   ends_at=period.ends_at.astimezone(UTC), phase=period.phase(),
                   states=period.states, co_chairs=period.co_chairs)


class PeriodList(BaseModel):
    """The periods the caller may see."""

    periods: list[PeriodOut]


class StateOut(BaseModel):
    """A state of the reference list."""

    code: str
    name: str
    default_time_zone: str


class StateList(BaseModel):
    """Every state the service knows."""

    states: list[StateOut]


OperationType = Literal["airport_checks", "transit_hub_checks", "workplace_inspections",
                        "network_targeting", "other"]
TargetKind = Literal["phone", "passport", "id_document", "vehicle", "person", "organisation",
                     "vessel", "email", "iban", "other"]


class LocationIn(RequestModel):
    """A site: coordinates with a radius, or an IATA airport code."""

    name: str | None = Field(default=None, max_length=200)
    lat: Number | None = Field(default=None, ge=-90, le=90)
    lon: Number | None = Field(default=None, ge=-180, le=180)
    radius_m: Number | None = Field(default=None, ge=10, le=50_000,
                                    description="10 m to 50 km; default 500 m")
    site: str | None = Field(default=None, min_length=3, max_length=3,
                             description="IATA airport code, e.g. BKK")

    @model_validator(mode="after")
    def _coordinates_or_airport(self) -> LocationIn:
        if self.site is None:
            if self.lat is None or self.lon is None:
                raise PydanticCustomError("location", "give lat and lon, or an IATA site code")
            if not self.name:
                raise PydanticCustomError("location", "a site given by coordinates needs a name")
        elif self.lat is not None or self.lon is not None:
            raise PydanticCustomError("location", "give either coordinates or a site, not both")
        return self


class TargetIn(RequestModel):
    """A target identifier; its value is blinded at once and never stored or returned."""

    kind: TargetKind
    value: str = Field(min_length=1, max_length=500)
    label: str = Field(min_length=1, max_length=200,
                       description="your own name for it, e.g. 'Subject A'")
    dob: str | None = Field(default=None, max_length=10, description="persons: YYYY-MM-DD")


class ContactIn(RequestModel):
    """Whom the other side should call (default: the registering officer)."""

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40, pattern=r"^\+?[0-9 ()./-]{3,40}$")


class OperationCreate(RequestModel):
    """Registration of an operation."""

    title: str = Field(min_length=1, max_length=200)
    type: OperationType
    lead_agency: str = Field(min_length=1, max_length=200)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    locations: list[LocationIn] = Field(min_length=1, max_length=50)
    targets: list[TargetIn] = Field(default_factory=list, max_length=200)
    contact: ContactIn | None = None


class OperationPatch(RequestModel):
    """Any registration field; `targets`, when given, replace every target (values again)."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    type: OperationType | None = None
    lead_agency: str | None = Field(default=None, min_length=1, max_length=200)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    locations: list[LocationIn] | None = Field(default=None, min_length=1, max_length=50)
    targets: list[TargetIn] | None = Field(default=None, max_length=200)
    contact: ContactIn | None = None


def registration_of(body: OperationCreate | OperationPatch) -> Registration:
    """The service input of a validated registration (from the API or the pages)."""
    return Registration(
        title=body.title, type=body.type, lead_agency=body.lead_agency,
        starts_at=body.starts_at, ends_at=body.ends_at,
        locations=None if body.locations is None else [
            LocationData(name=loc.name, lat=loc.lat, lon=loc.lon, radius_m=loc.radius_m,
                         site=loc.site) for loc in body.locations],
        targets=None if body.targets is None else [
            TargetData(kind=t.kind, value=t.value, label=t.label, dob=t.dob)
            for t in body.targets],
        contact=None if body.contact is None else ContactData(
            name=body.contact.name, email=body.contact.email, phone=body.contact.phone),
    )


class OperationPath(BaseModel):
    """Path parameter of one operation."""

    oid: int


class OperationQuery(BaseModel):
    """Filters of the operations list."""

    status: Literal["planned", "active", "completed", "cancelled"] | None = None


def _utc(moment: datetime) -> str:
    """ISO 8601 in UTC, so a response reads the same whether just written or read back."""
    return moment.astimezone(UTC).isoformat()


def operation_full(operation: Operation) -> dict[str, object]:
    """An operation as its own state sees it: every registration field, targets as kind+label."""
    return {
        "id": operation.id, "period_id": operation.period_id, "state": operation.owner_state,
        "title": operation.title, "type": operation.type, "lead_agency": operation.lead_agency,
        "starts_at": _utc(operation.starts_at), "ends_at": _utc(operation.ends_at),
        "status": operation.status(),
        "locations": [{"name": s.name, "lat": s.lat, "lon": s.lon, "radius_m": s.radius_m,
                       **({"site": s.iata} if s.iata else {})} for s in operation.sites],
        "targets": [{"kind": t.kind, "label": t.label} for t in operation.targets],
        "contact": ({"name": operation.contact_name, "email": operation.contact_email,
                     "phone": operation.contact_phone} if operation.contact_name else None),
        "registered_by": operation.registered_by,
        "created_at": _utc(operation.created_at),
        "updated_at": _utc(operation.updated_at),
    }


def operation_summary(operation: Operation) -> dict[str, object]:
    """An operation as co-chairs and analysts see it: who, what kind, when, status."""
    return {"id": operation.id, "period_id": operation.period_id,
            "state": operation.owner_state, "type": operation.type,
            "status": operation.status(), "starts_at": _utc(operation.starts_at),
            "ends_at": _utc(operation.ends_at)}


class ConflictPath(BaseModel):
    """Path parameter of one conflict."""

    cid: int


class ConflictQuery(BaseModel):
    """Filters of the conflicts list."""

    status: Literal["open", "acknowledged", "resolved", "cleared"] | None = None


class ResolveIn(RequestModel):
    """How the parties will proceed: an explicit choice and a note (both required)."""

    resolution: Literal["proceed", "joint", "delay", "cancel"]
    note: str = Field(min_length=1, max_length=2000,
                      description="what the two parties agreed; told to the other party")


class ReopenIn(RequestModel):
    """Reopening a resolved conflict, with an optional note told to the other party."""

    note: str | None = Field(default=None, max_length=2000)


class CancelIn(RequestModel):
    """Why an operation is cancelled: told to the other party of each of its conflicts."""

    reason: str = Field(min_length=1, max_length=2000)
