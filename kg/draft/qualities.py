"""Polarity, certainty, modality, times, counts and `about` of each claim, from its own words.

A claim's own words are its span minus the clauses nested in it that are claims of their own
(a relative clause, a quotation); titles, "the capital, X" and acronyms leave their words to the
clause around them. A time adverbial opening the sentence ("So far, ...") dates every clause of it.
"""

from __future__ import annotations

from bisect import bisect_left

from kg.draft.knowledge import Knowledge
from kg.draft.link import Mentions
from kg.draft.model import Claim, Cue, Doc

EXTRAS = ("title", "capital", "acronym")  # claims inside a clause that leave its words to it


def qualities(doc: Doc, kb: Knowledge) -> None:
    """Polarity, certainty, modality, times, quantities and `about` from each claim's own words."""
    lex, text = kb.lex, doc.text
    starts = [c.begin for c in doc.cues]
    by_sentence: dict[int, list[Claim]] = {}
    for claim in doc.claims:
        by_sentence.setdefault(claim.sentence.index, []).append(claim)
    mentions = Mentions(doc.mentions)
    time_starts = [t.begin for t in doc.times]
    quantity_starts = [q.begin for q in doc.quantities]
    for claim in doc.claims:
        inner = [
            (o.begin, o.end)
            for o in by_sentence[claim.sentence.index]
            if o is not claim
            and o.kind not in EXTRAS
            and claim.begin <= o.begin
            and o.end <= claim.end
            and (o.end - o.begin) < (claim.end - claim.begin)
        ]
        if claim.kind in ("title", "capital", "acronym"):
            inner = []
        frame_end = claim.frame.end if claim.frame is not None else claim.begin
        claim.own = _subtract(claim.begin, claim.end, inner)

        def own(c: Cue, spans: list[tuple[int, int]] = claim.own) -> bool:
            return any(b <= c.begin and c.end <= e for b, e in spans)

        i = bisect_left(starts, claim.begin)
        found: dict[str, list[Cue]] = {}
        while i < len(doc.cues) and doc.cues[i].begin < claim.end:
            c = doc.cues[i]
            if own(c):
                found.setdefault(c.kind, []).append(c)
            i += 1
        words = lambda cs: ", ".join(repr(text[c.begin : c.end]) for c in cs)  # noqa: E731
        if claim.kind not in ("title", "capital", "acronym"):
            frame = claim.frame
            negs = [  # a negated report ("did not say") is the frame's, not the content's
                c
                for c in found.get("negation", [])
                if frame is None or not (frame.begin <= c.begin < frame_end)
            ]
            if negs and claim.polarity == "+":
                claim.polarity = "-"
                claim.why["polarity"] = f"negation {words(negs)}"
            if found.get("denial") and claim.polarity == "+":
                claim.polarity = "-"
                claim.act = "Denial"
                claim.why["polarity"] = f"denial word {words(found['denial'])}"
                claim.why["act"] = f"Denial: {words(found['denial'])}"
            if claim.certainty == "CT":
                probable = found.get("probable", [])
                not_possible = found.get("not_possible", [])
                possible = [
                    c
                    for c in found.get("possible", [])
                    if not any(n.begin <= c.begin < n.end for n in not_possible)
                ]
                if probable:
                    claim.certainty = "PR"
                    claim.why["certainty"] = f"probability word {words(probable)}"
                elif possible:
                    claim.certainty = "PS"
                    claim.why["certainty"] = f"possibility word {words(possible)}"
            if claim.modality == "actual":
                if found.get("conditional"):
                    claim.modality = "conditional"
                    claim.why["modality"] = f"condition {words(found['conditional'])}"
                    if (
                        found.get("possible")
                        and not found.get("not_possible")
                        and any(
                            text[c.begin : c.end].lower() in ("could", "might")
                            for c in found["possible"]
                        )
                    ):
                        claim.modality = "hypothetical"
                        claim.why["modality"] += " with 'could'/'might'"
                elif found.get("future"):
                    claim.modality = "future"
                    claim.why["modality"] = f"future {words(found['future'])}"
                elif found.get("hypothetical"):
                    claim.modality = "hypothetical"
                    claim.why["modality"] = f"{words(found['hypothetical'])}"
                elif any(
                    text[c.begin : c.end].lower() in ("may", "might")
                    and not text[c.end : c.end + 6].lower().startswith(" have")
                    for c in found.get("possible", [])
                ):
                    claim.modality = "future"
                    claim.why["modality"] = "'may'/'might' before a verb: a possible future"
        near = doc.times[
            bisect_left(time_starts, claim.sentence.begin) : bisect_left(time_starts, claim.end)
        ]
        claim.times = [
            t
            for t in near
            if claim.begin <= t.begin
            and t.end <= claim.end
            and any(b <= t.begin < e for b, e in claim.own)
        ]
        if claim.kind not in ("title", "capital", "acronym", "relative"):
            for t in near:
                if t.fronted and t.begin < claim.begin and t not in claim.times:
                    claim.times.insert(0, t)
        if (
            claim.modality == "actual"
            and doc.anchor is not None
            and claim.kind not in ("title", "capital", "acronym")
        ):
            for t in claim.times:
                last = t.date or (t.interval[1] if t.interval else None)
                if last is not None and doc.anchor.year - last.year >= lex.historical_years:
                    claim.modality = "historical"
                    claim.why["modality"] = (
                        f"{t.text!r} is {doc.anchor.year - last.year} years before the anchor date"
                    )
                    break
        claim.quantities = [
            q
            for q in doc.quantities[
                bisect_left(quantity_starts, claim.begin) : bisect_left(quantity_starts, claim.end)
            ]
            if claim.begin <= q.begin
            and q.end <= claim.end
            and any(b <= q.begin < e for b, e in claim.own)
        ]
        about: list[str] = []
        for m in mentions.within(claim.begin, claim.end):
            if (
                m.ref
                and m.how not in ("group", "stub", "unnamed")
                and m.category != "group"
                and m.ref not in about
            ):
                about.append(m.ref)
        claim.about = about


def _subtract(b: int, e: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out, pos = [], b
    for x, y in sorted(holes):
        if x > pos:
            out.append((pos, x))
        pos = max(pos, y)
    if pos < e:
        out.append((pos, e))
    return out or [(b, e)]
