"""The demo period's debrief (`jpa demo`): its objectives, and every demo state's answers to
the questionnaire, submitted by the state's NLO, with a rating of every objective. Idempotent:
a state that has a response (draft or submitted) is left as it is. If the demo period has not
ended, the questionnaire is opened so that the answers can be given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.identity.models import User
from core.identity.services import Principal
from debrief import questionnaire
from debrief.models import Response
from debrief.objectives import ensure_debrief, period_objectives
from operations.demo import register_report_seeder, report_seeder
from operations.models import Period

# After the press demo's publication (2 November 2015), one state a day or so.
DEMO_FIRST_SUBMISSION: Final = datetime(2015, 11, 3, 2, 0, tzinfo=UTC)

# state: (worked, did not work, do differently, next steps, good practice, usefulness,
#         ratings of the ten default objectives in order, {objective number: comment})
DEMO_ANSWERS: Final[dict[str, tuple[str, str, str, str, str, int, str, dict[int, str]]]] = {
    "AUS": (
        "Having the **maritime venture** registered early paid off: the vessel hit with "
        "Indonesia came up on day one and we agreed the same afternoon who would board. The "
        "daily figures took our desk ten minutes a day.",
        "Our airport profiling at SYD ran over a long weekend and two of the four shifts had "
        "no one who had been briefed on the JPA, so the checks were counted but not "
        "reported for three days.",
        "- Brief every shift lead, not only the operation leads.\n- Agree one definition of "
        "*persons checked* before the period; ours counted passports, not people.",
        "AFP to share the venture's financial picture with Indonesia through the usual "
        "channel by the end of November; ABF to write up the profiling indicators for the "
        "regional workshop.",
        "Pairing each of our operations with a named counterpart in the state most likely to "
        "be affected, before the period starts.",
        5, "PSPPSPSSPS",
        {1: "Good joint handling of the vessel case with Indonesia.",
         4: "Fewer victims identified than hoped; most were smuggled migrants."}),
    "IDN": (
        "The deconfliction notice on the vessel *KM Bahari* avoided two boardings of the "
        "same boat. Bakamla and the police worked from one list for the first time.",
        "Reporting by date was hard for the Riau operation, which runs across shifts and "
        "islands; we reported some figures a day late.",
        "Start the registration of operations two weeks earlier so that agencies outside the "
        "police can be given accounts in time.",
        "Joint review with Australia of the vessel case in December; Directorate General of "
        "Immigration to propose a standing contact list for KLIA and CGK.",
        "A single WhatsApp-free contact sheet per operation, printed and kept at the desk.",
        4, "PPSPSPPSSS",
        {3: "Two facilitators identified, one arrested.",
         9: "Interest in a second period around Idul Fitri travel."}),
    "MYS": (
        "KLIA transit checks found the recruitment network's couriers; the conflict with "
        "Thailand on the recruiter's phone number put us in touch within the hour.",
        "The Bukit Kayu Hitam checks overlapped with Thailand's at Sadao and neither side had "
        "planned for it: we found out from the tool, not from each other.",
        "Plan border operations together with the neighbouring state, not only register "
        "them; a joint briefing the week before would have helped.",
        "- Joint Malaysia-Thailand review of the Sadao / Bukit Kayu Hitam plan.\n- Share the "
        "recruitment advert analysis with Indonesia and the Philippines.",
        "",
        4, "SPPSPSPPSP",
        {1: "The border overlap showed cooperation is still ad hoc.",
         8: "Gap: no joint planning at land borders."}),
    "MDV": (
        "The resort inspections were our first operation of this kind and the labour "
        "authority now wants to repeat them. The person match with Sri Lanka was decisive.",
        "We have one NLO and no deputy: when the NLO travelled, nobody reported for two days.",
        "Name a deputy NLO with their own account before the period.",
        "Labour Relations Authority to draft a standard inspection checklist; follow-up with "
        "Sri Lanka on the recruiter before the end of the year.",
        "Inviting the labour inspectorate into the police operation room for the whole period.",
        3, "SSPSPSSPSM",
        {4: "Five workers referred for assistance.",
         7: "We now have direct numbers for the Sri Lankan CID.",
         10: "No awareness work outside the resorts this time."}),
    "NZL": (
        "As co-chair we could see the whole period at a glance; the daily completeness grid "
        "showed who needed a call. AKL departure checks ran to plan.",
        "Few cases touch New Zealand directly, so our own figures look small next to the "
        "others'; some colleagues asked whether it was worth the effort.",
        "Explain at the start why small numbers from low-volume states still matter to the "
        "regional picture.",
        "Draft the debrief report with Sri Lanka; propose the next period's dates at the Bali "
        "Process working group in February.",
        "A short daily note from the co-chairs to all NLOs: what came in, what is missing.",
        4, "PSPSPPPPPP",
        {}),
    "PHL": (
        "NAIA checks intercepted several travellers with fraudulent overseas employment "
        "documents; the documents seized were reported the same day.",
        "The Manila port checks were registered late and could not be deconflicted before "
        "they started.",
        "Register every operation before it starts, even when plans are still moving: it can "
        "be edited later.",
        "Bureau of Immigration to share the document fraud patterns with Malaysia and "
        "Thailand; Coast Guard to join the next period from the planning stage.",
        "Officers at departure counters trained on the period's indicators the week before.",
        3, "SPSPSMPSUP",
        {2: "Useful document intelligence, shared late.",
         6: "Requests to two states went unanswered for a week.",
         9: "No further common operation agreed on our side yet."}),
    "LKA": (
        "The match between our broker and the recruiter Maldives registered (names in "
        "another order, same date of birth) gave us a case we did not know was regional.",
        "Colombo airport checks stopped two days early because staff were moved to a VIP "
        "visit; reporting resumed without explanation in the figures.",
        "Keep a note with a day's report when an operation is interrupted, so that the "
        "figures can be read correctly.",
        "Co-chair the debrief meeting with New Zealand; CID to follow the broker case with "
        "Maldives; nominate trainers for the regional workshop.",
        "",
        5, "PPPSPPPSPS",
        {3: "Broker identified through the match with Maldives."}),
    "THA": (
        "Suvarnabhumi departure checks and the Sadao crossing produced most of our figures; "
        "the phone-number conflict with Malaysia was resolved in one call.",
        "The Sadao checks overlapped with Malaysia's on the other side and we had not "
        "planned together; the Thai plate of the van could not be shared outside the tool.",
        "Plan land-border operations jointly with Malaysia and agree in advance what can be "
        "exchanged about vehicles.",
        "Joint review with Malaysia in December; Royal Thai Police to host the regional "
        "training on victim identification in the first quarter.",
        "A victim-identification officer present at every airport check, not only on call.",
        4, "SPPPSSPMSP",
        {8: "The border overlap is the main gap we found.",
         10: "Awareness work was limited to the airport."}),
}


def _officer(session: Session, state: str) -> Principal | None:
    user = session.scalar(select(User).where(User.username == f"nlo.{state.lower()}"))
    if user is None or user.state != state or user.disabled:
        return None
    return Principal.of(user, "demo")


def seed_demo_debrief(session: Session, period: Period, now: datetime | None = None) -> int:
    """Objectives, and the submitted answers of every demo state that has none yet; returns
    how many states were answered."""
    when = now or utcnow()
    settings = ensure_debrief(session, period, now=when)
    if when < period.ends_at and (settings.opens_at is None or settings.opens_at > when):
        settings.opens_at = when  # the period runs still: the demo opens its questionnaire
        session.flush()
    found = period_objectives(session, period.id)
    existing = set(session.scalars(select(Response.state).where(
        Response.period_id == period.id)))
    first = max(DEMO_FIRST_SUBMISSION, settings.opens_at or period.ends_at)
    answered = 0
    for number, state in enumerate(period.states):
        answers = DEMO_ANSWERS.get(state)
        officer = _officer(session, state)
        if answers is None or officer is None or state in existing:
            continue
        worked, bad, differently, steps, practice, useful, letters, comments = answers
        # A state or so a day after the first, never in the future.
        at = min(first + timedelta(hours=20 * number), when)
        ratings = [{"objective_id": o.id, "rating": letters[index % len(letters)],
                    "comment": comments.get(index + 1, "")}
                   for index, o in enumerate(found)]
        questionnaire.save_draft(
            session, actor=officer, period_id=period.id, state=state, worked=worked,
            did_not_work=bad, do_differently=differently, next_steps=steps,
            good_practice=practice, deconfliction_usefulness=useful, ratings=ratings, now=at)
        questionnaire.submit_response(session, actor=officer, period_id=period.id,
                                      state=state, now=at)
        answered += 1
    return answered


def register(app: Flask) -> None:
    """`jpa demo` seeds the debrief after whatever seeds the reports (press wraps it too)."""
    before = report_seeder(app)

    def seed(session: Session, period: Period) -> int:
        reports = before(session, period) if before is not None else 0
        seed_demo_debrief(session, period)
        return reports

    register_report_seeder(app, seed)
