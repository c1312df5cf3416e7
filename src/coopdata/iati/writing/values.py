"""The names and values of coopdata's IATI 2.03 files, and the small pieces every part of
the writer shares: narratives in each language, attributes that have a value, numbers and
flags as IATI writes them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lxml import etree

from coopdata.model.dates import PartialDate

VERSION = "2.03"
STANDARD_URI = "http://iatistandard.org/203/"
"""The IATI Standard 2.03, as a catalogue's ``dct:conformsTo`` names it."""
ACTIVITIES = "iati-activities.xml"
ORGANISATIONS = "iati-organisations.xml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SRS_NAME = "http://www.opengis.net/def/crs/EPSG/0/4326"


def narratives(parent: Any, text: dict[str, str] | None) -> None:
    """One ``narrative`` per language of ``text`` (in language order)."""
    for language in sorted(text or {}):
        narrative = etree.SubElement(parent, "narrative")
        narrative.set(XML_LANG, language)
        narrative.text = text[language]  # type: ignore[index]


def attrs(**values: str | None) -> dict[str, str]:
    """The attributes with a value (``secondary_reporter`` is written as given)."""
    return {name: value for name, value in values.items() if value is not None}


def is_day(date: object) -> bool:
    return isinstance(date, PartialDate) and date.precision == "day"


def flag(value: bool) -> str:
    return "1" if value else "0"


def num(value: Decimal | int) -> str:
    number = Decimal(value)
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def maybe_num(value: Decimal | int | None) -> str | None:
    return None if value is None else num(value)


def pos_text(point: Any) -> str:
    """A point as IATI's ``pos``: latitude, a space, longitude."""
    if isinstance(point, str):
        return " ".join(point.split())
    latitude, longitude = point
    return f"{num(latitude)} {num(longitude)}"


def first_text(text: dict[str, str]) -> str:
    return text.get("en") or next(iter(text.values()))



def year_text(year: PartialDate | int) -> str:
    """A year (of a partial date or a number) as IATI's ``year`` attributes write it."""
    return str(year.year if isinstance(year, PartialDate) else year)
