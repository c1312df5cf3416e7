"""Where an IATI activity takes place: recipient countries and regions, locations and
their points."""

from __future__ import annotations

from typing import Any

from coopdata.iati.reading.mapstate import (
    ACTIVITY,
    PROJECT,
    Activity,
    Handler,
    coded,
    fields_of,
    new_object,
)
from coopdata.iati.reading.mapvalues import short_text
from coopdata.model.spec import Field

_WGS84 = ("http://www.opengis.net/def/crs/EPSG/0/4326", "EPSG:4326",
          "urn:ogc:def:crs:EPSG::4326")


def _recipient_country(act: Activity, data: dict[str, Any], el: Any,
                       currency: str | None) -> None:
    path = f"{ACTIVITY}/recipient-country"
    if not act.attr(data, PROJECT, "countries", el, "code", path):
        return
    act.log.append(path)
    if el.get("percentage") is not None and "country_shares" in PROJECT:
        fields, mark, item = fields_of("country_shares"), len(act.log), new_object()
        item["country"] = data["countries"][-1]
        if act.attr(item, fields, "percentage", el, "percentage", path):
            data.setdefault("country_shares", []).append(item)
        else:
            del act.log[mark:]


def _recipient_region(act: Activity, data: dict[str, Any], el: Any,
                      currency: str | None) -> None:
    coded(act, data, el, f"{ACTIVITY}/recipient-region", "regions", (("percentage", "percentage"),))


_LOCATION_CODES = (("exactness", "exactness"), ("location-reach", "reach"),
                   ("location-class", "location_class"),
                   ("feature-designation", "feature_designation"))


def _location(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{ACTIVITY}/location"
    fields = fields_of("locations")
    if not fields:
        return
    mark, item = len(act.log), new_object()
    act.attr(item, fields, "ref", el, "ref", path)
    found = act.child(el, "location-id")
    if found is not None:
        lpath, lmark = f"{path}/location-id", len(act.log)
        if act.qualifier(item, fields, "location_id_vocabulary", found, "vocabulary", lpath) \
                and act.attr(item, fields, "location_id", found, "code", lpath):
            act.log.append(lpath)
        else:  # (a code of a gazetteer unknown says nothing)
            item.pop("location_id_vocabulary", None)
            del act.log[lmark:]
    for tag, name in (("name", "name"), ("description", "description"),
                      ("activity-description", "activity_description")):
        act.put_text(item, fields, name, act.child(el, tag), f"{path}/{tag}")
    admin_fields = fields_of("locations", "administratives")
    for admin in el.iterchildren("administrative") if admin_fields else ():
        apath, amark, area = f"{path}/administrative", len(act.log), new_object()
        if not act.qualifier(area, admin_fields, "vocabulary", admin, "vocabulary", apath):
            continue
        act.attr(area, admin_fields, "level", admin, "level", apath)
        act.attr(area, admin_fields, "code", admin, "code", apath)
        act.keep(item, fields, "administratives", area, amark, apath, admin.sourceline)
    point = act.child(el, "point")
    if point is not None:
        _point(act, item, fields, point, f"{path}/point")
    for tag, name in _LOCATION_CODES:
        act.child_attr(item, fields, name, el, tag, "code", path)
    act.keep(data, PROJECT, "locations", item, mark, path, el.sourceline)


def _point(act: Activity, item: dict[str, Any], fields: dict[str, Field], point: Any,
           path: str) -> None:
    srs = (point.get("srsName") or "").strip()
    pos = act.child(point, "pos")
    if pos is None or srs not in _WGS84:
        if pos is not None:
            act.warn("iati-value-not-carried", f'{path}/@srsName: "{short_text(srs)}" is not '
                     "WGS 84 (EPSG:4326); the point is not carried", point.sourceline)
        return
    if act.put(item, fields, "point", pos.text, f"{path}/pos", pos.sourceline):
        act.log.extend((path, f"{path}/@srsName"))


HANDLERS: dict[str, Handler] = {
    "recipient-country": _recipient_country, "recipient-region": _recipient_region,
    "location": _location,
}
"""The handlers of this module's children of ``iati-activity``."""
