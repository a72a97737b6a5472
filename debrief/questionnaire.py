"""The questionnaire: each participating state's answers (what worked, what did not, what to
do differently, next steps, a P/S/M/U rating with a comment per objective, how useful
deconfliction was, an optional good practice). Drafts are saved as often as wanted; submission
locks them and tells the co-chairs. Reciprocity: an NLO reads other states' answers only once
its own state has submitted. Services never commit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core import audit, notify
from core.db import utcnow
from core.errors import InvalidTransition, ValidationFailed
from core.identity.services import Principal
from debrief import access, schedule
from debrief.models import RATINGS, DebriefSettings, Rating, Response
from debrief.objectives import ensure_debrief, period_objectives
from debrief.text import TEXT_MAX, render_markdown
from operations.models import Period

# The four questions of the concept note's debrief, in order: (field, question, explanation).
QUESTIONS: tuple[tuple[str, str, str], ...] = (
    ("worked", "What worked",
     "What went well in your state's operations and in the cooperation with the other "
     "states: what should be kept for the next period."),
    ("did_not_work", "What did not work",
     "What went badly or not at all, and why, as far as you can tell."),
    ("do_differently", "What should be done differently",
     "What your state, the other states or the co-chairs should change next time."),
    ("next_steps", "Next steps",
     "What should happen now: follow-up investigations, agreements, training, meetings."),
)
TEXT_FIELDS = (*(name for name, _, _ in QUESTIONS), "good_practice")
# P/S/M/U in plain words (HSEEP's performance ratings): the letter, its name, a sentence.
RATING_LABELS: dict[str, tuple[str, str]] = {
    "P": ("Performed without challenges",
          "The objective was met; what had to be done was done, with no lasting problem."),
    "S": ("Performed with some challenges",
          "The objective was met, but problems made it harder or slower; they should be "
          "looked at."),
    "M": ("Performed with major challenges",
          "The objective was only partly met; serious problems got in the way and must be "
          "fixed."),
    "U": ("Unable to be performed",
          "The objective could not be met at all in this period."),
}
USEFULNESS_LABELS = {1: "Not useful", 2: "Of little use", 3: "Somewhat useful",
                     4: "Useful", 5: "Very useful"}


# ---------------------------------------------------------------- checking answers


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_answers(period_objective_ids: set[int], *, texts: Mapping[str, Any],
                  deconfliction_usefulness: Any,
                  ratings: Sequence[Any]) -> tuple[dict[str, str], int | None,
                                                   dict[int, tuple[str, str]]]:
    """The answers, checked: (texts, usefulness, {objective_id: (rating, comment)}); a 422
    naming every bad field (ratings[i].rating, ratings[i].objective_id, worked ...)."""
    problems: dict[str, str] = {}
    clean: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = texts.get(name) or ""
        if not isinstance(value, str):
            problems[name] = "give the answer as text"
        elif len(value) > TEXT_MAX:
            problems[name] = f"at most {TEXT_MAX:,} characters (this has {len(value):,})"
        else:
            clean[name] = value
    usefulness = deconfliction_usefulness
    if usefulness is not None and (not _is_whole(usefulness) or not 1 <= usefulness <= 5):
        problems["deconfliction_usefulness"] = "give a whole number from 1 to 5"
    found: dict[int, tuple[str, str]] = {}
    for index, item in enumerate(ratings):
        where = f"ratings[{index}]"
        item = item if isinstance(item, Mapping) else {}
        objective_id, rating = item.get("objective_id"), item.get("rating")
        comment = item.get("comment") or ""
        if not _is_whole(objective_id) or objective_id not in period_objective_ids:
            problems[f"{where}.objective_id"] = "not an objective of this period"
        elif objective_id in found:
            problems[f"{where}.objective_id"] = "this objective is rated twice"
        if rating not in RATINGS:
            problems[f"{where}.rating"] = "one of P, S, M or U"
        if not isinstance(comment, str) or len(comment) > TEXT_MAX:
            problems[f"{where}.comment"] = f"text of at most {TEXT_MAX:,} characters"
        if not any(key.startswith(where + ".") for key in problems):
            found[int(objective_id)] = (str(rating), comment)
    if problems:
        raise ValidationFailed(problems)
    return clean, usefulness, found


def missing_for_submission(response: Response | None, ratings: dict[int, str],
                           objective_ids: list[int]) -> dict[str, str]:
    """What a response still lacks before it may be submitted ({} when complete)."""
    problems: dict[str, str] = {}
    for name, question, _ in QUESTIONS:
        if response is None or not getattr(response, name).strip():
            problems[name] = f"answer \"{question}\" before submitting"
    if response is None or response.deconfliction_usefulness is None:
        problems["deconfliction_usefulness"] = "say how useful deconfliction was (1 to 5)"
    for objective_id in objective_ids:
        if objective_id not in ratings:
            problems[f"ratings.{objective_id}"] = "rate this objective (P, S, M or U)"
    return problems


# ---------------------------------------------------------------- reading


def ratings_of(session: Session, response_ids: list[int]) -> dict[int, list[Rating]]:
    """The ratings of each response, by response id."""
    found: dict[int, list[Rating]] = {rid: [] for rid in response_ids}
    if response_ids:
        for rating in session.scalars(select(Rating).where(Rating.response_id.in_(response_ids))
                                      .order_by(Rating.id)):
            found[rating.response_id].append(rating)
    return found


def response_view(response: Response, ratings: list[Rating]) -> dict[str, Any]:
    """A response as the API shows it: the Markdown as typed, and `rendered` sanitised HTML."""
    return {"id": response.id, "period_id": response.period_id, "state": response.state,
            "status": response.status,
            **{name: getattr(response, name) for name in TEXT_FIELDS},
            "deconfliction_usefulness": response.deconfliction_usefulness,
            "ratings": [{"objective_id": r.objective_id, "rating": r.rating,
                         "comment": r.comment} for r in ratings],
            "rendered": {**{name: render_markdown(getattr(response, name))
                            for name in TEXT_FIELDS},
                         "ratings": {str(r.objective_id): render_markdown(r.comment)
                                     for r in ratings}},
            "updated_at": response.updated_at, "submitted_at": response.submitted_at}


def own_response(session: Session, period_id: int, state: str, *,
                 lock: bool = False) -> Response | None:
    """The state's response to the period's questionnaire, if any."""
    query = select(Response).where(Response.period_id == period_id, Response.state == state)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def visible_responses(session: Session, *, actor: Principal, period_id: int,
                      ) -> tuple[Period, list[Response]]:
    """Co-chairs and analysts: every submitted response. An NLO: its own state's (draft or
    submitted) and, once its state has submitted, the other states' submitted ones."""
    period = access.readable_period(session, actor, period_id)
    query = select(Response).where(Response.period_id == period.id).order_by(Response.state)
    if access.reads_every_response(actor):
        return period, list(session.scalars(query.where(Response.status == "submitted")))
    own = own_response(session, period.id, actor.state or "")
    if own is None or own.status != "submitted":
        return period, [own] if own is not None else []
    others = session.scalars(query.where(Response.status == "submitted"))
    return period, list(others)


def rating_matrix(session: Session, period_id: int) -> dict[int, dict[str, str]]:
    """{objective_id: {state: rating}} over the period's submitted responses."""
    matrix: dict[int, dict[str, str]] = {}
    for objective_id, state, rating in session.execute(
            select(Rating.objective_id, Response.state, Rating.rating)
            .join(Response, Response.id == Rating.response_id)
            .where(Response.period_id == period_id, Response.status == "submitted")):
        matrix.setdefault(objective_id, {})[state] = rating
    return matrix


# ---------------------------------------------------------------- writing


def _answerable(session: Session, actor: Principal, period_id: int, state: str,
                when: datetime) -> tuple[Period, DebriefSettings]:
    period = access.readable_period(session, actor, period_id)
    access.answering_state(actor, period, state)
    settings = ensure_debrief(session, period, actor=actor, now=when)
    schedule.require_open(settings, period, when)
    return period, settings


def _locked_draft(session: Session, period: Period, state: str, when: datetime) -> Response:
    """The state's response row, made if missing (concurrent first saves leave one), locked
    for this transaction; 409 once submitted."""
    dialect: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(Response.__table__).values(
        period_id=period.id, state=state, status="draft", worked="", did_not_work="",
        do_differently="", next_steps="", good_practice="", created_at=when, updated_at=when)
        .on_conflict_do_nothing(index_elements=["period_id", "state"]))
    response = own_response(session, period.id, state, lock=True)
    assert response is not None  # inserted above or by a concurrent first save
    if response.status == "submitted":
        raise InvalidTransition(f"{state} has submitted its answers: they are locked.",
                                fields={"status": "submitted"})
    return response


def save_draft(session: Session, *, actor: Principal, period_id: int, state: str,
               worked: str = "", did_not_work: str = "", do_differently: str = "",
               next_steps: str = "", good_practice: str = "",
               deconfliction_usefulness: int | None = None,
               ratings: Sequence[Mapping[str, Any]] = (),
               now: datetime | None = None) -> tuple[Response, list[Rating]]:
    """Replace the state's draft with these answers (its NLO, once the questionnaire is
    open); 409 after submission, 422 naming each bad field (nothing stored)."""
    when = now or utcnow()
    period, _ = _answerable(session, actor, period_id, state, when)
    objective_ids = {o.id for o in period_objectives(session, period.id)}
    texts, usefulness, rated = check_answers(
        objective_ids, texts={"worked": worked, "did_not_work": did_not_work,
                              "do_differently": do_differently, "next_steps": next_steps,
                              "good_practice": good_practice},
        deconfliction_usefulness=deconfliction_usefulness, ratings=ratings)
    response = _locked_draft(session, period, state, when)
    for name, value in texts.items():
        setattr(response, name, value)
    response.deconfliction_usefulness = usefulness
    response.updated_at, response.updated_by = when, actor.id
    session.execute(delete(Rating).where(Rating.response_id == response.id))
    rows = [Rating(response_id=response.id, objective_id=oid, rating=rating, comment=comment)
            for oid, (rating, comment) in rated.items()]
    session.add_all(rows)
    session.flush()
    audit.record(session, action="debrief.response.saved", actor=actor,
                 object_type="debrief_response", object_id=response.id,
                 details={"period_id": period.id, "state": state, "ratings": len(rows)})
    return response, rows


def submit_response(session: Session, *, actor: Principal, period_id: int, state: str,
                    now: datetime | None = None,
                    base_url: str = "") -> tuple[Response, list[Rating]]:
    """Lock the state's answers (its NLO): every question answered, usefulness given and
    every objective rated (else 422 naming what is missing); 409 the second time. The
    period's co-chairs are told."""
    when = now or utcnow()
    period, _ = _answerable(session, actor, period_id, state, when)
    existing = own_response(session, period.id, state, lock=True)
    if existing is not None and existing.status == "submitted":
        raise InvalidTransition(f"{state} has submitted its answers already.",
                                fields={"status": "submitted"})
    ratings = ratings_of(session, [existing.id])[existing.id] if existing else []
    objective_ids = [o.id for o in period_objectives(session, period.id)]
    missing = missing_for_submission(existing, {r.objective_id: r.rating for r in ratings},
                                     objective_ids)
    if missing:
        raise ValidationFailed(missing, "Not submitted: " + "; ".join(
            f"{name}: {text}" for name, text in missing.items()))
    assert existing is not None  # a missing response lacks every answer
    existing.status, existing.submitted_at, existing.submitted_by = "submitted", when, actor.id
    existing.updated_at, existing.updated_by = when, actor.id
    session.flush()
    audit.record(session, action="debrief.response.submitted", actor=actor,
                 object_type="debrief_response", object_id=existing.id,
                 details={"period_id": period.id, "state": state})
    _tell_co_chairs(session, period, state, actor, base_url)
    return existing, ratings


def _tell_co_chairs(session: Session, period: Period, state: str, actor: Principal,
                    base_url: str) -> None:
    link = f"/periods/{period.id}/debrief"
    messages = [{"user_id": user.id, "email": user.email,
                 "subject": f"Debrief: {state} has submitted its questionnaire",
                 "body": f"{state} has submitted its debrief questionnaire for {period.name}."
                         f"\n\n{base_url.rstrip('/')}{link}", "link": link}
                for user in access.co_chair_users(session, period) if user.id != actor.id]
    if messages:
        notify.notify_all(session, messages)

