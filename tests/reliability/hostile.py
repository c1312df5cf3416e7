"""What the hostile-input and fault tests of this folder share (docs/reliability.md)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from coopdata import read_record
from coopdata.cli import main
from coopdata.records.dataset import check_records
from tests.conftest import refused

ROOT = Path(__file__).resolve().parents[2]
BOUNDED = settings(max_examples=300, deadline=None, database=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
"""Fuzz settings: a fixed number of examples from a fixed seed (the same in CI), no example
database written into the work tree."""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.output


problems = refused


def python_env() -> dict[str, str]:
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


def in_subprocess(code: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter: a crash (a segfault) cannot take pytest down, and
    a hang ends at ``timeout``."""
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=python_env())


def field_findings(tmp_path: Path, fields: str, field: str, kind: str = "project") -> list[str]:
    """The findings about ``field`` of a record made of ``fields``."""
    path = tmp_path / "p.yaml"
    path.write_text("id: p\n" + fields, encoding="utf-8")
    record, findings = read_record(path, kind)
    assert record is not None, findings
    _, findings = check_records([record])
    return [f"{f.message} [{f.code}]" for f in findings if f.field == field]


def csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
