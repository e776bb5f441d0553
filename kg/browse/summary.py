"""The dataset at a glance: counts, articles, main entities, sources; and the same as VoID."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.browse.terms import Term, rows, term
from kg.check.verdict import VERDICTS, WORDS
from kg.errors import QueryTimeout, ResultTooLarge
from kg.namespaces import DCTERMS, GRAPH_CLASSES, ONTOLOGY_IRI, RDF, VOID, XSD

PROJECT_LICENSE = "http://www.apache.org/licenses/LICENSE-2.0"
TITLE = "geoclaims"
DESCRIPTION = (
    "Geopolitical claims taken from news, each with who said it, where (down to the character "
    "span), how, and who disputes it; with reference facts the project vouches for."
)


ARTICLES_SHOWN = 10  # the newest; the rest are a click away (the article list)
ENTITIES_SHOWN = 15
SOURCES_SHOWN = 30


@dataclass
class Summary:
    """The numbers and lists of the home page and of the VoID description, bounded in size
    whatever the size of the graph (lists are the first few; graphs are counted by kind)."""

    counts: dict[str, int | None]
    articles: list[tuple[Term, str, str]] = field(
        default_factory=list
    )  # newest: iri, headline, date
    entities: list[tuple[Term, int]] = field(default_factory=list)  # iri, claims about it
    sources: list[Term] = field(default_factory=list)  # of the reference facts, the first few
    graph_kinds: list[tuple[Term, int, int]] = field(default_factory=list)  # class, graphs, triples
    licenses: list[Term] = field(default_factory=list)
    classes: list[tuple[Term, int]] = field(default_factory=list)
    verdicts: list[tuple[str, str, int]] = field(default_factory=list)  # verdict, words, claims


def _count(store: Any, sparql: str, **bound: Any) -> int:
    found = rows(store, sparql, **bound)
    return int(found[0]["n"].value) if found and "n" in found[0] else 0


_KINDS = " ".join(f"gc:{c}" for c in GRAPH_CLASSES)


def _graph_sizes(store: Any) -> dict[str, int] | None:
    """Triples per named graph; None when counting them runs past the query time limit (a very
    large store): the pages then leave the counts out rather than fail."""
    try:
        found = rows(
            store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
    except (QueryTimeout, ResultTooLarge):
        return None
    return {r["g"].value: int(r["n"].value) for r in found}


def summary(store: Any, base_iri: str) -> Summary:
    """Count and list what the store holds (the heaviest step, counting triples per graph, is a
    scan of the store: done once per store version by SummaryCache)."""
    sizes = _graph_sizes(store)
    # A graph's kind is the class it gives itself (gc:ClaimGraph, ...): found by class, each a
    # lookup in the type index (a join of GRAPH ?g { ?g a ?c } over every graph is not).
    kind_of = {
        r["g"].value: r["c"].value
        for r in rows(
            store, f"SELECT ?g ?c WHERE {{ VALUES ?c {{ {_KINDS} }} GRAPH ?g {{ ?g a ?c }} }}"
        )
    }
    names = (
        list(sizes)
        if sizes is not None
        else [r["g"].value for r in rows(store, "SELECT ?g WHERE { GRAPH ?g { } }")]
    )
    by_kind: dict[str, list[int]] = {}
    for g in names:
        tally = by_kind.setdefault(kind_of.get(g, ""), [0, 0])
        tally[0] += 1
        tally[1] += sizes[g] if sizes is not None else 0
    graph_kinds = [
        (Term("iri", k) if k else Term("literal", "other graphs"), n, t)
        for k, (n, t) in sorted(by_kind.items(), key=lambda kv: (kv[0] == "", kv[0]))
    ]
    counts: dict[str, int | None] = {
        "triples": sum(sizes.values()) if sizes is not None else None,
        "graphs": len(names),
        "articles": _count(
            store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a schema:NewsArticle }"
        ),
        "claims": _count(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a schema:Claim }"),
        "entities": _count(
            store,
            "SELECT ?prefix (COUNT(DISTINCT ?e) AS ?n) WHERE { GRAPH ?g { ?g a gc:EntityGraph ."
            " ?e a ?t } FILTER(STRSTARTS(STR(?e), ?prefix)) } GROUP BY ?prefix",
            prefix=ox.Literal(base_iri + "entity/"),
        ),
        "disputed claims": _count(
            store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?x gc:disputes ?c }"
        ),
    }
    articles = [
        (term(r["a"]), r["h"].value if "h" in r else "", r["d"].value if "d" in r else "")
        for r in rows(
            store,
            "SELECT ?a (SAMPLE(?head) AS ?h) (MAX(?date) AS ?d) WHERE { ?a a schema:NewsArticle "
            "OPTIONAL { ?a schema:headline ?head } OPTIONAL { ?a schema:datePublished ?date } }"
            f" GROUP BY ?a ORDER BY DESC(?d) ?a LIMIT {ARTICLES_SHOWN}",
        )
    ]
    entities = [
        (term(r["e"]), int(r["n"].value))
        for r in rows(
            store,
            "SELECT ?e (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c gc:about ?e } GROUP BY ?e"
            f" ORDER BY DESC(?n) ?e LIMIT {ENTITIES_SHOWN}",
        )
    ]
    sources = [
        term(r["s"])
        for r in rows(
            store,
            "SELECT DISTINCT ?s WHERE { ?f a gc:ReferenceFact ; prov:wasDerivedFrom ?s }"
            f" ORDER BY ?s LIMIT {SOURCES_SHOWN}",
        )
    ]
    counts["sources"] = _count(
        store,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {"
        " ?f a gc:ReferenceFact ; prov:wasDerivedFrom ?s }",
    )
    licenses = [
        term(r["l"])
        for r in rows(store, "SELECT ?o ?l WHERE { ?o dcterms:license ?l }", o=ONTOLOGY_IRI)
    ] or [Term("iri", PROJECT_LICENSE)]
    classes = [
        (term(r["c"]), int(r["n"].value))
        for r in rows(
            store,
            "SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c"
            " ORDER BY DESC(?n) ?c",
        )
    ]
    judged = {  # one review per claim, in the review graph
        r["v"].value.rsplit("/", 1)[-1]: int(r["n"].value)
        for r in rows(
            store,
            "SELECT ?v (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH ?rg { ?rg a gc:ReviewGraph ."
            " ?r gc:verdict ?v } } GROUP BY ?v",
        )
    }
    verdicts = [(v, WORDS[v], judged[v]) for v in VERDICTS if v in judged]
    return Summary(counts, articles, entities, sources, graph_kinds, licenses, classes, verdicts)


SUMMARY_FILE = "geoclaims-summary.json"


def _to_json(version: str, base_iri: str, s: Summary) -> str:
    def t(term: Term) -> list[str]:
        return [term.kind, term.value, term.lang, term.datatype]

    return json.dumps(
        {
            "version": version,
            "base": base_iri,
            "counts": s.counts,
            "articles": [[t(a), h, d] for a, h, d in s.articles],
            "entities": [[t(e), n] for e, n in s.entities],
            "sources": [t(x) for x in s.sources],
            "graph_kinds": [[t(k), g, n] for k, g, n in s.graph_kinds],
            "licenses": [t(x) for x in s.licenses],
            "classes": [[t(c), n] for c, n in s.classes],
            "verdicts": [list(v) for v in s.verdicts],
        }
    )


def _from_json(text: str, version: str, base_iri: str) -> Summary | None:
    """The summary a file holds, if it was counted at this version and base IRI."""
    try:
        d = json.loads(text)
        if d.get("version") != version or d.get("base") != base_iri:
            return None
        return Summary(
            counts=d["counts"],
            articles=[(Term(*a), h, day) for a, h, day in d["articles"]],
            entities=[(Term(*e), n) for e, n in d["entities"]],
            sources=[Term(*x) for x in d["sources"]],
            graph_kinds=[(Term(*k), g, n) for k, g, n in d["graph_kinds"]],
            licenses=[Term(*x) for x in d["licenses"]],
            classes=[(Term(*c), n) for c, n in d["classes"]],
            verdicts=[(v, w, n) for v, w, n in d["verdicts"]],
        )
    except (ValueError, KeyError, TypeError):
        return None


@dataclass
class SummaryCache:
    """The last summary and the store version it was counted at (one per app, shared by threads).

    With a directory (an on-disk store's), the summary is also kept in a file there, so the
    server's worker processes count it once per store version between them, not once each."""

    version: str | None = None
    value: Summary | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(self, store: Any, base_iri: str, directory: str | Path | None = None) -> Summary:
        """The summary of the store as it is now: counted again only after a write."""
        # Read the version before counting: a write meanwhile leaves an older tag, so a recount.
        version = store.version
        with self.lock:
            if self.value is not None and self.version == version:
                return self.value
        path = Path(directory) / SUMMARY_FILE if directory is not None else None
        fresh = None
        if path is not None and path.is_file():
            fresh = _from_json(path.read_text(encoding="utf-8"), version, base_iri)
        if fresh is None:
            fresh = summary(store, base_iri)
            if path is not None:
                with contextlib.suppress(OSError):  # a read-only directory: memory only
                    tmp = path.with_name(f".{SUMMARY_FILE}.{os.getpid()}.{threading.get_ident()}")
                    tmp.write_text(_to_json(version, base_iri, fresh), encoding="utf-8")
                    os.replace(tmp, path)
        with self.lock:
            self.version, self.value = version, fresh
        return fresh


def void_triples(s: Summary, dataset: str, endpoint: str, base_iri: str) -> list[ox.Triple]:
    """The summary as a VoID description of the dataset IRI, with one subset per named graph."""
    d = ox.NamedNode(dataset)

    def iri(x: str) -> ox.NamedNode:
        return ox.NamedNode(x)

    def num(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=iri(XSD + "integer"))

    out = [
        ox.Triple(d, iri(RDF + "type"), iri(VOID + "Dataset")),
        ox.Triple(d, iri(DCTERMS + "title"), ox.Literal(TITLE, language="en")),
        ox.Triple(d, iri(DCTERMS + "description"), ox.Literal(DESCRIPTION, language="en")),
        ox.Triple(d, iri(VOID + "sparqlEndpoint"), iri(endpoint)),
        ox.Triple(d, iri(VOID + "uriSpace"), ox.Literal(base_iri)),
        ox.Triple(d, iri(VOID + "vocabulary"), iri(ONTOLOGY_IRI)),
        ox.Triple(d, iri(VOID + "entities"), num(s.counts["entities"] or 0)),
    ]
    if s.counts["triples"] is not None:
        out.append(ox.Triple(d, iri(VOID + "triples"), num(s.counts["triples"])))
    out += [ox.Triple(d, iri(DCTERMS + "license"), iri(t.value)) for t in s.licenses if t.is_iri]
    out += [ox.Triple(d, iri(DCTERMS + "source"), iri(t.value)) for t in s.sources]
    out += [ox.Triple(d, iri(VOID + "exampleResource"), iri(t.value)) for t, _ in s.entities[:3]]
    out += [ox.Triple(d, iri(VOID + "exampleResource"), iri(t.value)) for t, _, _ in s.articles[:3]]
    # One subset per kind of named graph (claim graphs, proposition graphs, ...), not per graph:
    # the description stays the same size however many articles are loaded.
    for i, (kind, graphs, n) in enumerate(s.graph_kinds):
        sub = ox.NamedNode(f"{dataset}-graphs-{i}")
        what = kind.value.rsplit("/", 1)[-1] if kind.is_iri else kind.value
        out += [
            ox.Triple(d, iri(VOID + "subset"), sub),
            ox.Triple(sub, iri(RDF + "type"), iri(VOID + "Dataset")),
            ox.Triple(sub, iri(DCTERMS + "title"), ox.Literal(f"{graphs} named graphs: {what}")),
        ]
        if s.counts["triples"] is not None:
            out.append(ox.Triple(sub, iri(VOID + "triples"), num(n)))
        if kind.is_iri:
            out.append(ox.Triple(sub, iri(DCTERMS + "type"), iri(kind.value)))
    for i, (c, n) in enumerate(s.classes):
        part = ox.NamedNode(f"{dataset}-class-{i}")
        out += [
            ox.Triple(d, iri(VOID + "classPartition"), part),
            ox.Triple(part, iri(VOID + "class"), iri(c.value)),
            ox.Triple(part, iri(VOID + "entities"), num(n)),
        ]
    return out
