"""Search speed at scale: `/search` latency under concurrent users, and the index against the
alternatives, on the bench generator's data.

    python bench/search.py --quads 1000000 --requests 200 --concurrency 1 4

The store is bench/pages.py's (seed build + generated data + kg check, made once). Prints:
1. the index rebuild (kg.search.refresh, forced): seconds and size;
2. `kg serve` (2 workers, default settings) answering `GET /search?q=...` (JSON) for one-word
   and three-word searches drawn from the generator's vocabulary and entity names (seed 3, the
   same pool for every run), `--requests` each, by `--concurrency` client threads: p50/p95/max;
3. the same searches in-process (kg.search.search on the SQLite file: no HTTP), and through the
   alternatives: a SPARQL `CONTAINS(LCASE(...))` scan of labels, quotes and headlines (what a
   site without an index does), and, when the `tantivy` package is installed, a Tantivy index of
   the same documents (`--tantivy`), so the choice of FTS5 is measured, not assumed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # noqa: E402
import targets as tg  # noqa: E402
from generate import WORDS  # noqa: E402

JSON = {"Accept": "application/json"}


def queries(n: int, words: int, seed: int = 3) -> list[str]:
    """`n` searches of `words` words each, from the vocabulary the generated text is made of."""
    rng = random.Random(seed * 100 + words)
    return [" ".join(rng.choice(WORDS) for _ in range(words)) for _ in range(n)]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def row(name: str, times: list[float], extra: str = "") -> str:
    return (
        f"| {name} | {len(times)} | {statistics.median(times):.1f} | {pct(times, 95):.1f} "
        f"| {max(times):.1f} |{extra}"
    )


def over_http(port: int, searches: list[str], concurrency: int) -> tuple[list[float], float]:
    """Latencies (ms) of these searches spread over `concurrency` keep-alive clients, and the
    requests per second."""
    times: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for q in searches[offset::concurrency]:
            start = time.perf_counter()
            conn.request("GET", "/search?" + urlencode({"q": q}), headers=JSON)
            response = conn.getresponse()
            body = response.read()
            ms = (time.perf_counter() - start) * 1000
            with lock:
                times.append(ms)
                if response.status != 200:
                    errors.append(f"{response.status} {q}")
                else:
                    json.loads(body)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"errors: {errors[:5]}")
    return times, len(times) / (time.perf_counter() - started)


def in_process(path: str, searches: list[str]) -> list[float]:
    from kg import search

    db = search.connect(path)
    out = []
    for q in searches:
        start = time.perf_counter()
        search.search(db, q)
        out.append((time.perf_counter() - start) * 1000)
    return out


_SCAN = """
SELECT ?x ?text WHERE {
  { ?x rdfs:label ?text } UNION { ?x schema:headline ?text }
  UNION { ?c gc:evidence ?x . ?x nif:anchorOf ?text }
  FILTER(%s)
} LIMIT 20
"""


def sparql_scan(data_dir: Path, searches: list[str]) -> list[float]:
    """The same searches as a SPARQL scan (every word CONTAINS, case-folded), no index."""
    import pyoxigraph as ox

    from kg.namespaces import PREFIXES

    prefixes = "".join(f"PREFIX {p}: <{i}>\n" for p, i in PREFIXES.items())
    store = ox.Store.read_only(str(data_dir))
    out = []
    for q in searches:
        test = " && ".join(f'CONTAINS(LCASE(STR(?text)), "{w}")' for w in q.split())
        start = time.perf_counter()
        list(store.query(prefixes + _SCAN % test, use_default_graph_as_union=True))
        out.append((time.perf_counter() - start) * 1000)
    return out


def tantivy_index(path: str, searches: list[str]) -> tuple[float, list[float]]:
    """The same documents in Tantivy (built in a temporary directory): build seconds and the
    latencies of a ranked top-20 for each search."""
    import sqlite3
    import tempfile

    import tantivy

    schema = (
        tantivy.SchemaBuilder()
        .add_text_field("iri", stored=True, tokenizer_name="raw")
        .add_text_field("name", stored=True)
        .add_text_field("aliases")
        .add_text_field("context")
        .build()
    )
    with tempfile.TemporaryDirectory(prefix="kg-tantivy-") as where:
        index = tantivy.Index(schema, path=where)
        start = time.perf_counter()
        writer = index.writer()
        for iri, name, aliases, context in sqlite3.connect(path).execute(
            "SELECT iri, name, aliases, context FROM docs"
        ):
            writer.add_document(
                tantivy.Document(iri=iri, name=name, aliases=aliases, context=context)
            )
        writer.commit()
        index.reload()
        built = time.perf_counter() - start
        searcher = index.searcher()
        out = []
        for q in searches:
            start = time.perf_counter()
            parsed = index.parse_query(
                " AND ".join(q.split()), ["name", "aliases", "context"], {"name": 10.0}
            )
            hits = searcher.search(parsed, 20, count=True)  # the top 20 and the total, as FTS5
            [searcher.doc(address)["iri"] for _, address in hits.hits]
            out.append((time.perf_counter() - start) * 1000)
    return built, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quads", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="per kind of search")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scan", type=int, default=10, help="searches as a SPARQL scan")
    parser.add_argument("--tantivy", action="store_true", help="also measure Tantivy")
    args = parser.parse_args(argv)

    from kg import search
    from kg.config import Config

    data_dir = pages.site_store(args.quads)
    config = Config.load({"data_dir": str(data_dir)}, environ={})
    stats = search.refresh(config, force=True)
    path = search.index_path(config)
    assert stats is not None and path is not None
    size = Path(path).stat().st_size / 2**20
    print(f"### Search at {args.quads:,} quads\n")
    print(
        f"Index rebuild (forced): {stats.seconds:.1f} s ({stats.read_seconds:.1f} s reading the"
        f" store), {stats.claims:,} claims, {stats.entities:,} entities, {stats.articles:,}"
        f" articles, {size:.0f} MiB.\n"
    )
    one, three = queries(args.requests, 1), queries(args.requests, 3)
    target = tg.start_kg(data_dir, "kg serve", workers=args.workers, cache_size="1000")
    try:
        warm = http.client.HTTPConnection("127.0.0.1", target.port, timeout=600)
        for _ in range(args.workers * 2):  # each worker opens the index once
            warm.request("GET", "/search?q=warm", headers=JSON)
            warm.getresponse().read()
        warm.close()
        print("`kg serve`, `GET /search?q=...` (JSON), keep-alive clients:\n")
        print("| searches | clients | n | p50 ms | p95 ms | max ms | req/s |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for c in args.concurrency:
            for name, pool in (("one word", one), ("three words", three)):
                times, rate = over_http(target.port, pool, c)
                print(
                    f"| {name} | {c} | {len(times)} | {statistics.median(times):.1f} "
                    f"| {pct(times, 95):.1f} | {max(times):.1f} | {rate:.0f} |"
                )
        print()
    finally:
        target.stop()
    print("In-process, one client (no HTTP): the index against the alternatives:\n")
    print("| how | n | p50 ms | p95 ms | max ms | notes |")
    print("|---|---:|---:|---:|---:|---|")
    print(row("FTS5, one word", in_process(path, one), " kg.search.search |"))
    print(row("FTS5, three words", in_process(path, three), " |"))
    if args.scan:
        print(
            row(
                "SPARQL CONTAINS scan, one word",
                sparql_scan(data_dir, one[: args.scan]),
                " no index; LIMIT 20, unranked |",
            )
        )
        print(
            row(
                "SPARQL CONTAINS scan, three words", sparql_scan(data_dir, three[: args.scan]), " |"
            )
        )
    if args.tantivy:
        built, t1 = tantivy_index(path, one)
        _, t3 = tantivy_index(path, three)
        print(row("Tantivy, one word", t1, f" built in {built:.1f} s |"))
        print(row("Tantivy, three words", t3, " |"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
