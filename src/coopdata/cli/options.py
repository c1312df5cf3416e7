"""What the commands share: the --records and --base-uri options, the records a command
reads when --records is not given, examples in --help, and library errors turned into
messages and exit codes."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    pass


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
    from coopdata.model.config import find_project
    from coopdata.model.resources import default_records
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


def cache_options(function: F) -> F:
    """--cache DIR and --no-cache, given to the command as one ``cache`` argument: the
    folder, True for the default one, False for none (:func:`coopdata.cache.opened`)."""

    @functools.wraps(function)
    def wrapper(*args: Any, cache_dir: Path | None, no_cache: bool, **kwargs: Any) -> Any:
        if no_cache and cache_dir is not None:
            raise click.UsageError("give --cache DIR or --no-cache, not both")
        cache: Path | bool = False if no_cache else cache_dir if cache_dir is not None else True
        return function(*args, cache=cache, **kwargs)

    given = click.option(
        "--cache", "cache_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
        metavar="DIR", help="Keep the work done on each record file here, for the next run "
        "(default: $COOPDATA_CACHE, else ~/.cache/coopdata; safe to delete).")
    none = click.option("--no-cache", "no_cache", is_flag=True,
                        help="Neither use nor keep the cache (the results are the same).")
    return given(none(wrapper))  # type: ignore[return-value]


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


def uris_of(base_uri: str | None) -> Any:
    # a command's modules load when it runs: --help stays fast
    from coopdata.errors import UsageError
    from coopdata.model.uris import Uris  # a command's modules load when it runs: --help stays fast

    if base_uri is None:
        return None
    try:
        return Uris(base_uri)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
