"""A remote store that misbehaves: down, slow, error pages, wrong types, answers cut short.

Each gives a clear error (StoreUnavailable 503, StoreTimeout 504, StoreError 502) through the
library and through `kg serve`, and no failed answer is ever cached: the same query asked again
once the store behaves gets the store's real answer. The real stores are Oxigraph servers started
here; the misbehaviour that a real store does not show on demand (garbage, truncation) comes from
a tiny HTTP server in this file that relays to a real Oxigraph server and spoils the answer.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
import requests
from conftest import run_kg_server, run_oxigraph, serving

from kg.errors import QueryError, StoreError, StoreTimeout, StoreUnavailable
from kg.remote import RemoteStore

pytestmark = pytest.mark.remote

EX = "http://example.org/"
DATA = "".join(f'<{EX}s{i}> <{EX}p> "{i}" <{EX}g> .\n' for i in range(200))
POINT = f"SELECT ?o WHERE {{ <{EX}s7> <{EX}p> ?o }}"
MANY = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }}"
JSON = "application/sparql-results+json"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Spoiler:
    """What the relay does to the next answers: a mode name (see `_Relay.do_POST`)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.mode = "relay"
        self.requests = 0


class _Relay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    spoiler: Spoiler

    def log_message(self, *args: Any) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        spoiler = self.spoiler
        spoiler.requests += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        mode = spoiler.mode
        if mode == "slow":
            time.sleep(8)
        if mode == "error-page":
            self._send(500, "text/html", b"<html><body><h1>Internal error</h1></body></html>")
            return
        if mode == "html-200":
            self._send(200, "text/html", b"<html><body>Maintenance</body></html>")
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("accept", "content-type")}
        upstream = requests.post(spoiler.upstream, data=body, headers=headers, timeout=30)
        content, kind = upstream.content, upstream.headers["Content-Type"]
        if mode == "wrong-type":  # the right bytes, labelled as something else
            self._send(200, "application/octet-stream", content)
        elif mode == "lying-type":  # labelled JSON, but it is not
            self._send(200, kind, b"this is not JSON at all\n" + content[:20])
        elif mode == "cut-length":  # declares the full length, sends half, closes
            self.send_response(upstream.status_code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content[: len(content) // 2])
            self.wfile.flush()
            self.close_connection = True
        elif mode == "cut-close":  # no length: the end of the connection ends the body, early
            self.send_response(upstream.status_code)
            self.send_header("Content-Type", kind)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(content[: len(content) // 2])
            self.wfile.flush()
            self.close_connection = True
        else:
            self._send(upstream.status_code, kind, content)

    def _send(self, status: int, kind: str, content: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real Oxigraph server holding 200 triples in one named graph."""
    with run_oxigraph(tmp_path_factory.mktemp("faults-oxigraph")) as server:
        store = RemoteStore(server.query_url)
        store.replace_graphs([], ox.parse(DATA, ox.RdfFormat.N_QUADS))
        store.close()
        yield server


@pytest.fixture()
def relay(upstream: Any) -> Iterator[tuple[str, Spoiler]]:
    """The spoiling relay in front of `upstream`, on a free port: (query URL, its switch)."""
    spoiler = Spoiler(upstream.query_url)
    with serving(type("Handler", (_Relay,), {"spoiler": spoiler})) as base:
        yield f"{base}/query", spoiler


def _values(body: bytes) -> list[str]:
    rows = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
    assert isinstance(rows, ox.QuerySolutions)
    return sorted(str(row["o"]) for row in rows)


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("error-page", StoreError),
        ("html-200", StoreError),
        ("lying-type", StoreError),
        ("cut-length", StoreError),
        ("cut-close", StoreError),
        ("slow", StoreTimeout),
    ],
)
def test_library_errors(relay: tuple[str, Spoiler], mode: str, error: type) -> None:
    url, spoiler = relay
    store = RemoteStore(url, timeout=3)
    spoiler.mode = mode
    with pytest.raises(error) as caught:
        rows = store.query(MANY)
        list(rows)  # errors in a streamed body surface while reading it
    assert "remote store" in caught.value.message
    spoiler.mode = "relay"
    assert len(list(store.query(MANY))) == 200  # the same client recovers at once
    store.close()


def test_wrong_type_with_good_bytes_is_rejected_not_guessed(relay: tuple[str, Spoiler]) -> None:
    url, spoiler = relay
    store = RemoteStore(url)
    spoiler.mode = "wrong-type"
    with pytest.raises(StoreError, match="unexpected format"):
        store.query(POINT)
    store.close()


def test_store_down_is_unavailable(start_oxigraph: Any) -> None:
    with start_oxigraph() as server:
        store = RemoteStore(server.query_url, timeout=5)
        assert bool(store.query("ASK {}"))  # a keep-alive connection is open now
    with pytest.raises(StoreUnavailable):  # the server is gone: its port refuses connections
        store.query("ASK {}")
    assert StoreUnavailable.http_status == 503
    store.close()


def _get(server: Any, query: str, accept: str = JSON) -> requests.Response:
    return requests.get(
        server.sparql, params={"query": query}, headers={"Accept": accept}, timeout=30
    )


@pytest.fixture(scope="module")
def fronted(tmp_path_factory: pytest.TempPathFactory, upstream: Any) -> Iterator[Any]:
    """A relay and `kg serve` in front of it (3 s timeout, an hour of cache reuse)."""
    spoiler = Spoiler(upstream.query_url)
    with serving(type("Handler", (_Relay,), {"spoiler": spoiler})) as base:
        settings = {
            "store_url": f"{base}/query",
            "query_timeout": 3,
            "store_stale_seconds": 3600,
            "workers": 1,
        }
        with run_kg_server(tmp_path_factory.mktemp("faults") / "unused", **settings) as server:
            yield server, spoiler


@pytest.mark.parametrize(
    ("mode", "status"),
    [
        ("error-page", 502),
        ("html-200", 502),
        ("lying-type", 502),
        ("cut-length", 502),
        ("cut-close", 502),
        ("slow", 504),
    ],
)
@pytest.mark.parametrize("accept", [JSON, "application/sparql-results+xml"])
def test_kg_serve_answers_gateway_errors_and_caches_nothing(
    fronted: tuple[Any, Spoiler], mode: str, status: int, accept: str
) -> None:
    server, spoiler = fronted
    # A query of its own per case: nothing of another case is in the cache.
    query = f"{MANY} # {mode} {accept}"
    spoiler.mode = mode
    with _get(server, query, accept) as response:
        assert response.status_code == status, response.text
        assert "remote store" in response.text
    spoiler.mode = "relay"
    asked = spoiler.requests
    with _get(server, query, accept) as response:
        assert response.status_code == 200
        body = response.content
    assert spoiler.requests == asked + 1  # asked the store again: the failure was not cached
    if accept == JSON:
        assert len(_values(body)) == 200
    else:
        rows = ox.parse_query_results(body, ox.QueryResultsFormat.XML)
        assert len(list(rows)) == 200
    with _get(server, query, accept) as again:  # now cached: the store is not asked
        assert again.content == body
    assert spoiler.requests == asked + 1


def test_kg_serve_with_store_down(tmp_path: Path) -> None:
    oxigraph = run_oxigraph(tmp_path)
    url = oxigraph.__enter__().query_url
    try:
        store = RemoteStore(url)
        store.replace_graphs([], ox.parse(DATA, ox.RdfFormat.N_QUADS))  # not empty: no seed build
        store.close()
        settings = {"store_url": url, "workers": 1}
        with run_kg_server(tmp_path / "unused", **settings) as server:
            with _get(server, POINT) as response:
                assert response.status_code == 200
            oxigraph.__exit__(None, None, None)  # the store goes down under kg serve
            for query in (POINT + " # not cached", MANY):
                with _get(server, query) as response:
                    assert response.status_code == 503
                    assert "cannot reach the remote store" in response.text
    finally:
        oxigraph.__exit__(None, None, None)


def test_kg_serve_passes_the_store_bytes_through(upstream: Any, tmp_path: Path) -> None:
    """Asked for a format the store makes, kg serve sends the store's own bytes."""
    settings = {"store_url": upstream.query_url, "workers": 1, "cache_size": 0}
    direct = http.client.HTTPConnection(upstream.base.removeprefix("http://"))
    with run_kg_server(tmp_path / "unused", **settings) as server:
        for accept, query in [
            (kind, sparql)
            for kind in (
                JSON,
                "application/sparql-results+xml",
                "text/csv",
                "text/tab-separated-values",
            )
            for sparql in (MANY, f"ASK {{ <{EX}s7> ?p ?o }}", f"ASK {{ <{EX}nothing> ?p ?o }}")
        ]:
            form = urlencode({"query": query, "union-default-graph": ""}).encode()
            direct.request("POST", "/query", body=form, headers={"Accept": accept, **FORM})
            theirs = direct.getresponse()
            expected = theirs.read()
            with _get(server, query, accept) as ours:
                assert ours.status_code == 200, (query, accept, ours.text)
                assert ours.headers["Content-Type"].split(";")[0] == accept
                assert ours.content == expected
    direct.close()


def test_result_cap_on_passed_through_bytes(upstream: Any, tmp_path: Path) -> None:
    settings = {"store_url": upstream.query_url, "workers": 1, "result_limit": 50}
    with run_kg_server(tmp_path / "unused", **settings) as server:
        for accept in (JSON, "application/sparql-results+xml", "text/csv", "application/n-triples"):
            query = MANY if "n-triples" not in accept else f"CONSTRUCT WHERE {{ ?s <{EX}p> ?o }}"
            with _get(server, query, accept) as response:
                assert response.status_code == 413, (accept, response.text[:200])
            with _get(server, query + " LIMIT 50", accept) as response:
                assert response.status_code == 200, (accept, response.text[:200])


def test_malformed_query_through_kg_serve(upstream: Any, tmp_path: Path) -> None:
    settings = {"store_url": upstream.query_url, "workers": 1}
    with (
        run_kg_server(tmp_path / "unused", **settings) as server,
        _get(server, "SELECT ?x {") as bad,
    ):
        assert bad.status_code == 400
    store = RemoteStore(upstream.query_url)
    with pytest.raises(QueryError):
        store.query("SELECT ?x {")
    store.close()


# 200 × 200 rows, about 4 MB of JSON: many chunks of the writer's 64 KiB.
BIG = f"SELECT ?s ?o ?t WHERE {{ ?s <{EX}p> ?o . ?t <{EX}p> ?u }}"


def _sockets() -> int:
    """Sockets this process holds open."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(FileNotFoundError):  # the listing's own descriptor
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return count


def test_a_big_remote_answer_is_streamed_and_stops_when_abandoned(upstream: Any) -> None:
    from kg.config import Config
    from kg.jobs import InlineExecutor, Job

    store = RemoteStore(upstream.query_url)
    executor = InlineExecutor(Config(), store)
    result = executor.run(Job(BIG, formats=["json"]))
    assert result.body is None  # not buffered whole: chunks, read as they come
    chunks = list(result.chunks)
    assert len(chunks) > 8
    rows = ox.parse_query_results(b"".join(chunks), ox.QueryResultsFormat.JSON)
    assert isinstance(rows, ox.QuerySolutions)
    assert len(list(rows)) == 200 * 200

    small = executor.run(Job(POINT, formats=["json"]))  # one piece: whole, with its length
    assert small.body is not None
    assert _values(small.body) == ['"7"']

    before = _sockets()
    for _ in range(20):
        abandoned = executor.run(Job(BIG, formats=["json"]))
        pieces = iter(abandoned.chunks)
        assert next(pieces).startswith(b"{")
        pieces.close()  # the client went away after the first chunk: the transfer stops
    assert _sockets() <= before + 1  # each cut transfer's connection was closed, not kept
    assert len(list(store.query(MANY))) == 200  # and the store is still usable
    store.close()


def test_kg_serve_streams_a_big_remote_answer(upstream: Any, tmp_path: Path) -> None:
    settings = {"store_url": upstream.query_url, "workers": 1, "cache_size": 0}
    with run_kg_server(tmp_path / "unused", **settings) as server, _get(server, BIG) as response:
        assert response.status_code == 200
        assert "Content-Length" not in response.headers  # sent as it came, chunked
        assert response.headers.get("Transfer-Encoding") == "chunked"
        rows = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
        assert isinstance(rows, ox.QuerySolutions)
        assert len(list(rows)) == 200 * 200


class _Deadlocking(BaseHTTPRequestHandler):
    """A store whose first `fail` writes deadlock (Virtuoso's page), then accepts them."""

    protocol_version = "HTTP/1.1"
    fail = 0
    bodies: list[bytes]
    page = b"<html><h3>Error 40001</h3><xmp>SR172: Transaction deadlocked</xmp></html>"

    def log_message(self, *args: Any) -> None:
        """Quiet."""

    def _write(self) -> None:
        self.bodies.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        if len(self.bodies) <= self.fail:
            self.send_response(500)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(self.page)))
            self.end_headers()
            self.wfile.write(self.page)
            return
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PUT = do_POST = _write


@pytest.mark.parametrize(("fail", "sent", "ok"), [(0, 1, True), (2, 3, True), (99, 5, False)])
def test_a_deadlocked_write_is_sent_again(fail: int, sent: int, ok: bool) -> None:
    handler = type("Handler", (_Deadlocking,), {"fail": fail, "bodies": []})
    triples = f"<{EX}a> <{EX}b> <{EX}c> .\n".encode()
    with serving(handler) as base:
        store = RemoteStore(f"{base}/query", f"{base}/update", f"{base}/store")
        try:
            if ok:
                store.put_triples(f"{EX}g", triples)
            else:
                with pytest.raises(StoreError, match="deadlocked"):
                    store.put_triples(f"{EX}g", triples)
        finally:
            store.close()
    assert handler.bodies == [triples] * sent  # the same body each time, nothing else


def test_other_store_errors_on_writes_are_not_retried() -> None:
    handler = type("Handler", (_Deadlocking,), {"fail": 99, "bodies": []})
    handler.page = b"<html>disk full</html>"
    with serving(handler) as base:
        store = RemoteStore(f"{base}/query", f"{base}/update", f"{base}/store")
        try:
            with pytest.raises(StoreError, match="disk full"):
                store.update(f"INSERT DATA {{ <{EX}a> <{EX}b> <{EX}c> }}")
        finally:
            store.close()
    assert len(handler.bodies) == 1
