"""Named-query pages like Datasette's canned queries: a form, a table, every format, curl."""

from __future__ import annotations

import hashlib
import io
import os
import shlex
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Response, current_app, request

from kg import formats, queries
from kg.browse.terms import Term, term
from kg.cache import Entry, ResultCache
from kg.config import Config
from kg.errors import BadParameter, NotFound, QueryError
from kg.jobs import Job
from kg.web.pages import bp, page, state
from kg.web.params import page_number

ROWS_PER_PAGE = 100  # rows on one HTML page; the other formats give them all
MAX_VALUE = 2000  # characters of one parameter value (longer: a 400)


def catalogue_or_none(config: Config) -> queries.Catalogue | None:
    """The named queries, or None when the source directory has none; read again only when a
    query file changes (reading and parsing them all costs ~40 ms, on pages that list them)."""
    from kg.sources import queries_dir

    folder = queries_dir(config.sources)
    try:
        stamp = tuple(sorted((e.name, e.stat().st_mtime_ns) for e in os.scandir(folder)))
    except OSError:
        stamp = ()
    kept = current_app.extensions.get("kg.catalogue")
    if kept is not None and kept[0] == (folder, stamp):
        return kept[1]
    try:
        found: queries.Catalogue | None = queries.catalogue(config)
    except NotFound:
        found = None
    current_app.extensions["kg.catalogue"] = ((folder, stamp), found)
    return found


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
    """A named query: its form, and its results in the format asked for (HTML: one page)."""
    query = _catalogue().get(name)
    values = {p.name: request.args[p.name] for p in query.params if request.args.get(p.name)}
    for key, value in values.items():
        if len(value) > MAX_VALUE:
            raise BadParameter(
                f"parameter {key!r} is {len(value)} characters long: at most {MAX_VALUE}"
            )
    missing = [p.name for p in query.params if p.required and p.name not in values]
    asked = [v for v in request.args.getlist("format") if v]
    html_asked = any(v.lower() in ("html", "table") for v in asked)
    if (asked and not html_asked) or (
        not asked and not formats.prefers_html(request.headers.get("Accept"))
    ):
        return _machine_answer(query, values, missing)
    return _html_page(query, values, missing)


def _machine_answer(
    query: queries.NamedQuery, values: dict[str, str], missing: list[str]
) -> Response:
    """Every row, in the format the client asked for (a bad parameter is a 400)."""
    st = state()
    if missing:
        raise QueryError(f"query {query.name!r} needs parameter(s) {', '.join(missing)}")
    results = queries.run(st.store, query, values, st.config)
    fmt = _result_format(results)
    if fmt is None:  # format=table from a client that does not prefer HTML
        return _html_page(query, values, missing)
    body = io.BytesIO()
    formats.write_results(results, body, fmt)
    response = Response(body.getvalue(), 200, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


def _html_page(query: queries.NamedQuery, values: dict[str, str], missing: list[str]) -> Response:
    st = state()
    page_no = page_number()
    table, error = None, None
    if not missing:
        try:
            table = paged_table(query, values, page_no)
        except QueryError as err:
            error = err
    if table is not None and page_no > table.pages:
        raise NotFound(f"page {page_no} of {query.name!r}: there are {table.pages}")
    base = request.base_url
    args = urlencode(values)
    link = base + ("?" + args if args else "")
    family = formats.GRAPH if table is not None and table.graph else formats.RESULTS
    downloads = [
        (f.name, f.media_type, base + "?" + urlencode({**values, "format": f.name})) for f in family
    ]
    curl = "curl -H " + shlex.quote("Accept: " + family[0].media_type) + " " + shlex.quote(link)
    try:  # the editor gets the query with the values of this page bound (a VALUES block)
        text = queries.bound_text(query, values, st.config)
    except QueryError:
        text = query.text
    response = page(
        "query.html",
        400 if error else 200,
        query=query,
        values=values,
        missing=missing,
        error=error,
        table=table,
        downloads=downloads,
        curl=curl,
        title=query.title,
        editor_link=request.script_root + "/sparql#" + urlencode({"query": text}),
    )
    response.vary.add("Accept")
    return response


@dataclass
class Table:
    """One page of a named query's answer, for the HTML page."""

    columns: list[str]
    rows: list[list[Term | None]]
    total: int
    page: int
    graph: bool = False
    boolean: bool | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // ROWS_PER_PAGE))

    @property
    def first(self) -> int:
        return (self.page - 1) * ROWS_PER_PAGE + 1


def _answer_lines(query: queries.NamedQuery, values: dict[str, str]) -> tuple[str, list[bytes]]:
    """The whole answer as lines (TSV rows after a header, or N-Triples), kept per store version
    so that paging through it runs the query once."""
    st = state()
    substitutions = queries.bind(query, values, st.config)
    cache = current_app.extensions.setdefault(
        "kg.querypages", ResultCache(max(st.config.cache_size, 0) and 256, st.config.cache_bytes)
    )
    key = hashlib.sha256(
        repr(
            (query.name, sorted(values.items()), st.config.union_default_graph, st.store.version)
        ).encode()
    ).hexdigest()
    entry = cache.get(key)
    if entry is None:
        job = Job(
            query.text,
            union=st.config.union_default_graph,
            formats=["tsv", "nt"],
            substitutions=substitutions,
        )
        try:
            result = st.run(job)
        except RuntimeError as err:  # the engine refuses a substitution it cannot place
            raise QueryError(f"query {query.name!r}: {err}") from err
        entry = Entry(result.format, result.read())
        cache.put(key, entry)
    lines = entry.body.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return ("graph" if entry.format.is_graph else "results"), lines


def paged_table(query: queries.NamedQuery, values: dict[str, str], page_no: int) -> Table:
    """One page (ROWS_PER_PAGE rows) of a named query's answer as columns and rows of Terms."""
    kind, lines = _answer_lines(query, values)
    start = (page_no - 1) * ROWS_PER_PAGE
    if kind == "graph":
        chunk = b"\n".join(lines[start : start + ROWS_PER_PAGE]) + b"\n"
        rows = [
            [term(t.subject), term(t.predicate), term(t.object)]
            for t in ox.parse(chunk, ox.RdfFormat.N_TRIPLES)
        ]
        return Table(["subject", "predicate", "object"], rows, len(lines), page_no, graph=True)
    if lines and lines[0] in (b"true", b"false"):
        return Table([], [], 0, 1, boolean=lines[0] == b"true")
    header, body = (lines[0], lines[1:]) if lines else (b"", [])
    columns = [c.lstrip("?") for c in header.decode().split("\t") if c]
    chunk = b"\n".join([header, *body[start : start + ROWS_PER_PAGE]]) + b"\n"
    parsed = ox.parse_query_results(chunk, ox.QueryResultsFormat.TSV)
    rows = [[None if s[c] is None else term(s[c]) for c in columns] for s in parsed]
    return Table(columns, rows, len(body), page_no)
