"""Releases that portals ingest: ``coopdata release --out DIR [--version V]``.

A release is the directory ``DIR/<version>/``:

==================== =================================================================
file                 what it holds
==================== =================================================================
graph.ttl, graph.nt  the graph, as Turtle and as sorted N-Triples (for bulk loaders)
graph.jsonld         the graph as JSON-LD, compacted with the published context
projects.jsonld      one JSON-LD object per project, with what belongs to it nested
context.jsonld       the JSON-LD context (embedded in both JSON-LD files as well)
tables/*.csv         the tables; ``datapackage.json`` describes them (with bytes, hash)
csv-metadata.json    CSVW metadata: the CSV files as linked data
void.ttl             VoID: triples, entities per class, dumps, endpoint
CHANGELOG.md         what changed since the previous release in DIR (each value, old → new)
changes/*.nt         the triples added and removed since the previous release (none in the
                     first): ``added.nt``, ``removed.nt``, sorted N-Triples
release.json         version, date and counts, for scripts
site/                the website: home page, charts, one page per entity (docs/site.md)
catalog.ttl/.jsonld  DCAT-AP 3: catalogue, dataset, series, one distribution per file
iati-*.xml           IATI 2.03: iati-activities.xml (the projects that IATI can hold) and
                     iati-organisations.xml (organisations with an IATI identifier)
SHA256SUMS           the checksum of every other file
==================== =================================================================

The same records, version and date give byte-identical files. A release is written
into a temporary directory inside DIR and renamed into place when complete, under a
lock, so that readers never see half a release and an existing version is never
overwritten.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coopdata.collector import paused
from coopdata.errors import OutputError, RecordsInvalid, UsageError
from coopdata.iati.write import ACTIVITIES, ORGANISATIONS, export
from coopdata.jsonfile import dump_json
from coopdata.model.config import ReleaseConfig
from coopdata.model.dataset import Dataset
from coopdata.model.spec import KINDS
from coopdata.model.uris import Uris
from coopdata.model.vocab import expand
from coopdata.rdf.compact import published_context
from coopdata.rdf.frame import write_framed_projects
from coopdata.rdf.jsonld import compacted
from coopdata.rdf.triples import write_ntriples
from coopdata.rdf.turtle import write_turtle
from coopdata.release.catalog import catalog_context, catalog_graph, void_graph
from coopdata.release.changelog import IATI_ACTIVITIES, compare, read_release, write_triple_changes
from coopdata.release.convert import Beside
from coopdata.release.dir import (
    HashedFiles,
    check_version,
    releases_in,
    verify,
    write_checksums,
)
from coopdata.release.files import ReleaseFile, ReleaseInfo
from coopdata.release.series import check_beside, publish_beside
from coopdata.release.site import SITE, SiteInput, listed_files, write_site
from coopdata.release.staging import fsync_tree, locked, remove_empty
from coopdata.tables.csvw import csvw_metadata
from coopdata.tables.package import package_descriptor, write_package
from coopdata.validate.validation import validate

if TYPE_CHECKING:
    from coopdata.release.convert import Beside
    from coopdata.validate.validation import Validation

STEPS = ("load", "graph", "rdf-files", "table-validation", "shacl", "tables", "json-ld",
         "conversions", "metadata", "site", "catalogue", "publish")
"""The steps of a release, in order, as reported to the ``progress`` callback."""

Progress = Callable[[str], None]


@dataclass
class Release:
    """What :func:`release` wrote."""

    directory: Path
    info: ReleaseInfo
    files: list[ReleaseFile]
    report: Any


def release_date(date: str | None = None) -> str:
    """The release date: ``date`` if given, else SOURCE_DATE_EPOCH, else today (UTC)."""
    if date is not None:
        try:
            return dt.date.fromisoformat(date).isoformat()
        except ValueError:
            raise UsageError(f'the release date must be YYYY-MM-DD, got "{date}"') from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
        except (ValueError, OverflowError):
            raise UsageError(f'SOURCE_DATE_EPOCH must be a number of seconds, got "{epoch}"'
                             ) from None
    return dt.datetime.now(dt.UTC).date().isoformat()


def _info(dataset: Dataset, graph_size: int, version: str, issued: str,
          previous: list[str]) -> ReleaseInfo:
    countries: set[str] = set()
    starts, ends = [], []
    for record in dataset.of_kind("project"):
        countries.update(record.data.get("countries", []))
        starts += [record.data[f] for f in ("actual_start", "planned_start") if f in record.data]
        ends += [record.data[f] for f in ("actual_end", "planned_end") if f in record.data]
    for record in dataset.of_kind("agreement"):
        countries.update(record.data.get("countries", []))
    temporal = (min(starts, key=lambda d: d.earliest), max(ends, key=lambda d: d.latest)) \
        if starts and ends else None

    entities = tuple((expand(kind.node_class), len(dataset.of_kind(kind.name)))
                     for kind in KINDS.values())
    return ReleaseInfo(version, issued, tuple(previous), tuple(sorted(countries)), temporal,
                       graph_size, entities)


def release(out: Path | str, records: Path | str | None = None, *, version: str | None = None,
            config: ReleaseConfig | None = None, date: str | None = None,
            progress: Progress | None = None, strict: bool = False,
            site: bool = True) -> Release:
    """Validate the records and publish them as ``out/<version>/``, completely or not at all.

    ``version`` defaults to the release date. Raises :class:`~coopdata.RecordsInvalid`
    when validation fails, :class:`~coopdata.UsageError` for a bad version, date or a
    corrupt previous release, and :class:`~coopdata.OutputError` when the version
    exists already or cannot be written; in every case nothing is written.
    """

    with paused():
        return _release(Path(out), records, version=version, config=config or ReleaseConfig(),
                        date=date, progress=progress, strict=strict, site=site)


def _release(root: Path, records: Path | str | None, *, version: str | None,
             config: ReleaseConfig, date: str | None, progress: Progress | None,
             strict: bool, site: bool) -> Release:
    step = progress or (lambda name: None)
    issued = release_date(date)
    version = check_version(issued if version is None else version)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    _refuse_existing(root, version)
    previous = _previous_releases(root)
    created = [folder for folder in (root, *root.parents) if not folder.exists()]
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {root}: {exc.strerror}") from None
    with locked(root):
        try:
            validation, info, files = _publish(root, records, config, version, issued,
                                               previous, step, strict=strict, site=site)
        except BaseException:
            remove_empty(created)  # the folders made for it (while it holds the lock)
            raise
    return Release(root / version, info, files, validation.report)


def _publish(root: Path, records: Path | str | None, config: ReleaseConfig, version: str,
             issued: str, previous: list[str], step: Progress, *, strict: bool,
             site: bool) -> tuple[Validation, ReleaseInfo, list[ReleaseFile]]:
    """Validate the records and write their release in a staging directory, then rename
    it into place. ``graph.nt`` is written as soon as the triples are made, and
    ``graph.ttl`` and ``graph.jsonld`` converted from it in other processes, while the
    tables and the graph are checked (RecordsInvalid should they fail)."""

    # Another release may have finished since the caller looked: look again.
    _refuse_existing(root, version)
    if releases_in(root) != previous:
        previous = _previous_releases(root)
    check_beside(root)  # before the work: latest/ and the series catalogue are coopdata's
    for leftover in root.glob(".*.partial"):  # from a release that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{version}.", suffix=".partial", dir=root))
    except OSError as exc:
        raise OutputError(f"cannot write into {root}: {exc.strerror}") from None
    uris = Uris(config.base_uri)
    try:
        with Beside() as beside:
            validation = validate(records, uris=uris, progress=step, graph_ready=partial(
                _start_graph_files, staging, beside, step, strict))
            if not validation.report.passes(strict=strict):
                raise RecordsInvalid(validation.report)
            info, files = _write(staging, validation, config, uris, version, issued, root,
                                 previous, step, beside, site=site)
        step("publish")
        staging.chmod(0o755)  # mkdtemp made it private; a release is for everyone to read
        fsync_tree(staging)
        publish_beside(root, staging, version, issued, previous, config)
    except OSError as exc:
        raise OutputError(f"cannot write the release into {root}: {exc.strerror or exc}; "
                          "nothing was published") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return validation, info, files


def _start_graph_files(staging: Path, beside: Beside, step: Progress, strict: bool,
                       validation: Validation) -> None:
    """Once the triples are made: ``graph.nt``, and its conversions started ``beside``
    (unless the record checks failed already)."""

    if validation.report.passes(strict=strict):
        step("rdf-files")
        write_ntriples(validation.triples, staging / "graph.nt")
        beside.start("turtle", staging / "graph.nt", staging / "graph.ttl")
        beside.start("json-ld", staging / "graph.nt", staging / "graph.jsonld")


def _refuse_existing(root: Path, version: str) -> None:
    if (root / version).exists():
        raise OutputError(f"release {version} already exists in {root}; releases are never "
                          "overwritten: choose another --version")


def _previous_releases(root: Path) -> list[str]:
    """The releases in ``root``; a UsageError when the last one fails its checksums."""
    previous = releases_in(root)
    if previous:
        problems = verify(root / previous[-1])
        if problems:
            raise UsageError(f"the previous release {root / previous[-1]} is corrupt: "
                             f"{'; '.join(problems)}. Restore it before releasing again")
    return previous


def _write(staging: Path, validation: Validation, config: ReleaseConfig, uris: Uris, version: str,
           issued: str, root: Path, previous: list[str], step: Progress, beside: Beside, *,
           site: bool = True) -> tuple[ReleaseInfo, list[ReleaseFile]]:
    """The rest of the release, ``graph.nt`` written (and converted ``beside``)."""

    dataset: Dataset = validation.dataset
    triples = validation.triples
    with ThreadPoolExecutor(max_workers=1) as background:
        hashed = HashedFiles(staging, background)
        hashed.finished(staging / "graph.nt")
        step("tables")
        (staging / "tables").mkdir()
        written = write_package(dataset, staging / "tables", cells=validation.tables)
        (staging / "tables" / "datapackage.json").unlink()  # (the release's is at its root)
        for path in written:
            if path.suffix == ".csv":
                hashed.finished(path)
        dump_json(csvw_metadata(base_uri=uris.base), staging / "csv-metadata.json")
        step("json-ld")
        write_framed_projects(dataset, uris, staging / "projects.jsonld")
        hashed.finished(staging / "projects.jsonld")
        dump_json(published_context(), staging / "context.jsonld")
        # (the tables were hashed in the background meanwhile)
        dump_json(_datapackage(hashed, config), staging / "datapackage.json")
        _write_iati(staging, validation, config, uris, issued)
        step("conversions")  # what is left of graph.ttl and graph.jsonld to wait for
        beside.finish()
        hashed.finished(staging / "graph.ttl")
        hashed.finished(staging / "graph.jsonld")
        step("metadata")
        info = _info(dataset, len(triples), version, issued, previous)
        if previous:
            old, old_triples = read_release(root / previous[-1])
            with open(staging / "graph.nt", encoding="utf-8") as handle:
                new_lines = set(handle)
            changes = compare(old, dataset, old_triples, new_lines, old_version=previous[-1],
                              new_version=version, old_iati=root / previous[-1] / IATI_ACTIVITIES,
                              new_iati=staging / IATI_ACTIVITIES)
            write_triple_changes(old_triples, new_lines, staging)
            del old_triples, new_lines
        else:  # every triple is new: no need to hold them as lines
            changes = compare(None, dataset, set(), set(), old_version=None, new_version=version,
                              new_iati=staging / IATI_ACTIVITIES)
            changes.triples_added = len(triples)
        (staging / "CHANGELOG.md").write_text(changes.to_markdown(), encoding="utf-8")
        dump_json({"version": version, "issued": issued, "previous": previous[-1] if previous
                   else None, "triples": len(triples),
                   "records": {kind: n for kind, n in dataset.counts().items()}},
                  staging / "release.json")
        void = void_graph(config, info, hashed.files())
        write_turtle(void, staging / "void.ttl")
        step("site")
        if site:  # last before the catalogue and SHA256SUMS, which list it

            write_site(staging / SITE, SiteInput(dataset, triples, uris, config, version, issued,
                                                 listed_files(staging, hashed.files())))
        step("catalogue")
        # One distribution per file, but the website is one distribution: its start page
        # (SHA256SUMS still lists every page).
        files = sorted([f for f in hashed.files()
                        if not f.name.startswith("site/") or f.name == "site/index.html"],
                       key=lambda f: f.name)
        catalog = catalog_graph(config, info, files)
        write_turtle(catalog, staging / "catalog.ttl")
        dump_json(compacted(catalog, context=catalog_context()), staging / "catalog.jsonld")
        return info, write_checksums(hashed)


def _write_iati(staging: Path, validation: Validation, config: ReleaseConfig, uris: Uris,
                issued: str) -> None:
    """``iati-activities.xml`` and ``iati-organisations.xml``, checked against the official
    IATI 2.03 schemas and the IATI rules: RecordsInvalid, each finding at its record and
    field, when they fail. What IATI cannot carry is reported as infos."""

    exported = export(validation.dataset, staging / ACTIVITIES, staging / ORGANISATIONS,
                      config=config, uris=uris, today=dt.date.fromisoformat(issued))
    validation.report.extend(exported.findings)
    if not exported.valid:
        raise RecordsInvalid(validation.report)


def _datapackage(hashed: HashedFiles, config: ReleaseConfig) -> dict[str, Any]:
    """``datapackage.json`` at the release root, each resource with its bytes and hash."""

    descriptor = package_descriptor()
    descriptor["title"], descriptor["description"] = config.title, config.description
    descriptor["licenses"] = [{"name": config.license, "path": config.license_uri}]
    for resource in descriptor["resources"]:
        table = hashed.file(hashed.root / "tables" / resource["path"])
        resource["path"] = table.name
        resource["bytes"] = table.byte_size
        resource["hash"] = f"sha256:{table.sha256}"
    return descriptor

