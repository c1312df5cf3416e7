"""Where an activity is and what it is about: recipient countries and regions (with their
shares), locations and sectors."""

from __future__ import annotations

from typing import Any

from lxml import etree

from coopdata.iati.writing.builder import Builder
from coopdata.iati.writing.codes import iati_code
from coopdata.iati.writing.values import SRS_NAME, attrs, maybe_num, narratives, pos_text


class Places(Builder):
    """The geographic and sector children of ``iati-activity``."""

    def countries(self, body: Any) -> None:
        countries(self.data, body)

    def regions(self, body: Any) -> None:
        regions(self.data, body)

    def locations(self, body: Any) -> None:
        sub = etree.SubElement
        for location in self.data.get("locations", []):
            element = sub(body, "location", attrs(ref=location.get("ref")))
            if location.get("reach"):
                sub(element, "location-reach", code=iati_code(
                    "geographic-location-reach", location["reach"]) or location["reach"])
            if location.get("location_id"):
                sub(element, "location-id", code=location["location_id"], vocabulary=iati_code(
                    "geographic-vocabulary", location.get("location_id_vocabulary")) or "")
            for name in ("name", "description", "activity_description"):
                if location.get(name):
                    narratives(sub(element, name.replace("_", "-")), location[name])
            for area in location.get("administratives", []):
                sub(element, "administrative", attrs(
                    vocabulary=iati_code("geographic-vocabulary", area.get("vocabulary")),
                    level=maybe_num(area.get("level")), code=area["code"]))
            if location.get("point"):
                point = sub(element, "point", srsName=SRS_NAME)
                sub(point, "pos").text = pos_text(location["point"])
            for name, scheme in (("exactness", "geographic-exactness"),
                                 ("location_class", "geographic-location-class"),
                                 ("feature_designation", "location-type")):
                if location.get(name):
                    sub(element, name.replace("_", "-"),
                        code=iati_code(scheme, location[name]) or location[name])

    def sectors(self, body: Any) -> None:
        sectors(self.data, body)


def countries(data: dict[str, Any], body: Any) -> None:
    """The ``recipient-country`` elements of a project's ``data``, into ``body``."""
    shares = {s["country"]: s["percentage"] for s in data.get("country_shares", [])}
    for country in data.get("countries", []):
        etree.SubElement(body, "recipient-country", attrs(
            code=country, percentage=maybe_num(shares.get(country))))


def regions(data: dict[str, Any], body: Any) -> None:
    """The ``recipient-region`` elements of a project's ``data``, into ``body``."""
    for region in data.get("regions", []):
        etree.SubElement(body, "recipient-region", attrs(
            code=region["code"], vocabulary=iati_code(
                "region-vocabulary", region.get("vocabulary")),
            percentage=maybe_num(region.get("percentage")),
            **{"vocabulary-uri": region.get("vocabulary_uri")}))


def sectors(data: dict[str, Any], body: Any) -> None:
    """The ``sector`` elements of a project's ``data``, into ``body``."""
    shares = data.get("sector_shares", [])
    shared = {s["code"] for s in shares if iati_code("sector-vocabulary",
                                                     s.get("vocabulary")) in (None, "1")}
    for code in data.get("sectors", []):
        if code not in shared:
            etree.SubElement(body, "sector", vocabulary="1", code=code)
    for share in shares:
        narratives(etree.SubElement(body, "sector", attrs(
            vocabulary=iati_code("sector-vocabulary", share.get("vocabulary")) or "1",
            **{"vocabulary-uri": share.get("vocabulary_uri")},
            code=share["code"], percentage=maybe_num(share.get("percentage")))),
            share.get("text"))


def shares(data: dict[str, Any]) -> Any:
    """An ``iati-activity`` element holding only the recipient countries, regions and
    sectors of a project's ``data``, as a release writes them (for the percentage rules:
    :func:`~coopdata.iati.writing.rules.percentage_errors`)."""
    activity = etree.Element("iati-activity")
    countries(data, activity)
    regions(data, activity)
    sectors(data, activity)
    return activity
