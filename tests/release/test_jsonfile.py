"""JSON files written by orjson hold the bytes json.dump(ensure_ascii=False, indent=2)
wrote, with a list written a few items at a time as when written whole."""

from __future__ import annotations

import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from coopdata.jsonfile import dump_json, dump_json_list, json_bytes, json_text

# Any character, lone surrogates included, those the two encoders might escape apart, and
# text that looks like what makes json_bytes check the output.
strings = st.lists(st.characters(exclude_categories=()) | st.sampled_from(
    ["\x00", "\x1f", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff", '"', "\\", "\n", "é",
     "😀", "\ud800", "\udfff", "null", "1e-5", "0.0000"])).map("".join)
scalars = st.none() | st.booleans() | st.integers() | strings
keys = strings | st.integers() | st.booleans() | st.none() | st.floats()


def documents(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(leaves, lambda inner: st.lists(inner) | st.dictionaries(strings, inner)
                        | st.dictionaries(keys, inner), max_leaves=25)


def by_json(value: Any) -> bytes | type[UnicodeEncodeError]:
    """What json wrote, or the error it raised (lone surrogates cannot be UTF-8)."""
    try:
        return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")
    except UnicodeEncodeError:
        return UnicodeEncodeError


@settings(max_examples=200, deadline=None)
@given(documents(scalars | st.floats()))
def test_same_bytes_as_json(value: Any) -> None:
    expected = by_json(value)
    if expected is UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            json_bytes(value)
    else:
        assert json_bytes(value) == expected


@pytest.mark.parametrize("value", [
    1e-05, -2.5e-07, 9.99e-05, 1e-10, 1e16, 1.1, float("nan"), float("inf"), -float("inf"),
    [1e-05, None], {"a": float("nan")}, 2**64, -(2**63) - 1, {1: "a", "1": "b"}, {None: 1},
    {True: 1}, {1.5: 1}, (1, "tuple"), [], {}, {"a": []}, {"a": {}}, [[], {}],
    "\x00\x1f\x7f\x85\u2028\u2029", "\U0001f600", "e-5", None, True, 0, -1,
])
def test_values_the_encoders_write_differently(value: Any) -> None:
    assert json_bytes(value) == by_json(value)


@pytest.mark.parametrize("value", [Decimal("1.5"), {"a": {1, 2}}, b"bytes"])
def test_values_json_refuses_are_still_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        json_bytes(value)


def test_dump_json_ends_with_a_newline(tmp_path: Path) -> None:
    dump_json({"a": [1, "é"]}, tmp_path / "a.json")
    assert (tmp_path / "a.json").read_bytes() == '{\n  "a": [\n    1,\n    "é"\n  ]\n}\n'.encode()


def written_in_parts(head: dict[str, Any], key: str, items: list[Any]) -> bytes:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "list.json"
        dump_json_list(head, key, iter(items), path)
        return path.read_bytes()


@settings(max_examples=100, deadline=None)
@given(head=st.dictionaries(strings, documents(scalars | st.floats()), max_size=3),
       key=strings, items=st.lists(documents(scalars), max_size=40))
def test_a_list_written_in_parts_is_the_document_written_whole(
        head: dict[str, Any], key: str, items: list[Any]) -> None:
    assume(key not in head)
    expected = by_json({**head, key: items})
    if expected is UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            written_in_parts(head, key, items)
    else:
        assert written_in_parts(head, key, items) == expected + b"\n"


@pytest.mark.parametrize("count", [0, 1, 15, 16, 17, 32, 33, 100])
def test_every_count_of_items(count: int) -> None:
    head = {"@context": {"id": "@id"}}
    items = [{"id": f"n{n}", "label": {"fr": ["a", "b"]}, "empty": []} for n in range(count)]
    assert written_in_parts(head, "@graph", items) == by_json({**head, "@graph": items}) + b"\n"
    assert written_in_parts({}, "@graph", items) == by_json({"@graph": items}) + b"\n"


# Text whose spaces, line breaks and brackets could pass for indentation once written.
spaced = st.lists(st.sampled_from([" ", "  ", "\n", "\n  ", "[", "{", "}", '"', "é", "a", "1"])
                  ).map("".join)


@settings(max_examples=300, deadline=None)
@given(documents(scalars | st.floats() | spaced), st.sampled_from([1, 2]))
def test_json_text_is_json_dumps(value: Any, indent: int) -> None:
    assert json_text(value, indent) == json.dumps(value, ensure_ascii=False, indent=indent)


def test_json_text_deep_nesting() -> None:
    value: Any = {"  a": " b"}
    for depth in range(60):
        value = [value, {"k": value, "  ": ["  ", "\n   "]}] if depth % 7 == 0 else {"n": [value]}
    for indent in (1, 2):
        assert json_text(value, indent) == json.dumps(value, ensure_ascii=False, indent=indent)


def test_json_text_only_indents_json_writes_alike() -> None:
    with pytest.raises(ValueError):
        json_text({"a": 1}, 4)


@pytest.mark.parametrize("depth", [254, 255, 256, 400])
def test_json_text_as_deep_as_orjson_goes_and_deeper(depth: int) -> None:
    value: Any = "  x"
    for _ in range(depth):
        value = {"k": [value]} if depth % 2 else [value]
    for indent in (1, 2):
        assert json_text(value, indent) == json.dumps(value, ensure_ascii=False, indent=indent)
