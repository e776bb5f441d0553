"""Claims as the pages show them: about an entity, one claim with its proposition and neighbours."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from kg.browse.resources import TYPE, Resource
from kg.browse.terms import Term, iri_values, rows, term
from kg.namespaces import GC, GCS

CLAIMS_PER_PAGE = 25
# A disputing claim with polarity "denied" (a denial, a rejection) denies what it disputes.
DENIED = GCS + "polarity/denied"
_HOW = f'BIND(IF(EXISTS {{{{ {{x}} gc:polarity <{DENIED}> }}}}, "denied", "") AS ?how)'


@dataclass(frozen=True)
class Link:
    """Another claim in a dispute: who made it, and whether it denies (a denial, a rejection)."""

    iri: str
    claimant: Term | None
    how: str = ""  # "denied" when the other claim denies (its polarity), else ""


@dataclass
class ClaimView:
    """A claim as a card shows it (entity pages, the article panel, the claim page)."""

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
    ambiguous: bool = False
    note: str = ""
    disputes: list[Link] = field(default_factory=list)  # claims this one disputes
    disputed_by: list[Link] = field(default_factory=list)  # claims disputing this one

    @property
    def how(self) -> str:
        """How this claim disputes others: 'denied' (its polarity says so) or ''."""
        return "denied" if self.polarity and self.polarity.value == DENIED else ""


_CLAIM_FIELDS = """
  OPTIONAL { ?claim gc:claimant ?claimant }
  OPTIONAL { ?claim gc:polarity ?polarity }
  OPTIONAL { ?claim gc:modality ?modality }
  OPTIONAL { ?claim gc:certainty ?certainty }
  OPTIONAL { ?claim gc:attribution ?attribution }
  OPTIONAL { ?claim gc:evidence ?evidence OPTIONAL { ?evidence nif:anchorOf ?quote } }
  OPTIONAL { ?claim gc:sentence ?sentence }
  OPTIONAL { ?claim gc:appearsIn ?article }
  OPTIONAL { ?claim gc:ambiguous ?ambiguous }
  OPTIONAL { ?claim skos:editorialNote ?note }
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
        if "ambiguous" in r:
            view.ambiguous = r["ambiguous"].value in ("true", "1")
        if "note" in r:
            view.note = r["note"].value
        if "act" in r and term(r["act"]) not in view.act and r["act"].value != GC + "Claim":
            view.act.append(term(r["act"]))
    return list(by_iri.values())


def claim_views(store: Any, iris: list[str]) -> list[ClaimView]:
    """These claims as cards, in the order given, with the disputes each is part of."""
    if not iris:
        return []
    sparql = f"SELECT DISTINCT * WHERE {{ VALUES ?claim {{ {iri_values(iris)} }} {_CLAIM_FIELDS} }}"
    by_iri = {v.iri: v for v in _claims(rows(store, sparql))}
    views = [by_iri.get(i) or ClaimView(i) for i in dict.fromkeys(iris)]
    add_disputes(store, views)
    return views


def add_disputes(store: Any, views: list[ClaimView]) -> None:
    """Fill each card's disputes both ways: who disputes it (and whether by denying), whom it
    disputes."""
    if not views:
        return
    by_iri = {v.iri: v for v in views}
    sparql = (
        f"SELECT DISTINCT ?c ?dir ?x ?who ?how WHERE {{ VALUES ?c {{ {iri_values(by_iri)} }}"
        " { ?x gc:disputes ?c BIND(1 AS ?dir) } UNION { ?c gc:disputes ?x BIND(0 AS ?dir) }"
        f" OPTIONAL {{ ?x gc:claimant ?who }} {_HOW.format(x='?x')} }} ORDER BY ?c ?x"
    )
    for r in rows(store, sparql):
        link = Link(r["x"].value, term(r["who"]) if "who" in r else None, r["how"].value)
        view = by_iri[r["c"].value]
        (view.disputed_by if r["dir"].value == "1" else view.disputes).append(link)


def dispute_iris(views: list[ClaimView]) -> list[str]:
    """The other claims of these cards' disputes (the cards show them by title)."""
    return [link.iri for v in views for link in (*v.disputes, *v.disputed_by)]


@dataclass
class ClaimList:
    """One page of the claims about an entity, grouped by claimant (the most prolific first)."""

    groups: list[tuple[str, list[ClaimView]]]  # claimant IRI ("" for none), its claims here
    claimants: list[tuple[str, int]]  # every claimant with its count, most prolific first
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // CLAIMS_PER_PAGE))


_ABOUT = "SELECT ?e ?claim ?who WHERE { ?claim gc:about ?e OPTIONAL { ?claim gc:claimant ?who } }"


def claims_about(store: Any, iri: str, page: int = 1) -> ClaimList:
    """One page of the claims about an entity, grouped by claimant ('' when none is recorded).

    One plain query gives every (claim, claimant) pair; counting, ordering and paging them here
    costs less than having the engine group and sort (a few thousand pairs at most)."""
    who_of: dict[str, str] = {}
    for r in rows(store, _ABOUT, e=iri):
        who_of.setdefault(r["claim"].value, r["who"].value if "who" in r else "")
    counts: dict[str, int] = defaultdict(int)
    for who in who_of.values():
        counts[who] += 1
    # The most prolific claimant first ("" = none, last among equals), then by IRI.
    claimants = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] == "", kv[0]))
    rank = {who: n for n, (who, _) in enumerate(claimants)}
    ordered = sorted(who_of, key=lambda c: (rank[who_of[c]], c))
    start = (max(1, page) - 1) * CLAIMS_PER_PAGE
    shown = ordered[start : start + CLAIMS_PER_PAGE]
    views = {v.iri: v for v in claim_views(store, shown)}
    groups: dict[str, list[ClaimView]] = {}
    for c in shown:
        groups.setdefault(who_of[c], []).append(views[c])
    return ClaimList(list(groups.items()), claimants, len(who_of), max(1, page))


def claims_in(store: Any, article: str) -> dict[str, ClaimView]:
    """The claims made in an article, by claim IRI, with their disputes."""
    sparql = f"SELECT DISTINCT * WHERE {{ ?claim gc:appearsIn ?a . {_CLAIM_FIELDS} }}"
    views = _claims(rows(store, sparql, a=article))
    add_disputes(store, views)
    return {view.iri: view for view in views}


@dataclass
class Node:
    """A node of a proposition's content, with its nested nodes expanded."""

    iri: str
    types: list[Term]
    props: list[tuple[Term, Term, Node | None]]
    others: list[Node] = field(default_factory=list)  # the root only: statements on other nodes


def proposition_tree(store: Any, graph: str) -> Node | None:
    """The content of a graph as a tree rooted at the node of the graph's name.

    Only the graph's own nodes (IRIs under the graph's, blank nodes) are expanded in place; a
    statement about anything else (an entity: "Lukashenko holds the presidency") is listed once
    among `others`, so no path runs holder -> holds -> heldBy.
    """
    by_subject: dict[str, list[tuple[Term, Term]]] = defaultdict(list)
    for r in rows(
        store, "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?s ?p ?o", g=graph
    ):
        by_subject[r["s"].value].append((term(r["p"]), term(r["o"])))
    if graph not in by_subject:
        return None
    own = (graph + "/", graph + "#")
    shown: set[str] = set()

    def build(iri: str) -> Node:
        shown.add(iri)
        types = [o for p, o in by_subject[iri] if p.value == TYPE]
        props = []
        for p, o in by_subject[iri]:
            if p.value == TYPE:
                continue
            nested = (
                o.value in by_subject
                and o.value not in shown
                and (o.kind == "bnode" or o.value.startswith(own))
            )
            props.append((p, o, build(o.value) if nested else None))
        return Node(iri, types, props)

    root = build(graph)
    root.others = [build(s) for s in by_subject if s not in shown]
    return root


@dataclass
class ClaimPage:
    """A claim's own view plus the claims around it."""

    claim: ClaimView
    propositions: list[tuple[Term, Node | None]]
    supports: list[Term]
    supported_by: list[Term]


def claim_page(store: Any, res: Resource) -> ClaimPage | None:
    """The claim data of a resource that is a claim, else None."""
    props = res.values(GC + "proposition")
    if not props and not res.values(GC + "claimant"):
        return None
    (claim,) = claim_views(store, [res.iri])
    back = rows(store, "SELECT ?c ?x WHERE { ?x gc:supports ?c } ORDER BY ?x", c=res.iri)
    return ClaimPage(
        claim=claim,
        propositions=[(p, proposition_tree(store, p.value)) for p in props if p.is_iri],
        supports=res.values(GC + "supports"),
        supported_by=[term(r["x"]) for r in back],
    )


DISPUTES_SHOWN = 20


def entity_disputes(store: Any, iri: str) -> tuple[list[tuple[Link, Link]], bool]:
    """(disputed claim, disputing claim) pairs where either is about the entity, the first
    DISPUTES_SHOWN; and whether there are more."""
    # Two plain joins (claims disputing one about the entity, claims about it disputing another)
    # rather than a UNION, which the engine would start from every dispute in the store.
    found: list[dict[str, Any]] = []
    for where in ("?b gc:about ?e . ?a gc:disputes ?b", "?a gc:about ?e . ?a gc:disputes ?b"):
        found += rows(
            store,
            f"SELECT DISTINCT ?e ?a ?b ?whoA ?whoB ?how WHERE {{ {where}"
            " OPTIONAL { ?a gc:claimant ?whoA } OPTIONAL { ?b gc:claimant ?whoB }"
            f" {_HOW.format(x='?a')} }}"
            f" ORDER BY ?b ?a LIMIT {DISPUTES_SHOWN + 1}",
            e=iri,
        )
    unique = {(r["b"].value, r["a"].value): r for r in found}
    found = [unique[k] for k in sorted(unique)]
    pairs = [
        (
            Link(r["b"].value, term(r["whoB"]) if "whoB" in r else None),
            Link(r["a"].value, term(r["whoA"]) if "whoA" in r else None, r["how"].value),
        )
        for r in found[:DISPUTES_SHOWN]
    ]
    return pairs, len(found) > DISPUTES_SHOWN
