"""The steps that write a release's files into its staging folder, each given the
release being written (:class:`Draft`): its settings, the records as validated, and the
files written so far."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from coopdata.cache import Cache, group
from coopdata.errors import CoopdataError, RecordsInvalid, UsageError
from coopdata.iati.writing.write import ACTIVITIES, ORGANISATIONS, export
from coopdata.jsonfile import dump_json
from coopdata.model.dataset import Dataset
from coopdata.model.resources import default_records
from coopdata.model.spec import KINDS
from coopdata.model.vocab import expand
from coopdata.rdf.compact import published_context
from coopdata.rdf.jsonld import compacted
from coopdata.rdf.turtle import write_turtle
from coopdata.release.catalog import catalog_context, catalog_graph, void_graph
from coopdata.release.changelog import (
    IATI_ACTIVITIES,
    Activities,
    activity_changes,
    compare,
    compare_with_release,
)
from coopdata.release.convert import Beside
from coopdata.release.dir import GRAPH, PROJECTS, HashedFiles, ReleaseDir, synced_file
from coopdata.release.files import ReleaseFile, ReleaseInfo
from coopdata.release.forked import Forked
from coopdata.release.graphdiff import ADDED_TRIPLES, REMOVED_TRIPLES, lines_in
from coopdata.release.graphspans import JSONLD, TURTLE, made_key
from coopdata.release.projectspans import Before, Places, places_key
from coopdata.release.projectspans import write_projects as write_projects_file
from coopdata.release.rowdiff import RecordSources, record_sources, sources_key
from coopdata.release.settings import ReleaseSettings
from coopdata.release.site import SITE, SiteInput, listed_files, write_site
from coopdata.report import Finding
from coopdata.tables.csvw import csvw_metadata
from coopdata.tables.package import TableFiles, package_descriptor, write_package
from coopdata.validate.validation import Validation


@dataclass
class Draft:
    """A release being written: validated, ``graph.nt`` written into ``folder`` and
    being converted ``beside``."""

    settings: ReleaseSettings
    previous: list[str]
    """The versions already in the release folder, oldest first."""
    folder: Path
    """The staging folder, renamed into place once complete."""
    validation: Validation
    hashed: HashedFiles
    """The files of ``folder``, each hashed once."""
    beside: Beside
    """The conversions of ``graph.nt`` running in other processes."""
    iati: Forked[IatiFiles]
    """The IATI export (:func:`write_iati_files`), started once the records were loaded."""
    table_files: TableFiles | None = None
    """The CSV files of the tables, if written as they were checked (those of a graph too
    large for memory: :func:`~coopdata.validate.validation.validate_dataset`)."""
    cache: Cache | None = None
    """The release's cache, open (None without one)."""
    places: Places | None = None
    """Where each project stands in ``projects.jsonld``, once written."""
    places_before: bytes | None = None
    """The cache key of the places of the release before, if looked for."""
    triples: int = field(init=False)
    """How many triples the graph holds (its triples themselves may be let go of:
    :func:`let_go_of_triples`)."""

    def __post_init__(self) -> None:
        self.triples = self.validation.size

    @property
    def dataset(self) -> Dataset:
        return self.validation.dataset

    @cached_property
    def info(self) -> ReleaseInfo:
        """What the release's metadata publishes about its data."""
        dataset = self.dataset
        countries: set[str] = set()
        starts, ends = [], []
        for record in dataset.of_kind("project"):
            countries.update(record.data.get("countries", []))
            starts += [record.data[f] for f in ("actual_start", "planned_start")
                       if f in record.data]
            ends += [record.data[f] for f in ("actual_end", "planned_end") if f in record.data]
        for record in dataset.of_kind("agreement"):
            countries.update(record.data.get("countries", []))
        temporal = (min(starts, key=lambda d: d.earliest), max(ends, key=lambda d: d.latest)) \
            if starts and ends else None
        entities = tuple((expand(kind.node_class), len(dataset.of_kind(kind.name)))
                         for kind in KINDS.values())
        return ReleaseInfo(self.settings.version, self.settings.issued, tuple(self.previous),
                           tuple(sorted(countries)), temporal, self.triples, entities)


Step = Callable[[Draft], None]


def let_go_of_triples(draft: Draft) -> None:
    """The triples, once ``graph.nt`` is written and the graph checked, are needed again
    only by the website: without it, let them go (at 100,000 projects, about 600 MB the
    IATI export and the rest would otherwise run beside)."""
    if not draft.settings.site:
        draft.validation.triples = []


def write_tables(draft: Draft) -> None:
    """``tables/*.csv`` (hashed in the background) and ``csv-metadata.json``."""
    tables = draft.folder / "tables"
    if draft.table_files is not None and draft.table_files.paths:
        written = list(draft.table_files.paths)  # (written as they were checked)
    else:
        tables.mkdir()
        written = write_package(draft.dataset, tables, cells=draft.validation.tables)
        draft.validation.tables = None  # (written: no later step reads them, let them go)
        (tables / "datapackage.json").unlink()  # (the release's is at its root)
    for path in written:
        if path.suffix == ".csv":
            draft.hashed.finished(path)
    dump_json(csvw_metadata(base_uri=draft.settings.uris.base),
              draft.folder / "csv-metadata.json")


def write_projects(draft: Draft) -> None:
    """``projects.jsonld`` (each project framed, or taken from the release before:
    :mod:`~coopdata.release.projectspans`) and ``context.jsonld``."""
    path = draft.folder / PROJECTS
    draft.places = write_projects_file(draft.dataset, draft.settings.uris, path,
                                       _projects_before(draft))
    draft.hashed.finished(path)
    dump_json(published_context(), draft.folder / "context.jsonld")


def write_datapackage(draft: Draft) -> None:
    """``datapackage.json`` at the release root, each resource with its bytes and hash
    (the tables were hashed in the background meanwhile)."""
    config = draft.settings.config
    descriptor: dict[str, Any] = package_descriptor()
    descriptor["title"], descriptor["description"] = config.title, config.description
    descriptor["licenses"] = [{"name": config.license, "path": config.license_uri}]
    for resource in descriptor["resources"]:
        table = draft.hashed.file(draft.folder / "tables" / resource["path"])
        resource["path"] = table.name
        resource["bytes"] = table.byte_size
        resource["hash"] = f"sha256:{table.sha256}"
    dump_json(descriptor, draft.folder / "datapackage.json")


@dataclass
class IatiFiles:
    """What :func:`write_iati_files` wrote and found."""

    findings: list[Finding]
    """What the checks of the IATI files found, each at its record and field, and what
    IATI cannot carry (infos)."""
    files: list[ReleaseFile]
    """The files written, synced to disk and hashed."""
    changes: Activities
    """The activities' changes since the previous release (for the changelog), or
    ``"compare"`` when they could not be made here: the changelog makes them again and
    says why."""


def write_iati_files(dataset: Dataset, folder: Path, settings: ReleaseSettings,
                     previous: Path | None, cache: Path | None = None) -> IatiFiles:
    """Write ``iati-activities.xml`` and ``iati-organisations.xml`` into the staging
    ``folder``, checked against the official IATI 2.03 schemas and the IATI rules, synced
    and hashed, and compare the activities with those of the ``previous`` release. A
    release runs it in a process forked once the records are loaded
    (:mod:`coopdata.release.forked`), beside the graph's checks: it reads nothing else of
    the release, and sends back only this. ``cache``: the folder of the release's cache,
    in which each activity is kept with its checks' findings, and from which those of
    unchanged projects are taken (:mod:`coopdata.iati.writing.remembered`)."""
    with _cache_in(cache) as opened:
        records = Path(settings.records) if settings.records else default_records()
        exported = export(dataset, folder / ACTIVITIES, folder / ORGANISATIONS,
                          config=settings.config, uris=settings.uris, today=settings.today,
                          remember=None if opened is None else (
                              opened, group("iati-activities", str(records.resolve()))))
    written = [path for path in (exported.activities, exported.organisations) if path]
    changes: Activities = "compare"
    with suppress(CoopdataError, OSError):  # (a damaged previous file: the changelog says)
        changes = activity_changes(
            previous / IATI_ACTIVITIES if previous else None, folder / IATI_ACTIVITIES,
            written=True, identifiers=[i for i, _ in exported.written.activities])
    return IatiFiles(exported.findings, [synced_file(folder, path) for path in written],
                     changes)


@contextmanager
def _cache_in(folder: Path | None) -> Iterator[Cache | None]:
    """The cache in ``folder`` opened anew (a connection is never used across a fork);
    none when there is no folder or it cannot be opened now: the export goes on without."""
    if folder is None:
        yield None
        return
    try:
        cache = Cache.open(folder)
    except UsageError:
        yield None
        return
    with cache:
        yield cache


def write_iati(draft: Draft) -> None:
    """The IATI files (:func:`write_iati_files`, written beside or now): RecordsInvalid
    when their checks fail."""
    report = draft.validation.report
    written = draft.iati.result()
    report.extend(written.findings)
    if any(f.severity == "violation" for f in written.findings):
        raise RecordsInvalid(report)
    for file in written.files:
        draft.hashed.add(file)


def finish_conversions(draft: Draft) -> None:
    """Wait for what is left of ``graph.ttl`` and ``graph.jsonld``."""
    draft.beside.finish("turtle", "json-ld")
    draft.hashed.finished(draft.folder / "graph.ttl")
    draft.hashed.finished(draft.folder / "graph.jsonld")


def start_graph_changes(draft: Draft) -> None:
    """The triples' changes since the previous release (``changes/*.nt``: both
    ``graph.nt`` merged, never held) started in a process of their own, once the checks
    are done (the cores are then less busy), to be waited for by :func:`write_changes`."""
    if draft.previous:
        last = ReleaseDir(draft.settings.root / draft.previous[-1])
        draft.beside.start("graph-changes", last.graph, draft.folder / "graph.nt",
                           draft.folder)


def write_changes(draft: Draft) -> None:
    """``CHANGELOG.md``, and ``changes/*.nt`` when there is a previous release."""
    folder, version, previous = draft.folder, draft.settings.version, draft.previous
    if previous:
        last = draft.settings.root / previous[-1]
        # (the triples' changes are being merged beside: start_graph_changes)
        activities = draft.iati.result().changes
        before = _sources_key(ReleaseDir(last).checksums().__getitem__)
        changes = compare_with_release(last, draft.dataset, folder, old_version=previous[-1],
                                       new_version=version,  # (reads back what changed)
                                       activities=activities,
                                       remembered=_remembered(draft, before),
                                       cache=draft.cache)
        draft.beside.finish("graph-changes")
        changes.triples_added, changes.triples_removed = (
            lines_in(folder / name) for name in (ADDED_TRIPLES, REMOVED_TRIPLES))
    else:  # every triple is new: no need to hold them as lines
        before = None
        changes = compare(None, draft.dataset, set(), set(), old_version=None,
                          new_version=version, new_iati=folder / IATI_ACTIVITIES,
                          activities=draft.iati.result().changes)
        changes.triples_added = draft.triples
    (folder / "CHANGELOG.md").write_text(changes.to_markdown(), encoding="utf-8")
    _remember(draft, before)


def _sources_key(checksums: Callable[[str], str]) -> bytes | None:
    """:func:`~coopdata.release.rowdiff.sources_key` of a release (None when a table's
    checksum cannot be had)."""
    try:
        return sources_key(checksums)
    except (OSError, UnicodeDecodeError, KeyError):
        return None


def _remembered(draft: Draft, key: bytes | None) -> RecordSources | None:
    """The record sources of the previous release (under ``key``) kept in the cache, if
    they are and this release's records have theirs."""
    if draft.cache is None or key is None or not draft.dataset.sources:
        return None
    found = draft.cache.get([key]).get(key)
    return found if isinstance(found, dict) else None


def _projects_before(draft: Draft) -> Before | None:
    """The ``projects.jsonld`` of the release before and its places, if the cache kept
    them (and this release's records have their sources)."""
    if draft.cache is None or not draft.previous or not draft.dataset.sources:
        return None
    last = draft.settings.root / draft.previous[-1]
    try:
        sha256 = ReleaseDir(last).checksums()[PROJECTS]
    except (OSError, UnicodeDecodeError, KeyError):
        return None
    draft.places_before = places_key(sha256)
    found = draft.cache.get([draft.places_before]).get(draft.places_before)
    return Before(last / PROJECTS, sha256, found) if isinstance(found, dict) else None


def _remember(draft: Draft, before: bytes | None) -> None:
    """Keep in the cache, for the next release, beside the previous release's (should
    this one not be published): this release's record sources (for its changelog), the
    places of its projects (for its ``projects.jsonld``), and that this coopdata wrote
    its ``graph.jsonld`` and ``graph.ttl`` from its ``graph.nt`` (for its own)."""
    if draft.cache is None or not draft.dataset.sources:
        return
    def sha256(name: str) -> str:
        return draft.hashed.file(draft.folder / name).sha256

    key = _sources_key(sha256)
    new: list[tuple[bytes, object]] = [] if key is None else [
        (key, record_sources(draft.dataset))]
    if draft.places is not None:
        new.append((places_key(sha256(PROJECTS)), draft.places))
    new += [(made_key(sha256(GRAPH), name, sha256(name)), True) for name in (JSONLD, TURTLE)]
    earlier = [before, draft.places_before]
    if draft.previous:
        with suppress(OSError, UnicodeDecodeError, KeyError):
            listed = ReleaseDir(draft.settings.root / draft.previous[-1]).checksums()
            earlier += [made_key(listed[GRAPH], name, listed[name]) for name in (JSONLD, TURTLE)]
    kept = group("release-records", str(draft.settings.root.resolve()))
    draft.cache.put(kept, new)
    draft.cache.keep_only(kept, [k for k in (*earlier, *dict(new)) if k is not None])


def write_release_json(draft: Draft) -> None:
    """``release.json``: version, date and counts, for scripts."""
    settings, previous = draft.settings, draft.previous
    dump_json({"version": settings.version, "issued": settings.issued,
               "previous": previous[-1] if previous else None,
               "triples": draft.triples,
               "records": dict(draft.dataset.counts())}, draft.folder / "release.json")


def write_void(draft: Draft) -> None:
    """``void.ttl``, listing the files written so far as dumps."""
    write_turtle(void_graph(draft.settings.config, draft.info, draft.hashed.files()),
                 draft.folder / "void.ttl")


def write_website(draft: Draft) -> None:
    """``site/``, unless the settings leave it out; last before the catalogue and
    SHA256SUMS, which list it."""
    settings = draft.settings
    if settings.site:
        write_site(draft.folder / SITE, SiteInput(
            draft.dataset, draft.validation.triples, settings.uris, settings.config,
            settings.version, settings.issued, listed_files(draft.folder, draft.hashed.files())))


def write_catalogue(draft: Draft) -> None:
    """``catalog.ttl`` and ``catalog.jsonld``: one distribution per file, but the website
    is one distribution, its start page (SHA256SUMS still lists every page)."""
    files = sorted([f for f in draft.hashed.files()
                    if not f.name.startswith("site/") or f.name == "site/index.html"],
                   key=lambda f: f.name)
    catalog = catalog_graph(draft.settings.config, draft.info, files)
    write_turtle(catalog, draft.folder / "catalog.ttl")
    dump_json(compacted(catalog, context=catalog_context()), draft.folder / "catalog.jsonld")


WRITERS: tuple[tuple[str, tuple[Step, ...]], ...] = (
    ("tables", (start_graph_changes, let_go_of_triples, write_tables)),
    ("json-ld", (write_projects, write_datapackage, write_iati)),
    ("conversions", (finish_conversions,)),
    ("metadata", (write_changes, write_release_json, write_void)),
    ("site", (write_website,)),
    ("catalogue", (write_catalogue,)),
)
"""The steps that write the files after ``graph.nt``, in order, under the name of the
progress step each belongs to."""
