"""``coopdata build`` against the validate and write steps of ``coopdata release``.

    python benchmarks/build.py --projects 10000 --repeat 3

Issue 15 asks that ``build`` (validate, then write ``graph.ttl`` and the tables) take no
longer than the same work inside a release: the release's steps that load, make the
triples, check the tables and the shapes, and write the RDF files and the tables
(:data:`RELEASE_STEPS`). Both run on the same synthetic records (:mod:`benchmarks.synthetic`,
without deliberate errors), each in a fresh process, alternately, ``--repeat`` times; the
medians and their ratio are printed (and written as JSON with ``--json``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RELEASE_STEPS = ("load", "graph", "rdf-files", "table-validation", "shacl", "tables")
"""The steps of a release that do what ``build`` does."""


def child_build(records: Path, out: Path) -> None:
    from coopdata.release.build import build

    started = time.perf_counter()
    build(out, records)
    print(json.dumps({"seconds": time.perf_counter() - started}), flush=True)


def child_release(records: Path, out: Path) -> None:
    from coopdata.release.job import release

    marks: list[tuple[str, float]] = []
    started = time.perf_counter()
    release(out, records, version="bench", date="2026-01-01", site=False,
            progress=lambda name: marks.append((name, time.perf_counter())))
    ended = time.perf_counter()
    steps = {name: following - at for (name, at), (_, following)
             in zip(marks, [*marks[1:], ("end", ended)], strict=True)}
    print(json.dumps({"seconds": sum(steps.get(name, 0.0) for name in RELEASE_STEPS),
                      "total": ended - started}), flush=True)


def run_child(kind: str, records: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory:
        done = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--records", str(records),
             "--out", str(Path(directory) / "out")],
            capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(
                [str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")])})
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", choices=["build", "release"], help=argparse.SUPPRESS)
    parser.add_argument("--records", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        (child_build if args.child == "build" else child_release)(args.records, args.out)
        return
    sys.path.insert(0, str(ROOT))
    from benchmarks.synthetic import generate

    with tempfile.TemporaryDirectory() as directory:
        records = Path(directory) / "records"
        generate(args.projects, records, errors=False)
        os.sync()
        builds, releases = [], []
        for _ in range(args.repeat):  # alternately, so that both see the same machine
            builds.append(run_child("build", records)["seconds"])
            releases.append(run_child("release", records)["seconds"])
    figures = {"projects": args.projects, "build": builds, "release_steps": releases,
               "build_median": statistics.median(builds),
               "release_steps_median": statistics.median(releases)}
    figures["ratio"] = figures["build_median"] / figures["release_steps_median"]
    print(f"{args.projects:,} projects: build {figures['build_median']:.2f} s, release's "
          f"{' + '.join(RELEASE_STEPS)} {figures['release_steps_median']:.2f} s "
          f"(medians of {args.repeat}); build / release steps = {figures['ratio']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
