"""The claims and entities tables (/claims, /entities) over the seed: every count checked against
SPARQL on the store, filters, sorting, paging, CSV and JSON, shareable URLs, bad parameters."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from htmldoc import parse

from kg.browse.terms import rows
from kg.config import Config
from kg.store import open_store
from kg.web import create_app

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON = {"Accept": "application/json"}
B = "https://w3id.org/geoclaims/"
GCS = "https://w3id.org/geoclaims/ontology/scheme/"
LUKASHENKO = "entity/alexander-lukashenko"


@pytest.fixture(scope="module")
def store(seed_config: Config) -> Any:
    return open_store(seed_config, read_only=True)


@pytest.fixture(scope="module")
def client(seed_config: Config) -> Any:
    return create_app(seed_config).test_client()


def table(client: Any, path: str = "/claims", **params: Any) -> dict[str, Any]:
    response = client.get(path, query_string=params, headers=JSON)
    assert response.status_code == 200, response.data[:300]
    return json.loads(response.data)


def every_row(client: Any, path: str = "/claims", **params: Any) -> list[dict[str, Any]]:
    first = table(client, path, **params)
    out = list(first["rows"])
    for n in range(2, first["pages"] + 1):
        out += table(client, path, page=n, **params)["rows"]
    assert len(out) == first["total"]
    return out


def sparql_counts(store: Any, prop: str, where: str = "") -> Counter[str]:
    found = rows(store, f"SELECT DISTINCT ?c ?v WHERE {{ ?c a schema:Claim ; {prop} ?v {where} }}")
    return Counter(r["v"].value for r in found)


def facet(result: dict[str, Any], name: str) -> dict[str, int]:
    return {v["iri"]: v["count"] for v in result["facets"][name]}


def test_every_claim_once_with_facet_counts_as_sparql_counts(client: Any, store: Any) -> None:
    claims = {r["c"].value for r in rows(store, "SELECT ?c WHERE { ?c a schema:Claim }")}
    result = table(client)
    assert result["total"] == len(claims) == 51
    assert {r["claim"] for r in every_row(client)} == claims
    for name, prop in (("polarity", "gc:polarity"), ("attribution", "gc:attribution")):
        assert facet(result, name) == dict(sparql_counts(store, prop)), name
    claimants = sparql_counts(store, "gc:claimant")
    shown = facet(result, "claimant")
    assert shown == dict(claimants)  # 8 claimants: all listed (the 12 most frequent are)
    verdicts = Counter(
        r["v"].value.rsplit("/", 1)[-1]
        for r in rows(
            store,
            "SELECT ?c ?v WHERE { GRAPH ?g { ?g a gc:ReviewGraph . ?r schema:itemReviewed ?c ;"
            " gc:verdict ?v } }",
        )
    )
    assert {v["value"]: v["count"] for v in result["facets"]["verdict"]} == dict(verdicts)


def test_two_facets_filter_and_count_over_the_others(client: Any, store: Any) -> None:
    result = table(client, claimant=LUKASHENKO, polarity="asserted")
    expected = {
        r["c"].value
        for r in rows(
            store,
            f"SELECT ?c WHERE {{ ?c gc:claimant <{B}{LUKASHENKO}> ;"
            f" gc:polarity <{GCS}polarity/asserted> }}",
        )
    }
    assert (
        expected
        and {r["claim"] for r in every_row(client, claimant=LUKASHENKO, polarity="asserted")}
        == expected
    )
    assert all(
        r["claimant"]["value"] == LUKASHENKO and r["polarity"]["value"] == "asserted"
        for r in result["rows"]
    )
    # The polarity facet counts Lukashenko's claims of every polarity (the other filter only).
    his = sparql_counts(store, "gc:polarity", f"; gc:claimant <{B}{LUKASHENKO}>")
    assert facet(result, "polarity") == dict(his)
    assert [v["value"] for v in result["facets"]["polarity"] if v["selected"]] == ["asserted"]


def test_values_of_one_facet_are_alternatives(client: Any, store: Any) -> None:
    both = table(client, polarity=["asserted", "denied"])["total"]
    one = table(client, polarity="asserted")["total"]
    other = table(client, polarity="denied")["total"]
    assert both == one + other and one and other
    # Its own filter leaves a facet's counts alone: every value stays there to swap to.
    assert facet(table(client, polarity="denied"), "polarity") == dict(
        sparql_counts(store, "gc:polarity")
    )


def test_unknown_values_match_nothing(client: Any) -> None:
    result = table(client, claimant="entity/nobody")
    assert result["total"] == 0 and result["rows"] == []


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("date", lambda r: r["date"] or ""),
        ("claimant", lambda r: (r["claimant"] or {}).get("label", "")),
        ("verdict", lambda r: (r["verdict"] or {}).get("value", "")),
    ],
)
def test_sorting_both_ways(client: Any, sort: str, key: Any) -> None:
    up = every_row(client, sort=sort)
    down = every_row(client, sort="-" + sort)
    assert [key(r) for r in up] == sorted(key(r) for r in up)
    assert [key(r) for r in down] == sorted((key(r) for r in down), reverse=True)


def test_paging_and_its_limits(client: Any) -> None:
    first, second = table(client), table(client, page=2)
    assert (first["pages"], len(first["rows"]), len(second["rows"])) == (2, 50, 1)
    assert urlsplit(first["next"]).query == "page=2&format=json"
    assert client.get("/claims?page=3", headers=JSON).status_code == 404
    assert client.get("/claims?page=3", headers=HTML).status_code == 404
    assert client.get("/claims?claimant=entity/nobody&page=2", headers=JSON).status_code == 404
    assert client.get("/claims?page=-1", headers=JSON).status_code == 400


def test_csv_has_every_matching_row(client: Any) -> None:
    response = client.get(f"/claims?format=csv&claimant={LUKASHENKO}")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    found = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    expected = every_row(client, claimant=LUKASHENKO)
    assert [r["claim"] for r in found] == [r["claim"] for r in expected]
    assert {r["claimant"] for r in found} == {B + LUKASHENKO}
    assert {r["claimant_label"] for r in found} == {"Alexander Lukashenko"}
    assert all(r["quote"] for r in found)
    by_accept = client.get("/claims", headers={"Accept": "text/csv"})
    assert by_accept.mimetype == "text/csv"
    assert len(list(csv.reader(io.StringIO(by_accept.get_data(as_text=True))))) == 52


def test_the_page_links_keep_the_view(client: Any) -> None:
    doc = parse(
        client.get(f"/claims?claimant={LUKASHENKO}&sort=-date", headers=HTML).get_data(as_text=True)
    )
    links = {a.text: a.attrs["href"] for a in doc.find("p", "table-summary").find_all("a")}
    assert dict(parse_qsl(urlsplit(links["CSV"]).query)) == {
        "claimant": LUKASHENKO,
        "sort": "-date",
        "format": "csv",
    }
    # A facet value adds its filter to those in force.
    polarity = doc.find("details", data_facet="polarity")
    add = polarity.find("a").attrs["href"]
    assert dict(parse_qsl(urlsplit(add).query))["claimant"] == LUKASHENKO
    assert "polarity" in dict(parse_qsl(urlsplit(add).query))
    # The filter in force can be removed.
    chosen = doc.find("ul", "chosen").find_all("a")
    assert any("claimant" not in dict(parse_qsl(urlsplit(a.attrs["href"]).query)) for a in chosen)
    rows_ = doc.find("table", "claims-table").find("tbody").find_all("tr")
    assert len(rows_) == table(client, claimant=LUKASHENKO)["total"]


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "'; DROP TABLE claims; --"},
        {"sort": "date DESC"},
        {"claimant": "x" * 301},
        {"q": "y" * 201},
        {"page": "99999999"},
        {"format": "xml"},
    ],
)
def test_bad_parameters_are_clear_errors(client: Any, params: dict[str, str]) -> None:
    for headers in (JSON, HTML):
        response = client.get("/claims", query_string=params, headers=headers)
        assert response.status_code in (400, 404, 406), (params, response.data[:200])
    assert table(client)["total"] == 51  # nothing was dropped


@pytest.mark.parametrize(
    "params",
    [
        {"claimant": "<script>alert(1)</script>"},
        {"polarity": '"><img src=x onerror=alert(2)>'},
        {"q": "<img src=x>"},
        {"act": "') OR 1=1 --"},
        {"verdict": "?x } UNION { ?s ?p ?o"},
    ],
)
def test_hostile_values_match_nothing_and_stay_text(client: Any, params: dict[str, str]) -> None:
    assert table(client, **params)["total"] == 0
    response = client.get("/claims", query_string=params, headers=HTML)
    assert response.status_code == 200
    doc = parse(response.get_data(as_text=True))
    assert not doc.find_all("img")
    assert not [s for s in doc.find_all("script") if "src" not in s.attrs]
    shown = doc.find("ul", "chosen").text
    assert next(iter(params.values())) in shown


def test_entities_table_counts_claims_about_and_by(client: Any, store: Any) -> None:
    result = table(client, "/entities")
    entities = rows(
        store, "SELECT DISTINCT ?e WHERE { GRAPH ?g { ?g a gc:EntityGraph . ?e a ?t } }"
    )
    ours = {r["e"].value for r in entities if r["e"].value.startswith(B + "entity/")}
    assert result["total"] == len(ours) == 30
    about = sparql_counts(store, "gc:about")
    made = sparql_counts(store, "gc:claimant")
    for r in every_row(client, "/entities"):
        assert r["claims_about"] == about.get(r["entity"], 0), r["entity"]
        assert r["claims_made"] == made.get(r["entity"], 0), r["entity"]
    # The default order: most spoken of first.
    counts = [r["claims_about"] for r in result["rows"]]
    assert counts == sorted(counts, reverse=True)
    nato = next(r for r in result["rows"] if r["key"] == "entity/nato")
    assert "North Atlantic Treaty Organization" in nato["aliases"]
    types = {v["value"]: v["count"] for v in result["facets"]["type"]}
    states = table(client, "/entities", type="State")
    assert states["total"] == types["State"] > 0
    assert all("State" in [t["value"] for t in r["types"]] for r in states["rows"])


def test_entities_csv_and_sort(client: Any) -> None:
    by_label = every_row(client, "/entities", sort="label")
    labels = [r["label"].lower() for r in by_label]
    assert labels == sorted(labels)
    found = list(
        csv.DictReader(io.StringIO(client.get("/entities?format=csv").get_data(as_text=True)))
    )
    assert len(found) == 30 and {"entity", "label", "claims_about"} <= set(found[0])


def test_tables_are_linked_from_home_and_the_nav(client: Any) -> None:
    doc = parse(client.get("/", headers=HTML).get_data(as_text=True))
    nav = [a.attrs["href"] for a in doc.find("nav", "site-nav").find_all("a")]
    assert {"/claims", "/entities", "/network"} <= set(nav)
    home = [a.attrs["href"] for a in doc.find("section", id="find").find_all("a")]
    assert {"/claims", "/entities", "/network", "/timeline"} <= set(home)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The bench generator's claims (~30k quads, 40 entities) in a store and its index."""
    import sys

    import pyoxigraph as ox

    from kg import search
    from kg.config import PROJECT_DIR
    from kg.store import EmbeddedStore

    sys.path.insert(0, str(PROJECT_DIR / "bench"))
    from generate import Generator

    lines = "\n".join(Generator(entities=40).quads(30_000)) + "\n"
    store = EmbeddedStore(None)
    store.bulk_load(ox.parse(lines.encode(), ox.RdfFormat.N_QUADS))
    config = Config.load({"data_dir": ":memory:"}, environ={})
    search.refresh(config, store)
    return store, search.connect(search.index_path(config, store))


def test_a_facet_lists_its_most_frequent_values_and_the_chosen_ones(generated: Any) -> None:
    from kg import tables

    store, db = generated
    claimants = sparql_counts(store, "gc:claimant")
    assert len(claimants) > tables.FACET_VALUES
    result = tables.claims(db, {})
    shown = next(f for f in result.facets if f.facet.name == "claimant")
    assert shown.more and len(shown.values) == tables.FACET_VALUES
    counts = {v.iri: v.count for v in shown.values}
    assert all(claimants[iri] == n for iri, n in counts.items())
    assert min(counts.values()) >= max(n for i, n in claimants.items() if i not in counts)
    # A rare claimant chosen is listed too, with its count, after the most frequent.
    rare, n = min(claimants.items(), key=lambda kv: (kv[1], kv[0]))
    key = rare[len(B) :]
    chosen = tables.claims(db, {"claimant": [key]})
    listed = next(f for f in chosen.facets if f.facet.name == "claimant").values
    assert (listed[-1].key, listed[-1].count, listed[-1].selected) == (key, n, True)
    assert chosen.total == n


def test_dates_and_text_filters_on_generated_claims(generated: Any) -> None:
    from kg import tables

    store, db = generated
    months = Counter(
        r["d"].value[:7]
        for r in rows(
            store,
            "SELECT ?c ?d WHERE { ?c a schema:Claim ; gc:appearsIn ?a ."
            " ?a schema:datePublished ?d }",
        )
    )
    result = tables.claims(db, {})
    by_month = next(f for f in result.facets if f.facet.name == "date")
    assert [v.key for v in by_month.values] == sorted(months, reverse=True)[: tables.FACET_VALUES]
    assert all(months[v.key] == v.count for v in by_month.values)
    # Words match the quote or the names of the claimant and of what the claim is about.
    names: dict[str, str] = {}
    for r in rows(
        store,
        "SELECT ?c ?q ?l WHERE { ?c gc:evidence/nif:anchorOf ?q"
        " OPTIONAL { { ?c gc:claimant ?x } UNION { ?c gc:about ?x } ?x rdfs:label ?l } }",
    ):
        text = names.get(r["c"].value, r["q"].value)
        names[r["c"].value] = text + " " + (r["l"].value if "l" in r else "")
    expected = {c for c, text in names.items() if "pipeline" in text.lower()}
    found = tables.claims(db, {}, query="pipeline", per_page=10_000)
    assert found.total == len(expected) > 0
    assert {r["iri"] for r in found.rows} == expected
