"""What the rules share: the Rule record, kinds of node, entity roles, matching reference nodes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kg.check.model import Claim, Lit, Node, Snapshot
from kg.check.rules.values import dates
from kg.check.verdict import Finding
from kg.namespaces import GC

# Types that say nothing about what kind of thing a node is, for matching claim to reference.
GENERIC_TYPES = {
    GC + t for t in ("Proposition", "Event", "ReferenceFact", "Quantity", "TimeExpression")
}


@dataclass(frozen=True)
class Rule:
    """A named, described comparison of proposition nodes with the reference facts."""

    name: str
    description: str
    check: Callable[[Snapshot, Claim, Node], list[Finding]]


def kinds(node: Node) -> set[str]:
    """The node's own gc: classes, without the generic ones (nor the graph roles of a root)."""
    return {
        t
        for t in node.types
        if t.startswith(GC) and t not in GENERIC_TYPES and not t.endswith("Graph")
    }


def kind_words(snap: Snapshot, node: Node) -> str:
    """The node's kinds in words; an event occurrence says which event ("event occurrence:
    deployment")."""
    words = ", ".join(sorted(snap.label(t) for t in kinds(node))) or "statement"
    events = [snap.node(v) for v in node.iris(GC + "event") if v.startswith(node.graph + "/")]
    inner = ", ".join(sorted({snap.label(t) for e in events if e is not None for t in kinds(e)}))
    return f"{words}: {inner}" if inner else words


def entity_roles(snap: Snapshot, node: Node, skip: Iterable[str] = ()) -> dict[str, set[str]]:
    """Property -> entity IRIs the node names directly (not nested nodes)."""
    skip = set(skip)
    out: dict[str, set[str]] = {}
    for prop, values in node.props.items():
        # Only the proposition vocabulary: standard duplicates (sem:, schema:) add nothing.
        if prop in skip or not prop.startswith(GC):
            continue
        ents = {v for v in values if isinstance(v, str) and snap.is_entity(v)}
        if ents:
            out[prop] = ents
    return out


def roles_agree(snap: Snapshot, a: Node, b: Node, skip: Iterable[str] = ()) -> bool:
    """Both nodes name at least one common role, and every role named by both shares an entity."""
    ra, rb = entity_roles(snap, a, skip), entity_roles(snap, b, skip)
    shared = set(ra) & set(rb)
    return bool(shared) and all(ra[p] & rb[p] for p in shared)


QUALIFIER_SKIP = {
    GC + "surfaceText",
    GC + "labelText",
    GC + "date",
    GC + "year",
    GC + "yearMonth",
    GC + "startDate",
    GC + "endDate",
    GC + "asOf",
    GC + "durationYears",
    GC + "durationDays",
    GC + "fullName",
    GC + "vague",
}


def qualifiers_agree(a: Node, b: Node, skip: Iterable[str] = ()) -> bool:
    """Literal qualifiers both nodes state (ordinal, includesSinceYear, ...) are equal."""
    skip = QUALIFIER_SKIP | set(skip)
    for prop, values in a.props.items():
        if prop in skip or not prop.startswith(GC):
            continue
        mine = {v.value for v in values if isinstance(v, Lit)}
        theirs = {v.value for v in b.values(prop) if isinstance(v, Lit)}
        if mine and theirs and not mine & theirs:
            return False
    return True


def children(snap: Snapshot, node: Node) -> dict[str, list[Node]]:
    """Property -> the nodes nested in the same graph under it."""
    out: dict[str, list[Node]] = {}
    for prop, values in node.props.items():
        if not prop.startswith(GC):
            continue
        for v in values:
            child = snap.node(v) if isinstance(v, str) else None
            # Nested nodes are named under their graph (B proposition/{aid}/{pid}/{key}, ...).
            if child is not None and child.graph == node.graph and v.startswith(node.graph + "/"):
                out.setdefault(prop, []).append(child)
    return out


def matches(snap: Snapshot, a: Node, b: Node) -> bool:
    """Same kind, agreeing roles (or none on either side), matching nested nodes, recursively."""
    if not kinds(a) & kinds(b):
        return False
    ra, rb = entity_roles(snap, a), entity_roles(snap, b)
    if (ra or rb) and not roles_agree(snap, a, b):
        return False
    theirs = children(snap, b)
    for prop, mine in children(snap, a).items():
        if GC + "Condition" in {t for c in mine for t in c.types}:
            continue  # conditions are words, compared by the rules that care
        if not all(any(matches(snap, c, d) for d in theirs.get(prop, [])) for c in mine):
            return False
    return True


def nested(snap: Snapshot, node: Node, prop: str) -> list[Node]:
    """The nodes nested under a property (IRIs of the same graph that have data)."""
    out = []
    for iri in node.iris(prop):
        child = snap.node(iri)
        if child is not None and child.graph == node.graph:
            out.append(child)
    return out


def same_kind_reference(snap: Snapshot, node: Node, skip: Iterable[str] = ()) -> list[Node]:
    """Reference nodes of one of the node's kinds whose entity roles agree with it."""
    mine = kinds(node)
    if not mine:
        return []
    return [
        r
        for r in snap.reference_nodes(mine)
        if kinds(r) & mine and roles_agree(snap, node, r, skip)
    ]


def dated_events(snap: Snapshot, node: Node, props: Iterable[str]) -> list[Node]:
    """Reference nodes of the node's kind, roles and qualifiers that carry a date in `props`."""
    mine = kinds(node)
    return [
        r
        for r in snap.reference_nodes(mine)
        if kinds(r) & mine
        and roles_agree(snap, node, r)
        and qualifiers_agree(node, r)
        and dates(snap, r, props)
    ]


def fact_ids(snap: Snapshot, nodes: Iterable[Node]) -> tuple[str, ...]:
    """The reference facts (graph IRIs) holding these nodes, in order, without repeats."""
    return tuple(dict.fromkeys(n.graph for n in nodes if n.graph in snap.facts))


def fact_names(snap: Snapshot, nodes: Iterable[Node]) -> str:
    return ", ".join(snap.facts[g].fid for g in fact_ids(snap, nodes))
