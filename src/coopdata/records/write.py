"""Write records as YAML files in the layout the loader reads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from coopdata.model.dates import PartialDate
from coopdata.model.spec import KINDS, Field


class _Dumper(yaml.SafeDumper):
    pass


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value.normalize(), "f")
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


def _date(dumper: yaml.SafeDumper, value: PartialDate) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(PartialDate, _date)


def _ordered(fields: tuple[Field, ...], data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in fields:
        if spec.name not in data:
            continue
        value = data[spec.name]
        if spec.is_object:
            value = [_ordered(spec.fields, v) for v in value] if spec.many \
                else _ordered(spec.fields, value)
        out[spec.name] = value
    return out


def record_yaml(kind: str, record_id: str, data: dict[str, Any]) -> str:
    """The YAML text of a record: ``id`` first, then the fields in spec order."""
    document = {"id": record_id, **_ordered(KINDS[kind].fields, data)}
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=100)
