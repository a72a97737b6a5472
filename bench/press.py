"""Press benchmark: the public formats of a release.

Measured and printed, never asserted (`make bench`). Part "pdf": the PDF of a two-page
release (WeasyPrint, A4, system fonts, no network fetch), in English and in Thai, timed
`--runs` times after one cold render (the cold one includes loading the fonts through
fontconfig, paid once per process); prints the page count, p50, p99 and the cold time beside
the machine's baseline loop (bench/deconfliction.py's `baseline_ms`), so that figures from
different machines compare as ratios. Target printed beside the figures: PDF of a two-page
release <= 2 s.

Part "render": the regional default template rendered (sandbox, Markdown, nh3) with 100
states' figures, in English and Thai: p50 and p99 against the target p50 <= 20 ms. Part
"public": GET /press/<slug> and its 304 beside a bare Flask endpoint answering the same stored
bytes.

    .venv/bin/python bench/press.py [--part pdf|public|render] [--runs 20]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
BENCH_DIR = PROJECT_DIR / "bench"
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(PROJECT_DIR))

from bench import deconfliction as common  # noqa: E402

PDF_TARGET_S = 2.0

_ENGLISH = ("Law-enforcement agencies of the participating states assisted 1,234 victims and "
            "arrested 56 suspects during the Joint Period of Action, working from a single set "
            "of figures that every national liaison officer signed off before publication. ")
_THAI = ("เจ้าหน้าที่ของประเทศที่เข้าร่วมได้ช่วยเหลือผู้เสียหาย 1,234 คน และจับกุมผู้ต้องสงสัย 56 ราย "
         "ในระหว่างปฏิบัติการร่วม โดยใช้ตัวเลขชุดเดียวกันที่เจ้าหน้าที่ประสานงานของทุกประเทศได้รับรองแล้ว ")


def two_page_release(language: str) -> Any:
    """A release of about two A4 pages: paragraphs and a table of figures by state."""
    from press.documents import Correction, PublishedVersion

    sentence, paragraphs = (_THAI, 7) if language == "th" else (_ENGLISH, 9)
    rows = "".join(f'<tr><td>State {i}</td><td class="num">{i * 37:,}</td></tr>'
                   for i in range(1, 9))
    html = ("".join(f"<h2>Part {i}</h2><p>{sentence * 2}</p>" if i % 4 == 0
                    else f"<p>{sentence * 2}</p>" for i in range(paragraphs))
            + f'<table><tr><th>State</th><th class="num">Victims</th></tr>{rows}</table>')
    published = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    return PublishedVersion(
        slug=f"bench-two-pages-{language}", version=2, latest_version=2, language=language,
        title="Joint Period of Action: regional results", html_body=html,
        text_body=sentence * 2 * paragraphs, published_at=published, period_name="JPA 2026",
        corrections=(Correction(2, published, "A figure was corrected."),))


def percentile(samples: list[float], fraction: float) -> float:
    """The `fraction` quantile of `samples` (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def bench_pdf(args: argparse.Namespace) -> None:
    """Time the PDF of a two-page release, cold and warm, in English and Thai."""
    import pypdf

    from press.pdf import ResourceGuard, render_pdf

    for language in ("en", "th"):
        release = two_page_release(language)
        started = time.perf_counter()
        guard = ResourceGuard()
        data = render_pdf(release, guard=guard)
        cold = time.perf_counter() - started
        pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
        samples = []
        for _ in range(args.runs):
            begun = time.perf_counter()
            render_pdf(release)
            samples.append(time.perf_counter() - begun)
        p50, p99 = statistics.median(samples), percentile(samples, 0.99)
        verdict = "ok" if max(p50, cold) <= PDF_TARGET_S else "OVER"
        print(f"  PDF {language}: {pages} pages, {len(data) / 1024:.0f} KiB; "
              f"p50 {1000 * p50:.0f} ms, p99 {1000 * p99:.0f} ms, cold {1000 * cold:.0f} ms "
              f"(target <= {PDF_TARGET_S:.0f} s: {verdict}); refused fetches: "
              f"{len(guard.refused)}", flush=True)


PUBLIC_TARGET, NOT_MODIFIED_TARGET = 0.5, 0.7


def _rate(client: Any, path: str, runs: int, headers: dict[str, str] | None = None) -> float:
    """Requests per second of GET `path` through `client` (after a few warm-up requests)."""
    for _ in range(20):
        client.get(path, headers=headers)
    begun = time.perf_counter()
    for _ in range(runs):
        client.get(path, headers=headers)
    return runs / (time.perf_counter() - begun)


def bench_public(args: argparse.Namespace) -> None:
    """Public GET /press/<slug> (and its 304) against a bare Flask endpoint answering the
    same stored bytes with the same ETag, in the same process and run (Flask test client)."""
    import tempfile

    from flask import Flask, Response, request

    from app import create_app
    from core.cli import upgrade_database
    from core.settings import load_settings
    from operations.models import Period
    from press.documents import render_documents
    from press.etag import etag_matches
    from press.models import Release, ReleaseVersion

    instance = Path(tempfile.mkdtemp(prefix="jpa-bench-press-"))
    url = f"sqlite:///{instance / 'bench.sqlite3'}"
    upgrade_database(url)
    settings = load_settings({"JPA_DATABASE_URL": url}, instance_path=instance,
                             secret_key="bench-secret-key-that-is-long-enough-0123456789",
                             blinding_key="bench-blinding-key-that-is-long-enough-012345678",
                             audit_key="bench-audit-key-that-is-long-enough-0123456789ab",
                             testing=True, two_factor="optional")
    app = create_app(settings)
    version = two_page_release("en")
    docs = render_documents(version)
    with app.extensions["jpa.db"].transaction() as session:
        period = Period(name="JPA 2026", starts_at=datetime(2026, 9, 28, tzinfo=UTC),
                        ends_at=datetime(2026, 10, 28, tzinfo=UTC))
        session.add(period)
        session.flush()
        release = Release(period_id=period.id, scope="regional", language="en", slug=version.slug,
                          status="published", title=version.title, body="", version=1)
        session.add(release)
        session.flush()
        session.add(ReleaseVersion(
            release_id=release.id, number=1, title=version.title, body="",
            html_body=version.html_body, text_body=version.text_body, html=docs.html,
            text=docs.text, pdf=docs.pdf, etag_html=docs.etag("html"),
            etag_text=docs.etag("text"), etag_pdf=docs.etag("pdf"), figures={},
            preliminary=False, published_at=version.published_at))
    bare = Flask("bare_press")
    stored, etag = docs.html, docs.etag("html")

    @bare.get("/press/<slug>")
    def bare_page(slug: str) -> Response:
        if etag_matches(request.headers.get("If-None-Match"), etag):
            response = Response(status=304)
        else:
            response = Response(stored, content_type="text/html; charset=utf-8")
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = "public, max-age=300"
        return response

    path = f"/press/{version.slug}"
    real, plain = app.test_client(), bare.test_client()
    assert real.get(path).data == plain.get(path).data == stored
    runs = max(args.runs * 50, 200)
    for name, headers, target in (("200", None, PUBLIC_TARGET),
                                  ("304", {"If-None-Match": etag}, NOT_MODIFIED_TARGET)):
        ours, theirs = _rate(real, path, runs, headers), _rate(plain, path, runs, headers)
        ratio = ours / theirs
        verdict = "ok" if ratio >= target else "UNDER"
        print(f"  GET {path} -> {name}: {ours:,.0f} req/s; bare Flask {theirs:,.0f} req/s; "
              f"{100 * ratio:.0f} % (target >= {100 * target:.0f} %: {verdict})", flush=True)
    floor = _rate(real, "/healthz", runs)
    print(f"  for scale: the application's own /healthz (no database) {floor:,.0f} req/s",
          flush=True)
    app.extensions["jpa.db"].dispose()


RENDER_TARGET_MS = 20.0


def hundred_states_context() -> Any:
    """A release context with 100 participating states' figures for every default indicator."""
    import pycountry

    from press.context import ReleaseContext

    codes = sorted(c.alpha_3 for c in pycountry.countries)[:100]
    categories = ("female_adult", "male_adult", "female_child", "male_child", "unknown")
    figures: dict[str, Any] = {
        key: 37 * len(codes) for key in (
            "suspects_identified", "arrests", "search_warrants", "new_investigations",
            "parallel_investigations", "international_enquiries",
            "intelligence_reports_shared", "fraudulent_documents_seized", "persons_checked",
            "locations_checked", "awareness_activities", "training_sessions",
            "officers_trained")}
    for key in ("victims_assisted", "smuggled_migrants_detected"):
        figures[key] = {name: 3 + 11 * i for i, name in enumerate(categories)}
    return ReleaseContext(period_name="Joint Period of Action 2026",
                          starts_on=datetime(2026, 9, 28).date(),
                          ends_on=datetime(2026, 10, 28).date(), states=codes,
                          co_chairs=codes[:2], figures=figures, operations_count=10_000,
                          operations_by_type={"airport_checks": 4_000,
                                              "network_targeting": 6_000})


def bench_render(args: argparse.Namespace) -> None:
    """Render the regional default template (sandbox, Markdown, nh3) with 100 states' figures."""
    from press.defaults import default_template
    from press.rendering import render_release

    context = hundred_states_context()
    for language in ("en", "th"):
        body = default_template("regional", language)
        render_release(body, context, language=language, preliminary=True)  # compile once
        times = []
        for _ in range(max(args.runs, 50)):
            started = time.perf_counter()
            render_release(body, context, language=language, preliminary=True)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p50, p99 = statistics.median(times), times[int(0.99 * (len(times) - 1))]
        verdict = "met" if p50 <= RENDER_TARGET_MS else "not met"
        print(f"  render regional/{language}, 100 states: p50 {p50:.2f} ms, p99 {p99:.2f} ms "
              f"(target p50 <= {RENDER_TARGET_MS:.0f} ms: {verdict})", flush=True)


PARTS: dict[str, Callable[[argparse.Namespace], None]] = {"pdf": bench_pdf,
                                                          "public": bench_public,
                                                          "render": bench_render}


def main() -> None:
    """Run the chosen parts and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=sorted(PARTS), action="append",
                        help="a part to run (repeatable; default: all)")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(f"press benchmark: baseline loop {common.baseline_ms():.1f} ms on this machine "
          f"({os.cpu_count()} cores)", flush=True)
    for name in args.part or sorted(PARTS):
        print(f"[{name}]", flush=True)
        PARTS[name](args)


if __name__ == "__main__":
    main()
