"""Agreements and alliances: who signed what kind of agreement, who is a member of what."""

from __future__ import annotations

from kg.check.model import Claim, Node, Snapshot
from kg.check.rules.common import Rule, fact_ids
from kg.check.rules.values import at_precision, dates
from kg.check.verdict import CONSISTENT, CONTRADICTED, PARTLY, Finding
from kg.namespaces import GC

AGREEMENT = GC + "Agreement"
PARTY = GC + "party"
KIND = GC + "agreementKind"
MEMBERSHIP = GC + "Membership"
SIGNED = (GC + "dateSigned", GC + "date", GC + "yearMonth", GC + "year")
MEMBER = GC + "member"
ORGANISATION = GC + "organisation"


def _agreements(snap: Snapshot) -> list[tuple[Node, set[str], set[str], str]]:
    """Reference agreements: (node, parties, kinds, name)."""
    out = []
    for ref in snap.reference_nodes({AGREEMENT}):
        if AGREEMENT not in ref.types:
            continue
        name = _agreement_name(snap, ref)
        out.append((ref, set(ref.iris(PARTY)), set(ref.iris(KIND)), name))
    return out


def _agreement_name(snap: Snapshot, ref: Node) -> str:
    words = ref.first_literal(GC + "surfaceText")
    if words is not None:
        return words.value
    if snap.is_entity(ref.iri):
        return snap.label(ref.iri)
    kinds = " and ".join(snap.label(k) for k in sorted(ref.iris(KIND)))
    signed = ref.first_literal(GC + "dateSigned")
    name = f"a {kinds} agreement" if kinds else "an agreement"
    return name + (f" signed {signed.value}" if signed else "")


def check_agreement(snap: Snapshot, claim: Claim, node: Node) -> list[Finding]:
    """An agreement between parties, of a kind, against the reference agreements."""
    if AGREEMENT not in node.types or node.graph in snap.facts:
        return []
    parties = set(node.iris(PARTY))
    wanted = set(node.iris(KIND))
    if len(parties) < 2:
        return []
    between = [(r, p, k, n) for r, p, k, n in _agreements(snap) if parties <= p]
    names = " and ".join(snap.label(p) for p in sorted(parties))
    if not between:
        return []
    described = "; ".join(f"{n} ({snap.facts[r.graph].fid})" for r, _, _, n in between)
    if not wanted:
        return [
            Finding(
                CONSISTENT,
                f"{names} are parties to: {described}.",
                fact_ids(snap, [r for r, *_ in between]),
            )
        ]
    match = [(r, p, k, n) for r, p, k, n in between if k & wanted]
    kind_words = " or ".join(snap.label(k) for k in sorted(wanted))
    if match:
        dated = _signed_when(snap, node, [r for r, *_ in match])
        if dated is not None:
            return [dated]
        return [
            Finding(
                CONSISTENT,
                (
                    f"{names} are parties to agreements of the kind {kind_words}: "
                    + "; ".join(f"{n} ({snap.facts[r.graph].fid})" for r, _, _, n in match)
                    + "."
                ),
                fact_ids(snap, [r for r, *_ in match]),
            )
        ]
    return [
        Finding(
            PARTLY,
            (
                f"{names} have signed agreements together, but none the reference facts class as "
                f"{kind_words}: {described}."
            ),
            fact_ids(snap, [r for r, *_ in between]),
        )
    ]


def _signed_when(snap: Snapshot, node: Node, refs: list[Node]) -> Finding | None:
    """When the claim dates the signing (on the agreement or on the proposition holding it):
    the agreements of the right parties and kind, compared at the precision stated."""
    holders = [n for n in snap.nodes_of(node.graph) if node.iri in n.iris(GC + "agreement")]
    stated = [w for n in (node, *holders) for _, w in dates(snap, n, SIGNED)]
    if not stated:
        return None
    known = [(r, w) for r in refs for _, w in dates(snap, r, SIGNED)]
    if not known:
        return None
    fits = [
        (r, w) for r, w in known for s in stated if at_precision(w.begin, s.precision).overlaps(s)
    ]
    when = ", ".join(s.text for s in stated)
    if fits:
        r, w = fits[0]
        return Finding(
            CONSISTENT,
            f"{snap.facts[r.graph].fid}: {_agreement_name(snap, r)}, which agrees with the "
            f"claim's {when}.",
            fact_ids(snap, [r]),
        )
    listed = "; ".join(f"{_agreement_name(snap, r)} ({snap.facts[r.graph].fid})" for r, _ in known)
    return Finding(
        PARTLY,
        f"The parties and kind are right, but the claim dates the signing {when}: {listed}.",
        fact_ids(snap, [r for r, _ in known]),
    )


def check_membership(snap: Snapshot, claim: Claim, node: Node) -> list[Finding]:
    """A membership of an organisation against the reference memberships."""
    if MEMBERSHIP not in node.types:
        return []
    findings = []
    for member in node.iris(MEMBER):
        for org in node.iris(ORGANISATION):
            refs = [
                r
                for r in snap.reference_nodes({MEMBERSHIP})
                if MEMBERSHIP in r.types and org in r.iris(ORGANISATION)
            ]
            if not refs:
                continue
            hit = [r for r in refs if member in r.iris(MEMBER)]
            m, o = snap.label(member), snap.label(org)
            if hit:
                findings.append(
                    Finding(
                        CONSISTENT,
                        (
                            f"{', '.join(snap.facts[g].fid for g in fact_ids(snap, hit))}: "
                            f"{m} is a member "
                            f"of {o}."
                        ),
                        fact_ids(snap, hit),
                    )
                )
            else:
                findings.append(
                    Finding(
                        CONTRADICTED,
                        (f"The reference facts list the members of {o} and {m} is not among them."),
                        fact_ids(snap, refs),
                    )
                )
    return findings


AGREEMENTS = Rule(
    "agreement-kind",
    "An agreement between parties (gc:Agreement with gc:party and optionally gc:agreementKind) is "
    "compared with the reference agreements to which all those parties belong: consistent when "
    "one has the stated kind (or no kind is stated), partly correct when the parties share "
    "agreements of other kinds only.",
    check_agreement,
)
MEMBERSHIPS = Rule(
    "membership",
    "A membership (gc:Membership with gc:member and gc:organisation) is compared with the "
    "reference memberships of that organisation: consistent when listed, contradicted when the "
    "organisation's members are listed without it.",
    check_membership,
)
