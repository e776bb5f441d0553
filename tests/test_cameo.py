"""The CAMEO and PLOVER concept schemes (ontology/cameo.ttl, plover.ttl), checked value by value
against independent tables (tests/refdata.py): CAMEO codes and labels against gdeltforge, codes and
Goldstein scores against the gdelt package."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import refdata

ROOT = Path(__file__).resolve().parent.parent
GC = "https://w3id.org/geoclaims/ontology/"
CAMEO = GC + "cameo"
PLOVER = GC + "plover"
MODES = GC + "plover/mode"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

# The codes on which the two published versions of GDELT's Goldstein table differ: ours (GDELT's
# own CAMEO.goldsteinscale.txt) first, the gdelt package's second. Both are in ontology/INTEROP.md.
GOLDSTEIN_DISAGREEMENTS = {
    "016": ("-2.0", "3.4"),
    "022": ("3.2", "3.4"),
    **{c: ("-4.0", "-5.0") for c in ("124", "1241", "1242", "1243", "1244", "1245", "1246")},
    "163": ("-8.0", "-6.5"),
    "165": ("-6.5", "-7.0"),
    **{c: ("-7.0", "-8.0") for c in ("166", "1661", "1662", "1663")},
}
# CAMEO codes gdeltforge lists that GDELT's Goldstein table has no score for.
UNSCORED = {"1213", "1214", "155", "176", "1834", "1951", "1952"}
PLOVER_TYPES = {
    *("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST"),
    *("ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"),
}
AUXILIARY_MODES = {"historical", "future", "hypothetical", "negation"}


def _graph(name: str) -> dict[str, dict[str, list[ox.Term]]]:
    """subject IRI -> predicate IRI -> objects, for one ontology file."""
    out: dict[str, dict[str, list[ox.Term]]] = {}
    for t in ox.parse(path=str(ROOT / "ontology" / name), format=ox.RdfFormat.TURTLE):
        out.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object)
    return out


@pytest.fixture(scope="module")
def cameo() -> dict[str, dict[str, list[ox.Term]]]:
    return _graph("cameo.ttl")


@pytest.fixture(scope="module")
def plover() -> dict[str, dict[str, list[ox.Term]]]:
    return _graph("plover.ttl")


def _concepts(graph: dict[str, dict[str, list[ox.Term]]], scheme: str) -> dict[str, dict]:
    """notation -> the concept's predicates, for the concepts of one scheme."""
    found = {}
    for iri, props in graph.items():
        if ox.NamedNode(scheme) in props.get(SKOS + "inScheme", []):
            (notation,) = props[SKOS + "notation"]
            found[notation.value] = {"iri": iri, **props}
    return found


def _one(props: dict, predicate: str) -> str:
    (value,) = props[predicate]
    return value.value


def test_every_cameo_code_of_gdeltforge_is_a_concept_with_its_label(cameo: dict) -> None:
    forge = refdata.gdeltforge()["EVENT_CODES"]
    codes = {c: label for c, label in forge.items() if c.isdigit()}
    concepts = _concepts(cameo, CAMEO)
    assert set(concepts) == set(codes)
    assert len(concepts) == 318
    for code, props in concepts.items():
        assert props["iri"] == f"{CAMEO}/{code}"
        assert _one(props, SKOS + "prefLabel") == codes[code], code


def test_cameo_codes_are_the_gdelt_packages(cameo: dict) -> None:
    ours = set(_concepts(cameo, CAMEO))
    theirs = set(refdata.gdelt_cameo()["cameoCode"])
    # gdelt keeps five variant codes with a letter suffix (0811i, 138i, ...), and lacks the cyber
    # and weapon codes CAMEO added late.
    assert ours - theirs == {"155", "176", "1834"}
    assert {c for c in theirs - ours if not c.isdigit()} == theirs - ours


def test_goldstein_scores_agree_with_the_gdelt_package(cameo: dict) -> None:
    theirs = refdata.gdelt_cameo()["GoldsteinScale"]
    scored, differ = 0, {}
    for code, props in _concepts(cameo, CAMEO).items():
        values = props.get(GC + "goldsteinScale", [])
        if code in UNSCORED:
            assert values == [], code
            continue
        (value,) = values
        assert value.datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
        scored += 1
        if Decimal(value.value) != Decimal(theirs[code]):
            differ[code] = (f"{Decimal(value.value):.1f}", f"{Decimal(theirs[code]):.1f}")
        assert Decimal(-10) <= Decimal(value.value) <= Decimal(10)
    assert scored == 311
    assert differ == GOLDSTEIN_DISAGREEMENTS


def test_cameo_hierarchy(cameo: dict) -> None:
    concepts = _concepts(cameo, CAMEO)
    roots = {c for c in concepts if len(c) == 2}
    assert roots == {f"{n:02d}" for n in range(1, 21)}
    scheme = cameo[CAMEO]
    assert {t.value for t in scheme[SKOS + "hasTopConcept"]} == {f"{CAMEO}/{r}" for r in roots}
    for code, props in concepts.items():
        if code in roots:
            assert SKOS + "broader" not in props
            continue
        parent = code[:2] if len(code) == 3 else code[:3]
        assert _one(props, SKOS + "broader") == f"{CAMEO}/{parent}", code


def test_plover_types_and_modes(plover: dict) -> None:
    types = _concepts(plover, PLOVER)
    assert set(types) == PLOVER_TYPES
    for name, props in types.items():
        assert props["iri"] == f"{PLOVER}/{name}"
        assert _one(props, SKOS + "scopeNote").split()[-1] in ("cooperation", "conflict")
        assert props[SKOS + "definition"]
    modes = _concepts(plover, MODES)
    assert set(modes) >= AUXILIARY_MODES
    for name, props in modes.items():
        assert props["iri"] == f"{MODES}/{name}"
        related = {t.value for t in props.get(SKOS + "related", [])}
        if name in AUXILIARY_MODES:
            assert related == set() and SKOS + "topConceptOf" in props
        else:
            assert related and related <= {f"{PLOVER}/{t}" for t in PLOVER_TYPES}, name
