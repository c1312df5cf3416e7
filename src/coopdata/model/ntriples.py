"""N-Triples terms as text: an IRI (``<…>``) and a literal (``"…"@fr``, ``"…"^^<…>``).

The field types (:mod:`coopdata.model.fieldtypes`) write their values with these; the
fast path (:mod:`coopdata.rdf.triples`) writes and reads whole graphs with them."""

from __future__ import annotations

from coopdata.model.vocab import PREFIXES

XSD = PREFIXES["xsd"]
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def iri(value: str) -> str:
    return f"<{value}>"


def literal(text: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    """An N-Triples literal; ``datatype`` is a full IRI (xsd:string is left implicit)."""
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:  # (each a quick scan:
        text = text.translate(_ESCAPES)  # translating goes through a dict for every character)
    body = f'"{text}"'
    if lang:
        return f"{body}@{lang}"
    return f"{body}^^<{datatype}>" if datatype else body
