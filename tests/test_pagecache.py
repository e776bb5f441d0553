"""Pages kept per store version (kg.web.pagecache): served again until a write, never stale."""

from __future__ import annotations

from typing import Any

import pagedata
import pytest

from kg.config import Config
from kg.web import create_app

HTML = {"Accept": "text/html"}
B = "https://w3id.org/geoclaims/"
TOKEN = "t0ken"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


@pytest.fixture()
def app() -> Any:
    config = Config.load({"data_dir": ":memory:", "token": TOKEN}, environ={})
    return create_app(config, store=pagedata.load(config))


def update(client: Any, sparql: str) -> None:
    response = client.post(
        "/update", data={"update": sparql}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code in (200, 204), response.data[:300]


def test_a_page_is_made_once_per_store_version(app: Any) -> None:
    client = app.test_client()
    cache = app.extensions["kg.pages"]
    first = client.get("/entity/belarus", headers=HTML)
    assert first.status_code == 200 and len(cache.entries) == 1
    again = client.get("/entity/belarus", headers=HTML)
    assert again.data == first.data
    # Served from the cache with the same headers, the security ones included.
    for name in ("Content-Type", "Content-Security-Policy", "Link", "Vary"):
        assert again.headers.get_all(name) == first.headers.get_all(name), name
    # Another format of the same page is another entry.
    turtle = client.get("/entity/belarus", headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle" and len(cache.entries) == 2


def test_a_write_shows_at_once(app: Any) -> None:
    client = app.test_client()
    assert "Belarus" in client.get("/entity/belarus", headers=HTML).get_data(as_text=True)
    update(
        client,
        f"DELETE {{ GRAPH ?g {{ <{B}entity/belarus> {LABEL} ?l }} }} INSERT {{ GRAPH ?g"
        f' {{ <{B}entity/belarus> {LABEL} "Republic of Belarus"@en }} }} WHERE {{ GRAPH ?g'
        f" {{ <{B}entity/belarus> {LABEL} ?l }} }}",
    )
    page = client.get("/entity/belarus", headers=HTML).get_data(as_text=True)
    assert "Republic of Belarus" in page


def test_errors_and_finding_pages_are_not_kept(app: Any) -> None:
    client = app.test_client()
    cache = app.extensions["kg.pages"]
    assert client.get("/entity/nobody", headers=HTML).status_code == 404
    assert client.get("/claims", headers=HTML).status_code == 200
    assert client.get("/search?q=putin", headers=HTML).status_code == 200
    assert len(cache.entries) == 0


def test_the_cache_can_be_switched_off() -> None:
    config = Config.load({"data_dir": ":memory:", "page_cache_bytes": 0}, environ={})
    app = create_app(config, store=pagedata.load(config))
    assert app.test_client().get("/entity/belarus", headers=HTML).status_code == 200
    assert "kg.pages" not in app.extensions
