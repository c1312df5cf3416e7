"""Records ↔ tables: the tabular view of the same records, as Frictionless resources.

Every kind has a main table (``projects``: one row a record); every list field has a
link table (``project_budgets``: one row a budget, keyed by project id and position);
lists inside list items have their own (``project_results_targets``, keyed also by the
position of the result; ``project_results_indicators_periods`` by those of the result
and of the indicator). ``text`` fields
become one column for each interface language (``title_en``, ``title_fr``); a text's
other languages (``es``, ``ar``…) go into the kind's translations table
(``project_translations``: one row a text in one language, naming the table, the row's
positions, the column and the language); a single nested object is flattened into its
parent's row (``place_name``). The layout is derived from :mod:`coopdata.model.spec`, so
records → tables → records gives back the same records.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from itertools import chain, repeat
from typing import Any

from coopdata.model.dataset import Dataset
from coopdata.model.spec import KINDS, LANGUAGES, Field, Kind
from coopdata.model.vocab import decimal_text

ID_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
FORMULA_START = "=+-@\t\r"
"""A spreadsheet reads a cell that starts with one of these as a formula."""
TEXT_TYPES = frozenset({"string", "text", "ref", "url"})
"""Columns of free text, guarded against formulas (numbers, dates and codes never start
with a formula character, and are written as they are)."""
GUARD_START = ("'", *FORMULA_START)
"""The first characters of every text :func:`guard` changes (a cheap test before it)."""
_GUARDED = re.compile(f"'*[{re.escape(FORMULA_START)}]")
_UNGUARD = re.compile(f"'+[{re.escape(FORMULA_START)}]")


def guard(text: str) -> str:
    """``text`` safe to open in a spreadsheet: a text that starts with a formula character
    (``=HYPERLINK(…)``, ``-5 migrants``, ``@team``), after any number of quotes, gets one
    more quote in front, which spreadsheets show as text (OWASP's advice). :func:`unguard`
    gives the text back exactly."""
    return f"'{text}" if text.startswith(GUARD_START) and _GUARDED.match(text) else text


def unguard(cell: str) -> str:
    """The text :func:`guard` was given: one leading quote fewer before a formula character."""
    return cell[1:] if _UNGUARD.match(cell) else cell


@dataclass(frozen=True)
class Column:
    """A data column: the field it holds, where in a nested object, in which language."""

    name: str
    spec: Field
    path: tuple[str, ...]
    lang: str | None = None


@dataclass(frozen=True)
class Table:
    """One table of the tabular view."""

    name: str
    kind: Kind
    field_path: tuple[str, ...]
    """Empty for a kind's main table; ``("results", "targets")`` for nested lists."""
    columns: tuple[Column, ...]
    scalar: Field | None = None
    """For a list of plain values (countries…): the field; its values go in ``value``."""
    translations: bool = False
    """The kind's translations table: a text's languages other than :data:`LANGUAGES`."""

    @property
    def keys(self) -> tuple[str, ...]:
        """``("id",)`` for a main table; else the record's id, the position of each
        enclosing list item, outermost first (``grandparent_position``,
        ``parent_position``), and the row's own ``position``."""
        if not self.field_path:
            return ("id",)
        return (self.kind.name, *ancestor_keys(len(self.field_path)), "position")

    @property
    def header(self) -> list[str]:
        return [*self.keys, *(c.name for c in self.columns)]

    @property
    def parent(self) -> str:
        """The table whose rows this table's rows belong to."""
        if len(self.field_path) <= 1:
            return self.kind.folder
        return f"{self.kind.name}_{'_'.join(self.field_path[:-1])}"


def ancestor_keys(depth: int) -> tuple[str, ...]:
    """The key columns naming the enclosing list items of a list ``depth`` deep, outermost
    first: none at depth 1, ``parent_position`` at 2, ``grandparent_position`` before it at
    3, then ``great_grandparent_position``…"""
    names = []
    for up in range(depth - 1, 0, -1):
        names.append("great_" * max(up - 2, 0) + "grand" * (up >= 2) + "parent_position")
    return tuple(names)


def _columns(fields: tuple[Field, ...], prefix: tuple[str, ...] = ()) -> Iterator[Column]:
    for spec in fields:
        if spec.many:
            continue
        path = (*prefix, spec.name)
        if spec.type == "object":
            yield from _columns(spec.fields, path)
        elif spec.type == "text":
            for lang in LANGUAGES:
                yield Column("_".join(path) + f"_{lang}", spec, path, lang)
        else:
            yield Column("_".join(path), spec, path)


def _value_columns(spec: Field) -> tuple[Column, ...]:
    if spec.type == "text":
        return tuple(Column(f"value_{lang}", spec, (), lang) for lang in LANGUAGES)
    return (Column("value", spec, ()),)


def _tables(kind: Kind, fields: tuple[Field, ...], field_path: tuple[str, ...]) -> Iterator[Table]:
    for spec in fields:
        if not spec.many:
            continue
        path = (*field_path, spec.name)
        name = f"{kind.name}_{'_'.join(path)}"
        if spec.type == "object":
            yield Table(name, kind, path, tuple(_columns(spec.fields)))
            yield from _tables(kind, spec.fields, path)
        else:
            yield Table(name, kind, path, _value_columns(spec), scalar=spec)


TRANSLATIONS = "translations"
"""The last part of a translations table's name (``project_translations``)."""
TRANSLATION_FIELDS = (
    Field("table", "string", "coop:translationTable",
          "The table of the row whose text this is (projects, project_budgets…)."),
    Field("positions", "string", "coop:translationPositions",
          "The row's positions in that table, outermost list first, joined by dots "
          "(empty for a main table's row): parent_position.position."),
    Field("column", "string", "coop:translationColumn",
          "The text column, without its language suffix (title, place_name, value…)."),
    Field("language", "language", "coop:translationLanguage",
          "The text's language: an ISO 639-1 code other than en and fr."),
    Field("text", "string", "coop:translationText", "The text in that language."),
)
"""The columns of a translations table, after its keys (record id, position)."""


def _translations(kind: Kind) -> Table:
    return Table(f"{kind.name}_{TRANSLATIONS}", kind, (TRANSLATIONS,),
                 tuple(Column(f.name, f, (f.name,)) for f in TRANSLATION_FIELDS),
                 translations=True)


@cache
def tables() -> tuple[Table, ...]:
    """Every table, main tables first, then link tables, then the translations tables,
    in a stable order."""
    main = [Table(kind.folder, kind, (), tuple(_columns(kind.fields))) for kind in KINDS.values()]
    links = [t for kind in KINDS.values() for t in _tables(kind, kind.fields, ())]
    return (*main, *links, *(_translations(kind) for kind in KINDS.values()))


def _text_fields(fields: tuple[Field, ...], prefix: tuple[str, ...] = ()
                 ) -> Iterator[tuple[tuple[str, ...], Field]]:
    """The paths of the text columns of a row of ``fields`` (single objects flattened)."""
    for spec in fields:
        if spec.many:
            continue
        if spec.type == "object":
            yield from _text_fields(spec.fields, (*prefix, spec.name))
        elif spec.type == "text":
            yield (*prefix, spec.name), spec


@cache
def _row_texts(fields: tuple[Field, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(column name without language, path) of each text column of a row of ``fields``."""
    return tuple(("_".join(path), path) for path, _ in _text_fields(fields))


def _other_languages(kind: Kind, data: dict[str, Any]) -> Iterator[list[str]]:
    """The cells (table, positions, column, language, text) of each text of a record in a
    language that has no column of its own."""
    def walk(fields: tuple[Field, ...], item: dict[str, Any], table: str,
             positions: str, path: tuple[str, ...]) -> Iterator[list[str]]:
        for column, text_path in _row_texts(fields):
            text: Any = item
            for name in text_path:
                text = text.get(name) if isinstance(text, dict) else None
            if isinstance(text, dict) and len(text) > sum(lang in text for lang in LANGUAGES):
                for lang, words in text.items():
                    if lang not in LANGUAGES:
                        yield [table, positions, column, lang, words]
        for spec in fields:
            if not spec.many or not isinstance(item.get(spec.name), list):
                continue
            inner = (*path, spec.name)
            name = f"{kind.name}_{'_'.join(inner)}"
            for number, entry in enumerate(item[spec.name], start=1):
                at = f"{positions}.{number}" if positions else str(number)
                if spec.type == "object" and isinstance(entry, dict):
                    yield from walk(spec.fields, entry, name, at, inner)
                elif spec.type == "text" and isinstance(entry, dict) and \
                        len(entry) > sum(lang in entry for lang in LANGUAGES):
                    for lang, words in entry.items():
                        if lang not in LANGUAGES:
                            yield [name, at, "value", lang, words]

    yield from walk(kind.fields, data, kind.folder, "", ())


# --- records → rows ---------------------------------------------------------------

def encode(spec: Field, value: Any) -> str:
    """A typed value as a CSV cell."""
    return _encoder(spec)(value)


def _boolean_text(value: Any) -> str:
    return "true" if value else "false"


def _encoder(spec: Field) -> Callable[[Any], str]:
    """What turns a typed value of ``spec`` into a cell (:func:`encode`)."""
    if spec.type == "decimal":
        return decimal_text
    if spec.type == "boolean":
        return _boolean_text
    return str


class _Positions(dict[int, tuple[str, ...]]):
    """The positions of a list of ``n`` entries as cell text (``"1"`` … ``"n"``), each
    made once: the same few recur in every link table."""

    def __missing__(self, size: int) -> tuple[str, ...]:
        texts = self[size] = tuple(str(position) for position in range(1, size + 1))
        return texts


_POSITIONS = _Positions()
_NO_DATA: dict[str, Any] = {}


def _fetch(datas: list[dict[str, Any]], names: list[str]) -> dict[str, Sequence[Any]]:
    """The value of each of ``names`` (``None`` where absent) in each of ``datas``, name by
    name. Each data is read once, for all names (records lie far apart in memory), into
    one list (a container for each would wake the garbage collector)."""
    values = list(chain.from_iterable(map(data.get, names) for data in datas))
    return {name: values[i::len(names)] for i, name in enumerate(names)}


def _cells(column: Column, values: Sequence[Any]) -> list[str]:
    """The cells of ``column``, given the values of the first field of its path."""
    for name in column.path[1:]:
        values = [value.get(name) if isinstance(value, dict) else None for value in values]
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
    owner_keys = [list(chain.from_iterable(map(repeat, column, sizes))) for column in keys]
    positions = list(chain.from_iterable(map(_POSITIONS.__getitem__, sizes)))
    return [*owner_keys, positions], list(chain.from_iterable(lists))


def columns(table: Table, dataset: Dataset) -> list[list[str]]:
    """The cells of ``table`` (without header) column by column, in header order."""
    return _columns_of(table, *_records_of(table.kind, dataset))


def all_columns(dataset: Dataset) -> Iterator[tuple[Table, list[list[str]]]]:
    """Every table with its :func:`columns`, one table at a time (the records of each
    kind read once for all its tables)."""
    kinds: dict[str, tuple[list[str], dict[str, Sequence[Any]]]] = {}
    for table in tables():
        if table.kind.name not in kinds:
            kinds[table.kind.name] = _records_of(table.kind, dataset)
        yield table, _columns_of(table, *kinds[table.kind.name])


def _records_of(kind: Kind, dataset: Dataset) -> tuple[list[str], dict[str, Sequence[Any]]]:
    """The ids of the records of ``kind``, and the values of their fields (:func:`_fetch`)."""
    records = dataset.of_kind(kind.name)
    fields = _fetch([r.data for r in records], list(kind.field_names))
    fields[_DATA] = [r.data for r in records]
    return [r.id for r in records], fields


_DATA = "\0data"
"""Where :func:`_records_of` keeps the records' data themselves (for the translations)."""


def _translation_columns(table: Table, ids: list[str], datas: Sequence[Any]) -> list[list[str]]:
    cells: list[list[str]] = [[] for _ in range(2 + len(table.columns))]
    for record_id, data in zip(ids, datas, strict=True):
        for number, row in enumerate(_other_languages(table.kind, data), start=1):
            for column, cell in zip(cells, [record_id, str(number), *row], strict=True):
                column.append(cell)
    return cells


def _columns_of(table: Table, ids: list[str],
                fields: dict[str, Sequence[Any]]) -> list[list[str]]:
    """The columns of ``table`` from the records of its kind: their ids, and the values of
    their fields (:func:`_fetch`)."""
    if not table.field_path:
        return [list(ids), *(_cells(c, fields[c.path[0]]) for c in table.columns)]
    if table.translations:
        return _translation_columns(table, ids, fields[_DATA])
    head, *inner = table.field_path
    keys, items = _entries([ids], [() if value is None else value for value in fields[head]])
    for name in inner:
        keys, items = _entries(keys, [item.get(name, ()) for item in items])
    if table.scalar is None:
        items = [item if isinstance(item, dict) else _NO_DATA for item in items]
        item_fields = _fetch(items, list(dict.fromkeys(c.path[0] for c in table.columns)))
        return [*keys, *(_cells(c, item_fields[c.path[0]]) for c in table.columns)]
    if table.scalar.type == "text":
        return [*keys, *([item.get(lang, "") if isinstance(item, dict) else "" for item in items]
                         for lang in LANGUAGES)]
    encoder = _encoder(table.scalar)
    return [*keys, [encoder(item) for item in items]]


def rows(table: Table, dataset: Dataset) -> Iterator[list[str]]:
    """The rows of ``table`` (without header), as CSV cells."""
    for row in zip(*columns(table, dataset), strict=True):
        yield list(row)


# --- rows → records ---------------------------------------------------------------

def decode(spec: Field, cell: str) -> Any:
    """A CSV cell as the plain value a record file would hold (numbers as Decimal,
    booleans as bool); a cell that cannot be read is kept as text for the checks."""
    if spec.type == "decimal":
        try:
            number = Decimal(cell) if cell.isascii() else None  # not "١٢٣" nor "１２３"
        except InvalidOperation:
            return cell
        return number if number is not None and number.is_finite() else cell
    if spec.type == "boolean":
        lowered = cell.lower()
        return {"true": True, "false": False}.get(lowered, cell)
    return unguard(cell) if spec.type in TEXT_TYPES else cell


def _assign(target: dict[str, Any], columns: tuple[Column, ...], cells: dict[str, str]) -> None:
    for column in columns:
        cell = cells.get(column.name, "")
        if cell == "":
            continue
        holder = target
        for name in column.path[:-1]:
            holder = holder.setdefault(name, {})
        if column.lang is not None:
            holder.setdefault(column.path[-1], {})[column.lang] = unguard(cell)
        else:
            holder[column.path[-1]] = decode(column.spec, cell)


class TableError(ValueError):
    """A row that cannot be placed: its record or parent row does not exist."""


PlainRecords = dict[str, dict[str, dict[str, Any]]]
"""Plain record data: kind → id → fields."""


def records_from_rows(table_rows: dict[str, list[dict[str, str]]]) -> PlainRecords:
    """Plain record data (kind → id → fields) from rows given as dicts by table name.

    Rows of link tables are placed in position order. Raises :class:`TableError` for
    a row whose record or parent does not exist.
    """
    out: PlainRecords = {kind: {} for kind in KINDS}
    for table in tables():
        for number, cells in enumerate(table_rows.get(table.name, []), start=2):
            kind = table.kind.name
            if table.translations:
                _translate(out[kind], table, cells, number)
                continue
            if not table.field_path:
                record: dict[str, Any] = {"id": cells.get("id", "")}
                _assign(record, table.columns, cells)
                if record["id"] in out[kind]:
                    raise TableError(f'{table.name}.csv row {number}: the id "{record["id"]}" '
                                     "is given twice")
                out[kind][record["id"]] = record
                continue
            owner = out[kind].get(cells.get(kind, ""))
            if owner is None:
                raise TableError(f'{table.name}.csv row {number}: no {kind} '
                                 f'"{cells.get(kind, "")}" in {table.kind.folder}.csv')
            holder = owner
            ancestors = ancestor_keys(len(table.field_path))
            for level, key in enumerate(ancestors):
                index = _position(cells.get(key, ""), table, number)
                parents = [item for position, item in holder.get(table.field_path[level], [])
                           if position == index]
                if not parents:
                    place = f"{kind}_{'_'.join(table.field_path[:level + 1])}"
                    raise TableError(f"{table.name}.csv row {number}: no row with position "
                                     f"{index} for {kind} \"{owner['id']}\" in {place}.csv")
                holder = parents[0]
            items = holder.setdefault(table.field_path[-1], [])
            position = _position(cells.get("position", ""), table, number)
            if any(taken == position for taken, _ in items):
                raise TableError(f"{table.name}.csv row {number}: position {position} is "
                                 "given twice")
            if table.scalar is not None and table.scalar.type != "text":
                item: Any = decode(table.scalar, cells.get("value", ""))
            elif table.scalar is not None:
                item = {lang: unguard(cells[f"value_{lang}"]) for lang in LANGUAGES
                        if cells.get(f"value_{lang}")}
            else:
                item = {}
                _assign(item, table.columns, cells)
            items.append((position, item))
    for kind_records in out.values():
        for record in kind_records.values():
            _order(record)
    return out


def _translate(records: dict[str, dict[str, Any]], table: Table, cells: dict[str, str],
               number: int) -> None:
    """Put the text of a row of a translations table into its record (whose rows of the
    other tables are already placed, lists still as ``(position, item)`` pairs)."""
    where = f"{table.name}.csv row {number}"
    kind = table.kind
    record = records.get(cells.get(kind.name, ""))
    if record is None:
        raise TableError(f'{where}: no {kind.name} "{cells.get(kind.name, "")}" in '
                         f"{kind.folder}.csv")
    _position(cells.get("position", ""), table, number)
    name, lang = cells.get("table", ""), cells.get("language", "")
    target = next((t for t in tables() if t.name == name and t.kind is kind
                   and not t.translations), None)
    if target is None:
        raise TableError(f'{where}: "{name}" is not a table of {kind.folder} (the table '
                         f"column names the table of the translated row: {kind.folder}, "
                         f"{kind.name}_…)")
    text_columns = {c.name.removesuffix(f"_{c.lang}"): c for c in target.columns
                    if c.lang == LANGUAGES[0]}
    column = text_columns.get(cells.get("column", ""))
    if column is None:
        raise TableError(f'{where}: {name}.csv has no text column "{cells.get("column", "")}" '
                         f"(one of: {', '.join(text_columns) or 'none'})")
    if lang in LANGUAGES:
        raise TableError(f'{where}: the {lang} text goes in the column '
                         f"{column.name.removesuffix(LANGUAGES[0])}{lang} of {name}.csv")
    positions = cells.get("positions", "")
    numbers = positions.split(".") if positions else []
    if len(numbers) != len(target.field_path):
        raise TableError(f'{where}: positions "{positions}" should give {len(target.field_path)} '
                         f"position{'' if len(target.field_path) == 1 else 's'} for {name}.csv "
                         "(outermost first, joined by dots)")
    holder: Any = record
    for level, cell in enumerate(numbers):
        index = _position(cell, table, number)
        found = [item for at, item in holder.get(target.field_path[level], []) if at == index]
        if not found:
            raise TableError(f'{where}: no row at positions "{positions}" for {kind.name} '
                             f"\"{record['id']}\" in {name}.csv")
        holder = found[0]
    text = holder
    if target.scalar is None:
        for part in column.path[:-1]:
            text = text.setdefault(part, {})
        text = text.setdefault(column.path[-1], {})
    if not isinstance(text, dict) or lang in text:
        raise TableError(f"{where}: the {lang or 'empty'} text of {name}.csv "
                         f'"{cells.get("column", "")}" at positions "{positions}" is given twice')
    text[lang] = unguard(cells.get("text", ""))


def _position(cell: str, table: Table, number: int) -> int:
    if not (cell.isascii() and cell.isdigit()) or len(cell) > 9 or int(cell) < 1:
        raise TableError(f'{table.name}.csv row {number}: position "{cell}" is not a whole '
                         "number from 1")
    return int(cell)


def _order(data: dict[str, Any]) -> None:
    """Replace ``(position, item)`` lists with items in position order, recursively."""
    for name, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], tuple):
            value.sort(key=lambda pair: pair[0])
            data[name] = [item for _, item in value]
            for item in data[name]:
                if isinstance(item, dict):
                    _order(item)
