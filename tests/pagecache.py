"""Whether a file's pages are in the system's page cache, looked at without reading them.

The tests of what coopdata and its benchmarks put out of memory or read ahead
(tests/test_benchmarks.py, tests/records/test_readahead.py) must look at the page cache
without changing it. A read told not to wait (``RWF_NOWAIT``, what
:func:`coopdata.records.readahead._in_memory` does) is not such a look: a page it finds
missing starts being read, and on a fast disk it may be in memory before the read looks
again, so the file is seen in memory *because* it was looked at. ``mincore(2)`` on a
mapping of the file only reports: a mapped page is never touched here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


def _mincore() -> Callable[..., int]:
    if not sys.platform.startswith("linux"):
        pytest.skip("mincore(2) on a file's mapping reports its page cache on Linux only")
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    function = libc.mincore
    function.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_ubyte)]
    function.restype = ctypes.c_int
    return function


def resident_pages(path: Path) -> int:
    """How many of the file's pages are in the page cache (0 for an empty file)."""
    with open(path, "rb") as handle:
        return resident_pages_of(handle.fileno(), os.fstat(handle.fileno()).st_size)


def resident_pages_of(descriptor: int, size: int, offset: int = 0) -> int:
    """:func:`resident_pages` of the bytes ``offset`` (a multiple of the page size) to
    ``size`` of the open file ``descriptor``."""
    if size <= offset:
        return 0
    pages = -(-(size - offset) // mmap.PAGESIZE)
    mincore = _mincore()
    with mmap.mmap(descriptor, size - offset, access=mmap.ACCESS_COPY,
                   offset=offset) as mapping:
        # (a private mapping, so that ctypes may take its address; nothing is written)
        start = ctypes.c_char.from_buffer(mapping)
        try:
            vector = (ctypes.c_ubyte * pages)()
            if mincore(ctypes.addressof(start), size - offset, vector) != 0:
                error = ctypes.get_errno()
                raise OSError(error, os.strerror(error))
            return sum(byte & 1 for byte in vector)
        finally:
            del start  # (the mapping cannot close while ctypes holds its buffer)


def last_page_in_memory(descriptor: int, size: int) -> bool:
    """What :func:`coopdata.records.readahead._in_memory` tells (whether the file's last
    byte is in the page cache; an empty file counts as in memory), looked at without
    reading. A test that drops files from memory and counts the batches advised puts it
    in that function's place: the read of a missing page that function makes starts
    reading the page, which on a fast disk may be in memory before the read looks again
    (the batch is then passed over: a batch not read ahead, no harm to a load, but not
    what the test counts)."""
    if size == 0:
        return True
    return resident_pages_of(descriptor, size, (size - 1) // mmap.PAGESIZE * mmap.PAGESIZE) > 0


def in_memory(path: Path) -> bool:
    """Whether any page of the file is in the page cache."""
    return resident_pages(path) > 0


def let_go(*paths: Path) -> None:
    """Ask the system to drop the files' pages (``POSIX_FADV_DONTNEED``: pages already
    written to disk only, so write them first)."""
    for path in paths:
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(descriptor)


def skip_unless_evictable(folder: Path) -> None:
    """Skip the calling test where a file written to disk and let go of stays in memory
    (a file system kept in memory, such as tmpfs)."""
    if not hasattr(os, "posix_fadvise"):
        pytest.skip("no posix_fadvise on this system")
    probe = folder / "probe"
    probe.write_bytes(b"x" * 100)
    with open(probe, "rb") as handle:
        os.fsync(handle.fileno())
    let_go(probe)
    kept = in_memory(probe)
    probe.unlink()
    if kept:
        pytest.skip(f"{folder} keeps its files in memory (tmpfs?)")
