"""Verdicts for people: the printed table, the counts, and records for the article page."""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass, field

from kg.check.verdict import VERDICTS, WORDS, FactRef, SourceRef, Verdict
from kg.namespaces import sparql_prefixes
from kg.store import Store

ORDER = {v: i for i, v in enumerate(VERDICTS)}


def counts(results: list[Verdict]) -> dict[str, int]:
    """How many claims got each verdict (every verdict listed, zero included)."""
    tally = Counter(v.verdict for v in results)
    return {v: tally.get(v, 0) for v in VERDICTS}


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(results: list[Verdict], width: int = 160) -> str:
    """A fixed-width table (claim, article words, verdict, reason), worst verdicts first."""
    rows = sorted(results, key=lambda v: (ORDER[v.verdict], v.aid, v.begin or 0, v.cid))
    cid_w = max([len("claim")] + [len(v.cid) for v in rows])
    words_w, verdict_w = 44, len("partly correct")
    reason_w = max(30, width - cid_w - words_w - verdict_w - 6)
    head = f"{'claim':<{cid_w}}  {'article words':<{words_w}}  {'verdict':<{verdict_w}}  reason"
    lines = [head, "-" * min(width, len(head) + reason_w - len("reason"))]
    for v in rows:
        wrapped = textwrap.wrap(v.reason, reason_w) or [""]
        words = _clip(f"“{v.words}”", words_w)
        lines.append(
            f"{v.cid:<{cid_w}}  {words:<{words_w}}  {WORDS[v.verdict]:<{verdict_w}}  {wrapped[0]}"
        )
        pad = " " * (cid_w + words_w + verdict_w + 6)
        lines += [pad + more for more in wrapped[1:]]
    tally = counts(results)
    lines.append("")
    lines.append(
        ", ".join(f"{WORDS[v]}: {tally[v]}" for v in VERDICTS) + f"; claims: {len(results)}"
    )
    return "\n".join(lines)


@dataclass
class ArticleVerdict:
    """One verdict as the article page renders it: where, what, why, and on what evidence."""

    claim: str
    review: str
    begin: int
    end: int
    words: str
    verdict: str  # consistent | contradicted | partly-correct | not-checkable
    verdict_label: str
    rating: int | None
    reason: str
    facts: list[FactRef] = field(default_factory=list)


ARTICLE_QUERY = """
SELECT ?article ?review ?claim ?b ?e ?words ?verdict ?rating ?reason ?fact ?fid ?flabel ?src ?sname
       ?surl
WHERE {
  GRAPH ?cg { ?cg a gc:ClaimGraph . ?claim gc:appearsIn ?article ; gc:evidence ?span }
  GRAPH ?dg { ?span nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?words }
  GRAPH ?rg {
    ?rg a gc:ReviewGraph .
    ?review schema:itemReviewed ?claim ; gc:verdict ?v ; schema:reviewBody ?reason ;
            schema:reviewRating ?r .
    OPTIONAL { ?r schema:ratingValue ?rating }
  }
  BIND (REPLACE(STR(?v), "^.*/", "") AS ?verdict)
  # Only the facts this review was checked against (an unbound ?fact must not meet every fact).
  OPTIONAL {
    GRAPH ?rg { ?review gc:checkedAgainst ?fact }
    GRAPH ?fact { ?fact a gc:ReferenceFact .
                  OPTIONAL { ?fact gc:factId ?fid } OPTIONAL { ?fact schema:description ?flabel }
                  OPTIONAL { ?fact prov:wasDerivedFrom ?src
                             OPTIONAL { ?src schema:name ?sname }
                             OPTIONAL { ?src schema:url ?surl } } }
  }
} ORDER BY ?b ?e ?claim ?fact ?src
"""


def verdicts_for_article(
    store: Store, article_iri: str, claim: str | None = None
) -> list[ArticleVerdict]:
    """The stored verdicts on one article's claims (or on one of them), with spans and the
    facts' sources."""
    import pyoxigraph as ox

    bound = {"article": ox.NamedNode(article_iri)}
    if claim is not None:
        bound["claim"] = ox.NamedNode(claim)
    result = store.query(sparql_prefixes() + ARTICLE_QUERY, substitutions=bound)
    by_claim: dict[str, ArticleVerdict] = {}
    facts: dict[tuple[str, str], dict[str, object]] = {}
    for row in result:

        def val(name: str, row: ox.QuerySolution = row) -> str | None:
            term = row[name]
            return term.value if term is not None else None

        claim = val("claim") or ""
        item = by_claim.get(claim)
        if item is None:
            rating = val("rating")
            verdict = val("verdict") or ""
            item = by_claim[claim] = ArticleVerdict(
                claim,
                val("review") or "",
                int(val("b") or 0),
                int(val("e") or 0),
                val("words") or "",
                verdict,
                WORDS.get(verdict, verdict),
                int(rating) if rating else None,
                val("reason") or "",
            )
        fact = val("fact")
        if fact:
            entry = facts.setdefault(
                (claim, fact),
                {
                    "fid": val("fid") or fact.rsplit("/", 1)[-1],
                    "text": val("flabel") or "",
                    "sources": {},
                },
            )
            src = val("src")
            if src:
                entry["sources"][src] = SourceRef(val("sname") or src, val("surl"))  # type: ignore[index]
    for (claim, fact), entry in sorted(facts.items()):
        by_claim[claim].facts.append(
            FactRef(fact, str(entry["fid"]), str(entry["text"]), tuple(entry["sources"].values()))
        )  # type: ignore[union-attr]
    return sorted(by_claim.values(), key=lambda v: (v.begin, v.end, v.claim))
