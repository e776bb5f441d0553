"""The best human name of each IRI, as a reader would say it.

In order, each step only for the IRIs the steps before did not name:
1. a label: rdfs:label, skos:prefLabel, schema:headline, schema:name (English first);
2. a reference fact: its id and statement ("R1: Alexander Lukashenko took office ...");
3. a claim: its speaker and words ("NATO: “claims about its military readiness are baseless”");
   a span: its words;
4. anything else with a type (a proposition and its nodes, a review): a sentence made from its
   type and roles with the ontology's labels ("Assistance offer: agent Russia, recipient
   Belarus, ..."), so a new proposition type needs no code here; a node with surface text: the
   words;
5. a term of a standard vocabulary: its usual name (`wdt:P47` "shares border with"), else its
   local name in words (`schema:datePublished` "date published").
Each step is one query over all the IRIs still unnamed, whatever their number.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from kg.browse.terms import iri_values, rows
from kg.check.verdict import WORDS
from kg.namespaces import GC, GRAPH_CLASSES, OWL, PREFIXES, PROV, RDF, RDFS, SCHEMA, SD, SKOS, WDT

LABEL_PROPS = (RDFS + "label", SKOS + "prefLabel", SCHEMA + "headline", SCHEMA + "name")
QUOTE_CHARS = 90
# Roles a title leaves out: the type, and what only says how the node was made.
SKIP_ROLES = {RDF + "type", RDFS + "label", RDFS + "comment", SKOS + "editorialNote"}
# Graph classes say what holds a node, not what it is.
GRAPH_TYPES = {GC + c for c in (*GRAPH_CLASSES, "NamedGraph")} | {SD + "Graph"}
ROLES_SHOWN = 4

# Usual names of standard terms whose IRIs say nothing (Wikidata) or too little.
KNOWN: dict[str, str] = {
    RDF + "type": "type",
    RDFS + "label": "label",
    RDFS + "comment": "comment",
    RDFS + "seeAlso": "see also",
    OWL + "sameAs": "same as",
    SKOS + "altLabel": "also known as",
    SKOS + "prefLabel": "preferred label",
    SKOS + "editorialNote": "editorial note",
    SCHEMA + "about": "about",
    PROV + "wasAttributedTo": "attributed to",
    PROV + "wasDerivedFrom": "derived from",
    WDT + "P17": "country",
    WDT + "P31": "instance of",
    WDT + "P35": "head of state",
    WDT + "P39": "position held",
    WDT + "P47": "shares border with",
    WDT + "P150": "contains administrative territorial entity",
    WDT + "P297": "ISO 3166-1 alpha-2 code",
    WDT + "P298": "ISO 3166-1 alpha-3 code",
    WDT + "P299": "ISO 3166-1 numeric code",
    WDT + "P463": "member of",
    WDT + "P527": "has part",
    WDT + "P580": "start time",
    WDT + "P582": "end time",
    WDT + "P585": "point in time",
    WDT + "P710": "participant",
    WDT + "P901": "FIPS 10-4 code",
    WDT + "P1310": "statement disputed by",
    WDT + "P1566": "GeoNames ID",
    WDT + "P1891": "signatory",
}
_NAMESPACES = tuple(sorted(PREFIXES.values(), key=len, reverse=True))


def clip(text: str, limit: int = QUOTE_CHARS) -> str:
    """Text on one line, cut with an ellipsis past `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quoted(text: str, limit: int = QUOTE_CHARS) -> str:
    return "“" + clip(text, limit) + "”"


def humanise(iri: str) -> str | None:
    """The usual name of a standard term, else its local name in words; None for other IRIs."""
    if iri in KNOWN:
        return KNOWN[iri]
    for ns in _NAMESPACES:
        if iri.startswith(ns) and ns not in (GC,):
            local = iri[len(ns) :]
            if local and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", local):
                words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).replace("_", " ")
                return words if words[:1].isupper() and words.isupper() else words.lower()
    return None


_NAMED = """
SELECT ?x ?p ?l ?fid ?fact ?words ?quote ?speaker WHERE {{
  VALUES ?x {{ {values} }}
  OPTIONAL {{ ?x ?p ?l FILTER(?p IN ({props})) }}
  OPTIONAL {{ ?x gc:factId ?fid OPTIONAL {{ ?x schema:description ?fact }} }}
  OPTIONAL {{ ?x nif:anchorOf ?words }}
  OPTIONAL {{ ?x gc:evidence ?ev . ?ev nif:anchorOf ?quote
             OPTIONAL {{ ?x gc:claimant ?who . ?who rdfs:label ?speaker }} }}
}}"""


def _named(store: Any, wanted: set[str]) -> dict[str, str]:
    """Steps 1-3 in one query: each OPTIONAL starts from the IRI given (a UNION or a property
    path here would make the engine walk every claim of the store first: seconds at 1M quads)."""
    props = ", ".join(f"<{p}>" for p in LABEL_PROPS)
    best: dict[str, tuple[int, str]] = {}
    for row in rows(store, _NAMED.format(values=iri_values(wanted), props=props)):
        iri = row["x"].value
        found: list[tuple[int, str]] = []
        if "l" in row:
            lang = getattr(row["l"], "language", None) or ""
            rank = LABEL_PROPS.index(row["p"].value) * 3 + (
                0 if lang == "en" else 1 if not lang else 2
            )
            found.append((rank, row["l"].value))
        if "fid" in row:
            text = ": " + clip(row["fact"].value, 120) if "fact" in row else ""
            found.append((100, row["fid"].value + text))
        if "quote" in row:
            words = quoted(row["quote"].value)
            found.append((200, f"{row['speaker'].value}: {words}" if "speaker" in row else words))
        if "words" in row:
            found.append((300, quoted(row["words"].value)))
        for candidate in found:
            if iri not in best or candidate[0] < best[iri][0]:
                best[iri] = candidate
    return {iri: text for iri, (_, text) in best.items()}


def _sentences(store: Any, wanted: set[str], depth: int) -> dict[str, str]:
    """Typed nodes as "Type: role value, role value" (reviews: verdict and claim)."""
    found = rows(
        store,
        f"SELECT ?x ?p ?o WHERE {{ VALUES ?x {{ {iri_values(wanted)} }} ?x ?p ?o }} LIMIT 5000",
    )
    props: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for r in found:
        props[r["x"].value].append((r["p"].value, r["o"]))
    typed = {x: ps for x, ps in props.items() if any(p == RDF + "type" for p, _ in ps)}
    out: dict[str, str] = {}
    for x, ps in typed.items():
        surface = [o.value for p, o in ps if p == GC + "surfaceText"]
        if surface:
            out[x] = quoted(surface[0])
    todo = {x: ps for x, ps in typed.items() if x not in out}
    if not todo:
        return out
    types = {v.value for ps in todo.values() for p, v in ps if p == RDF + "type"}
    needed = {p for ps in todo.values() for p, _ in ps}
    needed |= {v.value for ps in todo.values() for _, v in ps if _is_iri(v)}
    names = labels(store, needed - set(todo), depth + 1)
    supers = _superclasses(store, types)
    for x, ps in todo.items():
        if any(p == SCHEMA + "itemReviewed" for p, _ in ps):
            out[x] = _review(ps, names)
            continue
        kind = _most_specific([v.value for p, v in ps if p == RDF + "type"], supers)
        kind_name = names.get(kind) or humanise(kind) or kind.rsplit("/", 1)[-1]
        parts = []
        for p, v in sorted(ps, key=lambda pv: _role_order(pv, names)):
            if p in SKIP_ROLES or p.startswith(PROV):
                continue
            value = (names.get(v.value) or humanise(v.value)) if _is_iri(v) else v.value
            if value:
                role = names.get(p) or humanise(p) or p.rsplit("/", 1)[-1]
                part = f"{role} {clip(value, 40)}"
                if part not in parts:  # gc:startDate and its schema:startDate say it once
                    parts.append(part)
        head = kind_name[:1].upper() + kind_name[1:]
        shown = parts[:ROLES_SHOWN] + (["…"] if len(parts) > ROLES_SHOWN else [])
        out[x] = head + (": " + ", ".join(shown) if shown else "")
    return out


def _review(ps: list[tuple[str, Any]], names: dict[str, str]) -> str:
    verdict = next((v.value.rsplit("/", 1)[-1] for p, v in ps if p == GC + "verdict"), "")
    claim = next((v.value for p, v in ps if p == SCHEMA + "itemReviewed"), "")
    words = WORDS.get(verdict, verdict) or "no verdict"
    return f"Review: {words}" + (f" — {names[claim]}" if claim in names else "")


def _role_order(pv: tuple[str, Any], names: dict[str, str]) -> tuple[int, str]:
    """Entities first (who, whom), then concepts and values; by role name within each."""
    p, v = pv
    rank = 0 if _is_iri(v) and "/entity/" in v.value else (1 if _is_iri(v) else 2)
    return rank, names.get(p, p)


def _is_iri(term: Any) -> bool:
    return type(term).__name__ == "NamedNode"


def _superclasses(store: Any, types: set[str]) -> dict[str, set[str]]:
    if not types:
        return {}
    found: dict[str, set[str]] = defaultdict(set)
    for r in rows(
        store,
        f"SELECT DISTINCT ?t ?s WHERE {{ VALUES ?t {{ {iri_values(types)} }} "
        "?t rdfs:subClassOf+ ?s }",
    ):
        found[r["t"].value].add(r["s"].value)
    return found


def _most_specific(types: list[str], supers: dict[str, set[str]]) -> str:
    """Among a node's types, the deepest of ours (a type no other of its types is under)."""
    kinds = [t for t in types if t not in GRAPH_TYPES]
    if not kinds:
        return types[0] if types else ""
    ours = [t for t in kinds if t.startswith(GC)] or kinds
    leaves = [t for t in ours if not any(t in supers.get(o, set()) for o in ours if o != t)]
    return max(leaves or ours, key=lambda t: (len(supers.get(t, ())), t))


def labels(store: Any, iris: Iterable[str], depth: int = 0) -> dict[str, str]:
    """The human names of these IRIs (see the module docstring); IRIs with none are left out."""
    wanted = {i for i in iris if i}
    if not wanted:
        return {}
    found = _named(store, wanted)
    rest = wanted - set(found)
    if rest and depth < 2:
        found.update(_sentences(store, rest, depth))
    for iri in wanted - set(found):
        name = humanise(iri)
        if name is not None:
            found[iri] = name
    return found
