"""The checksums a release checks before its work (the previous release, ``latest/``)
are hashed by a thread per core: the same answers, in the same order, as one file at a
time."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from coopdata.release.dir import verify
from coopdata.release.files import hashed_in_threads, sha256_of
from coopdata.release.staging import Digests

NAMES = st.sampled_from(["a.nt", "b.ttl", "tables/c.csv", "tables/d.csv", "e.xml", "f"])
LINES = st.lists(st.tuples(NAMES, st.sampled_from(["right", "wrong", "missing", "bad"]),
                           st.binary(max_size=5000)), max_size=8)


def _one_at_a_time(directory: Path, lines: list[str]) -> list[str]:
    """What verify() found when it hashed the listed files one after the other."""
    problems = []
    for line in lines:
        expected, _, name = line.partition("  ")
        path = directory / name
        if not name or "/.." in f"/{name}" or name.startswith("/"):
            problems.append(f"bad line in SHA256SUMS: {line!r}")
        elif not path.is_file():
            problems.append(f"{name} is missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            problems.append(f"{name} does not match its checksum")
    return problems


@settings(max_examples=40, deadline=None)
@given(LINES)
def test_verify_finds_what_hashing_one_file_at_a_time_finds(
        entries: list[tuple[str, str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        lines = []
        for name, state, data in entries:
            path = directory / name
            if state == "bad":
                lines.append(f"{'0' * 64}  ../{name}")
                continue
            if state != "missing":
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            digest = hashlib.sha256(data).hexdigest()
            lines.append(f"{digest if state != 'wrong' else '1' * 64}  {name}")
        (directory / "SHA256SUMS").write_text("".join(f"{line}\n" for line in lines),
                                              encoding="utf-8")
        assert verify(directory) == _one_at_a_time(directory, lines)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.binary(max_size=300_000), min_size=1, max_size=6),
       st.sets(st.integers(0, 5)))
def test_files_hashed_in_threads_are_those_hashed_alone(
        contents: list[bytes], gone: set[int]) -> None:
    """Each result in the order of the paths (not of the hashing, largest first), and a
    file that cannot be read raises in its own place only; Digests hashed ahead knows
    the same hashes."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for n, data in enumerate(contents):
            path = Path(folder) / f"{n}.bin"
            if n not in gone:
                path.write_bytes(data)
            paths.append(path)
        results = hashed_in_threads(paths)
        for n, (path, result) in enumerate(zip(paths, results, strict=True)):
            if n in gone:
                assert isinstance(result.exception(), FileNotFoundError)
            else:
                assert result.result() == sha256_of(path) == hashlib.sha256(
                    contents[n]).hexdigest()
        digests = Digests()
        digests.hash_ahead([p for n, p in enumerate(paths) if n not in gone])
        assert [digests.sha256(p) for n, p in enumerate(paths) if n not in gone] == [
            hashlib.sha256(data).hexdigest() for n, data in enumerate(contents)
            if n not in gone]
