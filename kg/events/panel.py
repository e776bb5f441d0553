"""The article and claim pages' panel: the event-data rows that bear on the claims shown.

Registered in kg/web/extras.py: the article page gets, for each of its claims, the rows the named
query `events-bearing-on-claims` finds (corroborating an asserted claim, contradicting a denial),
and a claim page the same for its one claim. Nothing shows when no event data was imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

QUERY = "events-bearing-on-claims"


@dataclass(frozen=True)
class Bearing:
    """One event-data row bearing on a claim."""

    claim: str
    relation: str  # "corroborates" or "contradicts"
    event: str
    date: str
    code: str
    label: str
    matches: tuple[str, ...]  # how it bears on the claim's target: target actor, place, ...
    file: str


def _catalogue() -> Any:
    from kg.web import state
    from kg.web.querypages import catalogue_or_none

    return catalogue_or_none(state().config)


def bearings(store: Any, catalogue: Any, **bound: str) -> dict[str, list[Bearing]]:
    """Rows per claim (in the query's order), for the claims `bound` selects (article, claim)."""
    if catalogue is None or QUERY not in catalogue.names():
        return {}
    query = catalogue.get(QUERY)
    default = next((p.default for p in query.params if p.name == "days"), "3")
    substitutions: dict[str, Any] = {
        "days": ox.Literal(str(default), datatype=ox.NamedNode(_XSD_INTEGER)),
        **{name: ox.NamedNode(iri) for name, iri in bound.items()},
    }
    # A quick look first: no event data imported, nothing to run.
    if not bool(store.query(_ANY_EVENTS, union=False)):
        return {}
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for row in store.query(query.text, substitutions=substitutions):
        key = (row["claim"].value, row["event"].value)
        entry = found.get(key)
        if entry is None:
            found[key] = {
                "claim": key[0],
                "relation": row["relation"].value,
                "event": key[1],
                "date": row["date"].value,
                "code": row["code"].value,
                "label": row["label"].value,
                "matches": [row["targetMatch"].value],
                "file": row["file"].value,
            }
        elif row["targetMatch"].value not in entry["matches"]:
            entry["matches"].append(row["targetMatch"].value)
    out: dict[str, list[Bearing]] = {}
    for entry in found.values():
        entry["matches"] = tuple(entry["matches"])
        out.setdefault(entry["claim"], []).append(Bearing(**entry))
    return out


_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_ANY_EVENTS = "ASK { GRAPH ?g { ?g a <https://w3id.org/geoclaims/ontology/EventDataGraph> } }"


def for_article(store: Any, iri: str) -> dict[str, list[Bearing]]:
    """The extras loader of the article page: the rows bearing on each of its claims."""
    return bearings(store, _catalogue(), article=iri)


def for_claim(store: Any, iri: str) -> dict[str, list[Bearing]]:
    """The extras loader of a claim's page."""
    return bearings(store, _catalogue(), claim=iri)
