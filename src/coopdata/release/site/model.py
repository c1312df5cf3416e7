"""What the pages show, worked out from the records once: labels, links back from the
records that point at each entity, countries, and a summary of every project."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from coopdata.model import codes
from coopdata.model.dataset import Dataset
from coopdata.model.dates import PartialDate
from coopdata.model.fieldtypes import CountryType, RefType
from coopdata.model.spec import KINDS, Field

Text = dict[str, str]
"""Language tag → text; the tag ``""`` for text without a language (a person's name)."""

Target = tuple[str, str]
"""(kind, id) of a record, or ("country", alpha-2 code)."""


def page_path(kind: str, key: str) -> str:
    """The page of an entity, relative to the site root: ``project/recosa/index.html``."""
    return f"{kind}/{key}/index.html"


def data_path(kind: str, key: str, suffix: str) -> str:
    """The entity's data file beside its folder: ``project/recosa.ttl``."""
    return f"{kind}/{key}.{suffix}"


def sort_key(text: Text) -> str:
    """Accents and case ignored; English first where there is English."""
    value = text.get("en") or text.get("fr") or next(iter(text.values()), "")
    plain = unicodedata.normalize("NFKD", value)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Backlink:
    """A record that points at an entity, through ``path`` (``participations.organisation``)."""

    kind: str
    id: str
    path: str
    qualifier: tuple[str, str] | None = None
    """(scheme, code) of the role the nested object gives, where it gives one."""


@dataclass
class Budget:
    amount: Decimal
    currency: str
    funders: tuple[str, ...]
    """Organisation ids: the budget's funder, else the project's funding organisations."""


@dataclass
class Project:
    """What the list, the filter and the charts need of one project."""

    id: str
    type: str
    status: str | None
    countries: tuple[str, ...]
    funders: tuple[str, ...]
    start: PartialDate | None
    end: PartialDate | None
    planned: bool
    """True when the start or the end shown is a planned date."""
    budgets: list[Budget] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        if self.start is None:
            return []
        last = self.end.year if self.end is not None else self.start.year
        return list(range(self.start.year, max(last, self.start.year) + 1))

    @property
    def dated(self) -> bool:
        return self.start is not None and self.end is not None


_Link = tuple[str, bool, str, "tuple[Field, ...] | None", "str | None"]
_LINKS: dict[int, tuple[tuple[Field, ...], list[_Link]]] = {}


def _links_of(fields: tuple[Field, ...]) -> list[_Link]:
    """The fields that name a record or a country, or hold objects that may: (name, many,
    kind named, the objects' fields, the scheme of their role), worked out once for each
    kind's fields (they live as long as the specification: keyed by identity)."""
    known = _LINKS.get(id(fields))
    if known is not None and known[0] is fields:
        return known[1]
    links: list[_Link] = []
    for spec in fields:
        if spec.is_object:
            role = next((f for f in spec.fields if f.name == "role"), None)
            links.append((spec.name, spec.many, "", spec.fields,
                          (role.scheme or "") if role else None))
        elif isinstance(spec.field_type, RefType | CountryType):
            links.append((spec.name, spec.many, spec.ref or "country", None, None))
    _LINKS[id(fields)] = (fields, links)
    return links


class Model:
    """The dataset seen from the site."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        # each target's links in the order first seen (a dict: a set that keeps order,
        # so that a link named twice is kept once without a scan of those before it)
        found: dict[Target, dict[Backlink, None]] = defaultdict(dict)
        for record in dataset:
            self._walk(found, record.kind, record.id, KINDS[record.kind].fields, record.data,
                       "", None)
        self.backlinks: dict[Target, list[Backlink]] = defaultdict(list)
        labels: dict[tuple[str, str], str] = {}
        for target, seen in found.items():
            links = list(seen)
            for b in links:
                if (b.kind, b.id) not in labels:
                    labels[(b.kind, b.id)] = sort_key(self.label(b.kind, b.id))
            links.sort(key=lambda b: (b.path, b.kind, labels[(b.kind, b.id)], b.id))
            self.backlinks[target] = links
        self.countries = sorted(k for kind, k in self.backlinks if kind == "country")
        self.projects = [self._project(r.id, r.data) for r in dataset.of_kind("project")]
        self._by_id = {p.id: p for p in self.projects}

    def _walk(self, found: dict[Target, dict[Backlink, None]], kind: str, record_id: str,
              fields: tuple[Field, ...], data: dict[str, Any], prefix: str,
              qualifier: tuple[str, str] | None) -> None:
        for name, many, ref, inner_fields, scheme in _links_of(fields):
            if name not in data:
                continue
            path = f"{prefix}{name}"
            values = data[name] if many else [data[name]]
            if inner_fields is not None:  # nested objects: what they name, with their role
                for value in values:
                    inner = (scheme, value["role"]) if scheme is not None and "role" in value \
                        else None
                    self._walk(found, kind, record_id, inner_fields, value, f"{path}.", inner)
            else:
                link = Backlink(kind, record_id, path, qualifier)
                for value in values:
                    found[(ref, value)][link] = None

    def label(self, kind: str, key: str) -> Text:
        """The name of a record or country in every language it has."""
        if kind == "country":
            info = codes.country(key)
            return {"en": info[1], "fr": info[2]} if info else {"": key}
        record = self.dataset.get(kind, key)
        if record is None:
            return {"": key}
        value = record.data.get(KINDS[kind].label_field)
        if isinstance(value, dict):
            return dict(value)
        return {"": str(value)} if value is not None else {"": key}

    def acronym(self, kind: str, key: str) -> Text | None:
        record = self.dataset.get(kind, key)
        value = record.data.get("acronym") if record is not None else None
        return dict(value) if isinstance(value, dict) else None

    def short(self, kind: str, key: str) -> Text:
        """The acronym where there is one, else the label."""
        return self.acronym(kind, key) or self.label(kind, key)

    def chart_label(self, kind: str, key: str) -> Text:
        """A long name led by its acronym (``AMUDDU – Projet d'Appui…``), for charts that
        have to cut names short."""
        label, acronym = self.label(kind, key), self.acronym(kind, key)
        if not acronym:
            return label
        shown = {}
        for lang, name in label.items():
            short = acronym.get(lang) or next(iter(acronym.values()))
            shown[lang] = name if len(name) <= 32 or short in name[:40] else f"{short} – {name}"
        return shown

    def sorted_ids(self, kind: str) -> list[str]:
        if kind == "country":
            return sorted(self.countries, key=lambda c: (sort_key(self.label("country", c)), c))
        return sorted(self.dataset.ids(kind), key=lambda i: (sort_key(self.label(kind, i)), i))

    def _project(self, record_id: str, data: dict[str, Any]) -> Project:
        funding = tuple(p["organisation"] for p in data.get("participations", [])
                        if p["role"] == "funding")
        start = data.get("actual_start") or data.get("planned_start")
        end = data.get("actual_end") or data.get("planned_end")
        planned = ("actual_start" not in data and start is not None) or \
            ("actual_end" not in data and end is not None)
        budgets = [Budget(b["amount"], b["currency"],
                          (b["funder"],) if "funder" in b else funding)
                   for b in data.get("budgets", [])]
        funders = tuple(sorted({*funding, *(b["funder"] for b in data.get("budgets", [])
                                            if "funder" in b)}))
        return Project(record_id, data["type"], data.get("status"),
                       tuple(data.get("countries", [])), funders, start, end, planned, budgets)

    def project(self, record_id: str) -> Project:
        return self._by_id[record_id]

    def recipient_countries(self) -> list[str]:
        found = {c for p in self.projects for c in p.countries}
        return [c for c in self.sorted_ids("country") if c in found]

    def release_countries(self) -> list[str]:
        """Recipient and agreement countries (what release.json and the catalogue count)."""
        found = {c for p in self.projects for c in p.countries}
        for record in self.dataset.of_kind("agreement"):
            found.update(record.data.get("countries", []))
        return sorted(found)

    def funders(self) -> list[str]:
        found = {f for p in self.projects for f in p.funders}
        return [i for i in self.sorted_ids("organisation") if i in found]


def format_amount(amount: Decimal) -> str:
    """``4 600 000`` (narrow no-break spaces, read the same in English and French)."""
    whole, _, fraction = format(amount.normalize(), "f").partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    text = sign + "\u202f".join(groups or ["0"])
    return f"{text}.{fraction}" if fraction else text


def format_bytes(size: int) -> str:
    for unit, scale in (("MB", 1_000_000), ("kB", 1_000)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"
