"""Load generator: the same query mix against several endpoints, in interleaved rounds.

    /work/venv/bin/python bench/run.py --quads 1000000 --mix light --concurrency 4 16 \
        --rounds 3 --seconds 8 --targets oxigraph kg kg-warm inproc

Targets: `kg` (kg serve, result cache off), `kg-warm` (cache on, filled before the rounds),
`kg-oxigraph` / `kg-virtuoso` (kg serve, cache off, in front of the `oxigraph` / `virtuoso`
target started before it: the remote-store path), `kg-oxigraph-cache` (the same with the result
cache as shipped: 1000 entries, reused for `KG_STORE_STALE_SECONDS` = 1 s, not prefilled),
`virtuoso` (Virtuoso open source, loaded once by its bulk loader),
`kg-inline` (cache off, `KG_QUERY_TIMEOUT=0`: no deadlines at all, the cost of the timeout
design), `kg-isolated` (cache off, `KG_INLINE_ROWS=0`: every query in a query process, even
those kg.bounded lets the worker answer), `kg-proxied` (cache off, `KG_BODY_TIMEOUT=0`: as
behind a proxy that reads each body whole first, docs/nginx-fronts.conf), `kg@DIR` (the
`kg serve` installed in DIR, e.g. another virtualenv's bin holding an older version, cache off),
`kg-gunicorn` (kg serve's WSGI app under gunicorn gthread instead of granian: the other HTTP
server), `kg-wN` (N worker processes), `oxigraph` (`oxigraph serve-read-only
--union-default-graph` on the same data), `rdflib-endpoint`, `floor` / `floor-handoff`
(bench/floor.py: the least a Python endpoint on granian does per query, the body read directly /
on a reader thread), `floor-asgi` (the same on granian's ASGI interface), `floor-proxy` (the
least a Python front of the `oxigraph` target does: the body read on a reader thread and sent on
with pycurl, the answer passed back), `inproc` (pyoxigraph in this process: the limit). Every round
visits every target, so drift on this shared machine hits all of them alike: compare the ratios,
not the absolute numbers. `--wrk` drives the HTTP targets with wrk (a C load generator, Debian
`wrk`) instead of Python threads, for where the Python one saturates (point lookups, warm cache).
`--stream` instead measures the 100k-row SELECT: time to first byte, total time and the server's
peak memory growth.
Prints Markdown tables; each run also appends its raw numbers to bench/out/results.jsonl.
"""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import statistics
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
import targets as tg  # noqa: E402
from dataset import prepare  # noqa: E402
from mixes import MIXES, pool  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
ACCEPT = {"select": "application/sparql-results+json", "graph": "application/n-triples"}


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    bytes: int = 0


def _post(conn: http.client.HTTPConnection, target: tg.Target, query: str, accept: str):
    body = urllib.parse.urlencode({"query": query})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
    conn.request("POST", target.path, body=body, headers=headers)
    return conn.getresponse()


def http_worker(target: tg.Target, queries, offset: int, stop: float, out: Tally) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=300)
    i = offset
    while time.time() < stop:
        kind, query = queries[i % len(queries)]
        i += 1
        t0 = time.perf_counter()
        try:
            resp = _post(conn, target, query, ACCEPT[kind])
            data = resp.read()
            if resp.status != 200:
                out.errors += 1
            if resp.will_close:
                conn.close()  # a server that closes after each answer
            out.bytes += len(data)
        except (OSError, http.client.HTTPException):
            out.errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=300)
            continue
        out.latencies.append(time.perf_counter() - t0)
    conn.close()


def inproc_worker(target: tg.Target, queries, offset: int, stop: float, out: Tally) -> None:
    i = offset
    while time.time() < stop:
        kind, query = queries[i % len(queries)]
        i += 1
        t0 = time.perf_counter()
        try:
            result = target.store.query(query, use_default_graph_as_union=True)
        except (SyntaxError, OSError):
            out.errors += 1
            continue
        if isinstance(result, ox.QueryBoolean):
            data = b'{"head":{},"boolean":true}'
        elif isinstance(result, ox.QuerySolutions):
            data = result.serialize(format=ox.QueryResultsFormat.JSON)
        else:
            data = result.serialize(format=ox.RdfFormat.N_TRIPLES)
        out.bytes += len(data)
        out.latencies.append(time.perf_counter() - t0)


def run_round(target: tg.Target, queries, concurrency: int, seconds: float) -> dict:
    tallies = [Tally() for _ in range(concurrency)]
    stop = time.time() + seconds
    worker = inproc_worker if target.store is not None else http_worker
    step = max(1, len(queries) // concurrency)
    threads = [
        threading.Thread(target=worker, args=(target, queries, n * step, stop, tallies[n]))
        for n in range(concurrency)
    ]
    cpu0 = target.cpu_seconds()
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - t0
    cpu = target.cpu_seconds() - cpu0
    lat = sorted(x for r in tallies for x in r.latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

    return {
        "qps": len(lat) / elapsed,
        "p50": pct(0.5),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": sum(r.errors for r in tallies),
        "bytes": sum(r.bytes for r in tallies),
        "peak_mib": target.peak_kib() / 1024,
        "cpu_ms": cpu * 1000 / max(len(lat), 1),
    }


def _wrk_script(target: tg.Target, queries) -> Path:
    """A wrk Lua script POSTing the pool's queries in turn (each thread from its own offset)."""
    OUT.mkdir(exist_ok=True)
    lines = ["local bodies = {"]
    for kind, query in queries:
        body = urllib.parse.urlencode({"query": query})
        lines.append(f'  {{[==[{body}]==], "{ACCEPT[kind]}"}},')
    lines.append("}")
    lines.append(f'local path = "{target.path}"')
    lines.append(
        """local counter = 0
function setup(thread) thread:set("id", counter); counter = counter + 1 end
function init(args)
  reqs = {}
  for i, b in ipairs(bodies) do
    reqs[i] = wrk.format("POST", path, {["Content-Type"] = "application/x-www-form-urlencoded",
                                        ["Accept"] = b[2]}, b[1])
  end
  idx = (id * 97) % #reqs
end
function request()
  idx = idx % #reqs + 1
  return reqs[idx]
end"""
    )
    script = OUT / f"wrk-{target.port}.lua"
    script.write_text("\n".join(lines) + "\n")
    return script


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def run_round_wrk(target: tg.Target, queries, concurrency: int, seconds: float) -> dict:
    import re
    import subprocess

    script = _wrk_script(target, queries)
    threads = min(2, concurrency)
    cpu0 = target.cpu_seconds()
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{seconds:g}s",
            "--latency",
            "--timeout",
            "300s",
            "-s",
            str(script),
            f"http://127.0.0.1:{target.port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = target.cpu_seconds() - cpu0
    total = int(re.search(r"(\d+) requests in", out).group(1))
    qps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, sock.groups())) if sock else 0)
    pct = {p: _ms(v) for p, v in re.findall(r"^\s+(\d+)%\s+(\S+)", out, re.M)}
    return {
        "qps": qps,
        "p50": pct.get("50", float("nan")),
        "p95": pct.get("90", float("nan")),  # wrk prints 50/75/90/99
        "p99": pct.get("99", float("nan")),
        "errors": errors,
        "bytes": 0,
        "peak_mib": target.peak_kib() / 1024,
        "cpu_ms": cpu * 1000 / max(total, 1),
    }


def prefill(target: tg.Target, queries, connections: int = 4) -> None:
    """Run the whole pool once on each of several connections (spread over the workers)."""
    threads = [threading.Thread(target=_once, args=(target, queries)) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _once(target: tg.Target, queries) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=300)
    for kind, query in queries:
        resp = _post(conn, target, query, ACCEPT[kind])
        resp.read()
        if resp.will_close:
            conn.close()
    conn.close()


def table(rows: dict[str, list[dict]], base_name: str) -> str:
    base = statistics.median(r["qps"] for r in rows[base_name])
    lines = [
        "| target | q/s (median) | min–max | ratio | p50 ms | p95 ms | p99 ms | errors | MiB sent | peak MiB | server CPU ms/q |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, rs in rows.items():
        qps = [r["qps"] for r in rs]
        med = statistics.median(qps)
        m = rs[qps.index(sorted(qps)[len(qps) // 2])]
        lines.append(
            f"| {name} | {med:.1f} | {min(qps):.1f}–{max(qps):.1f} | {med / base:.2f}× | "
            f"{m['p50']:.2f} | {m['p95']:.2f} | {m['p99']:.2f} | {sum(r['errors'] for r in rs)} | "
            f"{sum(r['bytes'] for r in rs) / 2**20:.1f} | {max(r['peak_mib'] for r in rs):.0f} | {m['cpu_ms']:.2f} |"
        )
    return "\n".join(lines)


def _url(started: list[tg.Target], prefix: str) -> str:
    """The URL of a store target started before (a remote store for kg serve to front)."""
    for t in started:
        if t.name.startswith(prefix):
            return f"http://127.0.0.1:{t.port}{t.path}"
    raise SystemExit(f"start the {prefix} target before the kg serve in front of it")


def start(name: str, data: tuple, workers: int, started: list[tg.Target]) -> tg.Target:
    nq, kg_dir, ox_dir = data[:3]
    if name == "oxigraph":
        return tg.start_oxigraph(ox_dir)
    if name == "kg-oxigraph":  # kg serve in front of the `oxigraph` target (cache off)
        return tg.start_kg_remote(_url(started, "oxigraph"), "kg serve → oxigraph", workers=workers)
    if name == "kg-oxigraph-cache":  # the same, with the result cache as shipped (1 s bound)
        return tg.start_kg_remote(
            _url(started, "oxigraph"),
            "kg serve → oxigraph (cache on)",
            workers=workers,
            cache_size="1000",
        )
    if name == "virtuoso":
        return tg.start_virtuoso(nq)
    if name == "kg-virtuoso":  # kg serve in front of the `virtuoso` target (cache off)
        return tg.start_kg_remote(_url(started, "virtuoso"), "kg serve → virtuoso", workers=workers)
    if name == "kg":
        return tg.start_kg(kg_dir, "kg serve", workers=workers)
    if name.startswith("kg@"):  # kg@/path/to/venv/bin: the kg serve installed there (cache off)
        where = Path(name[3:])
        return tg.start_kg(
            kg_dir, f"kg serve of {where.parent.name}", workers=workers, bin_dir=where
        )
    if name == "kg-warm":
        return tg.start_kg(kg_dir, "kg serve (warm cache)", cache=True, workers=workers)
    if name == "kg-inline":
        return tg.start_kg(kg_dir, "kg serve (no timeout)", workers=workers, query_timeout="0")
    if name == "kg-proxied":  # as behind a proxy that buffers bodies: no body deadline of its own
        return tg.start_kg(
            kg_dir, "kg serve (KG_BODY_TIMEOUT=0)", workers=workers, body_timeout="0"
        )
    if name == "kg-isolated":  # every query in a query process (no bounded query in the worker)
        return tg.start_kg(kg_dir, "kg serve (inline_rows 0)", workers=workers, inline_rows="0")
    if name.startswith("kg-q"):  # kg-q1, kg-q4: kg serve with that many query processes a worker
        n = int(name[4:])
        return tg.start_kg(kg_dir, f"kg serve ({n} query processes)", query_processes=str(n))
    if name.startswith("kg-w"):  # kg-w1, kg-w3: kg serve with that many worker processes
        n = int(name[4:])
        return tg.start_kg(kg_dir, f"kg serve ({n} workers)", workers=n)
    if name == "kg-gunicorn":
        return tg.start_kg_gunicorn(kg_dir, "kg app under gunicorn gthread", workers=workers)
    if name == "kg-gunicorn-warm":
        return tg.start_kg_gunicorn(
            kg_dir, "kg app under gunicorn gthread (warm cache)", workers=workers, cache=True
        )
    if name == "floor":  # bench/floor.py: granian's WSGI call and pyoxigraph's work, nothing else
        return tg.start_floor(kg_dir, "floor (granian + pyoxigraph)", workers=workers)
    if name == "floor-handoff":  # the same, the body read on a reader thread (kg.server.app's)
        return tg.start_floor(kg_dir, "floor, body on a reader thread", workers, handoff=True)
    if name == "floor-proxy":  # the least a Python front of the `oxigraph` target does
        upstream = _url(started, "oxigraph")
        return tg.start_floor(
            None, "floor proxy → oxigraph", workers, handoff=True, upstream=upstream
        )
    if name == "floor-asgi":  # the same on granian's ASGI interface, the body read with a deadline
        return tg.start_floor(kg_dir, "floor on ASGI", workers, asgi=True)
    if name == "inproc":
        return tg.inprocess(ox_dir)
    if name == "rdflib-endpoint":
        return tg.start_rdflib_endpoint(nq)
    raise SystemExit(f"unknown target {name}")


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
        help="oxigraph kg kg-warm kg-inline kg-isolated kg-proxied kg@DIR kg-wN kg-qN kg-gunicorn "
        "kg-gunicorn-warm kg-oxigraph kg-oxigraph-cache virtuoso kg-virtuoso floor floor-handoff "
        "floor-asgi floor-proxy inproc rdflib-endpoint (first: the base)",
    )
    parser.add_argument("--stream", action="store_true", help="measure the 100k-row SELECT")
    parser.add_argument("--wrk", action="store_true", help="load HTTP targets with wrk (C)")
    args = parser.parse_args(argv)
    data = prepare(args.quads)
    articles, entities = data[3], data[4]
    queries = pool(MIXES[args.mix](articles, entities))
    started: list[tg.Target] = []
    # A SIGTERM (e.g. from `timeout`) must still stop the servers started below.
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        for name in args.targets:
            started.append(start(name, data, args.workers, started))
        if args.stream:
            from stream import probe_all

            print(probe_all(started, args.rounds))
            return 0
        for t in started:
            if "warm" in t.name:
                prefill(t, queries)
        print(
            f"### {args.mix} mix, {args.quads} quads ({articles} articles, {len(queries)} distinct "
            f"queries), {args.rounds} rounds × {args.seconds:g} s"
            + (", load by wrk (p95 column: wrk's p90)" if args.wrk else "")
            + "\n"
        )
        for concurrency in args.concurrency:
            rows: dict[str, list[dict]] = {t.name: [] for t in started}
            for _ in range(args.rounds):
                for t in started:  # interleaved: every round visits every target
                    runner = run_round_wrk if args.wrk and t.store is None else run_round
                    rows[t.name].append(runner(t, queries, concurrency, args.seconds))
            print(f"concurrency {concurrency}:\n")
            print(table(rows, started[0].name) + "\n")
            OUT.mkdir(exist_ok=True)
            with (OUT / "results.jsonl").open("a") as f:
                record = {"time": time.time(), "quads": args.quads, "mix": args.mix}
                record.update(concurrency=concurrency, rows=rows)
                f.write(json.dumps(record) + "\n")
    finally:
        for t in started:
            t.stop()
        signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
