"""ontology/mappings.ttl: every proposition, event and claim class codes as exactly one CAMEO event
(or through a coding role), every mapped concept is defined, every role is a property we have."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parent.parent
GC = Namespace("https://w3id.org/geoclaims/ontology/")
GCS = "https://w3id.org/geoclaims/ontology/scheme/"
CAMEO = URIRef(str(GC) + "cameo")
PLOVER = URIRef(str(GC) + "plover")
MODES = URIRef(str(GC) + "plover/mode")
MATCHES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)


@pytest.fixture(scope="module")
def vocab() -> Graph:
    g = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            g.parse(path, format="turtle")
    return g


def _subclasses(g: Graph, root: URIRef) -> set[URIRef]:
    found: set[URIRef] = set()
    todo = [root]
    while todo:
        for sub in g.subjects(RDFS.subClassOf, todo.pop()):
            if isinstance(sub, URIRef) and sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def _mapped(g: Graph, cls: URIRef, scheme: URIRef) -> list[URIRef]:
    return [
        o
        for p in MATCHES
        for o in g.objects(cls, p)
        if isinstance(o, URIRef) and (o, SKOS.inScheme, scheme) in g
    ]


def _coded_classes(g: Graph) -> dict[str, set[URIRef]]:
    return {
        "proposition": _subclasses(g, GC.Proposition),
        "event": _subclasses(g, GC.Event) | {GC.Event},
        "claim act": _subclasses(g, GC.Claim),
    }


def test_every_proposition_event_and_claim_class_has_one_cameo_code(vocab: Graph) -> None:
    problems = []
    classes = _coded_classes(vocab)
    assert len(classes["proposition"]) >= 26 and len(classes["claim act"]) >= 7
    for kind, members in classes.items():
        for cls in sorted(members):
            codes = _mapped(vocab, cls, CAMEO)
            delegated = list(vocab.objects(cls, GC.codingRole))
            if len(codes) + len(delegated) != 1:
                problems.append(f"{kind} {cls}: {len(codes)} CAMEO codes, coding roles {delegated}")
            if len(_mapped(vocab, cls, PLOVER)) > 1:
                problems.append(f"{kind} {cls}: more than one PLOVER type")
    assert problems == []


def test_every_mapped_concept_is_defined(vocab: Graph) -> None:
    ours = (str(GC) + "cameo/", str(GC) + "plover/")
    used = {
        o
        for p in MATCHES
        for o in vocab.objects(None, p)
        if isinstance(o, URIRef) and str(o).startswith(ours)
    }
    assert len(used) > 20
    undefined = sorted(
        str(o)
        for o in used
        if (o, RDF.type, SKOS.Concept) not in vocab
        or not any((o, SKOS.inScheme, s) in vocab for s in (CAMEO, PLOVER, MODES))
    )
    assert undefined == []


def test_roles_are_properties_of_the_ontology(vocab: Graph) -> None:
    properties = set(vocab.subjects(RDF.type, OWL.ObjectProperty))
    problems = []
    for role in (GC.sourceRole, GC.targetRole, GC.codingRole):
        for cls, prop in vocab.subject_objects(role):
            if prop not in properties:
                problems.append(f"{cls} {role}: {prop} is not an object property")
    assert problems == []
    # Every event-coded proposition or event class names a target or source (or has a default).
    assert (GC.Deployment, GC.targetRole, GC.alongBorderOf) in vocab


def test_event_codes_and_statement_codes(vocab: Graph) -> None:
    """A class codes either as an event (a code outside root 01) or as its claim's speech act."""
    statement_root = URIRef(str(CAMEO) + "/01")
    kinds: dict[str, set[str]] = defaultdict(set)
    for cls in _coded_classes(vocab)["proposition"] | _coded_classes(vocab)["event"]:
        for code in _mapped(vocab, cls, CAMEO):
            local = str(cls)[len(str(GC)) :]
            kinds["statement" if code == statement_root else "event"].add(local)
            if code == statement_root:
                assert (cls, SKOS.broadMatch, code) in vocab, cls
                assert list(vocab.objects(cls, GC.targetRole)), f"{cls}: about whom?"
    assert {"AssistanceOffer", "PhoneCall", "Deployment", "Detention", "Protest"} <= kinds["event"]
    assert {"BorderStatement", "TenureStatement", "OverthrowPlot"} <= kinds["statement"]


def test_claim_qualities_map_to_plover_modes(vocab: Graph) -> None:
    def modes(concept: str) -> set[str]:
        node = URIRef(GCS + concept)
        return {
            str(o).rsplit("/", 1)[-1]
            for p in MATCHES
            for o in vocab.objects(node, p)
            if (o, SKOS.inScheme, MODES) in vocab
        }

    assert modes("polarity/denied") == {"negation"}
    assert modes("modality/future") == {"future"}
    assert modes("modality/hypothetical") == {"hypothetical"}
    assert modes("modality/conditional") == {"hypothetical"}
    assert modes("modality/historical") == {"historical"}
    assert modes("modality/actual") == set()
    assert modes("polarity/asserted") == set()
