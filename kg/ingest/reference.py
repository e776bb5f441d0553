"""data/reference/facts.yaml -> one reference graph per vouched-for fact, with its sources.

Format::

    sources:
      - {id: wd-q184, name: "Wikidata: Belarus", url: "https://...", publisher: Wikimedia}
    facts:
      - id: belarus-borders-russia
        text: "Belarus shares a border with Russia."      # schema:description
        source: [wd-q184]                                 # prov:wasDerivedFrom source/{id}
        statement:                                        # gc:statement, nodes reference/{fid}/{id}
          - {id: border, type: BorderStatement, state: belarus, neighbour: russia}

Statement keys follow the proposition classes; standard triples are added where they exist
(`org:heldBy`/`org:holds` for a tenure, `wdt:P47` for a border, `org:Membership` for a membership).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import DataError
from kg.ingest.ids import Scope, by_id, check_id
from kg.ingest.nodes import NodeWriter, literal
from kg.ingest.problems import suggest
from kg.ingest.terms import TYPE, Sink, iri, plain
from kg.ingest.vocab import Vocab
from kg.ingest.yamlfile import YMap, as_list, load_yaml
from kg.namespaces import GC, ORG, PROV, SCHEMA, TIME, WDT, XSD

FILE = "data/reference/facts.yaml"
_FACT_KEYS = {"id", "text", "description", "source", "sources", "statement", "statements", "note"}
_SOURCE_KEYS = {"id", "type", "name", "title", "url", "publisher", "datePublished", "note"}


@dataclass
class Reference:
    """The parsed facts file with its ids resolved to IRIs."""

    sources: dict[str, YMap]
    facts: list[YMap]
    node_ids: dict[str, str]  # statement node id -> IRI (visible to other files)
    file: str = FILE  # how messages name the file


def fact_iri(base: str, fid: str) -> str:
    return f"{base}reference/{fid}"


def read_reference(source: Path, base: str, label: str = "") -> Reference:
    """Parse facts.yaml (absent: nothing) and collect its ids."""
    name = label + FILE
    path = source / FILE
    data = load_yaml(path, name) if path.exists() else None
    if data is None:
        return Reference({}, [], {}, name)
    if not isinstance(data, YMap):
        raise DataError("expected a mapping with 'sources' and 'facts'", name, data.line)
    for key in data:
        if key not in ("sources", "facts"):
            raise DataError(
                f"unknown key {key!r} (expected sources, facts)", name, data.line_of(key)
            )
    sources = by_id(data.get("sources"), "source", name)
    facts = by_id(data.get("facts"), "fact", name)
    node_ids: dict[str, str] = {}
    for fid, item in facts.items():
        for stmt, _ in as_list(_one_of(item, "statement", "statements") or []):
            if isinstance(stmt, YMap) and "id" in stmt:
                nid = check_id(stmt["id"], name, stmt.line_of("id"))
                node_ids.setdefault(nid, f"{fact_iri(base, fid)}/{nid}")
    return Reference(sources, list(facts.values()), node_ids, name)


def _one_of(node: YMap, *keys: str) -> Any:
    for key in keys:
        if key in node:
            return node[key]
    return None


def _key_of(node: YMap, *keys: str) -> str:
    return next((k for k in keys if k in node), keys[0])


def write_reference(writer: NodeWriter, ref: Reference, scope: Scope) -> None:
    """One gc:ReferenceGraph per fact, the fact node named like its graph."""
    for fact in ref.facts:
        with writer.guard():
            _write_fact(writer, ref, scope, fact)


def _write_fact(writer: NodeWriter, ref: Reference, scope: Scope, fact: YMap) -> None:
    """One fact's graph: the fact node, its sources and its statements."""
    sink, base = writer.sink, writer.base
    fid = fact["id"]
    graph = fact_iri(base, fid)
    node = iri(graph)
    for key in fact:
        if key not in _FACT_KEYS:
            raise DataError(f"unknown key {key!r} in a fact" + suggest(key, _FACT_KEYS), ref.file,
                            fact.line_of(key))  # fmt: skip
    sink.add_type(graph, node, GC + "ReferenceGraph")
    sink.add_type(graph, node, GC + "ReferenceFact")
    sink.add(graph, node, GC + "factId", plain(fid))
    text = _one_of(fact, "text", "description")
    if not isinstance(text, str) or not text.strip():
        raise DataError(f"fact {fid!r} needs a text", ref.file, fact.line)
    sink.add(graph, node, SCHEMA + "description", ox.Literal(text, language="en"))
    writer.common(fact, node, graph, ref.file, [])
    cited = as_list(_one_of(fact, "source", "sources") or [])
    if not cited:
        raise DataError(f"fact {fid!r} cites no source", ref.file, fact.line)
    for sid, line in cited:
        if sid not in ref.sources:
            where = line or fact.line_of(_key_of(fact, "source", "sources"))
            raise DataError(f"unknown source {sid!r}" + suggest(sid, ref.sources), ref.file, where)
        src = _write_source(writer, ref, ref.sources[sid], graph, scope)
        sink.add(graph, node, PROV + "wasDerivedFrom", src)
    stmts = _one_of(fact, "statement", "statements") or []
    skey = _key_of(fact, "statement", "statements")
    for n, (stmt, line) in enumerate(as_list(stmts), start=1):
        if not isinstance(stmt, YMap):
            raise DataError("a statement must be a mapping", ref.file, line or fact.line_of(skey))
        nid = stmt.get("id", f"statement-{n}")
        child = writer.write(stmt, f"{graph}/{nid}", graph, ref.file, scope)
        sink.add(graph, node, GC + "statement", child)


def _write_source(
    writer: NodeWriter, ref: Reference, src: YMap, graph: str, scope: Scope
) -> ox.NamedNode:
    sink = writer.sink
    node = iri(f"{writer.base}source/{src['id']}")
    for key in src:
        if key not in _SOURCE_KEYS:
            hint = suggest(key, _SOURCE_KEYS)
            raise DataError(f"unknown key {key!r} in a source{hint}", ref.file, src.line_of(key))
    writer.types(src, node, graph, ref.file)
    sink.add_type(graph, node, GC + "Source")
    sink.add_type(graph, node, SCHEMA + "CreativeWork")
    writer.common(src, node, graph, ref.file, [])
    name = _one_of(src, "name", "title")
    if not isinstance(name, str):
        raise DataError(f"source {src['id']!r} needs a name", ref.file, src.line)
    sink.add(graph, node, SCHEMA + "name", plain(name))
    if src.get("url"):
        url = src["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise DataError(f"url: expected http(s) URL, got {url!r}", ref.file, src.line_of("url"))
        sink.add(graph, node, SCHEMA + "url", iri(url))
    if src.get("publisher"):
        pub = src["publisher"]
        found = scope.lookup(pub) if isinstance(pub, str) else None
        sink.add(graph, node, SCHEMA + "publisher", iri(found) if found else plain(str(pub)))
    if src.get("datePublished") is not None:
        try:
            lit = literal(src["datePublished"], XSD + "date", "datePublished")
        except ValueError as err:
            raise DataError(str(err), ref.file, src.line_of("datePublished")) from None
        sink.add(graph, node, SCHEMA + "datePublished", lit)
    return node


def standard_triples(sink: Sink, vocab: Vocab, graphs: list[str]) -> None:
    """org:/wdt: triples for reference statements (after materialisation added the types)."""
    for graph in graphs:
        by_node: dict[ox.NamedNode, dict[str, list[ox.Term]]] = {}
        for s, p, o in sink.triples(graph):
            by_node.setdefault(s, {}).setdefault(p.value, []).append(o)
        new: list[tuple[ox.NamedNode, str, ox.Term]] = []
        for node, props in by_node.items():
            types = {t.value for t in props.get(TYPE.value, [])}
            if GC + "Tenure" in types:
                for holder in props.get(GC + "holder", []):
                    for post in props.get(GC + "post", []):
                        new += [(post, ORG + "heldBy", holder), (holder, ORG + "holds", post)]
            if GC + "BorderStatement" in types:
                for state in props.get(GC + "state", []):
                    for other in props.get(GC + "neighbour", []):
                        new.append((state, WDT + "P47", other))
            if GC + "Membership" in types:
                new.append((node, TYPE.value, iri(ORG + "Membership")))
                for member in props.get(GC + "member", []):
                    new.append((node, ORG + "member", member))
                for org in props.get(GC + "organisation", []):
                    new.append((node, ORG + "organization", org))
                starts = props.get(GC + "memberSince", []) + props.get(GC + "startDate", [])
                for start in starts[:1]:
                    during = iri(f"{node.value}/during")
                    begin = iri(f"{node.value}/during/begin")
                    new += [
                        (node, ORG + "memberDuring", during),
                        (during, TYPE.value, iri(TIME + "Interval")),
                        (during, TIME + "hasBeginning", begin),
                        (begin, TYPE.value, iri(TIME + "Instant")),
                        (begin, TIME + "inXSDDate", start),
                    ]
        for s, p, o in new:
            sink.add(graph, s, p, o)
