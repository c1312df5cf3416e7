"""Validation of the tables against their table schemas, on the fast engine
(:mod:`coopdata.validate.tablecheck`) or the reference (Frictionless), each error mapped
back to the record and field its row and column came from."""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from coopdata.model.dataset import Dataset
from coopdata.report import Finding
from coopdata.tables.cells import all_columns, column_chunks, columns
from coopdata.tables.layout import Table, tables
from coopdata.tables.package import TableCells, package_descriptor
from coopdata.validate.engine import Engine, reference_table_errors
from coopdata.validate.tablecheck import PackageRows, check_tables


def validate_tables(dataset: Dataset, *, engine: Engine | str = Engine.FAST,
                    cells: TableCells | None = None,
                    each: Callable[[Table, list[list[str]]], None] | None = None
                    ) -> list[Finding]:
    """Validation of every table against its table schema (types, constraints, keys),
    each error mapped back to the record and field its row and column came from.

    ``engine="reference"`` (or ``"frictionless"``) runs Frictionless; ``"fast"`` runs
    :mod:`coopdata.validate.tablecheck`, which reports the same errors in a fraction of the
    time.
    ``cells``: the dataset's :func:`table_cells`, when already made.
    ``each``: the tables are made, checked and handed to ``each`` a chunk of records at
    a time (:func:`~coopdata.tables.cells.column_chunks`), never held whole (fast
    engine); the findings are the same.
    """
    if each is not None and Engine.of(engine) is Engine.FAST:
        return _by_chunks(dataset, each)
    by_name = {table.name: (table, columns)
               for table, columns in (cells if cells is not None else all_columns(dataset))}
    errors: dict[str, list[Any]] = {}
    if Engine.of(engine) is Engine.REFERENCE:
        errors = reference_table_errors({name: [table.header,
                                                *map(list, zip(*columns, strict=True))]
                                      for name, (table, columns) in by_name.items()})
    else:
        errors = dict(check_tables({name: (table.header, columns)
                                    for name, (table, columns) in by_name.items()},
                                   package_descriptor()))
    findings = []
    for name, table_errors in errors.items():
        table, columns = by_name[name]
        for error in table_errors:
            row = _row(table, columns, getattr(error, "row_number", None))
            findings.append(_table_finding(dataset, table, error, row))
    return findings


def _by_chunks(dataset: Dataset,
               each: Callable[[Table, list[list[str]]], None]) -> list[Finding]:
    """:func:`validate_tables` a chunk of each table's rows at a time, each chunk given
    to ``each`` once checked; a table's rows are made again only should a foreign key
    fail (the findings name their rows)."""
    package = PackageRows(package_descriptor())
    found: dict[str, list[tuple[int, Finding]]] = {t.name: [] for t in tables()}
    by_name: dict[str, Table] = {}
    for table, cells in column_chunks(dataset):
        before = package.tables[table.name].rows if table.name in package.tables else 0
        found[table.name] += [(error.row_number, _table_finding(
            dataset, table, error, _row(table, cells, error.row_number - before)))
            for error in package.check(table.name, table.header, cells)]
        each(table, cells)
        by_name[table.name] = table
    for name, errors in package.foreign_key_errors().items():
        table = by_name[name]
        cells = columns(table, dataset)
        found[name] = sorted(found[name] + [(error.row_number, _table_finding(
            dataset, table, error, _row(table, cells, error.row_number)))
            for error in errors], key=itemgetter(0))
    return [finding for table_found in found.values() for _, finding in table_found]


def _row(table: Table, cells: list[list[str]], number: int | None) -> list[str] | None:
    """Row ``number`` of a table given by its cells, column by column (1: the header)."""
    if not number or number < 1 or number > len(cells[0]) + 1:
        return None
    return table.header if number == 1 else [column[number - 2] for column in cells]


def _table_finding(dataset: Dataset, table: Table, error: Any, cells: list[str] | None) -> Finding:
    message = f"{table.name}.csv: {error.message}"
    code = f"table-{error.type}"
    if cells is None:
        return Finding(code, message, layer="tables")
    record = dataset.get(table.kind.name, cells[0])
    keys = cells[1:len(table.keys)]
    path = ""
    for list_name, position in zip(table.field_path, keys, strict=False):
        path = f"{path}.{list_name}[{position}]" if path else f"{list_name}[{position}]"
    column_name = getattr(error, "field_name", None) or next(
        iter(getattr(error, "field_names", [])), None)
    column = next((c for c in table.columns if c.name == column_name), None)
    if column is not None:
        inner = ".".join(column.path + ((column.lang,) if column.lang else ()))
        path = ".".join(p for p in (path, inner) if p)
    return Finding(code, message, layer="tables", path=record.path if record else None,
                   line=record.line(path) if record else None, record=cells[0],
                   field=path or None)
