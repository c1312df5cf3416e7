"""Activities remembered in the cache (:mod:`coopdata.iati.writing.remembered`): an export
that takes unchanged projects' activities from the cache writes the file and finds the
findings of one that builds every activity, whatever changed in between (projects, the
organisations they name, the publisher, the day)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from coopdata.cache import Cache, group
from coopdata.iati.writing import activity as activity_module
from coopdata.iati.writing import remembered as remembered_module
from coopdata.iati.writing.write import Exported, export
from coopdata.model.config import ReleaseConfig
from coopdata.records.load import load

TODAY = dt.date(2026, 12, 6)
PROJECTS = 16


@pytest.fixture(autouse=True)
def _faults(monkeypatch: pytest.MonkeyPatch) -> None:
    """Activities the schema and the rules find faults in, by what their records say: an
    element the schema does not know when the English title holds "!", countries off the
    code list and without shares when it holds "?"."""
    built = activity_module.Activity.element

    def element(self: Any) -> Any:
        activity = built(self)
        title = str(self.record.data.get("title", {}).get("en", ""))
        if "!" in title:
            activity.find("iati-identifier").addnext(etree.Element("bogus"))
        if "?" in title:
            status = activity.find("activity-status")
            status.addnext(etree.Element("recipient-country", code="ZZ"))
            status.addnext(etree.Element("recipient-country", code="MA"))
        return activity

    monkeypatch.setattr(activity_module.Activity, "element", element)


def _records(folder: Path) -> Path:
    from benchmarks.synthetic import generate

    generate(PROJECTS, folder, errors=False)
    return folder


def _exported(records: Path, out: Path, cache: Cache | None, today: dt.date = TODAY,
              config: ReleaseConfig | None = None) -> tuple[bytes, Exported]:
    dataset, _ = load(records, cache=cache)
    out.mkdir(parents=True, exist_ok=True)
    exported = export(dataset, out / "a.xml", config=config, today=today,
                      remember=None if cache is None else (cache, group("test", str(records))))
    path = out / "a.xml"
    return (path.read_bytes() if path.exists() else b""), exported


def _yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _edit(root: Path, edit: tuple[str, int, str]) -> None:
    """One change to the records: of a project, of an organisation, of the publisher."""
    what, n, text = edit
    projects = sorted((root / "projects").glob("*.yaml"))
    organisations = sorted((root / "organisations").glob("*.yaml"))
    if what.endswith("org") or what == "publisher":
        if not organisations:
            return
        path = organisations[n % len(organisations)]
        if what == "delete-org":
            path.unlink()
            return
        data = _yaml(path)
        if what == "rename-org":
            data["name"] = {**data["name"], "en": text}
        else:  # the publisher: the organisation whose reference is the configuration's
            data["iati_ref"] = ReleaseConfig().iati_organisation_ref
        _write(path, data)
        return
    if not projects:
        return
    path = projects[n % len(projects)]
    data = _yaml(path)
    if what == "retitle":
        data["title"] = {**data["title"], "en": text}
    elif what == "undate":  # no start date: left out of the file
        for name in ("planned_start", "actual_start", "planned_end", "actual_end"):
            data.pop(name, None)
    elif what == "copy":
        data["id"] = f"copy-{n}-{len(projects)}"
        path = path.with_name(f"{data['id']}.yaml")
    elif what == "delete":
        path.unlink()
        return
    _write(path, data)


TITLES = st.text(st.sampled_from("ab !?é"), min_size=1, max_size=6)
EDITS = st.one_of(
    st.tuples(st.sampled_from(["retitle", "rename-org"]), st.integers(0, 40), TITLES),
    st.tuples(st.sampled_from(["undate", "copy", "delete", "delete-org", "publisher"]),
              st.integers(0, 40), st.just("")),
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.lists(EDITS, min_size=1, max_size=4), min_size=1, max_size=3),
       days=st.lists(st.sampled_from([TODAY, dt.date(2031, 1, 1)]), min_size=3, max_size=3))
def test_an_export_from_the_cache_is_the_export_without_it(
        tmp_path_factory: pytest.TempPathFactory, steps: list[list[tuple[str, int, str]]],
        days: list[dt.date]) -> None:
    folder = tmp_path_factory.mktemp("remembered")
    root = _records(folder / "records")
    with Cache.open(folder / "cache") as cache:
        _exported(root, folder / "first", cache)
        for round_number, (edits, today) in enumerate(zip(steps, days, strict=False)):
            for edit in edits:
                _edit(root, edit)
            text, exported = _exported(root, folder / f"{round_number}-cached", cache, today)
            expected, without = _exported(root, folder / f"{round_number}-not", None, today)
            assert text == expected
            assert exported.findings == without.findings
            assert exported.written.activities == without.written.activities


def test_only_what_changed_is_built_again(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing changed: no activity is built; an organisation renamed: only projects
    that name it; another day: every one."""
    built: list[str] = []
    element = activity_module.Activity.element

    def counted(self: Any) -> Any:
        built.append(self.record.id)
        return element(self)

    monkeypatch.setattr(activity_module.Activity, "element", counted)
    root = _records(tmp_path / "records")
    with Cache.open(tmp_path / "cache") as cache:
        first, exported = _exported(root, tmp_path / "1", cache)
        assert len(built) == len(exported.written.activities) > 10
        assert any(f.code == "iati-schema" for f in exported.findings) is False

        built.clear()
        again, _ = _exported(root, tmp_path / "2", cache)
        assert again == first and built == []

        organisation = root / "organisations" / "org-00003.yaml"
        naming = sorted(p.stem for p in (root / "projects").glob("*.yaml")
                        if "org-00003" in p.read_text(encoding="utf-8"))
        assert naming
        data = _yaml(organisation)
        _write(organisation, {**data, "name": {**data["name"], "en": "Renamed"}})
        text, renamed = _exported(root, tmp_path / "3", cache)
        # (only those whose activity asked for it: a partner's is not written)
        assert built and set(built) <= set(naming)
        assert text == _exported(root, tmp_path / "3-not", None)[0]

        built.clear()
        _exported(root, tmp_path / "4", cache, today=dt.date(2031, 1, 1))
        assert len(built) == len(renamed.written.activities)


def test_schema_and_rule_findings_are_rebased_where_the_activity_now_stands(
        tmp_path: Path) -> None:
    """Faulty activities taken from the cache after the ones before them grew: their
    findings name the lines they now start at, as an export without the cache finds."""
    root = _records(tmp_path / "records")
    projects = sorted((root / "projects").glob("*.yaml"))
    for n, path in enumerate(projects[4:8]):
        data = _yaml(path)
        _write(path, {**data, "title": {**data["title"], "en": "!?"[n % 2] + " faulty"}})
    with Cache.open(tmp_path / "cache") as cache:
        _, before = _exported(root, tmp_path / "1", cache)
        assert {f.code for f in before.findings} >= {"iati-schema"}
        data = _yaml(projects[0])
        _write(projects[0], {**data, "description": {"en": "many\nlines\n" * 20}})
        text, exported = _exported(root, tmp_path / "2", cache)
    expected, without = _exported(root, tmp_path / "3", None)
    assert text == expected and exported.findings == without.findings
    assert [f.message for f in exported.findings if f.code == "iati-schema"] != \
        [f.message for f in before.findings if f.code == "iati-schema"]


def test_a_project_the_load_cannot_vouch_for_is_built_every_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No source for a project (a file changed while it was read, an id two files
    carry): its activity is neither taken from the cache nor kept in it."""
    root = _records(tmp_path / "records")
    with Cache.open(tmp_path / "cache") as cache:
        _exported(root, tmp_path / "1", cache)
        shutil.copy(root / "projects" / "project-000002.yaml",
                    root / "projects" / "again.yaml")
        dataset, _ = load(root, cache=cache)
        assert dataset.sources[("project", "project-000002")] is None
        found = remembered_module.Activities(cache, group("test", str(root)), dataset,
                                             ReleaseConfig(), _uris(), TODAY, None)
        record = dataset.get("project", "project-000002")
        assert record is not None and found.find(record) is None


def _uris() -> Any:
    from coopdata.model.uris import Uris

    return Uris()
