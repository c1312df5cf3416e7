"""Changes people can read: the CHANGELOG and ``coopdata diff`` give each value old → new
(amounts with their currency) under the record's title, and a release after the first
carries the triples added and removed (``changes/added.nt``, ``changes/removed.nt``),
listed in SHA256SUMS and in the DCAT-AP catalogue."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from coopdata.cli import main
from coopdata.release import graphdiff
from coopdata.release.changelog import value_changes, write_graph_changes, write_triple_changes
from coopdata.release.job import release
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1.0.0, then 1.1.0 where project second has a new amount, a third budget, a new
    English title, another country and status; organisation agency a new English name;
    project third (a copy of second) is gone and fourth (another copy) is new."""
    root = tmp_path_factory.mktemp("changelog")
    records = root / "records"
    shutil.copytree(FIXTURES / "records", records)
    second = records / "projects" / "second.yaml"
    text = second.read_text("utf-8")
    (records / "projects" / "third.yaml").write_text(
        text.replace("id: second\n", "id: third\n").replace("en: Second project\n",
                                                            "en: Third project\n"), "utf-8")
    release(root / "rel", records, version="1.0.0", date="2026-11-23", site=False)
    second.write_text(text.replace("amount: 1250000", "amount: 1300000")
                      .replace("status: implementation", "status: closed")
                      .replace("  en: Second project\n", "  en: Second project, renewed\n")
                      .replace("countries: [MA, SN]", "countries: [MA, SN, TN]")
                      .replace("  - amount: 2.5\n    currency: USD\n",
                               "  - amount: 2.5\n    currency: USD\n"
                               "  - amount: 7\n    currency: EUR\n"), "utf-8")
    agency = records / "organisations" / "agency.yaml"
    agency.write_text(agency.read_text("utf-8").replace("en: Cooperation agency",
                                                        "en: Agency for cooperation"), "utf-8")
    (records / "projects" / "third.yaml").unlink()
    (records / "projects" / "fourth.yaml").write_text(
        text.replace("id: second\n", "id: fourth\n").replace("en: Second project\n",
                                                             "en: Fourth project\n"), "utf-8")
    release(root / "rel", records, version="1.1.0", date="2026-12-01", site=False)
    return root / "rel"


RECORDS = """\
# Changes in 1.1.0 since 1.0.0

## Records

- added: project/fourth (Fourth project)
- removed: project/third (Third project)
- changed: organisation/agency (Agency for cooperation)
  - name.en: "Cooperation agency" → "Agency for cooperation"
- changed: project/second (Second project, renewed)
  - budgets[1].amount: 1250000 → 1300000 EUR
  - budgets[3]: (none) → {amount: 7, currency: "EUR"}
  - countries: ["MA", "SN"] → ["MA", "SN", "TN"]
  - status: "implementation" → "closed"
  - title.en: "Second project" → "Second project, renewed"

## IATI activities
"""


def _lines(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines(keepends=True)


def test_diff_cli_exact_output(releases: Path) -> None:
    old, new = str(releases / "1.0.0"), str(releases / "1.1.0")
    result = CliRunner().invoke(main, ["diff", old, new])
    assert result.exit_code == 0
    assert result.output.startswith(RECORDS)
    added, removed = (len(_lines(releases / "1.1.0" / "changes" / name))
                      for name in ("added.nt", "removed.nt"))
    assert result.output.endswith(f"\n## Triples\n\n{added} added, {removed} removed.\n")
    assert (releases / "1.1.0" / "CHANGELOG.md").read_text("utf-8") == result.output


def test_diff_json_has_old_and_new_values(releases: Path) -> None:
    result = CliRunner().invoke(main, ["diff", str(releases / "1.0.0"),
                                       str(releases / "1.1.0"), "--format", "json"])
    changes = json.loads(result.output)
    assert changes["changed"]["project/second"] == ["budgets", "countries", "status", "title"]
    assert changes["values"]["project/second"][0] == {
        "field": "budgets[1].amount", "old": 1250000, "new": 1300000, "old_unit": "EUR",
        "new_unit": "EUR"}
    assert changes["titles"]["project/third"] == "Third project"


def test_first_release_has_no_changes_folder(releases: Path) -> None:
    assert not (releases / "1.0.0" / "changes").exists()
    assert "changes/" not in (releases / "1.0.0" / "SHA256SUMS").read_text("utf-8")


def test_changes_files_turn_the_old_graph_into_the_new(releases: Path) -> None:
    folder = releases / "1.1.0" / "changes"
    added, removed = _lines(folder / "added.nt"), _lines(folder / "removed.nt")
    assert added and removed
    assert added == sorted(set(added)) and removed == sorted(set(removed))
    old = set(_lines(releases / "1.0.0" / "graph.nt"))
    new = set(_lines(releases / "1.1.0" / "graph.nt"))
    assert (old - set(removed)) | set(added) == new
    assert not set(added) & old and set(removed) <= old


def test_changes_files_are_listed_and_described(releases: Path) -> None:
    from tests.release.test_catalog import shacl

    sums = (releases / "1.1.0" / "SHA256SUMS").read_text("utf-8")
    assert "  changes/added.nt\n" in sums and "  changes/removed.nt\n" in sums
    catalog = Graph().parse(releases / "1.1.0" / "catalog.ttl")
    download = URIRef("http://www.w3.org/ns/dcat#downloadURL")
    urls = {str(o) for o in catalog.objects(None, download)}
    base = "https://w3id.org/coopdata/releases/1.1.0/"
    assert {base + "changes/added.nt", base + "changes/removed.nt"} <= urls
    conforms, _, text = shacl(catalog, "shapes.ttl", "range.ttl")
    assert conforms, text


def test_amounts_carry_their_currency() -> None:
    """The item's currency, else the record's default; both when the currency changed."""
    old = {"default_currency": "EUR", "budgets": [{"amount": Decimal("5")},
                                                  {"amount": Decimal("1"), "currency": "USD"}]}
    new = {"default_currency": "EUR", "budgets": [{"amount": Decimal("6")},
                                                  {"amount": Decimal("1.5"), "currency": "XOF"}]}
    assert [c.text() for c in value_changes(old, new)] == [
        "budgets[1].amount: 5 → 6 EUR", "budgets[2].amount: 1 USD → 1.5 XOF",
        'budgets[2].currency: "USD" → "XOF"']


def test_long_texts_are_shown_where_they_part() -> None:
    start = "A long description of the project. " * 4
    [change] = value_changes({"description": {"fr": start + "Fin."}},
                             {"description": {"fr": start + "Suite."}})
    line = change.text()
    assert "Fin." in line and "Suite." in line and len(line) < 250


_TERMS = st.sampled_from(["<urn:a>", "<urn:b>", "<https://example.org/é>"])
_OBJECTS = st.one_of(_TERMS, st.text(st.characters(codec="utf-8"), max_size=6).map(
    lambda t: json.dumps(t, ensure_ascii=False) + "@fr"),
                     st.integers(-3, 3).map(
                         lambda n: f'"{n}"^^<http://www.w3.org/2001/XMLSchema#integer>'))
_LINES = st.sets(st.tuples(_TERMS, _TERMS, _OBJECTS).map(lambda t: " ".join(t) + " .\n"),
                 max_size=30)


@settings(max_examples=60, deadline=None)
@given(old=_LINES, new=_LINES)
def test_applying_removed_then_added_gives_the_new_graph(old: set[str], new: set[str],
                                                         tmp_path_factory: pytest.TempPathFactory
                                                         ) -> None:
    folder = tmp_path_factory.mktemp("patch")
    added, removed = write_triple_changes(old, new, folder)
    graph = Graph().parse(data="".join(sorted(old)), format="nt")
    for triple in Graph().parse(removed, format="nt"):
        graph.remove(triple)
    for triple in Graph().parse(added, format="nt"):
        graph.add(triple)
    assert isomorphic(graph, Graph().parse(data="".join(sorted(new)), format="nt"))
    again = folder / "again"
    again.mkdir()
    assert [p.read_bytes() for p in write_triple_changes(old, new, again)] == \
        [added.read_bytes(), removed.read_bytes()]


@settings(max_examples=150, deadline=None)
@given(old=_LINES, new=_LINES, shuffled=st.booleans(), blank=st.booleans(),
       block=st.sampled_from([1, 40, 150, graphdiff._BLOCK]), small=st.sampled_from([2, 512]))
def test_graph_changes_merged_from_files_are_those_of_the_sets(
        old: set[str], new: set[str], shuffled: bool, blank: bool, block: int, small: int,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """The changes of two graph.nt files read a block of lines at a time (merged when
    sorted, read into sets when not; blocks of a line, of a few, or the whole file; the
    lines that differ found by halving down to 2 lines, or not) are the bytes and counts
    the sets of their lines give."""
    folder = tmp_path_factory.mktemp("merge")
    graphs = []
    for name, lines in (("old.nt", old), ("new.nt", new)):
        ordered = sorted(lines, reverse=shuffled)  # (reversed: out of order when 2 or more)
        text = "".join(ordered[:1] + ordered)  # a line twice: each counts once
        graphs.append(folder / name)
        graphs[-1].write_text(text + "\n" if blank else text.removesuffix("\n"),
                              encoding="utf-8", newline="")
    merged = folder / "merged"
    merged.mkdir()
    defaults = graphdiff._BLOCK, graphdiff._SMALL
    graphdiff._BLOCK, graphdiff._SMALL = block, small
    try:
        counts = write_graph_changes(graphs[0], graphs[1], merged)
    finally:
        graphdiff._BLOCK, graphdiff._SMALL = defaults
    expected = folder / "sets"
    expected.mkdir()
    assert [p.read_bytes() for p in write_triple_changes(old, new, expected)] == \
        [(merged / "changes" / name).read_bytes() for name in ("added.nt", "removed.nt")]
    assert counts == (len(new - old), len(old - new)) == tuple(  # (a release counts them so)
        graphdiff.lines_in(merged / "changes" / name) for name in ("added.nt", "removed.nt"))
