"""Table validation, the fast path: the checks of a Frictionless table schema (types,
required, enum, pattern, minimum, unique, primary and foreign keys) over rows held in
memory, in one pass.

Frictionless (``frictionless.Package.validate``) is the reference; a test checks both
report the same errors (table, row, field, type) on tables with injected errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


@dataclass(frozen=True)
class TableError:
    """One error, with the attributes of a frictionless error that coopdata reads."""

    type: str
    row_number: int
    field_name: str | None
    message: str
    field_names: tuple[str, ...] = ()


class _TypeError(ValueError):
    pass


def _caster(descriptor: dict[str, Any]) -> Any:
    kind = descriptor.get("type", "string")
    if kind == "number":
        def number(cell: str) -> Decimal:
            try:
                value = Decimal(cell)
            except InvalidOperation:
                raise _TypeError from None
            if not value.is_finite():
                raise _TypeError
            return value
        return number
    if kind == "integer":
        def integer(cell: str) -> int:
            if not re.fullmatch(r"[+-]?\d+", cell):
                raise _TypeError
            return int(cell)
        return integer
    if kind == "boolean":
        true = set(descriptor.get("trueValues", ["true", "True", "TRUE", "1"]))
        false = set(descriptor.get("falseValues", ["false", "False", "FALSE", "0"]))

        def boolean(cell: str) -> bool:
            if cell in true:
                return True
            if cell in false:
                return False
            raise _TypeError
        return boolean
    return str


Keys = dict[tuple[str, ...], list[tuple[Any, ...]]]
"""Key tuples by the fields they are made of (primary key, and each foreign key's rows)."""


def check_table(name: str, header: list[str], rows: list[list[str]],
                schema: dict[str, Any]) -> tuple[list[TableError], Keys]:
    """The errors of one table, and the key tuples other tables' foreign keys need."""
    errors: list[TableError] = []
    fields = schema["fields"]
    index = {f["name"]: header.index(f["name"]) for f in fields}
    casters = [_caster(f) for f in fields]
    constraints = [f.get("constraints", {}) for f in fields]
    patterns = [re.compile(c["pattern"]) if "pattern" in c else None for c in constraints]
    enums = [set(c["enum"]) if "enum" in c else None for c in constraints]
    missing = set(schema.get("missingValues", [""]))
    unique_seen: dict[str, dict[Any, int]] = {f["name"]: {} for f, c in zip(fields, constraints,
                                                                          strict=True)
                                              if c.get("unique")}
    primary = schema.get("primaryKey", [])
    primary_seen: dict[tuple[Any, ...], int] = {}
    keys: Keys = {tuple(primary): []}
    for number, row in enumerate(rows, start=2):
        values: dict[str, Any] = {}
        for position, (field, cast) in enumerate(zip(fields, casters, strict=True)):
            field_name = field["name"]
            cell = row[index[field_name]] if index[field_name] < len(row) else ""
            if cell in missing:
                values[field_name] = None
                if constraints[position].get("required"):
                    errors.append(TableError("constraint-error", number, field_name,
                                             f'The cell "" in row at position "{number}" and '
                                             f'field "{field_name}" does not conform to a '
                                             'constraint: constraint "required" is "True"'))
                continue
            try:
                value = cast(cell)
            except _TypeError:
                errors.append(TableError("type-error", number, field_name,
                                         f'Type error in the cell "{cell}" in row "{number}" and '
                                         f'field "{field_name}": type is "{field["type"]}"'))
                values[field_name] = None
                continue
            values[field_name] = value
            problem = None
            enum, pattern = enums[position], patterns[position]
            if enum is not None and value not in enum:
                problem = f'constraint "enum" is "{sorted(enum)}"'
            elif pattern is not None and not pattern.fullmatch(cell):
                problem = f'constraint "pattern" is "{pattern.pattern}"'
            elif "minimum" in constraints[position] and value < constraints[position]["minimum"]:
                problem = f'constraint "minimum" is "{constraints[position]["minimum"]}"'
            if problem:
                errors.append(TableError("constraint-error", number, field_name,
                                         f'The cell "{cell}" in row at position "{number}" and '
                                         f'field "{field_name}" does not conform to a '
                                         f"constraint: {problem}"))
            if field_name in unique_seen:
                first = unique_seen[field_name].setdefault(value, number)
                if first != number:
                    errors.append(TableError("unique-error", number, field_name,
                                             f'Row at position "{number}" has unique constraint '
                                             f'violation in field "{field_name}": the same as in '
                                             f"the row at position {first}"))
        if primary:
            key = tuple(values[f] for f in primary)
            if all(v is None for v in key):
                errors.append(TableError("primary-key", number, None,
                                         f'Row at position "{number}" violates the primary key: '
                                         'cells composing the primary keys are all "None"'))
            else:
                first = primary_seen.setdefault(key, number)
                if first != number:
                    errors.append(TableError("primary-key", number, None,
                                             f'Row at position "{number}" violates the primary '
                                             f"key: the same as in the row at position {first}"))
                keys[tuple(primary)].append(key)
        row_values = values
        for foreign in schema.get("foreignKeys", []):
            keys.setdefault(("@row", *foreign["fields"]), []).append(
                (number, *(row_values[f] for f in foreign["fields"])))
    return errors, keys


def check_package(data: dict[str, list[list[str]]],
                  descriptor: dict[str, Any]) -> dict[str, list[TableError]]:
    """Errors by table name, for tables given as lists of rows (header first)."""
    found: dict[str, list[TableError]] = {}
    primary_keys: dict[str, set[tuple[Any, ...]]] = {}
    pending = []
    for resource in descriptor["resources"]:
        name, schema = resource["name"], resource["schema"]
        header, *rows = data[name]
        errors, keys = check_table(name, header, rows, schema)
        found[name] = errors
        primary_keys[name] = set(keys[tuple(schema.get("primaryKey", []))])
        for foreign in schema.get("foreignKeys", []):
            pending.append((name, foreign, keys.get(("@row", *foreign["fields"]), [])))
    for name, foreign, foreign_rows in pending:
        reference = foreign["reference"]
        target = primary_keys[reference["resource"]]
        single = len(reference["fields"]) == 1
        for number, *values in foreign_rows:
            if all(v is None for v in values):
                continue
            key = tuple(values)
            if (key if not single else (key[0],)) not in target:
                shown = ", ".join(f'"{v}"' for v in values)
                found[name].append(TableError(
                    "foreign-key", int(number), None,
                    f'Row at position "{number}" violates the foreign key: for '
                    f'"{", ".join(foreign["fields"])}": values {shown} not found in the lookup '
                    f'table "{reference["resource"]}" as "{", ".join(reference["fields"])}"',
                    tuple(foreign["fields"])))
        found[name].sort(key=lambda e: e.row_number)
    return found
