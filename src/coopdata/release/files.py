"""What a release directory holds: its files with sizes and checksums, and facts about
its data that the catalogue and VoID description publish."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from coopdata.model.dates import PartialDate

MEDIA_TYPES: dict[str, str] = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".csv": "text/csv",
    ".json": "application/json",
    ".md": "text/markdown",
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
}
"""IANA media type by file suffix."""

FILE_TYPES: dict[str, str] = {
    ".ttl": "RDF_TURTLE",
    ".nt": "RDF_N_TRIPLES",
    ".jsonld": "JSON_LD",
    ".csv": "CSV",
    ".json": "JSON",
    ".md": "TXT",
    ".html": "HTML",
    ".js": "JS",
    ".css": "CSS",
    ".svg": "SVG",
    ".xml": "XML",
}
"""EU Publications Office file-type authority code by file suffix."""

FILE_TYPE_BASE = "http://publications.europa.eu/resource/authority/file-type/"
MEDIA_TYPE_BASE = "http://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release: its path inside the version directory, size and checksum."""

    name: str
    """Path relative to the version directory, with ``/`` (``tables/projects.csv``)."""
    byte_size: int
    sha256: str

    @property
    def suffix(self) -> str:
        return "." + self.name.rsplit(".", 1)[-1] if "." in self.name else ""

    @property
    def media_type(self) -> str:
        """The IANA media type (``text/turtle``; CSVW metadata is ``application/csvm+json``)."""
        if self.name.endswith("csv-metadata.json"):
            return "application/csvm+json"
        return MEDIA_TYPES.get(self.suffix, "application/octet-stream")

    @property
    def file_type_uri(self) -> str:
        """The EU file-type authority URI (``…/file-type/RDF_TURTLE``)."""
        return FILE_TYPE_BASE + FILE_TYPES.get(self.suffix, "BIN")

    @property
    def media_type_uri(self) -> str:
        return MEDIA_TYPE_BASE + self.media_type

    @classmethod
    def of(cls, root: Path, path: Path) -> ReleaseFile:
        return cls(path.relative_to(root).as_posix(), path.stat().st_size, sha256_of(path))


def sha256_of(path: Path) -> str:
    """The SHA-256 of the file at ``path``, in hexadecimal."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def hashed_in_threads(paths: Sequence[Path],
                      sha256: Callable[[Path], str] = sha256_of) -> list[Future[str]]:
    """``sha256`` of each file, by a thread per core (at most 8), the largest files first,
    all done when this returns: hashing and reading run without the interpreter lock, and
    a release checks gigabytes (the previous release, ``latest/``) before its work. The
    results in the order of ``paths``, each raising what hashing its file raised."""
    def size(path: Path) -> int:
        try:
            return path.stat().st_size
        except OSError:
            return 0

    workers = max(1, min(len(paths), os.cpu_count() or 1, 8))
    with ThreadPoolExecutor(workers) as pool:
        futures = {n: pool.submit(sha256, paths[n])
                   for n in sorted(range(len(paths)), key=lambda n: -size(paths[n]))}
    return [futures[n] for n in range(len(paths))]


@dataclass(frozen=True)
class ReleaseInfo:
    """Facts about one release that its metadata publishes."""

    version: str
    issued: str
    """The release date, ``YYYY-MM-DD`` (from the config, ``--date`` or SOURCE_DATE_EPOCH)."""
    previous: tuple[str, ...]
    """Earlier versions found in the release directory, oldest first."""
    countries: tuple[str, ...]
    """ISO 3166-1 alpha-2 codes of every recipient and agreement country, sorted."""
    temporal: tuple[PartialDate, PartialDate] | None
    """The earliest start and latest end of the projects, where dated."""
    triples: int
    entities: tuple[tuple[str, int], ...]
    """(class IRI, number of records of that class), one per record kind."""
