"""The claims and entities tables as pages (`/claims`, `/entities`): facets with counts, filters,
sorting and paging in the URL (so every view can be shared), as HTML, JSON or CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from flask import Response, request, stream_with_context

from kg import tables
from kg.errors import NotFound
from kg.web.pages import bp, page
from kg.web.params import page_number
from kg.web.searching import alternates, json_response, output, site_index

OFFERED = ("html", "json", "csv")


class Url:
    """Links to this table with one change: a filter added or removed, another sort or page."""

    def __init__(self, keep: list[tuple[str, str]]) -> None:
        self.keep = [(k, v) for k, v in keep if k not in ("page", "format")]

    def to(self, pairs: list[tuple[str, str]]) -> str:
        return request.script_root + request.path + ("?" + urlencode(pairs) if pairs else "")

    def add(self, name: str, value: str) -> str:
        if (name, value) in self.keep:
            return self.to(self.keep)
        return self.to([*self.keep, (name, value)])

    def only(self, name: str, value: str) -> str:
        """This value as the facet's one filter (a click on a value in the table)."""
        return self.to([(k, v) for k, v in self.keep if k != name] + [(name, value)])

    def remove(self, name: str, value: str) -> str:
        return self.to([(k, v) for k, v in self.keep if (k, v) != (name, value)])

    def sort(self, key: str, current: str) -> str:
        """Sort by a column; by it again: the other way."""
        new = ("-" + key) if current == key else key
        return self.to([(k, v) for k, v in self.keep if k != "sort"] + [("sort", new)])

    def format(self, fmt: str) -> str:
        return self.to([*self.keep, ("format", fmt)])

    def clear(self) -> str:
        return self.to([])


def _args() -> dict[str, list[str]]:
    return {k: request.args.getlist(k) for k in request.args}


def _check_page(table: tables.Table) -> None:
    if table.page > table.pages:
        raise NotFound(f"page {table.page} of this table: there are {table.pages}")


@bp.route("/claims")
def claims_table() -> Response:
    """Every claim, with facets (claimant, act, polarity, attribution, verdict, about, article,
    month, review status), filters, sorting and paging."""
    fmt = output(OFFERED)
    filters = tables.read_filters(_args(), tables.CLAIM_FACETS)
    sort = request.args.get("sort", "")
    query = request.args.get("q", "")
    db = site_index()
    if fmt == "csv":
        return _csv("claims.csv", _claim_csv(db, filters, sort, query))
    table = tables.claims(db, filters, sort, page_number(), query)
    _check_page(table)
    url = Url(list(request.args.items(multi=True)))
    if fmt == "json":
        return json_response(_json(table, url, _claim_json(table)))
    return page(
        "claims_table.html",
        table=table,
        url=url,
        per_page=tables.PER_PAGE,
        sorts=tables.CLAIM_SORTS,
        facet_titles={f.name: f.title for f in tables.CLAIM_FACETS},
        title="Claims",
        alternates=alternates(("json", "csv")),
    )


@bp.route("/entities")
def entities_table() -> Response:
    """Every entity, with the claims about it and by it, by type."""
    fmt = output(OFFERED)
    filters = tables.read_filters(_args(), tables.ENTITY_FACETS)
    sort = request.args.get("sort", "")
    query = request.args.get("q", "")
    db = site_index()
    if fmt == "csv":
        return _csv("entities.csv", _entity_csv(db, filters, sort, query))
    table = tables.entities(db, filters, sort, page_number(), query)
    _check_page(table)
    url = Url(list(request.args.items(multi=True)))
    if fmt == "json":
        return json_response(_json(table, url, _entity_json(table)))
    return page(
        "entities_table.html",
        table=table,
        url=url,
        per_page=tables.PER_PAGE,
        sorts=tables.ENTITY_SORTS,
        title="Entities",
        alternates=alternates(("json", "csv")),
    )


def _json(table: tables.Table, url: Url, rows: list[dict[str, Any]]) -> dict[str, Any]:
    def at(n: int) -> str | None:
        if n < 1 or n > table.pages:
            return None
        return request.host_url.rstrip("/") + url.to(
            [*url.keep, ("page", str(n)), ("format", "json")]
        )

    return {
        "total": table.total,
        "page": table.page,
        "pages": table.pages,
        "per_page": tables.PER_PAGE,
        "sort": table.sort,
        "q": table.query,
        "filters": table.filters,
        "next": at(table.page + 1),
        "prev": at(table.page - 1),
        "csv": request.host_url.rstrip("/") + url.format("csv"),
        "rows": rows,
        "facets": {
            fc.facet.name: [
                {
                    "value": v.key,
                    "label": v.label,
                    "iri": v.iri,
                    "count": v.count,
                    "selected": v.selected,
                }
                for v in fc.values
            ]
            for fc in table.facets
        },
    }


def _value(table: tables.Table, facet: str, key: str) -> dict[str, str] | None:
    if not key:
        return None
    v = table.labels.get((facet, key))
    return {"value": key, "label": v.label if v else key, "iri": v.iri if v else ""}


def _claim_json(table: tables.Table) -> list[dict[str, Any]]:
    return [
        {
            "claim": r["iri"],
            "quote": r["quote"],
            **{f: _value(table, f, r[f]) for f in tables.LABELLED},
            "date": r["date"] or None,
        }
        for r in table.rows
    ]


def _entity_json(table: tables.Table) -> list[dict[str, Any]]:
    return [
        {
            "entity": r["iri"],
            "key": r["key"],
            "label": r["label"],
            "aliases": [a for a in r["aliases"].split("; ") if a],
            "types": [_value(table, "type", t) for t in r["types"]],
            "claims_about": r["about"],
            "claims_made": r["claimed"],
        }
        for r in table.rows
    ]


CLAIM_CSV = ["claim", "quote"] + [x for f in tables.LABELLED for x in (f, f + "_label")] + ["date"]


def _claim_csv(db: Any, filters: Any, sort: str, query: str) -> Iterator[list[Any]]:
    rows = tables.claim_rows(db, filters, sort, query)  # checks the parameters before streaming
    yield CLAIM_CSV
    for r in rows:
        yield (
            [r["iri"], r["quote"]]
            + [x for f in tables.LABELLED for x in (r[f + "_iri"] or "", r[f + "_label"] or "")]
            + [r["date"]]
        )


def _entity_csv(db: Any, filters: Any, sort: str, query: str) -> Iterator[list[Any]]:
    rows = tables.entity_rows(db, filters, sort, query)
    yield ["entity", "label", "aliases", "types", "claims_about", "claims_made"]
    for r in rows:
        yield [r["iri"], r["label"], r["aliases"], r["types"] or "", r["about"], r["claimed"]]


def _csv(name: str, rows: Iterator[list[Any]]) -> Response:
    first = next(rows)  # runs the query now: a bad parameter is a 400, not a broken stream

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(first)
        for n, row in enumerate(rows):
            writer.writerow(row)
            if n % 500 == 499:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(lines()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.vary.add("Accept")
    return response
