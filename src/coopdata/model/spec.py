"""What a record of each kind may hold: one declarative table drives the checks,
the tables and the graph.

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


def _coded(name: str, predicate: str, doc: str, node_class: str, scheme: str, *,
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
            *((_text("text", "skos:prefLabel", "The code's name as the publisher gives it."),)
              if text else ()),
        ),
    )


_SECTORS = (("1", "dac-sector"), ("2", "dac-sector-category"))
"""Sector vocabularies 1 (OECD DAC 5-digit) and 2 (DAC 3-digit), checked; others are free."""
_REGIONS = (("1", "region"),)
"""Region vocabulary 1 (OECD DAC regions), checked; 2 (UN M49) and 99 are free."""
_AID_TYPES = (("1", "aid-type"),)
"""Aid type vocabulary 1 (OECD DAC), checked; earmarking and cash-transfer lists are free."""
_POLICY_MARKERS = (("1", "policy-marker"),)
"""Policy marker vocabulary 1 (OECD DAC CRS), checked; a publisher's own (99) is free."""


def _party(role: str, predicate: str) -> tuple[Field, ...]:
    """The provider or receiver of a transaction: a record, or a name and a reference."""
    name = role.capitalize()
    return (
        Field(role, "ref", f"coop:{role}", f"{name} organisation, where it has a record.",
              ref="organisation"),
        _text(f"{role}_name", f"coop:{role}Name", f"{name}'s name, where it has no record."),
        Field(f"{role}_ref", "string", f"coop:{role}Ref",
              f"{name}'s IATI organisation identifier."),
        Field(f"{role}_type", "code", f"coop:{role}Type",
              f"{name}'s IATI organisation type, as the activity gives it.",
              scheme="organisation-type"),
        Field(f"{role}_activity", "string", predicate,
              f"The IATI identifier of the {role}'s own activity for these funds."),
    )


def _documents(name: str, predicate: str, doc: str) -> Field:
    """Document links (IATI ``document-link``), of an activity or inside its results."""
    return Field(
        name, "object", predicate, doc, many=True, node_class="foaf:Document", fields=(
            Field("url", "url", "schema:url", "Where the document is (an http(s) URL)."),
            Field("address", "string", "coop:documentAddress",
                  "Its address as the publisher wrote it, where that is not an http(s) URL "
                  "with a host (IATI allows any URI, such as http:www.example.org/a.odt); "
                  "kept as written, never followed. A document has a url or an address."),
            Field("format", "string", "dct:format", "Its IANA media type (text/html)."),
            _text("title", "dct:title", "Its title.", required=True),
            _text("description", "dct:description", "What it holds."),
            Field("categories", "code", "coop:documentCategory", "What kind of document.",
                  many=True, scheme="document-category"),
            Field("languages", "language", "dct:language", "The languages it is in.",
                  many=True),
            Field("date", "date", "dct:date", "When it was published."),
        ))


def _dimensions(name: str, predicate: str, doc: str) -> Field:
    """Disaggregations of an indicator value (IATI ``dimension``: sex, age…)."""
    return Field(name, "object", predicate, doc, many=True, node_class="coop:Dimension",
                 fields=(
                     Field("name", "string", "schema:name", "What it disaggregates by (sex).",
                           required=True),
                     Field("value", "string", "coop:dimensionValue", "Its value (female).",
                           required=True),
                 ))


def _observation(prefix: str, what: str) -> tuple[Field, ...]:
    """What IATI gives beside a baseline's, target's or actual value: location references,
    dimensions and document links (fields named and predicates made with ``prefix``)."""

    def term(local: str) -> str:
        return f"coop:{prefix}{local[0].upper()}{local[1:]}"

    return (
        Field(f"{prefix}_location_refs", "string", term("locationRef"),
              f"The references of the project's locations the {what} is for (IATI "
              "location/@ref).", many=True),
        _dimensions(f"{prefix}_dimensions", term("dimension"), f"Disaggregations of the {what}."),
        _documents(f"{prefix}_document_links", term("documentLink"),
                   f"Documents about the {what}."),
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
        Field("iati_ref", "string", "coop:iatiRef",
              "Its IATI organisation identifier (DE-1, XM-DAC-41114, BE-BCE_KBO-0264814354)."),
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
        Field("iati_identifier", "string", "coop:iatiIdentifier",
              "Its IATI activity identifier (reporting organisation's identifier, a hyphen, "
              "the activity's own reference)."),
        Field("other_identifiers", "object", "coop:otherIdentifier",
              "Other identifiers of the activity (IATI other-identifier).", many=True,
              node_class="coop:OtherIdentifier", fields=(
                  Field("ref", "string", "dct:identifier", "The identifier.", required=True),
                  Field("type", "code", "coop:identifierType", "What kind of identifier.",
                        scheme="other-identifier-type"),
                  Field("owner_ref", "string", "coop:ownerRef",
                        "IATI organisation identifier of the organisation that owns it."),
                  _text("owner_name", "coop:ownerName", "Name of the organisation that owns it."),
              )),
        Field("reporting_organisation", "ref", "coop:reportingOrganisation",
              "The organisation that reports the activity to IATI.", ref="organisation"),
        Field("reporting_secondary", "boolean", "coop:secondaryReporter",
              "True where the reporting organisation reports an activity it does not run."),
        Field("language", "language", "dct:language",
              "The language its texts are in by default (IATI xml:lang)."),
        Field("default_currency", "currency", "coop:defaultCurrency",
              "The currency of its amounts where they name none."),
        Field("humanitarian", "boolean", "coop:humanitarian",
              "True where it is (in part) humanitarian."),
        Field("hierarchy", "decimal", "coop:hierarchy",
              "Its level in the publisher's hierarchy of activities (1 the top)."),
        Field("linked_data_uri", "url", "rdfs:seeAlso", "Its own linked-data URI, if published."),
        Field("last_updated", "string", "coop:lastUpdated",
              "When the publisher last updated the activity (IATI dateTime, as written)."),
        Field("budget_not_provided", "code", "coop:budgetNotProvided",
              "Why the activity has no budget, where it has none.",
              scheme="budget-not-provided"),
        _text("description", "dct:description", "What the project does."),
        _text("objectives", "coop:objective", "Its objectives, one a list item.", many=True),
        Field("other_descriptions", "object", "coop:otherDescription",
              "Other descriptions: target groups, other (IATI description types 3 and 4).",
              many=True, node_class="coop:Description", fields=(
                  Field("type", "code", "coop:descriptionType", "What the text describes.",
                        required=True, scheme="description-type"),
                  _text("text", "dct:description", "The text.", required=True),
              )),
        Field("status", "code", "coop:activityStatus", "IATI activity status.",
              scheme="activity-status"),
        Field("planned_start", "date", "coop:plannedStart", "Planned start, at its precision."),
        Field("actual_start", "date", "coop:actualStart", "Actual start, at its precision."),
        Field("planned_end", "date", "coop:plannedEnd", "Planned end, at its precision."),
        Field("actual_end", "date", "coop:actualEnd", "Actual end, at its precision."),
        Field("scope", "code", "coop:activityScope", "Its geographical scope.",
              scheme="activity-scope"),
        Field("collaboration_type", "code", "coop:collaborationType",
              "Bilateral, multilateral… (IATI collaboration type).", scheme="collaboration-type"),
        Field("default_flow_type", "code", "coop:defaultFlowType",
              "The flow type of its transactions where they name none.", scheme="flow-type"),
        Field("default_finance_type", "code", "coop:defaultFinanceType",
              "The finance type of its transactions where they name none.",
              scheme="finance-type"),
        Field("default_tied_status", "code", "coop:defaultTiedStatus",
              "The tied status of its transactions where they name none.",
              scheme="tied-status"),
        _coded("default_aid_types", "coop:defaultAidType",
               "The aid types of its transactions where they name none.", "coop:AidType",
               "aid-type-vocabulary", checked=_AID_TYPES),
        Field("capital_spend", "decimal", "coop:capitalSpend",
              "The share of its budget spent on capital, in percent."),
        Field("budgets", "object", "coop:budget", "Budgets, each an amount in one currency.",
              many=True, node_class="coop:Budget", fields=(
                  Field("amount", "decimal", "schema:value", "The amount.", required=True),
                  Field("currency", "currency", "schema:currency", "ISO 4217 currency.",
                        required=True),
                  Field("funder", "ref", "coop:funder", "Who provides it, where known.",
                        ref="organisation"),
                  _text("note", "rdfs:comment", "How the amount was stated."),
                  Field("type", "code", "coop:budgetType", "Original or revised.",
                        scheme="budget-type"),
                  Field("status", "code", "coop:budgetStatus", "Indicative or committed.",
                        scheme="budget-status"),
                  Field("period_start", "date", "coop:periodStart", "Start of its period."),
                  Field("period_end", "date", "coop:periodEnd", "End of its period."),
                  Field("value_date", "date", "coop:valueDate",
                        "The date of the exchange rate for its currency."),
              )),
        Field("planned_disbursements", "object", "coop:plannedDisbursement",
              "Disbursements planned for a period.", many=True,
              node_class="coop:PlannedDisbursement", fields=(
                  Field("type", "code", "coop:budgetType", "Original or revised.",
                        scheme="budget-type"),
                  Field("period_start", "date", "coop:periodStart", "Start of its period."),
                  Field("period_end", "date", "coop:periodEnd", "End of its period."),
                  Field("amount", "decimal", "schema:value", "The amount.", required=True),
                  Field("currency", "currency", "schema:currency",
                        "ISO 4217 currency (else the project's default currency)."),
                  Field("value_date", "date", "coop:valueDate",
                        "The date of the exchange rate for its currency."),
                  *_party("provider", "coop:providerActivity"),
                  *_party("receiver", "coop:receiverActivity"),
              )),
        Field("transactions", "object", "coop:transaction",
              "Money in and out: commitments, disbursements, expenditure…", many=True,
              node_class="coop:Transaction", fields=(
                  Field("ref", "string", "dct:identifier", "The publisher's own reference."),
                  Field("type", "code", "coop:transactionType", "What kind of transaction.",
                        required=True, scheme="transaction-type"),
                  Field("date", "date", "dct:date", "When it took place.", required=True),
                  Field("amount", "decimal", "schema:value", "The amount.", required=True),
                  Field("currency", "currency", "schema:currency",
                        "ISO 4217 currency (else the project's default currency)."),
                  Field("value_date", "date", "coop:valueDate",
                        "The date of the exchange rate for its currency."),
                  Field("humanitarian", "boolean", "coop:humanitarian",
                        "True where the transaction is humanitarian."),
                  _text("description", "dct:description", "What it was for."),
                  *_party("provider", "coop:providerActivity"),
                  *_party("receiver", "coop:receiverActivity"),
                  Field("disbursement_channel", "code", "coop:disbursementChannel",
                        "Through whom the money flows.", scheme="disbursement-channel"),
                  Field("flow_type", "code", "coop:flowType", "ODA, OOF…", scheme="flow-type"),
                  Field("finance_type", "code", "coop:financeType", "Grant, loan…",
                        scheme="finance-type"),
                  Field("tied_status", "code", "coop:tiedStatus", "Tied or untied aid.",
                        scheme="tied-status"),
                  _coded("aid_types", "coop:aidType", "Its aid types.", "coop:AidType",
                         "aid-type-vocabulary", checked=_AID_TYPES),
                  _coded("sectors", "coop:sectorShare", "Its sectors, where given per "
                         "transaction.", "coop:SectorShare", "sector-vocabulary", text=True,
                         uri=True, checked=_SECTORS),
                  Field("country", "country", "coop:recipientCountry",
                        "Its recipient country, where given per transaction."),
                  Field("region", "string", "coop:regionCode",
                        "Its recipient region, where given per transaction.",
                        vocabulary_field="region_vocabulary", vocabularies=_REGIONS),
                  Field("region_vocabulary", "code", "coop:regionVocabulary",
                        "The vocabulary of that region code.", scheme="region-vocabulary"),
              )),
        Field("participations", "object", "coop:participation",
              "Organisations taking part, each with its role.", many=True,
              node_class="coop:Participation", fields=(
                  Field("organisation", "ref", "coop:organisation", "Who takes part.",
                        required=True, ref="organisation"),
                  Field("role", "code", "coop:role", "In which role.", required=True,
                        scheme="participation-role"),
                  _text("note", "rdfs:comment", "The role as the source words it."),
                  _text("name", "coop:organisationName",
                        "The organisation's name as the activity gives it (IATI narratives; "
                        "its record may name it otherwise)."),
                  Field("organisation_type", "code", "coop:organisationType",
                        "Its IATI organisation type as the activity gives it.",
                        scheme="organisation-type"),
                  Field("activity_id", "string", "coop:activityIdentifier",
                        "The IATI identifier of the organisation's own activity for it."),
                  Field("crs_channel", "string", "coop:crsChannelCode",
                        "The organisation's OECD CRS channel code."),
              )),
        Field("contacts", "object", "coop:contact", "Whom to contact about it.", many=True,
              node_class="schema:ContactPoint", fields=(
                  Field("type", "code", "coop:contactType", "What the contact is for.",
                        scheme="contact-type"),
                  _text("organisation", "coop:contactOrganisation", "The organisation."),
                  _text("department", "coop:department", "The department."),
                  _text("person_name", "coop:contactPerson", "The person to contact."),
                  _text("job_title", "schema:jobTitle", "The person's position."),
                  _text("mailing_address", "coop:mailingAddress", "The postal address."),
                  Field("telephone", "string", "schema:telephone", "The telephone number."),
                  Field("email", "string", "schema:email", "The e-mail address."),
                  Field("website", "url", "schema:url", "The web site."),
              )),
        Field("countries", "country", "coop:recipientCountry", "Recipient countries.", many=True),
        Field("country_shares", "object", "coop:countryShare",
              "The share of each recipient country, where the publisher gives one.", many=True,
              node_class="coop:CountryShare", fields=(
                  Field("country", "country", "coop:country", "The country.", required=True),
                  Field("percentage", "decimal", "coop:percentage",
                        "Its share, in percent (0 to 100).", required=True),
              )),
        _coded("regions", "coop:recipientRegion", "Recipient regions, with their shares.",
               "coop:RegionShare", "region-vocabulary", percentage=True, uri=True,
               checked=_REGIONS),
        _place("places", "coop:place", "Places below country level where it works.", many=True),
        Field("locations", "object", "coop:location",
              "Locations of its work, as IATI publishes them (names, points, areas).",
              many=True, node_class="coop:Location", fields=(
                  Field("ref", "string", "dct:identifier", "The publisher's own reference."),
                  Field("location_id_vocabulary", "code", "coop:locationIdVocabulary",
                        "The gazetteer of location_id.", scheme="geographic-vocabulary"),
                  Field("location_id", "string", "coop:locationId",
                        "Its identifier in that gazetteer."),
                  _text("name", "skos:prefLabel", "Its name."),
                  _text("description", "dct:description", "What the location is."),
                  _text("activity_description", "coop:activityDescription",
                        "What the project does there."),
                  Field("administratives", "object", "coop:administrativeArea",
                        "The administrative areas it lies in.", many=True,
                        node_class="coop:AdministrativeArea", fields=(
                            Field("vocabulary", "code", "coop:vocabulary",
                                  "The gazetteer of the code.", scheme="geographic-vocabulary"),
                            Field("level", "decimal", "coop:level",
                                  "Its administrative level (1 the largest below country)."),
                            Field("code", "string", "coop:code", "Its code in the gazetteer.",
                                  required=True),
                        )),
                  Field("point", "point", "geo:hasGeometry",
                        "Where it is: WGS 84 latitude and longitude."),
                  Field("exactness", "code", "coop:exactness", "Exact or approximate.",
                        scheme="geographic-exactness"),
                  Field("reach", "code", "coop:locationReach",
                        "Where the work happens, or where its beneficiaries live.",
                        scheme="geographic-location-reach"),
                  Field("location_class", "code", "coop:locationClass",
                        "Administrative region, populated place, structure…",
                        scheme="geographic-location-class"),
                  Field("feature_designation", "code", "coop:featureDesignation",
                        "What kind of place (GeoNames feature code).", scheme="location-type"),
              )),
        Field("sectors", "code", "coop:sector", "OECD DAC 5-digit sectors.", many=True,
              scheme="dac-sector"),
        _coded("sector_shares", "coop:sectorShare", "Sectors with their vocabulary and share: "
               "every sector with a percentage, or from a vocabulary other than DAC 5-digit.",
               "coop:SectorShare", "sector-vocabulary", percentage=True, text=True, uri=True,
               checked=_SECTORS),
        _coded("tags", "coop:tag", "Tags: SDG goals and targets, publishers' own keywords.",
               "coop:Tag", "tag-vocabulary", text=True, uri=True),
        _coded("policy_markers", "coop:policyMarker",
               "OECD DAC policy markers: gender equality, environment…", "coop:PolicyMarker",
               "policy-marker-vocabulary", text=True, uri=True, checked=_POLICY_MARKERS, extra=(
                   Field("significance", "code", "coop:significance",
                         "How far the project pursues the policy.",
                         scheme="policy-significance"),
               )),
        _coded("humanitarian_scopes", "coop:humanitarianScope",
               "Emergencies and appeals it responds to.", "coop:HumanitarianScope",
               "humanitarian-scope-vocabulary", text=True, uri=True, extra=(
                   Field("type", "code", "coop:humanitarianScopeType", "Emergency or appeal.",
                         required=True, scheme="humanitarian-scope-type"),
               )),
        _documents("document_links", "coop:documentLink",
                   "Documents about it published on the web."),
        Field("related_activities", "object", "coop:relatedActivity",
              "Related IATI activities (parent, child, sibling, co-funded…).", many=True,
              node_class="coop:RelatedActivity", fields=(
                  Field("ref", "string", "coop:activityIdentifier",
                        "The IATI identifier of the related activity.", required=True),
                  Field("type", "code", "coop:relationType", "How it is related.",
                        required=True, scheme="related-activity-type"),
              )),
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
                  Field("type", "code", "coop:resultType",
                        "Expected or achieved; or output, outcome, impact (IATI).",
                        required=True, scheme="result-type"),
                  Field("aggregation_status", "boolean", "coop:aggregationStatus",
                        "True where its data suit aggregation across activities."),
                  _text("title", "dct:title", "The result.", required=True),
                  _text("description", "dct:description", "How it is pursued."),
                  Field("references", "object", "coop:reference",
                        "The result in a results framework (IATI result/reference).",
                        many=True, node_class="coop:ResultReference", fields=(
                            Field("vocabulary", "code", "coop:vocabulary",
                                  "The results framework.", required=True,
                                  scheme="result-vocabulary"),
                            Field("code", "string", "coop:code", "Its code there.",
                                  required=True),
                            Field("vocabulary_uri", "url", "coop:vocabularyUri",
                                  "Where a publisher's own framework (99) is published."),
                        )),
                  _documents("document_links", "coop:documentLink",
                             "Documents about the result."),
                  Field("indicators", "object", "coop:indicator",
                        "Indicators that measure it (IATI result indicators).", many=True,
                        node_class="coop:Indicator", fields=(
                            Field("measure", "code", "coop:measure",
                                  "Unit, percentage, nominal…", scheme="indicator-measure"),
                            Field("ascending", "boolean", "coop:ascending",
                                  "True where a higher value is better."),
                            Field("aggregation_status", "boolean", "coop:aggregationStatus",
                                  "True where its data suit aggregation across activities."),
                            _text("title", "dct:title", "What it measures.", required=True),
                            _text("description", "dct:description", "How it is measured."),
                            _documents("document_links", "coop:documentLink",
                                       "Documents about the indicator."),
                            Field("references", "object", "coop:reference",
                                  "The indicator in an indicator framework (IATI "
                                  "indicator/reference).", many=True,
                                  node_class="coop:IndicatorReference", fields=(
                                      Field("vocabulary", "code", "coop:vocabulary",
                                            "The indicator framework.", required=True,
                                            scheme="indicator-vocabulary"),
                                      Field("code", "string", "coop:code", "Its code there.",
                                            required=True),
                                      Field("indicator_uri", "url", "coop:indicatorUri",
                                            "Where the indicator is defined."),
                                  )),
                            Field("baseline", "object", "coop:baseline",
                                  "The value before the project.", node_class="coop:Baseline",
                                  fields=(
                                      Field("year", "date", "coop:year", "Year of the baseline."),
                                      Field("date", "date", "dct:date", "Date of the baseline."),
                                      Field("value", "decimal", "rdf:value", "The value."),
                                      _text("comment", "rdfs:comment", "About the baseline."),
                                  )),
                            *_observation("baseline", "baseline"),
                            Field("periods", "object", "coop:period",
                                  "Targets and actual values, period by period.", many=True,
                                  node_class="coop:IndicatorPeriod", fields=(
                                      Field("start", "date", "schema:startDate",
                                            "Start of the period."),
                                      Field("end", "date", "schema:endDate",
                                            "End of the period."),
                                      Field("target", "decimal", "coop:targetValue",
                                            "The value aimed at by the period's end."),
                                      _text("target_comment", "coop:targetComment",
                                            "About the target."),
                                      Field("actual", "decimal", "coop:actualValue",
                                            "The value reached by the period's end."),
                                      _text("actual_comment", "coop:actualComment",
                                            "About the actual value."),
                                      *_observation("target", "target"),
                                      *_observation("actual", "actual value"),
                                  )),
                        )),
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
        Field("budget_items_vocabulary", "code", "coop:budgetItemsVocabulary",
              "The recipient country's budget classification its budget items are from "
              "(IATI country-budget-items/@vocabulary).", scheme="budget-identifier-vocabulary"),
        Field("budget_items", "object", "coop:budgetItem",
              "How the activity maps onto lines of the recipient country's budget.",
              many=True, node_class="coop:BudgetItem", fields=(
                  Field("code", "string", "coop:code",
                        "The budget line's code in the classification.", required=True),
                  Field("percentage", "decimal", "coop:percentage",
                        "Its share, in percent (0 to 100)."),
                  _text("description", "dct:description", "The budget line."),
              )),
        Field("conditions_attached", "boolean", "coop:conditionsAttached",
              "True where conditions are attached to the activity."),
        Field("conditions", "object", "coop:condition", "The conditions attached.",
              many=True, node_class="coop:Condition", fields=(
                  Field("type", "code", "coop:conditionType", "Policy, performance, "
                        "fiduciary.", required=True, scheme="condition-type"),
                  _text("text", "dct:description", "The condition."),
              )),
        Field("legacy_data", "object", "coop:legacyData",
              "Fields of the publisher's own system, as published (IATI legacy-data).",
              many=True, node_class="coop:LegacyData", fields=(
                  Field("name", "string", "schema:name", "The field's name.", required=True),
                  Field("value", "string", "coop:legacyValue", "Its value.", required=True),
                  Field("iati_equivalent", "string", "coop:iatiEquivalent",
                        "The IATI element it corresponds to."),
              )),
        Field("crs_other_flags", "object", "coop:otherFlag",
              "Other OECD CRS flags (IATI crs-add).",
              many=True, node_class="coop:CrsFlag", fields=(
                  Field("code", "code", "coop:crsFlag", "The flag.", required=True,
                        scheme="crs-other-flag"),
                  Field("significance", "boolean", "coop:flagSet",
                        "True where the flag applies.", required=True),
              )),
        Field("loan_terms", "object", "coop:loanTerms", "The terms of a loan (IATI crs-add).",
              node_class="coop:LoanTerms", fields=(
                  Field("rate_1", "decimal", "coop:interestRate1",
                        "Interest rate, in percent (the first, or the only)."),
                  Field("rate_2", "decimal", "coop:interestRate2",
                        "Second interest rate, in percent, where it changes."),
                  Field("repayment_type", "code", "coop:repaymentType",
                        "How the loan is repaid.", scheme="loan-repayment-type"),
                  Field("repayment_plan", "code", "coop:repaymentPlan",
                        "How often it is repaid.", scheme="loan-repayment-period"),
                  Field("commitment_date", "date", "coop:commitmentDate",
                        "When the loan was committed."),
                  Field("repayment_first_date", "date", "coop:repaymentFirstDate",
                        "The first repayment."),
                  Field("repayment_final_date", "date", "coop:repaymentFinalDate",
                        "The last repayment."),
              )),
        Field("loan_status", "object", "coop:loanStatus",
              "Where a loan stands in a year.", node_class="coop:LoanStatus",
              fields=(
                  Field("year", "date", "coop:year", "The year.", required=True),
                  Field("currency", "currency", "schema:currency",
                        "ISO 4217 currency (else the project's default currency)."),
                  Field("value_date", "date", "coop:valueDate",
                        "The date of the exchange rate for its currency."),
                  Field("interest_received", "decimal", "coop:interestReceived",
                        "Interest received in the year."),
                  Field("principal_outstanding", "decimal",
                        "coop:principalOutstanding", "Principal still owed."),
                  Field("principal_arrears", "decimal", "coop:principalArrears",
                        "Principal in arrears."),
                  Field("interest_arrears", "decimal", "coop:interestArrears",
                        "Interest in arrears."),
              )),
        Field("crs_channel_code", "string", "coop:crsChannelCode",
              "The OECD CRS channel code of the activity (IATI crs-add)."),
        Field("fss", "object", "coop:forwardSpending",
              "The OECD DAC Forward Spending Survey of the activity (its forecasts are in "
              "fss_forecasts).", node_class="coop:ForwardSpendingSurvey", fields=(
                  Field("extraction_date", "date", "coop:extractionDate",
                        "When the forecast was taken from the publisher's system.",
                        required=True),
                  Field("priority", "boolean", "coop:priority",
                        "True where the forecast is a priority one (a firm plan)."),
                  Field("phaseout_year", "date", "coop:phaseoutYear",
                        "The year the activity is to be phased out."),
              )),
        Field("fss_forecasts", "object", "coop:forecast",
              "Forward Spending Survey forecasts, year by year.", many=True,
              node_class="coop:Forecast", fields=(
                  Field("year", "date", "coop:year", "The year.", required=True),
                  Field("amount", "decimal", "schema:value", "The amount.", required=True),
                  Field("currency", "currency", "schema:currency",
                        "ISO 4217 currency (else the project's default currency)."),
                  Field("value_date", "date", "coop:valueDate",
                        "The date of the exchange rate for its currency."),
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
