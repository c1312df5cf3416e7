"""IATI files in other encodings than UTF-8 (XML allows any its declaration or byte order
mark names; real publishers' tools write UTF-16 and Latin-1): imported exactly as the same
activities in UTF-8, by one worker or two, and a file whose bytes do not match its
encoding refused at its line, never guessed."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopdata.iati.reading.importer import import_iati
from tests.iati.test_iati_import import _output, _schema

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "iso-8859-1",
             "windows-1252"]


def _encoded(text: str, encoding: str) -> bytes:
    """``text`` (an XML document declared UTF-8) in ``encoding``, declared so; UTF-16
    without a byte order mark gets one (XML requires it)."""
    declared = {"utf-8-sig": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}.get(
        encoding, encoding.upper())
    body = text.replace('encoding="UTF-8"', f'encoding="{declared}"', 1)
    data = body.encode(encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data
    elif encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    elif encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
        data = b"\xef\xbb\xbf" + data
    return data


def _import(tmp_path: Path, name: str, data: bytes, workers: int) -> tuple[Path, Path, Any]:
    """``data`` as ``activities.xml`` in a folder of its own, imported by ``workers``: the
    folder, the records folder and the result (to be closed)."""
    folder = tmp_path / f"in-{name}-{workers}"
    folder.mkdir()
    (folder / "activities.xml").write_bytes(data)
    out = tmp_path / f"out-{name}-{workers}"
    return folder, out, import_iati([folder / "activities.xml"], out, schema=_schema(),
                                    workers=workers)


def _imported(tmp_path: Path, name: str, data: bytes, workers: int) -> dict[str, Any]:
    """What the import of ``data`` gives (:func:`_output`), its input folder named IN."""
    folder, out, result = _import(tmp_path, name, data, workers)
    try:
        output = _output(out, result)
        for said in ("findings", "json"):
            output[said] = output[said].replace(str(folder), "IN")
        output["text"] = [line.replace(str(folder), "IN") for line in output["text"]]
        return output
    finally:
        result.close()


def _activities(count: int, names: list[str]) -> str:
    from benchmarks.iati_synthetic import activities

    body = "".join(activities(count, seed=3))
    # the partners' names in the characters of each encoding, in turns
    turns = itertools.cycle(names)
    body = re.sub(r"<narrative>Partner (\d+)</narrative>",
                  lambda m: f"<narrative>{next(turns)} {m[1]}</narrative>", body)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<iati-activities version="2.03" generated-datetime="2024-01-01T00:00:00Z">\n'
            f"{body}</iati-activities>\n")


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_an_encoding_gives_the_records_of_utf8(tmp_path: Path, encoding: str) -> None:
    text = _activities(12, ["Société générale", "Coöperatie", "Ünion"])
    expected = _imported(tmp_path, "utf8", text.encode("utf-8"), 1)
    assert "Société générale" in "".join(v.decode("utf-8") for v in expected["files"].values())
    for workers in (1, 2):
        assert _imported(tmp_path, encoding, _encoded(text, encoding), workers) == expected


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text(st.characters(codec="latin-1", exclude_categories=("Cc", "Cs")),
                              min_size=1, max_size=8).map(str.strip).filter(bool),
                      min_size=1, max_size=3),
       encoding=st.sampled_from(["utf-16", "iso-8859-1"]))
def test_any_latin1_text_survives_any_encoding(tmp_path_factory: pytest.TempPathFactory,
                                               names: list[str], encoding: str) -> None:
    from xml.sax.saxutils import escape

    tmp_path = tmp_path_factory.mktemp("enc")
    text = _activities(3, [escape(name) for name in names])
    expected = _imported(tmp_path, "utf8", text.encode("utf-8"), 1)
    assert _imported(tmp_path, encoding, _encoded(text, encoding), 2) == expected


def test_bytes_that_do_not_match_the_declared_encoding_are_refused_at_their_line(
        tmp_path: Path) -> None:
    """Latin-1 bytes in a file declared (or defaulting to) UTF-8: a violation at the line
    of the first bad byte, nothing written; never read as another encoding."""
    text = _activities(4, ["Société"])
    data = text.encode("utf-8").replace("Société".encode(), "Société".encode("latin-1"))
    line = data[:data.index(b"Soci")].count(b"\n") + 1
    for workers in (1, 2):
        _, out, result = _import(tmp_path, "bad", data, workers)
        try:
            assert not result.report.valid and not out.exists()
            [finding] = [f for f in result.report.findings if f.code == "malformed-xml"]
            assert finding.line == line
        finally:
            result.close()
