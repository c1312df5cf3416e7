"""The kinds of record besides projects: sources, organisations, persons, strategies,
agreements and events (see :mod:`coopdata.model.spec`)."""

from __future__ import annotations

from coopdata.model.fields import (
    NOTE_FIELD,
    SOURCES_FIELD,
    Field,
    Kind,
    place_field,
    text_field,
)

SOURCE = Kind(
    "source", "sources", "coop:Source", "title",
    doc="A document that facts are taken from.",
    fields=(
        text_field("title", "dct:title", "The document's title.", required=True),
        Field("file", "string", "coop:seedFile",
              "The file name of the source document as archived."),
        Field("url", "url", "foaf:page", "Where the document was published."),
        Field("language", "language", "dct:language", "The language the document is written in.",
              required=True),
        Field("publisher", "ref", "dct:publisher", "The organisation that published it.",
              ref="organisation"),
        Field("published", "date", "dct:issued", "When it was published."),
        NOTE_FIELD,
    ),
)

ORGANISATION = Kind(
    "organisation", "organisations", "org:Organization", "name",
    doc="A ministry, agency, donor, local authority, company or association.",
    fields=(
        text_field("name", "skos:prefLabel", "The organisation's name.", required=True),
        text_field("acronym", "skos:altLabel", "Its acronym or short name."),
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
        NOTE_FIELD,
        SOURCES_FIELD,
    ),
)

PERSON = Kind(
    "person", "persons", "foaf:Person", "name",
    doc="A named person who takes part in events.",
    fields=(
        Field("name", "string", "foaf:name", "The person's name as written in the source.",
              required=True),
        Field("honorific", "string", "foaf:title", "Title or form of address (S.E., Madame…)."),
        text_field("position", "schema:jobTitle", "The position held at the time of the source."),
        Field("organisation", "ref", "org:memberOf", "The organisation the person works for.",
              ref="organisation"),
        Field("country", "country", "coop:country", "The country the person represents."),
        NOTE_FIELD,
        SOURCES_FIELD,
    ),
)

STRATEGY = Kind(
    "strategy", "strategies", "coop:Strategy", "title",
    doc="A national policy or strategy that projects serve.",
    fields=(
        Field("type", "code", "coop:strategyType", "Policy or strategy.", required=True,
              scheme="strategy-type"),
        text_field("title", "dct:title", "Its title.", required=True),
        text_field("acronym", "skos:altLabel", "Its acronym."),
        text_field("description", "dct:description", "What it aims at."),
        Field("country", "country", "coop:country", "The country whose policy it is."),
        Field("adopted", "date", "dct:issued", "When it was adopted."),
        Field("part_of", "ref", "dct:isPartOf", "The policy it implements.", ref="strategy"),
        NOTE_FIELD,
        SOURCES_FIELD,
    ),
)



AGREEMENT = Kind(
    "agreement", "agreements", "coop:Agreement", "title",
    doc="A memorandum, convention or partnership between states or organisations.",
    fields=(
        Field("type", "code", "coop:agreementType", "Memorandum, convention…", required=True,
              scheme="agreement-type"),
        text_field("title", "dct:title", "Its title.", required=True),
        Field("status", "code", "coop:agreementStatus", "Signed, or awaiting signature.",
              required=True, scheme="agreement-status"),
        Field("signed", "date", "coop:signingDate", "When it was signed, at its precision."),
        Field("countries", "country", "coop:partyCountry", "The states that are party to it.",
              many=True),
        Field("parties", "ref", "coop:party", "The organisations that signed or are party to it.",
              many=True, ref="organisation"),
        Field("projects", "ref", "coop:concerns", "Projects and programmes it governs.", many=True,
              ref="project"),
        text_field("description", "dct:description", "What it covers."),
        NOTE_FIELD,
        SOURCES_FIELD,
    ),
)

EVENT = Kind(
    "event", "events", "coop:Event", "title",
    doc="A meeting, training, seminar, mission, launch or conference.",
    fields=(
        Field("type", "code", "coop:eventType", "What kind of event.", required=True,
              scheme="event-type"),
        text_field("title", "dct:title", "What the event was.", required=True),
        Field("start", "date", "schema:startDate", "When it began (or its only day)."),
        Field("end", "date", "schema:endDate", "When it ended, for events over several days."),
        place_field("place", "schema:location", "Where it took place.", many=False),
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
        text_field("description", "dct:description", "What happened."),
        NOTE_FIELD,
        SOURCES_FIELD,
    ),
)
