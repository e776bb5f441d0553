"""Reading the store into a `Snapshot`: claims, propositions, reference facts, labels, posts."""

from __future__ import annotations

from datetime import date

import pyoxigraph as ox

from kg.check.model import XSD, Claim, Fact, Lit, Node, Snapshot, Source, Value
from kg.namespaces import GC, RDF, sparql_prefixes
from kg.store import Store

# "1" and "0" are xsd:boolean's other lexical forms (Virtuoso answers with them): canonical here.
_BOOLEAN = {"1": "true", "0": "false"}


def _value(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> Value:
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        value = _BOOLEAN.get(term.value, term.value) if datatype == XSD + "boolean" else term.value
        return Lit(value, datatype, term.language)
    return term.value


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _rows(store: Store, sparql: str) -> list[dict[str, str | None]]:
    result = store.query(sparql_prefixes() + sparql)
    names = [v.value for v in result.variables]
    out = []
    for sol in result:
        out.append({n: (sol[n].value if sol[n] is not None else None) for n in names})
    return out


def _load_nodes(store: Store, graph_class: str, nodes: dict[str, Node]) -> list[str]:
    """Fetch every triple of the graphs typed `graph_class` (inside themselves) into `nodes`."""
    result = store.query(
        sparql_prefixes()
        + f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?g a <{graph_class}> . ?s ?p ?o }} }}"
    )
    graphs: set[str] = set()
    for sol in result:
        g, s = sol["g"].value, sol["s"].value
        graphs.add(g)
        node = nodes.setdefault(s, Node(s, g))
        if sol["p"].value == RDF + "type":
            node.types.add(sol["o"].value)
        else:
            node.props.setdefault(sol["p"].value, []).append(_value(sol["o"]))
    for node in nodes.values():
        for values in node.props.values():
            values.sort(key=lambda v: (isinstance(v, Lit), str(v)))
    return sorted(graphs)


CLAIMS_QUERY = """
SELECT ?claim ?article ?prop ?pol ?cert ?mod ?attr ?span WHERE {
  GRAPH ?cg {
    ?cg a gc:ClaimGraph .
    ?claim gc:proposition ?prop ; gc:appearsIn ?article .
    OPTIONAL { ?claim gc:polarity ?pol }
    OPTIONAL { ?claim gc:certainty ?cert }
    OPTIONAL { ?claim gc:modality ?mod }
    OPTIONAL { ?claim gc:attribution ?attr }
    OPTIONAL { ?claim gc:evidence ?span }
  }
} ORDER BY ?claim ?span
"""

# Spans and dates apart, joined in Python: an OPTIONAL over a variable graph joined to the claims
# is slow in Oxigraph (seconds at 200k quads), these scans are linear.
SPANS_QUERY = """
SELECT ?span ?b ?e ?words WHERE {
  GRAPH ?g { ?g a gc:DocumentGraph .
             ?span nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?words }
}
"""

PUBLISHED_QUERY = """
SELECT ?article ?pub WHERE {
  GRAPH ?g { ?g a gc:DocumentGraph . ?article schema:datePublished ?pub }
}
"""

ACTS_QUERY = """
SELECT ?claim ?t WHERE { GRAPH ?cg { ?cg a gc:ClaimGraph . ?claim gc:proposition ?p ; a ?t } }
"""

CLAIMANTS_QUERY = """
SELECT ?claim ?who WHERE { GRAPH ?cg { ?cg a gc:ClaimGraph . ?claim gc:claimant ?who } }
"""

TIMES_QUERY = """
SELECT ?claim ?anchor ?d ?b ?e WHERE {
  GRAPH ?cg { ?cg a gc:ClaimGraph . ?claim gc:timeExpression ?t }
  OPTIONAL { GRAPH ?tg { ?t gc:anchorDate ?anchor } }
  OPTIONAL { GRAPH ?tg { ?t gc:resolvedDate ?d } }
  OPTIONAL { GRAPH ?tg { ?t gc:resolvedInterval ?i .
             ?i time:hasBeginning/time:inXSDDate ?b ; time:hasEnd/time:inXSDDate ?e } }
}
"""

FACTS_QUERY = """
SELECT ?f ?st ?label WHERE {
  GRAPH ?f { ?f a gc:ReferenceFact . OPTIONAL { ?f gc:statement ?st }
             OPTIONAL { ?f schema:description ?label } }
} ORDER BY ?f ?st
"""

SOURCES_QUERY = """
SELECT DISTINCT ?f ?src ?name ?url WHERE {
  GRAPH ?f { ?f a gc:ReferenceFact ; prov:wasDerivedFrom ?src
             OPTIONAL { ?src schema:name ?name }
             OPTIONAL { ?src schema:url ?url } }
} ORDER BY ?f ?src
"""

POSTS_QUERY = """
SELECT ?post ?in WHERE { GRAPH ?g { ?g a gc:EntityGraph . ?post gc:postIn ?in } }
"""

LABELS_QUERY = """
SELECT ?s ?l WHERE {
  GRAPH ?g { { ?s rdfs:label ?l } UNION { ?s skos:prefLabel ?l } }
  FILTER (lang(?l) = "" || langMatches(lang(?l), "en"))
} ORDER BY ?s ?l
"""


def load_snapshot(store: Store, base: str) -> Snapshot:
    """Read claims, propositions, reference facts and labels from the store."""
    nodes: dict[str, Node] = {}
    _load_nodes(store, GC + "PropositionGraph", nodes)
    _load_nodes(store, GC + "ReferenceGraph", nodes)
    labels: dict[str, str] = {}
    for row in _rows(store, LABELS_QUERY):
        labels.setdefault(row["s"] or "", row["l"] or "")

    facts: dict[str, Fact] = {}
    for row in _rows(store, FACTS_QUERY):
        iri = row["f"] or ""
        fact = facts.get(iri)
        if fact is None:
            fid = iri.rsplit("/", 1)[-1]
            fact = facts[iri] = Fact(iri, fid, row["label"] or fid, [], [])
        if row["st"] and row["st"] not in fact.statements:
            fact.statements.append(row["st"])
    for row in _rows(store, SOURCES_QUERY):
        fact = facts.get(row["f"] or "")
        src = row["src"] or ""
        if fact and all(s.iri != src for s in fact.sources):
            fact.sources.append(Source(src, row["name"] or labels.get(src, src), row["url"]))

    acts: dict[str, set[str]] = {}
    for row in _rows(store, ACTS_QUERY):
        acts.setdefault(row["claim"] or "", set()).add(row["t"] or "")
    claimants: dict[str, set[str]] = {}
    for row in _rows(store, CLAIMANTS_QUERY):
        claimants.setdefault(row["claim"] or "", set()).add(row["who"] or "")
    spans = {row["span"]: row for row in _rows(store, SPANS_QUERY)}
    published = {row["article"]: _date(row["pub"]) for row in _rows(store, PUBLISHED_QUERY)}
    claims: dict[str, Claim] = {}
    for row in _rows(store, CLAIMS_QUERY):
        span = spans.get(row["span"] or "", {})
        iri = row["claim"] or ""
        if iri in claims:
            continue
        aid, cid = iri.split("/claim/", 1)[-1].split("/", 1) if "/claim/" in iri else ("", iri)
        claims[iri] = Claim(
            iri=iri,
            aid=aid,
            cid=cid,
            article=row["article"] or "",
            proposition=row["prop"] or "",
            acts=acts.get(iri, set()),
            polarity=row["pol"],
            certainty=row["cert"],
            modality=row["mod"],
            attribution=row["attr"],
            claimants=claimants.get(iri, set()),
            span=row["span"],
            begin=int(span["b"]) if span.get("b") else None,
            end=int(span["e"]) if span.get("e") else None,
            words=span.get("words") or "",
            published=published.get(row["article"]),
        )
    for row in _rows(store, TIMES_QUERY):
        claim = claims.get(row["claim"] or "")
        if claim is None:
            continue
        anchor = _date(row["anchor"])
        if anchor and anchor not in claim.anchors:
            claim.anchors.append(anchor)
        single = _date(row["d"])
        begin, end = _date(row["b"]), _date(row["e"])
        if single:
            claim.times.append((single, single))
        if begin and end:
            claim.times.append((begin, end))
    for claim in claims.values():
        claim.times.sort()
        claim.anchors.sort()
    post_in: dict[str, set[str]] = {}
    for row in _rows(store, POSTS_QUERY):
        post_in.setdefault(row["post"] or "", set()).add(row["in"] or "")
    return Snapshot(
        base, nodes, sorted(claims.values(), key=lambda c: c.iri), facts, labels, post_in
    )


__all__ = ["XSD", "Claim", "Fact", "Lit", "Node", "Snapshot", "Source", "Value", "load_snapshot"]
