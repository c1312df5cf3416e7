"""``latest/`` made of links (or, where the file system has no hard links, copies) taken
while the release was written (:mod:`coopdata.release.latest`): the same files, the same
marker, and a link or copy used only when its source is unchanged since it was taken."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import threading
import time
from collections import Counter
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest

from coopdata import RecordsInvalid, UsageError
from coopdata.model.resources import MARKER
from coopdata.release import latest as latest_module
from coopdata.release import staging as staging_module
from coopdata.release.dir import CHECKSUMS, LATEST, verify
from coopdata.release.files import ReleaseFile
from coopdata.release.job import release
from coopdata.release.latest import EarlyCopies
from coopdata.release.staging import Digests, check_output, write_marker
from tests.conftest import FIXTURES

RECORDS = FIXTURES / "records"


def _refused(*args: object) -> None:
    raise OSError(errno.EPERM, "Operation not permitted")


@pytest.fixture
def no_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system without hard links (FAT, some network shares): copies instead."""
    monkeypatch.setattr(os, "link", _refused)


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


@pytest.mark.parametrize("links", [True, False], ids=["links", "no links"])
def test_an_early_copy_is_moved_in_when_it_holds_what_the_checksums_list(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, links: bool) -> None:
    if not links:
        monkeypatch.setattr(os, "link", _refused)
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
def test_an_early_copy_of_other_bytes_is_not_used(tmp_path: Path, change: str,
                                                   no_links: None) -> None:
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


def test_without_the_checksums_no_copy_is_used(tmp_path: Path, no_links: None) -> None:
    root, staging = staged(tmp_path)
    with EarlyCopies(root, staging) as early:
        early.finished(staging / "graph.nt")
        early._copies[staging / "graph.nt"].result()
        shutil.copytree(staging, tmp_path / "latest", copy_function=early.place)
        assert (early.folder / "graph.nt").exists()
    assert files(tmp_path / "latest") == files(staging)


def test_a_failed_early_copy_is_made_again_at_publish(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_links: None) -> None:
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


def test_an_early_link_is_used_only_while_it_names_the_file(tmp_path: Path) -> None:
    """A file replaced after it was linked (another file under its name) is linked again
    at publish: latest/ holds what the release holds."""
    root, staging = staged(tmp_path)
    source = staging / "graph.nt"
    with EarlyCopies(root, staging) as early:
        early.finished(source)
        assert os.path.samefile(early.folder / "graph.nt", source)
        (staging / "new.nt").write_bytes(b"<x> <y> <z> .\n")
        os.replace(staging / "new.nt", source)
        early.expect(checksums(staging))
        target = tmp_path / "latest"
        shutil.copytree(staging, target, copy_function=early.place)
        assert files(target) == files(staging)
        assert os.path.samefile(target / "graph.nt", source)
        assert (early.folder / "graph.nt").read_bytes() == b"<a> <b> <c> .\n"  # not used


def test_latest_holds_the_versions_files_under_second_names(tmp_path: Path) -> None:
    """No byte of the newest release is copied into latest/: each file is the version's
    own, under a second name; the next release's latest/ leaves the older version whole."""
    out = tmp_path / "out"
    release(out, RECORDS, version="1.0.0", date="2026-01-01", site=False, cache=False)
    version = files(out / "1.0.0")
    assert files(out / LATEST) == version | {MARKER: (out / LATEST / MARKER).read_bytes()}
    for name in version:
        assert os.path.samefile(out / LATEST / name, out / "1.0.0" / name), name
    release(out, RECORDS, version="2.0.0", date="2026-02-01", site=False, cache=False)
    assert files(out / "1.0.0") == version and verify(out / "1.0.0") == []
    assert all(os.path.samefile(out / LATEST / name, out / "2.0.0" / name)
               for name in files(out / "2.0.0"))
    assert all((out / "1.0.0" / name).stat().st_nlink == 1 for name in version)


def test_without_hard_links_latest_is_a_copy(tmp_path: Path, no_links: None) -> None:
    out = tmp_path / "out"
    release(out, RECORDS, version="1.0.0", date="2026-01-01", site=False, cache=False)
    assert files(out / LATEST) == files(out / "1.0.0") | {
        MARKER: (out / LATEST / MARKER).read_bytes()}
    assert not any(os.path.samefile(out / LATEST / name, out / "1.0.0" / name)
                   for name in files(out / "1.0.0"))
    check_output(out / LATEST, "release")


def test_an_older_version_released_later_leaves_latest_linked_to_the_newest(
        tmp_path: Path) -> None:
    """latest/ made again from the newest version (it was out of step): linked too."""
    out = tmp_path / "out"
    release(out, RECORDS, version="2.0.0", date="2026-02-01", site=False, cache=False)
    shutil.rmtree(out / LATEST)
    release(out, RECORDS, version="1.0.0", date="2026-01-01", site=False, cache=False)
    assert all(os.path.samefile(out / LATEST / name, out / "2.0.0" / name)
               for name in files(out / "2.0.0"))


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


# --- latest/'s checks: each file hashed once while it stays as it was --------------------

def test_a_settled_file_is_hashed_once_and_again_once_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hashed: list[Path] = []
    real = staging_module.sha256_of
    monkeypatch.setattr(staging_module, "sha256_of", lambda p: hashed.append(p) or real(p))
    fresh, settled = tmp_path / "fresh.nt", tmp_path / "settled.nt"
    settled.write_bytes(b"<a> <b> <c> .\n")
    time.sleep(2.1)  # (its last change now 2 s old)
    fresh.write_bytes(b"<a> <b> <c> .\n")
    digests = Digests()
    assert digests.sha256(settled) == digests.sha256(settled) == real(settled)
    assert digests.sha256(fresh) == digests.sha256(fresh) == real(fresh)
    assert hashed.count(settled) == 1  # kept
    assert hashed.count(fresh) == 2  # changed just now: it may change again within a tick
    settled.write_bytes(b"<x> <y> <z> .\n")  # the same size, a new change time
    assert digests.sha256(settled) == real(settled) != real(fresh)
    with open(settled, "r+b") as handle:  # written in place, the size kept
        handle.write(b"<q")
    assert digests.sha256(settled) == real(settled)


def _release_twice(out: Path, monkeypatch: pytest.MonkeyPatch,
                   during: Any = None) -> list[tuple[Path, int]]:
    """Release twice into ``out``: each file the second release hashed (its checks of the
    previous release and of ``latest/``), with its inode then."""
    release(out, RECORDS, version="1.0.0", date="2026-01-01", site=False, cache=False)
    time.sleep(2.1)  # (latest/'s files settle)
    hashed: list[tuple[Path, int]] = []
    real = hashlib.file_digest

    def spied(handle: Any, digest: Any) -> Any:
        hashed.append((Path(handle.name), os.fstat(handle.fileno()).st_ino))
        return real(handle, digest)

    monkeypatch.setattr(hashlib, "file_digest", spied)
    release(out, RECORDS, version="2.0.0", date="2026-02-01", site=False, cache=False,
            progress=during)
    return hashed


def test_a_second_release_hashes_the_latest_it_replaces_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """latest/'s files are the previous release's (hard links): each is hashed once for
    the check of the previous release, of latest/ before the work, and at publish."""
    out = tmp_path / "out"
    hashed = _release_twice(out, monkeypatch)
    previous = {p.stat().st_ino for p in (out / "1.0.0").rglob("*") if p.is_file()}
    times = Counter(inode for _, inode in hashed)
    listed = previous - {(out / "1.0.0" / CHECKSUMS).stat().st_ino}
    assert listed <= times.keys()  # every file SHA256SUMS lists was checked
    assert all(times[inode] == 1 for inode in previous if inode in times), times  # once
    assert verify(out / LATEST) == [] and files(out / LATEST) == files(out / "2.0.0") | {
        MARKER: (out / LATEST / MARKER).read_bytes()}


def test_latest_edited_during_a_release_is_still_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    edited = b"<my> <own> <edit> .\n"

    def edit_latest(step: str, *args: object) -> None:
        if step == "publish":  # after the check before the work
            (out / LATEST / "graph.nt").write_bytes(edited)

    with pytest.raises(UsageError, match="graph.nt, changed since coopdata wrote it"):
        _release_twice(out, monkeypatch, during=edit_latest)
    assert (out / LATEST / "graph.nt").read_bytes() == edited  # the user's edit, kept
    assert not (out / "2.0.0").exists()  # refused before it was published: nothing was


def test_leaving_stops_a_copy_still_running(tmp_path: Path, no_links: None) -> None:
    """A release that fails or is interrupted (Ctrl-C) does not wait for the copy of a
    large file it is throwing away: the copy stops at its next block (here the source
    is a pipe fed for as long as the test lets it, as a slow disk or a large file is)."""

    root, staging = staged(tmp_path)
    source = staging / "graph.jsonld"
    os.mkfifo(source)
    stop = threading.Event()

    def feed() -> None:
        with suppress(BrokenPipeError), open(source, "wb", buffering=0) as pipe:
            while not stop.wait(0.01):  # (until the copy stops reading, or the test ends)
                pipe.write(b"<a> <b> <c> .\n" * 5000)  # (a block about every 0.15 s)

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        early = EarlyCopies(root, staging)
        early.finished(source)
        time.sleep(0.2)  # (the copy is under way)
        left = threading.Thread(target=early.__exit__, args=(KeyboardInterrupt, None, None))
        began = time.monotonic()
        left.start()
        left.join(timeout=10)
        assert not left.is_alive(), "leaving waited for the copy to end"
        assert time.monotonic() - began < 5
        assert not early.folder.exists()
    finally:
        stop.set()
        feeder.join()
        left.join()


def test_the_latest_a_killed_release_had_moved_aside_is_removed_by_the_next(
        tmp_path: Path) -> None:
    """A release killed after it moved the old latest/ aside (staging._swap) and before
    it renamed the new one in leaves ``.latest.*.old``: the next release removes it, as
    it removes the staging folders such a release leaves."""
    out = tmp_path / "out"
    release(out, RECORDS, version="1.0.0", date="2026-01-01", site=False, cache=False)
    aside = out / ".latest.k1ll3d.old"
    aside.mkdir()
    os.replace(out / LATEST, aside / LATEST)  # (where the killed release had put it)
    mine = out / ".latest-notes.old"  # not a name coopdata gives: left alone
    mine.mkdir()
    release(out, RECORDS, version="2.0.0", date="2026-02-01", site=False, cache=False)
    assert not aside.exists() and mine.is_dir()
    assert verify(out / LATEST) == [] and (out / LATEST / "release.json").read_text() == \
        (out / "2.0.0" / "release.json").read_text()
