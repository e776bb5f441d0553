"""Small helpers for minting terms and collecting quads per named graph, without duplicates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pyoxigraph as ox

from kg.namespaces import RDF, XSD

TYPE = ox.NamedNode(RDF + "type")


def iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


def en(value: str) -> ox.Literal:
    return ox.Literal(value, language="en")


def plain(value: str) -> ox.Literal:
    return ox.Literal(value)


def integer(value: int, datatype: str = XSD + "integer") -> ox.Literal:
    return typed(str(value), datatype)


def date(value: dt.date) -> ox.Literal:
    return typed(value.isoformat(), XSD + "date")


def datetime(value: dt.datetime) -> ox.Literal:
    return typed(value.isoformat(), XSD + "dateTime")


Triple = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]

_NAMED: dict[str, ox.NamedNode] = {}  # predicates and classes: a few hundred IRIs, made once


def _named(value: str) -> ox.NamedNode:
    node = _NAMED.get(value)
    if node is None:
        if len(_NAMED) > 50_000:  # not meant for instance IRIs; never grows without bound
            _NAMED.clear()
        node = _NAMED[value] = ox.NamedNode(value)
    return node


class Sink:
    """Triples grouped by graph, in first-seen order, each added once.

    Triples are kept as tuples (cheap to build and hash); quads are made when written out.
    """

    def __init__(self) -> None:
        self.graphs: dict[str, dict[Triple, None]] = {}

    def add(self, graph: str, s: ox.NamedNode, p: ox.NamedNode | str, o: ox.Term) -> None:
        pred = p if isinstance(p, ox.NamedNode) else _named(p)
        triples = self.graphs.get(graph)
        if triples is None:
            triples = self.graphs[graph] = {}
        triples[(s, pred, o)] = None

    def add_type(self, graph: str, s: ox.NamedNode, cls: str) -> None:
        triples = self.graphs.get(graph)
        if triples is None:
            triples = self.graphs[graph] = {}
        triples[(s, TYPE, _named(cls))] = None

    def extend(self, quads: list[ox.Quad]) -> None:
        for q in quads:
            self.graphs.setdefault(q.graph_name.value, {})[(q.subject, q.predicate, q.object)] = (
                None
            )

    def triples(self, graph: str) -> Iterator[Triple]:
        yield from self.graphs.get(graph, {})

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        names = [graph] if graph is not None else list(self.graphs)
        for name in names:
            g = ox.NamedNode(name)
            for s, p, o in self.graphs.get(name, {}):
                yield ox.Quad(s, p, o, g)

    def __len__(self) -> int:
        return sum(len(q) for q in self.graphs.values())
