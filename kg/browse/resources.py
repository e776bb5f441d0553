"""What a linked-data page shows about one IRI: statements, and the extras of each page kind."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.browse.terms import Term, rows, term
from kg.namespaces import ONTOLOGY_IRI, OWL, RDF, RDFS, SKOS, WD

PAGE_SIZE = 50
SUBJECTS = 500  # subjects of a named graph listed on its page
TYPE = RDF + "type"


@dataclass
class Statement:
    """One triple seen from the page's IRI: the other end, the predicate and the graph."""

    predicate: Term
    other: Term
    graph: Term | None


@dataclass
class Resource:
    """The page data common to every IRI."""

    iri: str
    types: list[Term] = field(default_factory=list)
    outgoing: dict[str, list[Statement]] = field(default_factory=dict)
    incoming: list[Statement] = field(default_factory=list)
    incoming_total: int = 0
    page: int = 1
    graph_size: int | None = None  # triples in the graph of this name, when it names one
    graph_classes: list[Term] = field(default_factory=list)
    graph_subjects: list[Term] = field(default_factory=list)  # the first SUBJECTS described in it
    graph_subject_total: int = 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.incoming_total // PAGE_SIZE))

    def values(self, predicate: str) -> list[Term]:
        """The objects of one outgoing predicate."""
        return [s.other for s in self.outgoing.get(predicate, [])]

    @property
    def wikidata(self) -> list[str]:
        """Wikidata items this resource is linked to."""
        return [
            t.value
            for p in (OWL + "sameAs", SKOS + "exactMatch")
            for t in self.values(p)
            if t.is_iri and t.value.startswith(WD)
        ]

    @property
    def is_graph(self) -> bool:
        return self.graph_size is not None


def exists(store: Any, iri: str) -> bool:
    """Whether any quad has this IRI as subject, object or graph name."""
    sparql = (
        "SELECT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } UNION { GRAPH ?x { ?s ?p ?o } } }"
        " LIMIT 1"
    )
    return bool(rows(store, sparql, x=iri))


def load(store: Any, iri: str, page: int = 1) -> Resource:
    """Outgoing statements, one page of incoming ones, and the graph this IRI names."""
    res = Resource(iri=iri, page=max(1, page))
    out: dict[str, list[Statement]] = defaultdict(list)
    sparql = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?p ?o"
    for row in rows(store, sparql, s=iri):
        out[row["p"].value].append(Statement(term(row["p"]), term(row["o"]), term(row["g"])))
    # rdf:type first, then predicates in IRI order.
    res.outgoing = dict(sorted(out.items(), key=lambda kv: (kv[0] != TYPE, kv[0])))
    seen: set[str] = set()
    res.types = [t for t in res.values(TYPE) if not (t.value in seen or seen.add(t.value))]
    count = rows(
        store, "SELECT ?o (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?o", o=iri
    )
    res.incoming_total = int(count[0]["n"].value) if count else 0
    offset = (res.page - 1) * PAGE_SIZE
    sparql = (
        "SELECT ?o ?s ?p ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?p ?s ?g "
        f"LIMIT {PAGE_SIZE} OFFSET {offset}"
    )
    res.incoming = [
        Statement(term(r["p"]), term(r["s"]), term(r["g"])) for r in rows(store, sparql, o=iri)
    ]
    size = rows(
        store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", g=iri
    )
    if size:
        res.graph_size = int(size[0]["n"].value)
        classes = rows(store, "SELECT ?g ?c WHERE { GRAPH ?g { ?g a ?c } } ORDER BY ?c", g=iri)
        res.graph_classes = [term(r["c"]) for r in classes]
        subjects = rows(
            store,
            "SELECT ?g ?s WHERE { { SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ?s }"
            " FILTER(?s != ?g) } ORDER BY ?s",
            g=iri,
        )
        res.graph_subject_total = len(subjects)
        res.graph_subjects = [term(r["s"]) for r in subjects[:SUBJECTS]]
    return res


@dataclass
class TermPage:
    """An ontology term: what it is, where it sits, what uses it."""

    comments: list[Term]
    domains: list[Term]
    ranges: list[Term]
    supers: list[Term]
    subs: list[Term]
    instances: list[Term]
    instance_total: int
    members: dict[str, list[Term]] = field(default_factory=dict)  # the ontology's terms by kind


def term_page(store: Any, res: Resource) -> TermPage:
    """The ontology-term view of a resource."""
    subs = rows(
        store,
        "SELECT ?t ?x WHERE { ?x rdfs:subClassOf|rdfs:subPropertyOf|skos:broader ?t } ORDER BY ?x",
        t=res.iri,
    )
    count = rows(
        store, "SELECT ?t (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?t } GROUP BY ?t", t=res.iri
    )
    inst = rows(
        store, f"SELECT DISTINCT ?t ?x WHERE {{ ?x a ?t }} ORDER BY ?x LIMIT {PAGE_SIZE}", t=res.iri
    )
    return TermPage(
        comments=res.values(RDFS + "comment") + res.values(SKOS + "definition"),
        domains=res.values(RDFS + "domain"),
        ranges=res.values(RDFS + "range"),
        supers=res.values(RDFS + "subClassOf")
        + res.values(RDFS + "subPropertyOf")
        + res.values(SKOS + "broader")
        + res.values(SKOS + "inScheme"),
        subs=list(dict.fromkeys(term(r["x"]) for r in subs)),
        instances=[term(r["x"]) for r in inst],
        instance_total=int(count[0]["n"].value) if count else 0,
        members=_members(store, res.iri) if res.iri == ONTOLOGY_IRI else {},
    )


_KINDS = {
    OWL + "Class": "classes",
    OWL + "ObjectProperty": "object properties",
    OWL + "DatatypeProperty": "datatype properties",
    SKOS + "ConceptScheme": "value schemes",
    SKOS + "Concept": "concepts",
}


def _members(store: Any, ontology: str) -> dict[str, list[Term]]:
    """The terms defined by the ontology, grouped by kind, in the order of _KINDS."""
    found: dict[str, list[Term]] = {name: [] for name in _KINDS.values()}
    sparql = "SELECT DISTINCT ?o ?t ?k WHERE { ?t rdfs:isDefinedBy ?o ; a ?k } ORDER BY ?t"
    for r in rows(store, sparql, o=ontology):
        kind = _KINDS.get(r["k"].value)
        if kind is not None:
            found[kind].append(term(r["t"]))
    return {k: v for k, v in found.items() if v}


def rdf_triples(store: Any, res: Resource) -> list[ox.Triple]:
    """The RDF a non-HTML request gets: a graph's content, or the IRI's own statements."""
    if res.is_graph:
        found = rows(store, "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", g=res.iri)
    else:
        found = rows(store, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", s=res.iri)
        found += rows(store, "SELECT ?o ?s ?p WHERE { ?s ?p ?o } LIMIT 10000", o=res.iri)
    return list(dict.fromkeys(ox.Triple(r["s"], r["p"], r["o"]) for r in found))
