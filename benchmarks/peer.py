"""The peer a user would pick instead (issue 19): SHACL validation of the same graph with
the same shapes by coopdata's fast engine, by pyshacl (the reference) and by pyrudof
(rudof's SHACL validator, in Rust), in one run, as ratios to the fast engine.

    python benchmarks/peer.py --projects 1000 10000 --repeat 3 --json benchmarks/peer.json --docs

For each size, a synthetic record set (:mod:`synthetic`, *with* its deliberate errors)
becomes the N-Triples that a release writes as ``graph.nt`` (sorted, each triple once),
and :data:`DEFECTS` are written into it besides, one project in a hundred, so that the
core constraints and SHACL-SPARQL constraints of ``shapes/`` have results to agree on. Each
engine then runs in a fresh process on that file and on the same shapes file: its time is
reading the shapes and the graph and validating (imports and interpreter start apart, in
``process``); its memory is the process's resident memory, sampled every 50 ms. Before
a time is compared, the engine's results are: as a multiset of (focus node, path,
constraint component, severity), they must be the fast engine's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

START, END = "<!-- peer:start -->", "<!-- peer:end -->"
ENGINES = ("fast", "pyshacl", "pyrudof")
ID = "https://w3id.org/coopdata/id/project/"
CODE = "https://w3id.org/coopdata/code/"
COOP, DCT = "https://w3id.org/coopdata/vocab#", "http://purl.org/dc/terms/"
SKOS, FOAF = "http://www.w3.org/2004/02/skos/core#", "http://xmlns.com/foaf/0.1/"
SCHEMA, XSD = "https://schema.org/", "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"

Key = tuple[str, str, str, str]
"""A validation result: (focus node, path or "", constraint component, severity), the last
two as local names (``MinCount``, ``Violation``)."""

# name: (predicates whose triples on the project are removed, triples added: "{p}" is the
# project's IRI, each line "predicate object"). Each breaks one kind of constraint.
DEFECTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "max-count": ((), (f'<{COOP}activityStatus> <{CODE}activity-status/closed>',
                       f'<{COOP}activityStatus> <{CODE}activity-status/pipeline>')),
    "datatype": ((), (f'<{COOP}iatiIdentifier> "XM-1"@fr',)),
    "language-in": ((), (f'<{SKOS}altLabel> "PX"@xx',)),
    "unique-lang": ((), (f'<{DCT}title> "Un autre titre"@fr',)),
    "node-kind": ((), (f'<{FOAF}page> "https://example.org/project"',)),
    "pattern": ((), (f'<{COOP}recipientCountry> <{COUNTRY}SWEDEN>',)),
    "in": ((), (f'<{COOP}theme> <{CODE}theme/no-such-theme>',)),
    "or": ((f"{COOP}actualEnd",), (f'<{COOP}actualEnd> "2018-12-05"',)),
    "date-typed-by-precision": ((f"{COOP}plannedStart",),
                                (f'<{COOP}plannedStart> "2013-06-01"^^<{XSD}gYear>',)),
    "percentage-in-range": ((), (f'<{COOP}capitalSpend> "120"^^<{XSD}decimal>',)),
    "project-has-participant": ((f"{COOP}participation",), ()),
    "budget-revision-negative": ((), (f"<{COOP}budget> <{{p}}/budgets/9>",)),
}
REVISED_BUDGET = (f"{RDF_TYPE} <{COOP}Budget>", f'<{SCHEMA}value> "-9077"^^<{XSD}decimal>',
                  f'<{SCHEMA}currency> "GBP"', f"<{COOP}budgetType> <{CODE}budget-type/revised>")


def defective(document: str, projects: int, *, every: int = 100) -> tuple[str, dict[str, str]]:
    """The N-Triples ``document`` with :data:`DEFECTS` written into the projects numbered
    ``every // 2`` modulo ``every`` (the synthetic errors are on ``every - 1``), a kind
    each in turn; and ``{project id: defect}``."""
    chosen = {f"{ID}project-{n:06d}": name for n, name in zip(
        range(every // 2, projects, every), _cycle(list(DEFECTS)), strict=False)}
    kept, added = [], []
    for line in document.splitlines(keepends=True):
        subject, _, rest = line.partition(" ")
        name = chosen.get(subject[1:-1])
        if name is None or rest.split(" ", 1)[0][1:-1] not in DEFECTS[name][0]:
            kept.append(line)
    for project, name in chosen.items():
        lines = [*DEFECTS[name][1]]
        added += [f"<{project}> {line.replace('{p}', project)} .\n" for line in lines]
        if name == "budget-revision-negative":
            added += [f"<{project}/budgets/9> {line} .\n" for line in REVISED_BUDGET]
    return "".join(sorted(set(kept + added))), {p.removeprefix(ID): n for p, n in chosen.items()}


def _cycle(names: list[str]) -> Iterable[str]:
    while True:
        yield from names


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")


def key(focus: str, path: str | None, component: str, severity: str) -> Key:
    return (focus.strip("<>"), (path or "").strip("<>"), _local(component), _local(severity))


Engine = Callable[[Path, Path, Callable[[], None]], list[Key]]
"""An engine, its modules imported: (graph, shapes, called once the shapes are read) → its
results."""


def engine_fast() -> Engine:
    from rdflib import Graph

    from coopdata.validate.shacl.core import compile_shapes, shape_results

    def run(graph: Path, shapes: Path, shapes_read: Callable[[], None]) -> list[Key]:
        compiled = compile_shapes(Graph().parse(shapes))
        shapes_read()
        return [key(r.focus, r.path, r.component, r.severity)
                for r in shape_results(graph.read_bytes(), compiled)]
    return run


def engine_pyshacl() -> Engine:
    """pyshacl with its default options (as a user would call it; also as the reference
    pipeline of benchmarks/run.py does), its report read as coopdata's reference engine
    reads it."""
    from pyshacl import validate
    from rdflib import Graph

    from coopdata.validate.shacl.report import report_results

    def run(graph: Path, shapes: Path, shapes_read: Callable[[], None]) -> list[Key]:
        shapes_graph = Graph().parse(shapes)
        shapes_read()
        _, report, _ = validate(Graph().parse(graph, format="nt"), shacl_graph=shapes_graph)
        return [key(r.focus, r.path, r.component, r.severity)
                for r in report_results(report)]
    return run


def engine_pyrudof() -> Engine:
    """pyrudof's default (native) SHACL engine."""
    import pyrudof

    def run(graph: Path, shapes: Path, shapes_read: Callable[[], None]) -> list[Key]:
        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_shacl(str(shapes))
        shapes_read()
        rudof.read_data(str(graph), format=pyrudof.RDFFormat.NTriples)
        return [key(str(entry.focus_node), entry.path and str(entry.path),
                    str(entry.constraint_component), f"#{entry.severity}")
                for entry in rudof.validate_shacl()]
    return run


RUN: dict[str, Callable[[], Engine]] = {
    "fast": engine_fast, "pyshacl": engine_pyshacl, "pyrudof": engine_pyrudof}


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("coopdata", "pyoxigraph", "rdflib", "pyshacl", "pyrudof"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found


def available(engine: str) -> bool:
    from importlib.util import find_spec

    return engine == "fast" or find_spec(engine) is not None


def child(engine: str, graph: Path, shapes: Path, out: Path) -> None:
    """One engine in this process: its results into ``out``, its figures on stdout."""
    run = RUN[engine]()
    laps: list[float] = []
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    results = run(graph, shapes, lambda: laps.append(time.perf_counter()))
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    out.write_text(json.dumps(sorted(results)), encoding="utf-8")
    print(json.dumps({"seconds": seconds, "shapes_seconds": laps[0] - started,
                      "cpu_seconds": after.ru_utime + after.ru_stime - before.ru_utime
                      - before.ru_stime, "rss_mb": after.ru_maxrss / 1024}))


def run_engine(engine: str, graph: Path, shapes: Path, timeout: float) -> dict[str, Any]:
    """The engine in a fresh process: its figures and results (``timed_out`` past
    ``timeout`` seconds, killed)."""
    from benchmarks.run import MemorySampler

    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "results.json"
        load = os.getloadavg()[0]
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, __file__, "--child", engine, "--graph", str(graph),
             "--shapes", str(shapes), "--out", str(out)], stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        sampler = MemorySampler(process.pid)
        sampler.start()
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return {"timed_out": timeout, "load": load}
        finally:
            sampler.done.set()
            sampler.join()
        if process.returncode:
            raise RuntimeError(f"{engine} failed (exit {process.returncode})")
        figures: dict[str, Any] = json.loads(output.splitlines()[-1])
        results = [tuple(result) for result in json.loads(out.read_text(encoding="utf-8"))]
    return {**figures, "process": time.perf_counter() - started, "load": load,
            "memory_mb": max(sampler.peak_mb, figures["rss_mb"]), "results": results}


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median time (a run that timed out counts as the slowest), with
    every run's time; each run must have given the same results."""
    if any(run.get("results") != runs[0].get("results") for run in runs):
        raise RuntimeError("an engine gave different results from one run to the next")
    ordered = sorted(runs, key=lambda run: run.get("seconds", float("inf")))
    return {**ordered[(len(ordered) - 1) // 2],
            "all_seconds": [run.get("seconds", run.get("timed_out")) for run in runs]}


def by_kind(results: Iterable[Key]) -> Counter[str]:
    """Results counted by constraint component and path (local names)."""
    return Counter(f"{component} {path.rsplit('/', 1)[-1].rsplit('#', 1)[-1]}"
                   for _, path, component, _ in results)


def agreement(runs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """For each engine beside ``fast``: whether its results are the fast engine's, and the
    results only one of the two gives."""
    fast = Counter(map(tuple, runs["fast"]["results"]))
    found = {}
    for engine, run in runs.items():
        if engine == "fast" or "results" not in run:
            continue
        other = Counter(map(tuple, run["results"]))
        found[engine] = {"same": other == fast, "only_fast": sorted((fast - other).elements()),
                         f"only_{engine}": sorted((other - fast).elements())}
    return found


def measure(projects: int, engines: list[str], *, pyshacl_up_to: int, timeout: float,
            every: int = 100, repeat: int = 1) -> dict[str, Any]:
    """One size: the records (a synthetic error in one project in ``every``) and the graph
    (a defect in one project in ``every``) made, each engine run on it (``repeat`` times,
    pyshacl once: the run with the median time is kept), their results compared."""
    from benchmarks.run import settle
    from benchmarks.synthetic import generate
    from coopdata.rdf.triples import ntriples, triples
    from coopdata.records.load import load
    from coopdata.validate.shacl.terms import shapes_graph

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        errors = generate(projects, folder / "records", error_every=every)
        dataset, _ = load(folder / "records")
        document, defects = defective(ntriples(triples(dataset)), projects, every=every)
        graph, shapes = folder / "graph.nt", folder / "shapes.ttl"
        graph.write_text(document, encoding="utf-8")
        shapes_graph().serialize(shapes, format="turtle")
        del dataset, document
        settle()
        size: dict[str, Any] = {"projects": projects, "triples": sum(1 for _ in graph.open()),
                                "record_errors": len(errors), "graph_defects": len(defects),
                                "runs": {}}
        for engine in engines:
            if engine == "pyshacl" and projects > pyshacl_up_to:
                continue
            size["runs"][engine] = median_run(
                [run_engine(engine, graph, shapes, timeout)
                 for _ in range(1 if engine == "pyshacl" else max(repeat, 1))])
            print(f"{projects:,} {engine}: " + json.dumps(
                {k: v for k, v in size["runs"][engine].items() if k != "results"}),
                file=sys.stderr, flush=True)
    size["agreement"] = agreement(size["runs"])
    size["kinds"] = {engine: dict(sorted(by_kind(run["results"]).items()))
                     for engine, run in size["runs"].items() if "results" in run}
    for run in size["runs"].values():
        run["results"] = len(run.get("results", ()))
    return size


def markdown(figures: dict[str, Any]) -> str:
    m = figures["machine"]
    names = ", ".join(f"{k} {v}" for k, v in figures["versions"].items())
    lines = [f"Measured on {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, Python "
             f"{m['python']}, {figures['date']}: {names}.", "",
             "| projects | triples | engine | results | same results as fast | shapes | "
             "total | × fast | CPU | × fast | peak memory | × fast | process | load |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for size in figures["sizes"]:
        fast = size["runs"]["fast"]
        for engine, run in size["runs"].items():
            cells = [f"{size['projects']:,}", f"{size['triples']:,}", engine]
            if "timed_out" in run:
                bound = run["timed_out"]
                cells += ["", "", "", f"> {bound:.0f} s", f"≥ {bound / fast['seconds']:.0f}×",
                          "", "", "", "", "", f"{run['load']:.1f}"]
            else:
                same = size["agreement"].get(engine, {}).get("same")
                cells += [
                    f"{run['results']:,}", "—" if engine == "fast" else "yes" if same else
                    "**no**", f"{run['shapes_seconds']:.2f} s", f"{run['seconds']:.2f} s",
                    f"{run['seconds'] / fast['seconds']:.1f}×", f"{run['cpu_seconds']:.2f} s",
                    f"{run['cpu_seconds'] / fast['cpu_seconds']:.1f}×",
                    f"{run['memory_mb']:.0f} MB", f"{run['memory_mb'] / fast['memory_mb']:.1f}×",
                    f"{run['process']:.2f} s", f"{run['load']:.1f}"]
            lines.append("| " + " | ".join(cells) + " |")
    columns = [(size, engine) for size in figures["sizes"] for engine in size["kinds"]]
    kinds = sorted(set().union(*(size["kinds"][engine] for size, engine in columns)))
    lines += ["", "Results by constraint component and path (projects with an error in "
              "their record, and with a defect written into the graph: " + "; ".join(
                  f"{size['record_errors']:,} and {size['graph_defects']:,} of "
                  f"{size['projects']:,}" for size in figures["sizes"]) + "):", "",
              "| component | path | " + " | ".join(
                  f"{engine}, {size['projects']:,}" for size, engine in columns) + " |",
              "|---|---|" + "---|" * len(columns)]
    for kind in kinds:
        component, path = kind.split(" ", 1)
        lines.append(f"| {component} | {path or '(none)'} | " + " | ".join(
            str(size["kinds"][engine].get(kind, 0)) for size, engine in columns) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, nargs="+", default=[1000])
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--pyshacl-up-to", type=int, default=1000,
                        help="run pyshacl up to this many projects (184 s at 1,000)")
    parser.add_argument("--timeout", type=float, default=1200,
                        help="seconds an engine may take at one size before it is killed")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each engine but pyshacl this many times, keep the median")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--add", action="store_true",
                        help="keep the other sizes of the --json file, replacing these")
    parser.add_argument("--docs", action="store_true", help="update docs/performance.md")
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--graph", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--shapes", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.graph, args.shapes, args.out)
        return
    from benchmarks.run import machine

    engines = [engine for engine in args.engines if available(engine)]
    missing = sorted(set(args.engines) - set(engines))
    if missing:
        print(f"not installed, left out: {', '.join(missing)} "
              "(pip install -e '.[bench]')", file=sys.stderr)
    figures: dict[str, Any] = {"machine": machine(), "date": time.strftime("%Y-%m-%d"),
                               "versions": versions(), "sizes": []}
    if args.add and args.json and args.json.exists():
        earlier = json.loads(args.json.read_text(encoding="utf-8"))["sizes"]
        figures["sizes"] = [size for size in earlier if size["projects"] not in args.projects]
    for projects in args.projects:
        figures["sizes"].append(measure(projects, engines, pyshacl_up_to=args.pyshacl_up_to,
                                        timeout=args.timeout, repeat=args.repeat))
    figures["sizes"].sort(key=lambda size: size["projects"])
    table = markdown(figures)
    print(table)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if args.docs:
        from benchmarks.pages import put_table

        put_table(table, START, END)


if __name__ == "__main__":
    main()
