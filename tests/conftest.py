"""Shared fixtures: a small valid record set that uses every field, and helpers to
make broken copies of it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest_plugins = ["tests.chromium"]  # the browser tests' browser fixture (tests/chromium.py)

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(os.environ.get("COOPDATA_SHARED")
              or Path(__file__).resolve().parents[1].parent / "shared")
"""The reference files shared beside the clone (``../shared/``: seeds, DCAT-AP shapes,
IATI files); ``COOPDATA_SHARED`` names another place. Tests reach it through
:func:`shared_path`, the ``shared`` fixture or the ``needs_shared`` marker, which skip
with a reason when it is missing (a fresh clone), never fail."""


def shared_path(*parts: str) -> Path:
    """``SHARED/parts…``, or skip the calling test, saying what is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path}: the shared reference files beside the clone "
                    "(../shared/, or set COOPDATA_SHARED)")
    return path


@pytest.fixture
def shared() -> Path:
    """The shared reference folder (the test is skipped when there is none)."""
    return shared_path()


_MADE_CACHE: list[str] = []
"""The cache folder this run made for its releases (removed when the run ends)."""


def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get("COOPDATA_CACHE"):  # the tests' releases keep their cache apart
        import tempfile

        os.environ["COOPDATA_CACHE"] = tempfile.mkdtemp(prefix="coopdata-test-cache-")
        _MADE_CACHE.append(os.environ["COOPDATA_CACHE"])
    config.addinivalue_line("markers", "needs_shared(*parts): the test reads ../shared/<parts> "
                            "and is skipped, with the reason, when it is missing")


def pytest_unconfigure(config: pytest.Config) -> None:
    for folder in _MADE_CACHE:  # (each run made its own: it leaves none behind in /tmp)
        shutil.rmtree(folder, ignore_errors=True)
        if os.environ.get("COOPDATA_CACHE") == folder:
            del os.environ["COOPDATA_CACHE"]


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers("needs_shared"):
        shared_path(*marker.args)


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
