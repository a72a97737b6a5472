"""Where the browser tests leave screenshots for a reviewer: build/screenshots/, named in the
README. The folder is git-ignored, so a clean clone does not have it until the first shot."""

from __future__ import annotations

from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def screenshot_path(name: str, width: int | str) -> Path:
    """The file for the screenshot `name` at `width` px, its folder made if missing."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}-{width}.png"
