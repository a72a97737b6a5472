"""A bare Flask JSON endpoint: the yardstick for the HTTP figures of bench/deconfliction.py.

It answers the registration route with what a do-nothing service would: parse the JSON body,
answer 201 with a small JSON document. Served by gunicorn exactly like the real application
(same workers, same client), so the ratio of the two rates is what the application costs.
Run alone (`make bench` runs every bench/*.py) it only says so.
"""

from __future__ import annotations

import itertools

from flask import Flask, jsonify, request

app = Flask(__name__)
_ids = itertools.count(1)


@app.get("/healthz")
def healthz():
    """Readiness, like the real application's."""
    return jsonify(status="ok")


@app.post("/api/v1/periods/<int:pid>/operations")
def register(pid: int):
    """Read the body and answer like a registration without any work behind it."""
    body = request.get_json()
    return jsonify(id=next(_ids), period_id=pid, title=body.get("title"), conflicts=[]), 201


if __name__ == "__main__":
    print("bench/bare_app.py: the bare endpoint that bench/deconfliction.py serves with gunicorn"
          " (nothing to measure on its own)")
