"""The commands on records: validate, build, import (tables back into records) and
export-tables."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coopdata.cli.options import (
    base_uri_option,
    cache_options,
    examples,
    handle_errors,
    records_option,
    uris_of,
)

if TYPE_CHECKING:
    from coopdata.report import MinSeverity


@click.command("validate", short_help="Check the records and report every finding.",
              epilog=examples(
    "coopdata validate",
    "coopdata validate --records records --strict",
    "coopdata validate --quiet                 # violations only",
    "coopdata validate --min-severity warning  # leave out the infos",
    "coopdata validate --format github         # GitHub Actions annotations",
    "coopdata validate --format json --engine reference",
    "coopdata validate --no-cache               # read every file again"))
@records_option
@base_uri_option
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github"]),
              default="text", show_default=True,
              help="text for people, json for machines, github for annotations in a GitHub "
                   "Actions run (workflow commands: ::error file=…,line=…,title=…::…).")
@click.option("--min-severity", type=click.Choice(["info", "warning", "error"]), default=None,
              help="Show only the findings of this severity or above (error: violations; "
                   "default: info, all of them). The counts and the exit code cover all.")
@click.option("--quiet", "-q", is_flag=True,
              help="Show only the errors (violations), and no summary line.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--engine", type=click.Choice(["fast", "reference"]), default="fast",
              show_default=True,
              help="fast: coopdata's own checks on pyoxigraph; reference: rdflib, Frictionless "
                   "and pyshacl (slower, same findings).")
@cache_options
@handle_errors
def validate_command(records: Path | None, base_uri: str | None, output_format: str,
                     min_severity: MinSeverity | None, quiet: bool, strict: bool,
                     engine: str, cache: Path | bool) -> None:
    """Check the records: record checks, table schemas and SHACL shapes, in one report.

    Each finding prints as `path:line record field: message [code]`. Exits 1 when
    there is a violation (or a warning, with --strict).
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.cache import opened
    from coopdata.errors import UsageError
    from coopdata.validate.validation import validate as run

    if quiet and min_severity not in (None, "error"):
        raise UsageError("use --quiet (errors only) or --min-severity, not both")
    shown: MinSeverity = "error" if quiet else min_severity or "info"
    with opened(cache) as kept:
        report = run(records, uris=uris_of(base_uri), engine=engine, cache=kept).report
    if output_format == "json":
        text = report.to_json(strict=strict, min_severity=shown)
    elif output_format == "github":
        text = report.to_github(strict=strict, min_severity=shown, verdict=not quiet)
    else:
        text = report.to_text(strict=strict, min_severity=shown, verdict=not quiet)
    click.echo(text, nl=False)
    sys.exit(0 if report.passes(strict=strict) else 1)


@click.command("build", short_help="Validate, then write the graph and tables.",
              epilog=examples(
    "coopdata build --out out",
    "coopdata build --records records --out out --strict"))
@records_option
@base_uri_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Directory to write (replaced as a whole when the build succeeds).")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@handle_errors
def build_command(records: Path | None, base_uri: str | None, out: Path, strict: bool) -> None:
    """Validate, then write the graph (graph.ttl) and the tables (tables/*.csv and
    tables/datapackage.json). Nothing is written when validation fails."""
    # a command's modules load when it runs: --help stays fast
    from coopdata.release.build import build as run

    result = run(out, records, strict=strict, uris=uris_of(base_uri))
    report = result.validation.report
    if report.findings:
        click.echo(report.to_text(), nl=False, err=True)
    click.echo(f"built {len(result.validation.dataset)} records into {result.directory}: "
               f"{len(result.validation.triples)} triples, {len(result.files)} files")


@click.command("import", short_help="Turn tables or workbooks into records.",
              epilog=examples(
    "coopdata export-tables --blank --out tables   # templates to fill in",
    "coopdata import tables --out new-records",
    "coopdata export-tables --format xlsx --out records.xlsx",
    "coopdata import records.xlsx --into records   # only the changed records"))
@click.argument("tables_dir", metavar="TABLES", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="New directory for the record files.")
@click.option("--into", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Records folder to update in place: writes only the records that changed, "
                   "adds new ones, never removes one.")
@handle_errors
def import_command(tables_dir: Path, out: Path | None, into: Path | None) -> None:
    """Turn filled-in tables into record files: TABLES is a folder of CSV files (the layout
    export-tables gives) or an .xlsx or .ods workbook with a sheet per table.

    Every table of the package must be there with every column, once; files and sheets
    that are not tables are reported and not read. With --into, each record written is
    listed with the values that changed. Nothing is written unless all is valid.
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.errors import UsageError
    from coopdata.records.files import record_files
    from coopdata.release.build import import_into, import_tables
    from coopdata.tables.read import read_tables_in

    if (out is None) == (into is None):
        raise UsageError("give --out (a new records folder) or --into (a records folder to "
                         "update), one of them")
    if into is not None:
        if not into.is_dir():
            raise UsageError(f"no records directory at {into} to update (--out makes a new "
                             "one)")
        count = sum(1 for _ in record_files(into))
        click.echo(f"reading {count} record{'' if count == 1 else 's'} from {into}", err=True)
    read = read_tables_in(tables_dir)
    click.echo(f"read {read.summary()} in {tables_dir}")
    if into is not None:
        dataset, update = import_into(tables_dir, into, read=read)
        if read.report.findings:
            click.echo(read.report.to_text(), nl=False, err=True)
        for change in update.changes:
            click.echo(change.line())
        click.echo(f"updated {into} from {len(dataset)} records: {update.summary()}")
        return
    assert out is not None
    dataset, files = import_tables(tables_dir, out, read=read)
    if read.report.findings:
        click.echo(read.report.to_text(), nl=False, err=True)
    click.echo(f"imported {len(dataset)} records into {out}: {len(files)} files")


@click.command("export-tables", short_help="Write the records as tables to edit.",
              epilog=examples(
    "coopdata export-tables --out tables",
    "coopdata export-tables --blank --out templates",
    "coopdata export-tables --format xlsx --out records.xlsx"))
@records_option
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Directory to write the CSV files and datapackage.json into; with "
                   "--format xlsx or ods, the workbook file to write (a new one).")
@click.option("--format", "table_format", type=click.Choice(["csv", "xlsx", "ods"]),
              default="csv", show_default=True,
              help="CSV files, or one workbook with a sheet per table.")
@click.option("--blank", is_flag=True, help="Only the headers: templates to fill in.")
@handle_errors
def export_tables_command(records: Path | None, out: Path, table_format: str, blank: bool) -> None:
    """Write the records as tables (or blank templates) for spreadsheet editing: CSV
    files, or an .xlsx or .ods workbook that `coopdata import` reads back."""
    # a command's modules load when it runs: --help stays fast
    from coopdata.release.build import export_tables as run
    from coopdata.tables.layout import tables

    files = run(out, records, blank=blank, workbook=table_format)
    if table_format == "csv":
        click.echo(f"wrote {len(files)} files into {out}")
    else:
        click.echo(f"wrote {out}: {len(tables())} sheets, one per table")
