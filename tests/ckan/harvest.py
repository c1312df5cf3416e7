"""Read a DCAT catalogue the way CKAN's DCAT harvester does, and print what it got.

Run with the Python of the CKAN virtual environment (``tests/ckan/install.sh``), never
with the project's own: this file is not imported by the tests, only run by them::

    .ckan-venv/bin/python tests/ckan/harvest.py out/1.0.0/catalog.ttl
    .ckan-venv/bin/python tests/ckan/harvest.py --format jsonld out/1.0.0/catalog.jsonld

It uses ckanext-dcat's own parser, ``ckanext.dcat.processors.RDFParser``, with the
``euro_dcat_ap_3`` profile (the default of ckanext-dcat 2.x), which is what the RDF
harvester's gather stage runs on the downloaded catalogue. The parser needs no CKAN
site, configuration file or database: profiles are found through the entry points of
the installed ckanext-dcat, and every CKAN setting it reads has a default. The stages
after it (``package_create`` into a database and search index) are not run.

Prints on stdout, as JSON, one object per ``dcat:Dataset`` that the parser produced::

    [{"title": ..., "name": ..., "version": ..., "notes": ..., "guid": ...,
      "extras": <number of extras>,
      "resources": [{"url": ..., "format": ..., "mimetype": ..., "size": ..., "hash": ...,
                     "hash_algorithm": ..., "name": ..., "uri": ...}, ...]}, ...]

A key the parser did not set is null. ``guid`` is the identifier the harvester would
give the dataset (its URI, else its dct:identifier).

Exit status: 0 parsed (even if no dataset was found), 1 the catalogue could not be
parsed, 2 usage error (no such file, unknown format), 3 ckanext-dcat is not importable.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

PROFILES = ["euro_dcat_ap_3"]

# File extension -> format name as the harvester's ``rdf_format`` option takes it.
FORMATS = {
    ".ttl": "ttl",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".nt": "nt",
    ".n3": "n3",
    ".trig": "trig",
}

RESOURCE_KEYS = ("url", "format", "mimetype", "size", "hash", "hash_algorithm", "name", "uri")


def fail(status: int, message: str) -> NoReturn:
    print(f"harvest.py: {message}", file=sys.stderr)
    raise SystemExit(status)


def extra(dataset: dict[str, Any], key: str) -> Any:
    for item in dataset.get("extras") or []:
        if item.get("key") in (key, f"dcat_{key}"):
            return item.get("value")
    return None


def summary(dataset: dict[str, Any]) -> dict[str, Any]:
    """What a portal would show: the core fields, the number of extras, the resources."""
    return {
        "title": dataset.get("title"),
        "name": dataset.get("name"),
        "version": dataset.get("version"),
        "notes": dataset.get("notes"),
        # as DCATRDFHarvester._get_guid: the dataset URI, else its dct:identifier
        "guid": dataset.get("uri") or extra(dataset, "uri")
        or dataset.get("identifier") or extra(dataset, "identifier") or None,
        "extras": len(dataset.get("extras") or []),
        "resources": [{key: resource.get(key) for key in RESOURCE_KEYS}
                      for resource in dataset.get("resources") or []],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("catalogue", type=Path, help="a DCAT catalogue file (Turtle, JSON-LD…)")
    parser.add_argument("--format", help="ttl, jsonld, xml, nt, n3, trig (default: from the "
                        "file extension)")
    parser.add_argument("--profiles", default=" ".join(PROFILES),
                        help="ckanext-dcat RDF profiles, space separated (default: %(default)s)")
    parser.add_argument("--full", action="store_true",
                        help="print the complete CKAN dataset dicts instead of the summary")
    args = parser.parse_args(argv)

    rdf_format = args.format or FORMATS.get(args.catalogue.suffix.lower())
    if not rdf_format:
        fail(2, f"cannot tell the format of {args.catalogue} from its extension; use --format")
    try:
        content = args.catalogue.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(2, f"cannot read {args.catalogue}: {exc}")

    try:
        from ckanext.dcat.exceptions import RDFParserException, RDFProfileException
        from ckanext.dcat.processors import RDFParser
    except ImportError as exc:
        fail(3, f"cannot import ckanext-dcat with {sys.executable} ({exc}); install it with "
             "tests/ckan/install.sh and run this script with that environment's python")

    try:
        rdf = RDFParser(profiles=args.profiles.split())
    except RDFProfileException as exc:
        fail(2, f"{exc}")
    try:
        rdf.parse(content, _format=rdf_format)
        datasets = list(rdf.datasets())
    except RDFParserException as exc:
        fail(1, f"ckanext-dcat could not parse {args.catalogue} as {rdf_format}: {exc}")
    except Exception as exc:  # any failure of the parser is the answer
        fail(1, f"ckanext-dcat failed on {args.catalogue}: {type(exc).__name__}: {exc}")

    out = datasets if args.full else [summary(d) for d in datasets]
    json.dump(out, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
