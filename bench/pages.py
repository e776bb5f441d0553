"""Page speed of the site at scale: each page template's latency and size on a large store.

    python bench/pages.py --quads 1000000 --requests 40 --concurrency 1 2

The store (bench/out/site-store-1000k, made once) is the seed build (ontology, seed article,
reference facts) plus the generator's data at that size (bench/generate.py), then `kg check`,
so every page kind has verdicts, labels and the ontology behind it. `kg serve` (2 workers) serves
it with its default settings; each page is first fetched by as many parallel clients as there are
workers (the first visit per store version counts the home page's summary and keeps a named
query's answer), then `--requests` times per concurrency level, round-robin over the pages so
drift hits them alike. Prints a Markdown table: p50, p95, max latency (ms), the first visit, the
server's mean CPU per request (its whole process tree, at concurrency 1: the figure that does
not depend on how busy the machine is; /proc counts it in 10 ms ticks) and the page's size.

Other parts of the site add their pages to PAGES (a name and a function of the store facts
giving the path).
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dataset  # noqa: E402
import targets as tg  # noqa: E402

BASE = "https://w3id.org/geoclaims/"
HTML = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}


def site_store(quads: int) -> Path:
    """The seed build plus the generated data and its verdicts, made once under bench/out/."""
    from kg.build import build
    from kg.check import run_checks
    from kg.config import Config
    from kg.store import EmbeddedStore

    final = dataset.OUT / f"site-store-{dataset.tag(quads)}"
    if final.exists():
        return final
    nq = dataset.generate(quads)
    tmp = final.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    config = Config.load({"data_dir": str(tmp)}, environ={})
    build(config, check=False)
    store = EmbeddedStore(tmp)
    store.bulk_load(ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS))
    run_checks(store, config)
    store.close()
    del store
    tmp.rename(final)
    return final


@dataclass(frozen=True)
class Facts:
    """What the page paths are made of, found in the store."""

    entity: str  # the most-claimed entity
    article: str  # a generated article
    claim: str  # a claim of it


def facts(data_dir: Path) -> Facts:
    store = ox.Store.read_only(str(data_dir))
    q = (
        "SELECT ?e (COUNT(?c) AS ?n) WHERE { ?c <https://w3id.org/geoclaims/ontology/about> ?e }"
        " GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 1"
    )
    entity = next(iter(store.query(q, use_default_graph_as_union=True)))["e"].value
    del store
    return Facts(entity, BASE + "article/a700", BASE + "claim/a700/c5")


def local(iri: str) -> str:
    return "/" + quote(iri[len(BASE) :], safe="/:@!$&'()*+,;=-._~")


# (name, path from the facts): every page template of the site, part A.
PAGES: list[tuple[str, Callable[[Facts], str]]] = [
    ("home", lambda f: "/"),
    ("VoID (HTML)", lambda f: "/.well-known/void?format=html"),
    ("VoID (Turtle)", lambda f: "/.well-known/void"),
    ("entity (most claimed)", lambda f: local(f.entity)),
    ("article", lambda f: local(f.article)),
    ("claim", lambda f: local(f.claim)),
    (
        "named query (claims about the entity)",
        lambda f: "/queries/claims-about-entity?" + urlencode({"entity": f.entity}),
    ),
    ("named query (disputed claims)", lambda f: "/queries/disputed-claims"),
    # Issue 16, part B: the finding pages (read from the site index, kg/search.py).
    ("search results (one word)", lambda f: "/search?q=protest"),
    (
        "search results (three words)",
        lambda f: "/search?" + urlencode({"q": "alliance troops border"}),
    ),
    ("claims table", lambda f: "/claims"),
    (
        "claims table (two facets: act, polarity)",
        lambda f: "/claims?act=Accusation&polarity=asserted",
    ),
    (
        "claims table (the entity's claims, by claimant)",
        lambda f: "/claims?" + urlencode({"about": key(f.entity), "sort": "claimant"}),
    ),
    ("entities table", lambda f: "/entities"),
    ("network", lambda f: "/network"),
    ("network (the entity)", lambda f: "/network?" + urlencode({"involving": key(f.entity)})),
    ("timeline (the entity)", lambda f: "/timeline?" + urlencode({"entity": key(f.entity)})),
]


def key(iri: str) -> str:
    """An IRI as the tables and pictures name it (`entity/e4`)."""
    return iri[len(BASE) :]


def fetch(conn: http.client.HTTPConnection, path: str) -> tuple[float, int, int]:
    start = time.perf_counter()
    conn.request("GET", path, headers=HTML)
    response = conn.getresponse()
    body = response.read()
    return (time.perf_counter() - start) * 1000, len(body), response.status


def measure(
    target: tg.Target, paths: list[str], requests: int, concurrency: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Latencies (ms) per path, and at concurrency 1 the server's CPU (ms) per request; each
    client thread walks the paths round-robin."""
    times: dict[str, list[float]] = {p: [] for p in paths}
    cpu: dict[str, list[float]] = {p: [] for p in paths}
    errors: list[str] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=120)
        for i in range(requests * len(paths) // concurrency):
            path = paths[(i + offset) % len(paths)]
            before = target.cpu_seconds() if concurrency == 1 else 0.0
            ms, _, status = fetch(conn, path)
            with lock:
                times[path].append(ms)
                if concurrency == 1:
                    cpu[path].append((target.cpu_seconds() - before) * 1000)
                if status != 200:
                    errors.append(f"{status} {path}")
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"errors: {errors[:5]}")
    return times, cpu


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quads", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40, help="per page and concurrency")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    data_dir = site_store(args.quads)
    found = facts(data_dir)
    from kg import search
    from kg.config import Config

    # The site index, like the summary, is made once per store version (kg build does it).
    started = time.perf_counter()
    made = search.refresh(Config.load({"data_dir": str(data_dir)}, environ={}))
    if made is not None:
        print(f"{made} (built now; {time.perf_counter() - started:.1f} s)\n")
    # The default settings (the result cache on, 1,000 entries), as `kg serve` runs.
    target = tg.start_kg(data_dir, "kg serve", workers=args.workers, cache_size="1000")
    try:
        paths = [make(found) for _, make in PAGES]
        first: dict[str, float] = {}
        sizes: dict[str, int] = {}

        def warm() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=600)
            for path in paths:
                ms, size, status = fetch(conn, path)
                if status != 200:
                    raise SystemExit(f"{status} {path}")
                first[path] = max(first.get(path, 0.0), ms)
                sizes[path] = size
            conn.close()

        warmers = [threading.Thread(target=warm) for _ in range(args.workers)]
        for t in warmers:
            t.start()
        for t in warmers:
            t.join()
        print(f"### Pages at {args.quads:,} quads ({args.workers} workers)\n")
        for c in args.concurrency:
            times, cpu = measure(target, paths, args.requests, c)
            print(f"concurrency {c}, {args.requests} requests per page\n")
            print("| page | p50 ms | p95 ms | max ms | first ms | server CPU ms | size KiB |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            for (name, _), path in zip(PAGES, paths, strict=True):
                t, used = times[path], cpu[path]
                # /proc counts CPU in 10 ms ticks: the mean of many requests is the fair figure.
                load = f"{statistics.fmean(used):.0f}" if used else "–"
                print(
                    f"| {name} | {statistics.median(t):.0f} | {pct(t, 95):.0f} | {max(t):.0f} "
                    f"| {first[path]:.0f} | {load} | {sizes[path] / 1024:.1f} |"
                )
            print()
    finally:
        target.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
