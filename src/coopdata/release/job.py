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
import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
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
from coopdata.release.catalog import catalog_graph, series_graph, void_graph
from coopdata.release.changelog import IATI_ACTIVITIES, compare, read_release, write_triple_changes
from coopdata.release.convert import Beside
from coopdata.release.files import ReleaseFile, ReleaseInfo
from coopdata.release.site import SITE, SiteInput, listed_files, write_site
from coopdata.release.staging import atomic_directory, check_output
from coopdata.tables.csvw import csvw_metadata
from coopdata.tables.package import package_descriptor, write_package
from coopdata.validate.validation import validate

if TYPE_CHECKING:
    from coopdata.release.convert import Beside
    from coopdata.validate.validation import Validation

SAFE_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
_DEVICE_NAMES = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)),
                 *(f"lpt{n}" for n in range(10))}
CHECKSUMS = "SHA256SUMS"
LOCK = ".coopdata-release.lock"
LATEST = "latest"
"""``DIR/latest/``: a copy of the newest release, replaced at each release (docs/releases.md)."""
SERIES = ("catalog.ttl", "catalog.jsonld")
"""``DIR/catalog.ttl`` and ``.jsonld``: the DCAT-AP catalogue of every version in DIR."""
SERIES_MARKER = ".coopdata-catalog.json"
"""Lists the SHA-256 of the series catalogue files coopdata wrote in DIR."""
_RESERVED = {LATEST, *SERIES}
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


def check_version(version: str) -> str:
    """``version`` if it is a safe directory name, else :class:`~coopdata.UsageError`."""
    if not version.strip():
        raise UsageError("the version is empty: give a name such as 1.2.0, or leave "
                         "--version out to name the release after its date")
    if not SAFE_VERSION.fullmatch(version) or version.lower().split(".")[0] in _DEVICE_NAMES \
            or ".." in version:
        raise UsageError(f'"{version}" is not a safe version name: use letters, digits, ".", '
                         '"_", "+" and "-", starting with a letter or digit (e.g. 1.2.0)')
    if version.lower() in _RESERVED:
        raise UsageError(f'"{version}" cannot name a version: the release folder holds '
                         f"{', '.join(sorted(_RESERVED))} beside the versions")
    return version


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


def _natural(version: str) -> list[Any]:
    return [(0, int(part), "") if part.isdigit() else (1, 0, part)
            for part in re.split(r"(\d+)", version) if part]


def releases_in(directory: Path) -> list[str]:
    """The complete releases in ``directory`` (those with SHA256SUMS), in version order
    (numbers compared as numbers: 1.10.0 after 1.9.0; dates as YYYY-MM-DD sort too)."""
    if not directory.is_dir():
        return []
    found = []
    for entry in directory.iterdir():
        if entry.name.startswith(".") or entry.name == LATEST \
                or not (entry / CHECKSUMS).is_file():
            continue
        found.append(_order(entry.name, _issued(entry)))
    return [name for *_, name in sorted(found)]


def _order(version: str, issued: str) -> tuple[Any, ...]:
    """What releases are sorted by: version (numbers as numbers), date, name."""
    return _natural(version), issued, version


def _issued(folder: Path) -> str:
    with suppress(OSError, ValueError, KeyError, TypeError):
        return str(json.loads((folder / "release.json").read_text(encoding="utf-8"))["issued"])
    return ""


def verify(directory: Path) -> list[str]:
    """Problems found checking ``directory`` against its SHA256SUMS (empty when intact)."""
    problems = []
    try:
        lines = (directory / CHECKSUMS).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [f"cannot read {CHECKSUMS}: {exc}"]
    for line in lines:
        expected, _, name = line.partition("  ")
        path = directory / name
        if not name or "/.." in f"/{name}" or name.startswith("/"):
            problems.append(f"bad line in {CHECKSUMS}: {line!r}")
        elif not path.is_file():
            problems.append(f"{name} is missing")
        elif ReleaseFile.of(directory, path).sha256 != expected:
            problems.append(f"{name} does not match its checksum")
    return problems


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One release at a time in ``directory``."""
    try:
        handle = open(directory / LOCK, "a+")  # noqa: SIM115
    except OSError as exc:
        raise OutputError(f"cannot write into {directory}: {exc.strerror}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(f"another release is being written into {directory}; "
                              "try again when it has finished") from None
        yield


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


class _Hashed:
    """The files under ``root``, each hashed once: a release never rewrites a file, and
    the VoID description, the catalogue and SHA256SUMS each list them.

    A large file is written to disk and hashed in the ``background`` thread as soon as it
    is complete (:meth:`finished`), while the release goes on: both wait on the disk or
    run in C, without the interpreter lock."""

    def __init__(self, root: Path, background: Executor) -> None:
        self.root = root
        self.background = background
        self.known: dict[Path, ReleaseFile] = {}
        self.pending: dict[Path, Future[ReleaseFile]] = {}

    def finished(self, path: Path) -> None:
        """``path`` is complete: sync it to disk and hash it in the background."""
        self.pending[path] = self.background.submit(self._synced, path)

    def _synced(self, path: Path) -> ReleaseFile:
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
        return ReleaseFile.of(self.root, path)

    def file(self, path: Path) -> ReleaseFile:
        """The file at ``path`` (under ``root``), hashed once."""
        if path in self.pending:
            self.known[path] = self.pending.pop(path).result()
        elif path not in self.known:
            self.known[path] = ReleaseFile.of(self.root, path)
        return self.known[path]

    def files(self) -> list[ReleaseFile]:
        """Every file under ``root``, in path order."""
        return [self.file(path) for path in sorted(self.root.rglob("*")) if path.is_file()]


def _write_checksums(hashed: _Hashed) -> list[ReleaseFile]:
    files = hashed.files()
    files.sort(key=lambda f: f.name)
    text = "".join(f"{f.sha256}  {f.name}\n" for f in files)
    (hashed.root / CHECKSUMS).write_text(text, encoding="utf-8")
    return files


def _fsync_directory(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    for folder in [root, *[p for p in root.rglob("*") if p.is_dir()]]:
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


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
    with _locked(root):
        try:
            validation, info, files = _publish(root, records, config, version, issued,
                                               previous, step, strict=strict, site=site)
        except BaseException:
            _remove_empty(created)  # the folders made for it (while it holds the lock)
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
    _check_beside(root)  # before the work: latest/ and the series catalogue are coopdata's
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
        _fsync_tree(staging)
        _publish_beside(root, staging, version, issued, previous, config)
    except OSError as exc:
        raise OutputError(f"cannot write the release into {root}: {exc.strerror or exc}; "
                          "nothing was published") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return validation, info, files


def _check_beside(root: Path) -> None:
    """UsageError when ``latest/`` or the series catalogue in ``root`` holds anything
    coopdata did not write (it would have to replace it)."""

    check_output(root / LATEST, "release")
    _series_owned(root)


def _series_owned(root: Path) -> None:
    """UsageError unless each series catalogue file in ``root`` is absent or the one
    coopdata wrote there, unchanged (as its marker lists it)."""
    listed: dict[str, str] = {}
    with suppress(OSError, ValueError, AttributeError):
        listed = dict(json.loads((root / SERIES_MARKER).read_text(encoding="utf-8"))["files"])
    for name in SERIES:
        path = root / name
        if not path.exists() and not path.is_symlink():
            continue
        if path.is_symlink() or not path.is_file() or listed.get(name) != ReleaseFile.of(
                root, path).sha256:
            raise UsageError(f"{path} is not the catalogue coopdata wrote there (or it was "
                             "changed): coopdata replaces only what it wrote itself; move it "
                             "away and release again")


def _publish_beside(root: Path, staging: Path, version: str, issued: str,
                    previous: list[str], config: ReleaseConfig) -> None:
    """Rename ``staging`` into ``root/version``, with what stands beside the versions:

    - ``latest/``, a real folder (not a link: portals that copy folders, and Windows,
      do not keep links) holding a copy of the newest release, replaced only when this
      one is the newest, by renames: a failed release leaves the previous one as it was;
    - ``catalog.ttl`` and ``catalog.jsonld``, the DCAT-AP catalogue of every version
      (:func:`coopdata.release.catalog.series_graph`), each replaced by a rename.

    Both are made before the version is renamed into place, so that any failure before
    then leaves ``root`` as it was."""

    order = [(_order(name, _issued(root / name)), name, root / name) for name in previous]
    order.append((_order(version, issued), version, staging))
    order.sort()
    newest = order[-1][2]
    published = False
    try:
        with ExitStack() as stack:
            if newest == staging or _out_of_step(root / LATEST, newest):
                latest = stack.enter_context(atomic_directory(root / LATEST, command="release"))
                shutil.copytree(newest, latest, dirs_exist_ok=True)
                _fsync_tree(latest)
            catalogue = Path(stack.enter_context(tempfile.TemporaryDirectory(
                prefix=".catalog.", suffix=".partial", dir=root)))
            _write_series(catalogue, config, [(name, folder) for _, name, folder in order])
            _series_owned(root)  # (still: nothing was added meanwhile)
            try:
                os.rename(staging, root / version)
            except OSError as exc:  # (said here: atomic_directory would blame latest/)
                raise OutputError(f"cannot write the release into {root}: "
                                  f"{exc.strerror or exc}; nothing was published") from None
            published = True
            _fsync_directory(root)  # make the rename itself durable
            for name in (*SERIES, SERIES_MARKER):  # the marker last: it vouches for them
                os.replace(catalogue / name, root / name)
        _fsync_directory(root)
    except (OutputError, UsageError, OSError) as exc:
        if not published:
            raise
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise OutputError(f"release {version} is published in {root / version}, but "
                          f"{LATEST}/ or the catalogue of all versions could not be updated "
                          f"({reason}); the previous ones are left as they were") from None


def _out_of_step(latest: Path, newest: Path) -> bool:
    """True unless ``latest`` holds the release ``newest`` (the same SHA256SUMS)."""
    try:
        return (latest / CHECKSUMS).read_bytes() != (newest / CHECKSUMS).read_bytes()
    except OSError:
        return True


def _write_series(folder: Path, config: ReleaseConfig, versions: list[tuple[str, Path]]) -> None:
    """The series catalogue of ``versions`` (name, folder; oldest first) in ``folder``,
    with the marker that lists the files' SHA-256."""
    from rdflib import Graph  # rdflib: slow to import, only this path needs it


    graphs = []
    for name, release_folder in versions:
        try:
            graphs.append((name, Graph().parse(release_folder / "catalog.ttl", format="turtle")))
        except (OSError, SyntaxError, ValueError) as exc:
            raise OutputError(f"cannot read the catalogue of release {name} "
                              f"({release_folder / 'catalog.ttl'}): {exc}") from None
    try:
        graph = series_graph(config, graphs)
    except ValueError as exc:
        raise OutputError(f"cannot make the catalogue of all versions: {exc}") from None
    write_turtle(graph, folder / SERIES[0])
    dump_json(compacted(graph, context=_catalog_context()), folder / SERIES[1])
    dump_json({"written-by": "coopdata release", "files": {
        name: ReleaseFile.of(folder, folder / name).sha256 for name in SERIES}},
        folder / SERIES_MARKER)


def _start_graph_files(staging: Path, beside: Beside, step: Progress, strict: bool,
                       validation: Validation) -> None:
    """Once the triples are made: ``graph.nt``, and its conversions started ``beside``
    (unless the record checks failed already)."""

    if validation.report.passes(strict=strict):
        step("rdf-files")
        write_ntriples(validation.triples, staging / "graph.nt")
        beside.start("turtle", staging / "graph.nt", staging / "graph.ttl")
        beside.start("json-ld", staging / "graph.nt", staging / "graph.jsonld")


def _remove_empty(folders: list[Path]) -> None:
    """Remove ``folders`` (each inside the next) and the release lock in the first, if
    nothing else is in them: a release that fails leaves nothing behind."""
    if folders:
        with suppress(OSError):
            (folders[0] / LOCK).unlink()
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


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
        hashed = _Hashed(staging, background)
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
        dump_json(compacted(catalog, context=_catalog_context()), staging / "catalog.jsonld")
        return info, _write_checksums(hashed)


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


def _datapackage(hashed: _Hashed, config: ReleaseConfig) -> dict[str, Any]:
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


def _catalog_context() -> dict[str, Any]:
    return {"@context": {
        "adms": "http://www.w3.org/ns/adms#", "dcat": "http://www.w3.org/ns/dcat#",
        "dcatap": "http://data.europa.eu/r5r/",
        "dct": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
        "spdx": "http://spdx.org/rdf/terms#", "vcard": "http://www.w3.org/2006/vcard/ns#",
        "xsd": "http://www.w3.org/2001/XMLSchema#", "void": "http://rdfs.org/ns/void#",
        "locn": "http://www.w3.org/ns/locn#", "skos": "http://www.w3.org/2004/02/skos/core#",
    }}
