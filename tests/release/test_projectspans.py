"""``projects.jsonld`` made with the objects of the release before
(:mod:`coopdata.release.projectspans`): byte for byte the file made without them, over
generated edit sequences; only the projects that changed, or name a record that changed,
framed again; a file before that is not the one its places were kept for, or places not
of its making, never trusted."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopdata.cache import Cache
from coopdata.model.dataset import Dataset
from coopdata.model.uris import Uris
from coopdata.model.values import text_problem
from coopdata.rdf.frame import ProjectFramer, write_framed_projects
from coopdata.records.load import load
from coopdata.release.job import release
from coopdata.release.projectspans import Before, Places, write_projects
from tests.conftest import FIXTURES

URIS = Uris()


@pytest.fixture
def framed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the projects framed (not taken from the file before), in order."""
    done: list[str] = []
    real = ProjectFramer.frame

    def spy(self: ProjectFramer, record: Any) -> dict[str, Any]:
        done.append(record.id)
        return real(self, record)

    monkeypatch.setattr(ProjectFramer, "frame", spy)
    return done


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cold(dataset: Dataset, path: Path) -> bytes:
    write_framed_projects(dataset, URIS, path)
    return path.read_bytes()


def _names(value: Any) -> set[str]:
    """Every string in a record's data (the ids it names among them)."""
    if isinstance(value, dict):
        return set().union(*map(_names, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(_names, value)) if value else set()
    return {value} if isinstance(value, str) else set()


# One edit between two releases: a project's or a named record's label, a comment, a
# project added (first or last in order), a record deleted, the same bytes again.
EDITS = st.one_of(
    st.tuples(st.just("label"), st.integers(0, 50), st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
        min_size=1, max_size=8).filter(lambda text: text_problem(text) is None)),  # (valid:
    # a label the record checks refuse, mojibake such as "Â¡", leaves a project untitled)
    st.tuples(st.just("comment"), st.integers(0, 50), st.just("")),
    st.tuples(st.just("add"), st.integers(0, 50), st.sampled_from(["aaa", "zzz", "mmm"])),
    st.tuples(st.just("delete"), st.integers(0, 50), st.just("")),
    st.tuples(st.just("touch"), st.integers(0, 50), st.just("")),
)


def _edit(root: Path, edit: tuple[str, int, str]) -> set[str]:
    """Make ``edit``; the ids of the records whose files it changed."""
    action, which, value = edit
    files = sorted(root.rglob("*.yaml"))
    if not files:
        return set()
    path = files[which % len(files)]
    text = path.read_text(encoding="utf-8")
    own = next(line[4:] for line in text.splitlines() if line.startswith("id: "))
    if action == "label":
        label = "title" if path.parent.name == "projects" else "name"
        lines = [f"{label}: {{fr: {value!r}}}" if line.startswith(f"{label}:") else line
                 for line in text.splitlines()]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif action == "comment":
        path.write_text(text + "# revised\n", encoding="utf-8")
    elif action == "add" and path.parent.name == "projects":
        new = f"{value}-{own}"
        (path.parent / f"{new}.yaml").write_text(
            text.replace(f"id: {own}\n", f"id: {new}\n", 1), encoding="utf-8")
        return {new}
    elif action == "delete":
        path.unlink()
    elif action == "touch":
        path.write_text(text, encoding="utf-8")
        return set()
    return {own}


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.lists(EDITS, min_size=1, max_size=4), min_size=1, max_size=3))
def test_the_file_with_the_objects_before_is_the_file_without_them(
        tmp_path_factory: pytest.TempPathFactory, framed: list[str],
        steps: list[list[tuple[str, int, str]]]) -> None:
    work = tmp_path_factory.mktemp("projects")
    root = work / "records"
    shutil.copytree(FIXTURES / "records", root)
    with Cache.open(work / "cache") as cache:
        dataset, _ = load(root, cache=cache)
        path = work / "0.jsonld"
        places = write_projects(dataset, URIS, path)
        assert path.read_bytes() == _cold(dataset, work / "cold.jsonld")
        for number, edits in enumerate(steps, start=1):
            changed = set().union(*(_edit(root, edit) for edit in edits))
            dataset, _ = load(root, cache=cache)
            framed.clear()
            before = Before(path, _sha256(path), places)
            path = work / f"{number}.jsonld"
            places = write_projects(dataset, URIS, path, before)
            again = set(framed)
            assert path.read_bytes() == _cold(dataset, work / "cold.jsonld")
            projects = dataset.of_kind("project")
            assert again <= {record.id for record in projects
                                   if record.id in changed or _names(record.data) & changed}
            assert len(places) == len(projects)  # (every file vouched for: no duplicate id)


def _two_files(tmp_path: Path) -> tuple[Dataset, Path, Places]:
    """The fixtures' projects.jsonld (with its places) and a second dataset in which the
    project ``first`` changed."""
    root = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", root)
    with Cache.open(tmp_path / "cache") as cache:
        dataset, _ = load(root, cache=cache)
        places = write_projects(dataset, URIS, tmp_path / "before.jsonld")
        first = root / "projects" / "first.yaml"
        first.write_text(first.read_text(encoding="utf-8") + "# revised\n", encoding="utf-8")
        dataset, _ = load(root, cache=cache)
    return dataset, tmp_path / "before.jsonld", places


def test_only_the_changed_project_is_framed(tmp_path: Path, framed: list[str]) -> None:
    dataset, before, places = _two_files(tmp_path)
    framed.clear()
    write_projects(dataset, URIS, tmp_path / "after.jsonld",
                   Before(before, _sha256(before), places))
    assert framed == ["first", "second"]  # (second follows first: it shows first's title)
    assert (tmp_path / "after.jsonld").read_bytes() == _cold(dataset, tmp_path / "cold.jsonld")


@pytest.mark.parametrize("damage", ["a byte inside an object", "appended", "truncated",
                                    "another checksum"])
def test_a_file_before_that_is_not_the_one_kept_is_not_used(
        tmp_path: Path, framed: list[str], damage: str) -> None:
    dataset, before, places = _two_files(tmp_path)
    framed.clear()
    sha256 = _sha256(before)
    data = before.read_bytes()
    if damage == "a byte inside an object":  # the same size: only the hash tells
        at = data.index(b"Programme de coop")
        before.write_bytes(data[:at] + b"p" + data[at + 1:])
    elif damage == "appended":
        before.write_bytes(data + b"\n")
    elif damage == "truncated":
        before.write_bytes(data[:len(data) // 2])
    else:
        sha256 = "0" * 64
    write_projects(dataset, URIS, tmp_path / "after.jsonld", Before(before, sha256, places))
    everything = [r.id for r in dataset.of_kind("project")]
    assert framed[-len(everything):] == everything  # at last, written again the long way
    assert (tmp_path / "after.jsonld").read_bytes() == _cold(dataset, tmp_path / "cold.jsonld")


@pytest.mark.parametrize("foreign", ["shifted", "swapped", "garbage", "missing file"])
def test_places_not_of_this_file_are_never_trusted(tmp_path: Path, framed: list[str],
                                                   foreign: str) -> None:
    dataset, before, places = _two_files(tmp_path)
    framed.clear()
    sha256, keys = _sha256(before), list(places)
    if foreign == "shifted":
        places = {k: (offset + 2, length, named) for k, (offset, length, named)
                  in places.items()}
    elif foreign == "swapped":
        places = dict(zip(keys, reversed(list(places.values())), strict=True))
    elif foreign == "garbage":
        places = {keys[0]: "x", keys[1]: (1, 2), keys[2]: (0, -1, ())}  # type: ignore[dict-item]
    else:
        before.unlink()
    write_projects(dataset, URIS, tmp_path / "after.jsonld", Before(before, sha256, places))
    # (swapped: the middle one of three keeps its own place, and only it is taken)
    assert framed == (["first", "second"] if foreign == "swapped" else
                      ["first", "programme", "second"])
    assert (tmp_path / "after.jsonld").read_bytes() == _cold(dataset, tmp_path / "cold.jsonld")


def test_a_release_frames_only_what_changed_and_writes_what_a_cold_one_does(
        tmp_path: Path, framed: list[str]) -> None:
    """Through the release: the places kept in the cache by release 1 serve release 2,
    whose projects.jsonld is the one a release without the cache writes."""
    root = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", root)
    common: dict[str, Any] = {"date": "2026-12-07", "site": False}
    release(tmp_path / "cached", root, version="1", cache=tmp_path / "cache", **common)
    ministry = root / "organisations" / "ministry.yaml"  # named by the project second
    ministry.write_text(ministry.read_text(encoding="utf-8") + "# renamed\n", encoding="utf-8")
    framed.clear()
    release(tmp_path / "cached", root, version="2", cache=tmp_path / "cache", **common)
    assert framed == ["second"]
    release(tmp_path / "cold", root, version="2", cache=False, **common)
    assert (tmp_path / "cached" / "2" / "projects.jsonld").read_bytes() == \
        (tmp_path / "cold" / "2" / "projects.jsonld").read_bytes()
