"""Records loaded: the record files of a folder read and checked, in worker processes when
there are many, into a typed dataset and the report of the record checks."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from coopdata import cache as caching
from coopdata.collector import paused
from coopdata.errors import CoopdataError, UsageError
from coopdata.model import codes
from coopdata.model.dataset import Dataset, PickledRecord, Record
from coopdata.model.resources import default_records
from coopdata.records.checks import check_record
from coopdata.records.dataset import assemble
from coopdata.records.files import record_bytes, record_file_names, stray_files
from coopdata.records.read import FieldLines, read_record
from coopdata.records.readahead import reading_ahead
from coopdata.report import Finding, Report


def load(directory: Path | str | None = None, *,
         progress: Callable[[str], None] | None = None,
         cache: caching.Cache | None = None) -> tuple[Dataset, Report]:
    """Read and check the records in ``directory`` (the embedded dataset when None).

    Returns the typed records and a report of the record checks; raises
    :class:`~coopdata.UsageError` when the directory does not exist. With a ``cache``,
    a file read and checked before (the same bytes, path and coopdata) is taken from it,
    and the others are kept in it: the result is the same.
    """
    root = Path(directory) if directory is not None else default_records()
    if not root.is_dir():
        raise UsageError(f"no records directory at {root}")
    with paused():  # (records are many small objects, and hold no cycles to collect)
        return _load(root, progress, cache)


def _load(root: Path, progress: Callable[[str], None] | None,
          cache: caching.Cache | None) -> tuple[Dataset, Report]:
    if progress:
        progress("load")
    files = list(record_file_names(root))  # (paths as text: see record_file_names)
    keys: list[bytes | None] = []
    known: dict[int, _File] = {}
    with reading_ahead([path for _, path in files]):  # (the files read in this order)
        if cache is not None:
            keys = [_file_key(kind, path) for kind, path in files]
            cached = cache.get(k for k in keys if k is not None)
            known = {n: cached[k] for n, k in enumerate(keys) if k is not None and k in cached}
        todo = [file for n, file in enumerate(files) if n not in known]
        compact = frozenset(kind for kind, count in Counter(kind for kind, _ in files).items()
                            if count >= COMPACT_FROM)
        workers = min(os.cpu_count() or 1, 8)
        if len(todo) >= PARALLEL_FROM and workers > 1:
            parts, findings = _in_parallel(todo, workers, compact, lambda: stray_files(root),
                                           cache is not None)
        else:
            findings = stray_files(root)
            parts = [_read_and_check(todo, compact, cache is not None)]
    made = iter(file for part in parts for file in part)
    results = [_held(known[n], compact) if n in known else next(made)
               for n in range(len(files))]
    made_of: list[bytes | None] = []  # (the key of the bytes each record was made of)
    if cache is not None:
        made_of = _keep(cache, root, files, keys, known, results)
    typed: list[Record | PickledRecord] = []
    sources: dict[tuple[str, str], bytes | None] = {}
    read = 0
    for n, (record, file_findings, _) in enumerate(results):
        findings += file_findings
        if record is not _UNREAD:
            read += 1
            if isinstance(record, Record | PickledRecord):
                typed.append(record)
                if made_of:  # (what the record is, for later steps' cached work)
                    place = (record.kind, record.id)
                    sources[place] = None if place in sources else made_of[n]
    del results, parts, made, known  # (the dataset alone holds the records from here on)
    dataset, found = assemble(typed)
    dataset.sources = sources
    return dataset, Report(findings + found, records=read)


_UNREAD = "unread"
"""In place of the record of a file that was not read as one."""
_File = tuple[Record | PickledRecord | None | str, list[Finding], bytes | None]
"""What reading and checking one file gave: its checked record (pickled when its kind has
:data:`COMPACT_FROM` files or more; None when its checks refused it, :data:`_UNREAD` when
it was not read as a record), the findings, and the bytes it was read from (None when it
was not read)."""
_Part = list[_File]


def _held(file: _File, compact: frozenset[str]) -> _File:
    """What the cache gave for a file, its record pickled when its kind is in ``compact``
    and as objects otherwise (as this load reads it, whichever way the cache keeps it)."""
    record, findings, data = file
    if isinstance(record, PickledRecord) and record.kind not in compact:
        return record.record(), findings, data
    if isinstance(record, Record) and record.kind in compact:
        return PickledRecord.of(record), findings, data
    return file


def _file_key(kind: str, path: str, data: bytes | None = None) -> bytes | None:
    """The cache key of a record file, of its bytes now or of ``data`` (None when it is not
    read as a record file: the long way says why, every time)."""
    if data is None:
        data = record_bytes(path)
    return None if data is None else caching.key("load", kind, str(path), data)


def _keep(cache: caching.Cache, root: Path, files: list[tuple[str, str]],
          keys: list[bytes | None], known: dict[int, _File], results: list[_File]
          ) -> list[bytes | None]:
    """Keep in ``cache`` what was made of the files not found in it (each under the key of
    the bytes it was made of: a file changed while it was read is not kept), and nothing
    more of this records folder once the cache is closed. Returns the key of what each
    file's result was made of (None for a file that changed while it was read)."""
    group = caching.group("load", str(root.resolve()))
    new = []
    made_of: list[bytes | None] = []
    for n, ((kind, path), wanted) in enumerate(zip(files, keys, strict=True)):
        if n in known or wanted is None:
            made_of.append(wanted)
            continue
        record, findings, data = results[n]
        if data is not None and _file_key(kind, path, data) == wanted:
            new.append((wanted, (record, findings, None)))
            made_of.append(wanted)
        else:
            made_of.append(None)
    cache.put(group, new)
    cache.keep_only_at_close(group, (k for k in keys if k is not None))
    return made_of


def _in_parallel(files: list[tuple[str, str]], processes: int, compact: frozenset[str],
                 meanwhile: Callable[[], list[Finding]],
                 keep: bool) -> tuple[list[_Part], list[Finding]]:
    """``files`` read and checked by ``processes`` processes, this one and workers forked
    from it, each taking the next chunk of files until none is left; the parts in the
    order of the files, and what ``meanwhile`` found (called in this process while the
    workers read).

    This process's own chunks are never pickled (a typed record costs about as much to
    pickle and unpickle as to check), and the workers' come back a chunk at a time, so
    that this process unpickles them while it reads. The workers inherit the list of
    files when they are forked: only the number of each chunk goes to them."""
    codes.schemes()  # parse the code lists once, before the workers are forked
    context = multiprocessing.get_context("fork")
    size = max(1, min(CHUNK, -(-len(files) // (processes * 8))))
    chunks = _Chunks(files, size, context.Value("l", 0), compact, keep)
    count = -(-len(files) // size)
    # (fork: the workers inherit the chunks, which are never pickled). An executor, not a
    # Pool: a Pool replaces a worker that is killed and waits for its chunk for ever; an
    # executor says that the worker is gone, and the load stops with an error
    pool = ProcessPoolExecutor(processes - 1, mp_context=context, initializer=_worker,
                               initargs=(chunks,))
    try:
        theirs = [pool.submit(_take_chunk, n) for n in range(count)]
        found = meanwhile()
        parts = dict(iter(chunks.take, None))
        for future in as_completed(theirs):
            taken = future.result()
            if taken is not None:
                parts[taken[0]] = taken[1]
    except BrokenProcessPool:
        raise CoopdataError("a process reading the records stopped before it had finished "
                            "(it was killed, perhaps for want of memory): nothing was loaded"
                            ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if len(parts) != count:  # (every chunk is taken once: a missing one is a defect)
        raise CoopdataError(f"{count - len(parts)} of {count} chunks of record files were "
                            "not read: nothing was loaded")
    return [parts[n] for n in range(count)], found


class _Chunks:
    """The files to read, cut in chunks of ``size``, and the number of the next chunk to
    take (shared by the processes)."""

    def __init__(self, files: list[tuple[str, str]], size: int, taken: Any,
                 compact: frozenset[str], keep: bool) -> None:
        self.files, self.size, self.taken, self.compact = files, size, taken, compact
        self.keep = keep

    def take(self) -> tuple[int, _Part] | None:
        """The next chunk not yet taken, read and checked, with its number; None when
        every chunk has been taken."""
        with self.taken.get_lock():
            number = self.taken.value
            self.taken.value += 1
        start = number * self.size
        if start >= len(self.files):
            return None
        return number, _read_and_check(self.files[start:start + self.size], self.compact,
                                       self.keep)


_chunks: _Chunks | None = None
"""In a worker: the chunks it takes from."""


def _worker(chunks: _Chunks) -> None:
    global _chunks
    _plain_signals()
    _chunks = chunks


def _plain_signals() -> None:
    """In a worker: die at once on SIGTERM (the pool's own way to stop its workers), even
    when the parent had a handler for it, and leave Ctrl-C to the parent."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _take_chunk(_: int) -> tuple[int, _Part] | None:
    """In a worker: the next chunk (:meth:`_Chunks.take`)."""
    assert _chunks is not None
    return _chunks.take()


def _read_and_check(files: list[tuple[str, str]], compact: frozenset[str],
                    keep: bool = True) -> _Part:
    """Read and type-check some record files (in a worker process when in parallel), each
    record of a kind in ``compact`` pickled at once (:class:`PickledRecord`); ``keep``:
    with the bytes each was read from (for the cache; else they are not sent back)."""
    part: _Part = []
    for kind, path in files:
        record, problems = read_record(path, kind)
        if record is None:
            part.append((_UNREAD, problems, None))
            continue
        checked, found = check_record(record)
        data = record.lines.raw if keep and isinstance(record.lines, FieldLines) else None
        part.append((PickledRecord.of(checked) if checked is not None and kind in compact
                     else checked, problems + found, data))
    return part


COMPACT_FROM = 200_000
"""From this many files of one kind on, its records are pickled as soon as each is read
and checked, and the dataset holds them so (:class:`~coopdata.model.dataset.Pickled`):
at a million projects, about 2.4 GB instead of 9 GB, the load never holding them all as
objects, for about 40 µs each time a step reads a record."""
PARALLEL_FROM = 5000
"""From this many files on, records are read and checked on every core."""
CHUNK = 500
"""Files a chunk at most, when in parallel (fewer when there are few: eight chunks a
process at least, so that the processes end together)."""
