"""A claim coded as event data (CAMEO, PLOVER), by the named query `cameo-events`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.browse.terms import Term, rows, term
from kg.namespaces import CAMEO, PLOVER

QUERY = "cameo-events"


@dataclass(frozen=True)
class Coding:
    """One coded event of a claim: who does what to whom, as GDELT and POLECAT code it."""

    level: str  # "event" (the proposition's) or "speech act" (the claim's own act)
    code: str  # the CAMEO event code
    concept: Term  # its concept (ontology/cameo.ttl)
    goldstein: str | None
    plover: Term | None  # the PLOVER event type
    modes: list[str]  # PLOVER modes
    source: Term | None
    source_code: str
    target: Term | None
    target_code: str
    date: str


_GRAPHS = """
SELECT DISTINCT ?claim ?g WHERE {
  { GRAPH ?c { ?claim gc:proposition ?g } }
  UNION { GRAPH ?g { ?claim gc:proposition ?p } }
  UNION { GRAPH ?c2 { ?claim gc:evidence ?span } GRAPH ?g { ?span nif:beginIndex ?b } }
  UNION { GRAPH ?g { ?g a ?role } VALUES ?role { gc:OntologyGraph gc:EntityGraph } }
}
"""


def _plover(name: str) -> Term | None:
    return Term("iri", PLOVER + name) if name else None


def claim_coding(store: Any, claim: str, catalogue: Any) -> list[Coding]:
    """The CAMEO/PLOVER coding of one claim (empty when the catalogue lacks the query).

    The named query runs over just the graphs the claim's coding reads (its claims, proposition
    and document graphs, the ontology and the entities), so a page costs the same in a big store.
    """
    if catalogue is None or QUERY not in catalogue.names():
        return []
    graphs = [r["g"].value for r in rows(store, _GRAPHS, claim=claim)]
    results = store.query(
        catalogue.get(QUERY).text,
        union=False,
        named_graphs=graphs,
        substitutions={"claim": ox.NamedNode(claim)},
    )
    names = [v.value for v in results.variables]
    out = []
    for solution in results:
        r = {n: solution[n] for n in names if solution[n] is not None}

        def text(name: str, row: dict[str, Any] = r) -> str:
            return row[name].value if name in row else ""

        out.append(
            Coding(
                level=text("level"),
                code=text("eventCode"),
                concept=Term("iri", CAMEO + text("eventCode")),
                goldstein=text("goldstein") or None,
                plover=_plover(text("ploverType")),
                modes=text("ploverMode").split(),
                source=term(r["source"]) if "source" in r else None,
                source_code=text("sourceCode"),
                target=term(r["target"]) if "target" in r else None,
                target_code=text("targetCode"),
                date=text("date"),
            )
        )
    return out
