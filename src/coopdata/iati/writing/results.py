"""An activity's results: results with their indicators, baselines and periods, and the
curated targets (a number of something) as unit indicators. A result without an indicator
and an indicator period not known to the day are left out and named."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree

from coopdata.iati.writing.builder import Builder
from coopdata.iati.writing.codes import iati_code
from coopdata.iati.writing.values import (
    attrs,
    first_text,
    flag,
    is_day,
    maybe_num,
    narratives,
    num,
    year_text,
)


class Results(Builder):
    """The ``result`` children of ``iati-activity``."""

    def results(self, body: Any) -> None:
        sub = etree.SubElement
        for n, result in enumerate(self.data.get("results", []), start=1):
            indicators = list(self.indicators(result, f"results[{n}]"))
            if not indicators:
                self.note(f"results[{n}]", f"Result \u201c{first_text(result['title'])}\u201d has "
                          "no indicator, which an IATI result needs.")
                continue
            element = sub(body, "result", attrs(
                type=iati_code("result-type", result["type"]) or "9",
                **{"aggregation-status": flag(result["aggregation_status"])
                   if result.get("aggregation_status") is not None else None}))
            narratives(sub(element, "title"), result["title"])
            if result.get("description"):
                narratives(sub(element, "description"), result["description"])
            self.document_links(element, result.get("document_links", []),
                                f"results[{n}].document_links")
            for reference in result.get("references", []):
                sub(element, "reference", attrs(vocabulary=iati_code(
                    "result-vocabulary", reference["vocabulary"]), code=reference["code"],
                    **{"vocabulary-uri": reference.get("vocabulary_uri")}))
            element.extend(indicators)

    def indicators(self, result: dict[str, Any], path: str) -> Iterator[Any]:
        sub = etree.SubElement
        for n, indicator in enumerate(result.get("indicators", []), start=1):
            element = etree.Element("indicator", attrs(
                measure=iati_code("indicator-measure", indicator.get("measure")) or "1",
                ascending=flag(indicator["ascending"]) if indicator.get("ascending")
                is not None else None,
                **{"aggregation-status": flag(indicator["aggregation_status"])
                   if indicator.get("aggregation_status") is not None else None}))
            narratives(sub(element, "title"), indicator["title"])
            if indicator.get("description"):
                narratives(sub(element, "description"), indicator["description"])
            where = f"{path}.indicators[{n}]"
            self.document_links(element, indicator.get("document_links", []),
                                f"{where}.document_links")
            for reference in indicator.get("references", []):
                sub(element, "reference", attrs(vocabulary=iati_code(
                    "indicator-vocabulary", reference["vocabulary"]), code=reference["code"],
                    **{"indicator-uri": reference.get("indicator_uri")}))
            baseline = indicator.get("baseline")
            if baseline and baseline.get("year") is not None:
                year = baseline["year"]
                node = sub(element, "baseline", attrs(
                    year=year_text(year),
                    **{"iso-date": str(baseline["date"]) if is_day(baseline.get("date"))
                       else None}, value=maybe_num(baseline.get("value"))))
                self.observation(node, indicator, "baseline", where)
                if baseline.get("comment"):
                    narratives(sub(node, "comment"), baseline["comment"])
            for m, period in enumerate(indicator.get("periods", []), start=1):
                if not (is_day(period.get("start")) and is_day(period.get("end"))):
                    self.note(f"{path}.indicators[{n}].periods[{m}]", "An indicator period "
                              "not known to the day.")
                    continue
                node = sub(element, "period")
                sub(node, "period-start", **{"iso-date": str(period["start"])})
                sub(node, "period-end", **{"iso-date": str(period["end"])})
                for kind in ("target", "actual"):
                    if period.get(kind) is not None or period.get(f"{kind}_comment"):
                        value = sub(node, kind, attrs(value=maybe_num(period.get(kind))))
                        self.observation(value, period, kind, f"{where}.periods[{m}]",
                                         f"{kind}_comment" if period.get(f"{kind}_comment")
                                         else None)
            yield element
        for n, target in enumerate(result.get("targets", []), start=1):
            # A curated target (a number of something) is a unit indicator; its value has
            # no period, so it is said in the indicator's description.
            element = etree.Element("indicator", measure="1")
            narratives(sub(element, "title"), target["unit"])
            at_least = "at least " if target.get("at_least") else ""
            narratives(sub(element, "description"),
                        {"en": f"Target: {at_least}{num(target['value'])} "
                               f"({path}.targets[{n}] of the linked-data record)."})
            yield element


    def observation(self, parent: Any, item: dict[str, Any], prefix: str, path: str,
                    comment: str | None = None) -> None:
        """The ``location``, ``dimension``, ``comment`` and ``document-link`` of a baseline
        (``comment`` after the document links, as the schema orders them), a target or an
        actual value (``comment`` before them)."""
        sub = etree.SubElement
        for ref in item.get(f"{prefix}_location_refs", []):
            sub(parent, "location", ref=ref)
        for dimension in item.get(f"{prefix}_dimensions", []):
            sub(parent, "dimension", name=dimension["name"], value=dimension["value"])
        if prefix != "baseline" and comment:
            narratives(sub(parent, "comment"), item[comment])
        self.document_links(parent, item.get(f"{prefix}_document_links", []),
                            f"{path}.{prefix}_document_links")
