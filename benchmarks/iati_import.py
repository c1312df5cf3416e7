"""Measure ``coopdata import-iati`` on a synthetic IATI file: activities per second, CPU
time and peak memory of all its processes.

    python benchmarks/iati_import.py --activities 100000 [--work /tmp/iati-bench]
        [--workers 1 --workers 2] [--before /path/to/older/src]

The file is generated first (benchmarks/iati_synthetic.py, not timed), then imported into
an empty records folder in a child process, once for each ``--workers`` (default: the
import's own choice) and, with ``--before``, once with the coopdata package found in that
``src`` folder (an older checkout, for a before/after ratio measured in the same run).
For each run: wall-clock and CPU seconds (the child and its workers), activities per
wall-clock second, and the peak of the resident memory of the child and its workers
together (sampled every 20 ms from /proc), printed as one JSON object per line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from iati_synthetic import write  # noqa: E402

_RUN = ("import sys; from coopdata.iati.importer import import_iati; "
        "import_iati([sys.argv[1]], sys.argv[2], workers=int(sys.argv[3])).close()")


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and its descendants (Linux /proc), 0 where unreadable."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            pass
    return total


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall-clock seconds, CPU seconds (with the workers) and peak resident bytes of the
    process tree of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"the import failed (exit code {process.returncode})")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, peak


def measure(activities: int, work: Path, workers: int | None = None,
            before: Path | None = None) -> dict[str, float | int | str]:
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"synthetic-{activities}.xml"
    if not source.is_file():
        write(source, activities)
    out = work / "records"
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ)
    if before is not None:
        env["PYTHONPATH"] = str(before)
        command = [sys.executable, "-m", "coopdata", "import-iati", str(source), "--out",
                   str(out)]
        label = f"before ({before})"
    elif workers is None:
        command = [sys.executable, "-m", "coopdata", "import-iati", str(source), "--out",
                   str(out)]
        label = "import-iati (its own choice of workers)"
    else:
        command = [sys.executable, "-c", _RUN, str(source), str(out), str(workers)]
        label = f"{workers} worker{'s' if workers > 1 else ''}"
    seconds, cpu, peak = _timed(command, env)
    shutil.rmtree(out, ignore_errors=True)
    return {"run": label, "activities": activities,
            "file_mb": round(source.stat().st_size / 1e6, 1), "seconds": round(seconds, 1),
            "cpu_seconds": round(cpu, 1), "activities_per_second": round(activities / seconds),
            "activities_per_cpu_second": round(activities / cpu),
            "peak_mb_all_processes": round(peak / 1e6)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/iati-bench"))
    parser.add_argument("--workers", type=int, action="append",
                        help="run with this many workers (repeat for several runs)")
    parser.add_argument("--before", type=Path, default=None,
                        help="also run the coopdata package of this src folder, first")
    args = parser.parse_args()
    if args.before is not None:
        print(json.dumps(measure(args.activities, args.work, before=args.before)), flush=True)
    for workers in args.workers or [None]:
        print(json.dumps(measure(args.activities, args.work, workers)), flush=True)


if __name__ == "__main__":
    main()
