"""The lines of the fields of a file the fast reader read are found from its lines alone,
and they are exactly the lines PyYAML's nodes give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from coopdata.records import read as records
from coopdata.records.fastread import read_plain
from coopdata.records.plainlines import field_line, plain_lines
from coopdata.records.read import read_record
from tests.records.test_fastyaml import _DATA, _KEYS, documents

ROOT = Path(__file__).resolve().parents[2]


def pyyaml_lines(text: str) -> dict[str, int]:
    """Field path → line, as the loader notes them on PyYAML's composed nodes."""
    lines: dict[str, int] = {}
    records._plain(yaml.compose(text, Loader=records._Loader), "", lines, None, 0)
    return lines


def read_fast(text: str) -> bool:
    return read_plain(text, records._typed_plain, max_depth=records.MAX_DEPTH) is not None


def assert_same_lines(text: str) -> None:
    """Every line the fast way finds is PyYAML's: the whole map, each field path asked
    alone (in any order, sharing what was read), and paths that are not there."""
    expected = pyyaml_lines(text)
    assert plain_lines(text) == expected, text
    blocks: dict[str, dict[str, int]] = {}
    asked = [*reversed(expected), *(f"{p}.zz" for p in expected), *(f"{p}[9]" for p in expected),
             "zz", "zz.a", "a.b", "a[1]", "title.fr"]
    for path in asked:
        assert field_line(text, path, blocks) == expected.get(path), (path, text)


@settings(max_examples=600, deadline=None)
@given(documents())
def test_lines_of_any_document_read_fast_are_pyyamls(text: str) -> None:
    if read_fast(text):
        assert_same_lines(text)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _DATA, min_size=1, max_size=5), st.sampled_from([None, False]),
       st.sampled_from([20, 80]), st.sampled_from([2, 4]))
def test_lines_of_dumped_yaml_are_pyyamls(data: dict[Any, Any], flow: bool | None, width: int,
                                          indent: int) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, width=width, indent=indent,
                          allow_unicode=True, sort_keys=False)
    if read_fast(text):
        assert_same_lines(text)


_DOTTED = st.sampled_from(["a", "b", "a.b", "b.c", "a.b.c", "c"])


@st.composite
def dotted_documents(draw: st.DrawFn) -> str:
    """Keys that are also paths of other keys (``a.b`` beside ``a`` holding ``b``): a path
    names the field that comes later in the file, as in PyYAML's lines."""
    lines = []
    for key in draw(st.lists(_DOTTED, min_size=1, max_size=4, unique=True)):
        shape = draw(st.sampled_from(["leaf", "map", "seq", "flow"]))
        if shape == "leaf":
            lines.append(f"{key}: x")
        elif shape == "flow":
            lines.append(f"{key}: {{b: 1, c: '[x, y]'}}")
        else:
            lines.append(f"{key}:")
            for inner in draw(st.lists(_DOTTED, min_size=1, max_size=3, unique=True)):
                lines.append(f"  {inner}: y" if shape == "map" else f"- {inner}: y")
    return "id: a\n" + "\n".join(lines) + "\n"


@settings(max_examples=400, deadline=None)
@given(dotted_documents())
def test_lines_of_dotted_keys_are_pyyamls(text: str) -> None:
    assert read_fast(text), text
    assert_same_lines(text)


@pytest.mark.parametrize("text", [
    "id: a\nlist:\n-\n  x: 1\n-\n-\n  - 1\n  - 2\nnext:\n  - a\n  -\n    - b\n",
    "id: a\nnote: one\n  two\n\n  three\nafter: [a, 'b, c', \"d]\", 'it''s']\n",
    "id: a\nname: {fr: 'x, y', en: \"a: b\"}\nempty: {}\nnone: []\nlast:\n",
    "id: a\nquoted: 'over\n  two lines'\nitems:\n- x\n",
])
def test_lines_of_blocks_items_and_flows(text: str) -> None:
    assert read_fast(text)
    assert_same_lines(text)


def test_lines_of_every_embedded_and_synthetic_record(tmp_path: Path) -> None:
    from benchmarks.synthetic import generate

    generate(200, tmp_path)
    files = sorted((ROOT / "records").rglob("*.yaml")) + sorted(tmp_path.rglob("*.yaml"))
    read = [text for text in (path.read_text(encoding="utf-8") for path in files)
            if read_fast(text)]
    assert len(read) > 300
    for text in read:
        assert_same_lines(text)


def test_a_record_read_fast_finds_its_lines_without_pyyaml(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.yaml"
    text = "id: a\ntitle:\n  fr: Un titre\nbudgets:\n- amount: 4\n  currency: EUR\n"
    path.write_text("\ufeff" + text, encoding="utf-8")
    record, _ = read_record(path, "project")
    assert record is not None
    composed = pyyaml_lines(text)

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("composed with PyYAML")

    monkeypatch.setattr(records.yaml, "compose", refused)
    assert record.line("budgets[1].currency") == 6 == composed["budgets[1].currency"]
    assert record.line("budgets[2].amount") == 4 and record.line("nothing") == 1
    assert dict(record.lines) == composed
