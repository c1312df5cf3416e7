"""``csv-metadata.json``: W3C CSVW metadata that makes the release's CSV tables linked data.

A CSVW processor (csv2rdf) reading the tables with this metadata gives triples with the
same URIs and predicates as :func:`coopdata.build_graph`: each row describes the node the
URI policy (:mod:`coopdata.model.uris`) gives it, each cell becomes the field's predicate,
references and codes become URIs. Derived from :mod:`coopdata.model.spec` and
:mod:`coopdata.tables.layout`, like the table schemas. Where CSVW cannot say what the graph says:

- a point stays the literal ``"lat lon"`` of the table: the graph makes it a GeoSPARQL
  geometry node whose WKT puts the longitude first, which a template cannot reorder;
- countries and languages stay literal ISO alpha-2 codes: the graph uses EU authority URIs
  made from alpha-3 codes, which a URI template cannot derive from the cell;
- dates are plain strings: a column has one datatype, and the graph types each date by
  its precision (``xsd:gYear``, ``xsd:gYearMonth``, ``xsd:date``);
- an optional single object (an event's place) is not linked from its record nor typed:
  virtual columns give a triple on every row, so rows without the object would link to
  a node that does not exist;
- records have no ``rdfs:label``: a cell gives one triple, and the label field's cell
  gives its own predicate (``dct:title``…);
- texts in languages other than en and fr (the translations tables, one row a text) are
  not output: the node and the predicate of a row depend on its table and column cells,
  which no URI template can turn into the node's URI and the field's predicate; the
  tables are described (columns, keys) and read back by ``coopdata import``.
"""

from __future__ import annotations

from typing import Any

from coopdata.model.spec import Field, Kind
from coopdata.model.uris import DEFAULT_BASE, Uris
from coopdata.model.vocab import expand
from coopdata.tables.layout import Column, Table, ancestor_keys, tables
from coopdata.tables.package import table_schema

RDF_TYPE = expand("rdf:type")


def _field(kind: Kind, path: tuple[str, ...]) -> Field:
    """The field at ``path`` (``("results", "targets")``) in ``kind``."""
    spec = kind.field(path[0])
    for name in path[1:]:
        spec = spec.child(name)
    return spec


def _templates(table: Table, base: str) -> tuple[str, str]:
    """URI templates of ``(the node a row describes, the node that owns it)``; the owner
    of a main table's row is the row's own node."""
    kind = table.kind
    if not table.field_path:
        node = f"{base}{kind.name}/{{id}}"
        return node, node
    owner = f"{base}{kind.name}/{{{kind.name}}}"
    for name, key in zip(table.field_path, ancestor_keys(len(table.field_path)), strict=False):
        owner += f"/{name}/{{{key}}}"
    if table.scalar is not None:
        return owner, owner
    return f"{owner}/{table.field_path[-1]}/{{position}}", owner


def _column(column: Column, descriptor: dict[str, Any], node: str, base: str) -> dict[str, Any]:
    spec = column.spec
    out: dict[str, Any] = {"name": column.name, "titles": column.name,
                           "datatype": spec.field_type.csvw_datatype}
    if descriptor.get("constraints", {}).get("required"):
        out["required"] = True
    if column.lang is not None:
        out["lang"] = column.lang
    if len(column.path) > 1:  # in a single nested object: about that object's node
        out["aboutUrl"] = node + "".join(f"/{name}" for name in column.path[:-1])
    out["propertyUrl"] = expand(spec.predicate)
    value_url = spec.field_type.value_url(spec, column.name, base)
    if value_url is not None:
        out["valueUrl"] = value_url
    return out


def _virtual(name: str, about: str, node: str, link: Field | None,
             node_class: str) -> list[dict[str, Any]]:
    """Virtual columns typing ``node`` and, given the field ``link``, linking it from
    ``about``."""
    typed = {"name": f"{name}_type", "virtual": True, "aboutUrl": node,
             "propertyUrl": RDF_TYPE, "valueUrl": expand(node_class)}
    if link is None:
        return [typed]
    return [{"name": f"{name}_link", "virtual": True, "aboutUrl": about,
             "propertyUrl": expand(link.predicate), "valueUrl": node}, typed]


def _single_objects(table: Table, node: str) -> list[dict[str, Any]]:
    """Virtual columns for the single nested objects flattened into ``table``'s rows,
    where every row has them (the object and the objects around it are required)."""
    columns: list[dict[str, Any]] = []
    fields = table.kind.fields if not table.field_path else \
        _field(table.kind, table.field_path).fields
    paths = dict.fromkeys(c.path[:i] for c in table.columns for i in range(1, len(c.path)))
    for path in paths:
        chain = [next(f for f in fields if f.name == path[0])]
        for name in path[1:]:
            chain.append(chain[-1].child(name))
        if all(f.required for f in chain):
            assert chain[-1].node_class is not None
            about = node + "".join(f"/{name}" for name in path[:-1])
            columns += _virtual("_".join(path), about, f"{about}/{path[-1]}", chain[-1],
                                chain[-1].node_class)
    return columns


def _translations_table(table: Table, prefix: str) -> dict[str, Any]:
    """A translations table, described but not output (see the module's notes)."""
    schema = table_schema(table)
    columns = [{"name": f["name"], "titles": f["name"],
                "datatype": "integer" if f["type"] == "integer" else "string",
                "required": bool(f.get("constraints", {}).get("required")),
                "suppressOutput": True} for f in schema["fields"]]
    key = schema["foreignKeys"][0]
    return {"url": f"{prefix}{table.name}.csv", "suppressOutput": True,
            "tableSchema": {"columns": columns, "primaryKey": list(table.keys),
                            "foreignKeys": [{"columnReference": key["fields"], "reference": {
                                "resource": f"{prefix}{key['reference']['resource']}.csv",
                                "columnReference": key["reference"]["fields"]}}]}}


def _table(table: Table, base: str, prefix: str) -> dict[str, Any]:
    if table.translations:
        return _translations_table(table, prefix)
    schema = table_schema(table)
    descriptors = schema["fields"]
    node, owner = _templates(table, base)
    columns: list[dict[str, Any]] = []
    for key in table.keys:
        datatype = "string" if key in ("id", table.kind.name) else "integer"
        columns.append({"name": key, "titles": key, "datatype": datatype, "required": True,
                        "suppressOutput": True})
    for column, descriptor in zip(table.columns, descriptors[len(table.keys):], strict=True):
        columns.append(_column(column, descriptor, node, base))
    columns += _single_objects(table, node)
    if not table.field_path:
        columns += _virtual("record", node, node, None, table.kind.node_class)
    elif table.scalar is None:
        spec = _field(table.kind, table.field_path)
        assert spec.node_class is not None
        columns += _virtual("item", owner, node, spec, spec.node_class)
    foreign_keys = [{"columnReference": key["fields"],
                     "reference": {"resource": f"{prefix}{key['reference']['resource']}.csv",
                                   "columnReference": key["reference"]["fields"]}}
                    for key in schema.get("foreignKeys", [])]
    described: dict[str, Any] = {"columns": columns, "primaryKey": list(table.keys)}
    if foreign_keys:
        described["foreignKeys"] = foreign_keys
    described["aboutUrl"] = node
    return {"url": f"{prefix}{table.name}.csv", "tableSchema": described}


def csvw_metadata(*, base_uri: str = DEFAULT_BASE,
                  tables_prefix: str = "tables/") -> dict[str, Any]:
    """The CSVW metadata (``csv-metadata.json``) of the release's tables: one table a CSV
    file ``{tables_prefix}{name}.csv``, rows describing the nodes under ``base_uri``."""
    Uris(base_uri)  # raises ValueError for a base the URI policy refuses
    return {"@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
            "tables": [_table(table, base_uri, tables_prefix) for table in tables()]}

