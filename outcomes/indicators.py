"""The default indicator catalogue: keys are part of the API contract. Pure data."""

from __future__ import annotations

from dataclasses import dataclass

PERSON_CATEGORIES = ("female_adult", "male_adult", "female_child", "male_child", "unknown")


@dataclass(frozen=True)
class IndicatorDef:
    """An indicator: what is counted, in which unit, with which breakdown."""

    key: str
    label: str
    unit: str  # persons, cases, items, activities
    definition: str
    categories: tuple[str, ...] | None = None

    def as_json(self) -> dict[str, object]:
        """The indicator as the API returns it."""
        body: dict[str, object] = {"key": self.key, "label": self.label, "unit": self.unit,
                                   "definition": self.definition}
        if self.categories:
            body["categories"] = list(self.categories)
        return body


DEFAULT_INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef(
        "victims_assisted", "Trafficked persons assisted", "persons",
        "Persons identified as presumed victims of trafficking who received assistance "
        "(shelter, medical, legal, consular) during the day. Count each person once, the first "
        "day they were assisted, whatever the number of services; do not count family members "
        "who are not themselves victims; persons, not cases. Break down by sex and age "
        "(child = under 18); use 'unknown' only when it cannot be established.",
        PERSON_CATEGORIES),
    IndicatorDef(
        "suspects_identified", "Suspects identified", "persons",
        "Persons newly identified as suspected of smuggling or trafficking offences. Count each "
        "person once over the period, on the day first identified; persons, not cases; do not "
        "count persons only questioned as witnesses."),
    IndicatorDef(
        "arrests", "Arrests", "persons",
        "Persons arrested or detained for smuggling, trafficking or related offences. A person "
        "arrested twice in the period counts twice only if released in between."),
    IndicatorDef(
        "search_warrants", "Search warrants executed", "items",
        "Search warrants executed (not merely issued). One warrant covering several premises "
        "counts once."),
    IndicatorDef(
        "new_investigations", "New investigations", "cases",
        "Criminal investigations opened during the day into smuggling or trafficking; cases, "
        "not persons. Do not count investigations merely re-opened or reassigned."),
    IndicatorDef(
        "parallel_investigations", "Parallel investigations", "cases",
        "New investigations opened in coordination with another participating state (each "
        "state counts its own case). Cases, not persons."),
    IndicatorDef(
        "international_enquiries", "International enquiries", "items",
        "Requests for information sent to another state or to INTERPOL/Europol channels during "
        "the day. A request and its follow-ups count once."),
    IndicatorDef(
        "intelligence_reports_shared", "Intelligence reports shared", "items",
        "Intelligence reports disseminated to other participating states. One report sent to "
        "several states counts once."),
    IndicatorDef(
        "fraudulent_documents_seized", "Fraudulent documents seized", "items",
        "Forged, falsified, fraudulently obtained or impostor-used travel and identity "
        "documents seized. Count documents, not persons."),
    IndicatorDef(
        "smuggled_migrants_detected", "Smuggled migrants detected", "persons",
        "Persons detected who were smuggled or were being smuggled. Count each person once; "
        "persons, not cases; a person who is also a presumed trafficking victim is counted "
        "under victims assisted too. Break down by sex and age (child = under 18).",
        PERSON_CATEGORIES),
    IndicatorDef(
        "persons_checked", "Persons checked", "persons",
        "Persons whose documents or circumstances were checked in the operations (airport, "
        "transit-hub, workplace). Count each check of a person once per day."),
    IndicatorDef(
        "locations_checked", "Locations checked", "items",
        "Premises, worksites, vessels or transit points inspected. Each location once per day."),
    IndicatorDef(
        "awareness_activities", "Awareness activities", "activities",
        "Public or community awareness events, campaigns or media actions delivered."),
    IndicatorDef(
        "training_sessions", "Training sessions", "activities",
        "Training sessions delivered to officials (a multi-day course counts once)."),
    IndicatorDef(
        "officers_trained", "Officers trained", "persons",
        "Officials who completed a training session; persons, not sessions."),
)
DEFAULT_KEYS = frozenset(i.key for i in DEFAULT_INDICATORS)
