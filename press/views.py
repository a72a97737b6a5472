"""Press release pages (sign-off, releases per period, editor, approval, workflow buttons)
and the wiring of press into the application (`register`)."""

from __future__ import annotations

from flask import Flask

from press import public


def register(app: Flask) -> None:
    """Add the press pages, the public side (no login) and the commands."""
    app.register_blueprint(public.bp)
