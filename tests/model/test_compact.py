"""Records held pickled (Dataset.compact, for very many records of a kind): the dataset
answers as before, a load compacts each kind from COMPACT_FROM records on, and a release
of a compacted dataset is byte for byte the release of the same records held as objects."""

from __future__ import annotations

import pickle
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopdata.model.dataset import Dataset, InOrder, Pickled, Record
from coopdata.model.spec import KINDS
from coopdata.records import load as loading
from coopdata.records.load import load
from coopdata.release.job import release
from tests.conftest import FIXTURES


def _seen(dataset: Dataset) -> list[object]:
    """Everything a step can ask a dataset, in order."""
    return [dataset.counts(), len(dataset),
            [(r.kind, r.id, r.path, r.data, dict(r.lines)) for r in dataset],
            {kind: dataset.ids(kind) for kind in KINDS},
            {kind: [(r.id, r.data) for r in dataset.of_kind(kind)[::2]] for kind in KINDS},
            {kind: [dataset.get(kind, i) for i in [*dataset.ids(kind), "nobody"]]
             for kind in KINDS}]


def test_a_compacted_dataset_answers_as_the_same_records_as_objects() -> None:
    plain, _ = load(FIXTURES / "records")
    compacted, _ = load(FIXTURES / "records")
    for kind in KINDS:
        compacted.compact(kind)
        assert isinstance(compacted.by_kind[kind], Pickled)
    assert _seen(compacted) == _seen(plain)
    projects = compacted.of_kind("project")
    assert isinstance(projects, InOrder) and projects[-1] == plain.of_kind("project")[-1]


def test_a_record_read_from_a_compacted_dataset_is_a_copy() -> None:
    """Changing a record read changes nothing held (as the dataset's documentation says);
    adding it again does."""
    dataset, _ = load(FIXTURES / "records")
    dataset.compact("project")
    record = dataset.get("project", "second")
    assert record is not None and record is not dataset.get("project", "second")
    record.data["acronym"] = {"en": "CHANGED"}
    assert dataset.get("project", "second").data.get("acronym") != {"en": "CHANGED"}  # type: ignore[union-attr]
    dataset.add(record)
    assert dataset.get("project", "second").data["acronym"] == {"en": "CHANGED"}  # type: ignore[union-attr]
    del dataset.by_kind["project"]["second"]
    assert dataset.get("project", "second") is None and "second" not in dataset.ids("project")


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True),
                       st.recursive(st.text(max_size=5) | st.integers() | st.none(),
                                    lambda inner: st.lists(inner, max_size=3)
                                    | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                                    max_leaves=8), max_size=6))
def test_pickled_records_come_back_equal(datas: dict[str, object]) -> None:
    records = {i: Record("project", i, f"records/projects/{i}.yaml", {"x": value})
               for i, value in datas.items()}
    expected = dict(records)
    pickled = Pickled(records)
    assert records == {}  # (moved in, each freed as soon as it is pickled)
    assert dict(pickled) == expected and len(pickled) == len(expected)
    assert InOrder(pickled, sorted(pickled))[:] == [expected[i] for i in sorted(expected)]


def test_pickles_are_kept_in_an_unlinked_file_that_a_forked_process_reads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No file is left behind, however the process ends; a forked process (the release's
    IATI export) reads the same records, and its parent goes on adding and replacing."""
    import multiprocessing

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    plain, _ = load(FIXTURES / "records")
    dataset, _ = load(FIXTURES / "records")
    for kind in KINDS:
        dataset.compact(kind)
    assert list(tmp_path.iterdir()) == []  # (unlinked as soon as made)
    expected = [(r.kind, r.id, r.data) for r in plain]
    _FORKED[:] = [dataset]
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(_forked_records) == expected
    assert pickle.loads(pickle.dumps(dataset)).by_kind == dataset.by_kind  # (as mappings)
    record = dataset.get("project", "second")
    assert record is not None
    record.data["acronym"] = {"en": "AGAIN"}
    dataset.add(record)
    assert _records_of(dataset)[:2] == expected[:2]
    assert dataset.get("project", "second") == record != plain.get("project", "second")


_FORKED: list[Dataset] = []


def _forked_records() -> list[tuple[str, str, object]]:
    return _records_of(_FORKED[0])


def _records_of(dataset: Dataset) -> list[tuple[str, str, object]]:
    return [(r.kind, r.id, r.data) for r in dataset]


@pytest.mark.parametrize("threshold", [1, 3, 10**9])
def test_a_load_compacts_each_kind_from_compact_from_records_on(
        threshold: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loading, "COMPACT_FROM", threshold)
    dataset, report = load(FIXTURES / "records")
    plain, plain_report = load(FIXTURES / "records", progress=None) if threshold == 10**9 \
        else _loaded_plainly(monkeypatch)
    for kind, count in dataset.counts().items():
        assert isinstance(dataset.by_kind[kind], Pickled) == (count >= threshold), kind
    assert _seen(dataset) == _seen(plain) and report.findings == plain_report.findings


def _loaded_plainly(monkeypatch: pytest.MonkeyPatch) -> tuple[Dataset, object]:
    with monkeypatch.context() as plainly:
        plainly.setattr(loading, "COMPACT_FROM", 10**9)
        return load(FIXTURES / "records")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("records", [None, FIXTURES / "records"], ids=["embedded", "fixtures"])
def test_a_release_of_compacted_records_is_the_release_of_the_same_records(
        records: Path | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every kind compacted (COMPACT_FROM 1), the website included, a first and a second
    release (whose changelog reads the records of both): the same bytes."""
    outs = {}
    for name, threshold in (("objects", 10**9), ("pickled", 1)):
        monkeypatch.setattr(loading, "COMPACT_FROM", threshold)
        out = tmp_path / name
        release(out, records, version="1", date="2026-12-06", cache=False)
        edited = tmp_path / f"edited-{name}"
        shutil.copytree(records or Path(loading.default_records()), edited)
        project = sorted((edited / "projects").glob("*.yaml"))[0]
        (edited / "projects" / "zz-copy.yaml").write_text(re.sub(
            "^id: .*$", "id: zz-copy", project.read_text(encoding="utf-8"), count=1,
            flags=re.MULTILINE), encoding="utf-8")
        release(out, edited, version="2", date="2026-12-07", cache=False)
        outs[name] = _files(out)
    assert outs["pickled"].keys() == outs["objects"].keys()
    assert any(name.startswith("2/changes/") for name in outs["pickled"])
    for name, data in outs["objects"].items():
        assert outs["pickled"][name] == data, name


@pytest.mark.parametrize(("filled", "read"), [(1, 10**9), (10**9, 1)])
def test_a_cache_filled_one_way_gives_the_records_the_other_way(
        filled: int, read: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records kept in the cache pickled (or as objects) come back held as the load that
    reads them holds its kinds."""
    from coopdata.cache import opened

    plain = _loaded_plainly(monkeypatch)
    for threshold in (filled, read):
        monkeypatch.setattr(loading, "COMPACT_FROM", threshold)
        with opened(tmp_path / "cache") as cache:
            dataset, report = load(FIXTURES / "records", cache=cache)
        assert all(isinstance(dataset.by_kind[kind], Pickled) == (count >= threshold)
                   for kind, count in dataset.counts().items())
        assert _seen(dataset) == _seen(plain[0]) and report.findings == plain[1].findings  # type: ignore[attr-defined]
