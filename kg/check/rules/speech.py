"""Reported speech: that a claimant said (or denied) something, against reference speech reports.

A claim attributed to a speaker (quotation, reported speech, hearsay) is first of all a report
that the speaker said it. Where a reference fact is a gc:SpeechReport of that speaker, the report
is judged: consistent when the speaker is recorded as asserting (polarity "+") or denying
(polarity "-") a proposition of the same kind about the same entities, partly correct when the
claim's version changes a value or drops a condition of what was said, contradicted when the
speaker is recorded as saying the opposite. This judges the report, not the truth of what was
said, so the verdict is not inverted for denials.
"""

from __future__ import annotations

from kg.check.model import Claim, Lit, Node, Snapshot
from kg.check.rules.common import Rule, children, fact_ids, kind_words, matches
from kg.check.verdict import CONSISTENT, CONTRADICTED, PARTLY, Finding
from kg.namespaces import GC, concept

REPORTED = {concept("attribution", a) for a in ("quote", "reported", "hearsay")}
SPEAKERS = (GC + "speaker", GC + "spokesperson")


def _voices(snap: Snapshot, claimants: set[str]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Who a claimant speaks for, in words, with the facts that say so: itself, and the state of
    a post the reference facts say it holds (a president speaks for the state, as the Kremlin's
    readouts do)."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {c: (snap.label(c), ()) for c in claimants}
    for tenure in snap.reference_nodes({GC + "TenureStatement"}):
        if tenure.first_literal(GC + "endDate") is not None:
            continue  # a past office no longer speaks for the state
        for holder in set(tenure.iris(GC + "holder")) & claimants:
            for post in tenure.iris(GC + "post"):
                for state in snap.post_in.get(post, set()):
                    words = (
                        f"{snap.label(state)} (whose {snap.label(post)} {snap.label(holder)} "
                        f"is, per {snap.facts[tenure.graph].fid})"
                    )
                    out.setdefault(state, (words, (tenure.graph,)))
    return out


def _reported(snap: Snapshot, report: Node, prop: str, node: Node) -> Node | None:
    """The node the report says was asserted/denied (`prop`) that matches `node`, if any."""
    for said in snap.reported_nodes(report, prop):
        if matches(snap, node, said):
            return said
    return None


def _differences(snap: Snapshot, mine: Node, said: Node) -> list[str]:
    """Where the claim's version differs from the reported one: values and dropped conditions."""
    out = []
    for prop, values in sorted(mine.props.items()):
        if not prop.startswith(GC) or prop == GC + "surfaceText":
            continue
        ours = {v.value for v in values if isinstance(v, Lit)}
        theirs = {v.value for v in said.values(prop) if isinstance(v, Lit)}
        if ours and theirs and not ours & theirs:
            out.append(
                f"{snap.label(prop)} {', '.join(sorted(theirs))}, not {', '.join(sorted(ours))}"
            )
    dropped = [
        c
        for cs in children(snap, said).values()
        for c in cs
        if GC + "Condition" in c.types
        and not any(GC + "Condition" in d.types for ds in children(snap, mine).values() for d in ds)
    ]
    for c in dropped:
        words = c.first_literal(GC + "surfaceText")
        out.append(f'the condition "{words.value if words else "stated"}", which the claim omits')
    return out


def check_speech(snap: Snapshot, claim: Claim, node: Node) -> list[Finding]:
    """The claim's root proposition against what speech reports record the claimant said."""
    if claim.attribution not in REPORTED or node.iri != claim.proposition:
        return []
    denied = claim.polarity == concept("polarity", "denied")
    said, opposite = (
        (GC + "denied", GC + "asserted") if denied else (GC + "asserted", GC + "denied")
    )
    verb = "denied" if denied else "said"
    findings = []
    voices = _voices(snap, claim.claimants)
    for report in snap.speech_reports():
        speakers = {v for p in SPEAKERS for v in report.iris(p)}
        if not speakers & set(voices):
            continue
        heard = sorted(speakers & set(voices))
        who = "; ".join(voices[v][0] for v in heard)
        used = fact_ids(snap, [report]) + tuple(g for v in heard for g in voices[v][1])
        fid = snap.facts[report.graph].fid
        what = kind_words(snap, node)
        same = _reported(snap, report, said, node)
        if same is not None:
            diffs = _differences(snap, node, same)
            if diffs:
                findings.append(
                    Finding(
                        PARTLY,
                        (
                            f"{fid} records that {who} {verb} this ({what}), but with "
                            + "; ".join(diffs)
                            + "."
                        ),
                        used,
                    )
                )
            else:
                findings.append(
                    Finding(
                        CONSISTENT,
                        (
                            f"{fid} records that {who} {verb} this ({what}); the claim reports it "
                            "accurately (the truth of what was said is not judged)."
                        ),
                        used,
                    )
                )
        elif _reported(snap, report, opposite, node) is not None:
            other = "asserted" if denied else "denied"
            findings.append(
                Finding(
                    CONTRADICTED,
                    (
                        f"{fid} records that {who} {other} this ({what}), the opposite of what the "
                        "claim reports."
                    ),
                    used,
                )
            )
    return findings


SPEECH = Rule(
    "speech-report",
    "A quoted, reported or hearsay claim is compared with the reference speech reports "
    "(gc:SpeechReport) of its claimant: consistent when the claimant is recorded as asserting "
    "(or, for a denial, denying) a proposition of the same kind about the same entities, "
    "contradicted when recorded as saying the opposite. It judges the report, not the truth of "
    "what was said; it runs before the hedge and modality gates, since what someone said can be "
    "checked even when it is conditional.",
    check_speech,
)
