"""Labels of the IRIs a page shows, with the site's fallbacks (prefixed name, local path)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kg.browse.labels import labels
from kg.web.links import Site, curie


class Labels:
    """Labels of the IRIs a page shows, fetched in one go, with fallbacks."""

    def __init__(self, store: Any, site: Site) -> None:
        self.store = store
        self.site = site
        self.found: dict[str, str] = {}

    def fetch(self, iris: Iterable[str]) -> None:
        """Look up the labels of these IRIs (English preferred)."""
        self.found.update(labels(self.store, (i for i in iris if i not in self.found)))

    def __call__(self, iri: str) -> str:
        """The label of an IRI, else its prefixed name, else its path on this site, else itself."""
        if iri in self.found:
            return self.found[iri]
        short = curie(iri)
        if short:
            return short
        path = self.site.local_path(iri)
        return path.lstrip("/") if path else iri
