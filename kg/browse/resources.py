"""What a linked-data page shows about one IRI: statements, and the extras of each page kind."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.browse.terms import Term, iri_values, rows, term
from kg.namespaces import ONTOLOGY_IRI, OWL, RDF, RDFS, SKOS, WD

PAGE_SIZE = 25
SUBJECTS = 500  # subjects of a named graph listed on its page
# Sorting costs the engine seconds past tens of thousands of rows (every comparison decodes both
# terms): larger lists are paged in the store's own (stable) order instead.
SORT_LIMIT = 1000


def order_by(total: int, keys: str) -> str:
    """An ORDER BY clause when the rows are few enough to sort, else nothing."""
    return f"ORDER BY {keys}" if total <= SORT_LIMIT else ""


TYPE = RDF + "type"


@dataclass
class Statement:
    """One triple seen from the page's IRI: the other end, the predicate and the graph."""

    predicate: Term
    other: Term
    graph: Term | None
    also: list[Term] = field(default_factory=list)  # standard super-properties folded into it


@dataclass
class Resource:
    """The page data common to every IRI."""

    iri: str
    types: list[Term] = field(default_factory=list)  # the most specific types
    super_types: list[Term] = field(default_factory=list)  # the types they imply (materialised)
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


def _by_value(t: Term) -> str:
    return t.value


def exists(store: Any, iri: str) -> bool:
    """Whether any quad has this IRI as subject, object or graph name."""
    sparql = (
        "SELECT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } UNION { GRAPH ?x { ?s ?p ?o } } }"
        " LIMIT 1"
    )
    return bool(rows(store, sparql, x=iri))


# Incoming statements, without those a more specific one of the same triple implies: a claim's
# gc:about carries a materialised schema:about, shown once (as gc:about).
_INCOMING = """
SELECT ?o ?s ?p ?g WHERE {
  GRAPH ?g { ?s ?p ?o }
  FILTER NOT EXISTS { GRAPH ?g { ?s ?sub ?o } ?sub rdfs:subPropertyOf ?p }
}"""


def _incoming_count(store: Any, iri: str) -> int:
    """How many incoming statements the page lists: all of them (an index count), less those
    a more specific property repeats (looked for only under properties that have one)."""
    every = rows(
        store, "SELECT ?o (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?o", o=iri
    )
    repeated = rows(
        store,
        "SELECT ?o (COUNT(*) AS ?n) WHERE {"
        " { SELECT DISTINCT ?p WHERE { ?sub rdfs:subPropertyOf ?p } } GRAPH ?g { ?s ?p ?o }"
        " FILTER EXISTS { GRAPH ?g { ?s ?sub ?o } ?sub rdfs:subPropertyOf ?p } } GROUP BY ?o",
        o=iri,
    )
    total = int(every[0]["n"].value) if every else 0
    return total - (int(repeated[0]["n"].value) if repeated else 0)


def _super_terms(store: Any, terms: set[str], prop: str) -> dict[str, set[str]]:
    """Every super-class (or super-property) of each term, through the ontology."""
    if not terms:
        return {}
    found: dict[str, set[str]] = defaultdict(set)
    sparql = (
        f"SELECT DISTINCT ?t ?s WHERE {{ VALUES ?t {{ {iri_values(terms)} }} ?t <{prop}>+ ?s }}"
    )
    for r in rows(store, sparql):
        found[r["t"].value].add(r["s"].value)
    return found


def _fold(out: dict[str, list[Statement]], supers: dict[str, set[str]]) -> None:
    """Fold each statement implied by a more specific one (same value, same graph) into it."""
    for p in list(out):
        for st in out[p]:
            for q in supers.get(p, ()):
                for other in out.get(q, []):
                    if other.other == st.other and other.graph == st.graph:
                        st.also.append(other.predicate)
                        out[q] = [x for x in out[q] if x is not other]
    for p in [p for p, sts in out.items() if not sts]:
        del out[p]


def load(store: Any, iri: str, page: int = 1) -> Resource:
    """Outgoing statements, one page of incoming ones, and the graph this IRI names."""
    res = Resource(iri=iri, page=max(1, page))
    out: dict[str, list[Statement]] = defaultdict(list)
    sparql = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?p ?o"
    for row in rows(store, sparql, s=iri):
        out[row["p"].value].append(Statement(term(row["p"]), term(row["o"]), term(row["g"])))
    _fold(out, _super_terms(store, set(out) - {TYPE}, RDFS + "subPropertyOf"))
    # rdf:type first, then predicates in IRI order.
    res.outgoing = dict(sorted(out.items(), key=lambda kv: (kv[0] != TYPE, kv[0])))
    types = list(dict.fromkeys(t for t in res.values(TYPE)))
    supers = _super_terms(store, {t.value for t in types if t.is_iri}, RDFS + "subClassOf")
    implied = set().union(*supers.values()) if supers else set()
    res.types = [t for t in types if t.value not in implied]
    res.super_types = [t for t in types if t.value in implied]
    res.incoming_total = _incoming_count(store, iri)
    offset = (res.page - 1) * PAGE_SIZE
    order = order_by(res.incoming_total, "?p ?s ?g")
    sparql = f"{_INCOMING} {order} LIMIT {PAGE_SIZE} OFFSET {offset}"
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
            "SELECT DISTINCT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?s != ?g) }"
            f" LIMIT {SUBJECTS + 1}",
            g=iri,
        )
        res.graph_subject_total = len(subjects)  # SUBJECTS + 1: "more than SUBJECTS"
        res.graph_subjects = sorted((term(r["s"]) for r in subjects[:SUBJECTS]), key=_by_value)
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
    total = int(count[0]["n"].value) if count else 0
    inst = rows(
        store,
        f"SELECT DISTINCT ?t ?x WHERE {{ ?x a ?t }} {order_by(total, '?x')} LIMIT {PAGE_SIZE}",
        t=res.iri,
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
        instance_total=total,
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
