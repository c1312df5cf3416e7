"""The fast reader of common YAML gives exactly what PyYAML gives, or leaves the text to it."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from coopdata.records import read as records
from coopdata.records.fastread import read_plain
from coopdata.records.read import read_record

ROOT = Path(__file__).resolve().parents[2]

REFUSED = "refused"


def fast(text: str) -> Any:
    return read_plain(text, records._typed_plain, max_depth=records.MAX_DEPTH)


def pyyaml(text: str) -> Any:
    """What the loader makes of ``text`` with PyYAML (:data:`REFUSED` for a finding)."""
    try:
        records._check_depth(text)
        node = yaml.compose(text, Loader=records._Loader)
        if node is None:
            return REFUSED
        return records._plain(node, "", None, set() if "*" in text else None, 0)
    except (yaml.YAMLError, records._RecordRefused):
        return REFUSED


def same(text: str) -> bool:
    """The fast reader leaves ``text`` to PyYAML, or reads exactly what PyYAML reads:
    the same values of the same types (``repr`` tells True from 1, and 1.0 from 1.00)."""
    got = fast(text)
    return got is None or repr(got) == repr(pyyaml(text))


def test_every_embedded_record_is_read_fast_and_as_pyyaml_reads_it() -> None:
    files = sorted((ROOT / "records").rglob("*.yaml"))
    assert len(files) > 100
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert repr(fast(text)) == repr(pyyaml(text)), path


def test_synthetic_records_are_read_fast_and_as_pyyaml_reads_them(tmp_path: Path) -> None:
    from benchmarks.synthetic import generate

    generate(300, tmp_path)  # with its deliberate errors
    for path in sorted(tmp_path.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert repr(fast(text)) == repr(pyyaml(text)), path


@pytest.mark.parametrize("text, expected", [
    ("id: a\nnote: one\n  two\n\n  three\n\n\n  four\n",
     {"id": "a", "note": "one two\nthree\n\nfour"}),
    ("id: a\nnote: 'it''s\n  long'\n", {"id": "a", "note": "it's long"}),
    ("id: a\nlist:\n- x\n-\n- y: 1\n  z: [a, 'b', \"c\"]\nend: {fr: \"d : e\"}\n",
     {"id": "a", "list": ["x", None, {"y": 1, "z": ["a", "b", "c"]}], "end": {"fr": "d : e"}}),
    ("id: a\nyes_no: [yes, no, ~, 010, 0o10, 1_000, 1.50, .inf, 2015-04-21]\n",
     {"id": "a", "yes_no": [True, False, None, "010", "0o10", 1000, records.Decimal("1.50"),
                            ".inf", "2015-04-21"]}),
    ("id: a\nempty:\nnext: ''\n", {"id": "a", "empty": None, "next": ""}),
])
def test_common_yaml_is_read_fast(text: str, expected: dict[str, Any]) -> None:
    assert repr(fast(text)) == repr(expected)
    assert repr(pyyaml(text)) == repr(expected)


@pytest.mark.parametrize("text", [
    "id: a  # a comment\n", "# a comment\nid: a\n", "id: a\nyes: 1\n", "id: a\n2015: x\n",
    "id: a\nid: b\n", "id: &x a\nother: *x\n", "id: !!str a\n", "id: |\n  a\n",
    "id: >\n  a\n", "id: \"a\\xb\"\n", "id: \"\\ud800\"\n", "id: \"a\\/\"\n", "id: a\n\tb: c\n",
    "id: a \n", "--- \nid: a\n",
    "id: a\nb: c: d\n", "id: a\n  b: c\n", "id: [a, [b]\n", "id: {a: {b: c}, a: d}\n",
    "id: [{a: b}, ]\n", "id: [{a: b} x]\n", "id: [a: b]\n",
    "- a\n", "a\n", "", "id: a\n?b\n", "\"id\": a\n", "id: 'a\n", "id: \"a\n  b\"\n",
    "id: a\nlist:\n  - a\n - b\n", "id: a\r\nb: c\r\n", "id: a\u2028b: c\n",
])
def test_anything_else_is_left_to_pyyaml(text: str) -> None:
    assert fast(text) is None


def test_nested_flow_collections_are_read_fast() -> None:
    text = 'id: a\nobjectives: [{en: "x: y", fr: \'z\'}, {es: w}]\nm: {a: [1, {b: []}]}\n'
    assert fast(text) == {"id": "a", "objectives": [{"en": "x: y", "fr": "z"}, {"es": "w"}],
                          "m": {"a": [1, {"b": []}]}}
    assert repr(fast(text)) == repr(pyyaml(text))


@pytest.mark.parametrize("levels", range(records.MAX_DEPTH - 3, records.MAX_DEPTH + 2))
def test_deep_flow_nesting_is_read_as_pyyaml_reads_it_or_left_to_it(levels: int) -> None:
    text = "id: a\nk: " + "[" * levels + "v" + "]" * levels + "\n"
    got = fast(text)
    assert got is None or repr(got) == repr(pyyaml(text))
    if levels > records.MAX_DEPTH - 1:
        assert got is None and pyyaml(text) == REFUSED


def test_deep_nesting_is_left_to_pyyaml() -> None:
    deep = "".join(f"{'  ' * n}k:\n" for n in range(records.MAX_DEPTH)) + \
        f"{'  ' * records.MAX_DEPTH}k: v\n"
    assert fast(deep) is None
    assert pyyaml(deep) == REFUSED


def test_a_record_read_fast_is_the_record_pyyaml_reads(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("id: b\ntitle:\n  fr: Un titre\n    sur deux lignes\nbudgets:\n"
                    "- amount: 4,1 M\n", encoding="utf-8")
    read_fast = read_record(path, "project")
    monkeypatch.setattr(records, "read_plain", lambda *args, **kwargs: None)
    read_by_pyyaml = read_record(path, "project")
    assert read_fast == read_by_pyyaml
    record, findings = read_fast
    assert record is not None and record.data["title"] == {"fr": "Un titre sur deux lignes"}
    assert record.line("budgets[1].amount") == 6
    assert [f.code for f in findings] == ["id-mismatch"]


# --- generated text -------------------------------------------------------------------

_SCALARS = st.one_of(
    st.text(st.sampled_from("abcdé’ .,'-"), max_size=40),
    st.sampled_from(["yes", "No", "on", "~", "null", "", "010", "0o10", "0x1F", "1_000",
                     "1.5", "-2", ".inf", ".NaN", "2015-04-21", "2015-04-21 10:00:00", "1e3",
                     "12:30", "=", "<<", "y", "true", "FALSE"]),
    st.integers(), st.booleans(), st.none(),
    st.text(st.sampled_from("abé’ :-'\",[]{}&*!|>%@`?~01.eE+_#\\\n\t"), max_size=12),
)
_KEYS = st.sampled_from(["id", "title", "fr", "en", "a.b", "x-y", "_", "a1", "b_c"] * 4
                        + ["yes", "1", "2015-04-21", "on", "", "a: b", "#", "'"]) \
    | st.text("abz", min_size=1)
_DATA = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(_KEYS, inner, max_size=4), max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_KEYS, _DATA, min_size=1, max_size=5),
       st.sampled_from([False, None, None, True]), st.sampled_from([None] * 4 + ["'", '"']),
       st.sampled_from([20, 80]), st.booleans(), st.sampled_from([2, 4]))
def test_dumped_yaml_is_read_as_pyyaml_reads_it(data: dict[Any, Any], flow: bool | None,
                                                style: str | None, width: int,
                                                unicode: bool, indent: int) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, default_style=style, width=width,
                          allow_unicode=unicode, indent=indent, sort_keys=False)
    assert same(text), text


_COMMON_LEAVES = ["x", "'b'", "'it''s'", '"a"', '"a\\nb \\"c\\" \\\\ \\u00e9\\t"',
                  '["a\\"b, c", "d\\u2028"]', '{en: "x\\r\\ny", fr: "\\\\"}', "[a, b]",
                  "[a, 'b c', \"d\"]", "{fr: x}",
                  '"a #1"', "'b #2'", '["x #y", \'#z\']', '{en: "# a", fr: "b #c"}',
                  "[{fr: x, en: 'y'}]", '[{en: "a: b"}, {fr: c}]', "{a: [b, c], d: {}}",
                  "[[a], {b: [c, {d: e}]}]", "[ {fr: x} , [] ]",
                  "{fr: 'x', en: y}", "{}", "[]", "010", "yes", "~", "1.0", "2015-04-21",
                  "a - b", "x:y", "é’", "a  b", "a,b", "'a", "b'", "''", "-1", "0x1F", "-9077",
                  "-1.5", "[-2, -x]", "-2015-04-21", "-1 a", "{a: -0}"]
_INDICATOR_CHARACTERS = "-?:,[]{}#&*!|>'\"%@`=<~"
"""YAML's indicator characters, and those of the scalars YAML 1.1 types apart (``=`` is
``!!value``, ``<<`` ``!!merge``, ``~`` null)."""
_SCALAR_LEAVES = [*dict.fromkeys([
    "=", "<<", "~", "!", "%", "@", "`", "==", "=x", "<<x", "<<:", "!x", "%x", "@x",
    "`x`", *_INDICATOR_CHARACTERS, *(f"{c}a" for c in _INDICATOR_CHARACTERS),
                  *(f"{c} a" for c in _INDICATOR_CHARACTERS)])]
"""Plain scalars made of, or starting with, an indicator (issue 14, case 7: ``fr: =``
was text to one reader and a refused tag, or a crash, to the other)."""
_ODD_LEAVES = [*_SCALAR_LEAVES, *(f"[{v}]" for v in _SCALAR_LEAVES),
               *(f"{{fr: {v}}}" for v in _SCALAR_LEAVES),
               *(f"[{{fr: {v}}}]" for v in _SCALAR_LEAVES),
               "[{a: b}, ]", "[{a: [b]]", '"a" #c', "'a' #c", '"a\\" #c"', "'a'' #c'",
               '[x, "y"] #c', "x #c", "x#c", "#c'", '["a", b #c]',  '"a" "#c"',
                "{a: {b: c}, a: d}", "[{a: b} c]", "[[a]: b]",
               "a: b", "a:", '"a', "[a,", "[a, ]", "&a x", "*a", "!!int 1", "|", ">", "a # c",
               "#c", "- x", "-", "?", ": x", "a ", "\ta", '"a\\tb"', '"a\\xb"', '"\\ud800"',
               '"\\udfff x"', '"\\u00g1"', '"\\u12"', '"\\/"', '"\\"', '"a\\"', '"\\e\\0"',
               '["\\"", x]', '{fr: "a\\", en: b}', '"\\U0001F600"', '"\\ "']
# Mostly common leaves and keys: a single troublesome one sends the text to PyYAML.
_LEAVES = st.sampled_from(_COMMON_LEAVES * 10 + _ODD_LEAVES) | st.text(
    st.sampled_from("ab :'\"-[]{},#é"), min_size=1, max_size=6)
_DOC_KEYS = st.sampled_from(["title", "fr", "en", "a.b", "x-y", "_"] * 8
                            + ["yes", "1", "a b", "'q'", "-k", "k ", "=", "<<", "~", "!"])


@st.composite
def documents(draw: st.DrawFn) -> str:
    """YAML text shaped like a record (blocks, items, folded lines, blank lines), its
    keys and scalars drawn from common and troublesome ones."""
    lines = ["id: a"]

    def leaf(indent: int) -> str:
        text = draw(_LEAVES)
        for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):  # lines folded into it
            text += "\n" * draw(st.sampled_from([1, 1, 2])) \
                + " " * (indent + draw(st.sampled_from([0, 1, 2, 2, 3]))) + draw(_LEAVES)
        return text

    def mapping(indent: int, depth: int, first: str = "") -> None:
        for n, key in enumerate(draw(st.lists(_DOC_KEYS, min_size=1, max_size=3, unique=True))):
            start = first if n == 0 and first else " " * indent
            shape = draw(st.sampled_from(["leaf", "leaf", "map", "seq", "empty"])) \
                if depth < 3 else "leaf"
            if shape == "leaf":
                lines.append(f"{start}{key}: {leaf(indent)}")
                continue
            lines.append(f"{start}{key}:")
            if shape == "map":
                mapping(indent + draw(st.sampled_from([1, 2, 4])), depth + 1)
            elif shape == "seq":
                sequence(indent + draw(st.sampled_from([0, 2])), depth + 1)

    def sequence(indent: int, depth: int) -> None:
        for _ in range(draw(st.integers(1, 3))):
            shape = draw(st.sampled_from(["leaf", "map", "empty"]))
            if shape == "leaf":
                lines.append(f"{' ' * indent}- {leaf(indent)}")
            elif shape == "empty":
                lines.append(f"{' ' * indent}-")
            else:
                mapping(indent + 2, depth + 1, first=f"{' ' * indent}- ")

    mapping(0, 0, first="")
    return "\n".join(lines) + "\n"


@settings(max_examples=2000, deadline=None)
@given(documents())
def test_any_text_read_fast_is_read_as_pyyaml_reads_it(text: str) -> None:
    got = fast(text)
    if got is not None:
        assert repr(got) == repr(pyyaml(text)), text



def read_both_ways(text: str) -> tuple[Any, Any]:
    """What :func:`read_record` makes of ``text`` with the fast reader, and without it:
    the record, its field lines and the findings (or the exception raised)."""
    def outcome() -> Any:
        try:
            record, findings = read_record(path, "project")
            if record is None:
                return None, None, [(f.code, f.line, f.field, f.message) for f in findings]
            return ((record.kind, record.id, record.data), dict(record.lines),
                    [(f.code, f.line, f.field, f.message) for f in findings])
        except Exception as exc:  # noqa: BLE001 - a crash is an outcome to compare
            return f"raised {type(exc).__name__}: {exc}"

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.yaml"
        path.write_text(text, encoding="utf-8")
        fast_way = outcome()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(records, "read_plain", lambda *args, **kwargs: None)
            pyyaml_way = outcome()
    return fast_way, pyyaml_way


@pytest.mark.parametrize("leaf", _SCALAR_LEAVES)
def test_indicator_scalars_are_read_alike_by_both_readers(leaf: str) -> None:
    for text in (f"id: a\nname: {{fr: {leaf}}}\n", f"id: a\nx: {leaf}\n",
                 f"id: a\nx: [{leaf}, b]\n", f"id: a\nx:\n- {leaf}\n"):
        fast_way, pyyaml_way = read_both_ways(text)
        assert repr(fast_way) == repr(pyyaml_way), text
        assert not str(fast_way).startswith("raised"), text


def test_an_equals_sign_is_text() -> None:
    ((_, _, data), _, findings), _ = read_both_ways("id: a\nname: {fr: =}\nx: [=]\n")
    assert data == {"id": "a", "name": {"fr": "="}, "x": ["="]}
    assert findings == []
    for text in ("id: a\nx: <<\n", "id: a\nx: {fr: <<}\n", "id: a\nx:\n  <<: {a: 1}\n"):
        (record, _, findings), _ = read_both_ways(text)  # a merge key stays refused
        assert record is None and [code for code, *_ in findings] == ["yaml-tag"], text


@settings(max_examples=500, deadline=None)
@given(documents())
def test_both_readers_agree_on_any_document(text: str) -> None:
    """The whole outcome of reading a file (record, lines, findings) is the same whether
    the fast reader reads it or leaves it to PyYAML, and never an exception."""
    fast_way, pyyaml_way = read_both_ways(text)
    assert repr(fast_way) == repr(pyyaml_way), text
    assert not str(fast_way).startswith("raised"), text


@st.composite
def documents_with_tabs_and_colons(draw: st.DrawFn) -> str:
    """A record-shaped document with a tab put into the indentation of some lines (at
    its start, after spaces, after a dash) and ": " into some values."""
    lines = draw(documents()).split("\n")
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        line = lines[at]
        indent = len(line) - len(line.lstrip(" -"))
        if draw(st.booleans()):
            where = draw(st.integers(0, indent))
            lines[at] = line[:where] + "\t" + line[where + (where < indent):]
        elif ": " in line:
            lines[at] = line + draw(st.sampled_from([": x", " a: b", ": ", " n: 1, y: z"]))
    return "\n".join(lines)


@settings(max_examples=150, deadline=None)
@given(documents_with_tabs_and_colons())
def test_both_readers_agree_on_tabs_and_colons(text: str) -> None:
    """Text with tabs in its indentation and ": " in its values gives the same record or
    findings, hints included, whichever reader reads it first."""
    fast_way, pyyaml_way = read_both_ways(text)
    assert repr(fast_way) == repr(pyyaml_way), text
    assert not str(fast_way).startswith("raised"), text


def test_the_records_the_iati_import_writes_are_read_fast(tmp_path: Path) -> None:
    """Imported records (texts in several languages as lists of flow mappings, texts with
    JSON escapes, negative numbers) are read by the fast reader, as PyYAML reads them:
    the generated activities, and the publishers' files of ``../shared/iati`` when there."""
    from benchmarks.iati_synthetic import write

    from coopdata.iati.reading.importer import import_iati
    from tests.conftest import SHARED

    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "synthetic.xml", 40)
    real = SHARED / "iati" / "activities"
    for path in sorted(real.glob("*.xml")) if real.is_dir() else []:
        shutil.copy(path, folder / path.name)
    import_iati([folder], tmp_path / "records", workers=1).close()
    files = sorted((tmp_path / "records").rglob("*.yaml"))
    assert len(files) > 40
    for path in files:
        text = path.read_text(encoding="utf-8")
        got = fast(text)
        assert got is not None, path
        assert repr(got) == repr(pyyaml(text)), path


_QUOTED = st.one_of(
    st.text(st.sampled_from("ab '\"\\#:é-"), max_size=8).map(
        lambda t: "'" + t.replace("'", "''") + "'"),
    st.text(st.sampled_from("ab '#:é-,[]"), max_size=8).map(lambda t: f'"{t}"'),
    st.text(st.sampled_from("ab'\"\\ntu0e9 "), max_size=8).map(lambda t: f'"{t}"'),
    st.sampled_from(["'2015'", "'15190'", "'x' ", "'a'b'", "'a' 'b'", '"a" b', "''", '""']))


@settings(max_examples=400, deadline=None)
@given(st.lists(_QUOTED, min_size=6, max_size=6))
def test_quoted_scalars_ending_on_their_line_are_read_as_pyyaml_reads_them(
        leaves: list[str]) -> None:
    """A quoted scalar that ends on its line, after a key, a dash, or a dash and a key,
    and first in a block after a key with nothing after it (the fast reader's common-line
    path takes these): the values, lines and findings of PyYAML, and read fast unless an
    escape or more text after the closing quote sends it to PyYAML."""
    a, b, c, d, e, f = leaves
    text = (f"id: a\nx: {a}\ny:\n- {b}\n- k: {c}\n  j: {d}\nz:\n  w: {e}\nv:\n  - {f}\n")
    fast_way, pyyaml_way = read_both_ways(text)
    assert repr(fast_way) == repr(pyyaml_way), text
    assert same(text), text
    if all(_SIMPLE_QUOTED.fullmatch(leaf) for leaf in leaves):
        assert fast(text) is not None, text


_SIMPLE_QUOTED = re.compile(r"'(?:[^']|'')*'|\"[^\"\\]*\"")
"""A quoted scalar without escapes, and nothing after it."""
