"""The record files read ahead (:mod:`coopdata.records.readahead`): only what the loader
would read is advised, never through a link nor waiting on a pipe; a batch already in
memory is passed over; the process reads the load's files in the load's order, and is
gone when the load ends, whatever it was doing."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from benchmarks.synthetic import generate

from coopdata.records.files import MAX_BYTES, record_file_names
from tests.pagecache import last_page_in_memory, let_go, skip_unless_evictable

readahead = importlib.import_module("coopdata.records.readahead")
load = importlib.import_module("coopdata.records.load")

pytestmark = pytest.mark.skipif(not hasattr(os, "posix_fadvise"),
                                reason="no posix_fadvise on this system: nothing is read ahead")


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())  # (a page not yet on disk cannot be let go of)
    return path


@pytest.fixture
def evictable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip where files cannot be let go of from memory (a file system in memory); the
    page cache looked at without reading (see :func:`tests.pagecache.last_page_in_memory`)."""
    skip_unless_evictable(tmp_path)
    monkeypatch.setattr(readahead, "_in_memory", last_page_in_memory)


def _advise_within(paths: Sequence[str], budget: int, seconds: float = 20) -> int:
    """:func:`advise`, which must not hang (a named pipe opened blocking would)."""
    found: list[int] = []
    worker = threading.Thread(target=lambda: found.append(readahead.advise(paths, budget)),
                              daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "advise() waited on a file"
    return found[0]


@pytest.mark.usefixtures("evictable")
def test_only_regular_record_files_are_advised(tmp_path: Path) -> None:
    outside = _written(tmp_path / "outside.yaml", b"id: secret\n" * 100)
    records = tmp_path / "records"
    records.mkdir()
    fifo = records / "pipe.yaml"
    os.mkfifo(fifo)  # (no writer: a blocking open would wait for ever)
    (records / "link.yaml").symlink_to(outside)
    (records / "folder.yaml").mkdir()
    large = _written(records / "large.yaml", b"x" * (MAX_BYTES + 1))
    regular = [_written(records / f"p{n}.yaml", b"id: p%d\n" % n * 50) for n in range(3)]
    let_go(outside, large, *regular)
    paths = [str(fifo), str(records / "link.yaml"), str(records / "folder.yaml"),
             str(large), str(records / "missing.yaml"), *map(str, regular)]
    assert _advise_within(paths, 1 << 30) == 3
    let_go(outside, large, *regular)
    assert _advise_within([str(outside.parent / "records" / "link.yaml")], 1 << 30) == 0


@pytest.mark.usefixtures("evictable")
def test_a_batch_in_memory_is_passed_over(tmp_path: Path) -> None:
    files = [_written(tmp_path / f"p{n}.yaml", b"id: p\n" * 30) for n in range(130)]
    let_go(*files)
    for path in files[readahead.BATCH:2 * readahead.BATCH:7]:
        path.read_bytes()  # (the second batch's first file, among others, in memory)
    # the first batch and the third are advised; the second, whose first file is in
    # memory, is passed over whole
    assert _advise_within(list(map(str, files)), 1 << 30) == \
        len(files) - readahead.BATCH


@pytest.mark.usefixtures("evictable")
def test_advice_stops_at_the_budget(tmp_path: Path) -> None:
    files = [_written(tmp_path / f"p{n}.yaml", b"id: p\n" * 30) for n in range(5)]
    let_go(*files)
    each = files[0].stat().st_blocks * 512
    assert _advise_within(list(map(str, files)), 2 * each) == 2
    let_go(*files)
    assert _advise_within(list(map(str, files)), each - 1) == 0


def test_the_load_reads_ahead_in_its_order_and_stops_the_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = tmp_path / "records"
    generate(30, records, seed=5)
    seen = tmp_path / "seen"

    def child(paths: Sequence[str], budget: int) -> None:  # (forked: the test's function)
        part = seen.with_suffix(".part")
        part.write_text("\n".join(paths), encoding="utf-8")
        os.replace(part, seen)  # (whole or not at all: the load kills it when it ends)
        time.sleep(600)  # (still reading when the load ends)

    def seen_before_the_load_goes_on(paths: Sequence[str]) -> Any:
        """The load's read-ahead, waiting until the child has said what it was given (a
        load of 30 files may end before a busy machine runs the child at all)."""
        @contextmanager
        def block() -> Iterator[None]:
            with reading_ahead(paths):
                deadline = time.monotonic() + 30
                while not seen.exists() and time.monotonic() < deadline:
                    time.sleep(0.01)
                yield
        return block()

    reading_ahead = readahead.reading_ahead
    monkeypatch.setattr(readahead, "_child", child)
    monkeypatch.setattr(load, "reading_ahead", seen_before_the_load_goes_on)
    monkeypatch.setattr(readahead, "AHEAD_FROM", 1)
    for parallel_from in (1, 10**9):
        monkeypatch.setattr(load, "PARALLEL_FROM", parallel_from)
        seen.unlink(missing_ok=True)
        started = time.monotonic()
        dataset, report = load.load(records)
        assert time.monotonic() - started < 60
        assert seen.read_text(encoding="utf-8").split("\n") == \
            [path for _, path in record_file_names(records)]
        assert not [p for p in multiprocessing.active_children()
                    if p.name == "coopdata-read-ahead"]
        monkeypatch.setattr(readahead, "AHEAD_FROM", 10**9)  # the same load without it
        same, same_report = load.load(records)
        monkeypatch.setattr(readahead, "AHEAD_FROM", 1)
        assert [(r.kind, r.id, r.data) for r in dataset] == \
            [(r.kind, r.id, r.data) for r in same]
        assert list(map(str, report.findings)) == list(map(str, same_report.findings))
