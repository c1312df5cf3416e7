"""A call run in a process forked from this one while this one goes on: a release's IATI
export, which reads the records already loaded here and writes its files beside the
graph's checks, on the core they leave idle.

A forked process shares this one's memory until either writes to it: the records are not
read again nor sent to it, and only the call's result (small: the export's findings) comes
back, pickled through a pipe. The call must write nothing but its own files and may not
need any thread of this process: it is forked only while this process runs no other
thread (else it is made here, later).

It forks only where the machine has room for the child: at least :data:`ROOM` times
this process's resident memory available, once more for each child running
(:func:`room_to_fork`). A forked process shares
fewer pages than fork promises (reading a record writes its reference counts, which copies
the page), so in the worst case the child holds a copy of everything this one holds, while
this one goes on to make the triples and the tables, about as much again: where that may
not fit (a million projects on a small machine), the call is made here, later, rather than
risk the kernel killing either process for want of memory.

The child takes its own copy of the memory it inherited at once, on its own core
(:func:`_own_copy`): else each page this process writes while the child lives is copied
then, a fault at a time, on the release's path (an incremental release of 100,000
projects, whose child is quick and touches few pages, spent 3 s more making its triples).

Should the fork fail, the child fail or be killed, :meth:`Forked.result` makes the call
here instead: the same files and result, or the same error, raised here.

The child runs none of this process's code: SIGINT and SIGTERM are blocked across the fork
until the child has its own handlers (else one reaching it at once, as one sent to the
process group may, ran this process's handler there, and its exception unwound through
this process's code in the child). On Linux the child is killed should this process die
(``PR_SET_PDEATHSIG``): an orphan would go on writing into a staging folder and hold
what it inherited (a release folder's lock) until it had finished.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from functools import cache
from typing import Generic, NoReturn, TypeVar

T = TypeVar("T")

_BLOCKED = {signal.SIGINT, signal.SIGTERM}
"""Blocked across the fork, until the child has its own handlers for them."""
_PR_SET_PDEATHSIG = 1
ROOM = 3
"""How many times its resident memory the machine must have available for this process
to fork its first child (:func:`room_to_fork`); one more time for each child running."""
_running: set[int] = set()
"""The pids of the children forked and not yet reaped."""


_SELF_CGROUP = "/proc/self/cgroup"
_CGROUPS = "/sys/fs/cgroup"
_NO_LIMIT = 1 << 60
"""A cgroup v1 memory limit this large is none (the kernel writes about 2**63)."""


def room_to_fork() -> bool:
    """Whether the memory available (Linux's ``MemAvailable``, or less where this
    process's control group allows less: :func:`_cgroup_room`) is at least :data:`ROOM`
    times this process's resident memory, plus as much again for each child running
    (each may copy all of it); True where either cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            resident = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            available = next(int(line.split()[1]) * 1024 for line in meminfo
                             if line.startswith("MemAvailable:"))
    except (OSError, ValueError, IndexError, StopIteration):
        return True
    limited = _cgroup_room()
    if limited is not None:
        available = min(available, limited)
    return available >= (ROOM + len(_running)) * resident


def _cgroup_room() -> int | None:
    """What this process's control group (cgroup v2, or v1's memory controller) and those
    above it let it and its children use beyond what they use now, their inactive file
    cache counted as free (the kernel reclaims it first); None where none sets a limit or
    they cannot be read.
    In a container (Docker, Kubernetes, a systemd ``MemoryMax``) ``MemAvailable`` is the
    host's: the group's limit is what its out-of-memory killer enforces."""
    rooms = []
    try:
        with open(_SELF_CGROUP, encoding="ascii") as groups:
            lines = groups.read().splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, group = parts
        if controllers == "":
            files = (_CGROUPS, "memory.max", "memory.current", "inactive_file")
        elif "memory" in controllers.split(","):
            files = (f"{_CGROUPS}/memory", "memory.limit_in_bytes", "memory.usage_in_bytes",
                     "total_inactive_file")
        else:
            continue
        mount, limit_name, usage_name, inactive_name = files
        # (the group and each one above it, whose limits bind it too; inside a cgroup
        # namespace or a container's own mount, the group is the mount's root)
        steps = [step for step in group.split("/") if step]
        folders = [f"/{'/'.join(steps[:n])}" if n else "" for n in range(len(steps), -1, -1)]
        if not os.path.isdir(f"{mount}{folders[0]}"):
            folders = [""]
        for folder in (f"{mount}{name}" for name in folders):
            with suppress(OSError, ValueError, IndexError, StopIteration):
                with open(f"{folder}/{limit_name}", encoding="ascii") as limit_file:
                    limit = limit_file.read().strip()
                if limit == "max" or int(limit) >= _NO_LIMIT:
                    continue
                with open(f"{folder}/{usage_name}", encoding="ascii") as usage_file:
                    usage = int(usage_file.read())
                with open(f"{folder}/memory.stat", encoding="ascii") as stat_file:
                    inactive = next(int(row.split()[1]) for row in stat_file
                                    if row.split()[0] == inactive_name)
                rooms.append(int(limit) - usage + inactive)
    return min(rooms) if rooms else None


MADV_POPULATE_WRITE = 23
"""Linux's ``madvise`` advice (since 5.14) that faults in pages writable, as writing
each would: for a page shared since a fork, the caller takes its own copy."""


@cache
def _madvise() -> Callable[..., int] | None:
    """Linux's madvise, found in this process before it forks (as :func:`_prctl`)."""
    if not sys.platform.startswith("linux"):
        return None
    found = getattr(ctypes.CDLL(None, use_errno=True), "madvise", None)
    if found is not None:
        found.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        found.restype = ctypes.c_int
    return found


def _own_copy(madvise: Callable[..., int]) -> None:
    """In the child: a copy of its own of each page of the private, anonymous, writable
    memory it shares with its parent since the fork (``MADV_POPULATE_WRITE``), so that
    the parent writes its pages without copying them (the kernel copies a shared page
    for whichever process writes it first, then the other owns the original). Nothing is
    written to the memory; a kernel without the advice refuses it, and nothing changes."""
    try:
        with open("/proc/self/maps", encoding="ascii", errors="replace") as maps:
            regions = [line.split() for line in maps]
    except OSError:
        return
    for fields in regions:
        # (address range, permissions, offset, device, inode, and a name for some: only
        # anonymous memory and the heap; never a file's pages, which may be shared)
        if len(fields) < 5 or fields[1] != "rw-p" or fields[4] != "0" or (
                len(fields) > 5 and fields[5:] != ["[heap]"]):
            continue
        start, end = (int(bound, 16) for bound in fields[0].split("-"))
        madvise(start, end - start, MADV_POPULATE_WRITE)


@cache
def _prctl() -> Callable[..., int] | None:
    """Linux's prctl, found in this process before it forks (the child loads nothing: a
    lock held at the fork by a thread this process does not see would never be released
    there)."""
    if not sys.platform.startswith("linux"):
        return None
    return getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)


class Forked(Generic[T]):
    """At most one call running in a forked process; leaving the ``with`` block kills it
    if it still runs (when the release fails)."""

    def __init__(self) -> None:
        self.call: Callable[[], T] | None = None
        self.pid = 0
        self.reading = -1
        self.made: list[T] = []
        """The result, once :meth:`result` has it."""

    def start(self, call: Callable[[], T]) -> None:
        """Start ``call`` in a forked process; it is made here, later, where there is no
        fork, where this process runs other threads (fork copies only the thread that
        forks: a lock another thread held would never be released in the child) or where
        the machine has no room for the child (:func:`room_to_fork`)."""
        self.call = call
        if not hasattr(os, "fork") or threading.active_count() > 1 or not room_to_fork():
            return
        prctl, madvise = _prctl(), _madvise()
        reading, writing = os.pipe()
        parent = os.getpid()
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _BLOCKED)
        try:  # (a signal is handled once the child is known: leaving the block kills it)
            try:
                pid = os.fork()
            except OSError:  # (no memory, too many processes: done here, later)
                os.close(reading)
                os.close(writing)
                return
            if pid == 0:  # the child: never returns
                _child(call, reading, writing, parent, mask, prctl, madvise)
            os.close(writing)
            self.pid, self.reading = pid, reading
            _running.add(pid)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def result(self) -> T:
        """The call's result: the child's, or the call's made here when it had no child or
        its child failed (then its error is raised here); asked again, the same."""
        if not self.made:
            self.made.append(self._result())
        return self.made[0]

    def _result(self) -> T:
        if self.call is None:
            raise RuntimeError("Forked.result() before Forked.start()")
        data = b""
        if self.pid:
            with os.fdopen(self.reading, "rb") as pipe:
                self.reading = -1
                data = pipe.read()
            _, status = os.waitpid(self.pid, 0)
            _running.discard(self.pid)
            self.pid = 0
            if os.waitstatus_to_exitcode(status) == 0 and data:
                result: T = pickle.loads(data)
                return result
        return self.call()

    def stop(self) -> None:
        """Kill the child if it still runs."""
        if self.pid:
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            _running.discard(self.pid)
            self.pid = 0
        if self.reading >= 0:
            os.close(self.reading)
            self.reading = -1

    def __enter__(self) -> Forked[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _child(call: Callable[[], object], reading: int, writing: int, parent: int,
           mask: set[int | signal.Signals], prctl: Callable[..., int] | None,
           madvise: Callable[..., int] | None = None) -> NoReturn:
    """In the forked process (SIGINT and SIGTERM blocked, ``mask`` the parent's signal
    mask before): make the call, send its result, and exit without running anything of
    the parent's (its signal handlers, its ``atexit`` handlers, its buffered output): 0
    when the result was sent, 1 otherwise (the parent then makes the call itself)."""
    code = 1
    try:
        os.close(reading)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # (Ctrl-C is the parent's to handle)
        _die_with_parent(parent, prctl)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if madvise is not None:
            _own_copy(madvise)
        data = pickle.dumps(call(), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(writing, view):]
        code = 0
    except BaseException:  # noqa: BLE001, S110 - the parent makes the call again and says why
        pass
    finally:
        os._exit(code)


def _die_with_parent(parent: int, prctl: Callable[..., int] | None) -> None:
    """Be killed when the ``parent`` process dies (Linux; elsewhere an orphan runs on),
    and exit at once if it died already."""
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
