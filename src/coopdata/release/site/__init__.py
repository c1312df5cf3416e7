"""The release's website: static pages that anyone can open in a browser, offline.

``write_site`` writes it into ``<release>/site/`` as part of ``coopdata release``;
``site_for_release`` (``coopdata site --release DIR``) builds the same bytes from a
release's own files. Layout (see docs/site.md)::

    index.html                 what the data is, counts, charts, downloads, how to cite
    assets/site.css, site.js   the style sheet and the filter and language switch
    {kind}/index.html          the list of a kind (projects: with the filter)
    {kind}/{id}/index.html     one page per record, at the path of its URI {base}{kind}/{id}
    {kind}/{id}.ttl, .jsonld   the record's triples as Turtle and JSON-LD
    country/{XX}/index.html    one page per country named (ISO 3166 alpha-2), with data files

Pages are written with Jinja2 templates (autoescaped), charts as SVG in Python; the
same input gives the same bytes.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from importlib.resources import files as package_files
from pathlib import Path

from coopdata.errors import OutputError, UsageError
from coopdata.model.config import ReleaseConfig, check_config
from coopdata.model.uris import DEFAULT_BASE, Uris
from coopdata.rdf.triples import triples
from coopdata.release.changelog import read_release
from coopdata.release.dir import CHECKSUMS, SERIES, ReleaseDir
from coopdata.release.files import ReleaseFile
from coopdata.release.site.entities import entity_files
from coopdata.release.site.home import home_page, project_list
from coopdata.release.site.render import Pages, SiteInput

__all__ = ["SITE", "SiteInput", "site_files", "site_for_release", "site_pages", "write_site"]

SITE = "site"
"""The site's folder inside a release directory."""
NOT_LISTED = (*SERIES, CHECKSUMS)
"""Release files written after the site (they list its files): linked, not described."""
ASSETS = ("icon.svg", "site.css", "site.js")


def site_pages(source: SiteInput) -> Iterator[tuple[str, bytes]]:
    """Every file of the site, one at a time: (path relative to the site folder, bytes),
    each made when asked for, so that the site is never held in memory."""

    pages = Pages(source)
    yield "index.html", home_page(pages)
    yield "project/index.html", project_list(pages)
    yield from entity_files(pages)
    static = package_files("coopdata.release.site") / "static"
    for name in ASSETS:
        yield f"assets/{name}", (static / name).read_bytes()


def site_files(source: SiteInput) -> dict[str, bytes]:
    """Every file of the site: path relative to the site folder → bytes (in memory: for
    the SPARQL server's pages; a release writes them one by one, :func:`write_site`)."""
    return dict(sorted(site_pages(source)))


def write_site(target: Path, source: SiteInput) -> list[Path]:
    """Write the site into ``target`` (a new folder), each file as soon as it is made;
    returns the files written, sorted."""
    target.mkdir()
    folders = {target}
    written = set()
    for name, content in site_pages(source):
        path = target / name
        if path.parent not in folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.add(path.parent)
        path.write_bytes(content)
        written.add(name)
    return [target / name for name in sorted(written)]


def listed_files(release: Path, files: list[ReleaseFile] | None = None) -> list[ReleaseFile]:
    """The release files the home page describes: all but the site and what follows it
    (from ``files``, every file of ``release`` already hashed, when given)."""
    if files is None:
        files = [ReleaseFile.of(release, p) for p in sorted(release.rglob("*")) if p.is_file()]
    return [f for f in files if f.name.split("/")[0] not in (SITE, *NOT_LISTED)
            and not f.name.rsplit("/", 1)[-1].startswith(".")]


def site_for_release(release: Path | str, *, config: ReleaseConfig | None = None,
                     out: Path | str | None = None) -> Path:
    """Build the site of an existing release ``release`` (a ``DIR/<version>`` folder) from
    its tables, into ``out`` (default: ``release/site``), which must not exist yet.

    The result is byte for byte what ``coopdata release`` writes with the same
    configuration. Raises :class:`~coopdata.UsageError` when ``release`` is not a release
    and :class:`~coopdata.OutputError` when the site exists already or cannot be written.
    """

    root = Path(release)
    try:
        facts = ReleaseDir(root).facts()
        version, issued = str(facts["version"]), str(facts["issued"])
    except (OSError, ValueError, KeyError, TypeError):
        raise UsageError(f"{root} is not a coopdata release (no readable release.json)"
                         ) from None
    dataset, _ = read_release(root)
    config = ReleaseConfig() if config is None else check_config(config)
    uris = Uris(_uri_space(root) or config.base_uri or DEFAULT_BASE)
    target = Path(out) if out is not None else root / SITE
    if target.exists():
        raise OutputError(f"{target} exists already; a site is never overwritten: remove it "
                          "or choose another --out")
    source = SiteInput(dataset, triples(dataset, uris=uris), uris, config, version, issued,
                       listed_files(root))
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site.", suffix=".partial", dir=target.parent))
    try:
        write_site(staging / "site", source)
        os.rename(staging / "site", target)
    except OSError as exc:
        raise OutputError(f"cannot write the site into {target}: {exc.strerror or exc}"
                          ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _uri_space(release: Path) -> str | None:
    """The base of entity URIs the release used (``void:uriSpace`` in void.ttl)."""

    try:
        text = (release / "void.ttl").read_text(encoding="utf-8")
    except OSError:
        return None
    found = re.search(r'void:uriSpace\s+"([^"]+)"', text)
    return found.group(1) if found else None
