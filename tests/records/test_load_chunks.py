"""The load step's shortcuts change nothing: chunks read by the loading process and by
its workers come back in the order of the files, and the checks' and the reader's
memories of values and lines give what checking and reading afresh gives."""

from __future__ import annotations

import importlib
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from benchmarks.synthetic import generate
from hypothesis import given, settings
from hypothesis import strategies as st

from coopdata.errors import CoopdataError
from coopdata.model.dataset import PickledRecord, Record
from coopdata.model.spec import KINDS
from coopdata.records import checks, fastread
from coopdata.records.checks import check_record
from coopdata.records.files import record_files
from coopdata.records.read import MAX_DEPTH, _typed_plain, read_record

load = importlib.import_module("coopdata.records.load")  # the module, not the function


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate(120, out, seed=5, error_every=4)
    return out



def test_a_worker_killed_stops_the_load_with_an_error(corpus: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed while it reads (as the out-of-memory killer does) ends the load with
    an error, at once: no hang waiting for its chunk, no dataset missing its records."""
    files = list(record_files(corpus))
    parent, real = os.getpid(), load._read_and_check

    def dying(chunk: list[tuple[str, Path]], compact: frozenset[str], keep: bool) -> Any:
        if os.getpid() != parent:
            try:
                (tmp_path / "killed").mkdir()  # the first chunk a worker takes, once
            except FileExistsError:
                pass
            else:
                os.kill(os.getpid(), signal.SIGKILL)
        return real(chunk, compact, keep)

    def hung(*_: object) -> None:
        raise AssertionError("the load still waits for the killed worker after 60 s")

    monkeypatch.setattr(load, "CHUNK", 3)
    monkeypatch.setattr(load, "_read_and_check", dying)
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        with pytest.raises(CoopdataError, match="a process reading the records stopped"):
            load._in_parallel(files, 2, frozenset(), lambda: [], False)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert (tmp_path / "killed").is_dir()  # (a worker did take a chunk, and died)


@pytest.mark.parametrize("keep", [True, False], ids=["with-bytes", "without"])
@pytest.mark.parametrize("compact", [frozenset(), frozenset(KINDS)], ids=["objects", "pickled"])
@pytest.mark.parametrize("processes", [2, 3])
def test_chunks_come_back_in_the_order_of_the_files(corpus: Path, processes: int,
                                                    compact: frozenset[str], keep: bool,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of three files, taken by whichever process is free: the parts, joined,
    are what one process reading every file in turn makes (its records as objects, or
    pickled where they were read); the bytes of each file come back only to be kept
    (for the cache)."""
    files = list(record_files(corpus))
    serial = load._read_and_check(files, frozenset(), keep)
    monkeypatch.setattr(load, "CHUNK", 3)
    parts, found = load._in_parallel(files, processes, compact, lambda: ["meanwhile"], keep)
    assert found == ["meanwhile"]
    assert len(parts) == -(-len(files) // 3)
    joined = [file for part in parts for file in part]  # (one entry a file, in order)
    assert len(joined) == len(serial) == len(files)

    def said(entry: tuple[Any, ...]) -> tuple[Any, ...]:
        record, findings, data = entry
        if isinstance(record, PickledRecord):
            assert record.kind in compact
            assert (record.id, record.line("id")) == (record.record().id,
                                                      record.record().line("id"))
            record = record.record()
        kept = (record.kind, record.id, record.path, record.data) \
            if isinstance(record, Record) else record
        return kept, [str(f) for f in findings], data

    assert [said(entry) for entry in joined] == [said(entry) for entry in serial]
    assert any(f.line and f.line > 1 for entry in joined for f in entry[1])
    assert any(entry[2] for entry in joined) == keep


def _fresh_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "_ACCEPTED", {})
    monkeypatch.setattr(checks, "_CLEAN_TEXT", set())


def _checked(record: Record) -> tuple[Any, list[tuple[Any, ...]]]:
    typed, findings = check_record(record)
    return (None if typed is None else typed.data), [
        (f.code, f.field, f.line, f.record, f.message, f.severity) for f in findings]


def test_remembered_values_give_what_fresh_checks_give(
        corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every record of a corpus with every kind of injected error checked with the
    checks' memories empty, then again once they hold the whole corpus."""
    records = [read_record(path, kind)[0] for kind, path in record_files(corpus)]
    _fresh_checks(monkeypatch)
    fresh = [_checked(record) for record in records if record is not None]
    assert checks._ACCEPTED and checks._CLEAN_TEXT  # (the second pass takes them)
    again = [_checked(record) for record in records if record is not None]
    assert again == fresh
    assert {"type-error", "unknown-code", "unknown-country", "invalid-date", "missing-field",
            "mojibake", "unknown-currency", "unknown-language", "unknown-field"} <= {
        finding[0] for _, found in fresh for finding in found}


_VALUES = st.one_of(st.sampled_from(["MA", "MOR", "EUR", "EURO", "fr", "xx", "2019-02-30",
                                     "2019-02", "org-1", "Org 1", "33.5 -7.5", "95 0",
                                     "https://example.org/a b", "https://example.org/",
                                     "RĂ©sultat", "Résultat", " MA ", "", "ongoing",
                                     "implementation", "text\u0085", "\ufffd"]),
                    st.text(max_size=8))


@settings(max_examples=150, deadline=None)
@given(countries=st.lists(_VALUES, max_size=4), status=_VALUES, start=_VALUES,
       currency=_VALUES, url=_VALUES, title=_VALUES, language=_VALUES)
def test_a_value_refused_is_refused_at_every_place(countries: list[str], status: str,
                                                   start: str, currency: str, url: str,
                                                   title: str, language: str) -> None:
    """Generated values in the fields the checks remember, checked with empty memories
    and then again: the same typed values and findings, and each country refused at
    each of its places (the list is given twice)."""
    data = {"id": "p", "type": "project", "title": {"fr": title}, "status": status,
            "countries": countries + countries, "planned_start": start, "language": language,
            "budgets": [{"amount": 5, "currency": currency}], "sources": ["s"],
            "document_links": [{"url": url, "title": {"en": title}}]}
    record = Record("project", "p", "p.yaml", data)
    saved = checks._ACCEPTED, checks._CLEAN_TEXT
    checks._ACCEPTED, checks._CLEAN_TEXT = {}, set()
    try:
        fresh = _checked(record)
        assert _checked(record) == fresh
    finally:
        checks._ACCEPTED, checks._CLEAN_TEXT = saved
    refused = {field for _, field, *_ in fresh[1] if field and field.startswith("countries[")}
    for n in range(1, len(countries) + 1):
        assert (f"countries[{n}]" in refused) == (f"countries[{n + len(countries)}]" in refused)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.sampled_from([
    "id: p", "title:", "  fr: A", "  en: B C", "budgets:", "- amount: 3", "  currency: EUR",
    "  - x", "- y", "countries: [MA, SN]", "name: 'it''s'", "  continued", "yes: 1",
    "status: on", "x:", "- fr: A", "  role: funding", "", "  - amount: 3"]), min_size=1,
    max_size=12))
def test_remembered_lines_read_as_fresh_ones(lines: list[str]) -> None:
    """Texts made of a few recurring lines, read with the reader's memory of lines empty
    and then full: the same data (or, both times, none)."""
    text = "\n".join(lines) + "\n"
    saved = dict(fastread._REMEMBERED)
    fastread._REMEMBERED.clear()
    try:
        fresh = fastread.read_plain(text, _typed_plain, max_depth=MAX_DEPTH)
        again = fastread.read_plain(text, _typed_plain, max_depth=MAX_DEPTH)
    finally:
        fastread._REMEMBERED.clear()
        fastread._REMEMBERED.update(saved)
    assert again == fresh
