"""How the pages show the checker's verdicts: a passage's mark, its tooltip and panel order, the
legend."""

from __future__ import annotations

from dataclasses import dataclass

from kg.browse.article import ArticleView, Segment
from kg.browse.labels import clip
from kg.check.report import ArticleVerdict
from kg.check.verdict import CONSISTENT, CONTRADICTED, NOT_CHECKABLE, PARTLY, VERDICTS, WORDS

# Worst first: a passage several claims share is marked with the worst verdict among them.
SEVERITY = {v: i for i, v in enumerate(VERDICTS)}
UNJUDGED = len(SEVERITY)
# What each mark means, for the legend (same order as VERDICTS).
MEANING = {
    CONTRADICTED: "the reference facts say otherwise",
    PARTLY: "part of it holds, part does not",
    CONSISTENT: "the reference facts support it",
    NOT_CHECKABLE: "opinion, prediction, hedge, or no reference fact",
}
TOOLTIP_REASON = 200  # characters of the first claim's reason in a passage's tooltip


@dataclass(frozen=True)
class Mark:
    """A highlighted passage: its worst verdict, its tooltip, its claims in panel order."""

    verdict: str | None
    title: str
    claims: list[str]


def worst(claims: list[str], verdicts: dict[str, ArticleVerdict]) -> str | None:
    """The worst verdict among these claims (None when none of them was judged)."""
    found = [verdicts[c].verdict for c in claims if c in verdicts]
    return min(found, key=lambda v: SEVERITY.get(v, UNJUDGED)) if found else None


def headline(v: ArticleVerdict, ambiguous: bool = False) -> str:
    """A verdict in one line: its word and its reason (said once, even when the reason starts
    with the word)."""
    word = v.verdict_label.capitalize() + (" (on one reading)" if ambiguous else "")
    reason = v.reason
    if reason.lower().startswith(v.verdict_label.lower() + ":"):
        reason = reason[len(v.verdict_label) + 1 :].strip()
    return f"{word}: {reason}" if reason else word


def panel_order(seg: Segment, view: ArticleView, verdicts: dict[str, ArticleVerdict]) -> list[str]:
    """The claims of a passage as the panel lists them: the innermost span first (the words
    clicked are that claim's own), then the most severe verdict, then position."""
    covering: dict[str, tuple[int, int]] = {}
    for c in view.claims:
        if c.iri in seg.claims and c.begin <= seg.begin and seg.end <= c.end:
            width = c.end - c.begin
            if c.iri not in covering or width < covering[c.iri][1] - covering[c.iri][0]:
                covering[c.iri] = (c.begin, c.end)

    def key(iri: str) -> tuple[int, int, int, str]:
        b, e = covering.get(iri, (0, 1 << 30))
        sev = SEVERITY.get(verdicts[iri].verdict, UNJUDGED) if iri in verdicts else UNJUDGED
        return e - b, sev, b, iri

    return sorted(dict.fromkeys(seg.claims), key=key)


def mark(
    seg: Segment,
    view: ArticleView,
    verdicts: dict[str, ArticleVerdict],
    ambiguous: frozenset[str] = frozenset(),
) -> Mark:
    """How a passage is marked: its worst verdict, a short tooltip (the first claim's verdict and
    reason; the panel has the rest), and its claims in panel order."""
    order = panel_order(seg, view, verdicts)
    judged = [c for c in order if c in verdicts]
    title = ""
    if judged:
        first = verdicts[judged[0]]
        title = clip(headline(first, first.claim in ambiguous), TOOLTIP_REASON)
    if len(order) > 1:
        more = len(order) - 1
        title += f"{' — ' if title else ''}{more} more claim{'s' if more > 1 else ''} here"
    return Mark(worst(order, verdicts), title, order)


def legend(verdicts: dict[str, ArticleVerdict]) -> list[tuple[str, str, str, int]]:
    """(verdict, its words, what it means, how many claims got it), in VERDICTS order."""
    tally = {v: 0 for v in VERDICTS}
    for v in verdicts.values():
        tally[v.verdict] = tally.get(v.verdict, 0) + 1
    return [(v, WORDS[v], MEANING[v], tally[v]) for v in VERDICTS]
