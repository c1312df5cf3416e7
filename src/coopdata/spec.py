"""What a record of each kind may hold: one declarative table drives the checks,
the tables and the graph.

A record is one YAML file, ``records/<folder>/<id>.yaml``. Each field has a type:

========== ==========================================================================
type       what a curator writes
========== ==========================================================================
text       a map of language tag to text: ``{fr: "…", en: "…"}`` (``en`` and ``fr``)
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
object     a nested map with its own ``fields`` (a budget, a participation…)
========== ==========================================================================

``many=True`` makes the field a list of such values. ``predicate`` is the RDF property
the field becomes (a CURIE with a prefix from :data:`PREFIXES`); nested objects become
nodes of class ``node_class``.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES: tuple[str, ...] = ("en", "fr")
"""Language tags a ``text`` field may carry, in the order tables list them."""

PREFIXES: dict[str, str] = {
    "coop": "https://w3id.org/coopdata/vocab#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

TYPES = frozenset(
    {"text", "string", "ref", "code", "country", "currency", "language", "date", "decimal",
     "boolean", "url", "object"}
)


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

    def __post_init__(self) -> None:
        assert self.type in TYPES, self.type
        assert (self.type == "ref") == (self.ref is not None), self.name
        assert (self.type == "code") == (self.scheme is not None), self.name
        assert (self.type == "object") == bool(self.fields) == (self.node_class is not None)

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


def _text(name: str, predicate: str, doc: str, **kw: object) -> Field:
    return Field(name, "text", predicate, doc, **kw)  # type: ignore[arg-type]


_SOURCES = Field("sources", "ref", "dct:source",
                 "The source records this record's facts come from.",
                 required=True, many=True, ref="source")
_NOTE = _text("note", "skos:editorialNote", "A curator's note: how a fact was read or repaired.")


def _place(name: str, predicate: str, doc: str, *, many: bool) -> Field:
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


SOURCE = Kind(
    "source", "sources", "coop:Source", "title",
    doc="A document that facts are taken from.",
    fields=(
        _text("title", "dct:title", "The document's title.", required=True),
        Field("file", "string", "coop:seedFile",
              "The file name of the source document as archived."),
        Field("url", "url", "foaf:page", "Where the document was published."),
        Field("language", "language", "dct:language", "The language the document is written in.",
              required=True),
        Field("publisher", "ref", "dct:publisher", "The organisation that published it.",
              ref="organisation"),
        Field("published", "date", "dct:issued", "When it was published."),
        _NOTE,
    ),
)

ORGANISATION = Kind(
    "organisation", "organisations", "org:Organization", "name",
    doc="A ministry, agency, donor, local authority, company or association.",
    fields=(
        _text("name", "skos:prefLabel", "The organisation's name.", required=True),
        _text("acronym", "skos:altLabel", "Its acronym or short name."),
        Field("type", "code", "coop:organisationType", "IATI organisation type.",
              scheme="organisation-type"),
        Field("country", "country", "coop:country", "The country it belongs to or is based in."),
        Field("part_of", "ref", "org:subOrganizationOf", "The organisation it is a unit of.",
              ref="organisation"),
        Field("replaces", "ref", "dct:replaces",
              "Organisations this one replaced or was renamed from.", many=True,
              ref="organisation"),
        _NOTE,
        _SOURCES,
    ),
)

PERSON = Kind(
    "person", "persons", "foaf:Person", "name",
    doc="A named person who takes part in events.",
    fields=(
        Field("name", "string", "foaf:name", "The person's name as written in the source.",
              required=True),
        Field("honorific", "string", "foaf:title", "Title or form of address (S.E., Madame…)."),
        _text("position", "schema:jobTitle", "The position held at the time of the source."),
        Field("organisation", "ref", "org:memberOf", "The organisation the person works for.",
              ref="organisation"),
        Field("country", "country", "coop:country", "The country the person represents."),
        _NOTE,
        _SOURCES,
    ),
)

STRATEGY = Kind(
    "strategy", "strategies", "coop:Strategy", "title",
    doc="A national policy or strategy that projects serve.",
    fields=(
        Field("type", "code", "coop:strategyType", "Policy or strategy.", required=True,
              scheme="strategy-type"),
        _text("title", "dct:title", "Its title.", required=True),
        _text("acronym", "skos:altLabel", "Its acronym."),
        _text("description", "dct:description", "What it aims at."),
        Field("country", "country", "coop:country", "The country whose policy it is."),
        Field("adopted", "date", "dct:issued", "When it was adopted."),
        Field("part_of", "ref", "dct:isPartOf", "The policy it implements.", ref="strategy"),
        _NOTE,
        _SOURCES,
    ),
)

PROJECT = Kind(
    "project", "projects", "coop:Project", "title",
    doc="A cooperation project or programme.",
    fields=(
        Field("type", "code", "coop:projectType", "Project, or programme that groups projects.",
              required=True, scheme="project-type"),
        _text("title", "dct:title", "The project's title.", required=True),
        _text("acronym", "skos:altLabel", "Its acronym or short name."),
        _text("description", "dct:description", "What the project does."),
        _text("objectives", "coop:objective", "Its objectives, one a list item.", many=True),
        Field("status", "code", "coop:activityStatus", "IATI activity status.",
              scheme="activity-status"),
        Field("planned_start", "date", "coop:plannedStart", "Planned start, at its precision."),
        Field("actual_start", "date", "coop:actualStart", "Actual start, at its precision."),
        Field("planned_end", "date", "coop:plannedEnd", "Planned end, at its precision."),
        Field("actual_end", "date", "coop:actualEnd", "Actual end, at its precision."),
        Field("budgets", "object", "coop:budget", "Budgets, each an amount in one currency.",
              many=True, node_class="coop:Budget", fields=(
                  Field("amount", "decimal", "schema:value", "The amount.", required=True),
                  Field("currency", "currency", "schema:currency", "ISO 4217 currency.",
                        required=True),
                  Field("funder", "ref", "coop:funder", "Who provides it, where known.",
                        ref="organisation"),
                  _text("note", "rdfs:comment", "How the amount was stated."),
              )),
        Field("participations", "object", "coop:participation",
              "Organisations taking part, each with its role.", many=True,
              node_class="coop:Participation", fields=(
                  Field("organisation", "ref", "coop:organisation", "Who takes part.",
                        required=True, ref="organisation"),
                  Field("role", "code", "coop:role", "In which role.", required=True,
                        scheme="participation-role"),
                  _text("note", "rdfs:comment", "The role as the source words it."),
              )),
        Field("countries", "country", "coop:recipientCountry", "Recipient countries.", many=True),
        _place("places", "coop:place", "Places below country level where it works.", many=True),
        Field("sectors", "code", "coop:sector", "OECD DAC 5-digit sectors.", many=True,
              scheme="dac-sector"),
        Field("themes", "code", "coop:theme", "Themes.", many=True, scheme="theme"),
        Field("programme", "ref", "dct:isPartOf", "The programme it is part of.", ref="project"),
        Field("follows", "ref", "coop:follows", "Projects it succeeds (its predecessors).",
              many=True, ref="project"),
        Field("related", "ref", "dct:relation", "Other related projects.", many=True,
              ref="project"),
        Field("strategies", "ref", "coop:supportsStrategy", "Policies and strategies it supports.",
              many=True, ref="strategy"),
        Field("results", "object", "coop:result", "Expected and achieved results.", many=True,
              node_class="coop:Result", fields=(
                  Field("type", "code", "coop:resultType", "Expected or achieved.", required=True,
                        scheme="result-type"),
                  _text("title", "dct:title", "The result.", required=True),
                  _text("description", "dct:description", "How it is pursued."),
                  Field("targets", "object", "coop:target", "Quantified targets.", many=True,
                        node_class="coop:Target", fields=(
                            Field("value", "decimal", "rdf:value", "The number.", required=True),
                            _text("unit", "coop:unit", "What is counted.", required=True),
                            Field("at_least", "boolean", "coop:atLeast",
                                  "True where the source says 'at least'."),
                        )),
              )),
        Field("milestones", "object", "coop:milestone", "Dated steps of the project.", many=True,
              node_class="coop:Milestone", fields=(
                  Field("date", "date", "dct:date", "When, at its precision.", required=True),
                  _text("title", "dct:title", "What happened.", required=True),
              )),
        Field("url", "url", "foaf:page", "The project's web page."),
        _NOTE,
        _SOURCES,
    ),
)

AGREEMENT = Kind(
    "agreement", "agreements", "coop:Agreement", "title",
    doc="A memorandum, convention or partnership between states or organisations.",
    fields=(
        Field("type", "code", "coop:agreementType", "Memorandum, convention…", required=True,
              scheme="agreement-type"),
        _text("title", "dct:title", "Its title.", required=True),
        Field("status", "code", "coop:agreementStatus", "Signed, or awaiting signature.",
              required=True, scheme="agreement-status"),
        Field("signed", "date", "coop:signingDate", "When it was signed, at its precision."),
        Field("countries", "country", "coop:partyCountry", "The states that are party to it.",
              many=True),
        Field("parties", "ref", "coop:party", "The organisations that signed or are party to it.",
              many=True, ref="organisation"),
        Field("projects", "ref", "coop:concerns", "Projects and programmes it governs.", many=True,
              ref="project"),
        _text("description", "dct:description", "What it covers."),
        _NOTE,
        _SOURCES,
    ),
)

EVENT = Kind(
    "event", "events", "coop:Event", "title",
    doc="A meeting, training, seminar, mission, launch or conference.",
    fields=(
        Field("type", "code", "coop:eventType", "What kind of event.", required=True,
              scheme="event-type"),
        _text("title", "dct:title", "What the event was.", required=True),
        Field("start", "date", "schema:startDate", "When it began (or its only day)."),
        Field("end", "date", "schema:endDate", "When it ended, for events over several days."),
        _place("place", "schema:location", "Where it took place.", many=False),
        Field("participants", "object", "coop:participant", "Who took part, and in which role.",
              many=True, node_class="coop:EventParticipation", fields=(
                  Field("person", "ref", "coop:person", "The person.", ref="person"),
                  Field("organisation", "ref", "coop:organisation", "Or the organisation.",
                        ref="organisation"),
                  Field("role", "code", "coop:role", "Their role.", required=True,
                        scheme="event-role"),
                  Field("country", "country", "coop:country", "The country they represent."),
              )),
        Field("project", "ref", "coop:project", "The project it belongs to.", ref="project"),
        Field("part_of", "ref", "dct:isPartOf", "The larger event it took place within.",
              ref="event"),
        _text("description", "dct:description", "What happened."),
        _NOTE,
        _SOURCES,
    ),
)

KINDS: dict[str, Kind] = {k.name: k for k in (SOURCE, ORGANISATION, PERSON, STRATEGY, PROJECT,
                                              AGREEMENT, EVENT)}
"""Every kind of record, by name, in the order they are loaded and published."""

KIND_BY_FOLDER: dict[str, Kind] = {k.folder: k for k in KINDS.values()}
