"""A call in a forked process (a release's IATI export): its result comes from the child;
a child that fails or is killed leaves the call to be made here, with the same result or
error; a release gives the same bytes either way, and leaves no process behind."""

from __future__ import annotations

import filecmp
import os
import signal
import time
from pathlib import Path

import pytest

from coopdata.release import changelog, job, steps
from coopdata.release.forked import Forked

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def _gone(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_the_result_comes_from_the_child() -> None:
    with Forked[int]() as forked:
        forked.start(os.getpid)
        pid = forked.pid
        assert pid and forked.result() == pid != os.getpid()
    assert _gone(pid)


def test_a_result_larger_than_a_pipe_arrives_whole() -> None:
    big = {n: str(n) * 50 for n in range(50_000)}  # about 10 MB pickled
    with Forked[dict[int, str]]() as forked:
        forked.start(lambda: big)
        assert forked.result() == big


@pytest.mark.parametrize("how", ["raises", "exits", "killed"])
def test_a_failed_child_leaves_the_call_to_this_process(how: str) -> None:
    parent = os.getpid()

    def call() -> str:
        if os.getpid() != parent:
            if how == "raises":
                raise RuntimeError("in the child")
            if how == "exits":
                os._exit(0)  # (without a result)
            os.kill(os.getpid(), signal.SIGKILL)
        return "made here"

    with Forked[str]() as forked:
        forked.start(call)
        assert forked.pid
        assert forked.result() == "made here"


def test_the_calls_error_is_raised_here() -> None:
    def call() -> None:
        raise ValueError("no such publisher")

    with Forked[None]() as forked:
        forked.start(call)
        with pytest.raises(ValueError, match="no such publisher"):
            forked.result()


def test_leaving_the_block_kills_a_child_still_running() -> None:
    started = time.monotonic()
    with Forked[None]() as forked:
        forked.start(lambda: time.sleep(60))
        pid = forked.pid
    assert _gone(pid) and time.monotonic() - started < 30


def test_without_fork_the_call_is_made_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fork")
    with Forked[int]() as forked:
        forked.start(os.getpid)
        assert not forked.pid and forked.result() == os.getpid()


def _release(out: Path) -> Path:
    job.release(out, version="1.0.0", date="2026-12-06", site=False, cache=False)
    return out / "1.0.0"


def _same_trees(one: Path, other: Path) -> None:
    compared = filecmp.dircmp(one, other)
    stack = [compared]
    while stack:
        here = stack.pop()
        assert not (here.left_only or here.right_only or here.diff_files or here.funny_files)
        stack.extend(here.subdirs.values())
    for path in one.rglob("*"):  # (dircmp compares by stat first: compare the bytes)
        if path.is_file():
            assert path.read_bytes() == (other / path.relative_to(one)).read_bytes(), path


def test_a_release_is_the_same_forked_failed_or_not(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    forked = _release(tmp_path / "forked")
    parent = os.getpid()
    export = steps.write_iati_files

    def killed_halfway(*args: object) -> object:
        if os.getpid() != parent:  # the child writes the files, then dies
            export(*args)  # type: ignore[arg-type]
            os.kill(os.getpid(), signal.SIGKILL)
        return export(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(job, "write_iati_files", killed_halfway)
    redone = _release(tmp_path / "redone")
    monkeypatch.setattr(job, "write_iati_files", export)
    monkeypatch.delattr(os, "fork")
    here = _release(tmp_path / "here")
    assert (forked / "iati-activities.xml").stat().st_size > 0
    _same_trees(forked, here)
    _same_trees(redone, here)


def test_beside_other_threads_the_call_is_made_here() -> None:
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with Forked[int]() as forked:
            forked.start(os.getpid)
            assert not forked.pid and forked.result() == os.getpid()
    finally:
        stop.set()
        thread.join()


def test_a_changelog_is_the_same_when_the_child_could_not_compare_activities(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The forked export also compares the activities with the previous release's (for the
    changelog); should it fail to, the changelog compares them itself: the same release."""
    import shutil

    from coopdata.errors import UsageError
    from tests.conftest import FIXTURES

    records = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", records)
    for out in ("forked", "compared"):
        job.release(tmp_path / out, records, version="1.0.0", date="2026-12-01", site=False)
    second = records / "projects" / "second.yaml"
    second.write_text(second.read_text("utf-8").replace("amount: 1250000", "amount: 1300000"),
                      "utf-8")
    job.release(tmp_path / "forked", records, version="1.1.0", date="2026-12-06", site=False)
    parent, compare = os.getpid(), changelog.activity_changes

    def fails_in_the_child(*args: object, **kwargs: object) -> object:
        if os.getpid() != parent:
            raise UsageError("the previous release's IATI file cannot be read")
        return compare(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(steps, "activity_changes", fails_in_the_child)
    job.release(tmp_path / "compared", records, version="1.1.0", date="2026-12-06", site=False)
    text = (tmp_path / "forked" / "1.1.0" / "CHANGELOG.md").read_text("utf-8")
    assert "## IATI activities" in text and "budget" in text
    _same_trees(tmp_path / "forked" / "1.1.0", tmp_path / "compared" / "1.1.0")
