"""A bounded load test of ``coopdata serve``, on 127.0.0.1 only (see docs/serve-load.md).

    python benchmarks/load.py --clients 8 --seconds 20 [--abuse] [--json FILE]

Starts ``python -m coopdata serve`` on a free port of 127.0.0.1 (the embedded dataset,
or ``--release DIR``), waits until it answers, then runs ``--clients`` concurrent clients
for ``--seconds`` seconds, each looping over a fixed mix of realistic requests (queries
of docs/queries/ and an entity, ``/id/project/recosa`` as Turtle), every request with a
timeout. It prints requests/s, the p50/p95/p99 latencies and the answers by status.

With ``--abuse`` a second phase follows on the same server: the same measurement while
``--abusers`` extra clients keep sending abusive requests (a runaway cross-product query
that hits the time limit, an update, a SERVICE query, an oversized POST, a path
traversal); each abusive request is checked against the refusal docs/serve.md
documents. Then the server must still answer a simple query, and it is stopped.

Standard library only: threads and http.client. Nothing is sent anywhere but 127.0.0.1
(the SERVICE query even names 127.0.0.1, should it ever be run).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import platform
import resource
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "docs" / "queries"
HOST = "127.0.0.1"  # the only address this script ever talks to

MIX = [  # (query file, how it is sent, Accept): a mix of the query library
    ("projects-by-funder", "GET", "application/sparql-results+json"),
    ("budget-per-funder", "POST-form", "application/sparql-results+json"),
    ("projects-active-in-2019", "GET", "text/csv"),
    ("agreements-by-country", "POST-query", "application/sparql-results+json"),
    ("gfmd-2018-guests", "GET", "application/sparql-results+xml"),
]
ENTITY = "/id/project/recosa"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
OVERSIZED = 2_000_000  # bytes announced by the oversized POST (the default limit is 1e6)
ABUSES: dict[str, tuple[int, ...]] = {  # kind: the statuses docs/serve.md documents
    "runaway": (503,),  # the time limit (or, were every slot taken, "busy": 503 too)
    "update": (403,),
    "service": (400,),
    "oversized": (413,),
    "traversal": (400,),
}


@dataclass(frozen=True)
class Request:
    name: str
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    send_body: bool = True  # False: announce the body (Content-Length) but never send it


@dataclass
class Outcome:
    client: str  # "normal" or "abuse"
    name: str
    status: int | str  # the HTTP status, or the exception that ended the request
    seconds: float
    detail: str = ""  # the first line of a refusal


def sparql_path(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def normal_requests() -> list[Request]:
    """The realistic mix: queries of docs/queries/, sent the three ways the protocol
    allows, in JSON, CSV and XML, and an entity dereferenced as Turtle."""
    mix = []
    for name, how, accept in MIX:
        query = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
        headers = {"Accept": accept}
        if how == "GET":
            mix.append(Request(name, "GET", sparql_path(query), headers))
        elif how == "POST-form":
            body = urllib.parse.urlencode({"query": query}).encode()
            mix.append(Request(name, "POST", "/sparql", {
                **headers, "Content-Type": "application/x-www-form-urlencoded"}, body))
        else:
            mix.append(Request(name, "POST", "/sparql", {
                **headers, "Content-Type": "application/sparql-query"}, query.encode()))
    mix.append(Request("entity recosa", "GET", ENTITY, {"Accept": "text/turtle"}))
    return mix


def abusive_requests() -> dict[str, Request]:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    return {
        "runaway": Request("runaway", "GET", sparql_path(RUNAWAY)),
        "update": Request("update", "POST", "/sparql", form, urllib.parse.urlencode(
            {"update": "DELETE WHERE { ?s ?p ?o }"}).encode()),
        "service": Request("service", "GET", sparql_path(
            f"SELECT * WHERE {{ SERVICE <http://{HOST}:9/sparql> {{ ?s ?p ?o }} }}")),
        # a client that waits for the answer to its headers before sending the body
        "oversized": Request("oversized", "POST", "/sparql",
                             {"Content-Type": "application/sparql-query"},
                             b" " * OVERSIZED, send_body=False),
        "traversal": Request("traversal", "GET", "/releases/%2e%2e/%2e%2e/etc/passwd"),
    }


def send(port: int, request: Request, timeout: float) -> tuple[int | str, bytes]:
    """One request, sent as is (no normalisation of the path), with ``timeout``."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.putrequest(request.method, request.path, skip_accept_encoding=True)
        for name, value in request.headers.items():
            connection.putheader(name, value)
        if request.body is not None:
            connection.putheader("Content-Length", str(len(request.body)))
        connection.endheaders(request.body if request.send_body else None)
        response = connection.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__, b""
    finally:
        connection.close()


def client(port: int, kind: str, requests: list[Request], offset: int, deadline: float,
           timeout: float, out: list[Outcome]) -> None:
    """Sends ``requests`` in turn, starting at ``offset``, until ``deadline``."""
    turn = offset
    while time.monotonic() < deadline:
        request = requests[turn % len(requests)]
        turn += 1
        started = time.monotonic()
        status, body = send(port, request, timeout)
        seconds = time.monotonic() - started
        detail = "" if status == 200 else \
            body.decode("utf-8", "replace").partition("\n")[0][:120]
        out.append(Outcome(kind, request.name, status, seconds, detail))


def percentile(values: list[float], p: float) -> float | None:
    """The nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered), math.ceil(len(ordered) * p / 100)) - 1)]


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def cpu_seconds(pid: int) -> float | None:
    """CPU time of the server and of its waited-for children (the query processes)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU time of this process: the clients compete with the server for the CPUs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def loadavg() -> list[float] | None:
    try:
        return [float(value) for value in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return None


def run_phase(port: int, *, clients: int, seconds: float, abusers: int = 0,
              abuses: Iterable[str] = ABUSES, timeout: float = 5.0,
              server_pid: int | None = None) -> dict[str, Any]:
    """``clients`` normal clients (and ``abusers`` abusive ones) for ``seconds`` seconds.
    Every request has a timeout of ``2 * timeout + 10`` seconds (a slot may be awaited
    ``timeout`` seconds, then the query run as long), so this ends by itself."""
    request_timeout = 2 * timeout + 10
    mix, abusive = normal_requests(), abusive_requests()
    chosen = [abusive[kind] for kind in abuses]
    outcomes: list[Outcome] = []  # list.append is atomic: shared by the threads
    cpu_before, load_before = (cpu_seconds(server_pid) if server_pid else None), loadavg()
    own_before = own_cpu_seconds()
    started = time.monotonic()
    deadline = started + seconds
    threads = [threading.Thread(target=client, daemon=True, args=(
        port, "normal", mix, n, deadline, request_timeout, outcomes)) for n in range(clients)]
    threads += [threading.Thread(target=client, daemon=True, args=(
        port, "abuse", chosen, n, deadline, request_timeout, outcomes))
        for n in range(abusers)]
    for thread in threads:
        thread.start()
    for thread in threads[:clients]:
        thread.join(seconds + request_timeout + 5)
    normal_ended = time.monotonic()
    for thread in threads[clients:]:
        thread.join(max(0.0, deadline + request_timeout + 5 - time.monotonic()))
    ended = time.monotonic()
    cpu_after = cpu_seconds(server_pid) if server_pid else None
    return {
        "clients": clients, "abusers": abusers, "seconds": seconds,
        "wall_seconds": round(ended - started, 2),
        "stragglers": sum(thread.is_alive() for thread in threads),
        "server_cpu_seconds": None if cpu_before is None or cpu_after is None
        else round(cpu_after - cpu_before, 2),
        "client_cpu_seconds": round(own_cpu_seconds() - own_before, 2),
        "loadavg_before": load_before, "loadavg_after": loadavg(),
        "normal": summarise([o for o in outcomes if o.client == "normal"],
                            normal_ended - started),
        "abuse": summarise_abuse([o for o in outcomes if o.client == "abuse"]),
    }


def summarise(outcomes: list[Outcome], wall: float) -> dict[str, Any]:
    latencies = [o.seconds for o in outcomes]
    statuses = Counter(str(o.status) for o in outcomes)
    by_request = {}
    for name in dict.fromkeys(o.name for o in outcomes):
        times = [o.seconds for o in outcomes if o.name == name]
        by_request[name] = {"requests": len(times), "p50_ms": ms(percentile(times, 50)),
                            "p95_ms": ms(percentile(times, 95))}
    return {
        "requests": len(outcomes),
        "requests_per_second": round(len(outcomes) / wall, 1) if wall > 0 else None,
        "p50_ms": ms(percentile(latencies, 50)), "p95_ms": ms(percentile(latencies, 95)),
        "p99_ms": ms(percentile(latencies, 99)), "max_ms": ms(max(latencies, default=None)),
        "statuses": dict(sorted(statuses.items())),
        "errors": sum(n for status, n in statuses.items() if status != "200"),
        "error_details": sorted({f"{o.status} {o.name}: {o.detail}" for o in outcomes
                                 if o.status != 200}),
        "by_request": by_request,
    }


def summarise_abuse(outcomes: list[Outcome]) -> dict[str, Any]:
    kinds = {}
    for kind in dict.fromkeys(o.name for o in outcomes):
        mine = [o for o in outcomes if o.name == kind]
        kinds[kind] = {
            "requests": len(mine), "expected": list(ABUSES[kind]),
            "statuses": dict(sorted(Counter(str(o.status) for o in mine).items())),
            "unexpected": sum(o.status not in ABUSES[kind] for o in mine),
            "answers": sorted({o.detail for o in mine}),
            "p50_ms": ms(percentile([o.seconds for o in mine], 50)),
            "max_ms": ms(max(o.seconds for o in mine)),
        }
    return kinds


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    log: IO[bytes]
    stopped_by: str = ""
    log_lines: int = 0
    log_tail: str = ""


def start_server(*, release: Path | None = None, timeout: float = 5.0,
                 ready_within: float = 120.0) -> Served:
    """``python -m coopdata serve`` on a free port of 127.0.0.1, once it answers."""
    command = [sys.executable, "-m", "coopdata", "serve", "--host", HOST, "--port", "0",
               "--timeout", f"{timeout:g}"]
    if release is not None:
        command += ["--release", str(release)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                       os.environ.get("PYTHONPATH")]))}
    # the server logs a line a request: to a file, never to a pipe that nobody reads
    log = tempfile.TemporaryFile()  # noqa: SIM115 (stop_server closes it)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, env=env, cwd=ROOT)
    served = Served(process, 0, log)
    try:
        deadline = time.monotonic() + ready_within
        line = read_line(process, deadline)
        url = urllib.parse.urlsplit(line.rpartition(" at ")[2].strip())
        if url.hostname != HOST or not url.port:
            raise RuntimeError(f"unexpected first line from the server: {line!r}")
        served.port = url.port
        while send(served.port, health_request(), 5)[0] != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server does not answer")
            time.sleep(0.1)
    except BaseException:
        stop_server(served)
        sys.stderr.write(served.log_tail)
        raise
    return served


def read_line(process: subprocess.Popen[bytes], deadline: float) -> str:
    """The first line the server prints (its URL), waiting until ``deadline`` at most."""
    assert process.stdout is not None
    fd, data = process.stdout.fileno(), b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while b"\n" not in data:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise RuntimeError("the server did not start in time")
            chunk = os.read(fd, 4096)
            if not chunk:
                raise RuntimeError(f"the server exited ({process.wait()})")
            data += chunk
    return data.decode("utf-8", "replace").partition("\n")[0]


def health_request() -> Request:
    return Request("health", "GET", sparql_path("ASK { ?s ?p ?o }"))


def stop_server(served: Served) -> int:
    """Ctrl-C (the server stops cleanly, exit 0); SIGTERM, then SIGKILL, should it not
    stop (a process started in the background of a shell ignores SIGINT)."""
    process = served.process
    for sig, wait, name in ((signal.SIGINT, 10, "SIGINT"), (signal.SIGTERM, 5, "SIGTERM"),
                            (signal.SIGKILL, 5, "SIGKILL")):
        if process.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
        served.stopped_by = name
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(wait)
    if process.stdout is not None:
        process.stdout.close()
    code = process.wait()
    if not served.log.closed:
        served.log.seek(0)
        log = served.log.read()
        served.log_lines, served.log_tail = log.count(b"\n"), \
            log[-4000:].decode("utf-8", "replace")
        served.log.close()
    return code


def machine() -> dict[str, Any]:
    model = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    return {"nproc": os.cpu_count(), "affinity": len(os.sched_getaffinity(0)),
            "cpu_model": model, "python": platform.python_version(),
            "platform": platform.platform()}


def load_test(*, clients: int, seconds: float, abuse: bool, abusers: int = 2,
              timeout: float = 5.0, release: Path | None = None) -> dict[str, Any]:
    started = time.monotonic()
    served = start_server(release=release, timeout=timeout)
    result: dict[str, Any] = {
        "machine": machine(),
        "settings": {"clients": clients, "seconds": seconds, "abusers": abusers if abuse else 0,
                     "server_timeout": timeout, "release": str(release) if release else None,
                     "mix": [request.name for request in normal_requests()],
                     "abuses": list(ABUSES) if abuse else []},
        "startup_seconds": round(time.monotonic() - started, 2),
        "phases": {},
    }
    try:
        pid = served.process.pid
        result["phases"]["baseline"] = run_phase(served.port, clients=clients,
                                                 seconds=seconds, timeout=timeout,
                                                 server_pid=pid)
        if abuse:
            result["phases"]["abuse"] = run_phase(served.port, clients=clients,
                                                  seconds=seconds, abusers=abusers,
                                                  timeout=timeout, server_pid=pid)
        status, body = send(served.port, health_request(), 10)
        result["after"] = {"status": status, "body": body.decode("utf-8", "replace"),
                           "server_running": served.process.poll() is None}
    finally:
        result["server_exit"] = stop_server(served)
        result["server_stopped_by"] = served.stopped_by
        result["server_log_lines"] = served.log_lines
    result["total_seconds"] = round(time.monotonic() - started, 2)
    return result


def report(result: dict[str, Any]) -> str:
    m, s = result["machine"], result["settings"]
    lines = [f"machine: {m['nproc']} CPUs ({m['cpu_model']}), Python {m['python']}",
             f"server: started in {result['startup_seconds']} s, --timeout "
             f"{s['server_timeout']:g}; {s['clients']} clients for {s['seconds']:g} s a phase"]
    for name, phase in result["phases"].items():
        n = phase["normal"]
        lines += [
            "",
            f"[{name}] {phase['clients']} normal clients"
            + (f" + {phase['abusers']} abusive" if phase["abusers"] else "")
            + f"; load average {phase['loadavg_before']} -> {phase['loadavg_after']}; "
            f"CPU: server {phase['server_cpu_seconds']} s, clients "
            f"{phase['client_cpu_seconds']} s",
            f"  normal: {n['requests']} requests, {n['requests_per_second']} req/s, "
            f"p50 {n['p50_ms']} ms, p95 {n['p95_ms']} ms, p99 {n['p99_ms']} ms, "
            f"max {n['max_ms']} ms",
            f"  statuses: {n['statuses']}, errors: {n['errors']}",
        ]
        lines += [f"    {detail}" for detail in n["error_details"][:10]]
        for request, figures in n["by_request"].items():
            lines.append(f"    {request:<26} {figures['requests']:>6}  p50 "
                         f"{figures['p50_ms']} ms  p95 {figures['p95_ms']} ms")
        for kind, a in phase["abuse"].items():
            lines.append(f"  abuse {kind:<10} {a['requests']:>4} requests: {a['statuses']} "
                         f"(expected {a['expected']}, unexpected {a['unexpected']}); "
                         f"p50 {a['p50_ms']} ms; {' | '.join(a['answers'])}")
    after = result.get("after", {})
    lines += ["", f"after: health query {after.get('status')}, server "
              f"{'running' if after.get('server_running') else 'NOT running'}; stopped by "
              f"{result['server_stopped_by']} (exit {result['server_exit']}); "
              f"total {result['total_seconds']} s"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="normal clients (default 8)")
    parser.add_argument("--seconds", type=float, default=20, help="length of a phase")
    parser.add_argument("--abuse", action="store_true",
                        help="a second phase, with abusive clients beside the normal ones")
    parser.add_argument("--abusers", type=int, default=2, help="abusive clients (default 2)")
    parser.add_argument("--timeout", type=float, default=5,
                        help="the server's --timeout, the runaway query's limit (default 5)")
    parser.add_argument("--release", type=Path, default=None,
                        help="serve this release directory instead of the embedded dataset")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here too")
    args = parser.parse_args(argv)
    result = load_test(clients=args.clients, seconds=args.seconds, abuse=args.abuse,
                       abusers=args.abusers, timeout=args.timeout, release=args.release)
    result["command"] = " ".join(["python", "benchmarks/load.py",
                                  *(sys.argv[1:] if argv is None else argv)])
    print(report(result))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    phases = result["phases"].values()
    failed = any(p["normal"]["errors"] or any(a["unexpected"] for a in p["abuse"].values())
                 for p in phases) or result.get("after", {}).get("status") != 200
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
