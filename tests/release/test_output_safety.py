"""What a wrong --out, a lack of memory or an empty version must never cost (issue 14,
cases 3, 14 and 16), and `build` without an rdflib graph (issue 15, item 1)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdata import UsageError
from coopdata.cli import main
from coopdata.model.resources import MARKER
from coopdata.release.build import build, export_tables
from tests.conftest import FIXTURES, write

RECORDS = FIXTURES / "records"


def snapshot(directory: Path) -> dict[str, bytes | str]:
    """Every entry under ``directory``: a file's bytes, a link's target, or "dir"."""
    found: dict[str, bytes | str] = {}
    for path in sorted(directory.rglob("*")):
        name = path.relative_to(directory).as_posix()
        found[name] = (f"-> {os.readlink(path)}" if path.is_symlink() else "dir"
                       if path.is_dir() else path.read_bytes())
    return found


def write_out(command: str, out: Path) -> None:
    if command == "build":
        build(out, RECORDS)
    else:
        export_tables(out, RECORDS)


COMMANDS = ["build", "export-tables"]
USER_FILES = ["notes.txt", "thesis/ch1.tex", ".hidden", "a/b/c/deep.dat", "graph.ttl",
              "datapackage.json", "tables/projects.csv", "tables/mine.csv", "SHA256SUMS"]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", USER_FILES)
def test_a_directory_coopdata_did_not_write_is_refused(tmp_path: Path, command: str,
                                                       name: str) -> None:
    out = tmp_path / "d"
    write(out / name, "the user's")
    if name != "graph.ttl":
        write(out / "graph.ttl", "x")  # it looks like an earlier output
    before = snapshot(out)
    with pytest.raises(UsageError) as caught:
        write_out(command, out)
    first = min(before, key=lambda n: (n.count("/"), n))
    assert f"{out} already holds {first}, " in str(caught.value)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]  # no staging left behind


def test_the_example_of_the_issue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(Path("d/graph.ttl"), "x")
    write(Path("d/thesis/ch1.tex"), "w")
    result = CliRunner().invoke(main, ["build", "--out", "d"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.split("\n", 1)[1] == (  # after "reading … records from …"
        "Error: d already holds graph.ttl, a file that coopdata did not write (no "
           f"{MARKER} lists it): coopdata replaces only what it wrote itself; choose a new "
           "directory, or move that away\n")
    assert Path("d/thesis/ch1.tex").read_text(encoding="utf-8") == "w"


@pytest.mark.parametrize("command", COMMANDS)
def test_own_output_is_replaced_again_and_again(tmp_path: Path, command: str) -> None:
    out = tmp_path / "out"
    write_out(command, out)
    first = snapshot(out)
    write_out(command, out)
    assert snapshot(out) == first
    other = "export-tables" if command == "build" else "build"
    write_out(other, out)  # either command's output is coopdata's
    assert MARKER in snapshot(out)
    (out / ("graph.ttl" if other == "build" else "projects.csv")).unlink()  # listed, gone
    write_out(command, out)
    assert snapshot(out) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("intruder", ["file", "folder", "link-out", "link-in", "edited",
                                      "listed-link"])
def test_anything_added_to_own_output_is_refused(tmp_path: Path, command: str,
                                                 intruder: str) -> None:
    out = tmp_path / "out"
    write_out(command, out)
    precious = write(tmp_path / "precious.txt", "keep")
    listed = "graph.ttl" if command == "build" else "projects.csv"
    expected = {"file": "notes.txt, a file that coopdata did not write",
                "folder": "later, a folder that coopdata did not write",
                "link-out": "link, a symbolic link that coopdata did not write",
                "link-in": "link, a symbolic link that coopdata did not write",
                "edited": f"{listed}, changed since coopdata wrote it",
                "listed-link": f"{listed}, a symbolic link that coopdata did not write"}[intruder]
    if intruder == "file":
        write(out / "notes.txt", "mine")
    elif intruder == "folder":
        (out / "later").mkdir()
    elif intruder == "link-out":
        (out / "link").symlink_to(tmp_path)
    elif intruder == "link-in":
        (out / "link").symlink_to(listed)
    elif intruder == "edited":
        with open(out / listed, "a", encoding="utf-8") as handle:
            handle.write("an edit in a spreadsheet\n")
    else:
        (out / listed).unlink()
        (out / listed).symlink_to(precious)
    before = snapshot(out)
    with pytest.raises(UsageError) as caught:
        write_out(command, out)
    assert expected in str(caught.value)
    assert snapshot(out) == before
    assert precious.read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize("tamper", ["not-json", "wrong-format", "parent-path", "absolute",
                                    "claims-user-file", "symlink", "folder", "lists-missing"])
def test_a_tampered_marker_is_refused(tmp_path: Path, tamper: str) -> None:
    out = tmp_path / "out"
    build(out, RECORDS)
    marker = out / MARKER
    content = json.loads(marker.read_text(encoding="utf-8"))
    thesis = write(out / "thesis.tex", "mine")
    if tamper == "not-json":
        marker.write_text("{", encoding="utf-8")
    elif tamper == "wrong-format":
        marker.write_text(json.dumps({"files": content["files"]}), encoding="utf-8")
    elif tamper in ("parent-path", "absolute"):
        name = "../precious.txt" if tamper == "parent-path" else str(tmp_path / "precious.txt")
        content["files"][name] = "0" * 64
        marker.write_text(json.dumps(content), encoding="utf-8")
    elif tamper == "claims-user-file":  # listed, but with a hash its bytes do not have
        content["files"]["thesis.tex"] = "0" * 64
        marker.write_text(json.dumps(content), encoding="utf-8")
    elif tamper == "symlink":
        marker.unlink()
        marker.symlink_to(thesis)
    elif tamper == "folder":
        marker.unlink()
        marker.mkdir()
    else:  # lists files that are not there: fine, but the user's file is still in the way
        content["files"]["nowhere/at-all.csv"] = "0" * 64
        marker.write_text(json.dumps(content), encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(UsageError) as caught:
        build(out, RECORDS)
    if tamper == "claims-user-file":
        assert "thesis.tex, changed since coopdata wrote it" in str(caught.value)
    elif tamper == "lists-missing":
        assert "thesis.tex, a file that coopdata did not write" in str(caught.value)
    else:
        assert MARKER in str(caught.value)
    assert snapshot(out) == before


def test_a_file_added_while_building_is_kept(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    module = sys.modules["coopdata.release.build"]  # (coopdata.build is also the function)
    out = tmp_path / "out"
    build(out, RECORDS)
    before = snapshot(out)
    real = module.write_package

    def and_meanwhile(*args: object, **kwargs: object) -> object:
        write(out / "new.txt", "written by the user during the build")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "write_package", and_meanwhile)
    with pytest.raises(UsageError) as caught:
        build(out, RECORDS)
    assert "new.txt, a file that coopdata did not write" in str(caught.value)
    assert snapshot(out) == {**before, "new.txt": b"written by the user during the build"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_out_that_is_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "real")
    with pytest.raises(UsageError, match="is a symbolic link"):
        build(tmp_path / "out", RECORDS)


# --- no rdflib graph on the production path (issue 15, item 1) --------------------

def test_build_makes_no_rdflib_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from coopdata.validate.validation import Validation

    def refuse(self: Validation) -> None:
        raise AssertionError("build made an rdflib graph")

    monkeypatch.setattr(Validation, "graph", property(refuse))
    built = build(tmp_path / "out", RECORDS)
    assert built.validation._graph is None
    assert (tmp_path / "out" / "graph.ttl").stat().st_size > 0


# --- out of memory (case 14) -------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["validate", "--records", str(RECORDS)],
    ["build", "--records", str(RECORDS), "--out", "out"],
    ["export-tables", "--records", str(RECORDS), "--out", "out"],
    ["release", "--records", str(RECORDS), "--out", "out", "--no-site"],
])
def test_a_memory_error_is_one_line_and_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               argv: list[str]) -> None:
    module = sys.modules["coopdata.validate.validation"]

    def greedy(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.chdir(tmp_path)
    # (load, not validate: a module that imports validate while it is patched, such as
    # coopdata.release.job when `release` runs first here, would keep the patch for good)
    monkeypatch.setattr(module, "load", greedy)
    monkeypatch.setattr(sys.modules["coopdata.release.build"], "load", greedy)
    monkeypatch.setattr(sys.modules["coopdata.release.job"], "load", greedy)
    result = CliRunner().invoke(main, argv)
    assert (result.exit_code, result.stdout) == (1, "")
    assert (result.exit_code, result.stderr.split("\n", 1)[1]) == (  # after "reading …"
        1, f"Error: coopdata {argv[0]} ran out of memory: the records need more than this "
           "process may use (free memory, raise its limit such as ulimit -v, or use fewer "
           "records)\n")
    assert list(tmp_path.iterdir()) == []


def test_import_out_of_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = sys.modules["coopdata.tables.read"]
    export_tables(tmp_path / "tables", RECORDS)

    def greedy(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(module, "check_records", greedy)
    result = CliRunner().invoke(main, ["import", str(tmp_path / "tables"), "--out",
                                       str(tmp_path / "records")])
    assert result.exit_code == 1
    assert result.output.endswith("Error: coopdata import ran out of memory: the records need "
                                  "more than this process may use (free memory, raise its "
                                  "limit such as ulimit -v, or use fewer records)\n")
    assert not (tmp_path / "records").exists()


def _limit_memory() -> None:  # in the child: room to start, not to hold 600,000 rows
    resource.setrlimit(resource.RLIMIT_AS, (450_000_000, 450_000_000))


def test_a_real_lack_of_memory_under_a_limit(tmp_path: Path) -> None:
    export_tables(tmp_path / "tables", RECORDS, blank=True)
    persons = tmp_path / "tables" / "persons.csv"
    header = persons.read_text(encoding="utf-8")
    commas = "," * (header.count(",") - 1)
    with open(persons, "w", encoding="utf-8") as handle:
        handle.write(header)
        handle.writelines(f"p{n},Person {n}{commas}\n" for n in range(600_000))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run([sys.executable, "-m", "coopdata", "import", "tables", "--out",
                             "records"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env=env, preexec_fn=_limit_memory)
    assert (result.returncode, result.stderr.splitlines()[-1:]) == (1, [
        "Error: coopdata import ran out of memory: the records need more than this process "
        "may use (free memory, raise its limit such as ulimit -v, or use fewer records)"]), \
        result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "records").exists()


# --- an empty version (case 16) ------------------------------------------------------

@pytest.mark.parametrize("version", ["", " ", "\t", "\u3000"])
def test_an_empty_version_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           version: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["release", "--records", str(RECORDS), "--out", "out",
                                       "--version", version, "--no-site"])
    assert (result.exit_code, result.output) == (
        2, f"reading 13 records from {RECORDS}\n"
           "Error: the version is empty: give a name such as 1.2.0, or leave --version out "
           "to name the release after its date\n")
    assert list(tmp_path.iterdir()) == []
