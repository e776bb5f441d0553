"""The query editor: vendored YASGUI, offline, with our prefixes and named queries as examples."""

from __future__ import annotations

from flask import Response, request

from kg.namespaces import GC, ONTOLOGY_IRI, PREFIXES
from kg.web.links import DATA_ROOTS
from kg.web.pages import CSP, page, secure, state
from kg.web.querypages import catalogue_or_none

# CodeMirror and YASR set style attributes on the elements they draw; scripts stay 'self' only.
EDITOR_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
DEFAULT_QUERY = "SELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n}\nLIMIT 10\n"


def editor_config(endpoint: str, query: str | None) -> dict:
    """What the page's script needs: endpoint, prefixes, examples and a query to start with."""
    prefix_lines = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    examples = [
        {"name": q.name, "title": q.title, "description": q.description, "query": q.text}
        for q in (catalogue_or_none(state().config) or [])
    ]
    return {
        # Result IRIs we mint link to their pages here (as the site's own links do).
        "base": state().config.base_iri,
        "root": request.script_root.rstrip("/"),
        "roots": list(DATA_ROOTS),
        "ontology": GC,
        "ontologyIri": ONTOLOGY_IRI,
        "endpoint": endpoint,
        "prefixes": PREFIXES,
        "query": query or prefix_lines + "\n" + DEFAULT_QUERY,
        "examples": examples,
    }


def editor_page() -> Response:
    """The YASGUI page (GET /sparql from a browser); `?query=` pre-fills the editor."""
    endpoint = request.url_root + "sparql"
    config = editor_config(endpoint, request.args.get("query"))
    response = page("editor.html", config=config, title="SPARQL query editor", endpoint=endpoint)
    response.headers["Content-Security-Policy"] = EDITOR_CSP
    return secure(response, EDITOR_CSP)
