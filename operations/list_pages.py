"""The list pages of a period: its operations and its conflicts, sortable by header links,
filtered by a GET form and paginated (operations.listing reads the query; a bad value is a 400
page naming the parameter)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import render_template, request, url_for

from core.db import transaction, utcnow
from core.identity.models import Role
from core.identity.services import Principal
from operations import list_services, services
from operations.listing import AGE_BANDS, Choice, ListQuery, age_in_words, read_query
from operations.models import OPERATION_TYPES, Period

_AGES = Choice("age", "Age", {key: label for key, (label, _, _) in AGE_BANDS.items()})
_SEVERITIES = Choice("severity", "Severity", {"high": "High", "medium": "Medium"})


def _words(value: str) -> str:
    return value.replace("_", " ").capitalize()


def operation_choices(principal: Principal, period: Period) -> list[Choice]:
    """The filters of the operations list for this viewer (a state only where visible)."""
    states = [principal.state or ""] if principal.role == Role.LIAISON_OFFICER \
        else period.states
    choices = [
        Choice("status", "Status", {s: _words(s) for s in list_services.OPERATION_STATUSES}),
        Choice("type", "Type", {t: _words(t) for t in OPERATION_TYPES}),
        Choice("state", "State", {s: s for s in states}),
    ]
    if principal.role != Role.ANALYST:  # analysts see conflicts as counts only
        choices.append(Choice("severity", "Conflict severity", _SEVERITIES.values))
    return [*choices, Choice("age", "Registered", _AGES.values)]


def conflict_choices(period: Period) -> list[Choice]:
    """The filters of the conflicts list (the state: either party, or the counterpart)."""
    statuses = {s: _words(s) for s in list_services.CONFLICT_STATUSES}
    statuses["unresolved"] = "Not yet resolved (open or acknowledged)"
    return [Choice("status", "Status", statuses), _SEVERITIES,
            Choice("type", "Reason", {"target": "Shared target", "location": "Place and time"}),
            Choice("state", "State", {s: s for s in period.states}),
            Choice("age", "Detected", _AGES.values)]


def _linker(endpoint: str, pid: int, query: ListQuery) -> Callable[..., str]:
    """`link(**changes)`: the URL of this list with some parameters changed."""

    def link(**changes: Any) -> str:
        return url_for(endpoint, pid=pid, **query.args(**changes))

    return link


def operations_list_page(pid: int, principal: Principal) -> str:
    """A period's operations: sortable, filterable, paginated, with age and conflicts."""
    now = utcnow()
    with transaction() as db:
        period = services.get_period(db, actor=principal, period_id=pid)
        choices = operation_choices(principal, period)
        query = read_query(request.args, sorts=list_services.operation_sorts(principal),
                           default_sort="starts", choices=choices)
        period, page = list_services.operations_page(db, actor=principal, period_id=pid,
                                                     query=query, now=now)
    return render_template(
        "operations/operations.html", period=period, page=page, query=query, choices=choices,
        link=_linker("operations.operations_list", pid, query), now=now,
        age=lambda since: age_in_words(since, now),
        hidden_filters={"state"} if principal.role == Role.LIAISON_OFFICER else set())


def conflicts_list_page(pid: int, principal: Principal) -> str:
    """A period's conflicts: the party's inbox or the co-chair's overview as a sortable,
    filterable, paginated list; the analyst's counts."""
    now = utcnow()
    with transaction() as db:
        period = services.get_period(db, actor=principal, period_id=pid)
        choices = conflict_choices(period)
        query = read_query(request.args, sorts=list_services.CONFLICT_SORTS,
                           default_sort="id", choices=choices)
        if principal.role == Role.ANALYST:
            counts = services.conflicts_for(db, actor=principal, period_id=pid)["counts"]
            page = None
        else:
            counts = None
            period, page = list_services.conflicts_page(db, actor=principal, period_id=pid,
                                                        query=query, now=now)
    return render_template(
        "operations/conflicts.html", period=period, page=page, counts=counts, query=query,
        choices=choices, link=_linker("operations.conflicts", pid, query), now=now,
        age=lambda since: age_in_words(since, now), hidden_filters=set())
