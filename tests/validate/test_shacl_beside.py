"""SHACL-SPARQL beside the caller (:func:`coopdata.validate.shacl.core.begin`): in a
forked process where it can fork, else in a thread; the same results either way, and no
child left running when the caller lets go of the check.

Each case runs in a fresh interpreter (spawned): a process that ran a store on disk
keeps RocksDB's threads, beside which the check never forks (as a test shows)."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def _in_a_fresh_process(case: str, folder: Path) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(_case, case, folder).result()


def _case(case: str, folder: Path) -> dict[str, Any]:
    """Run ``case`` here (a spawned process, writing into ``folder``) and tell what it
    saw."""
    from benchmarks.synthetic import generate

    from coopdata import forked as forked_module
    from coopdata.model.uris import Uris
    from coopdata.rdf.triples import triples
    from coopdata.records.load import load
    from coopdata.validate.shacl import check, core

    generate(300, folder / "records", error_every=7)  # (every SPARQL constraint has cases)
    dataset, _ = load(folder / "records")
    data = triples(dataset, uris=Uris())
    started: list[int] = []
    start = forked_module.Forked.start

    def noted(self: Any, call: Any) -> None:
        start(self, call)
        if self.pid:
            started.append(self.pid)

    forked_module.Forked.start = noted  # type: ignore[method-assign]
    seen: dict[str, Any] = {"threads": forked_module._threads()}

    def findings() -> list[Any]:
        return check.begin_triples(data, dataset, uris=Uris())()  # type: ignore[arg-type]

    if case == "fork-or-thread":
        seen["forked"] = findings()
        seen["children"] = len(started)
        forked_module.room_to_fork = lambda: False  # type: ignore[assignment]
        seen["threaded"] = findings()
        seen["children after"] = len(started)
    elif case == "let-go":
        finish = check.begin_triples(data, dataset, uris=Uris())  # type: ignore[arg-type]
        seen["running"] = started[0] in forked_module._running
        del finish
        seen["running after"] = started[0] in forked_module._running
        try:
            os.waitpid(started[0], os.WNOHANG)
            seen["reaped"] = False
        except ChildProcessError:
            seen["reaped"] = True
    elif case == "child-fails":
        seen["expected"] = findings()
        parent, run_selects = os.getpid(), core.run_selects

        def failing_in_a_child(*args: Any, **kwargs: Any) -> Any:
            if os.getpid() != parent:
                raise MemoryError("the child ran out of memory")
            return run_selects(*args, **kwargs)

        core.run_selects = failing_in_a_child  # type: ignore[assignment]
        seen["again"] = findings()
        seen["children"] = len(started)
    elif case == "beside-rocksdb":
        import pyoxigraph

        store = pyoxigraph.Store(str(folder / "store"))  # (RocksDB's threads start)
        del store
        seen["threads after a store on disk"] = forked_module._threads()
        seen["findings"] = findings()
        seen["children"] = len(started)
        loose = forked_module.Forked[int]()  # (Python's threads alone: it forks)
        loose.start(os.getpid)
        seen["loose forks"] = bool(loose.pid) and loose.result() != os.getpid()
    return seen


def test_sparql_in_a_forked_process_finds_what_a_thread_finds(tmp_path: Path) -> None:
    seen = _in_a_fresh_process("fork-or-thread", tmp_path)
    assert seen["threads"] == 1 and seen["children"] == 1
    assert any(f.code == "shacl-programme-member-of-programme" for f in seen["forked"])
    assert seen["children after"] == 1 and seen["threaded"] == seen["forked"]


def test_a_child_whose_results_are_never_asked_for_is_killed(tmp_path: Path) -> None:
    """A caller that fails before it asks for the findings (a release whose table checks
    raised): its child does not run on, nor stay a zombie."""
    seen = _in_a_fresh_process("let-go", tmp_path)
    assert seen["running"] and not seen["running after"] and seen["reaped"]


def test_a_failed_child_is_made_here(tmp_path: Path) -> None:
    """The queries fail in the child: made again in this process, the same findings."""
    seen = _in_a_fresh_process("child-fails", tmp_path)
    assert seen["children"] == 2 and seen["again"] == seen["expected"]


def test_beside_a_librarys_threads_the_check_does_not_fork(tmp_path: Path) -> None:
    """After a store on disk, RocksDB's threads run on in the process: the check runs its
    queries in a thread (a child forked there waited for those threads for ever), while a
    call that needs no such library still forks."""
    seen = _in_a_fresh_process("beside-rocksdb", tmp_path)
    assert seen["threads after a store on disk"] > 1 and seen["children"] == 0
    assert any(f.code == "shacl-programme-member-of-programme" for f in seen["findings"])
    assert seen["loose forks"]
