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

import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from coopdata.cache import Cache, default_folder, opened
from coopdata.collector import paused
from coopdata.errors import OutputError, RecordsInvalid, UsageError
from coopdata.model.config import ReleaseConfig
from coopdata.rdf.triples import write_ntriples
from coopdata.records.load import load
from coopdata.release.convert import Beside
from coopdata.release.dir import GRAPH, LATEST, HashedFiles, releases_in, verify, write_checksums
from coopdata.release.files import ReleaseFile, ReleaseInfo
from coopdata.release.forked import Forked
from coopdata.release.graphspans import JSONLD, TURTLE, vouched_before
from coopdata.release.latest import EarlyCopies
from coopdata.release.series import check_beside, is_newest, publish_beside
from coopdata.release.settings import Progress, ReleaseSettings
from coopdata.release.staging import Digests, fsync_tree, locked, remove_empty
from coopdata.release.steps import WRITERS, Draft, IatiFiles, write_iati_files
from coopdata.report import Report
from coopdata.tables.package import TableFiles
from coopdata.validate.validation import Validation, validate_dataset

__all__ = ["STEPS", "Progress", "Release", "ReleaseSettings", "release", "release_with"]

STEPS = ("load", "graph", "rdf-files", "table-validation", "shacl",
         *(name for name, _ in WRITERS), "publish")
"""The steps of a release, in order, as reported to the ``progress`` callback."""


@dataclass
class Release:
    """What :func:`release` wrote."""

    directory: Path
    info: ReleaseInfo
    files: list[ReleaseFile]
    report: Report
    """Every finding of the validation (and of the IATI export)."""


def release(out: Path | str, records: Path | str | None = None, *, version: str | None = None,
            config: ReleaseConfig | None = None, date: str | None = None,
            progress: Progress | None = None, strict: bool = False,
            site: bool = True, cache: Path | str | bool = True) -> Release:
    """Validate the records and publish them as ``out/<version>/``, completely or not at all.

    ``version`` defaults to the release date. ``cache`` keeps the work done on each record
    file for the next release (:mod:`coopdata.cache`): True in the default folder, False
    not at all, or a folder; the files released are the same either way.

    Raises :class:`~coopdata.RecordsInvalid` when validation fails,
    :class:`~coopdata.UsageError` for a bad version, date or a corrupt previous release,
    and :class:`~coopdata.OutputError` when the version exists already or cannot be
    written; in every case nothing is written.
    """

    with paused():
        return release_with(ReleaseSettings.of(
            out, records, version=version, config=config, date=date, progress=progress,
            strict=strict, site=site, cache=cache))


def release_with(settings: ReleaseSettings) -> Release:
    """:func:`release`, its settings given as one object."""
    root = settings.root
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    _refuse_existing(settings)
    # The files of the previous release and latest/'s are the same files (hard links):
    # each hashed once for the checks of both, now and at publish.
    digests = Digests()
    previous = _previous_releases(root, digests)
    created = [folder for folder in (root, *root.parents) if not folder.exists()]
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {root}: {exc.strerror}") from None
    with locked(root):
        try:
            validation, info, files = _publish(settings, previous, digests)
        except BaseException:
            remove_empty(created)  # the folders made for it (while it holds the lock)
            raise
    return Release(settings.folder, info, files, validation.report)


def _publish(settings: ReleaseSettings, previous: list[str], digests: Digests
             ) -> tuple[Validation, ReleaseInfo, list[ReleaseFile]]:
    """Validate the records and write their release in a staging directory, then rename
    it into place. The IATI files are written in a process forked as soon as the records
    are loaded; ``graph.nt`` is written as soon as the triples are made, and ``graph.ttl``
    and ``graph.jsonld`` converted from it in other processes; all of them while the
    tables and the graph are checked (RecordsInvalid should they fail)."""

    root = settings.root
    # Another release may have finished since the caller looked: look again.
    _refuse_existing(settings)
    if releases_in(root) != previous:
        previous = _previous_releases(root, digests)
    check_beside(root, digests)  # before the work: latest/ and the series catalogue are ours
    # From a release that was killed: its staging folders, and the latest/ it was
    # replacing, moved aside (staging._swap) just before the new one would take its place.
    for leftover in [*root.glob(".*.partial"), *root.glob(f".{LATEST}.*.old")]:
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{settings.version}.", suffix=".partial",
                                        dir=root))
    except OSError as exc:
        raise OutputError(f"cannot write into {root}: {exc.strerror}") from None
    try:
        with Beside() as beside, Forked[IatiFiles]() as iati, _cache(settings) as cache, \
                _early_copies(settings, previous, staging) as early:
            table_files = TableFiles(staging / "tables")  # (a large graph's, as checked)
            with paused():  # (as validate() pauses it; the child forked keeps it paused)
                dataset, report = load(settings.records, progress=settings.progress,
                                       cache=cache)
                if report.passes(strict=settings.strict):  # (else the release stops below)
                    iati.start(partial(write_iati_files, dataset, staging, settings,
                                       root / previous[-1] if previous else None,
                                       cache.folder if cache is not None else None))
                validation = validate_dataset(dataset, report, uris=settings.uris,
                                              progress=settings.progress,
                                              graph_ready=partial(
                                                  _start_graph_files, settings, staging,
                                                  beside, root / previous[-1]
                                                  if previous else None, cache),
                                              graph_file=None if settings.site else
                                              staging / "graph.nt", scratch=staging,
                                              table_chunks=table_files.add)
            if not validation.report.passes(strict=settings.strict):
                raise RecordsInvalid(validation.report)
            with ThreadPoolExecutor(max_workers=1) as background:
                hashed = HashedFiles(staging, background,
                                     early.finished if early is not None else None)
                draft = Draft(settings, previous, staging, validation, hashed, beside, iati,
                              table_files, cache)
                info, files = _write(draft)
            settings.progress("publish")
            staging.chmod(0o755)  # mkdtemp made it private; a release is for everyone to read
            fsync_tree(staging)
            publish_beside(settings, staging, previous, files, early, digests)
    except OSError as exc:
        raise OutputError(f"cannot write the release into {root}: {exc.strerror or exc}; "
                          "nothing was published") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return validation, info, files


@contextmanager
def _early_copies(settings: ReleaseSettings, previous: list[str],
                  staging: Path) -> Iterator[EarlyCopies | None]:
    """Copies of the release's large files for ``latest/``, made as each is complete,
    when the release will be the newest (:mod:`coopdata.release.latest`)."""
    if not is_newest(settings, previous):
        yield None
        return
    with EarlyCopies(settings.root, staging) as early:
        yield early


@contextmanager
def _cache(settings: ReleaseSettings) -> Iterator[Cache | None]:
    """The cache of the settings, open (:func:`coopdata.cache.opened`), kept apart from
    the release folder and the records."""
    if settings.cache is not False:
        folder = default_folder() if settings.cache is True else settings.cache
        try:
            _apart(folder, settings.root, "release folder")
            if settings.records is not None:
                _apart(folder, Path(settings.records), "records folder")
        except UsageError:
            if settings.cache is not True:
                raise
            settings = replace(settings, cache=False)  # (the default folder: go on without)
    with opened(settings.cache) as cache:
        yield cache


def _apart(cache: Path, other: Path, name: str) -> None:
    """A UsageError when the cache folder is ``other``, or inside it, or holds it."""
    mine, theirs = cache.resolve(), other.resolve()
    if mine == theirs or theirs in mine.parents or mine in theirs.parents:
        raise UsageError(f"the cache {cache} and the {name} {other} must be apart (neither "
                         "one inside the other): give --cache another folder")


def _start_graph_files(settings: ReleaseSettings, staging: Path, beside: Beside,
                       before: Path | None, cache: Cache | None,
                       validation: Validation) -> None:
    """Once the triples are made: ``graph.nt``, and its conversions started ``beside``
    (unless the record checks failed already), each with the parts of the release
    ``before`` when the cache vouches for them (:mod:`~coopdata.release.graphspans`)."""

    if validation.report.passes(strict=settings.strict):
        settings.progress("rdf-files")
        if validation.file is None:  # (else the graph was made into it, too large to hold)
            write_ntriples(validation.triples, staging / "graph.nt")
        for conversion, name in (("turtle", TURTLE), ("json-ld", JSONLD)):
            vouched = vouched_before(cache, before, name)
            beside.start(conversion, staging / GRAPH, staging / name,
                         *([vouched] if vouched is not None else []))


def _write(draft: Draft) -> tuple[ReleaseInfo, list[ReleaseFile]]:
    """The rest of the release, ``graph.nt`` written (and being converted): each step
    of :data:`~coopdata.release.steps.WRITERS`, then ``SHA256SUMS``."""

    draft.hashed.finished(draft.folder / "graph.nt")
    for name, steps in WRITERS:
        draft.settings.progress(name)
        for step in steps:
            step(draft)
    return draft.info, write_checksums(draft.hashed)


def _refuse_existing(settings: ReleaseSettings) -> None:
    if settings.folder.exists():
        raise OutputError(f"release {settings.version} already exists in {settings.root}; "
                          "releases are never overwritten: choose another --version")


def _previous_releases(root: Path, digests: Digests) -> list[str]:
    """The releases in ``root``; a UsageError when the last one fails its checksums (each
    file hashed by ``digests``)."""
    previous = releases_in(root)
    if previous:
        problems = verify(root / previous[-1], digests.sha256)
        if problems:
            raise UsageError(f"the previous release {root / previous[-1]} is corrupt: "
                             f"{'; '.join(problems)}. Restore it before releasing again")
    return previous
