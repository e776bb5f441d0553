"""The checker's verdicts as the pages show them: per article span, per claim, with a legend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.check import verdicts_for_article
from kg.check.report import ArticleVerdict
from kg.check.verdict import CONSISTENT, CONTRADICTED, NOT_CHECKABLE, PARTLY, VERDICTS, WORDS
from kg.web.terms import iri_values, rows

# Worst first: a passage several claims share is marked with the worst verdict among them.
SEVERITY = {v: i for i, v in enumerate(VERDICTS)}
# What each mark means, for the legend (same order as VERDICTS).
MEANING = {
    CONTRADICTED: "the reference facts say otherwise",
    PARTLY: "part of it holds, part does not",
    CONSISTENT: "the reference facts support it",
    NOT_CHECKABLE: "opinion, prediction, hedge, or no reference fact",
}


@dataclass(frozen=True)
class Rule:
    """A rule that produced a verdict: its name and what it compares."""

    iri: str
    name: str
    description: str


@dataclass
class ClaimVerdict:
    """One claim's verdict with its evidence and the rules behind it (the claim page)."""

    verdict: ArticleVerdict
    rules: list[Rule]


def for_article(store: Any, article: str) -> dict[str, ArticleVerdict]:
    """The stored verdicts on an article's claims, by claim IRI."""
    return {v.claim: v for v in verdicts_for_article(store, article)}


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


_RULES = """
SELECT DISTINCT ?claim ?rule ?name ?comment WHERE {
  GRAPH ?rg { ?rg a gc:ReviewGraph . ?review schema:itemReviewed ?claim ; schema:isBasedOn ?rule .
              OPTIONAL { ?rule rdfs:label ?name } OPTIONAL { ?rule rdfs:comment ?comment } }
} ORDER BY ?rule
"""


def for_claim(store: Any, claim: str, article: str | None) -> ClaimVerdict | None:
    """The verdict on one claim of an article, with its rules; None when it was not judged."""
    if not article:
        return None
    found = for_article(store, article).get(claim)
    if found is None:
        return None
    rules = [
        Rule(
            r["rule"].value,
            r["name"].value if "name" in r else r["rule"].value.rsplit("/", 1)[-1],
            r["comment"].value if "comment" in r else "",
        )
        for r in rows(store, _RULES, claim=claim)
    ]
    return ClaimVerdict(found, rules)


@dataclass(frozen=True)
class Brief:
    """A verdict in short (a badge on a list of claims)."""

    verdict: str
    words: str
    reason: str


def briefs(store: Any, claims: list[str]) -> dict[str, Brief]:
    """The verdicts on these claims, by claim IRI (claims never judged are left out)."""
    if not claims:
        return {}
    found = rows(
        store,
        f"SELECT ?claim ?v ?reason WHERE {{ VALUES ?claim {{ {iri_values(claims)} }}"
        " GRAPH ?rg { ?rg a gc:ReviewGraph . ?review schema:itemReviewed ?claim ;"
        " gc:verdict ?v ; schema:reviewBody ?reason } }",
    )
    out = {}
    for r in found:
        verdict = r["v"].value.rsplit("/", 1)[-1]
        out[r["claim"].value] = Brief(verdict, WORDS.get(verdict, verdict), r["reason"].value)
    return out
