"""The results of an IATI activity (indicators, baselines, periods, their references
and observations) and the document links, of the activity or of a result."""

from __future__ import annotations

from typing import Any

from coopdata.iati.reading.mapfinance import in_order, period_dates
from coopdata.iati.reading.mapstate import (
    ACTIVITY,
    PROJECT,
    Activity,
    Handler,
    fields_of,
    new_object,
)
from coopdata.model.spec import KINDS, Field, by_name


def _document_link(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    document(act, data, PROJECT, "document_links", el, f"{ACTIVITY}/document-link")


def document(act: Activity, obj: dict[str, Any], parent: dict[str, Field], name: str,
              el: Any, path: str) -> None:
    """A ``document-link`` (of the activity, a result, an indicator, a baseline, a target
    or an actual value) into ``obj[name]``: its ``@url``, else, where that is not an
    http(s) URL with a host, its address as written."""
    spec = parent.get(name)
    if spec is None or not spec.is_object:
        return
    fields = by_name(spec.fields)
    mark, item = len(act.log), new_object()
    if not act.attr(item, fields, "url", el, "url", path, quiet=True):
        act.attr(item, fields, "address", el, "url", path)
    act.attr(item, fields, "format", el, "format", path)
    act.put_text(item, fields, "title", act.child(el, "title"), f"{path}/title")
    act.put_text(item, fields, "description", act.child(el, "description"), f"{path}/description")
    for tag, field_name in (("category", "categories"), ("language", "languages")):
        for child in el.iterchildren(tag):
            if act.attr(item, fields, field_name, child, "code", f"{path}/{tag}"):
                act.log.append(f"{path}/{tag}")
    act.child_attr(item, fields, "date", el, "document-date", "iso-date", path)
    if "url" not in item and "address" not in item:
        del act.log[mark:]
        if item:
            act.warn("iati-value-not-carried", f"{path}: no url; not carried", el.sourceline)
        return
    act.keep(obj, parent, name, item, mark, path, el.sourceline)


def _observation(act: Activity, obj: dict[str, Any], fields: dict[str, Field], el: Any,
                 path: str, prefix: str) -> None:
    """``location/@ref``, ``dimension`` and ``document-link`` of a baseline (into the
    indicator), a target or an actual value (into the period), into the fields named
    with ``prefix``."""
    head = f"{prefix}_"
    for location in el.iterchildren("location"):
        if act.attr(obj, fields, f"{head}location_refs", location, "ref", f"{path}/location"):
            act.log.append(f"{path}/location")
    spec = fields.get(f"{head}dimensions")
    for dimension in el.iterchildren("dimension") if spec is not None else ():
        dpath, dmark, item = f"{path}/dimension", len(act.log), new_object()
        sub = by_name(spec.fields)  # type: ignore[union-attr]
        act.put(item, sub, "name", dimension.get("name"), f"{dpath}/@name",
                dimension.sourceline)
        act.put(item, sub, "value", dimension.get("value"), f"{dpath}/@value",
                dimension.sourceline)
        act.keep(obj, fields, f"{head}dimensions", item, dmark, dpath, dimension.sourceline)
    for link in el.iterchildren("document-link"):
        document(act, obj, fields, f"{head}document_links", link, f"{path}/document-link")


def _references(act: Activity, obj: dict[str, Any], fields: dict[str, Field], el: Any,
                path: str, uri: str) -> None:
    """``reference`` of a result (``@vocabulary-uri``) or an indicator (``@indicator-uri``)."""
    spec = fields.get("references")
    if spec is None:
        return
    sub = by_name(spec.fields)
    for reference in el.iterchildren("reference"):
        rpath, mark, item = f"{path}/reference", len(act.log), new_object()
        if not act.qualifier(item, sub, "vocabulary", reference, "vocabulary", rpath):
            continue
        act.attr(item, sub, "code", reference, "code", rpath)
        act.attr(item, sub, uri.replace("-", "_"), reference, uri, rpath)
        act.keep(obj, fields, "references", item, mark, rpath, reference.sourceline)


_RESULT = by_name(KINDS["project"].field("results").fields)


def _result(act: Activity, data: dict[str, Any], el: Any, currency: str | None) -> None:
    path = f"{ACTIVITY}/result"
    mark, item = len(act.log), new_object()
    act.attr(item, _RESULT, "type", el, "type", path)
    act.attr(item, _RESULT, "aggregation_status", el, "aggregation-status", path)
    act.put_text(item, _RESULT, "title", act.child(el, "title"), f"{path}/title")
    act.put_text(item, _RESULT, "description", act.child(el, "description"), f"{path}/description")
    for link in el.iterchildren("document-link"):
        document(act, item, _RESULT, "document_links", link, f"{path}/document-link")
    _references(act, item, _RESULT, el, path, "vocabulary-uri")
    fields = fields_of("results", "indicators")
    for indicator in el.iterchildren("indicator") if fields else ():
        _indicator(act, item, fields, indicator, f"{path}/indicator")
    act.keep(data, PROJECT, "results", item, mark, path, el.sourceline)


def _indicator(act: Activity, result: dict[str, Any], fields: dict[str, Field], el: Any,
               path: str) -> None:
    mark, item = len(act.log), new_object()
    if not (act.qualifier(item, fields, "measure", el, "measure", path)
            and act.qualifier(item, fields, "ascending", el, "ascending", path)):
        del act.log[mark:]  # (written back without them: a unit measure, ascending)
        return
    act.attr(item, fields, "aggregation_status", el, "aggregation-status", path)
    act.put_text(item, fields, "title", act.child(el, "title"), f"{path}/title")
    act.put_text(item, fields, "description", act.child(el, "description"), f"{path}/description")
    for link in el.iterchildren("document-link"):
        document(act, item, fields, "document_links", link, f"{path}/document-link")
    _references(act, item, fields, el, path, "indicator-uri")
    baseline = act.child(el, "baseline")
    base_fields = fields_of("results", "indicators", "baseline")
    if baseline is not None and base_fields:
        bpath, bmark, base = f"{path}/baseline", len(act.log), new_object()
        act.attr(base, base_fields, "year", baseline, "year", bpath)
        act.attr(base, base_fields, "date", baseline, "iso-date", bpath)
        act.attr(base, base_fields, "value", baseline, "value", bpath)
        act.put_text(base, base_fields, "comment", act.child(baseline, "comment"),
                     f"{bpath}/comment")
        if act.keep(item, fields, "baseline", base, bmark, bpath, baseline.sourceline):
            _observation(act, item, fields, baseline, bpath, "baseline")
    period_fields = fields_of("results", "indicators", "periods")
    for period in el.iterchildren("period") if period_fields else ():
        ppath, pmark, entry = f"{path}/period", len(act.log), new_object()
        if not in_order(act, period, ppath):
            continue
        period_dates(act, entry, period_fields, period, ppath, ("start", "end"))
        for tag in ("target", "actual"):
            found = act.child(period, tag)
            if found is not None and act.attr(entry, period_fields, tag, found, "value",
                                              f"{ppath}/{tag}"):
                act.log.append(f"{ppath}/{tag}")
                act.put_text(entry, period_fields, f"{tag}_comment", act.child(found, "comment"),
                             f"{ppath}/{tag}/comment")
                _observation(act, entry, period_fields, found, f"{ppath}/{tag}", tag)
        act.keep(item, fields, "periods", entry, pmark, ppath, period.sourceline)
    act.keep(result, _RESULT, "indicators", item, mark, path, el.sourceline)


HANDLERS: dict[str, Handler] = {"document-link": _document_link, "result": _result}
"""The handlers of this module's children of ``iati-activity``."""
