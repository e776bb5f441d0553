"""The ontology as the loader needs it: each gc: term's kind, range, super-terms and individuals."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import DataError
from kg.namespaces import GC, GCS, OWL, RDF, RDFS, SKOS

_TYPE = RDF + "type"
_OBJECT = {OWL + "ObjectProperty"}
_DATATYPE = {OWL + "DatatypeProperty"}
_ANNOTATION = {OWL + "AnnotationProperty"}
_CLASS = {OWL + "Class", RDFS + "Class"}
# Terms too general to be worth materialising as types or properties.
_TOP = {OWL + "Thing", RDFS + "Resource", OWL + "topObjectProperty", OWL + "topDataProperty"}


def local_name(iri: str) -> str:
    """The part of an IRI after its last '/' or '#'."""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


_PARSED: dict[tuple[str, int, int, str, str], tuple[ox.Quad, ...]] = {}
_PARSED_MOST = 64  # files remembered (the ontology has a handful)


def read_turtle(path: Path, name: str, graph: str, genid: str) -> list[ox.Quad]:
    """Parse Turtle into quads of `graph`; blank nodes become `{genid}{n}` in document order.

    A file already parsed in this process, unchanged since (same modification time and size),
    is not parsed again: a streamed build compiles the ontology once per chunk of articles."""
    try:
        stat = path.stat()
    except OSError as err:
        raise DataError(f"cannot read: {err.strerror}", name) from err
    key = (str(path), stat.st_mtime_ns, stat.st_size, graph, genid)
    found = _PARSED.get(key)
    if found is None:
        found = tuple(_parse_turtle(path, name, graph, genid))
        if len(_PARSED) >= _PARSED_MOST:
            with contextlib.suppress(RuntimeError, StopIteration):  # another thread evicting
                _PARSED.pop(next(iter(_PARSED)), None)
        _PARSED[key] = found
    return list(found)


def _parse_turtle(path: Path, name: str, graph: str, genid: str) -> list[ox.Quad]:
    try:
        data = path.read_bytes()
        triples = list(ox.parse(data, format=ox.RdfFormat.TURTLE))
    except OSError as err:
        raise DataError(f"cannot read: {err.strerror}", name) from err
    except SyntaxError as err:
        line = err.args[1][1] if len(err.args) > 1 and err.args[1] else None
        raise DataError(f"malformed Turtle: {err.args[0]}", name, line) from err
    g = ox.NamedNode(graph)
    names: dict[str, ox.NamedNode] = {}

    def skolem(term: ox.Term) -> ox.Term:
        # Parser blank-node labels are random; their order of first appearance is not.
        if isinstance(term, ox.BlankNode):
            if term.value not in names:
                names[term.value] = ox.NamedNode(f"{genid}{len(names) + 1}")
            return names[term.value]
        return term

    return [ox.Quad(skolem(t.subject), t.predicate, skolem(t.object), g) for t in triples]


@dataclass
class Vocab:
    """What the ontology says about its terms, indexed for the loader."""

    kinds: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    ranges: dict[str, str] = field(default_factory=dict)
    classes: set[str] = field(default_factory=set)
    subjects: set[str] = field(default_factory=set)
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    super_classes: dict[str, set[str]] = field(default_factory=dict)
    super_properties: dict[str, set[str]] = field(default_factory=dict)
    individuals: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    concepts: dict[str, dict[str, str]] = field(default_factory=dict)

    # -- lookups -----------------------------------------------------------------------------
    def property(self, key: str) -> str | None:
        """The gc: property for a YAML key, or None when the ontology lacks it."""
        iri = GC + key
        return iri if iri in self.kinds else None

    def is_object(self, prop: str) -> bool:
        kinds = self.kinds.get(prop, set())
        if kinds & _OBJECT:
            return True
        if kinds & _DATATYPE:
            return False
        rng = self.ranges.get(prop)
        # An rdf:Property with a class range (not a datatype) takes nodes.
        return rng is not None and (rng in self.classes or not rng.startswith(XSD_NS))

    def is_class(self, key: str) -> bool:
        return GC + key in self.classes

    def supers_of_class(self, iri: str) -> set[str]:
        return self.super_classes.get(iri, set())

    def supers_of_property(self, iri: str) -> set[str]:
        return self.super_properties.get(iri, set())

    def individual(self, name: str, range_: str | None) -> str | None:
        """An ontology individual named `name` (local name or notation), preferring `range_`'s."""
        found = sorted(set(self.individuals.get(name, [])))
        if range_ is not None:
            typed = [i for i in found if range_ in self.types.get(i, set())]
            found = typed or found
        ours = [i for i in found if i.startswith(GC)]
        return (ours or found or [None])[0]

    def concept(self, scheme: str, value: str) -> str | None:
        """The gcs: concept of `scheme` whose notation or local name is `value`."""
        return self.concepts.get(scheme, {}).get(value)


XSD_NS = "http://www.w3.org/2001/XMLSchema#"


def _closure(direct: dict[str, set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for start in direct:
        seen: set[str] = set()
        todo = list(direct[start])
        while todo:
            cur = todo.pop()
            if cur in seen or cur == start:
                continue
            seen.add(cur)
            todo.extend(direct.get(cur, ()))
        out[start] = {s for s in seen if s not in _TOP}
    return out


def build_vocab(quads: list[ox.Quad]) -> Vocab:
    """Index the ontology quads (all ontology files together)."""
    v = Vocab()
    sub_c: dict[str, set[str]] = defaultdict(set)
    sub_p: dict[str, set[str]] = defaultdict(set)
    in_scheme: dict[str, set[str]] = defaultdict(set)
    notations: dict[str, set[str]] = defaultdict(set)
    for q in quads:
        s, p, o = q.subject, q.predicate.value, q.object
        if not isinstance(s, ox.NamedNode):
            continue
        sv = s.value
        v.subjects.add(sv)
        ov = o.value if isinstance(o, ox.NamedNode) else None
        if p == _TYPE and ov:
            v.types[sv].add(ov)
            if ov in _CLASS:
                v.classes.add(sv)
            elif ov in _OBJECT | _DATATYPE | _ANNOTATION or ov == RDF + "Property":
                v.kinds[sv].add(ov)
        elif p == RDFS + "range" and ov:
            v.ranges[sv] = ov
        elif p == RDFS + "subClassOf" and ov:
            sub_c[sv].add(ov)
            v.classes.add(sv)
        elif p == OWL + "equivalentClass" and ov:
            sub_c[sv].add(ov)
            sub_c[ov].add(sv)
        elif p == RDFS + "subPropertyOf" and ov:
            sub_p[sv].add(ov)
        elif p == OWL + "equivalentProperty" and ov:
            sub_p[sv].add(ov)
            sub_p[ov].add(sv)
        elif p == SKOS + "inScheme" and ov:
            in_scheme[sv].add(ov)
        elif p == SKOS + "notation" and isinstance(o, ox.Literal):
            notations[sv].add(o.value)
    v.super_classes = _closure(sub_c)
    v.super_properties = _closure(sub_p)
    # Equivalence adds each term to its own closure: drop it.
    for iri, sups in v.super_classes.items():
        sups.discard(iri)
    for iri, sups in v.super_properties.items():
        sups.discard(iri)
    for sv in v.subjects:
        if sv in v.classes or sv in v.kinds:
            continue
        v.individuals[local_name(sv)].append(sv)
        for n in notations.get(sv, ()):
            if n != local_name(sv):
                v.individuals[n].append(sv)
    for concept, schemes in in_scheme.items():
        for scheme in schemes:
            table = v.concepts.setdefault(scheme, {})
            table[local_name(concept)] = concept
            for n in notations.get(concept, ()):
                table[n] = concept
    return v


def scheme_iri(name: str) -> str:
    """The gcs: scheme IRI for a quality name (polarity, certainty, modality, attribution)."""
    return GCS + name
