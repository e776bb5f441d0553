"""The search page (`/search?q=...`, HTML or JSON), and what the finding pages share: the site
index of this app's store and the choice of output format (`format=` beats `Accept`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Response, request
from markupsafe import Markup, escape

from kg import search
from kg.errors import NotAcceptable, NotFound
from kg.formats import parse_accept, prefers_html
from kg.web import state
from kg.web.pages import bp, page, site
from kg.web.params import page_number

MEDIA = {"html": "text/html", "json": "application/json", "csv": "text/csv"}


def site_index() -> sqlite3.Connection:
    """This app's site index (built on first use, rebuilt in the background after writes)."""
    st = state()
    store = st.write_store if st.write_store is not None else st.store
    return search.open_index(st.config, store)


def output(offered: Sequence[str] = ("html", "json")) -> str:
    """The format asked for: `format=` if given, else HTML for browsers, else by `Accept`
    (JSON for `*/*`)."""
    asked = [v.lower() for v in request.args.getlist("format") if v]
    if asked:
        for value in asked:
            if value in offered:
                return value
        shown = asked[0] if len(asked[0]) <= 40 else asked[0][:40] + "…"
        raise NotAcceptable(f"unknown format {shown!r}: {', '.join(offered)}")
    accept = request.headers.get("Accept")
    if "html" in offered and prefers_html(accept):
        return "html"
    if not accept:
        return "json" if "json" in offered else offered[0]
    ranges = parse_accept(accept)
    best, best_q, best_spec = "", 0.0, -1
    for name in ("json", "csv", "html"):
        if name not in offered:
            continue
        matching = [(r.matches(MEDIA[name]), r.q) for r in ranges if r.matches(MEDIA[name]) >= 0]
        if not matching:
            continue
        spec, q = max(matching)  # the most specific range decides
        if q > best_q or (q == best_q and q > 0 and spec > best_spec):
            best, best_q, best_spec = name, q, spec
    if not best:
        raise NotAcceptable(f"this page is offered as {', '.join(MEDIA[o] for o in offered)}")
    return best


def json_response(data: Any) -> Response:
    response = Response(
        json.dumps(data, ensure_ascii=False, indent=1) + "\n", mimetype="application/json"
    )
    response.vary.add("Accept")
    return response


def alternates(offered: Sequence[str]) -> list[tuple[str, str]]:
    """(URL, media type) of this page in each format it is offered in."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "format"]
    path = request.script_root + request.path
    return [(path + "?" + urlencode([*args, ("format", f)]), MEDIA[f]) for f in offered]


def highlight(snippet: str) -> Markup:
    """A search snippet with its matched words marked (the text escaped first)."""
    text = str(escape(snippet))
    return Markup(text.replace("\x02", "<mark>").replace("\x03", "</mark>"))


def plain(snippet: str) -> str:
    return snippet.replace("\x02", "").replace("\x03", "")


KIND_WORDS = {"entity": "Entity", "claim": "Claim", "article": "Article"}


@bp.route("/search")
def search_page() -> Response:
    """Search entity labels and aliases, claim quotes and article headlines."""
    fmt = output(("html", "json"))
    query = request.args.get("q", "")
    kind = request.args.get("kind", "")
    page_no = page_number()
    found = search.search(site_index(), query, page_no, kind) if query else None
    if found is not None and page_no > found.pages:
        raise NotFound(f"page {page_no} of the results: there are {found.pages}")
    if found is None and page_no > 1:
        raise NotFound(f"page {page_no} of no search")
    here = site()
    if fmt == "json":
        return json_response(_as_json(query, kind, found, here))
    return page(
        "search.html",
        found=found,
        query=query,
        kind=kind,
        kinds=KIND_WORDS,
        highlight=highlight,
        title=f"Search: {query}" if query else "Search",
        alternates=alternates(("json",)),
    )


def _as_json(query: str, kind: str, found: search.Found | None, here: Any) -> dict[str, Any]:
    if found is None:
        return {"query": query, "kind": kind, "total": 0, "page": 1, "pages": 1, "results": []}

    def url(page_no: int) -> str | None:
        if page_no < 1 or page_no > found.pages:
            return None
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
        return request.base_url + "?" + urlencode([*args, ("page", str(page_no))])

    return {
        "query": query,
        "words": found.words,
        "kind": kind,
        "total": found.total,
        "counts": found.counts,
        "every_word": not found.any_word,
        "page": found.page,
        "pages": found.pages,
        "per_page": search.PER_PAGE,
        "next": url(found.page + 1),
        "prev": url(found.page - 1),
        "results": [
            {
                "kind": h.kind,
                "iri": h.iri,
                "url": _page_url(here, h.iri),
                "name": h.name,
                "detail": h.detail,
                "snippet": plain(h.snippet),
            }
            for h in found.hits
        ],
    }


def _page_url(here: Any, iri: str) -> str:
    path = here.local_path(iri)
    return request.host_url.rstrip("/") + here.root + path if path is not None else iri
