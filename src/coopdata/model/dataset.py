"""A set of typed records, keyed by kind and id, in a stable order."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from coopdata.model.spec import KINDS
from coopdata.records.read import Record


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
