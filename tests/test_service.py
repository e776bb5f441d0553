"""The SERVICE finder (kg.sparqltext) and the allowlist (kg.service) on tricky query texts."""

from __future__ import annotations

import pytest

from kg.config import Config
from kg.errors import ServiceRefused
from kg.guard import Limits, check_query, check_update
from kg.service import normalize, services

PUBLIC = "http://8.8.8.8/sparql"  # a public address written as such: no name to resolve


def endpoints(text: str, base: str | None = "http://here.example/sparql") -> list[str | None]:
    return [s.endpoint for s in services(text, base)]


def limits(allow: str = "", private: bool = False) -> Limits:
    return Limits.of(Config().with_(service_allowlist=allow, service_allow_private=private))


def test_service_in_strings_comments_iris_and_names_is_not_a_clause() -> None:
    text = (
        'SELECT * { ?s ?p "SERVICE <http://a/> {}" . ?s ?p """x\nSERVICE <http://b/> {}""" .\n'
        "  # SERVICE <http://c/> {}\n"
        "  ?s <http://x/SERVICE> ?service . ?s ex:SERVICE ?o . ?s ex:a.SERVICE ?o ."
        " ?s ?p 'SERVICE <http://d/>' }"
    )
    assert endpoints(text) == []


def test_every_way_of_writing_a_service_clause_is_found() -> None:
    text = """PREFIX e: <http://pre.example/>
    BASE <http://base.example/dir/>
    SELECT * {
      service <http://lower.example/q> { ?a ?b ?c }
      SERVICE SILENT e:end\\-point { ?a ?b ?c }
      SERVICE <relative> { SERVICE <http://nested.example/q> { ?a ?b ?c } }
      ?s ?p 1.SERVICE <http://after-dot.example/> { }
      ?s ?p ?o .SERVICE <http://\\u0065sc.example/> { }
      OPTIONAL { SeRvIcE <http://mixed.example/> {} }
    }"""
    assert endpoints(text) == [
        "http://lower.example/q",
        "http://pre.example/end-point",
        "http://base.example/dir/relative",
        "http://nested.example/q",
        "http://after-dot.example/",
        "http://esc.example/",
        "http://mixed.example/",
    ]
    silent = [s.silent for s in services(text)]
    assert silent == [False, True, False, False, False, False, False]


def test_relative_endpoints_resolve_against_the_request_url() -> None:
    assert endpoints("SELECT * { SERVICE <other> {} }") == ["http://here.example/other"]
    assert endpoints("SELECT * { SERVICE <other> {} }", None) == [None]


def test_a_less_than_cannot_hide_a_clause() -> None:
    # The parser reads `<` after ?a in an expression as less-than, so the quote opens a string
    # only after it; reading `<'>` as an IRI would put the clause inside a string.
    text = "SELECT * { ?s ?p ?a FILTER(?a<'>') SERVICE <http://hidden.example/> {} #'\n}"
    assert "http://hidden.example/" in endpoints(text)
    text = "SELECT * { ?s <http://x/#'> ?o . SERVICE <http://hash.example/> {} }"
    assert endpoints(text) == ["http://hash.example/"]
    text = "SELECT * { FILTER(?a < 3 && ?b > 2) SERVICE <http://cmp.example/> {} }"
    assert endpoints(text) == ["http://cmp.example/"]


def test_by_default_every_service_is_refused() -> None:
    with pytest.raises(ServiceRefused, match="not in the service_allowlist"):
        check_query(f"SELECT * {{ SERVICE <{PUBLIC}> {{ ?s ?p ?o }} }}", limits())


def test_listed_public_endpoints_pass_and_match_as_urls() -> None:
    allowed = limits(f"{PUBLIC}, https://query.example.org/sparql")
    check_query(f"SELECT * {{ SERVICE <{PUBLIC}> {{ }} }}", allowed)
    check_query("SELECT * { SERVICE <HTTP://8.8.8.8:80/sparql> { } }", allowed)
    with pytest.raises(ServiceRefused, match="not in the service_allowlist"):
        check_query("SELECT * { SERVICE <http://8.8.8.8/sparql2> { } }", allowed)
    assert normalize("HTTPS://Query.Example.ORG:443/sparql") == "https://query.example.org/sparql"


def test_variable_and_unresolvable_endpoints_are_refused() -> None:
    allowed = limits(PUBLIC)
    with pytest.raises(ServiceRefused, match="variable"):
        check_query("SELECT * { BIND(<http://8.8.8.8/sparql> AS ?e) SERVICE ?e { } }", allowed)
    with pytest.raises(ServiceRefused, match="not declared"):
        check_query("SELECT * { SERVICE nope:x { } }", allowed)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:7878/query",
        "http://localhost/sparql",
        "http://10.1.2.3/sparql",
        "http://192.168.0.1/sparql",
        "http://169.254.169.254/latest",
        "http://[::1]/sparql",
        "http://[::ffff:127.0.0.1]/sparql",
        "http://0.0.0.0/sparql",
    ],
)
def test_private_addresses_are_refused_even_when_listed(url: str) -> None:
    query = f"SELECT * {{ SERVICE <{url}> {{ }} }}"
    with pytest.raises(ServiceRefused, match="service_allow_private"):
        check_query(query, limits(url))
    check_query(query, limits(url, private=True))


def test_only_http_endpoints() -> None:
    with pytest.raises(ServiceRefused, match="only http"):
        check_query(
            "SELECT * { SERVICE <file:///etc/passwd> { } }", limits("file:///etc/passwd", True)
        )


def test_updates_are_checked_too() -> None:
    update = f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{PUBLIC}> {{ ?s ?p ?o }} }}"
    with pytest.raises(ServiceRefused):
        check_update(update, limits())
    check_update(update, limits(PUBLIC))
