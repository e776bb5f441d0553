"""Our IRIs and the site's URLs, both ways (like Pubby): request path P <-> base IRI + P."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from kg.namespaces import GC, ONTOLOGY_IRI, PREFIXES

# The first path segment of every data IRI the project mints (ontology/README.md, "IRIs").
DATA_ROOTS = (
    "entity",
    "article",
    "claim",
    "proposition",
    "reference",
    "source",
    "review",
    "rule",  # kg check's rules, named by the reviews (rdfs:label, rdfs:comment in graph/reviews)
    "graph",
    "agent",  # the project itself as the author of the reviews (agent/geoclaims)
    "software",  # the software that loaded each article (software/geoclaims/VERSION)
    "identifier",  # an entity's code in another dataset, with its validity (issue 14)
)
# Characters left as they are in a local URL path (IRIs may carry them; the browser copes).
_SAFE = "/:@!$&'()*+,;=-._~"
# Longest namespace first, so gcs: wins over gc:.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


@dataclass(frozen=True)
class Site:
    """Maps IRIs to local URLs and back, for one base IRI and one script root."""

    base_iri: str
    root: str  # the app's script root ("" or "/prefix"), no trailing slash

    def iri_for_path(self, path: str) -> str:
        """The IRI a request path (under the script root, starting with '/') stands for."""
        rest = path.lstrip("/")
        if rest == "ontology":
            return ONTOLOGY_IRI
        if rest.startswith("ontology/"):
            return GC + rest[len("ontology/") :]
        return self.base_iri + rest

    def local_path(self, iri: str) -> str | None:
        """The path (under the script root) serving this IRI, or None when it is not ours."""
        iri, _, fragment = iri.partition("#")
        suffix = "#" + quote(fragment, safe=_SAFE) if fragment else ""
        if iri == ONTOLOGY_IRI:
            return "/ontology" + suffix
        if iri.startswith(GC) and len(iri) > len(GC):
            return "/ontology/" + quote(iri[len(GC) :], safe=_SAFE) + suffix
        if iri.startswith(self.base_iri):
            rest = iri[len(self.base_iri) :]
            if rest.split("/", 1)[0] in DATA_ROOTS and "/" in rest:
                return "/" + quote(rest, safe=_SAFE) + suffix
        return None

    def href(self, iri: str) -> str | None:
        """Where a link to this IRI goes: our page, else the IRI if it is http(s), else nowhere."""
        path = self.local_path(iri)
        if path is not None:
            return self.root + path
        # Data may hold any scheme (javascript:, data:, ...): only web IRIs become links.
        return iri if iri.lower().startswith(("http://", "https://")) else None

    def is_ours(self, iri: str) -> bool:
        """True when the site serves a page for this IRI."""
        return self.local_path(iri) is not None


def curie(iri: str) -> str | None:
    """The prefixed name of an IRI in one of the project's namespaces, if it has a clean one."""
    for prefix, ns in _BY_LENGTH:
        if iri.startswith(ns):
            local = iri[len(ns) :]
            if local and all(c.isalnum() or c in "_-./" for c in local):
                return f"{prefix}:{local}"
    return None
