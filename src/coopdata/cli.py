"""The ``coopdata`` command: a thin layer over the library.

Exit codes: 0 success, 1 invalid records or failed output, 2 usage errors.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from coopdata.report import MinSeverity

F = TypeVar("F", bound=Callable[..., Any])


def records_option(function: F) -> F:
    """The --records option, and the records the command reads when it is not given (see
    :func:`use_project`); the command's first line on stderr says which."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        use_project(kwargs)
        return function(*args, **kwargs)

    return click.option(
        "--records", "records", type=click.Path(path_type=Path, file_okay=False),
        default=None, help="Directory of record files (default: the one coopdata.toml or "
        "pyproject.toml names, else ./records, else the embedded dataset).",
    )(handle_errors(wrapper))  # type: ignore[return-value]


def use_project(kwargs: dict[str, Any]) -> None:
    """Fill in a command's ``records`` (and ``config_path``, ``base_uri``, a release's
    ``out``, when it has them and they are not given) from the project in the working
    directory (:func:`coopdata.model.config.find_project`), and say on stderr, as the command's
    first line, which records it reads. A command given a ``--release`` reads no records,
    nor does ``export-tables --blank``."""
    # a command's modules load when it runs: --help stays fast
    from coopdata.errors import UsageError

    # a command's modules load when it runs: --help stays fast
    from coopdata.model.config import find_project

    # a command's modules load when it runs: --help stays fast
    from coopdata.model.resources import default_records

    # a command's modules load when it runs: --help stays fast
    from coopdata.records.files import record_files

    if kwargs.get("release_dir") is not None or kwargs.get("blank"):
        return
    project = find_project(records=kwargs.get("records"), config=kwargs.get("config_path"))
    folder = project.records
    if folder is not None and not folder.is_dir():
        raise UsageError(f"no records directory at {folder}")
    kwargs["records"] = folder
    if "config_path" in kwargs:
        kwargs["config_path"] = project.config_path
    if kwargs.get("base_uri", "") is None and project.file is not None:
        kwargs["base_uri"] = project.config.base_uri
    if "out" in kwargs and kwargs["out"] is None:
        if project.releases is None:
            raise UsageError("Missing option '--out' (or `releases = \"FOLDER\"` in "
                             "coopdata.toml)")
        kwargs["out"] = project.releases
    count = sum(1 for _ in record_files(folder if folder is not None else default_records()))
    click.echo(project.describe(count), err=True)


def examples(*lines: str) -> str:
    """A command's epilog: the ``Examples`` section of its --help, one command line a
    line, printed as written (click's ``\\b``; a test parses every one)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def base_uri_option(function: F) -> F:
    return click.option(
        "--base-uri", default=None, metavar="URI",
        help="Base of entity URIs (default: https://w3id.org/coopdata/id/).",
    )(function)


def handle_errors(function: F) -> F:
    """Turn coopdata's errors into messages and exit codes; never a traceback."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # a command's modules load when it runs: --help stays fast
        from coopdata.errors import CoopdataError, RecordsInvalid

        try:
            return function(*args, **kwargs)
        except RecordsInvalid as exc:
            click.echo(exc.report.to_text(), nl=False, err=True)
            click.echo("nothing was written", err=True)
            sys.exit(1)
        except CoopdataError as exc:  # it may name a hostile file: nothing invisible
            from coopdata.report import escape_invisible

            click.echo(f"Error: {escape_invisible(str(exc), keep=chr(10))}", err=True)
            sys.exit(exc.exit_code)
        except MemoryError:
            pass  # said below, once the exception (and the memory it holds on to) is gone
        out_of_memory()

    return wrapper  # type: ignore[return-value]


def out_of_memory() -> None:
    """Say that the command ran out of memory, in one line, and exit 1."""
    context = click.get_current_context(silent=True)
    name = f"coopdata {context.info_name}" if context and context.info_name else "coopdata"
    click.echo(f"Error: {name} ran out of memory: the records need more than this process "
               "may use (free memory, raise its limit such as ulimit -v, or use fewer "
               "records)", err=True)
    sys.exit(1)


def _uris(base_uri: str | None) -> Any:
    # a command's modules load when it runs: --help stays fast
    from coopdata.errors import UsageError
    from coopdata.model.uris import Uris  # a command's modules load when it runs: --help stays fast

    if base_uri is None:
        return None
    try:
        return Uris(base_uri)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]},
             epilog=examples("coopdata validate", "coopdata build --out out",
                             "coopdata release --out releases",
                             "coopdata query docs/queries/budget-per-funder.rq")
             + "\n\nShell completion: see docs/index.md (eval \"$(_COOPDATA_COMPLETE="
             "bash_source coopdata)\" in ~/.bashrc).")
@click.version_option(package_name="coopdata", prog_name="coopdata")
def main() -> None:
    """Publish open data about international cooperation on migration as linked data.

    Curated records (YAML, one entity a file) are checked and turned into an RDF graph
    and a Frictionless data package.
    """
    import signal  # a command's modules load when it runs: --help stays fast

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)  # unwinds like Ctrl-C: temporary files are removed

    signal.signal(signal.SIGTERM, terminate)


@main.command(short_help="Check the records and report every finding.",
              epilog=examples(
    "coopdata validate",
    "coopdata validate --records records --strict",
    "coopdata validate --quiet                 # violations only",
    "coopdata validate --min-severity warning  # leave out the infos",
    "coopdata validate --format github         # GitHub Actions annotations",
    "coopdata validate --format json --engine reference"))
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
@handle_errors
def validate(records: Path | None, base_uri: str | None, output_format: str,
             min_severity: MinSeverity | None, quiet: bool, strict: bool, engine: str) -> None:
    """Check the records: record checks, table schemas and SHACL shapes, in one report.

    Each finding prints as `path:line record field: message [code]`. Exits 1 when
    there is a violation (or a warning, with --strict).
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.errors import UsageError

    # a command's modules load when it runs: --help stays fast
    from coopdata.validate.validation import validate as run

    if quiet and min_severity not in (None, "error"):
        raise UsageError("use --quiet (errors only) or --min-severity, not both")
    shown: MinSeverity = "error" if quiet else min_severity or "info"
    report = run(records, uris=_uris(base_uri), engine=engine).report
    if output_format == "json":
        text = report.to_json(strict=strict, min_severity=shown)
    elif output_format == "github":
        text = report.to_github(strict=strict, min_severity=shown, verdict=not quiet)
    else:
        text = report.to_text(strict=strict, min_severity=shown, verdict=not quiet)
    click.echo(text, nl=False)
    sys.exit(0 if report.passes(strict=strict) else 1)


@main.command(short_help="Validate, then write the graph and tables.",
              epilog=examples(
    "coopdata build --out out",
    "coopdata build --records records --out out --strict"))
@records_option
@base_uri_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Directory to write (replaced as a whole when the build succeeds).")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@handle_errors
def build(records: Path | None, base_uri: str | None, out: Path, strict: bool) -> None:
    """Validate, then write the graph (graph.ttl) and the tables (tables/*.csv and
    tables/datapackage.json). Nothing is written when validation fails."""
    # a command's modules load when it runs: --help stays fast
    from coopdata.release.build import build as run

    result = run(out, records, strict=strict, uris=_uris(base_uri))
    report = result.validation.report
    if report.findings:
        click.echo(report.to_text(), nl=False, err=True)
    click.echo(f"built {len(result.validation.dataset)} records into {result.directory}: "
               f"{len(result.validation.triples)} triples, {len(result.files)} files")


@main.command("import", short_help="Turn tables or workbooks into records.",
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
def import_(tables_dir: Path, out: Path | None, into: Path | None) -> None:
    """Turn filled-in tables into record files: TABLES is a folder of CSV files (the layout
    export-tables gives) or an .xlsx or .ods workbook with a sheet per table.

    Every table of the package must be there with every column, once; files and sheets
    that are not tables are reported and not read. With --into, each record written is
    listed with the values that changed. Nothing is written unless all is valid.
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.errors import UsageError

    # a command's modules load when it runs: --help stays fast
    from coopdata.records.files import record_files

    # a command's modules load when it runs: --help stays fast
    from coopdata.release.build import import_into, import_tables

    # a command's modules load when it runs: --help stays fast
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


@main.command("import-iati", short_help="Import IATI 2.03 activity files as records.",
              epilog=examples(
    "coopdata import-iati activities.xml --out records",
    "coopdata import-iati iati-files/ --country MA --sector 151 --out records",
    "coopdata import-iati activities.xml --out records --format json"))
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(path_type=Path, exists=True))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Records folder to write into (curated records in it are never replaced).")
@click.option("--country", "countries", multiple=True, metavar="CODE",
              help="Keep only activities with this recipient country (repeatable).")
@click.option("--sector", "sectors", multiple=True, metavar="CODE",
              help="Keep only activities with this sector, at activity or transaction level "
                   "(repeatable; a 3-digit DAC code keeps its 5-digit codes).")
@click.option("--publisher", "publishers", multiple=True, metavar="REF",
              help="Keep only activities reported by this organisation (repeatable).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to print the account of what was carried.")
@handle_errors
def import_iati(paths: tuple[Path, ...], out: Path, countries: tuple[str, ...],
                sectors: tuple[str, ...], publishers: tuple[str, ...],
                output_format: str) -> None:
    """Import IATI 2.03 activity files (PATHS: files, or folders of *.xml) as records.

    One project record per activity, one organisation record per organisation and one
    source record per file, with ids from the IATI identifiers: importing again updates
    them. Prints, for each activity and in total, every element path carried and every
    one dropped. Nothing is written when a file cannot be read; see docs/iati.md.
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.errors import RecordsInvalid

    # a command's modules load when it runs: --help stays fast
    from coopdata.iati.importer import import_iati as run

    # a command's modules load when it runs: --help stays fast
    from coopdata.iati.summary import json_chunks, text_lines

    result = run(paths, out, countries=countries, sectors=sectors, publishers=publishers)
    try:
        if not result.report.valid:
            raise RecordsInvalid(result.report)
        if output_format == "json":
            for chunk in json_chunks(result):
                click.echo(chunk, nl=False)
            return
        if result.report.findings:
            click.echo(result.report.to_text(), nl=False, err=True)
        for line in text_lines(result):
            click.echo(line)
    finally:
        result.close()


@main.command("export-iati", short_help="Write the projects as an IATI activity file.",
              epilog=examples(
    "coopdata export-iati --out iati-activities.xml",
    "coopdata export-iati --records records --out iati-activities.xml"))
@records_option
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The IATI activity file to write (iati-activities.xml).")
@handle_errors
def export_iati(records: Path | None, out: Path) -> None:
    """Write the projects as IATI 2.03 activities, as a release does, without a release.

    The file is checked against the official IATI 2.03 schema and the IATI rules; when
    it fails, nothing is written and each finding names its record and field. Projects
    IATI cannot hold are listed as infos (see docs/iati.md).
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.iati.export import export_file

    exported = export_file(records, out)
    for finding in sorted(exported.findings, key=lambda f: f.sort_key()):
        click.echo(str(finding), err=True)
    click.echo(f"wrote {len(exported.written.activities)} IATI activities into {out}")


@main.command("export-tables", short_help="Write the records as tables to edit.",
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
def export_tables(records: Path | None, out: Path, table_format: str, blank: bool) -> None:
    """Write the records as tables (or blank templates) for spreadsheet editing: CSV
    files, or an .xlsx or .ods workbook that `coopdata import` reads back."""
    # a command's modules load when it runs: --help stays fast
    from coopdata.release.build import export_tables as run

    # a command's modules load when it runs: --help stays fast
    from coopdata.tables.layout import tables

    files = run(out, records, blank=blank, workbook=table_format)
    if table_format == "csv":
        click.echo(f"wrote {len(files)} files into {out}")
    else:
        click.echo(f"wrote {out}: {len(tables())} sheets, one per table")


@main.command(short_help="Validate, then publish a complete release.",
              epilog=examples(
    "coopdata release --out releases",
    "coopdata release --records records --out releases --version 1.1.0",
    "coopdata release --out releases --config release.toml --date 2025-06-30",
    "coopdata release --out releases --no-site --strict"))
@records_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Release directory; the release is written to OUT/VERSION/ (default: the "
                   "releases folder of coopdata.toml).")
@click.option("--version", "version", default=None, metavar="V",
              help="Version name (default: the release date).")
@click.option("--date", default=None, metavar="YYYY-MM-DD",
              help="Release date (default: SOURCE_DATE_EPOCH, else today).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Release configuration (TOML); defaults suit the embedded data.")
@click.option("--strict", is_flag=True, help="Refuse to release when there are warnings too.")
@click.option("--no-site", "no_site", is_flag=True,
              help="Leave out the website (OUT/VERSION/site/).")
@handle_errors
def release(records: Path | None, out: Path, version: str | None, date: str | None,
            config_path: Path | None, strict: bool, no_site: bool) -> None:
    """Validate, then publish OUT/VERSION/: Turtle, N-Triples, JSON-LD, CSV with
    datapackage.json and CSVW, DCAT-AP catalogue, VoID, CHANGELOG, the website (site/)
    and SHA256SUMS.

    The release is written completely or not at all, and never overwrites a version.
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.model.config import load_config

    # a command's modules load when it runs: --help stays fast
    from coopdata.release.job import STEPS

    # a command's modules load when it runs: --help stays fast
    from coopdata.release.job import release as run

    config = load_config(config_path)
    if sys.stderr.isatty():
        with click.progressbar(length=len(STEPS), label="release", file=sys.stderr) as bar:
            result = run(out, records, version=version, config=config, date=date,
                         progress=lambda name: bar.update(1), strict=strict,
                         site=not no_site)
    else:
        result = run(out, records, version=version, config=config, date=date, strict=strict,
                     site=not no_site)
    click.echo(f"released {result.info.version} into {result.directory}: "
               f"{len(result.files)} files, {result.info.triples} triples")


@main.command(short_help="Print what changed between two releases.",
              epilog=examples(
    "coopdata diff releases/1.0.0 releases/1.1.0",
    "coopdata diff releases/1.0.0 releases/1.1.0 --format json"))
@click.argument("old", type=click.Path(path_type=Path, file_okay=False))
@click.argument("new", type=click.Path(path_type=Path, file_okay=False))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Markdown for people, JSON for machines.")
@handle_errors
def diff(old: Path, new: Path, output_format: str) -> None:
    """Print what changed between two releases (OLD and NEW are DIR/VERSION folders).

    Records added, removed and changed, each with its title, and under a changed record
    each value old → new (budgets[1].amount: 4100000 → 4200000 EUR); IATI activities;
    the number of triples added and removed (the triples themselves are in NEW's
    changes/added.nt and changes/removed.nt)."""
    # a command's modules load when it runs: --help stays fast
    from coopdata.release.changelog import diff_releases

    changes = diff_releases(old, new)
    click.echo(changes.to_json() if output_format == "json" else changes.to_markdown(), nl=False)


@main.command(short_help="Load a release's graph into a triple store.",
              epilog=examples(
    "coopdata push --release releases/1.0.0 --endpoint http://localhost:7878/store",
    "COOPDATA_PUSH_PASSWORD=secret coopdata push --release releases/1.0.0 \\",
    "    --endpoint http://localhost:8890/sparql-graph-crud-auth --user dba \\",
    "    --update-endpoint http://localhost:8890/sparql-auth"))
@click.option("--release", "release_dir", type=click.Path(path_type=Path, file_okay=False),
              required=True, help="The release to push: a DIR/VERSION folder.")
@click.option("--endpoint", required=True, metavar="URL",
              help="The store's Graph Store endpoint (Oxigraph: http://HOST:PORT/store).")
@click.option("--graph", default=None, metavar="IRI",
              help="Named graph to replace (default: https://w3id.org/coopdata/graph/VERSION).")
@click.option("--user", default=None,
              help="User name for authentication (Basic, or Digest when the store asks).")
@click.option("--password", default=None,
              help="Password for --user (better: the COOPDATA_PUSH_PASSWORD variable).")
@click.option("--update-endpoint", default=None, metavar="URL",
              help="The store's SPARQL Update endpoint: load into a staging graph, then "
                   "MOVE it into place (for stores without transactions, e.g. Virtuoso).")
@click.option("--timeout", default=60.0, show_default=True, metavar="S", type=float,
              help="Seconds to wait for the store to connect, take a block or answer.")
@handle_errors
def push(release_dir: Path, endpoint: str, graph: str | None, user: str | None,
         password: str | None, update_endpoint: str | None, timeout: float) -> None:
    """Load a release's graph into a triple store, replacing its named graph.

    Uses the SPARQL 1.1 Graph Store HTTP Protocol (HTTP PUT of graph.nt); tested with
    Oxigraph and Virtuoso. A bearer token is read from COOPDATA_PUSH_TOKEN when --user
    is not given.
    """
    import os  # a command's modules load when it runs: --help stays fast

    # a command's modules load when it runs: --help stays fast
    from coopdata.publish.push import push as run

    if user is not None and password is None:
        password = os.environ.get("COOPDATA_PUSH_PASSWORD")
    token = os.environ.get("COOPDATA_PUSH_TOKEN") if user is None else None
    result = run(release_dir, endpoint, graph=graph, user=user, password=password,
                 token=token, timeout=timeout, update_endpoint=update_endpoint)
    click.echo(f"pushed {result.triples} triples to {result.graph} at {result.endpoint}")


@main.command(short_help="Run a SPARQL query on the records.",
              epilog=examples(
    "coopdata query docs/queries/projects-by-funder.rq",
    "coopdata query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' --format csv",
    "coopdata query docs/queries/budget-per-funder.rq --release releases/1.0.0"))
@click.argument("query")
@click.option("--release", "release_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Query this release (DIR/VERSION, with its graph.nt).")
@records_option
@click.option("--format", "output_format",
              type=click.Choice(["table", "csv", "tsv", "json", "turtle", "jsonld"]),
              default=None, help="table (default), csv, tsv or json for SELECT and ASK; "
              "turtle (default) or jsonld for CONSTRUCT and DESCRIBE.")
@click.option("--allow-service", is_flag=True,
              help="Let the query fetch data from other SPARQL endpoints (SERVICE).")
@handle_errors
def query(query: str, release_dir: Path | None, records: Path | None,
          output_format: str | None, allow_service: bool) -> None:
    """Run a SPARQL 1.1 query on the embedded dataset (or --records, or a --release).

    QUERY is the query text, or the path of a file that holds it (.rq), such as
    docs/queries/projects-by-funder.rq. Queries declare their prefixes. Exits 2 on a
    malformed query, with its line and column, and on a query that holds a SERVICE
    unless --allow-service is given. Ctrl-C stops it at once (exit 130).
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.errors import UsageError

    # a command's modules load when it runs: --help stays fast
    from coopdata.sparql.query import interruptible, open_store, read_query, run_query
    from coopdata.sparql.results import format_result  # (the same)

    if release_dir is not None and records is not None:
        raise UsageError("use --release or --records, not both")
    text = read_query(query)
    try:  # in a child process, which Ctrl-C stops even inside pyoxigraph
        output = interruptible(lambda: format_result(run_query(
            open_store(release_dir, records), text, allow_service=allow_service),
            output_format))
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    click.echo(output, nl=False)


@main.command(short_help="Serve a SPARQL endpoint and entity URIs.",
              epilog=examples(
    "coopdata serve",
    "coopdata serve --release releases/1.0.0 --port 8080 --timeout 30"))
@click.option("--release", "release_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Serve this release (DIR/VERSION): its graph and its files.")
@records_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--timeout", type=click.FloatRange(0, min_open=True), default=10.0,
              show_default=True, metavar="SECONDS", help="Time limit of each query.")
@click.option("--max-results", type=click.IntRange(min=1), default=10_000, show_default=True,
              metavar="N", help="Most rows (SELECT) or triples (CONSTRUCT) a query may return.")
@click.option("--max-request-bytes", type=click.IntRange(min=1), default=1_000_000,
              show_default=True, metavar="N", help="Largest request body accepted.")
@handle_errors
def serve(release_dir: Path | None, records: Path | None, host: str, port: int, timeout: float,
          max_results: int, max_request_bytes: int) -> None:
    """Serve a read-only SPARQL endpoint at /sparql, the entity URIs at /id/… and, with
    --release, the release files at /releases/…, until Ctrl-C.

    Each query runs in its own process, stopped after --timeout seconds; updates and
    SERVICE are refused. See docs/serve.md.
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.errors import UsageError

    # a command's modules load when it runs: --help stays fast
    from coopdata.sparql.serve import make_server
    from coopdata.sparql.server import Limits  # (the same)

    if release_dir is not None and records is not None:
        raise UsageError("use --release or --records, not both")
    server = make_server(host, port, release=release_dir, records=records,
                         limits=Limits(timeout, max_results, max_request_bytes))
    source = f"release {release_dir}" if release_dir is not None else \
        f"the records in {records}" if records is not None else "the embedded dataset"
    click.echo(f"serving {source} ({len(server.store)} triples) at {server.url}/sparql")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()


@main.command(short_help="Build the static website of a release.",
              epilog=examples(
    "coopdata site --release releases/1.0.0",
    "coopdata site --release releases/1.0.0 --out site --config release.toml"))
@click.option("--release", "release_dir", type=click.Path(path_type=Path, file_okay=False),
              required=True, help="The release whose website to build: a DIR/VERSION folder.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where to write the site (default: RELEASE/site; must not exist).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Release configuration (TOML), as given to `release`.")
@handle_errors
def site(release_dir: Path, out: Path | None, config_path: Path | None) -> None:
    """Build the static website of a release from its own files: a home page with
    charts and downloads, and one page per project, organisation, country, agreement,
    event and programme. The same bytes as `coopdata release` writes; see docs/site.md.
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.model.config import load_config

    # a command's modules load when it runs: --help stays fast
    from coopdata.release.site import site_for_release

    target = site_for_release(release_dir, config=load_config(config_path), out=out)
    pages = sum(1 for _ in target.rglob("*.html"))
    click.echo(f"wrote the site of {release_dir} into {target}: {pages} pages; open "
               f"{target / 'index.html'}")
