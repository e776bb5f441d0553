"""The SPARQL query fast path: plain query requests answered without Flask.

Most requests an endpoint gets are plain queries: GET or POST (form or `application/sparql-query`)
to /sparql or /query with one `query`, optional `default-graph-uri` / `named-graph-uri` /
`format`, no `Origin`, no conditional header, no gzip, not from a browser. For those the answer
is exactly what `kg.web.sparql` would send (same job, same cache key and ETag, same headers, same
error shape), at a fraction of the cost: a cached answer is written at once, a miss runs in the
connection's thread straight into the socket (`LocalReads.execute`). Everything else goes to the
Flask app. At `query_timeout` the worker's watchdog answers 503 for a request still waiting, and
retires the process if the query still runs.
"""

from __future__ import annotations

import codecs
import contextlib
from typing import Any
from urllib.parse import unquote_to_bytes

from kg.cache import Entry, ResultCache, answer_headers, cache_key, store_version
from kg.config import Config
from kg.errors import KGError
from kg.formats import GRAPH, RESULTS, by_name
from kg.guard import Limits
from kg.inprocess import LocalReads
from kg.jobs import Job
from kg.server.http import Reply, Request
from kg.web.errors import TEXT, error_text
from kg.web.sparql import valid_host

PATHS = frozenset({"/sparql", "/query"})
FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
_LEAVE = ("origin", "if-none-match", "if-match", "if-modified-since", "authorization")


def unquote_plus(text: str) -> str:
    """`urllib.parse.unquote_plus`, with the percent-decoding done in C where it can be."""
    if "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    raw = text.encode("utf-8")
    try:
        # %XX -> \xXX, decoded by the C codec (original backslashes doubled first).
        decoded = codecs.escape_decode(raw.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0]
    except ValueError:  # a % not followed by two hex digits: the slow, lenient way
        decoded = unquote_to_bytes(raw)
    return decoded.decode("utf-8", "replace")  # type: ignore[union-attr]


def form_fields(text: str) -> dict[str, list[str]]:
    """`parse_qs(text, keep_blank_values=True)`, faster on long queries."""
    fields: dict[str, list[str]] = {}
    for part in text.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        fields.setdefault(unquote_plus(name), []).append(unquote_plus(value))
    return fields


class QueryPath:
    """Plans, caches and runs plain query requests for one worker."""

    def __init__(self, app: Any, config: Config, reads: LocalReads | None) -> None:
        self.config = config
        self.limits = Limits.of(config)
        self.app_state = app.extensions["kg"]
        self.reads = reads
        self.cache: ResultCache = app.extensions.setdefault(
            "kg_cache", ResultCache(config.cache_size, config.cache_bytes)
        )

    def plan(self, request: Request) -> tuple[Job, str, str] | None:
        """(job, cache key, store version) for a plain query request, else None."""
        method = request.method
        if method not in ("GET", "POST") or request.path not in PATHS:
            return None
        headers = request.headers
        if any(name in headers for name in _LEAVE):
            return None
        if "gzip" in headers.get("accept-encoding", "").lower():
            return None
        accept = headers.get("accept")
        if accept is not None and "html" in accept:
            return None  # a browser may want the editor page, and errors as HTML
        if len(request.query_string) > self.config.max_body or request.oversize:
            return None
        params = form_fields(request.query_string)
        queries = params.get("query", [])
        if method == "POST":
            kind = headers.get("content-type", "").split(";")[0].strip().lower()
            if kind == FORM:
                form = form_fields(request.body.decode("utf-8", "replace"))
                for key, values in form.items():
                    if key == "query":
                        queries = queries + values
                    else:
                        params.setdefault(key, []).extend(values)
            elif kind == QUERY_BODY:
                queries = [*queries, request.body.decode("utf-8", "replace")]
            else:
                return None
        if len(queries) != 1 or "update" in params:
            return None
        host = headers.get("host", "")
        if not valid_host(host) or self.config.trust_proxy:
            return None  # Flask answers: the 400, or the URL as the proxy gives it
        default_graphs = params.get("default-graph-uri", [])
        named_graphs = params.get("named-graph-uri", [])
        given = bool(default_graphs or named_graphs)
        job = Job(
            queries[0],
            default_graph=default_graphs if given else None,
            named_graphs=named_graphs if given else None,
            union=self.config.union_default_graph,
            accept=accept,
            formats=params.get("format", []),
            result_limit=self.config.result_limit,
            limits=self.limits,
            base_iri=f"http://{host}{request.path}",
        )
        version = store_version(self.app_state.store)
        return job, cache_key(job, version), version

    def hit(self, reply: Reply, key: str) -> bool:
        """Answer from the cache if the answer is there."""
        if self.config.cache_size <= 0:
            return False
        entry = self.cache.get(key)
        if entry is None:
            return False
        reply.whole("200 OK", answer_headers(entry.format, key, self.config), entry.body)
        return True

    def answer(
        self, reply: Reply, job: Job, key: str, version: str, deadline: float | None
    ) -> None:
        """Run the query in this thread and write the answer as it comes."""
        assert self.reads is not None
        config = self.config
        kept: list[bytes] | None = [] if config.cache_size > 0 else None
        size = 0
        headers: list[tuple[str, str]] = []
        fmt: list[Any] = []

        def send(fmt_name: str | None, data: bytes, last: bool) -> None:
            nonlocal kept, size
            if fmt_name is not None:
                found = by_name(fmt_name, RESULTS + GRAPH)
                fmt.append(found)
                headers.extend(answer_headers(found, key, config))
                if last:  # the whole answer in one piece: one write, with a length
                    reply.whole("200 OK", headers, data)
                    self._keep(key, version, found, data)
                    return
                reply.start("200 OK", headers)
            reply.write(data)
            if kept is not None:
                size += len(data)
                if size > self.cache.entry_limit:
                    kept = None
                else:
                    kept.append(data)
            if last:
                reply.end()
                if kept is not None:
                    self._keep(key, version, fmt[0], b"".join(kept))

        try:
            self.reads.execute(job, send, deadline)
        except KGError as err:
            self._fail(reply, err)
        except OSError:
            pass  # the client left, or the deadline answered for us
        except Exception as err:  # noqa: BLE001 - a request thread must always answer
            self._fail(reply, KGError(f"the query failed: {err}"))

    def _keep(self, key: str, version: str, fmt: Any, body: bytes) -> None:
        # A write during the query may or may not be in this answer: keep it only if none came.
        if self.config.cache_size > 0 and store_version(self.app_state.store) == version:
            self.cache.put(key, Entry(fmt, body))

    def _fail(self, reply: Reply, err: KGError) -> None:
        if reply.started:
            reply.cut()  # visibly incomplete: no last chunk
            return
        status, body = error_text(err.http_status, err.message)
        with contextlib.suppress(OSError):
            reply.whole(status, [("Content-Type", TEXT)], body)


TIMEOUT_MESSAGE = "the query ran past the time limit and was stopped"
