"""Table rows → plain record data: cells decoded by their field's type, nested lists and
objects put back at their positions, other languages' texts from the translations table."""

from __future__ import annotations

from typing import Any

from coopdata.model.spec import KINDS, LANGUAGES, Field
from coopdata.tables.layout import Column, Table, ancestor_keys, tables, unguard


def decode(spec: Field, cell: str) -> Any:
    """A CSV cell as the plain value a record file would hold (numbers as Decimal,
    booleans as bool); a cell that cannot be read is kept as text for the checks."""
    kind = spec.field_type
    return kind.from_cell(unguard(cell) if kind.guarded else cell)


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
            if table.scalar is not None and not table.scalar.is_text:
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
