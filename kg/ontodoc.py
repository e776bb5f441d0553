"""Ontology documentation generated from ontology/*.ttl: one self-contained HTML page."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg.errors import DataError
from kg.namespaces import GC, GCS, ONTOLOGY_IRI, PREFIXES

# The documented files, in this order; shapes.ttl is validation, not vocabulary.
ONTOLOGY_FILES = ("geoclaims.ttl", "propositions.ttl", "schemes.ttl")
# Identifiers and event coding (issue 14): terms, the CAMEO and PLOVER schemes, the mappings.
ONTOLOGY_FILES += ("identifiers.ttl", "cameo.ttl", "plover.ttl", "mappings.ttl")

_EXTRA_PREFIXES = {
    "cito": "http://purl.org/spar/cito/",
    "np": "http://www.nanopub.org/nschema#",
    "vann": "http://purl.org/vocab/vann/",
}
_SCHEMA_DOMAIN = URIRef("http://schema.org/domainIncludes")
_DCTERMS_TITLE = URIRef("http://purl.org/dc/terms/title")

# Predicates that align a gc: term with another vocabulary, with how each reads on the page.
ALIGNMENTS: dict[URIRef, str] = {
    RDFS.subClassOf: "subclass of",
    RDFS.subPropertyOf: "subproperty of",
    OWL.equivalentClass: "equivalent class",
    OWL.equivalentProperty: "equivalent property",
    SKOS.exactMatch: "exact match",
    SKOS.closeMatch: "close match",
    SKOS.broadMatch: "broad match",
    SKOS.narrowMatch: "narrow match",
    SKOS.relatedMatch: "related match",
}


def load_ontology(ontology_dir: Path) -> Graph:
    """Parse the ontology files present in `ontology_dir` into one rdflib graph."""
    graph = Graph()
    for prefix, iri in {**PREFIXES, **_EXTRA_PREFIXES}.items():
        graph.bind(prefix, iri, override=True, replace=True)
    found = False
    # Then every other vocabulary file, by name (events.ttl, ...).
    others = sorted(p.name for p in ontology_dir.glob("*.ttl") if p.name != "shapes.ttl")
    for name in [*ONTOLOGY_FILES, *(n for n in others if n not in ONTOLOGY_FILES)]:
        path = ontology_dir / name
        if not path.exists():
            continue
        found = True
        try:
            graph.parse(path, format="turtle")
        except BadSyntax as err:
            raise DataError(f"malformed Turtle: {err.message}", str(path), err.lines + 1) from err
    if not found:
        raise DataError("no ontology files found", str(ontology_dir))
    return graph


def _curie(iri: object) -> str:
    text = str(iri)
    for prefix, ns in sorted({**PREFIXES, **_EXTRA_PREFIXES}.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(ns) and text != ns:
            return f"{prefix}:{text[len(ns) :]}"
    return text


def _en(graph: Graph, subject: URIRef, predicate: URIRef) -> str:
    values = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
    values.sort(key=lambda lit: (lit.language not in (None, "en"), str(lit)))
    return str(values[0]) if values else ""


def _ours(term: object) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(GC) and not str(term).startswith(GCS)


def _anchor(kind: str, term: URIRef) -> str:
    # Class and property names can differ only in case (gc:Post, gc:post): prefix the kind.
    return f"{kind}-{str(term)[len(GC) :]}"


def _link(term: object, kinds: dict[URIRef, str]) -> str:
    if isinstance(term, URIRef) and term in kinds:
        href = "#" + _anchor(kinds[term], term)
        return f'<a href="{escape(href)}"><code>{escape(_curie(term))}</code></a>'
    if isinstance(term, URIRef):
        return f'<a href="{escape(str(term))}"><code>{escape(_curie(term))}</code></a>'
    return f"<code>{escape(str(term))}</code>"


def _links(terms: Iterable[object], kinds: dict[URIRef, str]) -> str:
    items = sorted(set(terms), key=str)
    return ", ".join(_link(t, kinds) for t in items) if items else "—"


def _terms(graph: Graph, rdf_type: URIRef) -> list[URIRef]:
    return sorted((s for s in graph.subjects(RDF.type, rdf_type) if _ours(s)), key=str)


def _row(label: str, value: str) -> str:
    return f"<tr><th>{escape(label)}</th><td>{value}</td></tr>"


def _card(graph: Graph, term: URIRef, kind: str, kinds: dict[URIRef, str], rows: list[str]) -> str:
    label = _en(graph, term, RDFS.label)
    comment = _en(graph, term, RDFS.comment)
    align = []
    for pred, words in ALIGNMENTS.items():
        if pred in (RDFS.subClassOf, RDFS.subPropertyOf):
            continue  # listed with the super-terms
        targets = [o for o in graph.objects(term, pred) if not _ours(o)]
        if targets:
            align.append(_row(words, _links(targets, kinds)))
    return (
        f'<section class="term {kind}" id="{escape(_anchor(kind, term))}">'
        f"<h3>{escape(label or _curie(term))} <code>{escape(_curie(term))}</code></h3>"
        f'<p class="iri">{escape(str(term))}</p>'
        f"<p>{escape(comment)}</p><table>{''.join(rows)}{''.join(align)}</table></section>"
    )


def _tree(graph: Graph, roots: list[URIRef], classes: set[URIRef], kinds: dict[URIRef, str]) -> str:
    def branch(cls: URIRef, seen: frozenset[URIRef]) -> str:
        subs = sorted((s for s in graph.subjects(RDFS.subClassOf, cls) if s in classes), key=str)
        inner = "".join(branch(s, seen | {cls}) for s in subs if s not in seen)
        label = escape(_en(graph, cls, RDFS.label))
        head = f"<li>{_link(cls, kinds)} {label}"
        return head + (f"<ul>{inner}</ul>" if inner else "") + "</li>"

    return '<ul class="tree">' + "".join(branch(r, frozenset()) for r in roots) + "</ul>"


def render_html(graph: Graph) -> str:
    """The documentation page for the ontology in `graph`, as one HTML string (all text escaped)."""
    classes = _terms(graph, OWL.Class)
    obj_props = _terms(graph, OWL.ObjectProperty)
    data_props = _terms(graph, OWL.DatatypeProperty)
    kinds: dict[URIRef, str] = {c: "class" for c in classes}
    kinds.update({p: "property" for p in obj_props + data_props})
    class_set = set(classes)

    onto = URIRef(ONTOLOGY_IRI)
    title = _en(graph, onto, _DCTERMS_TITLE) or "geoclaims ontology"
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f'<h1>{escape(title)}</h1><p class="iri">{escape(ONTOLOGY_IRI)}</p>',
        f"<p>{escape(_en(graph, onto, RDFS.comment))}</p>",
        f"<p>{len(classes)} classes, {len(obj_props)} object properties, "
        f"{len(data_props)} datatype properties.</p>",
        '<nav><a href="#classes">Classes</a> · <a href="#object-properties">Object properties</a>'
        ' · <a href="#datatype-properties">Datatype properties</a> · <a href="#schemes">'
        'Value schemes</a> · <a href="#namespaces">Namespaces</a></nav>',
    ]

    roots = [
        c for c in classes if not any(s in class_set for s in graph.objects(c, RDFS.subClassOf))
    ]
    parts.append('<h2 id="classes">Classes</h2><h3>Hierarchy</h3>')
    parts.append(_tree(graph, roots, class_set, kinds))
    for cls in classes:
        supers = [s for s in graph.objects(cls, RDFS.subClassOf) if isinstance(s, URIRef)]
        subs = [s for s in graph.subjects(RDFS.subClassOf, cls) if s in class_set]
        used = [p for p in obj_props + data_props if (p, RDFS.domain, cls) in graph]
        used += [p for p in obj_props if (p, RDFS.range, cls) in graph]
        rows = [
            _row("superclasses", _links(supers, kinds)),
            _row("subclasses", _links(subs, kinds)),
            _row("properties (domain or range)", _links(used, kinds)),
        ]
        parts.append(_card(graph, cls, "class", kinds, rows))

    for heading, anchor, props in (
        ("Object properties", "object-properties", obj_props),
        ("Datatype properties", "datatype-properties", data_props),
    ):
        parts.append(f'<h2 id="{anchor}">{heading}</h2>')
        for prop in props:
            domains = list(graph.objects(prop, RDFS.domain)) + list(
                graph.objects(prop, _SCHEMA_DOMAIN)
            )
            supers = [s for s in graph.objects(prop, RDFS.subPropertyOf) if isinstance(s, URIRef)]
            rows = [
                _row("domain", _links(domains, kinds)),
                _row("range", _links(graph.objects(prop, RDFS.range), kinds)),
                _row("superproperties", _links(supers, kinds)),
            ]
            parts.append(_card(graph, prop, "property", kinds, rows))

    parts.append('<h2 id="schemes">Value schemes</h2>')
    for scheme in sorted(graph.subjects(RDF.type, SKOS.ConceptScheme), key=str):
        parts.append(_scheme(graph, scheme))

    parts.append('<h2 id="namespaces">Namespaces</h2><table>')
    for prefix, iri in {**PREFIXES, **_EXTRA_PREFIXES}.items():
        parts.append(f"<tr><th>{escape(prefix)}:</th><td><code>{escape(iri)}</code></td></tr>")
    parts.append("</table><footer>Generated from the ontology by <code>kg docs</code>.</footer>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _scheme(graph: Graph, scheme: URIRef) -> str:
    notation = _en(graph, scheme, SKOS.notation)
    concepts = sorted(graph.subjects(SKOS.inScheme, scheme), key=str)
    rows = "".join(
        f'<tr id="{escape("concept-" + str(c).removeprefix(GCS).removeprefix(GC))}">'
        f"<td><code>{escape(_en(graph, c, SKOS.notation))}</code></td>"
        f"<td>{escape(_en(graph, c, SKOS.prefLabel))}</td>"
        f"<td>{escape(_en(graph, c, SKOS.definition))}</td>"
        f"<td><code>{escape(str(c))}</code></td></tr>"
        for c in concepts
    )
    return (
        f'<section class="scheme" id="{escape("scheme-" + notation)}">'
        f"<h3>{escape(_en(graph, scheme, SKOS.prefLabel))} <code>{escape(_curie(scheme))}</code>"
        f" (notation <code>{escape(notation)}</code>)</h3>"
        f"<p>{escape(_en(graph, scheme, SKOS.definition))}</p>"
        "<table><tr><th>notation</th><th>label</th><th>definition</th><th>IRI</th></tr>"
        f"{rows}</table></section>"
    )


def write_docs(ontology_dir: Path, out_dir: Path) -> Path:
    """Render the ontology in `ontology_dir` to `out_dir/index.html`; return that path."""
    html = render_html(load_ontology(ontology_dir))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "index.html"
    target.write_text(html, encoding="utf-8")
    return target


_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code{font-size:.9em}.iri{color:#666;font-size:.85em;word-break:break-all}
section.term,section.scheme{border-top:1px solid #ddd;padding:.5rem 0}
table{border-collapse:collapse}th,td{text-align:left;vertical-align:top;padding:.15rem .5rem}
th{color:#555;font-weight:normal}ul.tree{line-height:1.5}
"""
