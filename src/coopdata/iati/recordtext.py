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
    for spec in fields:
        if spec.name not in data:
            continue
        value = data[spec.name]
        if spec.type == "object":
            if spec.many:
                lines.append(f"{indent}{spec.name}:")
                for item in value:
                    start = len(lines)
                    _mapping(spec.fields, item, indent + "    ", lines)
                    lines[start] = f"{indent}  - {lines[start][len(indent) + 4:]}"
            else:
                lines.append(f"{indent}{spec.name}:")
                _mapping(spec.fields, value, indent + "  ", lines)
        elif spec.many:
            lines.append(f"{indent}{spec.name}: [{', '.join(_scalar(v) for v in value)}]")
        else:
            lines.append(f"{indent}{spec.name}: {_scalar(value)}")


def _scalar(value: Any) -> str:
    if type(value) is str:  # (most values: tested first)
        return f'"{value}"' if _PLAIN.fullmatch(value) else _string(value)
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
