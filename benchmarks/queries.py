"""Time the documented queries of docs/queries/ on a large synthetic graph.

    python benchmarks/queries.py --projects 10000 --repeat 3
    python benchmarks/queries.py --queries /tmp/old-queries --timeout 300   # another library

A deterministic synthetic record set (:mod:`synthetic`, without its deliberate errors)
is generated and released with ``coopdata release --no-site``; the store that
``coopdata query --release`` opens on that release (:func:`coopdata.sparql.query.open_store`)
gets the embedded dataset's graph as well, so that the queries about agreements,
events and renamed organisations, which the synthetic records do not have, find
something too. Each query then runs in a process of its own, the way ``coopdata query
--format csv`` runs it (:func:`~coopdata.sparql.query.run_query`, then every row written as
CSV), ``--repeat`` times (fewer when there is no time left); the median is reported,
loading the graph excluded (it is timed apart). A query that has not finished after
``--timeout`` seconds is killed and reported as ``> TIMEOUT``. Not a test: the figures
depend on the machine; the target (docs/performance.md) is under 2 s a query at 10,000
projects.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LOADING = 90.0
"""Seconds a query's process may take, beyond --timeout, to load the graph."""


def child(release: Path, query_file: Path, repeat: int, embedded: bool,
          timeout: float) -> None:
    """Load the graph, run one query ``repeat`` times, print the figures as JSON."""
    from coopdata.sparql.query import open_store, run_query
    from coopdata.sparql.results import format_result

    started = time.perf_counter()
    store = open_store(release)
    if embedded:
        import pyoxigraph

        from coopdata.model.resources import default_records
        from coopdata.rdf.turtle import ntriples_lines
        from coopdata.records.load import load
        from coopdata.reference.graph import build_graph

        dataset, _ = load(default_records())
        store.bulk_load("".join(ntriples_lines(build_graph(dataset))).encode("utf-8"),
                        format=pyoxigraph.RdfFormat.N_TRIPLES)
    loaded = time.perf_counter() - started
    text = query_file.read_text(encoding="utf-8")
    times, rows = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        output = format_result(run_query(store, text), "csv")
        times.append(time.perf_counter() - started)
        rows = output.count("\n") - 1
        if sum(times) + times[-1] > timeout:  # no time for another run
            break
    print(json.dumps({"load": loaded, "times": times, "rows": rows, "triples": len(store)}))


def release_synthetic(projects: int, work: Path) -> Path:
    """The release of ``projects`` synthetic projects in ``work`` (made once, reused)."""
    from benchmarks.synthetic import generate

    release = work / "releases" / "bench"
    if (release / "graph.nt").is_file():
        return release
    records = work / "records"
    if not records.is_dir():
        generate(projects, records, errors=False)
    subprocess.run([sys.executable, "-m", "coopdata", "release", "--records", str(records),
                    "--out", str(work / "releases"), "--version", "bench",
                    "--date", "2026-01-01", "--no-site"], check=True,
                   stdout=subprocess.DEVNULL)
    return release


def measure(release: Path, query_file: Path, repeat: int, timeout: float,
            embedded: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(release), str(query_file),
               str(repeat), "1" if embedded else "0", str(timeout)]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout + LOADING,
                              check=False)
    except subprocess.TimeoutExpired:
        return {"query": query_file.stem, "timeout": timeout,
                "elapsed": time.perf_counter() - started}
    if done.returncode != 0:
        return {"query": query_file.stem, "error": done.stderr.strip().splitlines()[-1:]}
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["query"] = query_file.stem
    figures["median"] = statistics.median(figures["times"])
    return figures


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1",
              float(sys.argv[6]))
        return
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds a query may run before it is killed (default 120)")
    parser.add_argument("--queries", type=Path, default=ROOT / "docs" / "queries",
                        help="folder of .rq files (default docs/queries)")
    parser.add_argument("--work", type=Path,
                        help="folder for the records and release, kept for the next run")
    parser.add_argument("--no-embedded", action="store_true",
                        help="the synthetic graph alone, without the embedded dataset")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="coopdata-queries-"))
    work.mkdir(parents=True, exist_ok=True)
    release = release_synthetic(args.projects, work)
    results = []
    print(f"{'query':45} {'rows':>7} {'median s':>9}", flush=True)
    for query_file in sorted(args.queries.glob("*.rq")):
        figures = measure(release, query_file, args.repeat, args.timeout,
                          not args.no_embedded)
        results.append(figures)
        if "timeout" in figures:
            shown = f"> {args.timeout:g}"
            rows = "?"
        elif "error" in figures:
            shown, rows = "failed", " ".join(figures["error"])
        else:
            shown, rows = f"{figures['median']:.2f}", str(figures["rows"])
        print(f"{query_file.stem:45} {rows:>7} {shown:>9}", flush=True)
    loads = [f["load"] for f in results if "load" in f]
    triples = next((f["triples"] for f in results if "triples" in f), 0)
    if loads:
        print(f"{triples} triples, loaded in {statistics.median(loads):.1f} s (median)")
    if args.json:
        args.json.write_text(json.dumps({"projects": args.projects, "triples": triples,
                                         "results": results}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
