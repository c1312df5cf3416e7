"""The cache of work already done (coopdata.cache): a load or release with it gives exactly
what one without it gives, over generated edit sequences; a damaged, foreign or outdated
cache is never trusted; a folder that is not a cache is never written or deleted."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopdata import cache as caching
from coopdata.cache import DATABASE, TAG, Cache
from coopdata.cli import main
from coopdata.records.load import load
from coopdata.release.job import release
from tests.conftest import FIXTURES


def _loaded(root: Path, cache: Cache | None) -> tuple[list[object], list[object], int | None]:
    dataset, report = load(root, cache=cache)
    records = [(r.kind, r.id, r.path, r.data, dict(r.lines)) for r in dataset]
    return records, list(report.findings), report.records


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# One edit of a records folder: what a curator does between two releases.
EDITS = st.one_of(
    st.tuples(st.just("retitle"), st.integers(0, 50), st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)),
    st.tuples(st.just("amount"), st.integers(0, 50), st.sampled_from(["1200", "-5", "4,1 M", "0"])),
    st.tuples(st.just("add"), st.integers(0, 50), st.integers(0, 10_000)),
    st.tuples(st.just("duplicate"), st.integers(0, 50), st.integers(0, 10_000)),
    st.tuples(st.just("delete"), st.integers(0, 50), st.just(0)),
    st.tuples(st.just("break"), st.integers(0, 50), st.sampled_from(
        ["id: [", "\t- x", "title: {fr: a}\ntitle: {fr: b}", "\xff", ""])),
    st.tuples(st.just("touch"), st.integers(0, 50), st.just(0)),
)


def _edit(root: Path, edit: tuple[str, int, object]) -> None:
    action, which, value = edit
    files = sorted(root.rglob("*.yaml"))
    if not files:
        return
    path = files[which % len(files)]
    text = path.read_bytes()
    if action == "retitle":
        path.write_bytes(text + f"\ndescription: {{fr: {value!r}}}\n".encode())
    elif action == "amount":
        path.write_bytes(text.replace(b"amount: ", f"amount: {value}".encode(), 1))
    elif action == "add":
        record_id = f"added-{value}"
        lines = text.decode("utf-8", "replace").splitlines()
        lines = [f"id: {record_id}" if line.startswith("id:") else line for line in lines]
        (path.parent / f"{record_id}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif action == "duplicate":
        (path.parent / f"copy-{value}.yaml").write_bytes(text)
    elif action == "delete":
        path.unlink()
    elif action == "break":
        path.write_bytes(str(value).encode("latin-1") + b"\n" + text)
    else:  # touch: the same bytes, written again
        path.write_bytes(text)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.lists(EDITS, min_size=1, max_size=4), min_size=1, max_size=3))
def test_a_load_with_the_cache_is_the_load_without_it(tmp_path_factory: pytest.TempPathFactory,
                                                     steps: list[list[tuple[str, int, object]]]
                                                     ) -> None:
    work = tmp_path_factory.mktemp("edits")
    root = work / "records"
    shutil.copytree(FIXTURES / "records", root)
    with Cache.open(work / "cache") as cache:
        assert _loaded(root, cache) == _loaded(root, None)  # a cold cache
        for edits in steps:
            for edit in edits:
                _edit(root, edit)
            assert _loaded(root, cache) == _loaded(root, None)


def test_a_release_with_the_cache_is_byte_for_byte_the_one_without(tmp_path: Path) -> None:
    """Releases 1 and 2 (after edits, additions, deletions), with and without the cache,
    give the same files; the cache of release 1 is used by release 2."""
    root = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", root)
    cached, cold = tmp_path / "cached", tmp_path / "cold"
    common = {"date": "2026-12-06", "site": True}
    release(cached, root, version="1", cache=tmp_path / "cache", **common)  # type: ignore[arg-type]
    release(cold, root, version="1", cache=False, **common)  # type: ignore[arg-type]
    assert _files(cached / "1") == _files(cold / "1")
    first = (root / "projects" / "first.yaml").read_text(encoding="utf-8")
    (root / "projects" / "first.yaml").write_text(
        first.replace("Premier projet", "Premier projet (revu)"), encoding="utf-8")
    (root / "projects" / "third.yaml").write_text(
        first.replace("id: first", "id: third"), encoding="utf-8")
    (root / "events" / "audience.yaml").unlink()
    with Cache.open(tmp_path / "cache") as cache:
        before = _loaded(root, None)
        hits = cache.get(caching.key("load", kind, str(path), path.read_bytes())
                         for kind, path in _record_files(root))
        assert len(hits) == len(list(_record_files(root))) - 2  # all but the two changed
        assert _loaded(root, cache) == before
    release(cached, root, version="2", cache=tmp_path / "cache", **common)  # type: ignore[arg-type]
    release(cold, root, version="2", cache=False, **common)  # type: ignore[arg-type]
    assert _files(cached / "2") == _files(cold / "2")
    assert "Premier projet (revu)" in (cached / "2" / "graph.nt").read_text(encoding="utf-8")


def _changed_and_released(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                          ) -> tuple[Path, Path, list[set[str]], list[set[str]]]:
    """Two releases with the cache and two without, three records changed between (a
    title, a comment alone, a deletion); the names the second cached release took from
    the cache and those it read back from the previous release's tables."""
    from coopdata.release import rowdiff

    root = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", root)
    cached, cold = tmp_path / "cached", tmp_path / "cold"
    common = {"date": "2026-12-06", "site": False, "cache": tmp_path / "cache"}
    release(cold, root, version="1", cache=False, date="2026-12-06", site=False)
    release(cached, root, version="1", **common)  # type: ignore[arg-type]
    first = root / "projects" / "first.yaml"
    first.write_text(first.read_text(encoding="utf-8").replace(
        "Premier projet", "Premier projet (revu)") + "# revised\n", encoding="utf-8")
    second = root / "projects" / "second.yaml"
    second.write_text(second.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    (root / "events" / "audience.yaml").unlink()
    release(cold, root, version="2", cache=False, date="2026-12-06", site=False)
    read_back, from_cache = rowdiff._read_back, rowdiff._from_cache
    asked: list[set[str]] = []
    taken: list[set[str]] = []
    monkeypatch.setattr(rowdiff, "_digests", None)  # (never called)
    monkeypatch.setattr(rowdiff, "_read_back", lambda folder, names: (
        asked.append(names), read_back(folder, names))[1])

    def cached_records(cache: Any, remembered: Any, names: set[str]) -> Any:
        found = from_cache(cache, remembered, names)
        if found is not None:
            taken.append(set(found))
        return found

    monkeypatch.setattr(rowdiff, "_from_cache", cached_records)
    release(cached, root, version="2", **common)  # type: ignore[arg-type]
    for version in ("1", "2"):
        assert _files(cached / version) == _files(cold / version)
    assert "changed: project/first" in (cached / "2" / "CHANGELOG.md").read_text("utf-8")
    return cached, cold, taken, asked


def test_the_changelog_takes_only_the_records_whose_files_changed_from_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A release after one made with the cache finds the records that may have changed
    from the files' keys the cache kept (no table digested), a file whose comment alone
    changed among them; what the previous release had of them is what its load made of
    their files then, still in the cache (no table read), and it writes what a release
    without the cache writes."""
    _, _, taken, asked = _changed_and_released(tmp_path, monkeypatch)
    assert taken == [{"project/first", "project/second", "event/audience"}]
    assert asked == []


def test_without_the_previous_files_values_the_changelog_reads_them_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The values of the previous files gone from the cache (as when the load let go of
    them at once): those records are read back from the previous release's tables, and
    the files are the same."""
    monkeypatch.setattr(Cache, "keep_only_at_close", Cache.keep_only)
    _, _, taken, asked = _changed_and_released(tmp_path, monkeypatch)
    assert taken == []
    assert asked == [{"project/first", "project/second", "event/audience"}]


def _record_files(root: Path) -> list[tuple[str, Path]]:
    from coopdata.records.files import record_files

    return list(record_files(root))


def test_a_cross_record_finding_is_found_again_with_the_cache(tmp_path: Path) -> None:
    """A deleted organisation that others name, and a duplicate id: found from cached
    records as without the cache (the checks across records are never cached)."""
    root = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", root)
    with Cache.open(tmp_path / "cache") as cache:
        load(root, cache=cache)
        (root / "organisations" / "agency.yaml").unlink()
        shutil.copy(root / "projects" / "first.yaml", root / "projects" / "again.yaml")
        records, findings, count = _loaded(root, cache)
    assert (records, findings, count) == _loaded(root, None)
    codes = {f.code for f in findings}  # type: ignore[attr-defined]
    assert {"missing-reference", "duplicate-id"} <= codes


@pytest.mark.parametrize("damage", ["garbage", "truncated", "zeroed-middle", "foreign-db"])
def test_a_damaged_database_is_rebuilt_never_trusted(tmp_path: Path, damage: str) -> None:
    root = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", root)
    folder = tmp_path / "cache"
    with Cache.open(folder) as cache:
        expected = _loaded(root, cache)
    database = folder / DATABASE
    data = database.read_bytes()
    if damage == "garbage":
        database.write_bytes(b"not a database at all\n" * 100)
    elif damage == "truncated":
        database.write_bytes(data[: len(data) // 3])
    elif damage == "zeroed-middle":
        database.write_bytes(data[:4096] + b"\0" * (len(data) - 8192) + data[-4096:])
    else:
        database.unlink()
        with sqlite3.connect(database) as other:
            other.execute("CREATE TABLE entry (key, grp, value, checksum)")
    with Cache.open(folder) as cache:
        assert _loaded(root, cache) == expected
        rebuilt = cache.rebuilt
    assert rebuilt or damage == "zeroed-middle"  # (a zeroed page may read as empty rows)
    with Cache.open(folder) as cache:  # and it is a good cache again
        assert not cache.rebuilt
        assert len(cache.get(caching.key("load", kind, str(path), path.read_bytes())
                             for kind, path in _record_files(root))) == len(expected[0])


def test_a_damaged_value_is_made_again(tmp_path: Path) -> None:
    """A value whose bytes no longer match their checksum is not used: the file is read
    again (and the value replaced)."""
    root = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", root)
    folder = tmp_path / "cache"
    with Cache.open(folder) as cache:
        expected = _loaded(root, cache)
    with sqlite3.connect(folder / DATABASE) as db:
        db.execute("UPDATE entry SET value = substr(value, 1, length(value) - 9) || "
                   "X'000102030405060708'")
    with Cache.open(folder) as cache:
        keys = [caching.key("load", kind, str(path), path.read_bytes())
                for kind, path in _record_files(root)]
        assert cache.get(keys) == {}  # every value damaged: none is trusted
        assert _loaded(root, cache) == expected
        assert len(cache.get(keys)) == len(keys)  # made again


def test_another_coopdata_finds_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another version of coopdata (its code, shapes, code lists) or of a library has
    another fingerprint: none of the values made by this one is found."""
    root = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", root)
    with Cache.open(tmp_path / "cache") as cache:
        expected = _loaded(root, cache)
        keys = [caching.key("load", kind, str(path), path.read_bytes())
                for kind, path in _record_files(root)]
        assert len(cache.get(keys)) == len(keys)
        monkeypatch.setattr(caching, "fingerprint", lambda: b"another coopdata")
        assert cache.get(caching.key("load", kind, str(path), path.read_bytes())
                         for kind, path in _record_files(root)) == {}
        assert _loaded(root, cache) == expected


def test_the_fingerprint_follows_the_package_and_its_shipped_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A shape, a table schema, a code list or a module changed is another fingerprint
    (the digest is over each file's path and bytes): here a copy of the shapes with one
    byte more."""
    from coopdata.model.resources import resource

    shapes = resource("shapes")
    assert any(shapes.rglob("*.ttl"))
    original = caching.fingerprint()
    copy = tmp_path / "shapes"
    shutil.copytree(shapes, copy)
    caching.fingerprint.cache_clear()
    monkeypatch.setattr(caching, "resource", lambda name: copy if name == "shapes"
                        else resource(name))
    try:
        assert caching.fingerprint() == original  # the same bytes: the same fingerprint
        caching.fingerprint.cache_clear()
        changed = next(copy.rglob("*.ttl"))
        changed.write_bytes(changed.read_bytes() + b"\n")
        assert caching.fingerprint() != original
    finally:
        caching.fingerprint.cache_clear()


def test_a_folder_that_is_not_a_cache_is_refused_and_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.tex").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["release", "--out", str(tmp_path / "rel"),
                                       "--cache", str(folder), "--no-site"])
    assert result.exit_code == 2
    assert "is not a coopdata cache (it holds 'thesis.tex' and no CACHEDIR.TAG)" in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.tex"]
    assert not (tmp_path / "rel").exists()


def test_another_tools_cache_tag_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir()
    (folder / TAG).write_text("Signature: 8a477f597d28d172789f06886806bc55\n# their cache\n",
                              encoding="ascii")
    with pytest.raises(Exception, match="not coopdata's cache tag"):
        Cache.open(folder)


def test_cli_cache_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOPDATA_CACHE", str(tmp_path / "default"))
    runner = CliRunner()
    both = runner.invoke(main, ["release", "--out", str(tmp_path / "a"), "--no-site",
                                "--cache", str(tmp_path / "c"), "--no-cache"])
    assert both.exit_code == 2 and "not both" in both.output
    none = runner.invoke(main, ["release", "--out", str(tmp_path / "a"), "--no-site",
                                "--no-cache", "--version", "1"])
    assert none.exit_code == 0, none.output
    assert not (tmp_path / "default").exists()
    default = runner.invoke(main, ["release", "--out", str(tmp_path / "a"), "--no-site",
                                   "--version", "2"])
    assert default.exit_code == 0, default.output
    assert (tmp_path / "default" / DATABASE).is_file()
    assert (tmp_path / "default" / TAG).read_text(encoding="ascii").startswith("Signature: ")
    given = runner.invoke(main, ["release", "--out", str(tmp_path / "a"), "--no-site",
                                 "--version", "3", "--cache", str(tmp_path / "c")])
    assert given.exit_code == 0, given.output
    assert (tmp_path / "c" / DATABASE).is_file()
    assert _files(tmp_path / "a" / "2") .keys() == _files(tmp_path / "a" / "3").keys()


def test_an_unusable_default_folder_means_no_cache(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The default folder is only a convenience: when it cannot be a cache (here it holds
    someone's file), the release goes on without one; a folder given is an error."""
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("x", encoding="utf-8")
    monkeypatch.setenv("COOPDATA_CACHE", str(taken))
    result = release(tmp_path / "rel", version="1", date="2026-12-06", site=False)
    assert result.directory.is_dir()
    assert sorted(p.name for p in taken.iterdir()) == ["notes.txt"]


def test_a_changed_configuration_is_released_as_without_the_cache(tmp_path: Path) -> None:
    """The configuration (base URI, title, IATI publisher) is read by the steps after the
    load, which the cache never holds: releasing with another configuration after a
    release that filled the cache gives the files a cold release gives."""
    from coopdata.model.config import ReleaseConfig

    root = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", root)
    other = ReleaseConfig(base_uri="https://data.example.org/", title="Another title",
                          iati_organisation_ref="XM-DAC-7")
    common = {"date": "2026-12-06", "site": False}
    release(tmp_path / "a", root, version="1", cache=tmp_path / "cache", **common)  # type: ignore[arg-type]
    release(tmp_path / "a", root, version="2", config=other, cache=tmp_path / "cache",
            **common)  # type: ignore[arg-type]
    release(tmp_path / "b", root, version="1", cache=False, **common)  # type: ignore[arg-type]
    release(tmp_path / "b", root, version="2", config=other, cache=False,
            **common)  # type: ignore[arg-type]
    assert _files(tmp_path / "a" / "2") == _files(tmp_path / "b" / "2")
    assert "https://data.example.org/" in (tmp_path / "a" / "2" / "graph.nt").read_text("utf-8")


@pytest.mark.parametrize("place", ["out", "inside-out", "records", "inside-records", "above"])
def test_the_cache_is_kept_apart_from_the_release_and_the_records(tmp_path: Path,
                                                                  place: str) -> None:
    root = tmp_path / "work" / "records"
    shutil.copytree(FIXTURES / "records", root)
    out = tmp_path / "work" / "rel"
    cache = {"out": out, "inside-out": out / "cache", "records": root,
             "inside-records": root / ".cache", "above": tmp_path / "work"}[place]
    result = CliRunner().invoke(main, ["release", "--records", str(root), "--out", str(out),
                                       "--cache", str(cache), "--no-site"])
    assert result.exit_code == 2, result.output
    assert "must be apart" in result.output
    assert not out.exists() and not (cache / DATABASE).exists()
    assert _files(root) == _files(FIXTURES / "records")


def test_validate_uses_the_cache_and_says_the_same(tmp_path: Path) -> None:
    """``coopdata validate`` keeps its work in the cache too: the same output and exit code
    with it (cold and warm) and without it, on records with findings of every layer."""
    root = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", root)
    first = root / "projects" / "first.yaml"
    first.write_text(first.read_text("utf-8").replace("status: closed", "status: finished"),
                     encoding="utf-8")
    (root / "organisations" / "ministry.yaml").unlink()
    runner = CliRunner()
    outputs = []
    for options in (["--no-cache"], ["--cache", str(tmp_path / "c")],
                    ["--cache", str(tmp_path / "c")]):
        result = runner.invoke(main, ["validate", "--records", str(root), *options])
        outputs.append((result.exit_code, result.output))
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0][0] == 1 and "[unknown-code]" in outputs[0][1]
    assert "[missing-reference]" in outputs[0][1]
    assert (tmp_path / "c" / DATABASE).is_file()
    both = runner.invoke(main, ["validate", "--records", str(root), "--no-cache",
                                "--cache", str(tmp_path / "c")])
    assert both.exit_code == 2 and "not both" in both.output


def test_a_cache_that_fills_up_never_stops_the_load(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails (the database full: SQLite's own limit of pages stands for a
    full disk here) makes the database anew; when that fails too, the cache keeps nothing
    more, and the load gives what it gives without a cache."""
    root = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", root)
    first = root / "projects" / "first.yaml"
    text = first.read_text("utf-8")
    first.write_text(text + "description: {fr: " + "Un long texte. " * 3000 + "}\n",
                     encoding="utf-8")  # (more than the free room of the pages there are)
    expected = _loaded(root, None)
    with Cache.open(tmp_path / "cache") as cache:
        assert cache._db is not None
        full = cache._db.execute("PRAGMA page_count").fetchone()[0]  # (no page more)
        cache._db.execute(f"PRAGMA max_page_count = {full}")
        assert _loaded(root, cache) == expected
        assert cache.rebuilt and cache.broken is None  # made anew, without the limit
        assert _loaded(root, cache) == expected
    with Cache.open(tmp_path / "cache") as cache:
        assert cache._db is not None
        full = cache._db.execute("PRAGMA page_count").fetchone()[0]
        cache._db.execute(f"PRAGMA max_page_count = {full}")

        def cannot(path: Path) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(Cache, "_opened", staticmethod(cannot))
        first.write_text(text + "objectives: {fr: " + "Un autre texte. " * 3000 + "}\n",
                         encoding="utf-8")  # (more than the pages left hold)
        expected = _loaded(root, None)
        assert _loaded(root, cache) == expected
        assert cache.broken is not None and "disk is full" in cache.broken
        assert cache.get([b"anything"]) == {} and _loaded(root, cache) == expected


@pytest.mark.parametrize("distribution", ["coopdata", "PyYAML", "pyoxigraph"])
def test_the_fingerprint_follows_the_versions(monkeypatch: pytest.MonkeyPatch,
                                              distribution: str) -> None:
    """Another version of coopdata or of a library it reads with is another fingerprint."""
    from importlib import metadata

    original = caching.fingerprint()
    real = metadata.version
    monkeypatch.setattr(caching.metadata, "version",
                        lambda name: "0.0.0-other" if name == distribution else real(name))
    caching.fingerprint.cache_clear()
    try:
        assert caching.fingerprint() != original
    finally:
        monkeypatch.undo()
        caching.fingerprint.cache_clear()
    assert caching.fingerprint() == original


def test_the_previous_records_are_taken_from_the_cache_only_whole_and_sound(
        tmp_path: Path) -> None:
    """``rowdiff._from_cache``: every record asked for, each the record its key names and
    without a violation, or None (the tables are read back instead)."""
    from coopdata.model.dataset import PickledRecord
    from coopdata.release.rowdiff import _from_cache
    from coopdata.report import Finding

    records = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", records)
    with Cache.open(tmp_path / "cache") as cache:
        dataset, _ = load(records, cache=cache)
        first, second = dataset.get("project", "first"), dataset.get("project", "second")
        assert first is not None and second is not None
        violation = Finding("type-error", "bad", path=second.path)
        cache.put(b"g", [(b"first", (PickledRecord.of(first), [], None)),
                         (b"second", (second, [], None)),
                         (b"bad", (second, [violation], None)),
                         (b"refused", (None, [violation], None))])
        remembered = {"project/first": b"first", "project/second": b"second",
                      "project/bad": b"bad", "project/none": None,
                      "project/refused": b"refused", "project/gone": b"gone"}
        found = _from_cache(cache, remembered, {"project/first", "project/second"})
        assert found is not None and {name: r.data for name, r in found.items()} == {
            "project/first": first.data, "project/second": second.data}
        for names in ({"project/first", "project/none"}, {"project/gone"},
                      {"project/refused"}, {"project/second", "project/bad"}):
            assert _from_cache(cache, remembered, names) is None, names
        # a key holding another record than the name says; the record with a violation
        assert _from_cache(cache, {"project/first": b"second"}, {"project/first"}) is None
        assert violation.severity == "violation"
        assert _from_cache(cache, {"project/second": b"bad"}, {"project/second"}) is None


def test_what_the_last_load_did_not_use_is_removed_when_the_cache_is_closed(
        tmp_path: Path) -> None:
    """A file changed between two loads: its old value stays in the cache while it is
    open (a release's changelog reads it), and is gone once closed; the new one stays.
    Loaded twice, a folder keeps what its last load used."""
    from coopdata.records.load import _file_key

    records = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", records)
    first = records / "projects" / "first.yaml"
    old_key = _file_key("project", str(first))
    with Cache.open(tmp_path / "cache") as cache:
        load(records, cache=cache)
        first.write_text(first.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
        new_key = _file_key("project", str(first))
        assert old_key is not None and new_key is not None and old_key != new_key
        load(records, cache=cache)
        assert set(cache.get([old_key, new_key])) == {old_key, new_key}
    with Cache.open(tmp_path / "cache") as cache:
        assert set(cache.get([old_key, new_key])) == {new_key}
        unchanged = _file_key("project", str(records / "projects" / "second.yaml"))
        assert unchanged is not None and cache.get([unchanged])
