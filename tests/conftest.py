"""Shared fixtures: a small valid record set that uses every field, and helpers to
make broken copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of tests/fixtures/records; the working directory is its parent,
    so findings print paths such as ``records/projects/second.yaml``."""
    target = tmp_path / "records"
    shutil.copytree(FIXTURES / "records", target)
    monkeypatch.chdir(tmp_path)
    return target


def refused(tmp_path: Path, content: str | bytes, name: str = "p.yaml") -> list[str]:
    """The findings, as ``line message [code]``, of reading a record file that must be
    refused."""
    from coopdata import read_record

    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    record, findings = read_record(path, "project")
    assert record is None
    return [f"{f.line} {f.message} [{f.code}]" for f in findings]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
