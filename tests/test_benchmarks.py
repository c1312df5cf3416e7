"""The benchmark scripts' own arithmetic (their timings are measured outside the suite)."""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.floor import measure
from benchmarks.run import evict

from tests.pagecache import in_memory, resident_pages, skip_unless_evictable


def test_floor_counts_the_version_and_its_records(tmp_path: Path) -> None:
    """``benchmarks/floor.py`` times every file of the version (the tables' among them)
    and every record file, and leaves nothing behind."""
    version = tmp_path / "out" / "1.0.0"
    (version / "tables").mkdir(parents=True)
    (version / "graph.nt").write_bytes(b"<a> <b> <c> .\n" * 100)
    (version / "tables" / "projects.csv").write_bytes(b"id\nrecosa\n")
    records = tmp_path / "records"
    (records / "projects").mkdir(parents=True)
    for name in ("a", "b", "c"):
        (records / "projects" / f"{name}.yaml").write_text(f"id: {name}\n", encoding="utf-8")
    (records / "README.md").write_text("not a record\n", encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    found = measure(version, records, repeat=2)
    assert (found["files"], found["bytes"], found["record_files"]) == (2, 1400 + 10, 3)
    for name in ("write_and_sync", "hash", "records_stat", "records_read_and_hash"):
        cost = found[name]
        assert isinstance(cost, dict) and cost["wall"] >= 0 and cost["cpu"] >= 0
    assert sorted(tmp_path.rglob("*")) == before  # (its scratch folder removed)



def test_records_on_disk_puts_every_record_file_out_of_memory(tmp_path: Path) -> None:
    """``benchmarks/run.py --records-on-disk``: every file of the records, in every
    folder, let go of from the page cache, none changed (the page cache looked at with
    ``mincore``, which reads nothing)."""
    skip_unless_evictable(tmp_path)
    records = tmp_path / "records"
    files = []
    for folder, count in (("projects", 3), ("organisations", 2)):
        (records / folder).mkdir(parents=True)
        for n in range(count):
            path = records / folder / f"{n}.yaml"
            path.write_bytes(b"id: r%d\n" % n * 2000)  # (several pages each)
            files.append(path)
    os.sync()  # (a page not yet on disk cannot be let go of)
    contents = [path.read_bytes() for path in files]
    assert all(map(in_memory, files))
    assert evict(records) == 5
    assert [resident_pages(path) for path in files] == [0] * 5
    assert [path.read_bytes() for path in files] == contents
