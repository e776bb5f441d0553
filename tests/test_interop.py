"""One test per rule of INTEROP.md, on the built seed and on the loader's own fixture."""

from __future__ import annotations

import gc
import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import __version__
from kg.build import build
from kg.config import Config
from kg.namespaces import GC, GCS, sparql_prefixes
from kg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "data" / "ingest"
VERIFIED = {line.strip() for line in (FIXTURE / "wikidata-verified.txt").read_text().split()}


@dataclass
class Built:
    config: Config
    store: EmbeddedStore

    def rows(self, sparql: str) -> list[dict[str, ox.Term]]:
        result = self.store.query(sparql_prefixes() + sparql)
        names = [v.value for v in result.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in result]

    def ask(self, sparql: str) -> bool:
        return bool(self.store.query(sparql_prefixes() + sparql))


@pytest.fixture(scope="module", params=["seed", "fixture"])
def kg(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The seed store, and a store built from tests/data/ingest (read-only handles)."""
    if request.param == "seed":
        config = request.getfixturevalue("seed_config")
    else:
        tmp = tmp_path_factory.mktemp("interop")
        shutil.copytree(ROOT / "ontology", tmp / "src" / "ontology")
        shutil.copytree(FIXTURE / "data", tmp / "src" / "data")
        config = Config.load(
            {"data_dir": str(tmp / "store"), "source_dir": str(tmp / "src")}, environ={}
        )
        build(config, check=False)
    built = Built(config, EmbeddedStore(Path(config.data_dir), read_only=True))
    yield built
    del built.store
    gc.collect()


# 1. Layers, each in named graphs -------------------------------------------------------------


def test_nothing_in_the_default_graph(kg: Built) -> None:
    assert not kg.store.query("ASK { ?s ?p ?o }", union=False)


def test_every_graph_types_itself_with_a_project_graph_class(kg: Built) -> None:
    classes = {
        r["c"].value for r in kg.rows("SELECT ?c WHERE { ?c rdfs:subClassOf+ gc:NamedGraph }")
    }
    assert {GC + "DocumentGraph", GC + "ClaimGraph", GC + "PropositionGraph"} <= classes
    for graph in kg.store.named_graphs():
        rows = kg.rows(f"SELECT ?c WHERE {{ GRAPH <{graph}> {{ <{graph}> a ?c }} }}")
        assert {r["c"].value for r in rows} & classes, graph


def test_propositions_are_reachable_only_through_claims(kg: Built) -> None:
    # Who points at a proposition: claims (gc:proposition), or another proposition's content
    # (e.g. the reason of a proposition), never an entity, article or reference graph.
    rows = kg.rows("""
        SELECT DISTINCT ?g ?p WHERE {
          GRAPH ?pg { ?prop a gc:Proposition } FILTER(?prop = ?pg)
          GRAPH ?g { ?s ?p ?prop } FILTER(?g != ?pg)
          FILTER NOT EXISTS { GRAPH ?g { ?g a gc:PropositionGraph } }
        }""")
    assert rows
    for row in rows:
        assert row["p"].value == GC + "proposition", row
        assert kg.ask(
            f"ASK {{ GRAPH <{row['g'].value}> {{ <{row['g'].value}> a gc:ClaimGraph }} }}"
        )
    base = kg.config.base_iri + "proposition/"
    rows = kg.rows(f"""
        SELECT DISTINCT ?g WHERE {{
          GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?s), "{base}"))
        }}""")
    assert rows and all(r["g"].value.startswith(base) for r in rows)
    assert kg.ask("ASK { ?c a gc:Claim ; gc:proposition ?p . GRAPH ?p { ?p a gc:Proposition } }")


def test_propositions_speak_no_standard_vocabulary(kg: Built) -> None:
    # A standard query (schema:Event, org:member, wdt:P47 ...) must not meet a proposition.
    rows = kg.rows("""
        SELECT DISTINCT ?p ?o WHERE { GRAPH ?g { ?g a gc:PropositionGraph . ?s ?p ?o } }""")
    assert rows
    standard = ("http://schema.org/", "http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#",
                "http://semanticweb.cs.vu.nl/2009/11/sem/", "http://www.wikidata.org/",
                "http://xmlns.com/foaf/0.1/", "http://purl.org/dc/terms/")  # fmt: skip
    for row in rows:
        p, o = row["p"].value, row["o"]
        if p == "http://www.w3.org/ns/prov#wasGeneratedBy":
            continue  # the graph's own provenance
        assert not p.startswith(standard), p
        if p.endswith("#type"):
            assert not o.value.startswith(standard), o


# 2. Entities -----------------------------------------------------------------------------------


def test_entity_labels_are_english(kg: Built) -> None:
    graph, entity = kg.config.base_iri + "graph/entities", kg.config.base_iri + "entity/"
    assert kg.rows(f"SELECT ?e WHERE {{ GRAPH <{graph}> {{ ?e rdfs:label ?l }} }}")
    assert not kg.rows(f"""
        SELECT ?e WHERE {{ GRAPH <{graph}> {{ ?e a ?t FILTER(STRSTARTS(STR(?e), "{entity}"))
          FILTER NOT EXISTS {{ ?e rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en")) }} }} }}""")
    assert not kg.rows(f"""
        SELECT ?l WHERE {{ GRAPH <{graph}> {{
          ?e rdfs:label|skos:altLabel ?l FILTER(LANG(?l) = "") }} }}""")


@pytest.mark.parametrize(
    ("project", "standard"),
    [
        ("State", ["schema:Country"]),
        ("Leader", ["schema:Person"]),
        ("Alliance", ["schema:Organization", "org:FormalOrganization"]),
        ("City", ["schema:City", "schema:Place"]),
        ("Post", ["org:Post"]),
        ("Claim", ["schema:Claim", "prov:Entity"]),
    ],
)
def test_standard_types_are_materialised(kg: Built, project: str, standard: list[str]) -> None:
    found = kg.rows(f"SELECT ?e WHERE {{ ?e a gc:{project} }}")
    if project in ("State", "Leader", "Alliance", "Claim"):
        assert found, f"no gc:{project} to check"
    for cls in standard:
        assert not kg.rows(f"SELECT ?e WHERE {{ {OUTSIDE_PROPOSITIONS.format(f'?e a gc:{project}')}"
                           f" FILTER NOT EXISTS {{ GRAPH ?g {{ ?e a {cls} }} }} }}")  # fmt: skip


# Statements in graphs other than proposition graphs (where standard types are materialised).
OUTSIDE_PROPOSITIONS = (
    "GRAPH ?g {{ {} }} FILTER NOT EXISTS {{ GRAPH ?g {{ ?g a gc:PropositionGraph }} }}"
)


def test_events_are_schema_events(kg: Built) -> None:
    inner = OUTSIDE_PROPOSITIONS.format("?e a gc:Event")
    assert not kg.rows(
        f"SELECT ?e WHERE {{ {inner} FILTER NOT EXISTS {{ GRAPH ?g {{ ?e a schema:Event }} }} }}"
    )


def test_same_as_only_to_verified_wikidata_items(kg: Built) -> None:
    # Links of the data: the ontology graph maps its own classes to CAMEO/PLOVER concepts, and
    # mappings between the ontology's own concepts (under gc:) are not links to outside items.
    rows = kg.rows(
        """SELECT ?e ?q WHERE { GRAPH ?g { ?e owl:sameAs|skos:exactMatch ?q }
        FILTER NOT EXISTS { GRAPH ?g { ?g a gc:OntologyGraph } }
        FILTER(!STRSTARTS(STR(?q), STR(gc:))) }"""
    )
    assert rows
    for row in rows:
        qid = row["q"].value.removeprefix("http://www.wikidata.org/entity/")
        assert qid in VERIFIED, row
    assert not kg.rows("SELECT ?e WHERE { ?e a gc:Post ; owl:sameAs ?q }")


def test_posts_have_a_state_and_tenures_give_held_by(kg: Built) -> None:
    assert kg.rows("SELECT ?p WHERE { ?p a org:Post }")
    assert not kg.rows("SELECT ?p WHERE { ?p a gc:Post FILTER NOT EXISTS { ?p org:postIn ?s } }")
    tenures = kg.rows("""
        SELECT ?g ?who ?post WHERE { GRAPH ?g { ?g a gc:ReferenceGraph .
          ?t a gc:Tenure ; gc:holder ?who ; gc:post ?post } }""")
    assert tenures
    for row in tenures:
        g, who, post = row["g"].value, row["who"].value, row["post"].value
        assert kg.ask(
            f"ASK {{ GRAPH <{g}> {{ <{post}> org:heldBy <{who}> . <{who}> org:holds <{post}> }} }}"
        )


def test_tenure_dates_are_dates(kg: Built) -> None:
    rows = kg.rows("SELECT ?d WHERE { ?t a gc:Tenure ; gc:startDate|gc:endDate ?d }")
    assert rows
    assert all(r["d"].datatype.value.endswith("#date") for r in rows)


def test_agreements_have_parties_and_a_kind(kg: Built) -> None:
    graph = kg.config.base_iri + "graph/entities"
    rows = kg.rows(f"""
        SELECT ?a ?notation WHERE {{ GRAPH <{graph}> {{ ?a a gc:Agreement ; gc:party ?p ;
          gc:agreementKind ?k }} ?k skos:notation ?notation ; skos:inScheme gcs:agreementKind }}""")
    agreements = kg.rows(f"SELECT ?a WHERE {{ GRAPH <{graph}> {{ ?a a gc:Agreement }} }}")
    assert {r["a"] for r in rows} == {r["a"] for r in agreements}


def test_memberships_use_org(kg: Built) -> None:
    assert not kg.rows("""
        SELECT ?m WHERE { ?m a gc:Membership
          FILTER NOT EXISTS { ?m a org:Membership ; org:member ?a ; org:organization ?o } }""")


# 3. Claims -------------------------------------------------------------------------------------


def test_claims_are_attributed_and_appear_in_articles(kg: Built) -> None:
    assert kg.rows("SELECT ?c WHERE { ?c a gc:Claim }")
    assert not kg.rows("""
        SELECT ?c WHERE { ?c a gc:Claim FILTER NOT EXISTS {
          ?c a schema:Claim, prov:Entity ; prov:wasAttributedTo ?who ; schema:appearance ?a .
          ?a a schema:NewsArticle . ?who a prov:Agent } }""")


def test_claims_derive_from_fully_described_spans(kg: Built) -> None:
    assert not kg.rows("""
        SELECT ?c WHERE { ?c a gc:Claim FILTER NOT EXISTS {
          ?c prov:wasDerivedFrom ?s ; gc:evidence ?s ; gc:sentence ?sentence .
          ?s a nif:RFC5147String, oa:SpecificResource ; nif:beginIndex ?b ; nif:endIndex ?e ;
             nif:anchorOf ?anchor ; nif:referenceContext ?ctx ; oa:hasSource ?article ;
             oa:hasSelector ?q, ?p .
          ?ctx a nif:Context ; nif:isString ?text .
          ?q a oa:TextQuoteSelector ; oa:exact ?anchor ; oa:prefix ?pre ; oa:suffix ?suf .
          ?p a oa:TextPositionSelector ; oa:start ?b ; oa:end ?e .
          ?sentence a nif:Sentence .
          ?c schema:appearance ?article } }""")


@pytest.mark.parametrize(
    ("scheme", "notations"),
    [
        ("polarity", {"+", "-", "u"}),
        ("certainty", {"CT", "PR", "PS", "U"}),
        ("modality", {"actual", "conditional", "future", "hypothetical", "historical"}),
        ("attribution", {"author", "quote", "reported", "hearsay", "hedge"}),
    ],
)
def test_qualities_are_skos_concepts_with_notations(
    kg: Built, scheme: str, notations: set[str]
) -> None:
    rows = kg.rows(f"""
        SELECT ?c ?n ?sn WHERE {{ ?claim a gc:Claim ; gc:{scheme} ?c .
          OPTIONAL {{ ?c skos:notation ?n ; skos:inScheme ?s . ?s skos:notation ?sn }} }}""")
    assert rows
    for row in rows:
        assert row["c"].value.startswith(GCS + scheme + "/")
        assert row["n"].value in notations and row["sn"].value == scheme
    assert not kg.rows(
        f"SELECT ?c WHERE {{ ?c a gc:Claim FILTER NOT EXISTS {{ ?c gc:{scheme} ?x }} }}"
    )


def test_a_denial_shares_the_proposition_it_denies(kg: Built) -> None:
    rows = kg.rows("""
        SELECT ?d ?p ?q WHERE { ?d a gc:Denial ; gc:disputes ?c ; gc:proposition ?p .
          ?c gc:proposition ?q }""")
    assert rows
    assert all(r["p"] == r["q"] for r in rows), rows


# 4. Articles, time and runs --------------------------------------------------------------------


def test_article_node(kg: Built) -> None:
    rows = kg.rows("""
        SELECT ?a ?ctx ?text ?sha ?method WHERE { ?a a schema:NewsArticle ; schema:headline ?h ;
          schema:datePublished ?d ; gc:datePublishedMethod ?method ; gc:datePublishedReasoning ?r ;
          gc:hasContext ?ctx ; gc:sha256 ?sha . ?ctx a nif:Context ; nif:isString ?text
          FILTER(DATATYPE(?d) = xsd:date) }""")
    assert rows
    for row in rows:
        aid = row["a"].value.rsplit("/", 1)[1]
        raw = (Path(kg.config.source_dir) / "data" / "articles" / aid / "article.txt").read_bytes()
        assert row["text"].value == raw.decode("utf-8")
        assert row["sha"].value == hashlib.sha256(raw).hexdigest()
        assert row["method"].value in {"stated", "estimated"}
        assert row["ctx"].value == f"{row['a'].value}#char=0,{len(raw.decode('utf-8'))}"


def test_time_expressions_are_resolved_with_their_anchor(kg: Built) -> None:
    rows = kg.rows("""
        SELECT ?t ?anchor ?date ?b ?e WHERE { ?t a gc:TimeExpression ; gc:surfaceText ?s ;
          gc:anchorDate ?anchor .
          OPTIONAL { ?t gc:resolvedDate ?date }
          OPTIONAL { ?t gc:resolvedInterval ?i . ?i a time:Interval ;
            time:hasBeginning/time:inXSDDate ?b ; time:hasEnd/time:inXSDDate ?e } }""")
    assert rows
    date = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    for row in rows:
        assert row["anchor"].datatype == date
        assert "date" in row or ("b" in row and "e" in row), row
        for key in ("date", "b", "e"):
            if key in row:
                assert row[key].datatype == date
    assert kg.ask("ASK { ?c a gc:Claim ; gc:timeExpression ?t . ?t a gc:TimeExpression }")


def test_each_load_is_a_prov_activity(kg: Built) -> None:
    rows = kg.rows("""
        SELECT ?g ?act ?version ?time WHERE { GRAPH ?g { ?g prov:wasGeneratedBy ?act }
          ?act a prov:Activity ; prov:startedAtTime ?time ; prov:wasAssociatedWith ?sw .
          ?sw schema:softwareVersion ?version }""")
    assert rows
    for row in rows:
        assert row["version"].value == __version__
        assert row["time"].datatype.value.endswith("#dateTime")
    generated = {r["g"].value for r in rows}
    for graph in kg.store.named_graphs():
        if "/graph/article/" in graph or "/graph/claims/" in graph or "/proposition/" in graph:
            assert graph in generated, graph
