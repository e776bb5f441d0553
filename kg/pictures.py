"""What the pictures show, read from the site index (kg.search): a network of who claims what
about whom (one edge per claimant, entity spoken of and act, weighted by the claims), and the
timeline of one entity's claims (made by it or about it), by the date of their article, with the
coded events it took part in (`kg import`), if any.

Both are plain data; the pages show them as tables and kg/web/static/pictures.js draws them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field

from kg.tables import CLAIMS, and_text, term_labels, text_clause, where_clause

EDGES_SHOWN = 60  # the strongest links; the rest are counted, not drawn
TIMELINE_SHOWN = 500  # the newest claims on a timeline


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    iri: str


@dataclass(frozen=True)
class Edge:
    """Claims made by `source` about `target` with one act."""

    source: str
    target: str
    act: str
    claims: int


@dataclass
class Network:
    nodes: dict[str, Node]
    edges: list[Edge]
    total_edges: int  # before keeping the strongest
    claims: int  # claims behind the edges shown
    acts: dict[str, str] = field(default_factory=dict)  # act key -> label, of the edges shown


def network(
    db: sqlite3.Connection,
    filters: Mapping[str, list[str]],
    query: str = "",
    entity: str = "",
    limit: int = EDGES_SHOWN,
) -> Network:
    """The claimant -> entity spoken of links of the claims these filters keep (the claims
    table's filters), with `entity` one end of every link; the strongest `limit` of them."""
    where, args = where_clause(CLAIMS, filters)
    text = text_clause(query, "claim", "c.iri")
    ego, ego_args = "", []
    if entity:
        ego, ego_args = " AND (w.value = ? OR a.value = ?)", [entity, entity]
    if where == "1" and not text[0]:  # every claim: the links counted when the index was built
        ego = ego.replace("w.value", "claimant").replace("a.value", "about")
        found = db.execute(
            f"SELECT claimant, about, act, n FROM edges WHERE 1{ego} ORDER BY n DESC, 1, 2, 3",
            ego_args,
        ).fetchall()
    else:
        found = _grouped(db, where + and_text(text) + ego, [*args, *text[1], *ego_args])
    edges = [Edge(s, t, act, n) for s, t, act, n in found[:limit]]
    keys = sorted({e.source for e in edges} | {e.target for e in edges})
    labels = term_labels(db, "claimant", keys)
    labels.update(term_labels(db, "about", [k for k in keys if k not in labels]))
    nodes = {k: Node(k, *labels.get(k, (k, ""))) for k in keys}
    acts = term_labels(db, "act", sorted({e.act for e in edges if e.act}))
    return Network(
        nodes,
        edges,
        len(found),
        sum(e.claims for e in edges),
        {k: label for k, (label, _) in acts.items()},
    )


def _grouped(db: sqlite3.Connection, where: str, args: list[object]) -> list[tuple]:
    """(claimant, about, act, claims) of the claims a condition keeps, the strongest first."""
    return db.execute(
        "SELECT w.value, a.value, c.act, COUNT(*) AS n FROM claims c"
        " JOIN claim_values w INDEXED BY claim_values_c ON w.claim = c.id AND w.facet = 'claimant'"
        " JOIN claim_values a INDEXED BY claim_values_c ON a.claim = c.id AND a.facet = 'about'"
        f" WHERE {where} GROUP BY 1, 2, 3 ORDER BY n DESC, 1, 2, 3",
        args,
    ).fetchall()


@dataclass(frozen=True)
class Moment:
    """A claim on an entity's timeline."""

    date: str
    iri: str
    quote: str
    role: str  # "by" (the entity made it, whatever it is about), "about", or "event" (coded)
    claimant: str
    act: str
    article: str


@dataclass
class Timeline:
    entity: Node
    moments: list[Moment]
    total: int
    undated: int
    labels: dict[tuple[str, str], str] = field(default_factory=dict)  # (facet, key) -> label


def timeline(db: sqlite3.Connection, entity: str, limit: int = TIMELINE_SHOWN) -> Timeline | None:
    """The claims an entity made or that are about it, oldest first (the newest `limit`); None
    when the index knows no such entity."""
    known = db.execute("SELECT iri, label FROM entities WHERE key = ?", (entity,)).fetchone()
    if known is None:
        return None
    found = db.execute(
        "SELECT c.date, c.iri, c.quote, MAX(v.facet = 'claimant'), c.claimant, c.act, c.article"
        " FROM claims c"
        " JOIN claim_values v ON v.claim = c.id"
        " WHERE v.facet IN ('claimant', 'about') AND v.value = ?"
        " GROUP BY c.id ORDER BY c.date DESC, c.id DESC",
        (entity,),
    ).fetchall()
    moments = [
        Moment(d, iri, q, "by" if made else "about", w or "", a or "", art or "")
        for d, iri, q, made, w, a, art in found
        if d
    ]
    events = [
        Moment(d, iri, "", "event", "", kind or "", "")
        for d, iri, kind in db.execute(
            "SELECT date, iri, type FROM events WHERE entity = ? ORDER BY date DESC, iri DESC"
            " LIMIT ?",
            (entity, limit),
        )
    ]
    labels: dict[tuple[str, str], str] = {}
    for k, (label, _) in term_labels(db, "event", sorted({e.act for e in events if e.act})).items():
        labels[("event", k)] = label
    # The newest `limit` of claims and events together, oldest first.
    newest = sorted(moments[:limit] + events, key=lambda m: (m.date, m.iri), reverse=True)
    shown = list(reversed(newest[:limit]))
    for facet, attr in (("claimant", "claimant"), ("act", "act"), ("article", "article")):
        keys = sorted({getattr(m, attr) for m in shown if getattr(m, attr) and m.role != "event"})
        for k, (label, _) in term_labels(db, facet, keys).items():
            labels[(facet, k)] = label
    for m in shown:
        if m.role == "event" and m.act:
            labels.setdefault(("act", m.act), labels.get(("event", m.act), m.act))
    (all_events,) = db.execute("SELECT COUNT(*) FROM events WHERE entity = ?", (entity,)).fetchone()
    return Timeline(
        Node(entity, known[1], known[0]),
        shown,
        len(moments) + all_events,
        len(found) - len(moments),
        labels,
    )
