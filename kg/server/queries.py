"""The SPARQL query fast path: plain query requests answered without Flask.

Most requests an endpoint gets are plain queries: GET or POST (form or `application/sparql-query`)
to /sparql or /query with one `query`, optional `default-graph-uri` / `named-graph-uri` /
`format`, no `Origin`, no conditional header, no gzip, not from a browser. For those the answer
is exactly what `kg.web.sparql` would send (same job, same cache key and ETag, same headers, same
error shape), at a fraction of the cost: a cached answer is returned at once, a miss runs through
the app's executor (killable query processes, kg.executor: 503 at `query_timeout`) and streams
back as it comes. Everything else goes to the Flask app.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from kg.cache import Entry, ResultCache, answer_headers, cache_key, store_version
from kg.config import Config
from kg.errors import KGError
from kg.guard import Limits
from kg.jobs import Job, Result
from kg.web.errors import TEXT, error_text
from kg.web.sparql import valid_host

PATHS = frozenset({"/sparql", "/query"})
FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
_LEAVE = (
    "HTTP_ORIGIN",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_AUTHORIZATION",
)


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

    def __init__(self, app: Any, config: Config) -> None:
        self.config = config
        self.limits = Limits.of(config)
        self.app_state = app.extensions["kg"]
        self.cache: ResultCache = app.extensions.setdefault(
            "kg_cache", ResultCache(config.cache_size, config.cache_bytes)
        )

    def plan(self, environ: dict[str, Any], body: bytes) -> tuple[Job, str, str] | None:
        """(job, cache key, store version) for a plain query request, else None."""
        method = environ["REQUEST_METHOD"]
        if method not in ("GET", "POST") or environ.get("PATH_INFO") not in PATHS:
            return None
        if any(name in environ for name in _LEAVE):
            return None
        if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "").lower():
            return None
        accept = environ.get("HTTP_ACCEPT")
        if accept is not None and "html" in accept:
            return None  # a browser may want the editor page, and errors as HTML
        query_string = environ.get("QUERY_STRING", "")
        if len(query_string) > self.config.max_body:
            return None
        params = form_fields(query_string)
        queries = params.get("query", [])
        if method == "POST":
            kind = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
            if kind == FORM:
                form = form_fields(body.decode("utf-8", "replace"))
                for key, values in form.items():
                    if key == "query":
                        queries = queries + values
                    else:
                        params.setdefault(key, []).extend(values)
            elif kind == QUERY_BODY:
                queries = [*queries, body.decode("utf-8", "replace")]
            else:
                return None
        if len(queries) != 1 or "update" in params:
            return None
        host = environ.get("HTTP_HOST", "")
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
            base_iri=f"{environ.get('wsgi.url_scheme', 'http')}://{host}{environ['PATH_INFO']}",
        )
        version = store_version(self.app_state.store)
        return job, cache_key(job, version), version

    def answer(
        self, environ: dict[str, Any], body: bytes, start_response: Callable[..., Any]
    ) -> Iterable[bytes] | None:
        """The answer to a plain query request (cached or run now), else None (for Flask)."""
        plan = self.plan(environ, body)
        if plan is None:
            return None
        job, key, version = plan
        config = self.config
        if config.cache_size > 0:
            entry = self.cache.get(key)
            if entry is not None:
                start_response("200 OK", self._headers(entry.format, key, len(entry.body)))
                return [entry.body]
        try:
            result = self.app_state.run(job)
        except KGError as err:
            return self._fail(start_response, err)
        if result.body is not None:
            self._keep(key, version, result, result.body)
            start_response("200 OK", self._headers(result.format, key, len(result.body)))
            return [result.body]
        start_response("200 OK", answer_headers(result.format, key, config))
        return self._stream(result, key, version)

    def _headers(self, fmt: Any, key: str, length: int) -> list[tuple[str, str]]:
        return [*answer_headers(fmt, key, self.config), ("Content-Length", str(length))]

    def _stream(self, result: Result, key: str, version: str) -> Iterator[bytes]:
        # An error once the answer has begun (the cap, the deadline) raises here: the server
        # then cuts the connection without the last chunk, so the client sees it incomplete.
        kept: list[bytes] | None = [] if self.config.cache_size > 0 else None
        size = 0
        try:
            for chunk in result.chunks:
                if kept is not None:
                    size += len(chunk)
                    if size > self.cache.entry_limit:
                        kept = None
                    else:
                        kept.append(chunk)
                yield chunk
        finally:
            close = getattr(result.chunks, "close", None)
            if close is not None:
                close()
        if kept is not None:
            self._keep(key, version, result, b"".join(kept))

    def _keep(self, key: str, version: str, result: Result, body: bytes) -> None:
        # A write during the query may or may not be in this answer: keep it only if none came.
        if self.config.cache_size > 0 and store_version(self.app_state.store) == version:
            self.cache.put(key, Entry(result.format, body))

    def _fail(self, start_response: Callable[..., Any], err: KGError) -> list[bytes]:
        status, text = error_text(err.http_status, err.message)
        start_response(status, [("Content-Type", TEXT), ("Content-Length", str(len(text)))])
        return [text]
