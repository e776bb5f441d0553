"""The 100k-row SELECT, streamed: time to first byte, total time, server memory growth."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
import urllib.parse

import targets as tg
from mixes import PREFIXES

QUERY = PREFIXES + "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 100000"


def probe(target: tg.Target) -> dict:
    """One request; the server's process tree is sampled every 5 ms while it answers."""
    base = tg.tree_rss_kib(target.process.pid)
    peak = [base]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tg.tree_rss_kib(target.process.pid))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=300)
    body = urllib.parse.urlencode({"query": QUERY})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json",
    }
    t0 = time.perf_counter()
    conn.request("POST", target.path, body=body, headers=headers)
    resp = conn.getresponse()
    t_headers = time.perf_counter() - t0
    first = resp.read1(65536) if hasattr(resp, "read1") else resp.read(65536)
    t_first = time.perf_counter() - t0
    size = len(first)
    while True:
        chunk = resp.read(1 << 20)
        if not chunk:
            break
        size += len(chunk)
    total = time.perf_counter() - t0
    done.set()
    sampler.join()
    conn.close()
    return {
        "status": resp.status,
        "headers_ms": t_headers * 1000,
        "first_byte_ms": t_first * 1000,
        "total_ms": total * 1000,
        "mib": size / 2**20,
        "growth_mib": (peak[0] - base) / 1024,
        "chunked": resp.getheader("Transfer-Encoding") == "chunked",
    }


def probe_all(targets: list[tg.Target], rounds: int) -> str:
    rows: dict[str, list[dict]] = {t.name: [] for t in targets if t.process is not None}
    for _ in range(rounds):
        for t in targets:
            if t.process is not None:
                rows[t.name].append(probe(t))
    lines = [
        "| target | status | first byte ms (median) | total ms (median) | first/total | MiB | peak RSS growth MiB (max) | chunked |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, rs in rows.items():
        first = statistics.median(r["first_byte_ms"] for r in rs)
        total = statistics.median(r["total_ms"] for r in rs)
        lines.append(
            f"| {name} | {','.join(sorted({str(r['status']) for r in rs}))} | {first:.1f} | "
            f"{total:.1f} | {first / total:.2f} | {rs[0]['mib']:.1f} | "
            f"{max(r['growth_mib'] for r in rs):.1f} | {rs[0]['chunked']} |"
        )
    return "\n".join(lines)
