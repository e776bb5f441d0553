"""Verdicts: the four words, the rating scale, and how findings combine (and flip for denials).

The rating scale (schema:Rating, schema:worstRating 1, schema:bestRating 3):

| verdict          | ratingValue | meaning                                                   |
|------------------|-------------|-----------------------------------------------------------|
| contradicted     | 1           | the reference facts say otherwise                         |
| partly-correct   | 2           | some of what the claim says holds and some does not       |
| consistent       | 3           | the reference facts support what the claim says          |
| not-checkable    | (none)      | opinion, prediction, hedge, or no reference fact: off the |
|                  |             | scale, so the Rating carries only its alternateName       |

Denials. A claim with polarity "-" says its proposition is *not* the case. The rules judge the
proposition; the claim's verdict is then the inverse: a denied proposition that the facts
contradict makes the denial consistent, a denied proposition the facts support makes the denial
contradicted, and a partly correct proposition leaves its denial partly correct (part of what is
denied holds). Not checkable stays not checkable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CONSISTENT = "consistent"
CONTRADICTED = "contradicted"
PARTLY = "partly-correct"
NOT_CHECKABLE = "not-checkable"
VERDICTS = (CONTRADICTED, PARTLY, CONSISTENT, NOT_CHECKABLE)

RATING: dict[str, int | None] = {CONTRADICTED: 1, PARTLY: 2, CONSISTENT: 3, NOT_CHECKABLE: None}
WORST_RATING = 1
BEST_RATING = 3
WORDS = {
    CONTRADICTED: "contradicted",
    PARTLY: "partly correct",
    CONSISTENT: "consistent",
    NOT_CHECKABLE: "not checkable",
}
_INVERSE = {CONSISTENT: CONTRADICTED, CONTRADICTED: CONSISTENT}


@dataclass(frozen=True)
class Finding:
    """What one rule found about one part of a proposition."""

    verdict: str
    reason: str
    facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceRef:
    """A source of a reference fact, for display."""

    name: str
    url: str | None


@dataclass(frozen=True)
class FactRef:
    """A reference fact used by a verdict, with its sources."""

    iri: str
    fid: str
    text: str
    sources: tuple[SourceRef, ...]


@dataclass
class Verdict:
    """The checker's verdict on one claim."""

    claim: str
    aid: str
    cid: str
    article: str
    span: str | None
    begin: int | None
    end: int | None
    words: str
    verdict: str
    reason: str
    rules: tuple[str, ...] = ()
    facts: tuple[FactRef, ...] = field(default_factory=tuple)

    @property
    def rating(self) -> int | None:
        return RATING[self.verdict]


def combine(findings: list[Finding]) -> Finding | None:
    """One finding from several: all agree, or partly correct when they differ."""
    if not findings:
        return None
    kinds = {f.verdict for f in findings}
    verdict = kinds.pop() if len(kinds) == 1 else PARTLY
    reasons: list[str] = []
    for f in findings:
        if f.reason not in reasons:
            reasons.append(f.reason)
    facts = tuple(dict.fromkeys(fid for f in findings for fid in f.facts))
    return Finding(verdict, " ".join(reasons), facts)


def invert(finding: Finding) -> Finding:
    """The finding on a claim that denies the proposition `finding` judged."""
    verdict = _INVERSE.get(finding.verdict, finding.verdict)
    how = {
        CONSISTENT: "what the reference facts support",
        CONTRADICTED: "what the reference facts contradict",
    }.get(finding.verdict, "a proposition the reference facts support only in part")
    return Finding(verdict, f"The claim denies {how}. {finding.reason}", finding.facts)
