"""SPARQL 1.1 Protocol at /sparql (with /query and /update as aliases): query, update, description.

Query by GET, POST form or POST `application/sparql-query`; update by POST form or POST
`application/sparql-update`. A request carries exactly one operation (two is a 400). A GET with
no operation answers the Service Description, or the query page when a browser asks.
"""

from __future__ import annotations

import hmac
import importlib.util
import re

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
from kg.guard import Limits, check_update
from kg.sparqltext import with_dataset
from kg.web import state
from kg.web.conneg import result_response

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"


# A Host header: a DNS name, an IPv4 address or a bracketed IPv6 address, then maybe a port.
_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-_.]*[A-Za-z0-9])?\.?|\[[0-9A-Fa-f:.]+(?:%25[\w.~-]+)?\])"
    r"(?::(?P<port>[0-9]{1,5}))?"
)


@bp.before_app_request
def check_host() -> None:
    """Refuse a request whose Host (or, behind a trusted proxy, X-Forwarded-Host) is not a host
    name: it becomes the request URL, the base IRI and the Service Description's subject."""
    host = request.environ.get("HTTP_HOST")
    if host is not None and not valid_host(host):  # None: HTTP/1.0, the server's name is used
        raise BadRequest(f"the Host header is not a host name: {host[:100]!r}")


def valid_host(host: str) -> bool:
    """Whether a Host header value is a host name, IPv4 or [IPv6] address, maybe with a port."""
    match = _HOST.fullmatch(host)
    return match is not None and not (match.group("port") and int(match.group("port")) > 65535)


def request_base() -> str:
    """The base IRI of the request: its URL without the query string (host checked)."""
    return request.base_url


def empty(status: int, headers: dict[str, str] | None = None) -> Response:
    """A reply without a body (201, 204): no Content-Type, as there is no content."""
    response = Response(status=status, headers=headers)
    response.headers.pop("Content-Type", None)
    return response


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
        base_iri=request_base(),
        limits=Limits.of(config),
    )
    found = cache.lookup(app_state, job)  # a 304 or a cached answer: no query runs
    if found.response is not None:
        return found.response
    result = app_state.run(job)
    return cache.remember(app_state, found, result, result_response(result))


def _update(update: str, params: MultiDict[str, str]) -> Response:
    app_state = state()
    require_writer(app_state.config)
    base = request_base()
    check_update(update, Limits.of(app_state.config), base)
    update = with_dataset(
        update, params.getlist("using-graph-uri"), params.getlist("using-named-graph-uri")
    )
    with app_state.writing() as store:
        store.update(update, base_iri=base)
    return empty(204)


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
