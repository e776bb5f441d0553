"""What the Wikidata view reads from the store, by a few SELECTs (any Store: embedded or remote)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.namespaces import GC, NIF, OWL, PROV, RDFS, SCHEMA, SKOS, WD, WDT
from kg.store import Store


@dataclass
class Graphs:
    """Node descriptions read from the store: graph -> subject -> predicate -> objects."""

    nodes: dict[str, dict[str, dict[str, list[ox.Term]]]] = field(default_factory=dict)

    def add(self, g: str, s: str, p: str, o: ox.Term) -> None:
        self.nodes.setdefault(g, {}).setdefault(s, {}).setdefault(p, []).append(o)

    def props(self, g: str, s: str) -> dict[str, list[ox.Term]]:
        return self.nodes.get(g, {}).get(s, {})


def _rows(store: Store, sparql: str) -> Iterator[dict[str, ox.Term]]:
    results = store.query(_PREFIX_LINES + sparql, union=False)
    names = [v.value for v in results.variables]
    for row in results:
        yield {n: row[n] for n in names if row[n] is not None}


_PREFIX_LINES = (
    "".join(
        f"PREFIX {p}: <{iri}>\n"
        for p, iri in {"gc": GC, "prov": PROV, "schema": SCHEMA, "nif": NIF, "skos": SKOS}.items()
    )
    + "PREFIX time: <http://www.w3.org/2006/time#>\nPREFIX rdfs: <"
    + RDFS
    + ">\n"
)


def _grouped(store: Store, sparql: str) -> dict[str, list[str]]:
    """?key -> its ?value IRIs, in the query's order."""
    out: dict[str, list[str]] = defaultdict(list)
    for r in _rows(store, sparql):
        out[r["key"].value].append(r["value"].value)
    return out


@dataclass
class Source:
    """What the export reads from the store."""

    graphs: Graphs
    qid: dict[str, str]  # entity IRI -> Wikidata item IRI
    labels: dict[str, ox.Literal]
    facts: dict[str, list[tuple[str, str | None]]]  # fact graph -> [(source IRI, url)]
    fact_statements: dict[str, list[str]]  # fact graph -> its statement nodes
    claims: list[dict[str, ox.Term]]
    disputed_by: dict[str, list[str]]  # claim -> claimants disputing it
    contradicted: dict[str, str]  # claim -> review IRI
    identifiers: list[dict[str, ox.Term]]
    datasets: dict[str, str]  # identifier property -> dataset page


def read(store: Store) -> Source:
    """Everything the Wikidata view needs, by a few SELECTs (any Store: embedded or remote)."""
    graphs = Graphs()
    for r in _rows(
        store,
        "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?g a ?c . ?s ?p ?o } "
        "VALUES ?c { gc:PropositionGraph gc:ReferenceGraph } }",
    ):
        graphs.add(r["g"].value, r["s"].value, r["p"].value, r["o"])
    qid: dict[str, str] = {}
    labels: dict[str, ox.Literal] = {}
    for r in _rows(
        store,
        "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?g a gc:EntityGraph . ?s ?p ?o "
        f"VALUES ?p {{ <{OWL}sameAs> <{SKOS}exactMatch> rdfs:label }} }} }}",
    ):
        s, o = r["s"].value, r["o"]
        if r["p"].value == RDFS + "label":
            if isinstance(o, ox.Literal) and (o.language == "en" or s not in labels):
                labels[s] = o
        elif o.value.startswith(WD):
            qid[s] = o.value
    facts: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for r in _rows(
        store,
        "SELECT ?g ?source ?url WHERE { GRAPH ?g { ?g a gc:ReferenceGraph ; "
        "prov:wasDerivedFrom ?source OPTIONAL { ?source schema:url ?url } } } ORDER BY ?source",
    ):
        facts[r["g"].value].append((r["source"].value, r["url"].value if "url" in r else None))
    fact_statements = _grouped(
        store,
        "SELECT ?key ?value WHERE { GRAPH ?key { ?key a gc:ReferenceGraph ; "
        "gc:statement ?value } } ORDER BY ?value",
    )
    claims = list(_rows(store, _CLAIMS))
    disputed_by = _grouped(
        store,
        "SELECT DISTINCT ?key ?value WHERE { GRAPH ?c { ?d gc:disputes ?key ; "
        "gc:claimant ?value } } ORDER BY ?value",
    )
    contradicted = {
        claim: reviews[0]
        for claim, reviews in _grouped(
            store,
            "SELECT ?key ?value WHERE { GRAPH ?r { ?value schema:itemReviewed ?key ; "
            "gc:verdict ?v } GRAPH ?o { ?v skos:notation 'contradicted' } }",
        ).items()
    }
    identifiers = list(
        _rows(
            store,
            "SELECT ?e ?prop ?value ?from ?until WHERE { GRAPH ?g { ?g a gc:EntityGraph . "
            "?e gc:identifierAssignment ?a . ?a schema:propertyID ?prop ; schema:value ?value "
            "OPTIONAL { ?a gc:validFrom ?from } OPTIONAL { ?a gc:validUntil ?until } } "
            f"FILTER(STRSTARTS(STR(?prop), '{WDT}')) }} ORDER BY ?e ?prop ?value",
        )
    )
    datasets = {
        prop: pages[0]
        for prop, pages in _grouped(
            store,
            "SELECT ?key ?value WHERE { GRAPH ?o { ?key a gc:IdentifierProperty ; "
            "rdfs:seeAlso ?value } } ORDER BY ?value",
        ).items()
    }
    return Source(
        graphs, qid, labels, facts, fact_statements, claims, disputed_by, contradicted,
        identifiers, datasets,
    )  # fmt: skip


_CLAIMS = """
SELECT ?claim ?g ?article ?claimant ?polarity ?modality ?span ?begin ?end ?words ?published
       ?teDate ?teBegin ?teEnd
WHERE {
  GRAPH ?c {
    ?claim gc:proposition ?g ; gc:appearsIn ?article ; gc:claimant ?claimant ;
      gc:polarity ?pol ; gc:modality ?mod ; gc:evidence ?span .
  }
  GRAPH ?o1 { ?pol skos:notation ?polarity }
  GRAPH ?o2 { ?mod skos:notation ?modality }
  GRAPH ?d { ?span nif:beginIndex ?begin ; nif:endIndex ?end ; nif:anchorOf ?words }
  OPTIONAL { GRAPH ?d2 { ?article schema:datePublished ?published } }
  OPTIONAL { GRAPH ?c { ?claim gc:timeExpression ?te1 } GRAPH ?d3 { ?te1 gc:resolvedDate ?teDate } }
  OPTIONAL {
    GRAPH ?c { ?claim gc:timeExpression ?te2 }
    GRAPH ?d4 { ?te2 gc:resolvedInterval ?i . ?i time:hasBeginning/time:inXSDDate ?teBegin ;
                time:hasEnd/time:inXSDDate ?teEnd }
  }
}
ORDER BY ?claim
"""


# --- propositions -> statements ----------------------------------------------------------------
