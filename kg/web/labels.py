"""Labels of the IRIs a page shows, with the site's fallbacks (prefixed name, local path).

Labels found are kept per store version for every page of the process (`LabelCache`): an
entity, article or claim page shows the same few hundred names again and again, and looking
them up was a third of such a page's queries. A write changes the version, so nothing stale is
shown; the cache holds at most `MAX_LABELS` names and starts afresh when full.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from kg.browse.labels import labels
from kg.web.links import Site, curie

MAX_LABELS = 200_000


class LabelCache:
    """Names (or None: none found) of IRIs, for one store version at a time; shared by threads."""

    def __init__(self) -> None:
        self.version: str | None = None
        self.names: dict[str, str | None] = {}
        self.lock = threading.Lock()

    def get(self, version: str, iris: Iterable[str]) -> dict[str, str | None]:
        with self.lock:
            if version != self.version:
                return {}
            return {i: self.names[i] for i in iris if i in self.names}

    def put(self, version: str, found: dict[str, str | None]) -> None:
        with self.lock:
            if version != self.version or len(self.names) + len(found) > MAX_LABELS:
                self.version, self.names = version, {}
            self.names.update(found)


_cache = LabelCache()


class Labels:
    """Labels of the IRIs a page shows, fetched in one go, with fallbacks."""

    def __init__(self, store: Any, site: Site) -> None:
        self.store = store
        self.site = site
        self.found: dict[str, str] = {}
        self.looked: set[str] = set()

    def fetch(self, iris: Iterable[str]) -> None:
        """Look up the labels of these IRIs (English preferred)."""
        wanted = {i for i in iris if i not in self.looked}
        if not wanted:
            return
        version = getattr(self.store, "version", None)
        known = _cache.get(version, wanted) if isinstance(version, str) else {}
        missing = wanted - known.keys()
        fetched: dict[str, str | None] = dict.fromkeys(missing)
        if missing:
            fetched.update(labels(self.store, missing))
            if isinstance(version, str):
                _cache.put(version, fetched)
        for iri, name in (*known.items(), *fetched.items()):
            if name is not None:
                self.found[iri] = name
        self.looked |= wanted

    def __call__(self, iri: str) -> str:
        """The label of an IRI, else its prefixed name, else its path on this site, else itself."""
        if iri in self.found:
            return self.found[iri]
        short = curie(iri)
        if short:
            return short
        path = self.site.local_path(iri)
        return path.lstrip("/") if path else iri
