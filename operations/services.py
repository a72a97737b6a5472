"""Use cases of joint periods: one import for the entry points (API, pages, CLI, jobs).

Each concern lives in its own module: periods, registration (with registration_parts),
operation_reads and conflict_workflow; this module names them together."""

from __future__ import annotations

from operations.conflict_workflow import (
    acknowledge_conflict,
    conflict_detail,
    conflicts_for,
    open_conflict_count,
    reopen_conflict,
    resolve_conflict,
)
from operations.operation_reads import (
    SEES_OPERATION_SUMMARIES,
    get_operation,
    list_operations,
    operation_conflicts,
    operations_of_state,
)
from operations.periods import (
    PERIOD_EARLIEST,
    PERIOD_LATEST,
    PERIOD_MAX_LENGTH,
    PERIOD_RANGE_TEXT,
    SEES_EVERY_PERIOD,
    create_period,
    get_period,
    list_periods,
    validate_period_fields,
    visible_periods,
)
from operations.registration import (
    CANCEL_REASON_MAX_LENGTH,
    PreparedRegistration,
    cancel_operation,
    prepare_registration,
    record_registration,
    register_operation,
    update_operation,
)
from operations.registration_parts import (
    DEFAULT_RADIUS_M,
    ContactData,
    LocationData,
    PeriodWindow,
    Registration,
    TargetData,
    registration_problems,
    resolve_airport,
)

__all__ = [
    "CANCEL_REASON_MAX_LENGTH", "DEFAULT_RADIUS_M", "PERIOD_EARLIEST", "PERIOD_LATEST",
    "PERIOD_MAX_LENGTH", "PERIOD_RANGE_TEXT", "SEES_EVERY_PERIOD", "SEES_OPERATION_SUMMARIES",
    "ContactData", "LocationData", "PeriodWindow", "PreparedRegistration", "Registration",
    "TargetData", "acknowledge_conflict", "cancel_operation", "conflict_detail",
    "conflicts_for", "create_period", "get_operation", "get_period", "list_operations",
    "list_periods", "open_conflict_count", "operation_conflicts", "operations_of_state",
    "prepare_registration", "record_registration", "register_operation",
    "registration_problems", "reopen_conflict", "resolve_airport", "resolve_conflict",
    "update_operation", "validate_period_fields", "visible_periods",
]
