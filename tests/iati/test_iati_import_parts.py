"""A file cut into parts (each worker parsing only its own, :mod:`coopdata.iati.reading.parts`)
gives what the whole file gives: the same activities in the same order, at the same lines
(held at 65,535 as libxml2 holds them), with the same schema messages; a cut in the wrong
place (in a comment, a CDATA section, a processing instruction) is found, and the import
then reads the file the long way, with the same output."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopdata.iati.reading.importer import import_iati
from coopdata.iati.reading.read import ActivityFile, load_schema, schema_folder

_SPACE = st.sampled_from(["", "\n", "\r\n", "\r", "\n\n\n", " ", "\t"])
_TRAPS = [
    "<!-- <iati-activity><iati-identifier>X</iati-identifier></iati-activity> -->",
    "<![CDATA[<iati-activity>]]>",
    "<?pi <iati-activity ?>",
    "<!--<iati-activity -->",
]
"""Text holding ``<iati-activity`` that is no tag (CDATA: inside an activity only)."""
_NOTES = ["", ' x:note="n"']


@st.composite
def _files(draw: Any) -> bytes:
    """An activity file: activities on one or several lines, line ends of every kind,
    comments, some with ``<iati-activity`` in a comment, CDATA section or processing
    instruction, values the schema refuses, sometimes a namespace on the root."""
    space = draw(_SPACE)
    activities = []
    for number in range(draw(st.integers(min_value=0, max_value=12))):
        trap = draw(st.sampled_from(["", "", "", *_TRAPS]))
        inside = trap if trap else ""
        outside = trap if trap and "CDATA" not in trap else ""
        status = draw(st.sampled_from(["2", f"9{number}", ""]))  # (a warning of its own)
        activities.append(
            f"{outside}{draw(_SPACE)}<iati-activity{draw(st.sampled_from([' ', '']))}"
            f"{draw(st.sampled_from(_NOTES))}>{space}"
            f"<iati-identifier>A-{number}</iati-identifier>{draw(_SPACE)}"
            f"<title><narrative>T {number}{inside}</narrative></title>{space}"
            + (f'<activity-status code="{status}"/>' if status else "") +
            f"{draw(_SPACE)}</iati-activity>")
    lead = "\n" * draw(st.sampled_from([0, 1, 3]))
    text = (f'<?xml version="1.0" encoding="UTF-8"?>{lead}\n<iati-activities version="2.03"'
            f' xmlns:x="http://example.org/x">{draw(_SPACE)}{"".join(activities)}'
            f"{draw(_SPACE)}</iati-activities>{draw(_SPACE)}")
    return text.encode()


def _read(reading: ActivityFile) -> list[tuple[Any, ...]]:
    return [(reading.line(activity.sourceline), activity.findtext("iati-identifier"),
             tuple(reading.errors)) for activity in reading.activities()]


_SCHEMA = schema_folder()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_files(), st.integers(min_value=2, max_value=4), st.integers(min_value=0, max_value=2))
def test_parts_read_as_the_whole_file(tmp_path_factory: Any, data: bytes, count: int,
                                      padding: int) -> None:
    """Read part after part, the activities are those of the whole file, at the same lines
    and with the same schema messages; or a part says it could not be read (then the
    import reads the whole file instead). A part fails only where a trap was set."""
    if padding:  # (lines beyond 65,535: libxml2 gives 65,535 for them)
        data = data.replace(b"<iati-activities ", b"\n" * (40_000 * padding) +
                            b"<iati-activities ", 1)
    path = tmp_path_factory.mktemp("parts") / "a.xml"
    path.write_bytes(data)
    schema = load_schema(_SCHEMA) if _SCHEMA is not None else None
    whole = ActivityFile(path, schema)
    expected = _read(whole)
    found: list[tuple[Any, ...]] = []
    failed = False
    for share in range(count):
        reading = ActivityFile(path, schema, part=(share, count))
        found.extend(_read(reading))
        failed = failed or reading.failed
    if failed:
        assert any(trap.encode() in data for trap in _TRAPS)
    else:
        assert found == expected
    assert not whole.failed


def _output(out: Path, result: Any) -> dict[str, Any]:
    """The files written, the account (text and JSON) and the findings of an import."""
    from coopdata.iati.reading.summary import json_chunks, text_lines

    return {"files": {p.relative_to(out).as_posix(): p.read_bytes()
                      for p in sorted(out.rglob("*")) if p.is_file()},
            "text": [line.replace(out.name, "OUT") for line in text_lines(result)],
            "json": "".join(json_chunks(result)).replace(out.name, "OUT"),
            "findings": result.report.to_text()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_files())
def test_an_import_in_parts_gives_what_one_process_gives(tmp_path_factory: Any,
                                                         data: bytes) -> None:
    """Two workers (in parts, or the long way after a bad cut) give the records, the
    account and the findings of one process."""
    folder = tmp_path_factory.mktemp("import")
    (folder / "a.xml").write_bytes(data)
    outputs = []
    for workers in (1, 2):
        out = folder / f"records-{workers}"
        result = import_iati([folder / "a.xml"], out, schema=_SCHEMA, workers=workers)
        outputs.append(_output(out, result))
        result.close()
        shutil.rmtree(out, ignore_errors=True)
    assert outputs[0] == outputs[1]


def test_the_parts_of_a_plain_file_are_read_in_parts(tmp_path: Path) -> None:
    """Without traps, no part fails: the long way is the exception."""
    text = "".join(f"<iati-activity>\n<iati-identifier>A-{n}</iati-identifier>\n"
                   "</iati-activity>\n" for n in range(30))
    path = tmp_path / "a.xml"
    path.write_text(f'<iati-activities version="2.03">\n{text}</iati-activities>\n', "utf-8")
    for share in range(3):
        reading = ActivityFile(path, None, part=(share, 3))
        found = _read(reading)
        assert not reading.failed and 5 <= len(found) <= 15
        assert reading.place is not None and (share == 0) == (reading.place.offset == 0)
