"""Docs cannot fall behind: examples run, every command is documented, the README's
commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coopdata.cli import main

ROOT = Path(__file__).resolve().parents[1]


def code_blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def run_examples(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every python block of docs/<page> in order, in one namespace, from the root."""
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": f"docs_{page}", "TMP": tmp_path}
    blocks = code_blocks(ROOT / "docs" / page, "python")
    assert blocks
    for block in blocks:
        exec(compile(block, f"docs/{page}", "exec"), namespace)  # noqa: S102


def test_api_examples_run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                          tmp_path: Path) -> None:
    run_examples("api.md", tmp_path, monkeypatch)


def test_release_examples_run(monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run_examples("releases.md", tmp_path, monkeypatch)


def test_every_command_has_help_and_a_reference_entry() -> None:
    reference = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert command.help, name
        assert f"## coopdata {name}" in reference


def test_readme_starts_with_the_two_commands_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    install_and_run, install_and_test = code_blocks(ROOT / "README.md", "sh")[0].splitlines()[:2]
    assert readme.index(install_and_run) < 200
    assert "coopdata validate" in install_and_run or "coopdata build" in install_and_run
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert install_and_test in ci


def test_docs_index_links_resolve() -> None:
    for page in (ROOT / "docs").rglob("*.md"):
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", page.read_text("utf-8")):
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_performance_page_shows_the_recorded_figures() -> None:
    """docs/performance.md holds the table benchmarks/run.py makes of figures.json, and
    the page's targets quote its 100,000-project total and memory."""
    import json

    from benchmarks.run import END, START, markdown

    figures = json.loads((ROOT / "benchmarks" / "figures.json").read_text(encoding="utf-8"))
    page = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    assert f"{START}\n{markdown(figures)}\n{END}" in page
    largest = max(figures["sizes"], key=lambda size: size["projects"])["fast"]
    targets = {line.split(" | ")[0]: line for line in page.splitlines()
               if line.startswith("| 100,000 projects")}
    assert f"| {largest['total']:.1f} s |" in targets["| 100,000 projects released in ≤ 60 s"]
    memory = max(largest["peak_memory_mb"], largest["peak_rss_mb"])
    assert f"| {memory:.0f} MB, {memory / 1024:.1f} GiB " in \
        targets["| 100,000 projects in ≤ 4 GB peak memory"]


def test_release_steps_are_documented() -> None:
    from coopdata.release.job import STEPS

    text = " ".join((ROOT / "docs" / "releases.md").read_text(encoding="utf-8").split())
    listed = re.search(r"in the order of `coopdata\.release\.job\.STEPS`: (.*?) \(", text)
    assert listed is not None
    assert tuple(re.findall(r"`([a-z-]+)`", listed[1])) == STEPS
