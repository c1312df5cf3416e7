"""Records → table cells: each column's values as the CSV cells write them, one list a
column (a container for each cell would wake the garbage collector)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import chain, compress, repeat
from typing import Any

from coopdata.model.dataset import Dataset, Record
from coopdata.model.fieldtypes import FieldType
from coopdata.model.spec import LANGUAGES, Field, Kind
from coopdata.tables.layout import Column, Table, other_languages, tables


def encode(spec: Field, value: Any) -> str:
    """A typed value as a CSV cell."""
    return spec.field_type.cell(value)


def _encoder(spec: Field) -> Callable[[Any], str]:
    """What turns a typed value of ``spec`` into a cell (:func:`encode`): ``str`` itself
    where the type writes values as they are (called in C, not through a method)."""
    kind = spec.field_type
    return str if type(kind).cell is FieldType.cell else kind.cell


class _Positions(dict[int, tuple[str, ...]]):
    """The positions of a list of ``n`` entries as cell text (``"1"`` … ``"n"``), each
    made once: the same few recur in every link table."""

    def __missing__(self, size: int) -> tuple[str, ...]:
        texts = self[size] = tuple(str(position) for position in range(1, size + 1))
        return texts


_POSITIONS = _Positions()


def _fetch(datas: list[dict[str, Any]], names: list[str]) -> dict[str, Sequence[Any]]:
    """The value of each of ``names`` (``None`` where absent) in each of ``datas``, name by
    name. Each data is read once, for all names (records lie far apart in memory), into
    one list (a container for each would wake the garbage collector); only for the
    names some data has (most of a kind's optional fields are in few records)."""
    present = set().union(*datas)
    used = [name for name in names if name in present]
    values = list(chain.from_iterable(map(data.get, used) for data in datas))
    found = {name: values[i::len(used)] for i, name in enumerate(used)}
    return {name: found[name] if name in found else [None] * len(datas) for name in names}


def _cells(column: Column, values: Sequence[Any],
           others: Callable[[Sequence[Any]], None] | None = None) -> list[str]:
    """The cells of ``column``, given the values of the first field of its path.
    ``others``: given the texts of a text column in the first interface language, once
    for each text field (see :func:`_with_others`)."""
    for name in column.path[1:]:
        if not any(values):  # (no object to look into: every cell empty)
            return [""] * len(values)
        values = [value.get(name) if isinstance(value, dict) else None for value in values]
    if others is not None and column.lang == LANGUAGES[0]:
        others(values)
    encoder = _encoder(column.spec)
    if column.lang is not None:
        lang = column.lang
        return ["" if value is None or (text := value.get(lang)) is None else encoder(text)
                for value in values]
    return ["" if value is None else encoder(value) for value in values]


def _entries(keys: list[list[str]], lists: list[Any]) -> tuple[list[list[str]], list[Any]]:
    """The entries of lists whose owners have the key cells ``keys`` (column by column):
    the key cells of each entry (its owner's, then its position), and the entries."""
    sizes = list(map(len, lists))
    if sizes.count(0) * 2 > len(sizes):  # (most owners have none: only the others walked)
        lists = list(compress(lists, sizes))
        keys = [list(compress(column, sizes)) for column in keys]
        sizes = list(filter(None, sizes))
    owner_keys = [list(chain.from_iterable(map(repeat, column, sizes))) for column in keys]
    positions = list(chain.from_iterable(map(_POSITIONS.__getitem__, sizes)))
    return [*owner_keys, positions], list(chain.from_iterable(lists))


def columns(table: Table, dataset: Dataset) -> list[list[str]]:
    """The cells of ``table`` (without header) column by column, in header order."""
    return _kind_columns(table.kind, [table], dataset)[0]


def all_columns(dataset: Dataset) -> Iterator[tuple[Table, list[list[str]]]]:
    """Every table with its :func:`columns` (the records of each kind read once for all
    its tables)."""
    every = tables()
    made: dict[int, list[list[str]]] = {}
    for table in every:
        if id(table) not in made:
            its = [t for t in every if t.kind.name == table.kind.name]
            made.update(zip(map(id, its), _kind_columns(table.kind, its, dataset),
                            strict=True))
        yield table, made.pop(id(table))


def column_chunks(dataset: Dataset) -> Iterator[tuple[Table, list[list[str]]]]:
    """Every table's cells a chunk of :data:`CHUNK` records at a time, kind by kind (in
    the order of :func:`~coopdata.tables.layout.tables`): for each chunk of a kind's
    records, each of its tables with the cells of their rows (each table's chunks in the
    order of its rows), so that no table is ever held whole."""
    every = tables()
    for kind in dict.fromkeys(t.kind.name for t in every):
        its = [t for t in every if t.kind.name == kind]
        yield from _chunks(its[0].kind, its, dataset)


def _chunks(kind: Kind, its: list[Table],
            dataset: Dataset) -> Iterator[tuple[Table, list[list[str]]]]:
    """:func:`column_chunks` of ``its`` tables, all of ``kind``."""
    records = dataset.of_kind(kind.name)
    # Every table of the kind made, in tables() order (the translations table last): its
    # other tables' text columns tell which records have texts in other languages.
    whole = tuple(its) == tuple(t for t in tables() if t.kind.name == kind.name)
    for start in range(0, max(len(records), 1), CHUNK):
        made: dict[int, list[list[str]]] = {}
        for at in range(start, min(start + CHUNK, len(records)) or 1, BATCH):
            ids, fields = _records_of(kind, records[at:min(at + BATCH, start + CHUNK)])
            others: set[str] | None = set() if whole else None
            for table in its:
                _add(made, table, _columns_of(table, ids, fields, others))
        for table in its:
            yield table, made[id(table)]


def _add(made: dict[int, list[list[str]]], table: Table, cells: list[list[str]]) -> None:
    """Add ``cells`` to the columns of ``table`` in ``made`` (by the table's identity)."""
    if (columns := made.setdefault(id(table), cells)) is not cells:
        for column, more in zip(columns, cells, strict=True):
            column += more


def _kind_columns(kind: Kind, its: list[Table], dataset: Dataset) -> list[list[list[str]]]:
    """The :func:`columns` of each of ``its`` tables, all of ``kind``: made from
    :data:`CHUNK` records at a time, each chunk's cells added to the columns, so that
    the records' values are never all held at once (records held pickled are read one
    at a time: :meth:`~coopdata.model.dataset.Dataset.compact`)."""
    made: dict[int, list[list[str]]] = {}
    for table, cells in _chunks(kind, its, dataset):
        _add(made, table, cells)
    return [made[id(table)] for table in its]


CHUNK = 50_000
"""Records whose cells are handed out together (each chunk's values are let go before
the next is read)."""
BATCH = 1_000
"""Records whose cells are made together, column by column, within a chunk: each column
reads the same records' values again, which a small batch finds still in the processor's
cache (at 100,000 projects, the cells took half the time they took made a chunk at once)."""


def _records_of(kind: Kind, records: Sequence[Record]) -> tuple[list[str],
                                                                dict[str, Sequence[Any]]]:
    """The ids of ``records`` and the values of their fields (:func:`_fetch`)."""
    fields = _fetch([r.data for r in records], list(kind.field_names))
    fields[_DATA] = [r.data for r in records]
    return [r.id for r in records], fields


_DATA = "\0data"
"""Where :func:`_records_of` keeps the records' data themselves (for the translations)."""


def _translation_columns(table: Table, ids: list[str], datas: Sequence[Any],
                         others: set[str] | None) -> list[list[str]]:
    """The translations table's columns: the texts in languages without a column, of
    each record (of those with an id in ``others`` only, when given: no other record has
    one)."""
    cells: list[list[str]] = [[] for _ in range(2 + len(table.columns))]
    for record_id, data in zip(ids, datas, strict=True):
        if others is not None and record_id not in others:
            continue
        for number, row in enumerate(other_languages(table.kind, data), start=1):
            for column, cell in zip(cells, [record_id, str(number), *row], strict=True):
                column.append(cell)
    return cells


def _columns_of(table: Table, ids: list[str], fields: dict[str, Sequence[Any]],
                others: set[str] | None = None) -> list[list[str]]:
    """The columns of ``table`` from the records of its kind: their ids, and the values of
    their fields (:func:`_fetch`). ``others``: the ids of the records with a text in a
    language without a column are added to it, for the translations table; made by the
    kind's other tables, it spares that table a walk through every record (when None,
    every record is walked)."""
    if not table.field_path:
        found = _with_others(ids, others)
        return [list(ids), *(_cells(c, fields[c.path[0]], found) for c in table.columns)]
    if table.translations:
        return _translation_columns(table, ids, fields[_DATA], others)
    head, *inner = table.field_path
    if not any(fields[head]):  # (none of these records has one: the commonest case)
        return [[] for _ in table.header]
    keys, items = _entries([ids], [() if value is None else value for value in fields[head]])
    for name in inner:
        lists = [item.get(name, ()) for item in items]
        if not any(lists):
            return [[] for _ in table.header]
        keys, items = _entries(keys, lists)
    found = _with_others(keys[0], others)
    if table.scalar is None:
        items = [item if isinstance(item, dict) else _NO_DATA for item in items]
        item_fields = _fetch(items, list(dict.fromkeys(c.path[0] for c in table.columns)))
        return [*keys, *(_cells(c, item_fields[c.path[0]], found) for c in table.columns)]
    if table.scalar.is_text:
        if found is not None:
            found(items)
        return [*keys, *([item.get(lang, "") if isinstance(item, dict) else "" for item in items]
                         for lang in LANGUAGES)]
    encoder = _encoder(table.scalar)
    return [*keys, [encoder(item) for item in items]]


def rows(table: Table, dataset: Dataset) -> Iterator[list[str]]:
    """The rows of ``table`` (without header), as CSV cells."""
    for row in zip(*columns(table, dataset), strict=True):
        yield list(row)


_NO_DATA: dict[str, Any] = {}


def _with_others(ids: list[str], others: set[str] | None
                 ) -> Callable[[Sequence[Any]], None] | None:
    """What adds to ``others`` the id (in ``ids``, row by row) of each row whose text (in
    the texts it is given, row by row) has a language without a column."""
    if others is None:
        return None

    def found(texts: Sequence[Any]) -> None:
        if any(texts):
            others.update(ids[row] for row, text in enumerate(texts)
                          if isinstance(text, dict) and not text.keys() <= _LANGUAGES)
    return found


_LANGUAGES = frozenset(LANGUAGES)
