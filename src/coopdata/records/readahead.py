"""Record files read ahead: a process beside the load asks the system to bring the files
the load will read into memory (``POSIX_FADV_WILLNEED``), in the order it reads them, so
that the load finds them there rather than waiting on the disk for each one.

Records that have lain on disk for a while are no longer in the system's page cache (at a
million projects, the release itself writes 24 GB, which pushes them out). Read one at a
time, each small file then costs a wait on the disk (about 80 µs here) on top of the work
of reading it; a million of them, 80 s of a load that waits rather than works. Asked for
ahead, by a process that does nothing else, they are read while the load works on those
before: at 100,000 projects whose files were put out of the page cache, the load took
17–19 s without this process and 10.4–11.5 s with it, about as long as with every file
already in memory (``docs/performance.md``, "Load step").

It is advice only: the load reads every file itself, as before, and the process is
stopped when the load ends, whatever it has done by then. It opens a file as the loader
does (:func:`~coopdata.records.files.read_regular_file`): never through a symbolic link,
never waiting on a named pipe or device, and advises only regular files the loader would
read; it stops once the files advised take a quarter of the machine's memory, so that the
first ones are still there when the load reaches them."""

from __future__ import annotations

import multiprocessing
import os
import signal
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from coopdata.records.files import MAX_BYTES

AHEAD_FROM = 5000
"""From this many files on, they are read ahead (for fewer, a process costs more than
it spares)."""
MEMORY_SHARE = 4
"""The files advised take at most this share of the machine's memory (a quarter)."""


@contextmanager
def reading_ahead(paths: Sequence[str]) -> Iterator[None]:
    """Within the block, the files ``paths`` are read ahead into the page cache, in this
    order, by a process forked for it (not on systems without ``posix_fadvise`` or
    ``fork``, nor for fewer than :data:`AHEAD_FROM` files); it is stopped at the end of
    the block."""
    if len(paths) < AHEAD_FROM or not hasattr(os, "posix_fadvise") or \
            "fork" not in multiprocessing.get_all_start_methods():
        yield
        return
    context = multiprocessing.get_context("fork")  # (the child inherits the paths)
    process = context.Process(target=_child, args=(paths, _budget()), daemon=True,
                              name="coopdata-read-ahead")
    process.start()
    try:
        yield
    finally:
        process.kill()  # (advice only: what it has not asked for yet is read as before)
        process.join()
        process.close()


def _budget() -> int:
    """How many bytes of files to advise at most: :data:`MEMORY_SHARE` of the memory."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // MEMORY_SHARE
    except (ValueError, OSError):
        return 1 << 30


def _child(paths: Sequence[str], budget: int) -> None:
    # (as the load's workers: stop at once when stopped, and leave Ctrl-C to the parent)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    advise(paths, budget)


def advise(paths: Sequence[str], budget: int) -> int:
    """Ask the system to read the regular files of ``paths`` into memory, in order, until
    they take ``budget`` bytes; how many were advised. A file that cannot be opened, a
    link, a pipe, a device, a folder or a file too large to be a record is passed over.

    The files are taken :data:`BATCH` at a time, and a batch whose first file is in
    memory already is passed over whole: files written or read together are kept or let
    go of together, and records already in memory (a release just after another) then
    cost one file in :data:`BATCH`, not every one."""
    advised = 0
    for start in range(0, len(paths), BATCH):
        batch = paths[start:start + BATCH]
        for n, path in enumerate(batch):
            size = _advised(path, budget, sample=n == 0)
            if size is None:  # (the first file in memory: so is the batch)
                break
            if size < 0:
                return advised
            budget -= size
            advised += size > 0
    return advised


BATCH = 64
"""Files advised together, or passed over together when the first is in memory."""


def _advised(path: str, budget: int, *, sample: bool) -> int | None:
    """Advise the file ``path``: the bytes it takes (0 when it is passed over, -1 when it
    would exceed ``budget``); with ``sample``, None when it is in memory already."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return 0
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_BYTES:
            return 0
        if sample and _in_memory(descriptor, status.st_size):
            return None
        size = status.st_blocks * 512  # (what it takes in memory, about)
        if size > budget:
            return -1
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_WILLNEED)
        return size
    except OSError:
        return 0
    finally:
        os.close(descriptor)


def _in_memory(descriptor: int, size: int) -> bool:
    """Whether the last byte of the open file is in the page cache (a read that would
    wait on the disk is refused: ``RWF_NOWAIT``)."""
    if size == 0 or not hasattr(os, "RWF_NOWAIT"):
        return size == 0
    try:
        return os.preadv(descriptor, [bytearray(1)], size - 1, os.RWF_NOWAIT) == 1
    except OSError:  # (BlockingIOError: on disk; or a system that does not know the flag)
        return False
