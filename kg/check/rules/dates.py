"""Dates and durations: a tenure's length and timing, an event's date at its stated precision."""

from __future__ import annotations

from datetime import date

from kg.check.model import Claim, Node, Snapshot
from kg.check.rules.common import (
    Rule,
    dated_events,
    fact_ids,
    kind_words,
    kinds,
    roles_agree,
)
from kg.check.rules.values import When, as_when, at_precision, dates, whole_years
from kg.check.verdict import CONSISTENT, CONTRADICTED, Finding
from kg.namespaces import GC

DATE_PROPS = (GC + "date", GC + "yearMonth", GC + "year")
START = GC + "startDate"
DURATION = GC + "durationYears"
DAYS = GC + "durationDays"


def _as_of(claim: Claim, node: Node) -> tuple[date | None, str]:
    """The date a stated duration runs up to: gc:asOf, the time expression's end, publication."""
    as_of = node.first_literal(GC + "asOf")
    if as_of is not None:
        when = as_when(as_of)
        if when is not None:
            return when.end, "the date the claim states it as of"
    if claim.times:
        return claim.times[-1][1], "the end of the claim's time expression"
    if claim.anchors:
        return claim.anchors[-1], "the claim's anchor date"
    if claim.published:
        return claim.published, "the article's publication date"
    return None, ""


def check_duration(snap: Snapshot, claim: Claim, node: Node) -> list[Finding]:
    """A stated length (gc:durationYears, gc:durationDays) against the reference start date."""
    stated = node.first_literal(DURATION) or node.first_literal(DAYS)
    length = stated.as_int() if stated else None
    if stated is None or length is None:
        return []
    in_days = stated is not node.first_literal(DURATION)
    as_of, why = _as_of(claim, node)
    if as_of is None:
        return []
    refs = [
        r
        for r in snap.reference_nodes(kinds(node))
        if r.literals(START) and kinds(r) & kinds(node) and roles_agree(snap, node, r)
    ]
    by_start: dict[date, list[Node]] = {}
    for ref in refs:
        for lit in ref.literals(START):
            start = as_when(lit)
            if start is not None:  # a start given only as a year counts from its first day
                by_start.setdefault(start.begin, []).append(ref)
    findings = []
    unit = "days" if in_days else "years"
    for start, group in sorted(by_start.items()):
        actual = (as_of - start).days if in_days else whole_years(start, as_of)
        # Day counts are fuzzy by one (an evening start, an inclusive or exclusive end).
        fits = abs(actual - length) <= 1 if in_days else actual == length
        fids = ", ".join(snap.facts[g].fid for g in fact_ids(snap, group))
        holder = group[0].iris(GC + "holder")
        what = (
            f"{snap.label(holder[0])}'s tenure" if holder else f"the {kind_words(snap, group[0])}"
        )
        verb = "give" if "," in fids else "gives"
        said = f"{fids} {verb} {what} a start on {start.isoformat()}"
        to = f"{actual} {unit} to {as_of.isoformat()} ({why})"
        if fits:
            findings.append(Finding(CONSISTENT, f"{said}: {to}, as stated.", fact_ids(snap, group)))
        else:
            findings.append(
                Finding(
                    CONTRADICTED,
                    f"The claim says {length} {unit}; {said}, which is {to}.",
                    fact_ids(snap, group),
                )
            )
    return findings


def _claim_when(snap: Snapshot, claim: Claim, node: Node) -> list[When]:
    own = [w for _, w in dates(snap, node, DATE_PROPS)]
    if own or node.iri != claim.proposition:
        return own
    # The root proposition may leave the date to the claim's time expression.
    out = []
    for begin, end in claim.times:
        for precision in ("day", "month", "year"):
            period = at_precision(begin, precision)
            if (period.begin, period.end) == (begin, end):
                out.append(period)
                break
    return out


def check_event_date(snap: Snapshot, claim: Claim, node: Node) -> list[Finding]:
    """A dated event (secession, constitution, election, ...) against reference events."""
    if not kinds(node) or node.literals(DURATION) or node.literals(DAYS):
        return []
    stated = _claim_when(snap, claim, node)
    if not stated:
        return []
    refs = dated_events(snap, node, DATE_PROPS)
    if not refs:
        return []
    findings = []
    what = kind_words(snap, node)
    for when in stated:
        # Compare at the precision the claim states: "June 1994" is right for any day in June.
        matches = [
            (r, w)
            for r in refs
            for _, w in dates(snap, r, DATE_PROPS)
            if at_precision(w.begin, when.precision).overlaps(when)
        ]
        if matches:
            ref, w = matches[0]
            fid = snap.facts[ref.graph].fid
            findings.append(
                Finding(
                    CONSISTENT,
                    (
                        f"{fid} dates the {what} {w.text}, which agrees with {when.text} "
                        f"(compared to the {when.precision})."
                    ),
                    fact_ids(snap, [ref]),
                )
            )
        else:
            known = sorted(
                {
                    (w.text, snap.facts[r.graph].fid)
                    for r in refs
                    for _, w in dates(snap, r, DATE_PROPS)
                }
            )
            listed = "; ".join(f"{t} ({fid})" for t, fid in known)
            findings.append(
                Finding(
                    CONTRADICTED,
                    (
                        f"The claim dates the {what} {when.text}; "
                        f"the reference facts date it {listed}."
                    ),
                    fact_ids(snap, refs),
                )
            )
    return findings


TENURE = Rule(
    "duration",
    "A stated length of time (gc:durationYears, e.g. a tenure; gc:durationDays, e.g. protests) "
    "is compared with the start date the reference facts give for a node of the same kind about "
    "the same entities, counted up to the claim's gc:asOf date (else the end of its time "
    "expression, else its anchor date, else the article's publication date): whole years must "
    "be equal; days may differ by one.",
    check_duration,
)
EVENT_DATE = Rule(
    "event-date",
    "The date of an event (gc:date, gc:yearMonth, gc:year, or the claim's resolved time "
    "expression) is compared, at the precision the claim states (day, month or year), with the "
    "dates the reference facts give for events of the same kind about the same entities.",
    check_event_date,
)


def check_tenure_held(snap: Snapshot, claim: Claim, node: Node) -> list[Finding]:
    """That a holder held a post at a time (stated date, claim time, or publication date)."""
    if not node.iris(GC + "holder") or not node.iris(GC + "post") or node.literals(DURATION):
        return []
    refs = [
        r
        for r in snap.reference_nodes(kinds(node))
        if r.literals(START)
        and roles_agree(snap, node, r)
        and set(node.iris(GC + "holder")) <= set(r.iris(GC + "holder"))
        and set(node.iris(GC + "post")) <= set(r.iris(GC + "post"))
    ]
    if not refs:
        return []
    stated = [w for _, w in dates(snap, node, DATE_PROPS)]
    if not stated:
        stated = [_period(b, e) for b, e in claim.times]
    if not stated and claim.published:
        stated = [at_precision(claim.published, "day")]
    tenures: dict[tuple[date, date | None], list[Node]] = {}
    for ref in refs:
        start_when = as_when(ref.literals(START)[0])
        end_lit = ref.first_literal(GC + "endDate")
        end_when = as_when(end_lit) if end_lit else None
        if start_when is None:
            continue
        start, end = start_when.begin, end_when.end if end_when else None
        tenures.setdefault((start, end), []).append(ref)
    findings = []
    holder, post = snap.label(node.iris(GC + "holder")[0]), snap.label(node.iris(GC + "post")[0])
    for when in stated:
        for (start, end), group in sorted(tenures.items()):
            held = When(start, end or date.max, "day", "")
            fids = ", ".join(snap.facts[g].fid for g in fact_ids(snap, group))
            until = f" to {end.isoformat()}" if end else " with no end given"
            verdict = CONSISTENT if held.overlaps(when) else CONTRADICTED
            findings.append(
                Finding(
                    verdict,
                    f"{fids}: {holder} has held the post of {post} from {start.isoformat()}"
                    f"{until}; the claim places it at {when.text}.",
                    fact_ids(snap, group),
                )
            )
    return findings


def _period(begin: date, end: date) -> When:
    if begin == end:
        return at_precision(begin, "day")
    return When(begin, end, "day", f"{begin.isoformat()} to {end.isoformat()}")


TENURE_HELD = Rule(
    "tenure-held",
    "That someone holds (or took) a post at a time (the proposition's date or year, else the "
    "claim's time expression, else the publication date) is compared with the reference tenure "
    "of the same holder and post: consistent when the time falls inside the tenure.",
    check_tenure_held,
)
