"""The fast path gives the same answers as the reference path (rdflib, pyld,
Frictionless): same graph, same JSON-LD graph, same findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.synthetic import ERRORS, generate
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, Graph
from rdflib.compare import isomorphic

from coopdata import build_graph, load, validate
from coopdata.model.uris import Uris
from coopdata.model.vocab import PREFIXES
from coopdata.rdf.compact import compact
from coopdata.rdf.frame import framed_projects, write_framed_projects
from coopdata.rdf.jsonld import compacted, write_compacted
from coopdata.rdf.triples import ntriples, triples
from coopdata.rdf.turtle import ntriples_lines, turtle
from tests.conftest import FIXTURES

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@pytest.fixture(scope="module")
def synthetic_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Synthetic records and ``{project: injected error kind}``."""
    out = tmp_path_factory.mktemp("synthetic")
    return out, generate(200, out, seed=7, error_every=15)


@pytest.fixture(scope="module")
def synthetic(synthetic_corpus: tuple[Path, dict[str, str]]) -> Path:
    return synthetic_corpus[0]


@pytest.mark.parametrize("source", ["fixture", "embedded", "synthetic"])
def test_same_triples_as_rdflib(source: str, synthetic: Path) -> None:
    directory = {"fixture": FIXTURES / "records", "embedded": None, "synthetic": synthetic}[source]
    dataset, _ = load(directory)
    fast = triples(dataset)
    reference = build_graph(dataset)
    assert ntriples(fast) == "".join(ntriples_lines(reference))  # identical bytes
    assert isomorphic(Graph().parse(data=turtle(fast), format="turtle"), reference)


@pytest.mark.parametrize("source", ["fixture", "embedded"])
def test_json_ld_says_what_pyld_says(source: str) -> None:
    dataset, _ = load(FIXTURES / "records" if source == "fixture" else None)
    graph = build_graph(dataset)
    fast = Graph().parse(data=json.dumps(compact(triples(dataset))), format="json-ld")
    reference = Graph().parse(data=json.dumps(compacted(graph)), format="json-ld")
    assert isomorphic(fast, reference) and isomorphic(fast, graph)


def as_json_dump_wrote(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


@pytest.mark.parametrize("source", ["fixture", "embedded", "synthetic"])
def test_json_ld_written_a_few_nodes_at_a_time_is_the_whole_document(
        source: str, tmp_path: Path) -> None:
    if source == "synthetic":  # a valid one: a release refuses records with errors
        generate(200, tmp_path / "records", seed=7, errors=False)
    directory = {"fixture": FIXTURES / "records", "embedded": None,
                 "synthetic": tmp_path / "records"}[source]
    dataset, _ = load(directory)
    fast = triples(dataset)
    write_compacted(fast, tmp_path / "graph.jsonld")
    write_framed_projects(dataset, Uris(), tmp_path / "projects.jsonld")
    assert (tmp_path / "graph.jsonld").read_bytes() == as_json_dump_wrote(compact(fast))
    assert (tmp_path / "projects.jsonld").read_bytes() == as_json_dump_wrote(
        framed_projects(dataset, Uris()))


def test_json_ld_files_match_golden(tmp_path: Path) -> None:
    """The bytes the compaction and framing wrote before they were made fast."""
    dataset, _ = load(FIXTURES / "records")
    write_compacted(triples(dataset), tmp_path / "graph.jsonld")
    write_framed_projects(dataset, Uris(), tmp_path / "projects.jsonld")
    for name in ("graph", "projects"):
        assert (tmp_path / f"{name}.jsonld").read_bytes() == \
            (GOLDEN / f"fixture-{name}.jsonld").read_bytes(), name


def test_same_findings_as_the_reference_engines(
        synthetic_corpus: tuple[Path, dict[str, str]]) -> None:
    synthetic, injected = synthetic_corpus
    fast = validate(synthetic).report
    reference = validate(synthetic, engine="reference").report

    def key(report):  # type: ignore[no-untyped-def]
        return sorted((f.path, f.line, f.record, f.field, f.code, f.severity)
                      for f in report.findings)

    assert key(fast) == key(reference)
    assert fast.count("violation") >= 13
    # each injected error still gives its finding on its project (a kind the model now
    # accepts, such as a text tagged with a valid language, must be replaced in ERRORS)
    for project, kind in injected.items():
        code = dict(ERRORS)[kind]
        assert any(f.code == code and f.record == project for f in fast.findings), kind


def test_streamed_rdf_files_are_the_whole_documents(synthetic: Path, tmp_path: Path) -> None:
    from coopdata.rdf.jsonld import ntriples_to_jsonld, write_compacted
    from coopdata.rdf.triples import write_ntriples
    from coopdata.rdf.turtle import ntriples_to_turtle

    dataset, _ = load(synthetic)
    fast = triples(dataset)
    write_ntriples(fast, tmp_path / "graph.nt", batch=7)  # many batches, one a partial one
    ntriples_to_turtle(tmp_path / "graph.nt", tmp_path / "graph.ttl")
    ntriples_to_jsonld(tmp_path / "graph.nt", tmp_path / "graph.jsonld")
    write_compacted(fast, tmp_path / "whole.jsonld")
    assert (tmp_path / "graph.nt").read_bytes() == ntriples(fast).encode("utf-8")
    assert (tmp_path / "graph.ttl").read_bytes() == turtle(fast)
    assert (tmp_path / "graph.jsonld").read_bytes() == (tmp_path / "whole.jsonld").read_bytes()


def test_jsonld_from_ntriples_reads_literals_with_spaces_and_escapes(tmp_path: Path) -> None:
    """Only the last term of a line holds spaces (or " ." and escapes): the line splits
    there, and the document is the one made of the triples."""
    from coopdata.model.ntriples import literal
    from coopdata.rdf.jsonld import ntriples_to_jsonld, write_compacted
    from coopdata.rdf.triples import write_ntriples

    subject, label = "<https://w3id.org/coopdata/project/a>", f"<{RDFS.label}>"
    made = sorted([(subject, label, literal('a "b" .\n c\\ d .', lang="fr")),
                   (subject, label, literal("x  y ", lang="en")),
                   (subject, f"<{RDF.type}>", "<https://w3id.org/coopdata/def/Project>")])
    write_ntriples(made, tmp_path / "graph.nt")
    ntriples_to_jsonld(tmp_path / "graph.nt", tmp_path / "graph.jsonld")
    write_compacted(made, tmp_path / "whole.jsonld")
    assert (tmp_path / "graph.jsonld").read_bytes() == (tmp_path / "whole.jsonld").read_bytes()
    assert 'a \\"b\\" .\\n c\\\\ d .' in (tmp_path / "graph.jsonld").read_text("utf-8")


@pytest.mark.parametrize("interpreter", ["python", "", "/nonexistent/python"])
def test_conversions_beside_give_the_same_documents(synthetic: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    interpreter: str) -> None:
    """In their own processes, or (no interpreter to start) in this one: the same bytes."""
    import sys

    from coopdata.rdf.jsonld import write_compacted
    from coopdata.rdf.triples import write_ntriples
    from coopdata.release.convert import Beside

    if interpreter != "python":
        monkeypatch.setattr(sys, "executable", interpreter)
    fast = triples(load(synthetic)[0])
    write_ntriples(fast, tmp_path / "graph.nt")
    with Beside() as beside:
        beside.start("turtle", tmp_path / "graph.nt", tmp_path / "graph.ttl")
        beside.start("json-ld", tmp_path / "graph.nt", tmp_path / "graph.jsonld")
        beside.finish()
    write_compacted(fast, tmp_path / "whole.jsonld")
    assert (tmp_path / "graph.ttl").read_bytes() == turtle(fast)
    assert (tmp_path / "graph.jsonld").read_bytes() == (tmp_path / "whole.jsonld").read_bytes()


def test_conversions_beside_run_in_their_own_processes(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Not done here: the processes find coopdata on this interpreter's module path."""
    from coopdata.release import convert as serialize

    def here(source: Path, target: Path) -> None:
        raise AssertionError(f"{target.name} was converted in the release's own process")

    for conversion in ("turtle", "json-ld"):
        monkeypatch.setitem(serialize.CONVERSIONS, conversion, here)
    (tmp_path / "graph.nt").write_text("<urn:a> <urn:b> <urn:c> .\n")
    with serialize.Beside() as beside:
        beside.start("turtle", tmp_path / "graph.nt", tmp_path / "graph.ttl")
        beside.start("json-ld", tmp_path / "graph.nt", tmp_path / "graph.jsonld")
        beside.finish()
    assert (tmp_path / "graph.ttl").read_text().endswith("<urn:a> <urn:b> <urn:c> .\n")
    assert '"id": "urn:a"' in (tmp_path / "graph.jsonld").read_text()


def test_graph_changes_beside_run_in_their_own_process(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A second release's changes/*.nt are merged in a process of their own, as this one
    would merge them."""
    from coopdata.release import convert as serialize
    from coopdata.release.graphdiff import write_graph_changes

    def here(*paths: Path) -> None:
        raise AssertionError("the triples' changes were merged in the release's own process")

    old, new = tmp_path / "old.nt", tmp_path / "new.nt"
    old.write_text("<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> <urn:d> .\n")
    new.write_text("<urn:a> <urn:b> <urn:d> .\n<urn:a> <urn:b> <urn:e> .\n")
    (tmp_path / "beside").mkdir()
    (tmp_path / "here").mkdir()
    with monkeypatch.context() as patched:
        patched.setitem(serialize.CONVERSIONS, "graph-changes", here)
        with serialize.Beside() as beside:
            beside.start("turtle", new, tmp_path / "new.ttl")
            beside.start("graph-changes", old, new, tmp_path / "beside")
            beside.finish("graph-changes")  # (started with graph.nt; waited for last)
            assert [conversion for _, conversion, _ in beside.running] == ["turtle"]
            beside.finish()
            assert beside.running == []
    assert (tmp_path / "new.ttl").is_file()
    assert write_graph_changes(old, new, tmp_path / "here") == (1, 1)
    for name in ("added.nt", "removed.nt"):
        assert (tmp_path / "beside" / "changes" / name).read_bytes() == \
            (tmp_path / "here" / "changes" / name).read_bytes()


def test_a_conversion_that_fails_beside_is_done_again_here(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """A process that cannot import coopdata (its module path, this one's, leads nowhere)
    fails; the conversion is then done in this process."""
    import sys

    from coopdata.release import convert as serialize

    done: list[str] = []
    monkeypatch.setitem(serialize.CONVERSIONS, "turtle",
                        lambda source, target: done.append(target.name))
    (tmp_path / "graph.nt").write_text("<urn:a> <urn:b> <urn:c> .\n")
    with serialize.Beside() as beside:
        with monkeypatch.context() as patched:
            patched.setattr(sys, "path", [str(tmp_path / "nowhere")])
            beside.start("turtle", tmp_path / "graph.nt", tmp_path / "graph.ttl")
        beside.finish()
    assert done == ["graph.ttl"]


def test_conversions_beside_are_stopped_when_the_release_fails(tmp_path: Path) -> None:
    from coopdata.release.convert import Beside

    (tmp_path / "graph.nt").write_text("<urn:a> <urn:b> <urn:c> .\n" * 200_000)
    with pytest.raises(KeyboardInterrupt), Beside() as beside:
        beside.start("turtle", tmp_path / "graph.nt", tmp_path / "graph.ttl")
        beside.start("json-ld", tmp_path / "graph.nt", tmp_path / "graph.jsonld")
        raise KeyboardInterrupt
    for name in ("graph.ttl", "graph.jsonld"):  # killed before they got far, not rerun
        size = (tmp_path / name).stat().st_size if (tmp_path / name).exists() else 0
        assert size < len("<urn:a> <urn:b> <urn:c> .\n"), name
    assert beside.running == []


@settings(max_examples=200, deadline=None)
@given(text=st.text(), lang=st.sampled_from([None, "fr", "en"]),
       datatype=st.sampled_from([None, "http://www.w3.org/2001/XMLSchema#date"]))
def test_terms_are_read_back_as_written(text: str, lang: str | None, datatype: str | None
                                        ) -> None:
    from coopdata.model.ntriples import XSD, iri, literal
    from coopdata.rdf.triples import parse_term
    from coopdata.validate.shacl.terms import term_text as _nt

    expected = (PREFIXES["rdf"] + "langString") if lang else datatype or XSD + "string"
    written = literal(text, lang=lang, datatype=datatype)
    assert parse_term(written) == ("l", text, expected, lang or "")
    assert _nt(parse_term(written)) == written  # (as SHACL results give values back)
    assert parse_term(iri("https://example.org/côte-d’ivoire")) == \
        ("i", "https://example.org/côte-d’ivoire", "", "")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(*[st.sampled_from(["<a>", "<b>", '"a"', '"a"@fr', "_:b"])] * 3)))
def test_triples_are_sorted_once_each(given_triples: list[tuple[str, str, str]]) -> None:
    from coopdata.rdf.triples import sorted_unique

    assert sorted_unique(given_triples) == sorted(set(given_triples))


@settings(max_examples=40, deadline=None)
@given(text=st.text(st.sampled_from("a \"\\\n\r\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029é"),
                    min_size=1, max_size=8), lang=st.sampled_from([None, "en", "fr"]))
def test_pyld_is_given_literals_with_any_line_break_whole(text: str, lang: str | None) -> None:
    """rdflib's N-Triples leave form feeds, U+2028… in a literal as they are, and pyld's
    parser splits at them: ``compacted`` hands pyld the triples, not the text."""
    from rdflib import Literal, URIRef

    graph = Graph()
    subject = URIRef("https://example.org/a")
    graph.add((subject, RDFS.label, Literal(text, lang=lang)))
    graph.add((subject, RDF.type, URIRef("https://example.org/Thing")))
    read = Graph().parse(data=json.dumps(compacted(graph)), format="json-ld")
    assert isomorphic(read, graph)
