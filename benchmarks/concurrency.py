"""Many clients at once against ``coopdata serve`` on 127.0.0.1 (docs/serve-load.md):
N clients connect at the same moment, each sends one query and waits for the answer (a
bounded loop: one request a client, a timeout on each). Prints how many connected, the
answers by status, how many 503 carried Retry-After, and latency percentiles.

    python benchmarks/concurrency.py --clients 200 --clients 1000
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

QUERY = "SELECT ?s WHERE { ?s a ?type } LIMIT 10"
TIMEOUT = 30.0  # seconds a client waits to connect and for its whole answer


def one(port: int, start: threading.Event, results: list[dict[str, Any]]) -> None:
    start.wait()
    began = time.monotonic()
    outcome: dict[str, Any] = {}
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
            outcome["connected"] = time.monotonic() - began
            sock.sendall(f"GET /sparql?{urllib.parse.urlencode({'query': QUERY})} "
                         "HTTP/1.0\r\nAccept: application/json\r\n\r\n".encode())
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        outcome["status"] = head.split(" ", 2)[1] if head.startswith("HTTP/") else "garbled"
        outcome["retry_after"] = "\r\nretry-after:" in head.lower()
    except OSError as exc:
        outcome["status"] = type(exc).__name__
    outcome["seconds"] = time.monotonic() - began
    results.append(outcome)


def percentile(values: list[float], p: float) -> float | None:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))] \
        if ordered else None


def run(port: int, clients: int) -> dict[str, Any]:
    start, results = threading.Event(), list[dict[str, Any]]()
    threads = [threading.Thread(target=one, args=(port, start, results), daemon=True)
               for _ in range(clients)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    start.set()
    for thread in threads:
        thread.join(TIMEOUT * 2 + 5)
    wall = time.monotonic() - began
    statuses: dict[str, int] = {}
    for outcome in results:
        statuses[outcome["status"]] = statuses.get(outcome["status"], 0) + 1
    times = [o["seconds"] for o in results]
    ok = [o["seconds"] for o in results if o["status"] == "200"]
    busy = [o for o in results if o["status"] == "503"]
    return {"clients": clients, "wall_s": round(wall, 2), "statuses": statuses,
            "connected": sum("connected" in o for o in results),
            "hung": clients - len(results),
            "busy_with_retry_after": sum(o["retry_after"] for o in busy),
            "p50_ms": round(1000 * (percentile(times, 50) or 0)),
            "p99_ms": round(1000 * (percentile(times, 99) or 0)),
            "max_ms": round(1000 * max(times, default=0)),
            "p50_200_ms": round(1000 * (percentile(ok, 50) or 0))}


def main() -> int:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from load import start_server, stop_server  # the same server start as load.py

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, action="append")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    served = start_server(timeout=5, ready_within=60)
    try:
        figures = [run(served.port, n) for n in args.clients or [200, 1000]]
    finally:
        stop_server(served)
    for figure in figures:
        print(json.dumps(figure))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
