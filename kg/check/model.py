"""The checker's records: literals, nodes, claims, reference facts, and their snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from kg.namespaces import GC

XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Lit:
    """A literal value: its lexical form, datatype IRI and language tag."""

    value: str
    datatype: str = XSD + "string"
    language: str | None = None

    def as_int(self) -> int | None:
        """The value as an integer, if it is one."""
        try:
            return int(self.value)
        except ValueError:
            return None


Value = str | Lit  # an IRI (str) or a literal


@dataclass
class Node:
    """A subject of one graph: its types and its property values (IRIs or literals)."""

    iri: str
    graph: str
    types: set[str] = field(default_factory=set)
    props: dict[str, list[Value]] = field(default_factory=dict)

    def values(self, prop: str) -> list[Value]:
        """All values of a property (full IRI), in a stable order."""
        return self.props.get(prop, [])

    def iris(self, prop: str) -> list[str]:
        """The IRI values of a property."""
        return [v for v in self.values(prop) if isinstance(v, str)]

    def literals(self, prop: str) -> list[Lit]:
        """The literal values of a property."""
        return [v for v in self.values(prop) if isinstance(v, Lit)]

    def first_literal(self, prop: str) -> Lit | None:
        lits = self.literals(prop)
        return lits[0] if lits else None


@dataclass
class Claim:
    """A claim as the checker sees it: qualities, proposition, span and dates."""

    iri: str
    aid: str
    cid: str
    article: str
    proposition: str
    acts: set[str]
    polarity: str | None
    certainty: str | None
    modality: str | None
    attribution: str | None
    claimants: set[str]
    span: str | None
    begin: int | None
    end: int | None
    words: str
    published: date | None
    # (begin, end) of each resolved time expression (a date gives begin == end)
    times: list[tuple[date, date]] = field(default_factory=list)
    anchors: list[date] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    iri: str
    name: str
    url: str | None


@dataclass
class Fact:
    """A reference fact: its id, its statement nodes and its sources."""

    iri: str
    fid: str
    text: str
    statements: list[str]
    sources: list[Source]


class Labels(Protocol):
    """Where labels come from: a dict, or the store read on demand (kg.check.graph.StoreLabels)."""

    def get(self, iri: str, default: str | None = None, /) -> str | None: ...


@dataclass
class Snapshot:
    """Everything the rules read about some claims (all of a store's, or a batch of articles')."""

    base: str
    nodes: dict[str, Node]
    claims: list[Claim]
    facts: dict[str, Fact]
    labels: Labels
    post_in: dict[str, set[str]] = field(default_factory=dict)  # post -> states (entities)
    _vouched: list[Node] | None = field(default=None, repr=False)
    _by_kind: dict[str, list[Node]] = field(default_factory=dict, repr=False)
    _by_graph: dict[str, list[Node]] | None = field(default=None, repr=False)
    _speech: list[Node] | None = field(default=None, repr=False)

    def node(self, iri: str) -> Node | None:
        return self.nodes.get(iri)

    def with_claims(self, claims: list[Claim], nodes: dict[str, Node]) -> Snapshot:
        """The same reference facts and labels with other claims and their proposition nodes
        (a batch of articles: what the reference facts give is worked out once, here)."""
        self.reference_nodes()
        self.speech_reports()
        return Snapshot(
            self.base,
            {**self.nodes, **nodes},
            claims,
            self.facts,
            self.labels,
            self.post_in,
            self._vouched,
            self._by_kind,
            None,
            self._speech,
        )

    def nodes_of(self, graph: str) -> list[Node]:
        """The nodes of one graph (a proposition's), its root first, then in IRI order."""
        if self._by_graph is None:
            self._by_graph = {}
            for n in self.nodes.values():
                self._by_graph.setdefault(n.graph, []).append(n)
        return sorted(self._by_graph.get(graph, []), key=lambda n: (n.iri != graph, n.iri))

    def label(self, iri: str) -> str:
        """A readable name for an IRI: its label, else its local name."""
        found = self.labels.get(iri)
        if found is not None:
            return found
        local = iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        return local.replace("-", " ")

    def is_entity(self, iri: str) -> bool:
        return iri.startswith(self.base + "entity/")

    def fact_of(self, node_iri: str) -> Fact | None:
        """The reference fact whose graph holds this node."""
        node = self.nodes.get(node_iri)
        return self.facts.get(node.graph) if node else None

    def reference_nodes(self, of_kinds: set[str] | None = None) -> list[Node]:
        """The nodes the reference facts vouch for, in IRI order (only of these kinds, if given).

        These are the statement nodes nested in a fact's graph (`B reference/{fid}/...`), minus
        what a gc:SpeechReport says somebody asserted or denied: the fact vouches that it was
        said, not that it is so.
        """
        if self._vouched is None:
            reported: set[str] = set()
            todo = [
                v
                for n in self.nodes.values()
                if n.graph in self.facts
                for p in (GC + "asserted", GC + "denied")
                for v in n.iris(p)
            ]
            while todo:
                iri = todo.pop()
                node = self.nodes.get(iri)
                if iri in reported or node is None:
                    continue
                reported.add(iri)
                todo += [
                    v
                    for vs in node.props.values()
                    for v in vs
                    if isinstance(v, str) and v.startswith(node.graph + "/")
                ]
            self._vouched = [
                n
                for iri, n in sorted(self.nodes.items())
                if n.graph in self.facts and iri.startswith(n.graph + "/") and iri not in reported
            ]
            self._by_kind = {}
            for n in self._vouched:
                for t in n.types:
                    self._by_kind.setdefault(t, []).append(n)
        if of_kinds is None:
            return self._vouched
        # An index by type keeps the rules linear in the claims, however many facts there are.
        found = {n.iri: n for t in of_kinds for n in self._by_kind.get(t, [])}
        return [found[i] for i in sorted(found)]

    def reported_nodes(self, node: Node, prop: str) -> list[Node]:
        """The nodes a speech report says were asserted or denied (`prop`)."""
        return [n for v in node.iris(prop) if (n := self.nodes.get(v)) is not None]

    def speech_reports(self) -> list[Node]:
        """Reference nodes typed gc:SpeechReport (what somebody is recorded as saying)."""
        if self._speech is None:
            self._speech = [
                n
                for _, n in sorted(self.nodes.items())
                if n.graph in self.facts and GC + "SpeechReport" in n.types
            ]
        return self._speech
