"""The least a Python SPARQL endpoint on granian can do per query (bench only): the floor.

One WSGI function: read the POSTed form, run the query on the read-only store (union default
graph), answer SPARQL JSON. No Host or size checks, no timeout, no result cap, no cache, no
query process, no Flask: what is left is granian's WSGI call and pyoxigraph's own work, so its
rate is the most any design of kg serve on granian could reach. `FLOOR_HANDOFF=1` reads the
body on a reader thread with a deadline, as kg.server.app does (its cost, measured apart).
`asgi_app` is the same on granian's ASGI interface, the body read with a deadline in the event
loop (`--interface asgi ... bench.floor:asgi_app`). `proxy_app` is the least a Python front of a
remote store does (`FLOOR_UPSTREAM=http://host:port/query`; bench/run.py starts it with
`FLOOR_HANDOFF=1`, the body deadline kept): the POSTed body sent on as it is with pycurl (a
keep-alive connection per thread), the store's answer and content type passed back.

FLOOR_STORE=bench/out/kg-store-1000k python -m granian --interface wsgi --workers 2 \
    --blocking-threads 16 bench.floor:app
"""

from __future__ import annotations

import asyncio
import io
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs

import pycurl
import pyoxigraph as ox

STORE = ox.Store.read_only(os.environ["FLOOR_STORE"]) if "FLOOR_STORE" in os.environ else None
READERS = ThreadPoolExecutor(64) if os.environ.get("FLOOR_HANDOFF") == "1" else None
JSON = ox.QueryResultsFormat.JSON


def _answer(query: str) -> tuple[bytes, str]:
    """The query's answer: solutions and booleans as SPARQL JSON, graphs as N-Triples."""
    assert STORE is not None
    results = STORE.query(query, use_default_graph_as_union=True)
    if isinstance(results, ox.QueryTriples):
        return results.serialize(format=ox.RdfFormat.N_TRIPLES) or b"", "application/n-triples"
    return results.serialize(format=JSON) or b"", "application/sparql-results+json"


def _body(environ: dict[str, Any]) -> bytes:
    wanted = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ["wsgi.input"]
    if READERS is None:
        return stream.read(wanted)
    return READERS.submit(stream.read, wanted).result(30)


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    form = parse_qs(environ.get("QUERY_STRING", "") or _body(environ).decode())
    try:
        answer, kind = _answer(form["query"][0])
    except (KeyError, SyntaxError, OSError) as err:
        start_response("400 Bad Request", [("Content-Type", "text/plain")])
        return [str(err).encode()]
    start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(answer)))])
    return [answer]


async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    chunks = []
    async with asyncio.timeout(30):
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
    form = parse_qs(scope.get("query_string", b"").decode() or b"".join(chunks).decode())
    try:
        answer, kind = _answer(form["query"][0])
        status = 200
    except (KeyError, SyntaxError, OSError) as err:
        answer, status, kind = str(err).encode(), 400, "text/plain"
    headers = [(b"content-type", kind.encode()), (b"content-length", str(len(answer)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": answer})


_CURL = threading.local()


def proxy_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    curl = getattr(_CURL, "handle", None)
    if curl is None:
        curl = _CURL.handle = pycurl.Curl()
    query_string = environ.get("QUERY_STRING", "")
    url = os.environ["FLOOR_UPSTREAM"] + ("?" + query_string if query_string else "")
    answer, kind = io.BytesIO(), []
    curl.setopt(pycurl.URL, url)
    if environ["REQUEST_METHOD"] == "POST":
        curl.setopt(pycurl.POSTFIELDS, _body(environ))
        types = [f"Content-Type: {environ.get('CONTENT_TYPE', '')}"]
    else:
        curl.setopt(pycurl.HTTPGET, 1)
        types = []
    accept = environ.get("HTTP_ACCEPT")
    curl.setopt(pycurl.HTTPHEADER, types + ([f"Accept: {accept}"] if accept else []))
    curl.setopt(pycurl.WRITEDATA, answer)
    curl.setopt(
        pycurl.HEADERFUNCTION,
        lambda line: (
            kind.append(line.split(b":", 1)[1].strip().decode())
            if line.lower().startswith(b"content-type:")
            else None
        ),
    )
    curl.perform()
    status = curl.getinfo(pycurl.RESPONSE_CODE)
    body = answer.getvalue()
    start_response(
        f"{status} X",
        [("Content-Type", kind[-1] if kind else "text/plain"), ("Content-Length", str(len(body)))],
    )
    return [body]
