"""The DCAT-AP 3 catalogue and the VoID description of a release.

``catalog_graph`` describes a release as DCAT-AP 3.0.1 asks: a catalogue holding the
dataset of this version, which is a member of the dataset series of all versions and has
one distribution per file of the release directory. ``void_graph`` describes the graph
itself (size, classes, vocabularies, dumps) in VoID. ``series_triples`` makes the
catalogue of every version, beside the versions, from each version's own (on
pyoxigraph's terms: it grows with every version).

Every node has a URI made from ``catalog_uri`` (no blank nodes), so the same release
always serialises to the same bytes. The official DCAT-AP SHACL shapes check the output
(``tests/release/test_catalog.py``); where they ask for something non-obvious a comment says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pyoxigraph
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, VOID, XSD

from coopdata.model import codes
from coopdata.model.config import ReleaseConfig
from coopdata.model.vocab import PREFIXES
from coopdata.release.files import ReleaseFile, ReleaseInfo

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
    "CHANGELOG.md": "What changed in this version: records added, removed and changed "
                    "(each value, old and new), IATI activities, triples.",
    "changes/added.nt": "The triples added since the previous version, in sorted N-Triples: "
                        "the previous graph.nt less changes/removed.nt plus these is this "
                        "version's graph.nt.",
    "changes/removed.nt": "The triples removed since the previous version, in sorted "
                          "N-Triples.",
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
"""Prefixes (of :data:`coopdata.model.spec.PREFIXES`) of the vocabularies the graph uses."""


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
    issued = Literal(info.issued, datatype=XSD.date)
    add = graph.add

    def term(uri: str, cls: URIRef, scheme: str | URIRef | None = None,
             label: str = "") -> URIRef:
        return _term(graph, uri, cls, scheme, label)

    themes = _catalogue(graph, config, [dataset])  # the series: by dcat:inSeries
    _series(graph, config, URIRef(f"{base}dataset/{(info.previous or (info.version,))[0]}"),
            dataset)

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
    add((series, DCAT.contactPoint, contact))
    add((dataset, DCAT.contactPoint, contact))
    _agents(graph, config)
    for file in files:
        _distribution(graph, config, info.version, dataset, file)
    return graph


def _term(graph: Graph, uri: str, cls: URIRef, scheme: str | URIRef | None = None,
          label: str = "") -> URIRef:
    """The node ``uri``, typed ``cls``. The range shapes check sh:class on the data graph
    alone: every linked node (licence, language, place, media type, format, theme…) is
    typed here. The vocabulary shapes want EU authority terms "skos:inScheme" their
    table, and the base shapes want a skos:prefLabel on every skos:Concept."""
    node = URIRef(uri)
    graph.add((node, RDF.type, cls))
    if scheme:
        graph.add((node, SKOS.inScheme, URIRef(scheme)))
    if label:
        graph.add((node, SKOS.prefLabel, Literal(label, lang="en")))
    return node


def _catalogue(graph: Graph, config: ReleaseConfig, datasets: Sequence[URIRef]) -> URIRef:
    """The catalogue ``{catalog_uri}catalog`` listing ``datasets``; its theme taxonomy."""
    base, add = config.catalog_uri, graph.add
    catalog = URIRef(base + "catalog")
    add((catalog, RDF.type, DCAT.Catalog))
    _describe(graph, catalog, config.title, config.description)
    add((catalog, FOAF.homepage, _term(graph, base, FOAF.Document)))
    for dataset in datasets:
        add((catalog, DCAT.dataset, dataset))
    add((catalog, DCTERMS.license, URIRef(config.license_uri)))
    for code in config.languages:
        language = codes.language(code)
        if language is not None:
            add((catalog, DCTERMS.language, _term(graph, language, DCTERMS.LinguisticSystem,
                                                  AUTHORITY + "language")))
    themes = _term(graph, AUTHORITY + "data-theme", SKOS.ConceptScheme)
    add((themes, DCTERMS.title, Literal("Data theme", lang="en")))  # required of a scheme
    add((catalog, DCAT.themeTaxonomy, themes))
    return themes


def _series(graph: Graph, config: ReleaseConfig, first: URIRef, last: URIRef) -> URIRef:
    """The series ``{catalog_uri}dataset`` of all versions, from ``first`` to ``last``."""
    series, add = URIRef(config.catalog_uri + "dataset"), graph.add
    add((series, RDF.type, DCAT.DatasetSeries))
    _describe(graph, series, config.title, config.description)
    add((series, DCAT.first, first))
    add((series, DCAT["last"], last))
    # Releases come when the records change, not on a schedule.
    add((series, DCTERMS.accrualPeriodicity, _term(
        graph, AUTHORITY + "frequency/IRREG", DCTERMS.Frequency, AUTHORITY + "frequency")))
    return series


def _agents(graph: Graph, config: ReleaseConfig) -> None:
    """The publisher, the contact point and the licence, described."""
    add = graph.add
    publisher, contact = URIRef(config.publisher_uri), URIRef(config.catalog_uri + "contact")
    licence = URIRef(config.license_uri)
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
        add((licence, DCTERMS.type, _term(graph, LICENCE_TYPE + code, SKOS.Concept,
                                          LICENCE_TYPE + "1.0", label)))


def _distribution(graph: Graph, config: ReleaseConfig, version: str, dataset: URIRef,
                  file: ReleaseFile) -> None:
    """The distribution ``{dataset}/{file.name}`` of ``dataset``."""
    add = graph.add
    licence = URIRef(config.license_uri)
    issued = graph.value(dataset, DCTERMS.issued)
    assert issued is not None, "the dataset is described first"
    add((SHA256, RDF.type, SPDX.ChecksumAlgorithm))
    # A release directory never changes once published: its files stay available.
    stable = _term(graph, AUTHORITY + "planned-availability/STABLE", SKOS.Concept,
                   AUTHORITY + "planned-availability", "Stable")

    def term(uri: str, cls: URIRef, scheme: str | None = None) -> URIRef:
        return _term(graph, uri, cls, scheme)

    distribution = URIRef(f"{dataset}/{file.name}")
    url = URIRef(f"{config.download_url}{version}/{file.name}")
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


def series_triples(config: ReleaseConfig,
                   versions: Sequence[tuple[str, Iterable[pyoxigraph.Triple]]]
                   ) -> list[pyoxigraph.Triple]:
    """The catalogue of every version, for the release folder (``<out>/catalog.ttl``):
    its triples, each once, grouped by subject (its types first) and sorted.

    ``versions`` are (version, the triples of that version's own catalogue), oldest
    first. Each version's dataset is copied from its own catalogue with everything it
    links to (its distributions, checksums, period, places, themes…), but not its
    catalogue, series or neighbours; it is a member (``dcat:inSeries``) of the series
    ``{catalog_uri}dataset``, whose ``dcat:first`` and ``dcat:last`` are the oldest and
    newest versions, each after the first has ``dcat:prev`` the one before it (DCAT 3),
    and the catalogue lists them all. The series' landing page is ``{download_url}latest/``
    (the newest version, at a URL that does not change); ``rdfs:seeAlso`` of the
    catalogue names ``latest/catalog.ttl``. A ValueError if a version's catalogue does not
    describe its dataset.

    The versions' triples are pyoxigraph's, never an rdflib graph: at 40 versions of the
    embedded dataset the series holds 70,000 triples, and rdflib took seconds to read,
    copy and write them at every release.
    """
    if not versions:
        raise ValueError("a series needs at least one version")
    base = config.catalog_uri
    catalog, series = URIRef(base + "catalog"), URIRef(base + "dataset")
    datasets = [URIRef(f"{base}dataset/{version}") for version, _ in versions]
    frame = _graph()  # what the series says itself: a few triples a version
    _catalogue(frame, config, datasets)
    _series(frame, config, datasets[0], datasets[-1])
    outside = {_node(n) for n in (catalog, series, *datasets)}
    found: set[pyoxigraph.Triple] = set()
    issued: list[pyoxigraph.Literal] = []
    for (version, own), dataset, before in zip(versions, datasets, [None, *datasets],
                                                strict=False):
        node = _node(dataset)
        by_subject: dict[Any, list[pyoxigraph.Triple]] = {}
        for triple in own:
            if not isinstance(triple.subject, pyoxigraph.NamedNode) or isinstance(
                    triple.object, pyoxigraph.BlankNode | pyoxigraph.Triple):
                raise ValueError(f"the catalogue of version {version} holds a blank node or "
                                 "a triple term, which coopdata never writes there")
            by_subject.setdefault(triple.subject, []).append(triple)
        described = by_subject.get(node, [])
        if not any(t.predicate == _RDF_TYPE and t.object == _node(DCAT.Dataset)
                   for t in described):
            raise ValueError(f"the catalogue of version {version} does not describe "
                             f"its dataset {dataset}")
        _copy_from(by_subject, node, found, outside - {node})
        frame.add((dataset, DCAT.inSeries, series))
        if before is not None:
            frame.add((dataset, DCAT.prev, before))
        issued += [t.object for t in described if t.predicate == _node(DCTERMS.issued)
                   and isinstance(t.object, pyoxigraph.Literal)][:1]
    spatial = _node(DCTERMS.spatial)
    found.update(pyoxigraph.Triple(_node(catalog), spatial, t.object) for t in list(found)
                 if t.predicate == spatial and isinstance(t.object, pyoxigraph.NamedNode))
    latest = _term(frame, f"{config.download_url}latest/", FOAF.Document)
    frame.add((series, DCAT.landingPage, latest))
    frame.add((catalog, RDFS.seeAlso, URIRef(f"{config.download_url}latest/catalog.ttl")))
    publisher = URIRef(config.publisher_uri)
    for each in (catalog, series):
        frame.add((each, DCTERMS.publisher, publisher))
        if issued:
            found.add(pyoxigraph.Triple(_node(each), _node(DCTERMS.issued), issued[0]))
            found.add(pyoxigraph.Triple(_node(each), _node(DCTERMS.modified), issued[-1]))
    frame.add((series, DCAT.contactPoint, URIRef(base + "contact")))
    _agents(frame, config)
    found.update(pyoxigraph.parse(frame.serialize(format="nt", encoding="utf-8"),
                                  format=pyoxigraph.RdfFormat.N_TRIPLES))
    return sorted(found, key=_grouped)


def series_graph(config: ReleaseConfig, versions: Sequence[tuple[str, Graph]]) -> Graph:
    """:func:`series_triples` of versions' catalogues given as rdflib graphs, as an
    rdflib graph (to check it against the DCAT-AP shapes, for one)."""
    own = [(version, pyoxigraph.parse(graph.serialize(format="nt", encoding="utf-8"),
                                      format=pyoxigraph.RdfFormat.N_TRIPLES))
           for version, graph in versions]
    data = pyoxigraph.serialize(series_triples(config, own),
                                format=pyoxigraph.RdfFormat.N_TRIPLES)
    graph = _graph()
    graph.parse(data=(data or b"").decode("utf-8"), format="nt")
    return graph


def series_prefixes() -> dict[str, str]:
    """The prefixes of the series catalogue's Turtle (those of its JSON-LD context)."""
    return {name: str(namespace) for name, namespace in catalog_context()["@context"].items()}


_RDF_TYPE = pyoxigraph.NamedNode(str(RDF.type))


def _node(uri: URIRef) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(str(uri))


def _grouped(triple: pyoxigraph.Triple) -> tuple[str, bool, str, str]:
    """Sorted by subject (its IRI), its types first, then by predicate and object."""
    subject = triple.subject
    return (subject.value if isinstance(subject, pyoxigraph.NamedNode) else str(subject),
            triple.predicate != _RDF_TYPE, str(triple.predicate), str(triple.object))


def _copy_from(source: dict[Any, list[pyoxigraph.Triple]], start: pyoxigraph.NamedNode,
               target: set[pyoxigraph.Triple], outside: set[pyoxigraph.NamedNode]) -> None:
    """Copy the description of ``start`` and of every node it leads to from ``source``
    (its triples by subject) into ``target``, without crossing into ``outside``; its own
    series links (``dcat:inSeries``, ``dcat:prev``) are left to the caller."""
    own_links = {_node(DCAT.inSeries), _node(DCAT.prev)}
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        for triple in source.get(node, ()):
            if node == start and triple.predicate in own_links:
                continue
            target.add(triple)
            value = triple.object
            if isinstance(value, pyoxigraph.NamedNode) and value not in seen \
                    and value not in outside:
                seen.add(value)
                todo.append(value)


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


def catalog_context() -> dict[str, Any]:
    return {"@context": {
        "adms": "http://www.w3.org/ns/adms#", "dcat": "http://www.w3.org/ns/dcat#",
        "dcatap": "http://data.europa.eu/r5r/",
        "dct": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
        "spdx": "http://spdx.org/rdf/terms#", "vcard": "http://www.w3.org/2006/vcard/ns#",
        "xsd": "http://www.w3.org/2001/XMLSchema#", "void": "http://rdfs.org/ns/void#",
        "locn": "http://www.w3.org/ns/locn#", "skos": "http://www.w3.org/2004/02/skos/core#",
    }}
