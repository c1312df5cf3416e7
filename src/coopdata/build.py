"""Build outputs from validated records, and turn tables back into records.

Nothing is written unless validation passes, and every output directory is written
completely or not at all.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ._errors import RecordsInvalid, UsageError
from .checks import check_records
from .dataset import Dataset
from .output import atomic_directory
from .package import write_package
from .recordfile import record_yaml
from .records import Record
from .report import Finding, Report
from .serialize import turtle
from .spec import KINDS
from .tables import TableError, records_from_rows, tables
from .uris import Uris
from .validate import Validation, load, validate, validate_dataset


@dataclass
class Build:
    """What :func:`build` wrote."""

    validation: Validation
    directory: Path
    files: list[Path]


def build(out: Path | str, records: Path | str | None = None, *, strict: bool = False,
          uris: Uris | None = None) -> Build:
    """Validate the records and write ``out/graph.ttl`` and ``out/tables/`` (CSV files and
    ``datapackage.json``). Raises :class:`~coopdata.RecordsInvalid` (writing nothing)
    when validation fails."""
    validation = validate(records, uris=uris)
    if not validation.report.passes(strict=strict):
        raise RecordsInvalid(validation.report)
    assert validation.graph is not None
    target = Path(out)
    with atomic_directory(target, marker="graph.ttl") as staging:
        (staging / "tables").mkdir()
        (staging / "graph.ttl").write_bytes(turtle(validation.triples))
        write_package(validation.dataset, staging / "tables")
    files = sorted(p for p in target.rglob("*") if p.is_file())
    return Build(validation, target, files)


def export_tables(out: Path | str, records: Path | str | None = None, *,
                  blank: bool = False) -> list[Path]:
    """Write the table templates (``blank``) or the records as tables, for spreadsheets.

    Records that fail the record checks are refused (raising
    :class:`~coopdata.RecordsInvalid`): a value the checks cannot read would be lost
    from its cell. Fix them in the record files first.
    """
    dataset = Dataset()
    if not blank:
        dataset, report = load(records)
        if not report.valid:
            raise RecordsInvalid(report)
    target = Path(out)
    with atomic_directory(target, marker="datapackage.json") as staging:
        write_package(dataset, staging)
    return sorted(target.iterdir())


def read_tables(directory: Path | str) -> tuple[Dataset, Report]:
    """Read CSV tables (the layout of ``datapackage/``) into typed records and a report."""
    root = Path(directory)
    if not root.is_dir():
        raise UsageError(f"no tables directory at {root}")
    known = {t.name: t for t in tables()}
    findings: list[Finding] = []
    table_rows: dict[str, list[dict[str, str]]] = {}
    for path in sorted(root.glob("*.csv")):
        table = known.get(path.stem)
        if table is None:
            findings.append(Finding("unknown-table", f"not read: no table is called {path.stem}",
                                    severity="warning", layer="tables", path=str(path)))
            continue
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                header = reader.fieldnames or []
                unknown = [c for c in header if c not in table.header]
                if unknown:
                    findings.append(Finding("unknown-column", f"unknown columns: "
                                            f"{', '.join(unknown)} (expected: "
                                            f"{', '.join(table.header)})", layer="tables",
                                            path=str(path), line=1))
                    continue
                table_rows[table.name] = [dict(row) for row in reader]
        except (UnicodeDecodeError, csv.Error) as exc:
            findings.append(Finding("unreadable-table", f"cannot read the table: {exc}",
                                    layer="tables", path=str(path)))
    if any(f.severity == "violation" for f in findings):
        return Dataset(), Report(findings)
    try:
        plain = records_from_rows(table_rows)
    except TableError as exc:
        findings.append(Finding("table-structure", str(exc), layer="tables", path=str(root)))
        return Dataset(), Report(findings)
    raw = []
    for kind, by_id in plain.items():
        source = root / f"{KINDS[kind].folder}.csv"
        for row, (record_id, data) in enumerate(by_id.items(), start=2):
            raw.append(Record(kind, record_id, str(source), data, {"id": row}))
    dataset, problems = check_records(raw)
    findings.extend(problems)  # each finding points at its record's row of the main table
    return dataset, Report(findings, records=len(raw))


def import_tables(tables_dir: Path | str, out: Path | str) -> tuple[Dataset, list[Path]]:
    """Turn filled-in CSV tables into record files under ``out`` (which must not hold
    records yet). Raises :class:`~coopdata.RecordsInvalid` and writes nothing when the
    tables hold invalid values."""
    dataset, report = read_tables(tables_dir)
    if report.valid:
        report = validate_dataset(dataset, report).report
    if not report.valid:
        raise RecordsInvalid(report)
    target = Path(out)
    with atomic_directory(target, marker=None) as staging:
        for record in dataset:
            folder = staging / KINDS[record.kind].folder
            folder.mkdir(exist_ok=True)
            (folder / f"{record.id}.yaml").write_text(
                record_yaml(record.kind, record.id, record.data), encoding="utf-8")
    return dataset, sorted(target.rglob("*.yaml"))

