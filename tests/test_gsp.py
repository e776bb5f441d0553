"""SPARQL 1.1 Graph Store HTTP Protocol at /store, against a real server with a token."""

from __future__ import annotations

import pyoxigraph as ox
import requests
from rdflib import Graph
from rdflib.compare import isomorphic

G = "urn:geoclaims:test:gsp"
TURTLE = """@prefix ex: <http://example.org/> .
ex:a ex:p "un"@fr, 2 ; ex:q ex:b .
ex:b ex:p "deux" .
"""
MORE = '<http://example.org/c> <http://example.org/p> "trois" .\n'


def auth(server) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.config.token}"}


def put(server, graph: str, body: str, ctype: str = "text/turtle") -> requests.Response:
    return requests.put(
        server.store,
        params={"graph": graph},
        data=body.encode(),
        headers={**auth(server), "Content-Type": ctype},
        timeout=30,
    )


def fetch(server, graph: str | None, accept: str = "text/turtle") -> requests.Response:
    params = {"graph": graph} if graph else {"default": ""}
    return requests.get(server.store, params=params, headers={"Accept": accept}, timeout=30)


def test_put_get_post_delete_cycle(write_server) -> None:
    requests.delete(write_server.store, params={"graph": G}, headers=auth(write_server), timeout=30)
    created = put(write_server, G, TURTLE)
    assert created.status_code == 201, created.text
    replaced = put(write_server, G, TURTLE)
    assert replaced.status_code == 204
    got = fetch(write_server, G)
    assert got.status_code == 200
    assert got.headers["Content-Type"].startswith("text/turtle")
    assert isomorphic(
        Graph().parse(data=got.text, format="turtle"), Graph().parse(data=TURTLE, format="turtle")
    )
    added = requests.post(
        write_server.store,
        params={"graph": G},
        data=MORE.encode(),
        headers={**auth(write_server), "Content-Type": "application/n-triples"},
        timeout=30,
    )
    assert added.status_code == 204
    expected = Graph().parse(data=TURTLE, format="turtle").parse(data=MORE, format="nt")
    as_nt = fetch(write_server, G, "application/n-triples")
    assert as_nt.headers["Content-Type"].startswith("application/n-triples")
    assert isomorphic(Graph().parse(data=as_nt.text, format="nt"), expected)
    head = requests.head(write_server.store, params={"graph": G}, timeout=30)
    assert head.status_code == 200 and head.content == b""
    deleted = requests.delete(
        write_server.store, params={"graph": G}, headers=auth(write_server), timeout=30
    )
    assert deleted.status_code == 204
    assert fetch(write_server, G).status_code == 404
    assert requests.head(write_server.store, params={"graph": G}, timeout=30).status_code == 404
    again = requests.delete(
        write_server.store, params={"graph": G}, headers=auth(write_server), timeout=30
    )
    assert again.status_code == 404


def test_post_creates_a_graph(write_server) -> None:
    graph = G + ":posted"
    first = requests.post(
        write_server.store,
        params={"graph": graph},
        data=MORE.encode(),
        headers={**auth(write_server), "Content-Type": "application/n-triples"},
        timeout=30,
    )
    assert first.status_code == 201
    minted = requests.post(
        write_server.store,
        data=MORE.encode(),
        headers={**auth(write_server), "Content-Type": "application/n-triples"},
        timeout=30,
    )
    assert minted.status_code == 201
    assert "Content-Type" not in minted.headers
    location = minted.headers["Location"]
    assert location.startswith(write_server.store + "/")  # a URL on this server
    expected = Graph().parse(data=MORE, format="nt")
    by_iri = fetch(write_server, location)
    assert isomorphic(Graph().parse(data=by_iri.text, format="turtle"), expected)
    by_url = requests.get(location, headers={"Accept": "text/turtle"}, timeout=30)
    assert by_url.status_code == 200
    assert isomorphic(Graph().parse(data=by_url.text, format="turtle"), expected)


def test_direct_graph_identification(write_server) -> None:
    url = write_server.store + "/direct/one"
    writing = {**auth(write_server), "Content-Type": "text/turtle"}
    created = requests.put(url, data=TURTLE.encode(), headers=writing, timeout=30)
    assert created.status_code == 201
    assert "Content-Type" not in created.headers
    replaced = requests.put(url, data=TURTLE.encode(), headers=writing, timeout=30)
    assert replaced.status_code == 204 and "Content-Type" not in replaced.headers
    added = requests.post(url, data=MORE.encode(), headers=writing, timeout=30)
    assert added.status_code == 204
    expected = Graph().parse(data=TURTLE + MORE, format="turtle")
    direct = requests.get(url, headers={"Accept": "text/turtle"}, timeout=30)
    assert direct.status_code == 200
    assert isomorphic(Graph().parse(data=direct.text, format="turtle"), expected)
    # The same graph, named indirectly: its IRI is its URL.
    assert isomorphic(Graph().parse(data=fetch(write_server, url).text, format="turtle"), expected)
    assert requests.delete(url, headers=auth(write_server), timeout=30).status_code == 204
    assert requests.get(url, timeout=30).status_code == 404
    # The linked-data pages are elsewhere: /store/... never shadows them, nor they it.
    assert requests.get(write_server.base + "/store/no-such-graph", timeout=30).status_code == 404


def test_multipart_post_adds_every_part(write_server) -> None:
    graph = G + ":multipart"
    requests.delete(
        write_server.store, params={"graph": graph}, headers=auth(write_server), timeout=30
    )
    files = [
        ("first", ("a.ttl", TURTLE.encode(), "text/turtle")),
        ("second", ("b.nt", MORE.encode(), "application/n-triples")),
    ]
    response = requests.post(
        write_server.store,
        params={"graph": graph},
        files=files,
        headers=auth(write_server),
        timeout=30,
    )
    assert response.status_code == 201, response.text
    expected = Graph().parse(data=TURTLE + MORE, format="turtle")
    got = fetch(write_server, graph, "application/n-triples")
    assert isomorphic(Graph().parse(data=got.text, format="nt"), expected)
    bad = [("x", ("c.ttl", b"<a> <b> .\n", "text/turtle"))]
    refused = requests.post(
        write_server.store,
        params={"graph": graph},
        files=bad,
        headers=auth(write_server),
        timeout=30,
    )
    assert refused.status_code == 400 and "c.ttl" in refused.text
    got = fetch(write_server, graph, "application/n-triples")
    assert isomorphic(Graph().parse(data=got.text, format="nt"), expected)


def test_default_graph(write_server) -> None:
    assert put(write_server, "", "").status_code in (400,)  # ?graph= must be an IRI
    response = requests.put(
        write_server.store + "?default",
        data=MORE.encode(),
        headers={**auth(write_server), "Content-Type": "application/n-triples"},
        timeout=30,
    )
    assert response.status_code == 204  # the default graph always exists
    got = fetch(write_server, None, "application/n-triples")
    assert isomorphic(
        Graph().parse(data=got.text, format="nt"), Graph().parse(data=MORE, format="nt")
    )
    cleared = requests.delete(
        write_server.store + "?default", headers=auth(write_server), timeout=30
    )
    assert cleared.status_code == 204
    assert fetch(write_server, None, "application/n-triples").text.strip() == ""


def test_bad_body_is_rejected_whole(write_server) -> None:
    graph = G + ":bad"
    assert put(write_server, graph, TURTLE).status_code in (201, 204)
    bad = TURTLE + 'ex:c ex:p ex:d .\nex:e ex:p "unterminated .\n'
    response = put(write_server, graph, bad)
    assert response.status_code == 400
    assert "request body" in response.text
    assert "line 5" in response.text  # the parser's position of the broken line
    got = fetch(write_server, graph, "application/n-triples")
    assert isomorphic(
        Graph().parse(data=got.text, format="nt"), Graph().parse(data=TURTLE, format="turtle")
    )  # nothing half-loaded
    quads = put(write_server, graph, "<urn:a> <urn:b> <urn:c> <urn:g> .\n", "application/n-quads")
    assert quads.status_code == 400


def test_gsp_statuses(write_server) -> None:
    assert fetch(write_server, "urn:geoclaims:test:never").status_code == 404
    unsupported = put(write_server, G + ":x", TURTLE, "text/html")
    assert unsupported.status_code == 415
    no_auth = requests.put(
        write_server.store,
        params={"graph": G},
        data=TURTLE.encode(),
        headers={"Content-Type": "text/turtle"},
        timeout=30,
    )
    assert no_auth.status_code == 401
    both = requests.get(write_server.store + f"?default&graph={G}", timeout=30)
    assert both.status_code == 400
    neither = requests.put(
        write_server.store,
        data=TURTLE.encode(),
        timeout=30,
        headers={**auth(write_server), "Content-Type": "text/turtle"},
    )
    assert neither.status_code == 400
    relative = requests.get(write_server.store, params={"graph": "not an iri"}, timeout=30)
    assert relative.status_code == 400
    patch = requests.patch(write_server.store, params={"graph": G}, timeout=30)
    assert patch.status_code == 405


def test_reads_are_public_writes_off_without_token(live_server) -> None:
    entities = live_server.config.base_iri + "graph/entities"
    got = fetch(live_server, entities, "application/n-triples")
    assert got.status_code == 200
    store = ox.Store.read_only(live_server.config.data_dir)
    n = len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(entities))))
    assert len(got.text.strip().splitlines()) == n > 0
    refused = requests.put(
        live_server.store,
        params={"graph": G},
        data=TURTLE.encode(),
        headers={"Content-Type": "text/turtle"},
        timeout=30,
    )
    assert refused.status_code == 403


def test_whole_dataset(live_server) -> None:
    store = ox.Store.read_only(live_server.config.data_dir)
    expected = {str(q) for q in store}
    for accept, fmt in (
        ("application/n-quads", ox.RdfFormat.N_QUADS),
        (None, ox.RdfFormat.TRIG),
        ("application/trig", ox.RdfFormat.TRIG),
    ):
        headers = {"Accept": accept} if accept else {}
        response = requests.get(live_server.store, headers=headers, timeout=60)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(fmt.media_type)
        assert {str(q) for q in ox.parse(response.content, fmt)} == expected
    assert (
        requests.get(live_server.store, headers={"Accept": "text/turtle"}, timeout=30).status_code
        == 406
    )


def test_empty_put_creates_an_empty_graph(write_server) -> None:
    graph = G + ":empty"
    requests.delete(
        write_server.store, params={"graph": graph}, headers=auth(write_server), timeout=30
    )
    assert put(write_server, graph, "").status_code == 201
    got = fetch(write_server, graph, "application/n-triples")
    assert got.status_code == 200
    assert got.text.strip() == ""
    assert put(write_server, graph, "").status_code == 204
