"""SPARQL 1.1 Protocol at /sparql (with /query and /update as aliases): query, update, description.

Query by GET, POST form or POST `application/sparql-query`; update by POST form or POST
`application/sparql-update`. A request carries exactly one operation (two is a 400). A GET with
no operation answers the Service Description, or the query page when a browser asks.
"""

from __future__ import annotations

import hmac
import importlib.util

from flask import Blueprint, Response, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import (
    BadRequest,
    MethodNotAllowed,
    RequestURITooLarge,
    UnsupportedMediaType,
)

from kg import cache
from kg.config import Config
from kg.errors import Forbidden, Unauthorized
from kg.executor import Job
from kg.formats import prefers_html
from kg.web import state
from kg.web.conneg import result_response

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"


def check_url(config: Config) -> None:
    """Refuse query strings longer than the body limit."""
    if len(request.query_string) > config.max_body:
        raise RequestURITooLarge(f"the URL is longer than {config.max_body} bytes: use POST")


def require_writer(config: Config) -> None:
    """Writes need the configured bearer token: 403 when writes are off or the token is wrong."""
    if not config.token:
        raise Forbidden("writes are switched off (start the server with KG_TOKEN to enable them)")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Unauthorized("this operation needs 'Authorization: Bearer <token>'")
    if not hmac.compare_digest(given.strip().encode(), config.token.encode()):
        raise Forbidden("wrong token")


def _operation() -> tuple[str | None, str | None, MultiDict[str, str]]:
    """(query, update, parameters) from the URL and the body, checking there is at most one."""
    params: MultiDict[str, str] = MultiDict(request.args)
    queries = params.getlist("query")
    updates = params.getlist("update")
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == FORM:
            form = request.form
            queries += form.getlist("query")
            updates += form.getlist("update")
            for key, values in form.lists():
                if key not in ("query", "update"):
                    params.setlist(key, params.getlist(key) + values)
        elif mimetype == QUERY_BODY:
            queries.append(request.get_data(as_text=True))
        elif mimetype == UPDATE_BODY:
            updates.append(request.get_data(as_text=True))
        else:
            raise UnsupportedMediaType(
                f"unsupported body type {mimetype or '(none)'!r}; "
                f"send {FORM}, {QUERY_BODY} or {UPDATE_BODY}"
            )
    if len(queries) + len(updates) > 1:
        what = "a query and an update" if queries and updates else "more than one operation"
        raise BadRequest(f"the request carries {what}; send exactly one")
    if updates and request.method != "POST":
        raise MethodNotAllowed(["POST"], "an update must be sent by POST")
    query = queries[0] if queries else None
    update = updates[0] if updates else None
    return query, update, params


@bp.route("/sparql", methods=["GET", "POST"])
@bp.route("/query", methods=["GET", "POST"], endpoint="query_alias")
@bp.route("/update", methods=["GET", "POST"], endpoint="update_alias")
def endpoint() -> Response:
    """The SPARQL 1.1 Protocol service."""
    app_state = state()
    config = app_state.config
    check_url(config)
    query, update, params = _operation()
    if update is not None:
        return _update(update, params)
    if query is None:
        if request.method == "POST":
            raise BadRequest("no 'query' or 'update' in the request")
        return _describe()
    if request.method == "GET" and not params.getlist("format") and _browser(query):
        # A person opening a query URL gets the editor pre-filled with it, not raw results.
        page = _editor()
        page.vary.add("Accept")
        return page
    default_graphs = params.getlist("default-graph-uri")
    named_graphs = params.getlist("named-graph-uri")
    # A dataset in the protocol replaces the query's; the side not given is empty (as specified).
    given = bool(default_graphs or named_graphs)
    job = Job(
        query,
        default_graph=default_graphs if given else None,
        named_graphs=named_graphs if given else None,
        union=config.union_default_graph,
        accept=request.headers.get("Accept"),
        formats=params.getlist("format"),
        result_limit=config.result_limit,
    )
    found = cache.lookup(app_state, job)  # a 304 or a cached answer: no query runs
    if found.response is not None:
        return found.response
    result = app_state.run(job)
    return cache.remember(app_state, found, result, result_response(result))


def _update(update: str, params: MultiDict[str, str]) -> Response:
    app_state = state()
    require_writer(app_state.config)
    if params.getlist("using-graph-uri") or params.getlist("using-named-graph-uri"):
        raise BadRequest(
            "using-graph-uri / using-named-graph-uri are not supported: "
            "write USING / USING NAMED in the update itself"
        )
    with app_state.writing() as store:
        store.update(update)
    return Response(status=204)


def _describe() -> Response:
    if prefers_html(request.headers.get("Accept")):
        return _editor()
    from kg.web.service import description

    return description()


def _browser(query: str) -> bool:
    """Whether a browser (HTML preferred over every result format) opened a well-formed query."""
    from kg.web.browsing import parses, prefers_page

    return prefers_page(request.headers.get("Accept")) and parses(query)


def _editor() -> Response:
    if importlib.util.find_spec("kg.web.editor") is None:
        return Response(
            "<!doctype html><html lang=en><meta charset=utf-8><title>SPARQL endpoint</title>"
            "<h1>SPARQL endpoint</h1><form method=post action=sparql>"
            "<textarea name=query rows=12 cols=80>SELECT * WHERE { ?s ?p ?o } LIMIT 10</textarea>"
            "<p><button>Run</button></form></html>",
            content_type="text/html; charset=utf-8",
        )
    from kg.web.editor import editor_page

    return editor_page()
