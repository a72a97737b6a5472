"""A bare Flask JSON endpoint for GET: the yardstick for the HTTP figures of bench/outcomes.py.

It answers the totals route with the very document the application answered for the benchmark
period (bench/outcomes.py writes it to the file named by JPA_BENCH_TOTALS_DOCUMENT), serialised
with `jsonify` on every request as any plain Flask endpoint would; without that file, a fixed
document of the same shape with 15 indicators and no states. Both sides then send and the
client parses the same bytes, so the ratio of the two rates is what the application adds:
authentication, the visibility check and the totals themselves. Run alone it only says so.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask, jsonify

app = Flask(__name__)
KEYS = ("victims_assisted", "suspects_identified", "arrests", "search_warrants",
        "new_investigations", "parallel_investigations", "international_enquiries",
        "intelligence_reports_shared", "fraudulent_documents_seized",
        "smuggled_migrants_detected", "persons_checked", "locations_checked",
        "awareness_activities", "training_sessions", "officers_trained")
_SOURCE = os.environ.get("JPA_BENCH_TOTALS_DOCUMENT")
DOCUMENT = (json.loads(Path(_SOURCE).read_text()) if _SOURCE else
            {"totals": dict.fromkeys(KEYS, 0), "by_state": {}, "breakdown": {}, "series": {}})


@app.get("/healthz")
def healthz():
    """Readiness, like the real application's."""
    return jsonify(status="ok")


@app.get("/api/v1/periods/<int:pid>/totals")
def totals(pid: int):
    """The fixed totals document."""
    return jsonify(DOCUMENT)


if __name__ == "__main__":
    print("bench/bare_totals_app.py: the bare endpoint that bench/outcomes.py serves with "
          "gunicorn (nothing to measure on its own)")
