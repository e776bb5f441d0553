"""Virtuoso open source as the remote store: `kg build` into it, `kg serve` from it, writes through.

A real `virtuoso-t` (Debian `virtuoso-opensource`) started here with a database of its own. What
the tests found about Virtuoso is in the README's store table: updates and Graph Store writes need
the digest-authenticated endpoints, the default graph is the union of all graphs, its own system
graphs show in `GRAPH ?g`, and its TSV is not SPARQL TSV (converted by geoclaims).
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from conftest import run_kg_server
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic
from test_remote import STARTED, _masked_rows, _rows, assert_same
from virtuoso_server import SYSTEM_GRAPHS, VirtuosoServer, run_virtuoso

from kg.config import Config
from kg.errors import StoreError
from kg.queries import catalogue
from kg.queries import run as run_named
from kg.remote import ENGINE_GRAPHS
from kg.store import Store, open_store

pytestmark = pytest.mark.remote

EX = "http://example.org/"
TOKEN = "v1rtuoso"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    with run_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("KG_")}


@pytest.fixture(scope="module")
def built(virtuoso: VirtuosoServer) -> Config:
    """Settings for the Virtuoso server, loaded by the `kg build` command."""
    settings = virtuoso.settings()
    kg = str(Path(sys.executable).with_name("kg"))
    command = [kg, "build", "--no-shacl"]
    for name in ("store_url", "store_update_url", "store_gsp_url", "store_user"):
        command += [f"--{name.replace('_', '-')}", settings[name]]
    env = {**_env(), "KG_STORE_PASSWORD": settings["store_password"]}
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return Config.load(settings, environ={})


@pytest.fixture()
def seed_store(seed_config: Config) -> Iterator[Store]:
    yield open_store(seed_config, read_only=True)


def test_system_graphs_are_known(virtuoso: VirtuosoServer) -> None:
    # The graphs a new Virtuoso database holds are the ones geoclaims leaves out of its listings.
    assert set(SYSTEM_GRAPHS) == ENGINE_GRAPHS
    rows = requests.post(
        virtuoso.query_url,
        data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    ).json()["results"]["bindings"]
    assert set(SYSTEM_GRAPHS) <= {row["g"]["value"] for row in rows}


XSD = "http://www.w3.org/2001/XMLSchema#"
# Oxigraph (embedded and server) stores these as xsd:integer; Virtuoso keeps what was written.
INTEGERS = {
    XSD + name
    for name in [
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
}


def _term(term: Any) -> Any:
    if isinstance(term, ox.Literal) and term.datatype.value in INTEGERS:
        return ox.Literal(term.value, datatype=ox.NamedNode(XSD + "integer"))
    return term


def _graphs(store: Store) -> dict[str, Graph]:
    """The named graphs as rdflib graphs; load times masked, integer subtypes as xsd:integer."""
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    lines: dict[str, list[str]] = {}
    for quad in ox.parse(out.getvalue(), ox.RdfFormat.N_QUADS):
        obj = ox.Literal("(time of the build)") if quad.predicate == STARTED else _term(quad.object)
        lines.setdefault(str(quad.graph_name), []).append(
            f"{quad.subject} {quad.predicate} {obj} ."
        )
    return {name: Graph().parse(data="\n".join(ls), format="nt") for name, ls in lines.items()}


_AS_INTEGER = {'"true"': '"1"', '"false"': '"0"'}


def _normal(rows: Any) -> Any:
    """Rows with the same values written the same way: integer subtypes as xsd:integer,
    xsd:boolean as the integers 1 and 0 (what Virtuoso gives for boolean expressions; it writes
    stored booleans as "1"/"0"^^xsd:boolean), and an empty string as no value."""
    names, values = rows

    def term(text: str) -> str:
        if text.startswith('"') and not text.endswith('"') and "^^" not in text:
            text = text[: text.rindex('"') + 1]  # GROUP_CONCAT: Oxigraph keeps a common language
        lexical, _, datatype = text.rpartition("^^")
        if datatype[1:-1] in INTEGERS:
            return f"{lexical}^^<{XSD}integer>"
        if datatype == f"<{XSD}boolean>":  # Virtuoso computes booleans as integers 1 and 0
            return f"{_AS_INTEGER.get(lexical, lexical)}^^<{XSD}integer>"
        return text

    # GROUP_CONCAT over nothing: Virtuoso gives "", Oxigraph leaves the variable unbound.
    return names, sorted(tuple((k, term(v)) for k, v in row if v != '""') for row in values)


def test_kg_build_loads_virtuoso(built: Config, seed_store: Store) -> None:
    remote = open_store(built)
    assert remote.named_graphs() == seed_store.named_graphs()
    assert len(remote.named_graphs()) > 10
    ours, theirs = _graphs(remote), _graphs(seed_store)
    assert sorted(ours) == sorted(theirs)
    for name in ours:
        _, only_left, only_right = graph_diff(ours[name], theirs[name])
        assert isomorphic(ours[name], theirs[name]), (name, sorted(only_left), sorted(only_right))
    remote.close()


def test_named_queries_agree_with_embedded(built: Config, seed_store: Store) -> None:
    remote = open_store(built)
    named = catalogue(built)
    assert len(named) > 5
    differ = []
    for query in named:
        if "SERVICE <" in query.text:
            continue  # federated: needs its remote endpoint (tests/test_federation.py)
        expected = run_named(seed_store, query, {}, built)
        try:
            got = run_named(remote, query, {}, built)
        except StoreError as err:
            differ.append((query.name, "error", err.message[:120]))
            continue
        if isinstance(expected, ox.QuerySolutions):
            ours, theirs = _normal(_masked_rows(got)), _normal(_masked_rows(expected))
            if ours != theirs:
                only_ours = [r for r in ours[1] if r not in theirs[1]][:2]
                only_theirs = [r for r in theirs[1] if r not in ours[1]][:2]
                differ.append((query.name, ours[0], theirs[0], only_ours, only_theirs))
        else:
            assert_same(got, expected)
    remote.close()
    # Exactly the documented differences (README, store table): one more or one fewer fails.
    assert sorted(d[0] for d in differ) == sorted(VIRTUOSO_DIFFERS), "\n".join(map(str, differ))
    errors = {d[0]: d[2] for d in differ if d[1] == "error"}
    assert "SQ156" in errors["events-in-range"]


# Named queries Virtuoso 7.2.5 answers differently from Oxigraph, as the test found them.
VIRTUOSO_DIFFERS = {
    # Its optimizer fails on the query (SQ156 "Bad dfe in sqlo_place_exp"): a clear 502.
    "events-in-range": "error",
    # Two more rows (speech acts coded as events too): the FILTER NOT EXISTS over a
    # rdfs:subClassOf+ path does not remove them there; the cause is not isolated further.
    "cameo-events": "rows",
}

SERVED = [
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
    "ASK { GRAPH ?g { ?s a <http://schema.org/Claim> } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s a <http://schema.org/Country> ; ?p ?o } }",
]
# DESCRIBE is the engine's choice: Virtuoso's and Oxigraph's answers differ (both about it).
BELARUS = "https://w3id.org/geoclaims/entity/belarus"
RESULT_TYPES = [
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
]
GRAPH_TYPES = [
    ("application/n-triples", "nt"),
    ("text/turtle", "turtle"),
    ("application/rdf+xml", "xml"),
]


def _plain(result: Any) -> tuple[list[str], list[tuple[tuple[str, str], ...]]]:
    """Rows with every term as its lexical value (CSV keeps no term types)."""
    names = [v.value for v in result.variables]
    rows = [
        tuple((v.value, row[v].value) for v in result.variables if row[v] is not None)
        for row in result
    ]
    return names, sorted(rows)


@pytest.fixture(scope="module")
def front(built: Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """`kg serve` in front of the Virtuoso server, writes on with a token."""
    settings = {**built.as_dict(), "store_password": "dba"}
    keep = ("store_url", "store_update_url", "store_gsp_url", "store_user", "store_password")
    serve = {k: settings[k] for k in keep}
    with run_kg_server(
        tmp_path_factory.mktemp("virtuoso-front") / "unused", token=TOKEN, workers=1, **serve
    ) as server:
        yield server


def test_kg_serve_answers_from_virtuoso(front: Any, seed_store: Store) -> None:
    for sparql in SERVED:
        graph = sparql.startswith(("CONSTRUCT", "DESCRIBE"))
        types: list[tuple[str, Any]] = GRAPH_TYPES if graph else RESULT_TYPES  # type: ignore[assignment]
        if sparql.startswith("ASK"):
            types = types[:2]  # CSV and TSV carry no boolean
        for accept, parse_as in types:
            with requests.get(
                front.sparql, params={"query": sparql}, headers={"Accept": accept}, timeout=60
            ) as response:
                assert response.status_code == 200, (sparql, accept, response.text)
                assert response.headers["Content-Type"].split(";")[0] == accept
                body = response.content
            if graph:
                got = Graph().parse(data=body, format=parse_as)
                want = Graph().parse(
                    data=seed_store.query(sparql).serialize(format=ox.RdfFormat.N_TRIPLES),
                    format="nt",
                )
                assert len(got) > 0 and isomorphic(got, want), (sparql, accept)
                continue
            if parse_as == ox.QueryResultsFormat.CSV:  # lossy: compared as text
                lines = list(csv.reader(io.StringIO(body.decode("utf-8"))))
                names, rows = lines[0], lines[1:]
                pairs = (zip(names, r, strict=True) for r in rows)
                got_rows = sorted(tuple((n, v) for n, v in pair if v) for pair in pairs)
                assert (names, got_rows) == _plain(seed_store.query(sparql)), accept
                continue
            parsed = ox.parse_query_results(body, parse_as)
            if isinstance(parsed, ox.QueryBoolean):
                assert bool(parsed) == bool(seed_store.query(sparql)) is True
            else:
                rows = _rows(parsed)
                assert rows == _rows(seed_store.query(sparql)) and rows[1], (sparql, accept)
    with requests.get(
        front.sparql,
        params={"query": f"DESCRIBE <{BELARUS}>"},
        headers={"Accept": "application/n-triples"},
        timeout=60,
    ) as described:
        assert described.status_code == 200
        triples = list(Graph().parse(data=described.content, format="nt"))
    assert triples and all(BELARUS in (str(s), str(o)) for s, _, o in triples)
    with requests.get(front.sparql, params={"query": "SELECT ?x {"}, timeout=30) as bad:
        assert bad.status_code == 400
        assert "syntax error" in bad.text


def test_writes_through_kg_serve_land_in_virtuoso(front: Any, built: Config) -> None:
    token = {"Authorization": f"Bearer {TOKEN}"}
    remote = open_store(built)
    before = remote.named_graphs()
    update = f"INSERT DATA {{ GRAPH <{EX}v9> {{ <{EX}x> <{EX}p> 'via kg serve' }} }}"
    with requests.post(front.sparql, data={"update": update}, headers=token, timeout=30) as r:
        assert r.status_code in (200, 204), r.text
    put = b'<http://example.org/y> <http://example.org/p> "1" .\n'
    with requests.put(
        front.store,
        params={"graph": EX + "v8"},
        data=put,
        headers={**token, "Content-Type": "application/n-triples"},
        timeout=30,
    ) as r:
        assert r.status_code == 201, r.text
    with requests.post(
        front.store,
        params={"graph": EX + "v8"},
        data=b'<http://example.org/y> <http://example.org/p> "2" .\n',
        headers={**token, "Content-Type": "application/n-triples"},
        timeout=30,
    ) as r:
        assert r.status_code in (200, 204), r.text
    with requests.get(
        front.store, params={"graph": EX + "v8"}, headers={"Accept": "application/n-triples"}
    ) as r:
        assert r.status_code == 200
        got = Graph().parse(data=r.content, format="nt")
    want = Graph().parse(
        data=put + b'<http://example.org/y> <http://example.org/p> "2" .\n', format="nt"
    )
    assert isomorphic(got, want)
    assert remote.named_graphs() == sorted([*before, EX + "v8", EX + "v9"])
    assert bool(remote.query(f"ASK {{ GRAPH <{EX}v9> {{ <{EX}x> <{EX}p> 'via kg serve' }} }}"))
    with requests.delete(front.store, params={"graph": EX + "v8"}, headers=token, timeout=30) as r:
        assert r.status_code in (200, 204), r.text
    with requests.delete(front.store, params={"graph": EX + "v8"}, headers=token, timeout=30) as r:
        assert r.status_code == 404, r.text
    remote.update(f"DROP SILENT GRAPH <{EX}v9>")
    assert remote.named_graphs() == before
    remote.close()


def test_updates_need_the_authenticated_endpoint(virtuoso: VirtuosoServer) -> None:
    # Virtuoso refuses anonymous updates on /sparql: the store's error is ours, clearly.
    from kg.remote import RemoteStore

    anonymous = RemoteStore(virtuoso.query_url)
    assert anonymous.gsp_url == ""  # Virtuoso's URL layout is not Oxigraph's
    with pytest.raises(StoreError):
        anonymous.update(f"INSERT DATA {{ GRAPH <{EX}nope> {{ <{EX}a> <{EX}b> <{EX}c> }} }}")
    assert f"{EX}nope" not in anonymous.named_graphs()
    anonymous.close()


@pytest.mark.parametrize("gsp", [True, False], ids=["graph-store-put", "sparql-update"])
def test_a_graph_file_is_sent_as_read_through_the_digest_challenge(
    virtuoso: VirtuosoServer, tmp_path: Path, gsp: bool
) -> None:
    # The body is read from the file as it is sent; Virtuoso's Digest challenge makes libcurl
    # send it a second time, so the upload must go back to its start.
    from kg.remote import RemoteStore

    settings = virtuoso.settings()
    store = RemoteStore(
        settings["store_url"],
        update_url=settings["store_update_url"],
        gsp_url=settings["store_gsp_url"] if gsp else "",
        user=settings["store_user"],
        password=settings["store_password"],
    )
    graph = f"{EX}file-{'gsp' if gsp else 'update'}"
    lines = [f'<{EX}s{i}> <{EX}p> "value {i}" .' for i in range(3000)]
    path = tmp_path / "graph.nt"
    path.write_text("\n".join(lines) + "\n")
    store.put_triples(graph, path)
    theirs = {f"{t.subject} {t.predicate} {t.object}" for t in store.graph_triples(graph)}
    assert theirs == {line.removesuffix(" .") for line in lines}
    store.drop_graph(graph)
    store.close()
