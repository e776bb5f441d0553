"""RDF terms as the pages show them, and the store queries every page needs (labels, rows)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.namespaces import PREFIXES, RDFS, SCHEMA, SKOS
from kg.web.links import Site, curie

PREFIX_LINES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
_LABEL_PROPS = (RDFS + "label", SKOS + "prefLabel", SCHEMA + "headline", SCHEMA + "name")


@dataclass(frozen=True)
class Term:
    """An RDF term for a template: kind 'iri', 'literal' or 'bnode'."""

    kind: str
    value: str
    lang: str = ""
    datatype: str = ""

    @property
    def is_iri(self) -> bool:
        return self.kind == "iri"


def term(node: Any) -> Term:
    """A pyoxigraph term as a Term."""
    if isinstance(node, ox.NamedNode):
        return Term("iri", node.value)
    if isinstance(node, ox.Literal):
        datatype = node.datatype.value if node.datatype is not None else ""
        return Term("literal", node.value, node.language or "", datatype)
    return Term("bnode", str(node))


def rows(store: Any, sparql: str, **bound: Any) -> list[dict[str, Any]]:
    """SELECT rows as dicts of pyoxigraph terms; `bound` values fill projected variables."""
    subs = {k: (ox.NamedNode(v) if isinstance(v, str) else v) for k, v in bound.items()}
    results = store.query(PREFIX_LINES + sparql, union=True, substitutions=subs or None)
    names = [v.value for v in results.variables]
    return [{n: row[n] for n in names if row[n] is not None} for row in results]


def value(node: Any) -> str:
    """The lexical value of a term ('' for None)."""
    return "" if node is None else node.value


def iri_values(iris: Iterable[str]) -> str:
    """A VALUES body of IRIs; each is checked by pyoxigraph, so nothing unsafe is spliced."""
    return " ".join(str(ox.NamedNode(i)) for i in sorted(set(iris)))


def _quoted(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"


class Labels:
    """Labels of the IRIs a page shows, fetched in one query, with fallbacks."""

    def __init__(self, store: Any, site: Site) -> None:
        self.store = store
        self.site = site
        self.found: dict[str, str] = {}

    def fetch(self, iris: Iterable[str]) -> None:
        """Look up the labels of these IRIs (English preferred)."""
        wanted = {i for i in iris if i and i not in self.found}
        if not wanted:
            return
        props = " ".join(f"<{p}>" for p in _LABEL_PROPS)
        sparql = (
            f"SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {iri_values(wanted)} }} "
            f"VALUES ?p {{ {props} }} ?x ?p ?l }}"
        )
        best: dict[str, tuple[int, str]] = {}
        for row in rows(self.store, sparql):
            rank = _LABEL_PROPS.index(row["p"].value) * 3
            lang = getattr(row["l"], "language", None) or ""
            rank += 0 if lang == "en" else (1 if not lang else 2)
            iri = row["x"].value
            if iri not in best or rank < best[iri][0]:
                best[iri] = (rank, row["l"].value)
        self.found.update({iri: text for iri, (_, text) in best.items()})
        # Claims and spans have no label: their words are the best name they have.
        rest = wanted - set(best)
        if rest:
            sparql = (
                f"SELECT ?x (SAMPLE(?q) AS ?quote) WHERE {{ VALUES ?x {{ {iri_values(rest)} }} "
                f"?x nif:anchorOf|gc:evidence/nif:anchorOf ?q }} GROUP BY ?x"
            )
            for row in rows(self.store, sparql):
                if "quote" in row:
                    self.found[row["x"].value] = _quoted(row["quote"].value)

    def __call__(self, iri: str) -> str:
        """The label of an IRI, else its prefixed name, else its path on this site, else itself."""
        if iri in self.found:
            return self.found[iri]
        short = curie(iri)
        if short:
            return short
        path = self.site.local_path(iri)
        return path.lstrip("/") if path else iri


def collect_iris(data: Any) -> set[str]:
    """Every IRI inside nested lists, dicts, tuples and Terms (to fetch their labels at once)."""
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, Term):
            if item.is_iri:
                found.add(item.value)
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set)):
            stack.extend(item)
        elif hasattr(item, "__dataclass_fields__"):
            stack.extend(getattr(item, f) for f in item.__dataclass_fields__)
    return found
