"""Many versions in one release folder: what each new release costs as the folder grows.

    python benchmarks/series.py --versions 40 --baseline ../other/src

Releases the embedded dataset (or ``--records``) ``--versions`` times into one release
folder, version ``1.0.1``, ``1.0.2``…, each in a fresh process with the cache, and records
the time of each release and of its *publish* step (where the catalogue of every version,
``catalog.ttl`` and ``catalog.jsonld`` beside the versions, is made again). With
``--baseline`` (another checkout's ``src``), the same releases are made with that
coopdata into a second folder, in turns with this one's (version by version), so that
both see the same machine. Prints a Markdown table of the versions asked for with
``--show`` and, with ``--json FILE``, every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def child(out: Path, records: str, version: str, cache: Path) -> None:
    """One release, printed as one JSON line: its time and its publish step's."""
    import time

    from coopdata.release.job import release

    marks: dict[str, float] = {}
    started = time.perf_counter()
    release(out, records or None, version=version, date="2026-01-01", site=False,
            cache=cache, progress=lambda name: marks.setdefault(name, time.perf_counter()))
    ended = time.perf_counter()
    print(json.dumps({"total": ended - started, "publish": ended - marks["publish"]}))


def run(source: Path, out: Path, records: str, version: str, cache: Path) -> dict[str, float]:
    environment = {**os.environ, "PYTHONPATH": str(source)}
    done = subprocess.run([sys.executable, __file__, "--child", str(out), records, version,
                           str(cache)], env=environment, capture_output=True, text=True,
                          check=False)
    if done.returncode:
        raise SystemExit(f"release {version} with {source} failed:\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def measure(versions: int, records: str, baseline: Path | None, work: Path
            ) -> dict[str, list[dict[str, float]]]:
    sides = {"this": ROOT / "src"}
    if baseline is not None:
        sides = {"baseline": baseline.resolve(), **sides}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    for n in range(1, versions + 1):
        for name, source in sides.items():
            runs[name].append(run(source, work / name / "out", records, f"1.0.{n}",
                                  work / name / "cache"))
        print(json.dumps({"version": n, **{k: v[-1] for k, v in runs.items()}}),
              file=sys.stderr, flush=True)
    return runs


def markdown(runs: dict[str, list[dict[str, float]]], show: list[int]) -> str:
    names = list(runs)
    head = " | ".join(f"{name}: release, publish" for name in names)
    lines = [f"| versions in the folder | {head} |", "|---" * (len(names) + 1) + "|"]
    for n in show:
        if n <= len(runs[names[0]]):
            cells = " | ".join(f"{runs[name][n - 1]['total']:.2f} s, "
                               f"{runs[name][n - 1]['publish']:.2f} s" for name in names)
            lines.append(f"| {n} | {cells} |")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), sys.argv[3], sys.argv[4], Path(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--versions", type=int, default=40)
    parser.add_argument("--records", default="", help="a records folder (default: embedded)")
    parser.add_argument("--baseline", type=Path, help="another checkout's src, side by side")
    parser.add_argument("--show", type=int, nargs="+", default=[1, 10, 20, 40])
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coopdata-series-") as work:
        runs = measure(args.versions, args.records, args.baseline, Path(work))
    if args.json:
        result: dict[str, Any] = {"versions": args.versions, "runs": runs}
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(markdown(runs, args.show))


if __name__ == "__main__":
    main()
