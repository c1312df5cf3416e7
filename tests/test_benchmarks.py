"""The benchmark scripts' own arithmetic (their timings are measured outside the suite)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.floor import measure


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
