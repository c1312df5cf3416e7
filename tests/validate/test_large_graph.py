"""A large graph (LARGE_GRAPH triples or more) given a file is made into it by sorted runs
on disk, never whole in memory, and checked by SHACL from it before the tables are made:
the same report, and a release byte for byte the same."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from coopdata.rdf.ntfile import Runs
from coopdata.rdf.triples import ntriples
from coopdata.records.load import load
from coopdata.release.job import release
from coopdata.tables import cells as table_cells
from coopdata.validate import validation as validating
from coopdata.validate.shacl import sparql
from coopdata.validate.validation import validate_dataset
from tests.conftest import FIXTURES
from tests.test_cli import replace_in


def _broken(records: Path) -> Path:
    """The fixtures with findings of SHACL's core and SPARQL constraints."""
    replace_in(records / "projects" / "second.yaml", "amount: 2.5", "amount: -2.5")
    replace_in(records / "projects" / "second.yaml", 'planned_end: "2020"',
               'planned_end: "2016-12"')
    return records


@pytest.mark.parametrize("into_file", [False, True])
def test_a_large_graph_given_a_file_is_made_into_it_and_checked_first(
        records: Path, into_file: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Made by runs of LARGE_GRAPH triples (here 20: a run every record or so) merged
    into the file, the bytes of the graph sorted in memory; the same findings."""
    _broken(records)
    steps: list[str] = []
    usual = validate_dataset(*load(records), progress=steps.append)
    assert steps == ["graph", "table-validation", "shacl"]
    monkeypatch.setattr(validating, "LARGE_GRAPH", 20)
    made: list[Runs] = []

    def runs(scratch: Path | None) -> Runs:
        made.append(Runs(scratch))
        return made[-1]
    monkeypatch.setattr(validating, "Runs", runs)
    steps.clear()
    graph_file = tmp_path / "graph.nt" if into_file else None
    large = validate_dataset(*load(records), progress=steps.append, graph_file=graph_file,
                             scratch=tmp_path)
    assert steps == (["graph", "shacl", "table-validation"] if into_file
                     else ["graph", "table-validation", "shacl"])
    assert large.report.findings == usual.report.findings
    assert {"shacl-budget-not-negative", "shacl-end-not-before-start"} <= \
        {f.code for f in large.report.findings}
    assert large.size == usual.size == len(usual.triples) > 200
    if into_file:
        assert large.triples == [] and large.file == graph_file is not None
        assert graph_file.read_bytes() == ntriples(usual.triples).encode()
        assert len(made) == 1 and len(made[0].paths) > 3 and not made[0].folder.exists()
        assert made[0].folder.parent == tmp_path
        assert len(large.graph) == large.size  # (the rdflib graph, read from the file)
    else:
        assert large.triples == usual.triples and large.file is None and not made


def test_a_graph_below_large_graph_stays_in_memory(records: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    usual = validate_dataset(*load(records))
    monkeypatch.setattr(validating, "LARGE_GRAPH", usual.size * 2)
    (tmp_path / "scratch").mkdir()
    kept = validate_dataset(*load(records), graph_file=tmp_path / "scratch" / "graph.nt",
                            scratch=tmp_path / "scratch")
    assert kept.file is None and kept.triples == usual.triples
    assert list((tmp_path / "scratch").iterdir()) == []


def test_a_release_of_a_large_graph_is_the_release_of_a_small_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without its website (which keeps the triples), every file the same."""
    def files(out: Path) -> dict[str, bytes]:
        return {p.relative_to(out).as_posix(): p.read_bytes()
                for p in sorted(out.rglob("*")) if p.is_file()}

    release(tmp_path / "small", FIXTURES / "records", version="1", date="2026-12-06",
            site=False, cache=False)
    monkeypatch.setattr(validating, "LARGE_GRAPH", 1)
    monkeypatch.setattr(sparql, "ON_DISK_FROM", 0)
    monkeypatch.setattr(table_cells, "CHUNK", 2)  # (the tables written a chunk at a time)
    stores: list[Path] = []
    folder_for = sparql._folder_for

    @contextmanager
    def watched(size: int, scratch: Path | None = None) -> Iterator[Path | None]:
        with folder_for(size, scratch) as folder:
            assert folder is not None
            stores.append(folder)
            yield folder
    monkeypatch.setattr(sparql, "_folder_for", watched)
    steps: list[str] = []
    release(tmp_path / "large", FIXTURES / "records", version="1", date="2026-12-06",
            site=False, cache=False, progress=steps.append)
    assert steps.index("shacl") < steps.index("table-validation")
    assert files(tmp_path / "large") == files(tmp_path / "small")
    # The store went into the release's staging folder (which a later release removes
    # should this one be killed), not $TMPDIR; and it is gone.
    assert len(stores) == 1 and stores[0].parent.parent == tmp_path / "large"
    assert stores[0].parent.name.startswith(".1.") and not stores[0].exists()


def test_tables_checked_and_written_a_chunk_at_a_time(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Synthetic records with errors of every kind, 7 records a chunk: the findings of
    the whole tables, in the same order, and the CSV files' bytes."""
    from benchmarks import synthetic

    from coopdata.tables import cells as table_cells
    from coopdata.tables.package import TableFiles, write_package
    from coopdata.validate.tables import validate_tables

    synthetic.generate(120, tmp_path / "records", seed=3, error_every=4)
    dataset, _ = load(tmp_path / "records")
    whole = validate_tables(dataset)
    write_package(dataset, tmp_path / "whole")
    (tmp_path / "whole" / "datapackage.json").unlink()
    monkeypatch.setattr(table_cells, "CHUNK", 7)
    files = TableFiles(tmp_path / "chunked")
    chunks: list[str] = []
    chunked = validate_tables(dataset, each=lambda t, c: (chunks.append(t.name),
                                                          files.add(t, c)))
    assert chunked == whole
    assert {"table-constraint-error", "table-foreign-key"} <= {f.code for f in whole}
    assert len(chunks) > 3 * len(set(chunks))
    assert {p.name: p.read_bytes() for p in (tmp_path / "chunked").iterdir()} == \
        {p.name: p.read_bytes() for p in (tmp_path / "whole").iterdir()}
