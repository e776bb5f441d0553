"""Page speed of the site at scale: each page template's latency and size on a large store.

    python bench/pages.py --quads 1000000 --requests 40 --concurrency 1 2

The store (bench/out/site-store-1000k, made once) is the seed build (ontology, seed article,
reference facts) plus the generator's data at that size (bench/generate.py), then `kg check`,
so every page kind has verdicts, labels and the ontology behind it. `kg serve` (2 workers) serves
it; each page is fetched once to warm the worker (summaries are computed once per store version
and worker), then `--requests` times per concurrency level, round-robin over the pages so drift
hits them alike. Prints a Markdown table: p50, p95, max latency (ms) and the page's size.

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
]


def fetch(conn: http.client.HTTPConnection, path: str) -> tuple[float, int, int]:
    start = time.perf_counter()
    conn.request("GET", path, headers=HTML)
    response = conn.getresponse()
    body = response.read()
    return (time.perf_counter() - start) * 1000, len(body), response.status


def measure(port: int, paths: list[str], requests: int, concurrency: int) -> dict[str, list]:
    """Latencies (ms) per path; each client thread walks the paths round-robin."""
    times: dict[str, list[float]] = {p: [] for p in paths}
    errors: list[str] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for i in range(requests * len(paths) // concurrency):
            path = paths[(i + offset) % len(paths)]
            ms, _, status = fetch(conn, path)
            with lock:
                times[path].append(ms)
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
    return times


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
    target = tg.start_kg(data_dir, "kg serve", workers=args.workers)
    try:
        paths = [make(found) for _, make in PAGES]
        conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=600)
        first, sizes = {}, {}
        for path in paths:  # warm-up: the first visit computes per-version summaries
            for _ in range(args.workers):
                ms, size, status = fetch(conn, path)
                first.setdefault(path, ms)
                sizes[path] = size
                if status != 200:
                    raise SystemExit(f"{status} {path}")
        conn.close()
        print(f"### Pages at {args.quads:,} quads ({args.workers} workers)\n")
        for c in args.concurrency:
            times = measure(target.port, paths, args.requests, c)
            print(f"concurrency {c}, {args.requests} requests per page\n")
            print("| page | p50 ms | p95 ms | max ms | first ms | size KiB |")
            print("|---|---:|---:|---:|---:|---:|")
            for (name, _), path in zip(PAGES, paths, strict=True):
                t = times[path]
                print(
                    f"| {name} | {statistics.median(t):.0f} | {pct(t, 95):.0f} | {max(t):.0f} "
                    f"| {first[path]:.0f} | {sizes[path] / 1024:.1f} |"
                )
            print()
    finally:
        target.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
