"""The record loader: plain data only, and the line of every field."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopdata import read_record
from coopdata.records import read as records
from coopdata.records.files import read_at_most
from tests.conftest import refused, write


def test_lines_of_fields_and_nested_items(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", "id: p\nbudgets:\n  - amount: 1.25\n    currency: EUR\n"
                 "  - amount: 3\n")
    record, findings = read_record(path, "project")
    assert findings == []
    assert record is not None
    assert record.data == {"id": "p", "budgets": [{"amount": Decimal("1.25"), "currency": "EUR"},
                                                  {"amount": 3}]}
    assert record.lines == {"id": 1, "budgets": 2, "budgets[1]": 3, "budgets[1].amount": 3,
                            "budgets[1].currency": 4, "budgets[2]": 5, "budgets[2].amount": 5}
    assert record.line("budgets[2].currency") == 5  # falls back to the enclosing item
    assert record.line("title") == 1


def test_dates_stay_as_written(tmp_path: Path) -> None:
    record, _ = read_record(write(tmp_path / "p.yaml", "id: p\nstart: 2019-02-30\nend: 2018\n"),
                            "event")
    assert record is not None
    assert record.data["start"] == "2019-02-30" and record.data["end"] == 2018


problems = refused


def test_malformed_yaml(tmp_path: Path) -> None:
    assert problems(tmp_path, "id: p\ntitle: {fr: x\n") == [
        "3 malformed YAML: did not find expected ',' or '}' [invalid-yaml]"]


def test_not_utf8(tmp_path: Path) -> None:
    assert problems(tmp_path, "id: p\ntitle: {fr: Coop\xe9ration}\n".encode("latin-1")) == [
        "2 the file is not UTF-8: byte 0xe9 cannot be decoded; save it as UTF-8 [not-utf8]"]


def test_aliases_are_refused(tmp_path: Path) -> None:
    bomb = "id: p\na: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"
    assert problems(tmp_path, bomb) == [
        "2 YAML anchors and aliases are not allowed in records [yaml-alias]"]


def test_python_tags_are_refused(tmp_path: Path) -> None:
    assert problems(tmp_path, "id: p\nx: !!python/object/apply:os.system [echo]\n") == [
        "2 YAML tag tag:yaml.org,2002:python/object/apply:os.system is not allowed: records "
        "hold plain data [yaml-tag]"]


def test_duplicate_keys(tmp_path: Path) -> None:
    assert problems(tmp_path, "id: p\nstatus: closed\nstatus: pipeline\n") == [
        '3 field "status" is given twice [duplicate-key]']


def test_deep_nesting(tmp_path: Path) -> None:
    assert problems(tmp_path, "id: p\nx: " + "[" * 30 + "]" * 30 + "\n") == [
        "2 nesting deeper than 20 levels [too-deep]"]


def test_not_a_map(tmp_path: Path) -> None:
    assert problems(tmp_path, "- id: p\n") == [
        "1 a record is a map of fields (`id: …` on the first line) [not-a-record]"]
    assert problems(tmp_path, "title: {fr: x}\n") == ["1 the record needs `id: p` [missing-id]"]
    assert problems(tmp_path, "") == ["None the file holds no record [empty-record]"]


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    record, findings = read_record(write(tmp_path / "p.yaml", "\ufeffid: p\n"), "project")
    assert findings == [] and record is not None and record.id == "p"


def test_python_m_coopdata_runs() -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "coopdata", "--version"], capture_output=True,
                            text=True, check=True)
    assert result.stdout == "coopdata, version 0.1.0\n"


def test_partial_dates_order_across_precisions() -> None:
    from coopdata import PartialDate

    dates = [PartialDate.parse(t) for t in ("2013-07", "2013-06-15", "2013", "2013-06")]
    assert [str(d) for d in sorted(dates)] == ["2013", "2013-06", "2013-06-15", "2013-07"]
    assert min(dates) == PartialDate(2013) and max(dates) == PartialDate(2013, 7)


# --- reading the file -----------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.integers(0, 400), st.integers(1, 300))
def test_a_file_is_read_whole_up_to_the_limit_whatever_its_size_seemed(
        content: bytes, size: int, limit: int) -> None:
    """``size`` is what fstat said: the file may have grown or shrunk since."""
    with tempfile.TemporaryFile() as handle:
        handle.write(content)
        handle.flush()
        handle.seek(0)
        assert read_at_most(handle.fileno(), limit, size) == content[:limit]


class _LimitedLoader(records._Loader):
    """libyaml as a version with a nesting limit of 25 levels would behave: it refuses the
    text while scanning, before any event (PyYAML 6.0.4 does so past 1,000 levels)."""

    def __init__(self, stream: str) -> None:
        import yaml

        depth = deepest = 0
        for character in stream:
            depth += {"[": 1, "{": 1, "]": -1, "}": -1}.get(character, 0)
            deepest = max(depth, deepest)
        if deepest > 25:
            raise yaml.scanner.ScannerError("while increasing flow level", None,
                                            "exceeded maximum nesting depth", None)
        super().__init__(stream)


def test_too_deep_does_not_depend_on_the_yaml_library_s_own_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """coopdata's documented finding is ``too-deep`` whatever nesting limit the library
    has (issue 15): a limit that fires before coopdata's check changes nothing."""
    monkeypatch.setattr(records, "_Loader", _LimitedLoader)
    for levels in (30, 2000):
        assert problems(tmp_path, "id: p\nx: " + "[" * levels + "]" * levels + "\n") == [
            "2 nesting deeper than 20 levels [too-deep]"], levels
    # a malformed text the library refuses for another reason keeps its own finding
    assert problems(tmp_path, "id: p\nx: [a\n")[0].endswith("[invalid-yaml]")
