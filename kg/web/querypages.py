"""Named-query pages like Datasette's canned queries: a form, a table, every format, curl."""

from __future__ import annotations

import io
import shlex
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Response, request

from kg import formats, queries
from kg.browse.terms import term
from kg.config import Config
from kg.errors import NotAcceptable, NotFound, QueryError
from kg.web.pages import bp, page, state

HTML_ROWS = 1000  # rows shown in the HTML table; the other formats give them all


def catalogue_or_none(config: Config) -> queries.Catalogue | None:
    """The named queries, or None when the source directory has none."""
    try:
        return queries.catalogue(config)
    except NotFound:
        return None


def _catalogue() -> queries.Catalogue:
    found = catalogue_or_none(state().config)
    if found is None:
        raise NotFound("no named queries here")
    return found


@bp.route("/queries")
def query_list() -> Response:
    """Every named query with its title and description."""
    return page("queries.html", queries=list(_catalogue()), title="Named queries")


def _is_graph(results: Any) -> bool:
    # Through the executor a CONSTRUCT arrives as a list of triples, in process as QueryTriples.
    return isinstance(results, (ox.QueryTriples, list))


def _result_format(results: Any) -> formats.Format | None:
    """The format asked for this kind of result, or None for HTML."""
    family = formats.GRAPH if _is_graph(results) else formats.RESULTS
    asked = [v for v in request.args.getlist("format") if v]
    if any(v.lower() in ("html", "table") for v in asked):
        return None
    if asked:
        return formats.choose(None, asked, family)
    accept = request.headers.get("Accept")
    if formats.prefers_html(accept):
        return None
    return formats.negotiate(accept, family)


@bp.route("/queries/<name>")
def query_page(name: str) -> Response:
    """A named query: its form, and its results in the format asked for."""
    st = state()
    query = _catalogue().get(name)
    values = {p.name: request.args[p.name] for p in query.params if request.args.get(p.name)}
    missing = [p.name for p in query.params if p.required and p.name not in values]
    results, error = None, None
    wants_html = formats.prefers_html(
        request.headers.get("Accept")
    ) or "html" in request.args.getlist("format")
    if missing:
        if not wants_html:
            raise QueryError(f"query {name!r} needs parameter(s) {', '.join(missing)}")
    else:
        try:
            results = queries.run(st.store, query, values, st.config)
        except QueryError as err:
            if not wants_html:
                raise
            error = err
    if results is not None:
        try:
            fmt = _result_format(results)
        except NotAcceptable:
            if not wants_html:
                raise
            fmt = None
        if fmt is not None:
            body = io.BytesIO()
            formats.write_results(results, body, fmt)
            response = Response(body.getvalue(), 200, content_type=fmt.content_type)
            response.vary.add("Accept")
            return response
    table = _table(results) if results is not None else None
    base = request.base_url
    args = urlencode(values)
    link = base + ("?" + args if args else "")
    select_like = results is None or not _is_graph(results)
    family = formats.RESULTS if select_like else formats.GRAPH
    downloads = [
        (f.name, f.media_type, base + "?" + urlencode({**values, "format": f.name})) for f in family
    ]
    curl = "curl -H " + shlex.quote("Accept: " + family[0].media_type) + " " + shlex.quote(link)
    response = page(
        "query.html",
        query=query,
        values=values,
        missing=missing,
        error=error,
        table=table,
        downloads=downloads,
        curl=curl,
        title=query.title,
        editor_link=request.script_root + "/sparql#" + urlencode({"query": query.text}),
    )
    response.vary.add("Accept")
    return response


def _table(results: Any) -> dict[str, Any]:
    """Results as columns and rows of Terms (triples as s/p/o), at most HTML_ROWS rows."""
    if isinstance(results, ox.QueryBoolean):
        return {"boolean": bool(results), "columns": [], "rows": [], "more": False}
    if _is_graph(results):
        columns = ["subject", "predicate", "object"]
        source = ([t.subject, t.predicate, t.object] for t in results)
    else:
        columns = [v.value for v in results.variables]
        source = ([row[c] for c in columns] for row in results)
    rows, more = [], False
    for cells in source:
        if len(rows) >= HTML_ROWS:
            more = True
            break
        rows.append([None if c is None else term(c) for c in cells])
    return {"boolean": None, "columns": columns, "rows": rows, "more": more}
