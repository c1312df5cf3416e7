"""``coopdata serve`` in a browser's eyes, over real HTTP on 127.0.0.1: the query form at
``/`` (and ``/sparql`` without a query), results as HTML with their downloads, the site's
pages at the entity URIs, the ``.ttl``/``.jsonld``/``.nt`` suffixes and
``application/json``; every page escaped and under a strict Content-Security-Policy."""

from __future__ import annotations

import csv
import datetime
import html.parser
import io
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopdata.model.config import ReleaseConfig
from coopdata.model.uris import Uris
from coopdata.rdf.triples import triples
from coopdata.records.load import load
from coopdata.release.job import release
from coopdata.release.site import SiteInput, site_files
from coopdata.sparql.pages import (
    PAGE_CSP,
    SITE_CSP,
    Context,
    form_page,
    load_examples,
    queries_folder,
    results_html,
)
from coopdata.sparql.serve import make_server
from coopdata.sparql.server import Limits, Server
from tests.release.test_site import SCRIPT_TITLE, hostile_records
from tests.sparql.test_serve import fetch, raw, running

ID = "https://w3id.org/coopdata/id/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HTML = "text/html; charset=utf-8"
LABELS = ("SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
          "ORDER BY ?s ?label")
HOSTILE = '<script>alert("q")</script> & </textarea><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_records(tmp_path_factory.mktemp("face") / "records")


@pytest.fixture(scope="module")
def server(records: Path) -> Iterator[Server]:
    """Serving records: the site rendered in memory."""
    with running(make_server("127.0.0.1", 0, records=records,
                             limits=Limits(timeout=5, max_results=200))) as server:
        yield server


@pytest.fixture(scope="module")
def released(records: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("face-release")
    release(out, records, version="1.0.0", date="2026-11-23")
    return out / "1.0.0"


@pytest.fixture(scope="module")
def release_server(released: Path) -> Iterator[Server]:
    """Serving a release: its own site folder."""
    with running(make_server("127.0.0.1", 0, release=released,
                             limits=Limits(timeout=5, max_results=200))) as server:
        yield server


def get(server: Server, path: str, **headers: str) -> tuple[int, Any, bytes]:
    return fetch(f"{server.url}{path}", None, **headers)


def sparql(server: Server, query: str, accept: str = BROWSER, **params: str) -> tuple[int, Any,
                                                                                       bytes]:
    return get(server, "/sparql?" + urllib.parse.urlencode({"query": query, **params}),
               Accept=accept)


class Parsed(html.parser.HTMLParser):
    """The tags, link targets, table cells, textarea text and scripts of a page."""

    def __init__(self, page: bytes) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cells: list[str] = []
        self.textarea = ""
        self.scripts: list[str] = []
        self._in: str | None = None
        self.feed(page.decode("utf-8"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("td", "textarea", "script"):
            self._in = tag
            if tag == "td":
                self.cells.append("")
            if tag == "script":
                self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None
        if tag == "textarea":  # as HTML reads it: one newline right after <textarea> goes
            self.textarea = self.textarea.removeprefix("\n")

    def handle_data(self, data: str) -> None:
        if self._in == "td":
            self.cells[-1] += data
        elif self._in == "textarea":
            self.textarea += data
        elif self._in == "script":
            self.scripts[-1] += data

    def links(self) -> list[str]:
        return [value for _, attrs in self.tags for name, value in attrs.items()
                if name in ("href", "src", "action") and value is not None]

    def handlers(self) -> list[str]:
        return [name for _, attrs in self.tags for name in attrs if name.startswith("on")]


def assert_page(headers: Any, body: bytes, csp: str = PAGE_CSP) -> Parsed:
    """An HTML page under the strict policy that loads nothing from elsewhere."""
    assert headers["Content-Type"] == HTML
    assert headers["Content-Security-Policy"] == csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    page = Parsed(body)
    for tag, attrs in page.tags:
        if tag in ("script", "link", "img", "form"):
            target = attrs.get("src") or attrs.get("href") or attrs.get("action")
            assert target is None or not urllib.parse.urlsplit(target).netloc, (tag, target)
        if tag == "script":
            assert attrs.get("src") or attrs.get("type") in ("application/json",
                                                            "application/ld+json")
    assert not page.handlers()
    return page


# -- the query form ---------------------------------------------------------------------------

def test_home_is_the_query_form_with_every_example(server: Server) -> None:
    status, headers, body = get(server, "/")
    assert status == 200
    page = assert_page(headers, body)
    assert ("textarea", {"id": "query", "name": "query", "rows": "16", "spellcheck": "false",
                         "autocapitalize": "off", "autocomplete": "off",
                         "aria-describedby": "keys"}) in page.tags
    assert ("form", {"class": "query", "id": "query-form", "method": "get",
                     "action": "/sparql"}) in page.tags
    folder = queries_folder()
    assert folder is not None and folder.name == "queries"
    names = sorted(path.stem for path in folder.glob("*.rq"))
    assert len(names) >= 10
    assert sorted(a["value"] or "" for t, a in page.tags if t == "option" and a["value"]) == names
    data = json.loads(next(s for s in page.scripts if s.startswith("{")))
    assert data == {name: (folder / f"{name}.rq").read_text("utf-8") for name in names}
    assert page.textarea == ""


def test_an_example_fills_the_form_without_javascript(server: Server) -> None:
    example = load_examples()[0]
    status, headers, body = get(server, f"/?example={example.name}")
    assert status == 200 and assert_page(headers, body).textarea == example.text
    status, headers, body = get(server, "/?example=%3Cscript%3E")
    assert status == 404
    assert b"<script>" not in body and b"&#x27;&lt;script&gt;&#x27;" in body


def test_the_assets_are_served_by_the_server_itself(server: Server) -> None:
    for name, media in (("site.css", "text/css; charset=utf-8"),
                        ("serve.css", "text/css; charset=utf-8"),
                        ("serve.js", "text/javascript; charset=utf-8"),
                        ("icon.svg", "image/svg+xml")):
        status, headers, body = get(server, f"/assets/{name}")
        assert (status, headers["Content-Type"]) == (200, media) and body
    assert get(server, "/assets/../server.py")[0] == 404
    assert get(server, "/assets/nothing.js")[0] == 404
    status, headers, body = raw(server, "HEAD", "/")
    assert (status, headers["Content-Type"], body) == (200, HTML, b"")


@pytest.mark.parametrize(("accept", "status", "media"), [
    (BROWSER, 200, HTML),
    ("text/html", 200, HTML),
    (None, 400, "text/plain; charset=utf-8"),
    ("*/*", 400, "text/plain; charset=utf-8"),
    ("application/sparql-results+json", 400, "text/plain; charset=utf-8"),
])
def test_sparql_without_a_query(server: Server, accept: str | None, status: int,
                                media: str) -> None:
    headers = {"Accept": accept} if accept else {}
    answer = get(server, "/sparql", **headers)
    assert (answer[0], answer[1]["Content-Type"]) == (status, media)
    if media == HTML:
        assert Parsed(answer[2]).textarea == ""


# -- results as a table, and their downloads --------------------------------------------------

def test_results_as_a_table_escaped(server: Server) -> None:
    query = (f"SELECT ?x ?y WHERE {{ BIND({json.dumps(HOSTILE)} AS ?x) "
             f"BIND(<{ID}project/first> AS ?y) }}")
    status, headers, body = sparql(server, query)
    assert status == 200
    page = assert_page(headers, body)
    assert HOSTILE.encode() not in body
    assert page.cells == [HOSTILE, f"{ID}project/first"]
    assert page.textarea == query  # the form holds the query that was run
    assert "/id/project/first" in page.links()


def test_the_labels_table_matches_the_json_results(server: Server) -> None:
    status, _, body = sparql(server, LABELS)
    cells = Parsed(body).cells
    rows = json.loads(sparql(server, LABELS, "application/sparql-results+json")[2])
    expected = [value for row in rows["results"]["bindings"]
                for value in (row["s"]["value"], row["label"]["value"] + (
                    f" @{row['label']['xml:lang']}" if "xml:lang" in row["label"] else ""))]
    assert status == 200 and cells == expected and SCRIPT_TITLE in " ".join(cells)


def test_download_links_give_csv_and_json_as_attachments(server: Server) -> None:
    page = Parsed(sparql(server, LABELS)[2])
    links = {attrs["class"]: attrs["href"] for tag, attrs in page.tags
             if tag == "a" and "download" in attrs}
    assert set(links) == {"download-csv", "download-json"}
    status, headers, body = get(server, links["download-csv"] or "")
    assert (status, headers["Content-Type"]) == (200, "text/csv; charset=utf-8")
    assert headers["Content-Disposition"] == 'attachment; filename="query-results.csv"'
    assert body == sparql(server, LABELS, "text/csv")[2]
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows[0] == ["s", "label"] and [f"{ID}project/second", SCRIPT_TITLE] in rows
    status, headers, body = get(server, links["download-json"] or "")
    assert (status, headers["Content-Type"]) == (200, "application/sparql-results+json")
    assert headers["Content-Disposition"] == 'attachment; filename="query-results.json"'
    assert json.loads(body) == json.loads(sparql(server, LABELS, "application/json")[2])


@pytest.mark.parametrize(("fmt", "status", "media"), [
    ("csv", 200, "text/csv; charset=utf-8"),
    ("tsv", 200, "text/tab-separated-values; charset=utf-8"),
    ("xml", 200, "application/sparql-results+xml"),
    ("text/csv", 200, "text/csv; charset=utf-8"),
    ("ttl", 406, "text/plain; charset=utf-8"),  # a SELECT has no Turtle
    ("nonsense", 400, "text/plain; charset=utf-8"),
])
def test_the_format_parameter(server: Server, fmt: str, status: int, media: str) -> None:
    answer = sparql(server, LABELS, "application/sparql-results+json", format=fmt)
    assert (answer[0], answer[1]["Content-Type"]) == (status, media)


def test_construct_and_ask_as_html(server: Server) -> None:
    query = f"CONSTRUCT WHERE {{ <{ID}project/second> <http://purl.org/dc/terms/title> ?t }}"
    status, headers, body = sparql(server, query)
    page = assert_page(headers, body)
    assert status == 200 and f"{SCRIPT_TITLE} @fr" in page.cells
    kinds = {attrs["class"] for tag, attrs in page.tags if tag == "a" and "download" in attrs}
    assert kinds == {"download-ttl", "download-nt", "download-jsonld"}
    answer = sparql(server, query, format="ttl")
    assert (answer[0], answer[1]["Content-Type"]) == (200, "text/turtle")
    assert answer[1]["Content-Disposition"] == 'attachment; filename="query-results.ttl"'
    status, headers, body = sparql(server, "ASK { ?s ?p ?o }")
    assert status == 200 and b"<strong>yes (true)</strong>" in body


@pytest.mark.parametrize(("query", "status", "message"), [
    ("SELECT * WHERE {\n ?s ?p }", 400, "malformed query: error at 2:"),
    ("SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }", 400,
     "SERVICE is not allowed"),
    (f"SELECT * WHERE {{ ?s ?p ?o }} # {HOSTILE}", 500, "result larger than 200 rows"),
])
def test_errors_are_shown_in_the_form(server: Server, query: str, status: int,
                                      message: str) -> None:
    answer = sparql(server, query)
    assert answer[0] == status
    page = assert_page(answer[1], answer[2])
    assert page.textarea == query and HOSTILE.encode() not in answer[2]
    assert message in html.unescape(answer[2].decode())
    plain = sparql(server, query, "application/sparql-results+json")
    assert (plain[0], plain[1]["Content-Type"]) == (status, "text/plain; charset=utf-8")


def test_updates_are_refused_in_the_form_too(server: Server) -> None:
    status, headers, body = get(server, "/sparql?update=CLEAR+ALL", Accept=BROWSER)
    assert status == 403 and b"updates are not allowed" in body
    assert_page(headers, body)


# -- entities ---------------------------------------------------------------------------------

def test_an_entity_asked_for_html_goes_to_the_site_page(server: Server, records: Path) -> None:
    status, headers, body = raw(server, "GET", "/id/project/second", Accept=BROWSER)
    assert (status, headers["Location"]) == (303, "/id/project/second/")
    status, headers, body = get(server, "/id/project/second", Accept=BROWSER)  # followed
    assert status == 200
    assert_page(headers, body, SITE_CSP)
    assert SCRIPT_TITLE.encode() not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Deuxième projet" in body.decode()
    # the very page the site has, but for its date (the site of records is rendered today)
    dataset, _ = load(records)
    site = site_files(SiteInput(dataset, triples(dataset), Uris(), ReleaseConfig(), "unreleased",
                                datetime.date.today().isoformat(), []))
    assert body == site["project/second/index.html"]
    for path, key in (("/id/", "index.html"), ("/id/project/", "project/index.html"),
                      ("/id/organisation/agency/index.html", "organisation/agency/index.html")):
        assert get(server, path)[2] == site[key]
    status, headers, _ = get(server, "/id/assets/site.css")
    assert (status, headers["Content-Type"]) == (200, "text/css; charset=utf-8")


def test_a_release_serves_its_own_site(release_server: Server, released: Path) -> None:
    status, headers, body = get(release_server, "/id/project/second", Accept=BROWSER)
    assert status == 200 and headers["Content-Security-Policy"] == SITE_CSP
    assert body == (released / "site" / "project" / "second" / "index.html").read_bytes()
    assert get(release_server, "/id/")[2] == (released / "site" / "index.html").read_bytes()
    # the site's links to the release files (../graph.ttl from /id/) lead to them
    status, headers, _ = raw(release_server, "GET", "/graph.ttl")
    assert (status, headers["Location"]) == (308, "/releases/graph.ttl")
    assert get(release_server, "/graph.ttl")[2] == (released / "graph.ttl").read_bytes()
    assert raw(release_server, "GET", "/nothing.ttl")[0] == 404


@pytest.mark.parametrize("path", [
    "/id/%2e%2e/%2e%2e/etc/passwd", "/id/../../etc/passwd", "/id/project/..%2f..%2fgraph.nt",
    "/id/%2fetc%2fpasswd", "/id/index.html%00", "/%2e%2e/%2e%2e/etc/passwd", "/..%2fetc/passwd",
])
def test_paths_out_of_the_site_are_refused(release_server: Server, path: str) -> None:
    status, _, body = raw(release_server, "GET", path, Accept=BROWSER)
    assert status in (400, 404) and b"root:" not in body


@pytest.mark.parametrize(("suffix", "media", "fmt"), [
    (".ttl", "text/turtle", ox.RdfFormat.TURTLE),
    (".jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
    (".nt", "application/n-triples", ox.RdfFormat.N_TRIPLES),
])
def test_entity_suffixes(server: Server, suffix: str, media: str, fmt: ox.RdfFormat) -> None:
    negotiated = get(server, "/id/project/second", Accept=media)
    for accept in (BROWSER, "image/png", media):  # the suffix wins over Accept
        status, headers, body = get(server, f"/id/project/second{suffix}", Accept=accept)
        assert (status, headers["Content-Type"]) == (200, media)
        assert {q.triple for q in ox.parse(body, fmt)} == \
            {q.triple for q in ox.parse(negotiated[2], fmt)}
    nested = get(server, f"/id/project/second/budgets/1{suffix}")
    assert nested[0] == 200 and f"{ID}project/second/budgets/1".encode() in nested[2]
    assert get(server, f"/id/project/nowhere{suffix}")[0] == 404
    assert get(server, f"/id/project/{suffix}", Accept=media)[0] == 404


def test_application_json_gives_json_ld(server: Server) -> None:
    status, headers, body = get(server, "/id/project/second", Accept="application/json")
    assert (status, headers["Content-Type"]) == (200, "application/ld+json")
    triples = {q.triple for q in ox.parse(body, ox.RdfFormat.JSON_LD)}
    assert ox.Triple(ox.NamedNode(f"{ID}project/second"),
                     ox.NamedNode("http://purl.org/dc/terms/title"),
                     ox.Literal(SCRIPT_TITLE, language="fr")) in triples


def test_a_nested_object_page_in_html(server: Server) -> None:
    status, headers, body = get(server, "/id/project/second/budgets/1", Accept=BROWSER)
    assert status == 200
    page = assert_page(headers, body)
    assert f"{ID}project/second/budgets/1" in page.cells
    assert "/id/project/second" in page.links()  # back to the record's page
    assert get(server, "/id/project/nowhere", Accept=BROWSER)[0] == 404


# -- escaping, whatever the data --------------------------------------------------------------

_texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
                 max_size=40)


@settings(max_examples=60, deadline=None)
@given(value=_texts, language=st.sampled_from(["", "fr", 'x"><b']),
       name=_texts.filter(lambda name: name != "v"), query=_texts, iri=_texts)
def test_results_pages_show_every_text_as_text(value: str, language: str, name: str,
                                               query: str, iri: str) -> None:
    """Whatever the values, variable names, query and URIs, the page holds them as text:
    no tag, attribute or handler comes from them."""
    context = Context(ID)
    literal: dict[str, str] = {"type": "literal", "value": value}
    if language:
        literal["xml:lang"] = language
    rows = [{"v": literal, name: {"type": "uri", "value": "https://example.org/" + iri}},
            {"v": {"type": "uri", "value": ID + iri}}]
    body = form_page(context, query, dataset=[("default-graph-uri", iri)],
                     results=results_html(context, query, [("default-graph-uri", iri)],
                                          names=["v", name], rows=rows))
    page = Parsed(body)
    assert page.textarea == query  # a leading newline of the query's own included
    assert page.cells[0].startswith(value.replace("\r", ""))
    assert page.cells[2] == ID + iri
    assert not page.handlers()
    assert {tag for tag, _ in page.tags} <= {
        "html", "head", "meta", "title", "link", "script", "body", "a", "header", "div",
        "span", "nav", "ul", "li", "main", "h1", "h2", "p", "code", "form", "label",
        "textarea", "input", "button", "section", "table", "thead", "tr", "th", "tbody",
        "td"}
    assert sum(1 for tag, _ in page.tags if tag == "script") == 1
