"""Sorted N-Triples files (coopdata.rdf.ntfile): runs merged give the bytes of the whole
graph sorted in memory; blocks of whole lines and of whole subjects give the file back."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from coopdata.rdf.ntfile import Runs, blocks, subject_blocks
from coopdata.rdf.triples import Triple, sorted_unique, write_ntriples

# Terms chosen to be prefixes of one another, as ordering is at stake: an IRI and the
# same going on with "/", "-" or a letter; a literal and the same with a language, a
# datatype or more text; escapes, accents and a character beyond the BMP.
IRIS = ["<urn:a>", "<urn:a/1>", "<urn:a-2>", "<urn:ab>", "<urn:é>", "<urn:\U0001f600>"]
LITERALS = ['"x"', '"x"@fr', '"x"@fr-be', '"x"^^<urn:t>', '"x y"', '"x\\n"', '"x\\"q"',
            '"é"', '"\U0001f600"', '""']
TRIPLES = st.tuples(st.sampled_from([*IRIS, "_:b", "_:b1"]), st.sampled_from(IRIS[:3]),
                    st.sampled_from(IRIS + LITERALS))


def _file(triples: list[Triple], folder: Path) -> Path:
    path = folder / "whole.nt"
    write_ntriples(sorted_unique(triples), path)
    return path


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(TRIPLES, max_size=12), min_size=1, max_size=5))
def test_runs_merged_are_the_graph_sorted_whole(runs: list[list[Triple]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        whole = _file([t for run in runs for t in run], Path(folder))
        with Runs(Path(folder)) as made:
            for run in runs:
                made.add(sorted_unique(run))
            merged = Path(folder) / "merged.nt"
            count = made.merge_into(merged)
            assert made.folder.parent == Path(folder)
        assert not made.folder.exists()
        assert merged.read_bytes() == whole.read_bytes()
        assert count == len(whole.read_bytes().splitlines())


@settings(max_examples=150, deadline=None)
@given(st.lists(TRIPLES, max_size=40), st.integers(1, 200))
def test_blocks_give_the_file_back_each_subject_whole(triples: list[Triple],
                                                      size: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = _file(triples, Path(folder))
        document = path.read_bytes()
        lines = list(blocks(path, size))
        assert b"".join(lines) == document and all(b.endswith(b"\n") for b in lines)
        parts = list(subject_blocks(path, size))
        assert b"".join(parts) == document and b"" not in parts
        subjects = [{line.split(b" ", 1)[0] for line in part.splitlines()} for part in parts]
        assert sum(map(len, subjects)) == len(set().union(*subjects))  # (none in two)
