"""Where the files that ship with coopdata live: the vocabulary, shapes, table
schemas and the embedded default records.

In an installed wheel they are inside the package (``coopdata/_data/``); in a source
checkout they are the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # the coopdata package


def resource(name: str) -> Path:
    """The shipped folder ``name`` (``schema``, ``shapes``, ``datapackage`` or ``records``)."""
    for base in (_PACKAGE / "_data", _PACKAGE.parent.parent):
        candidate = base / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"coopdata is installed without its {name}/ folder")


def default_records() -> Path:
    """The embedded default dataset."""
    return resource("records")


MARKER = ".coopdata-output.json"
"""The file that lists what coopdata wrote in an output directory."""
