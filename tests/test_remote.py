"""The remote store against a real `oxigraph serve`: same answers as the embedded store."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from conftest import run_kg_server, run_oxigraph
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic

from kg.bindings import bind_values
from kg.build import build
from kg.config import Config
from kg.errors import NotFound, QueryError, QueryTimeout, StoreError
from kg.queries import catalogue
from kg.queries import run as run_named
from kg.remote import RemoteStore
from kg.responses import RemoteTriples
from kg.store import EmbeddedStore, Store, open_store

pytestmark = pytest.mark.remote

EX = "http://example.org/"
G1, G2, G3 = EX + "g1", EX + "g2", EX + "g3"

DATA = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:g1 {
  ex:belarus a ex:State ; ex:label "Belarus"@en, "Беларусь"@be ; ex:borders ex:russia, ex:poland .
  ex:russia a ex:State ; ex:label "Russia"@en ; ex:population 146000000 .
  ex:poland a ex:State ; ex:label "Poland"@en .
}
ex:g2 {
  ex:claim1 a ex:Claim ; ex:about ex:belarus ; ex:text "It is “said” – • to be } # not a comment" ;
    ex:date "2020-08-16"^^xsd:date ; ex:evidence [ ex:begin 10 ; ex:end 42 ] .
  ex:claim2 a ex:Claim ; ex:about ex:russia ; ex:confidence 0.5 .
}
ex:g3 { ex:lonely ex:label "alone" . }
"""
DEFAULT_GRAPH_UPDATE = "INSERT DATA { <http://example.org/d> <http://example.org/p> 'in default' }"


def _quads() -> list[ox.Quad]:
    return list(ox.parse(DATA, ox.RdfFormat.TRIG))


def _load(store: Store) -> None:
    store.replace_graphs([], _quads())
    store.update(DEFAULT_GRAPH_UPDATE)


@pytest.fixture()
def remote(oxigraph_server: Any) -> Iterator[RemoteStore]:
    """The remote store, emptied, then loaded with DATA."""
    store = RemoteStore(oxigraph_server.query_url, timeout=30)
    store.update("DROP ALL")
    _load(store)
    yield store
    store.close()


@pytest.fixture()
def embedded() -> EmbeddedStore:
    """An in-memory embedded store holding DATA."""
    store = EmbeddedStore(None)
    _load(store)
    return store


def _term(term: Any) -> str:
    return "_:b" if isinstance(term, ox.BlankNode) else str(term)


def _rows(result: Any) -> tuple[list[str], list[tuple[tuple[str, str], ...]]]:
    names = [v.value for v in result.variables]
    rows = [
        tuple((v.value, _term(row[v])) for v in result.variables if row[v] is not None)
        for row in result
    ]
    return names, sorted(rows)


def _graph(result: Any) -> Graph:
    return Graph().parse(data=result.serialize(format=ox.RdfFormat.N_TRIPLES), format="nt")


def assert_same(left: Any, right: Any) -> None:
    """Two query results are equal: rows as multisets, booleans, graphs by isomorphism."""
    assert isinstance(left, ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | RemoteTriples)
    if isinstance(left, ox.QueryBoolean):
        assert isinstance(right, ox.QueryBoolean)
        assert bool(left) == bool(right)
    elif isinstance(left, ox.QuerySolutions):
        assert isinstance(right, ox.QuerySolutions)
        assert _rows(left) == _rows(right)
    else:
        g1, g2 = _graph(left), _graph(right)
        _, only_left, only_right = graph_diff(g1, g2)
        assert isomorphic(g1, g2), (sorted(only_left), sorted(only_right))


PX = "PREFIX ex: <http://example.org/> "
QUERIES = [
    "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    PX + "SELECT ?s ?l WHERE { ?s ex:label ?l FILTER(lang(?l) = 'en') }",
    PX + "SELECT ?c ?conf WHERE { ?c a ex:Claim OPTIONAL { ?c ex:confidence ?conf } }",
    PX + "SELECT ?t WHERE { ?c ex:text ?t FILTER(CONTAINS(?t, '“said”')) }",
    PX + "SELECT ?e WHERE { ?c ex:evidence ?e }",
    "ASK { <http://example.org/belarus> ?p ?o }",
    "ASK { <http://example.org/nowhere> ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "CONSTRUCT WHERE { ?s <http://example.org/label> ?o }",
    "DESCRIBE <http://example.org/claim1>",
]


@pytest.mark.parametrize("union", [True, False])
@pytest.mark.parametrize("sparql", QUERIES)
def test_same_results_as_embedded(
    remote: RemoteStore, embedded: EmbeddedStore, sparql: str, union: bool
) -> None:
    assert_same(remote.query(sparql, union=union), embedded.query(sparql, union=union))


def test_union_default_graph_differs(remote: RemoteStore) -> None:
    # Not a tautology of the comparison above: the two settings really read different graphs.
    union = _rows(remote.query("SELECT * WHERE { ?s ?p ?o }", union=True))[1]
    alone = _rows(remote.query("SELECT * WHERE { ?s ?p ?o }", union=False))[1]
    assert len(alone) == 1 and len(union) > 20


@pytest.mark.parametrize(
    "dataset",
    [
        {"default_graph": [G1]},
        {"default_graph": [G1, G3]},
        {"named_graphs": [G2]},
        {"default_graph": [G3], "named_graphs": [G1, G2]},
        {"default_graph": [], "named_graphs": [G2]},
        {"default_graph": [G2], "named_graphs": []},
        {"default_graph": [], "named_graphs": []},
        {"default_graph": []},
        {"named_graphs": []},
    ],
)
@pytest.mark.parametrize(
    "sparql",
    [
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
        "SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT ?s ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
    ],
)
@pytest.mark.parametrize("union", [True, False])
def test_dataset_parameters(
    remote: RemoteStore,
    embedded: EmbeddedStore,
    sparql: str,
    dataset: dict[str, Any],
    union: bool,
) -> None:
    # As in geoclaims' data model, nothing in the default graph: the protocol cannot name it.
    remote.update("DROP DEFAULT")
    embedded.update("DROP DEFAULT")
    expected = embedded.query(sparql, union=union, **dataset)
    assert_same(remote.query(sparql, union=union, **dataset), expected)


BELARUS = ox.NamedNode(EX + "belarus")
SUBSTITUTED = [
    ("SELECT ?s ?o WHERE { ?s <http://example.org/label> ?o }", {"s": BELARUS}),
    ("SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s", {"s": BELARUS}),
    # A brace, a '#' and quotes in comments, strings and IRIs must not fool the binding.
    (
        "PREFIX ex: <http://example.org/#x>  # { not a group\n"
        "SELECT ?c ?t ?x WHERE { ?c <http://example.org/text> ?t "
        "FILTER(?t != '}' && ?t != \"{\") BIND(?c AS ?x) }",
        {"c": ox.NamedNode(EX + "claim1")},
    ),
    (
        "SELECT ?s ?l WHERE { ?s <http://example.org/label> ?l } ORDER BY ?l",
        {"l": ox.Literal("Беларусь", language="be")},
    ),
    (
        "SELECT ?s ?n WHERE { ?s <http://example.org/population> ?n }",
        {
            "n": ox.Literal(
                "146000000", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
            )
        },
    ),
    (
        "SELECT ?t WHERE { ?c <http://example.org/text> ?t }",
        {"t": ox.Literal('x" } } ; DROP ALL # \n\\')},
    ),
    # Bound before the FILTER runs (a trailing VALUES clause would join too late).
    ("SELECT ?s ?o WHERE { ?x ?p ?o FILTER(?x = ?s) }", {"s": BELARUS}),
    ("SELECT ?s ?o { ?s <http://example.org/label> ?o }", {"s": BELARUS}),
    ("ASK { ?s <http://example.org/label> 'Russia'@en }", {"s": BELARUS}),
    (
        'SELECT ?s ?t { ?s <http://example.org/text> ?t FILTER(?t != """ } { \' # """) }'
        " # } trailing comment {",
        {"s": ox.NamedNode(EX + "claim1")},
    ),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": BELARUS}),
    ("CONSTRUCT WHERE { ?s <http://example.org/label> ?o }", {"s": BELARUS}),
    ("DESCRIBE ?s", {"s": BELARUS}),
    ("DESCRIBE ?s WHERE { ?s ?p ?o }", {"s": BELARUS}),
    ("SELECT ?s ?o WHERE { { SELECT ?s ?o WHERE { ?s ?p ?o } } }", {"s": BELARUS}),
]


@pytest.mark.parametrize(("sparql", "substitutions"), SUBSTITUTED)
def test_substitutions(
    remote: RemoteStore, embedded: EmbeddedStore, sparql: str, substitutions: dict[str, Any]
) -> None:
    expected = embedded.query(sparql, substitutions=substitutions)
    assert_same(remote.query(sparql, substitutions=substitutions), expected)
    # The data is still all there (the hostile literal ran as data, not as an update).
    assert len(_rows(remote.query(QUERIES[0]))[1]) == len(_quads())


def test_substitution_values_are_never_text() -> None:
    with pytest.raises(QueryError):
        bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": "<http://example.org/x>"})
    with pytest.raises(QueryError):
        bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"s) } DROP ALL": BELARUS})


def test_update_then_query(remote: RemoteStore, embedded: EmbeddedStore) -> None:
    before = remote.version
    update = PX + "INSERT DATA { GRAPH ex:g4 { ex:x ex:p 1 } }"
    remote.update(update)
    embedded.update(update)
    assert remote.version != before
    sparql = "SELECT ?g ?s ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert_same(remote.query(sparql), embedded.query(sparql))
    assert remote.named_graphs() == embedded.named_graphs() == sorted([G1, G2, G3, EX + "g4"])


def test_version_bounds_how_long_other_clients_writes_go_unseen(
    oxigraph_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1_000_000.0]
    monkeypatch.setattr("kg.remote.time.time", lambda: clock[0])
    store = RemoteStore(oxigraph_server.query_url, stale_seconds=2.0)
    before = store.version
    clock[0] += 1.0
    assert store.version == before  # the same period, no write through this object
    other = RemoteStore(oxigraph_server.query_url)
    other.update(PX + "INSERT DATA { GRAPH ex:g1 { ex:x ex:p 2 } }")
    other.close()
    clock[0] += 1.0  # the period (and so the bound) ends: the token changes
    after = store.version
    assert after != before
    store.update(PX + "DELETE DATA { GRAPH ex:g1 { ex:x ex:p 2 } }")
    assert store.version != after  # own writes: at once, within the period
    clock[0] += 2.0  # the next period: the same token as any other front's
    twin = RemoteStore(oxigraph_server.query_url, stale_seconds=2.0)
    assert store.version == twin.version
    twin.close()
    never = RemoteStore(oxigraph_server.query_url, stale_seconds=0)
    assert never.version != never.version  # 0: every read gets a token of its own
    store.close()
    never.close()


@pytest.mark.parametrize("gsp", [True, False])
def test_replace_graphs(
    remote: RemoteStore, embedded: EmbeddedStore, oxigraph_server: Any, gsp: bool
) -> None:
    store = remote if gsp else RemoteStore(oxigraph_server.query_url, gsp_url="")
    new = list(
        ox.parse(
            '<http://example.org/a> <http://example.org/p> "new" <http://example.org/g2> .\n'
            '_:b <http://example.org/p> "blank" <http://example.org/g5> .\n',
            ox.RdfFormat.N_QUADS,
        )
    )
    drop = [G1, G2, EX + "never-there"]
    store.replace_graphs(drop, new)
    embedded.replace_graphs(drop, new)
    assert store.named_graphs() == embedded.named_graphs() == [G2, G3, EX + "g5"]
    sparql = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert_same(store.query(sparql), embedded.query(sparql))
    with pytest.raises(StoreError):
        store.replace_graphs([], [ox.Quad(BELARUS, BELARUS, BELARUS)])
    if not gsp:
        store.close()


def test_dump(remote: RemoteStore, embedded: EmbeddedStore) -> None:
    dumps = []
    for store in (remote, embedded):
        out = io.BytesIO()
        store.dump(out, ox.RdfFormat.N_QUADS)
        by_graph: dict[str, Graph] = {}
        for quad in ox.parse(out.getvalue(), ox.RdfFormat.N_QUADS):
            line = f"{quad.subject} {quad.predicate} {quad.object} .\n"
            by_graph.setdefault(str(quad.graph_name), Graph()).parse(data=line, format="nt")
        dumps.append(by_graph)
    assert dumps[0].keys() == dumps[1].keys()
    for name in dumps[0]:
        assert isomorphic(dumps[0][name], dumps[1][name]), name


def test_malformed_query_carries_remote_message(remote: RemoteStore, oxigraph_server: Any) -> None:
    bad = "SELECT ?s WHERE { ?s ?p "
    with requests.post(oxigraph_server.query_url, data={"query": bad}, timeout=10) as direct:
        assert direct.status_code == 400
        message = direct.text.strip()
    with pytest.raises(QueryError) as caught:
        remote.query(bad)
    assert caught.value.message == message
    with pytest.raises(QueryError):
        remote.update("INSERT DATA { <http://example.org/x> }")


def test_server_down_is_store_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = RemoteStore(f"http://127.0.0.1:{port}/query", timeout=5)
    with pytest.raises(StoreError):
        store.query("ASK {}")
    with pytest.raises(StoreError):
        store.named_graphs()
    store.close()


def test_open_store_gives_remote(oxigraph_server: Any) -> None:
    config = Config.load({"store_url": oxigraph_server.query_url}, environ={})
    store = open_store(config)
    assert isinstance(store, RemoteStore)
    assert store.update_url == oxigraph_server.base + "/update"
    assert store.gsp_url == oxigraph_server.base + "/store"
    store.close()
    fuseki = RemoteStore("http://h/ds/query", "http://h/ds/update", "http://h/ds/data")
    assert (fuseki.update_url, fuseki.gsp_url) == ("http://h/ds/update", "http://h/ds/data")
    virtuoso = RemoteStore("http://h/sparql")
    assert (virtuoso.update_url, virtuoso.gsp_url) == ("http://h/sparql", "")


# Seven-fold cross product of ~30 triples: hours of work, and COUNT gives nothing until the end.
RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + " . ".join(f"?s{i} ?p{i} ?o{i}" for i in range(7)) + " }"
)


def test_timeout_is_query_timeout(start_oxigraph: Any) -> None:
    with start_oxigraph() as server:  # its own server: the runaway query dies with it
        store = RemoteStore(server.query_url, timeout=0.5)
        _load(store)
        with pytest.raises(QueryTimeout):
            store.query(RUNAWAY)
        # The store still answers other queries while that one burns on.
        assert bool(store.query("ASK { ?s ?p ?o }"))
        store.close()


# End to end: `kg build` into a real Oxigraph server, `kg serve` in front of it.

STARTED = ox.NamedNode("http://www.w3.org/ns/prov#startedAtTime")


def _graphs(store: Store) -> dict[str, Graph]:
    """The store's named graphs as rdflib graphs; a load's start time (the clock's) masked."""
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    lines: dict[str, list[str]] = {}
    for quad in ox.parse(out.getvalue(), ox.RdfFormat.N_QUADS):
        obj = ox.Literal("(time of the build)") if quad.predicate == STARTED else quad.object
        lines.setdefault(str(quad.graph_name), []).append(
            f"{quad.subject} {quad.predicate} {obj} ."
        )
    return {name: Graph().parse(data="\n".join(ls), format="nt") for name, ls in lines.items()}


def assert_same_dataset(left: Store, right: Store) -> None:
    """Same named graphs, each isomorphic."""
    ours, theirs = _graphs(left), _graphs(right)
    assert sorted(ours) == sorted(theirs)
    for name in ours:
        _, only_left, only_right = graph_diff(ours[name], theirs[name])
        assert isomorphic(ours[name], theirs[name]), (name, sorted(only_left), sorted(only_right))


@pytest.fixture(scope="module")
def built_remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Config]:
    """An Oxigraph server of this module's own, loaded by the `kg build` command."""
    with run_oxigraph(tmp_path_factory.mktemp("remote-build")) as server:
        config = Config.load({"store_url": server.query_url}, environ={})
        kg = str(Path(sys.executable).with_name("kg"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
        done = subprocess.run(
            [kg, "build", "--no-shacl", "--store-url", server.query_url],
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        yield config


@pytest.fixture()
def seed_store(seed_config: Config) -> Iterator[Store]:
    # Read-only: dropping the handle releases it (EmbeddedStore.close flushes, which needs writes).
    yield open_store(seed_config, read_only=True)


def test_kg_build_loads_the_remote_store(built_remote: Config, seed_store: Store) -> None:
    remote = open_store(built_remote)
    assert remote.named_graphs() == seed_store.named_graphs()
    assert len(remote.named_graphs()) > 10
    assert_same_dataset(remote, seed_store)
    before = _graphs(remote)
    # Building again replaces every graph by itself (same load times: nothing changes).
    build(built_remote, shapes=False)
    after = _graphs(remote)
    assert sorted(after) == sorted(before)
    assert all(isomorphic(after[g], before[g]) for g in after)
    remote.close()


def test_named_queries_agree_with_embedded(built_remote: Config, seed_store: Store) -> None:
    # Every named query with its default parameters: substitutions bound as VALUES remotely.
    remote = open_store(built_remote)
    named = catalogue(built_remote)
    assert len(named) > 5
    for query in named:
        if "SERVICE <" in query.text:
            continue  # federated: needs its remote endpoint (tests/test_federation.py)
        expected = run_named(seed_store, query, {}, built_remote)
        got = run_named(remote, query, {}, built_remote)
        if isinstance(expected, ox.QuerySolutions):
            # Load times differ between the two builds: compare rows without them.
            assert _masked_rows(got) == _masked_rows(expected), query.name
        else:
            assert_same(got, expected)
    remote.close()


def _masked_rows(result: Any) -> tuple[list[str], list[tuple[tuple[str, str], ...]]]:
    names, rows = _rows(result)
    dated = re.compile(r'^"\d{4}-\d\d-\d\dT[^"]*"\^\^<http://www.w3.org/2001/XMLSchema#dateTime>$')
    return names, sorted(tuple((k, "(time)" if dated.match(v) else v) for k, v in r) for r in rows)


SERVED = [
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
    "ASK { GRAPH ?g { ?s a <http://schema.org/Claim> } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s a <http://schema.org/Country> ; ?p ?o } }",
    "DESCRIBE <https://w3id.org/geoclaims/entity/belarus>",
]


def test_kg_serve_answers_from_the_remote_store(
    built_remote: Config, seed_store: Store, tmp_path: Path
) -> None:
    with run_kg_server(tmp_path / "unused", store_url=built_remote.store_url) as server:
        for sparql in SERVED:
            graph = sparql.startswith(("CONSTRUCT", "DESCRIBE"))
            accept = "application/n-triples" if graph else "application/sparql-results+json"
            with requests.get(
                server.sparql, params={"query": sparql}, headers={"Accept": accept}, timeout=30
            ) as response:
                assert response.status_code == 200, response.text
                body = response.content
            expected = seed_store.query(sparql)
            if graph:
                got = Graph().parse(data=body, format="nt")
                want = Graph().parse(
                    data=expected.serialize(format=ox.RdfFormat.N_TRIPLES), format="nt"
                )
                assert len(got) > 0 and isomorphic(got, want), sparql
            else:
                parsed = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
                if isinstance(parsed, ox.QueryBoolean):
                    assert bool(parsed) == bool(expected)
                else:
                    rows = _rows(parsed)
                    assert rows == _rows(expected) and rows[1], sparql
        # A query the remote store rejects comes back as a 400 carrying its message.
        with requests.get(server.sparql, params={"query": "SELECT ?x {"}, timeout=30) as bad:
            assert bad.status_code == 400
            assert "1:" in bad.text


@pytest.mark.parametrize("graph", [None, G2, EX + "g-new"])
def test_graph_store_operations(
    remote: RemoteStore, embedded: EmbeddedStore, graph: str | None
) -> None:
    # The Graph Store Protocol's operations on the remote store match the embedded store's.
    new = [ox.Triple(BELARUS, ox.NamedNode(EX + "p"), ox.Literal("“put” } #"))]
    more = [ox.Triple(BELARUS, ox.NamedNode(EX + "p"), ox.Literal("posted"))]

    def content(store: Store) -> Graph:
        lines = ox.serialize(list(store.graph_triples(graph)), None, ox.RdfFormat.N_TRIPLES)
        return Graph().parse(data=lines, format="nt")

    assert remote.graph_exists(graph) == embedded.graph_exists(graph)
    assert isomorphic(content(remote), content(embedded))
    assert remote.put_graph(graph, new) == embedded.put_graph(graph, new)
    assert isomorphic(content(remote), content(embedded)) and len(content(remote)) == 1
    assert remote.post_graph(graph, more) == embedded.post_graph(graph, more)
    assert isomorphic(content(remote), content(embedded)) and len(content(remote)) == 2
    remote.delete_graph(graph)
    embedded.delete_graph(graph)
    assert remote.graph_exists(graph) == embedded.graph_exists(graph)
    assert isomorphic(content(remote), content(embedded))
    assert remote.named_graphs() == embedded.named_graphs()
    if graph is not None:
        for store in (remote, embedded):
            with pytest.raises(NotFound):
                store.delete_graph(graph)


def test_graph_names_are_checked(remote: RemoteStore) -> None:
    with pytest.raises(QueryError):
        remote.graph_exists("http://example.org/x> } DROP ALL {")
    assert len(remote.named_graphs()) == 3


def test_kg_serve_writes_go_to_the_remote_store(start_oxigraph: Any, tmp_path: Path) -> None:
    token = {"Authorization": "Bearer t0ken"}
    with start_oxigraph() as oxigraph:
        remote = RemoteStore(oxigraph.query_url)
        remote.replace_graphs([], _quads())  # not empty: kg serve does not build the seed
        settings = {"store_url": oxigraph.query_url, "token": "t0ken"}
        with run_kg_server(tmp_path / "unused", **settings) as server:
            update = PX + "INSERT DATA { GRAPH ex:g9 { ex:x ex:p 'via kg serve' } }"
            with requests.post(
                server.sparql, data={"update": update}, headers=token, timeout=30
            ) as response:
                assert response.status_code in (200, 204), response.text
            with requests.put(
                server.store,
                params={"graph": EX + "g8"},
                data=b'<http://example.org/y> <http://example.org/p> "1" .',
                headers={**token, "Content-Type": "application/n-triples"},
                timeout=30,
            ) as response:
                assert response.status_code == 201, response.text
            with requests.delete(
                server.store, params={"graph": G1}, headers=token, timeout=30
            ) as response:
                assert response.status_code in (200, 204), response.text
        # The writes landed in the Oxigraph server itself.
        assert remote.named_graphs() == sorted([G2, G3, EX + "g8", EX + "g9"])
        assert bool(remote.query(PX + "ASK { GRAPH ex:g9 { ex:x ex:p 'via kg serve' } }"))
        remote.close()


def test_bad_graph_name_writes_nothing(remote: RemoteStore) -> None:
    before = remote.named_graphs()
    new = [ox.Quad(BELARUS, BELARUS, BELARUS, ox.NamedNode(EX + "g7"))]
    with pytest.raises(QueryError):
        remote.replace_graphs([G1, "not an IRI> } ; DROP ALL"], new)
    assert remote.named_graphs() == before


NEW_G2 = (
    b'<http://example.org/a> <http://example.org/p> "new" .\n'
    b'<http://example.org/a> <http://example.org/q> "\\u00e9t\\u00e9"@fr .\n'
)


def _graph_lines(store: Store, graph: str) -> set[str]:
    return {f"{t.subject} {t.predicate} {t.object}" for t in store.graph_triples(graph)}


@pytest.mark.parametrize("how", ["remote-gsp", "remote-update", "embedded", "on-disk", "default"])
@pytest.mark.parametrize("stream", [False, True], ids=["path", "stream"])
def test_load_graph_replaces_one_graph_and_changes_the_version(
    remote: RemoteStore, oxigraph_server: Any, tmp_path: Path, how: str, stream: bool
) -> None:
    stores: dict[str, Any] = {
        "remote-gsp": lambda: remote,
        "remote-update": lambda: RemoteStore(oxigraph_server.query_url, gsp_url=""),
        "embedded": lambda: EmbeddedStore(None),
        "on-disk": lambda: EmbeddedStore(tmp_path / "store"),
        "default": lambda: EmbeddedStore(None),
    }
    store = stores[how]()
    if how in ("embedded", "on-disk", "default"):
        _load(store)
    load = (lambda g, s: Store.load_graph(store, g, s)) if how == "default" else store.load_graph
    g1 = _graph_lines(store, G1)
    nt = tmp_path / "g2.nt"
    nt.write_bytes(NEW_G2)
    before = store.version
    load(G2, io.BytesIO(NEW_G2) if stream else nt)
    assert _graph_lines(store, G2) == {
        '<http://example.org/a> <http://example.org/p> "new"',
        '<http://example.org/a> <http://example.org/q> "été"@fr',
    }
    assert _graph_lines(store, G1) == g1 and len(g1) == 10  # the other graphs as they were
    assert store.version != before
    # A file that breaks N-Triples half-way: none of it is kept.
    seen = b'<http://example.org/c> <http://example.org/p> "seen" .\n'
    nt.write_bytes(seen + b'<http://example.org/c> "not a predicate" "x" .\n' + NEW_G2)
    with pytest.raises((StoreError, QueryError)):
        load(G2, io.BytesIO(nt.read_bytes()) if stream else nt)
    assert not any('"seen"' in line for line in _graph_lines(store, G2))
    assert _graph_lines(store, G1) == g1
    store.close()
