"""Claims as the pages show them: about an entity, one claim with its proposition and neighbours."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from kg.browse.resources import TYPE, Resource
from kg.browse.terms import Term, rows, term
from kg.namespaces import GC


@dataclass
class ClaimView:
    """A claim as listed on an entity page."""

    iri: str
    claimant: Term | None = None
    act: list[Term] = field(default_factory=list)
    polarity: Term | None = None
    modality: Term | None = None
    certainty: Term | None = None
    attribution: Term | None = None
    quote: str = ""
    evidence: Term | None = None
    sentence: Term | None = None
    article: Term | None = None


_CLAIM_FIELDS = """
  OPTIONAL { ?claim gc:claimant ?claimant }
  OPTIONAL { ?claim gc:polarity ?polarity }
  OPTIONAL { ?claim gc:modality ?modality }
  OPTIONAL { ?claim gc:certainty ?certainty }
  OPTIONAL { ?claim gc:attribution ?attribution }
  OPTIONAL { ?claim gc:evidence ?evidence OPTIONAL { ?evidence nif:anchorOf ?quote } }
  OPTIONAL { ?claim gc:sentence ?sentence }
  OPTIONAL { ?claim gc:appearsIn|schema:appearance ?article }
  OPTIONAL { ?claim a ?act FILTER(STRSTARTS(STR(?act), STR(gc:))) }
"""


def _claims(found: list[dict[str, Any]]) -> list[ClaimView]:
    by_iri: dict[str, ClaimView] = {}
    for r in found:
        view = by_iri.setdefault(r["claim"].value, ClaimView(r["claim"].value))
        for name in ("claimant", "polarity", "modality", "certainty", "attribution"):
            if name in r:
                setattr(view, name, term(r[name]))
        for name in ("evidence", "sentence", "article"):
            if name in r:
                setattr(view, name, term(r[name]))
        if "quote" in r:
            view.quote = r["quote"].value
        if "act" in r and term(r["act"]) not in view.act and r["act"].value != GC + "Claim":
            view.act.append(term(r["act"]))
    return list(by_iri.values())


def claims_about(store: Any, iri: str) -> dict[str, list[ClaimView]]:
    """The claims about an entity, grouped by claimant IRI ('' when none is recorded)."""
    sparql = f"SELECT DISTINCT * WHERE {{ ?claim gc:about|schema:about ?e . {_CLAIM_FIELDS} }}"
    grouped: dict[str, list[ClaimView]] = defaultdict(list)
    for view in _claims(rows(store, sparql, e=iri)):
        grouped[view.claimant.value if view.claimant else ""].append(view)
    return dict(sorted(grouped.items()))


def claims_in(store: Any, article: str) -> dict[str, ClaimView]:
    """The claims made in an article, by claim IRI."""
    sparql = (
        f"SELECT DISTINCT * WHERE {{ ?claim gc:appearsIn|schema:appearance ?a . {_CLAIM_FIELDS} }}"
    )
    return {view.iri: view for view in _claims(rows(store, sparql, a=article))}


@dataclass
class Node:
    """A node of a proposition's content, with its nested nodes expanded."""

    iri: str
    types: list[Term]
    props: list[tuple[Term, Term, Node | None]]


def proposition_tree(store: Any, graph: str) -> Node | None:
    """The content of a proposition graph as a tree rooted at the node of the graph's name."""
    by_subject: dict[str, list[tuple[Term, Term]]] = defaultdict(list)
    for r in rows(
        store, "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?s ?p ?o", g=graph
    ):
        by_subject[r["s"].value].append((term(r["p"]), term(r["o"])))

    def build(iri: str, path: tuple[str, ...]) -> Node:
        types = [o for p, o in by_subject[iri] if p.value == TYPE]
        props = []
        for p, o in by_subject[iri]:
            if p.value == TYPE:
                continue
            nested = o.is_iri and o.value in by_subject and o.value not in path and o.value != graph
            props.append((p, o, build(o.value, (*path, o.value)) if nested else None))
        return Node(iri, types, props)

    return build(graph, (graph,)) if graph in by_subject else None


@dataclass
class ClaimPage:
    """A claim's own view plus the claims around it."""

    claim: ClaimView
    propositions: list[tuple[Term, Node | None]]
    supports: list[Term]
    disputes: list[Term]
    supported_by: list[Term]
    disputed_by: list[Term]


def claim_page(store: Any, res: Resource) -> ClaimPage | None:
    """The claim data of a resource that is a claim, else None."""
    found = rows(store, f"SELECT DISTINCT * WHERE {{ {_CLAIM_FIELDS} }}", claim=res.iri)
    props = res.values(GC + "proposition")
    if not props and not res.values(GC + "claimant"):
        return None
    claim = _claims(found)[0] if found else ClaimView(res.iri)
    incoming: dict[str, list[Term]] = defaultdict(list)
    back = rows(
        store,
        "SELECT ?c ?p ?x WHERE { VALUES ?p { gc:supports gc:disputes } ?x ?p ?c } ORDER BY ?x",
        c=res.iri,
    )
    for r in back:
        incoming[r["p"].value].append(term(r["x"]))
    return ClaimPage(
        claim=claim,
        propositions=[(p, proposition_tree(store, p.value)) for p in props if p.is_iri],
        supports=res.values(GC + "supports"),
        disputes=res.values(GC + "disputes"),
        supported_by=incoming[GC + "supports"],
        disputed_by=incoming[GC + "disputes"],
    )
