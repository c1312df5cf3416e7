"""The IATI comparison's short way (activities whose bytes are the same in both files are
unchanged, unparsed) gives exactly what the long way (every activity parsed, each element
canonicalised) gives: same bytes, changed activities, reordered, duplicate identifiers,
identifiers the short way cannot read plainly, an older file formatted otherwise, files
it must not cut (comments, CDATA, another head) and malformed spans."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from coopdata.errors import UsageError
from coopdata.release import iatidiff
from coopdata.release.iatidiff import ActivityChanges, compare_activities

HEAD = b"<?xml version='1.0' encoding='utf-8'?>\n<iati-activities version=\"2.03\">\n"
TAIL = b"</iati-activities>"

Activity = tuple[str, dict[str, str], list[tuple[str, str]]]
"""An identifier, the activity's attributes, its child elements (name, value)."""


def _element(activity: Activity) -> etree._Element:
    identifier, attributes, children = activity
    element = etree.Element("iati-activity", attributes)
    etree.SubElement(element, "iati-identifier").text = identifier
    for name, value in children:
        etree.SubElement(element, name, v=value).text = value[:1] or None
    return element


def _write(path: Path, activities: list[Activity], style: str = "writer") -> Path:
    """The activities as coopdata's writer writes them, or in another ``style``."""
    texts = [etree.tostring(_element(a), encoding="utf-8", pretty_print=style != "compact")
             for a in activities]
    head = HEAD
    if style == "head":
        head = head.replace(b'">', b'" generated-datetime="2026-01-01T00:00:00Z">')
    if style == "comment" and texts:
        texts[0] = texts[0].replace(b"</iati-identifier>", b"</iati-identifier><!-- x -->")
    if style == "cdata" and texts:
        texts[-1] = texts[-1].replace(b"<iati-identifier>", b"<iati-identifier><![CDATA[]]>")
    path.write_bytes(head + (b"" if style == "compact" else b"").join(texts) + TAIL)
    return path


def _long_way(old: Path, new: Path) -> ActivityChanges:
    return iatidiff._difference(dict(iatidiff._prints(old)), iatidiff._prints(new),
                                iatidiff._names)


_IDENTIFIERS = st.sampled_from(["A", "B", "C", " D ", "E&F", "G<H", ""])
_CHILDREN = st.lists(st.tuples(st.sampled_from(["title", "budget", "sector"]),
                               st.sampled_from(["1", "2", "x y", "é"])), max_size=3)
_ATTRIBUTES = st.dictionaries(st.sampled_from(["default-currency", "xml:lang",
                                               "linked-data-uri"]),
                              st.sampled_from(["EUR", "a>b", "fr"]), max_size=2).map(
    lambda d: {("{http://www.w3.org/XML/1998/namespace}lang" if k == "xml:lang" else k): v
               for k, v in d.items()})
_ACTIVITIES = st.lists(st.tuples(_IDENTIFIERS, _ATTRIBUTES, _CHILDREN), min_size=1,
                       max_size=6)


@settings(max_examples=150, deadline=None)
@given(old=_ACTIVITIES, edits=st.lists(st.tuples(st.sampled_from(
    ["keep", "change", "tweak", "drop", "add", "twice", "move"]), st.integers(0, 5)),
    max_size=6),
    extra=_ACTIVITIES, style=st.sampled_from(["writer", "writer", "writer", "compact", "head",
                                              "comment", "cdata"]))
def test_the_short_way_gives_the_long_ways_changes(
        old: list[Activity], edits: list[tuple[str, int]], extra: list[Activity],
        style: str) -> None:
    """An older file (coopdata's or formatted otherwise), then edits: activities kept,
    changed (one character or all), dropped, added, given twice, moved."""
    new = list(old)
    for (edit, at), other in zip(edits, extra * len(edits), strict=False):
        if not new:
            break
        at %= len(new)
        if edit == "change":
            new[at] = (new[at][0], other[1], other[2])
        elif edit == "tweak":  # (one character of one element: the same length)
            children = [(n, "2" if v == "1" else "1") for n, v in new[at][2][:1]]
            new[at] = (new[at][0], new[at][1], children + new[at][2][1:] or [("title", "1")])
        elif edit == "drop":
            del new[at]
        elif edit == "add":
            new.insert(at, other)
        elif edit == "twice":
            new.insert(at, (new[at][0], other[1], other[2]))
        elif edit == "move":
            new.append(new.pop(at))
    if not new:
        new = extra
    with tempfile.TemporaryDirectory() as folder:
        old_path = _write(Path(folder) / "old.xml", old, style)
        new_path = _write(Path(folder) / "new.xml", new)
        expected = _long_way(old_path, new_path)
        assert compare_activities(old_path, new_path, written=True) == expected
        assert compare_activities(old_path, new_path) == expected
        short = iatidiff._compare_spans(old_path, new_path)
        if style in ("writer", "compact"):
            assert short == expected  # (the short way was taken, and right)
        else:
            assert short is None  # (it must not cut these)


def test_same_bytes_are_never_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    activities = [(f"X-{n}", {}, [("title", str(n))]) for n in range(50)]
    old = _write(tmp_path / "old.xml", activities)
    changed = [*activities[:10], ("X-10", {}, [("title", "new")]), *activities[11:]]
    new = _write(tmp_path / "new.xml", changed)
    parsed: list[Path] = []
    prints = iatidiff._prints

    def counted(path: Path):  # type: ignore[no-untyped-def]
        parsed.append(path)
        return prints(path)

    monkeypatch.setattr(iatidiff, "_prints", counted)
    found = compare_activities(old, new, written=True)
    assert found == ActivityChanges([], [], {"X-10": ["title"]})
    assert len(parsed) == 2  # (one file of the one span that differs, on each side)
    assert compare_activities(old, old, written=True) == ActivityChanges()
    assert len(parsed) == 2


def test_an_older_file_indented_otherwise_is_read_the_long_way(tmp_path: Path) -> None:
    """Each span differs, so each is parsed; the indentation between elements is not a
    change there either."""
    activities = [("A", {}, [("title", "1"), ("budget", "2")]), ("B", {}, [("sector", "x")])]
    old = _write(tmp_path / "old.xml", activities, "compact")
    new = _write(tmp_path / "new.xml", activities)
    assert old.read_bytes() != new.read_bytes()
    assert compare_activities(old, new, written=True) == ActivityChanges()


def test_a_malformed_older_span_gives_the_long_ways_error(tmp_path: Path) -> None:
    activities = [("A", {}, [("title", "1")]), ("B", {}, [("title", "2")])]
    new = _write(tmp_path / "new.xml", activities)
    old = tmp_path / "old.xml"
    old.write_bytes(new.read_bytes().replace(b"<title v=\"2\">2</title>", b"<title v=\"3\">"))
    assert "malformed XML" in _the_long_ways_error(old, new)


def _the_long_ways_error(old: Path, new: Path) -> str:
    """The error the long way gives on ``old`` and ``new``, which the short way gives too
    (the newer file just written, or read through first)."""
    with pytest.raises(UsageError) as long_way:
        _long_way(old, new)
    for written in (True, False):
        with pytest.raises(UsageError) as short_way:
            compare_activities(old, new, written=written)
        assert str(short_way.value) == str(long_way.value)
    return str(long_way.value)


@pytest.mark.parametrize("spoilt, earlier_copy", [
    (b"<title v=\"9\">9</titl>", False),  # a removed activity, malformed
    (b"<title v=\"9\">&nbsp;</title>", False),  # an entity XML does not define
    (b"<title v=\"9\" x:y=\"1\">9</title>", False),  # a prefix never declared
    (b"<title v=\"9\">\xff</title>", True),  # an earlier copy of A, not UTF-8
])
def test_an_older_activity_not_in_the_newer_file_is_read_too(
        tmp_path: Path, spoilt: bytes, earlier_copy: bool) -> None:
    """The short way reads every activity of the older file whose bytes are not in the
    newer one (removed ones, earlier copies of an identifier), as the long way does: a
    malformed one gives the long way's error, not a quiet answer."""
    new = _write(tmp_path / "new.xml", [("A", {}, [("title", "1")])])
    old = _write(tmp_path / "old.xml", [("GONE", {}, [("title", "9")]),
                                        ("A", {}, [("title", "1")])])
    old.write_bytes(old.read_bytes().replace(b"<title v=\"9\">9</title>", spoilt))
    if earlier_copy:
        old.write_bytes(old.read_bytes().replace(b">GONE<", b">A<"))
    _the_long_ways_error(old, new)


def test_a_nested_activity_is_not_cut(tmp_path: Path) -> None:
    new = _write(tmp_path / "new.xml", [("A", {}, [])])
    old = tmp_path / "old.xml"
    old.write_bytes(HEAD + b"<iati-activity><iati-identifier>A</iati-identifier>"
                    b"<iati-activity><iati-identifier>B</iati-identifier></iati-activity>"
                    b"</iati-activity>\n" + TAIL)
    assert iatidiff._compare_spans(old, new) is None
    with pytest.raises(UsageError, match="inside another element"):
        compare_activities(old, new, written=True)


def test_one_file_only_needs_no_digests(tmp_path: Path) -> None:
    path = _write(tmp_path / "one.xml", [("B", {}, []), (" A ", {}, []), ("B", {}, [])])
    assert compare_activities(None, path) == ActivityChanges(added=["A", "B"])
    assert compare_activities(path, None) == ActivityChanges(removed=["A", "B"])


def test_activities_in_another_namespace_are_not_activities(tmp_path: Path) -> None:
    """The reader takes no ``{urn:x}iati-activity`` for an activity; neither way does."""
    other = b'<iati-activity xmlns="urn:x"><iati-identifier>N</iati-identifier></iati-activity>\n'
    plain = etree.tostring(_element(("N", {}, [("title", "1")])), pretty_print=True)
    changed = etree.tostring(_element(("N", {}, [("title", "2")])), pretty_print=True)
    old, new = tmp_path / "old.xml", tmp_path / "new.xml"
    for first, second in ((plain + other, changed + other), (other + plain, other + changed),
                          (other, changed), (plain, other)):
        old.write_bytes(HEAD + first + TAIL)
        new.write_bytes(HEAD + second + TAIL)
        assert compare_activities(old, new, written=True) == _long_way(old, new)


_XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"),
                                  blacklist_characters="\ufffe\uffff")
                    | st.sampled_from(" \t\n\r"), max_size=12)
"""Text an XML file can hold (whitespace and carriage returns included)."""


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_IDENTIFIERS, _XML_TEXT), min_size=1, max_size=8))
def test_the_identifiers_the_writer_knows_give_what_reading_its_file_gives(
        identifiers: list[str]) -> None:
    """A first release's activities are all added: from the identifiers the export wrote
    (``changelog.activity_changes(..., identifiers=...)``, as the forked export gives
    them), the same as from its file read back, whitespace, carriage returns, escaped
    characters and repeats included."""
    from coopdata.release.changelog import activity_changes

    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder) / "new.xml", [(i, {}, []) for i in identifiers])
        read = activity_changes(None, path, written=True)
        known = activity_changes(None, path, written=True, identifiers=identifiers)
        assert known == read == compare_activities(None, path)
