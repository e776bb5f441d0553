"""Reading the store into a `Snapshot`: claims, propositions, reference facts, labels, posts."""

from __future__ import annotations

from dataclasses import dataclass
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


def _rows(
    store: Store, sparql: str, graphs: list[str] | None = None
) -> list[dict[str, str | None]]:
    """The rows of a query, over every named graph or only over `graphs`."""
    if graphs is None:
        result = store.query(sparql_prefixes() + sparql)
    else:
        result = store.query(sparql_prefixes() + sparql, named_graphs=graphs, union=False)
    names = [v.value for v in result.variables]
    out = []
    for sol in result:
        out.append({n: (sol[n].value if sol[n] is not None else None) for n in names})
    return out


def _load_nodes(
    store: Store, graph_class: str, nodes: dict[str, Node], graphs: list[str] | None = None
) -> None:
    """Fetch every triple of the graphs typed `graph_class` (inside themselves) into `nodes`."""
    sparql = f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?g a <{graph_class}> . ?s ?p ?o }} }}"
    if graphs is None:
        result = store.query(sparql_prefixes() + sparql)
    else:
        result = store.query(sparql_prefixes() + sparql, named_graphs=graphs, union=False)
    for sol in result:
        g, s = sol["g"].value, sol["s"].value
        node = nodes.setdefault(s, Node(s, g))
        if sol["p"].value == RDF + "type":
            node.types.add(sol["o"].value)
        else:
            node.props.setdefault(sol["p"].value, []).append(_value(sol["o"]))
    for node in nodes.values():
        for values in node.props.values():
            values.sort(key=lambda v: (isinstance(v, Lit), str(v)))


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

# The same for a batch, in parts joined in Python (TIMES_QUERY over a batch's graphs is slow:
# its OPTIONALs over a variable graph meet every graph of the batch). `_times` joins them as the
# OPTIONALs would (the time's graph ?tg shared), so the rows are TIMES_QUERY's.
TIME_PAIRS_QUERY = """
SELECT ?claim ?t WHERE { GRAPH ?cg { ?cg a gc:ClaimGraph . ?claim gc:timeExpression ?t } }
"""
TIME_PARTS = {
    "anchor": "SELECT ?t ?tg ?x WHERE { VALUES ?t { %s } GRAPH ?tg { ?t gc:anchorDate ?x } }",
    "d": "SELECT ?t ?tg ?x WHERE { VALUES ?t { %s } GRAPH ?tg { ?t gc:resolvedDate ?x } }",
    "interval": """SELECT ?t ?tg ?b ?e WHERE { VALUES ?t { %s } GRAPH ?tg {
      ?t gc:resolvedInterval ?i . ?i time:hasBeginning/time:inXSDDate ?b ;
                                      time:hasEnd/time:inXSDDate ?e } }""",
}

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

LABEL_QUERY = """
SELECT ?l WHERE {
  GRAPH ?g { { %(s)s rdfs:label ?l } UNION { %(s)s skos:prefLabel ?l } }
  FILTER (lang(?l) = "" || langMatches(lang(?l), "en"))
} ORDER BY ?l LIMIT 1
"""

# The claims graphs: one an article; `kg check` judges a batch of them at a time.
CLAIM_GRAPHS_QUERY = """
SELECT ?cg WHERE { GRAPH ?cg { ?cg a gc:ClaimGraph } } ORDER BY ?cg
"""

# Over a batch of claims graphs: the proposition graphs and articles their claims name.
BATCH_QUERY = """
SELECT DISTINCT ?prop ?article WHERE {
  GRAPH ?cg { ?cg a gc:ClaimGraph . ?claim gc:proposition ?prop ; gc:appearsIn ?article }
}
"""

# The document graphs of those articles (their spans, times and dates).
DOCUMENTS_QUERY = """
SELECT DISTINCT ?dg WHERE { GRAPH ?dg { %(article)s ?p ?o . ?dg a gc:DocumentGraph } }
"""


def _times(store: Store, graphs: list[str]) -> list[dict[str, str | None]]:
    """TIMES_QUERY's rows for the claims of `graphs` (the time nodes read from every graph)."""
    pairs = _rows(store, TIME_PAIRS_QUERY, graphs)
    terms = sorted({str(ox.NamedNode(row["t"] or "")) for row in pairs})
    if not terms:
        return []
    parts: dict[str, dict[str, list[dict[str, str | None]]]] = {}
    for name, sparql in TIME_PARTS.items():
        found = parts[name] = {}
        for row in _rows(store, sparql % " ".join(terms)):
            found.setdefault(row["t"] or "", []).append(row)

    def optional(
        rows: list[dict[str, str | None]], found: list[dict[str, str | None]]
    ) -> list[dict[str, str | None]]:
        """SPARQL's OPTIONAL: each row joined with the compatible ones (same ?tg), or kept."""
        out = []
        for row in rows:
            fits = [f for f in found if row.get("tg") is None or f["tg"] == row["tg"]]
            out += [{**row, **f} for f in fits] or [row]
        return out

    result = []
    for pair in pairs:
        t = pair["t"] or ""
        rows: list[dict[str, str | None]] = [{"claim": pair["claim"]}]
        rows = optional(
            rows, [{"tg": r["tg"], "anchor": r["x"]} for r in parts["anchor"].get(t, [])]
        )
        rows = optional(rows, [{"tg": r["tg"], "d": r["x"]} for r in parts["d"].get(t, [])])
        rows = optional(
            rows, [{"tg": r["tg"], "b": r["b"], "e": r["e"]} for r in parts["interval"].get(t, [])]
        )
        result += [{k: row.get(k) for k in ("claim", "anchor", "d", "b", "e")} for row in rows]
    return result


class StoreLabels:
    """Labels (rdfs:label or skos:prefLabel, English or untagged, the first in order) read from
    the store when first asked for, and kept (up to `limit`, then forgotten): memory does not
    grow with the store, and no label is read that no verdict needs."""

    def __init__(self, store: Store, limit: int = 100_000) -> None:
        self.store, self.limit = store, limit
        self._cache: dict[str, str | None] = {}

    def get(self, iri: str, default: str | None = None, /) -> str | None:
        if iri not in self._cache:
            if len(self._cache) >= self.limit:
                self._cache.clear()
            self._cache[iri] = self._read(iri)
        found = self._cache[iri]
        return default if found is None else found

    def _read(self, iri: str) -> str | None:
        try:
            term = str(ox.NamedNode(iri))
        except ValueError:
            return None  # not an IRI (a blank node): no label
        rows = _rows(self.store, LABEL_QUERY % {"s": term})
        return (rows[0]["l"] or "") if rows else None


def load_context(store: Store, base: str) -> Snapshot:
    """What every claim is judged against, read once: reference facts, their sources, posts,
    and labels (read on demand). No claims: see `load_claims`, `Snapshot.with_claims`."""
    nodes: dict[str, Node] = {}
    _load_nodes(store, GC + "ReferenceGraph", nodes)
    labels = StoreLabels(store)
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
            fact.sources.append(Source(src, row["name"] or str(labels.get(src, src)), row["url"]))
    post_in: dict[str, set[str]] = {}
    for row in _rows(store, POSTS_QUERY):
        post_in.setdefault(row["post"] or "", set()).add(row["in"] or "")
    return Snapshot(base, nodes, [], facts, labels, post_in)


@dataclass(frozen=True)
class Batch:
    """The graphs of some articles that the checker reads: each query is given only the graphs
    of the kind it reads (a query over a variable graph meets every graph it is given)."""

    claims: list[str]
    documents: list[str]
    propositions: list[str]


def load_claims(store: Store, batch: Batch | None = None) -> tuple[list[Claim], dict[str, Node]]:
    """The claims (in IRI order) and proposition nodes of the store, or of a batch of articles
    only (see `batch_graphs`)."""
    claims_graphs = batch.claims if batch else None
    documents = batch.documents if batch else None
    nodes: dict[str, Node] = {}
    _load_nodes(store, GC + "PropositionGraph", nodes, batch.propositions if batch else None)
    acts: dict[str, set[str]] = {}
    for row in _rows(store, ACTS_QUERY, claims_graphs):
        acts.setdefault(row["claim"] or "", set()).add(row["t"] or "")
    claimants: dict[str, set[str]] = {}
    for row in _rows(store, CLAIMANTS_QUERY, claims_graphs):
        claimants.setdefault(row["claim"] or "", set()).add(row["who"] or "")
    spans = {row["span"]: row for row in _rows(store, SPANS_QUERY, documents)}
    published = {
        row["article"]: _date(row["pub"]) for row in _rows(store, PUBLISHED_QUERY, documents)
    }
    claims: dict[str, Claim] = {}
    for row in _rows(store, CLAIMS_QUERY, claims_graphs):
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
    times = _rows(store, TIMES_QUERY) if batch is None else _times(store, batch.claims)
    for row in times:
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
    return sorted(claims.values(), key=lambda c: c.iri), nodes


def load_snapshot(store: Store, base: str) -> Snapshot:
    """Read claims, propositions, reference facts and labels from the store, all at once."""
    claims, nodes = load_claims(store)
    return load_context(store, base).with_claims(claims, nodes)


def claim_graphs(store: Store) -> list[str]:
    """The claims graphs of the store, in IRI order (one an article)."""
    return [row["cg"] or "" for row in _rows(store, CLAIM_GRAPHS_QUERY)]


def batch_graphs(store: Store, claims_graphs: list[str]) -> Batch:
    """The graphs that say everything about the claims of `claims_graphs`: those graphs, the
    proposition graphs their claims name and the document graphs of their articles."""
    props: set[str] = set()
    articles: set[str] = set()
    for row in _rows(store, BATCH_QUERY, claims_graphs):
        props.add(row["prop"] or "")
        articles.add(row["article"] or "")
    docs: set[str] = set()
    for article in sorted(articles):
        try:
            term = str(ox.NamedNode(article))
        except ValueError:
            continue
        docs.update(row["dg"] or "" for row in _rows(store, DOCUMENTS_QUERY % {"article": term}))
    return Batch(sorted(claims_graphs), sorted(docs), sorted(props))


__all__ = [
    "XSD",
    "Batch",
    "Claim",
    "Fact",
    "Lit",
    "Node",
    "Snapshot",
    "Source",
    "StoreLabels",
    "Value",
    "batch_graphs",
    "claim_graphs",
    "load_claims",
    "load_context",
    "load_snapshot",
]
