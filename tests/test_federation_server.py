"""Federation through `kg serve`: SERVICE only to allowlisted endpoints, and a remote that is
down, slow or answers garbage gives a clear error within the query timeout, never a hung worker.

Runs `kg serve` with the settings of the SERVICE allowlist (`service_allowlist`,
`service_allow_private`, kg/service.py) against real loopback endpoints: an `oxigraph serve` with
the Wikidata-shaped fixture, and a small recording HTTP server of this module (slow, garbage, or
counting what reaches it).
"""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import KgServer, OxigraphServer, run_kg_server, run_oxigraph
from test_federation import serve_fixture

from kg.config import Config

TIMEOUT = 3  # the query timeout of the servers below, in seconds
QUERY = "SELECT ?n WHERE {{ SERVICE <{url}> {{ ?s ?p ?n }} }} LIMIT 3"


class Remote(http.server.ThreadingHTTPServer):
    """A loopback endpoint that counts requests per path: /slow sleeps, /garbage answers HTML."""

    daemon_threads = True

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        super().__init__(("127.0.0.1", 0), _Handler)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{path}"


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Remote

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        path = self.path.strip("/").split("?")[0]
        self.server.hits[path] += 1
        if path == "slow":
            time.sleep(TIMEOUT * 4)
        if path == "garbage":
            body, kind = b"<html><body>Service unavailable</body></html>", "text/html"
        else:
            body = b'{"head":{"vars":["n"]},"results":{"bindings":[]}}'
            kind = "application/sparql-results+json"
        try:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the caller gave up (timeout): nothing to answer to

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def remote() -> Iterator[Remote]:
    server = Remote()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    with run_oxigraph(tmp_path_factory.mktemp("fed-wikidata")) as server:
        serve_fixture(server)
        yield server


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/query"


@pytest.fixture(scope="module")
def down() -> str:
    return _closed_port_url()


@pytest.fixture(scope="module")
def federating(
    seed_config: Config, wikidata: OxigraphServer, remote: Remote, down: str
) -> Iterator[KgServer]:
    """kg serve allowing the fixture, the slow and garbage endpoints and a closed port."""
    allowed = [wikidata.query_url, remote.url("slow"), remote.url("garbage"), down]
    with run_kg_server(
        Path(seed_config.data_dir),
        service_allowlist=",".join(allowed),
        service_allow_private=True,
        query_timeout=TIMEOUT,
    ) as server:
        yield server


@pytest.fixture(scope="module")
def closed(seed_config: Config, remote: Remote) -> Iterator[KgServer]:
    """kg serve listing a loopback endpoint without allowing private addresses."""
    with run_kg_server(
        Path(seed_config.data_dir), service_allowlist=remote.url("listed"), query_timeout=TIMEOUT
    ) as server:
        yield server


def ask(server: KgServer, sparql: str) -> tuple[requests.Response, float]:
    start = time.monotonic()
    response = requests.post(
        server.sparql,
        data={"query": sparql},
        headers={"Accept": "application/sparql-results+json"},
        timeout=TIMEOUT * 5,
    )
    return response, time.monotonic() - start


def test_an_allowlisted_endpoint_is_joined(federating: KgServer, wikidata: OxigraphServer) -> None:
    response, _ = ask(
        federating,
        f"""PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX wdt: <http://www.wikidata.org/prop/direct/>
        SELECT ?neighbour WHERE {{
          <https://w3id.org/geoclaims/entity/belarus> owl:sameAs ?q .
          SERVICE <{wikidata.query_url}> {{ ?q wdt:P47 ?neighbour }}
        }} ORDER BY ?neighbour""",
    )
    assert response.status_code == 200, response.text
    found = [b["neighbour"]["value"] for b in response.json()["results"]["bindings"]]
    wd = "http://www.wikidata.org/entity/"
    assert found == [wd + q for q in ("Q159", "Q211", "Q212", "Q36", "Q37")]


def test_an_endpoint_not_listed_is_refused_and_nothing_leaves(
    federating: KgServer, remote: Remote
) -> None:
    response, _ = ask(federating, QUERY.format(url=remote.url("unlisted")))
    assert response.status_code == 400
    assert "not in the service_allowlist" in response.text
    assert remote.url("unlisted") in response.text
    assert remote.hits["unlisted"] == 0


def test_by_default_no_service_is_called(live_server: KgServer, remote: Remote) -> None:
    response, _ = ask(live_server, QUERY.format(url=remote.url("default")))
    assert response.status_code == 400
    assert "service_allowlist" in response.text
    assert remote.hits["default"] == 0


def test_a_listed_loopback_endpoint_needs_allow_private(closed: KgServer, remote: Remote) -> None:
    response, _ = ask(closed, QUERY.format(url=remote.url("listed")))
    assert response.status_code == 400
    assert "service_allow_private" in response.text
    assert remote.hits["listed"] == 0


def test_a_remote_that_is_down_is_a_clear_error(federating: KgServer, down: str) -> None:
    response, seconds = ask(federating, QUERY.format(url=down))
    assert response.status_code == 502, response.text
    assert "refused" in response.text.lower()
    assert seconds < TIMEOUT


def test_a_remote_answering_garbage_is_a_clear_error(federating: KgServer, remote: Remote) -> None:
    response, seconds = ask(federating, QUERY.format(url=remote.url("garbage")))
    assert response.status_code == 502, response.text
    assert remote.hits["garbage"] >= 1
    assert seconds < TIMEOUT


def test_a_slow_remote_times_out_and_the_server_goes_on(
    federating: KgServer, remote: Remote
) -> None:
    response, seconds = ask(federating, QUERY.format(url=remote.url("slow")))
    assert response.status_code == 503, response.text
    assert seconds < TIMEOUT + 2
    # No worker is left hanging: the next queries are answered at once.
    for _ in range(4):
        quick, took = ask(federating, "ASK { ?s ?p ?o }")
        assert quick.status_code == 200 and took < TIMEOUT
