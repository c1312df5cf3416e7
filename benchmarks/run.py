"""Benchmark coopdata on synthetic record sets, beside the reference pipeline.

    python benchmarks/run.py --projects 1000 10000 100000 --repeat 3 --json figures.json --docs
    python benchmarks/run.py --projects 10000 --repeat 3 --baseline ../other/src

For each size, a deterministic synthetic record set (:mod:`synthetic`, without its
deliberate errors, so that the release goes through) is generated and synced to disk,
then released by ``coopdata release --no-site --no-cache`` (cold) in a fresh process (the website is
measured apart: it is optional at scale), ``--repeat`` times (the run with the median
total is reported), each step of :data:`coopdata.release.job.STEPS` timed with its peak
memory: the resident memory of the release's processes together (worker processes
included, sampled every 50 ms from /proc), or the largest one's peak RSS if that is
more. The reference pipeline (rdflib Graph, Frictionless, pyshacl with default options,
rdflib's serialisers) then runs on the same records, in its own process, killed at
``--reference-timeout`` seconds (the bound is then recorded as a lower limit), and the
fast SHACL validator is timed alone on the same triples for the SHACL speed-up. With
``--docs`` the table goes into docs/performance.md between its markers. With
``--baseline`` only the fast release runs, with another checkout's coopdata and with
this one's in turns, for the load step and the total side by side. With ``--records`` (and
one ``--projects`` size) a set made before is released instead of a new one:

    python benchmarks/run.py --projects 1000000 --reference-up-to 0 --records /data/c1m

With ``--combine`` the figures of such runs (their ``--json`` files) make one table:

    python benchmarks/run.py --combine small.json million.json --json benchmarks/figures.json --docs
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

START, END = "<!-- benchmark:start -->", "<!-- benchmark:end -->"
LAUNCHED = "COOPDATA_BENCHMARK_LAUNCHED"
REFERENCE_STAGES = ("load", "graph", "table-validation", "shacl", "rdf-files", "json-ld")


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def emit(event: dict[str, Any]) -> None:
    print(json.dumps(event), flush=True)


def child_fast(records: Path, out: Path) -> None:
    """The full ``coopdata release``, each step timed through its progress callback."""
    from coopdata.release.job import release

    marks: list[tuple[str, float, float]] = []

    def progress(name: str) -> None:  # (the launcher samples the memory of each step)
        marks.append((name, time.perf_counter(), cpu()))
        emit({"mark": name})

    started = time.perf_counter()
    result = release(out, records, version="bench", date="2026-01-01", site=False,
                     progress=progress, cache=False)  # (cold: nothing kept from a run before)
    ended = time.perf_counter()
    emit({"mark": "end"})
    stages, stages_cpu = {}, {}
    for (name, at, cpu_at), (_, following, cpu_following) in zip(
            marks, [*marks[1:], ("end", ended, cpu())], strict=True):
        stages[name] = following - at
        stages_cpu[name] = cpu_following - cpu_at
    emit({"stages": stages, "total": ended - started, "triples": result.info.triples,
          "peak_rss_mb": peak_rss_mb(), "findings": len(result.report.findings),
          "stages_cpu": stages_cpu})


def cpu() -> float:
    """CPU seconds of this process and of its children reaped so far (a step's workers
    are reaped when it ends): a step's own, on a shared machine, when others' work
    stretches its wall time."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child_shacl(records: Path) -> None:
    """The fast SHACL validator alone on the records' triples, as the reference's SHACL
    step runs alone (in a release, its SPARQL half runs beside the table checks)."""
    from coopdata.collector import paused
    from coopdata.model.uris import Uris
    from coopdata.rdf.triples import triples
    from coopdata.records.load import load
    from coopdata.validate.shacl.check import validate_triples

    with paused():
        dataset, _ = load(records)
        made = triples(dataset)
        started = time.perf_counter()
        validate_triples(made, dataset, uris=Uris())
        emit({"shacl_alone": time.perf_counter() - started})


def child_reference(records: Path, out: Path) -> None:
    """rdflib + Frictionless + pyshacl (default options) + rdflib serialisers."""
    started = time.perf_counter()

    launched = float(os.environ.get(LAUNCHED, time.time()))

    def stage(name: str, at: float) -> float:
        now = time.perf_counter()
        emit({"stage": name, "seconds": now - at, "peak_rss_mb": peak_rss_mb(),
              "ended_at": time.time() - launched})  # (seconds since the process was launched)
        return now

    from coopdata.records.load import load

    at = time.perf_counter()
    dataset, _ = load(records)
    at = stage("load", at)
    from coopdata.reference.graph import build_graph

    graph = build_graph(dataset)
    at = stage("graph", at)
    from coopdata.validate.tables import validate_tables

    validate_tables(dataset, engine="frictionless")
    at = stage("table-validation", at)
    from pyshacl import validate

    from coopdata.validate.shacl.terms import shapes_graph

    validate(graph, shacl_graph=shapes_graph())
    at = stage("shacl", at)
    out.mkdir(parents=True, exist_ok=True)
    graph.serialize(out / "graph.ttl", format="turtle")
    graph.serialize(out / "graph.nt", format="nt")
    at = stage("rdf-files", at)
    from coopdata.rdf.compact import published_context

    graph.serialize(out / "graph.jsonld", format="json-ld", context=published_context())
    at = stage("json-ld", at)
    emit({"total": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()})


def tree_memory_mb(pid: int) -> float:
    """The resident memory of a process and all its descendants, summed, from /proc (an
    upper bound: pages a forked worker still shares with its parent count twice); 0
    where /proc cannot tell. Reading ``statm`` costs next to nothing, unlike ``smaps``,
    so sampling does not slow the run it measures."""
    total_pages, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total_pages += int(handle.read().split()[1])
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    pending += [int(child) for child in handle.read().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def tree_pss_mb(pid: int) -> float:
    """The proportional memory of a process and all its descendants, summed, from
    ``/proc/PID/smaps_rollup``: each page shared by several of them counted once in all
    (a forked process's pages it still shares with its parent are split between the
    two), so that the sum is the memory the release takes; 0 where /proc cannot tell.
    Costlier to read than ``statm`` (the kernel walks each process's pages), so sampled
    once a second."""
    total_kb, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as handle:
                total_kb += next(int(line.split()[1]) for line in handle
                                 if line.startswith("Pss:"))
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    pending += [int(child) for child in handle.read().split()]
        except (OSError, ValueError, IndexError, StopIteration):
            continue
    return total_kb / 1024


class MemorySampler(threading.Thread):
    """Samples :func:`tree_memory_mb` of a process every 50 ms and keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_mb, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.peak_mb = max(self.peak_mb, tree_memory_mb(self.pid))


class StepMemory(MemorySampler):
    """:class:`MemorySampler` of a release's process, its peak kept per step (the step
    it is in is told by the release's progress marks, :meth:`step`): the resident memory
    of the process and its workers at most while each step ran (the step before's last
    sample included, where a step starts holding what that one made). It runs in the
    launching process: a thread in the release's own would make the release run its IATI
    export in place rather than fork it (a release forks only while it runs no other
    thread)."""

    def __init__(self, pid: int) -> None:
        super().__init__(pid)
        self.current = ""
        self.peaks: dict[str, float] = {}
        self.pss_peaks: dict[str, float] = {}
        """Each step's peak of :func:`tree_pss_mb`, sampled once a second."""

    def step(self, name: str) -> None:
        now = tree_memory_mb(self.pid)
        if self.current:
            self.peaks[self.current] = max(self.peaks.get(self.current, 0.0), now)
        self.current = name
        self.peaks[name] = now

    def run(self) -> None:
        samples = 0
        while not self.done.wait(0.05):
            name, now = self.current, tree_memory_mb(self.pid)
            self.peak_mb = max(self.peak_mb, now)
            if name:
                self.peaks[name] = max(self.peaks.get(name, 0.0), now)
                samples += 1
                if samples % 20 == 0:
                    pss = tree_pss_mb(self.pid)
                    self.pss_peaks[name] = max(self.pss_peaks.get(name, 0.0), pss)


def run_child(kind: str, records: Path, timeout: float,
              source: Path = ROOT / "src") -> dict[str, Any]:
    """One child run on ``records``, with the coopdata of ``source`` (this checkout's)."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, __file__, "--child", kind, "--records", str(records),
                   "--out", out]
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True,
                                   env={**os.environ, "PYTHONPATH": str(source),
                                        LAUNCHED: repr(time.time())})
        sampler = StepMemory(process.pid)
        sampler.start()
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            process.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        events = []
        assert process.stdout is not None
        for line in process.stdout:  # (a line at a time: the step marks as they come)
            if line.startswith("{"):
                events.append(json.loads(line))
                if "mark" in events[-1]:
                    sampler.step(events[-1]["mark"])
        process.wait()
        timer.cancel()
        timed_out = killed.is_set()
        sampler.done.set()
        sampler.join()
    result: dict[str, Any] = {"stages": {}, "timed_out": timed_out,
                              "wall": time.perf_counter() - started,
                              "peak_memory_mb": sampler.peak_mb}
    if sampler.peaks:
        result["stages_memory_mb"] = sampler.peaks
    if sampler.pss_peaks:
        result["stages_pss_mb"] = sampler.pss_peaks
        result["peak_pss_mb"] = max(sampler.pss_peaks.values())
    for event in events:
        if "mark" in event:
            continue
        if "stage" in event:
            result["stages"][event["stage"]] = event["seconds"]
        result.update({k: v for k, v in event.items() if k not in ("stage", "seconds")})
    if timed_out:
        result["total"] = timeout
        result["lower_bound"] = True
        done = [name for name in REFERENCE_STAGES if name in result["stages"]]
        if len(done) < len(REFERENCE_STAGES):  # the stage it was killed in ran at least this
            result["killed_in"] = REFERENCE_STAGES[len(done)]
            result["killed_after"] = timeout - result.get("ended_at", 0.0)
    return result


def release_timeout(projects: int) -> float:
    """How long a release of ``projects`` synthetic projects may run before it is killed:
    an hour, or 10 ms a project (a million projects run for tens of minutes)."""
    return max(3600.0, projects / 100)


def command_time(args: list[str], repeat: int = 5) -> float:
    """Median wall time of a coopdata command, interpreter start included."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "coopdata", *args], capture_output=True,
                       check=False, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(memory, 1),
            "python": platform.python_version(), "system": platform.platform()}


def _memory(run: dict[str, Any]) -> float:
    """Peak memory of the run: all its processes together (resident memory, sampled), or
    at least the largest single process's peak RSS."""
    return max(run.get("peak_memory_mb", 0.0), run.get("peak_rss_mb", 0.0))


def markdown(figures: dict[str, Any]) -> str:
    m = figures["machine"]
    lines = [f"Measured on {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, Python "
             f"{m['python']}, {figures['date']}.", "",
             f"- `coopdata --help`: {figures['help_seconds']:.2f} s; `coopdata validate` on the "
             f"embedded dataset: {figures['validate_seconds']:.2f} s (median of 5, interpreter "
             "start included).", ""]
    from coopdata.release.job import STEPS as stages
    pss = any("peak_pss_mb" in run for size in figures["sizes"]
              for run in (size.get("fast"), size.get("reference")) if run)
    lines += ["| projects | triples | pipeline | " + " | ".join(stages)
              + " | total | peak memory |" + (" peak memory, PSS |" if pss else ""),
              "|---|---|---|" + "---|" * len(stages) + "---|---|" + ("---|" if pss else "")]
    for size in figures["sizes"]:
        for name in ("fast", "reference"):
            run = size.get(name)
            if not run:
                continue
            cells = [f"{run['stages'][s]:.1f}" if s in run["stages"] else "" for s in stages]
            total = f"{'> ' if run.get('lower_bound') else ''}{run['total']:.1f} s"
            shared = (f" {run['peak_pss_mb']:.0f} MB |" if "peak_pss_mb" in run else " |") \
                if pss else ""
            lines.append(f"| {size['projects']:,} | {size.get('triples', 0):,} | {name} | "
                         + " | ".join(cells) + f" | {total} | {_memory(run):.0f} MB |" + shared)
    lines += ["", "| projects | end-to-end speed-up | SHACL speed-up | seconds per 1,000 "
              "projects |", "|---|---|---|---|"]
    for size in figures["sizes"]:
        fast, ref = size["fast"], size.get("reference")
        speed = shacl = ""
        if ref:
            bound = "≥ " if ref.get("lower_bound") else ""
            # (conversions: what is left of graph.ttl and graph.jsonld to wait for)
            comparable = sum(v for k, v in fast["stages"].items()
                             if k in REFERENCE_STAGES or k == "conversions")
            speed = f"{bound}{ref['total'] / comparable:.0f}× (same stages)"
            alone = size.get("shacl_alone", fast["stages"]["shacl"])
            if "shacl" in ref["stages"]:
                shacl = f"{ref['stages']['shacl'] / alone:.0f}×"
            elif ref.get("killed_in") == "shacl":  # pyshacl ran that long and had not finished
                shacl = f"≥ {ref['killed_after'] / alone:.0f}× (pyshacl " \
                        f"stopped after {ref['killed_after']:.0f} s)"
            elif ref.get("lower_bound"):
                shacl = "(reference did not reach SHACL within the bound)"
        lines.append(f"| {size['projects']:,} | {speed} | {shacl} | "
                     f"{1000 * fast['total'] / size['projects']:.2f} |")
    notes = [f"{size['projects']:,} projects: "
             + ", ".join(f"{total:.1f}" for total in size["fast_totals"]) + " s"
             for size in figures["sizes"] if len(size.get("fast_totals", ())) > 1]
    if notes:
        lines += ["", "Each fast release ran several times; the table shows the run with the "
                  f"median total (all totals: {'; '.join(notes)})."]
    if any("shacl_alone" in size for size in figures["sizes"]):
        lines += ["", "The SHACL speed-up compares pyshacl with the fast validator timed "
                  "alone on the same triples (in a release, part of it runs beside the "
                  "table checks)."]
    return "\n".join(lines)


def side_by_side(records: Path, baseline: Path, repeat: int,
                 projects: int, on_disk: bool = False) -> dict[str, Any]:
    """The fast release of ``records`` with the coopdata of ``baseline`` (another
    checkout's ``src``) and with this checkout's, in turns, ``repeat`` times each: the
    load step and the total of each run, the medians, and this machine's load average
    before and after (others' work on a shared machine slows both alike). ``on_disk``: the
    record files put out of memory before each run (:func:`evict`)."""
    runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "this": []}
    load_before = os.getloadavg()
    for _ in range(max(repeat, 1)):
        for name, source in (("baseline", baseline), ("this", ROOT / "src")):
            if on_disk:
                evict(records)
            run = run_child("fast", records, timeout=release_timeout(projects), source=source)
            runs[name].append({"load": run["stages"].get("load"), "total": run.get("total"),
                               "load_cpu": run.get("stages_cpu", {}).get("load"),
                               "peak_memory_mb": _memory(run), "stages": run["stages"],
                               "stages_cpu": run.get("stages_cpu", {}),
                               "stages_memory_mb": run.get("stages_memory_mb", {})})
            print(json.dumps({name: runs[name][-1]}), file=sys.stderr, flush=True)
            settle()
    result: dict[str, Any] = {"baseline_source": str(baseline), "runs": runs,
                              "loadavg_before": load_before, "loadavg_after": os.getloadavg()}
    for name, mine in runs.items():
        for measure in ("load", "load_cpu", "total", "peak_memory_mb"):
            values = sorted(run[measure] for run in mine)
            result[f"{name}_{measure}_median"] = values[(len(values) - 1) // 2]
    return result


def side_by_side_markdown(projects: int, result: dict[str, Any]) -> str:
    def cells(name: str, measure: str) -> str:
        values = ", ".join(f"{run[measure]:.1f}" for run in result["runs"][name])
        return f"{result[f'{name}_{measure}_median']:.1f} s ({values})"

    return "\n".join(
        f"| {projects:,} | {name} | {cells(name, 'load')} | {cells(name, 'load_cpu')} | "
        f"{cells(name, 'total')} | {result[f'{name}_peak_memory_mb_median']:.0f} MB |"
        for name in ("baseline", "this"))


def steps_markdown(result: dict[str, Any]) -> str:
    """Each step of the first run of each coopdata side by side: wall time, CPU time (the
    release's process and the workers it reaped) and peak memory."""
    from coopdata.release.job import STEPS

    first = {name: runs[0] for name, runs in result["runs"].items()}
    lines = ["| step | time (baseline → this) | CPU time | peak memory |", "|---|---|---|---|"]
    for step in STEPS:
        cells = [" → ".join(f"{first[name].get(key, {}).get(step, 0.0):.{digits}f}"
                            for name in ("baseline", "this")) + unit
                 for key, digits, unit in (("stages", 1, " s"), ("stages_cpu", 1, " s"),
                                           ("stages_memory_mb", 0, " MB"))]
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def settle() -> None:
    """Let the machine write the generated records to disk before anything is timed:
    otherwise the kernel writes them back while the release runs, competing with it (a
    registry's records have been on disk for a while when it releases them)."""
    os.sync()
    time.sleep(2)


def evict(records: Path) -> int:
    """Put the files of ``records`` out of the system's page cache
    (``--records-on-disk``), as records that have lain on disk a while are: each file's
    pages let go of (``POSIX_FADV_DONTNEED``, which drops pages already written to disk:
    :func:`settle` first). How many files."""
    count = 0
    for folder, _, names in os.walk(records):
        for name in names:
            descriptor = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(descriptor)
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, nargs="+", default=[1000])
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--docs", action="store_true", help="update docs/performance.md")
    parser.add_argument("--reference-up-to", type=int, default=10000,
                        help="run the reference pipeline up to this many projects")
    parser.add_argument("--reference-timeout", type=float, default=600)
    parser.add_argument("--repeat", type=int, default=1,
                        help="release each size this many times and report the run with "
                             "the median total (this machine's timings vary from run to run)")
    parser.add_argument("--baseline", type=Path,
                        help="only the fast release, of the coopdata in this folder (another "
                             "checkout's src) and of this checkout's, in turns, --repeat "
                             "times each: the load step and the total side by side")
    parser.add_argument("--child", choices=["fast", "reference", "shacl"],
                        help=argparse.SUPPRESS)
    parser.add_argument("--records", type=Path,
                        help="release these records (a synthetic set already made, of "
                             "--projects projects: one size) instead of making them")
    parser.add_argument("--combine", type=Path, nargs="+",
                        help="measure nothing: the figures files of earlier runs (their "
                             "--json) as one table (each size from the last file that has "
                             "it), printed, and written by --json and --docs")
    parser.add_argument("--records-on-disk", action="store_true",
                        help="put the record files out of the page cache before each "
                             "release (as records that have lain on disk a while); else "
                             "they are in memory, as just made")
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "fast":
        child_fast(args.records, args.out)
        return
    if args.child == "reference":
        child_reference(args.records, args.out)
        return
    if args.child == "shacl":
        child_shacl(args.records)
        return
    if args.combine:
        figures = combined([json.loads(path.read_text(encoding="utf-8"))
                            for path in args.combine])
        publish(figures, args.json, args.docs)
        return
    if args.records is not None and len(args.projects) != 1:
        parser.error("--records is a set of one size: give one --projects")
    from benchmarks.synthetic import generate

    if args.baseline is not None:
        lines = ["| projects | coopdata | load (median; runs) | load, CPU time | "
                 "total (median; runs) | peak memory |", "|---|---|---|---|---|---|"]
        results, notes = {}, []
        for projects in args.projects:
            with tempfile.TemporaryDirectory() as directory:
                records = args.records or Path(directory) / "records"
                if args.records is None:
                    generate(projects, records, errors=False)
                settle()
                results[projects] = result = side_by_side(records, args.baseline, args.repeat,
                                                          projects, on_disk=args.records_on_disk)
            lines.append(side_by_side_markdown(projects, result))
            print(f"{projects:,} projects, each step:\n{steps_markdown(result)}\n")
            notes.append(f"{projects:,} projects: load average {result['loadavg_before'][0]:.1f} "
                         f"before, {result['loadavg_after'][0]:.1f} after")
        print("\n".join([*lines, "", "; ".join(notes)]))
        if args.json:
            args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        return
    figures: dict[str, Any] = {"machine": machine(), "date": time.strftime("%Y-%m-%d"),
                               "help_seconds": command_time(["--help"]),
                               "validate_seconds": command_time(["validate"]), "sizes": []}
    for projects in args.projects:
        with tempfile.TemporaryDirectory() as directory:
            records = args.records or Path(directory) / "records"
            if args.records is None:
                generate(projects, records, errors=False)
            settle()
            size: dict[str, Any] = {"projects": projects}
            runs = []
            for _ in range(max(args.repeat, 1)):
                if args.records_on_disk:
                    evict(records)
                runs.append(run_child("fast", records, timeout=release_timeout(projects)))
                settle()  # (the release it wrote was deleted)
            runs.sort(key=lambda run: run["total"])
            size["fast"] = runs[(len(runs) - 1) // 2]
            size["fast_totals"] = [run["total"] for run in runs]
            size["triples"] = size["fast"].get("triples", 0)
            if projects <= args.reference_up_to:
                size["shacl_alone"] = run_child("shacl", records, timeout=3600)["shacl_alone"]
                size["reference"] = run_child("reference", records, args.reference_timeout)
            figures["sizes"].append(size)
            print(json.dumps(size), file=sys.stderr, flush=True)
    publish(figures, args.json, args.docs)


def publish(figures: dict[str, Any], path: Path | None, docs: bool) -> None:
    """Print the table of ``figures``; write them as JSON to ``path`` (when given) and the
    table into docs/performance.md (``docs``)."""
    table = markdown(figures)
    print(table)
    if path:
        path.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if docs:
        from benchmarks.pages import put_table

        put_table(table, START, END)


def combined(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of several runs (as ``--json`` wrote them) as one: every size, each
    from the last run that measured it, in the order of their projects; the machine,
    date and command times of the first run (the runs must share the machine)."""
    machines = {json.dumps(run["machine"], sort_keys=True) for run in runs}
    if len(machines) > 1:
        raise SystemExit("these figures were measured on different machines: "
                         + "; ".join(sorted(machines)))
    sizes = {size["projects"]: size for run in runs for size in run["sizes"]}
    dates = sorted({run["date"] for run in runs})
    return {**runs[0], "date": " and ".join(dates),
            "sizes": [sizes[projects] for projects in sorted(sizes)]}


if __name__ == "__main__":
    main()
