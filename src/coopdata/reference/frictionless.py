"""Frictionless, the reference table check: the tables validated by frictionless-py
against their table schemas."""

from __future__ import annotations

from typing import Any

from coopdata.tables.package import package_descriptor


def frictionless_errors(data: dict[str, list[list[str]]]) -> dict[str, list[Any]]:
    """Frictionless's errors by table, for tables given as rows (header first)."""
    from frictionless import Package  # frictionless: the reference engine, loaded only when it runs

    descriptor = package_descriptor()
    for resource in descriptor["resources"]:
        for key in ("path", "format", "mediatype", "encoding"):
            del resource[key]
        resource["data"] = data[resource["name"]]
    report = Package.from_descriptor(descriptor).validate()
    return {task.name: list(task.errors) for task in report.tasks}
