"""The query library (docs/queries/): every query gives, on the embedded dataset, the
answer stored next to it (checked by hand against the records), and docs/queries.md
shows the queries as they are."""

from __future__ import annotations

import csv
import importlib.util
import io
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from coopdata.sparql.query import open_store, run_query
from coopdata.sparql.results import format_solutions
from tests.stores import ordered

ROOT = Path(__file__).resolve().parents[2]
QUERIES = sorted((ROOT / "docs" / "queries").glob("*.rq"))


def generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "tools" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def store() -> Any:
    return open_store()


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_library_has_a_dozen_queries_each_with_its_answer() -> None:
    assert len(QUERIES) >= 12
    answers = sorted((ROOT / "docs" / "queries").glob("*.csv"))
    assert [p.stem for p in answers] == [p.stem for p in QUERIES]


@pytest.mark.parametrize("path", QUERIES, ids=lambda path: path.stem)
def test_query_starts_with_its_title_and_question(path: Path) -> None:
    first, second = path.read_text(encoding="utf-8").splitlines()[:2]
    assert re.fullmatch(r"# title: \S.*", first), first
    assert re.fullmatch(r"# question: \S.*\?", second), second
    assert generate().query_header(path.read_text("utf-8")).keys() == {"title", "question"}


@pytest.mark.parametrize("path", QUERIES, ids=lambda path: path.stem)
def test_query_gives_its_answer(store: Any, path: Path) -> None:
    query = path.read_text(encoding="utf-8")
    actual = rows(format_solutions(run_query(store, query), "csv"))
    with open(path.with_suffix(".csv"), encoding="utf-8", newline="") as handle:
        expected = rows(handle.read())
    assert actual[0] == expected[0], "the variables differ"
    if ordered(query):
        assert actual[1:] == expected[1:]
    else:
        assert sorted(actual[1:]) == sorted(expected[1:])


def test_queries_page_is_up_to_date() -> None:
    page = ROOT / "docs" / "queries.md"
    assert page.read_text(encoding="utf-8") == generate().queries_page(), \
        "run: python tools/generate.py"
