"""Fuzzing the record loader and the CSV reader (hypothesis, and atheris where installed).

Cases of docs/reliability.md; every test writes below its own ``tmp_path`` and fetches
nothing from the network."""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from coopdata import read_record, read_tables
from coopdata.records.dataset import check_records
from coopdata.tables.layout import tables
from tests.reliability.hostile import BOUNDED, ROOT, python_env

YAML_CHARACTERS = "id: p\n -[]{},'\"#&*!?|>%@`\\\t.0123456789eé\ufeff\x85\u2028<=+"
HOSTILE = ["", " ", "=1+1", "-", "'", "''=", "@x", "\x00", "\x1b[31m", "\ud800", "\ufffd",
           "../../x", "con", "1e999999", "1,25 M€", "2018-3-15", "0x" + "f" * 50, "9" * 5000,
           "é" * 300, "a\nb", "\r\n", '"', "Ã©", "r\u0435cosa", "null", "yes", "<<", "*a", "&a"]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def plain_values() -> st.SearchStrategy[Any]:
    scalars = (st.sampled_from(HOSTILE) | st.text(max_size=20) | st.integers()
               | st.floats() | st.booleans() | st.none())
    keys = st.sampled_from(["id", "type", "title", "budgets", "amount", "fr", "en", "status",
                            "actual_start", "countries", "sources", "url", "name"]) | st.text(
        max_size=5)
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(keys, inner, max_size=5), max_leaves=20)


def yaml_documents() -> st.SearchStrategy[bytes]:
    structured = plain_values().map(lambda data: yaml.safe_dump(
        data, allow_unicode=True).encode("utf-8", "surrogatepass"))
    scrambled = st.text(YAML_CHARACTERS, max_size=300).map(
        lambda text: text.encode("utf-8", "surrogatepass"))
    return st.binary(max_size=500) | structured | scrambled


@BOUNDED
@given(document=yaml_documents(), kind=st.sampled_from(["project", "person", "event"]))
def test_fuzz_record_loader(scratch: Path, document: bytes, kind: str) -> None:
    path = scratch / "p.yaml"
    path.write_bytes(document)
    record, findings = read_record(path, kind)
    assert all(f.code and f.message for f in findings)
    if record is not None:
        dataset, findings = check_records([record])
        assert all(str(f) for f in findings)


def csv_tables() -> st.SearchStrategy[dict[str, str]]:
    names = [t.name for t in tables()][:8]
    headers = {t.name: t.header for t in tables()}

    @st.composite
    def table(draw: st.DrawFn, name: str) -> str:
        if draw(st.booleans()):  # anything at all
            return draw(st.text(alphabet=",\"\n\r'=-ab1é\ufeff\x00", max_size=200))
        header = headers[name]
        rows = draw(st.lists(st.lists(st.sampled_from(HOSTILE[:-4]) | st.sampled_from(
            ["second", "first", "1", "2", "project", "EUR", "MA"]), min_size=0,
            max_size=len(header) + 2), max_size=4))
        buffer = [",".join(header)]
        for row in rows:
            buffer.append(",".join('"' + cell.replace('"', '""') + '"' for cell in row))
        return "\n".join(buffer) + "\n"

    return st.lists(st.sampled_from(names), unique=True, min_size=1, max_size=4).flatmap(
        lambda chosen: st.fixed_dictionaries({name: table(name) for name in chosen}))


@BOUNDED
@given(csv_tables())
def test_fuzz_csv_reader(scratch: Path, files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(dir=scratch) as directory:
        for name, content in files.items():
            Path(directory, f"{name}.csv").write_text(content, encoding="utf-8",
                                                      errors="surrogatepass")
        dataset, report = read_tables(directory)
    assert all(str(f) for f in report.findings)
    assert report.valid or len(dataset) == 0 or report.findings


def test_atheris_fuzzes_loader_and_csv_reader(tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    (tmp_path / "corpus").mkdir()
    # libFuzzer's RSS limit reads the process's peak RSS, which Linux carries over from the
    # forked test process through exec: the 2 GB the fuzz target may use come on top of it.
    inherited_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "fuzz" / "fuzz_loader.py"), "-runs=2000",
         "-seed=1", f"-artifact_prefix={tmp_path}/", f"-rss_limit_mb={inherited_mb + 2048}",
         "-timeout=20",
         str(tmp_path / "corpus")], cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**python_env(), "COOPDATA_FUZZ_DIR": str(tmp_path / "work")})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done 2000 runs" in result.stderr
