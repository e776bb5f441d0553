"""Whether a request comes from a person's browser: it prefers HTML over every result format."""

from __future__ import annotations

from collections.abc import Iterable

from kg.formats import GRAPH, RESULTS, MediaRange, parse_accept


def _q(ranges: list[MediaRange], media_type: str, aliases: Iterable[str] = ()) -> float:
    """The q of the most specific range matching a media type or one of its exact aliases."""
    aliases = tuple(aliases)
    best_spec, q = -1, 0.0
    for r in ranges:
        spec = r.matches(media_type)
        if spec < 0 and any(r.matches(a) == 2 for a in aliases):
            spec = 2
        if spec > best_spec or (spec == best_spec and spec >= 0 and r.q > q):
            best_spec, q = spec, r.q
    return q if best_spec >= 0 else 0.0


def prefers_page(accept: str | None) -> bool:
    """True when text/html is named and ranks above every query result and RDF format.

    SPARQL clients name their result format (SPARQLWrapper and rdflib XML, YASGUI JSON) or send
    `*/*` (curl): none of them names text/html above it, so none of them gets a page.
    """
    ranges = parse_accept(accept)
    if not any(r.type == "text" and r.subtype == "html" and r.q > 0 for r in ranges):
        return False
    html = _q(ranges, "text/html")
    return all(
        html > _q(ranges, f.media_type, (a for a in f.aliases if "/" in a))
        for f in (*RESULTS, *GRAPH)
    )


def parses(query: str) -> bool:
    """Whether rdflib's SPARQL 1.1 grammar reads the query (a check only: nothing is evaluated).

    A query it refuses goes the usual way, so the browser sees the store's own 400 page with the
    parser's message (or, for a syntax only Oxigraph knows, the results as before).
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parseQuery(query)
    except (ParseBaseException, ValueError, RecursionError):
        return False
    return True
