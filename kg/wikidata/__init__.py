"""The graph in Wikidata's statement model: `kg export --view wikidata` (issue 14).

What the project vouches for (reference facts, entity identifiers) and what the articles claim
(claims' propositions) become Wikidata-style statements about the entities: `p:P47` to a statement
node with `ps:P47` the value, `pq:` qualifiers (start time P580, end time P582, point in time P585,
statement disputed by P1310, reason for deprecated rank P2241), a `wikibase:rank`, and
`prov:wasDerivedFrom` a `wikibase:Reference` (`pr:P248` stated in, `pr:P854` reference URL,
`pr:P577` publication date). A claim's reference names its article and its exact words: `pr:P854`
is the span's IRI (`article#char=B,E`), with `nif:beginIndex`, `nif:endIndex`, `nif:anchorOf`,
`prov:wasAttributedTo` the claimant and `dcterms:source` the claim.

Ranks: facts and identifiers are preferred (and only they get truthy `wdt:` triples and
`wikibase:BestRank`: a claim never reads as a fact); claims are normal, or deprecated with
P2241 "incorrect value" (Q41755623) when `kg check` found them contradicted. Denials are not
statements of their own: the claimant of a claim that disputes another is a P1310 qualifier of the
disputed claim's statements. Conditional, hypothetical, future and unknown-polarity claims are left
out (Wikidata has no way to say "if"). Entities with a verified Wikidata item are named by it; the
others (and events, agreements) keep their own IRIs. Only Wikidata properties the project has
verified are used (shared/reference/wikidata.md): P39, P463, P47, P36, P571, P1891, P710, P276,
P585, P1132, P1120, P580, P582, P1310, P2241, P248, P854, P577 and the identifiers P297-P299,
P901, P1566.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg.config import Config
from kg.errors import DataError, NotFound
from kg.store import Store
from kg.wikidata.terms import PREFIXES, named
from kg.wikidata.writer import triples


def serialize(store: Store, output: Any, fmt: ox.RdfFormat, graph: str | None = None) -> int:
    """Write the view to `output` (into the named graph `graph` for a dataset format)."""
    found = triples(store)
    found.sort(key=lambda t: (t.subject.value, t.predicate.value, str(t.object)))
    if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        name = named(graph) if graph else ox.DefaultGraph()
        quads = [ox.Quad(t.subject, t.predicate, t.object, name) for t in found]
        ox.serialize(quads, output, fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TRIG else None)
    else:
        prefixes = PREFIXES if fmt == ox.RdfFormat.TURTLE else None
        ox.serialize(found, output, fmt, prefixes=prefixes)
    return len(found)


FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}


def export(config: Config, fmt: str, output: Any) -> int:
    """`kg export --view wikidata`: the view of the configured store, in `fmt`; its size.

    In a dataset format (TriG, N-Quads) the triples go in the graph `{base}graph/wikidata`, so the
    file loads beside the dataset without touching it.
    """
    from pathlib import Path

    from kg.lock import reader

    if fmt not in FORMATS:
        raise DataError(f"unknown export format {fmt!r} (expected {', '.join(FORMATS)})")
    if not (config.remote or config.in_memory or Path(config.data_dir).is_dir()):
        raise NotFound(f"no store at {config.data_dir}: run `kg build` first")
    with reader(config) as store:
        return serialize(store, output, FORMATS[fmt], graph=f"{config.base_iri}graph/wikidata")
