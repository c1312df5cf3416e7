"""The load step's shortcuts give what the long ways give: record paths as text, the
printable pre-check of the fast reader, and the field orders the checks remember."""

from __future__ import annotations

import sys
from pathlib import Path, PurePath

import yaml
from hypothesis import given
from hypothesis import strategies as st

from coopdata.model.dataset import RawRecord
from coopdata.model.spec import KINDS
from coopdata.records import fastread
from coopdata.records.checks import check_record
from coopdata.records.fastread import read_plain
from coopdata.records.files import record_file_names, record_files
from coopdata.records.read import MAX_DEPTH, _Loader, _plain, _stem, _typed_plain, read_record

NAMES = st.text(st.sampled_from("ab.-_ yé"), min_size=0, max_size=8)


@given(NAMES, st.booleans())
def test_the_stem_of_a_path_as_text_is_the_stem_of_its_path(name: str, yaml: bool) -> None:
    text = f"/records/projects/{name}{'.yaml' if yaml else ''}"
    assert _stem(text) == PurePath(text).stem == _stem(Path(text))


def test_record_file_names_are_the_record_files_as_text(tmp_path: Path) -> None:
    for folder, names in (("projects", ["b.yaml", "a.yaml", "c.yml", ".yaml", "x..yaml"]),
                          ("organisations", ["o.yaml"])):
        (tmp_path / folder).mkdir()
        for name in names:
            (tmp_path / folder / name).write_text(f"id: {name}\n", encoding="utf-8")
    files = list(record_files(tmp_path))
    assert len(files) == 5
    assert list(record_file_names(tmp_path)) == [(kind, str(path)) for kind, path in files]
    assert [read_record(str(path), kind) for kind, path in files] == \
        [read_record(path, kind) for kind, path in files]


def _refused_by_the_patterns(character: str) -> bool:
    return bool(fastread._CONTROL.search(character) or fastread._UNPRINTABLE.search(character))


def test_every_character_the_patterns_refuse_is_not_printable() -> None:
    """What makes the printable pre-check exact (:func:`fastread._unprintable`)."""
    refused = [chr(c) for c in range(sys.maxunicode + 1)
               if chr(c) != "\n" and _refused_by_the_patterns(chr(c))]
    assert len(refused) > 2000  # (the controls, the surrogates, the line separators…)
    assert not any(c.isprintable() for c in refused)


@given(st.text(st.characters(codec="utf-8") | st.sampled_from("\n\t\x85\u2028\ufeff\xa0")))
def test_the_printable_pre_check_agrees_with_the_patterns(text: str) -> None:
    expected = bool(fastread._CONTROL.search(text) or (
        not text.isascii() and fastread._UNPRINTABLE.search(text)))
    assert (not text.replace("\n", "").isprintable() and fastread._unprintable(text)) == expected


def _project(data: dict[str, object]) -> RawRecord:
    return RawRecord("project", "p", "projects/p.yaml", {"id": "p", **data}, {})


@given(st.permutations(["title", "status", "bogus", "countries", "planned_start", "other"]),
       st.integers(0, 6))
def test_remembered_field_orders_give_the_findings_of_each_record(names: list[str],
                                                                    keep: int) -> None:
    values = {"title": {"fr": "Titre"}, "status": "finalisation", "bogus": 1, "countries": ["MA"],
              "planned_start": "2019", "other": "x"}
    data = {name: values[name] for name in names[:keep]}
    first, again = check_record(_project(data)), check_record(_project(dict(data)))
    assert first == again
    checked, findings = first
    assert checked is not None
    assert [f.field for f in findings if f.code == "unknown-field"] == \
        [name for name in data if name in ("bogus", "other")]
    fields = KINDS["project"].fields
    assert [f.field for f in findings if f.code == "missing-field"] == \
        [spec.name for spec in fields if spec.required and spec.name not in data]
    assert list(checked.data) == [spec.name for spec in fields if spec.name in data]


_ITEM = st.sampled_from(["- a: 1", "  b: x", "- c", "  - d", "-  e: 2", "   f: y", "- ", ""])


@given(st.lists(_ITEM, max_size=6), st.sampled_from(["k: v", "k:", " k: v", "- k", "k: [a]",
                                                      "k: 'q'"]), st.booleans())
def test_the_end_of_an_indentless_sequence_is_read_as_pyyaml_reads_it(
        items: list[str], after: str, nested: bool) -> None:
    """A key after the items of ``list:`` (the fast reader's common-line path ends the
    sequence as its general path does): read as PyYAML reads it, or left to it."""
    lines = ["id: p", "list:", *items, after, "z: 1"]
    if nested:
        lines = ["id: p", "outer:", *(f"  {line}" if line else line for line in lines[1:])]
    text = "\n".join(lines) + "\n"
    fast = read_plain(text, _typed_plain, max_depth=MAX_DEPTH)
    if fast is not None:
        assert fast == _pyyaml(text)


def _pyyaml(text: str) -> object:
    node = yaml.compose(text, Loader=_Loader)
    return _plain(node, "", None, None, 0)
