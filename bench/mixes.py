"""Query mixes for the benchmark: what analysts run, over the generated claims-shaped data."""

from __future__ import annotations

import random
from collections.abc import Callable

PREFIXES = """PREFIX gc: <https://w3id.org/geoclaims/ontology/>
PREFIX gcs: <https://w3id.org/geoclaims/ontology/scheme/>
PREFIX schema: <http://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""
BASE = "https://w3id.org/geoclaims/"

QueryMaker = Callable[[random.Random, int], str]


def _entity(rng: random.Random, entities: int) -> str:
    return f"<{BASE}entity/e{rng.randrange(entities)}>"


def _article(rng: random.Random, articles: int) -> str:
    return f"<{BASE}article/a{rng.randrange(articles)}>"


def light(articles: int, entities: int) -> list[tuple[str, QueryMaker]]:
    """Seven small queries: lookup, join, text filter, named graphs, path, ASK, DESCRIBE."""
    return [
        (
            "lookup",
            lambda r, n: PREFIXES + f"SELECT ?p ?o WHERE {{ {_entity(r, entities)} ?p ?o }}",
        ),
        (
            "claims-about",
            lambda r, n: (
                PREFIXES
                + f"""SELECT ?claim ?claimant ?text WHERE {{
  ?claim schema:about {_entity(r, entities)} ; prov:wasAttributedTo ?claimant ;
         prov:wasDerivedFrom ?span . ?span nif:anchorOf ?text }} LIMIT 50"""
            ),
        ),
        (
            "label-search",
            lambda r, n: (
                PREFIXES
                + f"""SELECT ?e ?label WHERE {{
  ?e rdfs:label ?label FILTER(CONTAINS(LCASE(STR(?label)), "{r.choice(["summit", "treaty", "border", "army"])}")) }} LIMIT 20"""
            ),
        ),
        (
            "proposition-graph",
            lambda r, n: (
                PREFIXES
                + f"""SELECT ?claim ?type ?date WHERE {{
  ?claim gc:appearsIn {_article(r, articles)} ; gc:proposition ?p .
  GRAPH ?p {{ ?p a ?type ; gc:date ?date }} }}"""
            ),
        ),
        (
            "path",
            lambda r, n: (
                PREFIXES
                + f"""SELECT ?c2 WHERE {{
  ?c gc:appearsIn {_article(r, articles)} . ?c gc:disputes+ ?c2 }}"""
            ),
        ),
        (
            "ask",
            lambda r, n: (
                PREFIXES
                + f"ASK {{ ?c schema:about {_entity(r, entities)} ; gc:polarity <https://w3id.org/geoclaims/ontology/scheme/polarity/denied> }}"
            ),
        ),
        (
            "describe",
            lambda r, n: (
                PREFIXES + f"DESCRIBE <{BASE}claim/a{r.randrange(articles)}/c{r.randrange(20)}>"
            ),
        ),
    ]


def point(articles: int, entities: int) -> list[tuple[str, QueryMaker]]:
    """Point lookups: one entity's properties."""
    return [("point", lambda r, n: f"SELECT ?p ?o WHERE {{ {_entity(r, entities)} ?p ?o }}")]


def heavy(articles: int, entities: int) -> list[tuple[str, QueryMaker]]:
    """Aggregates, OPTIONAL-heavy reports, ORDER BY LIMIT."""
    return [
        (
            "claims-per-claimant",
            lambda r, n: (
                PREFIXES
                + """SELECT ?claimant (COUNT(?c) AS ?n) WHERE {
  ?c a schema:Claim ; prov:wasAttributedTo ?claimant } GROUP BY ?claimant ORDER BY DESC(?n) LIMIT 20"""
            ),
        ),
        (
            "optional-report",
            lambda r, n: (
                PREFIXES
                + f"""SELECT ?c ?act ?pol ?mod ?att ?d WHERE {{
  ?c gc:appearsIn ?a ; gc:polarity ?pol ; gc:modality ?mod .
  OPTIONAL {{ ?c gc:attribution ?att }} OPTIONAL {{ ?c gc:disputes ?d }}
  OPTIONAL {{ ?c a ?act FILTER(?act != schema:Claim) }}
  FILTER(?a IN ({", ".join(_article(r, articles) for _ in range(20))})) }}"""
            ),
        ),
        (
            "order-limit",
            lambda r, n: (
                PREFIXES
                + """SELECT ?a ?date WHERE {
  ?a a schema:NewsArticle ; schema:datePublished ?date } ORDER BY DESC(?date) ?a LIMIT 25"""
            ),
        ),
        (
            "denied-by-type",
            lambda r, n: (
                PREFIXES
                + """SELECT ?type (COUNT(*) AS ?n) WHERE {
  ?c gc:polarity <https://w3id.org/geoclaims/ontology/scheme/polarity/denied> ; gc:proposition ?p . GRAPH ?p { ?p a ?type } } GROUP BY ?type"""
            ),
        ),
    ]


def big(articles: int, entities: int) -> list[tuple[str, QueryMaker]]:
    """A 100k-row result."""
    return [
        ("100k-rows", lambda r, n: PREFIXES + "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 100000")
    ]


MIXES = {"light": light, "point": point, "heavy": heavy, "big": big}


def pool(mix: list[tuple[str, QueryMaker]], size: int = 280, seed: int = 11) -> list:
    """A fixed list of (kind, query) drawn from a mix: the same queries for every target.

    `kind` is "graph" for DESCRIBE/CONSTRUCT (asked as N-Triples), else "select". A fixed pool
    also gives the warm-cache runs a bounded working set to reuse.
    """
    rng = random.Random(seed)
    out = []
    for _ in range(max(1, size // len(mix))):
        for name, make in mix:
            kind = "graph" if name in ("describe",) else "select"
            out.append((kind, make(rng, 0)))
    return out
