"""Pages made once per store version: a page's response is kept (per process, LRU, bounded in
bytes by the `page_cache_bytes` setting) under the store version, the full URL and what the
client asked for, and served again until a write changes the version. An entity, article or
claim page at 1M quads is 15-25 small queries; a named-query page, a label lookup of a hundred
rows. Made once, each is then a lookup.

Only successful, whole (not streamed) answers of the site's own pages are kept; the finding
pages (search, tables, pictures) are not: they read the site index, which may be rebuilt after
the store changes (kg.search), and cost a few lookups anyway.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask, Response, request

from kg.web import state

MAX_ENTRY = 2 * 2**20
SKIPPED = ("/search", "/claims", "/entities", "/network", "/timeline", "/assets/")
HEADERS_KEPT = ("Content-Type", "Link", "Vary", "Content-Disposition")


@dataclass(frozen=True)
class Kept:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class PageCache:
    """A thread-safe LRU of responses bounded by bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.entries: OrderedDict[tuple[str, ...], Kept] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> Kept | None:
        with self.lock:
            kept = self.entries.get(key)
            if kept is not None:
                self.entries.move_to_end(key)
            return kept

    def put(self, key: tuple[str, ...], kept: Kept) -> None:
        if len(kept.body) > min(MAX_ENTRY, self.max_bytes):
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self.entries[key] = kept
            self.size += len(kept.body)
            while self.size > self.max_bytes:
                _, evicted = self.entries.popitem(last=False)
                self.size -= len(evicted.body)


def _key() -> tuple[str, ...] | None:
    if request.method != "GET" or request.path.startswith(SKIPPED):
        return None
    try:
        version = state().store.version
    except Exception:  # noqa: BLE001 - no version, no cache: the page is made as ever
        return None
    return (
        version,
        request.url,
        request.script_root,
        request.headers.get("Accept", ""),
    )


def install(app: Flask, max_bytes: int, blueprint_name: str = "pages") -> None:
    """Serve the blueprint's pages from the cache, and keep what it makes (`max_bytes` at most;
    0: nothing is kept)."""
    if max_bytes <= 0:
        return
    cache = PageCache(max_bytes)
    app.extensions["kg.pages"] = cache

    @app.before_request
    def _served() -> Response | None:
        if request.blueprint != blueprint_name:
            return None
        key = _key()
        request.environ["kg.page_key"] = key
        if key is None:
            return None
        kept = cache.get(key)
        if kept is None:
            return None
        response = Response(kept.body, kept.status, headers=list(kept.headers))
        request.environ["kg.page_key"] = None  # served: nothing to keep again
        return response

    @app.after_request
    def _keep(response: Response) -> Response:
        key = request.environ.get("kg.page_key")
        if key is None or response.status_code != 200 or response.is_streamed:
            return response
        if "Content-Encoding" in response.headers:
            return response
        headers = tuple((k, v) for k, v in response.headers.items() if k in HEADERS_KEPT)
        cache.put(key, Kept(response.status_code, headers, response.get_data()))
        return response
