"""The release's website, without a browser: every entity has its page and data files,
links resolve, the same input gives the same bytes, record text is escaped, charts have
one mark per datum, every site file is in SHA256SUMS and its home page in the catalogue.
(tests/browser/ opens the same site in Chromium.)"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from rdflib import RDFS, Graph, URIRef
from rdflib.compare import isomorphic

from coopdata import load
from coopdata.cli import main
from coopdata.release.dir import verify
from coopdata.release.job import release
from coopdata.release.site import site_for_release
from tests.conftest import FIXTURES

SCRIPT_TITLE = "<script>alert(1)</script> Deuxième projet"
EN_TITLE = 'Second "project" & <b>co</b></script>'


def hostile_records(target: Path) -> Path:
    """A copy of the fixture records whose project "second" has markup in its title."""
    shutil.copytree(FIXTURES / "records", target)
    path = target / "projects" / "second.yaml"
    text = path.read_text(encoding="utf-8")
    title = "title:\n  fr: Deuxième projet\n  en: Second project\n"
    assert title in text
    path.write_text(text.replace(title, f"title:\n  fr: {json.dumps(SCRIPT_TITLE)}\n"
                                        f"  en: {json.dumps(EN_TITLE)}\n"), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release (with its site) of the hostile fixture records."""
    base = tmp_path_factory.mktemp("site")
    records = hostile_records(base / "records")
    release(base / "out", records, version="1.0.0", date="2026-11-23")
    return base / "out" / "1.0.0"


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release of the embedded dataset, its site built by ``site_for_release``."""
    out = tmp_path_factory.mktemp("embedded")
    release(out, version="1.0.0", date="2026-11-23", site=False)
    site_for_release(out / "1.0.0")
    return out / "1.0.0"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


class Page(HTMLParser):
    """What the tests read of a page: links, ids, scripts, marks, text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: list[str] = []
        self.labelled: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.marks: dict[str, int] = {}
        self.tags: dict[str, int] = {}
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(str(values[name]))
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if values.get("aria-labelledby"):
            self.labelled.append(str(values["aria-labelledby"]))
        if tag == "script":
            self.scripts.append(values)
        mark = values.get("data-mark")
        if mark:
            self.marks[mark] = self.marks.get(mark, 0) + 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def internal_targets(root: Path, html: Path) -> list[tuple[str, Path]]:
    found = []
    for href in page(html).links:
        parts = urlsplit(href)
        if parts.scheme or href.startswith(("//", "#", "mailto:")):
            continue
        target = (html.parent / unquote(parts.path)).resolve()
        found.append((href, target))
    return found


def test_every_entity_has_a_page_at_the_path_of_its_uri(released: Path) -> None:
    dataset, _ = load(hostile_records_copy(released))
    site = released / "site"
    for record in dataset:
        folder = site / record.kind / record.id
        assert (folder / "index.html").is_file(), f"{record.kind}/{record.id}"
        uri = f"https://w3id.org/coopdata/id/{record.kind}/{record.id}"
        data = Graph().parse(site / record.kind / f"{record.id}.jsonld", format="json-ld")
        assert (URIRef(uri), None, None) in data
        turtle = Graph().parse(site / record.kind / f"{record.id}.ttl", format="turtle")
        assert (URIRef(uri), None, None) in turtle
        assert uri in (folder / "index.html").read_text("utf-8")
    for code in ("MA", "SN"):
        assert (site / "country" / code / "index.html").is_file()
    for kind in ("project", "organisation", "country", "agreement", "event", "person",
                 "strategy", "source"):
        assert (site / kind / "index.html").is_file()


def hostile_records_copy(released: Path) -> Path:
    return released.parents[1] / "records"


def test_entity_data_files_hold_only_the_release_triples(released: Path) -> None:
    whole = Graph().parse(released / "graph.nt", format="nt")
    for path in sorted((released / "site").glob("*/*.ttl")):
        part = Graph().parse(path, format="turtle")
        assert len(part) and not set(part) - set(whole), path.name
    embedded_doc = page_jsonld(released / "site" / "organisation" / "agency" / "index.html")
    assert embedded_doc[1] == json.loads(
        (released / "site" / "organisation" / "agency.jsonld").read_text("utf-8"))
    assert embedded_doc[0]["@context"] == "https://schema.org"
    assert embedded_doc[0]["@type"] == "Organization"


@pytest.mark.parametrize("name", ["released", "embedded"])
def test_each_entity_turtle_and_jsonld_are_one_graph(name: str,
                                                     request: pytest.FixtureRequest) -> None:
    """The two serialisations of one resource hold the same triples: the labels of the
    linked records and countries, which the JSON-LD embeds, are in the Turtle too."""
    root = request.getfixturevalue(name) / "site"
    turtles = sorted(root.glob("*/*.ttl"))
    assert len(turtles) > 10
    linked = 0
    for path in turtles:
        turtle = Graph().parse(path, format="turtle")
        jsonld = Graph().parse(path.with_suffix(".jsonld"), format="json-ld")
        assert isomorphic(turtle, jsonld), path.relative_to(root).as_posix()
        subject = URIRef(f"https://w3id.org/coopdata/id/{path.parent.name}/{path.stem}")
        linked += any(s != subject and not str(s).startswith(f"{subject}/")
                      for s in turtle.subjects(RDFS.label, None))
    assert linked > len(turtles) // 2  # most entities name others, by their labels


def page_jsonld(path: Path) -> list[dict[str, object]]:
    text = path.read_text("utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    return [json.loads(block) for block in blocks]


def test_record_text_is_escaped_everywhere(released: Path) -> None:
    for name, content in tree(released / "site").items():
        if not name.endswith(".html"):
            continue
        text = content.decode("utf-8")
        assert "<script>alert" not in text and "<b>co</b>" not in text, name
        parsed = Page(text)
        assert [s.get("type") or s.get("src", "").rsplit("/", 1)[-1]
                for s in parsed.scripts][-1] == "site.js", name
        assert all(s.get("type") == "application/ld+json" or s.get("src")
                   for s in parsed.scripts), name
        for document in page_jsonld(released / "site" / name):
            assert isinstance(document, dict)
    project = (released / "site" / "project" / "second" / "index.html").read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Deuxième projet" in project
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in project
    assert SCRIPT_TITLE in "".join(page(released / "site" / "project" / "second" /
                                        "index.html").text)


def test_internal_links_resolve(released: Path, embedded: Path) -> None:
    for root in (released, embedded):
        pages = sorted((root / "site").rglob("*.html"))
        assert len(pages) > 10
        for html in pages:
            for href, target in internal_targets(root, html):
                assert target.is_file(), f"{html.relative_to(root)}: {href}"
                assert target.is_relative_to(root.resolve()), href


def test_ids_are_unique_and_labels_exist(embedded: Path) -> None:
    for html in sorted((embedded / "site").rglob("*.html")):
        parsed = page(html)
        assert len(parsed.ids) == len(set(parsed.ids)), html
        assert {i for ids in parsed.labelled for i in ids.split()} <= set(parsed.ids), html
        assert parsed.tags.get("h1") == 1 and parsed.tags.get("main") == 1, html
        text = html.read_text("utf-8")
        assert text.startswith("<!DOCTYPE html>\n<html lang=\"en\"")


def test_site_is_deterministic_and_rebuilt_alike(released: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    release(again, hostile_records_copy(released), version="1.0.0", date="2026-11-23",
            site=False)
    site_for_release(again / "1.0.0")
    assert tree(again / "1.0.0" / "site") == tree(released / "site")
    # another interpreter (other hash seeds), through the command line
    other = tmp_path / "other"
    subprocess.run([sys.executable, "-m", "coopdata", "release", "--records",
                    str(hostile_records_copy(released)), "--out", str(other), "--version",
                    "1.0.0", "--date", "2026-11-23"], check=True, capture_output=True)
    assert tree(other / "1.0.0") == tree(released)


def test_site_is_in_checksums_and_catalogue(released: Path) -> None:
    assert verify(released) == []
    listed = {line.split("  ", 1)[1] for line in
              (released / "SHA256SUMS").read_text("utf-8").splitlines()}
    site = {f"site/{name}" for name in tree(released / "site")}
    assert site and site <= listed
    # the catalogue lists the website as one distribution: its home page
    catalog = Graph().parse(released / "catalog.ttl")
    urls = {str(o).removeprefix("https://w3id.org/coopdata/releases/1.0.0/")
            for o in catalog.objects(None, URIRef("http://www.w3.org/ns/dcat#downloadURL"))}
    assert {u for u in urls if u.startswith("site/")} == {"site/index.html"}


def test_home_page_lists_downloads_with_size_and_checksum(released: Path) -> None:
    home = (released / "site" / "index.html").read_text("utf-8")
    for line in (released / "SHA256SUMS").read_text("utf-8").splitlines():
        digest, name = line.split("  ", 1)
        if name.startswith("site/") or name in ("catalog.ttl", "catalog.jsonld"):
            continue
        assert f'href="../{name}"' in home and digest in home, name
        size = (released / name).stat().st_size
        assert f'<data value="{size}">' in home, name
    for name in ("catalog.ttl", "catalog.jsonld", "SHA256SUMS"):
        assert f'href="../{name}"' in home
    assert "How to cite" in home and "@misc{coopdata-1.0.0," in home
    schema = page_jsonld(released / "site" / "index.html")[0]
    assert schema["@type"] == "Dataset" and schema["version"] == "1.0.0"


def test_charts_have_one_mark_per_datum(embedded: Path) -> None:
    dataset, _ = load()
    projects = [r.data for r in dataset.of_kind("project")]
    dated = [p for p in projects if ("actual_start" in p or "planned_start" in p)
             and ("actual_end" in p or "planned_end" in p)]
    recipients = {c for p in projects for c in p.get("countries", [])}
    pairs = {(r.id, q["organisation"]) for r in dataset.of_kind("project")
             for q in r.data.get("participations", [])}
    home = page(embedded / "site" / "index.html")
    assert home.marks["timeline"] == len(dated) > 0
    assert home.marks["country"] == len(recipients)
    assert home.marks["edge"] == len(pairs)
    assert home.marks["node"] == len({p for p, _ in pairs}) + len({o for _, o in pairs})
    assert home.marks.get("budget-funder-eur", 0) >= 1
    assert home.marks["budget-country-eur"] == len({c for p in projects if p.get("budgets")
                                                    for c in p.get("countries", [])})
    countries = page(embedded / "site" / "country" / "index.html")
    assert countries.marks["country"] == len(recipients)


def test_project_list_carries_filter_values(released: Path) -> None:
    text = (released / "site" / "project" / "index.html").read_text("utf-8")
    rows = re.findall(r'<tr data-countries="([^"]*)" data-funders="([^"]*)" '
                      r'data-status="([^"]*)" data-years="([^"]*)"', text)
    dataset, _ = load(hostile_records_copy(released))
    assert len(rows) == len(dataset.of_kind("project"))
    by_countries = sorted(r[0] for r in rows)
    assert by_countries == sorted(" ".join(r.data.get("countries", []))
                                  for r in dataset.of_kind("project"))
    second = next(r for r in rows if r[0] == "MA SN")
    assert second[1] == "agency" and second[2] == "implementation"
    assert second[3] == "2018 2019 2020"


def test_cli_site_and_no_site(released: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    records = str(hostile_records_copy(released))
    result = runner.invoke(main, ["release", "--records", records, "--out", str(tmp_path),
                                  "--version", "2.0.0", "--date", "2026-11-23", "--no-site"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "2.0.0" / "site").exists()
    assert not any(n.startswith("site/") for n in
                   (tmp_path / "2.0.0" / "SHA256SUMS").read_text("utf-8").split())
    result = runner.invoke(main, ["site", "--release", str(tmp_path / "2.0.0")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "2.0.0" / "site" / "index.html").is_file()
    assert "pages" in result.output
    again = runner.invoke(main, ["site", "--release", str(tmp_path / "2.0.0")])
    assert again.exit_code == 1 and "never overwritten" in again.output
    missing = runner.invoke(main, ["site", "--release", str(tmp_path / "nothing")])
    assert missing.exit_code == 2 and "not a coopdata release" in missing.output
