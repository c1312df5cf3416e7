"""Loading in parallel gives exactly what loading in one process gives: the same typed
records, the same findings (lines included) and the same triples."""

from __future__ import annotations

import importlib
import pickle
import signal
from pathlib import Path

import pytest
from benchmarks.synthetic import generate
from hypothesis import given, settings
from hypothesis import strategies as st

from coopdata.model.uris import Uris
from coopdata.records.read import FieldLines, read_record
from coopdata.validate.validation import Validation

validation = importlib.import_module("coopdata.validate.validation")  # the module, not the function
load = importlib.import_module("coopdata.records.load")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Projects with every kind of injected error, and a duplicated id."""
    out = tmp_path_factory.mktemp("corpus")
    generate(150, out, seed=3, error_every=5)
    duplicate = (out / "projects" / "project-000007.yaml").read_text(encoding="utf-8")
    (out / "projects" / "project-000007-copy.yaml").write_text(duplicate, encoding="utf-8")
    return out


def _run(directory: Path | None, monkeypatch: pytest.MonkeyPatch, parallel_from: int
         ) -> Validation:
    monkeypatch.setattr(load, "PARALLEL_FROM", parallel_from)
    return validation.validate(directory, uris=Uris("https://example.org/coop/"))


@pytest.mark.parametrize("source", ["corpus", "embedded"])
def test_parallel_load_is_the_serial_load(source: str, corpus: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    directory = corpus if source == "corpus" else None
    serial = _run(directory, monkeypatch, 10**9)
    parallel = _run(directory, monkeypatch, 1)
    assert [(r.kind, r.id, r.path, r.data) for r in parallel.dataset] == \
        [(r.kind, r.id, r.path, r.data) for r in serial.dataset]
    assert [str(f) for f in parallel.report.findings] == [str(f) for f in serial.report.findings]
    assert parallel.triples == serial.triples
    if source == "corpus":  # the corpus's errors were found, on their lines
        assert any(f.code == "duplicate-id" and f.line == 1 for f in serial.report.findings)
        assert sum(1 for f in serial.report.findings if f.line and f.line > 1) > 20


def test_lines_are_found_when_first_asked(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("id: p\ntitle:\n  en: A\nbudgets:\n- amount: 3\n  currency: EUR\n",
                    encoding="utf-8")
    record, problems = read_record(path, "project")
    assert record is not None and not problems
    assert isinstance(record.lines, FieldLines)
    copied = pickle.loads(pickle.dumps(record.lines))  # as from a worker, not yet worked out
    for lines in (record.lines, copied):
        assert dict(lines) == {"id": 1, "title": 2, "title.en": 3, "budgets": 4,
                               "budgets[1]": 5, "budgets[1].amount": 5,
                               "budgets[1].currency": 6}
    assert record.line("budgets[1].funder") == 5  # the nearest enclosing field
    assert pickle.loads(pickle.dumps(record.lines)) == record.lines  # once worked out


def test_workers_stop_under_the_command_line_signal_handler(
        corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line turns SIGTERM into SystemExit (to clean up); the workers forked
    from it must still stop when the pool stops them, not hang the load."""
    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        for _ in range(3):
            assert _run(corpus, monkeypatch, 1).report.records > 150
    finally:
        signal.signal(signal.SIGTERM, previous)


_SCALARS = ["yes", "No", "on", "~", "null", "", "010", "0o10", "0x1F", "1_000", "3.14", ".5",
            "1e3", ".inf", "-.NaN", "2013-06-01", "2013-06-01 10:00:00", "=", "<<", "12:30",
            "190:20:30", "+1", "-0", "ongoing", "juin 2013", "4,1 M", "true", "FALSE", "O"]


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.sampled_from(_SCALARS), st.text(alphabet="0123456789.-+_:eExob"
                                                          "OTYNtynlu~=<", max_size=12),
                       st.text(max_size=12)),
       plain=st.booleans())
def test_resolved_tags_are_pyyaml_s(value: str, plain: bool) -> None:
    """The loader's remembered tags are those of PyYAML's own resolver, asked twice,
    except that a plain scalar whose tag holds no data (``=``) is text."""
    import yaml

    from coopdata.records.read import _MERGE, _SCALAR_TAGS, _STR, _Loader

    reference = yaml.resolver.Resolver()
    loader = _Loader("")
    for _ in range(2):  # (the second answer is the remembered one)
        for kind in (yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode):
            expected = reference.resolve(kind, value, (plain, True))
            if kind is yaml.ScalarNode and expected not in (*_SCALAR_TAGS, _MERGE):
                expected = _STR
            assert loader.resolve(kind, value, (plain, True)) == expected


def test_the_control_characters_the_checks_refuse_are_never_printable() -> None:
    """The text checks look for control characters only in text that is not printable."""
    assert not any(chr(code).isprintable()
                   for code in [*range(0, 9), *range(11, 32), *range(0x7F, 0xA0)])
