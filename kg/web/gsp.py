"""SPARQL 1.1 Graph Store HTTP Protocol at /store, with indirect and direct graph identification.

`?graph=IRI` names a graph, `?default` the default graph; neither means the whole dataset (GET
only, in TriG or N-Quads, as Oxigraph server does). A URL under /store/ names the graph whose IRI
is that URL (direct identification); the linked-data pages live elsewhere, so nothing collides.
GET/HEAD read (public; 404 for a missing graph); PUT replaces, POST adds (201 when it creates the
graph, else 204), DELETE removes (204; 404 when missing). A POST to /store with neither parameter
creates a new graph named by a new URL under /store/ and answers 201 with it in `Location`.
Writes need the bearer token. A body is one RDF document, or a `multipart/form-data` body of RDF
files, all added; it is parsed whole before anything is written and the write is one
transaction: a bad body is a 400 naming the line (and the part), nothing loaded.
"""

from __future__ import annotations

import uuid

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from kg.errors import DataError, NotFound
from kg.executor import Job
from kg.formats import GRAPH, Format, by_name
from kg.web import state
from kg.web.conneg import result_response
from kg.web.sparql import check_url, empty, request_base, require_writer

bp = Blueprint("gsp", __name__)

MULTIPART = "multipart/form-data"
READ_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
READ_DEFAULT = "CONSTRUCT WHERE { ?s ?p ?o }"
EXISTS = "ASK { GRAPH ?g { } }"


def _target(direct: bool) -> tuple[str | None, bool]:
    """(graph IRI or None for the default graph, whether the request names any graph)."""
    if direct:
        if "graph" in request.args or "default" in request.args:
            raise BadRequest("a graph's own URL names it: no ?graph= or ?default")
        return request_base(), True
    graphs = request.args.getlist("graph")
    default = "default" in request.args
    if len(graphs) > 1 or (graphs and default):
        raise BadRequest("name one graph: either ?graph=IRI or ?default")
    if not graphs:
        return None, default
    try:
        return ox.NamedNode(graphs[0]).value, True
    except ValueError:
        raise BadRequest(f"?graph must be an absolute IRI, not {graphs[0]!r}") from None


def _format(media_type: str, what: str) -> Format:
    fmt = by_name(media_type, GRAPH)
    if fmt is None:
        raise UnsupportedMediaType(
            f"unsupported RDF type {media_type or '(none)'!r} for {what}; send one of: "
            + ", ".join(f.media_type for f in GRAPH)
        )
    return fmt


def _parse(data: bytes, fmt: Format, base: str, what: str) -> list[ox.Triple]:
    """One RDF document parsed whole, or a 400 naming the line; quads in named graphs refused."""
    try:
        quads = list(ox.parse(data, fmt.ox, base_iri=base))
    except SyntaxError as err:
        raise DataError(str(err), what, getattr(err, "lineno", None)) from None
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise DataError("the body names graphs; send triples for the one target graph", what)
    return [q.triple for q in quads]


def _body(graph: str | None) -> list[ox.Triple]:
    """The request body parsed whole: one RDF document, or a `multipart/form-data` body whose
    every file part is one (each with its own Content-Type), all added to the target graph."""
    base = graph or request_base()
    if request.mimetype != MULTIPART:
        fmt = _format(request.mimetype or "", "the request body")
        return _parse(request.get_data(), fmt, base, "request body")
    if request.form:
        names = ", ".join(sorted(request.form))
        raise BadRequest(f"every part of a multipart body must be an RDF file; not: {names}")
    triples: list[ox.Triple] = []
    for name, part in request.files.items(multi=True):
        what = f"part {part.filename or name!r}"
        media_type = part.mimetype
        if media_type in ("", "application/octet-stream") and part.filename:
            guessed = by_name(part.filename.rsplit(".", 1)[-1], GRAPH)
            media_type = guessed.media_type if guessed else media_type
        triples += _parse(part.read(), _format(media_type, what), base, what)
    return triples


@bp.route("/store", methods=["GET", "PUT", "POST", "DELETE"])
@bp.route("/store/<path:rest>", methods=["GET", "PUT", "POST", "DELETE"], endpoint="direct")
def graph_store(rest: str | None = None) -> Response:
    """The graph store: /store?graph=IRI (indirect) or /store/... (the graph named by its URL)."""
    app_state = state()
    check_url(app_state.config)
    graph, named = _target(rest is not None)
    if request.method in ("GET", "HEAD"):
        if not named:  # the whole dataset, as Oxigraph server does
            job = Job("", accept=request.headers.get("Accept"), formats=_formats(), dump=True)
            return result_response(app_state.run(job))
        return _get(graph)
    require_writer(app_state.config)
    if request.method == "POST" and not named:
        # A new graph named by its own URL on this server (direct identification).
        graph = f"{request_base()}/{uuid.uuid4()}"
        triples = _body(graph)
        with app_state.writing() as store:
            store.post_graph(graph, triples)
        return empty(201, {"Location": graph})
    if not named:
        raise BadRequest("name a graph: ?graph=IRI or ?default")
    if request.method == "DELETE":
        with app_state.writing() as store:
            store.delete_graph(graph)
        return empty(204)
    triples = _body(graph)
    with app_state.writing() as store:
        write = store.put_graph if request.method == "PUT" else store.post_graph
        created = write(graph, triples)
    return empty(201 if created else 204)


def _formats() -> list[str]:
    return request.args.getlist("format")


def _get(graph: str | None) -> Response:
    app_state = state()
    subs = None if graph is None else {"g": ox.NamedNode(graph)}
    if graph is not None and not app_state.ask(EXISTS, subs):
        raise NotFound(f"no graph {graph}")
    job = Job(
        READ_DEFAULT if graph is None else READ_GRAPH,
        union=False,
        accept=request.headers.get("Accept"),
        formats=_formats(),
        substitutions=subs,
        result_limit=0,  # a graph is returned whole, however large: it streams
    )
    return result_response(app_state.run(job))
