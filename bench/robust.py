"""Robustness of the HTTP servers: slow clients, many connections, memory (issue 10).

    /work/venvs/h10s/bin/python bench/robust.py --quads 1000000 --targets kg kg-gunicorn oxigraph

For each target, in turn (each started fresh, result cache off, then stopped):
- **slowloris**: 300 sockets that send a request line and then one header byte every 3 s;
  meanwhile 10 probes, each a new connection sending a point query: latency, or failed (10 s).
- **keep-alive pool**: 200 keep-alive connections that each send a request every 4 s; 10
  probes as above.
- **256 clients**: h2load (Debian `nghttp2-client`) over HTTP/1.1, 256 connections sending
  requests back to back for 10 s: per connection the time to its first answer (min, mean, max)
  and its requests per second (min: a starved client shows 0), requests failed, total req/s.
- **memory**: proportional set size (PSS) of the server's whole process tree at idle, and after
  60,000 requests of the light mix (wrk, 16 connections).
Prints a Markdown table; appends the raw numbers to bench/out/robust.jsonl.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

import run  # noqa: E402
import targets as tg  # noqa: E402
from dataset import prepare  # noqa: E402
from mixes import MIXES, pool  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
PROBES = 10
PROBE_TIMEOUT = 10.0


def _request(target: tg.Target, query: str) -> bytes:
    path = target.path + "?" + urllib.parse.urlencode({"query": query})
    return (
        f"GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: application/sparql-results+json\r\n\r\n"
    ).encode()


def _read_answer(sock: socket.socket) -> bool:
    """Read one response (Content-Length or chunked, whole); True when it is a 200."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    ok = head.split(b" ", 2)[1] == b"200"
    length = re.search(rb"(?i)content-length:\s*(\d+)", head)
    if length:
        need = int(length.group(1)) - len(rest)
        while need > 0:
            chunk = sock.recv(min(need, 65536))
            if not chunk:
                return False
            need -= len(chunk)
    else:  # chunked: until the last chunk
        while not rest.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                return False
            rest += chunk
    return ok


def probe(target: tg.Target, query: str) -> float | None:
    """Milliseconds for a new connection's answer, or None (failed or over PROBE_TIMEOUT)."""
    start = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", target.port), timeout=PROBE_TIMEOUT) as s:
            s.sendall(_request(target, query))
            if not _read_answer(s):
                return None
    except OSError:
        return None
    return (time.perf_counter() - start) * 1000


def probes(target: tg.Target, query: str) -> dict:
    times = []
    for _ in range(PROBES):
        times.append(probe(target, query))
        time.sleep(0.3)
    ok = [t for t in times if t is not None]
    return {
        "ok": len(ok),
        "median_ms": statistics.median(ok) if ok else None,
        "max_ms": max(ok) if ok else None,
    }


def slowloris(target: tg.Target, query: str, count: int = 300) -> dict:
    socks, stop = [], threading.Event()
    for _ in range(count):
        try:
            s = socket.create_connection(("127.0.0.1", target.port), timeout=5)
            s.sendall(b"GET " + target.path.encode() + b" HTTP/1.1\r\nHost: bench\r\n")
            socks.append(s)
        except OSError:
            break

    def dribble() -> None:
        while not stop.wait(3):
            for s in socks:
                with contextlib.suppress(OSError):
                    s.send(b"X")

    thread = threading.Thread(target=dribble, daemon=True)
    thread.start()
    time.sleep(3)
    result = probes(target, query) | {"opened": len(socks)}
    stop.set()
    for s in socks:
        s.close()
    return result


def keepalive_pool(target: tg.Target, query: str, count: int = 200) -> dict:
    socks, stop = [], threading.Event()
    request = _request(target, query)
    for _ in range(count):
        try:
            socks.append(socket.create_connection(("127.0.0.1", target.port), timeout=30))
        except OSError:
            break

    def cycle() -> None:
        while True:
            for s in socks:
                with contextlib.suppress(OSError):
                    s.sendall(request)
            for s in socks:
                with contextlib.suppress(OSError):
                    _read_answer(s)
            if stop.wait(4):
                return

    thread = threading.Thread(target=cycle, daemon=True)
    thread.start()
    time.sleep(2)
    result = probes(target, query) | {"opened": len(socks)}
    stop.set()
    thread.join(timeout=60)
    for s in socks:
        s.close()
    return result


def _ms_value(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def many_clients(target: tg.Target, query: str, count: int = 256, seconds: float = 10) -> dict:
    """h2load (Debian nghttp2-client), HTTP/1.1, `count` connections for `seconds`."""
    url = f"http://127.0.0.1:{target.port}{target.path}?" + urllib.parse.urlencode({"query": query})
    out = subprocess.run(
        ["h2load", "--h1", "-c", str(count), "-D", f"{seconds:g}",
         "-H", "Accept: application/sparql-results+json", url],
        capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip
    first = re.search(r"time to 1st byte:\s+(\S+)\s+(\S+)\s+(\S+)", out)
    per_client = re.search(r"req/s\s+:\s+(\S+)\s+(\S+)\s+(\S+)", out)
    done = re.search(
        r"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed", out
    )
    total = re.search(r"finished in \S+, ([\d.]+) req/s", out)
    return {
        "first_min_ms": _ms_value(first.group(1)) if first else None,
        "first_max_ms": _ms_value(first.group(2)) if first else None,
        "first_mean_ms": _ms_value(first.group(3)) if first else None,
        "client_req_s_min": float(per_client.group(1)) if per_client else None,
        "client_req_s_max": float(per_client.group(2)) if per_client else None,
        "succeeded": int(done.group(1)) if done else 0,
        "failed": int(done.group(2)) if done else None,
        "req_per_s": float(total.group(1)) if total else 0.0,
    }


def pss_mib(pid: int) -> float:
    total = 0
    for p in tg.tree(pid):
        try:
            text = Path(f"/proc/{p}/smaps_rollup").read_text()
        except OSError:
            continue
        found = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
        total += int(found.group(1)) if found else 0
    return total / 1024


def memory(target: tg.Target, queries, requests: int = 60_000) -> dict:
    idle, idle_processes = pss_mib(target.process.pid), len(tg.tree(target.process.pid))
    script = run._wrk_script(target, queries)
    done = 0
    while done < requests:
        out = subprocess.run(
            ["wrk", "-t2", "-c16", "-d3s", "-s", str(script), f"http://127.0.0.1:{target.port}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        done += int(re.search(r"(\d+) requests in", out).group(1))
    time.sleep(1)
    return {
        "idle_mib": idle,
        "after_mib": pss_mib(target.process.pid),
        "requests": done,
        "processes": f"{idle_processes} → {len(tg.tree(target.process.pid))}",
    }


def start(name: str, data: tuple) -> tg.Target:
    kg_dir, ox_dir = data[1], data[2]
    if name == "kg":
        return tg.start_kg(kg_dir, "kg serve (granian)")
    if name == "kg-gunicorn":
        return tg.start_kg_gunicorn(kg_dir, "kg app under gunicorn gthread 2×16")
    if name == "oxigraph":
        return tg.start_oxigraph(ox_dir)
    raise SystemExit(f"unknown target {name}")


def _fmt(value: float | None, unit: str = "") -> str:
    return (
        "failed"
        if value is None
        else f"{value:,.0f}{unit}"
        if value >= 10
        else f"{value:.1f}{unit}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quads", type=int, default=10_000)
    parser.add_argument("--targets", nargs="+", default=["kg", "kg-gunicorn", "oxigraph"])
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args(argv)
    data = prepare(args.quads)
    point = pool(MIXES["point"](data[3], data[4]))[0][1]
    light = pool(MIXES["light"](data[3], data[4]))
    rows = {}
    for name in args.targets:
        target = start(name, data)
        try:
            row = {
                "slowloris": slowloris(target, point),
                "pool": keepalive_pool(target, point),
                "many": many_clients(target, point),
            }
            if not args.no_memory:
                row["memory"] = memory(target, light)
            rows[target.name] = row
            print(target.name, json.dumps(row), file=sys.stderr, flush=True)
        finally:
            target.stop()
    print(f"### HTTP server robustness, {args.quads} quads\n")
    print(
        "| target | probe, 300 slowloris: ok/10, median, max ms | probe, 200 keep-alive pool: "
        "ok/10, median, max ms | 256 clients: first answer mean / max ms, slowest client "
        "req/s, failed, total req/s | PSS MiB idle → after 60k requests (processes) |"
    )
    print("|---|---|---|---|---|")
    for name, row in rows.items():
        s, p, m = row["slowloris"], row["pool"], row["many"]
        mem = row.get("memory")
        print(
            f"| {name} | {s['ok']}/10, {_fmt(s['median_ms'])}, {_fmt(s['max_ms'])} | "
            f"{p['ok']}/10, {_fmt(p['median_ms'])}, {_fmt(p['max_ms'])} | "
            f"{_fmt(m['first_mean_ms'])} / {_fmt(m['first_max_ms'])}, "
            f"{_fmt(m['client_req_s_min'])}, {m['failed']}, {m['req_per_s']:,.0f} | "
            + (
                f"{mem['idle_mib']:.0f} → {mem['after_mib']:.0f} ({mem['processes']}) |"
                if mem
                else "— |"
            )
        )
    OUT.mkdir(exist_ok=True)
    with (OUT / "robust.jsonl").open("a") as f:
        f.write(json.dumps({"time": time.time(), "quads": args.quads, "rows": rows}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
