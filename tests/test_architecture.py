"""The package's imports follow the data flow (see docs/architecture.md).

Every import is counted, at module level and inside functions: no cycle between modules;
a module imports only its own stage or lower ones (model → records → rdf, tables →
validate and its reference engine → iati → release (with its site) → publish, sparql →
cli); the reference engine
(:mod:`coopdata.reference`) is imported only by validate's engine switch and the public
API. The checks run on the real package and, to show they can fail, on small bad ones.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "coopdata"

STAGES: dict[str, int] = {
    "errors": 0, "report": 0, "collector": 0, "jsonfile": 0,
    "model": 1, "cache": 1,
    "records": 2,
    "rdf": 3, "tables": 3,
    "reference": 3,  # below validate: its engine switch imports it, never the reverse
    "validate": 4,
    "iati": 5,
    "release": 6,
    "publish": 7, "sparql": 7,
    "cli": 8, "__main__": 8, "": 8,
}
"""Each top-level module or package of coopdata and its stage ("" is ``__init__``)."""

REFERENCE_USERS = ("validate.engine", "")
"""The only modules that may import :mod:`coopdata.reference` (besides itself)."""


def modules(package: Path) -> dict[str, Path]:
    """Dotted name (without the package's own name) → file, for every module."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _type_checking_only(tree: ast.Module) -> set[ast.AST]:
    """The import statements of ``if TYPE_CHECKING:`` blocks (never run)."""
    return {node for block in ast.walk(tree) if isinstance(block, ast.If)
            and "TYPE_CHECKING" in ast.unparse(block.test)
            for statement in block.body for node in ast.walk(statement)}


def imports(package: Path, *, typing: bool = True) -> Iterator[tuple[str, str, int]]:
    """(importer, imported, line) for every import of a module of ``package`` by another,
    anywhere in the file (functions, classes, and, unless ``typing`` is false,
    ``TYPE_CHECKING`` blocks)."""
    name = package.name
    known = modules(package)
    for module, path in known.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = set() if typing else _type_checking_only(tree)
        for node in ast.walk(tree):
            if node in skipped:
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = module.split(".") if module else []
                    if not is_package:
                        base = base[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    source = ".".join([name, *base, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                targets = [f"{source}.{alias.name}" for alias in node.names] + [source]
            else:
                continue
            for target in targets:
                if target != name and not target.startswith(name + "."):
                    continue
                local = target[len(name) + 1:]
                if local in known and local != module:
                    yield module, local, node.lineno
                    break


def cycles(package: Path) -> list[list[str]]:
    """Every cycle of the import graph, as a list of modules (one per strongly connected
    component of more than one module, Tarjan's algorithm). An import that only type
    annotations use (in ``if TYPE_CHECKING:``) never runs, so it makes no cycle; it still
    counts for the stages and the reference engine."""
    graph: dict[str, set[str]] = {m: set() for m in modules(package)}
    for importer, imported, _ in imports(package, typing=False):
        graph[importer].add(imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _stage(module: str, stages: dict[str, int]) -> int:
    return stages[module.split(".")[0]]


def upward(package: Path, stages: dict[str, int] = STAGES) -> list[str]:
    """Imports of a higher stage by a lower one."""
    return [f"{importer}:{line} imports {imported}"
            for importer, imported, line in imports(package)
            if _stage(imported, stages) > _stage(importer, stages)]


def reference_users(package: Path, allowed: tuple[str, ...] = REFERENCE_USERS) -> list[str]:
    """Imports of the reference engine by anything but its allowed users."""
    return [f"{importer}:{line} imports {imported}"
            for importer, imported, line in imports(package)
            if imported.split(".")[0] == "reference" and importer.split(".")[0] != "reference"
            and importer not in allowed]


def test_every_top_level_module_has_a_stage() -> None:
    tops = {module.split(".")[0] for module in modules(PACKAGE)}
    assert tops == set(STAGES)


def test_no_import_cycles() -> None:
    assert cycles(PACKAGE) == []


def test_no_import_from_a_higher_stage() -> None:
    assert upward(PACKAGE) == []


def test_reference_engine_imported_only_by_its_users() -> None:
    assert reference_users(PACKAGE) == []


def test_imports_inside_functions_are_for_heavy_dependencies() -> None:
    """An import inside a function is of a third-party library (loaded only when needed)
    and says why on its line or the line before it or before the block of imports it is
    in; coopdata's own modules are imported at the top (a local import would hide a cycle
    or a layering mistake), but by the CLI, which loads a command's modules when the
    command runs (so that ``--help`` is fast)."""
    hidden = []
    for module, path in modules(PACKAGE).items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for function in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if module.split(".")[0] != "cli" and isinstance(node, ast.ImportFrom) and (
                        node.level or (node.module or "").startswith("coopdata")):
                    hidden.append(f"{module}:{node.lineno}")
                elif isinstance(node, ast.Import | ast.ImportFrom):
                    said = "".join(lines[n] for n in (node.lineno - 1, node.lineno - 2,
                                                       _above_imports(lines, node.lineno)))
                    if "#" not in said:
                        hidden.append(f"{module}:{node.lineno} (no reason given)")
    assert hidden == []


def _above_imports(lines: list[str], number: int) -> int:
    """The index of the line above the block of import lines (line ``number`` counted from
    1, its block's other imports directly above it, a parenthesised import's lines too)."""
    index = number - 2
    while index >= 0 and (lines[index].strip().startswith(("from ", "import "))
                          or lines[index].strip().endswith(",") or lines[index].strip() == ")"):
        index -= 1
    return index


def test_a_block_of_imports_needs_its_reason_once() -> None:
    lines = ["def f():", "    # heavy: loaded when run", "    import a", "    from b import (",
             "        c,", "    )", "    import d", "", "    import e"]
    assert _above_imports(lines, 7) == 1 and _above_imports(lines, 3) == 1
    assert "#" not in lines[_above_imports(lines, 9)]  # after a blank line: a new block


def _package(root: Path, files: dict[str, str]) -> Path:
    package = root / "coopdata"
    for name, text in {"__init__.py": "", **files}.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


def test_a_cycle_through_a_function_is_found(tmp_path: Path) -> None:
    package = _package(tmp_path, {
        "model/__init__.py": "",
        "model/a.py": "from coopdata.model import b\n",
        "model/b.py": "def f():\n    from . import a  # cycle\n",
    })
    assert cycles(package) == [["model.a", "model.b"]]


def test_an_annotation_makes_no_cycle(tmp_path: Path) -> None:
    package = _package(tmp_path, {
        "sparql/__init__.py": "",
        "sparql/server.py": "from coopdata.sparql import handler\n",
        "sparql/handler.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                              "    from coopdata.sparql.server import Server\n"),
    })
    assert cycles(package) == []
    (package / "sparql" / "handler.py").write_text("def f():\n    from . import server  # x\n",
                                                   encoding="utf-8")
    assert cycles(package) == [["sparql.handler", "sparql.server"]]


def test_an_upward_import_is_found(tmp_path: Path) -> None:
    package = _package(tmp_path, {
        "model/__init__.py": "",
        "model/spec.py": "def f():\n    from ..release import job  # wrong way\n",
        "release/__init__.py": "",
        "release/job.py": "from coopdata.model import spec\n",
    })
    assert upward(package) == ["model.spec:2 imports release.job"]
    assert cycles(package) == [["model.spec", "release.job"]]


def test_a_reference_user_is_found(tmp_path: Path) -> None:
    package = _package(tmp_path, {
        "rdf/__init__.py": "",
        "rdf/triples.py": "import coopdata.reference.graph\n",
        "reference/__init__.py": "",
        "reference/graph.py": "",
        "reference/pyshacl.py": "from coopdata.validate import engine\n",
        "validate/__init__.py": "",
        "validate/engine.py": "from coopdata.reference import graph\n",
    })
    assert reference_users(package) == ["rdf.triples:1 imports reference.graph"]
    assert upward(package) == ["reference.pyshacl:1 imports validate.engine"]


@pytest.mark.parametrize("text", ["def f():\n    from coopdata import report\n",
                                  "def f():\n    import json\n"])
def test_hidden_imports_are_found(tmp_path: Path, text: str,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", _package(tmp_path, {"report.py": text}))
    with pytest.raises(AssertionError):
        test_imports_inside_functions_are_for_heavy_dependencies()


DOC = PACKAGE.parents[1] / "docs" / "architecture.md"


def packages(package: Path) -> set[str]:
    """Every package of ``package`` below it, as a folder path (``validate/shacl``)."""
    return {path.parent.relative_to(package).as_posix()
            for path in package.rglob("__init__.py") if path.parent != package}


def documented(text: str) -> tuple[set[str], set[str]]:
    """The packages the map's table names (`` `release/site/` ``), and those its Mermaid
    picture draws (a node labelled ``name/``)."""
    table = set(re.findall(r"^\| `([a-z_/]+)/` \|", text, re.M))
    diagram = text.split("```mermaid", 1)[1].split("```", 1)[0]
    drawn = set(re.findall(r'\["([a-z_]+)/<br>', diagram))
    return table, drawn


def test_the_map_names_every_package_and_only_packages() -> None:
    table, drawn = documented(DOC.read_text(encoding="utf-8"))
    assert table == packages(PACKAGE)
    top = {name for name in packages(PACKAGE) if "/" not in name}
    assert drawn == top
    for name in table:  # each stage of the table is the one the import rule uses
        assert f"| `{name}/` | {STAGES[name.split('/')[0]]} |" in DOC.read_text(encoding="utf-8")


def test_the_map_check_can_fail(tmp_path: Path) -> None:
    package = _package(tmp_path, {"model/__init__.py": "", "model/shapes/__init__.py": "",
                                  "rdf/__init__.py": ""})
    text = ("| `model/` | 1 | x |\n| `gone/` | 2 | y |\n"
            '```mermaid\nflowchart LR\n    model["model/<br>x"]\n```\n')
    table, drawn = documented(text)
    assert packages(package) == {"model", "model/shapes", "rdf"}
    assert table != packages(package) and drawn == {"model"}
