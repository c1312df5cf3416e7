"""YAML built to explode: bombs, deep nesting, huge scalars, tags, numbers too large.

Cases of docs/reliability.md; every test writes below its own ``tmp_path`` and fetches
nothing from the network."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.hostile import field_findings, in_subprocess, problems


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    # the first alias is the anchored node seen again: the finding points at the anchor
    lines = ["id: p", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[level]
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    assert problems(tmp_path, "\n".join(lines) + "\n") == [
        "2 YAML anchors and aliases are not allowed in records [yaml-alias]"]


def test_deep_nesting_1000_levels(tmp_path: Path) -> None:
    assert problems(tmp_path, "id: p\nx: " + "[" * 1000 + "]" * 1000 + "\n") == [
        "2 nesting deeper than 20 levels [too-deep]"]


def test_nesting_that_would_crash_libyaml_is_refused(tmp_path: Path) -> None:
    # libyaml's composer recurses once a level and crashed the interpreter (SIGSEGV) past
    # some tens of thousands of levels; the loader now measures the depth first.
    code = """if True:
        from pathlib import Path
        from coopdata import read_record
        n = 150_000
        for body in ("x: " + "[" * n + "]" * n, "x:\\n" + "- " * n + "x",
                     "x: " + "{a: " * n + "1" + "}" * n):
            Path("p.yaml").write_text("id: p\\n" + body + "\\n", encoding="utf-8")
            record, findings = read_record(Path("p.yaml"), "project")
            print(record, [(f.line, f.code) for f in findings])
    """
    result = in_subprocess(code, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == ("None [(2, 'too-deep')]\nNone [(3, 'too-deep')]\n"
                             "None [(2, 'too-deep')]\n")


def test_huge_scalar_is_refused_unread(tmp_path: Path) -> None:
    assert problems(tmp_path, "id: p\ntitle: {fr: " + "a" * 5_000_000 + "}\n") == [
        "None record files are limited to 1000000 bytes [file-too-large]"]


def test_python_object_tag_builds_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    assert problems(tmp_path, f"id: p\nx: !!python/object/apply:os.system [touch {marker}]\n"
                    ) == ["2 YAML tag tag:yaml.org,2002:python/object/apply:os.system is not "
                          "allowed: records hold plain data [yaml-tag]"]
    assert not marker.exists()


@pytest.mark.parametrize(("text", "line", "tag"), [
    ("id: p\nx: !!binary aGVsbG8=\n", 2, "tag:yaml.org,2002:binary"),
    ("id: p\nbase: {a: 1}\nx:\n  <<: {a: 1}\n", 4, "tag:yaml.org,2002:merge"),
    ("id: p\nx: !!set {a, b}\n", 2, "tag:yaml.org,2002:set"),
    ("id: p\nx: !!omap [a: 1]\n", 2, "tag:yaml.org,2002:omap"),
    ("id: p\nx: !custom 1\n", 2, "!custom"),
    ("id: p\nx: !<tag:yaml.org,2002:python/name:os.system> 1\n", 2,
     "tag:yaml.org,2002:python/name:os.system"),
    ("%TAG !e! tag:yaml.org,2002:python/\n---\nid: p\nx: !e!object/apply:os.system [1]\n", 4,
     "tag:yaml.org,2002:python/object/apply:os.system"),
], ids=["binary", "merge-key", "set", "omap", "custom", "verbatim", "tag-directive"])
def test_tags_are_refused(tmp_path: Path, text: str, line: int, tag: str) -> None:
    assert problems(tmp_path, text) == [
        f"{line} YAML tag {tag} is not allowed: records hold plain data [yaml-tag]"]


@pytest.mark.parametrize(("value", "message"), [
    ("1.0e+999999999", 'the number 1.0E+999999999 is out of range: at most 28 significant '
     "digits, and fewer than 100 digits before or after the point"),
    ("1.5e+999999", "the number 1.5E+999999 is out of range: at most 28 significant digits, "
     "and fewer than 100 digits before or after the point"),
    ("1" * 40, f"the number {'1' * 40} is out of range: at most 28 significant digits, and "
     "fewer than 100 digits before or after the point"),
    ("9" * 5000, f'expected a number, got "{"9" * 100}…" (5000 characters)'),
    ("0x" + "f" * 10_000, f'expected a number, got "0x{"f" * 98}…" (10002 characters)'),
], ids=["overflow", "million-digits", "too-precise", "5000-digits", "huge-hex"])
def test_numbers_too_large_to_write_are_refused(tmp_path: Path, value: str, message: str) -> None:
    assert field_findings(tmp_path, f"budgets:\n  - amount: {value}\n    currency: EUR\n",
                          "budgets[1].amount") == [f"{message} [type-error]"]


def test_huge_integer_in_a_code_field_is_a_finding(tmp_path: Path) -> None:
    # str() of an integer of more than 4,300 digits raises: such an integer stays text.
    assert field_findings(tmp_path, "status: 0x" + "f" * 10_000 + "\n", "status") == [
        f'unknown activity-status code "0x{"f" * 10_000}"; expected one of: cancelled, closed, '
        "finalisation, implementation, pipeline, suspended [unknown-code]"]
