"""The records a release changed since the previous one, found from the rows of the two
releases' tables, so that only those records are read back from the previous release.

A record's rows (its row of its kind's main table, its rows of the link tables and of the
translations table) make its data and nothing else: two records with the same rows read
back as the same data. The rows of both releases' tables are read (each row once, as
text, into a digest of its record's rows); a record whose digest is the same in both is
unchanged, and of the previous release only the records whose rows differ, and those it
alone has, are read back from their rows and checked as :func:`~coopdata.tables.read.
read_tables` would. The newer release's tables were written from its records, and
records → tables → records gives back the same records (``tests/tables/test_tables.py``),
so an unchanged record's data in the previous release is the newer record's data.

The checks of the previous release's tables that the long way makes before it gives its
records are made too: every table present with the header this layout writes, each row
with its cells, each id once, each row's record in its main table, each record read back
without a violation, and no reference broken in the previous release's records as a
whole. When any of it is not so, :func:`changed_records` gives None, and the caller reads
the previous release whole (which then says what is wrong).

With the cache, the rows need not be read to know which records may differ: a release
keeps in it, under the SHA-256 of each of its tables, the cache key of the file each of
its records was made of (:func:`record_sources`; the key holds the file's bytes and this
coopdata, and a record's data, hence its rows, are made of that alone). The next release
takes as possibly changed the records whose file's key is not the same now, and reads back
only those. A release whose tables are not those hashes, or a cache without the entry,
takes the long way above. The records found so are a superset of those whose rows differ
(a file whose comments alone changed is read back too), and the changes made of them the
same (:func:`~coopdata.release.changelog.compare` compares the records' data).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from coopdata import cache as caching
from coopdata.model.dataset import Dataset, PickledRecord, RawRecord, Record
from coopdata.model.spec import KINDS
from coopdata.records.checks import check_record
from coopdata.records.dataset import check_references
from coopdata.records.files import MAX_BYTES
from coopdata.release.dir import TABLES
from coopdata.tables.layout import Table, tables
from coopdata.tables.read import open_table
from coopdata.tables.rows import TableError, records_from_rows

RecordData = Mapping[str, dict[str, Any]]
"""Records' data by ``kind/id``."""


def changed_records(old_tables: Path, new_tables: Path, new: Dataset,
                    remembered: RecordSources | None = None,
                    cache: caching.Cache | None = None
                    ) -> tuple[RecordData, RecordData] | None:
    """The data of the records of the previous release (whose tables are ``old_tables``)
    whose rows differ from those of the newer release (tables ``new_tables``, written
    from the records ``new``) or that the newer does not have, and the newer records'
    data of those whose rows differ or that the previous release does not have; None
    when the previous release's tables are not as this release writes them.

    ``remembered``: the :func:`record_sources` of the previous release (kept in the cache
    under its tables' hashes): then the records whose file's key differs (or is unknown)
    are taken as differing, and no table is read but for them; with ``cache`` too, not
    even for them when the cache still holds what the load made of their files then (the
    load's values, kept until the cache is closed: :func:`_from_cache`)."""
    with _wide_cells():
        records = {f"{r.kind}/{r.id}": r for r in new}
        if remembered is not None:
            was: Mapping[str, Any] = remembered
            now = record_sources(new)
            differing = {name for name, source in remembered.items()
                         if source is None or now.get(name) != source}
            cached = _from_cache(cache, remembered, differing) if cache is not None else None
        else:
            old, digests = _digests(old_tables), _digests(new_tables)
            if old is None or digests is None:
                return None
            if set(records) != set(digests):
                return None  # (tables not written from these records)
            was = old
            differing = {name for name, digest in old.items() if digests.get(name) != digest}
            cached = None
        before = cached if cached is not None else _read_back(old_tables, differing)
    if before is None:
        return None
    previous = Dataset()
    for name, record in records.items():
        if name in was and name not in differing:
            previous.add(record)  # (its rows are the same: its data too)
    for record in before.values():
        previous.add(record)
    if any(f.severity == "violation" for f in check_references(previous)):
        return None
    after = {name: record.data for name, record in records.items()
             if name not in was or name in differing}
    return {name: record.data for name, record in before.items()}, after


RecordSources = Mapping[str, bytes | None]
"""The cache key of the file each record of a release was made of, by ``kind/id``."""


def record_sources(dataset: Dataset) -> dict[str, bytes | None]:
    """Of each record of ``dataset``, by ``kind/id``, the cache key of the file it was
    made of (:attr:`~coopdata.model.dataset.Dataset.sources`; None where the load could
    not vouch for one), read without reading the records."""
    return {f"{kind}/{record_id}": dataset.sources.get((kind, record_id))
            for kind, records in dataset.by_kind.items() for record_id in records}


def sources_key(checksums: Callable[[str], str]) -> bytes:
    """The cache key of the :func:`record_sources` of a release, given the SHA-256 of each
    of its files by name (``tables/projects.csv``): made of those of its tables."""
    return caching.key("release-records", *(
        f"{name}={checksums(name)}" for name in (f"{TABLES}/{t.name}.csv" for t in tables())))


def _digests(folder: Path) -> dict[str, bytes] | None:
    """``kind/id`` of each record of the tables in ``folder`` → a digest of its rows
    (every table, in order), or None when the tables are not as this layout writes them."""
    running: dict[str, Any] = {}
    for number, table in enumerate(tables()):
        kind = table.kind.name
        main = not table.field_path and not table.translations
        for row in _rows(folder, table):
            if row is None:
                return None
            name = f"{kind}/{row[0]}"
            text = "\x1f".join(row)
            if text.count("\x1f") != len(row) - 1 or "\x1e" in text:
                return None  # (a cell holding a separator: the digest could be ambiguous)
            if main:
                if name in running:
                    return None
                running[name] = hashlib.blake2b(digest_size=16)
            digest = running.get(name)
            if digest is None:
                return None  # (a row of no record)
            digest.update(f"{number}\x1e{text}\x1e".encode())
    return {name: digest.digest() for name, digest in running.items()}


def _rows(folder: Path, table: Table) -> Iterator[list[str] | None]:
    """The rows of ``table`` in ``folder`` (its header apart), each as long as the header;
    None (last) when the file cannot be read so, or its header is not the layout's."""
    try:
        with open_table(folder / f"{table.name}.csv") as handle:
            reader = csv.reader(handle)
            if next(reader, None) != table.header:
                yield None
                return
            width = len(table.header)
            for row in reader:
                if row:  # (an empty line is no row, as csv.DictReader has it)
                    if len(row) != width:
                        yield None
                        return
                    yield row
    except (OSError, UnicodeDecodeError, csv.Error, ValueError):
        yield None


def _from_cache(cache: caching.Cache, remembered: RecordSources,
                names: set[str]) -> dict[str, Record] | None:
    """The records ``names`` (``kind/id``) of the previous release as its load made them of
    their files (under the keys ``remembered``), from ``cache``; None unless every one is
    there, whole and checked (then the previous release's tables are read instead).

    The previous release's tables were written from these very records, and records →
    tables → records gives back the same records (``tests/tables/test_tables.py``): they
    are what :func:`_read_back` would read back, without reading every row of the tables
    to find them."""
    keys = {name: remembered.get(name) for name in names}
    if any(key is None for key in keys.values()):
        return None
    found = cache.get({key for key in keys.values() if key is not None})
    records: dict[str, Record] = {}
    for name, key in keys.items():
        value = found.get(key) if key is not None else None
        if not (isinstance(value, tuple) and len(value) == 3):
            return None
        record, findings, _ = value
        if isinstance(record, PickledRecord):
            record = record.record()
        if not isinstance(record, Record) or f"{record.kind}/{record.id}" != name or any(
                finding.severity == "violation" for finding in findings):
            return None
        records[name] = record
    return records


def _read_back(folder: Path, names: set[str]) -> dict[str, Any] | None:
    """The records ``names`` (``kind/id``) read back from the tables in ``folder`` and
    checked, by name; None if one cannot be read back without a violation."""
    table_rows: dict[str, list[dict[str, str]]] = {}
    numbers: dict[str, int] = {}
    for table in tables():
        kind, header = table.kind.name, table.header
        main = not table.field_path and not table.translations
        kept = table_rows.setdefault(table.name, [])
        for number, row in enumerate(_rows(folder, table), start=2):
            if row is None:
                return None
            name = f"{kind}/{row[0]}"
            if name in names:
                kept.append(dict(zip(header, row, strict=True)))
                if main:
                    numbers[name] = number
    try:
        plain = records_from_rows(table_rows)
    except TableError:
        return None
    found: dict[str, Any] = {}
    for kind, by_id in plain.items():
        path = str(folder / f"{KINDS[kind].folder}.csv")
        for record_id, data in by_id.items():
            name = f"{kind}/{record_id}"
            checked, findings = check_record(RawRecord(kind, record_id, path, data,
                                                       {"id": numbers[name]}))
            if checked is None or any(f.severity == "violation" for f in findings):
                return None
            found[name] = checked
    return found if set(found) == names else None


@contextmanager
def _wide_cells() -> Iterator[None]:
    """A cell may be a whole record (as :func:`~coopdata.tables.read.read_tables` allows)."""
    limit = csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))
    try:
        yield
    finally:
        csv.field_size_limit(limit)
