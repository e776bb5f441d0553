"""The best human name of each IRI: its label (English first), else the words it quotes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kg.browse.terms import iri_values, rows
from kg.namespaces import RDFS, SCHEMA, SKOS

LABEL_PROPS = (RDFS + "label", SKOS + "prefLabel", SCHEMA + "headline", SCHEMA + "name")


def _quoted(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"


def labels(store: Any, iris: Iterable[str]) -> dict[str, str]:
    """The labels of these IRIs in two queries; IRIs with neither label nor quote are left out."""
    wanted = {i for i in iris if i}
    if not wanted:
        return {}
    props = " ".join(f"<{p}>" for p in LABEL_PROPS)
    sparql = (
        f"SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {iri_values(wanted)} }} "
        f"VALUES ?p {{ {props} }} ?x ?p ?l }}"
    )
    best: dict[str, tuple[int, str]] = {}
    for row in rows(store, sparql):
        rank = LABEL_PROPS.index(row["p"].value) * 3
        lang = getattr(row["l"], "language", None) or ""
        rank += 0 if lang == "en" else (1 if not lang else 2)
        iri = row["x"].value
        if iri not in best or rank < best[iri][0]:
            best[iri] = (rank, row["l"].value)
    found = {iri: text for iri, (_, text) in best.items()}
    # Claims and spans have no label: their words are the best name they have.
    rest = wanted - set(best)
    if rest:
        sparql = (
            f"SELECT ?x (SAMPLE(?q) AS ?quote) WHERE {{ VALUES ?x {{ {iri_values(rest)} }} "
            f"?x nif:anchorOf|gc:evidence/nif:anchorOf ?q }} GROUP BY ?x"
        )
        for row in rows(store, sparql):
            if "quote" in row:
                found[row["x"].value] = _quoted(row["quote"].value)
    return found
