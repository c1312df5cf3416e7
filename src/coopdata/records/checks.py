"""Record checks: types, required fields, ids, references, codes, dates and mojibake.

:func:`check_records` turns the plain data read from YAML into typed values (a
:class:`~coopdata.model.dates.PartialDate`, a :class:`~decimal.Decimal`…) and reports every
value it cannot accept. Business rules that span fields (end not before start…) are
SHACL constraints in ``shapes/``, checked on the graph.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from coopdata.model import codes
from coopdata.model.dataset import RawRecord, Record
from coopdata.model.fieldtypes import SLUG, FieldType
from coopdata.model.spec import DEFAULT_VOCABULARY, KINDS, LANGUAGES, Field, text_order
from coopdata.model.values import Problem, text_problem
from coopdata.model.values import show as _show
from coopdata.report import Finding

MAX_ID_LENGTH = 80
WINDOWS_DEVICE_NAMES = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)),
                                  *(f"lpt{n}" for n in range(10))})
"""Ids that cannot be file names on Windows (``con.yaml`` is the console there)."""


_ACCEPTED: dict[tuple[str, str | None], dict[Any, Any]] = {}
"""Scalar values already accepted, by field type and code list: the value each became.
A value's check depends on nothing else (neither the record nor the field's place), and
what it makes (a string, a :class:`~coopdata.model.dates.PartialDate`) is immutable, so
a value seen again (a code, a country, a reference, a date) is taken at once, and the
records share one object for it. A value that was refused is checked again each time, so
that each of its places gets its finding."""
_ACCEPTED_MAX = 20_000
"""Values remembered by type (then new values are checked each time): bounds the memory."""
_CLEAN_TEXT: set[str] = set()
"""Texts outside ASCII already found free of mojibake and control characters (the
mojibake test is the costliest check a text gets; ASCII text needs none)."""
_PLANS: dict[int, _Plan] = {}
_ORDERS_MAX = 10_000
"""Orders remembered a plan at most (then new ones are worked out each time)."""


class FieldChecker:
    """The checks of one record's fields; :attr:`findings` holds what they found."""

    def __init__(self, record: RawRecord) -> None:
        self.record = record
        self.findings: list[Finding] = []

    def fail(self, path: str, code: str, message: str, severity: str = "violation") -> None:
        self.findings.append(Finding(code, message, severity=severity,  # type: ignore[arg-type]
                                     path=self.record.path, line=self.record.line(path),
                                     record=self.record.id, field=path or None))

    def fields(self, fields: tuple[Field, ...], data: dict[str, Any], prefix: str,
               ignore: tuple[str, ...] = ()) -> dict[str, Any]:
        plan = _plan(fields)
        names = tuple(data)
        order = plan.orders.get((names, ignore))
        if order is None:
            order = _order(plan, names, ignore)
        for name in order.unknown:
            hint = codes.suggest(name, sorted([*plan.steps, *ignore]))
            self.fail(join_path(prefix, name), "unknown-field", f'unknown field "{name}"{hint}')
        clean: dict[str, Any] = {}
        for step in order.steps:
            name = step.name
            value = data.get(name)
            if value is None or (not value and isinstance(value, (list, dict))):
                if step.spec.required:
                    self.fail(join_path(prefix, name), "missing-field", f'"{name}" is required')
                continue
            path = f"{prefix}.{name}" if prefix else name
            if step.many:
                if not isinstance(value, list):
                    self.fail(path, "type-error", f"expected a list, got {_show(value)}; "
                              f"write it as [{_show(value)}]")
                    continue
                if (accepted := step.remembered) is not None:  # (a value seen before: at once)
                    kept = []
                    for n, item in enumerate(value, start=1):
                        checked = accepted.get(item) if type(item) is str else None
                        if checked is None:
                            checked = self.value(step, item, path, n)
                        if checked is not None:  # (invalid plain values are dropped)
                            kept.append(checked)
                elif step.is_object:
                    # Objects keep their place even when invalid, so that positions (and the
                    # URIs made from them) still match the file
                    # (a map checked at once: what value and scalar do with it)
                    inner = step.spec.fields
                    kept = [self.fields(inner, item, f"{path}[{n}]") if type(item) is dict
                            else {} if (checked := self.value(step, item, path, n)) is None
                            else checked for n, item in enumerate(value, start=1)]
                else:  # invalid plain values are dropped
                    kept = [checked for n, item in enumerate(value, start=1)
                            if (checked := self.value(step, item, path, n)) is not None]
                if kept:
                    clean[name] = kept
            else:
                if step.remembered is not None and type(value) is str:
                    checked = step.remembered.get(value)
                    if checked is None:
                        checked = self.value(step, value, path)
                elif step.is_text:  # (what value and scalar do with text)
                    checked = self.text(value, path)
                else:
                    checked = self.value(step, value, path)
                if checked is not None:
                    clean[name] = checked
        for spec in plan.vocabularies:
            if isinstance(clean.get(spec.name), str):
                self.vocabulary_code(spec, clean, prefix)
        return clean

    def vocabulary_code(self, spec: Field, clean: dict[str, Any], prefix: str) -> None:
        """A code whose list depends on the vocabulary named beside it (sectors with
        vocabulary 1 are DAC 5-digit codes…): checked where that vocabulary is one whose
        list coopdata carries, free otherwise."""
        assert spec.vocabulary_field is not None
        vocabulary = clean.get(spec.vocabulary_field, DEFAULT_VOCABULARY)
        lists = dict(spec.vocabularies)
        scheme = lists.get(vocabulary)
        value = clean[spec.name]
        if scheme is None or value in codes.schemes()[scheme]:
            return
        named = "" if spec.vocabulary_field in clean else " (the default when none is named)"
        others = [v for v, other in spec.vocabularies if value in codes.schemes()[other]]
        hint = (f'; it is a code of vocabulary "{others[0]}" ({others[0]}: '
                f'{codes.CODE_BASE}{lists[others[0]]}): write {spec.vocabulary_field}: '
                f'"{others[0]}"') if others else (
            f"{codes.suggest(value, codes.schemes()[scheme])}; see {codes.CODE_BASE}{scheme}, "
            f"or name the vocabulary the code is from in {spec.vocabulary_field} (99: the "
            "publisher's own)")
        # a warning, the code kept as published: a string, not a concept, and publishers
        # (the IATI Standard's own example too: region 616) use codes no longer listed
        self.fail(join_path(prefix, spec.name), "unknown-vocabulary-code",
                  f'unknown {scheme} code "{value}" for {spec.vocabulary_field} '
                  f'"{vocabulary}"{named}{hint}', severity="warning")

    def value(self, step: _Step, value: Any, path: str, number: int = 0) -> Any:
        """``value`` checked and typed as ``step`` says (None after a finding); ``path``
        is the field's, and ``number`` the value's place in it when it holds several
        (its path is then ``path[number]``, written out only when it is needed)."""
        if (accepted := step.remembered) is not None and type(value) is str:
            checked = accepted.get(value)
            if checked is None:
                found = len(self.findings)
                checked = self.scalar(step, value, f"{path}[{number}]" if number else path)
                if checked is not None and len(self.findings) == found \
                        and len(accepted) < _ACCEPTED_MAX:
                    accepted[value] = checked
            return checked
        return self.scalar(step, value, f"{path}[{number}]" if number else path)

    def scalar(self, step: _Step, value: Any, path: str) -> Any:
        spec = step.spec
        if step.is_object:
            if not isinstance(value, dict):
                self.fail(path, "type-error", f"expected a map of fields, got {_show(value)}")
                return None
            checked = self.fields(spec.fields, value, path)
            return checked if checked or step.many else None
        if step.is_text:
            return self.text(value, path)
        typed = step.kind.read(spec, value)
        if isinstance(typed, Problem):
            self.fail(path, typed.code, typed.message)
            return None
        return typed

    def text(self, value: Any, path: str) -> dict[str, str] | None:
        if isinstance(value, str):
            self.fail(path, "type-error", f"expected a text per language such as "
                      f'{{fr: "…", en: "…"}}, got {_show(value)}')
            return None
        if not isinstance(value, dict):
            self.fail(path, "type-error", f"expected a text per language, got {_show(value)}")
            return None
        clean = {}
        for lang, text in value.items():
            if lang in LANGUAGES and type(text) is str and (
                    text in _CLEAN_TEXT or (text.isascii() and text.isprintable())):
                stripped = text.strip()  # (plain_text finds nothing to say of such text)
                if stripped:
                    clean[lang] = stripped
                    continue
            sub = f"{path}.{lang}"
            if lang not in LANGUAGES and not self.text_language(lang, sub):
                continue
            if not isinstance(text, str) or not text.strip():
                self.fail(sub, "type-error", f"expected text, got {_show(text)}")
            elif self.plain_text(text, sub):
                clean[lang] = text.strip()
        return (text_order(clean) if len(clean) > 1 else clean) or None

    def text_language(self, lang: Any, path: str) -> bool:
        """True for the language tag of a text: an ISO 639-1 code (``es``, ``ar``…)."""
        if isinstance(lang, str) and codes.language(lang) is not None:
            return True
        if isinstance(lang, bool):
            hint = ('YAML reads an unquoted no (Norwegian), yes, on or off as a boolean; '
                    'put the language in quotes ("no": …)')
        elif isinstance(lang, str) and codes.language(lang.strip().lower()) is not None:
            hint = f'write it "{lang.strip().lower()}" (two lower-case letters)'
        else:
            hint = 'use an ISO 639-1 code such as "en", "fr", "es" or "ar"'
        self.fail(path, "unknown-language", f"unknown language {_show(lang)} for a text: "
                  f"{hint}")
        return False

    def plain_text(self, text: str, path: str) -> bool:
        """False (after a finding) for text with mojibake or control characters."""
        if text in _CLEAN_TEXT:
            return True
        problem = text_problem(text)
        if problem is not None:
            self.fail(path, problem.code, problem.message)
            return False
        if not text.isascii() and len(_CLEAN_TEXT) < _ACCEPTED_MAX:
            _CLEAN_TEXT.add(text)
        return True


def join_path(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


class _Step(NamedTuple):
    """How one field is checked, worked out once (see :func:`_plan`)."""

    position: int
    """The field's place among its fields (first: steps sort by it)."""
    name: str
    spec: Field
    kind: FieldType
    many: bool
    is_object: bool
    is_text: bool
    remembered: dict[Any, Any] | None
    """Its accepted values, those of its type and code list in :data:`_ACCEPTED` (a plain
    scalar field's); None for text and objects."""


class _Order(NamedTuple):
    """What the checks do with a map holding certain fields, in a certain order."""

    steps: tuple[_Step, ...]
    """The steps of the fields given and of the required ones, in the order of the
    fields (a project has 67, of which a record gives a score)."""
    unknown: tuple[str, ...]
    """The names given that are no field (each an ``unknown-field``), in their order."""


def _order(plan: _Plan, names: tuple[str, ...], ignore: tuple[str, ...]) -> _Order:
    """The order of a map whose keys are ``names`` (remembered in the plan: records
    written by one tool give their fields in few orders)."""
    steps = plan.steps
    given = [steps[name] for name in names if name in steps]
    given += [step for step in plan.required if step.name not in names]
    given.sort()  # (by the field's position, which comes first and differs)
    order = _Order(tuple(given), tuple(name for name in names
                                       if name not in steps and name not in ignore))
    if not order.unknown and len(plan.orders) < _ORDERS_MAX:  # (field names: text)
        plan.orders[names, ignore] = order
    return order


class _Plan(NamedTuple):
    """What the checks need to know of a tuple of fields, worked out once."""

    fields: tuple[Field, ...]
    steps: dict[str, _Step]
    """Each field's step, by name, in the order of the fields."""
    required: tuple[_Step, ...]
    vocabularies: tuple[Field, ...]
    """The codes whose list depends on a vocabulary named beside them."""
    orders: dict[tuple[tuple[str, ...], tuple[str, ...]], _Order]
    """The orders of the maps seen so far without an unknown field, by their keys and the
    names ignored."""
    accepted: dict[tuple[str, str | None], dict[Any, Any]]
    """The :data:`_ACCEPTED` its steps hold dictionaries of (a plan is made again when it
    is replaced: the checks then start afresh)."""


def _plan(fields: tuple[Field, ...]) -> _Plan:
    """The plan of ``fields``, remembered by identity, as
    :func:`~coopdata.model.spec.by_name` does (the entry keeps ``fields`` alive, so its id
    is never reused)."""
    plan = _PLANS.get(id(fields))
    if plan is None or plan.fields is not fields or plan.accepted is not _ACCEPTED:
        steps = {}
        for n, spec in enumerate(fields):
            kind = spec.field_type
            plain = not kind.is_object and not kind.is_text
            steps[spec.name] = _Step(n, spec.name, spec, kind, spec.many, kind.is_object,
                                     kind.is_text,
                                     _accepted((kind.name, spec.scheme)) if plain else None)
        plan = _PLANS[id(fields)] = _Plan(
            fields, steps, tuple(step for step in steps.values() if step.spec.required),
            tuple(spec for spec in fields if spec.vocabularies), {}, _ACCEPTED)
    return plan


def _accepted(key: tuple[str, str | None]) -> dict[Any, Any]:
    """The values of a field type (and code list) already accepted (:data:`_ACCEPTED`)."""
    accepted = _ACCEPTED.get(key)
    if accepted is None:
        accepted = _ACCEPTED[key] = {}
    return accepted


def check_record(record: RawRecord) -> tuple[Record | None, list[Finding]]:
    """The record with typed values (None when its id is unusable), and the findings of
    its checks."""
    checker = FieldChecker(record)
    findings = checker.findings
    if not SLUG.fullmatch(record.id) or len(record.id) > MAX_ID_LENGTH:
        checker.fail("id", "invalid-id", f'"{_shown_id(record.id)}" is not a valid id: use '
                     f"lower-case letters, digits and single hyphens, at most {MAX_ID_LENGTH} "
                     "characters")
        return None, findings
    if record.id in WINDOWS_DEVICE_NAMES:
        checker.fail("id", "invalid-id", f'"{record.id}" is not a valid id: it names a device '
                     "on Windows (con, prn, aux, nul, com0-com9, lpt0-lpt9), so no file can "
                     "be called after it there")
        return None, findings
    kind = KINDS[record.kind]
    values = checker.fields(kind.fields, record.data, "", ignore=("id",))
    return Record(record.kind, record.id, record.path, values, record.lines), findings


def _shown_id(record_id: str) -> str:
    """The id as a message shows it: invisible and look-alike characters escaped."""
    shown = record_id if record_id.isascii() and record_id.isprintable() \
        else record_id.encode("unicode_escape").decode("ascii")
    return shown if len(shown) <= 100 else f"{shown[:100]}…"

