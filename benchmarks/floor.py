"""What any release of the same files must spend on this machine, whatever makes them.

    python benchmarks/floor.py --release <release folder>/<version> --records <records>

An incremental release (issue 19, target 2) must still publish every file of a version
complete, byte for byte those of a cold release, synced to disk and listed with its
SHA-256 in ``SHA256SUMS``, and must look at every record file to know which changed.
This measures those costs alone, with no coopdata code in the way, on a version written
before and on its records:

- **write and sync**: each file of the version, already in memory, written into a new
  folder and synced (``os.fsync``), one file at a time, as a release's files are;
- **hash**: the SHA-256 of each file's bytes (``hashlib``, as ``SHA256SUMS`` is made);
- **records**: every record file's status (``os.stat``: the least that tells a changed
  file, by size and time), then every record file read and hashed (what coopdata's
  cache does, by content).

Each is timed ``--repeat`` times (the median reported, with CPU time); the version's
files are read into memory before their writing and hashing are timed. The new folder
(beside the version) is removed after.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Clock:
    """Wall and CPU seconds added up over the timed parts of a run."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def time(self, work: Callable[[], object]) -> None:
        started, cpu = time.perf_counter(), _cpu()
        work()
        self.wall += time.perf_counter() - started
        self.cpu += _cpu() - cpu


def _median(clocks: list[Clock]) -> dict[str, float]:
    return {"wall": statistics.median(c.wall for c in clocks),
            "cpu": statistics.median(c.cpu for c in clocks)}


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def measure(release: Path, records: Path, repeat: int) -> dict[str, object]:
    """The costs of the module's docstring, for the version folder ``release`` and the
    records folder ``records``."""
    files = sorted((p for p in release.rglob("*") if p.is_file()),
                   key=lambda p: p.stat().st_size, reverse=True)
    record_files = sorted(p for p in records.rglob("*.yaml") if p.is_file())
    written, hashed, stated, read = [], [], [], []
    with tempfile.TemporaryDirectory(dir=release.parent) as scratch:
        for _ in range(repeat):
            writing, hashing = Clock(), Clock()
            for number, path in enumerate(files):
                data = path.read_bytes()  # (not timed: a release has its bytes in hand)
                target = Path(scratch) / str(number)
                writing.time(lambda: _write(target, data))  # noqa: B023 (called at once)
                hashing.time(lambda: hashlib.sha256(data).digest())  # noqa: B023
                target.unlink()
            written.append(writing)
            hashed.append(hashing)
            stat, whole = Clock(), Clock()
            stat.time(lambda: [os.stat(p) for p in record_files])
            whole.time(lambda: [hashlib.sha256(p.read_bytes()).digest() for p in record_files])
            stated.append(stat)
            read.append(whole)
    return {"release": str(release), "files": len(files),
            "bytes": sum(p.stat().st_size for p in files), "record_files": len(record_files),
            "write_and_sync": _median(written), "hash": _median(hashed),
            "records_stat": _median(stated), "records_read_and_hash": _median(read)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", type=Path, required=True,
                        help="a version folder a release wrote")
    parser.add_argument("--records", type=Path, required=True,
                        help="the records folder it was released from")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cold", type=float,
                        help="the seconds of a cold release of these records: each cost is "
                             "also shown as a share of it")
    args = parser.parse_args()
    found = measure(args.release, args.records, args.repeat)
    print(json.dumps(found, indent=2))
    if args.cold:
        for name in ("write_and_sync", "hash", "records_stat", "records_read_and_hash"):
            cost = found[name]
            assert isinstance(cost, dict)
            print(f"{name}: {cost['wall']:.2f} s ({cost['cpu']:.2f} s CPU), "
                  f"{cost['wall'] / args.cold:.3f} of a cold release")


if __name__ == "__main__":
    main()
