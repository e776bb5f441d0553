"""The SPARQL 1.1 Service Description of the endpoint, negotiated like a CONSTRUCT result."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response, request

from kg.formats import GRAPH, RESULTS, choose
from kg.namespaces import RDF, SD
from kg.web import state

FORMATS_NS = "http://www.w3.org/ns/formats/"
FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "nt": "N-Triples",
    "rdfxml": "RDF_XML",
    "jsonld": "JSON-LD",
    "trig": "TriG",
    "nq": "N-Quads",
}


def triples(endpoint: str, update: bool, union: bool) -> list[ox.Triple]:
    """The description of an endpoint at this URL (IRIs only, no blank nodes)."""
    service = ox.NamedNode(endpoint)
    dataset = ox.NamedNode(endpoint + "#dataset")
    default = ox.NamedNode(endpoint + "#default-graph")

    def sd(local: str) -> ox.NamedNode:
        return ox.NamedNode(SD + local)

    a = ox.NamedNode(RDF + "type")
    out = [
        ox.Triple(service, a, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, a, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, a, sd("Graph")),
    ]
    if update:
        out.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    if union:
        out.append(ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")))
    for fmt in RESULTS + GRAPH:
        iri = ox.NamedNode(FORMATS_NS + FORMAT_IRIS[fmt.name])
        out.append(ox.Triple(service, sd("resultFormat"), iri))
    return out


def description() -> Response:
    """The Service Description in the format the client accepts (Turtle by default)."""
    config = state().config
    fmt = choose(request.headers.get("Accept"), request.args.getlist("format"), GRAPH)
    data = triples(request.base_url, bool(config.token), config.union_default_graph)
    body = ox.serialize(data, format=fmt.ox, prefixes={"sd": SD})
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response
