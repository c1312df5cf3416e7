"""Work on the release's N-Triples files, each in a process of its own while the release
goes on: the conversions of ``graph.nt`` (Turtle, JSON-LD), and the triples added and
removed since the previous release's."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from coopdata.rdf.jsonld import ntriples_to_jsonld
from coopdata.rdf.turtle import ntriples_to_turtle
from coopdata.release.graphdiff import write_graph_changes
from coopdata.release.graphspans import jsonld_with_nodes_before, turtle_with_blocks_before

_CONVERT = """import json, os, sys
os.nice(19)  # the release's own process comes first: these have until its end to finish
sys.path[:] = json.loads(sys.argv[1])
from pathlib import Path
from coopdata.release.convert import CONVERSIONS
CONVERSIONS[sys.argv[2]](*map(Path, sys.argv[3:]))"""


class Beside:
    """Conversions of an N-Triples file (:data:`CONVERSIONS`), each in a process of its
    own while the caller goes on: pyoxigraph and the JSON-LD compaction hold the
    interpreter lock, so a thread would not run beside Python code, and a fresh
    interpreter (with this one's module path) holds only the files' buffers.

    :meth:`finish` waits for them, and does again here any that failed (no interpreter to
    start, a module missing there): the same bytes, or the error. Leaving the ``with``
    block stops those still running (when the release fails)."""

    def __init__(self) -> None:
        self.running: list[tuple[subprocess.Popen[bytes] | None, str, tuple[Path, ...]]] = []

    def start(self, conversion: str, *paths: Path) -> None:
        """Start ``conversion`` (a name of :data:`CONVERSIONS`) on ``paths``: ``turtle`` and
        ``json-ld`` from the N-Triples file to the file to write (then, if given, the
        folder of a release whose parts of that file they may take:
        :mod:`~coopdata.release.graphspans`), ``graph-changes`` from the previous and
        this release's ``graph.nt`` to the folder of this release."""
        assert conversion in CONVERSIONS, conversion
        process = None
        if sys.executable:
            with suppress(OSError):
                process = subprocess.Popen(
                    [sys.executable, "-I", "-c", _CONVERT, json.dumps(sys.path), conversion,
                     *map(str, paths)],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL)
        self.running.append((process, conversion, paths))

    def finish(self, *conversions: str) -> None:
        """Wait for the ``conversions`` started (every one when none is named), each done
        here should its process fail."""
        for started in list(self.running):
            process, conversion, paths = started
            if conversions and conversion not in conversions:
                continue
            if process is None or process.wait() != 0:
                CONVERSIONS[conversion](*paths)
            self.running.remove(started)

    def stop(self) -> None:
        """Stop the conversions still running."""
        for process, *_ in self.running:
            if process is not None:
                process.kill()
                process.wait()
        self.running = []

    def __enter__(self) -> Beside:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _turtle(source: Path, target: Path, before: Path | None = None) -> None:
    if before is None:
        ntriples_to_turtle(source, target)
    else:
        turtle_with_blocks_before(source, target, before)


def _json_ld(source: Path, target: Path, before: Path | None = None) -> None:
    if before is None:
        ntriples_to_jsonld(source, target)
    else:
        jsonld_with_nodes_before(source, target, before)


CONVERSIONS: dict[str, Callable[..., object]] = {
    "turtle": _turtle, "json-ld": _json_ld,
    "graph-changes": write_graph_changes}
"""What :class:`Beside` makes of the release's N-Triples files, by name."""
