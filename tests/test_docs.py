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
    run = next(size for size in figures["sizes"] if size["projects"] == 100_000)["fast"]
    targets = {line.split(" | ")[0]: line for line in page.splitlines()
               if line.startswith("| 100,000 projects")}
    assert f"| {run['total']:.1f} s |" in targets["| 100,000 projects released in ≤ 60 s"]
    memory = max(run["peak_memory_mb"], run["peak_rss_mb"])
    assert f"| {memory:.0f} MB, {memory / 1024:.1f} GiB " in \
        targets["| 100,000 projects in ≤ 4 GB peak memory"]


def test_benchmark_figures_combine_by_size() -> None:
    """``benchmarks/run.py --combine``: each size from the last run measuring it, in the
    order of their projects; runs of other machines are refused."""
    from benchmarks.run import combined

    machine = {"cores": 2, "cpu": "x", "memory_gib": 1.0, "python": "3.11", "system": "s"}

    def run(date: str, *sizes: tuple[int, float]) -> dict[str, object]:
        return {"machine": machine, "date": date, "help_seconds": 0.1,
                "validate_seconds": 0.4,
                "sizes": [{"projects": p, "fast": {"total": t}} for p, t in sizes]}

    both = combined([run("2026-12-07", (1000, 1.0), (100_000, 60.0)),
                     run("2026-12-08", (1_000_000, 900.0), (1000, 2.0))])
    assert [(s["projects"], s["fast"]["total"]) for s in both["sizes"]] == [
        (1000, 2.0), (100_000, 60.0), (1_000_000, 900.0)]
    assert both["date"] == "2026-12-07 and 2026-12-08"
    assert both["help_seconds"] == 0.1
    other = {**run("2026-12-08", (10, 1.0)), "machine": {**machine, "cores": 4}}
    with pytest.raises(SystemExit, match="different machines"):
        combined([run("2026-12-07", (1000, 1.0)), other])


def test_release_steps_are_documented() -> None:
    from coopdata.release.job import STEPS

    text = " ".join((ROOT / "docs" / "releases.md").read_text(encoding="utf-8").split())
    listed = re.search(r"in the order of `coopdata\.release\.job\.STEPS`: (.*?) \(", text)
    assert listed is not None
    assert tuple(re.findall(r"`([a-z-]+)`", listed[1])) == STEPS
