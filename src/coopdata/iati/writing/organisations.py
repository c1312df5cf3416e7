"""``iati-organisations.xml``: the organisation records with an IATI reference."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from coopdata.iati.writing.codes import iati_code
from coopdata.iati.writing.values import VERSION, attrs, narratives
from coopdata.model.dataset import Dataset


def write_organisations(dataset: Dataset, path: Path) -> int:
    """Write ``iati-organisations.xml``: one ``iati-organisation`` for every organisation
    record with an IATI reference (its identifier, name and reporting organisation, itself).
    Returns how many were written; nothing is written when none has a reference."""
    organisations = [o for o in dataset.of_kind("organisation") if o.data.get("iati_ref")]
    if not organisations:
        return 0
    sub = etree.SubElement
    with etree.xmlfile(str(path), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("iati-organisations", version=VERSION):
            xf.write("\n")
            for record in organisations:
                ref, name = record.data["iati_ref"], record.data["name"]
                element = etree.Element("iati-organisation")
                sub(element, "organisation-identifier").text = ref
                narratives(sub(element, "name"), name)
                reporter = sub(element, "reporting-org", attrs(
                    ref=ref, type=iati_code("organisation-type", record.data.get("type"))
                    or "90"))
                narratives(reporter, name)
                xf.write(element, pretty_print=True)
    return len(organisations)

