"""``graph.jsonld`` and ``graph.ttl`` made with the parts of the release before
(:mod:`coopdata.release.graphspans`): byte for byte the files made whole, over generated
changes of the graph (triples dropped, objects changed, subjects added before, between
and after the others); only the subjects whose triples changed made again; files before
that are not what their checksums say, or not of this coopdata, never trusted."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopdata.cache import Cache
from coopdata.model.uris import Uris
from coopdata.rdf.jsonld import ntriples_to_jsonld
from coopdata.rdf.triples import Triple, triples, write_ntriples
from coopdata.rdf.turtle import ntriples_to_turtle
from coopdata.records.load import load
from coopdata.release import graphspans, job
from coopdata.release.graphspans import (
    jsonld_with_nodes_before,
    made_key,
    turtle_with_blocks_before,
    vouched_before,
)
from coopdata.release.job import release
from tests.conftest import FIXTURES

GRAPH: list[Triple] = []


def _graph() -> list[Triple]:
    """The fixtures' triples (made once)."""
    if not GRAPH:
        dataset, _ = load(FIXTURES / "records")
        GRAPH.extend(triples(dataset, uris=Uris()))
    return GRAPH


# Each file: its name, how it is made whole, and how with the parts before.
FILES = {"graph.jsonld": (ntriples_to_jsonld, jsonld_with_nodes_before),
         "graph.ttl": (ntriples_to_turtle, turtle_with_blocks_before)}


@pytest.fixture
def compacted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The subjects made again, compacted or serialised (not taken from the file before)."""
    done: list[str] = []
    for name in ("_compacted", "_serialised"):
        real = getattr(graphspans, name)

        def spy(lines: bytes, real: Any = real) -> Any:
            done.append(lines[:lines.index(b" ")].decode())
            return real(lines)

        monkeypatch.setattr(graphspans, name, spy)
    return done


def _release_folder(folder: Path, graph: list[Triple]) -> Path:
    """A folder holding ``graph.nt``, its ``graph.jsonld`` and their SHA256SUMS."""
    folder.mkdir(parents=True, exist_ok=True)
    write_ntriples(sorted(set(graph)), folder / "graph.nt")
    for name, (whole, _) in FILES.items():
        whole(folder / "graph.nt", folder / name)
    _checksums(folder)
    return folder


def _checksums(folder: Path) -> None:
    (folder / "SHA256SUMS").write_text("".join(
        f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}\n"
        for name in ("graph.jsonld", "graph.nt", "graph.ttl")), encoding="utf-8")


def _changed(graph: list[Triple], drop: set[int], change: set[int],
             add: list[tuple[int, str]]) -> list[Triple]:
    """``graph`` with triples dropped, objects changed, and triples of new subjects (each
    a copy of a triple, its subject's IRI with a text before or after it)."""
    out = [t for n, t in enumerate(graph) if n not in drop]
    out = [(s, p, '"changed"') if n in change else (s, p, o) for n, (s, p, o) in enumerate(out)]
    for n, text in add:
        s, p, o = graph[n % len(graph)]
        if s.startswith("<"):
            out.append((s[:-1] + text + ">" if text > "m" else "<" + text + s[1:], p, o))
    return out


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(FILES)), read=st.sampled_from([1, 7, 64, 4096, 1 << 20]),
       drop=st.sets(st.integers(0, 400), max_size=30),
       change=st.sets(st.integers(0, 400), max_size=10),
       add=st.lists(st.tuples(st.integers(0, 400), st.sampled_from(
           ["a", "zz", "http://0/", "~", "x/1"])), max_size=5))
def test_the_file_with_the_parts_before_is_the_file_made_whole(
        tmp_path_factory: pytest.TempPathFactory, compacted: list[str], name: str,
        read: int, drop: set[int], change: set[int], add: list[tuple[int, str]]) -> None:
    """(``read``: the bytes the file before is read by, its parts cut across reads.)"""
    work = tmp_path_factory.mktemp("graphs")
    graph = _graph()
    before = _release_folder(work / "before", graph)
    after = sorted(set(_changed(graph, drop, change, add)))
    write_ntriples(after, work / "graph.nt")
    whole, with_before = FILES[name]
    compacted.clear()
    reads, graphspans._READ = graphspans._READ, read
    try:
        with_before(work / "graph.nt", work / name, before)
    finally:
        graphspans._READ = reads
    again = list(compacted)
    whole(work / "graph.nt", work / "whole")
    assert (work / name).read_bytes() == (work / "whole").read_bytes()

    def by_subject(listed: list[Triple]) -> dict[str, set[Triple]]:
        found: dict[str, set[Triple]] = {}
        for triple in listed:
            found.setdefault(triple[0], set()).add(triple)
        return found

    old, new = by_subject(sorted(set(graph))), by_subject(after)
    assert again == [s for s in sorted(new) if new[s] != old.get(s)]  # those, in order


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("damage", ["file, a byte", "graph.nt, a byte", "file, a part less",
                                    "file missing", "SHA256SUMS missing", "file, another head"])
def test_files_before_not_as_their_checksums_say_are_never_trusted(
        tmp_path: Path, compacted: list[str], name: str, damage: str) -> None:
    graph = _graph()
    before = _release_folder(tmp_path / "before", graph)
    file, _, how = damage.partition(", ")
    path = before / (name if file.startswith("file") else file.split(" ")[0])
    data = path.read_bytes() if path.exists() else b""
    if how == "a byte":  # the same size: only the hash tells
        at = data.index(b"Premier")
        path.write_bytes(data[:at] + b"p" + data[at + 1:])
    elif how == "a part less":  # (its checksum made again: the file itself is short)
        between = b"\n    },\n    {\n" if name == "graph.jsonld" else b" .\n"
        at = data.index(between, data.index(between) + 1)
        path.write_bytes(data[:at + 6] + data[data.index(between, at + 1) + 6:]
                         if name == "graph.jsonld" else data[:at + 3] +
                         data[data.index(between, at + 1) + 3:])
        _checksums(before)
    elif how == "another head":
        path.write_bytes(data.replace(b"{", b"{ ", 1) if name == "graph.jsonld" else
                         data.replace(b"@prefix", b"@prefix ", 1))
        _checksums(before)
    else:
        path.unlink()
    write_ntriples(sorted(set(graph)), tmp_path / "graph.nt")
    whole, with_before = FILES[name]
    compacted.clear()
    with_before(tmp_path / "graph.nt", tmp_path / name, before)
    whole(tmp_path / "graph.nt", tmp_path / "whole")
    assert (tmp_path / name).read_bytes() == (tmp_path / "whole").read_bytes()


def test_a_block_of_turtle_is_what_pyoxigraph_writes_of_its_subject_alone() -> None:
    """What graphspans relies on: the whole graph.ttl is its prefixes and then the blocks
    pyoxigraph writes of each subject's triples alone (the embedded dataset's)."""
    from coopdata.model.resources import default_records
    from coopdata.rdf.turtle import turtle

    graph = triples(load(default_records())[0], uris=Uris())
    whole = turtle(graph)
    lines = "".join(f"{s} {p} {o} .\n" for s, p, o in graph).encode("utf-8")
    blocks = [graphspans._serialised(block) for _, block in
              graphspans._subjects(lines.splitlines(keepends=True))]
    assert whole == graphspans._header() + b"".join(blocks)
    assert len(blocks) == len({s for s, _, _ in graph}) > 300


def test_only_files_this_coopdata_wrote_are_vouched_for(tmp_path: Path) -> None:
    before = _release_folder(tmp_path / "before", _graph())
    listed = dict(line.split("  ")[::-1] for line in
                  (before / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    with Cache.open(tmp_path / "cache") as cache:
        assert vouched_before(cache, before, "graph.jsonld") is None
        assert vouched_before(None, before, "graph.jsonld") is None
        cache.put(b"g", [(made_key(listed["graph.nt"], "graph.jsonld",
                                   listed["graph.jsonld"]), True)])
        assert vouched_before(cache, before, "graph.jsonld") == before
        assert vouched_before(cache, before, "graph.ttl") is None  # (not said of it)
        (before / "SHA256SUMS").write_text("", encoding="utf-8")  # (other files now)
        assert vouched_before(cache, before, "graph.jsonld") is None


def test_a_release_takes_the_parts_of_the_one_before(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the release: release 1 vouches for its graph.jsonld and graph.ttl in the
    cache, release 2 takes their parts, and writes what a release without the cache
    writes."""
    root = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", root)
    common: dict[str, Any] = {"date": "2026-12-07", "site": False}
    release(tmp_path / "cached", root, version="1", cache=tmp_path / "cache", **common)
    first = root / "projects" / "first.yaml"
    first.write_text(first.read_text(encoding="utf-8").replace(
        "Premier projet", "Premier projet (revu)"), encoding="utf-8")
    vouched: list[Path | None] = []
    real = job.vouched_before
    monkeypatch.setattr(job, "vouched_before", lambda cache, folder, name: (
        vouched.append(real(cache, folder, name)) or vouched[-1]))
    release(tmp_path / "cached", root, version="2", cache=tmp_path / "cache", **common)
    release(tmp_path / "cold", root, version="2", cache=False, **common)
    assert vouched == [tmp_path / "cached" / "1"] * 2 + [None] * 2
    for name in FILES:
        assert (tmp_path / "cached" / "2" / name).read_bytes() == \
            (tmp_path / "cold" / "2" / name).read_bytes()
        assert b"Premier projet (revu)" in (tmp_path / "cached" / "2" / name).read_bytes()
