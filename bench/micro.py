"""CPU per request of kg serve's request path in one process, without sockets or other load.

    /work/venv/bin/python bench/micro.py --quads 1000000 --mix point [--profile]

Feeds the raw bytes of the bench's requests (POST form, as bench/run.py sends them) to a worker's
connection parser and answers them through `Worker.handle` (fast path, cache off) with a
connection whose `send` drops the bytes: parsing, planning, the query, serialization and the
response head, and nothing of the kernel. `--profile` prints cProfile's top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import socket
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import prepare  # noqa: E402
from mixes import MIXES, pool  # noqa: E402

from kg.config import Config  # noqa: E402
from kg.server.http import Connection, Reply  # noqa: E402
from kg.server.worker import Worker  # noqa: E402

ACCEPT = {"select": "application/sparql-results+json", "graph": "application/n-triples"}


class _Sink(Connection):
    def send(self, data: bytes) -> None:
        """Drop the answer: only the work before the socket is measured."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quads", type=int, default=1_000_000)
    parser.add_argument("--mix", choices=sorted(MIXES), default="point")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    data = prepare(args.quads)
    queries = pool(MIXES[args.mix](data[3], data[4]))
    config = Config.load({"data_dir": str(data[1]), "cache_size": 0}, environ={})
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    worker = Worker(config, listener, -1)
    conn = _Sink(worker, listener, ("127.0.0.1", 1))
    raws = []
    for kind, query in queries:
        body = urllib.parse.urlencode({"query": query}).encode()
        head = (
            "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
            f"\r\nAccept: {ACCEPT[kind]}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        raws.append(head.encode() + body)

    def run(n: int) -> None:
        for i in range(n):
            conn.parser.feed_data(raws[i % len(raws)])
            while conn.queue:
                worker.handle(Reply(conn, conn.queue.popleft()))

    run(len(raws))  # warm: every query once
    started = time.process_time()
    run(args.requests)
    spent = time.process_time() - started
    print(f"{args.mix}, {args.quads} quads: {spent / args.requests * 1e6:.0f} µs CPU per request")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(run, args.requests)
        pstats.Stats(profile).sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
