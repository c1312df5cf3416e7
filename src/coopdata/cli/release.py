"""The commands on releases: release, diff, site and push."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from coopdata.cli.options import cache_options, examples, handle_errors, records_option


@click.command("release", short_help="Validate, then publish a complete release.",
              epilog=examples(
    "coopdata release --out releases",
    "coopdata release --records records --out releases --version 1.1.0",
    "coopdata release --out releases --config release.toml --date 2025-06-30",
    "coopdata release --out releases --no-site --strict",
    "coopdata release --out releases --cache /srv/coopdata-cache"))
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
@cache_options
@handle_errors
def release_command(records: Path | None, out: Path, version: str | None, date: str | None,
                    config_path: Path | None, strict: bool, no_site: bool,
                    cache: Path | bool) -> None:
    """Validate, then publish OUT/VERSION/: Turtle, N-Triples, JSON-LD, CSV with
    datapackage.json and CSVW, DCAT-AP catalogue, VoID, CHANGELOG, the website (site/)
    and SHA256SUMS.

    The release is written completely or not at all, and never overwrites a version.
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.model.config import load_config
    from coopdata.release.job import STEPS
    from coopdata.release.job import release as run

    config = load_config(config_path)
    if sys.stderr.isatty():
        with click.progressbar(length=len(STEPS), label="release", file=sys.stderr) as bar:
            result = run(out, records, version=version, config=config, date=date,
                         progress=lambda name: bar.update(1), strict=strict,
                         site=not no_site, cache=cache)
    else:
        result = run(out, records, version=version, config=config, date=date, strict=strict,
                     site=not no_site, cache=cache)
    click.echo(f"released {result.info.version} into {result.directory}: "
               f"{len(result.files)} files, {result.info.triples} triples")


@click.command("diff", short_help="Print what changed between two releases.",
              epilog=examples(
    "coopdata diff releases/1.0.0 releases/1.1.0",
    "coopdata diff releases/1.0.0 releases/1.1.0 --format json"))
@click.argument("old", type=click.Path(path_type=Path, file_okay=False))
@click.argument("new", type=click.Path(path_type=Path, file_okay=False))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Markdown for people, JSON for machines.")
@handle_errors
def diff_command(old: Path, new: Path, output_format: str) -> None:
    """Print what changed between two releases (OLD and NEW are DIR/VERSION folders).

    Records added, removed and changed, each with its title, and under a changed record
    each value old → new (budgets[1].amount: 4100000 → 4200000 EUR); IATI activities;
    the number of triples added and removed (the triples themselves are in NEW's
    changes/added.nt and changes/removed.nt)."""
    # a command's modules load when it runs: --help stays fast
    from coopdata.release.changelog import diff_releases

    changes = diff_releases(old, new)
    click.echo(changes.to_json() if output_format == "json" else changes.to_markdown(), nl=False)


@click.command("push", short_help="Load a release's graph into a triple store.",
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
def push_command(release_dir: Path, endpoint: str, graph: str | None, user: str | None,
                 password: str | None, update_endpoint: str | None, timeout: float) -> None:
    """Load a release's graph into a triple store, replacing its named graph.

    Uses the SPARQL 1.1 Graph Store HTTP Protocol (HTTP PUT of graph.nt); tested with
    Oxigraph and Virtuoso. A bearer token is read from COOPDATA_PUSH_TOKEN when --user
    is not given.
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.publish.push import push as run

    if user is not None and password is None:
        password = os.environ.get("COOPDATA_PUSH_PASSWORD")
    token = os.environ.get("COOPDATA_PUSH_TOKEN") if user is None else None
    result = run(release_dir, endpoint, graph=graph, user=user, password=password,
                 token=token, timeout=timeout, update_endpoint=update_endpoint)
    click.echo(f"pushed {result.triples} triples to {result.graph} at {result.endpoint}")


@click.command("site", short_help="Build the static website of a release.",
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
def site_command(release_dir: Path, out: Path | None, config_path: Path | None) -> None:
    """Build the static website of a release from its own files: a home page with
    charts and downloads, and one page per project, organisation, country, agreement,
    event and programme. The same bytes as `coopdata release` writes; see docs/site.md.
    """
    # a command's modules load when it runs: --help stays fast
    from coopdata.model.config import load_config
    from coopdata.release.site import site_for_release

    target = site_for_release(release_dir, config=load_config(config_path), out=out)
    pages = sum(1 for _ in target.rglob("*.html"))
    click.echo(f"wrote the site of {release_dir} into {target}: {pages} pages; open "
               f"{target / 'index.html'}")
