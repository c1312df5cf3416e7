"""``coopdata serve`` in a real headless browser: Debian's Chromium driven by playwright
(never a browser playwright downloads), as the site is tested. A query typed in the form
runs, its table shows, its CSV downloads; an entity URI opens the site's page; no page
breaks its Content-Security-Policy or logs an error.

Skipped, with the reason, only when no Chromium executable (or playwright) is found.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coopdata.sparql.pages import load_examples
from coopdata.sparql.serve import make_server
from coopdata.sparql.server import Limits, Server
from tests.chromium import ARTIFACTS, needs_chromium
from tests.release.test_site import EN_TITLE, SCRIPT_TITLE, hostile_records
from tests.sparql.test_serve import running

pytestmark = needs_chromium
QUERY = ("PREFIX dct: <http://purl.org/dc/terms/>\n"
         "SELECT ?project ?title WHERE {\n"
         "?project a <https://w3id.org/coopdata/vocab#Project> ; dct:title ?title\n"
         "} ORDER BY ?project ?title")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    records = hostile_records(tmp_path_factory.mktemp("serve-browser") / "records")
    with running(make_server("127.0.0.1", 0, records=records,
                             limits=Limits(timeout=5))) as server:
        yield server




@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page that fails the test on any console error (CSP violations are errors),
    page error or dialog, and that may not reach any other host."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog {d.message}"), d.dismiss()))
    page.on("request", lambda r: None if r.url.startswith("http://127.0.0.1:")
            else problems.append(f"request to {r.url}"))
    yield page
    context.close()
    assert not problems


def test_type_run_see_the_table_download_csv(server: Server, page: Any) -> None:
    page.goto(f"{server.url}/", wait_until="load")
    editor = page.locator("#query")
    editor.click()
    page.keyboard.type(QUERY)
    assert editor.input_value() == QUERY
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")  # runs the query, as the page says
    assert page.url.startswith(f"{server.url}/sparql?query=")
    assert page.locator("#query").input_value() == QUERY
    headers = page.eval_on_selector_all("table.results th", "els => els.map(e => e.textContent)")
    assert headers == ["?project", "?title"]
    cells = page.eval_on_selector_all("table.results td", "els => els.map(e => e.textContent)")
    assert f"{SCRIPT_TITLE} @fr" in cells  # the markup of the title shown as text
    assert page.evaluate("document.querySelectorAll('table.results script').length") == 0
    count = page.locator("table.results tbody tr").count()
    assert page.locator("p.count").inner_text() == f"{count} rows" and count >= 3
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "serve-results.png"), full_page=True)
    with page.expect_download() as info:
        page.click("a.download-csv")
    download = info.value
    assert download.suggested_filename == "query-results.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text("utf-8"))))
    assert rows[0] == ["project", "title"] and len(rows) == count + 1
    assert ["https://w3id.org/coopdata/id/project/second", SCRIPT_TITLE] in rows
    with page.expect_download() as info:
        page.click("a.download-json")
    assert info.value.suggested_filename == "query-results.json"


def test_the_editor_keys_and_the_examples(server: Server, page: Any) -> None:
    page.goto(f"{server.url}/sparql", wait_until="load")  # a browser at /sparql: the form
    editor = page.locator("#query")
    editor.click()
    page.keyboard.type("SELECT * WHERE {")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("?s ?p ?o")
    page.keyboard.press("Enter")  # keeps the indent
    page.keyboard.type("FILTER(true)")
    assert editor.input_value() == "SELECT * WHERE {\n  ?s ?p ?o\n  FILTER(true)"
    page.keyboard.press("Shift+Tab")  # takes the indent of the line away
    assert editor.input_value().endswith("\nFILTER(true)")
    assert page.evaluate("document.activeElement.id") == "query"
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # Esc, then Tab: leaves the editor
    assert page.evaluate("document.activeElement.id") != "query"
    assert page.locator("form.examples button.load").is_hidden()
    example = load_examples()[-1]
    page.select_option("#example", example.name)
    assert editor.input_value() == example.text
    with page.expect_navigation():
        page.click("button.run")
    assert page.locator("table.results").count() == 1 or page.locator("p.count").count() == 1


def test_an_entity_uri_opens_the_site_page(server: Server, page: Any) -> None:
    response = page.goto(f"{server.url}/id/project/second", wait_until="load")
    assert response is not None and response.ok
    assert page.url == f"{server.url}/id/project/second/"
    assert page.locator("main h1").inner_text() == EN_TITLE  # markup shown as text
    assert page.evaluate("document.querySelectorAll('main h1 script, main h1 b').length") == 0
    # the site's style sheet applies (the page is styled, not a dump of triples)
    assert page.evaluate("getComputedStyle(document.querySelector('header.site'))"
                         ".backgroundColor") == "rgb(15, 45, 74)"
    page.click("a[type='text/turtle']")
    assert page.url == f"{server.url}/id/project/second.ttl"
