"""The bare prefix of a kind of IRI (`/entity`, `/claim`, ...) as a paged list of its members."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.browse.resources import SORT_LIMIT, order_by
from kg.browse.terms import Term, rows, term
from kg.namespaces import GC, PROV, SCHEMA

PER_PAGE = 100
TITLES = {
    "entity": "Entities",
    "article": "Articles",
    "claim": "Claims",
    "proposition": "Propositions",
    "reference": "Reference facts",
    "source": "Sources",
    "review": "Reviews (verdicts of kg check)",
    "rule": "Rules of kg check",
    "graph": "Named graphs",
    "agent": "Agents",
    "software": "Software",
}
# The class whose members make the kind's list (found through the type index, not a scan);
# kinds without one list every typed subject under their prefix.
CLASSES = {
    "entity": None,
    "article": SCHEMA + "NewsArticle",
    "claim": SCHEMA + "Claim",
    "proposition": GC + "PropositionGraph",
    "reference": GC + "ReferenceFact",
    "source": GC + "Source",
    "review": SCHEMA + "ClaimReview",
    "rule": PROV + "Plan",
}


@dataclass
class Listing:
    """One page of the members of a kind."""

    root: str
    members: list[Term]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))

    @property
    def sorted(self) -> bool:
        """Whether the members are in IRI order (else the store's own, stable order)."""
        return self.total <= SORT_LIMIT


def _pattern(root: str) -> str:
    cls = CLASSES.get(root)
    if root == "graph":
        return "GRAPH ?x { ?x a ?t }"
    if root == "entity":
        return "GRAPH ?g { ?g a gc:EntityGraph . ?x a ?t }"
    if cls is not None:
        return f"?x a <{cls}>"
    return "?x a ?t"


def members(store: Any, base_iri: str, root: str, page: int = 1) -> Listing:
    """The IRIs of one kind (those under `base_iri + root + "/"`), one page in IRI order."""
    prefix = ox.Literal(f"{base_iri}{root}/")
    where = f"{_pattern(root)} FILTER(STRSTARTS(STR(?x), ?prefix))"
    count = rows(
        store,
        f"SELECT ?prefix (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }} GROUP BY ?prefix",
        prefix=prefix,
    )
    total = int(count[0]["n"].value) if count else 0
    offset = (max(1, page) - 1) * PER_PAGE
    found = rows(
        store,
        f"SELECT DISTINCT ?prefix ?x WHERE {{ {where} }} {order_by(total, '?x')}"
        f" LIMIT {PER_PAGE} OFFSET {offset}",
        prefix=prefix,
    )
    return Listing(root, [term(r["x"]) for r in found], total, max(1, page))
