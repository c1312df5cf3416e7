"""The table of docs/reliability.md names tests that exist, and lists every test of this folder.

Cases of docs/reliability.md; every test writes below its own ``tmp_path`` and fetches
nothing from the network."""

from __future__ import annotations

import re
from pathlib import Path

from tests.reliability.hostile import ROOT


def test_every_case_in_the_reliability_table_names_a_test_that_exists() -> None:
    import ast

    page = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("|")
            and not re.fullmatch(r"\|[-| :]+\|", line)][1:]  # the header row is first
    assert len(rows) > 30
    defined: dict[str, set[str]] = {}
    named: set[tuple[str, str]] = set()
    for row in rows:
        references = re.findall(r"`tests/((?:\w+/)?test_\w+\.py)::(test_\w+)`", row)
        assert references, f"a row names no test: {row}"
        for file, test in references:
            if file not in defined:
                tree = ast.parse((ROOT / "tests" / file).read_text(encoding="utf-8"))
                defined[file] = {node.name for node in ast.walk(tree)
                                 if isinstance(node, ast.FunctionDef)}
            assert test in defined[file], f"docs/reliability.md names a missing test: {test}"
            named.add((file, test))
    folder = Path(__file__).parent  # the cases of the table, one file a kind of case
    here = set()
    for path in folder.glob("test_*.py"):
        if path.name == "test_red_team.py":  # (its own list: docs/reliability.md, red team)
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        here |= {(f"reliability/{path.name}", node.name) for node in ast.walk(tree)
                 if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    assert here - named == set(), "tests of this folder that the table does not list"
