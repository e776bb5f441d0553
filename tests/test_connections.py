"""Connections to a real `kg serve`, on raw sockets: slow and idle clients, limits, deadlines,
Host, pipelining, HTTP/1.0 keep-alive, h2c upgrade headers, stopping (issue 10)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import requests
from conftest import KgServer, run_kg_server
from test_server import JSON, Wire, _children, _number, get_line, json_values
from test_server import target as target_of
from test_timeout import RUNAWAY, wait_until_running

QUICK = "SELECT ?n WHERE { BIND(1 AS ?n) }"


@pytest.fixture(scope="module")
def strict_server(seed_config, tmp_path_factory) -> Iterator[KgServer]:
    """`kg serve` with short deadlines: 2 s for headers, 2 s for a body, 200 kB bodies."""
    data_dir = tmp_path_factory.mktemp("strict") / "store"
    shutil.copytree(seed_config.data_dir, data_dir)
    settings = {"header_timeout": 2, "body_timeout": 2, "max_body": 200_000}
    with run_kg_server(data_dir, **settings) as server:
        yield server


def _probe(server: KgServer) -> None:
    """A fresh client is answered (its own deadline: 3 s, ~300 times a normal answer's time)."""
    answer = requests.get(
        server.sparql, params={"query": QUICK}, headers={"Accept": JSON}, timeout=3
    )
    assert answer.status_code == 200
    assert json_values(answer.content, "n") == ["1"]


def _address(server: KgServer) -> tuple[str, int]:
    host, port = server.base.removeprefix("http://").split(":")
    return host, int(port)


def _sockets(server: KgServer, count: int) -> list[socket.socket]:
    return [socket.create_connection(_address(server), timeout=10) for _ in range(count)]


def _close(socks: list[socket.socket]) -> None:
    for sock in socks:
        sock.close()


def _error_shape(body: bytes, status: int) -> None:
    first = body.split(b"\n", 1)[0].decode()
    assert first.startswith(f"{status} "), body[:200]
    assert body.split(b"\n")[1] == b"", body[:200]


# -- no connection ceiling -------------------------------------------------------------------


def test_slowloris_sockets_do_not_starve_a_new_client(strict_server) -> None:
    # 300 clients that never finish their headers (the old layer had 128 threads in all).
    socks = _sockets(strict_server, 300)
    try:
        for sock in socks:
            sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\n")
        _probe(strict_server)
        for sock in socks[:50]:
            with contextlib.suppress(OSError):
                sock.sendall(b"X-a: b\r\n")  # still dribbling
        _probe(strict_server)
    finally:
        _close(socks)


def test_keep_alive_connections_do_not_starve_others(live_server) -> None:
    # 200 keep-alive clients sending a request every second or so (never idle long enough for a
    # keep-alive timeout): each is answered within 3 s, and so is a new client each round.
    socks = _sockets(live_server, 200)
    try:
        for _ in range(3):
            for sock in socks:
                sock.settimeout(3)
                sock.sendall(get_line(_number(3), f"Accept: {JSON}"))
            for sock in socks:
                assert sock.recv(65536).startswith(b"HTTP/1.1 200")
            _probe(live_server)
            time.sleep(1)
    finally:
        _close(socks)


def test_256_concurrent_clients_are_all_answered_while_connections_stay_open(
    live_server,
) -> None:
    # Each client keeps its connection after its answer; with a thread per connection and 128
    # threads, half of them waited for others' keep-alive to end. Their own deadline: 3 s.
    socks = _sockets(live_server, 256)
    try:
        for sock in socks:
            sock.settimeout(3)
            sock.sendall(get_line(_number(4), f"Accept: {JSON}"))
        for sock in socks:
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    finally:
        _close(socks)


# -- deadlines and limits --------------------------------------------------------------------


def _dribble(sock: socket.socket, data: bytes, seconds: float) -> bytes:
    """Send `data` a byte every 0.25 s until the server answers or closes; what it sent."""
    sock.settimeout(0.25)
    until = time.monotonic() + seconds
    received = b""
    for byte in data:
        if time.monotonic() > until:
            break
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return received  # closed by the server
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except OSError:
            return received
        if not chunk:
            return received
        received += chunk
        if b"\r\n\r\n" in received:
            sock.settimeout(5)
            with contextlib.suppress(OSError):
                while more := sock.recv(65536):
                    received += more
            return received
    raise AssertionError(f"still open after {seconds} s of dribbling: {received[:200]!r}")


def test_headers_have_a_deadline(strict_server) -> None:
    # One header byte every 0.25 s: never 5 s between reads, but the 2 s total deadline ends it.
    sock = socket.create_connection(_address(strict_server))
    try:
        got = _dribble(sock, b"GET /sparql HTTP/1.1\r\nHost: x\r\n" + b"X-a: b\r\n" * 200, 20)
    finally:
        sock.close()
    assert b"200 OK" not in got
    _probe(strict_server)


def test_a_body_has_a_deadline_408(strict_server) -> None:
    body = urlencode({"query": QUICK + " " * 400}).encode()
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nAccept: " + JSON.encode() + b"\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    sock = socket.create_connection(_address(strict_server))
    try:
        sock.sendall(head)
        got = _dribble(sock, body, 20)
    finally:
        sock.close()
    assert got.startswith(b"HTTP/1.1 408"), got[:200]
    _error_shape(got.split(b"\r\n\r\n", 1)[1], 408)
    _probe(strict_server)


@pytest.mark.parametrize(
    ("request_head", "status"),
    [
        # More than 100 header lines (hyper's cap), sent at once: 431, not a silent close.
        (b"GET /sparql HTTP/1.1\r\nHost: x\r\n" + b"X-a: b\r\n" * 150 + b"\r\n", 431),
        (b"GET /sparql HTTP/1.1\r\nHost: x\r\n" + b"X-a: b\r\n" * 65_000 + b"\r\n", 431),
        # A request target over 64 KiB.
        (b"GET /sparql?query=" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    ],
    ids=["150-headers", "65000-headers", "70k-url"],
)
def test_oversized_heads_get_their_status(strict_server, request_head, status) -> None:
    # granian (hyper) answers these itself, with an empty body, and closes the connection.
    sock = socket.create_connection(_address(strict_server), timeout=10)
    try:
        with contextlib.suppress(OSError):  # the server may close before it has read it all
            sock.sendall(request_head)
        got = b""
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in got and (chunk := sock.recv(65536)):
                got += chunk
    finally:
        sock.close()
    assert got.startswith(b"HTTP/1.1 %d " % status), got[:200]
    _probe(strict_server)


def _head_then_answer(server: KgServer, request: bytes) -> tuple[int, bytes]:
    wire = Wire(server.base)
    try:
        wire.send(request)
        answer = wire.response()
        assert wire.closed_by_server()
    finally:
        wire.close()
    return answer.status, answer.body


@pytest.mark.parametrize("expect", [False, True], ids=["plain", "100-continue"])
def test_a_huge_declared_body_gets_413_at_once(strict_server, expect) -> None:
    head = (
        "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        + ("Expect: 100-continue\r\n" if expect else "")
        + "Content-Length: 1099511627776\r\n\r\n"
    )
    # Nothing of the body is sent: the answer must come from the head alone (and no 100 first).
    status, body = _head_then_answer(strict_server, head.encode())
    assert status == 413
    _error_shape(body, 413)
    assert b"KG_MAX_BODY" in body


def test_a_chunked_body_over_the_limit_gets_413(strict_server) -> None:
    chunk = b"x" * 50_000
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
        + (b"%x\r\n%b\r\n" % (len(chunk), chunk))
        * 6  # 300 kB and no last chunk: never ends
    )
    status, body = _head_then_answer(strict_server, request)
    assert status == 413
    _error_shape(body, 413)


def test_a_chunked_body_under_the_limit_is_read(strict_server) -> None:
    query = QUICK.encode()
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Accept: " + JSON.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"%x\r\n%b\r\n0\r\n\r\n" % (len(query), query)
    )
    wire = Wire(strict_server.base)
    try:
        wire.send(request)
        answer = wire.response()
    finally:
        wire.close()
    assert answer.status == 200
    assert json_values(answer.body, "n") == ["1"]


# -- Host, protocol versions, pipelining, HTTP/1.0 ---------------------------------------------


@pytest.mark.parametrize("hosts", [[], ["Host: a.example", "Host: b.example"]], ids=["none", "two"])
def test_http_1_1_needs_exactly_one_host(live_server, hosts) -> None:
    lines = [f"GET {_number(1)} HTTP/1.1", f"Accept: {JSON}", *hosts, "", ""]
    status, body = _head_then_answer(live_server, "\r\n".join(lines).encode())
    assert status == 400
    _error_shape(body, 400)
    assert b"Host" in body


def test_an_absolute_form_target_is_served(live_server) -> None:
    wire = Wire(live_server.base)
    try:
        wire.send(get_line(live_server.base + _number(6), f"Accept: {JSON}"))
        answer = wire.response()
    finally:
        wire.close()
    assert answer.status == 200
    assert json_values(answer.body, "n") == ["6"]


def test_valid_pipelined_requests_before_a_malformed_one_are_answered(live_server) -> None:
    wire = Wire(live_server.base)
    try:
        wire.send(
            get_line(_number(1), f"Accept: {JSON}")
            + get_line(_number(2), f"Accept: {JSON}")
            + b"GARBAGE\r\n\r\n"
        )
        first, second = wire.response(), wire.response()
        with contextlib.suppress(EOFError, ConnectionResetError):
            third = wire.response()
            assert third.status == 400
        assert wire.closed_by_server()
    finally:
        wire.close()
    assert [json_values(a.body, "n") for a in (first, second)] == [["1"], ["2"]]


def test_http_1_0_keep_alive_is_confirmed_and_kept(live_server) -> None:
    wire = Wire(live_server.base)
    try:
        for n in (1, 2):
            request = get_line(_number(n), f"Accept: {JSON}", "Connection: keep-alive")
            wire.send(request.replace(b"HTTP/1.1", b"HTTP/1.0", 1))
            answer = wire.response()
            assert answer.status == 200
            assert (answer.one("connection") or "").lower() == "keep-alive"
            assert json_values(answer.body, "n") == [str(n)]
    finally:
        wire.close()


# -- h2c upgrade headers (Jena, curl --http2): answered in HTTP/1.1, body intact ---------------

H2C = (
    b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
    b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
)


def _with_h2c(server: KgServer, method: str, target: str, body: bytes, *headers: str) -> Wire:
    wire = Wire(server.base)
    head = f"{method} {target} HTTP/1.1\r\nHost: test\r\n" + "".join(h + "\r\n" for h in headers)
    wire.send(head.encode() + H2C + b"Content-Length: %d\r\n\r\n" % len(body) + body)
    return wire


def test_h2c_upgrade_headers_keep_query_update_and_put_bodies(write_server) -> None:
    token = f"Authorization: Bearer {write_server.config.token}"
    graph = f"http://example.org/h2c/{time.monotonic_ns()}"
    # A query by POST.
    wire = _with_h2c(
        write_server, "POST", "/sparql", QUICK.encode(),
        "Content-Type: application/sparql-query", f"Accept: {JSON}",
    )  # fmt: skip
    try:
        answer = wire.response()
    finally:
        wire.close()
    assert (answer.version, answer.status) == ("HTTP/1.1", 200)
    assert json_values(answer.body, "n") == ["1"]
    # An update.
    update = f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> <urn:c> }} }}".encode()
    wire = _with_h2c(
        write_server, "POST", "/update", update, "Content-Type: application/sparql-update", token
    )
    try:
        answer = wire.response()
    finally:
        wire.close()
    assert (answer.version, answer.status) == ("HTTP/1.1", 204)
    # A Graph Store PUT to another graph.
    other = graph + "/put"
    data = b"<urn:x> <urn:y> <urn:z> .\n<urn:x> <urn:y> <urn:w> .\n"
    target = "/store?" + urlencode({"graph": other})
    kind = "Content-Type: application/n-triples"
    wire = _with_h2c(write_server, "PUT", target, data, kind, token)
    try:
        answer = wire.response()
    finally:
        wire.close()
    assert answer.version == "HTTP/1.1"
    assert answer.status in (201, 204)
    # Both writes are in the store.
    count = (
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(?g IN (<{graph}>, <{other}>)) }}"
    )
    found = requests.get(
        write_server.sparql, params={"query": count}, headers={"Accept": JSON}, timeout=30
    )
    assert json_values(found.content, "n") == ["3"]


# -- a query that crashes the engine takes down its query process only -----------------------


def test_a_parser_crashing_query_does_not_take_the_server_down(live_server) -> None:
    nested = "ASK {" + "{" * 4000 + "}" * 4000 + "}"
    main = live_server.process.pid
    workers = _children(main)
    for _ in range(3):  # three in a row: no worker may die (granian stops on a crash loop)
        answer = requests.get(live_server.sparql, params={"query": nested}, timeout=60)
        assert answer.status_code in (400, 502), answer.text[:200]
        _error_shape(answer.content, answer.status_code)
    _probe(live_server)
    assert _children(main) == workers
    assert live_server.process.poll() is None


def test_a_deeply_nested_update_does_not_take_a_worker_down(write_server) -> None:
    # Updates are parsed in the web worker: on a 2 MiB thread (granian's own) 550 nested
    # braces overflow the parser's stack and kill the worker; the app runs on larger stacks.
    main = write_server.process.pid
    workers = _children(main)
    nested = "{" * 1000 + "}" * 1000
    update = f"INSERT {{ <urn:n> <urn:n> <urn:n> }} WHERE {{ {nested} }}"
    answer = requests.post(
        write_server.base + "/update",
        data=update.encode(),
        headers={
            "Content-Type": "application/sparql-update",
            "Authorization": f"Bearer {write_server.config.token}",
        },
        timeout=60,
    )
    assert answer.status_code in (204, 400), answer.text[:200]  # run, or refused by the guard
    _probe(write_server)
    assert _children(main) == workers


def test_a_slow_reader_does_not_extend_the_deadline(seed_config, tmp_path) -> None:
    # An endless answer (a cross product) read slowly: data is always waiting for the worker,
    # yet the stream is cut at the 2 s deadline (no last chunk) and the query process killed.
    data_dir = tmp_path / "store"
    shutil.copytree(seed_config.data_dir, data_dir)
    with run_kg_server(data_dir, query_timeout=2, result_limit=0, workers=1) as server:
        endless = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)  # little kept client-side
        sock.settimeout(30)
        sock.connect(_address(server))
        received = b""
        try:
            sock.sendall(get_line(target_of(endless), f"Accept: {JSON}"))
            patience = time.monotonic() + 90  # the client gives up after 90 s of reading
            while chunk := sock.recv(16384):
                received = received[-64:] + chunk
                assert time.monotonic() < patience, "the stream was never cut"
                time.sleep(0.05)  # ~320 kB/s
        finally:
            sock.close()
        assert not received.endswith(b"0\r\n\r\n")  # cut: no last chunk
        _probe(server)


# -- stopping: listener closed first, the drain, repeated signals ------------------------------


def _start_runaway(server: KgServer) -> tuple[threading.Thread, dict[str, object]]:
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["r"] = requests.get(server.sparql, params={"query": RUNAWAY}, timeout=60)
        except requests.RequestException as err:
            outcome["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    wait_until_running(server)
    return thread, outcome


def test_stopping_closes_the_listener_first_and_drains_in_flight(seed_config, tmp_path) -> None:
    data_dir = tmp_path / "store"
    shutil.copytree(seed_config.data_dir, data_dir)
    with run_kg_server(data_dir, query_timeout=3, drain=20, workers=1) as server:
        thread, outcome = _start_runaway(server)  # answered 503 at its 3 s deadline
        os.kill(server.process.pid, signal.SIGTERM)
        time.sleep(0.3)
        with pytest.raises(ConnectionRefusedError):  # new clients: refused, not left hanging
            socket.create_connection(_address(server), timeout=5)
        # A second signal, to the whole process group (as Ctrl-C and systemd send it), changes
        # nothing: the query processes too wait for their worker.
        os.killpg(server.process.pid, signal.SIGTERM)
        thread.join(timeout=60)
        response = outcome.get("r")
        assert isinstance(response, requests.Response), outcome
        assert response.status_code == 503
        assert "time limit" in response.text
        assert server.process.wait(timeout=30) == 0


def test_the_drain_is_a_setting(seed_config, tmp_path) -> None:
    data_dir = tmp_path / "store"
    shutil.copytree(seed_config.data_dir, data_dir)
    with run_kg_server(data_dir, query_timeout=60, drain=1, workers=1) as server:
        thread, outcome = _start_runaway(server)
        os.kill(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=30)  # long before the query's 60 s deadline
        thread.join(timeout=30)
        assert "error" in outcome, outcome  # cut at the end of the 1 s drain


def test_an_address_in_use_is_a_clear_error(seed_config) -> None:
    import subprocess
    import sys
    from pathlib import Path

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        kg = str(Path(sys.executable).with_name("kg"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
        args = [kg, "serve", "--port", str(port), "--data-dir", seed_config.data_dir]
        done = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "panicked" not in done.stderr
