"""The pictures: `/network` (who claims what about whom; the claims table's filters apply) and
`/timeline?entity=...` (an entity's claims by date). Each page holds its data as a table, which
kg/web/static/pictures.js (with the vendored D3) draws; without JavaScript the table remains."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from kg import pictures, tables
from kg.errors import BadParameter, NotFound
from kg.web.pages import bp, page
from kg.web.searching import alternates, json_response, output, site_index

# Colours of the acts a picture draws (the rest share one); the legend and the table say them too.
ACT_CLASSES = {"Accusation": "accusation", "Denial": "denial", "Offer": "offer"}


def _entity_param(name: str = "entity") -> str:
    entity = request.args.get(name, "")
    if len(entity) > tables.MAX_VALUE:
        raise BadParameter(f"{name}: at most {tables.MAX_VALUE} characters")
    return entity


@bp.route("/network")
def network_page() -> Response:
    """Claimants linked to the entities their claims are about, one edge per act; with
    `involving=entity/...`, the links of one entity (as claimant or spoken of)."""
    fmt = output(("html", "json"))
    args = {k: request.args.getlist(k) for k in request.args}
    filters = tables.read_filters(args, tables.CLAIM_FACETS)
    entity = _entity_param("involving")
    query = request.args.get("q", "")
    db = site_index()
    if entity and db.execute("SELECT 1 FROM terms WHERE value = ?", (entity,)).fetchone() is None:
        raise NotFound(f"no claimant or entity spoken of is known as {entity[:80]!r}")
    net = pictures.network(db, filters, query, entity)
    if fmt == "json":
        return json_response(
            {
                "entity": entity or None,
                "filters": filters,
                "links": net.total_edges,
                "shown": len(net.edges),
                "nodes": [
                    {"key": n.key, "label": n.label, "iri": n.iri} for n in net.nodes.values()
                ],
                "edges": [
                    {"source": e.source, "target": e.target, "act": e.act, "claims": e.claims}
                    for e in net.edges
                ],
            }
        )
    center = net.nodes.get(entity) if entity else None
    return page(
        "network.html",
        net=net,
        entity=entity,
        center=center,
        filters=filters,
        query=query,
        act_class=lambda act: ACT_CLASSES.get(act, "other"),
        claims_url=_claims_url,
        title=f"Network: {center.label}" if center else "Network of claims",
        alternates=alternates(("json",)),
    )


def _claims_url(**values: str) -> str:
    """The claims table filtered to one link of the network (and the page's own filters)."""
    from urllib.parse import urlencode

    keep = [
        (k, v)
        for k, v in request.args.items(multi=True)
        if k not in ("involving", "format", "page") and k not in values
    ]
    return (
        request.script_root
        + "/claims?"
        + urlencode(keep + [(k, v) for k, v in values.items() if v])
    )


@bp.route("/timeline")
def timeline_page() -> Response:
    """An entity's claims (made by it or about it) along the dates of their articles."""
    fmt = output(("html", "json"))
    entity = _entity_param()
    db = site_index()
    if not entity:
        if fmt == "json":
            raise BadParameter("entity: which entity's timeline (e.g. entity=entity/nato)")
        top = db.execute(
            "SELECT key, label, about + claimed FROM entities ORDER BY about + claimed DESC, key"
            " LIMIT 20"
        ).fetchall()
        return page("timeline.html", line=None, top=top, title="Timelines")
    line = pictures.timeline(db, entity)
    if line is None:
        raise NotFound(f"no entity is known as {entity[:80]!r}")
    if fmt == "json":
        return json_response(_timeline_json(line))
    return page(
        "timeline.html",
        line=line,
        act_class=lambda act: ACT_CLASSES.get(act, "other"),
        title=f"Timeline: {line.entity.label}",
        alternates=alternates(("json",)),
    )


def _timeline_json(line: pictures.Timeline) -> dict[str, Any]:
    return {
        "entity": {"key": line.entity.key, "label": line.entity.label, "iri": line.entity.iri},
        "total": line.total,
        "undated": line.undated,
        "claims": [
            {
                "date": m.date,
                "claim": m.iri,
                "quote": m.quote,
                "role": m.role,
                "claimant": m.claimant,
                "claimant_label": line.labels.get(("claimant", m.claimant), m.claimant),
                "act": m.act,
                "article": m.article,
            }
            for m in line.moments
        ],
    }
