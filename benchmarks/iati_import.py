"""Measure ``coopdata import-iati`` on a synthetic IATI file: activities per second, CPU
time and peak memory of all its processes.

    python benchmarks/iati_import.py --activities 100000 [--work /tmp/iati-bench]
        [--workers 1 --workers 2] [--before /path/to/older/src] [--steps]
    python benchmarks/iati_import.py --activities 100000 --pipeline [--site]

The file is generated first (benchmarks/iati_synthetic.py, not timed), then imported into
an empty records folder in a child process, once for each ``--workers`` (default: the
import's own choice) and, with ``--before``, once with the coopdata package found in that
``src`` folder (an older checkout, for a before/after ratio measured in the same run).
For each run: wall-clock and CPU seconds (the child and its workers), activities per
wall-clock second, and the peak of the resident memory of the child and its workers
together (sampled every 20 ms from /proc), printed as one JSON object per line. With
``--steps``, each step's CPU time an activity instead, in one process (before and now
alternately, twice, with ``--before``). With ``--pipeline``, the import and then the
validation and the release of what it wrote, each timed the same way.
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from iati_synthetic import write  # noqa: E402

_RUN = ("import sys; from coopdata.iati.reading.importer import import_iati; "
        "import_iati([sys.argv[1]], sys.argv[2], workers=int(sys.argv[3])).close()")
_STEPS = """
import json, sys, time
from coopdata.iati.reading.mapping import map_activity
from coopdata.iati.paths import paths_in
from coopdata.iati.reading.read import ActivityFile, load_schema, schema_folder
from coopdata.iati.reading.recordtext import record_text
try:
    from coopdata.iati.reading.importorgs import NamedOrganisations as Organisations
except ImportError:  # (before the import moved to iati/reading/)
    try:
        from coopdata.iati.writing.organisations import NamedOrganisations as Organisations
    except ImportError:  # (before the importer was split)
        from coopdata.iati.reading.importer import _Organisations as Organisations
steps = {}
def timed(name, work):
    start = time.process_time()
    result = work()
    steps[name] = steps.get(name, 0.0) + time.process_time() - start
    return result
activities = timed("parsing", lambda: [a.__copy__() for a in
                                       ActivityFile(sys.argv[1], None).activities()])
schema = load_schema(schema_folder())
timed("XSD check", lambda: [schema.validate(a) for a in activities])
orgs = Organisations({})
mapped = timed("mapping", lambda: [map_activity(a, warn=lambda *w: None, orgs=orgs)
                                   for a in activities])
timed("path account", lambda: [paths_in(a) for a in activities])
timed("YAML text", lambda: [record_text("project", "iati-x", m.data) for m in mapped])
print(json.dumps({k: round(v / len(activities) * 1000, 3) for k, v in steps.items()}))
"""
"""Each step's CPU milliseconds an activity, in one process over the same activities (the
copy made while parsing counts in parsing)."""


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
        raise SystemExit(f"{command[2:4]} failed (exit code {process.returncode})")
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


def pipeline(activities: int, work: Path, site: bool = False) -> list[dict[str, Any]]:
    """The import, then ``coopdata validate`` and ``coopdata release`` of the records it
    wrote (without the website unless ``site``; without the cache), each in a process of
    its own: wall-clock and CPU seconds and the peak memory of all its processes."""
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"synthetic-{activities}.xml"
    if not source.is_file():
        write(source, activities)
    records, release = work / "records", work / "release"
    for folder in (records, release):
        shutil.rmtree(folder, ignore_errors=True)
    coopdata = [sys.executable, "-m", "coopdata"]
    stages = [("import-iati", [*coopdata, "import-iati", str(source), "--out", str(records)]),
              ("validate", [*coopdata, "validate", "--records", str(records), "--no-cache"]),
              ("release", [*coopdata, "release", "--records", str(records), "--out",
                           str(release), "--version", "1.0.0", "--no-cache",
                           *(() if site else ("--no-site",))])]
    found = []
    for name, command in stages:
        seconds, cpu, peak = _timed(command, dict(os.environ))
        found.append({"run": name, "activities": activities, "seconds": round(seconds, 1),
                      "cpu_seconds": round(cpu, 1),
                      "activities_per_second": round(activities / seconds),
                      "peak_mb_all_processes": round(peak / 1e6)})
        print(json.dumps(found[-1]), flush=True)
    size = sum(p.stat().st_size for p in release.rglob("*") if p.is_file())
    print(json.dumps({"run": "release size", "activities": activities,
                      "files": sum(1 for p in release.rglob("*") if p.is_file()),
                      "mb": round(size / 1e6)}), flush=True)
    for folder in (records, release):
        shutil.rmtree(folder, ignore_errors=True)
    return found


def steps(activities: int, work: Path, before: Path | None = None) -> dict[str, Any]:
    """CPU milliseconds an activity of each step, measured in a child process (with the
    package of ``before`` when given)."""
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"synthetic-{activities}.xml"
    if not source.is_file():
        write(source, activities)
    env = dict(os.environ)
    if before is not None:
        env["PYTHONPATH"] = str(before)
    found = subprocess.run([sys.executable, "-c", _STEPS, str(source)], env=env, check=True,
                           capture_output=True, text=True).stdout
    return {"run": f"steps, before ({before})" if before else "steps", "activities": activities,
            "ms_per_activity": json.loads(found)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/iati-bench"))
    parser.add_argument("--workers", type=int, action="append",
                        help="run with this many workers (repeat for several runs)")
    parser.add_argument("--before", type=Path, default=None,
                        help="also run the coopdata package of this src folder, first")
    parser.add_argument("--steps", action="store_true",
                        help="time each step in one process instead (parsing, XSD check, "
                        "mapping, path account, YAML text), twice with --before")
    parser.add_argument("--pipeline", action="store_true",
                        help="import, then validate and release the records (each timed)")
    parser.add_argument("--site", action="store_true",
                        help="with --pipeline: the release with its website")
    args = parser.parse_args()
    if args.pipeline:
        pipeline(args.activities, args.work, args.site)
        return
    if args.steps:
        for _ in range(2 if args.before is not None else 1):
            if args.before is not None:
                print(json.dumps(steps(args.activities, args.work, args.before)), flush=True)
            print(json.dumps(steps(args.activities, args.work)), flush=True)
        return
    if args.before is not None:
        print(json.dumps(measure(args.activities, args.work, before=args.before)), flush=True)
    for workers in args.workers or [None]:
        print(json.dumps(measure(args.activities, args.work, workers)), flush=True)


if __name__ == "__main__":
    main()
