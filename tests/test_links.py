"""Rules of kg check are pages: their IRIs map to local URLs; a page shows label and comment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from htmldoc import parse

from kg.browse.terms import PREFIX_LINES
from kg.config import Config
from kg.store import EmbeddedStore
from kg.web import create_app
from kg.web.links import Site

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def rules(seed_config: Config) -> dict[str, tuple[str, str]]:
    """Every rule a stored review is based on: IRI -> (label, comment), read directly."""
    store = EmbeddedStore(Path(seed_config.data_dir), read_only=True)
    try:
        found = store.query(
            PREFIX_LINES + "SELECT DISTINCT ?r ?l ?c WHERE { ?review schema:isBasedOn ?r ."
            " ?r rdfs:label ?l ; rdfs:comment ?c }",
            union=True,
        )
        return {row["r"].value: (row["l"].value, row["c"].value) for row in found}
    finally:
        store.close()


@pytest.fixture(scope="module")
def client(seed_config: Config) -> Iterator[Any]:
    yield create_app(seed_config).test_client()


def test_rule_iris_are_local(seed_config: Config) -> None:
    site = Site(seed_config.base_iri, "/geo")
    iri = seed_config.base_iri + "rule/no-fact"
    assert site.local_path(iri) == "/rule/no-fact"
    assert site.href(iri) == "/geo/rule/no-fact"
    assert site.iri_for_path("/rule/no-fact") == iri


def test_every_rule_is_a_page(
    client: Any, rules: dict[str, tuple[str, str]], seed_config: Config
) -> None:
    assert rules, "the seed store's reviews name their rules"
    site = Site(seed_config.base_iri, "")
    for iri, (label, comment) in rules.items():
        response = client.get(site.local_path(iri), headers=HTML)
        assert response.status_code == 200, iri
        doc = parse(response.get_data(as_text=True))
        assert doc.find("h1").text == label
        assert comment in doc.text
    assert client.get("/rule/no-such-rule", headers=HTML).status_code == 404


def test_claim_page_links_its_rules(client: Any, rules: dict[str, tuple[str, str]]) -> None:
    doc = parse(
        client.get("/claim/belarus-protests-2020/c-tenure-20-years", headers=HTML).get_data(
            as_text=True
        )
    )
    links = doc.find("p", cls="rules").find_all("a")
    assert links
    for a in links:
        assert a.attrs["href"].startswith("/rule/")
        assert any(iri.endswith(a.attrs["href"]) for iri in rules)
