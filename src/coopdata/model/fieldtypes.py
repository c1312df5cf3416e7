"""One definition per field type: what each type of :class:`~coopdata.model.spec.Field`
means at every stage.

A type says how a value written in YAML is read and checked (:meth:`FieldType.read`:
the typed value, or a :class:`~coopdata.model.values.Problem` the record checker
reports), how a typed value becomes N-Triples (:meth:`FieldType.triples`), a table
cell (:meth:`FieldType.cell`) and comes back from one (:meth:`FieldType.from_cell`),
what the Frictionless table schema (:meth:`FieldType.describe`) and the CSVW metadata
(:attr:`FieldType.csvw_datatype`, :meth:`FieldType.value_url`) say of its column, and
whether its cells are free text guarded against spreadsheet formulas
(:attr:`FieldType.guarded`). :data:`FIELD_TYPES`
names them all; ``Field.type`` is such a name and ``Field.field_type`` its type, so that
adding a type is one class here.

``object`` and ``text`` are structures rather than single values: a map of fields and a
map of language to text. The record checker reads them itself (their findings have
paths of their own: ``budgets[1].amount``, ``title.fr``), and the stages recognise them
by :attr:`FieldType.is_object` and :attr:`FieldType.is_text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Protocol

from coopdata.model import codes
from coopdata.model.dates import DateError, PartialDate
from coopdata.model.ntriples import XSD, iri, literal
from coopdata.model.values import (
    Problem,
    parse_point,
    point_text,
    show,
    text_problem,
    url_problem,
)
from coopdata.model.vocab import (
    POINT_CLASS,
    POINT_WKT,
    WKT_LITERAL,
    decimal_text,
    expand,
    wkt_point,
)


class Field(Protocol):
    """What a field type asks of a field: :class:`coopdata.model.fields.Field` is one (a
    protocol here, so that the types need not import the spec, which is built of them)."""

    @property
    def name(self) -> str: ...
    @property
    def ref(self) -> str | None: ...
    @property
    def scheme(self) -> str | None: ...


class Uris(Protocol):
    """What the N-Triples of a reference need of the URI policy
    (:class:`coopdata.model.uris.Uris` is one)."""

    def record(self, kind: str, record_id: str) -> str: ...

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""ASCII only: ``[a-z]`` in a ``str`` pattern is the 26 code points, never a look-alike."""
ID_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
"""A record id, as table schemas constrain it (:data:`SLUG`)."""
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
POINT_PATTERN = r"^-?\d+(\.\d+)? -?\d+(\.\d+)?$"
"""A WGS 84 point as tables hold it: latitude, a space, longitude."""
MAX_LISTED_CODES = 30
"""A code list longer than this is named, not listed, in an unknown-code finding."""
MAX_SIGNIFICANT_DIGITS = 28
MAX_NUMBER_EXPONENT = 100
"""Numbers are written out in full (``1250000.0``): larger or finer ones are refused."""
_PLAIN_NUMBERS = 10 ** min(MAX_SIGNIFICANT_DIGITS, MAX_NUMBER_EXPONENT)
"""Whole numbers closer to zero than this are within both limits."""
_RDF_TYPE = iri(expand("rdf:type"))


@dataclass
class TermContext:
    """What the N-Triples of a value need from the graph being built: the URI policy, and
    the concepts and countries named so far (described once, after the records)."""

    uris: Uris
    concepts: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)


Triple = tuple[str, str, str]


class FieldType:
    """A field type; the defaults are those of plain text (a ``string``)."""

    name: ClassVar[str] = "string"
    is_object: ClassVar[bool] = False
    is_text: ClassVar[bool] = False
    is_reference: ClassVar[bool] = False
    """Its values name other records (checked to exist; foreign keys in tables)."""
    guarded: ClassVar[bool] = False
    """Its cells are free text, guarded against spreadsheet formulas (numbers, dates and
    codes never start with a formula character, and are written as they are)."""
    csvw_datatype: ClassVar[str] = "string"
    whole_numbers: ClassVar[bool] = False
    """A whole number written without quotes is read as its digits (``2013``, ``15190``)."""

    # --- YAML → typed value --------------------------------------------------------

    def read(self, spec: Field, value: Any) -> Any:
        """The typed value of ``value`` as YAML gave it, or a :class:`Problem`."""
        if self.whole_numbers and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, bool):
            return Problem("type-error", f"expected text, got {show(value)}: YAML reads "
                           "unquoted yes, no, on, off, true and false as booleans; put the "
                           'value in quotes (country: "NO")')
        if not isinstance(value, str):
            return Problem("type-error", f"expected text, got {show(value)}")
        value = value.strip()
        if not value:
            return Problem("type-error", "expected text, got an empty string")
        return self.check(spec, value)

    def check(self, spec: Field, value: str) -> Any:
        """The typed value of ``value`` (text, stripped, not empty), or a :class:`Problem`."""
        return text_problem(value) or value

    # --- typed value → RDF ---------------------------------------------------------

    def term(self, context: TermContext, spec: Field, value: Any) -> str:
        """The value as one N-Triples term."""
        return literal(value)

    def triples(self, context: TermContext, spec: Field, subject: str, predicate: str,
                value: Any) -> list[Triple]:
        """The triples that say ``subject`` has ``value`` for the field (``predicate`` is
        the field's, as an N-Triples IRI)."""
        return [(subject, predicate, self.term(context, spec, value))]

    # --- typed value ↔ table cell ----------------------------------------------------

    def cell(self, value: Any) -> str:
        """The value as a CSV cell (unguarded: the table writer guards :attr:`guarded`)."""
        return str(value)

    def from_cell(self, cell: str) -> Any:
        """The plain value a record file would hold for ``cell``, not empty and unguarded
        (a cell that cannot be read is kept as text, for the record checks to report)."""
        return cell

    # --- table descriptions --------------------------------------------------------

    def describe(self, spec: Field, descriptor: dict[str, Any],
                 constraints: dict[str, Any]) -> None:
        """Add what the type says to a column's Frictionless field ``descriptor`` (its
        ``name``, ``type`` and ``description`` already set) and ``constraints``."""

    def value_url(self, spec: Field, column: str, base: str) -> str | None:
        """The CSVW ``valueUrl`` template that makes the column's cells IRIs, if any."""
        return None


class StringType(FieldType):
    name = "string"
    guarded = True


class TextType(FieldType):
    """A map of language tag to text (read by the record checker: see the module)."""

    name = "text"
    is_text = True
    guarded = True

    def triples(self, context: TermContext, spec: Field, subject: str, predicate: str,
                value: Any) -> list[Triple]:
        return [(subject, predicate, literal(text, lang=lang)) for lang, text in value.items()]


class ObjectType(FieldType):
    """A nested map with fields of its own, a node of class ``Field.node_class``
    (read by the record checker and made a node by the graph builder: see the module)."""

    name = "object"
    is_object = True


class RefType(FieldType):
    name = "ref"
    is_reference = True
    guarded = True

    def check(self, spec: Field, value: str) -> Any:
        if not SLUG.fullmatch(value):
            return Problem("invalid-reference", f'"{value}" is not a record id '
                           "(lower-case letters, digits and single hyphens)")
        return value

    def term(self, context: TermContext, spec: Field, value: Any) -> str:
        assert spec.ref is not None
        return iri(context.uris.record(spec.ref, value))

    def describe(self, spec: Field, descriptor: dict[str, Any],
                 constraints: dict[str, Any]) -> None:
        constraints["pattern"] = ID_PATTERN

    def value_url(self, spec: Field, column: str, base: str) -> str | None:
        return f"{base}{spec.ref}/{{{column}}}"


class CodeType(FieldType):
    name = "code"
    whole_numbers = True  # DAC sectors are digits: 15190 and "15190" are the same code

    def check(self, spec: Field, value: str) -> Any:
        assert spec.scheme is not None
        allowed = codes.schemes()[spec.scheme]
        if value not in allowed:
            listed = f"expected one of: {', '.join(allowed)}" if len(allowed) <= MAX_LISTED_CODES \
                else f"see {codes.CODE_BASE}{spec.scheme} ({len(allowed)} codes)"
            return Problem("unknown-code", f'unknown {spec.scheme} code "{value}"'
                           f"{codes.suggest(value, allowed)}; {listed}")
        return value

    def term(self, context: TermContext, spec: Field, value: Any) -> str:
        assert spec.scheme is not None
        uri = codes.concept_uri(spec.scheme, value)
        context.concepts.add(uri)
        return iri(uri)

    def describe(self, spec: Field, descriptor: dict[str, Any],
                 constraints: dict[str, Any]) -> None:
        assert spec.scheme is not None
        constraints["enum"] = list(codes.schemes()[spec.scheme])
        descriptor["description"] += f" Code list: {codes.CODE_BASE}{spec.scheme}"

    def value_url(self, spec: Field, column: str, base: str) -> str | None:
        assert spec.scheme is not None
        return codes.concept_uri(spec.scheme, f"{{{column}}}")


class CountryType(FieldType):
    name = "country"

    def check(self, spec: Field, value: str) -> Any:
        if codes.country(value) is None:
            return Problem("unknown-country", f'unknown country "{value}": '
                           f"{codes.country_hint(value)}")
        return value

    def term(self, context: TermContext, spec: Field, value: Any) -> str:
        context.countries.add(value)
        return iri(codes.country_uri(value))

    def describe(self, spec: Field, descriptor: dict[str, Any],
                 constraints: dict[str, Any]) -> None:
        constraints["pattern"] = "^[A-Z]{2}$"


class CurrencyType(FieldType):
    name = "currency"

    def check(self, spec: Field, value: str) -> Any:
        if not codes.currency(value):
            return Problem("unknown-currency", f'unknown currency "{value}": use an ISO 4217 '
                           'code such as "EUR"')
        return value

    def describe(self, spec: Field, descriptor: dict[str, Any],
                 constraints: dict[str, Any]) -> None:
        constraints["pattern"] = "^[A-Z]{3}$"


class LanguageType(FieldType):
    name = "language"

    def check(self, spec: Field, value: str) -> Any:
        if codes.language(value) is None:
            return Problem("unknown-language", f'unknown language "{value}": use an ISO 639-1 '
                           'code such as "fr"')
        return value

    def term(self, context: TermContext, spec: Field, value: Any) -> str:
        return iri(codes.language(value) or "")

    def describe(self, spec: Field, descriptor: dict[str, Any],
                 constraints: dict[str, Any]) -> None:
        constraints["pattern"] = "^[a-z]{2}$"


class DateType(FieldType):
    name = "date"
    whole_numbers = True  # a year written without quotes

    def check(self, spec: Field, value: str) -> Any:
        try:
            return PartialDate.parse(value)
        except DateError as exc:
            return Problem("invalid-date", str(exc))

    def term(self, context: TermContext, spec: Field, value: Any) -> str:
        return literal(str(value), datatype=XSD + value.xsd_type)

    def describe(self, spec: Field, descriptor: dict[str, Any],
                 constraints: dict[str, Any]) -> None:
        constraints["pattern"] = DATE_PATTERN


class DecimalType(FieldType):
    name = "decimal"
    csvw_datatype = "decimal"

    def read(self, spec: Field, value: Any) -> Any:
        if type(value) is int and -_PLAIN_NUMBERS < value < _PLAIN_NUMBERS:
            return Decimal(value)  # (the commonest number: whole, and few digits)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            return Problem("type-error", f"expected a number, got {show(value)}")
        number = Decimal(value)
        if number and (len(number.as_tuple().digits) - _trailing_zeros(number)
                       > MAX_SIGNIFICANT_DIGITS
                       or not -MAX_NUMBER_EXPONENT <= number.adjusted() < MAX_NUMBER_EXPONENT):
            return Problem("type-error", f"the number {show(value)} is out of range: at "
                           f"most {MAX_SIGNIFICANT_DIGITS} significant digits, and fewer than "
                           f"{MAX_NUMBER_EXPONENT} digits before or after the point")
        return number

    def term(self, context: TermContext, spec: Field, value: Any) -> str:
        return literal(decimal_text(value), datatype=XSD + "decimal")

    def cell(self, value: Any) -> str:
        return decimal_text(value)

    def from_cell(self, cell: str) -> Any:
        try:
            number = Decimal(cell) if cell.isascii() else None  # not "١٢٣" nor "１２３"
        except InvalidOperation:
            return cell
        return number if number is not None and number.is_finite() else cell

    def describe(self, spec: Field, descriptor: dict[str, Any],
                 constraints: dict[str, Any]) -> None:
        descriptor["type"] = "number"


class BooleanType(FieldType):
    name = "boolean"
    csvw_datatype = "boolean"

    def read(self, spec: Field, value: Any) -> Any:
        if not isinstance(value, bool):
            return Problem("type-error", f"expected true or false, got {show(value)}")
        return value

    def term(self, context: TermContext, spec: Field, value: Any) -> str:
        return literal(self.cell(value), datatype=XSD + "boolean")

    def cell(self, value: Any) -> str:
        return "true" if value else "false"

    def from_cell(self, cell: str) -> Any:
        return {"true": True, "false": False}.get(cell.lower(), cell)

    def describe(self, spec: Field, descriptor: dict[str, Any],
                 constraints: dict[str, Any]) -> None:
        descriptor.update(type="boolean", trueValues=["true"], falseValues=["false"])


class UrlType(FieldType):
    name = "url"
    guarded = True
    csvw_datatype = "anyURI"

    def check(self, spec: Field, value: str) -> Any:
        problem = url_problem(value)
        if problem is not None:
            return Problem("invalid-url", f"expected an http(s) URL, got {show(value)}{problem}")
        return value

    def term(self, context: TermContext, spec: Field, value: Any) -> str:
        return iri(value)

    def describe(self, spec: Field, descriptor: dict[str, Any],
                 constraints: dict[str, Any]) -> None:
        descriptor["format"] = "uri"

    def value_url(self, spec: Field, column: str, base: str) -> str | None:
        return f"{{+{column}}}"


class PointType(FieldType):
    """A WGS 84 point, held as ``"lat lon"``; in the graph, a GeoSPARQL geometry node
    ``{subject}/{field}`` whose WKT puts the longitude first."""

    name = "point"

    def check(self, spec: Field, value: str) -> Any:
        point = parse_point(value)
        if point is None:
            return Problem("invalid-point", 'expected a WGS 84 point "latitude longitude" '
                           'such as "33.5731 -7.5898" (latitude -90 to 90, longitude -180 to '
                           f"180), got {show(value)}")
        return point_text(*point)

    def triples(self, context: TermContext, spec: Field, subject: str, predicate: str,
                value: Any) -> list[Triple]:
        node = iri(f"{subject[1:-1]}/{spec.name}")
        return [(subject, predicate, node), (node, _RDF_TYPE, _POINT_CLASS),
                (node, _POINT_WKT, literal(wkt_point(value), datatype=expand(WKT_LITERAL)))]

    def describe(self, spec: Field, descriptor: dict[str, Any],
                 constraints: dict[str, Any]) -> None:
        constraints["pattern"] = POINT_PATTERN


_POINT_CLASS = iri(expand(POINT_CLASS))
_POINT_WKT = iri(expand(POINT_WKT))

FIELD_TYPES: dict[str, FieldType] = {t.name: t for t in (
    TextType(), StringType(), RefType(), CodeType(), CountryType(), CurrencyType(),
    LanguageType(), DateType(), DecimalType(), BooleanType(), UrlType(), PointType(),
    ObjectType())}
"""Every field type by its name (``Field.type``)."""


def _trailing_zeros(number: Decimal) -> int:
    digits = number.as_tuple().digits
    return len(digits) - len("".join(map(str, digits)).rstrip("0"))
