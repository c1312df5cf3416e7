"""The building blocks of the spec (:mod:`coopdata.model.spec`): a record's fields and
kinds, and the field shapes several kinds share.

A record is one YAML file, ``records/<folder>/<id>.yaml``. Each field has a type:

========== ==========================================================================
type       what a curator writes
========== ==========================================================================
text       a map of language tag to text: ``{fr: "…", en: "…", es: "…"}`` (any ISO 639-1 code)
string     plain text without a language (a person's name, a file name)
ref        the id of another record, of the kind named by ``Field.ref``
code       a code from the SKOS scheme named by ``Field.scheme`` (schema/codelists.ttl)
country    an ISO 3166-1 alpha-2 code (``MA``)
currency   an ISO 4217 code (``EUR``)
language   an ISO 639-1 code (``fr``)
date       a date at its precision: ``2013``, ``2013-06`` or ``2013-06-15``
decimal    a number (``1250000`` or ``1.25``); never a string such as ``"4,1 M"``
boolean    ``true`` or ``false``
url        an absolute http(s) URL
point      a WGS 84 point, latitude then longitude: ``"33.5731 -7.5898"``
object     a nested map with its own ``fields`` (a budget, a participation…)
========== ==========================================================================

Each type is defined once, for every stage, in :mod:`coopdata.model.fieldtypes`
(``Field.field_type``). ``many=True`` makes the field a list of such values.
``predicate`` is the RDF property the field becomes (a CURIE with a prefix from
:data:`~coopdata.model.vocab.PREFIXES`); nested objects become nodes of class
``node_class``.
"""

from __future__ import annotations

from dataclasses import dataclass

from coopdata.model.fieldtypes import FIELD_TYPES, CodeType, FieldType

LANGUAGES: tuple[str, ...] = ("en", "fr")
"""The site's interface languages: each has its own table column (``title_en``,
``title_fr``) and comes first in a text. A ``text`` field may carry any ISO 639-1
language besides (``es``, ``ar``…: IATI narratives); tables put those in the
``<kind>_translations`` table."""


def text_order(text: dict[str, str]) -> dict[str, str]:
    """``text`` with its languages in the order records, tables and the graph list them:
    the interface languages (:data:`LANGUAGES`) first, then the others alphabetically."""
    first = [lang for lang in LANGUAGES if lang in text]
    rest = sorted(lang for lang in text if lang not in LANGUAGES)
    return {lang: text[lang] for lang in (*first, *rest)}


TYPES = frozenset(FIELD_TYPES)
"""The names of the field types, each defined once in :mod:`coopdata.model.fieldtypes`."""

DEFAULT_VOCABULARY = "1"
"""The vocabulary of a code when none is named: IATI's default for sectors (DAC 5-digit),
regions (OECD DAC), aid types and policy markers (OECD DAC CRS)."""


@dataclass(frozen=True)
class Field:
    """One field of a record, or of an object nested in a record."""

    name: str
    type: str
    predicate: str
    doc: str
    required: bool = False
    many: bool = False
    ref: str | None = None
    scheme: str | None = None
    node_class: str | None = None
    fields: tuple[Field, ...] = ()
    vocabulary_field: str | None = None
    """For a code that depends on a vocabulary named beside it (IATI ``@vocabulary``): the
    sibling field holding that vocabulary (absent, it is :data:`DEFAULT_VOCABULARY`)."""
    vocabularies: tuple[tuple[str, str], ...] = ()
    """The vocabularies whose codes are checked: (vocabulary notation, scheme of its
    codes). A code of another vocabulary (a publisher's own, 99…) is free."""

    def __post_init__(self) -> None:
        assert self.type in TYPES, self.type
        assert bool(self.vocabularies) == (self.vocabulary_field is not None), self.name
        assert self.is_reference == (self.ref is not None), self.name
        assert isinstance(self.field_type, CodeType) == (self.scheme is not None), self.name
        assert self.is_object == bool(self.fields) == (self.node_class is not None)

    @property
    def field_type(self) -> FieldType:
        """The definition of the field's type (:mod:`coopdata.model.fieldtypes`)."""
        return FIELD_TYPES[self.type]

    @property
    def is_object(self) -> bool:
        """A nested map with fields of its own."""
        return FIELD_TYPES[self.type].is_object

    @property
    def is_text(self) -> bool:
        """A map of language tag to text."""
        return FIELD_TYPES[self.type].is_text

    @property
    def is_reference(self) -> bool:
        """The id of another record, of the kind ``ref`` names."""
        return FIELD_TYPES[self.type].is_reference

    def child(self, name: str) -> Field:
        """The nested field called ``name``."""
        return next(f for f in self.fields if f.name == name)


_BY_NAME: dict[int, tuple[tuple[Field, ...], dict[str, Field]]] = {}


def by_name(fields: tuple[Field, ...]) -> dict[str, Field]:
    """``fields`` (a kind's, or an object field's) by name, worked out once for each tuple
    of fields, which is recognised by identity: hashing nested frozen fields would cost
    more than the lookup it saves, and the loaders ask for every object of every record."""
    known = _BY_NAME.get(id(fields))
    if known is None or known[0] is not fields:  # (kept with it: its id is not reused)
        known = _BY_NAME[id(fields)] = (fields, {f.name: f for f in fields})
    return known[1]


@dataclass(frozen=True)
class Kind:
    """A kind of record: where its files live, its RDF class and its fields."""

    name: str
    folder: str
    node_class: str
    label_field: str
    fields: tuple[Field, ...]
    doc: str

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        return next(f for f in self.fields if f.name == name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)



def text_field(name: str, predicate: str, doc: str, **kw: object) -> Field:
    return Field(name, "text", predicate, doc, **kw)  # type: ignore[arg-type]


SOURCES_FIELD = Field("sources", "ref", "dct:source",
                 "The source records this record's facts come from.",
                 required=True, many=True, ref="source")
NOTE_FIELD = text_field("note", "skos:editorialNote",
                        "A curator's note: how a fact was read or repaired.")


def place_field(name: str, predicate: str, doc: str, *, many: bool) -> Field:
    return Field(
        name, "object", predicate, doc, many=many, node_class="schema:Place",
        fields=(
            Field("name", "string", "schema:name", "The place's name as commonly written.",
                  required=True),
            Field("type", "code", "coop:placeType", "What kind of place it is.", required=True,
                  scheme="place-type"),
            Field("country", "country", "schema:containedInPlace", "The country it lies in.",
                  required=True),
        ),
    )


def coded_field(name: str, predicate: str, doc: str, node_class: str, scheme: str, *,
           percentage: bool = False, text: bool = False, uri: bool = False,
           extra: tuple[Field, ...] = (), checked: tuple[tuple[str, str], ...] = ()) -> Field:
    """A list of codes from a vocabulary named beside each code (IATI's ``@vocabulary`` +
    ``@code``): sectors, regions, aid types, policy markers, tags… ``checked``: the
    vocabularies whose codes are checked against a scheme (see :attr:`Field.vocabularies`)."""
    return Field(
        name, "object", predicate, doc, many=True, node_class=node_class, fields=(
            *extra,
            Field("vocabulary", "code", "coop:vocabulary", "The vocabulary the code is from.",
                  scheme=scheme),
            Field("code", "string", "coop:code", "The code, in that vocabulary.",
                  required=True, vocabulary_field="vocabulary" if checked else None,
                  vocabularies=checked),
            *((Field("vocabulary_uri", "url", "coop:vocabularyUri",
                     "Where a publisher's own vocabulary (99, 98) is published."),) if uri else ()),
            *((Field("percentage", "decimal", "coop:percentage",
                     "Its share, in percent (0 to 100)."),) if percentage else ()),
            *((text_field("text", "skos:prefLabel", "The code's name as the publisher gives it."),)
              if text else ()),
        ),
    )


SECTOR_VOCABULARIES = (("1", "dac-sector"), ("2", "dac-sector-category"))
"""Sector vocabularies 1 (OECD DAC 5-digit) and 2 (DAC 3-digit), checked; others are free."""
REGION_VOCABULARIES = (("1", "region"),)
"""Region vocabulary 1 (OECD DAC regions), checked; 2 (UN M49) and 99 are free."""
AID_TYPE_VOCABULARIES = (("1", "aid-type"),)
"""Aid type vocabulary 1 (OECD DAC), checked; earmarking and cash-transfer lists are free."""
POLICY_MARKER_VOCABULARIES = (("1", "policy-marker"),)
"""Policy marker vocabulary 1 (OECD DAC CRS), checked; a publisher's own (99) is free."""


def party_fields(role: str, predicate: str) -> tuple[Field, ...]:
    """The provider or receiver of a transaction: a record, or a name and a reference."""
    name = role.capitalize()
    return (
        Field(role, "ref", f"coop:{role}", f"{name} organisation, where it has a record.",
              ref="organisation"),
        text_field(f"{role}_name", f"coop:{role}Name", f"{name}'s name, where it has no record."),
        Field(f"{role}_ref", "string", f"coop:{role}Ref",
              f"{name}'s IATI organisation identifier."),
        Field(f"{role}_type", "code", f"coop:{role}Type",
              f"{name}'s IATI organisation type, as the activity gives it.",
              scheme="organisation-type"),
        Field(f"{role}_activity", "string", predicate,
              f"The IATI identifier of the {role}'s own activity for these funds."),
    )


def documents_field(name: str, predicate: str, doc: str) -> Field:
    """Document links (IATI ``document-link``), of an activity or inside its results."""
    return Field(
        name, "object", predicate, doc, many=True, node_class="foaf:Document", fields=(
            Field("url", "url", "schema:url", "Where the document is (an http(s) URL)."),
            Field("address", "string", "coop:documentAddress",
                  "Its address as the publisher wrote it, where that is not an http(s) URL "
                  "with a host (IATI allows any URI, such as http:www.example.org/a.odt); "
                  "kept as written, never followed. A document has a url or an address."),
            Field("format", "string", "dct:format", "Its IANA media type (text/html)."),
            text_field("title", "dct:title", "Its title.", required=True),
            text_field("description", "dct:description", "What it holds."),
            Field("categories", "code", "coop:documentCategory", "What kind of document.",
                  many=True, scheme="document-category"),
            Field("languages", "language", "dct:language", "The languages it is in.",
                  many=True),
            Field("date", "date", "dct:date", "When it was published."),
        ))


def dimensions_field(name: str, predicate: str, doc: str) -> Field:
    """Disaggregations of an indicator value (IATI ``dimension``: sex, age…)."""
    return Field(name, "object", predicate, doc, many=True, node_class="coop:Dimension",
                 fields=(
                     Field("name", "string", "schema:name", "What it disaggregates by (sex).",
                           required=True),
                     Field("value", "string", "coop:dimensionValue", "Its value (female).",
                           required=True),
                 ))


def observation_fields(prefix: str, what: str) -> tuple[Field, ...]:
    """What IATI gives beside a baseline's, target's or actual value: location references,
    dimensions and document links (fields named and predicates made with ``prefix``)."""

    def term(local: str) -> str:
        return f"coop:{prefix}{local[0].upper()}{local[1:]}"

    return (
        Field(f"{prefix}_location_refs", "string", term("locationRef"),
              f"The references of the project's locations the {what} is for (IATI "
              "location/@ref).", many=True),
        dimensions_field(f"{prefix}_dimensions", term("dimension"),
                         f"Disaggregations of the {what}."),
        documents_field(f"{prefix}_document_links", term("documentLink"),
                   f"Documents about the {what}."),
    )
