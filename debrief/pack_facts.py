"""What a debrief pack shows, as plain frozen data: aggregates only, read by `pack_data` and
`pack_annex`, written out by `pack_csv`, `pack_charts`, `pack_report` and `pack_pdf`. Pure.

Nothing here can carry another state's operational detail: deconfliction appears as counts,
and an annex carries only its own state's operations and pointers to its own conflicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

# The words of each handling code, in one place: the cover, every page's header, the CSV.
HANDLING_WORDS: Final = {
    "H0": "H0 — public",
    "H1": "H1 — all users of the platform",
    "H2": "H2 — participating states only",
    "H3": "H3 — co-chairs and named recipients only",
}
RATING_WORDS: Final = {
    "P": "Performed without challenges",
    "S": "Performed with some challenges",
    "M": "Performed with major challenges",
    "U": "Unable to be performed",
}
QUESTIONS: Final = (
    ("worked", "What worked"),
    ("did_not_work", "What did not work"),
    ("do_differently", "What should be done differently"),
    ("next_steps", "Next steps"),
    ("good_practice", "Good practice to share"),
)


def handling_words(code: str) -> str:
    """The marking of a handling code, e.g. "H2 — participating states only"."""
    return HANDLING_WORDS.get(code, code)


@dataclass(frozen=True)
class Indicator:
    """One indicator of the period, in catalogue order."""

    key: str
    label: str
    unit: str
    definition: str
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Completeness:
    """One state's reporting: local dates reported (non-retracted) out of those due."""

    state: str
    reported: int
    due: int

    @property
    def rate(self) -> float:
        """Reported over due (0 when nothing was due yet)."""
        return round(self.reported / self.due, 4) if self.due else 0.0


@dataclass(frozen=True)
class Outcomes:
    """The period's figures as `GET /periods/{pid}/totals` gives them to a co-chair, plus
    completeness up to the pack's time."""

    indicators: tuple[Indicator, ...]
    totals: dict[str, int]
    by_state: dict[str, dict[str, int]]
    breakdown: dict[str, dict[str, int]]
    days: tuple[str, ...]
    daily: dict[str, dict[str, int]]  # indicator key -> ISO date -> that day's sum
    completeness: tuple[Completeness, ...]

    def cumulative(self, key: str) -> dict[str, int]:
        """The running total of an indicator on every day of the period."""
        running, series = 0, {}
        values = self.daily.get(key, {})
        for day in self.days:
            running += values.get(day, 0)
            series[day] = running
        return series


@dataclass(frozen=True)
class Count:
    """A count of something by up to two labels (e.g. state and operation type)."""

    first: str
    second: str
    count: int


@dataclass(frozen=True)
class Deconfliction:
    """Deconfliction in numbers: no identifier, title, label or note."""

    operations: tuple[Count, ...]  # (state, type)
    conflicts: tuple[Count, ...]  # (reason kind, severity), one per reason kind of a conflict
    conflicts_total: int
    by_severity: tuple[Count, ...]  # (severity, "")
    by_status: tuple[Count, ...]  # (status, "")
    resolutions: tuple[Count, ...]  # (resolution, "")
    escalations: int
    acknowledgements: int  # parties' acknowledgements counted
    acknowledgement_median_hours: float | None
    acknowledgement_p90_hours: float | None


@dataclass(frozen=True)
class PressRelease:
    """A press release of the period with at least one published version."""

    title: str
    language: str
    scope: str
    state: str
    published_on: str
    public_path: str
    versions: int
    withdrawn: bool


@dataclass(frozen=True)
class Objective:
    """One objective, numbered from 1 in the period's order."""

    number: int
    title: str
    description: str


@dataclass(frozen=True)
class Answer:
    """A state's submitted questionnaire response (Markdown as written)."""

    state: str
    submitted_on: str
    answers: dict[str, str]  # question key (QUESTIONS) -> Markdown
    usefulness: int | None


@dataclass(frozen=True)
class Rating:
    """A state's P/S/M/U rating of one objective, with its comment."""

    objective: int
    state: str
    rating: str
    comment: str


@dataclass(frozen=True)
class Improvement:
    """One item of the improvement plan."""

    number: int
    objective: int | None
    issue: str
    corrective_action: str
    owner_state: str
    owner: str
    due_on: str
    status: str


@dataclass(frozen=True)
class OwnOperation:
    """One of the annex state's own operations, in full."""

    number: int
    title: str
    type: str
    lead_agency: str
    starts_at: str
    ends_at: str
    sites: str
    targets: str  # "kind: label; ..." of its own targets
    status: str


@dataclass(frozen=True)
class OwnConflict:
    """One of the annex state's conflicts at pointer level: whom to call, nothing of theirs."""

    conflict_id: int
    other_state: str
    other_contact: str
    severity: str
    reason_kinds: str
    status: str
    detected_at: str
    acknowledged_own: str
    acknowledged_other: str
    resolution: str


@dataclass(frozen=True)
class Annex:
    """An NLO's annex: its state's own operations and conflicts."""

    state: str
    operations: tuple[OwnOperation, ...]
    conflicts: tuple[OwnConflict, ...]


@dataclass(frozen=True)
class PackFacts:
    """Everything a pack shows, read once."""

    period_name: str
    starts_at: str  # "YYYY-MM-DD HH:MM UTC"
    ends_at: str
    states: tuple[str, ...]
    co_chairs: tuple[str, ...]
    handling: str
    generated_at: str
    version: int
    summary: str
    outcomes: Outcomes
    deconfliction: Deconfliction
    press: tuple[PressRelease, ...]
    objectives: tuple[Objective, ...]
    responses: tuple[Answer, ...]
    ratings: tuple[Rating, ...]
    improvements: tuple[Improvement, ...]
    annex: Annex | None = field(default=None)

    @property
    def marking(self) -> str:
        """The handling marking, in words."""
        return handling_words(self.handling)
