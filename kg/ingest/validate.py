"""Rules the compiled dataset must keep before anything is written: spans, ids, INTEROP, SHACL."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import rdflib

from kg.errors import ValidationError
from kg.ingest.compile import Compiled, ontology_graph, shapes_graph
from kg.ingest.terms import TYPE
from kg.namespaces import GC, NIF, OWL, WD

_CHAR = re.compile(r"#char=(\d+),(\d+)$")
_MAX = 20  # problems listed in one error


def to_rdflib(term: ox.Term) -> rdflib.term.Node:
    """A pyoxigraph term as the equal rdflib term (IRIs and literals: we mint no blank nodes)."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise ValidationError(f"unexpected term {term} (blank nodes are not allowed)")


def check_structure(c: Compiled) -> list[str]:
    """Graph typing, blank nodes, spans against the text, dangling IRIs, denials."""
    problems: list[str] = []
    subjects: set[str] = set()
    graph_types: dict[str, set[str]] = defaultdict(set)
    objects: list[tuple[str, str, str]] = []
    props: dict[str, list[str]] = defaultdict(list)
    denials: list[tuple[str, str]] = []
    texts = {a.iri: a.text for a in c.articles.values()}
    special = {GC + "proposition": 1, GC + "disputes": 2, OWL + "sameAs": 3, NIF + "anchorOf": 4}
    blank, named, base = ox.BlankNode, ox.NamedNode, c.base
    # One pass over every triple (a build of 10,000 articles makes 38 million): plain loops,
    # each term's value read once.
    for g, triples in c.sink.graphs.items():
        for s, p, o in triples:
            if type(s) is blank or type(o) is blank:
                problems.append(f"blank node in {g}: {s} {p} {o}")
            sv = s.value
            subjects.add(sv)
            if sv == g and p == TYPE:
                graph_types[g].add(o.value)
            pv = p.value
            kind = special.get(pv)
            if kind is not None:
                if kind == 1:
                    props[sv].append(o.value)
                elif kind == 2:
                    denials.append((sv, o.value))
                elif kind == 3 and not o.value.startswith(WD):
                    problems.append(f"owl:sameAs to a non-Wikidata IRI: {sv} -> {o.value}")
                elif kind == 4:
                    problems.extend(_check_span(sv, o.value, texts))
            # Data IRIs must be described; the ontology's own namespace (also under the default
            # base, and holding concept schemes such as cameo/ defined elsewhere) is
            # test_ontology's concern.
            if type(o) is named:
                ov = o.value
                if ov.startswith(base) and not ov.startswith(GC):
                    objects.append((sv, pv, ov))
    for graph in c.sink.graphs:
        if not any(t.startswith(GC) and t.endswith("Graph") for t in graph_types[graph]):
            problems.append(f"graph {graph} does not type itself with a gc: graph class")
    claims = f"{c.base}claim/"
    for s, p, o in objects:
        if c.partial and o.startswith(claims) and o[len(claims) :].split("/")[0] not in c.articles:
            continue  # a claim of an article not rebuilt now: it is in the store already
        if o not in subjects and o not in c.sink.graphs and "#char=" not in o:
            entity = o.startswith(f"{c.base}entity/")
            where = "no entity in entities.yaml" if entity else "nothing"
            problems.append(f"{s} {p} points at {o}, which {where} describes")
    types = _types(c, {s for s, _ in denials})
    for claim, disputed in denials:
        is_denial = GC + "Denial" in types.get(claim, set())
        if (
            is_denial
            and disputed in props
            and sorted(props.get(claim, [])) != sorted(props[disputed])
        ):
            problems.append(f"denial {claim} does not share the proposition of {disputed}")
    return problems


def _types(c: Compiled, nodes: set[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for _, s, p, o in _all(c):
        if p == TYPE and s.value in nodes:
            out[s.value].add(o.value)
    return out


def _all(c: Compiled) -> Iterator[tuple[str, ox.NamedNode, ox.NamedNode, ox.Term]]:
    for graph, triples in c.sink.graphs.items():
        for s, p, o in triples:
            yield graph, s, p, o


def _check_span(node: str, anchor: str, texts: dict[str, str]) -> list[str]:
    m = _CHAR.search(node)
    article = node.split("#", 1)[0]
    if m is None or article not in texts:
        return [f"span {node} has no article text to check against"]
    b, e = int(m.group(1)), int(m.group(2))
    text = texts[article]
    if not (0 <= b <= e <= len(text)) or text[b:e] != anchor:
        return [f"span {node}: nif:anchorOf differs from the text at [{b}, {e})"]
    return []


class _PreparedQueries(rdflib.Graph):
    """A graph that parses each SPARQL text it is asked once. pySHACL runs a SPARQL constraint's
    query once per focus node, and rdflib parses the text again every time: 2,155 parses of one
    text per 25 articles, most of the validation's time. A prepared query (rdflib's
    `prepareQuery`) is rdflib's own way to run one text with other bindings."""

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[tuple[str, str | None], Any] = {}

    def query(  # type: ignore[override]
        self,
        query_object: Any,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Any = None,  # noqa: N803 - rdflib's names
        initBindings: Any = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Any:
        if isinstance(query_object, str) and processor == "sparql" and not initNs:
            key = (query_object, kwargs.get("base"))
            prepared = self._prepared.get(key)
            if prepared is None:
                from rdflib.plugins.sparql import prepareQuery

                prepared = self._prepared[key] = prepareQuery(query_object, base=key[1])
            query_object = prepared
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


def check_shapes(c: Compiled) -> list[str]:
    """SHACL: the union of the data graphs against ontology/shapes.ttl (no inference)."""
    if c.shapes_file is None:
        return []
    import pyshacl  # slow to import: only when shapes are checked

    skip = {ontology_graph(c.base), shapes_graph(c.base)}
    data = _PreparedQueries()
    for graph, quads in c.sink.graphs.items():
        if graph in skip:
            continue
        for s, p, o in quads:
            data.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    ont = rdflib.Graph()
    for q in c.sink.quads(ontology_graph(c.base)):
        ont.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    # The stored shapes graph has its blank nodes named (no blank nodes in the store), but
    # SHACL reads paths and lists from blank nodes: validate with the file as written.
    shapes = rdflib.Graph().parse(c.shapes_file, format="turtle")
    # In place: `data` is ours alone, so pySHACL need not copy it to mix the ontology in.
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ont, inference="none", advanced=True, inplace=True
    )
    if conforms:
        return []
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    out = []
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = report.value(result, sh.focusNode)
        path = report.value(result, sh.resultPath)
        msg = report.value(result, sh.resultMessage)
        out.append(f"SHACL: {focus} {path or ''}: {msg}")
    return sorted(out)


def validate(c: Compiled, *, shapes: bool = True) -> None:
    """Raise ValidationError listing the problems, if there are any."""
    problems = check_structure(c)
    if shapes and not problems:
        problems = check_shapes(c)
    if problems:
        more = f"\n... and {len(problems) - _MAX} more" if len(problems) > _MAX else ""
        raise ValidationError(f"{len(problems)} problem(s):\n" + "\n".join(problems[:_MAX]) + more)
