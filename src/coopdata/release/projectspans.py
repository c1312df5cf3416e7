"""``projects.jsonld`` made with what the release before wrote (issue 19): a project's
object is taken from that release's file, byte for byte, when nothing that went into it
changed, so that a release in which few records changed frames those few only.

What goes into a project's object: its record's file (the cache key of its load,
:attr:`~coopdata.model.dataset.Dataset.sources`: the file's bytes, path and kind, and
this coopdata), the base URI, and the label of each record it names (its organisations,
its programme…). A release with the cache keeps, under the SHA-256 of its
``projects.jsonld``, where each project's object stands in it (offset and length) with
the cache key of each record it named (``b""`` for one that was not there): its
:data:`Places`. The next release reads that file in one pass, hashing every byte, takes
an object only where it starts as that project's must, and keeps the file it wrote only
if the bytes it read hash to the SHA-256 they were kept under; else it writes the file
again without them. A project whose file the load could not vouch for (changed while
read, an id two files carry), or that names such a record, is framed every time."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from coopdata import cache as caching
from coopdata.jsonfile import dump_json_parts, item_bytes
from coopdata.model.dataset import Dataset
from coopdata.model.uris import Uris
from coopdata.rdf.compact import published_context
from coopdata.rdf.frame import ProjectFramer

GRAPH = "@graph"

Named = tuple[tuple[str, str, bytes], ...]
"""The records a project's object names: kind, id and the cache key of its file."""
Places = dict[bytes, tuple[int, int, Named]]
"""Where each project's object stands in a ``projects.jsonld``, by the project's key
(:func:`project_key`): offset, length, and the records it names."""


@dataclass(frozen=True)
class Before:
    """The ``projects.jsonld`` of the release before, its SHA-256 (as its checksums list
    it) and its places as the cache kept them under that SHA-256."""

    path: Path
    sha256: str
    places: Places


def places_key(sha256: str) -> bytes:
    """The cache key of the places of the ``projects.jsonld`` of this SHA-256."""
    return caching.key("projects-jsonld-places", sha256)


def project_key(dataset: Dataset, project: str, uris: Uris) -> bytes | None:
    """The key of what a project's object is made of, but the records it names (None
    when the load could not vouch for its file)."""
    source = dataset.sources.get(("project", project))
    return None if source is None else caching.key("framed-project", source, uris.base)


def write_projects(dataset: Dataset, uris: Uris, path: Path,
                   before: Before | None = None) -> Places:
    """``projects.jsonld`` (as :func:`~coopdata.rdf.frame.write_framed_projects` writes
    it), the objects of unchanged projects taken from ``before``; its places."""
    if before is not None:
        try:
            with open(before.path, "rb") as handle:
                reader = _Reader(handle)
                places = _write(dataset, uris, path, before.places, reader)
                if reader.rest() == before.sha256:
                    return places
        except OSError:  # (the file before cannot be read: the long way, below)
            pass
    return _write(dataset, uris, path, {}, None)


def _write(dataset: Dataset, uris: Uris, path: Path, places: Places,
           reader: _Reader | None) -> Places:
    framer = ProjectFramer(dataset, uris)
    sources = dataset.sources
    kept: list[tuple[bytes | None, Named | None]] = []

    def parts() -> Iterator[bytes | dict[str, Any]]:
        for record in dataset.of_kind("project"):
            key = project_key(dataset, record.id, uris)
            place = places.get(key) if key is not None and reader is not None else None
            if place is not None and reader is not None:
                text = _taken(place, reader, sources, uris.record("project", record.id))
                if text is not None:
                    kept.append((key, place[2]))
                    yield text
                    continue
            node = framer.frame(record)
            named = [(kind, name, sources.get((kind, name), b""))
                     for kind, name in framer.named()]
            vouched = all(source is not None for _, _, source in named)
            kept.append((key, cast(Named, tuple(named)) if vouched else None))
            yield node

    written = dump_json_parts({"@context": published_context()["@context"]}, GRAPH,
                              parts(), path)
    return {key: (offset, length, named)
            for (key, named), (offset, length) in zip(kept, written, strict=True)
            if key is not None and named is not None}


def _taken(place: Any, reader: _Reader, sources: dict[tuple[str, str], bytes | None],
           uri: str) -> bytes | None:
    """The object at ``place`` in the file before, if each record it names is as it was
    and it starts as the object of ``uri`` does; else None."""
    try:
        offset, length, named = place
        if any(sources.get((kind, name), b"") != source for kind, name, source in named):
            return None
        text = reader.read(offset, length)
    except (TypeError, ValueError):  # (a place not of this module's making)
        return None
    if text is None or not text.startswith(_start(uri)) or not text.endswith(b"\n    }"):
        return None
    return text


def _start(uri: str) -> bytes:
    """How the object of the project ``uri`` starts in ``projects.jsonld``."""
    return item_bytes(GRAPH, {"@id": uri})[:-len(b"\n    }")] + b",\n"


class _Reader:
    """A file read forwards, every byte hashed (SHA-256) on the way."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.position = 0

    def read(self, offset: int, length: int) -> bytes | None:
        """The ``length`` bytes at ``offset`` (None if that is behind, or past the end)."""
        if offset < self.position or length < 0:
            return None
        self._take(offset - self.position)
        text = self._take(length)
        return text if len(text) == length else None

    def _take(self, size: int) -> bytes:
        data = self.handle.read(size) if size else b""
        self.digest.update(data)
        self.position += len(data)
        return data

    def rest(self) -> str:
        """The SHA-256 of the whole file, its rest read."""
        while self._take(1 << 20):
            pass
        return self.digest.hexdigest()

