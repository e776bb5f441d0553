"""The site index: full-text search and the claims and entities tables, in one SQLite file and
a Tantivy directory beside it.

The documents are entity labels and aliases, claim quotes (with their claimant's and subjects'
names) and article headlines. Tantivy ranks them for the search page (BM25; bench/search.py
measured SQLite FTS5's bm25 about 10x slower on common words at 1M quads); SQLite holds them in FTS5
for the tables' word filters, and one row per claim and per entity with the values the tables
facet on (claimant, act, polarity, ...), so search, facets and the pictures never scan the store.

Kept in step with the store by version: the index remembers the store version it was built
from, and `refresh(config, store)` rebuilds it when that differs (a full rebuild per store
version, into a new file swapped in by rename: readers never wait and never see half an index).
`kg build`, `kg import` and the web write paths (SPARQL Update, Graph Store writes) call it; a
page finding the index older than the store serves the old one and rebuilds it in the
background, so writes made behind the site's back (another process, a remote store changed by
others) show up shortly after (for a remote store, whose version is only a clock period, once
the index is older than `search_refresh_seconds`). Where it lives (`index_path`): the
`search_index` setting, else `geoclaims-search.sqlite` in the on-disk store's directory, else
(a remote store) a file named after the store's URL in the user's cache directory
(`~/.cache/geoclaims/`, on the machine serving the site); an in-memory store's index is a
temporary file removed with the store.

    from kg import search
    search.refresh(config, store)                       # after a write
    found = search.search(search.open_index(config, store), "lukashenko nato")
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import functools
import hashlib
import logging
import marshal
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.config import Config
from kg.errors import BadParameter, StoreError
from kg.namespaces import PREFIXES

INDEX_FILE = "geoclaims-search.sqlite"
SCHEMA_VERSION = "11"  # bump when the tables below change: old files are rebuilt
MAX_QUERY = 200  # characters of a search; past this a 400 (nobody types more)
MAX_WORDS = 12
PER_PAGE = 20
KINDS = ("entity", "claim", "article")

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE VIRTUAL TABLE docs USING fts5(
    kind, iri UNINDEXED, name, aliases, context, detail UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE TABLE claims(
    id INTEGER PRIMARY KEY, iri TEXT UNIQUE, quote TEXT, claimant TEXT, act TEXT,
    polarity TEXT, attribution TEXT, verdict TEXT, article TEXT, date TEXT, review TEXT,
    claimant_label TEXT, article_label TEXT
);
CREATE TABLE claim_values(claim INTEGER, facet TEXT, value TEXT);
CREATE TABLE entities(
    id INTEGER PRIMARY KEY, iri TEXT UNIQUE, key TEXT, label TEXT, aliases TEXT,
    about INTEGER, claimed INTEGER
);
CREATE TABLE entity_values(entity INTEGER, facet TEXT, value TEXT);
CREATE TABLE terms(facet TEXT, value TEXT, iri TEXT, label TEXT, PRIMARY KEY(facet, value));
CREATE TABLE edges(claimant TEXT, about TEXT, act TEXT, n INTEGER);
CREATE TABLE events(iri TEXT, date TEXT, type TEXT, entity TEXT);
CREATE TABLE vocabulary(term TEXT PRIMARY KEY) WITHOUT ROWID;
"""
_INDEXES = """
CREATE INDEX claim_values_fv ON claim_values(facet, value, claim);
CREATE INDEX claim_values_c ON claim_values(claim, facet);
CREATE INDEX claims_date ON claims(date, id);
CREATE INDEX claims_claimant ON claims(claimant_label, id);
CREATE INDEX claims_article ON claims(article_label, id);
CREATE INDEX edges_n ON edges(n);
CREATE INDEX events_entity ON events(entity, date);
CREATE INDEX edges_claimant ON edges(claimant);
CREATE INDEX edges_about ON edges(about);
CREATE INDEX entity_values_fv ON entity_values(facet, value, entity);
CREATE INDEX entity_values_c ON entity_values(entity, facet);
CREATE INDEX entities_about ON entities(about, id);
CREATE INDEX entities_claimed ON entities(claimed, id);
CREATE INDEX entities_label ON entities(label COLLATE NOCASE, id);
"""

# What the index reads from the store: one plain pattern per query, which Oxigraph answers from
# one index scan (a join of many OPTIONALs over every claim costs it far more).
_CLAIMS = "SELECT ?c WHERE { ?c a schema:Claim }"
_CLAIM_PROPS = {
    "claimant": "gc:claimant",
    "about": "gc:about",
    "polarity": "gc:polarity",
    "attribution": "gc:attribution",
    "article": "gc:appearsIn",
    "review": "gc:reviewStatus",
}
# A claim's speech act: its gc: type other than gc:Claim. The query leaves out the types every
# claim has by identity (no string compared, none decoded: STRSTARTS(STR(?v)) took a third more
# at 2,000 articles); `_collect` keeps the gc: ones.
_EVERY_CLAIMS_TYPES = ("gc:Claim", "schema:Claim", "prov:Entity")
_ACTS = (
    "SELECT ?c ?v WHERE { ?c a schema:Claim . ?c a ?v FILTER("
    + " && ".join(f"?v != {t}" for t in _EVERY_CLAIMS_TYPES)
    + ") }"
)
_QUOTES = "SELECT ?c ?v WHERE { ?c gc:evidence ?s . ?s nif:anchorOf ?v }"
_VERDICTS = (
    "SELECT ?c ?v WHERE { GRAPH ?rg { ?rg a gc:ReviewGraph ."
    " ?r schema:itemReviewed ?c ; gc:verdict ?v } }"
)
_ARTICLES = (
    "SELECT ?a ?h ?d WHERE { ?a a schema:NewsArticle"
    " OPTIONAL { ?a schema:headline ?h } OPTIONAL { ?a schema:datePublished ?d } }"
)
_ENTITIES = "SELECT ?e ?t WHERE { GRAPH ?g { ?g a gc:EntityGraph . ?e a ?t } }"
_LABELS = "SELECT ?x ?l WHERE { ?x rdfs:label ?l }"
_ALIASES = "SELECT ?x ?l WHERE { GRAPH ?g { ?g a gc:EntityGraph . ?x skos:altLabel ?l } }"
_PREF_LABELS = "SELECT ?x ?l WHERE { ?x skos:prefLabel ?l }"
# Coded events (GDELT, POLECAT: `kg import`), for the timelines of the entities taking part (as
# an actor, or by an actor's country); none in a store without event data.
_EVENTS = (
    "SELECT ?e ?d ?t WHERE { ?e a gc:CodedEvent ; schema:startDate ?d"
    " OPTIONAL { ?e sem:eventType ?t } }"
)
_EVENT_ENTITIES = tuple(
    f"SELECT ?e ?x WHERE {{ ?e {role} ?a . ?a {link} ?x }}"
    for role in ("gc:sourceActor", "gc:targetActor")
    for link in ("rdf:value", "gc:actorCountry")
)


# ---------------------------------------------------------------------------------------------
# Where the index lives


_memory_paths: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def index_path(config: Config, store: Any = None) -> str | None:
    """The index file for this store (None: an in-memory store that was not given)."""
    if config.search_index:
        return config.search_index
    if config.remote:
        digest = hashlib.sha256(config.store_url.encode()).hexdigest()[:16]
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
        return os.path.join(cache, "geoclaims", f"search-{digest}.sqlite")
    if config.in_memory:
        if store is None:
            return None
        target = getattr(store, "write_store", None) or store
        try:
            return _memory_paths[target]
        except (KeyError, TypeError):
            pass
        fd, path = tempfile.mkstemp(prefix="geoclaims-search-", suffix=".sqlite")
        os.close(fd)
        os.unlink(path)
        with contextlib.suppress(TypeError):  # not weak-referenceable: kept for the process
            _memory_paths[target] = path
            weakref.finalize(target, _remove, path)
        return path
    return str(Path(config.data_dir) / INDEX_FILE)


def _remove(path: str) -> None:
    for p in (path, path + ".lock"):
        with contextlib.suppress(OSError):
            os.unlink(p)
    _remove_old_rankings(path, keep="")


# ---------------------------------------------------------------------------------------------
# Ranking: Tantivy (a Rust full-text engine, PyPI `tantivy`) ranks the search results. SQLite's
# FTS5 holds the same documents for the tables' word filters (sets, no ranking), but ranking a
# word found in a third of the documents took it 10-16 ms at 1M quads where Tantivy's top-k
# takes about one (bench/search.py). Its index is a directory beside the SQLite file,
# named in the file's meta table, so swapping the file swaps both.

RANKED_FIELDS = {"name": 10.0, "aliases": 6.0, "context": 1.0}  # BM25 boosts
KIND_NUDGE = {"entity": 0.02, "article": 0.01}  # on a tie: entities, articles, claims


def _analyzer() -> Any:
    import tantivy

    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def _ranking_schema() -> Any:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("kind", stored=True, tokenizer_name="raw")
    builder.add_text_field("iri", stored=True, tokenizer_name="raw")
    for name in RANKED_FIELDS:
        builder.add_text_field(name, stored=True, tokenizer_name="kg")
    builder.add_text_field("detail", stored=True, tokenizer_name="raw", index_option="basic")
    return builder.build()


def _build_ranking(path: str, docs: Iterable[tuple[str, ...]]) -> str:
    """A new Tantivy index of these documents in a directory of its own beside `path`."""
    import tantivy

    where = f"{path}.ranking-{uuid.uuid4().hex[:12]}"
    os.makedirs(where)
    index = tantivy.Index(_ranking_schema(), path=where)
    index.register_tokenizer("kg", _analyzer())
    writer = index.writer(heap_size=64 * 2**20, num_threads=1)
    for kind, iri, name, aliases, context, detail in docs:
        writer.add_document(
            tantivy.Document(
                kind=kind, iri=iri, name=name, aliases=aliases, context=context, detail=detail
            )
        )
    writer.commit()
    writer.wait_merging_threads()
    return where


def _vocabulary(docs: Iterable[tuple[str, ...]]) -> list[tuple[str]]:
    """Every word of the ranked fields as the analyzer leaves it (for prefixes: `lukash`)."""
    found: set[str] = set()
    for _, _, name, aliases, context, _ in docs:
        for text in (name, aliases, context):
            found.update(_tokens(text))
    return [(t,) for t in sorted(found)]


def _remove_old_rankings(path: str, keep: str) -> None:
    """Ranking directories no index file names any more, but the newest of them: a reader that
    read the previous file's name a moment before the swap still finds it (and one reading it
    keeps its open files: Linux frees them when it closes them)."""
    old = [p for p in Path(path).parent.glob(Path(path).name + ".ranking-*") if str(p) != keep]
    old.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in old[1:] if keep else old:
        shutil.rmtree(stale, ignore_errors=True)


@dataclass
class _Ranking:
    index: Any
    searcher: Any
    schema: Any
    vocabulary: list[str]  # sorted
    known: frozenset[str]


_rankings: dict[str, tuple[int, _Ranking]] = {}
_rankings_lock = threading.Lock()
_ANALYZER: Any = None


def _ranking(db: sqlite3.Connection) -> _Ranking:
    """The ranking index the index file names (opened once per file and process)."""
    import tantivy

    path = db.execute("PRAGMA database_list").fetchone()[2]
    stamp = os.stat(path).st_ino
    with _rankings_lock:
        known = _rankings.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    (name,) = db.execute("SELECT value FROM meta WHERE key = 'ranking'").fetchone()
    index = tantivy.Index.open(os.path.join(os.path.dirname(path), name))
    words = [t for (t,) in db.execute("SELECT term FROM vocabulary ORDER BY term")]
    found = _Ranking(index, index.searcher(), index.schema, words, frozenset(words))
    with _rankings_lock:
        _rankings[path] = (stamp, found)
    return found


def _tokens(text: str) -> list[str]:
    """The words of a text as the ranking index has them (lower case, accents folded)."""
    global _ANALYZER
    if _ANALYZER is None:
        _ANALYZER = _analyzer()
    return list(_ANALYZER.analyze(text))


@functools.lru_cache(maxsize=65536)
def _word_tokens(word: str) -> tuple[str, ...]:
    return tuple(_tokens(word))


PREFIX_TERMS = 40  # the words a prefix stands for, at most (the first in order)


def _completions(r: _Ranking, prefix: str) -> list[str]:
    """Words of the index starting with `prefix` (itself excluded)."""
    out = []
    at = bisect.bisect_right(r.vocabulary, prefix)
    while at < len(r.vocabulary) and len(out) < PREFIX_TERMS:
        word = r.vocabulary[at]
        if not word.startswith(prefix):
            break
        out.append(word)
        at += 1
    return out


# ---------------------------------------------------------------------------------------------
# Building


def short_key(iri: str, base_iri: str) -> str:
    """How a value appears in URLs and tables: our IRIs without the base (`entity/nato`), others
    by their last segment (`asserted`, `Denial`, `contradicted`)."""
    if iri.startswith(base_iri) and not iri.startswith(base_iri + "ontology/"):
        return iri[len(base_iri) :]
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def _rows(store: Any, sparql: str) -> list[tuple[Any, ...]]:
    """A SELECT's rows as tuples of term values (None: unbound), in projection order: plain
    values, not terms in dicts (at 2,000 articles the index reads over a million rows)."""
    from kg.browse.terms import PREFIX_LINES

    return [
        tuple(t.value if t is not None else None for t in row)
        for row in store.query(PREFIX_LINES + sparql, union=True)
    ]


def _labelled(store: Any, sparql: str) -> list[tuple[str, str, str]]:
    """(IRI, text, language tag or "") of a SELECT ?x ?l."""
    from kg.browse.terms import PREFIX_LINES

    return [
        (x.value, lit.value, getattr(lit, "language", None) or "")
        for x, lit in store.query(PREFIX_LINES + sparql, union=True)
    ]


def _best_labels(
    found: Iterable[tuple[str, str, str]],
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The English (else untagged, else any) label per IRI, and every other label it has."""
    rank: dict[str, tuple[int, str]] = {}
    every: dict[str, list[str]] = defaultdict(list)
    for iri, text, lang in found:
        score = 0 if lang.startswith("en") else 1 if not lang else 2
        every[iri].append(text)
        if iri not in rank or (score, text) < rank[iri]:
            rank[iri] = (score, text)
    return {i: v for i, (_, v) in rank.items()}, every


# The reads of a rebuild, by name. Each is a plain pattern Oxigraph answers from one index scan
# (or a two-pattern join); most of a rebuild's time is Oxigraph decoding the terms they return,
# which holds the GIL, so a large on-disk store is read by two processes (`_read_all`).
_READS: dict[str, str] = {
    "claims": _CLAIMS,
    **{facet: f"SELECT ?c ?v WHERE {{ ?c {prop} ?v }}" for facet, prop in _CLAIM_PROPS.items()},
    "act": _ACTS,
    "verdict": _VERDICTS,
    "quotes": _QUOTES,
    "articles": _ARTICLES,
    "entities": _ENTITIES,
    "labels": _LABELS,
    "pref labels": _PREF_LABELS,
    "aliases": _ALIASES,
}
_LABEL_READS = ("labels", "pref labels", "aliases")
# Read by the second process: about half of the time of the reads on drafted articles.
_AWAY = ("act", "quotes", "about", "review")
PARALLEL_BYTES = 100 * 2**20  # an on-disk store smaller than this is read by one process


def _parallel_dir(store: Any) -> str | None:
    """The directory of an on-disk store opened read-only, when it is large enough to be read
    by two processes (on a machine with two cores or more); else None."""
    where = getattr(store, "path", None)
    if where is None or not getattr(store, "read_only", False) or (os.cpu_count() or 1) < 2:
        return None
    with contextlib.suppress(OSError):
        size = sum(e.stat().st_size for e in os.scandir(where) if e.is_file())
        if size >= PARALLEL_BYTES:
            return str(where)
    return None


def _read(store: Any, names: Iterable[str]) -> dict[str, list[tuple[Any, ...]]]:
    """These reads' rows, as plain values."""
    return {n: (_labelled if n in _LABEL_READS else _rows)(store, _READS[n]) for n in names}


class _Claims:
    """Every claim's values, held column-wise: the IRIs sorted, and per facet a list in step
    with them holding None, one value, or a sorted tuple of values; a claim's quote is the least
    of its evidence's texts. A claim costs a few pointers, not a dict of lists: the index of
    10,000 articles reads 660,859 claims, and rows of them held whole took 3 GiB. Nothing
    depends on the order the rows come in (a store's, or `rows_of_graphs`')."""

    def __init__(self, iris: Iterable[str]) -> None:
        self.iris = sorted(set(iris))
        self.at = {iri: n for n, iri in enumerate(self.iris)}
        self.facets: dict[str, list[Any]] = {}
        self.quotes: list[str] = [""] * len(self.iris)
        self._same: dict[str, str] = {}  # one string per distinct value

    def fill(self, facet: str, rows: Iterable[tuple[Any, ...]]) -> None:
        """Add (claim, value) rows of a facet; rows of unknown claims are ignored."""
        if facet == "quotes":
            self._fill_quotes(rows)
            return
        column = self.facets.setdefault(facet, [None] * len(self.iris))
        at, same = self.at, self._same
        for iri, value in rows:
            n = at.get(iri)
            if n is None or (facet == "act" and not value.startswith(_GC)):
                continue
            value = same.setdefault(value, value)
            old = column[n]
            if old is None:
                column[n] = value
            elif type(old) is str:
                if old != value:
                    column[n] = (old, value) if old < value else (value, old)
            elif value not in old:
                column[n] = tuple(sorted((*old, value)))

    def _fill_quotes(self, rows: Iterable[tuple[Any, ...]]) -> None:
        quotes, at = self.quotes, self.at
        for iri, quote in rows:
            n = at.get(iri)
            if n is not None and quote and (not quotes[n] or quote < quotes[n]):
                quotes[n] = quote

    def values(self, n: int) -> dict[str, tuple[str, ...]]:
        """Claim `n`'s values by facet (the facets it has, in the order they were read)."""
        out = {}
        for facet, column in self.facets.items():
            v = column[n]
            if v is not None:
                out[facet] = (v,) if type(v) is str else v
        return out

    def digest(self) -> str:
        return hashlib.blake2b("\n".join(self.iris).encode(), digest_size=16).hexdigest()

    def __len__(self) -> int:
        return len(self.iris)


_CLAIM_FACETS_READ = (*_CLAIM_PROPS, "act", "verdict")  # the facets of a claim, in order


def _iter_rows(store: Any, sparql: str) -> Iterator[tuple[Any, ...]]:
    """`_rows`, one row at a time (none of them kept)."""
    from kg.browse.terms import PREFIX_LINES

    for row in store.query(PREFIX_LINES + sparql, union=True):
        yield tuple(t.value if t is not None else None for t in row)


def _read_claims(store: Any, names: Iterable[str]) -> _Claims:
    """Every claim, with the facets and quotes of these reads filled in."""
    claims = _Claims(iri for (iri,) in _iter_rows(store, _CLAIMS))
    for name in names:
        claims.fill(name, _iter_rows(store, _READS[name]))
    return claims


def _read_at(path: str, names: list[str]) -> tuple[str, dict[str, list[Any]], list[str] | None]:
    """These claim reads, in a process of their own, from the on-disk store at `path`
    (read-only): the claims' digest, the columns filled, the quotes if read."""
    from kg.store import EmbeddedStore

    store = EmbeddedStore(path, read_only=True)
    try:
        claims = _read_claims(store, names)
    finally:
        store.close()
    return claims.digest(), claims.facets, claims.quotes if "quotes" in names else None


def _read_all(store: Any, path: str | None) -> tuple[_Claims, dict[str, list[tuple[Any, ...]]]]:
    """Every read: the claims, and the other reads' rows. In this process; with `path` (a large
    store on disk, opened read-only), a second process reads `_AWAY` meanwhile (spawned: a
    fork would copy RocksDB's state) and sends its columns, in step with the same sorted IRIs
    (checked by a digest of them)."""
    here = [n for n in (*_CLAIM_FACETS_READ, "quotes") if n not in _AWAY]
    others = [n for n in _READS if n not in ("claims", "quotes", *_CLAIM_FACETS_READ)]
    if path is None:
        return _read_claims(store, [*_CLAIM_FACETS_READ, "quotes"]), _read(store, others)
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    from multiprocessing import get_context

    from kg.bulk import _worker_start

    with ProcessPoolExecutor(1, get_context("spawn"), _worker_start, (os.getpid(),)) as pool:
        away = pool.submit(_read_at, path, list(_AWAY))
        claims = _read_claims(store, here)
        rest = _read(store, others)
        try:
            digest, columns, quotes = away.result()
        except BrokenProcessPool:  # it could not start (a script without a __main__ guard)
            digest, columns, quotes = "", {}, None
    if digest != claims.digest():  # not the same claims (or not read): read them here
        for name in _AWAY:
            claims.fill(name, _iter_rows(store, _READS[name]))
    else:
        claims.facets.update(columns)
        if quotes is not None:
            claims.quotes = quotes
    claims.facets = {f: claims.facets[f] for f in _CLAIM_FACETS_READ if f in claims.facets}
    return claims, rest


def _collect(store: Any, base_iri: str, path: str | None = None) -> dict[str, Any]:
    """Everything the index holds, read from the store in a dozen plain queries (with `path`,
    the on-disk store's directory: by two processes, see `_read_all`)."""
    claims, got = _read_all(store, path)
    return _assemble(claims, got, _events(store, base_iri), base_iri)


def _least(old: str, new: str) -> str:
    """The lesser of two values, an empty one counting as none."""
    return min(old, new) if old and new else old or new


def _assemble(
    claims: _Claims,
    got: dict[str, list[tuple[Any, ...]]],
    events: list[tuple[str, str, str, str]],
    base_iri: str,
) -> dict[str, Any]:
    """What `_write` takes, from the claims and the other reads' rows."""
    from kg.check.verdict import WORDS

    articles: dict[str, tuple[str, str]] = {}
    for a, h, d in got["articles"]:
        head, day = h or "", (d or "")[:10]
        old = articles.get(a)
        articles[a] = (_least(old[0], head), _least(old[1], day)) if old else (head, day)
    entity_types: dict[str, list[str]] = defaultdict(list)
    for e, t in got["entities"]:
        if e.startswith(base_iri + "entity/"):
            entity_types[e].append(t)
    labels, _ = _best_labels(got["labels"])
    pref, _ = _best_labels(got["pref labels"])
    for iri, text in pref.items():
        labels.setdefault(iri, text)
    _, aliases = _best_labels(got["aliases"])
    for verdict, words in WORDS.items():
        labels.setdefault(verdict, words)
    return {
        "claims": claims,
        "articles": articles,
        "entity_types": entity_types,
        "events": events,
        "labels": labels,
        "aliases": aliases,
    }


def _events(store: Any, base_iri: str) -> list[tuple[str, str, str, str]]:
    """(event, day, type, entity) of the coded events an entity of ours takes part in."""
    events = {e: (d[:10], t or "") for e, d, t in _rows(store, _EVENTS)}
    if not events:
        return []
    out = set()
    for sparql in _EVENT_ENTITIES:
        for e, x in _rows(store, sparql):
            found = events.get(e)
            if found is not None and x.startswith(base_iri + "entity/"):
                out.add((e, found[0], found[1], x[len(base_iri) :]))
    return sorted(out)


CLAIM_FACETS = ("claimant", "act", "polarity", "attribution", "verdict", "article", "review")


def _write(
    db: sqlite3.Connection, data: dict[str, Any], base_iri: str
) -> Callable[[], Iterator[tuple[str, ...]]]:
    """Write the tables; return what makes the ranked documents (made again on each call:
    a list of them would hold every claim's text once more)."""
    labels: dict[str, str] = data["labels"]
    articles: dict[str, tuple[str, str]] = data["articles"]
    claims: _Claims = data["claims"]
    terms: dict[tuple[str, str], tuple[str, str]] = {}
    keys: dict[tuple[str, str], str] = {}  # (facet, IRI) -> key: a few hundred distinct values

    def key(facet: str, iri: str) -> str:
        k = keys.get((facet, iri))
        if k is not None:
            return k
        k = keys[(facet, iri)] = iri if facet == "date" else short_key(iri, base_iri)
        if (facet, k) not in terms:
            if facet == "article":
                shown = articles.get(iri, ("", ""))[0] or labels.get(iri) or k
            elif facet == "verdict":
                shown = labels.get(k) or labels.get(iri) or k
            else:
                shown = labels.get(iri) or k
            terms[(facet, k)] = (iri, shown)
        return k

    about_count: dict[str, int] = defaultdict(int)
    claimed_count: dict[str, int] = defaultdict(int)

    def claim_rows() -> Iterator[tuple[Any, ...]]:
        for i, iri in enumerate(claims.iris):
            values = claims.values(i)
            first = {f: key(f, v[0]) for f, v in values.items()}
            day = articles.get(values.get("article", ("",))[0], ("", ""))[1]
            yield (
                i + 1,
                iri,
                claims.quotes[i],
                first.get("claimant", ""),
                first.get("act", ""),
                first.get("polarity", ""),
                first.get("attribution", ""),
                first.get("verdict", ""),
                first.get("article", ""),
                day,
                first.get("review", ""),
                "",
                "",
            )

    def value_rows() -> Iterator[tuple[int, str, str]]:
        """claim_values' rows, counting on the way who claims and is claimed about how often."""
        for i in range(len(claims)):
            values = claims.values(i)
            for facet, vs in values.items():
                for v in vs:
                    yield (i + 1, facet, key(facet, v))
            month = articles.get(values.get("article", ("",))[0], ("", ""))[1][:7]
            if month:
                yield (i + 1, "date", key("date", month))
            for who in dict.fromkeys(values.get("claimant", ())):
                claimed_count[who] += 1
            for what in dict.fromkeys(values.get("about", ())):
                about_count[what] += 1

    # Made as they are written (lists of them would hold every claim once more).
    db.executemany("INSERT INTO claims VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", claim_rows())
    db.executemany("INSERT INTO claim_values VALUES (?,?,?)", value_rows())

    def claim_docs() -> Iterator[tuple[str, ...]]:
        for i, iri in enumerate(claims.iris):
            values = claims.values(i)
            who = [labels.get(w, short_key(w, base_iri)) for w in values.get("claimant", ())]
            what = [labels.get(w, short_key(w, base_iri)) for w in values.get("about", ())]
            yield ("claim", iri, claims.quotes[i], "", " ".join(who + what), ", ".join(who))

    docs: list[tuple[str, ...]] = []  # articles' and entities' (claims' are made on demand)
    for iri, (head, day) in sorted(articles.items()):
        docs.append(("article", iri, head or labels.get(iri, ""), "", "", day))
    entity_rows, entity_values = [], []
    for n, (iri, types) in enumerate(sorted(data["entity_types"].items()), start=1):
        label = labels.get(iri) or short_key(iri, base_iri)
        aliases = [a for a in sorted(set(data["aliases"].get(iri, []))) if a != label]
        entity_rows.append(
            (
                n,
                iri,
                short_key(iri, base_iri),
                label,
                "; ".join(aliases),
                about_count.get(iri, 0),
                claimed_count.get(iri, 0),
            )
        )
        kinds = [t for t in sorted(set(types)) if t.startswith(_GC)] or sorted(set(types))
        for t in kinds:
            entity_values.append((n, "type", key("type", t)))
        shown = ", ".join(terms[("type", short_key(t, base_iri))][1] for t in kinds[:3])
        docs.append(("entity", iri, label, " ".join(aliases), "", shown))
    db.executemany("INSERT INTO entities VALUES (?,?,?,?,?,?,?)", entity_rows)
    db.executemany("INSERT INTO entity_values VALUES (?,?,?)", entity_values)

    def every_doc() -> Iterator[tuple[str, ...]]:
        yield from claim_docs()
        yield from docs

    db.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?)", every_doc())
    db.executemany(
        "INSERT INTO events VALUES (?,?,?,?)",
        [(e, day, key("event", kind) if kind else "", who) for e, day, kind, who in data["events"]],
    )
    db.executemany(
        "INSERT INTO terms VALUES (?,?,?,?)", [(f, k, i, s) for (f, k), (i, s) in terms.items()]
    )
    db.executescript(
        "UPDATE claims SET claimant_label = (SELECT label FROM terms t WHERE t.facet ="
        " 'claimant' AND t.value = claims.claimant), article_label = (SELECT label FROM terms t"
        " WHERE t.facet = 'article' AND t.value = claims.article);"
        "INSERT INTO edges SELECT w.value, a.value, c.act, COUNT(*) FROM claims c"
        " JOIN claim_values w ON w.claim = c.id AND w.facet = 'claimant'"
        " JOIN claim_values a ON a.claim = c.id AND a.facet = 'about' GROUP BY 1, 2, 3;"
    )
    db.executescript(_INDEXES)
    db.execute("ANALYZE")
    return every_doc
    db.execute("INSERT INTO docs(docs) VALUES ('optimize')")


_GC = "https://w3id.org/geoclaims/ontology/"


def build_index(
    store: Any, path: str, base_iri: str, version: str, *, store_dir: str | None = None
) -> Stats:
    """Read the store and write a new index at `path` (swapped in whole, by rename). With
    `store_dir`, the directory of the on-disk store `store` has open read-only, a second process
    shares the reading (`_read_all`)."""
    started = time.perf_counter()
    return _build(_collect(store, base_iri, store_dir), path, base_iri, version, started)


def _build(data: dict[str, Any], path: str, base_iri: str, version: str, started: float) -> Stats:
    """Write the index of `data` (`_assemble`) at `path`, swapped in whole."""
    read = time.perf_counter() - started
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with _swapped(path) as db:
        db.executescript(_SCHEMA)
        docs = _write(db, data, base_iri)
        ranked = _build_ranking(path, docs())
        db.executemany("INSERT INTO vocabulary VALUES (?)", _vocabulary(docs()))
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("version", version),
                ("base", base_iri),
                ("schema", SCHEMA_VERSION),
                ("ranking", os.path.basename(ranked)),
                ("seconds", f"{time.perf_counter() - started:.3f}"),
            ],
        )
    _remove_old_rankings(path, keep=ranked)
    return Stats(
        len(data["claims"]),
        len(data["entity_types"]),
        len(data["articles"]),
        read,
        time.perf_counter() - started,
    )


@contextlib.contextmanager
def _swapped(path: str, *, copy: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection to a new file beside `path` (a copy of it, with `copy`; no journal, no
    syncing), committed and swapped in for `path` by rename when the block ends; removed, and
    `path` left as it was, when it raises."""
    tmp = f"{path}.new-{os.getpid()}-{threading.get_ident()}"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    if copy:
        shutil.copyfile(path, tmp)
    db = sqlite3.connect(tmp)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        yield db
        db.commit()
    except BaseException:
        db.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    db.close()
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------
# The same reads from graphs in memory: a streamed `kg build` (kg.bulk) has its workers derive
# them from the graphs they compile, and builds the index while the store's files are written
# and compacted, instead of reading the store again afterwards.


def _full(name: str) -> str:
    prefix, local = name.split(":", 1)
    return PREFIXES[prefix] + local


_TYPE = _full("rdf:type")
_CLAIM_CLASS = _full("schema:Claim")
_ARTICLE_CLASS = _full("schema:NewsArticle")
_NOT_ACTS = frozenset(_full(t) for t in _EVERY_CLAIMS_TYPES)
_PROP_OF = {facet: _full(prop) for facet, prop in _CLAIM_PROPS.items()}
_P = {
    name: _full(curie)
    for name, curie in {
        "evidence": "gc:evidence",
        "anchor": "nif:anchorOf",
        "reviewed": "schema:itemReviewed",
        "verdict": "gc:verdict",
        "headline": "schema:headline",
        "published": "schema:datePublished",
        "label": "rdfs:label",
        "pref": "skos:prefLabel",
        "alias": "skos:altLabel",
    }.items()
}
_WANTED = frozenset({_TYPE, *_PROP_OF.values(), *_P.values()})


# The same as terms, for the triples' predicates; the IRIs as values are the very strings of
# `_WANTED` (so `is _TYPE` holds).
_WANTED_NODES = {ox.NamedNode(iri): iri for iri in _WANTED}
_REVIEW_GRAPH, _ENTITY_GRAPH = _full("gc:ReviewGraph"), _full("gc:EntityGraph")
_CLASS_NODES = {
    ox.NamedNode(c): c for c in (_CLAIM_CLASS, _ARTICLE_CLASS, _REVIEW_GRAPH, _ENTITY_GRAPH)
}


def rows_of_graphs(
    graphs: Iterable[tuple[str, Iterable[tuple[Any, Any, Any]]]],
) -> dict[str, list[tuple[Any, ...]]]:
    """The rows each read of `_READS` gives over a store holding just these graphs (name, and
    triples of pyoxigraph terms), as plain values in no particular order: what a chunk of a
    streamed build adds to the index. tests/test_search_build.py pins the index built from them
    against the one read from the store."""
    # rdf:type triples (most of those wanted) stay terms until a class or subject is wanted.
    by: dict[str, list[tuple[str, Any, str]]] = defaultdict(list)
    typed: list[tuple[Any, Any, str]] = []
    wanted = _WANTED_NODES
    for g, triples in graphs:
        for s, p, o in triples:
            prop = wanted.get(p)
            if prop is _TYPE:
                typed.append((s, o, g))
            elif prop is not None:
                by[prop].append((s.value, o, g))

    def pairs(prop: str) -> list[tuple[str, str]]:
        return [(s, o.value) for s, o, _ in by[prop]]

    own: dict[str, set[str]] = defaultdict(set)  # class -> graphs that say they are of it
    claims, news = set(), set()
    for s, o, g in typed:
        cls = _CLASS_NODES.get(o)
        if cls is None:
            continue
        if cls is _CLAIM_CLASS:
            claims.add(s)
        elif cls is _ARTICLE_CLASS:
            news.add(s.value)
        elif s.value == g:
            own[cls].add(g)
    out: dict[str, list[tuple[Any, ...]]] = {
        "claims": [(c.value,) for c in claims],
        **{facet: pairs(prop) for facet, prop in _PROP_OF.items()},
        "act": [
            (s.value, o.value) for s, o, _ in typed if s in claims and o.value not in _NOT_ACTS
        ],
    }

    reviews = own[_REVIEW_GRAPH]
    reviewed: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r, o, g in by[_P["reviewed"]]:
        if g in reviews:
            reviewed[(r, g)].append(o.value)
    out["verdict"] = [
        (c, o.value) for r, o, g in by[_P["verdict"]] if g in reviews for c in reviewed[(r, g)]
    ]
    anchors: dict[str, list[str]] = defaultdict(list)
    for span, text in pairs(_P["anchor"]):
        anchors[span].append(text)
    out["quotes"] = [(c, text) for c, span in pairs(_P["evidence"]) for text in anchors[span]]
    heads, days = defaultdict(list), defaultdict(list)
    for a, h in pairs(_P["headline"]):
        heads[a].append(h)
    for a, d in pairs(_P["published"]):
        days[a].append(d)
    out["articles"] = [
        (a, h, d) for a in news for h in heads[a] or [None] for d in days[a] or [None]
    ]
    entity_graphs = own[_ENTITY_GRAPH]
    out["entities"] = [(s.value, o.value) for s, o, g in typed if g in entity_graphs]
    for name, prop, where in (
        ("labels", "label", None),
        ("pref labels", "pref", None),
        ("aliases", "alias", entity_graphs),
    ):
        out[name] = [
            (s, o.value, getattr(o, "language", None) or "")
            for s, o, g in by[_P[prop]]
            if where is None or g in where
        ]
    return out


class IndexRows:
    """The index's rows gathered while a streamed build loads the store (`add`, once per chunk
    of `rows_of_graphs`), spooled to a scratch file so that memory stays flat; `start` builds
    the index from them in a thread (the bulk loader meanwhile writes and compacts the store's
    files, with the GIL released) and `finish` waits for it and stamps it with the store's
    version. The index is left out (None) if anything failed: the build's refresh then reads
    the store as usual. The store's coded events (`kg import`) are not in these rows: a build
    that keeps them changes the store's version after, so the refresh rebuilds the index."""

    def __init__(self, path: str, base_iri: str) -> None:
        self.path, self.base_iri = path, base_iri
        where = os.path.dirname(path)
        self._spool = tempfile.TemporaryFile(prefix="kg-index-rows-", dir=where)  # noqa: SIM115
        self._thread: threading.Thread | None = None
        self._stats: Stats | None = None
        self._error: BaseException | None = None

    def add(self, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        marshal.dump(rows, self._spool)

    def _chunks(self) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
        self._spool.seek(0)
        while True:
            try:
                yield marshal.load(self._spool)
            except EOFError:
                return

    def _data(self) -> dict[str, Any]:
        # The spool is read twice: every claim's IRI first (`_Claims` holds them sorted), then
        # their values; holding the chunks' rows instead would hold the whole index twice.
        claims = _Claims(iri for rows in self._chunks() for (iri,) in rows["claims"])
        got: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for rows in self._chunks():
            for name, found in rows.items():
                if name in _CLAIM_FACETS_READ or name == "quotes":
                    claims.fill(name, found)
                elif name != "claims":
                    got[name].extend(found)
        claims.facets = {f: claims.facets[f] for f in _CLAIM_FACETS_READ if f in claims.facets}
        return _assemble(claims, got, [], self.base_iri)

    def close(self) -> None:
        """Let go of the scratch file (a build that failed: a thread still reading it stops)."""
        self._spool.close()

    def start(self) -> None:
        def run() -> None:
            try:
                started = time.perf_counter()
                self._stats = _build(self._data(), self.path, self.base_iri, "", started)
            except Exception as err:  # noqa: BLE001 - reported by `finish`
                self._error = err

        self._thread = threading.Thread(target=run, name="kg-index-rows", daemon=True)
        self._thread.start()

    def finish(self, version: str) -> Stats | None:
        """The index's figures once it is built and stamped with `version`; None if it failed."""
        if self._thread is None:
            self.start()
        assert self._thread is not None
        self._thread.join()
        self.close()
        if self._error is not None or self._stats is None:
            logging.getLogger(__name__).warning(
                "search index not built during the load (%s): read from the store", self._error
            )
            return None
        db = sqlite3.connect(self.path)
        try:
            db.execute("UPDATE meta SET value = ? WHERE key = 'version'", (version,))
            db.commit()
        finally:
            db.close()
        return self._stats


@dataclass(frozen=True)
class Stats:
    """What a rebuild indexed and how long it took (seconds reading the store, in all)."""

    claims: int
    entities: int
    articles: int
    read_seconds: float
    seconds: float
    verdicts_only: bool = False  # `_update_verdicts`: the verdict facet, not a rebuild

    def __str__(self) -> str:
        def n(count: int, one: str, many: str) -> str:
            return f"{count:,} {one if count == 1 else many}"

        if self.verdicts_only:
            return (
                f"search index: the verdicts of {n(self.claims, 'claim', 'claims')}"
                f" updated in {self.seconds:.2f} s"
            )
        return (
            f"search index: {n(self.claims, 'claim', 'claims')},"
            f" {n(self.entities, 'entity', 'entities')}, {n(self.articles, 'article', 'articles')}"
            f" in {self.seconds:.2f} s"
        )


def stored_version(path: str, base_iri: str) -> str | None:
    """The store version an index file was built from (None: no usable file)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.Error:
        return None
    finally:
        db.close()
    if meta.get("schema") != SCHEMA_VERSION or meta.get("base") != base_iri:
        return None
    return meta.get("version")


def refresh(
    config: Config,
    store: Any = None,
    *,
    force: bool = False,
    verdicts: tuple[str, str] | None = None,
) -> Stats | None:
    """Bring the index in step with the store: rebuilt when the store's version changed (or
    always, with `force`). None when it was already current (or an in-memory store was not
    given). Processes take turns (a lock file); one finding the work done meanwhile stops.
    `verdicts`: the store's versions before and after a write that replaced only the review
    graph (`kg check`); while the store is at the second, an index built at the first gets its
    verdicts updated, not rebuilt (`_update_verdicts`)."""
    path = index_path(config, store)
    if path is None:
        return None
    if store is None:
        from kg.lock import reader

        if not config.remote and not Path(config.data_dir).is_dir():
            return None
        with reader(config) as opened:  # on disk: read-only, under the readers' shared lock
            return _refresh(config, opened, path, force, verdicts)
    return _refresh(config, store, path, force, verdicts)


def _refresh(
    config: Config,
    store: Any,
    path: str,
    force: bool,
    verdicts: tuple[str, str] | None = None,
) -> Stats | None:
    version = store.version
    if not force and stored_version(path, config.base_iri) == version:
        return None
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            have = stored_version(path, config.base_iri)
            if not force and have == version:
                return None
            # (A remote store's version is a clock period, not a token of its content.)
            if not force and not config.remote and verdicts == (have, version):
                updated = _update_verdicts(store, path, config.base_iri, version)
                if updated is not None:
                    return updated
            return build_index(
                store, path, config.base_iri, version, store_dir=_parallel_dir(store)
            )
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class _NotChecks(Exception):
    """A verdict that is not one of kg check's: the index is rebuilt instead of updated."""


def _update_verdicts(store: Any, path: str, base_iri: str, version: str) -> Stats | None:
    """The index at `path` with its verdict facet replaced by the store's, stamped `version`:
    the tables a rebuild would write after a write that replaced only the review graph (their
    rows in another order), without reading the rest of the store again (at 10,000 articles a
    rebuild reads ~660,000 claims' facets, quotes and labels). Into a copy swapped in whole, as
    a rebuild is; the ranking documents hold no verdicts and stay. None, and the index left as
    it was, when a verdict is not one of kg check's (a rebuild then labels it from the store)."""
    from kg.check.verdict import WORDS

    started = time.perf_counter()
    try:
        with _swapped(path, copy=True) as db:
            at = dict(db.execute("SELECT iri, id FROM claims"))
            found: dict[int, set[str]] = defaultdict(set)
            for claim, verdict in _iter_rows(store, _VERDICTS):
                n = at.get(claim)
                if n is not None:
                    found[n].add(verdict)
            del at
            read = time.perf_counter() - started
            terms: dict[str, str] = {}  # key -> the first IRI met with it, in claim order
            rows: list[tuple[int, str]] = []
            firsts: list[tuple[str, int]] = []
            for n in sorted(found):
                iris = sorted(found[n])
                keys = [short_key(iri, base_iri) for iri in iris]
                if not set(keys) <= WORDS.keys():
                    raise _NotChecks
                for k, iri in zip(keys, iris, strict=True):
                    terms.setdefault(k, iri)
                rows += ((n, k) for k in keys)
                firsts.append((keys[0], n))
            db.execute("UPDATE claims SET verdict = '' WHERE verdict != ''")
            db.executemany("UPDATE claims SET verdict = ? WHERE id = ?", firsts)
            db.execute("DELETE FROM claim_values WHERE facet = 'verdict'")
            db.executemany("INSERT INTO claim_values VALUES (?, 'verdict', ?)", rows)
            db.execute("DELETE FROM terms WHERE facet = 'verdict'")
            db.executemany(
                "INSERT INTO terms VALUES ('verdict', ?, ?, ?)",
                [(k, iri, WORDS[k]) for k, iri in terms.items()],
            )
            db.execute("ANALYZE claim_values")  # the planner's figures for the facet's new rows
            db.execute("UPDATE meta SET value = ? WHERE key = 'version'", (version,))
            (claims,) = db.execute("SELECT COUNT(*) FROM claims").fetchone()
    except _NotChecks:
        return None
    return Stats(claims, 0, 0, read, time.perf_counter() - started, verdicts_only=True)


# ---------------------------------------------------------------------------------------------
# Reading


_local = threading.local()
_rebuilding: set[str] = set()
_rebuilding_lock = threading.Lock()


def connect(path: str) -> sqlite3.Connection:
    """This thread's read-only connection to the index file (reopened when the file was
    replaced by a rebuild)."""
    try:
        stamp = os.stat(path).st_ino
    except FileNotFoundError:
        raise StoreError(f"no search index at {path}: run kg build") from None
    cache: dict[str, tuple[int, sqlite3.Connection]] = _local.__dict__.setdefault("dbs", {})
    known = cache.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    if known is not None:
        known[1].close()
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    db.execute("PRAGMA query_only = ON")
    cache[path] = (stamp, db)
    return db


def open_index(config: Config, store: Any) -> sqlite3.Connection:
    """The index for the site's store: built now when there is none; when it is older than the
    store, the old one while a background thread rebuilds it (a page never waits for that)."""
    path = index_path(config, store)
    if path is None:
        raise StoreError("no search index for an in-memory store that was not given")
    have = stored_version(path, config.base_iri)
    if have is None:
        refresh(config, store)
    elif have != store.version and not _recent_enough(config, path):
        _rebuild_later(config, store, path)
    return connect(path)


def _recent_enough(config: Config, path: str) -> bool:
    """Whether a remote store's index is recent enough to serve without a rebuild. A remote
    store's version is a period of `store_stale_seconds` (one second), not a token of its
    content, so it differs from the index's a second after every build: a page does not start
    a rebuild (a full read of the store over HTTP) unless the index is older than
    `search_refresh_seconds`. Writes through the site rebuild it at once
    (`refresh_after_write`)."""
    if not config.remote:
        return False
    try:
        age = time.time() - os.stat(path).st_mtime
    except OSError:
        return False
    return age < config.search_refresh_seconds


SYNC_SECONDS = 5.0  # an index that took longer than this to build is rebuilt in the background


def refresh_after_write(config: Config, store: Any) -> None:
    """After a write through the site: rebuild the index now when that is quick (its last
    build took under SYNC_SECONDS), so the next page finds what was written; else in the
    background, so a write to a large store does not wait for the index (pages meanwhile read
    the previous one)."""
    path = index_path(config, store)
    if path is None:
        return
    if _build_seconds(path) < SYNC_SECONDS:
        refresh(config, store)
    else:
        _rebuild_later(config, store, path)


def _build_seconds(path: str) -> float:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'seconds'").fetchone()
        finally:
            db.close()
        return float(row[0]) if row else 0.0
    except (sqlite3.Error, ValueError):
        return 0.0


def _rebuild_later(config: Config, store: Any, path: str) -> None:
    with _rebuilding_lock:
        if path in _rebuilding:
            return
        _rebuilding.add(path)

    def run() -> None:
        try:
            # Again if a write landed while it read the store; once for a remote store, whose
            # version moves on every second anyway (`_recent_enough`).
            for _ in range(1 if config.remote else 3):
                refresh(config, store)
                if stored_version(path, config.base_iri) == store.version:
                    break
        except Exception as err:  # noqa: BLE001 - a thread has no caller to raise to
            logging.getLogger(__name__).warning("search index rebuild failed: %s", err)
        finally:
            with _rebuilding_lock:
                _rebuilding.discard(path)

    threading.Thread(target=run, name="kg-search-refresh", daemon=True).start()


@dataclass(frozen=True)
class Hit:
    """One search result: what it is, its IRI, its text and a line of context."""

    kind: str
    iri: str
    name: str
    detail: str
    snippet: str
    in_name: bool = False  # the snippet is the name, marked (else aliases or context)


@dataclass
class Found:
    """One page of search results."""

    query: str
    words: list[str]
    hits: list[Hit]
    total: int
    page: int
    kind: str = ""
    any_word: bool = False  # no result had every word: these have some
    counts: dict[str, int] = field(default_factory=dict)  # matches per kind

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


_WORD = re.compile(r"\w+", re.UNICODE)


def words_of(query: str) -> list[str]:
    """The words of a search as FTS5 will see them; checked (a 400 for an unreasonable one)."""
    if len(query) > MAX_QUERY:
        raise BadParameter(f"q: a search is at most {MAX_QUERY} characters, not {len(query)}")
    words = _WORD.findall(query.lower())
    if len(words) > MAX_WORDS:
        raise BadParameter(f"q: a search has at most {MAX_WORDS} words, not {len(words)}")
    return words


def match_expression(words: list[str], every: bool = True, kind: str = "") -> str:
    """An FTS5 query of these words in the text columns: each a quoted string (no operator can
    get in), the last also as a prefix (search as you type); all of them (AND) or any (OR); with
    a kind, only documents of that kind (its own indexed column, so counting is index-only)."""
    parts = [f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']
    text = "{name aliases context} : (" + (" AND " if every else " OR ").join(parts) + ")"
    return f"kind : {kind} AND {text}" if kind else text


def _word_query(r: _Ranking, word: str, prefix: bool) -> Any:
    """One word in any ranked field, BM25-scored with the field's boost; the last word of a
    search, when the index has no such word, as the start of one (`lukash`: the first
    PREFIX_TERMS words it starts, at a constant score)."""
    import tantivy

    q = tantivy.Query
    parts = [
        (tantivy.Occur.Should, q.boost_query(q.term_query(r.schema, field, word), boost))
        for field, boost in RANKED_FIELDS.items()
    ]
    more = _completions(r, word) if prefix and word not in r.known else []
    if more:
        parts += [
            (
                tantivy.Occur.Should,
                q.boost_query(q.term_set_query(r.schema, field, more), boost / 4),
            )
            for field, boost in RANKED_FIELDS.items()
        ]
    return q.boolean_query(parts)


def _text(r: _Ranking, words: list[str], every: bool) -> Any:
    """Every word (or any) in the ranked fields (built once per search: a prefix's automaton
    costs about a millisecond to make)."""
    import tantivy

    must = tantivy.Occur.Must if every else tantivy.Occur.Should
    return tantivy.Query.boolean_query(
        [(must, _word_query(r, w, i == len(words) - 1)) for i, w in enumerate(words)]
    )


def _query(r: _Ranking, text: Any, kind: str = "") -> Any:
    """The text query, of one kind of document or all, nudged so that on a tie entities come
    first, then articles."""
    import tantivy

    q = tantivy.Query
    parts = [(tantivy.Occur.Must, text)]
    if kind:
        parts.append((tantivy.Occur.Must, q.term_query(r.schema, "kind", kind)))
    parts += [
        (tantivy.Occur.Should, q.boost_query(q.term_query(r.schema, "kind", k), nudge))
        for k, nudge in KIND_NUDGE.items()
    ]
    return q.boolean_query(parts)


def _counts(r: _Ranking, text: Any) -> dict[str, int]:
    out = {}
    for kind in KINDS:
        n = r.searcher.search(_query(r, text, kind), 1, count=True).count
        if n:
            out[kind] = n
    return out


def search(db: sqlite3.Connection, query: str, page: int = 1, kind: str = "") -> Found:
    """Ranked results of a search (entities, claims, articles), one page of them."""
    if kind and kind not in KINDS:
        raise BadParameter(f"kind must be one of {', '.join(KINDS)}, not {kind[:40]!r}")
    words_of(query)  # the size checks
    words = _tokens(query)[:MAX_WORDS]
    found = Found(query, words, [], 0, page, kind)
    if not words:
        return found
    r = _ranking(db)
    every = True
    text = _text(r, words, every)
    counts = _counts(r, text)
    if not counts and len(words) > 1:
        every = False
        text = _text(r, words, every)
        counts = _counts(r, text)
    found.counts = counts
    found.any_word = not every
    found.total = counts.get(kind, 0) if kind else sum(counts.values())
    if not found.total:
        return found
    top = r.searcher.search(
        _query(r, text, kind), PER_PAGE, count=False, offset=(page - 1) * PER_PAGE
    )
    for _, address in top.hits:
        doc = r.searcher.doc(address)

        def field(name: str, doc: Any = doc) -> str:
            values = doc[name]
            return values[0] if values else ""

        found.hits.append(
            Hit(
                field("kind"),
                field("iri"),
                field("name"),
                field("detail"),
                *snippet([field(f) for f in RANKED_FIELDS], words),
            )
        )
    return found


SNIPPET_WORDS = 24


def snippet(texts: list[str], words: list[str]) -> tuple[str, bool]:
    """The first of these texts with a searched word in it, the words marked (\x02 ... \x03),
    a long one cut to a window around the first of them; and whether it is the first text. The
    last searched word counts as the start of a word too."""
    exact, last = set(words), words[-1]
    for n, text in enumerate(texts):
        spans = []
        for m in _WORD.finditer(text):
            tokens = _word_tokens(m.group())
            if any(t in exact or t.startswith(last) for t in tokens):
                spans.append((m.start(), m.end()))
        if not spans:
            continue
        tokens = list(_WORD.finditer(text))
        first = next(i for i, t in enumerate(tokens) if t.start() == spans[0][0])
        lo = max(0, first - 6) if len(tokens) > SNIPPET_WORDS else 0
        hi = min(len(tokens), lo + SNIPPET_WORDS)
        start = tokens[lo].start() if lo else 0
        end = tokens[hi - 1].end() if hi < len(tokens) else len(text)
        out, at = [], start
        for b, e in spans:
            if b < start or e > end:
                continue
            out += [text[at:b], "\x02", text[b:e], "\x03"]
            at = e
        out.append(text[at:end])
        marked = ("… " if start else "") + "".join(out) + (" …" if end < len(text) else "")
        return marked, n == 0
    return (texts[0][: SNIPPET_WORDS * 8] if texts else ""), False
