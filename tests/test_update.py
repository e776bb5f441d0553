"""SPARQL 1.1 Update over the protocol, and the token rules, against real servers."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests

G = "urn:geoclaims:test:update"
INSERT = f'INSERT DATA {{ GRAPH <{G}> {{ <urn:x:a> <urn:x:p> "one", "two"@en }} }}'


def auth(server, token: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token or server.config.token}"}


def count(server, graph: str) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = requests.get(
        server.sparql,
        params={"query": query.replace("?g", f"<{graph}>", 1)},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    results = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
    return int(next(iter(results))["n"].value)


def test_update_by_form_and_by_body(write_server) -> None:
    requests.post(
        write_server.sparql,
        data={"update": f"DROP SILENT GRAPH <{G}>"},
        headers=auth(write_server),
        timeout=30,
    )
    form = requests.post(
        write_server.sparql, data={"update": INSERT}, headers=auth(write_server), timeout=30
    )
    assert form.status_code == 204, form.text
    assert count(write_server, G) == 2  # the executor reopened its read-only view
    body = requests.post(
        write_server.base + "/update",
        data=f'DELETE DATA {{ GRAPH <{G}> {{ <urn:x:a> <urn:x:p> "one" }} }}'.encode(),
        headers={**auth(write_server), "Content-Type": "application/sparql-update"},
        timeout=30,
    )
    assert body.status_code == 204, body.text
    assert count(write_server, G) == 1


def test_token_rules(write_server) -> None:
    missing = requests.post(write_server.sparql, data={"update": INSERT}, timeout=30)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = requests.post(
        write_server.sparql, data={"update": INSERT}, headers=auth(write_server, "nope"), timeout=30
    )
    assert wrong.status_code == 403
    not_bearer = requests.post(
        write_server.sparql,
        data={"update": INSERT},
        headers={"Authorization": "Basic dXNlcjpwYXNz"},
        timeout=30,
    )
    assert not_bearer.status_code == 401
    # Reads stay public.
    assert requests.get(write_server.sparql, params={"query": "ASK {}"}, timeout=30).ok


def test_writes_are_off_without_a_token(live_server) -> None:
    before = count(live_server, G)
    response = requests.post(
        live_server.sparql, data={"update": INSERT}, headers=auth(live_server, "x"), timeout=30
    )
    assert response.status_code == 403
    assert "writes are switched off" in response.text
    assert count(live_server, G) == before


@pytest.mark.parametrize(
    ("update", "fragment"),
    [("INSERT DATA { <urn:x:a> <urn:x:p> }", "error at 1:"), ("CLEAR NONSENSE", "error at 1:")],
)
def test_malformed_update_is_400_and_changes_nothing(write_server, update, fragment) -> None:
    before = count(write_server, G)
    response = requests.post(
        write_server.sparql, data={"update": update}, headers=auth(write_server), timeout=30
    )
    assert response.status_code == 400
    assert fragment in response.text
    assert count(write_server, G) == before


def update(server, text: str, **params: str) -> requests.Response:
    return requests.post(
        server.sparql, data={"update": text, **params}, headers=auth(server), timeout=30
    )


def subjects(server, graph: str) -> set[str]:
    query = f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    response = requests.get(
        server.sparql,
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return {b["s"]["value"] for b in response.json()["results"]["bindings"]}


def test_using_graph_parameters_set_the_dataset_of_where(write_server) -> None:
    g1, g2, out = "urn:x:using:1", "urn:x:using:2", "urn:x:using:out"
    setup = (
        f"DROP SILENT GRAPH <{out}> ; INSERT DATA {{ GRAPH <{g1}> {{ <urn:x:a> <urn:x:p> 1 }} "
        f"GRAPH <{g2}> {{ <urn:x:b> <urn:x:p> 2 }} }}"
    )
    assert update(write_server, setup).status_code == 204
    copy = f"INSERT {{ GRAPH <{out}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    done = update(write_server, copy, **{"using-graph-uri": g1})
    assert done.status_code == 204, done.text
    assert subjects(write_server, out) == {"urn:x:a"}  # g1 alone was the default graph
    named = f"INSERT {{ GRAPH <{out}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    done = update(write_server, named, **{"using-named-graph-uri": g2})
    assert done.status_code == 204, done.text
    assert subjects(write_server, out) == {"urn:x:a", "urn:x:b"}


@pytest.mark.parametrize(
    "text",
    [
        "INSERT { <urn:x:c> <urn:x:p> ?o } USING <urn:x:using:2> WHERE { ?s ?p ?o }",
        "WITH <urn:x:using:2> INSERT { <urn:x:c> <urn:x:p> ?o } WHERE { ?s ?p ?o }",
        "DELETE WHERE { <urn:x:c> ?p ?o }",
    ],
)
def test_using_graph_parameters_conflicting_with_the_update_are_a_400(write_server, text) -> None:
    before = subjects(write_server, "urn:x:using:2")
    response = update(write_server, text, **{"using-graph-uri": "urn:x:using:1"})
    assert response.status_code == 400
    assert "using-graph-uri" in response.text
    assert subjects(write_server, "urn:x:using:2") == before


def test_relative_iris_in_an_update_resolve_against_the_request_url(write_server) -> None:
    graph = "urn:x:base"
    response = requests.post(
        write_server.base + "/update",
        data=f"DROP SILENT GRAPH <{graph}> ; "
        f"INSERT DATA {{ GRAPH <{graph}> {{ <rel> <urn:x:p> 1 }} }}".encode(),
        headers={**auth(write_server), "Content-Type": "application/sparql-update"},
        timeout=30,
    )
    assert response.status_code == 204, response.text
    assert "Content-Type" not in response.headers
    assert subjects(write_server, graph) == {write_server.base + "/rel"}


def test_an_update_calling_a_service_is_refused(write_server) -> None:
    text = (
        "INSERT { <urn:x:s> <urn:x:p> ?o } WHERE { SERVICE <http://8.8.8.8/sparql> { ?s ?p ?o } }"
    )
    response = update(write_server, text)
    assert response.status_code == 400
    assert "service_allowlist" in response.text


def test_service_description_lists_update_when_writes_are_on(write_server) -> None:
    response = requests.get(
        write_server.sparql, headers={"Accept": "application/n-triples"}, timeout=30
    )
    assert "<http://www.w3.org/ns/sparql-service-description#SPARQL11Update>" in response.text


def test_concurrent_writes_are_serialized_and_all_land(write_server) -> None:
    from concurrent.futures import ThreadPoolExecutor

    graph = G + ":concurrent"

    def insert(n: int) -> int:
        update = f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:s{n}> <urn:x:p> {n} }} }}"
        return requests.post(
            write_server.sparql, data={"update": update}, headers=auth(write_server), timeout=60
        ).status_code

    def read(_: int) -> int:
        return requests.get(write_server.sparql, params={"query": "ASK {}"}, timeout=60).status_code

    with ThreadPoolExecutor(8) as pool:
        writes = pool.map(insert, range(12))
        reads = pool.map(read, range(12))
        assert list(writes) == [204] * 12  # two worker processes, one writer at a time
        assert list(reads) == [200] * 12
    assert count(write_server, graph) == 12
