"""``graph.jsonld`` made with the nodes of the release before
(:mod:`coopdata.release.graphspans`): byte for byte the file compacted whole, over
generated changes of the graph (triples dropped, objects changed, subjects added before,
between and after the others); only the subjects whose triples changed compacted again;
files before that are not what their checksums say, or not of this coopdata, never
trusted."""

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
from coopdata.records.load import load
from coopdata.release import graphspans, job
from coopdata.release.graphspans import jsonld_with_nodes_before, made_key, vouched_before
from coopdata.release.job import release
from tests.conftest import FIXTURES

GRAPH: list[Triple] = []


def _graph() -> list[Triple]:
    """The fixtures' triples (made once)."""
    if not GRAPH:
        dataset, _ = load(FIXTURES / "records")
        GRAPH.extend(triples(dataset, uris=Uris()))
    return GRAPH


@pytest.fixture
def compacted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The subjects compacted again (not taken from the file before)."""
    done: list[str] = []
    real = graphspans.compact_nodes

    def spy(lines: Any) -> Any:
        listed = list(lines)
        done.append(listed[0][0])
        return real(listed)

    monkeypatch.setattr(graphspans, "compact_nodes", spy)
    return done


def _release_folder(folder: Path, graph: list[Triple]) -> Path:
    """A folder holding ``graph.nt``, its ``graph.jsonld`` and their SHA256SUMS."""
    folder.mkdir(parents=True, exist_ok=True)
    write_ntriples(sorted(set(graph)), folder / "graph.nt")
    ntriples_to_jsonld(folder / "graph.nt", folder / "graph.jsonld")
    (folder / "SHA256SUMS").write_text("".join(
        f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}\n"
        for name in ("graph.jsonld", "graph.nt")), encoding="utf-8")
    return folder


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


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drop=st.sets(st.integers(0, 400), max_size=30),
       change=st.sets(st.integers(0, 400), max_size=10),
       add=st.lists(st.tuples(st.integers(0, 400), st.sampled_from(
           ["a", "zz", "http://0/", "~", "x/1"])), max_size=5))
def test_the_file_with_the_nodes_before_is_the_file_compacted_whole(
        tmp_path_factory: pytest.TempPathFactory, compacted: list[str],
        drop: set[int], change: set[int], add: list[tuple[int, str]]) -> None:
    work = tmp_path_factory.mktemp("graphs")
    graph = _graph()
    before = _release_folder(work / "before", graph)
    after = sorted(set(_changed(graph, drop, change, add)))
    write_ntriples(after, work / "graph.nt")
    compacted.clear()
    jsonld_with_nodes_before(work / "graph.nt", work / "graph.jsonld", before)
    again = list(compacted)
    ntriples_to_jsonld(work / "graph.nt", work / "cold.jsonld")
    assert (work / "graph.jsonld").read_bytes() == (work / "cold.jsonld").read_bytes()

    def by_subject(listed: list[Triple]) -> dict[str, set[Triple]]:
        found: dict[str, set[Triple]] = {}
        for triple in listed:
            found.setdefault(triple[0], set()).add(triple)
        return found

    old, new = by_subject(sorted(set(graph))), by_subject(after)
    assert again == [s for s in sorted(new) if new[s] != old.get(s)]  # those, in order


@pytest.mark.parametrize("damage", ["graph.jsonld, a byte", "graph.nt, a byte",
                                    "graph.jsonld, a node less", "graph.jsonld missing",
                                    "SHA256SUMS missing", "graph.jsonld, another head"])
def test_files_before_not_as_their_checksums_say_are_never_trusted(
        tmp_path: Path, compacted: list[str], damage: str) -> None:
    graph = _graph()
    before = _release_folder(tmp_path / "before", graph)
    name, _, how = damage.partition(", ")
    path = before / name.split(" ")[0]
    data = path.read_bytes() if path.exists() else b""
    if how == "a byte":  # the same size: only the hash tells
        at = data.index(b"Premier")
        path.write_bytes(data[:at] + b"p" + data[at + 1:])
    elif how == "a node less":  # (its checksum made again: the file itself is short)
        at = data.index(b"\n    },\n    {\n")
        path.write_bytes(data[:at + 6] + data[data.index(b"\n    },\n    {\n", at + 1) + 6:])
        (before / "SHA256SUMS").write_text("".join(
            f"{hashlib.sha256((before / n).read_bytes()).hexdigest()}  {n}\n"
            for n in ("graph.jsonld", "graph.nt")), encoding="utf-8")
    elif how == "another head":
        path.write_bytes(data.replace(b'"@context": {', b'"@context":  {', 1))
    else:
        path.unlink()
    write_ntriples(sorted(set(graph)), tmp_path / "graph.nt")
    jsonld_with_nodes_before(tmp_path / "graph.nt", tmp_path / "graph.jsonld", before)
    ntriples_to_jsonld(tmp_path / "graph.nt", tmp_path / "cold.jsonld")
    assert (tmp_path / "graph.jsonld").read_bytes() == (tmp_path / "cold.jsonld").read_bytes()


def test_only_files_this_coopdata_wrote_are_vouched_for(tmp_path: Path) -> None:
    before = _release_folder(tmp_path / "before", _graph())
    listed = dict(line.split("  ")[::-1] for line in
                  (before / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    with Cache.open(tmp_path / "cache") as cache:
        assert vouched_before(cache, before) is None
        assert vouched_before(None, before) is None
        cache.put(b"g", [(made_key(listed["graph.nt"], listed["graph.jsonld"]), True)])
        assert vouched_before(cache, before) == before
        (before / "SHA256SUMS").write_text("", encoding="utf-8")  # (other files now)
        assert vouched_before(cache, before) is None


def test_a_release_takes_the_nodes_of_the_one_before(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the release: release 1 vouches for its graph.jsonld in the cache, release 2
    takes its nodes, and writes the graph.jsonld a release without the cache writes."""
    root = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", root)
    common: dict[str, Any] = {"date": "2026-12-07", "site": False}
    release(tmp_path / "cached", root, version="1", cache=tmp_path / "cache", **common)
    first = root / "projects" / "first.yaml"
    first.write_text(first.read_text(encoding="utf-8").replace(
        "Premier projet", "Premier projet (revu)"), encoding="utf-8")
    vouched: list[Path | None] = []
    real = job.vouched_before
    monkeypatch.setattr(job, "vouched_before", lambda cache, folder: (
        vouched.append(real(cache, folder)) or vouched[-1]))
    release(tmp_path / "cached", root, version="2", cache=tmp_path / "cache", **common)
    release(tmp_path / "cold", root, version="2", cache=False, **common)
    assert vouched == [tmp_path / "cached" / "1", None]
    assert (tmp_path / "cached" / "2" / "graph.jsonld").read_bytes() == \
        (tmp_path / "cold" / "2" / "graph.jsonld").read_bytes()
    assert b"Premier projet (revu)" in (tmp_path / "cached" / "2" / "graph.jsonld").read_bytes()
