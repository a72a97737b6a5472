"""Sample release contexts for the press tests: the first Bali Process JPA's 2015 tally."""

from __future__ import annotations

from datetime import date

from press.context import ReleaseContext

STATES = ("AUS", "IDN", "LKA", "MDV", "MYS", "NZL", "PHL", "THA")
# Regional totals as published in 2015 (victims split into categories for the tests).
REGIONAL = {
    "victims_assisted": {"female_adult": 30, "male_adult": 20, "female_child": 3,
                         "male_child": 6, "unknown": 0},
    "smuggled_migrants_detected": {"female_adult": 0, "male_adult": 0, "female_child": 0,
                                   "male_child": 0, "unknown": 0},
    "suspects_identified": 63, "arrests": 32, "search_warrants": 7, "new_investigations": 8,
    "international_enquiries": 70, "awareness_activities": 68, "training_sessions": 12,
    "officers_trained": 485,
}
THAI = {
    "victims_assisted": {"female_adult": 12, "male_adult": 2, "female_child": 1,
                         "male_child": 0, "unknown": 0},
    "smuggled_migrants_detected": 0, "suspects_identified": 20, "arrests": 11,
    "search_warrants": 3, "new_investigations": 2, "international_enquiries": 1234,
    "awareness_activities": 9, "training_sessions": 4, "officers_trained": 150,
}


def regional_context(**changes: object) -> ReleaseContext:
    """The 2015 regional context, with optional field changes."""
    fields: dict[str, object] = {
        "period_name": "Joint Period of Action 2015", "starts_on": date(2015, 9, 28),
        "ends_on": date(2015, 10, 28), "states": STATES, "co_chairs": ("NZL", "LKA"),
        "figures": REGIONAL, "operations_count": 14,
        "operations_by_type": {"airport_checks": 4, "transit_hub_checks": 6,
                               "workplace_inspections": 4},
    }
    fields.update(changes)
    return ReleaseContext(**fields)  # type: ignore[arg-type]


def national_context(**changes: object) -> ReleaseContext:
    """Thailand's national context for the same period."""
    return regional_context(national_state="THA", national=THAI, **changes)
