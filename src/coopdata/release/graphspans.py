"""``graph.jsonld`` and ``graph.ttl`` made with what the release before wrote (issue 19):
the part of a subject whose triples are those it had in that release (its node in
``graph.jsonld``, its block of lines in ``graph.ttl``) is taken from that release's file,
byte for byte, and only the other subjects are compacted or serialised.

Each file is sorted by subject as ``graph.nt`` is (:func:`~coopdata.rdf.triples.write_ntriples`):
a node, or a block, a subject in that order. So the two ``graph.nt`` are walked together a
subject at a time, and the parts of the file before beside the subjects of its
``graph.nt``. The files before are used only when the cache vouches that this coopdata
wrote that file from that ``graph.nt`` (:func:`made_key`, kept by the release that wrote
them: the same compaction and context, the same pyoxigraph), and what is written is kept
only if both files hash to what the SHA256SUMS of their release lists (hashed in threads
beside the work) and the file before holds a part a subject; else the file is written
again the long way (:func:`~coopdata.rdf.jsonld.ntriples_to_jsonld`,
:func:`~coopdata.rdf.turtle.ntriples_to_turtle`).

A subject's block of Turtle is what pyoxigraph writes of its triples alone, less the
prefixes: pyoxigraph's writer keeps nothing from one subject to the next but the
prefixes (a test holds the whole file to the blocks), and escapes every line break in a
literal, so that a block ends where a line starts with anything but a tab."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph

from coopdata import cache as caching
from coopdata.jsonfile import dump_json_parts, json_bytes
from coopdata.rdf.compact import compact_nodes, published_context
from coopdata.rdf.jsonld import ntriples_to_jsonld
from coopdata.rdf.turtle import ntriples_to_turtle, turtle_prefixes
from coopdata.release.dir import GRAPH, ReleaseDir
from coopdata.release.files import sha256_of

JSONLD = "graph.jsonld"
TURTLE = "graph.ttl"
_LIST = "@graph"
_BETWEEN = b"\n    },\n    {\n"  # (an object of the list ends, the next starts: no other
# line of the file is "    }," or "    {", as only the list's own objects are 4 deep)
_BLOCK_START = re.compile(rb"\n(?!\t)")  # (a line that does not go on with a subject)
_READ = 1 << 20


class _NotBefore(ValueError):
    """The file before is not one this coopdata writes."""


def made_key(graph_sha256: str, name: str, sha256: str) -> bytes:
    """The cache key saying that this coopdata wrote the file ``name`` (``graph.jsonld``
    or ``graph.ttl``) of this SHA-256 from the ``graph.nt`` of that one."""
    return caching.key("converted-from-graph-nt", graph_sha256, name, sha256)


def vouched_before(cache: caching.Cache | None, folder: Path | None,
                   name: str) -> Path | None:
    """``folder`` (a release), if the cache vouches that this coopdata wrote its file
    ``name`` from its ``graph.nt`` (as their checksums list them)."""
    if cache is None or folder is None:
        return None
    try:
        listed = ReleaseDir(folder).checksums()
        key = made_key(listed[GRAPH], name, listed[name])
    except (OSError, UnicodeDecodeError, KeyError):
        return None
    return folder if cache.get([key]).get(key) is True else None


def jsonld_with_nodes_before(source: Path, target: Path, before: Path) -> None:
    """``graph.jsonld`` at ``target`` from the ``graph.nt`` at ``source``, as
    :func:`~coopdata.rdf.jsonld.ntriples_to_jsonld` writes it, with the nodes of
    unchanged subjects taken from the release folder ``before`` (whose files the cache
    vouched for: :func:`made_key`)."""
    if not _with_parts_before(source, target, before, JSONLD, _write_jsonld):
        ntriples_to_jsonld(source, target)


def turtle_with_blocks_before(source: Path, target: Path, before: Path) -> None:
    """``graph.ttl`` at ``target`` from the ``graph.nt`` at ``source``, as
    :func:`~coopdata.rdf.turtle.ntriples_to_turtle` writes it, with the blocks of
    unchanged subjects taken from the release folder ``before``."""
    if not _with_parts_before(source, target, before, TURTLE, _write_turtle):
        ntriples_to_turtle(source, target)


Writer = Callable[[BinaryIO, BinaryIO, BinaryIO, Path], None]
"""Writes a file at a path from the new ``graph.nt``, the one before and the file made
of it before (raising ValueError when those do not go together)."""


def _with_parts_before(source: Path, target: Path, before: Path, name: str,
                       write: Writer) -> bool:
    """Whether ``write`` wrote ``target`` from files before that are what they should be."""
    try:
        listed = ReleaseDir(before).checksums()
        expected = [listed[GRAPH], listed[name]]
        with ThreadPoolExecutor(max_workers=2) as hashing:
            hashes = [hashing.submit(sha256_of, before / file) for file in (GRAPH, name)]
            with open(source, "rb") as new, open(before / GRAPH, "rb") as old, \
                    open(before / name, "rb") as parts:
                write(new, old, parts, target)
            return [future.result() for future in hashes] == expected
    except (OSError, UnicodeDecodeError, KeyError, ValueError):
        return False  # (the files before are not what they should be: the long way)


def _walk(new: BinaryIO, old: BinaryIO, parts_before: Iterator[bytes],
          made: Callable[[bytes], Any]) -> Iterator[Any]:
    """Each subject's part of the new file: the part before where its lines are the same
    bytes, else what ``made`` makes of its lines; ValueError when the file before does not
    hold one part a subject of the ``graph.nt`` before."""
    before = zip(_subjects(old), parts_before, strict=True)
    then = next(before, None)
    for subject, lines in _subjects(new):
        while then is not None and then[0][0] < subject:
            then = next(before, None)
        if then is not None and then[0] == (subject, lines):
            yield then[1]
            then = next(before, None)
        else:
            yield made(lines)
    for _ in before:  # (to the end: a part too many or too few is a ValueError)
        pass


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


# --- graph.jsonld ------------------------------------------------------------------------

def _write_jsonld(new: BinaryIO, old: BinaryIO, nodes: BinaryIO, target: Path) -> None:
    head = {"@context": published_context()["@context"]}
    dump_json_parts(head, _LIST, _walk(new, old, _nodes(nodes, head), _compacted), target)


def _compacted(lines: bytes) -> dict[str, Any]:
    """The node of a subject's lines, as :func:`~coopdata.rdf.jsonld.ntriples_to_jsonld`
    makes it."""
    triples = (line[:-2].split(" ", 2)  # (without its " .")
               for line in lines.decode("utf-8").split("\n")[:-1])
    (node,) = compact_nodes(triples)
    return node


def _nodes(handle: BinaryIO, head: dict[str, Any]) -> Iterator[bytes]:
    """The nodes of a ``graph.jsonld`` as :func:`~coopdata.jsonfile.dump_json_parts`
    writes them with ``head``, each as it stands in the file (_NotBefore if it is not
    such a file)."""
    start = json_bytes(head)[:-2] + b",\n  " + json_bytes(_LIST) + b": ["
    if handle.read(len(start)) != start:
        raise _NotBefore(JSONLD)
    buffer = handle.read(_READ)
    if buffer.startswith(b"]\n}\n"):  # (no node)
        if buffer != b"]\n}\n" or handle.read(1):
            raise _NotBefore(JSONLD)
        return
    if not buffer.startswith(b"\n"):
        raise _NotBefore(JSONLD)
    at = 1
    while True:
        found = buffer.find(_BETWEEN, at)
        if found >= 0:
            yield buffer[at:found + 6]  # (up to its closing brace)
            at = found + 8  # (the next one's indent and opening brace)
            continue
        more = handle.read(_READ)
        if more:
            buffer, at = buffer[at:] + more, 0
            continue
        end = buffer.rfind(b"\n  ]\n}\n")
        if end < at or end + 7 != len(buffer):
            raise _NotBefore(JSONLD)
        yield buffer[at:end]
        return


# --- graph.ttl ---------------------------------------------------------------------------

def _write_turtle(new: BinaryIO, old: BinaryIO, blocks: BinaryIO, target: Path) -> None:
    header = _header()
    with open(target, "wb") as out:
        out.write(header)
        out.writelines(_walk(new, old, _blocks(blocks, header), _serialised))


def _serialised(lines: bytes) -> bytes:
    """The block of a subject's lines, as pyoxigraph writes it in ``graph.ttl``."""
    written = pyoxigraph.serialize(
        pyoxigraph.parse(lines, format=pyoxigraph.RdfFormat.N_TRIPLES),
        format=pyoxigraph.RdfFormat.TURTLE, prefixes=turtle_prefixes())
    assert written is not None
    header = _header()
    if not written.startswith(header):
        raise _NotBefore(TURTLE)
    return written[len(header):]


@cache
def _header() -> bytes:
    """The prefixes that start ``graph.ttl``, as pyoxigraph writes them."""
    one = b"<urn:coopdata:s> <urn:coopdata:p> <urn:coopdata:o> .\n"
    written = pyoxigraph.serialize(pyoxigraph.parse(one, format=pyoxigraph.RdfFormat.N_TRIPLES),
                                   format=pyoxigraph.RdfFormat.TURTLE, prefixes=turtle_prefixes())
    assert written is not None
    return written[:written.index(b"<urn:coopdata:s>")]


def _blocks(handle: BinaryIO, header: bytes) -> Iterator[bytes]:
    """The subjects' blocks of a ``graph.ttl`` that starts with ``header``."""
    if handle.read(len(header)) != header:
        raise _NotBefore(TURTLE)
    buffer, at = handle.read(_READ), 0
    while True:
        ends = [match.start() + 1 for match in _BLOCK_START.finditer(buffer, at)]
        for end in ends[:-1] if ends and ends[-1] == len(buffer) else ends:
            yield buffer[at:end]
            at = end
        more = handle.read(_READ)
        if not more:
            break
        buffer, at = buffer[at:] + more, 0
    if at < len(buffer):
        if not buffer.endswith(b"\n"):
            raise _NotBefore(TURTLE)
        yield buffer[at:]
