"""Geography: which states border which, and in which compass direction."""

from __future__ import annotations

from kg.check.model import Claim, Node, Snapshot
from kg.check.rules.common import Rule, fact_ids, kinds
from kg.check.verdict import CONSISTENT, CONTRADICTED, PARTLY, Finding
from kg.namespaces import GC

BORDER = GC + "BorderStatement"
STATE = GC + "state"
NEIGHBOUR = GC + "neighbour"
DIRECTION = GC + "direction"
COMPASS = ["north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west"]


def bearing(iri: str) -> int | None:
    """The compass point of a direction concept (…/direction/north-east) as 0..7, else None."""
    local = iri.rstrip("/").rsplit("/", 1)[-1].lower().replace("_", "-")
    flat = local.replace("-", "")
    for i, name in enumerate(COMPASS):
        if flat == name.replace("-", ""):
            return i
    return None


def _step(a: int, b: int) -> int:
    d = abs(a - b) % 8
    return min(d, 8 - d)


def _borders(snap: Snapshot, state: str, neighbour: str) -> tuple[list[Node], set[int], bool]:
    """Reference border nodes between the two, their directions as seen from `state`, and
    whether the reference facts list any border of `state` at all."""
    found: list[Node] = []
    directions: set[int] = set()
    lists_state = False
    for ref in snap.reference_nodes({BORDER}):
        if BORDER not in ref.types:
            continue
        states, neighbours = set(ref.iris(STATE)), set(ref.iris(NEIGHBOUR))
        points = {b for d in ref.iris(DIRECTION) if (b := bearing(d)) is not None}
        if state in states:
            lists_state = True
            if neighbour in neighbours:
                found.append(ref)
                directions |= points
        elif neighbour in states and state in neighbours:
            # Seen from the other side, every direction turns round.
            found.append(ref)
            directions |= {(p + 4) % 8 for p in points}
    return found, directions, lists_state


def check_border(snap: Snapshot, claim: Claim, node: Node) -> list[Finding]:
    """A border (and its direction) against the reference borders of the same states."""
    if BORDER not in kinds(node):
        return []
    findings = []
    for state in node.iris(STATE):
        for neighbour in node.iris(NEIGHBOUR):
            refs, known, lists_state = _borders(snap, state, neighbour)
            s, n = snap.label(state), snap.label(neighbour)
            if not refs:
                if lists_state:
                    listed = [
                        r
                        for r in snap.reference_nodes({BORDER})
                        if BORDER in r.types and state in r.iris(STATE)
                    ]
                    findings.append(
                        Finding(
                            CONTRADICTED,
                            (
                                f"The reference facts list the borders of {s} and {n} is not among "
                                "them."
                            ),
                            fact_ids(snap, listed),
                        )
                    )
                continue
            fids = ", ".join(snap.facts[g].fid for g in fact_ids(snap, refs))
            names = " and ".join(COMPASS[k] for k in sorted(known)) or "no stated direction"
            stated = [b for d in node.iris(DIRECTION) if (b := bearing(d)) is not None]
            if not stated:
                findings.append(
                    Finding(CONSISTENT, f"{fids}: {s} borders {n}.", fact_ids(snap, refs))
                )
                continue
            for point in stated:
                said = COMPASS[point]
                if point in known:
                    verdict, how = CONSISTENT, "as stated"
                elif known and min(_step(point, k) for k in known) == 1:
                    verdict, how = PARTLY, f"next to the stated {said} but not it"
                elif known:
                    verdict, how = CONTRADICTED, f"not to the {said}"
                else:
                    verdict, how = CONSISTENT, "the direction is not given"
                findings.append(
                    Finding(
                        verdict,
                        (f"{fids}: {s} borders {n} to the {names} ({how})."),
                        fact_ids(snap, refs),
                    )
                )
    return findings


BORDERS = Rule(
    "border-direction",
    "A border between two states (gc:BorderStatement with gc:state, gc:neighbour and optionally "
    "gc:direction) is compared with the reference borders of the same states, read from either "
    "side (a neighbour to the east of A has A to its west): the direction stated must be one the "
    "facts give (a neighbouring compass point is partly correct); a neighbour missing from a "
    "state's listed borders is contradicted.",
    check_border,
)
