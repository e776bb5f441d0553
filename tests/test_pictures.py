"""The pictures (/network, /timeline): their data checked against SPARQL on the seed, their
tables (what a reader without JavaScript gets), the vendored D3, bad parameters."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from typing import Any

import pytest
from htmldoc import parse

from kg.browse.terms import rows
from kg.config import PROJECT_DIR, Config
from kg.store import open_store
from kg.web import create_app

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON = {"Accept": "application/json"}
B = "https://w3id.org/geoclaims/"
GC = "https://w3id.org/geoclaims/ontology/"
D3 = PROJECT_DIR / "kg" / "web" / "static" / "vendor" / "d3"


@pytest.fixture(scope="module")
def store(seed_config: Config) -> Any:
    return open_store(seed_config, read_only=True)


@pytest.fixture(scope="module")
def client(seed_config: Config) -> Any:
    return create_app(seed_config).test_client()


def get_json(client: Any, path: str) -> dict[str, Any]:
    response = client.get(path, headers=JSON)
    assert response.status_code == 200, response.data[:300]
    return json.loads(response.data)


def sparql_links(store: Any, where: str = "") -> Counter[tuple[str, str, str]]:
    """(claimant, about, act) -> claims, as the network should count them."""
    found = rows(
        store,
        "SELECT DISTINCT ?c ?w ?a ?t WHERE { ?c a schema:Claim ; gc:claimant ?w ; gc:about ?a ."
        f" ?c a ?t FILTER(STRSTARTS(STR(?t), STR(gc:)) && ?t != gc:Claim) {where} }}",
    )
    return Counter(
        (r["w"].value[len(B) :], r["a"].value[len(B) :], r["t"].value[len(GC) :]) for r in found
    )


def test_the_network_counts_claims_per_claimant_entity_and_act(client: Any, store: Any) -> None:
    net = get_json(client, "/network")
    drawn = Counter({(e["source"], e["target"], e["act"]): e["claims"] for e in net["edges"]})
    assert drawn == sparql_links(store)
    assert net["links"] == net["shown"] == len(drawn)
    keys = {n["key"] for n in net["nodes"]}
    assert keys == {e["source"] for e in net["edges"]} | {e["target"] for e in net["edges"]}
    lukashenko = next(n for n in net["nodes"] if n["key"] == "entity/alexander-lukashenko")
    assert lukashenko == {
        "key": "entity/alexander-lukashenko",
        "label": "Alexander Lukashenko",
        "iri": B + "entity/alexander-lukashenko",
    }


def test_one_entitys_network_and_the_tables_filters(client: Any, store: Any) -> None:
    nato = get_json(client, "/network?involving=entity/nato")
    assert nato["edges"] and all("entity/nato" in (e["source"], e["target"]) for e in nato["edges"])
    expected = Counter(
        {k: n for k, n in sparql_links(store).items() if "entity/nato" in (k[0], k[1])}
    )
    assert Counter({(e["source"], e["target"], e["act"]): e["claims"] for e in nato["edges"]}) == (
        expected
    )
    denials = get_json(client, "/network?act=Denial")
    assert {e["act"] for e in denials["edges"]} == {"Denial"}
    assert sum(e["claims"] for e in denials["edges"]) == sum(
        n for k, n in sparql_links(store, "?c a gc:Denial").items()
    )


def test_the_network_page_is_a_table_with_typed_coloured_links(client: Any) -> None:
    body = client.get("/network", headers=HTML).get_data(as_text=True)
    doc = parse(body)
    table = doc.find("table", id="network-data")
    trs = table.find("tbody").find_all("tr")
    assert len(trs) == get_json(client, "/network")["shown"]
    kinds = {tr.attrs["data-act"]: tr.attrs["data-kind"] for tr in trs}
    assert kinds["Accusation"] == "accusation" and kinds["Denial"] == "denial"
    assert kinds["Offer"] == "offer" and kinds["Statement"] == "other"
    legend = [li.text for li in doc.find("ul", "acts").find_all("li")]
    assert {"accusation", "denial", "offer"} <= set(legend)
    # Each link's count opens the claims table on those claims.
    accusation = next(tr for tr in trs if tr.attrs["data-act"] == "Accusation")
    href = accusation.find("td", "num").find("a").attrs["href"]
    assert href.startswith("/claims?") and "act=Accusation" in href
    claims = get_json(client, href)
    assert claims["total"] == int(accusation.attrs["data-claims"])
    # The picture is drawn from the vendored D3 and our script, nothing else.
    scripts = [s.attrs["src"] for s in doc.find_all("script")]
    assert scripts == ["/assets/site.js", "/assets/vendor/d3/d3.min.js", "/assets/pictures.js"]
    for src in scripts:
        response = client.get(src)
        assert response.status_code == 200
        response.close()


def test_a_timeline_lists_the_claims_by_and_about_an_entity_by_date(
    client: Any, store: Any
) -> None:
    line = get_json(client, "/timeline?entity=entity/nato")
    by = {
        r["c"].value for r in rows(store, f"SELECT ?c WHERE {{ ?c gc:claimant <{B}entity/nato> }}")
    }
    about = {
        r["c"].value for r in rows(store, f"SELECT ?c WHERE {{ ?c gc:about <{B}entity/nato> }}")
    }
    assert {m["claim"] for m in line["claims"]} == by | about
    assert {m["claim"] for m in line["claims"] if m["role"] == "by"} == by
    dates = [m["date"] for m in line["claims"]]
    assert dates == sorted(dates) and all(re.fullmatch(r"\d{4}-\d\d-\d\d", d) for d in dates)
    doc = parse(client.get("/timeline?entity=entity/nato", headers=HTML).get_data(as_text=True))
    trs = doc.find("table", id="timeline-data").find("tbody").find_all("tr")
    assert [tr.attrs["data-date"] for tr in trs] == dates
    assert all(tr.attrs["data-href"].startswith("/claim/") for tr in trs)


def test_the_timeline_without_an_entity_offers_some(client: Any) -> None:
    doc = parse(client.get("/timeline", headers=HTML).get_data(as_text=True))
    links = [a.attrs["href"] for a in doc.find("ul", "timeline-choices").find_all("a")]
    assert links[0].startswith("/timeline?entity=entity/")
    assert client.get(links[0], headers=HTML).status_code == 200
    assert client.get("/timeline", headers=JSON).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/timeline?entity=entity/nobody",
        "/timeline?entity=%3Cscript%3Ealert(1)%3C/script%3E",
        "/network?involving=%22%3E%3Cimg%20src=x%3E",
    ],
)
def test_unknown_entities_are_404_and_stay_text(client: Any, path: str) -> None:
    response = client.get(path, headers=HTML)
    assert response.status_code == 404
    doc = parse(response.get_data(as_text=True))
    assert not doc.find_all("img")
    assert not [s for s in doc.find_all("script") if "src" not in s.attrs]
    assert client.get(path, headers=JSON).status_code == 404


def test_overlong_parameters_are_400(client: Any) -> None:
    assert client.get("/timeline?entity=" + "e" * 400, headers=JSON).status_code == 400
    assert client.get("/network?involving=" + "e" * 400, headers=JSON).status_code == 400
    assert client.get("/network?claimant=" + "e" * 400, headers=JSON).status_code == 400


def test_d3_is_vendored_with_its_licence_and_version() -> None:
    version = (D3 / "VERSION").read_text().strip()
    readme = (D3 / "README.md").read_text()
    bundle = (D3 / "d3.min.js").read_bytes()
    assert bundle.startswith(f"// https://d3js.org v{version} ".encode())
    assert f"**{version}**" in readme
    assert hashlib.sha256(bundle).hexdigest() in readme
    assert "ISC" in readme and "Permission to use, copy, modify" in (D3 / "LICENSE").read_text()
    # Nothing in it loads from elsewhere at run time.
    assert not re.search(rb"https?://(?!d3js\.org|www\.w3\.org)", bundle)


EVENTS = """
@prefix gc: <https://w3id.org/geoclaims/ontology/> .
@prefix schema: <http://schema.org/> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{B}graph/events/test> {{
  <{B}events/test/event/1> a gc:CodedEvent ; schema:startDate "2020-08-20"^^xsd:date ;
      sem:eventType gc:cameo\\/190 ; gc:sourceActor <{B}events/test/event/1/actor1> .
  <{B}events/test/event/1/actor1> rdf:value <{B}entity/belarus> .
  <{B}events/test/event/2> a gc:CodedEvent ; schema:startDate "2020-08-10"^^xsd:date ;
      gc:targetActor <{B}events/test/event/2/actor2> .
  <{B}events/test/event/2/actor2> gc:actorCountry <{B}entity/russia> .
  gc:cameo\\/190 skos:prefLabel "Use conventional military force"@en .
}}
"""


def test_coded_events_join_the_timeline_of_their_actors() -> None:
    import pagedata
    import pyoxigraph as ox

    config = Config.load({"data_dir": ":memory:"}, environ={})
    store = pagedata.load(config)
    store.bulk_load(ox.parse(EVENTS.format(B=B).encode(), ox.RdfFormat.TRIG))
    client = create_app(config, store=store).test_client()
    line = get_json(client, "/timeline?entity=entity/belarus")
    events = [m for m in line["claims"] if m["role"] == "event"]
    assert [(m["claim"], m["date"], m["act"]) for m in events] == [
        (B + "events/test/event/1", "2020-08-20", "190")
    ]
    assert [m["date"] for m in line["claims"]] == sorted(m["date"] for m in line["claims"])
    russia = get_json(client, "/timeline?entity=entity/russia")
    assert [m["claim"] for m in russia["claims"] if m["role"] == "event"] == [
        B + "events/test/event/2"
    ]
    doc = parse(client.get("/timeline?entity=entity/belarus", headers=HTML).get_data(as_text=True))
    row = doc.find("tr", data_role="event")
    assert "event: Use conventional military force" in row.text
    assert row.attrs["data-kind"] == "event"
