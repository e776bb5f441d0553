"""The cost of federation: a query joining N of our rows with a remote Wikidata-shaped endpoint
over SERVICE, against the same join done locally on the merged data, in the same run.

    python bench/federation.py --rows 1000 --rounds 9

Our side: the seed graph (built into an in-memory store) plus N synthetic claims, each about one
of the seed's states that has a verified Wikidata item. The remote: a real `oxigraph serve` on
loopback serving tests/data/wikidata/fixture.ttl (the fixture of the federation tests). The
query joins every claim with the borders (P47) of the state it is about: through
`SERVICE <remote>` (the fixture's sovereign states and their borders come back over HTTP and are
joined in our engine), and through `GRAPH <merged>` on the same store with the fixture loaded
into a named graph. Rounds alternate the two; the medians and their ratio are printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from conftest import run_oxigraph  # noqa: E402

from kg.build import build  # noqa: E402
from kg.config import Config  # noqa: E402
from kg.store import EmbeddedStore, open_store  # noqa: E402

FIXTURE = ROOT / "tests" / "data" / "wikidata" / "fixture.ttl"
MERGED = "urn:x-geoclaims-bench:wikidata"
GC = "https://w3id.org/geoclaims/ontology/"
QUERY = """
PREFIX gc: <https://w3id.org/geoclaims/ontology/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT ?claim ?neighbour WHERE {
  GRAPH <urn:x-geoclaims-bench:claims> { ?claim gc:about ?state }
  GRAPH ?entities { ?entities a gc:EntityGraph . ?state owl:sameAs ?item }
  %s { ?country wdt:P31 wd:Q3624078 ; wdt:P47 ?neighbour }
  FILTER(?country = ?item)
}
"""


def our_rows(base: str, rows: int) -> list[ox.Quad]:
    """N claims about the seed's states (round robin), in a graph of their own."""
    states = ["belarus", "russia", "poland", "lithuania", "latvia", "ukraine"]
    graph = ox.NamedNode("urn:x-geoclaims-bench:claims")
    about = ox.NamedNode(GC + "about")
    return [
        ox.Quad(
            ox.NamedNode(f"{base}claim/bench/c{n}"),
            about,
            ox.NamedNode(f"{base}entity/{states[n % len(states)]}"),
            graph,
        )
        for n in range(rows)
    ]


def store_with(config: Config, rows: int) -> EmbeddedStore:
    """The seed, N rows of ours and (in its own graph) the fixture, in memory."""
    store = open_store(config)
    assert isinstance(store, EmbeddedStore)
    build(config, store=store, shapes=False, check=False)
    store.oxigraph.extend(our_rows(config.base_iri, rows))
    store.oxigraph.load(
        path=str(FIXTURE), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(MERGED)
    )
    return store


def allowing(config: Config, endpoint: str) -> Config:
    """The settings allowing SERVICE to this (loopback) endpoint, where the settings exist."""
    if "service_allowlist" not in {f.name for f in dataclasses.fields(config)}:
        return config
    return config.with_(service_allowlist=endpoint, service_allow_private=True)


def timed(store: EmbeddedStore, sparql: str) -> tuple[float, int]:
    start = time.perf_counter()
    count = sum(1 for _ in store.query(sparql, union=False))
    return time.perf_counter() - start, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000, help="claims of ours in the join")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, run_oxigraph(Path(tmp)) as server:
        put = requests.put(
            server.base + "/store?default",
            data=FIXTURE.read_bytes(),
            headers={"Content-Type": "text/turtle"},
            timeout=30,
        )
        put.raise_for_status()
        config = allowing(Config.load({"data_dir": ":memory:"}, environ={}), server.query_url)
        store = store_with(config, args.rows)
        federated = QUERY % f"SERVICE <{server.query_url}>"
        local = QUERY % f"GRAPH <{MERGED}>"
        timed(store, federated), timed(store, local)  # warm up both paths
        remote_times, local_times, counts = [], [], set()
        for _ in range(args.rounds):
            for sparql, times in ((federated, remote_times), (local, local_times)):
                seconds, count = timed(store, sparql)
                times.append(seconds)
                counts.add(count)
    if len(counts) != 1:
        print(f"the two joins disagree: {sorted(counts)} rows", file=sys.stderr)
        return 1
    remote, here = statistics.median(remote_times), statistics.median(local_times)
    print(f"### Federation cost: {args.rows} claims joined with the borders of their states\n")
    print("| join | result rows | median ms | min ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for name, times in (("SERVICE to oxigraph serve (loopback)", remote_times),
                        ("local, merged data (GRAPH)", local_times)):  # fmt: skip
        row = f"| {name} | {next(iter(counts))} |"
        print(f"{row} {statistics.median(times) * 1000:.1f} | {min(times) * 1000:.1f} | "
              f"{max(times) * 1000:.1f} |")  # fmt: skip
    print(f"\nfederated / local: **{remote / here:.1f}×** ({args.rounds} rounds, interleaved)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
