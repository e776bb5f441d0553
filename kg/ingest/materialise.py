"""Standard triples beside project terms, so stores without inference answer standard queries.

For each triple using a gc: class or property, every super-class/super-property the ontology
gives (rdfs:subClassOf, rdfs:subPropertyOf, owl:equivalent*, transitively) is added too, plus the
interop profile's minimum (`STANDARD_TYPES`, `STANDARD_PROPERTIES`) in case the ontology omits one.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.ingest.terms import TYPE, Sink
from kg.ingest.vocab import Vocab
from kg.namespaces import FOAF, GC, ORG, PROV, SCHEMA

STANDARD_TYPES: dict[str, tuple[str, ...]] = {
    GC + "Claim": (SCHEMA + "Claim", PROV + "Entity"),
    GC + "State": (SCHEMA + "Country", SCHEMA + "Place"),
    GC + "Leader": (SCHEMA + "Person", PROV + "Agent"),
    GC + "Person": (SCHEMA + "Person", PROV + "Agent"),
    GC + "Alliance": (SCHEMA + "Organization", ORG + "FormalOrganization", PROV + "Agent"),
    GC + "Organisation": (SCHEMA + "Organization", ORG + "FormalOrganization", PROV + "Agent"),
    GC + "Publisher": (SCHEMA + "Organization", PROV + "Agent"),
    GC + "Group": (FOAF + "Group", PROV + "Agent"),
    GC + "UnattributedSource": (PROV + "Agent",),
    GC + "City": (SCHEMA + "City", SCHEMA + "Place"),
    GC + "Place": (SCHEMA + "Place",),
    GC + "Event": (SCHEMA + "Event",),
    GC + "Post": (ORG + "Post",),
    GC + "Membership": (ORG + "Membership",),
}

STANDARD_PROPERTIES: dict[str, tuple[str, ...]] = {
    GC + "claimant": (PROV + "wasAttributedTo",),
    GC + "evidence": (PROV + "wasDerivedFrom",),
    GC + "about": (SCHEMA + "about",),
    GC + "appearsIn": (SCHEMA + "appearance",),
    GC + "postIn": (ORG + "postIn",),
}


class Materialiser:
    """Precomputed super-terms per gc: term, applied quad by quad (linear in the quads)."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self._classes: dict[str, tuple[ox.NamedNode, ...]] = {}
        self._props: dict[str, tuple[ox.NamedNode, ...]] = {}

    def class_supers(self, cls: str) -> tuple[ox.NamedNode, ...]:
        if cls not in self._classes:
            sups = {cls} | self.vocab.supers_of_class(cls)
            extra = {t for c in sups for t in STANDARD_TYPES.get(c, ())}
            self._classes[cls] = tuple(ox.NamedNode(c) for c in sorted((sups | extra) - {cls}))
        return self._classes[cls]

    def property_supers(self, prop: str) -> tuple[ox.NamedNode, ...]:
        if prop not in self._props:
            sups = {prop} | self.vocab.supers_of_property(prop)
            extra = {t for p in sups for t in STANDARD_PROPERTIES.get(p, ())}
            self._props[prop] = tuple(ox.NamedNode(p) for p in sorted((sups | extra) - {prop}))
        return self._props[prop]

    def apply(
        self, sink: Sink, graphs: list[str] | None = None, *, project_only: set[str] | None = None
    ) -> None:
        """Add the super-terms of every gc: type and property in these graphs of `sink`.

        Graphs in `project_only` (propositions: what somebody says, vouched for by nobody) get
        only the gc: super-terms, so a standard query (schema:Event, org:member, ...) over the
        union graph never meets a disputed proposition as if it were a fact.
        """
        skip = project_only or set()
        for graph in graphs if graphs is not None else list(sink.graphs):
            triples = sink.graphs.get(graph, {})
            ours = graph in skip
            new: list[tuple[ox.NamedNode, ox.NamedNode, ox.Term]] = []
            for s, p, o in triples:
                if p == TYPE:
                    if isinstance(o, ox.NamedNode) and o.value.startswith(GC):
                        sups = self.class_supers(o.value)
                        new.extend((s, TYPE, c) for c in sups if not ours or c.value.startswith(GC))
                elif p.value.startswith(GC):
                    sups = self.property_supers(p.value)
                    new.extend((s, sp, o) for sp in sups if not ours or sp.value.startswith(GC))
            for t in new:
                triples[t] = None
