"""coopdata diff and the CHANGELOG: the IATI activities added, removed and changed (which
elements), by iati-identifier, beside the records."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from coopdata.cli import main
from coopdata.release.changelog import IATI_ACTIVITIES, compare_activities
from coopdata.release.job import release
from tests.conftest import FIXTURES

PREFIX = "XI-IATI-COOPDATA-"  # (the fixture's publisher: release configuration default)


def _copy_project(records: Path, new: str) -> None:
    text = (records / "projects" / "second.yaml").read_text("utf-8")
    (records / "projects" / f"{new}.yaml").write_text(text.replace("id: second\n",
                                                                   f"id: {new}\n"), "utf-8")


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1.0.0 with projects second and third; 1.1.0 where second is closed and its USD
    budget changed, third is gone and fourth is new."""
    root = tmp_path_factory.mktemp("iati-diff")
    records = root / "records"
    shutil.copytree(FIXTURES / "records", records)
    _copy_project(records, "third")
    release(root / "rel", records, version="1.0.0", date="2026-11-23", site=False)
    second = records / "projects" / "second.yaml"
    second.write_text(second.read_text("utf-8").replace("status: implementation",
                                                        "status: closed")
                      .replace("amount: 2.5\n", "amount: 3.5\n"), "utf-8")
    (records / "projects" / "third.yaml").unlink()
    _copy_project(records, "fourth")
    release(root / "rel", records, version="1.1.0", date="2026-12-01", site=False)
    return root / "rel"


EXPECTED = f"""\
# Changes in 1.1.0 since 1.0.0

## Records

- added: project/fourth (Second project)
- removed: project/third (Second project)
- changed: project/second (Second project)
  - budgets[2].amount: 2.5 → 3.5 USD
  - status: "implementation" → "closed"

## IATI activities

- added: {PREFIX}fourth
- removed: {PREFIX}third
- changed: {PREFIX}second (activity-status, description)

## Triples

{{added}} added, {{removed}} removed.
"""
"""(The triples' counts follow the model, not this issue: taken from the JSON.)"""


def test_diff_cli_exact_output(releases: Path) -> None:
    old, new = str(releases / "1.0.0"), str(releases / "1.1.0")
    counts = json.loads(CliRunner().invoke(main, ["diff", old, new, "--format", "json"]).output)
    expected = EXPECTED.format(added=counts["triples_added"], removed=counts["triples_removed"])
    result = CliRunner().invoke(main, ["diff", old, new])
    assert (result.exit_code, result.output) == (0, expected)
    assert (releases / "1.1.0" / "CHANGELOG.md").read_text("utf-8") == expected


def test_diff_json_has_the_activities(releases: Path) -> None:
    result = CliRunner().invoke(main, ["diff", str(releases / "1.0.0"),
                                       str(releases / "1.1.0"), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["activities"] == {
        "added": [f"{PREFIX}fourth"], "removed": [f"{PREFIX}third"],
        "changed": {f"{PREFIX}second": ["activity-status", "description"]}}


def test_first_release_lists_every_activity_as_added(releases: Path) -> None:
    changelog = (releases / "1.0.0" / "CHANGELOG.md").read_text("utf-8")
    assert f"## IATI activities\n\n- added: {PREFIX}second\n- added: {PREFIX}third\n\n" \
        in changelog


def test_a_release_without_iati_file(releases: Path, tmp_path: Path) -> None:
    """An older release without the IATI file: every activity of the newer one is added;
    neither with one: no IATI section at all."""
    old, new = tmp_path / "1.0.0", tmp_path / "1.1.0"
    shutil.copytree(releases / "1.0.0", old)
    shutil.copytree(releases / "1.1.0", new)
    (old / IATI_ACTIVITIES).unlink()
    result = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 0
    assert f"## IATI activities\n\n- added: {PREFIX}fourth\n- added: {PREFIX}second\n\n" \
        in result.output
    (new / IATI_ACTIVITIES).unlink()
    result = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 0 and "IATI" not in result.output
    assert json.loads(CliRunner().invoke(main, ["diff", str(old), str(new), "--format",
                                                "json"]).output)["activities"] is None


def test_same_release_no_activity_changed(releases: Path) -> None:
    result = CliRunner().invoke(main, ["diff", str(releases / "1.1.0"),
                                       str(releases / "1.1.0")])
    assert result.exit_code == 0
    assert "## IATI activities\n\nNo activity changed.\n" in result.output


def test_malformed_iati_file_is_a_clear_error(releases: Path, tmp_path: Path) -> None:
    new = tmp_path / "1.1.0"
    shutil.copytree(releases / "1.1.0", new)
    text = (new / IATI_ACTIVITIES).read_text("utf-8")
    (new / IATI_ACTIVITIES).write_text(text[:len(text) // 2], "utf-8")
    result = CliRunner().invoke(main, ["diff", str(releases / "1.0.0"), str(new)])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {new / IATI_ACTIVITIES}:")
    assert "malformed XML" in result.output and "Traceback" not in result.output


# --- the comparison itself, on written files -----------------------------------------

def _file(folder: Path, name: str, activities: dict[str, tuple[str, str]]) -> Path:
    path = folder / name
    body = "".join(f'<iati-activity{attrs}><iati-identifier>{identifier}</iati-identifier>'
                   f"{inner}</iati-activity>\n"
                   for identifier, (attrs, inner) in activities.items())
    path.write_text(f'<iati-activities version="2.03">\n{body}</iati-activities>\n', "utf-8")
    return path


def test_what_counts_as_a_change(tmp_path: Path) -> None:
    """Attributes by @name, child elements by name (all of that name together); the order
    of attributes and the indentation between elements are not changes."""
    old = _file(tmp_path, "old.xml", {
        "A": (' default-currency="EUR"', '<budget type="1"><value>10</value></budget>'),
        "B": ("", '<sector code="1" vocabulary="1"/><title><narrative>T</narrative></title>'),
        "C": ("", "<title><narrative>x</narrative></title>"),
        "D": ("", '<sector code="1"/><sector code="2"/>'),
        "E": ("", "<title><narrative>same</narrative></title>")})
    new = _file(tmp_path, "new.xml", {
        "A": (' default-currency="USD"', '<budget type="1"><value>11</value></budget>'),
        "B": ("", '<sector vocabulary="1" code="1"/>\n  <title>\n <narrative>T</narrative>'
                  "</title>"),
        "C": ("", "<title><narrative>x</narrative></title><sector code=\"9\"/>"),
        "D": ("", '<sector code="2"/><sector code="1"/>'),
        "F": ("", "")})
    found = compare_activities(old, new)
    assert found.added == ["F"] and found.removed == ["E"]
    assert found.changed == {"A": ["@default-currency", "budget"], "C": ["sector"],
                             "D": ["sector"]}
    assert compare_activities(None, new).added == ["A", "B", "C", "D", "F"]
    assert compare_activities(old, None).removed == ["A", "B", "C", "D", "E"]


ELEMENTS = ("title", "budget", "sector", "transaction", "location")
_values = st.text(alphabet="abcXYZ019 ", min_size=1, max_size=5).map(str.strip).filter(bool)
_activity = st.dictionaries(st.sampled_from(ELEMENTS), _values, max_size=len(ELEMENTS))


def _xml(elements: dict[str, str]) -> str:
    return "".join(f'<{name} v="{value}"/>' for name, value in elements.items())


@settings(max_examples=40, deadline=None)
@given(old=st.dictionaries(st.sampled_from("ABCDEFGH"), _activity, max_size=8),
       new=st.dictionaries(st.sampled_from("ABCDEFGH"), _activity, max_size=8))
def test_changes_are_exactly_the_differences(old: dict[str, dict[str, str]],
                                             new: dict[str, dict[str, str]]) -> None:
    """For any two files: added and removed are the identifiers in one only; changed are
    those in both whose elements differ, with exactly the names that differ."""
    with tempfile.TemporaryDirectory() as folder:
        old_path = _file(Path(folder), "old.xml", {k: ("", _xml(v)) for k, v in old.items()})
        new_path = _file(Path(folder), "new.xml", {k: ("", _xml(v)) for k, v in new.items()})
        found = compare_activities(old_path, new_path)
    assert found.added == sorted(set(new) - set(old))
    assert found.removed == sorted(set(old) - set(new))
    expected = {}
    for identifier in sorted(set(old) & set(new)):
        names = sorted(n for n in set(old[identifier]) | set(new[identifier])
                       if old[identifier].get(n) != new[identifier].get(n))
        if names:
            expected[identifier] = names
    assert found.changed == expected
