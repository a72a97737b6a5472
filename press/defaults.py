"""The default templates seeded into every period: regional and national, five languages."""

from __future__ import annotations

from importlib import resources

from press.i18n import LANGUAGES, check_language

SCOPES = ("regional", "national")
_FOLDER = ("templates", "press", "defaults")


def default_template(scope: str, language: str) -> str:
    """The default template body for a scope ("regional", "national") and language."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    check_language(language)
    return resources.files("press").joinpath(*_FOLDER, f"{scope}.{language}.md") \
        .read_text(encoding="utf-8")


def default_templates() -> dict[tuple[str, str], str]:
    """Every default template by (scope, language)."""
    return {(scope, lang): default_template(scope, lang) for scope in SCOPES for lang in LANGUAGES}
