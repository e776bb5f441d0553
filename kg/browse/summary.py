"""The dataset at a glance: counts, articles, main entities, sources; and the same as VoID."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.browse.terms import Term, rows, term
from kg.check.verdict import VERDICTS, WORDS
from kg.namespaces import DCTERMS, ONTOLOGY_IRI, RDF, SD, VOID, XSD

PROJECT_LICENSE = "http://www.apache.org/licenses/LICENSE-2.0"
TITLE = "geoclaims"
DESCRIPTION = (
    "Geopolitical claims taken from news, each with who said it, where (down to the character "
    "span), how, and who disputes it; with reference facts the project vouches for."
)


@dataclass
class Summary:
    """The numbers and lists of the home page and of the VoID description."""

    counts: dict[str, int]
    articles: list[tuple[Term, str, str]] = field(default_factory=list)  # iri, headline, date
    entities: list[tuple[Term, int]] = field(default_factory=list)  # iri, claims about it
    sources: list[Term] = field(default_factory=list)
    graphs: list[tuple[Term, int]] = field(default_factory=list)
    licenses: list[Term] = field(default_factory=list)
    classes: list[tuple[Term, int]] = field(default_factory=list)
    verdicts: list[tuple[str, str, int]] = field(default_factory=list)  # verdict, words, claims


def _count(store: Any, sparql: str, **bound: Any) -> int:
    found = rows(store, sparql, **bound)
    return int(found[0]["n"].value) if found and "n" in found[0] else 0


def summary(store: Any, base_iri: str) -> Summary:
    """Count and list what the store holds."""
    graphs = [
        (term(r["g"]), int(r["n"].value))
        for r in rows(
            store,
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
        )
    ]
    entity_prefix = ox.Literal(base_iri + "entity/")
    counts = {
        "triples": sum(n for _, n in graphs),
        "graphs": len(graphs),
        "articles": _count(
            store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a schema:NewsArticle }"
        ),
        "claims": _count(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a schema:Claim }"),
        "entities": _count(
            store,
            "SELECT ?prefix (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?t"
            " FILTER(STRSTARTS(STR(?e), ?prefix)) } GROUP BY ?prefix",
            prefix=entity_prefix,
        ),
        "disputed claims": _count(
            store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?x gc:disputes ?c }"
        ),
    }
    articles = [
        (term(r["a"]), r["h"].value if "h" in r else "", r["d"].value if "d" in r else "")
        for r in rows(
            store,
            "SELECT ?a (SAMPLE(?head) AS ?h) (SAMPLE(?date) AS ?d) WHERE { ?a a schema:NewsArticle "
            "OPTIONAL { ?a schema:headline ?head } OPTIONAL { ?a schema:datePublished ?date } }"
            " GROUP BY ?a ORDER BY ?a",
        )
    ]
    entities = [
        (term(r["e"]), int(r["n"].value))
        for r in rows(
            store,
            "SELECT ?e (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c gc:about ?e } GROUP BY ?e"
            " ORDER BY DESC(?n) ?e LIMIT 15",
        )
    ]
    sources = [
        term(r["s"])
        for r in rows(
            store,
            "SELECT DISTINCT ?prefix ?s WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), ?prefix)) }"
            " ORDER BY ?s",
            prefix=ox.Literal(base_iri + "source/"),
        )
    ]
    licenses = [
        term(r["l"])
        for r in rows(store, "SELECT ?o ?l WHERE { ?o dcterms:license ?l }", o=ONTOLOGY_IRI)
    ] or [Term("iri", PROJECT_LICENSE)]
    classes = [
        (term(r["c"]), int(r["n"].value))
        for r in rows(
            store,
            "SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c"
            " ORDER BY DESC(?n) ?c",
        )
    ]
    judged = {
        r["v"].value.rsplit("/", 1)[-1]: int(r["n"].value)
        for r in rows(
            store,
            "SELECT ?v (COUNT(DISTINCT ?c) AS ?n) WHERE { ?r a schema:ClaimReview ;"
            " schema:itemReviewed ?c ; gc:verdict ?v } GROUP BY ?v",
        )
    }
    verdicts = [(v, WORDS[v], judged[v]) for v in VERDICTS if v in judged]
    return Summary(counts, articles, entities, sources, graphs, licenses, classes, verdicts)


@dataclass
class SummaryCache:
    """The last summary and the store version it was counted at (one per app, shared by threads)."""

    version: str | None = None
    value: Summary | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(self, store: Any, base_iri: str) -> Summary:
        """The summary of the store as it is now: counted again only after a write."""
        # Read the version before counting: a write meanwhile leaves an older tag, so a recount.
        version = store.version
        with self.lock:
            if self.value is not None and self.version == version:
                return self.value
        fresh = summary(store, base_iri)
        with self.lock:
            self.version, self.value = version, fresh
        return fresh


def void_triples(s: Summary, dataset: str, endpoint: str, base_iri: str) -> list[ox.Triple]:
    """The summary as a VoID description of the dataset IRI, with one subset per named graph."""
    d = ox.NamedNode(dataset)

    def iri(x: str) -> ox.NamedNode:
        return ox.NamedNode(x)

    def num(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=iri(XSD + "integer"))

    out = [
        ox.Triple(d, iri(RDF + "type"), iri(VOID + "Dataset")),
        ox.Triple(d, iri(DCTERMS + "title"), ox.Literal(TITLE, language="en")),
        ox.Triple(d, iri(DCTERMS + "description"), ox.Literal(DESCRIPTION, language="en")),
        ox.Triple(d, iri(VOID + "sparqlEndpoint"), iri(endpoint)),
        ox.Triple(d, iri(VOID + "uriSpace"), ox.Literal(base_iri)),
        ox.Triple(d, iri(VOID + "vocabulary"), iri(ONTOLOGY_IRI)),
        ox.Triple(d, iri(VOID + "triples"), num(s.counts["triples"])),
        ox.Triple(d, iri(VOID + "entities"), num(s.counts["entities"])),
    ]
    out += [ox.Triple(d, iri(DCTERMS + "license"), iri(t.value)) for t in s.licenses if t.is_iri]
    out += [ox.Triple(d, iri(DCTERMS + "source"), iri(t.value)) for t in s.sources]
    out += [ox.Triple(d, iri(VOID + "exampleResource"), iri(t.value)) for t, _ in s.entities[:3]]
    out += [ox.Triple(d, iri(VOID + "exampleResource"), iri(t.value)) for t, _, _ in s.articles[:3]]
    for i, (g, n) in enumerate(s.graphs):
        sub = ox.NamedNode(f"{dataset}-graph-{i}")
        out += [
            ox.Triple(d, iri(VOID + "subset"), sub),
            ox.Triple(sub, iri(RDF + "type"), iri(VOID + "Dataset")),
            ox.Triple(sub, iri(SD + "name"), iri(g.value)),
            ox.Triple(sub, iri(VOID + "triples"), num(n)),
        ]
    for i, (c, n) in enumerate(s.classes):
        part = ox.NamedNode(f"{dataset}-class-{i}")
        out += [
            ox.Triple(d, iri(VOID + "classPartition"), part),
            ox.Triple(part, iri(VOID + "class"), iri(c.value)),
            ox.Triple(part, iri(VOID + "entities"), num(n)),
        ]
    return out
