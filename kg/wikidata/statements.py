"""Propositions and reference statements -> Wikidata statements (verified properties only)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.namespaces import GC, RDF
from kg.wikidata.read import Graphs
from kg.wikidata.terms import decimal


@dataclass
class Statement:
    """One statement before it is written: subject, property, value, qualifiers, extras."""

    subject: str
    pid: str
    value: ox.Term
    qualifiers: list[tuple[str, ox.Term]] = field(default_factory=list)
    extra: list[tuple[str, ox.Term]] = field(default_factory=list)  # project triples on it


def _objects(props: dict[str, list[ox.Term]], *locals_: str) -> list[ox.Term]:
    return [o for local in locals_ for o in props.get(GC + local, [])]


def _types(props: dict[str, list[ox.Term]]) -> set[str]:
    return {t.value for t in props.get(RDF + "type", [])}


def _dates(props: dict[str, list[ox.Term]], *locals_: str) -> list[ox.Literal]:
    return [o for o in _objects(props, *locals_) if isinstance(o, ox.Literal)]


def propositions(graphs: Graphs, g: str, node: str) -> list[Statement]:
    """The statements one proposition (or reference statement) node makes, by its class."""
    props = graphs.props(g, node)
    types = _types(props)
    out: list[Statement] = []

    def each(subjects: list[ox.Term], pid: str, values: list[ox.Term]) -> list[Statement]:
        made = [
            Statement(s.value, pid, v)
            for s in subjects
            if isinstance(s, ox.NamedNode)
            for v in values
        ]
        out.extend(made)
        return made

    if GC + "BorderStatement" in types:
        for st in each(_objects(props, "state"), "P47", _objects(props, "neighbour")):
            st.extra += [(GC + "direction", d) for d in _objects(props, "direction")]
    if GC + "TenureStatement" in types:
        for st in each(_objects(props, "holder"), "P39", _objects(props, "post")):
            st.qualifiers += [("P580", d) for d in _dates(props, "startDate", "year")]
            st.qualifiers += [("P582", d) for d in _dates(props, "endDate")]
            st.qualifiers += [("P585", d) for d in _dates(props, "asOf")]
    if GC + "MembershipStatement" in types:
        for st in each(_objects(props, "member"), "P463", _objects(props, "organisation")):
            st.qualifiers += [("P580", d) for d in _dates(props, "memberSince", "startDate")]
            st.qualifiers += [("P582", d) for d in _dates(props, "endDate")]
    if GC + "CapitalStatement" in types:
        each(_objects(props, "state"), "P36", _objects(props, "capital"))
    if GC + "Founding" in types:
        each(_objects(props, "founded"), "P571", _dates(props, "date"))
    if GC + "Independence" in types:
        each(_objects(props, "state"), "P571", _dates(props, "date"))
    if GC + "AgreementSigning" in types:
        for agreement in _objects(props, "agreement"):
            inner = graphs.props(g, agreement.value)
            each([agreement], "P1891", _objects(inner, "party"))
    if GC + "EventOccurrence" in types:
        for event in _objects(props, "event"):
            out.extend(_event(graphs, g, event))
    return out


def _event(graphs: Graphs, g: str, event: ox.Term) -> list[Statement]:
    """An event's participants, place, date and counts."""
    props = graphs.props(g, event.value)
    if not props:
        return []
    made = [Statement(event.value, "P710", v) for v in _objects(props, *_PARTICIPANTS)]
    made += [Statement(event.value, "P276", v) for v in _objects(props, "location")]
    made += [Statement(event.value, "P585", d) for d in _dates(props, "date")]
    for pid, local in (("P1132", "participantCount"), ("P1120", "deathCount")):
        for quantity in _objects(props, local):
            amount = graphs.props(g, quantity.value)
            for bound in ("exactValue", "minValue", "maxValue"):
                for value in _objects(amount, bound):
                    extra = [] if bound == "exactValue" else [(GC + bound, value)]
                    made.append(Statement(event.value, pid, decimal(value), extra=extra))
    return made


_PARTICIPANTS = ("agent", "participant", "recipient")
