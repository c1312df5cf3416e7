"""Kept only for the modules that still import these values from here (``iati/reading/mapping.py``
and some tests): they live in :mod:`coopdata.model.values`, where the field types
(:mod:`coopdata.model.fieldtypes`) check with them. Import them from there."""

from __future__ import annotations

from coopdata.model.values import mojibake_repairs, parse_point, point_text, url_problem

__all__ = ["mojibake_repairs", "parse_point", "point_text", "url_problem"]
