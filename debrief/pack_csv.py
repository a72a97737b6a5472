"""The rows of the pack's `data/*.csv` (and an annex's `annex/*.csv`). Pure.

Each table is a header and rows in a stable order, with no time or version in them, so the
same data gives the same files byte for byte; `core.csvsafe` writes them (BOM, formula-safe).
"""

from __future__ import annotations

from debrief.pack_facts import QUESTIONS, RATING_WORDS, Annex, PackFacts

Row = list[str | int | float | None]


def data_tables(f: PackFacts) -> dict[str, list[Row]]:
    """The pack's data tables by fixed entry name, in the order they are written."""
    out = f.outcomes
    decon = f.deconfliction
    tables: dict[str, list[Row]] = {}
    tables["data/totals.csv"] = [["indicator", "label", "unit", "total"]] + [
        [i.key, i.label, i.unit, out.totals.get(i.key, 0)] for i in out.indicators]
    tables["data/totals_by_state.csv"] = [["state", "indicator", "label", "unit", "value"]] + [
        [state, i.key, i.label, i.unit, out.by_state.get(state, {}).get(i.key, 0)]
        for state in sorted(out.by_state) for i in out.indicators]
    tables["data/totals_by_category.csv"] = [["indicator", "category", "value"]] + [
        [key, category, value] for key in (i.key for i in out.indicators)
        for category, value in out.breakdown.get(key, {}).items()]
    cumulative: list[Row] = [["date", "indicator", "day_value", "cumulative"]]
    for indicator in out.indicators:
        daily = out.daily.get(indicator.key, {})
        for day, running in out.cumulative(indicator.key).items():
            cumulative.append([day, indicator.key, daily.get(day, 0), running])
    tables["data/daily_cumulative.csv"] = cumulative
    tables["data/completeness.csv"] = [["state", "days_reported", "days_due", "rate"]] + [
        [c.state, c.reported, c.due, c.rate] for c in out.completeness]
    tables["data/operations_by_type_state.csv"] = [["state", "type", "operations"]] + [
        [c.first, c.second, c.count] for c in decon.operations]
    tables["data/conflicts_by_reason_severity.csv"] = [["reason", "severity", "conflicts"]] + [
        [c.first, c.second, c.count] for c in decon.conflicts]
    summary: list[Row] = [["measure", "group", "value"],
                          ["conflicts", "all", decon.conflicts_total]]
    summary += [["conflicts by severity", c.first, c.count] for c in decon.by_severity]
    summary += [["conflicts by status", c.first, c.count] for c in decon.by_status]
    summary += [["resolutions", c.first, c.count] for c in decon.resolutions]
    summary += [["escalations", "all", decon.escalations],
                ["acknowledgements", "all", decon.acknowledgements],
                ["hours to acknowledgement", "median", decon.acknowledgement_median_hours],
                ["hours to acknowledgement", "p90", decon.acknowledgement_p90_hours]]
    tables["data/deconfliction_summary.csv"] = summary
    tables["data/press_releases.csv"] = [
        ["published_on", "title", "language", "scope", "state", "public_path", "versions",
         "withdrawn"]] + [
        [p.published_on, p.title, p.language, p.scope, p.state, p.public_path, p.versions,
         "yes" if p.withdrawn else "no"] for p in f.press]
    tables["data/objectives.csv"] = [["objective", "title", "description"]] + [
        [o.number, o.title, o.description] for o in f.objectives]
    responses: list[Row] = [["state", "submitted_on", "question", "answer"]]
    for answer in f.responses:
        responses += [[answer.state, answer.submitted_on, words, answer.answers.get(key, "")]
                      for key, words in QUESTIONS]
        responses.append([answer.state, answer.submitted_on,
                          "How useful was deconfliction (1-5)", answer.usefulness])
    tables["data/responses.csv"] = responses
    titles = {o.number: o.title for o in f.objectives}
    tables["data/ratings.csv"] = [
        ["objective", "objective_title", "state", "rating", "meaning", "comment"]] + [
        [r.objective, titles.get(r.objective, ""), r.state, r.rating,
         RATING_WORDS.get(r.rating, ""), r.comment] for r in f.ratings]
    tables["data/improvements.csv"] = [
        ["item", "objective", "issue", "corrective_action", "owner_state", "owner", "due_on",
         "status"]] + [
        [i.number, i.objective, i.issue, i.corrective_action, i.owner_state, i.owner,
         i.due_on, i.status] for i in f.improvements]
    return tables


def annex_tables(annex: Annex) -> dict[str, list[Row]]:
    """An annex's own operations in full and own conflicts at pointer level."""
    return {
        "annex/operations.csv": [
            ["operation", "title", "type", "lead_agency", "starts_at", "ends_at", "sites",
             "targets", "status"]] + [
            [o.number, o.title, o.type, o.lead_agency, o.starts_at, o.ends_at, o.sites,
             o.targets, o.status] for o in annex.operations],
        "annex/conflicts.csv": [
            ["conflict_id", "other_state", "other_contact_officer", "severity", "reason_kinds",
             "status", "detected_at", "acknowledged_by_us", "acknowledged_by_them",
             "resolution"]] + [
            [c.conflict_id, c.other_state, c.other_contact, c.severity, c.reason_kinds,
             c.status, c.detected_at, c.acknowledged_own, c.acknowledged_other, c.resolution]
            for c in annex.conflicts],
    }
