"""Issue 14, cases 15, 17 and 18: unreadable folders are findings; what is invisible in a
finding (any column, any format) or in a store's reply is escaped, never printed raw."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopdata.records import files as records_module
from coopdata.records.load import load
from coopdata.report import Finding, Report, escape_invisible
from tests.conftest import write
from tests.publish.test_push import Stub, released, run, stub  # noqa: F401 - fixtures

_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2066", "\u00ad",
              "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\ue000", "\U000e0041",
              "\u0378", "\n", "\t", "\r", "\u00a0", "\u3000"]


def _printed(finding: Finding) -> list[str]:
    report = Report([finding], records=1)
    return [str(finding), report.to_text(), report.to_json()]


@pytest.mark.parametrize("character", _INVISIBLE)
@pytest.mark.parametrize("column", ["path", "record", "field", "message"])
def test_invisible_characters_are_escaped_in_every_column_and_format(character: str,
                                                                    column: str) -> None:
    values = {"path": "records/projects/first.yaml", "record": "first", "field": "title.fr",
              "message": "a rule"}
    values[column] = values[column].replace("r", f"r{character}", 1)
    finding = Finding("x", values["message"], path=values["path"], line=2,
                      record=values["record"], field=values["field"])
    for text in _printed(finding):
        assert character not in text.replace("\n", "") or character == "\n", repr(text)
        assert all(line.isprintable() for line in text.split("\n")), repr(text)
    # JSON escapes: the values read back are those of the finding
    entry = json.loads(Report([finding]).to_json())["findings"][0]
    assert entry[column] == values[column] and character in entry[column]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.text(max_size=30))
def test_any_finding_prints_as_printable_lines_and_tells_values_apart(one: str,
                                                                      two: str) -> None:
    first, second = (Finding("x", "m", path=f"p/{v}.yaml", record=v, field=v) for v in (one, two))
    for text in (str(first), Report([first]).to_text(), Report([first]).to_json()):
        assert all(line.isprintable() for line in text.split("\n"))
    if one != two and "\\" not in one + two:
        assert str(first) != str(second)
    assert json.loads(Report([first]).to_json())["findings"][0]["record"] == one


def test_a_record_named_with_a_zero_width_space_prints_escaped(records: Path) -> None:
    hidden = "fi\u200brst"
    write(records / "projects" / f"{hidden}.yaml",
          (records / "projects" / "first.yaml").read_text(encoding="utf-8")
          .replace("id: first", f"id: {hidden}"))
    _, report = load(records)
    text = report.to_text()
    assert "\u200b" not in text and "\u200b" not in report.to_json()
    assert "records/projects/fi\\u200brst.yaml:1 fi\\u200brst id:" in text


def test_escape_invisible_keeps_printable_text() -> None:
    text = "Ministère de l’Intérieur — «projet» 日本 😀"
    assert escape_invisible(text) == text


# --- case 15: unreadable folders and files -------------------------------------------

def _deny(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    """Listing ``denied`` fails as a folder without read permission does (the tests may
    run as root, whom permissions do not stop)."""
    listdir, iterdir = os.listdir, Path.iterdir

    def refuse(path: object) -> None:
        if Path(str(path)).resolve() == denied.resolve():
            raise PermissionError(13, "Permission denied", str(path))

    def listing(path: object = ".") -> list[str]:
        refuse(path)
        return listdir(path)  # type: ignore[arg-type]

    def iterating(self: Path):  # type: ignore[no-untyped-def]
        refuse(self)
        return iterdir(self)

    monkeypatch.setattr(records_module.os, "listdir", listing)
    monkeypatch.setattr(Path, "iterdir", iterating)


@pytest.mark.parametrize("folder", ["projects", "organisations", "."])
def test_an_unreadable_folder_is_a_finding(records: Path, monkeypatch: pytest.MonkeyPatch,
                                           folder: str) -> None:
    _deny(monkeypatch, records / folder)
    _, report = load(records)
    [finding] = [f for f in report.findings if f.code == "unreadable-folder"]
    assert finding.severity == "violation" and not report.valid
    assert finding.path == str(records / folder).removesuffix("/.")
    assert "Permission denied" in finding.message


def test_an_unreadable_file_is_a_finding(records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = records / "projects" / "first.yaml"
    opened = os.open

    def opening(path: object, *args: object, **kwargs: object) -> int:
        if Path(str(path)) == target:
            raise PermissionError(13, "Permission denied", str(path))
        return opened(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(records_module.os, "open", opening)
    _, report = load(records)
    assert [(f.code, f.path, f.message) for f in report.findings if f.code.startswith("unread")] \
        == [("unreadable-file", str(target), "cannot read the file: Permission denied")]


# --- case 18: the store's reply -----------------------------------------------------

@pytest.mark.parametrize("body", [b"\x1b[2J\x1b]0;owned\x07bad \xe2\x80\xae gnp.exe\x00 end",
                                  b"x" * 5000, "\u200b\u2066hidden".encode()])
def test_a_store_s_reply_is_escaped_and_cut(stub: Stub, released: Path,  # noqa: F811
                                           body: bytes) -> None:
    stub.status, stub.body = 500, body
    result = run("--release", str(released), "--endpoint", stub.url)
    assert result.exit_code == 1
    assert result.output.startswith("Error: the store answered 500: ")
    line = result.output.removesuffix("\n")
    assert "\n" not in line and line.isprintable(), repr(result.output)
    assert len(line) < 300
