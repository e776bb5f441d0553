"""Real SPARQL clients with their defaults against `kg serve`: SPARQLWrapper, rdflib SPARQLStore."""

from __future__ import annotations

import warnings

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import SPARQLWrapper

LABELS = """SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }
ORDER BY ?s ?label LIMIT 20"""


def direct_rows(server, query: str) -> list[tuple[str, str]]:
    store = ox.Store.read_only(server.config.data_dir)
    return [
        (r["s"].value, r["label"].value)
        for r in store.query(query, use_default_graph_as_union=True)
    ]


def test_sparqlwrapper_defaults(live_server) -> None:
    client = SPARQLWrapper(live_server.sparql)  # GET, XML results, format/output/results params
    client.setQuery(LABELS)
    result = client.query()
    assert result.response.headers["Content-Type"].startswith("application/sparql-results+xml")
    document = result.convert()  # an XML DOM
    rows = []
    for node in document.getElementsByTagName("result"):
        values = {}
        for binding in node.getElementsByTagName("binding"):
            values[binding.getAttribute("name")] = binding.firstChild.firstChild.data
        rows.append((values["s"], values["label"]))
    assert rows == direct_rows(live_server, LABELS)
    assert rows

    client.setQuery("ASK { ?s ?p ?o }")
    assert client.query().convert().getElementsByTagName("boolean")[0].firstChild.data == "true"

    entities = live_server.config.base_iri + "graph/entities"
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{entities}> {{ ?s ?p ?o }} }}"
    client.setQuery(construct)
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", DeprecationWarning
        )  # SPARQLWrapper builds a ConjunctiveGraph
        got = client.query().convert()
        plain = Graph()
        for triple in got.triples((None, None, None)):
            plain.add(triple)
    store = ox.Store.read_only(live_server.config.data_dir)
    nt = store.query(construct).serialize(format=ox.RdfFormat.N_TRIPLES).decode()
    assert isomorphic(plain, Graph().parse(data=nt, format="nt"))


def test_sparqlwrapper_json_by_post(live_server) -> None:
    client = SPARQLWrapper(live_server.sparql, returnFormat="json")
    client.setMethod("POST")
    client.setQuery(LABELS)
    data = client.query().convert()
    rows = [(b["s"]["value"], b["label"]["value"]) for b in data["results"]["bindings"]]
    assert rows == direct_rows(live_server, LABELS)


def test_rdflib_sparqlstore_defaults(live_server) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = Graph(store=SPARQLStore(query_endpoint=live_server.sparql))
        # rdflib prepends its PREFIX preamble: a long GET URL.
        rows = [(str(r[0]), str(r[1])) for r in graph.query(LABELS)]
        assert rows == direct_rows(live_server, LABELS)
        subject = URIRef(rows[0][0])
        labels = set(graph.objects(subject, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
        assert Literal(rows[0][1], lang="en") in labels or Literal(rows[0][1]) in labels
        assert bool(graph.query("ASK { ?s ?p ?o }").askAnswer)
        assert len(graph) > 0  # a COUNT query through the store


def test_an_upload_reads_its_parts_in_order_and_rewinds(tmp_path) -> None:
    import io

    from kg.client import Upload

    path = tmp_path / "middle.nt"
    path.write_bytes(b"0123456789" * 1000)
    stream = io.BytesIO(b"skipped|streamed")
    stream.seek(8)  # a stream is sent from where it stands
    upload = Upload(b"head;", path, stream, b";tail")
    assert upload.size == 5 + 10_000 + 8 + 5

    def whole() -> bytes:
        out = b""
        while data := upload.read(777):
            assert len(data) <= 777
            out += data
        return out

    expected = b"head;" + b"0123456789" * 1000 + b"streamed" + b";tail"
    assert whole() == expected
    assert upload.read(10) == b""
    assert upload.seek(0, 0) == 0  # back to the start, as libcurl asks after a 401 challenge
    assert whole() == expected
    assert upload.seek(5, 0) != 0  # anywhere else: cannot
