"""The Wikidata RDF vocabulary the view writes, and small term helpers."""

from __future__ import annotations

import pyoxigraph as ox

from kg.namespaces import DCTERMS, GC, NIF, OWL, PROV, RDFS, SCHEMA, WD, WDT, XSD

P = "http://www.wikidata.org/prop/"
PS, PQ, PR = P + "statement/", P + "qualifier/", P + "reference/"
PSV, PQV, PRV = P + "statement/value/", P + "qualifier/value/", P + "reference/value/"
WIKIBASE = "http://wikiba.se/ontology#"
PREFIXES = {
    "wd": WD,
    "wdt": WDT,
    "p": P,
    "ps": PS,
    "psv": PSV,
    "pq": PQ,
    "pqv": PQV,
    "pr": PR,
    "prv": PRV,
    "wikibase": WIKIBASE,
    "prov": PROV,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "nif": NIF,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "gc": GC,
}
INCORRECT_VALUE = WD + "Q41755623"  # "incorrect value", a reason for deprecated rank
PRECISION = {XSD + "date": 11, XSD + "gYearMonth": 10, XSD + "gYear": 9}
KEPT_MODALITIES = {"actual", "historical"}


def named(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=named(XSD + "integer"))


def decimal(value: ox.Term) -> ox.Literal:
    return ox.Literal(value.value, datatype=named(XSD + "decimal"))


# --- writing ------------------------------------------------------------------------------------
