"""From stored data to text: a release's context from the signed-off figures, its rendering,
and publication (a new immutable version stored rendered in every public format).

Press reads figures from outcomes/ (through press.signoffs) and operations counts from
operations/, never deconfliction. Services never commit."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from core.db import utcnow
from core.errors import ValidationFailed
from core.states import get_state
from operations.models import Operation, Period
from outcomes.services import catalogue
from press import documents, i18n, period_settings
from press.context import ReleaseContext
from press.documents import PublishedRelease
from press.models import Release, ReleaseVersion
from press.published import as_published_release, invalidate_public_documents
from press.rendering import Rendered, TemplateProblem, render_release
from press.signoffs import FigureMap, ReleasedFigures, released_figures

MAX_BODY_BYTES = 100_000  # a body over this is a 422 naming `body`


@dataclass(frozen=True)
class Basis:
    """What a release is rendered from now: context, preliminary or final, figures as at."""

    context: ReleaseContext
    preliminary: bool
    as_at: datetime | None
    released: ReleasedFigures
    national: FigureMap | None


def zero_figures(session: Session, period: Period) -> FigureMap:
    """Every indicator of the period at zero, so a template names them before any sign-off."""
    zero: FigureMap = {}
    for indicator in catalogue(session, period.id):
        zero[indicator.key] = ({c: 0 for c in indicator.categories} if indicator.categories
                               else 0)
    return zero


def _over(base: FigureMap, figures: FigureMap) -> FigureMap:
    merged: FigureMap = {}
    for key, value in base.items():
        given = figures.get(key)
        if isinstance(value, dict):
            given = given if isinstance(given, dict) else {}
            merged[key] = {c: int(given.get(c, 0)) for c in value}
        else:
            merged[key] = int(given) if isinstance(given, int) else 0
    return merged


def _operations(session: Session, period: Period) -> dict[str, int]:
    rows = session.execute(select(Operation.type, func.count(Operation.id))
                           .where(Operation.period_id == period.id,
                                  Operation.cancelled.is_(False))
                           .group_by(Operation.type))
    return {kind: int(count) for kind, count in rows}


def _local_date(moment: datetime, codes: list[str]) -> date:
    """The date most of these states' zones show at `moment` (the later one on a tie)."""
    counts = Counter(moment.astimezone(ZoneInfo(get_state(code).default_time_zone)).date()
                     for code in codes)
    if not counts:
        return moment.astimezone(ZoneInfo("UTC")).date()
    return max(counts, key=lambda day: (counts[day], day))


def window_dates(period: Period, *, scope: str, state: str | None) -> tuple[date, date]:
    """The period's first and last dates as the release's readers count them: in the zone of
    the state of a national release; for a regional one, as most participating states do (a
    window from midnight in Jakarta starts on the 28th in seven states, the 27th in two)."""
    codes = [state] if scope == "national" and state else list(period.states or [])
    return _local_date(period.starts_at, codes), _local_date(period.ends_at, codes)


def basis(session: Session, period: Period, *, scope: str, state: str | None,
          now: datetime | None = None) -> Basis:
    """The context of a release of `scope` from the period's current, non-stale sign-offs:
    final only once the period has ended and every participating state has signed."""
    released = released_figures(session, period)
    zero = zero_figures(session, period)
    national = None
    if scope == "national" and state is not None:
        national = _over(zero, released.by_state.get(state, {}))
    by_type = _operations(session, period)
    starts_on, ends_on = window_dates(period, scope=scope, state=state)
    context = ReleaseContext(
        period_name=period.name, starts_on=starts_on, ends_on=ends_on, states=period.states,
        co_chairs=period.co_chairs,
        figures=_over(zero, released.figures), operations_count=sum(by_type.values()),
        operations_by_type=by_type, national_state=state if scope == "national" else None,
        national=national, k=period_settings.suppression_k(session, period.id))
    ended = (now or utcnow()) >= period.ends_at
    return Basis(context=context, preliminary=not (ended and released.complete),
                 as_at=released.as_at, released=released, national=national)


def check_body(body: str) -> None:
    """422 naming `body` when it is over the size cap."""
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        raise ValidationFailed({"body": f"the body is over {MAX_BODY_BYTES:,} bytes"})


def check_language(language: str) -> None:
    """422 naming `language` unless it is a release language."""
    try:
        i18n.check_language(language)
    except i18n.UnknownLanguage as error:
        raise ValidationFailed({"language": str(error)}) from None


def render(body: str, language: str, found: Basis) -> Rendered:
    """Render as publication would; a template problem is a 422 naming the body's line."""
    try:
        return render_release(body, found.context, language=language,
                              preliminary=found.preliminary,
                              as_at=found.as_at.date() if found.as_at else None)
    except TemplateProblem as problem:
        raise ValidationFailed({"body": str(problem)}) from None


def versions_of(session: Session, release: Release) -> list[ReleaseVersion]:
    """The release's published versions, oldest first."""
    return list(session.scalars(select(ReleaseVersion).where(
        ReleaseVersion.release_id == release.id).order_by(ReleaseVersion.number)))


def store_documents(session: Session, release: Release, period: Period) -> None:
    """(Re)write the stored page, text and PDF of every version: "version N of M", the
    correction notes and the withdrawal notice change when a version is added or withdrawn."""
    rows = versions_of(session, release)
    if not rows:
        return
    _invalidate_on_commit(session)
    plain = as_published_release(release, rows, period.name)
    for row, version in zip(rows, plain.versions, strict=True):
        rendered = documents.render_documents(version)
        row.html, row.text, row.pdf = rendered.html, rendered.text, rendered.pdf
        row.etag_html, row.etag_text = rendered.etag("html"), rendered.etag("text")
        row.etag_pdf = rendered.etag("pdf")


def _invalidate_on_commit(session: Session) -> None:
    # After the commit, not before: a request between the two would cache the old state.
    # Clearing now as well is harmless and covers callers that commit on another path.
    invalidate_public_documents()
    if not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "after_commit", _after_commit)


def _after_commit(session: Session) -> None:
    invalidate_public_documents()


def publish(session: Session, release: Release, period: Period, *, actor_id: int | None,
            now: datetime) -> ReleaseVersion:
    """Render the draft with the figures signed off now and store it as the next version."""
    found = basis(session, period, scope=release.scope, state=release.state, now=now)
    rendered = render(release.body, release.language, found)
    figures: dict[str, object] = {"regional": found.context.figures,
                                  "national": found.national,
                                  "signed_states": list(found.released.signed_states)}
    number = release.version + 1
    row = ReleaseVersion(
        release_id=release.id, number=number, title=release.title, body=release.body,
        html_body=rendered.html, text_body=rendered.text, html=b"", text=b"", pdf=b"",
        etag_html="", etag_text="", etag_pdf="", figures=figures,
        preliminary=found.preliminary, as_at=found.as_at, published_at=now,
        published_by=actor_id, correction_note=release.correction_note if number > 1 else None)
    session.add(row)
    release.version = number
    release.status = "published"
    release.correction_note = None
    release.updated_at = now
    session.flush()
    store_documents(session, release, period)
    return row


def claim_scheduled(session: Session, release_id: int, revision: int, now: datetime) -> bool:
    """Take a due scheduled release for publication: a guarded UPDATE that exactly one of
    several concurrent schedulers wins (the others see no row left in `scheduled`)."""
    result = session.execute(
        update(Release).where(Release.id == release_id, Release.status == "scheduled",
                              Release.revision == revision, Release.publish_at <= now)
        .values(status="publishing").execution_options(synchronize_session=False))
    return result.rowcount == 1  # type: ignore[attr-defined]


def published_plain(session: Session) -> list[PublishedRelease]:
    """Every release with a published version, as press.documents data."""
    releases = list(session.scalars(select(Release).where(Release.version >= 1)
                                    .order_by(Release.id)))
    found = []
    for release in releases:
        period = session.get(Period, release.period_id)
        found.append(as_published_release(release, versions_of(session, release),
                            period.name if period else ""))
    return found
