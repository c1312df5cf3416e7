"""The Frictionless data package: table schemas, CSV files and ``datapackage.json``.

The table schemas in ``datapackage/`` are derived from :mod:`coopdata.spec` and the
code lists by :func:`table_schema`; a test checks that the committed files match.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from . import codes
from .dataset import Dataset
from .report import Finding
from .spec import LANGUAGES, Field
from .tables import DATE_PATTERN, ID_PATTERN, TEXT_TYPES, Column, Table, guard, rows, tables

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"


def _field_descriptor(name: str, spec: Field | None, lang: str | None = None,
                      *, required: bool = False) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"name": name, "type": "string"}
    constraints: dict[str, Any] = {}
    if spec is not None:
        descriptor["description"] = spec.doc + (f" ({lang})" if lang else "")
        if spec.type == "decimal":
            descriptor["type"] = "number"
        elif spec.type == "boolean":
            descriptor.update(type="boolean", trueValues=["true"], falseValues=["false"])
        elif spec.type == "code":
            assert spec.scheme is not None
            constraints["enum"] = list(codes.schemes()[spec.scheme])
            descriptor["description"] += f" Code list: {codes.CODE_BASE}{spec.scheme}"
        elif spec.type == "ref":
            constraints["pattern"] = ID_PATTERN
        elif spec.type == "country":
            constraints["pattern"] = "^[A-Z]{2}$"
        elif spec.type == "currency":
            constraints["pattern"] = "^[A-Z]{3}$"
        elif spec.type == "language":
            constraints["pattern"] = "^[a-z]{2}$"
        elif spec.type == "date":
            constraints["pattern"] = DATE_PATTERN
        elif spec.type == "url":
            descriptor["format"] = "uri"
    if required:
        constraints["required"] = True
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def _required(column: Column) -> bool:
    # A required field nested in a single optional object (an event's place) may be empty.
    return column.spec.required and len(column.path) == 1 and column.lang is None \
        and column.spec.type != "text"


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
        if len(table.field_path) > 1:
            fields.append({"name": "parent_position", "type": "integer",
                           "description": f"The position of the row in {table.parent}.",
                           "constraints": {"required": True, "minimum": 1}})
        fields.append({"name": "position", "type": "integer",
                       "description": "The position in the record's list, from 1.",
                       "constraints": {"required": True, "minimum": 1}})
    for column in table.columns:
        scalar_list = table.scalar is not None and table.scalar.type != "text"
        fields.append(_field_descriptor(column.name, column.spec, column.lang,
                                        required=scalar_list or _required(column)))
    schema: dict[str, Any] = {"$schema": SCHEMA_PROFILE, "fields": fields,
                              "primaryKey": list(table.keys), "missingValues": [""]}
    foreign = []
    if table.field_path:
        nested = len(table.field_path) > 1
        parent_fields = [kind.name, "parent_position"] if nested else [kind.name]
        parent_keys = [kind.name, "position"] if nested else ["id"]
        foreign.append({"fields": parent_fields,
                        "reference": {"resource": table.parent, "fields": parent_keys}})
    for column in table.columns:
        if column.spec.type == "ref":
            assert column.spec.ref is not None
            from .spec import KINDS

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
                       f"Text columns carry one column a language ({', '.join(LANGUAGES)}).",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                      "title": "Creative Commons Attribution 4.0"}],
        "resources": resources,
    }


def csv_text(table: Table, dataset: Dataset) -> str:
    """The CSV file of ``table``: UTF-8, comma-separated, ``\\n`` line ends, header first.

    A text cell that a spreadsheet would run as a formula (``=…``, ``+…``, ``-…``, ``@…``)
    starts with a quote (:func:`~coopdata.tables.guard`); reading the tables back removes
    it, and the graph always holds the true text."""
    text = [False] * len(table.keys) + [c.spec.type in TEXT_TYPES for c in table.columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.header)
    for row in rows(table, dataset):
        writer.writerow([guard(c) if g else c for c, g in zip(row, text, strict=True)])
    return buffer.getvalue()


def write_package(dataset: Dataset, directory: Path) -> list[Path]:
    """Write every table as CSV and ``datapackage.json`` into ``directory``."""
    written = []
    for table in tables():
        path = directory / f"{table.name}.csv"
        path.write_text(csv_text(table, dataset), encoding="utf-8", newline="")
        written.append(path)
    descriptor = directory / "datapackage.json"
    descriptor.write_text(json.dumps(package_descriptor(), ensure_ascii=False, indent=2) + "\n",
                          encoding="utf-8")
    written.append(descriptor)
    return written


def schema_files() -> dict[str, str]:
    """The files of ``datapackage/`` as they should be: file name → text."""
    files = {f"{t.name}.schema.json": json.dumps(table_schema(t), ensure_ascii=False, indent=2)
             + "\n" for t in tables()}
    files["datapackage.json"] = json.dumps(package_descriptor(inline_schemas=False),
                                           ensure_ascii=False, indent=2) + "\n"
    return files


def frictionless_errors(data: dict[str, list[list[str]]]) -> dict[str, list[Any]]:
    """Frictionless's errors by table, for tables given as rows (header first)."""
    from frictionless import Package

    descriptor = package_descriptor()
    for resource in descriptor["resources"]:
        for key in ("path", "format", "mediatype", "encoding"):
            del resource[key]
        resource["data"] = data[resource["name"]]
    report = Package.from_descriptor(descriptor).validate()
    return {task.name: list(task.errors) for task in report.tasks}


def validate_tables(dataset: Dataset, *, engine: str = "fast") -> list[Finding]:
    """Validation of every table against its table schema (types, constraints, keys),
    each error mapped back to the record and field its row and column came from.

    ``engine="frictionless"`` runs Frictionless, the reference; ``"fast"`` runs
    :mod:`coopdata.tablecheck`, which reports the same errors in a fraction of the time.
    """
    all_tables = {t.name: t for t in tables()}
    data = {name: [t.header, *rows(t, dataset)] for name, t in all_tables.items()}
    errors: dict[str, list[Any]] = {}
    if engine == "frictionless":
        errors = frictionless_errors(data)
    else:
        from .tablecheck import check_package

        errors = dict(check_package(data, package_descriptor()))
    findings = []
    for name, table_errors in errors.items():
        table = all_tables[name]
        for error in table_errors:
            row = getattr(error, "row_number", None)
            cells = data[table.name][row - 1] if row and row <= len(data[table.name]) else None
            findings.append(_table_finding(dataset, table, error, cells))
    return findings


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
