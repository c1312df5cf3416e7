"""Imported records as YAML text, written directly (PyYAML's emitter would take longer
than the rest of the import).

The text is in the common part of YAML that the record loader reads in one pass
(:mod:`coopdata.records.fastread`): block mappings and sequences, every string double-quoted
(JSON escapes, which are YAML's), numbers written out in full, texts and lists of
scalars as one-line flow collections. Fields come in the model's order, ``id`` first,
as :func:`coopdata.records.write.record_yaml` writes them.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from coopdata.model.spec import KINDS, Field

_BOOLEAN_LIKE = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})
"""Keys that YAML 1.1 would read as something other than text (Norwegian is ``no``)."""
_PLAIN = re.compile(r"[\x20\x21\x23-\x5b\x5d-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd"
                    r"\U00010000-\U0010ffff]*")
"""Text that goes between double quotes as it is (escapes left to :mod:`re`: a literal
``]`` would close the class)."""
_ESCAPED = re.compile("[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd"
                      "\U00010000-\U0010ffff]")
"""Characters YAML does not allow as they are, or reads as line breaks (``\\x85``,
``\\u2028``, ``\\u2029``): written as escapes."""


def record_text(kind: str, record_id: str, data: dict[str, Any]) -> str:
    """The YAML text of a record."""
    lines = [f"id: {_string(record_id)}"]
    _mapping(KINDS[kind].fields, data, "", lines)
    lines.append("")
    return "\n".join(lines)


def _mapping(fields: tuple[Field, ...], data: dict[str, Any], indent: str,
             lines: list[str]) -> None:
    append = lines.append
    for spec in _present(fields, data):
        name = spec.name
        value = data[name]
        if spec.is_object:
            append(f"{indent}{name}:")
            if spec.many:
                inner = indent + "    "
                cut = len(indent) + 4
                for item in value:
                    start = len(lines)
                    _mapping(spec.fields, item, inner, lines)
                    lines[start] = f"{indent}  - {lines[start][cut:]}"
            else:
                _mapping(spec.fields, value, indent + "  ", lines)
        elif spec.many:
            append(f"{indent}{name}: [{', '.join([_scalar(v) for v in value])}]")
        elif type(value) is str:
            append(f'{indent}{name}: "{value}"' if _PLAIN.fullmatch(value) else
                   f"{indent}{name}: {_string(value)}")
        else:
            append(f"{indent}{name}: {_scalar(value)}")


def _present(fields: tuple[Field, ...], data: dict[str, Any]) -> list[Field]:
    """The fields of ``fields`` that ``data`` holds, in the model's order (worked out once
    for each set of keys: the objects of an import have few)."""
    key = (id(fields), *data)
    found = _PRESENT.get(key)
    if found is None or found[0] is not fields:  # (fields kept with it: its id not reused)
        found = (fields, [spec for spec in fields if spec.name in data])
        if len(_PRESENT) >= _PRESENT_LIMIT:
            _PRESENT.clear()
        _PRESENT[key] = found
    return found[1]


_PRESENT: dict[tuple[Any, ...], tuple[tuple[Field, ...], list[Field]]] = {}
_PRESENT_LIMIT = 1 << 12


def _scalar(value: Any) -> str:
    if type(value) is str:  # (most values: tested first, then texts and numbers)
        return f'"{value}"' if _PLAIN.fullmatch(value) else _string(value)
    if type(value) is dict:
        return "{" + ", ".join([f"{_key(k)}: {_string(v)}" for k, v in value.items()]) + "}"
    if type(value) is Decimal:
        return format(value.normalize(), "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {_string(v)}" for k, v in value.items()) + "}"
    return _string(str(value))


def _key(key: str) -> str:
    return _string(key) if key.lower() in _BOOLEAN_LIKE else key


def _string(text: str) -> str:
    if _PLAIN.fullmatch(text):
        return f'"{text}"'
    quoted = json.dumps(text, ensure_ascii=False)
    return _ESCAPED.sub(lambda m: f"\\u{ord(m[0]):04x}", quoted)
