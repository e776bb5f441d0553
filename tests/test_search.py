"""Search (kg.search, /search): the FTS5 index kept in step with the store, ranking, JSON and
HTML results, the box on every page, and hostile input (never a 500, never injected markup)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pagedata
import pytest
from htmldoc import parse

from kg import search
from kg.config import Config
from kg.store import read_version
from kg.web import create_app

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON = {"Accept": "application/json"}
B = "https://w3id.org/geoclaims/"
TOKEN = "t0ken"
STATE = "<https://w3id.org/geoclaims/ontology/State>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
ENTITIES = f"<{B}graph/entities>"


def new_state(name: str, label: str) -> str:
    """An update adding a state to the entity graph."""
    return (
        f"INSERT DATA {{ GRAPH {ENTITIES} {{ {ENTITIES} a"
        " <https://w3id.org/geoclaims/ontology/EntityGraph> ."
        f' <{B}entity/{name}> a {STATE} ; {LABEL} "{label}"@en }} }}'
    )


@pytest.fixture(scope="module")
def config() -> Config:
    return Config.load({"data_dir": ":memory:", "token": TOKEN}, environ={})


@pytest.fixture(scope="module")
def client(config: Config) -> Any:
    return create_app(config, store=pagedata.load(config)).test_client()


def found(client: Any, q: str, **params: str) -> dict[str, Any]:
    response = client.get("/search", query_string={"q": q, **params}, headers=JSON)
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/json"
    return json.loads(response.data)


def iris(result: dict[str, Any]) -> list[str]:
    return [r["iri"] for r in result["results"]]


def test_an_entity_name_finds_the_entity_first_then_its_claims(client: Any) -> None:
    result = found(client, "putin")
    assert result["results"][0] == {
        "kind": "entity",
        "iri": B + "entity/vladimir-putin",
        "url": "http://localhost/entity/vladimir-putin",
        "name": "Vladimir Putin",
        "detail": "Leader",
        "snippet": "Vladimir Putin",
    }
    # Putin's claim ("We are ready to help") is found through its claimant.
    assert B + "claim/a1/c2" in iris(result)
    assert result["counts"] == {"entity": 1, "claim": 1}
    assert result["total"] == 2


def test_words_of_a_quote_a_headline_and_a_prefix(client: Any) -> None:
    assert iris(found(client, "ready to help")) == [B + "claim/a1/c2"]
    headline = found(client, "Belarus and Russia", kind="article")
    assert iris(headline) == [B + "article/a1"]
    assert found(client, "vlad")["results"][0]["iri"] == B + "entity/vladimir-putin"
    # Case and accents do not matter.
    assert iris(found(client, "BÉLARUS", kind="entity")) == [B + "entity/belarus"]


def test_aliases_are_searched(client: Any) -> None:
    # The hostile entity's alias is '"><img src=x onerror=alert(2)>'.
    assert iris(found(client, "onerror", kind="entity")) == [B + "entity/o'brien"]


def test_no_result_with_every_word_falls_back_to_any(client: Any) -> None:
    result = found(client, "putin zzzunknown")
    assert result["every_word"] is False
    assert B + "entity/vladimir-putin" in iris(result)
    assert found(client, "putin")["every_word"] is True


def test_html_results_mark_the_words_and_escape_the_data(client: Any) -> None:
    response = client.get("/search?q=onerror", headers=HTML)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    doc = parse(body)
    results = doc.find("ol", "results").find_all("li", "result")
    assert [r.find("a").attrs["href"] for r in results] == ["/entity/o'brien"]
    assert results[0].find("mark").text == "onerror"
    # The label and alias are text, never markup.
    assert not doc.find_all("img") and "<script>alert(1)" not in body
    assert pagedata.XSS_LABEL in results[0].text


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"unterminated',
        "<script>alert(1)</script>",
        "SELECT * WHERE { ?s ?p ?o }",
        "'; DROP TABLE docs; --",
        "name:putin OR kind:entity",
        "NEAR(putin belarus, 2)",
        "putin*",
        "*",
        "^putin",
        "AND",
        "-",
        "\x00",
        "x" * 150,
    ],
)
def test_hostile_searches_are_words_or_a_clear_400(client: Any, q: str) -> None:
    for headers in (JSON, HTML):
        response = client.get("/search", query_string={"q": q}, headers=headers)
        assert response.status_code == 200, (q, response.data[:300])
        if headers is HTML:
            doc = parse(response.get_data(as_text=True))
            assert not doc.find_all("img") and not [
                s for s in doc.find_all("script") if "src" not in s.attrs
            ]
            assert doc.find("input", id="search-q").attrs["value"] == q
    # FTS5 sees words only: operators are searched as the words they are.
    assert found(client, "putin*")["results"][0]["iri"] == B + "entity/vladimir-putin"
    # The index is intact after all of it.
    assert found(client, "putin")["total"] == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 201}, "at most 200 characters"),
        ({"q": " ".join(["w"] * 13)}, "at most 12 words"),
        ({"q": "putin", "kind": "<b>"}, "kind must be one of"),
        ({"q": "putin", "page": "0"}, "page must be a page number"),
        ({"q": "putin", "page": "1 OR 1=1"}, "page must be a page number"),
    ],
)
def test_unreasonable_parameters_are_400(client: Any, params: dict[str, str], message: str) -> None:
    response = client.get("/search", query_string=params, headers=JSON)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    page = client.get("/search", query_string=params, headers=HTML)
    assert page.status_code == 400 and "<b>" not in page.get_data(as_text=True)


def test_a_page_past_the_last_is_404(client: Any) -> None:
    assert client.get("/search?q=putin&page=2", headers=JSON).status_code == 404
    assert client.get("/search?q=putin&page=1", headers=JSON).status_code == 200


def test_format_by_parameter_and_by_accept(client: Any) -> None:
    assert client.get("/search?q=putin&format=json", headers=HTML).mimetype == "application/json"
    assert client.get("/search?q=putin", headers=HTML).mimetype == "text/html"
    assert client.get("/search?q=putin", headers={"Accept": "*/*"}).mimetype == "application/json"
    assert client.get("/search?q=putin&format=xml").status_code == 406
    assert client.get("/search?q=putin", headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.parametrize("path", ["/", "/entity/belarus", "/claims", "/queries", "/search?q=x"])
def test_every_page_has_the_search_box(client: Any, path: str) -> None:
    doc = parse(client.get(path, headers=HTML).get_data(as_text=True))
    form = doc.find("header").find("form", role="search")
    assert form.attrs["action"] == "/search"
    box = form.find("input", name="q")
    assert doc.find("label", **{"for": box.attrs["id"]})


def update(client: Any, sparql: str) -> None:
    response = client.post(
        "/update", data={"update": sparql}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code in (200, 204), response.data[:300]


def test_writes_through_the_site_are_searchable_at_once(client: Any) -> None:
    assert found(client, "zanzibar")["total"] == 0
    update(client, new_state("zanzibar", "Zanzibar"))
    assert iris(found(client, "zanzibar")) == [B + "entity/zanzibar"]
    # A Graph Store write too: the entity graph replaced without it.
    nt = {"Accept": "application/n-triples"}
    graph = client.get(f"/store?graph={B}graph/entities", headers=nt)
    kept = b"\n".join(line for line in graph.data.splitlines() if b"zanzibar" not in line)
    response = client.put(
        f"/store?graph={B}graph/entities",
        data=kept,
        headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code in (200, 201, 204), response.data[:300]
    assert found(client, "zanzibar")["total"] == 0
    assert found(client, "putin")["total"] == 2


def test_kg_build_leaves_an_index_of_the_version_it_wrote(seed_config: Config) -> None:
    path = search.index_path(seed_config)
    assert path == str(Path(seed_config.data_dir) / search.INDEX_FILE)
    assert search.stored_version(path, seed_config.base_iri) == read_version(seed_config.data_dir)
    db = sqlite3.connect(path)
    (claims,) = db.execute("SELECT COUNT(*) FROM claims").fetchone()
    assert claims == 51
    hits = search.search(db, "Lukashenko NATO")
    assert hits.hits and all(h.kind == "claim" for h in hits.hits[:3])
    assert hits.hits[0].name.startswith(("Lukashenko", "NATO"))


def test_refresh_rebuilds_only_when_the_store_changed(tmp_path: Path) -> None:
    from kg.store import EmbeddedStore

    config = Config.load({"data_dir": str(tmp_path / "s")}, environ={})
    store = EmbeddedStore(tmp_path / "s")
    import pyoxigraph as ox

    store.bulk_load(ox.parse(pagedata.trig(B).encode(), ox.RdfFormat.TRIG))
    assert search.refresh(config, store) is not None
    assert search.refresh(config, store) is None  # current: nothing to do
    store.update(new_state("oz", "Oz"))
    stats = search.refresh(config, store)
    assert stats is not None and stats.entities == 5
    db = search.connect(search.index_path(config, store))
    assert [h.iri for h in search.search(db, "oz").hits] == [B + "entity/oz"]
    store.close()


@pytest.mark.remote
def test_a_remote_store_gets_an_index_on_the_front(
    oxigraph_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.store import open_store

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = Config.load({"store_url": oxigraph_server.query_url}, environ={})
    remote = open_store(config)
    remote.update(f"DROP SILENT GRAPH <{B}graph/entities>")
    remote.update(new_state("atlantis", "Atlantis"))
    path = search.index_path(config)
    assert path is not None and path.startswith(str(tmp_path / "cache" / "geoclaims"))
    assert search.refresh(config) is not None
    hits = search.search(search.connect(path), "atlantis")
    assert [h.iri for h in hits.hits] == [B + "entity/atlantis"]
    # The site over the remote store: its search, and a write through it searchable at once.
    client = create_app(config.with_(token=TOKEN)).test_client()
    assert iris(found(client, "atlantis")) == [B + "entity/atlantis"]
    update(client, new_state("lemuria", "Lemuria"))
    assert iris(found(client, "lemuria")) == [B + "entity/lemuria"]
    remote.update(f"DROP SILENT GRAPH <{B}graph/entities>")
    remote.close()


@pytest.mark.remote
def test_a_remote_index_is_rebuilt_by_pages_only_once_it_is_old(
    oxigraph_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A remote store's version is a clock period, so it differs from the index's a second
    after every build; a page must not start a full rebuild (a read of the whole store over
    HTTP) each time, only once the index is older than `search_refresh_seconds`."""
    import os
    import threading

    from kg.store import open_store

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = Config.load(
        {"store_url": oxigraph_server.query_url, "store_stale_seconds": 0}, environ={}
    )
    remote = open_store(config)
    remote.update(f"DROP SILENT GRAPH <{B}graph/entities>")
    remote.update(new_state("atlantis", "Atlantis"))
    path = search.index_path(config)
    assert path is not None and search.refresh(config) is not None
    built = os.stat(path).st_ino

    def rebuilt_by_a_page(config: Config) -> list[str]:
        search.open_index(config, remote)
        for thread in threading.enumerate():
            if thread.name == "kg-search-refresh":
                thread.join()
        db = search.connect(path)
        return [h.iri for h in search.search(db, "lemuria").hits]

    remote.update(new_state("lemuria", "Lemuria"))  # behind the site's back
    assert remote.version != search.stored_version(path, B)  # no reuse: always another period
    assert rebuilt_by_a_page(config) == []  # the index is recent: served as it is
    assert os.stat(path).st_ino == built
    old = config.with_(search_refresh_seconds=0)
    assert rebuilt_by_a_page(old) == [B + "entity/lemuria"]  # too old: rebuilt
    assert os.stat(path).st_ino != built
    remote.update(f"DROP SILENT GRAPH <{B}graph/entities>")
    remote.close()


def test_kg_serve_keeps_its_index_in_step_with_writes(write_server: Any) -> None:
    """`kg serve` (worker processes, the on-disk store): a write through one worker is found by
    the search of any."""
    import requests

    graph = f"{B}graph/entities-search-test"
    auth = {"Authorization": f"Bearer {write_server.config.token}"}
    insert = (
        f"INSERT DATA {{ GRAPH <{graph}> {{ <{graph}> a"
        " <https://w3id.org/geoclaims/ontology/EntityGraph> ."
        f' <{B}entity/hyperborea> a {STATE} ; {LABEL} "Hyperborea"@en }} }}'
    )

    def hits() -> list[str]:
        response = requests.get(
            write_server.base + "/search", params={"q": "hyperborea"}, headers=JSON, timeout=60
        )
        assert response.status_code == 200, response.text
        return [r["iri"] for r in response.json()["results"]]

    assert hits() == []
    done = requests.post(write_server.sparql, data={"update": insert}, headers=auth, timeout=60)
    assert done.status_code == 204, done.text
    for _ in range(4):  # every worker, whichever answers
        assert hits() == [B + "entity/hyperborea"]
    drop = requests.post(
        write_server.sparql, data={"update": f"DROP GRAPH <{graph}>"}, headers=auth, timeout=60
    )
    assert drop.status_code == 204
    assert hits() == []
