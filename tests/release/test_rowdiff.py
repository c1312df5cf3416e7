"""A second release's changelog reads back from the previous release only the records whose
table rows differ (release/rowdiff.py): for any records and any edits (values replaced, a
record whose only change is in a (deeply) nested list, a text in another language, records added,
removed or rewritten the same) it gives exactly the changes of the previous release read
back whole, and so does it (by reading it whole) when the previous tables are not as this
release writes them."""

from __future__ import annotations

import copy
import hashlib
import re
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopdata.errors import UsageError
from coopdata.model.dataset import Dataset, Record
from coopdata.model.spec import KINDS, Field
from coopdata.records.dataset import check_references
from coopdata.release import rowdiff
from coopdata.release.changelog import compare, compare_with_release, release_records
from coopdata.release.rowdiff import changed_records, record_sources
from coopdata.tables.package import write_package
from tests.strategies import IDS, datasets, value

EDITS = ("replace", "nested", "shallow", "language", "add", "remove", "same")


def _nested(data: dict[str, Any], depth: int) -> bool:
    """Change the first number of an item of a list of objects ``depth`` lists deep
    (1: ``budgets[1].amount``, 2: ``results[1].targets[1].value``)."""
    for value_ in data.values():
        for item in value_ if isinstance(value_, list) else ():
            if isinstance(item, dict):
                if depth > 1 and _nested(item, depth - 1):
                    return True
                for key, inner in item.items() if depth == 1 else ():
                    if isinstance(inner, Decimal):
                        item[key] = inner + 1
                        return True
    return False


def _deepest(data: dict[str, Any]) -> bool:
    """Change a number as deep in lists of objects as there is one, two lists or more."""
    return any(_nested(data, depth) for depth in (4, 3, 2))


def _language(kind: str, data: dict[str, Any]) -> bool:
    """Give the first text a Spanish version (another language than the tables' columns).
    A text is a field of type text, not any map of strings: an object of text values
    (``loan_terms: {repayment_plan: "1"}``) given an ``es`` key is no record a load
    would give (a hypothesis run found that edit once)."""
    texts = {spec.name for spec in KINDS[kind].fields if spec.is_text and not spec.many}
    for name, inner in data.items():
        if name in texts and isinstance(inner, dict) and inner:
            inner["es"] = inner.get("es", "") + "texto"
            return True
    return False


_MISSING = re.compile(r'no (\w+) "([^"]+)"')


@st.composite
def complete(draw: st.DrawFn) -> Dataset:
    """Records whose references all name a record: each record named but missing is made
    (a copy of another of its kind, else drawn), until none is."""
    dataset = draw(datasets())
    for _ in range(len(KINDS) * len(IDS)):
        missing = {found.groups() for finding in check_references(dataset)
                   if (found := _MISSING.match(finding.message))}
        if not missing:
            break
        for kind, record_id in sorted(missing):
            others = dataset.of_kind(kind)
            data = copy.deepcopy(others[0].data) if others else draw(value(Field(
                "record", "object", "x", "x", node_class="x", fields=KINDS[kind].fields)))
            dataset.add(Record(kind, record_id, f"{KINDS[kind].folder}/{record_id}.yaml",
                               data))
    return dataset


@st.composite
def edited(draw: st.DrawFn) -> tuple[Dataset, Dataset]:
    """Records (their references whole, mostly), and the same after a sequence of edits."""
    old = draw(st.one_of(complete(), complete(), complete(), datasets()))
    new = Dataset()
    for record in old:
        new.add(Record(record.kind, record.id, record.path, copy.deepcopy(record.data)))
    for edit in draw(st.lists(st.sampled_from(EDITS), max_size=5)):
        records = list(new)
        if edit == "nested":  # (a record with a number two lists deep or more)
            records = [r for r in records if _deepest(copy.deepcopy(r.data))]
        if not records:
            continue
        record = draw(st.sampled_from(records))
        if edit == "replace":
            data = draw(value(Field("record", "object", "x", "x", node_class="x",
                                    fields=KINDS[record.kind].fields)))
            record.data = data
        elif edit == "nested" and not _deepest(record.data) or \
                edit == "shallow" and not _nested(record.data, 1) or \
                edit == "language" and not _language(record.kind, record.data):
            continue
        elif edit == "add":
            new.add(Record(record.kind, f"{record.id}-bis", record.path,
                           copy.deepcopy(record.data)))
        elif edit == "remove":
            del new.by_kind[record.kind][record.id]
        elif edit == "same":
            record.data = copy.deepcopy(record.data)
    return old, new


def _releases(folder: Path, old: Dataset, new: Dataset) -> tuple[Path, Path]:
    """The previous release (its tables and a graph.nt) and the tables of the next."""
    last, next_ = folder / "1", folder / "2"
    for records, release in ((old, last), (new, next_)):
        (release / "tables").mkdir(parents=True)
        write_package(records, release / "tables")
        (release / "tables" / "datapackage.json").unlink()
    (last / "graph.nt").write_text("", "utf-8")
    return last, next_


def _outcome(run: Any) -> tuple[str, str]:
    try:
        changes = run()
    except UsageError as exc:
        return "error", str(exc)
    return changes.to_markdown(), changes.to_json()


def _long_way(last: Path, new: Dataset) -> tuple[str, str]:
    return _outcome(lambda: compare(release_records(last), new, set(), set(), old_version="1",
                                    new_version="2"))


def _short_way(last: Path, new: Dataset, next_: Path) -> tuple[str, str]:
    return _outcome(lambda: compare_with_release(last, new, next_, old_version="1",
                                                 new_version="2"))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited())
def test_the_changes_are_those_of_the_previous_release_read_back_whole(
        pair: tuple[Dataset, Dataset]) -> None:
    old, new = pair
    with tempfile.TemporaryDirectory() as folder:
        last, next_ = _releases(Path(folder), old, new)
        assert _short_way(last, new, next_) == _long_way(last, new)
        found = changed_records(last / "tables", next_ / "tables", new)
    references = [f for f in check_references(old) if f.severity == "violation"]
    assert (found is None) == bool(references)  # (read whole only when it must be)
    if found is not None:
        before, after = found
        names = {f"{r.kind}/{r.id}": r.data for r in old}
        assert all(names[name] == data for name, data in before.items())
        unchanged = set(names) - set(before)
        assert all(names[name] == r.data for r in new
                   if (name := f"{r.kind}/{r.id}") in unchanged)  # (none missed)


def _copied(dataset: Dataset) -> Dataset:
    copied = Dataset()
    for record in dataset:
        copied.add(Record(record.kind, record.id, record.path, copy.deepcopy(record.data)))
    return copied


@pytest.fixture(scope="module")
def fixture_records() -> Dataset:
    from coopdata.records.load import load
    from tests.conftest import FIXTURES

    return load(FIXTURES / "records")[0]


@pytest.fixture()
def pair(fixture_records: Dataset) -> tuple[Dataset, Dataset]:
    """The fixture's records, and the same with one project's first budget changed (a
    change in a nested list only)."""
    new = _copied(fixture_records)
    assert _nested(next(r for r in new.of_kind("project") if r.data.get("budgets")).data, 1)
    return fixture_records, new


def _rewritten(tables: Path, name: str, change: Any) -> None:
    path = tables / f"{name}.csv"
    path.write_text(change(path.read_text("utf-8")), "utf-8", newline="")


@pytest.mark.parametrize("damage", [
    ("projects", lambda text: text.replace("id,", "id ,", 1)),  # another header
    ("project_budgets", lambda text: text.replace(",", ";")),  # another separator
    ("projects", lambda text: text + text.splitlines(keepends=True)[1]),  # an id twice
    ("project_countries", lambda text: text + "nobody,1,MA\n"),  # a row of no record
    ("project_budgets", lambda text: text.replace("EUR", "E\x1fUR", 1)),  # a separator
    ("project_budgets", lambda text: text.replace("EUR", "euros", 1)),  # a bad value
    ("project_budgets", lambda text: text.replace(",1,", ",0,", 1)),  # a bad position
    ("organisations", lambda text: text.splitlines(keepends=True)[0]),  # a reference broken
    ("projects", lambda text: text.replace("\n", ",x\n").replace(",x\n", "\n", 1)),  # a cell more
])
def test_previous_tables_not_as_written_are_read_whole(pair: tuple[Dataset, Dataset],
                                                       tmp_path: Path,
                                                       damage: tuple[str, Any]) -> None:
    old, new = pair
    last, next_ = _releases(tmp_path, old, new)
    _rewritten(last / "tables", *damage)
    assert changed_records(last / "tables", next_ / "tables", new) is None
    assert _short_way(last, new, next_) == _long_way(last, new)


def test_a_missing_table_or_release(pair: tuple[Dataset, Dataset], tmp_path: Path) -> None:
    old, new = pair
    last, next_ = _releases(tmp_path, old, new)
    (last / "tables" / "project_budgets.csv").unlink()
    assert _short_way(last, new, next_) == _long_way(last, new)
    assert _long_way(last, new)[0] == "error"
    (last / "graph.nt").unlink()
    assert _short_way(last, new, next_) == _long_way(last, new)


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda data: _nested(data, 1), "budgets[1].amount: 1250000 → 1250001 EUR"),
    (_deepest, "results[1].targets[1].value: 45 → 46"),
    (lambda data: _language("project", data), 'title.es: (none) → "texto"'),
])
def test_only_what_changed_is_read_back(fixture_records: Dataset, tmp_path: Path,
                                        edit: Any, expected: str) -> None:
    new = _copied(fixture_records)
    project = new.get("project", "second")
    assert project is not None and edit(project.data)
    last, next_ = _releases(tmp_path, fixture_records, new)
    found = changed_records(last / "tables", next_ / "tables", new)
    assert found is not None
    before, after = found
    assert list(before) == list(after) == ["project/second"]
    assert _short_way(last, new, next_) == _long_way(last, new)
    assert f"- changed: project/second (Second project)\n  - {expected}\n" in \
        _short_way(last, new, next_)[0]


def _sourced(dataset: Dataset, changed: set[str], unknown: set[str]) -> Dataset:
    """``dataset`` with a source key for each record as a load with the cache gives one:
    the same for the same data (a file's key holds its bytes, and its data are made of
    them), another for the ``changed`` (a file rewritten to the same data: a comment
    edited), None for the ``unknown`` (a file changed while it was read)."""
    for record in dataset:
        name = f"{record.kind}/{record.id}"
        dataset.sources[record.kind, record.id] = None if name in unknown else hashlib.blake2b(
            f"{name in changed}{record.kind}{record.data!r}".encode()).digest()
    return dataset


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited(), st.data())
def test_the_changes_from_the_remembered_sources_are_those_read_back_whole(
        pair: tuple[Dataset, Dataset], data: st.DataObject) -> None:
    """With the previous release's record sources (as the cache keeps them), no table is
    digested, and the changes are those of the previous release read back whole."""
    old, new = pair
    names = sorted(f"{r.kind}/{r.id}" for r in new)
    changed, unknown = (set(data.draw(st.lists(st.sampled_from(names)) if names
                                      else st.just([]))) for _ in range(2))
    remembered = record_sources(_sourced(old, set(), set()))
    new = _sourced(new, changed, unknown)
    with tempfile.TemporaryDirectory() as folder:
        last, next_ = _releases(Path(folder), old, new)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(rowdiff, "_digests", None)  # (not called)
            found = changed_records(last / "tables", next_ / "tables", new, remembered)
            short = _outcome(lambda: compare_with_release(
                last, new, next_, old_version="1", new_version="2", remembered=remembered))
        assert short == _long_way(last, new)
    references = [f for f in check_references(old) if f.severity == "violation"]
    assert (found is None) == bool(references)
    if found is not None:
        before, after = found
        olds = {f"{r.kind}/{r.id}": r.data for r in old}
        news = {f"{r.kind}/{r.id}": r.data for r in new}
        now = record_sources(new)
        # (read back: those whose file's key differs now, is unknown, or is gone)
        differing = {name for name in olds if now.get(name) != remembered[name]}
        assert set(before) == differing
        assert set(after) == {name for name in news if name not in olds or name in differing}
        assert {name for name in olds if olds[name] != news.get(name)} <= differing
