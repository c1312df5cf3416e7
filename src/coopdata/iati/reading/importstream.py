"""The activities of the files of an import, mapped in one process or in forked workers
(each a part of each file, cut at an activity; or, when a file cannot be cut so, every
n-th activity of it), and the shares merged back in the order of the files and
activities, as if one process had read them.

Each worker writes its project records into its own staging folder and, into a spool,
one JSON line a file's header, an activity (its warnings, schema messages, digest and
account) and a file's end, then the organisations it met and the paths it counted."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from coopdata.errors import OutputError
from coopdata.iati import paths as pathcount
from coopdata.iati.reading.ids import record_id
from coopdata.iati.reading.importorgs import NamedOrganisations, Organisation
from coopdata.iati.reading.importresult import FileSummary, Imported
from coopdata.iati.reading.mapping import map_activity
from coopdata.iati.reading.read import ActivityFile
from coopdata.iati.reading.recordtext import record_text
from coopdata.model.spec import KINDS, by_name
from coopdata.report import display_path

SOURCE_FIELDS = by_name(KINDS["source"].fields)


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
class Job:
    """What every worker needs (inherited by the forked workers, never pickled)."""

    files: list[Path]
    sources: list[str]
    staging: Path
    filters: Filters
    xsd: Any
    curated_projects: dict[str, str]
    curated_orgs: dict[str, str]


@dataclass
class Shares:
    """The shares' accounts, one JSON line an entry, read back by :func:`merge_shares`;
    ``parts``: each share is a part of each file (else every n-th activity)."""

    streams: list[Iterator[dict[str, Any]]]
    parts: bool


_UNSPLIT = 3
"""A worker's exit code when a file could not be cut into parts (the import is then made
again, every worker parsing every file)."""


def run_shares(job: Job, workers: int) -> Shares:
    """Map the activities in ``workers`` shares. With more than one worker, each is a
    forked process that parses its part of each file and maps its activities; when a file
    cannot be cut (or is broken: its findings must be those of one reading), the workers
    are run again, each parsing every file and mapping every n-th activity."""
    if workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - read back, then closed
        _map_share(job, 0, 1, spool, parted=False)
        return Shares([_entries(spool)], False)
    try:
        return Shares(_run_workers(job, workers, parted=True), True)
    except _Unsplit:
        for share in range(workers):
            shutil.rmtree(job.staging / f"projects-{share}", ignore_errors=True)
        return Shares(_run_workers(job, workers, parted=False), False)


class _Unsplit(Exception):
    """A file could not be read in parts."""


def _run_workers(job: Job, workers: int, parted: bool) -> list[Iterator[dict[str, Any]]]:
    context = multiprocessing.get_context("fork")
    processes = []
    for share in range(workers):
        process = context.Process(target=_worker, args=(job, share, workers, parted),
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
    if parted and any(process.exitcode == _UNSPLIT for process in processes):
        raise _Unsplit
    for share, process in enumerate(processes):
        if process.exitcode != 0:
            failure = job.staging / f"share-{share}.failed"
            reason = failure.read_text(encoding="utf-8") if failure.is_file() else \
                f"exit code {process.exitcode}"
            raise OutputError(f"the import failed in worker {share}: {reason}")
    return [_entries(open(job.staging / f"share-{share}.jsonl", "rb"))  # noqa: SIM115
            for share in range(workers)]


def _worker(job: Job, share: int, workers: int, parted: bool) -> None:
    """One forked worker: its share into ``share-K.jsonl`` of the staging folder; what
    went wrong, if anything, into ``share-K.failed``."""
    try:
        with open(job.staging / f"share-{share}.jsonl", "wb", buffering=1 << 20) as spool:
            _map_share(job, share, workers, spool, parted)
    except _Unsplit:
        os._exit(_UNSPLIT)
    except BaseException as exc:  # (the parent reports it)
        reason = f"{exc.strerror}: {exc.filename}" if isinstance(exc, OSError) else repr(exc)
        (job.staging / f"share-{share}.failed").write_text(reason, encoding="utf-8")
        os._exit(1)


def _entries(spool: IO[bytes]) -> Iterator[dict[str, Any]]:
    with spool:
        spool.seek(0)
        for line in spool:
            yield orjson.loads(line)


def _map_share(job: Job, share: int, workers: int, spool: IO[bytes], parted: bool) -> None:
    """Map the activities of ``job`` in part ``share`` of ``workers`` of each file (when
    ``parted``; else at positions ``share`` modulo ``workers``); write each project record
    into ``projects-SHARE/`` of the staging folder and, into ``spool``, one entry a file's
    header, one an activity of the share, one a file's end and, last, the organisations
    named and the paths present and carried. Raises :class:`_Unsplit` when ``parted`` and
    a part could not be read."""
    folder = os.path.join(job.staging, f"projects-{share}")
    os.mkdir(folder)
    orgs = NamedOrganisations(job.curated_orgs)
    present: Counter[str] = Counter()
    carried: Counter[str] = Counter()
    write = spool.write
    for number, (path, source) in enumerate(zip(job.files, job.sources, strict=True)):
        orgs.source = source
        reading = ActivityFile(path, job.xsd, share=(0, 1), part=(share, workers)) \
            if parted else ActivityFile(path, job.xsd, share=(share, workers))
        shown = display_path(str(path))
        head = False
        for activity in reading.activities():
            if not head:
                head = bool(write(_head(reading)))
            line = reading.line(activity.sourceline)
            warnings = _Warnings() if reading.place is None else _MovedWarnings(reading.line)
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
                    _write_bytes(f"{folder}/{record}.yaml", text)
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
        if parted and reading.failed:
            raise _Unsplit
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


class _MovedWarnings(_Warnings):
    """The warnings of an activity of a part: their lines as those of the whole file."""

    def __init__(self, line: Callable[[int | None], int | None]) -> None:
        super().__init__()
        self.line = line

    def __call__(self, code: str, message: str, line: int | None) -> None:
        self.append((code, message, self.line(line)))


def _head(reading: ActivityFile) -> bytes:
    return orjson.dumps({"version": reading.version, "generated": reading.generated,
                         "root_paths": reading.root_paths,
                         "header_errors": reading.header_errors}) + b"\n"


def _write_bytes(path: str, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
    finally:
        os.close(descriptor)


def _file_entries(shares: Shares, ends: list[dict[str, Any]]
                  ) -> Iterator[tuple[int, dict[str, Any]]]:
    """The entries of one file's activities, in the file's order, with the share of each;
    the ends of the file that tell its findings go into ``ends``."""
    streams, workers = shares.streams, len(shares.streams)
    if shares.parts:  # (part after part)
        for share, stream in enumerate(streams):
            for entry in stream:
                if "end" in entry:
                    ends.append(entry)
                    break
                yield share, entry
        return
    position = 0  # (one activity of each share in turn)
    while True:
        share = position % workers
        entry = next(streams[share])
        if "end" in entry:
            break
        position += 1
        yield share, entry
    ends.append(entry)  # (each share read the whole file: one end says it all)
    for other in range(1, workers):  # (the other shares are at this file's end too)
        next(streams[(position + other) % workers])


def merge_shares(job: Job, shares: Shares, organisations: NamedOrganisations,
                 result: Imported) -> dict[str, tuple[str, str]]:
    """The shares' entries in the order of the files and activities, as if one process
    had read them: the account, the findings, the source records and the organisations.
    Returns each project record file to publish: its staged copy and its SHA-256 (when an
    activity comes twice, the later one)."""
    projects: dict[str, tuple[str, str]] = {}
    seen: dict[str, str] = {}  # identifier → where first read
    streams = shares.streams
    folders = [os.path.join(job.staging, f"projects-{share}") for share in range(len(streams))]
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

        ends: list[dict[str, Any]] = []
        for share, entry in _file_entries(shares, ends):
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
            projects[name] = (os.path.join(folders[share], name), entry["sha"])
            if not first:
                first = {"lang": entry["lang"], "publisher": entry["publisher"]}
            assert result._spool is not None
            result._spool.write(entry["account"].encode() + b"\n")
            result.imported += 1
        for end in ends:
            for code, message, line in end["findings"]:
                reading.finding(code, message, line)
        reading.close()
        if reading.root_paths:
            result.present.update(reading.root_paths)
            if reading.generated is not None and "published" in SOURCE_FIELDS:
                result.carried["iati-activities/@generated-datetime"] += 1
            if reading.version is not None and "note" in SOURCE_FIELDS:
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
            organisations.merge(Organisation(
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
    data = {k: v for k, v in data.items() if k in SOURCE_FIELDS}
    (staging / "sources" / f"{source}.yaml").write_text(record_text("source", source, data),
                                                        encoding="utf-8")
