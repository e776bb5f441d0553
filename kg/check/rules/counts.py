"""Counts: participants, casualties, detentions, calls, elections, as bounds with vagueness.

A count is an interval: an exact value is [n, n], "as many as n" is [0, n], "more than n" or
"thousands" is [n, ∞). A vague exact value ("about n") is widened by a quarter either way. A
claimed count is consistent with a reference count when the two intervals meet, and contradicted
when they do not. Where the reference gives dated events instead of a number, they are counted
inside the claim's time window.
"""

from __future__ import annotations

from kg.check.model import Claim, Lit, Node, Snapshot
from kg.check.rules.common import (
    Rule,
    dated_events,
    fact_ids,
    kind_words,
    kinds,
    qualifiers_agree,
    roles_agree,
)
from kg.check.rules.values import Count, When, counts, dates
from kg.check.verdict import CONSISTENT, CONTRADICTED, Finding
from kg.namespaces import GC

COUNT = GC + "count"
DATE_PROPS = (GC + "date", GC + "yearMonth", GC + "year", GC + "startDate")


def widen(c: Count) -> Count:
    """An "about n" count as the interval it stands for."""
    if c.vague and c.lo is not None and c.lo == c.hi:
        return Count(int(c.lo * 0.75), int(c.hi * 1.25) + 1, True, c.text)
    return c


def _same_measure(p: str, q: str) -> bool:
    # gc:count is the general property; its sub-properties (participantCount, ...) are specific.
    return p == q or COUNT in (p, q)


def _windows(snap: Snapshot, claim: Claim, node: Node) -> list[When]:
    own = [w for _, w in dates(snap, node, DATE_PROPS)]
    if own:
        return own
    return [When(b, e, "day", f"{b.isoformat()}..{e.isoformat()}") for b, e in claim.times]


def _prefer_same_time(snap: Snapshot, refs: list[Node], windows: list[When]) -> list[Node]:
    """The references dated inside the claim's window, if any are; else all of them."""
    if not windows:
        return refs
    timed = [
        r
        for r in refs
        if any(w.overlaps(x) for _, w in dates(snap, r, DATE_PROPS) for x in windows)
    ]
    return timed or refs


def check_count(snap: Snapshot, claim: Claim, node: Node) -> list[Finding]:
    """Each count the node states against counts of the same measure on matching references."""
    mine = kinds(node)
    stated = counts(snap, node)
    if not mine or not stated:
        return []
    windows = _windows(snap, claim, node)
    findings: list[Finding] = []
    for prop, count in stated:
        refs = [
            r
            for r in snap.reference_nodes(mine)
            if kinds(r) & mine
            and roles_agree(snap, node, r)
            and qualifiers_agree(node, r)
            and any(_same_measure(prop, q) for q, _ in counts(snap, r))
        ]
        refs = _prefer_same_time(snap, refs, windows)
        if refs:
            findings.extend(_compare(snap, node, prop, count, refs))
            continue
        findings.extend(_count_events(snap, node, count, windows))
    return findings


def _compare(
    snap: Snapshot, node: Node, prop: str, count: Count, refs: list[Node]
) -> list[Finding]:
    claimed = widen(count)
    known = [(r, c) for r in refs for q, c in counts(snap, r) if _same_measure(prop, q)]
    agree = [(r, c) for r, c in known if claimed.overlaps(widen(c))]
    what = f"{snap.label(prop)} ({kind_words(snap, node)})"
    if agree:
        ref, c = agree[0]
        reading = _reading(snap, node, ref, [r for r, x in known if (r, x) not in agree])
        return [
            Finding(
                CONSISTENT,
                (
                    f"The claim's {what} is {count.describe()}; "
                    f"{snap.facts[ref.graph].fid} gives {c.describe()}, which fits{reading}."
                ),
                fact_ids(snap, [ref]),
            )
        ]
    listed = "; ".join(f"{c.describe()} ({snap.facts[r.graph].fid})" for r, c in known)
    return [
        Finding(
            CONTRADICTED,
            (f"The claim's {what} is {count.describe()}; the reference facts give {listed}."),
            fact_ids(snap, [r for r, _ in known]),
        )
    ]


def _reading(snap: Snapshot, node: Node, ref: Node, others: list[Node]) -> str:
    """Which reading makes the count fit, where the claim leaves a qualifier open."""
    open_props = sorted(
        p
        for p, vs in ref.props.items()
        if p.startswith(GC)
        and any(isinstance(v, Lit) for v in vs)
        and not node.values(p)
        and any(o.values(p) and o.values(p) != vs for o in others)
    )
    if not open_props:
        return ""
    parts = []
    for p in open_props:
        fit = ", ".join(v.value for v in ref.literals(p))
        other = "; ".join(
            f"if {', '.join(v.value for v in o.literals(p))}, {snap.facts[o.graph].fid} gives "
            + ", ".join(c.describe() for _, c in counts(snap, o))
            for o in others
            if o.values(p)
        )
        parts.append(f"{snap.label(p)} {fit}, which the claim leaves open ({other})")
    return " if " + "; ".join(parts)


def _count_events(snap: Snapshot, node: Node, count: Count, windows: list[When]) -> list[Finding]:
    """Count reference events of the node's kind, about the same entities, inside the window."""
    if not windows:
        return []
    window = When(min(w.begin for w in windows), max(w.end for w in windows), "day", "")
    events = dated_events(snap, node, DATE_PROPS)
    if not events:
        return []
    # One event per distinct date: a node carrying two dates stands for two occurrences.
    inside = sorted(
        {
            (w.begin, r.graph)
            for r in events
            for _, w in dates(snap, r, DATE_PROPS)
            if window.begin <= w.begin <= window.end
        }
    )
    n = len({d for d, _ in inside})
    used = [r for r in events if r.graph in {g for _, g in inside}] or events
    what = kind_words(snap, node)
    span = f"{window.begin.isoformat()} to {window.end.isoformat()}"
    listed = ", ".join(sorted({d.isoformat() for d, _ in inside})) or "none"
    fids = ", ".join(snap.facts[g].fid for g in fact_ids(snap, used))
    verdict = CONSISTENT if count.overlaps(Count(n, n, False, "")) else CONTRADICTED
    return [
        Finding(
            verdict,
            (
                f"The claim counts {count.describe()} {what} events from {span}; "
                f"{fids} date {n} in that "
                f"window ({listed})."
            ),
            fact_ids(snap, used),
        )
    ]


COUNTS = Rule(
    "count-bounds",
    "A count (gc:Quantity under gc:count or one of its sub-properties: participants, deaths, "
    "detentions) is read as an interval (exact, at least, at most; a vague 'about n' widened by "
    "a quarter) and compared with the counts the reference facts give for a node of the same "
    "kind about the same entities, preferring references dated inside the claim's time: "
    "consistent when the intervals meet, contradicted when they do not. Without a reference "
    "count, the reference events of that kind dated inside the claim's window are counted.",
    check_count,
)
