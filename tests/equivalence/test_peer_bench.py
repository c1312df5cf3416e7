"""benchmarks/peer.py (issue 19): the peer SHACL engine finds the same results as the fast
engine on a small graph with every kind of defect, the defects are written where they
are meant to be, and docs/performance.md shows the recorded peer figures."""

from __future__ import annotations

import json
from importlib.util import find_spec
from pathlib import Path

import pyoxigraph as ox
import pytest
from benchmarks import peer, synthetic
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = "".join(
    f"<{peer.ID}project-{n:06d}> <{predicate}> {obj} .\n" for n in range(40)
    for predicate, obj in ((f"{peer.COOP}participation", f"<{peer.ID}project-{n:06d}/p/1>"),
                           (f"{peer.COOP}plannedStart", f'"2015"^^<{peer.XSD}gYear>'),
                           (f"{peer.DCT}title", '"Titre"@fr')))


@pytest.mark.skipif(find_spec("pyrudof") is None,
                    reason="pyrudof is not installed (pip install -e '.[bench]')")
def test_pyrudof_finds_the_fast_engines_results() -> None:
    """One synthetic error and one graph defect in every ten projects: every kind of each
    comes out, and pyrudof's results are the fast engine's, result for result."""
    size = peer.measure(120, ["fast", "pyrudof"], pyshacl_up_to=0, timeout=300, every=10)
    assert size["agreement"]["pyrudof"] == {"same": True, "only_fast": [],
                                            "only_pyrudof": []}
    kinds = size["kinds"]["fast"]
    assert kinds == size["kinds"]["pyrudof"]
    # each defect and each synthetic error that the shapes catch gives its result
    for kind in ("MaxCount activityStatus", "Datatype iatiIdentifier", "LanguageIn altLabel",
                 "UniqueLang title", "NodeKind page", "Pattern recipientCountry",
                 "In theme", "Or actualEnd", "SPARQL plannedStart", "SPARQL capitalSpend",
                 "SPARQL participation", "Class funder", "SPARQL isPartOf",
                 "SPARQL actualStart"):
        assert kinds.get(kind, 0) >= 1, kind
    assert kinds["SPARQL value"] == 2  # a negative budget, a negative revised one (warning)
    # (one project in ten among 120: the first 12 kinds of synthetic error)
    assert size["graph_defects"] == len(peer.DEFECTS) == 12 == size["record_errors"]
    assert len(synthetic.ERRORS) >= 12


def test_results_differing_are_reported() -> None:
    one = ("https://w3id.org/coopdata/id/project/p", "", "MinCount", "Violation")
    other = (*one[:2], "MaxCount", "Violation")
    runs = {"fast": {"results": [one, one]}, "pyrudof": {"results": [one, other]}}
    assert peer.agreement(runs)["pyrudof"] == {"same": False, "only_fast": [one],
                                               "only_pyrudof": [other]}


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=40), st.integers(min_value=2, max_value=12))
def test_defects_land_on_the_projects_chosen(projects: int, every: int) -> None:
    """The defective document is N-Triples; each chosen project lost the triples of its
    defect's predicates and gained its triples; no other project changed."""
    written, chosen = peer.defective(DOCUMENT, projects, every=every)
    expected = {f"project-{n:06d}" for n in range(every // 2, projects, every)}
    assert set(chosen) == expected
    assert len(set(chosen.values())) == min(len(expected), len(peer.DEFECTS))
    before = set(ox.parse(DOCUMENT, ox.RdfFormat.N_TRIPLES))
    after = set(ox.parse(written, ox.RdfFormat.N_TRIPLES))
    for triple in before - after:
        name = chosen[triple.subject.value.removeprefix(peer.ID)]
        assert triple.predicate.value in peer.DEFECTS[name][0]
    for project, name in chosen.items():
        iri = peer.ID + project
        removed, lines = peer.DEFECTS[name]
        wanted = set(ox.parse("".join(f"<{iri}> {line.replace('{p}', iri)} .\n"
                                      for line in lines), ox.RdfFormat.N_TRIPLES))
        assert wanted <= after, name
        # of the predicates it replaces, the project holds only what the defect wrote
        assert {t for t in after if t.subject.value == iri and t.predicate.value in removed} \
            == {t for t in wanted if t.predicate.value in removed}, name
        added = {t for t in after - before if t.subject.value.startswith(iri)}
        assert len(added) == len(peer.DEFECTS[name][1]) + (
            len(peer.REVISED_BUDGET) if name == "budget-revision-negative" else 0), name
    assert all(t.subject.value.removeprefix(peer.ID).split("/")[0] in chosen
               for t in after ^ before)


def test_performance_page_shows_the_peer_figures() -> None:
    figures = json.loads((ROOT / "benchmarks" / "peer.json").read_text(encoding="utf-8"))
    page = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    assert f"{peer.START}\n{peer.markdown(figures)}\n{peer.END}" in page
    for size in figures["sizes"]:
        for engine, verdict in size["agreement"].items():
            assert verdict["same"], (size["projects"], engine)
