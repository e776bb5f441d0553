"""The result cache (kg.cache): reuse, freshness after writes, ETag / 304, bounds, off switch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from kg.cache import ENTRY_SHARE, Entry, ResultCache
from kg.config import Config
from kg.formats import RESULTS
from kg.store import EmbeddedStore
from kg.web import create_app

TOKEN = "cache-test-token"
EX = "http://example.org/"
LABELS = f"SELECT ?s ?o WHERE {{ ?s <{EX}label> ?o }} ORDER BY ?s"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = "application/sparql-results+json"


def _app(tmp_path: Path | None = None, **settings: object) -> Flask:
    data_dir = ":memory:" if tmp_path is None else str(tmp_path / "store")
    config = Config.load({"data_dir": data_dir, "token": TOKEN, **settings}, environ={})
    return create_app(config)


def _insert(client: FlaskClient, n: int, start: int = 0) -> None:
    triples = " ".join(f'<{EX}s{i}> <{EX}label> "label {i}" .' for i in range(start, start + n))
    update = f"INSERT DATA {{ GRAPH <{EX}g> {{ {triples} }} }}"
    response = client.post("/sparql", data={"update": update}, headers=AUTH)
    assert response.status_code == 204, response.text


def _labels(body: bytes) -> list[str]:
    rows = json.loads(body)["results"]["bindings"]
    return [row["o"]["value"] for row in rows]


def _hits(app: Flask) -> int:
    cache = app.extensions.get("kg_cache")
    return 0 if cache is None else cache.hits


@pytest.fixture()
def client() -> Iterator[FlaskClient]:
    app = _app()
    with app.test_client() as c:
        _insert(c, 3)
        yield c


def test_hit_serves_identical_bytes(client: FlaskClient) -> None:
    first = client.get("/sparql", query_string={"query": LABELS}, headers={"Accept": JSON})
    second = client.get("/sparql", query_string={"query": LABELS}, headers={"Accept": JSON})
    assert first.status_code == second.status_code == 200
    assert _labels(first.data) == ["label 0", "label 1", "label 2"]
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.content_type == first.content_type
    assert _hits(client.application) == 1


def test_formats_are_kept_apart(client: FlaskClient) -> None:
    as_json = client.get("/sparql", query_string={"query": LABELS}, headers={"Accept": JSON})
    xml = "application/sparql-results+xml"
    as_xml = client.get("/sparql", query_string={"query": LABELS}, headers={"Accept": xml})
    assert as_json.mimetype == JSON and as_xml.mimetype == xml
    assert as_json.headers["ETag"] != as_xml.headers["ETag"]
    rows = ox.parse_query_results(as_xml.data, ox.QueryResultsFormat.XML)
    assert sorted(str(s["o"].value) for s in rows) == _labels(as_json.data)


def test_write_changes_version_and_answer(client: FlaskClient) -> None:
    before = client.post("/sparql", data={"query": LABELS}, headers={"Accept": JSON})
    again = client.post("/sparql", data={"query": LABELS}, headers={"Accept": JSON})
    assert again.data == before.data
    _insert(client, 1, start=3)
    after = client.post("/sparql", data={"query": LABELS}, headers={"Accept": JSON})
    assert _labels(after.data) == ["label 0", "label 1", "label 2", "label 3"]
    assert after.headers["ETag"] != before.headers["ETag"]


def test_if_none_match_gives_304_until_a_write(client: FlaskClient) -> None:
    first = client.get("/sparql", query_string={"query": LABELS})
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get("/sparql", query_string={"query": LABELS}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    _insert(client, 1, start=3)
    fresh = client.get("/sparql", query_string={"query": LABELS}, headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert "label 3" in _labels(fresh.data)
    assert fresh.headers["ETag"] != etag


def test_headers_vary_and_cache_control(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": LABELS})
    vary = {v.strip() for v in response.headers["Vary"].split(",")}
    assert {"Accept", "Accept-Encoding"} <= vary
    assert response.headers["Cache-Control"] == "no-cache"
    app = _app(cache_max_age=60)
    with app.test_client() as c:
        response = c.get("/sparql", query_string={"query": "ASK {}"})
        directives = {d.strip() for d in response.headers["Cache-Control"].split(",")}
        assert "max-age=60" in directives


def test_gzip_and_identity_have_different_etags(client: FlaskClient) -> None:
    _insert(client, 200, start=3)  # large enough to be compressed
    plain = client.get("/sparql", query_string={"query": LABELS})
    gz = client.get("/sparql", query_string={"query": LABELS}, headers={"Accept-Encoding": "gzip"})
    assert gz.headers.get("Content-Encoding") == "gzip"
    assert plain.headers.get("Content-Encoding") is None
    assert gz.headers["ETag"] != plain.headers["ETag"]


def test_cache_off_still_fresh_and_keeps_nothing() -> None:
    app = _app(cache_size=0)
    with app.test_client() as c:
        _insert(c, 2)
        first = c.get("/sparql", query_string={"query": LABELS})
        second = c.get("/sparql", query_string={"query": LABELS})
        assert second.data == first.data
        assert "ETag" in first.headers
        cache = app.extensions.get("kg_cache")
        assert cache is None or (len(cache) == 0 and cache.hits == 0)
        _insert(c, 1, start=2)
        assert _labels(c.get("/sparql", query_string={"query": LABELS}).data)[-1] == "label 2"


def test_entry_count_bound() -> None:
    app = _app(cache_size=3)
    with app.test_client() as c:
        _insert(c, 2)
        for n in range(6):
            query = f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {n + 1}"
            assert c.get("/sparql", query_string={"query": query}).status_code == 200
        assert len(app.extensions["kg_cache"]) == 3


def test_lru_and_byte_bounds() -> None:
    fmt = RESULTS[0]
    cache = ResultCache(max_entries=10, max_bytes=16 * 100)
    assert cache.entry_limit == 100 and ENTRY_SHARE == 16
    assert not cache.put("big", Entry(fmt, b"x" * 101))  # over one entry's share
    for n in range(20):
        assert cache.put(f"k{n}", Entry(fmt, b"y" * 100))
        assert cache.size_bytes <= 1600 and len(cache) <= 10
    assert cache.get("k0") is None  # evicted, least recently used first
    assert cache.get("k19") is not None
    cache.get("k10")  # now the most recently used: it survives the next insert
    cache.put("k20", Entry(fmt, b"z" * 100))
    assert cache.get("k10") is not None and cache.get("k11") is None


def test_streamed_answer_on_disk_is_cached_and_large_one_streams(tmp_path: Path) -> None:
    """Through executor processes: a streamed answer under the limit is kept, a bigger one not."""
    data_dir = tmp_path / "store"
    store = EmbeddedStore(data_dir)
    store.bulk_load(
        ox.Quad(
            ox.NamedNode(f"{EX}s{i}"),
            ox.NamedNode(f"{EX}label"),
            ox.Literal(f"label {i}"),
            ox.NamedNode(f"{EX}g"),
        )
        for i in range(5000)
    )
    store.close()
    del store
    app = _app(tmp_path, cache_bytes=16 * 1024 * 1024)  # entries up to 1 MiB
    try:
        with app.test_client() as c:
            query = LABELS  # ~5000 rows of JSON: more than one 64 KiB message, streamed
            first = c.get("/sparql", query_string={"query": query})
            assert first.is_streamed or len(first.data) > 64 * 1024
            body = first.get_data()
            second = c.get("/sparql", query_string={"query": query})
            assert second.get_data() == body and len(_labels(body)) == 5000
            assert app.extensions["kg_cache"].hits == 1
            small = _app(tmp_path, cache_bytes=16 * 1024)  # entries up to 1 KiB
            try:
                with small.test_client() as s:
                    got = s.get("/sparql", query_string={"query": query}).get_data()
                    assert got == body
                    assert len(small.extensions["kg_cache"]) == 0
            finally:
                small.extensions["kg"].executor.close()
    finally:
        app.extensions["kg"].executor.close()


def test_on_disk_write_is_seen_at_once(tmp_path: Path) -> None:
    """On disk (executor processes, version file): each write makes the next answer fresh."""
    app = _app(tmp_path)
    try:
        with app.test_client() as c:
            seen = []
            for n in range(4):  # back-to-back writes: the version check must see every one
                _insert(c, 1, start=n)
                for _ in range(2):
                    body = c.get("/sparql", query_string={"query": LABELS}).get_data()
                    seen.append(_labels(body))
            assert seen == [[f"label {i}" for i in range(n + 1)] for n in range(4) for _ in "ab"]
            assert app.extensions["kg_cache"].hits == 4
    finally:
        app.extensions["kg"].executor.close()


def _headers(response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k != "Date"}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_cache_hit_repeats_status_headers_and_bytes(client: FlaskClient, method: str) -> None:
    query = LABELS.replace("?o }", '?o FILTER(?o != "é") }')  # non-ASCII: same key both ways
    accept = {"Accept": JSON}
    if method == "GET":
        send = lambda: client.get("/sparql", query_string={"query": query}, headers=accept)  # noqa: E731
    else:
        send = lambda: client.post("/query", data={"query": query}, headers=accept)  # noqa: E731
    first, second, third = send(), send(), send()
    assert first.status_code == second.status_code == third.status_code == 200
    assert second.data == third.data == first.data
    assert _headers(second) == _headers(third) == _headers(first)
    assert int(second.headers["Content-Length"]) == len(second.data)
    assert _hits(client.application) == 2
    _insert(client, 1, start=3)
    assert _labels(send().data)[-1] == "label 3"


def test_cors_and_conditional_requests_beside_the_cache(client: FlaskClient) -> None:
    params = {"query": LABELS}
    first = client.get("/sparql", query_string=params)
    client.get("/sparql", query_string=params)  # now cached
    cors = client.get("/sparql", query_string=params, headers={"Origin": "http://x.example"})
    assert cors.headers["Access-Control-Allow-Origin"] == "*"
    assert cors.data == first.data
    etag = first.headers["ETag"]
    assert (
        client.get("/sparql", query_string=params, headers={"If-None-Match": etag}).status_code
        == 304
    )
    both = client.post("/sparql", data={"query": LABELS, "update": "CLEAR ALL"}, headers=AUTH)
    assert both.status_code == 400  # two operations: never answered from the cache
