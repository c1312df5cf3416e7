"""Records: one record as read, its values as YAML gives them (:class:`RawRecord`), one
record checked, its values typed (:class:`Record`), and a set of checked records keyed by
kind and id, in a stable order (:class:`Dataset`), each kind's records held as they are
or, when there are very many, pickled (:class:`Pickled`)."""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, overload

from coopdata.model.spec import KINDS


@dataclass
class RawRecord:
    """One record as read (from its YAML file, or from rows of tables), before its checks:
    ``data`` holds the values as YAML gives them (text, numbers, booleans, lists, maps),
    and ``lines`` where each field stands. The record checks make it a :class:`Record`."""

    kind: str
    id: str
    path: str
    data: dict[str, Any]
    lines: Mapping[str, int] = field(default_factory=dict)
    """Line of each field path (``title``, ``budgets[1]``, ``budgets[1].amount``)."""

    def line(self, field_path: str | None = None) -> int:
        """The line of ``field_path``, or of its nearest enclosing field, or of the id."""
        lines = self.lines
        while field_path:
            if (line := lines.get(field_path)) is not None:
                return line
            cut = max(field_path.rfind("."), field_path.rfind("["))
            field_path = field_path[:cut] if cut > 0 else None
        return lines.get("id", 1)


@dataclass
class Record(RawRecord):
    """One checked record, as a :class:`Dataset` holds it: ``data`` holds typed values
    (``Decimal``, :class:`~coopdata.model.dates.PartialDate`, ``{lang: text}`` maps, lists).
    What locates a record (kind, id, path, ``line``) is the same as a :class:`RawRecord`'s."""


@dataclass
class Dataset:
    """Typed records by kind and id. Iteration follows :data:`~coopdata.model.spec.KINDS`
    order, then id order, so that everything built from a dataset is deterministic.

    The records of a kind may be held pickled (:meth:`compact`): then each record asked
    for is a new copy, and changing it changes nothing in the dataset (:meth:`add` it
    again)."""

    by_kind: dict[str, MutableMapping[str, Record]] = field(
        default_factory=lambda: {name: {} for name in KINDS})
    sources: dict[tuple[str, str], bytes | None] = field(
        default_factory=dict, compare=False, repr=False)
    """The cache key of the file each record was made of, by (kind, id): what the record
    is, for the work of later steps kept in the cache (:mod:`coopdata.cache`); filled by
    a load given a cache, else empty. None for an id that several files carry."""

    def add(self, record: Record | PickledRecord) -> None:
        """Add (or replace) a record, given as objects or pickled, whichever way its kind
        is held."""
        records = self.by_kind[record.kind]
        if isinstance(record, Record):
            records[record.id] = record
        elif isinstance(records, Pickled):
            records.put(record)
        else:
            records[record.id] = record.record()

    def get(self, kind: str, record_id: str) -> Record | None:
        return self.by_kind[kind].get(record_id)

    def ids(self, kind: str) -> list[str]:
        return sorted(self.by_kind[kind])

    def of_kind(self, kind: str) -> Sequence[Record]:
        """The records of ``kind`` in id order: a list, or, when they are held pickled, a
        sequence that unpickles each as it is reached (never all at once)."""
        records = self.by_kind[kind]
        if isinstance(records, dict):
            return [records[i] for i in sorted(records)]
        return InOrder(records, sorted(records))

    def compact(self, kind: str) -> None:
        """Hold the records of ``kind`` pickled from now on (:class:`Pickled`): about a
        quarter of the memory, and about 40 µs each time a record is read."""
        records = self.by_kind[kind]
        if isinstance(records, dict):
            self.by_kind[kind] = Pickled(records)

    def __iter__(self) -> Iterator[Record]:
        for kind in KINDS:
            yield from self.of_kind(kind)

    def __len__(self) -> int:
        return sum(len(records) for records in self.by_kind.values())

    def counts(self) -> dict[str, int]:
        return {kind: len(records) for kind, records in self.by_kind.items()}


class Pickled(MutableMapping[str, Record]):
    """Records by id, each kept as its pickle in a temporary file and unpickled, a new
    copy, whenever it is asked for. A typed record takes about 9 KB of memory as objects
    (its dictionaries, texts, decimals and dates, its file's text for the lines of its
    fields) and about 2.4 KB pickled: a million projects take about 2.4 GB of file, and
    of memory only where each record is (about 100 bytes a record).

    The file is unlinked as soon as it is made (:func:`tempfile.TemporaryFile`), so it
    goes when this mapping or its process does, however that ends; its pages are the
    kernel's cache, which a forked process shares rather than copies, and which the
    kernel writes to disk should memory run short. Records are written and read at
    their place (``pwrite``, ``pread``), never through the file's shared position."""

    __slots__ = ("_where", "_file", "_end")

    def __init__(self, records: dict[str, Record] | None = None) -> None:
        """``records`` are moved in, one at a time (the dictionary is left empty, so that
        each record can be freed as soon as it is pickled)."""
        self._where: dict[str, int] = {}
        """Each record's place in the file: its offset × 2³² + its pickle's length."""
        self._file: IO[bytes] | None = None
        self._end = 0
        while records:
            record_id, record = records.popitem()
            self[record_id] = record

    def put(self, record: PickledRecord) -> None:
        """Add a record pickled already (as a load's workers pickle them)."""
        self._put(record.id, record.pickle)

    def _put(self, record_id: str, data: bytes) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="coopdata-records-")  # noqa: SIM115
        written = os.pwrite(self._file.fileno(), data, self._end)
        while written < len(data):  # (a large write may be cut short)
            written += os.pwrite(self._file.fileno(), data[written:], self._end + written)
        self._where[record_id] = self._end << 32 | len(data)
        self._end += len(data)

    def __getitem__(self, record_id: str) -> Record:
        record = pickle.loads(self._pickle(record_id))
        assert isinstance(record, Record)
        return record

    def _pickle(self, record_id: str) -> bytes:
        where = self._where[record_id]
        assert self._file is not None
        return _read(self._file.fileno(), where & 0xFFFFFFFF, where >> 32)

    def __reduce__(self) -> tuple[Any, ...]:  # (pickled itself: its records' pickles)
        return _pickled, ({record_id: self._pickle(record_id) for record_id in self},)

    def __setitem__(self, record_id: str, record: Record) -> None:
        self._put(record_id, pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))

    def __delitem__(self, record_id: str) -> None:
        del self._where[record_id]

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._where

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


def _pickled(pickles: dict[str, bytes]) -> Pickled:
    records = Pickled()
    for record_id, data in pickles.items():
        records._put(record_id, data)
    return records


def _read(fd: int, size: int, offset: int) -> bytes:
    """``size`` bytes of the file ``fd`` from ``offset`` (a read may be cut short)."""
    data = os.pread(fd, size, offset)
    while len(data) < size:
        more = os.pread(fd, size - len(data), offset + len(data))
        if not more:
            raise OSError(f"a record's pickle is cut short in {fd}")
        data += more
    return data


@dataclass(frozen=True, slots=True)
class PickledRecord:
    """A checked record pickled where it was read (in a load's worker), with what a load
    needs to know of it before it joins a dataset: kind, id, path and the line of its id."""

    kind: str
    id: str
    path: str
    id_line: int
    pickle: bytes

    @classmethod
    def of(cls, record: Record) -> PickledRecord:
        return cls(record.kind, record.id, record.path, record.line("id"),
                   pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))

    def record(self) -> Record:
        """The record itself, unpickled."""
        record = pickle.loads(self.pickle)
        assert isinstance(record, Record)
        return record

    def line(self, field_path: str | None = None) -> int:
        """The line of the record's id (the only line a load asks for before the record
        joins a dataset)."""
        assert field_path == "id"
        return self.id_line


class InOrder(Sequence[Record]):
    """The records of a mapping in the order of ``ids``, each read from it when reached."""

    __slots__ = ("_records", "_ids")

    def __init__(self, records: Mapping[str, Record], ids: list[str]) -> None:
        self._records, self._ids = records, ids

    @overload
    def __getitem__(self, index: int) -> Record: ...
    @overload
    def __getitem__(self, index: slice) -> list[Record]: ...

    def __getitem__(self, index: int | slice) -> Record | list[Record]:
        if isinstance(index, slice):
            return [self._records[i] for i in self._ids[index]]
        return self._records[self._ids[index]]

    def __iter__(self) -> Iterator[Record]:
        records = self._records
        return (records[i] for i in self._ids)

    def __len__(self) -> int:
        return len(self._ids)
