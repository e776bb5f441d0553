"""SPARQL 1.1 Protocol, end to end against `kg serve` on a free port (the live_server fixture)."""

from __future__ import annotations

import csv
import gzip
import io
import socket
import warnings

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic, to_isomorphic

from kg.namespaces import SD, sparql_prefixes

ROWS = """SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }
ORDER BY ?s ?label LIMIT 50"""
ENTITY_GRAPH_CONSTRUCT = """CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o }
FILTER(?g = <%sgraph/entities>) }"""
RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "tsv": "text/tab-separated-values",
}
GRAPH_TYPES = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "xml": "application/rdf+xml",
    "json-ld": "application/ld+json",
    "trig": "application/trig",
    "nquads": "application/n-quads",
}


def get(server, query: str, accept: str | None = None, **params) -> requests.Response:
    headers = {"Accept": accept} if accept else {}
    return requests.get(
        server.sparql, params={"query": query, **params}, headers=headers, timeout=60
    )


def solutions(response: requests.Response, fmt: ox.QueryResultsFormat) -> list[dict]:
    parsed = ox.parse_query_results(response.content, fmt)
    names = [v.value for v in parsed.variables]
    return [{n: s[n] for n in names} for s in parsed]


@pytest.fixture(scope="module")
def reference_rows(live_server) -> list[dict]:
    """The rows of ROWS as pyoxigraph computes them on the store directly."""
    store = ox.Store.read_only(live_server.config.data_dir)
    found = store.query(ROWS, use_default_graph_as_union=True)
    names = [v.value for v in found.variables]
    return [{n: s[n] for n in names} for s in found]


def test_get_post_form_and_post_direct_agree(live_server, reference_rows) -> None:
    accept = {"Accept": RESULT_TYPES["json"]}
    by_get = get(live_server, ROWS, RESULT_TYPES["json"])
    by_form = requests.post(live_server.sparql, data={"query": ROWS}, headers=accept, timeout=60)
    by_body = requests.post(
        live_server.sparql,
        data=ROWS.encode(),
        headers={**accept, "Content-Type": "application/sparql-query"},
        timeout=60,
    )
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200, response.text
        assert solutions(response, ox.QueryResultsFormat.JSON) == reference_rows
    assert reference_rows  # the seed has labels


def test_select_formats_parse_to_the_same_rows(live_server, reference_rows) -> None:
    for name, media in RESULT_TYPES.items():
        response = get(live_server, ROWS, media)
        assert response.headers["Content-Type"].startswith(media)
        parsed = solutions(response, ox.QueryResultsFormat.from_media_type(media))
        assert parsed == reference_rows, name
    response = get(live_server, ROWS, "text/csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))
    assert table == [{k: t.value for k, t in row.items()} for row in reference_rows]


def test_ask_in_json_and_xml(live_server) -> None:
    for ask, expected in (("ASK { ?s ?p ?o }", True), ("ASK { <urn:x:none> ?p ?o }", False)):
        for fmt in (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML):
            response = get(live_server, ask, fmt.media_type)
            assert bool(ox.parse_query_results(response.content, fmt)) is expected


@pytest.mark.parametrize("rdflib_format", list(GRAPH_TYPES))
def test_construct_formats_are_isomorphic(live_server, rdflib_format: str) -> None:
    query = ENTITY_GRAPH_CONSTRUCT % live_server.config.base_iri
    store = ox.Store.read_only(live_server.config.data_dir)
    expected = Graph().parse(
        data=store.query(query).serialize(format=ox.RdfFormat.N_TRIPLES).decode(), format="nt"
    )
    response = get(live_server, query, GRAPH_TYPES[rdflib_format])
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith(GRAPH_TYPES[rdflib_format])
    if rdflib_format in ("trig", "nquads"):
        # rdflib's dataset parsers warn about their own deprecations: read quads with pyoxigraph.
        fmt = ox.RdfFormat.from_media_type(GRAPH_TYPES[rdflib_format])
        quads = list(ox.parse(response.content, fmt))
        assert all(isinstance(q.graph_name, ox.DefaultGraph) for q in quads)
        lines = "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads)
        got = Graph().parse(data=lines, format="nt")
    else:
        with warnings.catch_warnings():
            # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph internally.
            warnings.simplefilter("ignore", DeprecationWarning)
            got = Graph().parse(data=response.content, format=rdflib_format)
    assert len(expected) > 10
    assert isomorphic(got, expected), set(to_isomorphic(got) ^ to_isomorphic(expected))


def test_defaults_without_accept(live_server) -> None:
    assert get(live_server, ROWS).headers["Content-Type"].startswith(RESULT_TYPES["json"])
    construct = get(live_server, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3")
    assert construct.headers["Content-Type"].startswith("text/turtle")  # a graph format


def test_format_parameter_overrides_accept(live_server, reference_rows) -> None:
    response = get(live_server, ROWS, "application/sparql-results+json", format="tsv")
    assert response.headers["Content-Type"].startswith("text/tab-separated-values")
    assert solutions(response, ox.QueryResultsFormat.TSV) == reference_rows
    wrong = get(live_server, ROWS, None, format="turtle")
    assert wrong.status_code == 406
    assert "application/sparql-results+json" in wrong.text


def test_dataset_parameters(live_server) -> None:
    base = live_server.config.base_iri
    entities, ontology = base + "graph/entities", base + "graph/ontology"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    store = ox.Store.read_only(live_server.config.data_dir)

    def direct(sparql: str, **kwargs) -> int:
        return int(next(iter(store.query(sparql, **kwargs)))["n"].value)

    def served(sparql: str, **params) -> int:
        response = get(live_server, sparql, None, **params)
        assert response.status_code == 200, response.text
        return int(solutions(response, ox.QueryResultsFormat.JSON)[0]["n"].value)

    in_entities = direct(count, default_graph=[ox.NamedNode(entities)])
    assert in_entities > 0
    assert served(count, **{"default-graph-uri": entities}) == in_entities
    both = [entities, ontology]
    assert served(count, **{"default-graph-uri": both}) == direct(
        count, default_graph=[ox.NamedNode(g) for g in both]
    )
    # The union default graph (setting on by default) covers every named graph...
    assert served(count) == direct(count, use_default_graph_as_union=True)
    # ...but a query's own FROM wins over it.
    assert served(f"SELECT (COUNT(*) AS ?n) FROM <{entities}> WHERE {{ ?s ?p ?o }}") == in_entities
    named = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert served(named, **{"named-graph-uri": both}) == 2
    # The protocol's dataset replaces the query's, and the side not given is empty.
    assert served(named, **{"default-graph-uri": entities}) == 0
    assert served(count, **{"named-graph-uri": both}) == 0
    from_named = f"SELECT (COUNT(*) AS ?n) FROM <{ontology}> WHERE {{ ?s ?p ?o }}"
    assert served(from_named, **{"default-graph-uri": entities}) == in_entities


def test_malformed_query_is_400_with_parser_message_and_position(live_server) -> None:
    response = get(live_server, "SELECT * WHERE { ?s ?p }")
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.text.split("\n")
    # The one error shape: status line, blank line, message (here the parser's, with line:column).
    assert lines[0] == "400 Bad Request"
    assert lines[1] == ""
    assert lines[2].startswith("error at 1:")
    assert response.text.endswith("\n")


def test_errors_are_html_for_browsers(live_server) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = get(live_server, "SELECT nonsense", browser)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<h1>400 Bad Request</h1>" in response.text
    assert "error at 1:" in response.text


def test_one_operation_per_request(live_server) -> None:
    twice = requests.get(
        live_server.sparql, params=[("query", "ASK {}"), ("query", "ASK {}")], timeout=30
    )
    assert twice.status_code == 400
    url_and_body = requests.post(
        live_server.sparql + "?query=ASK%7B%7D",
        data=b"ASK {}",
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert url_and_body.status_code == 400
    query_and_update = requests.post(
        live_server.sparql, data={"query": "ASK {}", "update": "CLEAR DEFAULT"}, timeout=30
    )
    assert query_and_update.status_code == 400
    assert "a query and an update" in query_and_update.text
    empty_post = requests.post(live_server.sparql, data={"other": "x"}, timeout=30)
    assert empty_post.status_code == 400


def test_wrong_method_is_405_with_allow(live_server) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        response = requests.request(method, live_server.sparql, timeout=30)
        assert response.status_code == 405
        allowed = {m.strip() for m in response.headers["Allow"].split(",")}
        assert {"GET", "POST"} <= allowed
        assert response.text.startswith("405 Method Not Allowed\n\n")
    update_by_get = requests.get(live_server.sparql, params={"update": "CLEAR ALL"}, timeout=30)
    assert update_by_get.status_code == 405


def test_unsupported_body_is_415(live_server) -> None:
    for content_type in ("text/plain", "application/json"):
        response = requests.post(
            live_server.sparql, data=b"ASK {}", headers={"Content-Type": content_type}, timeout=30
        )
        assert response.status_code == 415
        assert "application/sparql-query" in response.text


def test_oversized_body_is_413_and_url_414(live_server) -> None:
    limit = live_server.config.max_body
    padding = "#" + "x" * (limit + 10) + "\nASK {}"
    response = requests.post(
        live_server.sparql,
        data=padding.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=60,
    )
    assert response.status_code == 413
    long_url = requests.get(live_server.sparql, params={"query": padding}, timeout=60)
    assert long_url.status_code == 414


def test_long_urls_and_unknown_parameters_are_fine(live_server) -> None:
    # rdflib's SPARQLStore prepends ~1.3 KB of PREFIX lines; make it several KB.
    preamble = sparql_prefixes() * 8
    query = preamble + "SELECT (COUNT(*) AS ?n) WHERE { ?s rdfs:label ?l }"
    assert (
        len(requests.Request("GET", live_server.sparql, params={"query": query}).prepare().url)
        > 8000
    )
    response = get(live_server, query, None, format="json", output="json", results="json")
    assert response.status_code == 200, response.text
    assert int(solutions(response, ox.QueryResultsFormat.JSON)[0]["n"].value) > 0


def test_upgrade_h2c_header_is_ignored(live_server) -> None:
    host, port = live_server.base.removeprefix("http://").split(":")
    request = (
        "GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n"
        "Accept: application/sparql-results+json\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(request.encode())
        reply = b""
        while b"\r\n\r\n" not in reply:
            reply += sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 200")


def test_service_description(live_server) -> None:
    for accept, fmt in (
        (None, "turtle"),
        ("text/turtle", "turtle"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ):
        headers = {"Accept": accept} if accept else {}
        response = requests.get(live_server.sparql, headers=headers, timeout=30)
        assert response.status_code == 200
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's JSON-LD parser
            graph = Graph().parse(data=response.content, format=fmt)
        service = URIRef(live_server.sparql)
        assert (service, URIRef(SD + "endpoint"), service) in graph
        languages = set(graph.objects(service, URIRef(SD + "supportedLanguage")))
        assert URIRef(SD + "SPARQL11Query") in languages
        assert URIRef(SD + "SPARQL11Update") not in languages  # no token: writes off
        assert (service, URIRef(SD + "feature"), URIRef(SD + "UnionDefaultGraph")) in graph
        formats = set(graph.objects(service, URIRef(SD + "resultFormat")))
        assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV") in formats
        assert URIRef("http://www.w3.org/ns/formats/JSON-LD") in formats
        assert graph.value(service, URIRef(SD + "defaultDataset")) is not None


def test_browser_gets_the_query_page(live_server) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = requests.get(live_server.sparql, headers={"Accept": browser}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<form" in response.text.lower() or "yasgui" in response.text.lower()


def test_head_and_options(live_server) -> None:
    head = requests.head(live_server.sparql, params={"query": "ASK {}"}, timeout=30)
    assert head.status_code == 200
    assert head.headers["Content-Type"].startswith("application/sparql-results+json")
    assert head.content == b""
    options = requests.options(live_server.sparql, timeout=30)
    assert options.status_code == 200
    assert {"GET", "POST", "HEAD", "OPTIONS"} <= {
        m.strip() for m in options.headers["Allow"].split(",")
    }


def test_cors(live_server) -> None:
    preflight = requests.options(
        live_server.sparql,
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
        timeout=30,
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    simple = requests.get(
        live_server.sparql,
        params={"query": "ASK {}"},
        headers={"Origin": "https://example.org"},
        timeout=30,
    )
    assert simple.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {
        h.strip().lower() for h in simple.headers["Access-Control-Expose-Headers"].split(",")
    }
    assert {"content-type", "location", "link", "etag", "www-authenticate"} <= exposed
    assert "Access-Control-Allow-Origin" not in get(live_server, "ASK {}").headers


@pytest.mark.parametrize("origin", [None, "https://example.org"])  # the fast path, and Flask
def test_relative_iris_resolve_against_the_request_url(live_server, origin) -> None:
    response = requests.get(
        live_server.sparql,
        params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
        headers={"Accept": "application/n-triples", **({"Origin": origin} if origin else {})},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    triples = [q.triple for q in ox.parse(response.content, ox.RdfFormat.N_TRIPLES)]
    base = live_server.base + "/"
    assert triples == [ox.Triple(ox.NamedNode(base + "s"), ox.NamedNode(base + "p"), ox.Literal(1))]


def test_host_header_is_checked_before_it_names_the_service(live_server) -> None:
    accept = {"Accept": "application/n-triples"}
    bad = requests.get(live_server.sparql, headers={**accept, "Host": 'x"> <y'}, timeout=30)
    assert bad.status_code == 400
    assert "Host" in bad.text
    good = requests.get(
        live_server.sparql, headers={**accept, "Host": "example.org:8080"}, timeout=30
    )
    assert good.status_code == 200
    assert "<http://example.org:8080/sparql>" in good.text


def test_bad_percent_encoding_in_a_page_address_is_not_a_500(live_server) -> None:
    response = requests.get(live_server.base + "/entity/%ff%fe", timeout=30)
    assert response.status_code in (400, 404)


def test_gzip_when_asked_and_large_results_stream(live_server) -> None:
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    nt = "application/n-triples"
    plain = requests.get(
        live_server.sparql,
        params={"query": query},
        headers={"Accept": nt, "Accept-Encoding": "identity"},
        timeout=60,
        stream=True,
    )
    raw = plain.raw.read()
    assert "Content-Encoding" not in plain.headers
    assert plain.headers.get("Transfer-Encoding") == "chunked"  # streamed, not buffered
    zipped = requests.get(
        live_server.sparql,
        params={"query": query},
        headers={"Accept": nt, "Accept-Encoding": "gzip"},
        timeout=60,
        stream=True,
    )
    assert zipped.headers["Content-Encoding"] == "gzip"
    body = gzip.decompress(zipped.raw.read())
    assert sorted(body.splitlines()) == sorted(raw.splitlines())
    store = ox.Store.read_only(live_server.config.data_dir)
    assert len(raw.splitlines()) == len(list(store.query(query, use_default_graph_as_union=True)))
    small = requests.get(
        live_server.sparql,
        params={"query": "ASK {}"},
        headers={"Accept-Encoding": "gzip"},
        timeout=30,
    )
    assert "Content-Encoding" not in small.headers  # not worth it below a packet


@pytest.mark.remote
def test_serve_over_a_remote_store(start_oxigraph, tmp_path) -> None:
    from conftest import run_kg_server

    graph = "https://example.org/g"
    turtle = '<https://example.org/a> <https://example.org/p> "x"@en, 3 .\n'
    with start_oxigraph() as oxigraph:
        put = requests.put(
            oxigraph.base + "/store",
            params={"graph": graph},
            data=turtle.encode(),
            headers={"Content-Type": "text/turtle"},
            timeout=30,
        )
        assert put.status_code in (201, 204)
        with run_kg_server(tmp_path / "unused", store_url=oxigraph.query_url, token="t") as server:
            rows = get(
                server, "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o", "text/tab-separated-values"
            )
            assert rows.status_code == 200, rows.text
            parsed = solutions(rows, ox.QueryResultsFormat.TSV)
            assert sorted(str(r["o"]) for r in parsed) == sorted(
                ['"x"@en', '"3"^^<http://www.w3.org/2001/XMLSchema#integer>']
            )
            construct = get(server, "CONSTRUCT WHERE { ?s ?p ?o }", "application/ld+json")
            assert construct.headers["Content-Type"].startswith("application/ld+json")
            got = ox.parse(construct.content, ox.RdfFormat.JSON_LD)
            assert {str(q.object) for q in got} == {str(r["o"]) for r in parsed}
            update = requests.post(
                server.sparql,
                data={"update": f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:b> <urn:p> <urn:c> }} }}"},
                headers={"Authorization": "Bearer t"},
                timeout=30,
            )
            assert update.status_code == 204, update.text
            fetched = requests.get(
                server.store,
                params={"graph": graph},
                headers={"Accept": "application/n-triples"},
                timeout=30,
            )
            assert len(fetched.text.strip().splitlines()) == 3


def test_union_default_graph_off(seed_config) -> None:
    from kg.web import create_app

    app = create_app(seed_config.with_(union_default_graph=False))
    try:
        client = app.test_client()
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        response = client.get("/sparql", query_string={"query": count})
        rows = ox.parse_query_results(response.data, ox.QueryResultsFormat.JSON)
        assert next(iter(rows))["n"].value == "0"  # nothing is stored in the default graph
        named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        rows = ox.parse_query_results(
            client.get("/sparql", query_string={"query": named}).data, ox.QueryResultsFormat.JSON
        )
        assert int(next(iter(rows))["n"].value) > 0
        description = Graph().parse(data=client.get("/sparql").data, format="turtle")
        assert not list(description.triples((None, URIRef(SD + "feature"), None)))
    finally:
        app.extensions["kg"].executor.close()
