"""Content negotiation: the Accept table (after oxigraph's get_query_accept_* tests), format=."""

from __future__ import annotations

import pytest
import requests

from kg.errors import NotAcceptable
from kg.formats import GRAPH, RESULTS, by_name, choose, negotiate, parse_accept, prefers_html

SELECT = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"

# (Accept header, family, expected format name; None means 406)
ACCEPT_TABLE = [
    (None, RESULTS, "json"),
    ("", RESULTS, "json"),
    ("*/*", RESULTS, "json"),
    ("*", RESULTS, "json"),
    ("text/*", RESULTS, "csv"),
    ("application/sparql-results+json", RESULTS, "json"),
    ("application/sparql-results+json;charset=utf-8", RESULTS, "json"),
    ("application/sparql-results+xml", RESULTS, "xml"),
    ("application/json", RESULTS, "json"),
    ("application/xml", RESULTS, "xml"),
    ("text/csv", RESULTS, "csv"),
    ("text/tab-separated-values", RESULTS, "tsv"),
    ("text/foo;q=0.5, text/csv ; q = 0.7", RESULTS, "csv"),
    ("text/csv;q=0.5, text/tab-separated-values;q=0.7", RESULTS, "tsv"),
    ("text/tab-separated-values,text/csv", RESULTS, "tsv"),
    ("text/foo;q=0.9,text/csv", RESULTS, "csv"),
    ("application/sparql-results+json,*/*;q=0.9", RESULTS, "json"),  # YASGUI
    ("application/sparql-results+xml,*/*;q=0.1", RESULTS, "xml"),
    ("*/*;q=0.1, text/csv;q=0", RESULTS, "json"),
    ("text/csv;q=0", RESULTS, None),
    ("application/foo", RESULTS, None),
    ("text/foo", RESULTS, None),
    ("text/turtle", RESULTS, None),
    ("not a media type", RESULTS, "json"),  # nothing parseable: as if absent
    (None, GRAPH, "turtle"),
    ("*/*", GRAPH, "turtle"),
    ("application/n-triples,*/*;q=0.9", GRAPH, "nt"),  # YASGUI
    ("application/rdf+xml", GRAPH, "rdfxml"),  # rdflib, SPARQLWrapper
    ("application/ld+json", GRAPH, "jsonld"),
    ("application/trig", GRAPH, "trig"),
    ("application/n-quads", GRAPH, "nq"),
    ("text/turtle;q=0.5, application/ld+json", GRAPH, "jsonld"),
    ("text/*", GRAPH, "turtle"),
    ("application/*", GRAPH, "nt"),
    ("application/sparql-results+json", GRAPH, None),
    (
        "text/turtle, application/n-triples;q=0.9, application/rdf+xml;q=0.7, */*;q=0.3",
        GRAPH,
        "turtle",
    ),  # Jena-style weighted list
]


@pytest.mark.parametrize(("accept", "family", "expected"), ACCEPT_TABLE)
def test_accept_table(accept: str | None, family: tuple, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(NotAcceptable) as info:
            negotiate(accept, family)
        assert family[0].media_type in info.value.message  # names what is offered
    else:
        assert negotiate(accept, family).name == expected


@pytest.mark.parametrize(
    ("params", "family", "expected"),
    [
        (["csv"], RESULTS, "csv"),
        (["text/tab-separated-values"], RESULTS, "tsv"),
        (["xml"], RESULTS, "xml"),
        (["xml"], GRAPH, "rdfxml"),  # SPARQLWrapper sends format=xml for CONSTRUCT too
        (["json"], GRAPH, "jsonld"),
        (["tsv", "text/tab-separated-values"], RESULTS, "tsv"),
        (["json-ld", "application/ld+json"], GRAPH, "jsonld"),
        (["ttl"], GRAPH, "turtle"),
        (["nt"], GRAPH, "nt"),
        (["trig"], GRAPH, "trig"),
        (["nq"], GRAPH, "nq"),
        (["rdfxml"], GRAPH, "rdfxml"),
        (["unheard-of"], RESULTS, "tsv"),  # unknown names are tolerated: Accept decides
    ],
)
def test_format_parameter_overrides_accept(params: list[str], family: tuple, expected: str) -> None:
    assert choose("text/tab-separated-values", params, family).name in {expected}


def test_format_of_the_other_family_is_406() -> None:
    with pytest.raises(NotAcceptable):
        choose(None, ["csv"], GRAPH)
    with pytest.raises(NotAcceptable):
        choose(None, ["turtle"], RESULTS)


def test_parse_accept_keeps_q_and_skips_junk() -> None:
    ranges = parse_accept("text/html;level=1;q=0.3, junk, */*;q=abc, application/json")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("text", "html", 0.3),
        ("*", "*", 0.0),
        ("application", "json", 1.0),
    ]


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),  # Firefox
        ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8", True),
        ("*/*", False),
        (None, False),
        ("application/sparql-results+json,*/*;q=0.9", False),
        ("text/plain, text/html;q=0.5", False),
    ],
)
def test_browsers_are_recognised(accept: str | None, html: bool) -> None:
    assert prefers_html(accept) is html


def test_every_format_is_found_by_its_media_type() -> None:
    for fmt in RESULTS + GRAPH:
        family = GRAPH if fmt.is_graph else RESULTS
        assert by_name(fmt.media_type, family) is fmt
        assert by_name(fmt.name, family) is fmt


# The same table, end to end: the server's Content-Type follows it.
@pytest.mark.parametrize(("accept", "family", "expected"), ACCEPT_TABLE)
def test_accept_table_live(live_server, accept: str | None, family: tuple, expected) -> None:
    query = SELECT if family is RESULTS else CONSTRUCT
    headers = {} if accept is None else {"Accept": accept}
    r = requests.get(live_server.sparql, params={"query": query}, headers=headers, timeout=30)
    if expected is None:
        assert r.status_code == 406
        assert family[0].media_type in r.text
    else:
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].split(";")[0] == by_name(expected, family).media_type
        assert "Accept" in r.headers["Vary"]
