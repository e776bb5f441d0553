"""SPARQL 1.1 Graph Store HTTP Protocol at /store, with indirect graph identification.

`?graph=IRI` names a graph, `?default` the default graph; neither means the whole dataset (GET
only, in TriG or N-Quads, as Oxigraph server does). GET/HEAD read (public; 404 for a missing
graph); PUT replaces, POST adds (201 when it creates the graph, else 204), DELETE removes (204;
404 when missing). A POST to /store with neither parameter creates a new graph and answers 201
with its IRI in `Location`. Writes need the bearer token. A body is parsed whole before anything
is written and the write is one transaction: a bad body is a 400 naming the line, nothing loaded.
"""

from __future__ import annotations

import uuid

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from kg.errors import DataError, NotFound
from kg.executor import Job
from kg.formats import GRAPH, by_name
from kg.web import state
from kg.web.conneg import result_response
from kg.web.sparql import check_url, require_writer

bp = Blueprint("gsp", __name__)

READ_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
READ_DEFAULT = "CONSTRUCT WHERE { ?s ?p ?o }"
EXISTS = "ASK { GRAPH ?g { } }"


def _target() -> tuple[str | None, bool]:
    """(graph IRI or None for the default graph, whether the request names any graph)."""
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


def _body(graph: str | None) -> list[ox.Triple]:
    """The request body parsed whole, or a 400 naming the line; quads in named graphs refused."""
    fmt = by_name(request.mimetype or "", GRAPH)
    if fmt is None:
        raise UnsupportedMediaType(
            f"unsupported RDF type {request.mimetype or '(none)'!r}; send one of: "
            + ", ".join(f.media_type for f in GRAPH)
        )
    base = graph or request.base_url
    try:
        quads = list(ox.parse(request.get_data(), fmt.ox, base_iri=base))
    except SyntaxError as err:
        raise DataError(str(err), "request body", getattr(err, "lineno", None)) from None
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise DataError(
            "the body names graphs; send triples for the one target graph", "request body"
        )
    return [q.triple for q in quads]


@bp.route("/store", methods=["GET", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    """The graph store."""
    app_state = state()
    check_url(app_state.config)
    graph, named = _target()
    if request.method in ("GET", "HEAD"):
        if not named:  # the whole dataset, as Oxigraph server does
            job = Job("", accept=request.headers.get("Accept"), formats=_formats(), dump=True)
            return result_response(app_state.run(job))
        return _get(graph)
    require_writer(app_state.config)
    if request.method == "POST" and not named:
        graph = f"{app_state.config.base_iri}graph/uploaded/{uuid.uuid4()}"
        triples = _body(graph)
        with app_state.writing() as store:
            store.post_graph(graph, triples)
        return Response(status=201, headers={"Location": graph})
    if not named:
        raise BadRequest("name a graph: ?graph=IRI or ?default")
    if request.method == "DELETE":
        with app_state.writing() as store:
            store.delete_graph(graph)
        return Response(status=204)
    triples = _body(graph)
    with app_state.writing() as store:
        write = store.put_graph if request.method == "PUT" else store.post_graph
        created = write(graph, triples)
    return Response(status=201 if created else 204)


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
