"""How the pages show the checker's verdicts: a passage's mark and tooltip, the legend."""

from __future__ import annotations

from kg.check.report import ArticleVerdict
from kg.check.verdict import CONSISTENT, CONTRADICTED, NOT_CHECKABLE, PARTLY, VERDICTS, WORDS

# Worst first: a passage several claims share is marked with the worst verdict among them.
SEVERITY = {v: i for i, v in enumerate(VERDICTS)}
# What each mark means, for the legend (same order as VERDICTS).
MEANING = {
    CONTRADICTED: "the reference facts say otherwise",
    PARTLY: "part of it holds, part does not",
    CONSISTENT: "the reference facts support it",
    NOT_CHECKABLE: "opinion, prediction, hedge, or no reference fact",
}


def worst(claims: list[str], verdicts: dict[str, ArticleVerdict]) -> str | None:
    """The worst verdict among these claims (None when none of them was judged)."""
    found = [verdicts[c].verdict for c in claims if c in verdicts]
    return min(found, key=lambda v: SEVERITY.get(v, len(SEVERITY))) if found else None


def describe(v: ArticleVerdict) -> str:
    """A verdict in plain text (a tooltip): the word, the reason, each fact and its sources."""
    lines = [f"{v.verdict_label.capitalize()}: {v.reason}"]
    for fact in v.facts:
        sources = "; ".join(s.name + (f" <{s.url}>" if s.url else "") for s in fact.sources)
        lines.append(
            f"Reference fact {fact.fid}: {fact.text}" + (f" (source: {sources})" if sources else "")
        )
    return "\n".join(lines)


def title(claims: list[str], verdicts: dict[str, ArticleVerdict]) -> str:
    """The tooltip of a passage: the verdicts of its claims, worst first."""
    judged = sorted(
        (verdicts[c] for c in dict.fromkeys(claims) if c in verdicts),
        key=lambda v: (SEVERITY.get(v.verdict, len(SEVERITY)), v.claim),
    )
    return "\n\n".join(describe(v) for v in judged)


def mark(claims: list[str], verdicts: dict[str, ArticleVerdict]) -> tuple[str | None, str]:
    """How a passage is marked: its worst verdict and its tooltip."""
    return worst(claims, verdicts), title(claims, verdicts)


def legend(verdicts: dict[str, ArticleVerdict]) -> list[tuple[str, str, str, int]]:
    """(verdict, its words, what it means, how many claims got it), in VERDICTS order."""
    tally = {v: 0 for v in VERDICTS}
    for v in verdicts.values():
        tally[v.verdict] = tally.get(v.verdict, 0) + 1
    return [(v, WORDS[v], MEANING[v], tally[v]) for v in VERDICTS]
