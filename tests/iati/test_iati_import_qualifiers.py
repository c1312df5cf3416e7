"""import-iati never reads a value with a default its publisher did not mean.

Some IATI attributes say how other values read, and the Standard gives them a default
when absent: a code's ``@vocabulary`` (a sector of vocabulary 1 is a DAC 5-digit code), an
amount's ``@currency`` (absent: the activity's ``@default-currency``), a budget's ``@type``
and ``@status``, a description's ``@type``, an indicator's ``@ascending`` (absent: true).
When one is written but cannot be read (a vocabulary 999, a currency XYZ), carrying the
rest without it would change what the activity says: the code, the amount, the budget or
the indicator is not carried, with a warning at its line. With the attribute readable,
the same element is carried with it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from coopdata.iati.reading.importer import import_iati

_PERIOD = '<period-start iso-date="2020-01-01"/><period-end iso-date="2020-12-31"/>'
_TRANSACTION = ('<transaction><transaction-type code="3"/>'
                '<transaction-date iso-date="2020-05-01"/>{value}{more}</transaction>')
_VALUE = '<value currency="{q}" value-date="2020-05-01">1000</value>'
_PLAIN_VALUE = '<value value-date="2020-05-01">1000</value>'
_RESULT = '<result type="1"><title><narrative>R</narrative></title>{more}</result>'


def _each(name: str, key: str = "") -> Callable[[dict[str, Any]], list[Any]]:
    """What the record carries of a list field (of the items' ``key`` when given)."""
    def found(data: dict[str, Any]) -> list[Any]:
        items = data.get(name) or []
        items = items if isinstance(items, list) else [items]
        return [item[key] for item in items if key in item] if key else items
    return found


def _inner(outer: str, name: str) -> Callable[[dict[str, Any]], list[Any]]:
    """The items of the list ``name`` inside each item of ``outer``."""
    return lambda data: [inner for item in data.get(outer) or []
                         for inner in item.get(name) or []]


def _indicator_references(data: dict[str, Any]) -> list[Any]:
    return [reference for result in data.get("results") or []
            for indicator in result.get("indicators") or []
            for reference in indicator.get("references") or []]


def _description(data: dict[str, Any]) -> list[Any]:
    return [*((data["description"],) if "description" in data else ()),
            *_each("other_descriptions")(data)]


# (the element, with {q} where the qualifier goes; a readable value of it; what the
# record carries of the element; the field the qualifier is carried in, if any)
CASES: dict[str, tuple[str, str, Callable[[dict[str, Any]], list[Any]], str | None]] = {
    "sector/@vocabulary": ('<sector code="99810" vocabulary="{q}" percentage="100"/>', "99",
                           _each("sector_shares"), "vocabulary"),
    "recipient-region/@vocabulary": ('<recipient-region code="298" vocabulary="{q}" '
                                     'percentage="100"/>', "1", _each("regions"), "vocabulary"),
    "policy-marker/@vocabulary": ('<policy-marker code="1" significance="1" '
                                  'vocabulary="{q}"/>', "1", _each("policy_markers"),
                                  "vocabulary"),
    "tag/@vocabulary": ('<tag code="1" vocabulary="{q}"><narrative>t</narrative></tag>', "2",
                        _each("tags"), "vocabulary"),
    "humanitarian-scope/@vocabulary": ('<humanitarian-scope type="1" vocabulary="{q}" '
                                       'code="EP-2020-000012-001"/>', "1-2",
                                       _each("humanitarian_scopes"), "vocabulary"),
    "default-aid-type/@vocabulary": ('<default-aid-type code="A01" vocabulary="{q}"/>', "1",
                                     _each("default_aid_types"), "vocabulary"),
    "location-id/@vocabulary": ('<location><location-id vocabulary="{q}" code="123"/>'
                                '<name><narrative>n</narrative></name></location>', "G1",
                                _each("locations", "location_id"), None),
    "administrative/@vocabulary": ('<location><administrative vocabulary="{q}" level="1" '
                                   'code="ABC"/><name><narrative>n</narrative></name>'
                                   '</location>', "G1", _inner("locations", "administratives"),
                                   "vocabulary"),
    "country-budget-items/@vocabulary": ('<country-budget-items vocabulary="{q}"><budget-item '
                                         'code="1.1.1" percentage="100"/>'
                                         '</country-budget-items>', "1",
                                         _each("budget_items"), None),
    "budget/@type": (f'<budget type="{{q}}" status="1">{_PERIOD}'
                     '<value value-date="2020-01-01">100</value></budget>', "2",
                     _each("budgets"), "type"),
    "budget/@status": (f'<budget type="1" status="{{q}}">{_PERIOD}'
                       '<value value-date="2020-01-01">100</value></budget>', "2",
                       _each("budgets"), "status"),
    "budget/value/@currency": (f'<budget type="1">{_PERIOD}<value currency="{{q}}" '
                               'value-date="2020-01-01">100</value></budget>', "USD",
                               _each("budgets"), "currency"),
    "planned-disbursement/value/@currency": (f'<planned-disbursement type="1">{_PERIOD}'
                                             '<value currency="{q}" value-date="2020-01-01">5'
                                             '</value></planned-disbursement>', "USD",
                                             _each("planned_disbursements"), "currency"),
    "transaction/value/@currency": (_TRANSACTION.format(value=_VALUE, more=""), "USD",
                                    _each("transactions"), "currency"),
    "transaction/sector/@vocabulary": (_TRANSACTION.format(
        value=_PLAIN_VALUE, more='<sector code="11110" vocabulary="{q}"/>'), "1",
        _inner("transactions", "sectors"), "vocabulary"),
    "transaction/aid-type/@vocabulary": (_TRANSACTION.format(
        value=_PLAIN_VALUE, more='<aid-type code="A01" vocabulary="{q}"/>'), "1",
        _inner("transactions", "aid_types"), "vocabulary"),
    "transaction/recipient-region/@vocabulary": (_TRANSACTION.format(
        value=_PLAIN_VALUE, more='<recipient-region code="298" vocabulary="{q}"/>'), "1",
        _each("transactions", "region"), None),
    "default-flow-type+transaction/flow-type/@code": ('<default-flow-type code="10"/>' +
                                                      _TRANSACTION.format(
        value=_PLAIN_VALUE, more='<flow-type code="{q}"/>'), "20", _each("transactions"),
        "flow_type"),
    "default-finance-type+transaction/finance-type/@code": (
        '<default-finance-type code="110"/>' + _TRANSACTION.format(
            value=_PLAIN_VALUE, more='<finance-type code="{q}"/>'), "410",
        _each("transactions"), "finance_type"),
    "default-tied-status+transaction/tied-status/@code": (
        '<default-tied-status code="5"/>' + _TRANSACTION.format(
            value=_PLAIN_VALUE, more='<tied-status code="{q}"/>'), "4",
        _each("transactions"), "tied_status"),
    "default-aid-type+transaction/aid-type/@vocabulary": (
        '<default-aid-type code="A01"/>' + _TRANSACTION.format(
            value=_PLAIN_VALUE, more='<aid-type code="A02" vocabulary="{q}"/>'), "1",
        _each("transactions"), None),
    "crs-add/loan-status/@currency": ('<crs-add><loan-status year="2020" currency="{q}" '
                                      'value-date="2020-01-01"><interest-received>5'
                                      '</interest-received></loan-status></crs-add>', "USD",
                                      _each("loan_status"), "currency"),
    "fss/forecast/@currency": ('<fss extraction-date="2020-01-01"><forecast year="2021" '
                               'currency="{q}" value-date="2020-01-01">10</forecast></fss>',
                               "USD", _each("fss_forecasts"), "currency"),
    "result/reference/@vocabulary": (_RESULT.format(more='<reference vocabulary="{q}" '
                                                         'code="X"/>'), "99",
                                     _inner("results", "references"), "vocabulary"),
    "result/indicator/reference/@vocabulary": (_RESULT.format(
        more='<indicator measure="1"><title><narrative>I</narrative></title>'
             '<reference vocabulary="{q}" code="Y"/></indicator>'), "99",
        _indicator_references, "vocabulary"),
    "result/indicator/@ascending": (_RESULT.format(
        more='<indicator measure="1" ascending="{q}"><title><narrative>I</narrative></title>'
             '</indicator>'), "0", _inner("results", "indicators"), "ascending"),
    "result/indicator/@measure": (_RESULT.format(
        more='<indicator measure="{q}"><title><narrative>I</narrative></title>'
             '</indicator>'), "2", _inner("results", "indicators"), "measure"),
    "other-identifier/@type": ('<other-identifier ref="ABC" type="{q}"/>', "B1",
                               _each("other_identifiers"), "type"),
    "description/@type": ('<description type="{q}"><narrative>d</narrative></description>',
                          "3", _description, None),
}

SPOILT = ["999", "ZZ", "x", "1e999", "-1", "2020-13-45", "US Dollar"]
"""Qualifiers no vocabulary, currency or type list has."""


def _import(tmp_path: Path, element: str, *, default_currency: str = "EUR",
            country: str = '<recipient-country code="KE"/>'
            ) -> tuple[dict[str, Any], list[str]]:
    """The project record of an activity made of ``element``, and the import's
    warnings as text."""
    source = tmp_path / "a.xml"
    source.write_text(
        '<iati-activities version="2.03"><iati-activity xml:lang="en" '
        f'default-currency="{default_currency}"><iati-identifier>XM-Q-1</iati-identifier>'
        '<reporting-org ref="XM-Q" type="10"><narrative>Q</narrative></reporting-org>'
        f"<title><narrative>T</narrative></title>{country}"
        f"{element}</iati-activity></iati-activities>", encoding="utf-8")
    out = tmp_path / "records"
    result = import_iati([source], out, workers=1)
    try:
        warnings = [f"{finding.line}: {finding.message}" for finding in result.report.findings]
    finally:
        result.close()
    data = yaml.safe_load((out / "projects" / "iati-xm-q-1.yaml").read_text("utf-8"))
    return data, warnings


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_readable_qualifier_is_carried_with_what_it_qualifies(tmp_path: Path,
                                                                case: str) -> None:
    template, good, carried, field = CASES[case]
    data, _ = _import(tmp_path, template.replace("{q}", good))
    found = carried(data)
    assert found, f"{case}: nothing carried of {data}"
    if field is not None:
        assert [item.get(field) for item in found] == [_read(field, good)]


def _read(field: str, value: str) -> Any:
    """The qualifier as the record holds it (a budget's type and status by name)."""
    return {("type", "2"): "revised", ("status", "2"): "committed",
            ("ascending", "0"): False}.get((field, value), value)


@pytest.mark.parametrize("spoilt", SPOILT)
@pytest.mark.parametrize("case", sorted(CASES))
def test_an_unreadable_qualifier_drops_what_it_qualifies(tmp_path: Path, case: str,
                                                         spoilt: str) -> None:
    template, _, carried, _ = CASES[case]
    data, warnings = _import(tmp_path, template.replace("{q}", spoilt))
    assert carried(data) == [], f"{case}={spoilt!r} carried with the default: {data}"
    attribute = case.rsplit("/", 1)[1]
    said = [w for w in warnings if f'{attribute}: "{spoilt}" is not' in w and
            "not carried, as without its" in w]
    assert len(said) == 1, warnings
    assert said[0].startswith("1: ")  # (the element's line: the file is one line)


@pytest.mark.parametrize("case", ["budget/value/@currency", "transaction/value/@currency",
                                  "planned-disbursement/value/@currency",
                                  "fss/forecast/@currency", "crs-add/loan-status/@currency"])
@pytest.mark.parametrize("default_currency", ["XYZ", "euro"])
def test_an_amount_without_currency_is_not_read_in_an_unreadable_default(
        tmp_path: Path, case: str, default_currency: str) -> None:
    template, _, carried, _ = CASES[case]
    element = template.replace(' currency="{q}"', "")
    data, warnings = _import(tmp_path, element, default_currency=default_currency)
    assert carried(data) == [], data
    assert any(f'@default-currency "{default_currency}" is not a currency' in w
               for w in warnings), warnings
    data, _ = _import(tmp_path, element, default_currency="EUR")  # (the control)
    assert carried(data)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from(sorted(CASES)),
       written=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8))
@example(case="sector/@vocabulary", written="10")
@example(case="transaction/value/@currency", written="usd")
@example(case="budget/value/@currency", written=" eur ")
@example(case="sector/@vocabulary", written=" ")
def test_no_qualified_value_is_carried_without_its_qualifier(
        tmp_path: Path, case: str, written: str) -> None:
    """Whatever the qualifier says, what is carried is carried with it (or, where the
    record has no field for it, as given): never read with the default instead."""
    template, _, carried, field = CASES[case]
    elements = etree.fromstring(f'<all>{template.replace("{q}", "PLACEHOLDER")}</all>')
    for node in elements.iter():
        for name, value in node.attrib.items():
            if value == "PLACEHOLDER":
                node.set(name, written)
    data, _ = _import(tmp_path, "".join(etree.tostring(element, encoding="unicode")
                                        for element in elements), default_currency="EUR")
    found = carried(data)
    if not written.strip() or field is None:
        return  # (absent: the default is the publisher's meaning; no field to look at)
    for item in found:
        assert item.get(field) is not None, (case, written, item)
        if field == "currency":
            assert item[field] == written.strip().upper(), (case, written, item)


@pytest.mark.parametrize("elements,carried_sum", [
    # a region of an unknown vocabulary not carried: the countries alone then sum to 60
    ('<recipient-region code="298" vocabulary="999" percentage="40"/>'
     '<sector code="11110" percentage="100"/>', "the percentages of the recipient countries "
                                               "sum to 60, not 100"),
    # a sector's unreadable percentage not carried: one sector of two without one
    ('<recipient-region code="298" vocabulary="1" percentage="40"/>'
     '<sector code="11110" percentage="50"/><sector code="11120" percentage="5x0"/>',
     "some sectors of vocabulary 1 have a percentage and others none"),
])
def test_what_is_not_carried_is_left_out_of_the_percentages_warned_of(
        tmp_path: Path, elements: str, carried_sum: str) -> None:
    """The import warns of the sums a release will refuse, as carried, when an element
    or a percentage was not carried (the published sums may be right); a release of the
    record then refuses it for that very sum, and with the element readable, neither."""
    from coopdata.errors import RecordsInvalid
    from coopdata.iati.writing.export import export_file

    kenya = ('<description><narrative>D</narrative></description><activity-status code="2"/>'
             '<participating-org ref="XM-Q" role="1" type="10"><narrative>Q</narrative>'
             '</participating-org><activity-date type="1" iso-date="2020-01-01"/>'
             '<recipient-country code="KE" percentage="60"/>')
    _, warnings = _import(tmp_path, elements, country=kenya)
    said = [w for w in warnings if carried_sum in w]
    assert len(said) == 1 and said[0].endswith(
        "as carried (not every recipient country, region or sector or its percentage "
        "above was carried; a release writes the activity only once they sum as the IATI "
        "Standard's rule says)"), warnings
    with pytest.raises(RecordsInvalid) as refused:
        export_file(tmp_path / "records", tmp_path / "iati.xml")
    assert carried_sum in refused.value.report.to_text()
    mended = tmp_path / "mended"
    mended.mkdir()
    _, warnings = _import(mended, elements.replace('vocabulary="999"', 'vocabulary="1"')
                          .replace("5x0", "50"), country=kenya)
    assert not [w for w in warnings if "iati-percentages" in w or "sum to" in w], warnings
    export_file(mended / "records", mended / "iati.xml")


@pytest.mark.parametrize("tag,field", [("flow-type", "flow_type"),
                                       ("finance-type", "finance_type"),
                                       ("tied-status", "tied_status")])
def test_a_transaction_code_unreadable_without_a_default_leaves_the_transaction(
        tmp_path: Path, tag: str, field: str) -> None:
    """Without the activity's default, a transaction's unreadable flow type, finance type
    or tied status says nothing it would be read as: the transaction is carried without
    it."""
    data, _ = _import(tmp_path, _TRANSACTION.format(value=_PLAIN_VALUE,
                                                    more=f'<{tag} code="999"/>'))
    assert len(data["transactions"]) == 1 and field not in data["transactions"][0]


@pytest.mark.parametrize("blank", ["", " "])
def test_a_blank_qualifier_is_an_absent_one(tmp_path: Path, blank: str) -> None:
    """A blank ``@type`` of a description is the general description; a blank sector
    ``@vocabulary`` a DAC 5-digit sector, as without them."""
    data, _ = _import(tmp_path, f'<description type="{blank}"><narrative>d</narrative>'
                                f'</description><sector code="11110" vocabulary="{blank}"/>')
    assert data["description"] == {"en": "d"} and data["sectors"] == ["11110"]
    assert "sector_shares" not in data and "other_descriptions" not in data


def test_a_second_country_budget_items_is_not_carried(tmp_path: Path) -> None:
    """The schema allows one ``country-budget-items``: a second, of another vocabulary,
    is not carried (its items would be read in the first's vocabulary)."""
    data, _ = _import(tmp_path, '<country-budget-items vocabulary="1"><budget-item code="1.1.1" '
                                'percentage="100"/></country-budget-items>'
                                '<country-budget-items vocabulary="2"><budget-item code="9" '
                                'percentage="100"/></country-budget-items>')
    assert data["budget_items_vocabulary"] == "1"
    assert [item["code"] for item in data["budget_items"]] == ["1.1.1"]


@pytest.mark.parametrize("written", ["fra", "French", "zz"])
def test_an_unreadable_activity_language_keeps_the_texts_and_says_which_language(
        tmp_path: Path, written: str) -> None:
    """An ``iati-activity/@xml:lang`` that is not ISO 639-1: dropping every narrative
    without its own ``xml:lang`` would drop the titles, so they are kept in English (the
    import's default), and the warning says so."""
    source = tmp_path / "a.xml"
    source.write_text(
        f'<iati-activities version="2.03"><iati-activity xml:lang="{written}">'
        '<iati-identifier>XM-Q-1</iati-identifier><reporting-org ref="XM-Q" type="10">'
        '<narrative>Q</narrative></reporting-org><title><narrative>Titre</narrative>'
        '<narrative xml:lang="de">Titel</narrative></title></iati-activity>'
        "</iati-activities>", encoding="utf-8")
    result = import_iati([source], tmp_path / "records", workers=1)
    try:
        warnings = [f.message for f in result.report.findings]
    finally:
        result.close()
    data = yaml.safe_load((tmp_path / "records" / "projects" / "iati-xm-q-1.yaml")
                          .read_text("utf-8"))
    assert data["title"] == {"en": "Titre", "de": "Titel"} and "language" not in data
    assert [w for w in warnings if w.startswith("iati-activity/@xml:lang")] == [
        f'iati-activity/@xml:lang: "{written}" is not an ISO 639-1 language; not carried, '
        "and the narratives without an xml:lang of their own are taken as written in 'en'"]
