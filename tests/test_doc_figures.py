"""Figures quoted in the docs are the code's: every file, triple and record count and
every mode that README.md and docs/*.md quote for the embedded dataset, in one of the
phrasings below, is computed here from one release of the embedded dataset (and the
``build``, ``export-tables`` and ``import`` the pages show) and compared with the page.

The figures move as the model grows, so nothing here is a number: to quote a figure in
the docs, use one of the phrasings of ``RULES`` (the commands' own output lines, or
prose such as "a dataset of N records"), or add a rule for a new one."""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from coopdata.cli import main
from coopdata.model.resources import default_records

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {"performance.md", "serve-load.md"}
"""Pages of measured figures, held to their recorded figures by tests of their own."""
PAGES = [ROOT / "README.md", *(page for page in sorted((ROOT / "docs").glob("*.md"))
                               if page.name not in SKIPPED)]
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")


@dataclass
class Facts:
    """The figures of the embedded dataset, as the code gives them."""
    records: int
    records_per_kind: dict[str, int]
    release_files: int
    triples: int
    checksummed: int
    distributions: int
    tables: int
    mode: str
    release_json: dict[str, object]
    built: tuple[int, int, int]
    exported: int
    imported: tuple[int, int]
    outputs: dict[str, str] = field(default_factory=dict)


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def figures(pattern: str, text: str) -> tuple[int, ...]:
    found = re.search(pattern, text, re.MULTILINE)
    assert found, f"no {pattern!r} in {text!r}"
    return tuple(int(value) for value in found.groups())


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> Facts:
    return computed(tmp_path_factory.mktemp("figures"))


def computed(tmp: Path) -> Facts:
    """One release of the embedded dataset (1.0.0, as the pages show it), one build with
    another base URI, one export of the tables and their import, in ``tmp``."""
    records = str(default_records())
    released = cli("release", "--records", records, "--out", str(tmp / "rel"),
                   "--version", "1.0.0", "--date", "2026-11-23")
    files, triples = figures(r"^released 1\.0\.0 into \S+: (\d+) files, (\d+) triples$",
                             released)
    version = tmp / "rel" / "1.0.0"
    info = json.loads((version / "release.json").read_text(encoding="utf-8"))
    catalog = rdflib.Graph().parse(version / "catalog.ttl")
    dataset = rdflib.URIRef("https://w3id.org/coopdata/dataset/1.0.0")
    built = figures(r"^built (\d+) records into \S+: (\d+) triples, (\d+) files$",
                    cli("build", "--records", records, "--base-uri",
                        "https://data.example.org/coop/", "--out", str(tmp / "xb")))
    exported, = figures(r"^wrote (\d+) files into ",
                        cli("export-tables", "--records", records, "--out", str(tmp / "t")))
    imported = figures(r"^imported (\d+) records into \S+: (\d+) files$",
                       cli("import", str(tmp / "t"), "--out", str(tmp / "r")))
    return Facts(
        records=sum(info["records"].values()), records_per_kind=info["records"],
        release_files=files, triples=triples,
        checksummed=len((version / "SHA256SUMS").read_text(encoding="utf-8").splitlines()),
        distributions=len(set(catalog.objects(dataset, DCAT.distribution))),
        tables=len(list((version / "tables").glob("*.csv"))),
        mode=format(stat.S_IMODE(version.stat().st_mode), "o"),
        release_json=info, built=(built[0], built[1], built[2]), exported=exported,
        imported=(imported[0], imported[1]))


Check = Callable[[re.Match[str], Facts, str], tuple[object, ...] | None]
"""What a figure should read: the figures of the match's groups (the named group
``version`` aside), given the match, the facts and the whole page; None where the rule
does not apply."""


def later_release(match: re.Match[str], facts: Facts, page: str) -> tuple[object, ...]:
    """A release after one change to the records (portal.md's 1.1.0): as many files as
    1.0.0 and its two ``changes/`` files, and 1.0.0's triples plus those its changelog
    adds, less those it removes."""
    if match["version"] == "1.0.0":
        return facts.release_files, facts.triples
    change = re.compile(r"^(\d+) added, (\d+) removed\.$", re.MULTILINE).search(
        page, match.end())
    assert change, f"released {match['version']}: no changelog figures after it"
    from coopdata.release.changelog import ADDED_TRIPLES, REMOVED_TRIPLES

    return (facts.release_files + len((ADDED_TRIPLES, REMOVED_TRIPLES)),
            facts.triples + int(change[1]) - int(change[2]))


RULES: list[tuple[str, Check]] = [
    # the commands' output lines
    (r"released (?P<version>\S+) into \S+: (\d+) files, (\d+) triples", later_release),
    (r"pushed (\d+) triples to https://w3id\.org/coopdata/graph/1\.0\.0",
     lambda m, f, p: (f.triples,)),
    (r"serving release \S*1\.0\.0 \((\d+) triples\)", lambda m, f, p: (f.triples,)),
    (r"built (\d+) records into \S+: (\d+) triples, (\d+) files", lambda m, f, p: f.built),
    (r"\$ coopdata export-tables --out \S+\nwrote (\d+) files into",
     lambda m, f, p: (f.exported,)),
    (r"imported (\d+) records into \S+: (\d+) files", lambda m, f, p: f.imported),
    # the release's files
    (r'"triples": (\d+)', lambda m, f, p: (f.triples,)),
    (r"void:triples (\d+)", lambda m, f, p: (f.triples,)),
    (r"how many triples to expect \((\d+) for 1\.0\.0\)", lambda m, f, p: (f.triples,)),
    (r"`SHA256SUMS` lists the (\d+) other files", lambda m, f, p: (f.checksummed,)),
    (r"The catalogue describes (\d+) distributions", lambda m, f, p: (f.distributions,)),
    (r"agreement_countries\.csv … \S+\s+\((\d+) files\)", lambda m, f, p: (f.tables,)),
    (r"\| (\d+) tables, one row per record", lambda m, f, p: (f.tables,)),
    (r"version directory[^.]*\(mode `(\d{3})`", lambda m, f, p: (f.mode,)),
    # the embedded dataset
    (r"dataset of (\d+) records", lambda m, f, p: (f.records,)),
    (r"embedded dataset \((\d+) records", lambda m, f, p: (f.records,)),
    (r"## What it covers\n\n(\d+) records:", lambda m, f, p: (f.records,)),
]


def figure_groups(match: re.Match[str]) -> list[int]:
    version = match.re.groupindex.get("version")
    return [group for group in range(1, len(match.groups()) + 1) if group != version]


def misquoted(text: str, facts: Facts) -> list[tuple[int, int, str, str]]:
    """``(start, end, quoted, wanted)`` for each figure of ``text`` that one of the
    RULES finds and that is not the code's."""
    wrong = []
    for pattern, check in RULES:
        for match in re.finditer(pattern, text):
            wanted = check(match, facts, text)
            if wanted is None:
                continue
            groups = figure_groups(match)
            assert len(groups) == len(wanted), pattern
            for group, value in zip(groups, wanted, strict=True):
                if match[group] != str(value):
                    wrong.append((match.start(group), match.end(group), match[group],
                                  str(value)))
    return wrong


def report(text: str, facts: Facts) -> list[str]:
    return [f"line {text.count(chr(10), 0, start) + 1}: says {quoted}, the code gives {wanted}"
            for start, _end, quoted, wanted in misquoted(text, facts)]


def release_json_blocks(text: str) -> list[tuple[int, int, dict[str, object]]]:
    """The JSON code blocks that show a ``release.json``: where, and what they say."""
    blocks = []
    for match in re.finditer(r"```json\n(.*?)```", text, re.DOTALL):
        try:
            value = json.loads(match[1])
        except ValueError:
            continue
        if isinstance(value, dict) and {"version", "triples", "records"} <= value.keys():
            blocks.append((match.start(1), match.end(1), value))
    return blocks


def corrected(text: str, facts: Facts) -> str:
    """``text`` with the code's figures in place of the misquoted ones."""
    for start, end, _value in reversed(release_json_blocks(text)):
        text = text[:start] + json.dumps(facts.release_json, indent=2) + "\n" + text[end:]
    for start, end, _quoted, wanted in sorted(misquoted(text, facts), reverse=True):
        text = text[:start] + wanted + text[end:]
    return text


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_the_figures_quoted_are_the_code_s(facts: Facts, page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert report(text, facts) == [], \
        f"{page.name}: run `python tests/test_doc_figures.py` to put the code's figures in"
    for _start, _end, block in release_json_blocks(text):
        assert block == facts.release_json, f"{page.name}: release.json"


def test_every_rule_finds_its_figure_somewhere() -> None:
    """A rule that finds nothing checks nothing: rephrasing a figure away from every
    rule must be noticed (then write a rule for the new phrasing)."""
    text = "\n".join(page.read_text(encoding="utf-8") for page in PAGES)
    unmatched = [pattern for pattern, _check in RULES if not re.search(pattern, text)]
    assert unmatched == []
    assert release_json_blocks(text)


def test_a_stale_figure_is_reported(facts: Facts) -> None:
    """Each class of figure, quoted one off, is caught: the figures of issue #18
    (files, triples, mode) and the others."""
    stale = "\n".join([
        f"released 1.0.0 into rel/1.0.0: {facts.release_files - 1} files, {facts.triples} triples",
        f"pushed {facts.triples + 1} triples to https://w3id.org/coopdata/graph/1.0.0 at x",
        f"built {facts.built[0]} records into /tmp/xb: {facts.built[1] - 1} triples, "
        f"{facts.built[2]} files",
        "The version directory is readable by all (mode `700`: ...)",
        f"includes a dataset of {facts.records + 1} records",
        f"`SHA256SUMS` lists the {facts.checksummed + 1} other files",
        f"released 1.1.0 into rel/1.1.0: {facts.release_files + 2} files, {facts.triples} triples",
        "2 added, 1 removed.",
    ])
    assert len(report(stale, facts)) == 7
    fixed = corrected(stale, facts)
    assert report(fixed, facts) == []
    assert fixed.count("\n") == stale.count("\n")
    block = '```json\n{"version": "1", "triples": 1, "records": {}}\n```'
    assert release_json_blocks(block)
    assert release_json_blocks(corrected(block, facts))[0][2] == facts.release_json


def test_the_index_lists_every_page_once() -> None:
    """docs/index.md's table of pages names each page of docs/ once (it listed
    reliability.md twice)."""
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| \[([\w/.-]+\.md)\]\(\1\) \|", index, re.MULTILINE)
    pages = sorted(str(page.relative_to(ROOT / "docs")) for page in (ROOT / "docs").rglob("*.md")
                   if page.name != "index.md")
    assert sorted(listed) == pages


if __name__ == "__main__":  # put the code's figures into the pages
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        found = computed(Path(scratch))
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        if (new := corrected(text, found)) != text:
            page.write_text(new, encoding="utf-8")
            print(f"corrected {page.relative_to(ROOT)}", file=sys.stderr)
