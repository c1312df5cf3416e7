"""Names that try to escape: symlinks, pipes, ids with paths, device names, control characters.

Cases of docs/reliability.md; every test writes below its own ``tmp_path`` and fetches
nothing from the network."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

from coopdata.model.dataset import Record
from coopdata.model.fieldtypes import SLUG
from coopdata.records.dataset import check_records
from coopdata.release.build import export_tables
from coopdata.tables.layout import tables
from tests.conftest import write
from tests.reliability.hostile import run


def test_symlinked_record_file_is_not_read(records: Path, tmp_path: Path) -> None:
    outside = write(tmp_path / "outside.yaml", "id: outside\nname: Secret\nsources: [doc-a]\n")
    (records / "persons" / "outside.yaml").symlink_to(outside)
    (records / "persons" / "hostname.yaml").symlink_to("/etc/hostname")
    assert run("validate", "--records", "records") == (1, "\n".join([
        "reading 15 records from records",  # (record files: the links are counted, not read)
        "records/persons/hostname.yaml: not read: record files are never symbolic links; copy "
        "the file here instead [symlink-refused]",
        "records/persons/outside.yaml: not read: record files are never symbolic links; copy "
        "the file here instead [symlink-refused]",
        "invalid: 13 records: 2 violations, 0 warnings, 0 infos\n"]))
    assert run("build", "--records", "records", "--out", "out")[0] == 1
    assert not Path("out").exists()


def test_symlink_to_another_record_is_not_read(records: Path) -> None:
    (records / "persons" / "guest-2.yaml").symlink_to(records / "persons" / "guest.yaml")
    assert run("validate", "--records", "records") == (1, "\n".join([
        "reading 14 records from records",  # (record files: the link is counted, not read)
        "records/persons/guest-2.yaml: not read: record files are never symbolic links; copy "
        "the file here instead [symlink-refused]",
        "invalid: 13 records: 1 violation, 0 warnings, 0 infos\n"]))


def test_symlinked_record_folder_is_not_read(records: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.move(records / "persons", elsewhere)
    (records / "persons").symlink_to(elsewhere, target_is_directory=True)
    code, output = run("validate", "--records", "records")
    assert code == 1
    assert ("records/persons: not read: record folders are never symbolic links; copy the "
            "folder here instead [symlink-refused]\n") in output
    assert "12 records" in output.splitlines()[-1]  # guest.yaml was not read


def test_named_pipe_does_not_hang_the_loader(records: Path) -> None:
    os.mkfifo(records / "persons" / "pipe.yaml")  # reading a FIFO blocks until a writer comes
    (records / "persons" / "folder.yaml").mkdir()
    assert run("validate", "--records", "records") == (1, "\n".join([
        "reading 15 records from records",  # (entries named *.yaml: counted, not read)
        "records/persons/folder.yaml: not read: not a regular file (a folder, named pipe or "
        "device) [unreadable-file]",
        "records/persons/pipe.yaml: not read: not a regular file (a folder, named pipe or "
        "device) [unreadable-file]",
        "invalid: 13 records: 2 violations, 0 warnings, 0 infos\n"]))


ESCAPING_IDS = [
    ("../../evil", '"../../evil" is not a valid id: use lower-case letters, digits and single '
     "hyphens, at most 80 characters"),
    ("/etc/passwd", '"/etc/passwd" is not a valid id: use lower-case letters, digits and '
     "single hyphens, at most 80 characters"),
    ("a\x00b", '"a\\x00b" is not a valid id: use lower-case letters, digits and single '
     "hyphens, at most 80 characters"),
    ("r\u0435cosa", '"r\\u0435cosa" is not a valid id: use lower-case letters, digits and '
     "single hyphens, at most 80 characters"),  # a Cyrillic е
    ("\uff52\uff45\uff43\uff4f\uff53\uff41", '"\\uff52\\uff45\\uff43\\uff4f\\uff53\\uff41" is '
     "not a valid id: use lower-case letters, digits and single hyphens, at most 80 "
     "characters"),  # fullwidth letters
    ("recosa\n", '"recosa\\n" is not a valid id: use lower-case letters, digits and single '
     "hyphens, at most 80 characters"),
    *((name, f'"{name}" is not a valid id: it names a device on Windows (con, prn, aux, nul, '
       "com0-com9, lpt0-lpt9), so no file can be called after it there")
      for name in ("con", "prn", "aux", "nul", "com0", "com9", "lpt1")),
]


@pytest.mark.parametrize(("record_id", "message"), ESCAPING_IDS,
                         ids=[repr(i) for i, _ in ESCAPING_IDS])
def test_ids_that_try_to_escape_are_invalid(record_id: str, message: str) -> None:
    record = Record("person", record_id, "persons/x.yaml", {"id": record_id, "name": "X"},
                    {"id": 1})
    dataset, findings = check_records([record])
    assert len(dataset) == 0
    assert [(f.code, f.message) for f in findings] == [("invalid-id", message)]


def test_windows_device_name_file_is_refused(records: Path) -> None:
    write(records / "persons" / "con.yaml", "id: con\nname: Console\nsources: [doc-a]\n")
    assert run("validate", "--records", "records") == (1, "\n".join([
        "reading 14 records from records",
        'records/persons/con.yaml:1 con id: "con" is not a valid id: it names a device on '
        "Windows (con, prn, aux, nul, com0-com9, lpt0-lpt9), so no file can be called after "
        "it there [invalid-id]",
        "invalid: 14 records: 1 violation, 0 warnings, 0 infos\n"]))


def test_id_slug_is_ascii_only() -> None:
    # [a-z0-9] in a str pattern is those 36 code points: no look-alike, no other digit.
    matching = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000
                and SLUG.fullmatch(chr(c))]
    assert "".join(matching) == "0123456789abcdefghijklmnopqrstuvwxyz"


def test_control_characters_in_ids_never_reach_the_terminal(records: Path) -> None:
    write(records / "persons" / "x.yaml", 'id: "\\e[31mred\\u202e"\nname: X\nsources: [doc-a]\n')
    code, output = run("validate", "--records", "records")
    assert code == 1 and "\x1b" not in output and "\u202e" not in output
    assert output.startswith(
        "reading 14 records from records\n"
        'records/persons/x.yaml:1 \\x1b[31mred\\u202e id: the id "\\x1b[31mred\\u202e" differs '
        "from the file name; rename the file to \\x1b[31mred\\u202e.yaml or set `id: x` "
        "[id-mismatch]\n")


def persons_table(directory: Path, rows: list[list[str]]) -> None:
    header = next(t for t in tables() if t.name == "persons").header
    export_tables(directory, blank=True)  # every table, for import to accept the package
    with open(directory / "persons.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row + [""] * (len(header) - len(row)))


def test_import_refuses_ids_that_escape_before_writing(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    persons_table(tmp_path / "deep" / "tables", [["../../evil", "Evil"], ["con", "Console"]])
    before = sorted(tmp_path.rglob("*"))
    code, output = run("import", "deep/tables", "--out", "deep/out")
    assert code == 1 and output.endswith("nothing was written\n")
    assert '"../../evil" is not a valid id' in output and '"con" is not a valid id' in output
    assert sorted(tmp_path.rglob("*")) == before  # not evil.yaml, not con.yaml, no deep/out
