"""The SERVICE finder (kg.sparqltext) and the allowlist (kg.service) on tricky query texts."""

from __future__ import annotations

import pytest

from kg.config import Config
from kg.errors import QueryTooComplex, ServiceRefused
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


def test_service_glued_to_other_words_is_found() -> None:
    # pyoxigraph's parser needs no space around keywords: each of these calls the endpoint.
    text = """PREFIX e: <http://pre.example/>
    PREFIX : <http://empty.example/>
    SELECT * {
      ?s ?p trueSERVICE<http://after-true.example/> {}
      ?s ?p falseSERVICESILENT<http://silent.example/> {}
      SERVICEe:glued {}
      service:colon {}
    }"""
    assert endpoints(text) == [
        "http://after-true.example/",
        "http://silent.example/",
        "http://pre.example/glued",
        "http://empty.example/colon",
    ]
    assert [s.silent for s in services(text)] == [False, True, False, False]


def test_names_that_merely_contain_service_are_not_clauses() -> None:
    text = (
        "PREFIX schema: <http://schema.org/> PREFIX ex: <http://example.org/>\n"
        "SELECT ?service WHERE { ?s schema:serviceType ?t ; ex:service ?service ;"
        " ex:self-service ?x }"
    )
    assert endpoints(text) == []
    check_query(text, limits())


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


def test_a_less_than_that_could_be_read_both_ways_is_read_both_ways() -> None:
    from kg.sparqltext import readings

    assert len(readings("ASK { ?s <http://x/p> ?o FILTER(?o < 3) }")) == 1  # no doubt
    # In an expression, after an operand, `<'>` reads as less-than then a string, or an IRI.
    doubtful = readings("ASK { ?s ?p ?a FILTER(?a<'>') " + "{" * 200 + "}" * 200 + " #'\n}")
    assert len(doubtful) == 3
    assert max(r.depth for r in doubtful) > 200
    with pytest.raises(QueryTooComplex):
        check_query("ASK { ?s ?p ?a FILTER(?a<'>') " + "{" * 200 + "}" * 200 + " #'\n}", limits())


def test_named_queries_are_checked_too(fresh_config: Config) -> None:
    import dataclasses

    from kg import queries
    from kg.config import PROJECT_DIR
    from kg.store import EmbeddedStore

    named = queries.Catalogue.load(PROJECT_DIR / "queries").get("wikidata-disagreements")
    with pytest.raises(ServiceRefused, match="service_allowlist"):
        queries.run(EmbeddedStore(None), named, {}, fresh_config)
    local = dataclasses.replace(named, text=named.text.replace("SERVICE", "GRAPH"))
    queries.run(EmbeddedStore(None), local, {}, fresh_config)  # the same query, no SERVICE


def test_a_less_than_before_an_iri_is_not_a_triple_term() -> None:
    # `?o<<x:'>` is `?o < <x:'>` in an expression, not `<<` opening a triple term.
    text = "SELECT * { FILTER(?o<<x:'>)SERVICE<http://after.example/>{} #'\n}"
    assert endpoints(text) == ["http://after.example/"]


FRAGMENTS = [
    "?s ?p ?o .",
    "?s <http://x/#'> ?o .",
    "?s ?p 'it\\'s' .",
    '?s ?p "a\'b" .',
    "FILTER(?o<'>')",
    "FILTER(?o < 3 && ?o > 1)",
    "FILTER(?o<?s)",
    "# comment ' \" <\n",
    "?s ?p '''multi\nline''' .",
    "?s ?p true",
    "?s ?p 1.5",
    "BIND(<x:a> AS ?z)",
    "OPTIONAL { ?s ?p ?q }",
    "?s ?p 'x'@en .",
    "?s ?p 'x'^^<x:t> .",
    "FILTER(?o<<x:a>)",
    "VALUES ?v { <x:a> 'b' }",
    "?s ?p (1 <x:b>) .",
    "?s (<x:p>|<x:q>) ?o .",
    "FILTER(?o<'a#b')",
    "FILTER REGEX(?o, '<')",
    "?s ?p e:x .",
    "{ ?s ?p ?o } UNION { ?s ?p ?o }",
    'FILTER(?o<"\'")',
    "?s ?p 'SERVICE <http://no/>' .",
    "FILTER(true)",
    "?s ?p ?o FILTER(?o<'",
    "') ",
    "#'",
    "'#",
    "<x:'>",
    "FILTER(?o<<x:'>)",
]


def test_the_parser_never_calls_an_endpoint_the_finder_missed() -> None:
    """pyoxigraph as the oracle: random valid-looking queries, a SERVICE clause put somewhere
    (maybe inside a string or a comment); every endpoint the engine really calls must have been
    found (or the query refused for an unresolvable clause)."""
    import http.server
    import random

    import pyoxigraph as ox
    from conftest import serving

    called: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            called.append(self.path)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

        def log_message(self, *args: object) -> None:
            """Quiet."""

    rng = random.Random(20261202)
    store = ox.Store()
    ran = 0
    with serving(Recorder) as url:
        for i in range(2000):
            parts = [rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 6))]
            clause = rng.choice(
                [
                    f"SERVICE<{url}/{i}>{{}}",
                    f"SERVICE SILENT <{url}/{i}> {{}}",
                    f"SERVICE e:{i} {{}}",
                    f"trueSERVICE<{url}/{i}>{{}}",
                ]
            )
            parts.insert(rng.randint(0, len(parts)), clause)
            glue = ["", " ", "\n", " # c\n", "\t"]
            body = "".join(part + rng.choice(glue) for part in parts)
            text = f"PREFIX e: <{url}/> SELECT * {{ {body}\n}}"
            before = len(called)
            try:
                list(store.query(text))
                ran += 1
            except (SyntaxError, OSError):
                continue
            found = {s.endpoint for s in services(text)}
            for path in called[before:]:
                assert url + path in found or None in found, text
    assert ran > 500 and len(called) > 500  # enough of them were valid and called out
