"""The article page: the full text cut into segments at every span boundary, claims marked."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from kg.browse.terms import Term, rows, term


@dataclass
class Segment:
    """A run of text between two span boundaries, with the claims whose evidence covers it."""

    begin: int
    end: int
    text: str
    claims: list[str] = field(default_factory=list)  # claim IRIs
    spans: list[str] = field(default_factory=list)  # "b,e" of the evidence spans covering it


@dataclass
class SpanClaim:
    """A claim made in the article, with its evidence span."""

    iri: str
    begin: int
    end: int
    quote: str
    claimant: Term | None


@dataclass
class ArticleMeta:
    """Who published the article and when, and how sure that is (shown above the text)."""

    headline: str = ""
    publisher: Term | None = None
    publisher_note: str = ""
    url: str = ""
    language: str = ""
    date: str = ""
    date_method: str = ""  # stated | estimated
    date_reasoning: str = ""
    date_from: str = ""  # the plausible interval of an estimated date
    date_to: str = ""
    anchor_date: str = ""


@dataclass
class ArticleView:
    """What the article page shows besides the generic statements."""

    text: str
    segments: list[Segment]
    claims: list[SpanClaim]
    graphs: list[Term]
    meta: ArticleMeta = field(default_factory=ArticleMeta)


def segments(text: str, spans: list[tuple[int, int]], claims: list[SpanClaim]) -> list[Segment]:
    """Cut the text at every span and evidence boundary; offsets count code points."""
    cuts = {0, len(text)}
    for b, e in spans:
        cuts.update(x for x in (b, e) if 0 <= x <= len(text))
    for c in claims:
        cuts.update(x for x in (c.begin, c.end) if 0 <= x <= len(text))
    points = sorted(cuts)
    out = []
    for b, e in zip(points, points[1:], strict=False):
        seg = Segment(b, e, text[b:e])
        for c in claims:
            if c.begin <= b and e <= c.end:
                seg.claims.append(c.iri)
                seg.spans.append(f"{c.begin},{c.end}")
        seg.spans = sorted(set(seg.spans))
        out.append(seg)
    return out


_META = """
SELECT ?a ?headline ?publisher ?note ?url ?lang ?date ?method ?reasoning ?from ?to ?anchor WHERE {
  ?a a schema:NewsArticle .
  OPTIONAL { ?a schema:headline ?headline }
  OPTIONAL { ?a schema:publisher ?publisher }
  OPTIONAL { ?a gc:publisherNote ?note }
  OPTIONAL { ?a schema:url ?url }
  OPTIONAL { ?a schema:inLanguage ?lang }
  OPTIONAL { ?a schema:datePublished ?date }
  OPTIONAL { ?a gc:datePublishedMethod ?method }
  OPTIONAL { ?a gc:datePublishedReasoning ?reasoning }
  OPTIONAL { ?a time:hasTime ?i . ?i time:hasBeginning/time:inXSDDate ?from ;
             time:hasEnd/time:inXSDDate ?to }
  OPTIONAL { ?a gc:anchorDate ?anchor }
} LIMIT 1
"""


def article_meta(store: Any, iri: str) -> ArticleMeta:
    """The article's publisher and date, with how the date was found."""
    found = rows(store, _META, a=iri)
    if not found:
        return ArticleMeta()
    r = found[0]

    def text(name: str) -> str:
        return r[name].value if name in r else ""

    return ArticleMeta(
        headline=text("headline"),
        publisher=term(r["publisher"]) if "publisher" in r else None,
        publisher_note=text("note"),
        url=text("url"),
        language=text("lang"),
        date=text("date"),
        date_method=text("method"),
        date_reasoning=text("reasoning"),
        date_from=text("from"),
        date_to=text("to"),
        anchor_date=text("anchor"),
    )


def _text(store: Any, iri: str) -> tuple[Any, str] | None:
    """The article's nif:Context and its text (through gc:hasContext; else by the IRI's form)."""
    found = rows(
        store,
        "SELECT ?a ?ctx ?text WHERE { ?a gc:hasContext ?ctx . ?ctx nif:isString ?text } LIMIT 1",
        a=iri,
    )
    if not found:  # data without gc:hasContext: the context is the article IRI's #char=0,N
        found = rows(
            store,
            "SELECT ?a ?ctx ?text WHERE { ?ctx a nif:Context ; nif:isString ?text "
            'FILTER(STRSTARTS(STR(?ctx), CONCAT(STR(?a), "#"))) } LIMIT 1',
            a=iri,
        )
    return (found[0]["ctx"], found[0]["text"].value) if found else None


def article_view(store: Any, iri: str) -> ArticleView | None:
    """The text, spans, claims and graphs of an article, or None when the IRI has no text."""
    found = _text(store, iri)
    if found is None:
        return None
    ctx, text = found
    spans = [
        (int(r["b"].value), int(r["e"].value))
        for r in rows(
            store,
            "SELECT DISTINCT ?ctx ?b ?e WHERE { ?span nif:referenceContext ?ctx ;"
            " nif:beginIndex ?b ; nif:endIndex ?e }",
            ctx=ctx,
        )
    ]
    claims = []
    for r in rows(
        store,
        "SELECT DISTINCT ?a ?claim ?b ?e ?quote ?claimant WHERE {"
        " ?claim gc:appearsIn ?a ; gc:evidence ?ev ."
        " ?ev nif:beginIndex ?b ; nif:endIndex ?e OPTIONAL { ?ev nif:anchorOf ?quote }"
        " OPTIONAL { ?claim gc:claimant ?claimant } } ORDER BY ?b ?claim",
        a=iri,
    ):
        claims.append(
            SpanClaim(
                r["claim"].value,
                int(r["b"].value),
                int(r["e"].value),
                r["quote"].value if "quote" in r else "",
                term(r["claimant"]) if "claimant" in r else None,
            )
        )
    graphs: dict[str, Term] = {}
    for r in rows(
        store,
        "SELECT DISTINCT ?a ?g WHERE { { GRAPH ?g { ?a a schema:NewsArticle } } UNION"
        " { GRAPH ?g { ?c gc:appearsIn ?a } } } ORDER BY ?g",
        a=iri,
    ):
        graphs.setdefault(r["g"].value, term(r["g"]))
    return ArticleView(
        text, segments(text, spans, claims), claims, list(graphs.values()), article_meta(store, iri)
    )


def claims_by_iri(view: ArticleView) -> dict[str, list[SpanClaim]]:
    """The article's claims keyed by claim IRI (a claim may have several evidence spans)."""
    out: dict[str, list[SpanClaim]] = defaultdict(list)
    for c in view.claims:
        out[c.iri].append(c)
    return dict(out)
