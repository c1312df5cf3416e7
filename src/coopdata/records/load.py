"""Records loaded: the record files of a folder read and checked, in worker processes when
there are many, into a typed dataset and the report of the record checks."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from coopdata.errors import UsageError
from coopdata.model import codes
from coopdata.model.dataset import Dataset, Record
from coopdata.model.resources import default_records
from coopdata.records.checks import check_record
from coopdata.records.dataset import assemble
from coopdata.records.files import record_files, stray_files
from coopdata.records.read import read_record
from coopdata.report import Finding, Report

if TYPE_CHECKING:

    pass


def load(directory: Path | str | None = None, *,
         progress: Callable[[str], None] | None = None) -> tuple[Dataset, Report]:
    """Read and check the records in ``directory`` (the embedded dataset when None).

    Returns the typed records and a report of the record checks; raises
    :class:`~coopdata.UsageError` when the directory does not exist.
    """
    root = Path(directory) if directory is not None else default_records()
    if not root.is_dir():
        raise UsageError(f"no records directory at {root}")
    if progress:
        progress("load")
    files = list(record_files(root))
    workers = min(os.cpu_count() or 1, 8)
    if len(files) >= PARALLEL_FROM and workers > 1:
        codes.schemes()  # parse the code lists once, before the workers are forked
        size = -(-len(files) // (workers * 4))
        chunks = [files[i:i + size] for i in range(0, len(files), size)]
        pool = multiprocessing.get_context("fork").Pool(workers, initializer=_plain_signals)
        try:
            pending = pool.map_async(_read_and_check, chunks)
            findings: list[Finding] = stray_files(root)  # while the workers read
            parts = pending.get()
        finally:
            pool.terminate()
            pool.join()
    else:
        findings = stray_files(root)
        parts = [_read_and_check(files)]
    typed: list[Record] = []
    read = 0
    for part_typed, part_findings, part_read in parts:
        typed += part_typed
        findings += part_findings
        read += part_read
    dataset, found = assemble(typed)
    return dataset, Report(findings + found, records=read)


def _plain_signals() -> None:
    """In a worker: die at once on SIGTERM (the pool's own way to stop its workers), even
    when the parent had a handler for it, and leave Ctrl-C to the parent."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _read_and_check(files: list[tuple[str, Path]]) -> tuple[list[Record], list[Finding], int]:
    """Read and type-check some record files (in a worker process when in parallel)."""
    findings: list[Finding] = []
    typed = []
    read = 0
    for kind, path in files:
        record, problems = read_record(path, kind)
        findings.extend(problems)
        if record is not None:
            read += 1
            checked, found = check_record(record)
            findings += found
            if checked is not None:
                typed.append(checked)
    return typed, findings, read


PARALLEL_FROM = 5000
"""From this many files on, records are read and checked on every core."""
