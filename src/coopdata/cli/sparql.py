"""The SPARQL commands: query and serve."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coopdata.cli.options import examples, handle_errors, records_option

if TYPE_CHECKING:
    pass


@click.command("query", short_help="Run a SPARQL query on the records.",
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
def query_command(query: str, release_dir: Path | None, records: Path | None,
                  output_format: str | None, allow_service: bool) -> None:
    """Run a SPARQL 1.1 query on the embedded dataset (or --records, or a --release).

    QUERY is the query text, or the path of a file that holds it (.rq), such as
    docs/queries/projects-by-funder.rq. Queries declare their prefixes. Exits 2 on a
    malformed query, with its line and column, and on a query that holds a SERVICE
    unless --allow-service is given. Ctrl-C stops it at once (exit 130).
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.errors import UsageError
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


@click.command("serve", short_help="Serve a SPARQL endpoint and entity URIs.",
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
def serve_command(release_dir: Path | None, records: Path | None, host: str, port: int,
                  timeout: float, max_results: int, max_request_bytes: int) -> None:
    """Serve a read-only SPARQL endpoint at /sparql, the entity URIs at /id/… and, with
    --release, the release files at /releases/…, until Ctrl-C.

    Each query runs in its own process, stopped after --timeout seconds; updates and
    SERVICE are refused. See docs/serve.md.
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.errors import UsageError
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
