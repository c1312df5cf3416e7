"""A short, bounded run of benchmarks/load.py against ``python -m coopdata serve`` on
127.0.0.1: normal clients keep getting answers while an abusive client sends a runaway
query, an update, a SERVICE query, an oversized POST and a path traversal, each refused
as docs/serve.md says. No latency is asserted: the figures are in docs/serve-load.md."""

from __future__ import annotations

import time

from benchmarks import load

BOUND = 60  # seconds: the whole test, server start and stop included (it takes ~7 s)
# --timeout 2: each query is parsed by rdflib in its own process before it runs (about
# 0.1-0.2 s for the queries of the mix on an idle core), on a shared, busy machine
REFUSALS = {  # the status and the first line docs/serve.md documents, at --timeout 2
    "runaway": ("503", "query exceeded the time limit of 2 s"),
    "update": ("403", "updates are not allowed: this endpoint is read-only"),
    "service": ("400", "SERVICE is not allowed"),
    "oversized": ("413", "request larger than 1000000 bytes"),
    "traversal": ("400", "bad file name"),
}


def test_normal_clients_are_answered_beside_an_abusive_one() -> None:
    started = time.monotonic()
    served = load.start_server(timeout=2, ready_within=BOUND / 2)
    try:
        phase = load.run_phase(served.port, clients=4, seconds=3, abusers=1, timeout=2,
                               server_pid=served.process.pid)
        after = load.send(served.port, load.health_request(), 10)
        running = served.process.poll() is None
    finally:
        code = load.stop_server(served)
    elapsed = time.monotonic() - started

    normal = phase["normal"]
    assert normal["requests"] > 0
    assert normal["statuses"] == {"200": normal["requests"]}, normal["error_details"]
    assert set(normal["by_request"]) == {name for name, _, _ in load.MIX} | {"entity recosa"}

    abuse = phase["abuse"]
    assert set(abuse) == set(REFUSALS)  # each kind was sent at least once
    for kind, (status, answer) in REFUSALS.items():
        assert abuse[kind]["statuses"] == {status: abuse[kind]["requests"]}, (kind, abuse[kind])
        assert abuse[kind]["answers"] == [answer]
        assert abuse[kind]["unexpected"] == 0

    assert after == (200, b'{"head":{},"boolean":true}') and running
    assert phase["stragglers"] == 0
    # Ctrl-C stops the server cleanly, unless SIGINT is ignored (a background job)
    assert code == 0 or served.stopped_by != "SIGINT", (code, served.stopped_by)
    assert served.process.poll() is not None
    assert elapsed < BOUND
