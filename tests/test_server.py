"""`kg serve` (granian + kg.server.app) end to end: fast path = Flask path, cache, raw HTTP."""

from __future__ import annotations

import contextlib
import http.client
import json
import random
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode
from urllib.parse import unquote_plus as urllib_unquote_plus

import pyoxigraph as ox
import pytest
import rdflib
import requests
from conftest import cpu_seconds, proc_stats
from rdflib.compare import isomorphic

from kg.server.queries import form_fields, unquote_plus

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
ORIGIN = {"Origin": "http://x.example"}  # the fast path leaves such requests to Flask
COMPARED = ("content-type", "etag", "vary", "cache-control")
SELECT = "SELECT DISTINCT ?s ?o WHERE { ?s a ?o } ORDER BY ?s ?o LIMIT 25"
CONSTRUCT = f"CONSTRUCT {{ ?s a ?o }} WHERE {{ {SELECT} }}"


# -- clients -----------------------------------------------------------------------------------


@dataclass
class Answer:
    """One parsed HTTP response."""

    status: int
    version: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name]

    def one(self, name: str) -> str | None:
        values = self.header(name)
        assert len(values) <= 1, f"{name} repeated: {values}"
        return values[0] if values else None


def fetch(base: str, method: str, target: str, body: bytes | None = None, **headers: str) -> Answer:
    """One request with exactly these headers (http.client adds Host and identity encoding)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        names = {k.replace("_", "-"): v for k, v in headers.items()}
        conn.request(method, target, body=body, headers=names)
        response = conn.getresponse()
        data = response.read()
        return Answer(response.status, str(response.version), response.getheaders(), data)
    finally:
        conn.close()


class Wire:
    """A raw client socket and a minimal HTTP/1.1 response parser over it."""

    def __init__(self, base: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        self.buf = b""

    def close(self) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        self.buf += data
        return bool(data)

    def _line_block(self) -> bytes:
        while b"\r\n\r\n" not in self.buf:
            if not self._fill():
                raise EOFError(f"connection closed inside a head: {self.buf[:200]!r}")
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        return head

    def head(self) -> tuple[str, int, list[tuple[str, str]]]:
        lines = self._line_block().decode("latin-1").split("\r\n")
        version, code = lines[0].split(" ", 2)[:2]
        headers = [tuple(x.strip() for x in line.split(":", 1)) for line in lines[1:]]
        return version, int(code), headers  # type: ignore[return-value]

    def _exactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            if not self._fill():
                raise EOFError("connection closed inside a body")
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def response(self, head_only: bool = False) -> Answer:
        version, code, headers = self.head()
        answer = Answer(code, version, headers, b"")
        if head_only or code in (204, 304) or code < 200:
            return answer
        length = answer.one("content-length")
        if length is not None:
            answer.body = self._exactly(int(length))
        elif (answer.one("transfer-encoding") or "").lower() == "chunked":
            parts = []
            while True:
                while b"\r\n" not in self.buf:
                    assert self._fill(), "connection closed inside a chunk size"
                size_line, self.buf = self.buf.split(b"\r\n", 1)
                size = int(size_line.split(b";")[0], 16)
                parts.append(self._exactly(size))
                assert self._exactly(2) == b"\r\n"
                if size == 0:
                    break
            answer.body = b"".join(parts)
        else:  # close-delimited
            while self._fill():
                pass
            answer.body, self.buf = self.buf, b""
        return answer

    def closed_by_server(self) -> bool:
        """True when the server closes (EOF or reset) with nothing more to read."""
        try:
            return not self.sock.recv(1)
        except ConnectionResetError:
            return True


def get_line(target: str, *extra: str, version: str = "1.1") -> bytes:
    lines = [f"GET {target} HTTP/{version}", "Host: test", *extra, "", ""]
    return "\r\n".join(lines).encode()


def target(query: str, **params: str) -> str:
    return "/sparql?" + urlencode({"query": query, **params})


def json_values(body: bytes, var: str) -> list[str]:
    return [row[var]["value"] for row in json.loads(body)["results"]["bindings"]]


# -- 1. fast path and Flask path give the same answer -----------------------------------------


def _fast_and_flask(base: str, query: str, accept: str | None, **params: str) -> list[Answer]:
    # Both orders (fast first, Flask first), each time with a query text not seen before so
    # that both paths also answer a miss (a comment changes the text, not the answer).
    answers = []
    extra = {} if accept is None else {"Accept": accept}
    for flask_first in (False, True):
        where = target(f"# {flask_first} {time.monotonic_ns()}\n{query}", **params)
        if flask_first:
            flask = fetch(base, "GET", where, **extra, **ORIGIN)
            fast = fetch(base, "GET", where, **extra)
        else:
            fast = fetch(base, "GET", where, **extra)
            flask = fetch(base, "GET", where, **extra, **ORIGIN)
        answers += [fast, flask]
    return answers


def _assert_same(fast: Answer, flask: Answer) -> None:
    assert flask.one("access-control-allow-origin") is not None, "the Origin request missed Flask"
    assert fast.status == flask.status
    assert fast.body == flask.body
    for name in COMPARED:
        assert fast.header(name) == flask.header(name), f"{name} differs between the paths"


@pytest.mark.parametrize(
    ("query", "accept", "kind"),
    [
        (SELECT, JSON, "json"),
        (SELECT, XML, "xml"),
        (CONSTRUCT, "application/n-triples", "nt"),
        (CONSTRUCT, "text/turtle", "turtle"),
    ],
)
def test_fast_path_and_flask_path_answer_alike(live_server, query, accept, kind) -> None:
    answers = _fast_and_flask(live_server.base, query, accept)
    for fast, flask in zip(answers[::2], answers[1::2], strict=True):
        _assert_same(fast, flask)
        assert fast.status == 200
        assert fast.one("etag")
        assert fast.one("vary") and fast.one("cache-control")  # compared above: both present
    fast = answers[0]
    assert fast.one("content-type").split(";")[0] == accept
    if kind == "json":
        assert len(json_values(fast.body, "s")) == 25
    elif kind == "xml":
        assert len(list(ox.parse_query_results(fast.body, ox.QueryResultsFormat.XML))) == 25
    else:
        graph = rdflib.Graph().parse(data=fast.body, format=kind)
        assert len(graph) == 25
        other = rdflib.Graph().parse(data=answers[2].body, format=kind)
        assert isomorphic(graph, other)


def test_fast_path_and_flask_path_fail_alike(live_server) -> None:
    bad = _fast_and_flask(live_server.base, "SELECT ?s WHERE { ?s ?p", JSON)
    for fast, flask in zip(bad[::2], bad[1::2], strict=True):
        _assert_same(fast, flask)
        assert fast.status == 400
        assert fast.body.startswith(b"400 Bad Request\n\n")
    # A results format asked for a graph: the wrong family, 406 on both paths.
    wrong = _fast_and_flask(live_server.base, CONSTRUCT, None, format="csv")
    for fast, flask in zip(wrong[::2], wrong[1::2], strict=True):
        _assert_same(fast, flask)
        assert fast.status == 406
        assert fast.body.startswith(b"406 Not Acceptable\n\n")
        assert b"format 'csv'" in fast.body


# -- 2. the cache -----------------------------------------------------------------------------


def _without_date(answer: Answer) -> tuple[int, list[tuple[str, str]], bytes]:
    return answer.status, [(k, v) for k, v in answer.headers if k.lower() != "date"], answer.body


@pytest.mark.parametrize("how", ["get", "form", "sparql-query"])
def test_a_cache_hit_repeats_the_miss(live_server, how) -> None:
    query = f"# {how} {time.monotonic_ns()}\n{SELECT}"
    if how == "get":
        request = get_line(target(query), f"Accept: {JSON}")
    else:
        body = urlencode({"query": query}).encode() if how == "form" else query.encode()
        kind = "application/x-www-form-urlencoded" if how == "form" else "application/sparql-query"
        head = (
            f"POST /sparql HTTP/1.1\r\nHost: test\r\nAccept: {JSON}\r\n"
            f"Content-Type: {kind}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        request = head.encode() + body
    wire = Wire(live_server.base)  # one connection: one worker, so the second is its cache's
    try:
        wire.send(request)
        miss = wire.response()
        wire.send(request)
        hit = wire.response()
    finally:
        wire.close()
    assert miss.status == 200
    assert len(json_values(miss.body, "s")) == 25
    assert _without_date(hit) == _without_date(miss)


def test_a_non_ascii_query_by_get_and_post(live_server) -> None:
    query = (
        'SELECT ?x ?n WHERE { BIND("café é" AS ?x) '
        '{ SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "é")) } } }'
    )
    by_get = fetch(live_server.base, "GET", target(query), Accept=JSON)
    by_form = fetch(
        live_server.base,
        "POST",
        "/sparql",
        urlencode({"query": query}).encode(),
        Accept=JSON,
        Content_Type="application/x-www-form-urlencoded",
    )
    by_body = fetch(
        live_server.base,
        "POST",
        "/sparql",
        query.encode(),
        Accept=JSON,
        Content_Type="application/sparql-query",
    )
    by_flask = fetch(live_server.base, "GET", target(query), Accept=JSON, **ORIGIN)
    for answer in (by_get, by_form, by_body, by_flask):
        assert answer.status == 200, answer.body
        assert json_values(answer.body, "x") == ["café é"]
    counts = {json_values(a.body, "n")[0] for a in (by_get, by_form, by_body, by_flask)}
    assert len(counts) == 1
    assert by_get.body == by_form.body == by_body.body == by_flask.body


# -- 3. HTTP on a raw socket ------------------------------------------------------------------


def _number(n: int) -> str:
    return target(f"SELECT ?n WHERE {{ BIND({n} AS ?n) }}")


def test_pipelined_requests_are_answered_in_order(live_server) -> None:
    wire = Wire(live_server.base)
    try:
        wire.send(
            get_line(_number(1), f"Accept: {JSON}")
            + get_line(_number(2), f"Accept: {JSON}", "Origin: http://x.example")
            + get_line(_number(3), f"Accept: {JSON}")
        )
        answers = [wire.response() for _ in range(3)]
    finally:
        wire.close()
    assert [a.status for a in answers] == [200, 200, 200]
    assert [json_values(a.body, "n") for a in answers] == [["1"], ["2"], ["3"]]


def test_keep_alive_serves_twenty_requests_on_one_connection(live_server) -> None:
    wire = Wire(live_server.base)
    try:
        for n in range(20):
            if n % 3 == 2:
                body = urlencode({"query": f"SELECT ?n WHERE {{ BIND({n} AS ?n) }}"}).encode()
                wire.send(
                    b"POST /query HTTP/1.1\r\nHost: test\r\nAccept: " + JSON.encode() + b"\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n"
                    b"Content-Length: %d\r\n\r\n%b" % (len(body), body)
                )
            else:
                wire.send(get_line(_number(n), f"Accept: {JSON}"))
            answer = wire.response()
            assert answer.status == 200
            assert answer.one("connection") is None
            assert json_values(answer.body, "n") == [str(n)]
    finally:
        wire.close()


def test_expect_100_continue(live_server) -> None:
    body = urlencode({"query": "SELECT ?n WHERE { BIND(42 AS ?n) }"}).encode()
    wire = Wire(live_server.base)
    try:
        wire.send(
            b"POST /sparql HTTP/1.1\r\nHost: test\r\nAccept: " + JSON.encode() + b"\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nExpect: 100-continue\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        )
        version, code, _ = wire.head()  # before the body is sent
        assert (version, code) == ("HTTP/1.1", 100)
        wire.send(body)
        answer = wire.response()
    finally:
        wire.close()
    assert answer.status == 200
    assert json_values(answer.body, "n") == ["42"]


@pytest.mark.parametrize("origin", [False, True], ids=["fast", "flask"])
def test_http_1_0_gets_its_answer_then_the_connection_closes(live_server, origin) -> None:
    wire = Wire(live_server.base)
    extra = ["Origin: http://x.example"] if origin else []
    try:
        wire.send(get_line(_number(7), f"Accept: {JSON}", *extra, version="1.0"))
        answer = wire.response()
        assert wire.closed_by_server()
    finally:
        wire.close()
    assert answer.status == 200
    assert json_values(answer.body, "n") == ["7"]
    assert (answer.one("transfer-encoding") or "").lower() != "chunked"


def _refused_or_status(wire: Wire, status: int) -> None:
    """The server answers `status` and closes, or closes without serving the request."""
    try:
        answer = wire.response()
    except (EOFError, ConnectionResetError):
        return  # closed unserved: granian's answer to some malformed heads
    assert answer.status == status, f"answered {answer.status}: {answer.body[:200]!r}"
    assert wire.closed_by_server()


def test_too_many_header_lines_are_refused(live_server) -> None:
    # 65,000 header lines used to be parsed (0.22 s of CPU each); the cap is 100 lines.
    wire = Wire(live_server.base)
    try:
        wire.send(get_line(_number(1), *(f"X-Pad-{i}: b" for i in range(2000))))
        _refused_or_status(wire, 431)
    finally:
        wire.close()
    ok = fetch(live_server.base, "GET", _number(1), Accept=JSON)  # and the server is fine
    assert json_values(ok.body, "n") == ["1"]


def test_a_head_past_the_buffer_is_refused(live_server) -> None:
    # Request line + headers are capped by granian's buffer, KG_MAX_BODY + 64 KiB (hyper may
    # read up to about twice that before it refuses).
    limit = 4 * (live_server.config.max_body + 64 * 1024)
    wire = Wire(live_server.base)
    try:
        with contextlib.suppress(ConnectionError):
            wire.send(get_line(_number(1), "X-Big: " + "a" * (limit + 10)))
        _refused_or_status(wire, 431)
    finally:
        wire.close()


def test_a_url_past_64_kib_is_refused(live_server) -> None:
    wire = Wire(live_server.base)
    try:
        with contextlib.suppress(ConnectionError):
            wire.send(b"GET /sparql?query=" + b"x" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        _refused_or_status(wire, 414)
    finally:
        wire.close()


def test_garbage_is_refused(live_server) -> None:
    for junk in (b"NOT HTTP\r\n\r\n", b"GET / HTTP/2.0\r\nHost: test\r\n\r\n"):
        wire = Wire(live_server.base)
        try:
            wire.send(junk)
            _refused_or_status(wire, 400)
        finally:
            wire.close()


# -- 4. form parsing equals urllib's ----------------------------------------------------------

ALPHABET = "%+=&\\ab09AFfgGxz é€ß日\n;/?#" + "0123456789abcdefABCDEF" * 2
HANDPICKED = [
    "",
    "&",
    "&&a=1&&",
    "a",
    "a=",
    "=",
    "=b",
    "a=1&a=2&b",
    "q=a+b%20c",
    "q=%",
    "q=%2",
    "q=%zz",
    "q=%%41",
    "q=%41%",
    "q=\\x41",
    "q=\\%41",
    "q=%5C%78%34%31",
    "q=%C3%A9",
    "q=%C3",
    "q=%C3é%A9",
    "q=%E2%82€",
    "q=%FF%FE",
    "q=é+%2B+%26+%3D",
    "%71uery=SELECT+*+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D",
    "a=b=c",
    "q=%0a%0D%00",
    "q=\\",
    "q=\\\\%",
]


def _generated(count: int) -> list[str]:
    rng = random.Random(20261126)
    texts = []
    for _ in range(count):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))
        if rng.random() < 0.2:
            text += "%" + rng.choice(["", "4", "e", "g"])  # a stray % at the end
        texts.append(text)
    return texts


def test_form_fields_and_unquote_plus_equal_urllib() -> None:
    for text in HANDPICKED + _generated(5000):
        assert unquote_plus(text) == urllib_unquote_plus(text), repr(text)
        assert form_fields(text) == parse_qs(text, keep_blank_values=True), repr(text)
    # Round trips of quoted values, too.
    rng = random.Random(7)
    for _ in range(500):
        value = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30)))
        assert unquote_plus(quote(value)) == value
        assert form_fields(urlencode({"query": value, "x": value})) == {
            "query": [value],
            "x": [value],
        }


# -- 5. a runaway query is killed in its query process; the worker stays -----------------------


def _children(pid: int) -> set[int]:
    return {child for child, fields in proc_stats() if int(fields[1]) == pid}


def _query_processes(workers: set[int]) -> set[int]:
    """The query processes (kg.executor) of these workers."""
    found = set()
    for worker in workers:
        for child in _children(worker):
            with contextlib.suppress(OSError):
                if b"kg.executor" in Path(f"/proc/{child}/cmdline").read_bytes():
                    found.add(child)
    return found


def _cpu(pid: int) -> float:
    try:
        return cpu_seconds(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split())
    except OSError:
        return 0.0


def _until(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_a_runaway_query_is_killed_and_its_process_replaced(seed_config, tmp_path) -> None:
    from conftest import run_kg_server
    from test_timeout import QUICK, RUNAWAY, busy_cores

    data_dir = tmp_path / "store"
    shutil.copytree(seed_config.data_dir, data_dir)
    with run_kg_server(data_dir, query_timeout=1, workers=2, query_processes=1) as server:
        main = server.process.pid
        assert _until(lambda: len(_children(main)) == 2, 20), "never 2 workers"
        workers = _children(main)
        # Each worker starts its query process at once (warm); wait for both.
        assert _until(lambda: len(_query_processes(workers)) == 2, 30), "no query processes"
        before = _query_processes(workers)
        outcome: dict[str, requests.Response] = {}

        def runaway() -> None:
            outcome["r"] = requests.get(server.sparql, params={"query": RUNAWAY}, timeout=60)

        thread = threading.Thread(target=runaway)
        thread.start()
        # The query process running it is the one burning CPU: the CPU each used, sampled until
        # the answer came (a killed process keeps its last sample).
        start = {pid: _cpu(pid) for pid in before}
        last = dict(start)
        while thread.is_alive():
            for pid in before:
                used = _cpu(pid)
                if used:
                    last[pid] = used
            time.sleep(0.05)
        thread.join(timeout=60)
        busy = {pid: last[pid] - start[pid] for pid in before if last[pid] - start[pid] >= 0.2}
        response = outcome["r"]
        assert response.status_code == 503
        assert response.text.startswith("503 Service Unavailable\n\n")
        assert "time limit" in response.text
        assert busy, "no query process was seen running the runaway query"
        ran_it = max(busy, key=busy.__getitem__)

        def replaced() -> bool:
            now = _query_processes(workers)
            return len(now) == 2 and ran_it not in now

        assert _until(replaced, 20), f"query processes {before}, now {_query_processes(workers)}"
        assert _children(main) == workers  # the web workers stayed: none exited or restarted
        quick = requests.get(server.sparql, params={"query": QUICK}, headers={"Accept": JSON})
        assert quick.status_code == 200
        assert int(json_values(quick.content, "n")[0]) > 0
        assert _until(lambda: busy_cores(server, 0.5) < 0.3, 15), "the server still uses CPU"
