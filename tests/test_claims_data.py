"""The curated data, checked on its own (no loader): quotes, ids, terms and sentence coverage."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import rdflib
import yaml
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from kg.ingest.authoring import full_form

ROOT = Path(__file__).resolve().parents[1]
GC = rdflib.Namespace("https://w3id.org/geoclaims/ontology/")
GCS = "https://w3id.org/geoclaims/ontology/scheme/"
ONTOLOGY = rdflib.URIRef("https://w3id.org/geoclaims/ontology")
SEED_SHA256 = "ba74fa251238868d03022f3e8ca02161140a1f6638a2520e51d880700b88a9e2"
# The verified items of shared/reference/wikidata.md: nothing else may be linked.
VERIFIED_QIDS = {
    "Q184", "Q159", "Q7184", "Q7747", "Q2866", "Q2280", "Q15180", "Q46", "Q166110", "Q318693",
    "Q1049659", "Q218295", "Q2895", "Q7779", "Q27468", "Q36", "Q37", "Q211", "Q212",
}  # fmt: skip
STANDARD = (
    "http://schema.org/",
    "http://www.w3.org/ns/prov#",
    "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "http://www.w3.org/ns/org#",
    "http://www.w3.org/2006/time#",
    "http://www.wikidata.org/prop/direct/",
    "http://www.w3.org/2004/02/skos/core#",
    "http://purl.org/dc/terms/",
)
ALIGN = (
    RDFS.subClassOf, RDFS.subPropertyOf, SKOS.closeMatch, SKOS.exactMatch, SKOS.relatedMatch,
    SKOS.broadMatch, SKOS.narrowMatch, OWL.equivalentClass, OWL.equivalentProperty,
)  # fmt: skip
CLAIM_KEYS = {
    "id", "quote", "context", "act", "claimant", "reporter", "attribution", "polarity",
    "certainty", "modality", "about", "proposition", "time", "disputes", "supports", "note",
    "ambiguous",
}  # fmt: skip
TIME_KEYS = {"surfaceText", "anchorDate", "resolvedDate", "resolvedInterval", "timeOf"}
QUALITIES = ("polarity", "certainty", "modality", "attribution")
ARTICLE_DIRS = [p.parent for p in sorted((ROOT / "data" / "articles").glob("*/claims.yaml"))]
ARTICLE_DIRS.append(ROOT / "tests" / "data" / "fixture-article")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@dataclass
class Onto:
    """The parts of the ontology the data must agree with."""

    graph: rdflib.Graph
    classes: set[str]
    ranges: dict[str, rdflib.URIRef]
    objects: set[str]
    concepts: dict[str, set[str]]  # scheme local name -> notations and local names

    def is_subclass(self, name: str, sup: str) -> bool:
        return GC[sup] in self.graph.transitive_objects(GC[name], RDFS.subClassOf)


@cache
def onto() -> Onto:
    g = rdflib.Graph()
    for name in ("geoclaims.ttl", "propositions.ttl", "schemes.ttl"):
        g.parse(ROOT / "ontology" / name, format="turtle")
    classes = {str(s)[len(GC) :] for s in g.subjects(RDF.type, OWL.Class) if s.startswith(GC)}
    ranges, objects = {}, set()
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for s in g.subjects(RDF.type, kind):
            if s.startswith(GC):
                ranges[str(s)[len(GC) :]] = g.value(s, RDFS.range)
                if kind == OWL.ObjectProperty:
                    objects.add(str(s)[len(GC) :])
    concepts: dict[str, set[str]] = {}
    for c, scheme in g.subject_objects(SKOS.inScheme):
        names = concepts.setdefault(str(scheme)[len(GCS) :], set())
        names.add(str(c).rsplit("/", 1)[-1])
        names.update(str(n) for n in g.objects(c, SKOS.notation))
    return Onto(g, classes, ranges, objects, concepts)


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: each non-empty line, split after . ? ! that end a sentence."""
    spans, offset = [], 0
    for line in text.split("\n"):
        cuts = [m.end() for m in re.finditer(r"[.?!][”\"]?(?=\s+[A-Z“\"])", line)]
        start = 0
        for end in [*cuts, len(line)]:
            chunk = line[start:end]
            if chunk.strip():
                lead = len(chunk) - len(chunk.lstrip(" •–"))
                spans.append((offset + start + lead, offset + start + len(chunk.rstrip())))
            start = end
        offset += len(line) + 1
    return spans


def span_of(text: str, item: dict) -> tuple[int, int]:
    """Where an item's quote is, using its context when it has one."""
    quote, context = item["quote"], item.get("context")
    if context is None:
        assert text.count(quote) == 1, f"quote not unique ({text.count(quote)}): {quote!r}"
        begin = text.index(quote)
    else:
        assert text.count(context) == 1, f"context not unique: {context!r}"
        assert context.count(quote) == 1, f"context must hold the quote once: {quote!r}"
        begin = text.index(context) + context.index(quote)
    return begin, begin + len(quote)


@dataclass
class Article:
    path: Path
    text: str
    meta: dict
    claims: dict
    entities: set[str]

    @property
    def agents(self) -> set[str]:
        return {a["id"] for a in self.claims["agents"]}

    @property
    def proposition_ids(self) -> set[str]:
        return {p["id"] for p in self.claims["propositions"]}


@pytest.fixture(scope="module", params=ARTICLE_DIRS, ids=lambda p: p.name)
def article(request: pytest.FixtureRequest) -> Article:
    path: Path = request.param
    text = (path / "article.txt").read_bytes().decode("utf-8")
    entities = {e["id"] for e in load(ROOT / "data" / "entities.yaml")}
    # claims.yaml is written in the compact form: check it as the loader reads it, every key out.
    claims = full_form(path, ROOT / "data" / "entities.yaml", ROOT / "ontology")
    return Article(path, text, load(path / "article.yaml"), claims, entities)


def test_seed_text_is_the_source() -> None:
    data = (ROOT / "data" / "articles" / "belarus-protests-2020" / "article.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == SEED_SHA256


def test_metadata(article: Article) -> None:
    meta = article.meta
    assert meta["id"] == article.path.name
    if article.path.parent.name == "data" and article.path.parents[1].name == "tests":
        assert article.text.startswith("TEST FIXTURE (not news)")
    assert meta["headline"] == article.text.split("\n", 1)[0]
    assert meta["language"] == "en"
    assert meta["datePublishedMethod"] in {"stated", "estimated"}
    first, last = meta["datePublishedInterval"]
    assert first <= meta["datePublished"] <= last
    assert isinstance(meta["anchorDate"], dt.date)


def test_quotes_unique_and_inside_one_sentence(article: Article) -> None:
    spans = sentences(article.text)
    for item in [*article.claims["claims"], *article.claims["non_assertive"]]:
        begin, end = span_of(article.text, item)
        assert any(b <= begin and end <= e for b, e in spans), f"crosses sentences: {item}"


def test_every_sentence_is_covered(article: Article) -> None:
    covered = [span_of(article.text, c) for c in article.claims["claims"]]
    covered += [span_of(article.text, n) for n in article.claims["non_assertive"]]
    for b, e in sentences(article.text):
        assert any(cb < e and b < ce for cb, ce in covered), f"uncovered: {article.text[b:e]!r}"


def test_non_assertive_have_reasons(article: Article) -> None:
    for item in article.claims["non_assertive"]:
        assert set(item) <= {"quote", "context", "reason"} and item["reason"].strip()


def test_claims_refer_to_existing_ids(article: Article) -> None:
    claims = article.claims["claims"]
    ids = [c["id"] for c in claims]
    assert len(ids) == len(set(ids))
    props = [p["id"] for p in article.claims["propositions"]]
    assert len(props) == len(set(props))
    agents = article.agents | article.entities
    for c in claims:
        assert set(c) <= CLAIM_KEYS, f"{c['id']}: unknown keys {set(c) - CLAIM_KEYS}"
        assert c["claimant"] in agents and c.get("reporter", "publisher") in agents
        assert c["proposition"] in article.proposition_ids
        assert set(c.get("about", [])) <= article.entities, c["id"]
        assert set(c.get("disputes", []) + c.get("supports", [])) <= set(ids), c["id"]
    used = {c["proposition"] for c in claims}
    assert used == set(props), f"propositions without a claim: {set(props) - used}"


def test_claim_qualities(article: Article) -> None:
    o = onto()
    for c in article.claims["claims"]:
        assert o.is_subclass(c["act"], "Claim"), c["id"]
        for q in QUALITIES:
            assert str(c[q]) in o.concepts[q], f"{c['id']}: {q} {c[q]!r}"


def test_denials_share_the_proposition_they_dispute(article: Article) -> None:
    by_id = {c["id"]: c for c in article.claims["claims"]}
    denials = [c for c in by_id.values() if c["act"] == "Denial"]
    assert denials
    for d in denials:
        assert d["polarity"] == "-" and d["disputes"]
        for other in d["disputes"]:
            assert by_id[other]["proposition"] == d["proposition"]
            assert by_id[other]["polarity"] == "+"


def test_time_expressions(article: Article) -> None:
    for c in article.claims["claims"]:
        for t in c.get("time", []):
            assert set(t) <= TIME_KEYS and t["surfaceText"] in span_text(article, c)
            assert t["anchorDate"] == article.meta["anchorDate"]
            assert ("resolvedDate" in t) != ("resolvedInterval" in t)
            if "resolvedInterval" in t:
                begin, end = t["resolvedInterval"]
                assert isinstance(begin, dt.date) and begin <= end


def span_text(article: Article, claim: dict) -> str:
    """The sentence holding the claim's quote (time words may sit just outside the quote)."""
    begin, end = span_of(article.text, claim)
    return next(article.text[b:e] for b, e in sentences(article.text) if b <= begin and end <= e)


def check_value(o: Onto, key: str, value: Any, ids: set[str], where: str) -> Iterator[str]:
    """Problems with one property value (recursing into nested nodes)."""
    if isinstance(value, list):
        for v in value:
            yield from check_value(o, key, v, ids, where)
        return
    if key not in o.ranges:
        yield f"{where}: {key} is not a gc: property"
        return
    rng = o.ranges[key]
    if key in o.objects:
        if isinstance(value, dict):
            yield from check_node(o, value, ids, f"{where}/{key}")
        elif rng == SKOS.Concept:
            if str(value) not in o.concepts.get(key, set()):
                yield f"{where}: {value!r} is not in scheme {key}"
        elif value not in ids:
            yield f"{where}: dangling id {value!r} for {key}"
        return
    expected = {
        XSD.date: dt.date, XSD.integer: int, XSD.boolean: bool, XSD.gYear: int,
        XSD.string: str, RDF.langString: str, XSD.decimal: (int, float), XSD.gYearMonth: str,
    }[rng]  # fmt: skip
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        yield f"{where}: {key}={value!r} is not a {rng}"
    if rng == XSD.gYearMonth and not re.fullmatch(r"\d{4}-\d{2}", value):
        yield f"{where}: {key}={value!r} is not YYYY-MM"


def check_node(o: Onto, node: dict, ids: set[str], where: str) -> Iterator[str]:
    types = node["type"] if isinstance(node["type"], list) else [node["type"]]
    for t in types:
        if t not in o.classes:
            yield f"{where}: type {t} is not a gc: class"
    for key, value in node.items():
        if key not in {"id", "type"}:
            yield from check_value(o, key, value, ids, where)


def test_propositions_use_ontology_terms(article: Article) -> None:
    o = onto()
    ids = article.entities | article.agents | article.proposition_ids
    problems = []
    for p in article.claims["propositions"]:
        assert o.is_subclass(p["type"], "Proposition"), p["id"]
        problems += check_node(o, p, ids, p["id"])
    assert not problems, "\n".join(problems)


def test_entities() -> None:
    o = onto()
    entities = load(ROOT / "data" / "entities.yaml")
    ids = [e["id"] for e in entities]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)
    problems = []
    for e in entities:
        assert e["label"] and e.get("wikidata", "Q184") in VERIFIED_QIDS, e["id"]
        assert "North Atlantic Trinity Organization" not in e.get("altLabel", [])
        # `identifiers` is checked value by value in tests/test_identifiers.py.
        skip = {"label", "altLabel", "wikidata", "identifiers"}
        node = {k: v for k, v in e.items() if k not in skip}
        problems += check_node(o, node, set(ids), e["id"])
    assert not problems, "\n".join(problems)


def test_reference_facts() -> None:
    o = onto()
    ref = load(ROOT / "data" / "reference" / "facts.yaml")
    sources = {s["id"] for s in ref["sources"]}
    facts = ref["facts"]
    assert [f["id"] for f in facts] == [f"R{n}" for n in range(1, 17)]
    ids = {e["id"] for e in load(ROOT / "data" / "entities.yaml")}
    problems, node_ids = [], []
    for f in facts:
        assert f["text"].strip() and f["sources"] and set(f["sources"]) <= sources, f["id"]
        for s in f["statements"]:
            node_ids.append(s["id"])
            assert o.is_subclass(s["type"], "Proposition"), s["id"]
            problems += check_node(o, s, ids | {n["id"] for n in f["statements"]}, s["id"])
    assert not problems, "\n".join(problems)
    assert len(node_ids) == len(set(node_ids))


def test_proposition_vocabulary_is_documented_and_aligned() -> None:
    mine, core = rdflib.Graph(), rdflib.Graph()
    mine.parse(ROOT / "ontology" / "propositions.ttl", format="turtle")
    core.parse(ROOT / "ontology" / "geoclaims.ttl", format="turtle")
    terms = set(mine.subjects(RDF.type, None))
    assert terms and not terms & set(core.subjects(RDF.type, None)), "redefines core terms"
    for t in terms:
        kinds = set(mine.objects(t, RDF.type))
        assert kinds & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}, t
        for p in (RDFS.label, RDFS.comment):
            assert any(lit.language == "en" for lit in mine.objects(t, p)), (t, p)
        assert (t, RDFS.isDefinedBy, ONTOLOGY) in mine
        aligned = [o for p in ALIGN for o in mine.objects(t, p) if str(o).startswith(STANDARD)]
        assert aligned, f"{t} has no alignment to a standard vocabulary"
        if OWL.Class in kinds:
            assert (t, RDFS.subClassOf, GC.Proposition) in mine, t
        else:
            assert mine.value(t, RDFS.range) is not None, t


def test_expected_verdicts_refer_to_real_claims_and_facts() -> None:
    expected = load(ROOT / "tests" / "data" / "expected-verdicts.yaml")
    facts = {f["id"] for f in load(ROOT / "data" / "reference" / "facts.yaml")["facts"]}
    claims = {d.name: {c["id"] for c in load(d / "claims.yaml")["claims"]} for d in ARTICLE_DIRS}
    assert set(expected) == set(claims)
    for aid, table in expected.items():
        assert set(table) <= claims[aid], aid
        for cid, row in table.items():
            assert row["verdict"] and set(row["verdict"]) <= onto().concepts["verdict"], cid
            assert row["facts"] and set(row["facts"]) <= facts, cid
