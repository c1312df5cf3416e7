"""``latest/`` made of copies taken while the release was written
(:mod:`coopdata.release.latest`): the same files, the same marker, and a copy used only
when its source is unchanged since it was taken."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from coopdata import RecordsInvalid
from coopdata.model.resources import MARKER
from coopdata.release import latest as latest_module
from coopdata.release.dir import LATEST, verify
from coopdata.release.files import ReleaseFile
from coopdata.release.job import release
from coopdata.release.latest import EarlyCopies
from coopdata.release.staging import check_output, write_marker
from tests.conftest import FIXTURES

RECORDS = FIXTURES / "records"


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def staged(tmp_path: Path) -> tuple[Path, Path]:
    root, staging = tmp_path / "out", tmp_path / "out" / ".1.partial"
    (staging / "tables").mkdir(parents=True)
    (staging / "graph.nt").write_bytes(b"<a> <b> <c> .\n")
    (staging / "tables" / "projects.csv").write_bytes(b"id\nrecosa\n")
    return root, staging


def checksums(staging: Path) -> list[ReleaseFile]:
    """The files of ``staging`` as the release's checksums list them."""
    return [ReleaseFile.of(staging, p) for p in sorted(staging.rglob("*")) if p.is_file()]


def test_an_early_copy_is_moved_in_when_it_holds_what_the_checksums_list(
        tmp_path: Path) -> None:
    root, staging = staged(tmp_path)
    target = tmp_path / "latest"
    with EarlyCopies(root, staging) as early:
        early.finished(staging / "graph.nt")
        early.finished(staging / "tables" / "projects.csv")
        copy = early.folder / "graph.nt"
        early.expect(checksums(staging))
        shutil.copytree(staging, target, copy_function=early.place)
        assert not copy.exists()  # moved, not copied again
        assert files(target) == files(staging)
    assert not early.folder.exists()


@pytest.mark.parametrize("change", ["rewritten, same size", "appended", "emptied"])
def test_an_early_copy_of_other_bytes_is_not_used(tmp_path: Path, change: str) -> None:
    root, staging = staged(tmp_path)
    source = staging / "graph.nt"
    with EarlyCopies(root, staging) as early:
        early.finished(source)
        early._copies[source].result()  # the copy is taken, then the source changes
        if change == "rewritten, same size":  # (within the same tick of the clock, often)
            source.write_bytes(b"<x> <y> <z> .\n")
        elif change == "appended":
            with open(source, "ab") as handle:
                handle.write(b"<x> <y> <z> .\n")
        else:
            source.write_bytes(b"")
        early.expect(checksums(staging))
        target = tmp_path / "latest"
        shutil.copytree(staging, target, copy_function=early.place)
        assert files(target) == files(staging)
        assert (early.folder / "graph.nt").exists()  # the stale copy was left, not used


def test_without_the_checksums_no_copy_is_used(tmp_path: Path) -> None:
    root, staging = staged(tmp_path)
    with EarlyCopies(root, staging) as early:
        early.finished(staging / "graph.nt")
        early._copies[staging / "graph.nt"].result()
        shutil.copytree(staging, tmp_path / "latest", copy_function=early.place)
        assert (early.folder / "graph.nt").exists()
    assert files(tmp_path / "latest") == files(staging)


def test_a_failed_early_copy_is_made_again_at_publish(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(*args: object) -> object:
        raise OSError(28, "No space left on device")

    root, staging = staged(tmp_path)
    with EarlyCopies(root, staging) as early:
        monkeypatch.setattr(latest_module.shutil, "copystat", full_disk)
        early.finished(staging / "graph.nt")
        with pytest.raises(OSError):
            early._copies[staging / "graph.nt"].result()
        monkeypatch.undo()
        early.expect(checksums(staging))
        shutil.copytree(staging, tmp_path / "latest", copy_function=early.place)
    assert files(tmp_path / "latest") == files(staging)


def test_the_marker_takes_a_known_hash_only_for_a_file_of_its_size(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"alpha")
    (tmp_path / "b.txt").write_bytes(b"beta")
    honest = json.loads(write_marker(tmp_path, "release").read_text())["files"]
    known = {"a.txt": (5, honest["a.txt"]), "b.txt": (99, "0" * 64)}  # b: not this file
    marker = json.loads(write_marker(tmp_path, "release", known).read_text())["files"]
    assert marker == honest
    check_output(tmp_path, "release")  # a marker coopdata can read back as its own


def test_a_release_moves_its_early_copies_into_latest(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    placed: dict[str, bool] = {}
    real = EarlyCopies.place

    def spy(self: EarlyCopies, source: str, target: str) -> object:
        early = (self.folder / Path(source).relative_to(self.staging)).exists()
        done = real(self, source, target)
        placed[Path(source).relative_to(self.staging).as_posix()] = \
            early and not (self.folder / Path(source).relative_to(self.staging)).exists()
        return done

    monkeypatch.setattr(EarlyCopies, "place", spy)
    out = tmp_path / "out"
    release(out, RECORDS, version="1.0.0", date="2026-01-01", site=False, cache=False)
    moved = {name for name, early in placed.items() if early}
    assert {"graph.nt", "graph.ttl", "graph.jsonld", "projects.jsonld",
            "iati-activities.xml", "tables/projects.csv"} <= moved
    assert set(placed) == set(files(out / "1.0.0"))  # every file placed, once
    assert files(out / LATEST) == files(out / "1.0.0") | {
        MARKER: (out / LATEST / MARKER).read_bytes()}
    assert verify(out / LATEST) == []
    check_output(out / LATEST, "release")  # its marker: every file, each hash true
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [".coopdata-catalog.json", ".coopdata-release.lock", "1.0.0", "catalog.jsonld",
         "catalog.ttl", LATEST])  # no copies left behind


def test_a_failed_release_leaves_no_copies(tmp_path: Path) -> None:
    out, records = tmp_path / "out", tmp_path / "records"
    shutil.copytree(RECORDS, records)
    release(out, records, version="1.0.0", date="2026-01-01", site=False, cache=False)
    project = next((records / "projects").glob("*.yaml"))
    project.write_text(project.read_text() + "\nstatus: [unclosed\n")
    with pytest.raises(RecordsInvalid):
        release(out, records, version="2.0.0", date="2026-02-01", site=False, cache=False)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [".coopdata-catalog.json", ".coopdata-release.lock", "1.0.0", "catalog.jsonld",
         "catalog.ttl", LATEST])


def test_an_older_version_released_later_makes_no_early_copies(tmp_path: Path) -> None:
    out = tmp_path / "out"
    release(out, RECORDS, version="2.0.0", date="2026-02-01", site=False, cache=False)
    before = files(out / LATEST)
    release(out, RECORDS, version="1.0.0", date="2026-01-01", site=False, cache=False)
    assert files(out / LATEST) == before  # still the newest, 2.0.0
    assert not [p for p in out.iterdir() if p.name.startswith(".latest.")]
    assert os.listdir(out / "1.0.0")
