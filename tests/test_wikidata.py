"""`kg export --view wikidata`: the export is loaded into a fresh store and queried the way a
Wikidata user queries the Wikidata Query Service (p:/ps:/pq:, ranks, references, truthy wdt:)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import main
from kg.config import Config

B = "https://w3id.org/geoclaims/"
ARTICLE = B + "article/belarus-protests-2020"
TEXT = (
    Path(__file__).resolve().parent.parent / "data/articles/belarus-protests-2020/article.txt"
).read_text(encoding="utf-8")
PREFIXES = """
PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX psv: <http://www.wikidata.org/prop/statement/value/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX pqv: <http://www.wikidata.org/prop/qualifier/value/>
PREFIX pr: <http://www.wikidata.org/prop/reference/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX gc: <https://w3id.org/geoclaims/ontology/>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def _export(config: Config, path: Path, fmt: str) -> str:
    result = CliRunner().invoke(
        main,
        ["export", "--view", "wikidata", "--format", fmt, "--out", str(path)]
        + ["--data-dir", str(config.data_dir)],
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def exported(seed_config: Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wikidata") / "view.ttl"
    _export(seed_config, path, "turtle")
    return path


@pytest.fixture(scope="module")
def wdqs(exported: Path) -> ox.Store:
    """The export loaded into a store of its own, as a Wikidata user would."""
    store = ox.Store()
    store.load(path=str(exported), format=ox.RdfFormat.TURTLE)
    return store


def rows(store: ox.Store, sparql: str) -> list[tuple[str, ...]]:
    results = store.query(PREFIXES + sparql)
    names = [v.value for v in results.variables]
    return sorted(
        tuple(row[n].value if row[n] is not None else "" for n in names) for row in results
    )


def test_truthy_borders_are_the_reference_facts(wdqs: ox.Store) -> None:
    found = rows(wdqs, "SELECT ?n WHERE { wd:Q184 wdt:P47 ?n }")
    assert found == [(f"http://www.wikidata.org/entity/{q}",) for q in sorted(
        ("Q159", "Q211", "Q212", "Q36", "Q37")
    )]  # fmt: skip


def test_statements_with_ranks_and_references(wdqs: ox.Store) -> None:
    found = rows(
        wdqs,
        """SELECT ?neighbour ?rank ?reason ?source ?span WHERE {
          wd:Q184 p:P47 ?st .
          ?st ps:P47 ?neighbour ; wikibase:rank ?rank ; prov:wasDerivedFrom ?ref .
          ?ref pr:P248 ?source .
          OPTIONAL { ?st pq:P2241 ?reason }
          OPTIONAL { ?ref pr:P854 ?span FILTER(CONTAINS(STR(?span), "#char=")) }
        }""",
    )
    wb, wd = "http://wikiba.se/ontology#", "http://www.wikidata.org/entity/"
    claimed = (
        wd + "Q159",
        wb + "DeprecatedRank",
        wd + "Q41755623",
        ARTICLE,
        ARTICLE + "#char=1829,1870",
    )
    assert claimed in found
    facts = [r for r in found if r[1] == wb + "PreferredRank"]
    # R3 cites two sources: one reference each, for each of the five borders.
    assert len(facts) == 10
    assert {r[0] for r in facts} == {wd + q for q in ("Q159", "Q211", "Q212", "Q36", "Q37")}
    assert {r[3] for r in facts} == {B + "source/wikipedia-belarus", B + "source/wikidata-q184"}


def test_a_claims_reference_carries_the_article_and_its_words(wdqs: ox.Store) -> None:
    found = rows(
        wdqs,
        """SELECT ?claim ?begin ?end ?words ?who ?published WHERE {
          ?st a wikibase:Statement ; prov:wasDerivedFrom ?ref .
          ?ref pr:P248 ?article ; pr:P854 ?span ; nif:beginIndex ?begin ; nif:endIndex ?end ;
               nif:anchorOf ?words ; prov:wasAttributedTo ?who ; dcterms:source ?claim ;
               pr:P577 ?published .
        }""",
    )
    assert len(found) > 20
    for claim, begin, end, words, _who, published in found:
        assert TEXT[int(begin) : int(end)] == words, claim
        assert published == "2020-08-17T00:00:00Z"
    assert (
        B + "claim/belarus-protests-2020/c-tenure-20-years",
        "1254",
        "1308",
        "Lukashenko has been president of Belarus for 20 years.",
        B + "article/belarus-protests-2020/agent/publisher",
        "2020-08-17T00:00:00Z",
    ) in found


def test_tenures_with_start_and_end_qualifiers(wdqs: ox.Store) -> None:
    found = rows(
        wdqs,
        """SELECT ?rank ?start ?precision ?end WHERE {
          wd:Q2866 p:P39 ?st . ?st ps:P39 wd:Q1049659 ; wikibase:rank ?rank .
          OPTIONAL { ?st pq:P580 ?start ; pqv:P580/wikibase:timePrecision ?precision }
          OPTIONAL { ?st pq:P582 ?end }
        }""",
    )
    wb = "http://wikiba.se/ontology#"
    # R1: took office 1994-07-20 (day precision), vouched for: preferred.
    assert (wb + "PreferredRank", "1994-07-20T00:00:00Z", "11", "") in found
    # "became president in 1994": a year (precision 9), claimed: normal.
    assert (wb + "NormalRank", "1994-01-01T00:00:00Z", "9", "") in found
    # "for 20 years" (as of the article's date): contradicted by R1, deprecated with the reason.
    deprecated = rows(
        wdqs,
        """SELECT ?asOf ?reason WHERE { wd:Q2866 p:P39 ?st .
          ?st wikibase:rank wikibase:DeprecatedRank ; pq:P585 ?asOf ; pq:P2241 ?reason }""",
    )
    assert deprecated == [("2020-08-17T00:00:00Z", "http://www.wikidata.org/entity/Q41755623")]
    truthy = rows(wdqs, "SELECT ?post WHERE { wd:Q2866 wdt:P39 ?post }")
    assert truthy == [("http://www.wikidata.org/entity/Q1049659",)]


def test_a_claims_time_span_gives_start_and_end_time(wdqs: ox.Store) -> None:
    # "spoke twice this week" (local media): the week resolved to 2020-08-10 .. 2020-08-16.
    found = rows(
        wdqs,
        """SELECT ?participant ?start ?end WHERE {
          ?call p:P710 ?st . ?st ps:P710 ?participant ; pq:P580 ?start ; pq:P582 ?end ;
            prov:wasDerivedFrom/dcterms:source
              <https://w3id.org/geoclaims/claim/belarus-protests-2020/c-phone-calls> .
        }""",
    )
    assert found == [
        (f"http://www.wikidata.org/entity/{q}", "2020-08-10T00:00:00Z", "2020-08-16T00:00:00Z")
        for q in ("Q2866", "Q7747")
    ]


def test_disputed_claims_name_who_disputes_them(wdqs: ox.Store) -> None:
    found = rows(
        wdqs,
        """SELECT ?claim ?participant ?disputant WHERE {
          ?event p:P710 ?st . ?st ps:P710 ?participant ; pq:P1310 ?disputant ;
            prov:wasDerivedFrom/dcterms:source ?claim .
        }""",
    )
    nato = "http://www.wikidata.org/entity/Q7184"
    claims = B + "claim/belarus-protests-2020/"
    assert found == [
        (claims + "c-bullet-deployment-quote", nato, nato),
        (claims + "c-nato-deployment-reported", nato, nato),
    ]


def test_denials_and_conditional_claims_are_no_statements(wdqs: ox.Store) -> None:
    made = {
        r[0].rsplit("/", 1)[-1]
        for r in rows(
            wdqs, "SELECT DISTINCT ?claim WHERE { ?ref pr:P854 ?s ; dcterms:source ?claim }"
        )
    }
    assert "c-nato-denial" not in made and "c-nato-readiness-baseless" not in made  # polarity -
    assert "c-offer-quote" not in made  # conditional
    assert {"c-minsk-rally", "c-phone-calls", "c-border-russia-west", "c-minsk-capital"} <= made


def test_an_event_with_its_count_place_and_date(wdqs: ox.Store) -> None:
    found = rows(
        wdqs,
        """SELECT ?p ?value ?bound WHERE {
          ?event ?prop ?st . ?st ?ps ?value ; prov:wasDerivedFrom/dcterms:source ?claim .
          FILTER(?claim = <https://w3id.org/geoclaims/claim/belarus-protests-2020/c-minsk-rally>)
          FILTER(STRSTARTS(STR(?prop), "http://www.wikidata.org/prop/P"))
          FILTER(?ps = IRI(REPLACE(STR(?prop), "/prop/", "/prop/statement/")))
          BIND(REPLACE(STR(?prop), "^.*/", "") AS ?p)
          OPTIONAL { ?st gc:maxValue ?bound }
        }""",
    )
    assert found == [
        ("P1132", "200000", "200000"),  # "as many as 200,000": an upper bound
        ("P276", "http://www.wikidata.org/entity/Q2280", ""),  # Minsk
        ("P585", "2020-08-16T00:00:00Z", ""),  # "on Sunday"
    ]


def test_every_statement_has_a_rank_and_a_reference_and_truthy_means_preferred(
    wdqs: ox.Store,
) -> None:
    assert rows(wdqs, "SELECT (COUNT(*) AS ?n) WHERE { ?s a wikibase:Statement }")[0][0] != "0"
    assert not rows(
        wdqs,
        "SELECT ?s WHERE { ?s a wikibase:Statement FILTER NOT EXISTS { ?s wikibase:rank ?r } }",
    )
    assert not rows(
        wdqs,
        "SELECT ?s WHERE { ?s a wikibase:Statement "
        "FILTER NOT EXISTS { ?s prov:wasDerivedFrom/pr:P248 ?source } }",
    )
    # Every truthy triple stands for a preferred statement with the same value.
    truthy = rows(
        wdqs,
        """SELECT ?item ?prop ?value WHERE { ?item ?prop ?value
             FILTER(STRSTARTS(STR(?prop), "http://www.wikidata.org/prop/direct/")) }""",
    )
    preferred = rows(
        wdqs,
        """SELECT ?item ?prop ?value WHERE {
             ?item ?p ?st . ?st wikibase:rank wikibase:PreferredRank ; ?ps ?value .
             FILTER(STRSTARTS(STR(?ps), "http://www.wikidata.org/prop/statement/P"))
             BIND(IRI(REPLACE(STR(?ps), "/prop/statement/", "/prop/direct/")) AS ?prop) }""",
    )
    assert truthy and set(truthy) <= set(preferred)


def test_identifiers_with_their_validity(wdqs: ox.Store) -> None:
    found = rows(
        wdqs,
        """SELECT ?code ?end WHERE { wd:Q2895 p:P298 ?st . ?st ps:P298 ?code ; pq:P582 ?end }""",
    )
    assert found == [("BYS", "1992-06-15T00:00:00Z")]
    assert rows(wdqs, 'SELECT ?item WHERE { ?item wdt:P901 "BO" }') == [
        ("http://www.wikidata.org/entity/Q184",)
    ]


def test_exports_are_the_same_twice_and_any_client_reads_them(
    seed_config: Config, exported: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again.nt"
    _export(seed_config, again, "ntriples")
    first = set(ox.parse(path=str(exported), format=ox.RdfFormat.TURTLE))
    assert first == set(ox.parse(path=str(again), format=ox.RdfFormat.N_TRIPLES))
    graph = Graph().parse(str(again), format="nt")  # rdflib, another client
    assert len(graph) == len(first)


def test_a_dataset_format_puts_the_view_in_its_own_graph(
    seed_config: Config, tmp_path: Path
) -> None:
    path = tmp_path / "view.nq"
    _export(seed_config, path, "nquads")
    graphs = {q.graph_name.value for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)}
    assert graphs == {B + "graph/wikidata"}


def test_no_store_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["export", "--view", "wikidata", "--out", str(tmp_path / "x.ttl"), "--format", "turtle"]
        + ["--data-dir", str(tmp_path / "none")],
    )
    assert result.exit_code == 5
    assert "run `kg build` first" in result.output
