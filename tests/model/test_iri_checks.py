"""Issue 14, case 5: whatever is written as an IRI is checked as one by validation, with
the parser that reads it back (pyoxigraph), in records and in the release configuration."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopdata import UsageError
from coopdata.model.config import ReleaseConfig, _check, load_config
from coopdata.model.dataset import Record
from coopdata.model.dates import PartialDate
from coopdata.model.ntriples import iri
from coopdata.model.uris import Uris
from coopdata.model.values import url_problem
from coopdata.records.dataset import check_records
from coopdata.records.load import load
from coopdata.release.catalog import catalog_graph, void_graph
from coopdata.release.files import ReleaseFile, ReleaseInfo
from tests.conftest import write

BAD = ["http://x/%zz", "http://x/%2", "http://x/a%", "http://x:abc/", "http://x:8o/",
       "http://x/#a#b", "https://x/a#b#", "http://[::1/", "http://x/a\ufffe",
       "http://x/\U0010fffe"]


def _url_findings(url: str) -> list[tuple[str, str | None]]:
    record = Record("source", "s", "s.yaml", {"id": "s", "title": {"en": "x"}, "url": url})
    _, findings = check_records([record])
    return [(f.code, f.field) for f in findings if f.field == "url"]


@pytest.mark.parametrize("url", BAD)
def test_urls_the_writer_refuses_are_findings(url: str) -> None:
    assert _url_findings(url) == [("invalid-url", "url")]


def test_a_record_with_a_bad_url_fails_validation_with_the_reason(records: Path) -> None:
    source = records / "sources" / "doc-a.yaml"
    write(source, source.read_text(encoding="utf-8").replace(
        "url: https://example.org/doc-a", "url: \"http://x/%zz\""))
    _, report = load(records)
    [finding] = [f for f in report.findings if f.code == "invalid-url"]
    assert "Invalid IRI percent encoding" in finding.message and finding.line is not None


_URLISH = st.builds(
    lambda scheme, host, port, parts: f"{scheme}{host}{port}{''.join(parts)}",
    st.sampled_from(["http://", "https://", "http:/", "ftp://", "http://"]),
    st.sampled_from(["x", "example.org", "[::1]", "[::1", "127.0.0.1", "xn--e-9", "é.fr",
                     "a b", "", "x%41", "user@x"]),
    st.sampled_from(["", "", ":80", ":abc", ":", ":99999", ":8o"]),
    st.lists(st.one_of(
        st.sampled_from(["/", "/a", "%", "%2", "%zz", "%41", "%C3%A9", "#", "#f", "?q=1",
                         " ", "[", "]", "<", ">", '"', "{", "}", "|", "\\", "^", "`", "é",
                         "\u200b", "\u202e", "\ufffe", "\ud7ff", "\ue000", "\x7f", "\t",
                         "@", ":", "'", "!", "$", "&", "(", ")", "*", "+", ",", ";", "="]),
        st.text(max_size=3)), max_size=8))


@settings(max_examples=1500, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_URLISH)
def test_any_url_validation_accepts_is_written_and_read_back(url: str) -> None:
    """The N-Triples writer's term for an accepted URL is read back by pyoxigraph (the
    parser of build, release, query and serve) as the same IRI."""
    if url_problem(url) is not None:
        return
    line = f"{iri(url)} {iri('http://p/')} {iri(url)} .\n"
    [quad] = list(pyoxigraph.parse(line, format=pyoxigraph.RdfFormat.N_TRIPLES))
    assert quad.subject == pyoxigraph.NamedNode(url)


CONFIG = ReleaseConfig(contact_email="curators@example.org",
                       sparql_endpoint="https://example.org/sparql")
INFO = ReleaseInfo(version="1.2.0", issued="2024-05-02", previous=("1.0.0",),
                   countries=("MA",), temporal=(PartialDate(2013, 6), PartialDate(2021)),
                   triples=10, entities=(("https://w3id.org/coopdata/vocab#Project", 1),))
FILES = [ReleaseFile(name, 10, hashlib.sha256(name.encode()).hexdigest())
         for name in ("graph.nt", "tables/projects.csv")]
_URL_SETTINGS = ("base_uri", "catalog_uri", "download_url", "sparql_endpoint",
                 "publisher_uri", "contact_url", "license")


@pytest.mark.parametrize("name", _URL_SETTINGS)
@pytest.mark.parametrize("suffix", ["/%zz/", "/>/", "/#a#b/", ":abc/", "/a b/", "/\\/",
                                    "/{x}/", "/%/", "/\\u200b\\u007f/"])
def test_release_configuration_urls_are_checked_as_written(name: str, suffix: str,
                                                           tmp_path: Path) -> None:
    value = "https://example.org" + suffix
    path = tmp_path / "coopdata.toml"
    quoted = value.replace("\\", "\\\\")
    path.write_text(f'[release]\n{name} = "{quoted}"\n', encoding="utf-8")
    with pytest.raises(UsageError) as refused:
        load_config(path)
    assert str(path) in str(refused.value) and name in str(refused.value)


@settings(max_examples=400, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_URL_SETTINGS), _URLISH.map(lambda u: u if u.endswith("/") else u + "/"))
def test_any_configuration_accepted_gives_a_catalogue_parsers_read(name: str, url: str) -> None:
    """catalog.ttl and void.ttl (written by rdflib) of any accepted configuration are
    read by pyoxigraph, and records' URIs under an accepted base are IRIs."""
    try:
        config = _check(replace(CONFIG, **{name: url}), "coopdata.toml")
    except UsageError:
        return
    for make in (catalog_graph, void_graph):
        text = make(config, INFO, FILES).serialize(format="turtle")
        assert list(pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.TURTLE))
    pyoxigraph.NamedNode(Uris(config.base_uri).record("project", "p"))


@pytest.mark.parametrize("name", ["catalog_uri", "download_url"])
def test_folders_have_no_fragment(name: str) -> None:
    """A fragment is never sent to the server: files below it could not be fetched, and
    the catalogue's own fragments (``…/dataset/1#void``) would be a second ``#``."""
    with pytest.raises(UsageError, match=name):
        _check(replace(CONFIG, **{name: "https://example.org/#a/"}), "c.toml")


def test_contact_email_is_checked_as_a_mailto_iri() -> None:
    with pytest.raises(UsageError, match="contact.email"):
        _check(replace(CONFIG, contact_email="a>b@example.org"), "c.toml")


def test_a_base_uri_that_makes_no_iri_is_refused() -> None:
    for base in ("https://x/%zz/", "https://x:y/", "https://x/a#b#"):
        with pytest.raises(ValueError, match="IRI"):
            Uris(base)


