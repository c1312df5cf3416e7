"""Sorted N-Triples files on disk, for graphs too large to hold in memory: made from sorted
runs merged (:class:`Runs`), read back a block of whole lines (:func:`blocks`) or of whole
subjects (:func:`subject_blocks`) at a time.

The lines of a sorted file are in the order of its triples as :mod:`coopdata.rdf.triples`
sorts them: comparing ``"s p o .\\n"`` lines compares the subjects first, since a term is
a prefix of another only where the other goes on with ``@``, ``^``, ``-``, ``/`` or a
letter, all above the space that ends it; and UTF-8 bytes compare as the code points
they encode. So merging runs as bytes gives the bytes :func:`~coopdata.rdf.triples.
write_ntriples` writes from the whole graph sorted in memory (a test checks it).
"""

from __future__ import annotations

import heapq
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from coopdata.rdf.triples import Triple, write_ntriples

BLOCK = 1 << 22
"""Bytes read at a time (4 MiB)."""


class Runs:
    """Sorted runs of triples, each written to a file of its own in a temporary folder
    (inside ``scratch``, else the system's), merged into one sorted file without
    duplicates (:meth:`merge_into`); the folder is removed on leaving."""

    def __init__(self, scratch: Path | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="coopdata-runs-", dir=scratch))
        self.paths: list[Path] = []

    def add(self, ordered: list[Triple]) -> None:
        """One more run: ``ordered``, sorted and each once."""
        path = self.folder / f"run-{len(self.paths)}.nt"
        write_ntriples(ordered, path)
        self.paths.append(path)

    def merge_into(self, path: Path) -> int:
        """The runs merged into the file ``path``, each line once; how many lines it has."""
        count, previous = 0, b""
        sources = [open(run, "rb", buffering=BLOCK) for run in self.paths]  # noqa: SIM115
        try:
            with open(path, "wb", buffering=BLOCK) as out:
                write = out.write
                for line in heapq.merge(*sources):
                    if line != previous:
                        write(line)
                        count += 1
                        previous = line
        finally:
            for source in sources:
                source.close()
        return count

    def __enter__(self) -> Runs:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def blocks(path: Path, size: int | None = None) -> Iterator[bytes]:
    """The file's bytes, about ``size`` (:data:`BLOCK`) at a time, each block ending at
    the end of a line (the last one where the file ends)."""
    size = size or BLOCK
    with open(path, "rb") as handle:
        rest = b""
        while chunk := handle.read(size):
            chunk = rest + chunk
            end = chunk.rfind(b"\n") + 1
            if end:
                rest = chunk[end:]
                yield chunk[:end]
            else:
                rest = chunk
        if rest:
            yield rest


def subject_blocks(path: Path, size: int | None = None) -> Iterator[bytes]:
    """The lines of a sorted N-Triples file, about ``size`` (:data:`BLOCK`) bytes at a
    time, each block
    holding every line of the subjects it holds (those of one subject are contiguous)."""
    rest = b""
    for block in blocks(path, size):
        block = rest + block
        last = block.rfind(b"\n", 0, len(block) - 1) + 1  # where the last line starts
        subject = block[last:block.find(b" ", last) + 1]  # (with its space)
        cut = last  # back to the first line of that subject
        while cut and block.startswith(subject, block.rfind(b"\n", 0, cut - 1) + 1):
            cut = block.rfind(b"\n", 0, cut - 1) + 1
        if cut:
            rest = block[cut:]
            yield block[:cut]
        else:  # (a block of one subject only: more of it may follow)
            rest = block
    if rest:
        yield rest
