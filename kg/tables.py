"""The claims and entities tables: facets with counts, filters, sorting and paging, read from the
site index (kg.search): the rows from SQLite, the facet counts from postings each process keeps
in memory per index file (kg.tables.Postings): tens of milliseconds for a page at 1M quads.

Filters are (facet, values): values of one facet are alternatives (OR), facets combine (AND).
A facet's counts are taken over the rows the *other* facets' filters leave, so every value shown
can be added or swapped. Values are the short keys of kg.search.short_key (`entity/nato`,
`asserted`, `Denial`, `contradicted`, `2020-08`).

    db = kg.search.open_index(config, store)
    table = claims(db, {"polarity": ["denied"]}, sort="-date", page=1)
"""

from __future__ import annotations

import heapq
import os
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kg.errors import BadParameter
from kg.search import MAX_QUERY, match_expression, words_of


@dataclass(frozen=True)
class Facet:
    """A column one can filter on: its parameter name, its title, how its values sort."""

    name: str
    title: str
    by_value: bool = False  # list its values in value order (dates), not by count


CLAIM_FACETS = (
    Facet("claimant", "Claimant"),
    Facet("act", "Act"),
    Facet("polarity", "Polarity"),
    Facet("attribution", "Attribution mode"),
    Facet("verdict", "Verdict"),
    Facet("about", "About"),
    Facet("article", "Article"),
    Facet("date", "Month (article date)", by_value=True),
    Facet("review", "Review status"),
)
ENTITY_FACETS = (Facet("type", "Type"),)

# Sort keys: name -> SQL expression (ascending); `-name` sorts descending.
CLAIM_SORTS = {
    "date": "c.date",
    "claimant": "c.claimant_label",
    "act": "c.act",
    "polarity": "c.polarity",
    "attribution": "c.attribution",
    "verdict": "c.verdict",
    "article": "c.article_label",
    "quote": "c.quote",
}
ENTITY_SORTS = {"label": "e.label COLLATE NOCASE", "about": "e.about", "claimed": "e.claimed"}
PER_PAGE = 50
FACET_VALUES = 12  # values listed per facet (the most frequent; selected ones always)
MAX_VALUE = 300  # characters of one filter value: longer is a 400
MAX_VALUES = 50  # values of one facet at once


@dataclass(frozen=True)
class Value:
    """A value of a facet: its key, what it shows, its IRI, how many rows have it."""

    key: str
    label: str
    iri: str
    count: int
    selected: bool = False


@dataclass
class FacetCounts:
    facet: Facet
    values: list[Value]
    more: bool  # more values than listed


@dataclass
class Table:
    """One page of a table with its facets."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    sort: str
    filters: dict[str, list[str]]
    facets: list[FacetCounts]
    query: str = ""
    labels: dict[tuple[str, str], Value] = field(default_factory=dict)  # (facet, key) -> value

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


def read_filters(
    args: Mapping[str, Sequence[str]], facets: Sequence[Facet]
) -> dict[str, list[str]]:
    """The filters of a request's parameters (each facet's name), checked for size."""
    out: dict[str, list[str]] = {}
    for facet in facets:
        values = [v for v in args.get(facet.name, []) if v != ""]
        if not values:
            continue
        if len(values) > MAX_VALUES:
            raise BadParameter(f"{facet.name}: at most {MAX_VALUES} values at once")
        for v in values:
            if len(v) > MAX_VALUE:
                raise BadParameter(f"{facet.name}: a value is at most {MAX_VALUE} characters")
        out[facet.name] = list(dict.fromkeys(values))
    return out


_SORT = re.compile(r"^-?[a-z]+$")


def _order(sort: str, sorts: Mapping[str, str], default: str) -> tuple[str, str]:
    sort = sort or default
    name = sort.lstrip("-")
    if not _SORT.match(sort) or name not in sorts:
        shown = sort if len(sort) <= 40 else sort[:40] + "…"
        raise BadParameter(
            f"sort must be one of {', '.join(sorts)} (a leading - for descending), not {shown!r}"
        )
    direction = "DESC" if sort.startswith("-") else "ASC"
    return sort, f"{sorts[name]} {direction}"


@dataclass(frozen=True)
class Spec:
    """Where a table's rows and values live in the index."""

    name: str  # the table: "claims"
    rows: str  # "claims c"
    values: str  # "claim_values"
    owner: str  # the values table's row column: "claim"
    facets: tuple[Facet, ...]


CLAIMS = Spec("claims", "claims c", "claim_values", "claim", CLAIM_FACETS)
ENTITIES = Spec("entities", "entities e", "entity_values", "entity", ENTITY_FACETS)


def where_clause(
    spec: Spec, filters: Mapping[str, list[str]], skip: str = ""
) -> tuple[str, list[Any]]:
    alias = spec.rows.split()[1]
    clauses, args = [], []
    for facet, values in filters.items():
        if facet == skip:
            continue
        marks = ",".join("?" * len(values))
        clauses.append(
            f"{alias}.id IN (SELECT {spec.owner} FROM {spec.values}"
            f" WHERE facet = ? AND value IN ({marks}))"
        )
        args += [facet, *values]
    return " AND ".join(clauses) or "1", args


def text_clause(query: str, kind: str, iri_column: str) -> tuple[str, list[Any]]:
    """A clause keeping the rows whose document matches a text filter (the search's words)."""
    if len(query) > MAX_QUERY:
        raise BadParameter(f"q: at most {MAX_QUERY} characters")
    words = words_of(query)
    if not words:
        return "", []
    return (
        f"{iri_column} IN (SELECT iri FROM docs WHERE docs MATCH ?)",
        [match_expression(words, True, kind)],
    )


class Postings:
    """One table's facet values in memory, made once per index file (per process): for each
    facet, the rows having each value, and each row's values; and row orders by sort key.

    Counting a facet over a selection is then a pass over the selected rows in Python (a few
    milliseconds for tens of thousands of rows), whatever the filters; the rows themselves stay
    in SQLite. About 8 bytes per row and facet."""

    def __init__(self, db: sqlite3.Connection, spec: Spec) -> None:
        self.spec = spec
        (size,) = db.execute(f"SELECT COALESCE(MAX(id), 0) FROM {spec.rows.split()[0]}").fetchone()
        self.size = size
        self.by_value: dict[str, dict[str, list[int]]] = {f.name: {} for f in spec.facets}
        self.of_row: dict[str, list[Any]] = {f.name: [None] * (size + 1) for f in spec.facets}
        keys: dict[str, str] = {}
        for row, facet, value in db.execute(
            f"SELECT {spec.owner}, facet, value FROM {spec.values} ORDER BY {spec.owner}"
        ):
            if facet not in self.by_value:
                continue
            value = keys.setdefault(value, value)  # one string per value, shared by its rows
            self.by_value[facet].setdefault(value, []).append(row)
            column = self.of_row[facet]
            had = column[row]
            column[row] = (
                value if had is None else (*(had if type(had) is tuple else (had,)), value)
            )
        self.totals = {f: {v: len(ids) for v, ids in vs.items()} for f, vs in self.by_value.items()}
        self.ranks: dict[str, list[int]] = {}
        self._sets: dict[tuple[str, str], frozenset[int]] = {}
        self.lock = threading.Lock()

    def select(self, filters: Mapping[str, list[str]], skip: str = "") -> set[int] | None:
        """The rows every filter (but `skip`'s) keeps; None: every row."""
        chosen: list[frozenset[int] | set[int]] = []
        for facet, values in filters.items():
            if facet == skip:
                continue
            sets = [self.sets(facet, v) for v in values]
            chosen.append(sets[0] if len(sets) == 1 else set().union(*sets))
        if not chosen:
            return None
        chosen.sort(key=len)
        return set(chosen[0]).intersection(*chosen[1:])

    def sets(self, facet: str, value: str) -> frozenset[int]:
        """The rows with this value (kept as a set once asked for)."""
        key = (facet, value)
        found = self._sets.get(key)
        if found is None:
            found = frozenset(self.by_value.get(facet, {}).get(value, ()))
            with self.lock:
                self._sets[key] = found
        return found

    def count(self, facet: str, rows: set[int] | None) -> dict[str, int]:
        """How many of these rows have each value of a facet."""
        if rows is None:
            return self.totals[facet]
        # Counted in C (Counter over a map); a row with several values counts once for each.
        counts: Counter[Any] = Counter(map(self.of_row[facet].__getitem__, rows))
        counts.pop(None, None)
        for several in [k for k in counts if type(k) is tuple]:
            n = counts.pop(several)
            for v in several:
                counts[v] += n
        return counts

    def rank(self, db: sqlite3.Connection, sort_sql: str) -> list[int]:
        """Each row's rank by an expression: equal values share one (a dense rank)."""
        with self.lock:
            found = self.ranks.get(sort_sql)
        if found is None:
            alias = self.spec.rows.split()[1]
            found = [0] * (self.size + 1)
            n, last = -1, object()
            for row, value in db.execute(
                f"SELECT {alias}.id, {sort_sql} FROM {self.spec.rows} ORDER BY {sort_sql}"
            ):
                if n < 0 or value != last:
                    n, last = n + 1, value
                found[row] = n
            with self.lock:
                self.ranks[sort_sql] = found
        return found


_postings: dict[tuple[str, str], tuple[int, Postings]] = {}
_postings_lock = threading.Lock()


def postings(db: sqlite3.Connection, spec: Spec) -> Postings:
    """The Postings of a table of this index file (made again when a rebuild replaced it)."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    stamp = os.stat(path).st_ino if path else id(db)
    with _postings_lock:
        known = _postings.get((path, spec.name))
    if known is not None and known[0] == stamp:
        return known[1]
    made = Postings(db, spec)
    with _postings_lock:
        _postings[(path, spec.name)] = (stamp, made)
    return made


def _selection(
    db: sqlite3.Connection,
    post: Postings,
    filters: Mapping[str, list[str]],
    text: tuple[str, list[Any]],
    skip: str = "",
) -> set[int] | None:
    rows = post.select(filters, skip)
    if text[0]:
        alias = post.spec.rows.split()[1]
        matched = {
            r
            for (r,) in db.execute(
                f"SELECT {alias}.id FROM {post.spec.rows} WHERE {text[0]}", text[1]
            )
        }
        rows = matched if rows is None else rows & matched
    return rows


def _facets(
    db: sqlite3.Connection,
    post: Postings,
    filters: Mapping[str, list[str]],
    text: tuple[str, list[Any]],
    selected: set[int] | None,
) -> list[FacetCounts]:
    """Each facet's value counts over the rows the other facets' filters (and the text) leave."""
    out = []
    for facet in post.spec.facets:
        if facet.name in filters:
            rows = _selection(db, post, filters, text, skip=facet.name)
        else:
            rows = selected
        counts = post.count(facet.name, rows)
        if facet.by_value:
            found = sorted(counts.items(), key=lambda vn: vn[0], reverse=True)
        else:
            found = sorted(counts.items(), key=lambda vn: (-vn[1], vn[0]))
        found = [(v, n) for v, n in found if n]
        chosen = filters.get(facet.name, [])
        keys = [v for v, _ in found[:FACET_VALUES]]
        keys += [v for v in chosen if v not in keys]
        terms = term_labels(db, facet.name, keys)
        values = [Value(k, *terms.get(k, (k, "")), counts.get(k, 0), k in chosen) for k in keys]
        out.append(FacetCounts(facet, values, len(found) > FACET_VALUES))
    return out


def _page_ids(
    db: sqlite3.Connection,
    post: Postings,
    rows: set[int],
    sort: str,
    sorts: Mapping[str, str],
    page: int,
    per_page: int,
) -> list[int]:
    """The ids of one page of these rows in the order asked for."""
    rank = post.rank(db, sorts[sort.lstrip("-")])
    start = (page - 1) * per_page
    way = -1 if sort.startswith("-") else 1  # the column either way, then the id (as in SQL)
    return heapq.nsmallest(start + per_page, rows, key=lambda r: (way * rank[r], r))[start:]


def _page(
    db: sqlite3.Connection,
    post: Postings,
    selected: set[int] | None,
    sort: str,
    order: str,
    sorts: Mapping[str, str],
    page: int,
    per_page: int,
    columns: Sequence[str],
) -> tuple[list[tuple[Any, ...]], int]:
    """(id, *columns) of one page of the selected rows in order, and how many are selected."""
    table, alias = post.spec.rows, post.spec.rows.split()[1]
    listed = ", ".join(f"{alias}.{c}" for c in columns)
    if selected is None:  # every row: the store's index on the sort column pages it
        (total,) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
        found = db.execute(
            f"SELECT {alias}.id, {listed} FROM {table} ORDER BY {order}, {alias}.id"
            " LIMIT ? OFFSET ?",
            (per_page, (page - 1) * per_page),
        ).fetchall()
        return found, total
    ids = _page_ids(db, post, selected, sort, sorts, page, per_page)
    if not ids:
        return [], len(selected)
    marks = ",".join("?" * len(ids))
    by_id = {
        r[0]: r
        for r in db.execute(
            f"SELECT {alias}.id, {listed} FROM {table} WHERE {alias}.id IN ({marks})", ids
        )
    }
    return [by_id[i] for i in ids], len(selected)


def and_text(text: tuple[str, list[Any]]) -> str:
    return f" AND {text[0]}" if text[0] else ""


def term_labels(
    db: sqlite3.Connection, facet: str, keys: Sequence[str]
) -> dict[str, tuple[str, str]]:
    """(label, IRI) of these values of a facet."""
    if not keys:
        return {}
    marks = ",".join("?" * len(keys))
    return {
        k: (label, iri)
        for k, iri, label in db.execute(
            f"SELECT value, iri, label FROM terms WHERE facet = ? AND value IN ({marks})",
            [facet, *keys],
        )
    }


def _labels(db: sqlite3.Connection, wanted: Mapping[str, set[str]]) -> dict[tuple[str, str], Value]:
    out = {}
    for facet, keys in wanted.items():
        for k, (label, iri) in term_labels(db, facet, sorted(keys)).items():
            out[(facet, k)] = Value(k, label, iri, 0)
    return out


_CLAIM_COLUMNS = (
    "iri", "quote", "claimant", "act", "polarity", "attribution", "verdict", "article", "date",
    "review",
)  # fmt: skip
LABELLED = ("claimant", "act", "polarity", "attribution", "verdict", "article", "review")


def claims(
    db: sqlite3.Connection,
    filters: Mapping[str, list[str]],
    sort: str = "",
    page: int = 1,
    query: str = "",
    per_page: int = PER_PAGE,
) -> Table:
    """One page of the claims table, with every facet's counts."""
    sort, order = _order(sort, CLAIM_SORTS, "-date")
    text = text_clause(query, "claim", "c.iri")
    post = postings(db, CLAIMS)
    selected = _selection(db, post, filters, text)
    found, total = _page(
        db, post, selected, sort, order, CLAIM_SORTS, page, per_page, _CLAIM_COLUMNS
    )
    rows = [dict(zip(_CLAIM_COLUMNS, r[1:], strict=True)) for r in found]
    wanted: dict[str, set[str]] = {f: {r[f] for r in rows if r[f]} for f in LABELLED}
    table = Table(rows, total, page, sort, dict(filters), [], query)
    table.facets = _facets(db, post, filters, text, selected)
    table.labels = _labels(db, wanted)
    for fc in table.facets:
        for v in fc.values:
            table.labels.setdefault((fc.facet.name, v.key), v)
    return table


def claim_rows(
    db: sqlite3.Connection, filters: Mapping[str, list[str]], sort: str = "", query: str = ""
) -> Iterator[dict[str, Any]]:
    """Every row of the claims table under these filters, in order, with labels (for CSV); the
    query runs at the call (a bad parameter raises here), the rows come as they are read."""
    sort, order = _order(sort, CLAIM_SORTS, "-date")
    where, args = where_clause(CLAIMS, filters)
    text = text_clause(query, "claim", "c.iri")
    joins = " ".join(
        f"LEFT JOIN terms t_{f} ON t_{f}.facet = '{f}' AND t_{f}.value = c.{f}" for f in LABELLED
    )
    columns = ", ".join(
        [f"c.{c}" for c in _CLAIM_COLUMNS] + [f"t_{f}.iri, t_{f}.label" for f in LABELLED]
    )
    names = list(_CLAIM_COLUMNS) + [x for f in LABELLED for x in (f + "_iri", f + "_label")]
    cursor = db.execute(
        f"SELECT {columns} FROM claims c {joins} WHERE {where}{and_text(text)}"
        f" ORDER BY {order}, c.id",
        [*args, *text[1]],
    )
    return (dict(zip(names, r, strict=True)) for r in cursor)


_ENTITY_COLUMNS = ("iri", "key", "label", "aliases", "about", "claimed")


def entities(
    db: sqlite3.Connection,
    filters: Mapping[str, list[str]],
    sort: str = "",
    page: int = 1,
    query: str = "",
    per_page: int = PER_PAGE,
) -> Table:
    """One page of the entities table (label, types, claims about it, claims it made)."""
    sort, order = _order(sort, ENTITY_SORTS, "-about")
    text = text_clause(query, "entity", "e.iri")
    post = postings(db, ENTITIES)
    selected = _selection(db, post, filters, text)
    found, total = _page(
        db, post, selected, sort, order, ENTITY_SORTS, page, per_page, _ENTITY_COLUMNS
    )
    rows = [dict(zip(_ENTITY_COLUMNS, r[1:], strict=True)) | {"types": []} for r in found]
    ids = {r[0]: row for r, row in zip(found, rows, strict=True)}
    if ids:
        marks = ",".join("?" * len(ids))
        for entity, value in db.execute(
            f"SELECT entity, value FROM entity_values WHERE facet = 'type' AND entity IN ({marks})"
            " ORDER BY entity, value",
            list(ids),
        ):
            ids[entity]["types"].append(value)
    table = Table(rows, total, page, sort, dict(filters), [], query)
    table.facets = _facets(db, post, filters, text, selected)
    table.labels = _labels(db, {"type": {t for r in rows for t in r["types"]}})
    for fc in table.facets:
        for v in fc.values:
            table.labels.setdefault((fc.facet.name, v.key), v)
    return table


def entity_rows(
    db: sqlite3.Connection, filters: Mapping[str, list[str]], sort: str = "", query: str = ""
) -> Iterator[dict[str, Any]]:
    """Every row of the entities table under these filters, in order (for CSV)."""
    sort, order = _order(sort, ENTITY_SORTS, "-about")
    where, args = where_clause(ENTITIES, filters)
    text = text_clause(query, "entity", "e.iri")
    cursor = db.execute(
        f"SELECT {', '.join('e.' + c for c in _ENTITY_COLUMNS)},"
        " (SELECT group_concat(value, ' ') FROM entity_values v WHERE v.entity = e.id"
        " AND v.facet = 'type') FROM entities e"
        f" WHERE {where}{and_text(text)} ORDER BY {order}, e.id",
        [*args, *text[1]],
    )
    return (dict(zip((*_ENTITY_COLUMNS, "types"), r, strict=True)) for r in cursor)
