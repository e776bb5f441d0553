"""Codes to entities: the identifiers of the entities graph, read once, looked up per row.

An event's actor or place links to one of our entities only when the dataset's code is one of
that entity's identifiers (ontology/identifiers.ttl: CAMEO actor codes, FIPS 10-4, ISO 3166-1
alpha-3, COW codes; Wikidata items through owl:sameAs) and the code was valid on the event's date
(BLRGOV is Lukashenko's from 1994-07-20). Anything else stays a code: never a guess.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from kg.namespaces import GC, OWL, SCHEMA, WD, WDT

# The identifier properties a dataset's codes are looked up under, by the name the importers use.
SCHEMES = {
    "cameo": GC + "cameoCode",
    "fips": WDT + "P901",
    "iso3": WDT + "P298",
    "cow": GC + "cowCode",
}

_QUERY = f"""
SELECT ?entity ?property ?value ?from ?until WHERE {{
  GRAPH ?g {{
    ?g a <{GC}EntityGraph> .
    ?entity <{GC}identifierAssignment> ?a .
    ?a <{SCHEMA}propertyID> ?property ; <{SCHEMA}value> ?value .
    OPTIONAL {{ ?a <{GC}validFrom> ?from }}
    OPTIONAL {{ ?a <{GC}validUntil> ?until }}
  }}
}}
"""
_SAME_AS = f"""
SELECT ?entity ?item WHERE {{
  GRAPH ?g {{ ?g a <{GC}EntityGraph> . ?entity <{OWL}sameAs> ?item }}
  FILTER(STRSTARTS(STR(?item), "{WD}"))
}}
"""


@dataclass(frozen=True)
class Code:
    """One entity a code stands for, and the days it did (ISO dates, "" for open)."""

    entity: str
    valid_from: str = ""
    valid_until: str = ""


@dataclass
class Resolver:
    """Look codes up: `entities("cameo", "BLRGOV", "2020-08-09")` -> the entity IRIs, sorted."""

    codes: dict[tuple[str, str], list[Code]] = field(default_factory=dict)
    items: dict[str, list[str]] = field(default_factory=dict)  # Wikidata IRI -> entities

    @classmethod
    def from_store(cls, store: Any) -> Resolver:
        """The entities graph's identifiers (empty when the store has no entities yet)."""
        by_property = {iri: name for name, iri in SCHEMES.items()}
        codes: dict[tuple[str, str], list[Code]] = defaultdict(list)
        for row in store.query(_QUERY, union=False):
            name = by_property.get(row["property"].value)
            if name is None:
                continue
            codes[(name, row["value"].value)].append(
                Code(
                    row["entity"].value,
                    row["from"].value if row["from"] is not None else "",
                    row["until"].value if row["until"] is not None else "",
                )
            )
        items: dict[str, list[str]] = defaultdict(list)
        for row in store.query(_SAME_AS, union=False):
            items[row["item"].value].append(row["entity"].value)
        return cls(
            {k: sorted(v, key=lambda c: c.entity) for k, v in codes.items()},
            {k: sorted(v) for k, v in items.items()},
        )

    def entities(self, scheme: str, code: str, day: str) -> list[str]:
        """The entities `code` stood for on `day` (YYYY-MM-DD), sorted; [] when none."""
        if not code:
            return []
        found = self.codes.get((scheme, code))
        if not found:
            return []
        return [
            c.entity
            for c in found
            if (not c.valid_from or c.valid_from <= day)
            and (not c.valid_until or day <= c.valid_until)
        ]

    def item(self, wikidata: str) -> list[str]:
        """Our entities with this Wikidata item (owl:sameAs), sorted."""
        return self.items.get(wikidata, [])
