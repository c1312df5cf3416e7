"""Faults: a release killed, raced, refused a lock or starved of disk leaves only complete releases.

Cases of docs/reliability.md; every test writes below its own ``tmp_path`` and fetches
nothing from the network."""

from __future__ import annotations

import fcntl
import hashlib
import json
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from coopdata import OutputError
from coopdata.release.dir import releases_in, verify
from coopdata.release.job import release
from tests.conftest import FIXTURES
from tests.reliability.hostile import python_env, run


def _embedded_count() -> int:
    from coopdata.model.resources import default_records
    from coopdata.records.files import record_files

    return sum(1 for _ in record_files(default_records()))


EMBEDDED = f"reading {_embedded_count()} records from the embedded dataset\n"
"""The first line on stderr of a command run without --records outside a project (it
reads the embedded dataset)."""


def release_command(out: Path, version: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "coopdata", "release", "--out", str(out), "--version",
            version, *extra]


def assert_only_complete_releases(out: Path, *, settled: bool = True) -> list[str]:
    """Every visible entry of ``out`` is a release that passes its own SHA256SUMS, or what
    stands beside the releases (docs/releases.md): ``latest/``, a real folder holding a
    complete copy of a release, and the series catalogue, as coopdata wrote it (its marker
    lists each file's SHA-256). Once ``settled`` (no release was killed half-way),
    ``latest/`` is the newest release and the catalogue lists every version."""
    from rdflib import Graph
    from rdflib.namespace import DCAT

    from coopdata.release.dir import LATEST, SERIES, SERIES_MARKER

    visible = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    versions = releases_in(out)
    assert sorted(visible - {LATEST, *SERIES}) == sorted(versions)
    for version in versions:
        assert verify(out / version) == [], version
    latest = out / LATEST
    if latest.exists() or latest.is_symlink() or settled and versions:
        assert latest.is_dir() and not latest.is_symlink()
        assert verify(latest) == []
        copy_of = [v for v in versions if (out / v / "SHA256SUMS").read_bytes()
                   == (latest / "SHA256SUMS").read_bytes()]
        assert copy_of == versions[-1:] if settled else copy_of
    catalogue = visible & set(SERIES)
    if catalogue or settled and versions:
        listed = json.loads((out / SERIES_MARKER).read_text("utf-8"))["files"]
        assert catalogue == set(SERIES) == set(listed) if settled else catalogue <= set(listed)
        for name in catalogue:
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == listed[name], name
    if settled and versions:
        members = Graph().parse(out / "catalog.ttl", format="turtle").objects(None, DCAT.dataset)
        assert sorted(str(m).rsplit("/", 1)[-1] for m in members) == sorted(versions)
    hidden = {p.name for p in out.iterdir() if p.name.startswith(".")}
    assert all(name in (".coopdata-release.lock", SERIES_MARKER) or name.endswith(".partial")
               or not settled and re.fullmatch(rf"\.{LATEST}\..+\.old", name)  # (swap)
               for name in hidden), hidden
    return versions


def staging(out: Path, version: str) -> list[Path]:
    return list(out.glob(f".{version}.*.partial"))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT],
                         ids=lambda s: s.name)
def test_release_killed_at_random_moments_leaves_only_complete_releases(
        tmp_path: Path, sig: signal.Signals) -> None:
    rng = random.Random(f"coopdata-reliability-{sig.name}")  # seeded: the same moments in CI
    out = tmp_path / "releases"
    for attempt, phase in enumerate(("validating", "writing", "writing")):
        version = f"{attempt + 1}.0.0"
        process = subprocess.Popen(release_command(out, version), cwd=tmp_path,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env=python_env())
        if phase == "validating":
            time.sleep(rng.uniform(0.2, 1.0))
        else:  # once the release is being written, at a random point of the writing
            deadline = time.monotonic() + 60
            while not staging(out, version) and process.poll() is None:
                assert time.monotonic() < deadline
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.8))
        process.send_signal(sig)
        process.wait(timeout=60)
        if out.exists():
            assert_only_complete_releases(out, settled=False)
    # the next release removes what the killed ones left, and publishes completely
    result = subprocess.run(release_command(out, "9.0.0", "--no-site"), cwd=tmp_path,
                            capture_output=True, text=True, env=python_env(), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "9.0.0" in assert_only_complete_releases(out)
    assert list(out.glob(".*.partial")) == []


def test_release_refused_while_another_holds_the_lock(tmp_path: Path) -> None:
    out = tmp_path / "releases"
    out.mkdir()
    with open(out / ".coopdata-release.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert run("release", "--records", str(FIXTURES / "records"), "--out", str(out),
                   "--version", "1.0.0") == (
            1, f"reading 13 records from {FIXTURES / 'records'}\n"
               f"Error: another release is being written into {out}; try again when it has "
               "finished\n")
    assert sorted(p.name for p in out.iterdir()) == [".coopdata-release.lock"]


@pytest.mark.parametrize("versions", [("1.0.0", "2.0.0"), ("1.0.0", "1.0.0")],
                         ids=["different-versions", "same-version"])
def test_two_releases_started_at_once(tmp_path: Path, versions: tuple[str, str]) -> None:
    out = tmp_path / "releases"
    processes = [subprocess.Popen(release_command(out, version, "--no-site"), cwd=tmp_path,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=python_env()) for version in versions]
    results = [(p.returncode, err) for p in processes
               for _, err in [p.communicate(timeout=120)]]
    locked = (f"{EMBEDDED}Error: another release is being written into {out}; try again "
              "when it has finished\n")
    exists = (f"{EMBEDDED}Error: release 1.0.0 already exists in {out}; releases are never "
              "overwritten: choose another --version\n")
    winners = [err for code, err in results if code == 0]
    losers = [(code, err) for code, err in results if code != 0]
    assert winners, results
    assert all(code == 1 and err in (locked, exists) for code, err in losers), losers
    published = assert_only_complete_releases(out)
    assert len(published) == len(winners)  # the same version is never published twice
    if len(published) == 2:  # one after the other: the later names the earlier as previous
        previous = {v: json.loads((out / v / "release.json").read_text("utf-8"))["previous"]
                    for v in published}
        assert previous in ({"1.0.0": None, "2.0.0": "1.0.0"}, {"2.0.0": None, "1.0.0": "2.0.0"})


def test_release_while_another_validates_is_refused(tmp_path: Path) -> None:
    """A release holds the lock from the start (it writes while it validates): another
    one started meanwhile is refused at once; started afterwards, it names the first as
    previous."""
    out = tmp_path / "releases"
    records = FIXTURES / "records"
    refused: list[str] = []

    def meanwhile(step: str) -> None:  # another release starts while this one validates
        if step == "shacl" and not refused:
            with pytest.raises(OutputError) as caught:
                release(out, records, version="1.1.0", date="2026-11-24", site=False)
            refused.append(str(caught.value))

    release(out, records, version="1.0.0", date="2026-11-23", progress=meanwhile, site=False)
    assert refused == [f"another release is being written into {out}; try again when it "
                       "has finished"]
    release(out, records, version="1.1.0", date="2026-11-24", site=False)
    info = json.loads((out / "1.1.0" / "release.json").read_text("utf-8"))
    assert info["previous"] == "1.0.0"
    assert (out / "1.1.0" / "CHANGELOG.md").read_text("utf-8").startswith(
        "# Changes in 1.1.0 since 1.0.0\n")
    assert assert_only_complete_releases(out) == ["1.0.0", "1.1.0"]


def _limit_file_size() -> None:  # runs in the child, before coopdata starts
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))  # graph.ttl is larger


def test_release_on_a_full_disk_fails_cleanly(tmp_path: Path) -> None:
    out = tmp_path / "releases"
    result = subprocess.run(release_command(out, "1.0.0"), cwd=tmp_path, capture_output=True,
                            text=True, env=python_env(), timeout=120,
                            preexec_fn=_limit_file_size)
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", f"{EMBEDDED}Error: cannot write the release into {out}: File too large; "
               "nothing was published\n")
    assert not out.exists()  # made for the release, and taken away with it


def test_build_on_a_full_disk_fails_cleanly(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "coopdata", "build", "--out", "out"],
                            cwd=tmp_path, capture_output=True, text=True, env=python_env(),
                            timeout=120, preexec_fn=_limit_file_size)
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", f"{EMBEDDED}Error: cannot write out: File too large\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.fixture
def small_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A 200 kB tmpfs mounted in ``tmp_path`` (needs root with the right to mount)."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs",
                              str(mount_point)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_release_on_a_small_filesystem_fails_cleanly(small_filesystem: Path) -> None:
    out = small_filesystem / "releases"
    result = subprocess.run(release_command(out, "1.0.0"), cwd=small_filesystem.parent,
                            capture_output=True, text=True, env=python_env(), timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", f"{EMBEDDED}Error: cannot write the release into {out}: No space left on "
               "device; nothing was published\n")
    assert not out.exists()  # made for the release, and taken away with it
    assert shutil.disk_usage(small_filesystem).used < 100_000  # the staging was removed
