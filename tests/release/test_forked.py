"""A call in a forked process (a release's IATI export): its result comes from the child;
a child that fails or is killed leaves the call to be made here, with the same result or
error; a release gives the same bytes either way, and leaves no process behind."""

from __future__ import annotations

import ctypes
import errno
import filecmp
import mmap
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from coopdata.release import changelog, job, steps
from coopdata.release import forked as forked_module
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


def _mapping_counts(address: int) -> dict[str, int]:
    """The counts (kB) of ``/proc/self/smaps`` for the mapping that holds ``address``."""
    counts: dict[str, int] = {}
    inside = False
    with open("/proc/self/smaps", encoding="ascii", errors="replace") as smaps:
        for line in smaps:
            head = line.split()
            if "-" in head[0] and not head[0].endswith(":"):
                start, end = (int(bound, 16) for bound in head[0].split("-"))
                inside = start <= address < end
            elif inside and head[0].endswith(":") and len(head) == 3 and head[2] == "kB":
                counts[head[0][:-1]] = int(head[1])
    return counts


def _populate_write_works() -> bool:
    madvise = forked_module._madvise()
    if madvise is None or not Path("/proc/self/smaps").exists():
        return False
    probe = mmap.mmap(-1, mmap.PAGESIZE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    view = ctypes.c_char.from_buffer(probe)
    works = madvise(ctypes.addressof(view), mmap.PAGESIZE,
                    forked_module.MADV_POPULATE_WRITE) == 0 or ctypes.get_errno() != errno.EINVAL
    del view
    probe.close()
    return works


@pytest.mark.skipif(not _populate_write_works(),
                    reason="no MADV_POPULATE_WRITE here (Linux 5.14 and later)")
def test_the_child_copies_the_memory_it_shares_with_this_process_at_once(
        tmp_path: Path) -> None:
    """While the child runs, the pages it inherited are its own copies: this process's
    are no longer shared, and it writes them without a copy."""
    size = 16 << 20
    memory = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    memory.write(b"x" * size)  # (resident and written: this process's own pages)
    view = ctypes.c_char.from_buffer(memory)
    address = ctypes.addressof(view)
    before = _mapping_counts(address)
    ready, done = tmp_path / "ready", tmp_path / "done"

    def call() -> str:
        ready.touch()
        deadline = time.monotonic() + 60
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return "done"

    with Forked[str]() as child:
        child.start(call)
        assert child.pid
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        during = _mapping_counts(address)
        done.touch()
        assert child.result() == "done"
    del view
    memory.close()
    assert before["Private_Dirty"] >= size >> 10
    assert during["Shared_Dirty"] == 0 and during["Private_Dirty"] >= size >> 10, during


def test_a_result_larger_than_a_pipe_arrives_whole() -> None:
    big = {n: str(n) * 50 for n in range(50_000)}  # about 10 MB pickled
    with Forked[tuple[int, dict[int, str]]]() as forked:
        forked.start(lambda: (os.getpid(), big))
        made_by, result = forked.result()
        assert made_by != os.getpid()  # (the child's: not made here again)
        assert result == big


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


def test_without_room_for_the_child_the_call_is_made_here(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert forked_module.room_to_fork()  # (this machine has room for a test's process)
    monkeypatch.setattr(forked_module, "ROOM", 10 ** 9)  # no machine has that much
    assert not forked_module.room_to_fork()
    with Forked[int]() as forked:
        forked.start(os.getpid)
        assert not forked.pid and forked.result() == os.getpid()


def _fake_proc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, files: dict[str, str]) -> None:
    """``files`` (path → text) read in place of those /proc files, and pages of 4 kB."""
    real_open = open

    def fake_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        if path in files:
            (tmp_path / "f").write_text(files[path])
            return real_open(tmp_path / "f", *args, **kwargs)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", fake_open)
    monkeypatch.setattr(os, "sysconf", lambda name: 4096)  # 25 pages: 100 kB resident


@pytest.mark.parametrize("statm, meminfo, room", [
    ("100 25 0 0 0 0 0\n", "MemTotal: 1000 kB\nMemAvailable: 300 kB\n", True),
    ("100 25 0 0 0 0 0\n", "MemTotal: 1000 kB\nMemAvailable: 299 kB\n", False),
    ("100 25 0 0 0 0 0\n", "MemTotal: 1000 kB\n", True),  # (an older kernel: fork)
    ("", "MemAvailable: 1 kB\n", True),  # unreadable: fork, as before
])
def test_room_to_fork_reads_the_memory_available(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, statm: str, meminfo: str,
        room: bool) -> None:
    files = {"/proc/self/statm": statm, "/proc/meminfo": meminfo}
    _fake_proc(monkeypatch, tmp_path, files)
    assert forked_module.room_to_fork() is room


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
    step = "write_iati_files"
    children: list[tuple[str, int]] = []
    start = Forked.start

    def started(self: Forked[Any], call: Any) -> None:
        start(self, call)
        children.append((call.func.__name__, self.pid))

    monkeypatch.setattr(Forked, "start", started)
    forked = _release(tmp_path / "forked")
    parent = os.getpid()
    made = getattr(steps, step)
    killed = tmp_path / "killed"

    def killed_halfway(*args: object) -> object:
        if os.getpid() != parent:  # the child writes the files, then dies
            made(*args)
            killed.write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)
        return made(*args)

    killed_halfway.__name__ = step
    monkeypatch.setattr(job, step, killed_halfway)
    redone = _release(tmp_path / "redone")
    monkeypatch.setattr(job, step, made)
    monkeypatch.delattr(os, "fork")
    here = _release(tmp_path / "here")
    assert [name for name, _ in children] == [step] * 3
    assert children[0][1] and children[1][1] and not children[2][1]  # (forked twice, not)
    assert killed.read_text() == str(children[1][1])
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


def test_release_with_pauses_the_collector_while_it_loads_and_checks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """release_with (public) paused the cyclic collector through validate() while the
    records were loaded and checked, and so in the forked export (a collection there
    would write to every object's page: copies of the whole heap)."""
    import gc

    from coopdata.release.settings import ReleaseSettings

    enabled: list[tuple[str, bool]] = []
    from coopdata.records.load import load
    from coopdata.validate.validation import validate_dataset

    def watched_load(*args: Any, **kwargs: Any) -> Any:
        enabled.append(("load", gc.isenabled()))
        return load(*args, **kwargs)

    def watched_validation(*args: Any, **kwargs: Any) -> Any:
        enabled.append(("graph", gc.isenabled()))
        return validate_dataset(*args, **kwargs)

    monkeypatch.setattr(job, "load", watched_load)
    monkeypatch.setattr(job, "validate_dataset", watched_validation)
    was = gc.isenabled()
    gc.enable()  # (whatever the tests before left it as)
    try:
        job.release_with(ReleaseSettings.of(tmp_path / "out", None, version="1.0.0",
                                            date="2026-12-06", site=False, cache=False))
        assert enabled == [("load", False), ("graph", False)]
        assert gc.isenabled()
    finally:
        if not was:
            gc.disable()


_SLOW_CHILD = """
import os, sys, time
from coopdata.release import job
parent = os.getpid()

def slow(made, said):
    def call(*args):
        if os.getpid() != parent:  # a child: says who it is, then takes its time
            with open(said + ".tmp", "w") as handle:
                handle.write(str(os.getpid()))
            os.rename(said + ".tmp", said)
            time.sleep(60)
        return made(*args)
    return call

job.write_iati_files = slow(job.write_iati_files, sys.argv[3])
job.release(sys.argv[1], None, version="1.0.0", date="2026-12-06", site=False, cache=False)
"""


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not reaped by its new parent, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_child_does_not_outlive_a_release_killed(tmp_path: Path) -> None:
    """A release killed (SIGKILL: the out-of-memory killer) takes its children with it:
    an orphan went on writing into the staging folder and held the release folder's lock
    (inherited with the parent's open files) until it had finished, so that the next
    release was refused ("another release is being written")."""
    import fcntl
    import subprocess
    import sys

    out, said = tmp_path / "out", tmp_path / "child-pid"
    release = subprocess.Popen([sys.executable, "-c", _SLOW_CHILD, str(out), "", str(said)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    saying = [said]  # (the IATI export's)
    deadline = time.monotonic() + 120
    while not all(p.exists() for p in saying):
        assert release.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    children = [int(p.read_text()) for p in saying]
    try:
        release.kill()
        release.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(map(_running, children)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(map(_running, children))
        with open(out / ".coopdata-release.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # (BlockingIOError if held)
    finally:
        for child in filter(_running, children):
            os.kill(child, signal.SIGKILL)


_SIGNAL_AFTER_FORK = """
import os, signal
from coopdata.release import forked

def terminate(signum, frame):  # as the command line does
    raise SystemExit(128 + signum)

signal.signal(signal.SIGTERM, terminate)
parent = os.getpid()

class Os:
    '''os, but a SIGTERM reaches the child as soon as it runs (as one sent to the whole
    process group, by systemd's stop or by kill 0, may).'''
    def __getattr__(self, name):
        return getattr(os, name)
    def close(self, fd):
        os.close(fd)
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)

forked.os = Os()
try:
    with forked.Forked() as call:
        call.start(os.getpid)
        print("made here:", call.result() == parent, flush=True)
finally:
    print("cleaned up by the", "parent" if os.getpid() == parent else "child", flush=True)
"""


def test_a_signal_reaching_the_child_at_once_never_runs_the_callers_code_there(
        tmp_path: Path) -> None:
    """Until the child has set its own signal handlers, a signal reaching it ran the
    caller's handler there: its SystemExit (or Ctrl-C's KeyboardInterrupt) unwound
    through the caller's code in the child, which in a release removes the staging
    folder the parent is writing, closes its cache and runs its atexit handlers."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _SIGNAL_AFTER_FORK], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "made here: True\ncleaned up by the parent\n")


def test_a_release_failing_its_graph_checks_kills_its_iati_child(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The release's own wiring: its IATI child, started once the records loaded, is
    killed and reaped when the graph's checks fail, and nothing is left."""
    import shutil

    from coopdata.errors import RecordsInvalid
    from tests.conftest import FIXTURES

    records = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", records)
    second = records / "projects" / "second.yaml"
    second.write_text(second.read_text("utf-8").replace('planned_end: "2020"',
                                                        'planned_end: "2016"'), "utf-8")
    children: list[int] = []
    start = Forked.start

    def started(self: Forked[Any], call: Any) -> None:
        start(self, lambda: time.sleep(60))  # (still running when the checks fail)
        children.append(self.pid)

    monkeypatch.setattr(Forked, "start", started)
    began = time.monotonic()
    with pytest.raises(RecordsInvalid) as failed:
        job.release(tmp_path / "out", records, version="1.0.0", site=False, cache=False)
    assert [f.field for f in failed.value.report.findings] == ["planned_end"]
    assert time.monotonic() - began < 50
    assert len(children) == 1 and children[0] and _gone(children[0])
    assert not (tmp_path / "out").exists()


_SIGNAL_AT_FORK = """
import os, signal, time
from coopdata.release import forked

def terminate(signum, frame):  # as the command line does
    raise SystemExit(128 + signum)

signal.signal(signal.SIGTERM, terminate)
children = []

class Os:
    '''os, but a SIGTERM reaches this process as soon as it has forked.'''
    def __getattr__(self, name):
        return getattr(os, name)
    def fork(self):
        pid = os.fork()
        if pid:
            children.append(pid)
            os.kill(os.getpid(), signal.SIGTERM)
        return pid

forked.os = Os()
try:
    with forked.Forked() as call:
        call.start(lambda: time.sleep(60))
except SystemExit:
    try:
        os.waitpid(children[0], os.WNOHANG)
        print("left running", flush=True)
        os.kill(children[0], signal.SIGKILL)
    except ChildProcessError:
        print("killed and reaped", flush=True)
"""


def test_a_signal_as_the_child_is_forked_still_kills_it(tmp_path: Path) -> None:
    """A SIGTERM reaching the caller as it forks is handled once the child is known, so
    that leaving the block kills it (it was left running: the exception came before the
    child's pid was kept)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _SIGNAL_AT_FORK], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "killed and reaped\n")


@pytest.mark.parametrize("version", ["v2", "v1"])
@pytest.mark.parametrize("limit, usage, inactive, room", [
    (400 * 1024, 100 * 1024, 0, True),  # 300 kB left to the group: room for 100 kB x 3
    (400 * 1024, 110 * 1024, 0, False),  # the host has room, the group does not
    (400 * 1024, 300 * 1024, 200 * 1024, True),  # its file cache is reclaimed first
    (None, 10 ** 12, 0, True),  # no limit: the host's memory decides
])
def test_room_to_fork_heeds_the_control_groups_limit(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, version: str, limit: int | None,
        usage: int, inactive: int, room: bool) -> None:
    """In a container (Docker, Kubernetes, systemd's MemoryMax) /proc/meminfo shows the
    host's memory, while the group's limit is what its out-of-memory killer enforces."""
    mount = tmp_path / "cgroup"
    if version == "v2":
        group, names = mount / "app", ("memory.max", "memory.current", "inactive_file")
        listing = "0::/app\n"
    else:
        group = mount / "memory" / "app"
        names = ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file")
        listing = "4:memory:/app\n1:cpu:/\n"
    group.mkdir(parents=True)
    unlimited = "max" if version == "v2" else str(2 ** 63 - 4096)
    (group / names[0]).write_text(f"{limit if limit is not None else unlimited}\n")
    (group / names[1]).write_text(f"{usage}\n")
    (group / "memory.stat").write_text(f"anon 1\n{names[2]} {inactive}\n")
    (tmp_path / "self-cgroup").write_text(listing)
    monkeypatch.setattr(forked_module, "_SELF_CGROUP", str(tmp_path / "self-cgroup"))
    monkeypatch.setattr(forked_module, "_CGROUPS", str(mount))
    files = {"/proc/self/statm": "100 25 0 0 0 0 0\n",
             "/proc/meminfo": "MemTotal: 8000000 kB\nMemAvailable: 4000000 kB\n"}
    _fake_proc(monkeypatch, tmp_path, files)
    assert forked_module.room_to_fork() is room
    if limit is not None:  # the same limit set on the group above instead (a systemd slice)
        nested = group / "job"
        nested.mkdir()
        for name in (*names[:2], "memory.stat"):
            (nested / name).write_text((group / name).read_text())
        (nested / names[0]).write_text(f"{unlimited}\n")
        (tmp_path / "self-cgroup").write_text(listing.replace("/app", "/app/job"))
        assert forked_module.room_to_fork() is room
        (tmp_path / "self-cgroup").write_text(listing)
    if version == "v1":  # a container's own mount: its group is the mount's root
        (tmp_path / "self-cgroup").write_text("4:memory:/elsewhere/on/the/host\n")
        for name in (*names[:2], "memory.stat"):
            (group / name).rename(mount / "memory" / name)
        assert forked_module.room_to_fork() is room
