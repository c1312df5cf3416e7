"""Records: one record as read, its values as YAML gives them (:class:`RawRecord`), one
record checked, its values typed (:class:`Record`), and a set of checked records keyed by
kind and id, in a stable order (:class:`Dataset`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

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
    order, then id order, so that everything built from a dataset is deterministic."""

    by_kind: dict[str, dict[str, Record]] = field(
        default_factory=lambda: {name: {} for name in KINDS})

    def add(self, record: Record) -> None:
        self.by_kind[record.kind][record.id] = record

    def get(self, kind: str, record_id: str) -> Record | None:
        return self.by_kind[kind].get(record_id)

    def ids(self, kind: str) -> list[str]:
        return sorted(self.by_kind[kind])

    def of_kind(self, kind: str) -> list[Record]:
        return [self.by_kind[kind][i] for i in self.ids(kind)]

    def __iter__(self) -> Iterator[Record]:
        for kind in KINDS:
            yield from self.of_kind(kind)

    def __len__(self) -> int:
        return sum(len(records) for records in self.by_kind.values())

    def counts(self) -> dict[str, int]:
        return {kind: len(records) for kind, records in self.by_kind.items()}
