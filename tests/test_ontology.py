"""The ontology, schemes and shapes: well-formed, documented, aligned, agreeing with the code."""

from __future__ import annotations

import ast
import io
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from pyshacl import validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from kg import namespaces, ontodoc
from kg.cli import main
from kg.config import Config

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
TTL_FILES = sorted(ONTOLOGY.glob("*.ttl"))
VOCAB_FILES = [p for p in TTL_FILES if p.name != "shapes.ttl"]

GC = Namespace("https://w3id.org/geoclaims/ontology/")
GCS = "https://w3id.org/geoclaims/ontology/scheme/"
ONTOLOGY_IRI = URIRef("https://w3id.org/geoclaims/ontology")
SH = Namespace("http://www.w3.org/ns/shacl#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("http://schema.org/")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")

ALIGNING = {
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
}
TERM_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
# The datatypes the loader can cast a YAML value to (ontology/README.md, plus numbers).
LOADER_DATATYPES = {
    XSD.decimal,
    XSD.date,
    XSD.integer,
    XSD.string,
    XSD.boolean,
    XSD.duration,
    XSD.gYear,
    XSD.gYearMonth,
    RDF.langString,
}

# INTEROP.md section 3 and the project's own closed sets: scheme -> {notation: concept local}.
EXPECTED_SCHEMES = {
    "polarity": {"+": "asserted", "-": "denied", "u": "unknown"},
    "certainty": {"CT": "certain", "PR": "probable", "PS": "possible", "U": "underspecified"},
    "modality": {
        "actual": "actual",
        "conditional": "conditional",
        "future": "future",
        "hypothetical": "hypothetical",
        "historical": "historical",
    },
    "attribution": {
        "author": "author",
        "quote": "quote",
        "reported": "reported",
        "hearsay": "hearsay",
        "hedge": "hedge",
    },
    "agreementKind": {
        "mutual-assistance": "mutual-assistance",
        "collective-security": "collective-security",
        "union": "union",
        "other": "other",
    },
    "verdict": {
        "consistent": "consistent",
        "contradicted": "contradicted",
        "partly-correct": "partly-correct",
        "not-checkable": "not-checkable",
    },
    "direction": {
        d: d
        for d in ("north", "north-east", "east", "south-east")
        + ("south", "south-west", "west", "north-west")
    },
    # The general vocabulary's value sets (issue 13).
    "relationKind": {
        k: k for k in ("ally", "close-ally", "partner", "neighbour", "rival", "adversary", "enemy")
    },
    "frequency": {f: f for f in ("once", "occasionally", "repeatedly", "regularly", "constantly")},
    "timeOf": {"saying": "saying", "event": "event"},
    "reviewStatus": {"drafted": "drafted", "reviewed": "reviewed"},
    "propositionGroup": {
        g: g
        for g in ("description", "relationship", "cooperation")
        + ("conflict", "stance", "communication")
    },
}


def _parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


@pytest.fixture(scope="module")
def graphs() -> dict[str, Graph]:
    return {p.name: _parse(p) for p in TTL_FILES}


@pytest.fixture(scope="module")
def vocab(graphs: dict[str, Graph]) -> Graph:
    merged = Graph()
    for name, g in graphs.items():
        if name != "shapes.ttl":
            merged += g
    return merged


def _gc_terms(g: Graph) -> set[URIRef]:
    return {
        s
        for t in TERM_TYPES
        for s in g.subjects(RDF.type, t)
        if isinstance(s, URIRef) and str(s).startswith(str(GC)) and not str(s).startswith(GCS)
    }


def test_expected_files_exist() -> None:
    names = {p.name for p in TTL_FILES}
    assert {"geoclaims.ttl", "schemes.ttl", "shapes.ttl"} <= names


@pytest.mark.parametrize("path", TTL_FILES, ids=lambda p: p.name)
def test_rdflib_and_pyoxigraph_read_the_same_graph(path: Path) -> None:
    ours = _parse(path)
    assert len(ours) > 0
    triples = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    ntriples = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    theirs = Graph().parse(data=ntriples.decode(), format="nt")
    assert len(ours) == len(theirs), path.name

    # Ground triples must be identical; blank-node triples (SHACL lists) compared by shape,
    # since full isomorphism over hundreds of blank nodes is slow.
    def ground(g: Graph) -> set[tuple[object, object, object]]:
        return {t for t in g if not any(isinstance(n, BNode) for n in t)}

    def shape(g: Graph) -> list[tuple[str, str]]:
        keep = (URIRef, Literal)
        return sorted(
            (str(p), str(o) if isinstance(o, keep) else "_")
            for s, p, o in g
            if isinstance(s, BNode) or isinstance(o, BNode)
        )

    assert ground(ours) == ground(theirs), f"{path.name}: rdflib and pyoxigraph disagree"
    assert shape(ours) == shape(theirs), f"{path.name}: blank-node structure differs"


def test_ontology_header(vocab: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in vocab
    assert any(o.language == "en" for o in vocab.objects(ONTOLOGY_IRI, RDFS.comment))


def _en(g: Graph, s: URIRef, p: URIRef) -> list[Literal]:
    return [o for o in g.objects(s, p) if isinstance(o, Literal) and o.language == "en"]


def test_every_term_is_labelled_commented_and_aligned(vocab: Graph) -> None:
    terms = _gc_terms(vocab)
    assert len(terms) > 80
    problems = []
    for term in sorted(terms):
        if not _en(vocab, term, RDFS.label):
            problems.append(f"{term}: no rdfs:label@en")
        if not _en(vocab, term, RDFS.comment):
            problems.append(f"{term}: no rdfs:comment@en")
        if (term, RDFS.isDefinedBy, ONTOLOGY_IRI) not in vocab:
            problems.append(f"{term}: no rdfs:isDefinedBy the ontology")
        aligned = [
            o
            for p in ALIGNING
            for o in vocab.objects(term, p)
            if isinstance(o, URIRef) and not str(o).startswith(str(GC))
        ]
        if not aligned:
            problems.append(f"{term}: no alignment to a standard vocabulary")
    assert not problems, "\n".join(problems)


# Wikidata properties verified in shared/reference/wikidata.md: the only ones we may align with.
VERIFIED_PIDS = {
    *("P31", "P35", "P6", "P39", "P463", "P47", "P17", "P36", "P580", "P582", "P571", "P585"),
    *("P710", "P1891", "P1132", "P1120", "P276", "P577", "P1310", "P2241", "P248", "P854"),
    *("P297", "P298", "P299", "P901", "P1906", "P1308"),
}


def test_wikidata_alignments_use_verified_properties_only(vocab: Graph) -> None:
    wdt = "http://www.wikidata.org/prop/direct/"
    used = {str(o)[len(wdt) :] for o in vocab.objects() if str(o).startswith(wdt)}
    assert used, "no Wikidata alignment found at all"
    assert sorted(used - VERIFIED_PIDS) == []
    # Classes may align with the verified class items: country, sovereign state.
    items = {
        str(o) for o in vocab.objects() if str(o).startswith("http://www.wikidata.org/entity/")
    }
    assert items <= {f"http://www.wikidata.org/entity/{q}" for q in ("Q6256", "Q3624078")}


def test_every_property_has_one_kind_and_a_range(vocab: Graph) -> None:
    problems = []
    for term in sorted(_gc_terms(vocab)):
        kinds = set(vocab.objects(term, RDF.type)) & TERM_TYPES
        if len(kinds) != 1:
            problems.append(f"{term}: typed {sorted(kinds)}")
            continue
        kind = kinds.pop()
        if kind == OWL.Class:
            continue
        ranges = list(vocab.objects(term, RDFS.range))
        if len(ranges) != 1:
            problems.append(f"{term}: {len(ranges)} ranges")
        elif kind == OWL.DatatypeProperty and ranges[0] not in LOADER_DATATYPES:
            problems.append(f"{term}: range {ranges[0]} cannot be cast by the loader")
        elif kind == OWL.ObjectProperty and ranges[0] in LOADER_DATATYPES:
            problems.append(f"{term}: an object property with a datatype range")
    assert not problems, "\n".join(problems)


def test_no_term_is_defined_twice(graphs: dict[str, Graph]) -> None:
    where: dict[URIRef, list[str]] = defaultdict(list)
    for name, g in graphs.items():
        for term in _gc_terms(g):
            where[term].append(name)
        for term in _gc_terms(g):
            assert len(set(g.objects(term, RDFS.label))) <= 1, f"{term}: two labels in {name}"
    twice = {str(t): files for t, files in where.items() if len(files) > 1}
    assert not twice


def test_every_gc_term_used_in_the_ontology_is_defined(vocab: Graph) -> None:
    # Concept schemes and concepts under gc: (ontology/cameo.ttl, plover.ttl) count as defined.
    concepts = {
        s
        for kind in (SKOS.ConceptScheme, SKOS.Concept)
        for s in vocab.subjects(RDF.type, kind)
        if isinstance(s, URIRef)
    }
    defined = _gc_terms(vocab) | concepts
    used = {
        node
        for triple in vocab
        for node in triple
        if isinstance(node, URIRef) and str(node).startswith(str(GC))
    }
    assert sorted(map(str, used - defined)) == []


def test_core_terms_named_in_readme_are_defined(vocab: Graph) -> None:
    readme = (ONTOLOGY / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Core terms", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`gc:([A-Za-z]+)`", section))
    assert len(named) > 30
    missing = sorted(n for n in named if GC[n] not in _gc_terms(vocab))
    assert missing == []


@pytest.mark.parametrize("scheme", sorted(EXPECTED_SCHEMES))
def test_scheme_matches_the_interop_table(graphs: dict[str, Graph], scheme: str) -> None:
    g = graphs["schemes.ttl"]
    iri = URIRef(GCS + scheme)
    assert (iri, RDF.type, SKOS.ConceptScheme) in g
    assert list(g.objects(iri, SKOS.notation)) == [Literal(scheme)]
    assert _en(g, iri, SKOS.prefLabel) and _en(g, iri, SKOS.definition)
    found = {}
    for concept in g.subjects(SKOS.inScheme, iri):
        assert (concept, RDF.type, SKOS.Concept) in g
        notations = list(g.objects(concept, SKOS.notation))
        assert len(notations) == 1, concept
        assert len(_en(g, concept, SKOS.prefLabel)) == 1, concept
        assert _en(g, concept, SKOS.definition), concept
        found[str(notations[0])] = str(concept)
    expected = {n: f"{GCS}{scheme}/{local}" for n, local in EXPECTED_SCHEMES[scheme].items()}
    assert found == expected


def test_no_concept_outside_the_expected_schemes(graphs: dict[str, Graph]) -> None:
    g = graphs["schemes.ttl"]
    schemes = {str(s)[len(GCS) :] for s in g.subjects(RDF.type, SKOS.ConceptScheme)}
    assert schemes == set(EXPECTED_SCHEMES)
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == sum(len(v) for v in EXPECTED_SCHEMES.values())


# --- the code's constants agree with the ontology ----------------------------------------------


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _code_references() -> dict[str, set[str]]:
    """gc: local names the kg/ code refers to: GC + "x", f"{GC}x", gc("x"), "gc:x" in strings."""
    refs: dict[str, set[str]] = defaultdict(set)
    curie = re.compile(r"(?<![\w/.:-])gc:([A-Za-z][A-Za-z0-9_]*)")
    for path in sorted((ROOT / "kg").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(ROOT))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
                left, right = node.left, node.right
                if (
                    isinstance(left, ast.Name)
                    and left.id == "GC"
                    and isinstance(right, ast.Constant)
                ):
                    refs[str(right.value)].add(where)
            elif isinstance(node, ast.JoinedStr):
                for a, b in zip(node.values, node.values[1:], strict=False):
                    if (
                        isinstance(a, ast.FormattedValue)
                        and isinstance(a.value, ast.Name)
                        and a.value.id == "GC"
                        and isinstance(b, ast.Constant)
                    ):
                        m = re.match(r"[A-Za-z][A-Za-z0-9_]*", str(b.value))
                        if m:
                            refs[m.group(0)].add(where)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name | ast.Attribute)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "gc"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                refs[str(node.args[0].value)].add(where)
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in skip
            ):
                for name in curie.findall(node.value):
                    refs[name].add(where)
    return refs


def test_code_refers_only_to_defined_terms(vocab: Graph) -> None:
    refs = _code_references()
    assert "claimant" in refs or "Claim" in refs  # the scan finds what it should
    defined = {str(t)[len(str(GC)) :] for t in _gc_terms(vocab)}
    missing = {name: sorted(files) for name, files in refs.items() if name not in defined}
    assert missing == {}


def test_named_queries_refer_only_to_defined_terms(vocab: Graph) -> None:
    defined = {str(t)[len(str(GC)) :] for t in _gc_terms(vocab)}
    missing = defaultdict(list)
    for path in sorted((ROOT / "queries").glob("*.rq")):
        text = re.sub(r"(?m)#.*$", "", path.read_text(encoding="utf-8"))
        for name in re.findall(r"(?<![\w/])gc:([A-Za-z][A-Za-z0-9_]*)", text):
            if name not in defined:
                missing[name].append(path.name)
    assert dict(missing) == {}


def test_namespace_constants_agree_with_the_ontology(vocab: Graph) -> None:
    for act in namespaces.CLAIM_ACTS:
        assert (GC[act], RDFS.subClassOf, GC.Claim) in vocab, act
    for role in namespaces.GRAPH_CLASSES:
        assert (GC[role], RDFS.subClassOf, GC.NamedGraph) in vocab, role
    for ours, standard in namespaces.MATERIALISED.items():
        assert (URIRef(ours), RDFS.subPropertyOf, URIRef(standard)) in vocab, ours
    schemes = Graph().parse(ONTOLOGY / "schemes.ttl")
    for scheme, table in namespaces.SCHEMES.items():
        for notation, local in table.items():
            concept = URIRef(namespaces.concept(scheme, local))
            assert (concept, SKOS.notation, Literal(notation)) in schemes, concept
            assert (concept, SKOS.inScheme, URIRef(GCS + scheme)) in schemes, concept
    assert namespaces.SCHEMES == EXPECTED_SCHEMES
    assert namespaces.gc("Claim") == str(GC.Claim)
    groups = {str(o) for o in vocab.objects(None, GC.propositionGroup)}
    assert groups == {
        namespaces.concept("propositionGroup", g) for g in namespaces.SCHEMES["propositionGroup"]
    }  # every group gathers types


# --- SHACL shapes --------------------------------------------------------------------------------

TEXT = "Putin said: We are ready to help Belarus, if necessary."
QUOTE = "We are ready to help Belarus"
BEGIN = TEXT.index(QUOTE)
END = BEGIN + len(QUOTE)

VALID = f"""
@prefix gc: <https://w3id.org/geoclaims/ontology/> .
@prefix schema: <http://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
@base <https://example.org/kg/> .

<article/a1> a schema:NewsArticle ; schema:headline "Russia offers help" ;
    gc:hasContext <article/a1#char=0,{len(TEXT)}> ; gc:sha256 "{"ab" * 32}" ;
    schema:datePublished "2020-08-17"^^xsd:date ; gc:datePublishedMethod "estimated" .
<article/a1#char=0,{len(TEXT)}> a nif:Context, nif:RFC5147String ; nif:isString "{TEXT}" .
<article/a1#char={BEGIN},{END}> a nif:RFC5147String, oa:SpecificResource ;
    nif:beginIndex "{BEGIN}"^^xsd:nonNegativeInteger ;
    nif:endIndex "{END}"^^xsd:nonNegativeInteger ;
    nif:anchorOf "{QUOTE}" ; nif:referenceContext <article/a1#char=0,{len(TEXT)}> ;
    oa:hasSource <article/a1> ;
    oa:hasSelector <article/a1/selector/{BEGIN}-{END}/quote>,
        <article/a1/selector/{BEGIN}-{END}/position> .
<article/a1/selector/{BEGIN}-{END}/quote> a oa:TextQuoteSelector ; oa:exact "{QUOTE}" ;
    oa:prefix "Putin said: " ; oa:suffix ", if necessary." .
<article/a1/selector/{BEGIN}-{END}/position> a oa:TextPositionSelector ;
    oa:start "{BEGIN}"^^xsd:nonNegativeInteger ; oa:end "{END}"^^xsd:nonNegativeInteger .

<entity/vladimir-putin> a gc:Leader, gc:Person, schema:Person, prov:Agent ;
    rdfs:label "Vladimir Putin"@en ; owl:sameAs <http://www.wikidata.org/entity/Q7747> .
<entity/belarus> a gc:State, schema:Country ; rdfs:label "Belarus"@en ;
    skos:altLabel "Belarussian"@en ; owl:sameAs <http://www.wikidata.org/entity/Q184> .
<entity/president-of-belarus> a gc:Post, org:Post ; rdfs:label "President of Belarus"@en ;
    org:postIn <entity/belarus> ; skos:exactMatch <http://www.wikidata.org/entity/Q1049659> .

<proposition/a1/p1> a gc:Proposition, ex:AssistanceOffer ;
    gc:agent <entity/vladimir-putin> ; gc:recipient <entity/belarus> ;
    gc:condition <proposition/a1/p1/condition> ; gc:legalBasis <proposition/a1/p1/legalBasis> ;
    gc:count <proposition/a1/p1/count> .
<proposition/a1/p1/condition> a gc:Condition ; gc:surfaceText "if necessary" .
<proposition/a1/p1/legalBasis> a gc:Agreement ; gc:surfaceText "an agreement" ;
    gc:party <entity/belarus> .
<proposition/a1/p1/count> a gc:Quantity ; gc:minValue 100000 ; gc:maxValue 200000 ;
    gc:vague false ; gc:surfaceText "100,000 to 200,000" .

<claim/a1/c1> a gc:Claim, gc:Offer, schema:Claim, prov:Entity ;
    gc:claimant <entity/vladimir-putin> ; prov:wasAttributedTo <entity/vladimir-putin> ;
    gc:evidence <article/a1#char={BEGIN},{END}> ;
    prov:wasDerivedFrom <article/a1#char={BEGIN},{END}> ;
    gc:appearsIn <article/a1> ; schema:appearance <article/a1> ;
    gc:about <entity/belarus> ; schema:about <entity/belarus> ;
    gc:polarity <https://w3id.org/geoclaims/ontology/scheme/polarity/asserted> ;
    gc:certainty <https://w3id.org/geoclaims/ontology/scheme/certainty/certain> ;
    gc:modality <https://w3id.org/geoclaims/ontology/scheme/modality/conditional> ;
    gc:attribution <https://w3id.org/geoclaims/ontology/scheme/attribution/quote> ;
    gc:proposition <proposition/a1/p1> ; gc:timeExpression <article/a1/time/c1-1> .
<article/a1/time/c1-1> a gc:TimeExpression ; gc:surfaceText "this week" ;
    gc:anchorDate "2020-08-17"^^xsd:date ; gc:resolvedInterval <article/a1/time/c1-1/interval> .
<article/a1/time/c1-1/interval> a time:Interval ;
    time:hasBeginning <article/a1/time/c1-1/begin> ; time:hasEnd <article/a1/time/c1-1/end> .
<article/a1/time/c1-1/begin> a time:Instant ; time:inXSDDate "2020-08-10"^^xsd:date .
<article/a1/time/c1-1/end> a time:Instant ; time:inXSDDate "2020-08-16"^^xsd:date .

<reference/R1> a gc:ReferenceFact ; gc:factId "R1" ; prov:wasDerivedFrom <source/wikipedia> .
<source/wikipedia> a gc:Source ; schema:name "English Wikipedia" .

<review/a1/c1> a schema:ClaimReview ; schema:itemReviewed <claim/a1/c1> ;
    schema:reviewRating <review/a1/c1/rating> ; schema:reviewBody "Consistent with R11." ;
    gc:verdict <https://w3id.org/geoclaims/ontology/scheme/verdict/consistent> .
"""

_PREFIXES = """
PREFIX gc: <https://w3id.org/geoclaims/ontology/>
PREFIX schema: <http://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
BASE <https://example.org/kg/>
"""
_CLAIM = "https://example.org/kg/claim/a1/c1"
_SPAN = f"https://example.org/kg/article/a1#char={BEGIN},{END}"
_PUTIN = "https://example.org/kg/entity/vladimir-putin"
_BELARUS = "https://example.org/kg/entity/belarus"

# (what breaks, SPARQL update breaking it, focus node, result path or constraint component)
BROKEN = [
    (
        "no claimant",
        "DELETE WHERE { <claim/a1/c1> gc:claimant ?a ; prov:wasAttributedTo ?b }",
        _CLAIM,
        "https://w3id.org/geoclaims/ontology/claimant",
    ),
    (
        "standard attribution not materialised as the claimant",
        "DELETE { <claim/a1/c1> prov:wasAttributedTo ?a } INSERT { <claim/a1/c1> "
        "prov:wasAttributedTo <entity/belarus> } WHERE { <claim/a1/c1> prov:wasAttributedTo ?a }",
        _CLAIM,
        str(PROV.wasAttributedTo),
    ),
    (
        "polarity from the certainty scheme",
        "DELETE { <claim/a1/c1> gc:polarity ?p } INSERT { <claim/a1/c1> gc:polarity "
        "<https://w3id.org/geoclaims/ontology/scheme/certainty/certain> } "
        "WHERE { <claim/a1/c1> gc:polarity ?p }",
        _CLAIM,
        "https://w3id.org/geoclaims/ontology/polarity",
    ),
    (
        "two modalities",
        "INSERT DATA { <claim/a1/c1> gc:modality "
        "<https://w3id.org/geoclaims/ontology/scheme/modality/actual> }",
        _CLAIM,
        "https://w3id.org/geoclaims/ontology/modality",
    ),
    (
        "no speech act",
        "DELETE DATA { <claim/a1/c1> a gc:Offer }",
        _CLAIM,
        str(RDF.type),
    ),
    (
        "no proposition",
        "DELETE WHERE { <claim/a1/c1> gc:proposition ?p }",
        _CLAIM,
        "https://w3id.org/geoclaims/ontology/proposition",
    ),
    (
        "anchor differs from the text",
        f"DELETE {{ <{_SPAN}> nif:anchorOf ?a }} INSERT {{ <{_SPAN}> nif:anchorOf "
        f'"We are ready to help Russia" }} WHERE {{ <{_SPAN}> nif:anchorOf ?a }}',
        _SPAN,
        str(SH.SPARQLConstraintComponent),
    ),
    (
        "offset given as a string",
        f"DELETE {{ <{_SPAN}> nif:beginIndex ?b }} INSERT {{ <{_SPAN}> nif:beginIndex "
        f'"{BEGIN}" }} WHERE {{ <{_SPAN}> nif:beginIndex ?b }}',
        _SPAN,
        str(NIF.beginIndex),
    ),
    (
        "negative offset (as xsd:integer, the type Oxigraph stores offsets as)",
        f"DELETE {{ <{_SPAN}> nif:beginIndex ?b }} INSERT {{ <{_SPAN}> nif:beginIndex -1 }} "
        f"WHERE {{ <{_SPAN}> nif:beginIndex ?b }}",
        _SPAN,
        str(NIF.beginIndex),
    ),
    (
        "sameAs a Wikidata page, not an item",
        "DELETE { <entity/belarus> owl:sameAs ?q } INSERT { <entity/belarus> owl:sameAs "
        "<https://www.wikidata.org/wiki/Q184> } WHERE { <entity/belarus> owl:sameAs ?q }",
        _BELARUS,
        str(OWL.sameAs),
    ),
    (
        "entity label without a language tag",
        'DELETE DATA { <entity/vladimir-putin> rdfs:label "Vladimir Putin"@en } ; '
        'INSERT DATA { <entity/vladimir-putin> rdfs:label "Vladimir Putin" }',
        _PUTIN,
        str(SH.OrConstraintComponent),
    ),
    (
        "state not materialised as schema:Country",
        "DELETE DATA { <entity/belarus> a schema:Country }",
        _BELARUS,
        str(SH.OrConstraintComponent),
    ),
    (
        "proposition with no specific class",
        "DELETE DATA { <proposition/a1/p1> a <http://example.org/AssistanceOffer> }",
        "https://example.org/kg/proposition/a1/p1",
        str(RDF.type),
    ),
    (
        "reference source without a name",
        "DELETE WHERE { <source/wikipedia> schema:name ?n }",
        "https://example.org/kg/reference/R1",
        str(PROV.wasDerivedFrom),
    ),
    (
        "article without its text's digest",
        "DELETE WHERE { <article/a1> gc:sha256 ?h }",
        "https://example.org/kg/article/a1",
        "https://w3id.org/geoclaims/ontology/sha256",
    ),
    (
        "review without a body",
        "DELETE WHERE { <review/a1/c1> schema:reviewBody ?b }",
        "https://example.org/kg/review/a1/c1",
        str(SCHEMA.reviewBody),
    ),
    (
        "count with min above max",
        "DELETE WHERE { <proposition/a1/p1/count> gc:maxValue ?m } ; "
        "INSERT DATA { <proposition/a1/p1/count> gc:maxValue 10 }",
        "https://example.org/kg/proposition/a1/p1/count",
        "https://w3id.org/geoclaims/ontology/minValue",
    ),
]


@pytest.fixture(scope="module")
def shapes(graphs: dict[str, Graph]) -> Graph:
    return graphs["shapes.ttl"]


def _results(data: Graph, shapes: Graph) -> tuple[bool, set[tuple[str, str]]]:
    conforms, report, _ = validate(data, shacl_graph=shapes, inference="none")
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = str(report.value(result, SH.focusNode))
        path = report.value(result, SH.resultPath)
        found.add((focus, str(path) if path is not None else ""))
        found.add((focus, str(report.value(result, SH.sourceConstraintComponent))))
    return conforms, found


def test_shapes_accept_a_conforming_graph(shapes: Graph) -> None:
    data = Graph().parse(data=VALID, format="turtle")
    conforms, found = _results(data, shapes)
    assert conforms, sorted(found)


@pytest.mark.parametrize(("what", "update", "focus", "path"), BROKEN, ids=[b[0] for b in BROKEN])
def test_shapes_reject_a_broken_graph(
    shapes: Graph, what: str, update: str, focus: str, path: str
) -> None:
    data = Graph().parse(data=VALID, format="turtle")
    before = to_isomorphic(data)
    data.update(_PREFIXES + update)
    assert to_isomorphic(data) != before, f"the update for {what!r} changed nothing"
    conforms, found = _results(data, shapes)
    assert not conforms
    assert (focus, path) in found, sorted(found)


# --- the seed data against the shapes ----------------------------------------------------------

# Shapes that must find something to check in the seed (a shape targeting nothing checks nothing).
SEED_TARGETED = (
    "ArticleShape",
    "ContextShape",
    "SpanShape",
    "SpecificResourceShape",
    "TextQuoteSelectorShape",
    "TextPositionSelectorShape",
    "ClaimShape",
    "PropositionShape",
    "EntityShape",
    "StateShape",
    "PersonShape",
    "OrganisationShape",
    "PostShape",
    "TimeExpressionShape",
    "QuantityShape",
    "AgreementShape",
    "EventShape",
    "PlaceShape",
    "ReferenceFactShape",
    "SourceShape",
    "ClaimReviewShape",
)


@pytest.fixture(scope="module")
def seed_graphs(seed_config: Config) -> tuple[Graph, Graph]:
    """The built seed store: (union of the data graphs, the ontology graph)."""
    from kg.build import export

    buf = io.BytesIO()
    export(seed_config, "nquads", buf)
    skip = {seed_config.base_iri + "graph/ontology", seed_config.base_iri + "graph/shapes"}
    parts: dict[bool, list[pyoxigraph.Triple]] = {True: [], False: []}
    for quad in pyoxigraph.parse(buf.getvalue(), format=pyoxigraph.RdfFormat.N_QUADS):
        parts[quad.graph_name.value in skip].append(quad.triple)
    data, ont = (
        Graph().parse(
            data=pyoxigraph.serialize(parts[flag], format=pyoxigraph.RdfFormat.N_TRIPLES).decode(),
            format="nt",
        )
        for flag in (False, True)
    )
    return data, ont


def test_seed_conforms_to_the_shapes(seed_graphs: tuple[Graph, Graph], shapes: Graph) -> None:
    data, ont = seed_graphs
    conforms, report, text = validate(data, shacl_graph=shapes, ont_graph=ont, inference="none")
    assert conforms, text


def test_shapes_find_their_targets_in_the_seed(
    seed_graphs: tuple[Graph, Graph], shapes: Graph
) -> None:
    data, ont = seed_graphs
    full = data + ont
    shape_ns = "https://w3id.org/geoclaims/ontology/shape/"
    empty = []
    for name in SEED_TARGETED:
        shape = URIRef(shape_ns + name)
        focus = set()
        for cls in shapes.objects(shape, SH.targetClass):
            focus |= set(full.subjects(RDF.type, cls))
        for prop in shapes.objects(shape, SH.targetSubjectsOf):
            focus |= set(full.subjects(prop, None))
        for prop in shapes.objects(shape, SH.targetObjectsOf):
            focus |= set(full.objects(None, prop))
        if not focus:
            empty.append(name)
    assert empty == []


def test_seed_respects_domains_and_ranges(seed_graphs: tuple[Graph, Graph], vocab: Graph) -> None:
    """An RDFS reasoner would infer no type the seed does not already state (closed over gc:)."""
    data, _ = seed_graphs

    def closure(cls: URIRef) -> set[URIRef]:
        seen: set[URIRef] = set()
        todo = [cls]
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                todo.extend(o for o in vocab.objects(c, RDFS.subClassOf) if isinstance(o, URIRef))
        return seen

    types: dict[object, set[URIRef]] = defaultdict(set)
    for node, cls in data.subject_objects(RDF.type):
        types[node] |= closure(cls)
    problems = set()
    for prop in {p for p in data.predicates() if str(p).startswith(str(GC))}:
        for domain in vocab.objects(prop, RDFS.domain):
            for node in set(data.subjects(prop, None)):
                if domain not in types[node]:
                    problems.add(f"{node} uses {prop} but is not a {domain}")
        for range_ in vocab.objects(prop, RDFS.range):
            if range_ == OWL.Thing or range_ in LOADER_DATATYPES:
                continue
            for value in set(data.objects(prop, None)):
                if isinstance(value, Literal) or range_ not in types[value]:
                    problems.add(f"{prop} value {value} is not a {range_}")
    assert sorted(problems) == []


# --- documentation -------------------------------------------------------------------------------


_DOC_PREFIXES = {
    **namespaces.PREFIXES,
    "cito": "http://purl.org/spar/cito/",
    "np": "http://www.nanopub.org/nschema#",
}


def _curie(iri: str) -> str:
    matches = [(ns, p) for p, ns in _DOC_PREFIXES.items() if iri.startswith(ns)]
    if not matches:
        return iri
    ns, prefix = max(matches, key=lambda m: len(m[0]))
    return f"{prefix}:{iri[len(ns) :]}"


class _Page(HTMLParser):
    """Collects element ids, script elements and the text of h3 headings."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.scripts = 0
        self.h3: list[str] = []
        self._in_h3 = False
        self.sections: dict[str, str] = {}
        self._section: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key == "id" and value:
                self.ids.add(value)
        self.scripts += tag == "script"
        if tag == "section":
            self._section = dict(attrs).get("id")
            self.sections[self._section or ""] = ""
        if tag == "h3":
            self._in_h3 = True
            self.h3.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3":
            self._in_h3 = False
        if tag == "section":
            self._section = None

    def handle_data(self, data: str) -> None:
        if self._section is not None:
            self.sections[self._section] += data + " "
        if self._in_h3:
            self.h3[-1] += data


def test_kg_docs_lists_every_term_and_concept(tmp_path: Path, vocab: Graph) -> None:
    out = tmp_path / "docs"
    result = CliRunner().invoke(main, ["docs", "--out", str(out), "--source-dir", str(ROOT)])
    assert result.exit_code == 0, result.output
    page = _Page()
    page.feed((out / "index.html").read_text(encoding="utf-8"))
    headings = "\n".join(page.h3)
    for term in _gc_terms(vocab):
        local = str(term)[len(str(GC)) :]
        kind = "class" if (term, RDF.type, OWL.Class) in vocab else "property"
        assert f"{kind}-{local}" in page.ids, term
        label = str(_en(vocab, term, RDFS.label)[0])
        assert label in headings, label
        card = page.sections[f"{kind}-{local}"]
        related = list(vocab.objects(term, RDFS.range)) + list(vocab.objects(term, RDFS.domain))
        related += list(vocab.objects(term, RDFS.subClassOf))
        related += list(vocab.objects(term, RDFS.subPropertyOf))
        for other in related:
            curie = _curie(str(other))
            assert curie in card, f"{term}: {curie} missing from its card"
    for scheme, table in EXPECTED_SCHEMES.items():
        assert f"scheme-{scheme}" in page.ids
        for local in table.values():
            assert f"concept-{scheme}/{local}" in page.ids


def test_docs_escape_text() -> None:
    g = Graph()
    term = GC.Evil
    g.add((term, RDF.type, OWL.Class))
    g.add((term, RDFS.label, Literal("<script>alert(1)</script>", lang="en")))
    g.add((term, RDFS.comment, Literal("a & b <b>", lang="en")))
    html = ontodoc.render_html(g)
    page = _Page()
    page.feed(html)
    assert page.scripts == 0
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "a &amp; b &lt;b&gt;" in html


def test_docs_report_malformed_turtle_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "geoclaims.ttl").write_text("@prefix gc: <x:> .\n\ngc:A a gc:B\n", encoding="utf-8")
    from kg.errors import DataError

    with pytest.raises(DataError) as err:
        ontodoc.load_ontology(tmp_path)
    assert "geoclaims.ttl:" in err.value.message
