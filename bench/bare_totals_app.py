"""A bare Flask JSON endpoint for GET: the yardstick for the HTTP figures of bench/outcomes.py.

It answers the totals route with a fixed document of the same shape (15 indicators), so the
ratio of the two rates is what computing real totals costs. Run alone it only says so.
"""

from __future__ import annotations

from flask import Flask, jsonify

app = Flask(__name__)
KEYS = ("victims_assisted", "suspects_identified", "arrests", "search_warrants",
        "new_investigations", "parallel_investigations", "international_enquiries",
        "intelligence_reports_shared", "fraudulent_documents_seized",
        "smuggled_migrants_detected", "persons_checked", "locations_checked",
        "awareness_activities", "training_sessions", "officers_trained")


@app.get("/healthz")
def healthz():
    """Readiness, like the real application's."""
    return jsonify(status="ok")


@app.get("/api/v1/periods/<int:pid>/totals")
def totals(pid: int):
    """A fixed totals document."""
    return jsonify(totals=dict.fromkeys(KEYS, 0), by_state={}, breakdown={}, series={})


if __name__ == "__main__":
    print("bench/bare_totals_app.py: the bare endpoint that bench/outcomes.py serves with "
          "gunicorn (nothing to measure on its own)")
