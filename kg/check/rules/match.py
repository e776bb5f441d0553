"""Fallbacks: a node a reference fact states in full is consistent with it; a node that agrees
with a reference node of its kind on some roles but swaps an entity into another role is partly
correct."""

from __future__ import annotations

from kg.check.model import Claim, Lit, Node, Snapshot
from kg.check.rules.common import Rule, entity_roles, fact_ids, kind_words, kinds
from kg.check.verdict import CONSISTENT, PARTLY, Finding
from kg.namespaces import GC

# Words and free text do not have to match: they say how, not what.
IGNORED = {GC + "surfaceText", GC + "labelText"}


def _covered(snap: Snapshot, node: Node, ref: Node) -> bool:
    """Every value the node states is stated by the reference node too (nested nodes aside)."""
    named = False
    for prop, values in node.props.items():
        if prop in IGNORED or not prop.startswith(GC):
            continue
        theirs = ref.values(prop)
        for v in values:
            if isinstance(v, Lit):
                if not any(isinstance(t, Lit) and t.value == v.value for t in theirs):
                    return False
            elif snap.node(v) is not None and snap.node(v).graph == node.graph:
                continue  # a nested node: judged by the rules on its own
            elif v not in theirs:
                return False
            else:
                named = True
    return named


def check_match(snap: Snapshot, claim: Claim, node: Node) -> list[Finding]:
    """Consistent when a reference node of the same kind states everything this node states."""
    mine = kinds(node)
    if not mine:
        return []
    refs = [r for r in snap.reference_nodes(mine) if kinds(r) & mine and _covered(snap, node, r)]
    if not refs:
        return []
    fids = ", ".join(snap.facts[g].fid for g in fact_ids(snap, refs))
    # A role materialised under its super-property too (gc:election, gc:event) is said once.
    parts: dict[frozenset[str], str] = {}
    for p, es in sorted(entity_roles(snap, node).items()):
        parts.setdefault(frozenset(es), f"{snap.label(p)} {', '.join(sorted(map(snap.label, es)))}")
    said = "; ".join(parts.values())
    verb = "state" if "," in fids else "states"
    return [
        Finding(
            CONSISTENT,
            f"{fids} {verb} the same {kind_words(snap, node)}" + (f" ({said})." if said else "."),
            fact_ids(snap, refs),
        )
    ]


MATCH = Rule(
    "same-statement",
    "Used only where no other rule judged a node: a proposition node is consistent with a "
    "reference node of the same kind that states every entity and value it states (nested "
    "nodes are judged on their own); no match leaves it to the other nodes or not checkable.",
    check_match,
)


def check_roles(snap: Snapshot, claim: Claim, node: Node) -> list[Finding]:
    """Partly correct when a reference node of the same kind agrees on some roles but puts an
    entity the claim names in one role into another (origin for destination, and the like)."""
    if not kinds(node):
        return []
    mine = entity_roles(snap, node)
    findings = []
    for ref in snap.reference_nodes(kinds(node)):
        if not kinds(ref) & kinds(node):
            continue
        theirs = entity_roles(snap, ref)
        same = sorted(p for p in set(mine) & set(theirs) if mine[p] & theirs[p])
        # An entity the claim puts in role p that the reference puts only in another role q.
        swapped = sorted(
            (p, q, e)
            for p in mine
            for e in mine[p] - theirs.get(p, set())
            for q in theirs
            if q != p and e in theirs[q]
        )
        if not same or not swapped:
            continue
        fid = snap.facts[ref.graph].fid
        right = ", ".join(
            f"{snap.label(p)} {', '.join(snap.label(e) for e in sorted(mine[p]))}" for p in same
        )
        wrong = "; ".join(
            f"{snap.label(e)} as {snap.label(q)}, not {snap.label(p)}" for p, q, e in swapped
        )
        findings.append(
            Finding(
                PARTLY,
                f"{fid} agrees on the {kind_words(snap, node)}'s {right} but gives {wrong}.",
                fact_ids(snap, [ref]),
            )
        )
    return findings


ROLES = Rule(
    "role-swap",
    "Used only where no other rule judged a node: a node that agrees with a reference node of "
    "the same kind on at least one entity role, but names an entity in a role the reference "
    "gives it a different one (e.g. Russia as a pipeline's destination where the reference has "
    "it as the origin), is partly correct. Different entities in the same role are not "
    "judged: a state can be in several alliances, a person can win several elections.",
    check_roles,
)
