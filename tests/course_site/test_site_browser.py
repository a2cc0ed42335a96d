"""Open every page of a freshly built course site in headless Chromium.

For each page (both editions): no console error, no failed load, every image loaded
(natural width > 0), every internal link resolves (the file exists; a #fragment names an
element of it), nothing loaded from the network, no horizontal overflow at a phone's
width, and each lesson's reproduction table has exactly the rows that `lessons run
--json` reports for that lesson. A screenshot of every page is saved under
``$TINYGRAD_EDU_SCREENSHOTS`` (default: ``<site>/screenshots``) as a CI artefact.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from tinygrad_edu.course.lessons import LANGS, Row, _fmt, word

from .browser import Browser, errors_in, find_chromium
from .test_notebooks import FIGURES

pytestmark = pytest.mark.browser

PROBE = """JSON.stringify({
  images: [...document.images].map(i => ({src: i.currentSrc || i.src, w: i.naturalWidth})),
  links: [...document.querySelectorAll('a[href], link[href]')].map(a => a.href),
  resources: performance.getEntriesByType('resource').map(r => r.name),
  sheets: document.styleSheets.length,
  tables: [...document.querySelectorAll('table.repro')].map(t => ({
    lesson: t.dataset.lesson,
    rows: [...t.tBodies[0].rows].map(r => [...r.cells].map(c => c.textContent))})),
  switch: (document.querySelector('a.lang-switch') || {}).href || null,
  width: document.documentElement.scrollWidth,
})"""

PHONE = 375


@pytest.fixture(scope="module")
def browser():
    exe = find_chromium()
    if exe is None:
        pytest.skip("no chromium found (apt-get install chromium; .ci/run installs it)")
    b = Browser(exe)
    yield b
    b.close()


@pytest.fixture(scope="module")
def visits(built_site, browser):
    """Every page opened once at desktop width (screenshot saved) and once at a phone's."""
    shots = Path(os.environ.get("TINYGRAD_EDU_SCREENSHOTS", built_site.out / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    found = {}
    for page in sorted(built_site.out.rglob("*.html")):
        rel = page.relative_to(built_site.out)
        browser.viewport(1200, 900)
        events = browser.open(page.as_uri())
        probe = json.loads(browser.evaluate(PROBE))
        stem = str(rel).replace("/", "__").removesuffix(".html")
        browser.screenshot(shots / f"{stem}.png")
        browser.screenshot_of("table.repro", shots / f"{stem}__table.png")
        browser.viewport(PHONE, 800, mobile=True)  # the same page, narrowed: it reflows
        phone_width = browser.evaluate(
            "new Promise(r => requestAnimationFrame(() => "
            "r(document.documentElement.scrollWidth)))")
        found[str(rel)] = {"events": events, "probe": probe, "phone_width": phone_width}
    return found


def test_the_site_has_every_page(built_site):
    lessons = sorted(p.stem for p in (built_site.out / "en").glob("[0-9]*.html"))
    assert len(lessons) == len({r["lesson"] for r in built_site.report}) >= 12
    for lang in LANGS:
        for name in [*lessons, "index", "errata"]:
            assert (built_site.out / lang / f"{name}.html").is_file()


def test_no_console_errors_and_no_failed_loads(visits):
    bad = {page: errors_in(v["events"]) for page, v in visits.items() if errors_in(v["events"])}
    assert not bad


def test_every_image_loaded(visits):
    total = 0
    for page, v in visits.items():
        for img in v["probe"]["images"]:
            total += 1
            assert img["w"] > 0, f"{page}: image {img['src']} did not load"
    # the lessons' figures are on their pages, in both editions
    for page, v in visits.items():
        name = page.split("/")[-1].removesuffix(".html")
        if name in FIGURES:
            assert len(v["probe"]["images"]) >= FIGURES[name], page
    assert total >= 2 * sum(FIGURES.values())


def _ids_in(path: Path) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', path.read_text(encoding="utf-8")))


def test_every_internal_link_resolves_and_nothing_comes_from_the_network(built_site, visits):
    checked = 0
    for page, v in visits.items():
        for url in v["probe"]["links"] + v["probe"]["resources"]:
            parsed = urlparse(url)
            assert parsed.scheme == "file", f"{page}: {url} is not a local file"
            target = Path(unquote(parsed.path))
            assert target.is_file(), f"{page}: broken link {url}"
            assert built_site.out in target.parents, f"{page}: {url} leaves the site"
            if parsed.fragment:
                assert parsed.fragment in _ids_in(target), f"{page}: no #{parsed.fragment}"
            checked += 1
        assert v["probe"]["sheets"] == 1, f"{page}: the stylesheet did not load"
    assert checked > 100


def test_language_switch_keeps_the_reader_on_the_same_page(visits):
    for page, v in visits.items():
        if "/" not in page:
            continue  # the landing page links to both editions instead
        lang, name = page.split("/", 1)
        other = next(x for x in LANGS if x != lang)
        assert v["probe"]["switch"] is not None, f"{page}: no language switch"
        assert v["probe"]["switch"].endswith(f"/{other}/{name}"), page


def test_pages_fit_a_phone_width(visits):
    wide = {p: v["phone_width"] for p, v in visits.items() if v["phone_width"] > PHONE + 1}
    assert not wide, f"pages wider than {PHONE} px on a phone: {wide}"


MEASURED = re.compile(r"\btime\b|seconds|per second", re.I)


def test_each_lesson_table_has_the_rows_of_the_json_report(built_site, visits):
    for lang in LANGS:
        for page, v in visits.items():
            if not page.startswith(f"{lang}/") or not re.match(r"\d\d_", page.split("/")[1]):
                continue
            (table,) = v["probe"]["tables"]
            lesson = table["lesson"]
            expected = [r for r in built_site.report if r["lesson"] == lesson]
            assert expected, f"{lesson}: no rows in the JSON report"
            got = table["rows"]
            assert len(got) == len(expected), f"{page}: {len(got)} rows, report {len(expected)}"
            for cells, r in zip(got, expected):
                row = Row(**r)
                assert cells[0] == r["id"] and cells[1] == r["quantity"], page
                assert cells[2] == _fmt(r["seed_claim"]), (page, r["quantity"])
                if not MEASURED.search(r["quantity"]):  # a timing differs from run to run
                    assert cells[3] == _fmt(r["computed"]), (page, r["quantity"])
                assert cells[4] == word(row.verdict, lang), (page, r["quantity"])
                assert cells[5] == (row.note_in(lang) or row.note), (page, r["quantity"])


def test_the_site_report_is_the_runner_report(built_site):
    """The notebooks compute the same rows as the scripts (same seeds, same numbers)."""
    for lang in LANGS:
        site_rows = json.loads((built_site.out / lang / "report.json").read_text("utf-8"))
        assert [(r["id"], r["quantity"], r["agrees"]) for r in site_rows] == \
            [(r["id"], r["quantity"], r["agrees"]) for r in built_site.report]
