"""RDF terms as the browsing records hold them, and the row helper every reader uses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.namespaces import PREFIXES

PREFIX_LINES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


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


def iri_values(iris: Iterable[str]) -> str:
    """A VALUES body of IRIs; each is checked by pyoxigraph, so nothing unsafe is spliced."""
    return " ".join(str(ox.NamedNode(i)) for i in sorted(set(iris)))


def collect_iris(data: Any) -> set[str]:
    """Every IRI Term inside nested lists, dicts, tuples and records (to fetch their labels at
    once). IRIs kept as plain strings are not looked at: a page names those it shows by label."""
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
