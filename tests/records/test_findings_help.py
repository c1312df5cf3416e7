"""Findings that say what is wrong (a tab, an unquoted ": ", which file duplicates an
id), validate's filters and GitHub annotations, and --help with examples that parse."""

from __future__ import annotations

import os
import random
import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopdata import read_record
from coopdata.cli import main
from coopdata.model.dataset import Record
from coopdata.records.checks import check_record
from coopdata.records.dataset import assemble
from coopdata.report import Finding, Report, escape_invisible, github_annotation
from tests.conftest import write
from tests.records.test_fastyaml import read_both_ways

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def findings_of(text: str, tmp_path: Path) -> list[Finding]:
    path = write(tmp_path / "a.yaml", text)
    record, findings = read_record(path, "project")
    assert record is None, text
    return findings


# --- a tab in the indentation ---------------------------------------------------------

_BLOCK_LINES = ["title:", "  fr: Un titre", "  en: A title", "countries:", "  - MA",
                "  - SN", "budgets:", "  - amount: 3", "    currency: EUR", "note: one",
                "  two"]


@SETTINGS
@given(st.integers(1, len(_BLOCK_LINES)), st.data())
def test_a_tab_in_the_indentation_says_tab(tmp_path: Path, at: int, data: st.DataObject) -> None:
    """A tab anywhere in the indentation of any line (at its start, after spaces, after
    a dash) is reported as a tab, on its line, by both readers alike."""
    lines = ["id: a", *_BLOCK_LINES]
    line = lines[at]
    indent = len(line) - len(line.lstrip(" -"))
    where = data.draw(st.integers(0, indent), label="column")
    replace = data.draw(st.booleans(), label="replace a space") and where < indent
    lines[at] = line[:where] + "\t" + line[where + replace:]
    text = "\n".join(lines) + "\n"
    fast_way, pyyaml_way = read_both_ways(text)
    assert repr(fast_way) == repr(pyyaml_way), text
    record, findings = read_record(write(tmp_path / "a.yaml", text), "project")
    if record is not None:  # YAML allows a tab after the indentation of a folded line
        assert where > 0 and at == len(_BLOCK_LINES) and findings == [], text
        return
    (finding,) = findings
    assert finding.code == "invalid-yaml" and finding.line == at + 1, (text, finding)
    assert "a tab in the indentation" in finding.message, (text, finding)
    assert "cannot start any token" not in finding.message


@pytest.mark.parametrize("at", range(1, len(_BLOCK_LINES) + 1))
def test_a_tab_at_the_start_of_any_line_says_tab(tmp_path: Path, at: int) -> None:
    lines = ["id: a", *_BLOCK_LINES]
    lines[at] = "\t" + lines[at]
    (finding,) = findings_of("\n".join(lines) + "\n", tmp_path)
    assert finding.line == at + 1 and "a tab in the indentation (column 1)" in finding.message


def test_a_tab_finding_exact(tmp_path: Path) -> None:
    assert [str(f).split(": ", 1)[1] for f in findings_of("id: a\ntitle:\n\tfr: x\n",
                                                            tmp_path)] == [
        "malformed YAML: a tab in the indentation (column 1): YAML indents with spaces only; "
        "replace the tab with spaces [invalid-yaml]"]


# --- ": " inside a value that is not quoted ----------------------------------------------

_WORDS = st.text(st.sampled_from("abcdéz0"), min_size=1, max_size=6)
_SHAPES = ["top", "nested", "item", "flow", "flow-second", "folded"]


@SETTINGS
@given(st.sampled_from(_SHAPES), st.lists(_WORDS, min_size=2, max_size=4),
       st.sampled_from(["title", "fr", "note"]))
def test_an_unquoted_colon_in_a_value_gets_the_quoted_line(tmp_path: Path, shape: str,
                                                           words: list[str],
                                                           key: str) -> None:
    """Wherever a plain value holds ": " (a field, a nested field, a sequence item's
    field, a flow map's entry, a line folded into a value), the finding shows the line
    with the value in quotes, and that line is YAML that reads as the value meant."""
    value = ": ".join(words)
    head, expected_line = {
        "top": (f"{key}: {value}", f"{key}: {value}"),
        "nested": (f"title:\n  {key}: {value}", f"  {key}: {value}"),
        "item": (f"list:\n- {key}: {value}", f"- {key}: {value}"),
        "flow": (f"title: {{{key}: {value}}}", f"title: {{{key}: {value}}}"),
        "flow-second": (f"title: {{en: x, {key}: {value}}}", ""),
        "folded": (f"{key}: start\n  {value}", f"  {value}"),
    }[shape]
    text = f"id: a\n{head}\nend: x\n"
    fast_way, pyyaml_way = read_both_ways(text)
    assert repr(fast_way) == repr(pyyaml_way), text
    (finding,) = findings_of(text, tmp_path)
    assert finding.code == "invalid-yaml", finding
    hint = re.search(r"put the value in quotes, as in (.*)$", finding.message)
    assert hint is not None, (text, finding.message)
    meant = f"start {value}" if shape == "folded" else value
    read = yaml.safe_load(hint[1])
    found = read[0] if shape == "item" else read
    found = found.get("title", found) if shape.startswith("flow") else found
    assert found[key] == meant, (text, hint[1])


def test_a_colon_finding_exact(tmp_path: Path) -> None:
    assert [f"{f.line} {f.message}" for f in findings_of(
        "id: a\ntitle: {fr: Objet: la migration, en: x}\n", tmp_path)] == [
        '2 malformed YAML: ": " inside a value that is not in quotes (YAML reads it as the '
        'start of a field): put the value in quotes, as in title: {fr: "Objet: la '
        'migration", en: x}']


# --- duplicate ids ----------------------------------------------------------------------

@pytest.mark.parametrize("copy", ["guest-2.yaml", "a-guest.yaml", "guest-copy.yaml",
                                  "zz.yaml"])
def test_the_duplicate_is_the_file_not_named_after_the_id(records: Path, copy: str) -> None:
    write(records / "persons" / copy,
          (records / "persons" / "guest.yaml").read_text(encoding="utf-8"))
    result = CliRunner().invoke(main, ["validate", "--records", "records", "--quiet"])
    assert result.exit_code == 1
    assert result.stdout == "".join([
        f'records/persons/{copy}:1 guest id: the person id "guest" is already used by '
        "records/persons/guest.yaml [duplicate-id]\n",
        f'records/persons/{copy}:1 guest id: the id "guest" differs from the file name; '
        f"rename the file to guest.yaml or set `id: {copy[:-5]}` [id-mismatch]\n"])


def test_without_a_file_named_after_the_id_the_first_in_path_order_is_the_original(
        tmp_path: Path) -> None:
    paths = [write(tmp_path / "persons" / f"{name}.yaml", "id: same\nname: X\n")
             for name in ("c", "a", "b")]
    typed = []
    for path in paths:
        record, _ = read_record(path, "person")
        assert record is not None
        typed.append(check_record(record)[0])
    outcomes = set()
    for seed in range(4):  # whatever order the records come in
        order: list[Record] = [t for t in typed if t is not None]
        random.Random(seed).shuffle(order)
        dataset, findings = assemble(order)
        kept = dataset.get("person", "same")
        assert kept is not None
        outcomes.add((kept.path, tuple(sorted((f.path or "", f.message) for f in findings
                                              if f.code == "duplicate-id"))))
    assert outcomes == {(str(paths[1]), tuple(
        (str(p), f'the person id "same" is already used by {paths[1]}')
        for p in sorted(paths[2:] + paths[:1], key=str)))}


# --- --quiet, --min-severity, --format github -------------------------------------------

def _violation_and_warning(records: Path) -> None:
    text = (records / "projects" / "second.yaml").read_text(encoding="utf-8")
    write(records / "projects" / "second.yaml",
          text.replace("amount: 1250000", 'amount: "4,1 M"'))
    write(records / "stray" / "x.yaml", "id: x\n")


VIOLATION = ('records/projects/second.yaml:16 second budgets[1].amount: expected a number, '
             'got "4,1 M" [type-error]\n')
WARNING = ("records/stray: not read: record folders are sources, organisations, persons, "
           "strategies, projects, agreements, events [ignored-folder] (warning)\n")
VERDICT = "invalid: 13 records: 1 violation, 1 warning, 0 infos\n"


GITHUB_ERROR = ("::error file=records/projects/second.yaml,line=16,title=type-error::second "
                'budgets[1].amount: expected a number, got "4,1 M"\n')
GITHUB_WARNING = ("::warning file=records/stray,title=ignored-folder::not read: record folders "
                  "are sources, organisations, persons, strategies, projects, agreements, "
                  "events\n")


@pytest.mark.parametrize(("options", "expected"), [
    ([], VIOLATION + WARNING + VERDICT),
    (["--min-severity", "info"], VIOLATION + WARNING + VERDICT),
    (["--min-severity", "warning"], VIOLATION + WARNING + VERDICT),
    (["--min-severity", "error"], VIOLATION + VERDICT),
    (["--quiet"], VIOLATION),
    (["-q", "--min-severity", "error"], VIOLATION),
    (["--format", "github"], GITHUB_ERROR + GITHUB_WARNING + VERDICT),
    (["--format", "github", "--min-severity", "error"], GITHUB_ERROR + VERDICT),
    (["--format", "github", "--quiet"], GITHUB_ERROR),
])
def test_validate_filters_and_formats(records: Path, options: list[str],
                                      expected: str) -> None:
    _violation_and_warning(records)
    result = CliRunner().invoke(main, ["validate", "--records", "records", *options])
    assert (result.exit_code, result.stdout) == (1, expected)


def test_filters_leave_the_counts_and_the_exit_code(records: Path) -> None:
    import json

    write(records / "stray" / "x.yaml", "id: x\n")
    quiet = CliRunner().invoke(main, ["validate", "--records", "records", "--quiet"])
    assert (quiet.exit_code, quiet.stdout) == (0, "")
    strict = CliRunner().invoke(main, ["validate", "--records", "records", "--quiet",
                                       "--strict"])
    assert (strict.exit_code, strict.stdout) == (1, "")
    shown = CliRunner().invoke(main, ["validate", "--records", "records", "--format", "json",
                                      "--min-severity", "error"])
    report = json.loads(shown.stdout)
    assert report["findings"] == [] and report["counts"]["warning"] == 1


def test_quiet_and_another_min_severity_is_a_usage_error(records: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--records", "records", "--quiet",
                                       "--min-severity", "warning"])
    assert result.exit_code == 2
    assert "use --quiet (errors only) or --min-severity, not both" in result.stderr


_PROPERTY = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}


def _unescape(text: str) -> str:
    """GitHub's unescaping of a workflow command's values, in one pass."""
    return re.sub("%(25|0D|0A|3A|2C)", lambda m: _PROPERTY[m[0]], text)


_ANY_TEXT = st.text(max_size=30) | st.text(st.sampled_from("%:,\r\n=a:: %25%0A"), max_size=30)


@settings(max_examples=150, deadline=None)
@given(_ANY_TEXT, _ANY_TEXT, st.one_of(st.none(), _ANY_TEXT), st.one_of(st.none(), _ANY_TEXT),
       st.one_of(st.none(), _ANY_TEXT.map(lambda t: f"/x/{t}")),
       st.one_of(st.none(), st.integers(1, 10**6)),
       st.sampled_from(["violation", "warning", "info"]))
def test_any_finding_round_trips_through_the_github_escaping(
        code: str, message: str, record: str | None, field: str | None, path: str | None,
        line: int | None, severity: Any) -> None:
    finding = Finding(code, message, severity=severity, path=path, line=line, record=record,
                      field=field)
    annotation = github_annotation(finding)
    assert "\n" not in annotation and "\r" not in annotation
    parsed = re.fullmatch(r"::(error|warning|notice) ([^:]*)::(.*)", annotation, re.S)
    assert parsed is not None, annotation
    assert parsed[1] == {"violation": "error", "warning": "warning", "info": "notice"}[severity]
    properties = dict(item.split("=", 1) for item in parsed[2].split(","))
    assert _unescape(properties["title"]) == escape_invisible(code)
    if path is None:
        assert "file" not in properties and "line" not in properties
    else:
        assert _unescape(properties["file"]) == escape_invisible(path)
        assert properties.get("line") == (str(line) if line else None)
    subject = " ".join(part for part in (record, field) if part)
    assert _unescape(parsed[3]) == escape_invisible(f"{subject}: {message}" if subject
                                                    else message)
    report = Report([finding])
    assert report.to_github().splitlines()[0] == annotation


# --- --help: examples, summaries, completion --------------------------------------------

def _commands() -> list[tuple[str, click.Command]]:
    assert isinstance(main, click.Group)
    return [("", main), *sorted(main.commands.items())]


def _example_lines(help_text: str) -> list[str]:
    """The command lines of a --help's Examples section (continuation lines joined)."""
    lines = help_text.splitlines()
    heading = next(n for n, line in enumerate(lines) if line.strip() == "Examples:")
    indent = len(lines[heading]) - len(lines[heading].lstrip())
    examples: list[str] = []
    for raw in lines[heading + 1:]:
        if len(raw) - len(raw.lstrip()) <= indent:
            break
        if examples and examples[-1].endswith("\\"):
            examples[-1] = examples[-1][:-1] + " " + raw.strip()
        else:
            examples.append(raw.strip())
    return examples


@pytest.mark.parametrize(("name", "command"), _commands(), ids=lambda v: v
                         if isinstance(v, str) else "")
def test_every_help_has_examples_that_parse(name: str, command: click.Command,
                                            tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Each example is split as a shell would, resolved to a real command, and parsed by
    click with its options and arguments (files it names exist in a temporary folder)."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [*([name] if name else []), "--help"])
    assert result.exit_code == 0
    assert re.search(r"^ *Examples:$", result.stdout, re.M), name
    examples = _example_lines(result.stdout)
    assert examples, name
    used: set[str] = set()
    for example in examples:
        words = shlex.split(example, comments=True)
        while re.fullmatch(r"[A-Z_]+=.*", words[0]):  # an environment variable
            words.pop(0)
        assert words[0] == "coopdata", example
        assert "--help" not in words and "-h" not in words
        for word in words:
            if re.search(r"\.(xml|rq|toml)$", word) or word.endswith("/"):
                target = tmp_path / word
                target.parent.mkdir(parents=True, exist_ok=True)
                if word.endswith("/"):
                    target.mkdir(exist_ok=True)
                else:
                    target.touch()
        context = click.Context(main, info_name="coopdata")
        sub = main.get_command(context, words[1])
        assert sub is not None, example
        used.add(words[1])
        sub.make_context(words[1], words[2:], parent=context)  # raises if it does not parse
    assert not name or name in used, f"no example of coopdata {name}"


def test_summaries_fit_in_coopdata_help() -> None:
    output = CliRunner().invoke(main, ["--help"], terminal_width=80).stdout
    for name, command in main.commands.items():
        assert command.short_help and len(command.short_help) <= 45, name
        assert f"  {name}" in output and command.short_help in output, name
    commands = output.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    assert len(commands.splitlines()) == len(main.commands)
    assert "..." not in commands


def test_shell_completion_is_documented_and_works() -> None:
    index = (Path(__file__).resolve().parents[2] / "docs" / "index.md").read_text("utf-8")
    for shell in ("bash", "zsh", "fish"):
        assert f"_COOPDATA_COMPLETE={shell}_source coopdata" in index
    env = {**os.environ, "COMP_WORDS": "coopdata valid", "COMP_CWORD": "1",
           "_COOPDATA_COMPLETE": "bash_complete"}
    result = CliRunner().invoke(main, [], env=env, prog_name="coopdata")
    assert "plain,validate" in result.stdout
