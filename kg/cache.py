"""Result cache for SPARQL query answers: a bounded LRU keyed by the query and the store version.

The graph is read-mostly, so an answer can be reused for as long as the store does not change.
The key holds everything the answer depends on: the query text, the dataset parameters
(`default-graph-uri`, `named-graph-uri`, union), what the client asked for (`Accept`, `format=`,
which decide the media type) and the store's version token, which every write changes. A write
therefore makes every old entry unreachable: nothing stale is ever served, and old entries age
out of the LRU. The same key gives a strong `ETag`, so `If-None-Match` is answered 304 without
running the query, even when the body itself is not (or no longer) cached.

Bounds: at most `cache_size` entries (0 switches the cache off; ETags and 304s stay on) and
`cache_bytes` bytes in all; one answer is kept only if it is at most 1/16 of the byte budget.
Large answers are never buffered for the cache: they stream as before, and a streamed answer is
copied aside only while it stays under the per-entry limit.

Each `kg serve` worker process has its own cache (no shared memory between workers): with 2
workers, a hot query is run at most twice per store version.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, request

from kg.config import Config
from kg.executor import Job, Result
from kg.formats import Format
from kg.store import stat_version

VARY = "Accept, Accept-Encoding"  # replaces result_response's Vary: Accept
ENTRY_SHARE = 16  # one entry may take at most this fraction (1/16) of the byte budget


@dataclass(frozen=True)
class Entry:
    """A cached answer: its format and its bytes (before any Content-Encoding)."""

    format: Format
    body: bytes


class ResultCache:
    """A thread-safe LRU of answers bounded by entry count and total bytes."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max(max_entries, 0)
        self.max_bytes = max(max_bytes, 0)
        self.entry_limit = self.max_bytes // ENTRY_SHARE
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.entry_limit > 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        """Bytes of answers held now."""
        return self._bytes

    def get(self, key: str) -> Entry | None:
        """The entry for a key (now the most recently used), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: str, entry: Entry) -> bool:
        """Keep an entry if it fits; evict the least recently used beyond the bounds."""
        if not self.enabled or len(entry.body) > self.entry_limit:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += len(entry.body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)
        return True


def cache_key(job: Job, version: str) -> str:
    """A digest of everything an answer depends on (also its ETag)."""
    parts = [
        job.sparql,
        "\x1f".join(job.default_graph) if job.default_graph is not None else "\x00",
        "\x1f".join(job.named_graphs) if job.named_graphs is not None else "\x00",
        "union" if job.union else "default",
        job.accept or "",
        "\x1f".join(job.formats),
        str(job.result_limit),
        job.base_iri or "",
        version,
    ]
    return hashlib.sha256("\x1e".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _cache(config: Config) -> ResultCache:
    """This worker's cache (made on first use; a race makes two, of which one is kept)."""
    found = current_app.extensions.get("kg_cache")
    if found is None:
        found = current_app.extensions.setdefault(
            "kg_cache", ResultCache(config.cache_size, config.cache_bytes)
        )
    return found


def _etag(key: str) -> str:
    # Gzip (applied after this, by kg.web.conneg) changes the bytes: a strong ETag names them.
    gzip = request.accept_encodings["gzip"] > 0
    return key + ("-gz" if gzip else "")


def cache_control(config: Config) -> str:
    """The Cache-Control of query answers: revalidate (cheap with the ETag), or a max-age."""
    if config.cache_max_age > 0:
        return f"public, max-age={config.cache_max_age}"
    return "no-cache"


def answer_headers(fmt: Format, etag: str, config: Config) -> list[tuple[str, str]]:
    """The headers of a query answer (kg.server's fast path sends exactly these too)."""
    return [
        ("Content-Type", fmt.content_type),
        ("ETag", f'"{etag}"'),
        ("Vary", VARY),
        ("Cache-Control", cache_control(config)),
    ]


def _headers(response: Response, etag: str, config: Config) -> Response:
    # Plain strings: werkzeug's header objects (vary, cache_control) cost ~0.1 ms per request.
    headers = response.headers
    headers["ETag"] = f'"{etag}"'
    headers["Vary"] = VARY
    headers["Cache-Control"] = cache_control(config)
    return response


@dataclass(frozen=True)
class Lookup:
    """What `lookup` found: a response to send now (304 or cached), or None; the key for later."""

    response: Response | None
    key: str
    version: str


def store_version(store: Any) -> str:
    """The store's version token; for an on-disk store re-read only when its file changed."""
    data_dir = getattr(store, "data_dir", None)
    if not isinstance(data_dir, str) or data_dir == ":memory:":
        return store.version
    return stat_version(data_dir)


def lookup(app_state: Any, job: Job) -> Lookup:
    """Before running a query: a 304 or a cached answer if there is one."""
    config = app_state.config
    version = store_version(app_state.store)
    key = cache_key(job, version)
    etag = _etag(key)
    if request.method in ("GET", "HEAD") and request.if_none_match.contains_weak(etag):
        return Lookup(_headers(Response(status=304), etag, config), key, version)
    entry = _cache(config).get(key) if config.cache_size > 0 else None
    if entry is None:
        return Lookup(None, key, version)
    response = Response(entry.body, content_type=entry.format.content_type)
    return Lookup(_headers(response, etag, config), key, version)


class _Tee:
    """Passes a streamed answer through, keeping a copy while it stays small enough to cache."""

    def __init__(self, source: Iterable[bytes], done: Any, limit: int) -> None:
        self.source, self.done, self.limit = source, done, limit
        self.kept: list[bytes] | None = []
        self.size = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.source:
            if self.kept is not None:
                self.size += len(chunk)
                if self.size > self.limit:
                    self.kept = None  # too big: stop copying, keep streaming
                else:
                    self.kept.append(chunk)
            yield chunk
        if self.kept is not None:
            self.done(b"".join(self.kept))

    def close(self) -> None:
        close = getattr(self.source, "close", None)
        if close is not None:
            close()


def remember(app_state: Any, found: Lookup, result: Result, response: Response) -> Response:
    """After running a query: cache the answer if small, and add ETag / Cache-Control / Vary."""
    config = app_state.config
    key = found.key
    _headers(response, _etag(key), config)
    if config.cache_size <= 0 or response.status_code != 200:
        return response
    cache = _cache(config)

    def done(body: bytes) -> None:
        # A write during the query may or may not be in this answer: keep it only if none came.
        if store_version(app_state.store) == found.version:
            cache.put(key, Entry(result.format, body))

    if result.body is not None:
        done(result.body)
    else:
        response.response = _Tee(response.response, done, cache.entry_limit)
    return response
