"""The site's words in English and French: interface labels, kinds, fields, relations,
and the labels of codes (from ``schema/codelists.ttl``)."""

from __future__ import annotations

from functools import cache

from coopdata.model.codes import CODE_BASE, codelists

Pair = tuple[str, str]
"""(English, French)."""

UI: dict[str, Pair] = {
    "skip": ("Skip to content", "Aller au contenu"),
    "home": ("Home", "Accueil"),
    "switch": ("Français", "English"),
    "switch_label": ("Lire en français", "Read in English"),
    "main_nav": ("Main", "Principal"),
    "breadcrumb": ("You are here", "Vous êtes ici"),
    "version": ("Version", "Version"),
    "released": ("Released", "Publiée le"),
    "licence": ("Licence", "Licence"),
    "intro": ("Open data on international cooperation on migration: the projects and "
              "programmes, who funds and runs them, where, when and with what budget, and the "
              "agreements and meetings around them. Every fact links to the document it "
              "comes from.",
              "Données ouvertes sur la coopération internationale en matière de migration : "
              "les projets et programmes, qui les finance et les met en œuvre, où, quand et "
              "avec quel budget, ainsi que les accords et les rencontres qui les entourent. "
              "Chaque fait renvoie au document dont il est tiré."),
    "in_numbers": ("In numbers", "En chiffres"),
    "projects_n": ("projects", "projets"),
    "project_1": ("project", "projet"),
    "programmes_n": ("programmes", "programmes"),
    "organisations_n": ("organisations", "organisations"),
    "countries_n": ("countries", "pays"),
    "agreements_n": ("agreements", "accords"),
    "events_n": ("events", "événements"),
    "charts": ("At a glance", "En un coup d'œil"),
    "timeline": ("Projects over time, by status", "Les projets dans le temps, par état"),
    "timeline_desc": ("One bar per project, from its start to its end. Dashed bars use planned "
                      "dates.", "Une barre par projet, de son début à sa fin. Les barres en "
                      "pointillé suivent les dates prévues."),
    "undated": ("Projects without a start and an end date are not shown", "Les projets sans "
                "date de début et de fin ne figurent pas"),
    "planned": ("planned dates", "dates prévues"),
    "budget_funder": ("Budgets by funder", "Budgets par bailleur"),
    "budget_country": ("Budgets by recipient country", "Budgets par pays bénéficiaire"),
    "budget_note": ("Amounts as the sources state them, never converted between currencies.",
                    "Montants tels que les sources les donnent, jamais convertis d'une devise à "
                    "l'autre."),
    "budget_country_note": ("A project in several countries counts fully in each.",
                            "Un projet mené dans plusieurs pays compte en entier dans chacun."),
    "no_funder": ("Funder not stated", "Bailleur non précisé"),
    "no_budget": ("No budget is stated in the records.", "Aucun budget n'est indiqué."),
    "country_grid": ("Recipient countries", "Pays bénéficiaires"),
    "country_grid_desc": ("Darker tiles have more projects.", "Plus la case est foncée, plus "
                          "le pays compte de projets."),
    "network": ("Who works with whom", "Qui travaille avec qui"),
    "network_desc": ("Projects (left) and the organisations taking part in them (right); "
                     "line colours show the role.", "Les projets (à gauche) et les "
                     "organisations qui y prennent part (à droite) ; la couleur du trait "
                     "indique le rôle."),
    "data_table": ("The chart's data as a table", "Les données du graphique en tableau"),
    "downloads": ("Download the data", "Télécharger les données"),
    "downloads_desc": ("Every file of this release, with its size and SHA-256 checksum.",
                       "Chaque fichier de cette version, avec sa taille et sa somme de "
                       "contrôle SHA-256."),
    "file": ("File", "Fichier"),
    "csv_tables": ("The tables, one CSV file each", "Les tables, un fichier CSV chacune"),
    "format": ("Format", "Format"),
    "size": ("Size", "Taille"),
    "checksum": ("SHA-256", "SHA-256"),
    "catalogue_files": ("The DCAT-AP catalogue of the release (catalog.ttl, catalog.jsonld) and "
                        "the checksums of every file (SHA256SUMS) sit beside these files.",
                        "Le catalogue DCAT-AP de la version (catalog.ttl, catalog.jsonld) et "
                        "les sommes de contrôle de tous les fichiers (SHA256SUMS) se trouvent "
                        "à côté de ces fichiers."),
    "cite": ("How to cite", "Comment citer"),
    "sources": ("Sources", "Sources"),
    "sources_desc": ("The documents the facts are taken from.",
                     "Les documents dont les faits sont tirés."),
    "facts": ("Facts", "Faits"),
    "related": ("Related", "Liens"),
    "as_data": ("This record as data", "Cette fiche en données"),
    "uri": ("URI", "URI"),
    "turtle": ("Turtle", "Turtle"),
    "jsonld": ("JSON-LD", "JSON-LD"),
    "all": ("All", "Tous"),
    "search": ("Search", "Rechercher"),
    "filter": ("Filter the projects", "Filtrer les projets"),
    "reset": ("Reset", "Réinitialiser"),
    "shown": ("shown", "affichés"),
    "of": ("of", "sur"),
    "country": ("Country", "Pays"),
    "funder": ("Funder", "Bailleur"),
    "status": ("Status", "État"),
    "year": ("Year", "Année"),
    "title": ("Title", "Titre"),
    "type": ("Type", "Type"),
    "period": ("Period", "Période"),
    "budget": ("Budget", "Budget"),
    "amount": ("Amount", "Montant"),
    "projects": ("Projects", "Projets"),
    "name": ("Name", "Nom"),
    "code": ("Code", "Code"),
    "role": ("Role", "Rôle"),
    "not_stated": ("Not stated", "Non précisé"),
    "none_yet": ("None in this release.", "Aucun dans cette version."),
    "no_match": ("No project matches these filters.", "Aucun projet ne correspond à ces "
                 "filtres."),
    "programme": ("Programme", "Programme"),
    "wikidata": ("Wikidata", "Wikidata"),
    "eu_authority": ("EU country authority", "Référentiel des pays de l'UE"),
    "iso_code": ("ISO 3166 code", "Code ISO 3166"),
    "count": ("Number", "Nombre"),
    "start": ("Start", "Début"),
    "end": ("End", "Fin"),
    "transactions": ("Money committed and spent", "Fonds engagés et dépensés"),
    "transactions_desc": ("Commitments against disbursements and expenditure, summed per "
                          "year of the transaction; every transaction is listed below.",
                          "Les engagements face aux décaissements et aux dépenses, additionnés "
                          "par année de transaction ; chaque transaction figure ci-dessous."),
    "transactions_year": ("Transactions per year", "Transactions par année"),
    "commitment": ("Commitments", "Engagements"),
    "disbursement": ("Disbursements", "Décaissements"),
    "expenditure": ("Expenditure", "Dépenses"),
    "date": ("Date", "Date"),
    "provider": ("From", "De"),
    "receiver": ("To", "À"),
    "description": ("Description", "Description"),
    "budgets_period": ("Budgets by period", "Budgets par période"),
    "total": ("Total", "Total"),
    "locations": ("Locations", "Localisations"),
    "location_map": ("Where it works", "Où il intervient"),
    "location_map_desc": ("Each point is a location with coordinates, numbered as in the table; "
                          "lines every few degrees of latitude and longitude. Drawn without a "
                          "map service: nothing is fetched.",
                          "Chaque point est une localisation avec ses coordonnées, numérotée "
                          "comme dans le tableau ; une ligne tous les quelques degrés de "
                          "latitude et de longitude. Dessinée sans service de cartes : rien "
                          "n'est téléchargé."),
    "number": ("No.", "N°"),
    "coordinates": ("Coordinates", "Coordonnées"),
    "latitude": ("Latitude", "Latitude"),
    "longitude": ("Longitude", "Longitude"),
    "activity_there": ("What is done there", "Ce qui y est fait"),
    "indicators": ("Indicators", "Indicateurs"),
    "baseline": ("Baseline", "Valeur de référence"),
    "target": ("Target", "Cible"),
    "actual": ("Actual", "Réalisé"),
    "comment": ("Comment", "Commentaire"),
    "scroll_hint": ("Wide chart: scroll sideways to see all of it.",
                    "Graphique large : faites-le défiler de côté pour le voir en entier."),
    "footer": ("Built by coopdata from the release files; works offline.",
               "Produit par coopdata à partir des fichiers de la version ; fonctionne hors "
               "ligne."),
}

KINDS: dict[str, tuple[Pair, Pair]] = {
    # kind: ((singular en, fr), (plural en, fr))
    "project": (("Project", "Projet"), ("Projects and programmes", "Projets et programmes")),
    "organisation": (("Organisation", "Organisation"), ("Organisations", "Organisations")),
    "country": (("Country", "Pays"), ("Countries", "Pays")),
    "agreement": (("Agreement", "Accord"), ("Agreements", "Accords")),
    "event": (("Event", "Événement"), ("Events", "Événements")),
    "person": (("Person", "Personne"), ("People", "Personnes")),
    "strategy": (("Strategy", "Stratégie"), ("Strategies and policies",
                                             "Stratégies et politiques")),
    "source": (("Source", "Source"), ("Sources", "Sources")),
}

FIELDS: dict[str, Pair] = {
    "title": ("Title", "Titre"), "name": ("Name", "Nom"), "acronym": ("Acronym", "Sigle"),
    "type": ("Type", "Type"), "file": ("File", "Fichier"), "url": ("Web page", "Page web"),
    "language": ("Language", "Langue"), "publisher": ("Publisher", "Éditeur"),
    "published": ("Published", "Publié"), "note": ("Note", "Note"),
    "country": ("Country", "Pays"), "part_of": ("Part of", "Fait partie de"),
    "replaces": ("Replaces", "Remplace"), "sources": ("Sources", "Sources"),
    "honorific": ("Title", "Civilité"), "position": ("Position", "Fonction"),
    "organisation": ("Organisation", "Organisation"),
    "description": ("Description", "Description"), "adopted": ("Adopted", "Adoptée"),
    "objectives": ("Objectives", "Objectifs"), "status": ("Status", "État"),
    "planned_start": ("Planned start", "Début prévu"),
    "actual_start": ("Actual start", "Début effectif"),
    "planned_end": ("Planned end", "Fin prévue"), "actual_end": ("Actual end", "Fin effective"),
    "budgets": ("Budgets", "Budgets"), "amount": ("Amount", "Montant"),
    "currency": ("Currency", "Devise"), "funder": ("Funder", "Bailleur"),
    "participations": ("Organisations taking part", "Organisations participantes"),
    "role": ("Role", "Rôle"), "countries": ("Recipient countries", "Pays bénéficiaires"),
    "places": ("Places", "Lieux"), "sectors": ("Sectors (OECD DAC)", "Secteurs (CAD de l'OCDE)"),
    "themes": ("Themes", "Thèmes"), "programme": ("Programme", "Programme"),
    "follows": ("Follows", "Fait suite à"), "related": ("Related projects", "Projets liés"),
    "strategies": ("Strategies supported", "Stratégies soutenues"),
    "results": ("Results", "Résultats"), "targets": ("Targets", "Cibles"),
    "value": ("Value", "Valeur"), "unit": ("Unit", "Unité"), "at_least": ("At least", "Au moins"),
    "milestones": ("Milestones", "Étapes"), "date": ("Date", "Date"),
    "signed": ("Signed", "Signé"), "parties": ("Parties", "Parties"),
    "projects": ("Projects", "Projets"), "start": ("Start", "Début"), "end": ("End", "Fin"),
    "place": ("Place", "Lieu"), "participants": ("Participants", "Participants"),
    "person": ("Person", "Personne"), "project": ("Project", "Projet"),
    "period_start": ("Period start", "Début de période"),
    "period_end": ("Period end", "Fin de période"), "value_date": ("Value date",
                                                                   "Date de valeur"),
    "transactions": ("Transactions", "Transactions"), "locations": ("Locations",
                                                                      "Localisations"),
    "indicators": ("Indicators", "Indicateurs"), "baseline": ("Baseline",
                                                              "Valeur de référence"),
    "periods": ("Periods", "Périodes"), "target": ("Target", "Cible"),
    "actual": ("Actual", "Réalisé"), "point": ("Point", "Point"),
}

FIELD_OVERRIDES: dict[str, Pair] = {
    "agreement.countries": ("Party countries", "Pays parties"),
    "strategy.part_of": ("Implements", "Met en œuvre"),
    "note": ("Curator's note", "Note de l'éditeur"),
}

RELATIONS: dict[str, Pair] = {
    "project.participations.organisation": ("Projects it takes part in",
                                            "Projets auxquels elle participe"),
    "project.budgets.funder": ("Budgets it funds", "Budgets qu'elle finance"),
    "project.programme": ("Projects in this programme", "Projets de ce programme"),
    "project.follows": ("Followed by", "Suivi par"),
    "project.related": ("Related projects", "Projets liés"),
    "project.strategies": ("Projects supporting it", "Projets qui la soutiennent"),
    "project.countries": ("Projects in this country", "Projets dans ce pays"),
    "project.places.country": ("Projects with places in this country",
                               "Projets ayant des lieux dans ce pays"),
    "agreement.parties": ("Agreements it is party to", "Accords auxquels elle est partie"),
    "agreement.projects": ("Agreements governing it", "Accords qui l'encadrent"),
    "agreement.countries": ("Agreements it is party to", "Accords auxquels il est partie"),
    "event.project": ("Events", "Événements"),
    "event.part_of": ("Events within it", "Événements en son sein"),
    "event.participants.organisation": ("Events it took part in",
                                        "Événements auxquels elle a pris part"),
    "event.participants.person": ("Events attended", "Événements suivis"),
    "event.participants.country": ("Events where it was represented",
                                   "Événements où il était représenté"),
    "event.place.country": ("Events held there", "Événements qui s'y sont tenus"),
    "person.organisation": ("People", "Personnes"),
    "person.country": ("People", "Personnes"),
    "organisation.part_of": ("Its units", "Ses entités"),
    "organisation.replaces": ("Replaced by", "Remplacée par"),
    "organisation.country": ("Organisations", "Organisations"),
    "strategy.part_of": ("Strategies implementing it", "Stratégies qui la mettent en œuvre"),
    "strategy.country": ("Strategies and policies", "Stratégies et politiques"),
    "source.publisher": ("Documents it published", "Documents qu'elle a publiés"),
}


def ui(key: str) -> Pair:
    return UI[key]


def kind_label(kind: str, plural: bool = False) -> Pair:
    return KINDS[kind][1 if plural else 0]


def field_label(kind: str, path: str) -> Pair:
    """The label of field ``path`` (``budgets.funder``) of a record of ``kind``."""
    name = path.rsplit(".", 1)[-1]
    if name == "note" and "." in path:
        return ("In the source's words", "Selon la source")
    return FIELD_OVERRIDES.get(f"{kind}.{path}") or FIELD_OVERRIDES.get(name) \
        or FIELDS.get(name, (name.replace("_", " "), name.replace("_", " ")))


def relation_label(kind: str, path: str) -> Pair:
    """The heading of the records of ``kind`` that point here through ``path``."""
    key = f"{kind}.{path}"
    if key in RELATIONS:
        return RELATIONS[key]
    if path == "sources":
        return kind_label(kind, plural=True)
    plural, field = kind_label(kind, plural=True), field_label(kind, path)
    return f"{plural} ({field[0].lower()})", f"{plural[1]} ({field[1].lower()})"


@cache
def code_labels() -> dict[tuple[str, str], dict[str, str]]:
    """(scheme, code) → its labels by language, from ``schema/codelists.ttl``."""
    from rdflib import Literal  # rdflib: slow to import, only this path needs it
    from rdflib.namespace import SKOS  # rdflib: slow to import, only this path needs it


    graph = codelists()
    found: dict[tuple[str, str], dict[str, str]] = {}
    for concept, scheme in graph.subject_objects(SKOS.inScheme):
        code = str(graph.value(concept, SKOS.notation))
        labels = {o.language or "": str(o) for o in graph.objects(concept, SKOS.prefLabel)
                  if isinstance(o, Literal)}
        found[(str(scheme).removeprefix(CODE_BASE), code)] = labels
    return found


@cache
def iati_codes() -> dict[tuple[str, str], str]:
    """(scheme, code) → its IATI code (``coop:iatiCode``), where it differs from the code."""
    from rdflib import URIRef  # rdflib: slow to import, only this path needs it
    from rdflib.namespace import SKOS  # rdflib: slow to import, only this path needs it


    graph = codelists()
    found: dict[tuple[str, str], str] = {}
    iati = URIRef("https://w3id.org/coopdata/vocab#iatiCode")
    for concept, value in graph.subject_objects(iati):
        scheme = graph.value(concept, SKOS.inScheme)
        if scheme is not None:
            found[(str(scheme).removeprefix(CODE_BASE),
                   str(graph.value(concept, SKOS.notation)))] = str(value)
    return found


def iati_code(scheme: str, code: str) -> str:
    """The IATI code of a code: its ``coop:iatiCode``, else its notation (docs/iati.md)."""
    return iati_codes().get((scheme, code), code)


def code_label(scheme: str, code: str) -> dict[str, str]:
    """The labels of a code (the code itself where the scheme has none)."""
    return code_labels().get((scheme, code)) or {"": code}
