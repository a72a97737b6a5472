"""The pack's report.pdf: the report page printed by WeasyPrint with no network access (the
press `ResourceGuard` refuses every URL but `data:`), system Noto fonts, and on every page the
handling marking and the period's name at the top and "Page x of y" at the foot. Pure.
"""

from __future__ import annotations

from press.pdf import ResourceGuard

MARGIN_FONT = ('font-family: "Noto Sans", "Noto Sans Thai", sans-serif; font-size: 8pt; '
               "color: #444444;")


def css_string(text: str) -> str:
    """`text` as a CSS string literal (one line)."""
    flat = " ".join(text.split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_css(*, marking: str, period_name: str) -> str:
    """The A4 @page rule: marking top left, period top right, "Page x of y" at the foot."""
    return (
        "@page { size: A4; margin: 22mm 16mm 20mm 16mm;\n"
        f"  @top-left {{ content: {css_string(marking)}; {MARGIN_FONT} font-weight: bold;"
        " color: #8a1c1c; }\n"
        f"  @top-right {{ content: {css_string(period_name)}; {MARGIN_FONT} }}\n"
        '  @bottom-center { content: "Page " counter(page) " of " counter(pages); '
        f"{MARGIN_FONT} }}\n"
        f"  @bottom-left {{ content: {css_string(marking)}; {MARGIN_FONT} }}\n"
        "}\n")


def render_pdf(page: str, *, marking: str, period_name: str,
               guard: ResourceGuard | None = None) -> bytes:
    """The PDF of the report page; every fetch goes through `guard` (none reaches a network)."""
    from weasyprint import CSS, HTML

    guard = guard if guard is not None else ResourceGuard()
    fetcher = guard.url_fetcher()
    document = HTML(string=page, base_url=None, url_fetcher=fetcher, media_type="print")
    extra = CSS(string=page_css(marking=marking, period_name=period_name),
                url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[extra])
    assert pdf is not None
    return pdf
