"""The release folder's layout, owned here: ``OUT/VERSION/`` with its files (``graph.nt``,
``release.json``, ``SHA256SUMS``, ``tables/``…), its facts, its checksums and their
verification; ``OUT/`` with its versions (in version order), ``latest/`` and the catalogue
of every version. ``push``, ``serve``, ``query``, ``diff`` and ``site`` read releases through it."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from concurrent.futures import Executor, Future
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coopdata.errors import UsageError
from coopdata.release.files import ReleaseFile, hashed_in_threads, sha256_of

SAFE_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
_DEVICE_NAMES = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)),
                 *(f"lpt{n}" for n in range(10))}
CHECKSUMS = "SHA256SUMS"
"""The checksum of every other file of a release, one ``<sha256>  <name>`` a line."""
GRAPH = "graph.nt"
"""The release's graph as sorted N-Triples: what ``push``, ``query`` and ``diff`` read."""
INFO = "release.json"
"""Version, date and counts, for scripts."""
PROJECTS = "projects.jsonld"
"""The projects, framed: one JSON-LD object each."""
TABLES = "tables"
"""The CSV tables and ``datapackage.json``."""
LOCK = ".coopdata-release.lock"
"""In ``OUT/``: one release at a time."""
LATEST = "latest"
"""``DIR/latest/``: the newest release's files (hard links to them, or copies), replaced at
each release (docs/releases.md)."""
SERIES = ("catalog.ttl", "catalog.jsonld")
"""``DIR/catalog.ttl`` and ``.jsonld``: the DCAT-AP catalogue of every version in DIR."""
SERIES_MARKER = ".coopdata-catalog.json"
"""Lists the SHA-256 of the series catalogue files coopdata wrote in DIR."""
_RESERVED = {LATEST, *SERIES}


@dataclass(frozen=True)
class ReleaseDir:
    """One release folder, ``OUT/VERSION/``, as :func:`~coopdata.release.job.release` wrote
    it: where its files are, its facts, its checksums and their verification."""

    path: Path

    @property
    def graph(self) -> Path:
        return self.path / GRAPH

    @property
    def checksums_file(self) -> Path:
        return self.path / CHECKSUMS

    @property
    def tables(self) -> Path:
        return self.path / TABLES

    def is_release(self) -> bool:
        """Whether the folder holds a complete release (its graph and its checksums)."""
        return self.graph.is_file() and self.checksums_file.is_file()

    def facts(self) -> dict[str, Any]:
        """``release.json``; :class:`ValueError` or :class:`OSError` when unreadable."""
        facts = json.loads((self.path / INFO).read_text(encoding="utf-8"))
        if not isinstance(facts, dict):
            raise ValueError(f"{INFO} is not an object")
        return facts

    def version(self) -> str:
        """The version ``release.json`` names, else the folder's name."""
        with suppress(OSError, ValueError, KeyError):
            version = self.facts()["version"]
            if isinstance(version, str) and version:
                return version
        return self.path.resolve().name

    def issued(self) -> str:
        """The release date ``release.json`` gives ("" when unreadable)."""
        with suppress(OSError, ValueError, KeyError):
            return str(self.facts()["issued"])
        return ""

    def checksums(self) -> dict[str, str]:
        """File name → SHA-256, as ``SHA256SUMS`` lists them (:class:`OSError` or
        :class:`UnicodeDecodeError` when it cannot be read; a bad line maps to "")."""
        listed = {}
        for line in self.checksums_file.read_text(encoding="utf-8").splitlines():
            expected, _, name = line.partition("  ")
            listed[name] = expected if _safe_name(name) else ""
        return listed

    def verify(self) -> list[str]:
        """Problems found checking the files against ``SHA256SUMS`` (empty when intact)."""
        return verify(self.path)


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
        found.append(release_order(entry.name, issued_of(entry)))
    return [name for *_, name in sorted(found)]


def release_order(version: str, issued: str) -> tuple[Any, ...]:
    """What releases are sorted by: version (numbers as numbers), date, name."""
    return _natural(version), issued, version


def issued_of(folder: Path) -> str:
    return ReleaseDir(folder).issued()


def _safe_name(name: str) -> bool:
    return bool(name) and "/.." not in f"/{name}" and not name.startswith("/")


def verify(directory: Path, sha256: Callable[[Path], str] = sha256_of) -> list[str]:
    """Problems found checking ``directory`` against its SHA256SUMS (empty when intact);
    ``sha256`` hashes a file (a release's :class:`~coopdata.release.staging.Digests`
    keeps what it hashed here for its checks of ``latest/``, whose files are the same)."""
    problems = []
    try:
        lines = (directory / CHECKSUMS).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [f"cannot read {CHECKSUMS}: {exc}"]
    listed: list[tuple[str, Path, str] | str] = []  # (a file to hash, or a problem)
    for line in lines:
        expected, _, name = line.partition("  ")
        path = directory / name
        if not _safe_name(name):
            listed.append(f"bad line in {CHECKSUMS}: {line!r}")
        elif not path.is_file():
            listed.append(f"{name} is missing")
        else:
            listed.append((name, path, expected))
    to_hash = [entry for entry in listed if not isinstance(entry, str)]
    hashed = iter(hashed_in_threads([path for _, path, _ in to_hash], sha256))
    for entry in listed:
        if isinstance(entry, str):
            problems.append(entry)
        elif next(hashed).result() != entry[2]:
            problems.append(f"{entry[0]} does not match its checksum")
    return problems


class HashedFiles:
    """The files under ``root``, each hashed once: a release never rewrites a file, and
    the VoID description, the catalogue and SHA256SUMS each list them.

    A large file is written to disk and hashed in the ``background`` thread as soon as it
    is complete (:meth:`finished`), while the release goes on: both wait on the disk or
    run in C, without the interpreter lock. ``complete`` is told of each such file too
    (e.g. to copy it: :class:`coopdata.release.latest.EarlyCopies`)."""

    def __init__(self, root: Path, background: Executor,
                 complete: Callable[[Path], None] | None = None) -> None:
        self.root = root
        self.background = background
        self.complete = complete
        self.known: dict[Path, ReleaseFile] = {}
        self.pending: dict[Path, Future[ReleaseFile]] = {}

    def finished(self, path: Path) -> None:
        """``path`` is complete: sync it to disk and hash it in the background."""
        self.pending[path] = self.background.submit(synced_file, self.root, path)
        if self.complete is not None:
            self.complete(path)

    def add(self, file: ReleaseFile) -> None:
        """A file of ``root`` synced and hashed elsewhere (:func:`synced_file`)."""
        self.known[self.root / file.name] = file
        if self.complete is not None:
            self.complete(self.root / file.name)

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


def synced_file(root: Path, path: Path) -> ReleaseFile:
    """The file at ``path`` under ``root``, synced to disk and hashed."""
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
    return ReleaseFile.of(root, path)


def write_checksums(hashed: HashedFiles) -> list[ReleaseFile]:
    files = hashed.files()
    files.sort(key=lambda f: f.name)
    text = "".join(f"{f.sha256}  {f.name}\n" for f in files)
    (hashed.root / CHECKSUMS).write_text(text, encoding="utf-8")
    return files
