"""The checker's stored verdicts as the pages read them: per article, per claim, in short."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.browse.terms import iri_values, rows
from kg.check import verdicts_for_article
from kg.check.report import ArticleVerdict
from kg.check.verdict import WORDS


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
    found = next(iter(verdicts_for_article(store, article, claim)), None)
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


JUDGED_SHOWN = 50


def judged_with(store: Any, fact: str) -> tuple[list[tuple[str, Brief]], bool]:
    """The claims whose verdict used this reference fact (the first JUDGED_SHOWN), and whether
    there are more."""
    found = rows(
        store,
        "SELECT ?f ?claim ?v ?reason WHERE { GRAPH ?rg { ?rg a gc:ReviewGraph ."
        " ?review gc:checkedAgainst ?f ; schema:itemReviewed ?claim ; gc:verdict ?v ;"
        f" schema:reviewBody ?reason }} }} ORDER BY ?claim LIMIT {JUDGED_SHOWN + 1}",
        f=fact,
    )
    out = []
    for r in found[:JUDGED_SHOWN]:
        verdict = r["v"].value.rsplit("/", 1)[-1]
        out.append(
            (r["claim"].value, Brief(verdict, WORDS.get(verdict, verdict), r["reason"].value))
        )
    return out, len(found) > JUDGED_SHOWN
