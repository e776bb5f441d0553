"""An entity's identifiers in other datasets, each with a link to the dataset's own page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from kg.browse.terms import rows


@dataclass(frozen=True)
class Identifier:
    """One code of an entity: the dataset, the code, its page and its validity."""

    prop: str  # the identifier property's IRI (wdt:P298, gc:cameoCode, ...)
    name: str  # the property's label: the dataset and kind of code
    code: str
    url: str | None  # the dataset's page for this code, where the dataset has one
    dataset: str | None  # the dataset's home page
    valid_from: str | None = None
    valid_until: str | None = None
    note: str = ""


_SPARQL = """
SELECT ?e ?prop ?code ?from ?until ?note ?name ?formatter ?dataset WHERE {
  ?e gc:identifierAssignment ?a .
  ?a schema:propertyID ?prop ; schema:value ?code .
  OPTIONAL { ?a gc:validFrom ?from }
  OPTIONAL { ?a gc:validUntil ?until }
  OPTIONAL { ?a skos:editorialNote ?note }
  OPTIONAL { ?prop rdfs:label ?name FILTER(LANGMATCHES(LANG(?name), "en")) }
  OPTIONAL { ?prop gc:formatterURL ?formatter }
  OPTIONAL { ?prop rdfs:seeAlso ?dataset }
}
ORDER BY ?name ?code
"""


def identifiers_of(store: Any, iri: str) -> list[Identifier]:
    """The identifiers of the entity `iri`, by dataset name."""
    found: dict[tuple[str, str], Identifier] = {}
    for r in rows(store, _SPARQL, e=iri):
        prop, code = r["prop"].value, r["code"].value
        formatter = r["formatter"].value if "formatter" in r else None
        found.setdefault(
            (prop, code),
            Identifier(
                prop=prop,
                name=r["name"].value if "name" in r else prop,
                code=code,
                url=formatter.replace("$1", quote(code, safe="")) if formatter else None,
                dataset=r["dataset"].value if "dataset" in r else None,
                valid_from=r["from"].value if "from" in r else None,
                valid_until=r["until"].value if "until" in r else None,
                note=r["note"].value if "note" in r else "",
            ),
        )
    return list(found.values())
