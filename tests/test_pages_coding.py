"""The pages' parts of issue 14: an entity's identifiers (linking to each dataset's own page),
a claim's CAMEO/PLOVER coding (kg/browse/identifiers.py and coding.py, their two partials)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from htmldoc import Element, parse

from kg.config import Config
from kg.store import open_store
from kg.web import create_app

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client(seed_config: Config) -> Iterator[Any]:
    store = open_store(seed_config, read_only=True)
    yield create_app(seed_config, store=store).test_client()
    store.close()


def page(client: Any, path: str) -> Element:
    response = client.get(path, headers=HTML)
    assert response.status_code == 200, response.data[:300]
    return parse(response.get_data(as_text=True))


def _table(doc: Element, section: str) -> list[list[Element]]:
    (found,) = doc.find_all("section", id=section)
    (body,) = found.find_all("tbody")
    return [[c for c in row.iter() if c.tag in ("th", "td")] for row in body.find_all("tr")]


def test_an_entity_page_lists_its_identifiers_with_links(client: Any) -> None:
    doc = page(client, "/entity/belarus")
    rows = {r[0].text.strip(): r for r in _table(doc, "identifiers")}
    assert {k: r[1].text.strip() for k, r in rows.items()} == {
        "CAMEO actor code": "BLR",
        "Correlates of War country code": "370",
        "Correlates of War state abbreviation": "BLR",
        "FIPS 10-4 code": "BO",
        "GeoNames id": "630336",
        "Gleditsch-Ward state number": "370",
        "ISO 3166-1 alpha-2 code": "BY",
        "ISO 3166-1 alpha-3 code": "BLR",
        "ISO 3166-1 numeric code": "112",
    }

    assert all(len(r) == 2 for r in rows.values())  # no validity column: none has dates

    def link(name: str) -> str | None:
        anchors = rows[name][1].find_all("a")
        return anchors[0].attrs["href"] if anchors else None

    # Each code links to the dataset's own page where it has one per code.
    assert link("GeoNames id") == "https://www.geonames.org/630336"
    assert link("ISO 3166-1 alpha-2 code") == "https://www.iso.org/obp/ui/#iso:code:3166:BY"
    assert link("Correlates of War country code") is None
    dataset = rows["Correlates of War country code"][0].find_all("a")[0]
    assert dataset.attrs["href"] == "https://correlatesofwar.org/data-sets/state-system-membership/"
    assert {"external"} <= dataset.classes and dataset.attrs["rel"] == "nofollow"


def test_a_historic_state_shows_when_its_codes_were_withdrawn(client: Any) -> None:
    rows = _table(page(client, "/entity/byelorussian-ssr"), "identifiers")
    found = {(r[1].text.strip(), r[2].text.strip()) for r in rows}
    assert found == {("BY", "– 1992-06-15"), ("BYS", "– 1992-06-15"), ("112", "– 1992-06-15")}


def test_an_entity_without_identifiers_has_no_table(client: Any) -> None:
    assert page(client, "/entity/oana-lungescu").find_all("section", id="identifiers") == []


def _coding(client: Any, cid: str) -> list[list[str]]:
    doc = page(client, f"/claim/belarus-protests-2020/{cid}")
    return [[" ".join(c.text.split()) for c in row] for row in _table(doc, "event-coding")]


def test_a_claim_page_shows_its_event_coding(client: Any) -> None:
    assert _coding(client, "c-nato-denial") == [
        [
            "NATO NAT",
            "154 Mobilize or increase armed forces (event)",
            "Belarus BLR",
            "-7.2",
            "MOBILIZE negation",
            "2020-08-17",
        ]
    ]
    assert _coding(client, "c-bullet-plot-quote") == [
        [
            "Alexander Lukashenko BLRGOV",
            "112 Accuse, not specified below (speech act)",
            "NATO NAT",
            "-2",
            "ACCUSE allege",
            "2020-08-17",
        ]
    ]


def test_the_coding_links_to_the_concept_pages(client: Any) -> None:
    doc = page(client, "/claim/belarus-protests-2020/c-phone-calls")
    (section,) = doc.find_all("section", id="event-coding")
    hrefs = {a.attrs["href"] for a in section.find_all("a")}
    assert {"/ontology/cameo/041", "/ontology/plover/CONSULT", "/queries/cameo-events"} <= hrefs
    concept = page(client, "/ontology/cameo/041")
    assert "Discuss by telephone" in concept.text


def test_an_identifier_node_is_a_page(client: Any) -> None:
    doc = page(client, "/identifier/byelorussian-ssr/P298")
    text = " ".join(doc.text.split())
    assert "BYS" in text and "1992-06-15" in text
