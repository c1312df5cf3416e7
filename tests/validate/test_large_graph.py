"""A large graph (LARGE_GRAPH triples or more) whose triples need not be kept is checked
by SHACL before the tables are made, and its triples let go of in between: the same
report, and a release byte for byte the same."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from coopdata.records.load import load
from coopdata.release.job import release
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


@pytest.mark.parametrize("keep", [True, False])
def test_shacl_runs_first_and_the_triples_go_only_when_large_and_not_kept(
        records: Path, keep: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    _broken(records)
    steps: list[str] = []
    usual = validate_dataset(*load(records), progress=steps.append)
    assert steps == ["graph", "table-validation", "shacl"]
    monkeypatch.setattr(validating, "LARGE_GRAPH", 1)
    steps.clear()
    large = validate_dataset(*load(records), progress=steps.append, keep_triples=keep)
    assert steps == (["graph", "table-validation", "shacl"] if keep
                     else ["graph", "shacl", "table-validation"])
    assert large.report.findings == usual.report.findings
    assert {"shacl-budget-not-negative", "shacl-end-not-before-start"} <= \
        {f.code for f in large.report.findings}
    assert large.size == usual.size == len(usual.triples) > 0
    assert (large.triples == usual.triples) if keep else large.triples == []


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
