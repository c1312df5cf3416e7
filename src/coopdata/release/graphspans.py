"""``graph.jsonld`` made with the nodes of the release before (issue 19): the node of a
subject whose triples are those it had in that release is taken from that release's
``graph.jsonld``, byte for byte, and only the other subjects are compacted.

Both files are sorted by subject (``graph.nt`` as :func:`~coopdata.rdf.triples.write_ntriples`
writes it, ``graph.jsonld`` a node a subject in that order), so the two ``graph.nt`` are
walked together a subject at a time, and the nodes of the ``graph.jsonld`` before beside
the subjects of its ``graph.nt``. The files before are used only when the cache vouches
that this coopdata wrote that ``graph.jsonld`` from that ``graph.nt`` (:func:`made_key`,
kept by the release that wrote them: the same compaction, the same context), and what is
written is kept only if both files hash to what the SHA256SUMS of their release lists
(hashed in threads beside the work); else the file is written again the long way
(:func:`~coopdata.rdf.jsonld.ntriples_to_jsonld`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

from coopdata import cache as caching
from coopdata.jsonfile import dump_json_parts, json_bytes
from coopdata.rdf.compact import compact_nodes, published_context
from coopdata.rdf.jsonld import ntriples_to_jsonld
from coopdata.release.dir import GRAPH, ReleaseDir
from coopdata.release.files import sha256_of

JSONLD = "graph.jsonld"
_LIST = "@graph"
_BETWEEN = b"\n    },\n    {\n"  # (an object of the list ends, the next starts: no other
# line of the file is "    }," or "    {", as only the list's own objects are 4 deep)
_BLOCK = 1 << 20


def made_key(graph_sha256: str, jsonld_sha256: str) -> bytes:
    """The cache key saying that this coopdata wrote the ``graph.jsonld`` of this SHA-256
    from the ``graph.nt`` of that one."""
    return caching.key("graph-jsonld-from-graph-nt", graph_sha256, jsonld_sha256)


def vouched_before(cache: caching.Cache | None, folder: Path | None) -> Path | None:
    """``folder`` (a release), if the cache vouches that this coopdata wrote its
    ``graph.jsonld`` from its ``graph.nt`` (as their checksums list them)."""
    if cache is None or folder is None:
        return None
    try:
        listed = ReleaseDir(folder).checksums()
        key = made_key(listed[GRAPH], listed[JSONLD])
    except (OSError, UnicodeDecodeError, KeyError):
        return None
    return folder if cache.get([key]).get(key) is True else None


def jsonld_with_nodes_before(source: Path, target: Path, before: Path) -> None:
    """``graph.jsonld`` at ``target`` from the ``graph.nt`` at ``source``, as
    :func:`~coopdata.rdf.jsonld.ntriples_to_jsonld` writes it, with the nodes of
    unchanged subjects taken from the release folder ``before`` (whose files the cache
    vouched for: :func:`made_key`)."""
    try:
        listed = ReleaseDir(before).checksums()
        expected = [listed[GRAPH], listed[JSONLD]]
        with ThreadPoolExecutor(max_workers=2) as hashing:
            hashes = [hashing.submit(sha256_of, before / name) for name in (GRAPH, JSONLD)]
            with open(source, "rb") as new, open(before / GRAPH, "rb") as old, \
                    open(before / JSONLD, "rb") as nodes:
                _write(new, old, nodes, target)
            if [future.result() for future in hashes] == expected:
                return
    except (OSError, UnicodeDecodeError, KeyError, ValueError):
        pass  # (the files before are not what they should be: the long way)
    ntriples_to_jsonld(source, target)


def _write(new: BinaryIO, old: BinaryIO, nodes: BinaryIO, target: Path) -> None:
    """The new file, from ``new`` (``graph.nt``), ``old`` (the ``graph.nt`` before) and
    ``nodes`` (the ``graph.jsonld`` before): ValueError when the files before do not go
    together."""
    head = {"@context": published_context()["@context"]}
    before = zip(_subjects(old), _nodes(nodes, head), strict=True)  # (ValueError if not)

    def parts() -> Iterator[bytes | dict[str, Any]]:
        then = next(before, None)
        for subject, lines in _subjects(new):
            while then is not None and then[0][0] < subject:
                then = next(before, None)
            if then is not None and then[0] == (subject, lines):
                yield then[1]
                then = next(before, None)
            else:
                yield from compact_nodes(_triples(lines))
        for _ in before:  # (to the end: a node too many or too few is a ValueError)
            pass

    dump_json_parts(head, _LIST, parts(), target)


def _subjects(lines: Iterable[bytes]) -> Iterator[tuple[bytes, bytes]]:
    """The lines of a sorted N-Triples file by subject: (subject, its lines)."""
    subject, block = b"", list[bytes]()
    for line in lines:
        if not line.startswith(subject) or line[len(subject)] != 32:  # (32: a space)
            if block:
                yield subject, b"".join(block)
            subject, block = line[:line.index(b" ")], []
        block.append(line)
    if block:
        yield subject, b"".join(block)


def _triples(lines: bytes) -> Iterator[list[str]]:
    """The triples of a subject's lines, as :func:`~coopdata.rdf.jsonld.ntriples_to_jsonld`
    reads them."""
    for line in lines.decode("utf-8").split("\n")[:-1]:
        yield line[:-2].split(" ", 2)  # (without its " .")


def _nodes(handle: BinaryIO, head: dict[str, Any]) -> Iterator[bytes]:
    """The nodes of a ``graph.jsonld`` as :func:`~coopdata.jsonfile.dump_json_parts`
    writes them with ``head``, each as it stands in the file (ValueError if it is not
    such a file)."""
    start = json_bytes(head)[:-2] + b",\n  " + json_bytes(_LIST) + b": ["
    if handle.read(len(start)) != start:
        raise ValueError("not a graph.jsonld of this coopdata")
    buffer = handle.read(_BLOCK)
    if buffer.startswith(b"]\n}\n"):  # (no node)
        if buffer != b"]\n}\n" or handle.read(1):
            raise ValueError("not a graph.jsonld of this coopdata")
        return
    if not buffer.startswith(b"\n"):
        raise ValueError("not a graph.jsonld of this coopdata")
    at = 1
    while True:
        found = buffer.find(_BETWEEN, at)
        if found >= 0:
            yield buffer[at:found + 6]  # (up to its closing brace)
            at = found + 8  # (the next one's indent and opening brace)
            continue
        more = handle.read(_BLOCK)
        if more:
            buffer, at = buffer[at:] + more, 0
            continue
        end = buffer.rfind(b"\n  ]\n}\n")
        if end < at or end + 7 != len(buffer):
            raise ValueError("not a graph.jsonld of this coopdata")
        yield buffer[at:end]
        return
