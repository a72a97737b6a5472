"""A period's press templates: one per scope and language, seeded from the default files
(press.defaults) on first use, race-safe, and edited by the period's co-chairs. A new
release without a body starts from its period's template. Services never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from core.errors import NotFound, ValidationFailed
from core.identity.services import Principal
from operations.models import Period
from press import access, publication
from press.defaults import SCOPES, default_templates
from press.i18n import LANGUAGES
from press.models import PressTemplate
from press.period_settings import insert_missing, require_co_chair
from press.rendering import TemplateProblem, check_template


@dataclass(frozen=True)
class TemplateCheck:
    """A template checked against the period's current context: warnings or the problem."""

    warnings: list[str]
    problem: str | None = None


def seed_templates(session: Session, period_id: int, now: datetime | None = None) -> None:
    """Give the period every default template it lacks (idempotent; concurrent callers leave
    one row per scope and language)."""
    when = now or utcnow()
    have = {(scope, language) for scope, language in session.execute(
        select(PressTemplate.scope, PressTemplate.language)
        .where(PressTemplate.period_id == period_id))}
    rows: list[dict[str, object]] = [
        {"period_id": period_id, "scope": scope, "language": language, "body": body,
         "updated_at": when}
        for (scope, language), body in default_templates().items()
        if (scope, language) not in have]
    insert_missing(session, PressTemplate.__table__, rows,  # type: ignore[arg-type]
                   ["period_id", "scope", "language"])


def period_template(session: Session, period_id: int, scope: str, language: str) -> str:
    """The body a new release of the period starts from (seeding the period first)."""
    seed_templates(session, period_id)
    body = session.scalar(select(PressTemplate.body).where(
        PressTemplate.period_id == period_id, PressTemplate.scope == scope,
        PressTemplate.language == language))
    if body is None:
        raise ValidationFailed({"language": "no template for this scope and language"})
    return body


def list_templates(session: Session, *, actor: Principal, period_id: int,
                   ) -> list[PressTemplate]:
    """The period's templates (seeded on first read), by scope then language."""
    period = access.readable_period(session, actor, period_id)
    seed_templates(session, period.id)
    order = {(s, lang): i for i, (s, lang) in enumerate(
        (s, lang) for s in SCOPES for lang in LANGUAGES)}
    found = session.scalars(select(PressTemplate).where(PressTemplate.period_id == period.id))
    return sorted(found, key=lambda t: order.get((t.scope, t.language), len(order)))


def _checked_key(scope: str, language: str) -> None:
    if scope not in SCOPES or language not in LANGUAGES:
        raise NotFound("press template")


def get_template(session: Session, *, actor: Principal, period_id: int, scope: str,
                 language: str) -> PressTemplate:
    """One template of the period; NotFound for an unknown scope or language."""
    _checked_key(scope, language)
    for template in list_templates(session, actor=actor, period_id=period_id):
        if (template.scope, template.language) == (scope, language):
            return template
    raise NotFound("press template")


def example_state(actor: Principal, period: Period) -> str | None:
    """The state a national template is tried with: the actor's, else the first participant."""
    states = list(period.states or [])
    return actor.state if actor.state in states else next(iter(states), None)


def check_period_template(session: Session, *, actor: Principal, period: Period, scope: str,
                          language: str, body: str) -> TemplateCheck:
    """Render the body once against the period's current context (a national template with
    the actor's state, else the first participant); never raises on template problems."""
    try:
        publication.check_body(body)
    except ValidationFailed as error:
        return TemplateCheck([], error.fields["body"])
    state = example_state(actor, period) if scope == "national" else None
    found = publication.basis(session, period, scope=scope, state=state)
    try:
        warnings = check_template(body, found.context, language=language)
    except TemplateProblem as problem:
        return TemplateCheck([], str(problem))
    return TemplateCheck([w.message for w in warnings])


def put_template(session: Session, *, actor: Principal, period_id: int, scope: str,
                 language: str, body: str, now: datetime | None = None) -> PressTemplate:
    """Replace a template (the period's co-chairs); a problem is a 422 naming `body` with
    its line. Existing releases keep their own bodies."""
    template = get_template(session, actor=actor, period_id=period_id, scope=scope,
                            language=language)
    period = access.readable_period(session, actor, period_id)
    require_co_chair(actor, period)
    checked = check_period_template(session, actor=actor, period=period, scope=scope,
                                    language=language, body=body)
    if checked.problem is not None:
        raise ValidationFailed({"body": checked.problem})
    template.body, template.updated_at, template.updated_by = body, now or utcnow(), actor.id
    session.flush()
    audit.record(session, action="press.template", actor=actor, object_type="period",
                 object_id=period.id, details={"scope": scope, "language": language,
                                               "bytes": len(body.encode("utf-8"))})
    return template
