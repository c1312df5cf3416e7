"""What every part of an activity's writer shares: the record, its notes (the facts the
activity does not carry, for its type-4 description), its findings, its organisations and
its document links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lxml import etree

from coopdata.iati.writing.codes import iati_code
from coopdata.iati.writing.values import is_day, narratives
from coopdata.model.config import ReleaseConfig
from coopdata.model.dataset import Dataset, Record
from coopdata.model.uris import Uris
from coopdata.report import Finding


def identifier(record: Record, config: ReleaseConfig) -> str:
    """The IATI identifier of a project: its own, or the publisher's reference + its id."""
    own = record.data.get("iati_identifier")
    return own if isinstance(own, str) and own else f"{config.iati_organisation_ref}-{record.id}"


class Builder:
    """The state of one project record's ``iati-activity`` as it is built."""

    def __init__(self, record: Record, dataset: Dataset, config: ReleaseConfig, uris: Uris,
                 today: dt.date) -> None:
        self.record, self.dataset, self.config, self.uris = record, dataset, config, uris
        self.today = today
        self.data: dict[str, Any] = record.data
        self.notes: list[str] = []
        """Facts of the record the activity does not carry (in its type-4 description)."""
        self.derived: list[str] = []
        """What the activity says that the record does not state but a documented rule
        derives from it (in its type-4 description)."""
        self.findings: list[Finding] = []

    def note(self, field_path: str, message: str) -> None:
        self.notes.append(message)
        self.findings.append(self.finding("iati-not-carried", field_path, message))

    def derive(self, field_path: str, message: str) -> None:
        self.derived.append(message)
        self.findings.append(self.finding("iati-derived", field_path, message))

    def finding(self, code: str, field_path: str, message: str) -> Finding:
        return Finding(code, message, severity="info", path=self.record.path,
                       line=self.record.line(field_path), record=self.record.id,
                       field=field_path)

    def role(self, participation: dict[str, Any]) -> str | None:
        """The IATI role of a participation (None for partner, steering committee,
        beneficiary: roles IATI does not have)."""
        return iati_code("participation-role", participation.get("role"))

    def organisation(self, record_id: str | None) -> Record | None:
        return self.dataset.get("organisation", record_id) if record_id else None

    def document_links(self, parent: Any, links: list[dict[str, Any]], path: str) -> None:
        """``document-link`` elements (of the activity, a result, an indicator, a baseline,
        a target or an actual value) under ``parent``."""
        sub = etree.SubElement
        for n, link in enumerate(links, start=1):
            categories = [c for c in (iati_code("document-category", c)
                                      for c in link.get("categories", [])) if c]
            where = link.get("url") or link.get("address")
            if not categories:
                self.note(f"{path}[{n}]", f"Document {where} has no IATI document category.")
                continue
            element = sub(parent, "document-link", url=where,
                          format=link.get("format") or "text/html")
            narratives(sub(element, "title"), link["title"])
            if link.get("description"):
                narratives(sub(element, "description"), link["description"])
            for category in categories:
                sub(element, "category", code=category)
            for language in link.get("languages", []):
                sub(element, "language", code=language)
            if is_day(link.get("date")):
                sub(element, "document-date", **{"iso-date": str(link["date"])})
