"""Loading N-Quads into a remote store: kg's path (kg.loading, what `kg build` calls) against the
store's own bulk loader, on the same file, one after the other on this machine.

    nice -n 5 python bench/remote_load.py --quads 1000000 --stores oxigraph virtuoso

kg's path: the file is read and grouped by graph in memory first (what the compiler hands
`kg build`; timed on its own), then `kg.loading.load` sends it to a fresh store over HTTP (Oxigraph
server: SPARQL updates of ~4 MiB holding many graphs; Virtuoso: one Graph Store PUT per graph).
The stores' own loaders: `oxigraph load` (offline, into the directory the server then opens) and
Virtuoso's `ld_dir` + `rdf_loader_run()` + `checkpoint` (through isql, into a fresh database).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
from dataset import generate  # noqa: E402
from targets import free_port, wait_for  # noqa: E402
from virtuoso_server import run_virtuoso  # noqa: E402

from kg.loading import load  # noqa: E402
from kg.remote import RemoteStore  # noqa: E402

BIN = Path(sys.executable).parent
SCRATCH = Path("/tmp") / "geoclaims-remote-load"


def grouped(memory: ox.Store) -> Iterator[ox.Quad]:
    for graph in memory.named_graphs():
        yield from memory.quads_for_pattern(None, None, None, graph)


def kg_oxigraph(memory: ox.Store, total: int) -> float:
    location = SCRATCH / "ox-kg"
    shutil.rmtree(location, ignore_errors=True)
    port = free_port()
    cmd = [str(BIN / "oxigraph"), "serve", "--location", str(location)]
    proc = subprocess.Popen(
        cmd + ["--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(port, "/query", proc)
        store = RemoteStore(f"http://127.0.0.1:{port}/query", timeout=600)
        t0 = time.perf_counter()
        load(store, [], grouped(memory), journal=SCRATCH / "journal-ox", total=total)
        seconds = time.perf_counter() - t0
        count = next(iter(store.query("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")))
        assert int(count["n"].value) == total, count
        store.close()
        return seconds
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(location, ignore_errors=True)


def own_oxigraph(nq: Path) -> float:
    location = SCRATCH / "ox-own"
    shutil.rmtree(location, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run(
        [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(nq)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - t0
    shutil.rmtree(location, ignore_errors=True)
    return seconds


def kg_virtuoso(memory: ox.Store, total: int) -> float:
    location = SCRATCH / "vt-kg"
    shutil.rmtree(location, ignore_errors=True)
    with run_virtuoso(location, memory_mb=1024) as server:
        store = RemoteStore(
            server.query_url, server.update_url, server.gsp_url, user="dba", password="dba"
        )
        store.timeout = 600
        t0 = time.perf_counter()
        load(store, [], grouped(memory), journal=SCRATCH / "journal-vt", total=total)
        server.isql("checkpoint;")  # as the bulk loader's run ends with one
        seconds = time.perf_counter() - t0
        store.close()
    shutil.rmtree(location, ignore_errors=True)
    return seconds


def own_virtuoso(nq: Path) -> float:
    location = SCRATCH / "vt-own"
    shutil.rmtree(location, ignore_errors=True)
    with run_virtuoso(location, memory_mb=1024, allowed_dirs=(str(nq.parent),)) as server:
        t0 = time.perf_counter()
        server.bulk_load(nq.parent, nq.name)
        seconds = time.perf_counter() - t0
    shutil.rmtree(location, ignore_errors=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quads", type=int, default=1_000_000)
    parser.add_argument("--stores", nargs="+", default=["oxigraph", "virtuoso"])
    args = parser.parse_args()
    nq = generate(args.quads).resolve()
    SCRATCH.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    memory = ox.Store()
    memory.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    grouping = time.perf_counter() - t0
    total = len(memory)
    graphs = len(list(memory.named_graphs()))
    print(f"{total} quads in {graphs} graphs; reading and grouping the file: {grouping:.1f} s\n")
    print("| store | kg.loading (s) | quads/s | store's own loader (s) | quads/s | kg / own |")
    print("|---|---|---|---|---|---|")
    runs = {"oxigraph": (kg_oxigraph, own_oxigraph), "virtuoso": (kg_virtuoso, own_virtuoso)}
    for name in args.stores:
        ours, theirs = runs[name]
        kg_s = ours(memory, total)
        own_s = theirs(nq)
        print(
            f"| {name} | {kg_s:.1f} | {total / kg_s:,.0f} | {own_s:.1f} | {total / own_s:,.0f} | "
            f"{kg_s / own_s:.2f}× the time |",
            flush=True,
        )
    shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
