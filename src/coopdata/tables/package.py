"""The Frictionless data package: table schemas, CSV files and ``datapackage.json``.

The table schemas in ``datapackage/`` are derived from :mod:`coopdata.model.spec` and the
code lists by :func:`table_schema`; a test checks that the committed files match.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from coopdata.model.dataset import Dataset
from coopdata.model.fieldtypes import ID_PATTERN
from coopdata.model.spec import KINDS, LANGUAGES, Field
from coopdata.tables.cells import all_columns, columns
from coopdata.tables.layout import GUARD_START, Column, Table, ancestor_keys, guard, tables

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"


def _field_descriptor(name: str, spec: Field | None, lang: str | None = None,
                      *, required: bool = False) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"name": name, "type": "string"}
    constraints: dict[str, Any] = {}
    if spec is not None:
        descriptor["description"] = spec.doc + (f" ({lang})" if lang else "")
        spec.field_type.describe(spec, descriptor, constraints)
    if required:
        constraints["required"] = True
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def _required(column: Column) -> bool:
    # A required field nested in a single optional object (an event's place) may be empty.
    return column.spec.required and len(column.path) == 1 and column.lang is None \
        and not column.spec.is_text


def table_schema(table: Table) -> dict[str, Any]:
    """The Frictionless (v2) table schema of ``table``."""
    kind = table.kind
    fields: list[dict[str, Any]] = []
    if not table.field_path:
        fields.append({"name": "id", "type": "string", "description": f"The {kind.name}'s id.",
                       "constraints": {"required": True, "unique": True, "pattern": ID_PATTERN}})
    else:
        fields.append({"name": kind.name, "type": "string",
                       "description": f"The id of the {kind.name}.",
                       "constraints": {"required": True, "pattern": ID_PATTERN}})
        for level, key in enumerate(ancestor_keys(len(table.field_path)), start=1):
            fields.append({"name": key, "type": "integer",
                           "description": "The position of the row in "
                                          f"{kind.name}_{'_'.join(table.field_path[:level])}.",
                           "constraints": {"required": True, "minimum": 1}})
        fields.append({"name": "position", "type": "integer",
                       "description": "The translation's number among the record's, from 1."
                       if table.translations else "The position in the record's list, from 1.",
                       "constraints": {"required": True, "minimum": 1}})
    for column in table.columns:
        scalar_list = table.scalar is not None and not table.scalar.is_text
        required = table.translations and column.name != "positions"
        fields.append(_field_descriptor(column.name, column.spec, column.lang,
                                        required=required or scalar_list or _required(column)))
        if table.translations and column.name == "table":
            fields[-1].setdefault("constraints", {})["enum"] = [
                t.name for t in tables() if t.kind is kind and not t.translations
                and any(c.lang for c in t.columns)]
    schema: dict[str, Any] = {"$schema": SCHEMA_PROFILE, "fields": fields,
                              "primaryKey": list(table.keys), "missingValues": [""]}
    foreign = []
    if table.field_path:
        nested = len(table.field_path) > 1
        parent_keys = [kind.name, *ancestor_keys(len(table.field_path) - 1), "position"] \
            if nested else ["id"]
        foreign.append({"fields": list(table.keys[:-1]),
                        "reference": {"resource": table.parent, "fields": parent_keys}})
    for column in table.columns:
        if column.spec.is_reference:
            assert column.spec.ref is not None

            target = KINDS[column.spec.ref].folder
            foreign.append({"fields": [column.name],
                            "reference": {"resource": target, "fields": ["id"]}})
    if foreign:
        schema["foreignKeys"] = foreign
    return schema


def package_descriptor(*, inline_schemas: bool = True) -> dict[str, Any]:
    """``datapackage.json``: one resource a table, each a CSV file named after it."""
    resources = []
    for table in tables():
        resource: dict[str, Any] = {
            "name": table.name, "type": "table", "path": f"{table.name}.csv",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": table_schema(table) if inline_schemas else f"{table.name}.schema.json",
        }
        resources.append(resource)
    return {
        "$schema": PROFILE,
        "name": "coopdata",
        "title": "Cooperation on migration: projects, organisations, agreements and events",
        "description": "Curated records of international cooperation on migration, as tables. "
                       "Text columns carry one column for each of "
                       f"{' and '.join(LANGUAGES)}; a text's other languages (ISO 639-1) are "
                       "rows of the kind's translations table (project_translations…).",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                      "title": "Creative Commons Attribution 4.0"}],
        "resources": resources,
    }


def csv_text(table: Table, dataset: Dataset) -> str:
    """The CSV file of ``table``: UTF-8, comma-separated, ``\\n`` line ends, header first.

    A text cell that a spreadsheet would run as a formula (``=…``, ``+…``, ``-…``, ``@…``)
    starts with a quote (:func:`~coopdata.tables.layout.guard`); reading the tables back removes
    it, and the graph always holds the true text."""
    return _csv_text(table, columns(table, dataset))


def _csv_text(table: Table, cells: list[list[str]]) -> str:
    """:func:`csv_text` of a table given by its cells, column by column."""
    return "".join(_csv_parts(table, cells))


def _csv_parts(table: Table, cells: list[list[str]], *, batch: int = 20_000,
               header: bool = True) -> Iterator[str]:
    """:func:`_csv_text`, ``batch`` rows at a time (the text of a large table is never held
    whole: each cell is guarded and quoted alone, so rows apart give the same lines);
    without ``header``, its rows only."""
    text = {i for i, c in enumerate(table.columns, start=len(table.keys))
            if c.spec.field_type.guarded}
    if header:
        yield _csv_line(table.header) + "\n"
    for start in range(0, len(cells[0]) if cells else 0, batch):
        part = [column[start:start + batch] for column in cells]
        shown = [_guarded(column) if i in text else column for i, column in enumerate(part)]
        yield "\n".join(_csv_lines(shown)) + "\n"


_GUARD_LINE = re.compile(f"^[{re.escape(''.join(GUARD_START))}]", re.MULTILINE)
"""A line that starts as a text :func:`~coopdata.tables.layout.guard` changes does."""


def _guarded(column: list[str]) -> list[str]:
    """``column`` with :func:`~coopdata.tables.layout.guard` applied to each cell (looked at one
    by one only if a line of the column's text starts as a guarded cell may)."""
    if not _GUARD_LINE.search("\n".join(column)):
        return column
    return [guard(cell) if cell.startswith(GUARD_START) else cell for cell in column]


_MAY_QUOTE = re.compile('[,"\r\n]')
"""The characters for which :mod:`csv` may quote a cell: a cell without any is written
as it is (Python 3.11 quotes for ``,`` ``"`` and ``\\n``; ``\\r`` is there to be safe)."""


def _csv_line(row: Sequence[str]) -> str:
    """``row`` as :func:`csv.writer` writes it (``\\n`` line ends), without its line end."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    return buffer.getvalue()[:-1]


def _csv_lines(cells: list[list[str]]) -> list[str]:
    """The rows of a table given column by column, each as :func:`_csv_line` makes it:
    a row that needs no quoting is its cells joined by commas (csv.writer writes one
    cell alone and empty as ``""``)."""
    lines = list(map(",".join, zip(*cells, strict=True)))
    quoted = range(len(lines)) if len(cells) < 2 else {
        i for column in cells if _MAY_QUOTE.search("".join(column))
        for i, cell in enumerate(column) if _MAY_QUOTE.search(cell)}
    for i in quoted:
        lines[i] = _csv_line([column[i] for column in cells])
    return lines


def write_package(dataset: Dataset, directory: Path, *,
                  cells: TableCells | None = None) -> list[Path]:
    """Write every table as CSV and ``datapackage.json`` into ``directory``.

    ``cells``: the dataset's tables as :func:`table_cells` made them (a release writes
    the cells it validated, without building the tables again); made here when None.
    """
    files = TableFiles(directory)
    for table, table_cells in cells if cells is not None else all_columns(dataset):
        files.add(table, table_cells)
    written = list(files.paths)
    descriptor = directory / "datapackage.json"
    descriptor.write_text(json.dumps(package_descriptor(), ensure_ascii=False, indent=2) + "\n",
                          encoding="utf-8")
    written.append(descriptor)
    return written


class TableFiles:
    """The CSV files of tables (in ``directory``, made when first written to), each given
    whole or a chunk of rows at a time (:meth:`add`): the bytes of :func:`csv_text`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.paths: dict[Path, None] = {}
        """The files written, in the order of their first rows."""

    def add(self, table: Table, cells: list[list[str]]) -> None:
        """The rows of ``cells`` (column by column) after those of ``table`` given before
        (the header first)."""
        path = self.directory / f"{table.name}.csv"
        first = path not in self.paths
        if first:
            self.directory.mkdir(exist_ok=True)
            self.paths[path] = None
        with open(path, "w" if first else "a", encoding="utf-8", newline="") as handle:
            handle.writelines(_csv_parts(table, cells, header=first))


def schema_files() -> dict[str, str]:
    """The files of ``datapackage/`` as they should be: file name → text."""
    files = {f"{t.name}.schema.json": json.dumps(table_schema(t), ensure_ascii=False, indent=2)
             + "\n" for t in tables()}
    files["datapackage.json"] = json.dumps(package_descriptor(inline_schemas=False),
                                           ensure_ascii=False, indent=2) + "\n"
    return files


TableCells = list[tuple[Table, list[list[str]]]]
"""Every table with its cells, column by column."""


def table_cells(dataset: Dataset) -> TableCells:
    """Every table of ``dataset`` with its cells (to validate them, then write them)."""
    return list(all_columns(dataset))

