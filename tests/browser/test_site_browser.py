"""The release site in a real headless browser: Debian's Chromium, driven by playwright
(never a browser playwright downloads). The release directory is served by a local
http.server on 127.0.0.1. Screenshots go to tests/artifacts/.

Skipped, with the reason, only when no Chromium executable (or playwright) is found.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from typing import Any
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from coopdata import load
from coopdata.release.job import release
from coopdata.release.site import site_for_release
from tests.chromium import ARTIFACTS, needs_chromium
from tests.release.test_site import SCRIPT_TITLE, hostile_records

pytestmark = needs_chromium


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two releases served: the hostile fixture records (site by `release`) and the
    embedded dataset (site by `site_for_release`)."""
    base = tmp_path_factory.mktemp("browser")
    release(base / "fixture", hostile_records(base / "records"), version="1.0.0",
            date="2026-11-23")
    release(base / "embedded", version="1.0.0", date="2026-11-23", site=False)
    site_for_release(base / "embedded" / "1.0.0")
    handler = functools.partial(Quiet, directory=str(base))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_address[1]}", "root": base}
    finally:
        server.shutdown()
        server.server_close()




class Watched:
    """A page that records console errors, page errors and dialogs."""

    def __init__(self, browser: Any, width: int = 1280) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text)
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, url: str) -> Any:
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.ok, url
        return self.page

    def close(self) -> None:
        self.page.close()


def site_pages(served: dict[str, Any], name: str) -> list[str]:
    site = served["root"] / name / "1.0.0" / "site"
    return [p.relative_to(served["root"]).as_posix() for p in sorted(site.rglob("*.html"))]


@pytest.mark.parametrize("name", ["fixture", "embedded"])
def test_every_page_loads_cleanly_and_links_resolve(served: dict[str, Any], browser: Any,
                                                    name: str) -> None:
    watched = Watched(browser)
    targets: set[str] = set()
    try:
        for path in site_pages(served, name):
            page = watched.open(f"{served['url']}/{path}")
            assert page.evaluate("document.querySelectorAll('main h1').length") == 1, path
            for document in page.eval_on_selector_all(
                    'script[type="application/ld+json"]', "els => els.map(e => e.textContent)"):
                page.evaluate("text => JSON.parse(text)", document)
            targets.update(page.eval_on_selector_all(
                "a[href], link[href], script[src]",
                "els => els.map(e => new URL(e.getAttribute('href') || e.getAttribute('src'),"
                " document.baseURI).href)"))
            assert not watched.errors, f"{path}: {watched.errors}"
    finally:
        watched.close()
    assert not watched.dialogs
    internal = sorted({t.split("#")[0].split("?")[0] for t in targets
                       if t.startswith(served["url"])})
    assert len(internal) > 20
    for url in internal:
        try:
            with urlopen(url, timeout=10) as answer:
                assert answer.status == 200, url
        except HTTPError as error:
            pytest.fail(f"{url}: HTTP {error.code}")


def visible_rows(page: Any) -> int:
    return int(page.evaluate(
        "Array.from(document.querySelectorAll('#project-list tbody tr'))"
        ".filter(r => r.offsetParent !== null).length"))


def test_filter_narrows_the_project_list(served: dict[str, Any], browser: Any) -> None:
    dataset, _ = load()
    projects = [r.data for r in dataset.of_kind("project")]
    watched = Watched(browser)
    try:
        page = watched.open(f"{served['url']}/embedded/1.0.0/site/project/index.html")
        assert page.is_visible("#filter")
        assert visible_rows(page) == len(projects)
        page.select_option("#f-country", "SN")
        expected = sum(1 for p in projects if "SN" in p.get("countries", []))
        assert 0 < expected < len(projects)
        assert visible_rows(page) == expected
        assert page.inner_text(".count .l-en .shown") == str(expected)
        page.select_option("#f-country", "")
        page.select_option("#f-funder", "bmz")
        funded = sum(1 for p in projects if "bmz" in {q["organisation"] for q in
                                                      p.get("participations", [])
                                                      if q["role"] == "funding"})
        assert visible_rows(page) == funded
        page.select_option("#f-funder", "")
        page.select_option("#f-status", "closed")
        assert visible_rows(page) == sum(1 for p in projects if p.get("status") == "closed")
        page.select_option("#f-status", "")
        page.select_option("#f-year", "2019")
        in_2019 = 0
        for p in projects:
            start = p.get("actual_start") or p.get("planned_start")
            end = p.get("actual_end") or p.get("planned_end") or start
            in_2019 += start is not None and start.year <= 2019 <= end.year
        assert visible_rows(page) == in_2019
        page.click("button[type=reset]")
        page.fill("#f-q", "recosa")
        assert visible_rows(page) == 1
        page.fill("#f-q", "no such project anywhere")
        assert visible_rows(page) == 0 and page.is_visible("#no-match")
        linked = watched.open(f"{served['url']}/embedded/1.0.0/site/project/index.html"
                              "?country=SN")
        assert visible_rows(linked) == expected
    finally:
        watched.close()
    assert not watched.errors


def test_charts_render_their_marks(served: dict[str, Any], browser: Any) -> None:
    dataset, _ = load()
    projects = [r.data for r in dataset.of_kind("project")]
    dated = [p for p in projects if ("actual_start" in p or "planned_start" in p)
             and ("actual_end" in p or "planned_end" in p)]
    pairs = {(r.id, q["organisation"]) for r in dataset.of_kind("project")
             for q in r.data.get("participations", [])}
    watched = Watched(browser)
    try:
        page = watched.open(f"{served['url']}/embedded/1.0.0/site/index.html")
        drawn = page.evaluate("""kind => Array.from(document.querySelectorAll(
            `[data-mark="${kind}"]`)).filter(e => { const b = e.getBoundingClientRect();
            return b.width > 0 && b.height > 0; }).length""", "timeline")
        assert drawn == len(dated)

        def count(kind: str) -> int:
            return int(page.evaluate(
                "kind => document.querySelectorAll(`[data-mark=\"${kind}\"]`).length", kind))

        assert count("country") == len({c for p in projects for c in p.get("countries", [])})
        assert count("edge") == len(pairs)
        assert count("node") == len({p for p, _ in pairs}) + len({o for _, o in pairs})
        assert count("budget-funder-eur") >= 1
        page.click("#lang-switch")
        assert page.evaluate("document.documentElement.lang") == "fr"
        assert page.is_visible("text=Les projets dans le temps, par état")
        assert not page.is_visible("text=Projects over time, by status")
        assert page.title().endswith("coopdata")
        page.reload()
        assert page.evaluate("document.documentElement.lang") == "fr"  # remembered
        page.click("#lang-switch")
    finally:
        watched.close()
    assert not watched.errors


def test_markup_in_a_title_shows_as_text(served: dict[str, Any], browser: Any) -> None:
    watched = Watched(browser)
    try:
        for path in ("project/second/index.html", "project/index.html", "index.html",
                     "organisation/agency/index.html"):
            page = watched.open(f"{served['url']}/fixture/1.0.0/site/{path}")
            page.evaluate("document.documentElement.lang = 'fr'")
            scripts = page.evaluate("Array.from(document.scripts).map(s => s.type || s.src)")
            assert all(s == "application/ld+json" or s.endswith("/assets/site.js")
                       for s in scripts), path
            assert page.evaluate("document.querySelectorAll('main script, main b').length") == 0
        page = watched.open(f"{served['url']}/fixture/1.0.0/site/project/second/index.html")
        page.evaluate("document.documentElement.lang = 'fr'")
        assert page.inner_text("h1") == SCRIPT_TITLE
    finally:
        watched.close()
    assert watched.dialogs == [] and not watched.errors


def test_keyboard_and_phone(served: dict[str, Any], browser: Any) -> None:
    watched = Watched(browser, width=375)
    try:
        base = f"{served['url']}/embedded/1.0.0/site"
        for path in ("index.html", "project/index.html", "project/recosa/index.html",
                     "organisation/index.html", "country/MA/index.html"):
            page = watched.open(f"{base}/{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{path} is {width} px wide at 375 px"
        page = watched.open(f"{base}/index.html")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
    finally:
        watched.close()
    assert not watched.errors


SMALLEST_LABEL = 11.0
"""The smallest chart text, in CSS pixels as drawn, that a phone reader can read."""


def test_wide_charts_stay_legible_on_a_phone(served: dict[str, Any], browser: Any) -> None:
    """At 375 px the timeline and the network keep their text at reading size, scroll
    sideways inside their box (with a visible cue) and cut no label off; the page itself
    does not scroll sideways, and tables fit their box or reflow into cards."""
    ARTIFACTS.mkdir(exist_ok=True)
    watched = Watched(browser, width=375)
    try:
        base = f"{served['url']}/embedded/1.0.0/site"
        page = watched.open(f"{base}/index.html")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        for chart in ("timeline", "network"):
            measured = page.evaluate("""id => {
                const svg = document.getElementById(id + '-svg');
                const box = svg.getBoundingClientRect();
                const scale = box.width / svg.viewBox.baseVal.width;
                const body = svg.closest('.chart-body');
                const hint = document.getElementById(id + '-hint');
                const shown = Array.from(svg.querySelectorAll('text'))
                    .filter(t => t.getBoundingClientRect().width > 0);  // the other language
                const texts = shown.map(t => {
                    const r = t.getBoundingClientRect();
                    return {size: parseFloat(getComputedStyle(t).fontSize) * scale,
                            left: r.left - box.left, right: r.right - box.left};
                });
                return {texts, width: box.width, scrolls: body.scrollWidth > body.clientWidth,
                        hint: hint !== null && hint.offsetParent !== null
                              && hint.getBoundingClientRect().height > 0};
            }""", chart)
            assert measured["texts"], chart
            smallest = min(t["size"] for t in measured["texts"])
            assert smallest >= SMALLEST_LABEL, f"{chart}: labels drawn at {smallest:.1f} px"
            assert all(t["left"] >= -1 and t["right"] <= measured["width"] + 1
                       for t in measured["texts"]), f"{chart}: a label is cut off"
            assert measured["scrolls"] and measured["hint"], chart
            page.locator(f"#{chart}").screenshot(path=str(ARTIFACTS / f"site-{chart}-375.png"))
        for path in ("project/recosa/index.html", "project/index.html"):
            page = watched.open(f"{base}/{path}")
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
            overflowing = page.evaluate("""Array.from(document.querySelectorAll('main table'))
                .filter(t => t.offsetParent !== null
                        && t.getBoundingClientRect().right > window.innerWidth + 1).length""")
            assert overflowing == 0, f"{path}: {overflowing} table(s) run off the screen"
    finally:
        watched.close()
    assert not watched.errors


def test_screenshots(served: dict[str, Any], browser: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    base = f"{served['url']}/embedded/1.0.0/site"
    for width in (1280, 375):
        watched = Watched(browser, width=width)
        try:
            for name, path in (("home", "index.html"), ("project", "project/recosa/index.html"),
                               ("projects", "project/index.html")):
                page = watched.open(f"{base}/{path}")
                target = ARTIFACTS / f"site-{name}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                assert target.stat().st_size > 10_000
        finally:
            watched.close()
        assert not watched.errors
