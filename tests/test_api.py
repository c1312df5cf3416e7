"""The public Python API: its edges, its exceptions, and a cheap import."""

from __future__ import annotations

import subprocess
import sys

import pytest

import coopdata
from coopdata import CoopdataError, OutputError, RecordsInvalid, UsageError


def test_all_is_complete_and_sorted() -> None:
    public = {name for name in dir(coopdata) if not name.startswith("_")
              and not isinstance(getattr(coopdata, name), type(coopdata))}
    assert set(coopdata.__all__) - {"__version__"} == public
    assert coopdata.__all__ == sorted(coopdata.__all__)


def test_one_exception_tree() -> None:
    for error in (UsageError, RecordsInvalid, OutputError):
        assert issubclass(error, CoopdataError)
    assert UsageError.exit_code == 2 and RecordsInvalid.exit_code == 1


def test_import_is_cheap_and_has_no_side_effects() -> None:
    code = ("import sys, coopdata; heavy = [m for m in ('rdflib', 'frictionless', 'pyshacl', "
            "'pycountry', 'ftfy') if m in sys.modules]; print(heavy)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert output == "[]\n"


def test_public_functions_are_documented() -> None:
    for name in coopdata.__all__:
        value = getattr(coopdata, name)
        if callable(value):
            assert value.__doc__, f"{name} has no docstring"


def test_missing_directory_raises_usage_error(tmp_path: object) -> None:
    with pytest.raises(UsageError, match="no records directory"):
        coopdata.load("/nonexistent/records")


def test_build_raises_records_invalid_with_the_report(tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    (root / "records" / "projects").mkdir(parents=True)
    (root / "records" / "projects" / "p.yaml").write_text("id: p\ntype: project\n",
                                                         encoding="utf-8")
    with pytest.raises(RecordsInvalid) as caught:
        coopdata.build(root / "out", root / "records")
    assert not caught.value.report.valid
    assert not (root / "out").exists()
