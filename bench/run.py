"""Load generator: the same query mix against several endpoints, in interleaved rounds.

    python bench/run.py --quads 1000000 --mix light --concurrency 4 16 --rounds 3 --seconds 10

Targets: `kg serve` (cold: result cache off; and warm), `oxigraph serve-read-only` on the same data,
rdflib-endpoint (if installed and the data is small), and in-process pyoxigraph (the limit).
Reports throughput, p50/p95/p99 latency, errors, bytes and peak memory, with ratios against
Oxigraph server, as a Markdown table.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import Generator  # noqa: E402
from mixes import MIXES  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
ACCEPT = {"select": "application/sparql-results+json", "graph": "application/n-triples"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, path: str, timeout: float = 120.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path + "?query=" + urllib.parse.quote("ASK {}"))
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer")


def tree_peak_kib(pid: int) -> int:
    """Peak resident memory (VmHWM) of a process and its children, in KiB."""
    total = 0
    pids = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


@dataclass
class Target:
    name: str
    port: int = 0
    path: str = "/sparql"
    process: subprocess.Popen | None = None
    store: ox.Store | None = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    bytes: int = 0


def start_kg(data_dir: Path, cache: bool, workers: int) -> Target:
    port = free_port()
    env = dict(os.environ, KG_DATA_DIR=str(data_dir), KG_CACHE_SIZE="1000" if cache else "0")
    cmd = [sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(
        cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_for(port, "/sparql")
    return Target("kg serve" + (" (warm cache)" if cache else ""), port, "/sparql", proc)


def start_oxigraph(location: Path) -> Target:
    port = free_port()
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    proc = subprocess.Popen(
        [
            exe,
            "serve-read-only",
            "--union-default-graph",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(port, "/query")
    return Target("oxigraph serve", port, "/query", proc)


def start_rdflib_endpoint(data: Path) -> Target:
    port = free_port()
    proc = subprocess.Popen(
        ["rdflib-endpoint", "serve", str(data), "--port", str(port)],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(port, "/", timeout=600)
    return Target("rdflib-endpoint", port, "/", proc)


def http_worker(target: Target, mix, seed: int, stop: float, out: Result, sizes) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=300)
    i = 0
    while time.time() < stop:
        name, make = mix[i % len(mix)]
        i += 1
        query = make(rng, 0)
        accept = ACCEPT["graph"] if name == "describe" else ACCEPT["select"]
        body = urllib.parse.urlencode({"query": query})
        t0 = time.perf_counter()
        try:
            conn.request(
                "POST",
                target.path,
                body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            )
            resp = conn.getresponse()
            data = resp.read()
            if resp.status != 200:
                out.errors += 1
            out.bytes += len(data)
        except OSError:
            out.errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=300)
            continue
        out.latencies.append(time.perf_counter() - t0)
    conn.close()


def inproc_worker(target: Target, mix, seed: int, stop: float, out: Result, sizes) -> None:
    rng = random.Random(seed)
    i = 0
    while time.time() < stop:
        name, make = mix[i % len(mix)]
        i += 1
        t0 = time.perf_counter()
        try:
            result = target.store.query(make(rng, 0), use_default_graph_as_union=True)
        except (SyntaxError, OSError):
            out.errors += 1
            continue
        if isinstance(result, ox.QueryBoolean):
            data = b"true" if result else b"false"
        elif isinstance(result, ox.QuerySolutions):
            data = result.serialize(format=ox.QueryResultsFormat.JSON)
        else:
            data = result.serialize(format=ox.RdfFormat.N_TRIPLES)
        out.bytes += len(data)
        out.latencies.append(time.perf_counter() - t0)


def run_round(target: Target, mix, concurrency: int, seconds: float) -> dict:
    results = [Result() for _ in range(concurrency)]
    stop = time.time() + seconds
    worker = inproc_worker if target.store is not None else http_worker
    threads = [
        threading.Thread(target=worker, args=(target, mix, n, stop, results[n], None))
        for n in range(concurrency)
    ]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - t0
    lat = sorted(x for r in results for x in r.latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

    peak = tree_peak_kib(target.process.pid) if target.process else _self_peak_kib()
    return {
        "qps": len(lat) / elapsed,
        "p50": pct(0.5),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": sum(r.errors for r in results),
        "bytes": sum(r.bytes for r in results),
        "peak_mib": peak / 1024,
    }


def _self_peak_kib() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def prepare(quads: int) -> tuple[Path, Path, Path, int, int]:
    """Generate the data and load it into a kg store and an Oxigraph server store."""
    OUT.mkdir(exist_ok=True)
    tag = f"{quads // 1000}k"
    nq = OUT / f"data-{tag}.nq"
    gen = Generator(entities=max(50, min(5000, quads // 2000)))
    if not nq.exists():
        with nq.open("w", encoding="utf-8") as f:
            for line in gen.quads(quads):
                f.write(line + "\n")
    kg_dir, ox_dir = OUT / f"kg-store-{tag}", OUT / f"ox-store-{tag}"
    if not kg_dir.exists():
        from kg.store import EmbeddedStore

        tmp = kg_dir.with_suffix(".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        store = EmbeddedStore(tmp)
        store.oxigraph.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        del store
        tmp.rename(kg_dir)
    if not ox_dir.exists():
        exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
        subprocess.run(
            [exe, "load", "--location", str(ox_dir), "--file", str(nq)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    articles = sum(1 for _ in open(nq, encoding="utf-8") if "schema.org/NewsArticle" in _)
    return nq, kg_dir, ox_dir, articles, gen.entities


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quads", type=int, default=10_000)
    parser.add_argument("--mix", choices=sorted(MIXES), default="light")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[4])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2, help="kg serve worker processes")
    parser.add_argument(
        "--targets",
        nargs="+",
        default=["oxigraph", "kg", "kg-warm", "inproc"],
        help="oxigraph kg kg-warm inproc rdflib-endpoint",
    )
    args = parser.parse_args(argv)
    nq, kg_dir, ox_dir, articles, entities = prepare(args.quads)
    mix = MIXES[args.mix](articles, entities)
    targets: list[Target] = []
    try:
        for name in args.targets:
            if name == "oxigraph":
                targets.append(start_oxigraph(ox_dir))
            elif name == "kg":
                targets.append(start_kg(kg_dir, cache=False, workers=args.workers))
            elif name == "kg-warm":
                targets.append(start_kg(kg_dir, cache=True, workers=args.workers))
            elif name == "inproc":
                targets.append(
                    Target("in-process pyoxigraph", store=ox.Store.read_only(str(ox_dir)))
                )
            elif name == "rdflib-endpoint":
                targets.append(start_rdflib_endpoint(nq))
        print(
            f"# {args.mix} mix, {args.quads} quads ({articles} articles), "
            f"{args.rounds} rounds x {args.seconds:g} s, machine: {os.cpu_count()} cores\n"
        )
        for concurrency in args.concurrency:
            rows: dict[str, list[dict]] = {t.name: [] for t in targets}
            for _ in range(args.rounds):
                for t in targets:  # interleaved: every round visits every target
                    rows[t.name].append(run_round(t, mix, concurrency, args.seconds))
            base = statistics.median(r["qps"] for r in rows[targets[0].name])
            print(f"## concurrency {concurrency}\n")
            print(
                "| target | q/s (median) | min–max | ratio | p50 ms | p95 ms | p99 ms | errors | MiB sent | peak MiB |"
            )
            print("|---|---|---|---|---|---|---|---|---|---|")
            for name, rs in rows.items():
                qps = [r["qps"] for r in rs]
                med = statistics.median(qps)
                m = rs[qps.index(sorted(qps)[len(qps) // 2])]
                print(
                    f"| {name} | {med:.1f} | {min(qps):.1f}–{max(qps):.1f} | {med / base:.2f}× | "
                    f"{m['p50']:.2f} | {m['p95']:.2f} | {m['p99']:.2f} | {sum(r['errors'] for r in rs)} | "
                    f"{sum(r['bytes'] for r in rs) / 2**20:.1f} | {max(r['peak_mib'] for r in rs):.0f} |"
                )
            print()
    finally:
        for t in targets:
            t.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
