"""An incremental release against a cold one of the same records (issue 19, target 2).

    python benchmarks/incremental.py --projects 10000 100000 --share 0.01 --repeat 3 --docs

For each size: a synthetic record set (:mod:`synthetic`, without errors) is released once
with the cache (the previous release, which fills it) and once without, into two release
folders. Then ``--share`` of the projects change: for each one, an edit (its budget and its
English title), an addition (a copy under a new id) or a deletion (of a project, not of a
programme that others name), in the ratio 3:1:1, chosen by a seeded random generator.
The changed records are then released again in both folders, in turns, ``--repeat``
times (a new version each time): with the cache (incremental) and with ``--no-cache``
(cold). Each release runs in a fresh process (``coopdata release --no-site``,
the step times from its progress callback, CPU of the process and its workers). The files
of each incremental release are compared byte for byte with the cold release of the same
version: any difference fails the benchmark.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.run import MemorySampler, settle  # noqa: E402

START, END = "<!-- incremental:start -->", "<!-- incremental:end -->"
from benchmarks.synthetic import generate  # noqa: E402


def child(records: Path, out: Path, version: str, cache: str) -> None:
    """One release, each step timed; printed as one JSON line."""
    import resource

    from coopdata.release.job import release

    def cpu() -> float:
        own, children = (resource.getrusage(resource.RUSAGE_SELF),
                         resource.getrusage(resource.RUSAGE_CHILDREN))
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    marks: list[tuple[str, float]] = []
    started, cpu_started = time.perf_counter(), cpu()
    release(out, records, version=version, date="2026-01-01", site=False,
            cache=False if cache == "-" else Path(cache),
            progress=lambda name: marks.append((name, time.perf_counter())))
    ended = time.perf_counter()
    stages = {name: following - at for (name, at), (_, following)
              in zip(marks, [*marks[1:], ("end", ended)], strict=True)}
    print(json.dumps({"total": ended - started, "cpu": cpu() - cpu_started, "stages": stages}))


def run(records: Path, out: Path, version: str, cache: Path | None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(records), str(out), version,
               str(cache) if cache else "-"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    sampler = MemorySampler(process.pid)
    sampler.start()
    output, _ = process.communicate()
    sampler.done.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"release {version} failed ({process.returncode})")
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    result["peak_memory_mb"] = sampler.peak_mb
    return result


def change(records: Path, share: float, seed: int) -> dict[str, int]:
    """Edit, add and delete ``share`` of the projects (3:1:1)."""
    rng = random.Random(seed)
    projects = sorted((records / "projects").glob("*.yaml"))
    chosen = rng.sample(projects, max(1, round(len(projects) * share)))
    done = {"edited": 0, "added": 0, "deleted": 0}
    for n, path in enumerate(chosen):
        action = ("edited", "edited", "edited", "added", "deleted")[n % 5]
        text = path.read_text(encoding="utf-8")
        if action == "deleted" and "\ntype: programme\n" in text:
            action = "edited"
        if action == "edited":
            text = text.replace("amount: ", "amount: 1", 1)
            path.write_text(text.replace("  en: ", f"  en: Revised ({seed}) ", 1),
                            encoding="utf-8")
        elif action == "added":
            new_id = f"{path.stem}-bis-{seed}"
            text = text.replace(f"id: {path.stem}\n", f"id: {new_id}\n", 1)
            (path.parent / f"{new_id}.yaml").write_text(text, encoding="utf-8")
        else:
            path.unlink()
        done[action] += 1
    return done


def same_files(left: Path, right: Path) -> bool:
    """Whether two folders hold the same files with the same bytes."""
    comparison = filecmp.dircmp(left, right)
    pending = [comparison]
    while pending:
        current = pending.pop()
        if current.left_only or current.right_only or current.funny_files:
            return False
        _, mismatch, errors = filecmp.cmpfiles(current.left, current.right,
                                               current.common_files, shallow=False)
        if mismatch or errors:
            return False
        pending += current.subdirs.values()
    return True


def measure(projects: int, share: float, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as work:
        base = Path(work)
        records, cache = base / "records", base / "cache"
        generate(projects, records, errors=False)
        settle()
        first = {"with_cache": run(records, base / "incremental", "0", cache),
                 "without": run(records, base / "cold", "0", None)}
        print(json.dumps({"projects": projects, "first": first}), file=sys.stderr)
        rounds = []
        for n in range(1, repeat + 1):
            changed = change(records, share, seed=n)
            settle()
            incremental = run(records, base / "incremental", str(n), cache)
            cold = run(records, base / "cold", str(n), None)
            identical = same_files(base / "incremental" / str(n), base / "cold" / str(n))
            if not identical:
                raise SystemExit(f"release {n}: the incremental release differs from the cold")
            rounds.append({"changed": changed, "incremental": incremental, "cold": cold,
                           "identical": identical,
                           "ratio": incremental["total"] / cold["total"]})
            print(json.dumps(rounds[-1]), file=sys.stderr)
        return {"projects": projects, "share": share, "first": first, "rounds": rounds,
                "ratio_median": statistics.median(r["ratio"] for r in rounds)}


def markdown(results: list[dict[str, Any]]) -> str:
    lines = ["| projects | changed | cold release (no cache) | incremental release | ratio "
             "| first release with / without cache | byte-identical |",
             "|---|---|---|---|---|---|---|"]
    for result in results:
        for r in result["rounds"]:
            changed = ", ".join(f"{v} {k}" for k, v in r["changed"].items())
            lines.append(
                f"| {result['projects']:,} | {changed} | {r['cold']['total']:.1f} s "
                f"| {r['incremental']['total']:.1f} s | {r['ratio']:.2f} "
                f"| {result['first']['with_cache']['total']:.1f} / "
                f"{result['first']['without']['total']:.1f} s "
                f"| {'yes' if r['identical'] else 'no'} |")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], sys.argv[5])
        return
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, nargs="+", default=[10000])
    parser.add_argument("--share", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--docs", action="store_true", help="update docs/performance.md")
    args = parser.parse_args()
    results = [measure(projects, args.share, args.repeat) for projects in args.projects]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    table = markdown(results)
    print(table)
    if args.docs:
        from benchmarks.pages import put_table

        put_table(table, START, END)


if __name__ == "__main__":
    main()
