"""The DCAT-AP 3 catalogue and the VoID description of a release.

``catalog_graph`` describes a release as DCAT-AP 3.0.1 asks: a catalogue holding the
dataset of this version, which is a member of the dataset series of all versions and has
one distribution per file of the release directory. ``void_graph`` describes the graph
itself (size, classes, vocabularies, dumps) in VoID.

Every node has a URI made from ``catalog_uri`` (no blank nodes), so the same release
always serialises to the same bytes. The official DCAT-AP SHACL shapes check the output
(``tests/test_catalog.py``); where they ask for something non-obvious a comment says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, VOID, XSD

from . import codes
from .config import ReleaseConfig
from .releasefiles import ReleaseFile, ReleaseInfo
from .spec import PREFIXES

# rdflib's DCAT namespace stops at DCAT 2 (no DatasetSeries, inSeries, version…).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

AUTHORITY = "http://publications.europa.eu/resource/authority/"
LICENCE_TYPE = "http://purl.org/adms/licencetype/"

# The DCAT-AP 3.0.1 vocabulary shapes require the algorithm IRI to match
# "^https://spdx.org/rdf/terms" (the SPDX ontology itself uses http://); we follow the
# shapes, as the EU validator does.
SHA256 = URIRef("https://spdx.org/rdf/terms#checksumAlgorithm_sha256")

THEMES = {"SOCI": "Population and society", "INTR": "International issues"}
"""EU data themes of every release (migration; international cooperation)."""

LICENCE_TYPES: dict[str, tuple[tuple[str, str], ...]] = {
    "CC-BY-4.0": (("Attribution", "Attribution"),),
    "CC-BY-SA-4.0": (("Attribution", "Attribution"),
                     ("ViralEffect-ShareAlike", "Viral effect (a.k.a. Share-alike)")),
    "CC0-1.0": (("PublicDomain", "Public domain"),),
    "ODbL-1.0": (("Attribution", "Attribution"),
                 ("ViralEffect-ShareAlike", "Viral effect (a.k.a. Share-alike)")),
    "etalab-2.0": (("Attribution", "Attribution"),),
}
"""ADMS licence types (code, English label) of the licences ``config.LICENCES`` knows."""

DESCRIPTIONS = {
    "graph.ttl": "The whole graph in Turtle.",
    "graph.nt": "The whole graph in N-Triples, one triple a line.",
    "graph.jsonld": "The whole graph in JSON-LD.",
    "projects.jsonld": "The projects as framed JSON-LD documents, one tree each.",
    "context.jsonld": "The JSON-LD context of the JSON-LD files.",
    "datapackage.json": "The Frictionless data package descriptor of the tables.",
    "csv-metadata.json": "CSV on the Web metadata describing the tables.",
    "void.ttl": "The VoID description of the graph: size, classes, vocabularies, dumps.",
    "CHANGELOG.md": "What changed in this version.",
    "release.json": "Facts about this release: version, date, previous version, counts.",
    "iati-activities.xml": "The projects and programmes as IATI 2.03 activities (those whose "
                           "records hold what IATI requires), checked against the official "
                           "schema and the IATI rules.",
    "iati-organisations.xml": "The organisations with an IATI identifier, as IATI 2.03 "
                              "organisation records.",
}

CONFORMS_TO = {"iati-activities.xml": "http://iatistandard.org/203/",
               "iati-organisations.xml": "http://iatistandard.org/203/"}
"""The standard a file follows (``dct:conformsTo``), where one names it."""

VOCABULARIES = ("coop", "dct", "schema", "org", "foaf", "skos", "prov")
"""Prefixes (of :data:`coopdata.spec.PREFIXES`) of the vocabularies the graph uses."""


def catalog_graph(config: ReleaseConfig, info: ReleaseInfo,
                  files: Sequence[ReleaseFile]) -> Graph:
    """The DCAT-AP 3 description of the release ``info.version`` and its ``files``.

    The catalogue ``{catalog_uri}catalog`` lists the dataset ``{catalog_uri}dataset/{version}``,
    a member of the series ``{catalog_uri}dataset``; each file is a distribution
    ``{dataset}/{name}`` with its size, media type, format, licence and SHA-256 checksum.
    """
    graph = _graph()
    base = config.catalog_uri
    catalog, series = URIRef(base + "catalog"), URIRef(base + "dataset")
    dataset = URIRef(f"{base}dataset/{info.version}")
    publisher, contact = URIRef(config.publisher_uri), URIRef(base + "contact")
    licence = URIRef(config.license_uri)
    issued = Literal(info.issued, datatype=XSD.date)
    add = graph.add

    # The range shapes check sh:class on the data graph alone: every linked node
    # (licence, language, place, media type, format, theme…) is typed here. The
    # vocabulary shapes want EU authority terms "skos:inScheme" their table, and the base
    # shapes want a skos:prefLabel on every skos:Concept.
    def term(uri: str, cls: URIRef, scheme: str | None = None, label: str = "") -> URIRef:
        node = URIRef(uri)
        add((node, RDF.type, cls))
        if scheme:
            add((node, SKOS.inScheme, URIRef(scheme)))
        if label:
            add((node, SKOS.prefLabel, Literal(label, lang="en")))
        return node

    add((catalog, RDF.type, DCAT.Catalog))
    _describe(graph, catalog, config.title, config.description)
    add((catalog, FOAF.homepage, term(base, FOAF.Document)))
    add((catalog, DCAT.dataset, dataset))  # the series is reached from it by dcat:inSeries
    add((catalog, DCTERMS.license, licence))
    for code in config.languages:
        language = codes.language(code)
        if language is not None:
            add((catalog, DCTERMS.language, term(language, DCTERMS.LinguisticSystem,
                                                 AUTHORITY + "language")))
    themes = term(AUTHORITY + "data-theme", SKOS.ConceptScheme)
    add((themes, DCTERMS.title, Literal("Data theme", lang="en")))  # required of a scheme
    add((catalog, DCAT.themeTaxonomy, themes))

    add((series, RDF.type, DCAT.DatasetSeries))
    _describe(graph, series, config.title, config.description)
    add((series, DCAT.first, URIRef(f"{base}dataset/{(info.previous or (info.version,))[0]}")))
    add((series, DCAT["last"], dataset))
    # Releases come when the records change, not on a schedule.
    add((series, DCTERMS.accrualPeriodicity, term(AUTHORITY + "frequency/IRREG",
                                                  DCTERMS.Frequency, AUTHORITY + "frequency")))

    add((dataset, RDF.type, DCAT.Dataset))
    _describe(graph, dataset, f"{config.title}, version {info.version}", config.description)
    add((dataset, DCAT.version, Literal(info.version)))
    add((dataset, DCAT.inSeries, series))
    if info.previous:
        add((dataset, DCAT.prev, URIRef(f"{base}dataset/{info.previous[-1]}")))
    # adms:versionNotes must be a literal (base shapes), so it names the changelog's URL.
    add((dataset, ADMS.versionNotes, Literal(
        f"See the changelog: {config.download_url}{info.version}/CHANGELOG.md", lang="en")))
    for keyword in config.keywords:
        add((dataset, DCAT.keyword, Literal(keyword, lang="en")))
    for code, label in THEMES.items():
        add((dataset, DCAT.theme, term(f"{AUTHORITY}data-theme/{code}", SKOS.Concept,
                                       themes, label)))
    for alpha_2 in info.countries:  # on the catalogue too: recommended for both
        place = term(codes.country_uri(alpha_2), DCTERMS.Location, AUTHORITY + "country")
        add((dataset, DCTERMS.spatial, place))
        add((catalog, DCTERMS.spatial, place))
    if info.temporal is not None:
        # The base shapes accept xsd:gYear and xsd:gYearMonth for dcat:startDate/endDate,
        # so a period known to the month stays "2013-06", never becomes 2013-06-01.
        period = URIRef(f"{dataset}#period")
        add((dataset, DCTERMS.temporal, period))
        add((period, RDF.type, DCTERMS.PeriodOfTime))
        for prop, date in zip((DCAT.startDate, DCAT.endDate), info.temporal, strict=True):
            add((period, prop, Literal(str(date), datatype=XSD[date.xsd_type])))

    for node in (catalog, series, dataset):
        add((node, DCTERMS.publisher, publisher))
        add((node, DCTERMS.issued, issued))
        add((node, DCTERMS.modified, issued))
    for node in (series, dataset):
        add((node, DCAT.contactPoint, contact))
    add((publisher, RDF.type, FOAF.Agent))
    add((publisher, FOAF.name, Literal(config.publisher_name)))
    add((contact, RDF.type, VCARD.Kind))
    add((contact, VCARD.fn, Literal(config.contact_name)))
    if config.contact_email:
        add((contact, VCARD.hasEmail, URIRef("mailto:" + config.contact_email)))
    if config.contact_url:
        add((contact, VCARD.hasURL, URIRef(config.contact_url)))

    add((licence, RDF.type, DCTERMS.LicenseDocument))
    for code, label in LICENCE_TYPES.get(config.license, ()):
        add((licence, DCTERMS.type, term(LICENCE_TYPE + code, SKOS.Concept,
                                         LICENCE_TYPE + "1.0", label)))
    add((SHA256, RDF.type, SPDX.ChecksumAlgorithm))
    # A release directory never changes once published: its files stay available.
    stable = term(AUTHORITY + "planned-availability/STABLE", SKOS.Concept,
                  AUTHORITY + "planned-availability", "Stable")
    for file in files:
        distribution = URIRef(f"{dataset}/{file.name}")
        url = URIRef(f"{config.download_url}{info.version}/{file.name}")
        add((dataset, DCAT.distribution, distribution))
        add((distribution, RDF.type, DCAT.Distribution))
        add((distribution, DCTERMS.title, Literal(file.name)))
        add((distribution, DCTERMS.description, Literal(_description(file), lang="en")))
        add((distribution, DCAT.downloadURL, url))
        add((distribution, DCAT.accessURL, url))
        add((distribution, DCAT.mediaType, term(file.media_type_uri, DCTERMS.MediaType)))
        if file.name in CONFORMS_TO:
            add((distribution, DCTERMS.conformsTo, term(CONFORMS_TO[file.name],
                                                        DCTERMS.Standard)))
        add((distribution, DCTERMS.format, term(file.file_type_uri, DCTERMS.MediaTypeOrExtent,
                                                AUTHORITY + "file-type")))
        add((distribution, DCAT.byteSize, Literal(file.byte_size,
                                                  datatype=XSD.nonNegativeInteger)))
        checksum = URIRef(f"{distribution}#sha256")
        add((distribution, SPDX.checksum, checksum))
        add((checksum, RDF.type, SPDX.Checksum))
        add((checksum, SPDX.algorithm, SHA256))
        add((checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary)))
        add((distribution, DCTERMS.license, licence))
        add((distribution, DCATAP.availability, stable))
        add((distribution, DCTERMS.issued, issued))
        add((distribution, DCTERMS.modified, issued))
    return graph


def void_graph(config: ReleaseConfig, info: ReleaseInfo,
               files: Sequence[ReleaseFile]) -> Graph:
    """The VoID description of the graph of release ``info.version``.

    ``{catalog_uri}dataset/{version}#void`` with its triple and entity counts, one class
    partition ``#void-class-{n}`` per record class, the vocabularies it uses and the
    N-Triples and Turtle dumps among ``files``.
    """
    graph = _graph()
    dataset = f"{config.catalog_uri}dataset/{info.version}"
    void = URIRef(dataset + "#void")
    add = graph.add
    add((void, RDF.type, VOID.Dataset))
    add((void, DCTERMS.title, Literal(f"{config.title}, version {info.version}", lang="en")))
    add((void, RDFS.seeAlso, URIRef(dataset)))  # its DCAT description
    add((void, DCTERMS.license, URIRef(config.license_uri)))
    add((void, VOID.triples, Literal(info.triples)))
    add((void, VOID.entities, Literal(sum(count for _, count in info.entities))))
    for n, (cls, count) in enumerate(info.entities, start=1):
        partition = URIRef(f"{dataset}#void-class-{n}")
        add((void, VOID.classPartition, partition))
        add((partition, VOID["class"], URIRef(cls)))
        add((partition, VOID.entities, Literal(count)))
    for file in files:
        if file.name in ("graph.nt", "graph.ttl"):
            add((void, VOID.dataDump,
                 URIRef(f"{config.download_url}{info.version}/{file.name}")))
    if config.sparql_endpoint:
        add((void, VOID.sparqlEndpoint, URIRef(config.sparql_endpoint)))
    add((void, VOID.uriSpace, Literal(config.base_uri)))
    for prefix in VOCABULARIES:
        add((void, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    return graph


def _graph() -> Graph:
    graph = Graph()
    for prefix, namespace in dict(dcat=DCAT, dct=DCTERMS, foaf=FOAF, vcard=VCARD, spdx=SPDX,
                                  adms=ADMS, dcatap=DCATAP, void=VOID, skos=SKOS).items():
        graph.bind(prefix, namespace)
    return graph


def _describe(graph: Graph, node: URIRef, title: str, description: str) -> None:
    graph.add((node, DCTERMS.title, Literal(title, lang="en")))
    graph.add((node, DCTERMS.description, Literal(description, lang="en")))


def _description(file: ReleaseFile) -> str:
    if file.name in DESCRIPTIONS:
        return DESCRIPTIONS[file.name]
    stem = file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if file.name.startswith("tables/") and file.suffix == ".csv":
        return f"The {stem} table, one row a record (CSV)."
    return f"{file.name} ({file.media_type})."
