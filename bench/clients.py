"""CPU per request of Python HTTP clients against Oxigraph server: which one kg.client uses.

    nice -n 5 python bench/clients.py --requests 2000 --rounds 2

One keep-alive connection per client, the same point query POSTed as a form (what
kg.remote.RemoteStore sends) against an `oxigraph serve` holding 1,000 triples, answer read
whole. Rounds alternate between the clients; the table gives CPU milliseconds of this process per
request (the client's own cost: the server runs in another process) and wall time per request.
"""

from __future__ import annotations

import argparse
import http.client
import io
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import httpx
import pycurl
import requests
import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from targets import free_port, wait_for  # noqa: E402

BIN = Path(sys.executable).parent
QUERY = "SELECT ?o WHERE { <http://e/s5> <http://e/p> ?o }"
HEADERS = {
    "Accept": "application/sparql-results+json",
    "Content-Type": "application/x-www-form-urlencoded",
}


def clients(port: int) -> dict:
    url = f"http://127.0.0.1:{port}/query"
    body = urllib.parse.urlencode({"query": QUERY}).encode()
    session = requests.Session()
    hx = httpx.Client()
    pool = urllib3.HTTPConnectionPool("127.0.0.1", port, maxsize=1)
    conn = http.client.HTTPConnection("127.0.0.1", port)
    curl = pycurl.Curl()
    lines = [f"{k}: {v}" for k, v in HEADERS.items()]

    def with_pycurl() -> bytes:
        out = io.BytesIO()
        curl.setopt(pycurl.URL, url)
        curl.setopt(pycurl.POSTFIELDS, body)
        curl.setopt(pycurl.HTTPHEADER, lines)
        curl.setopt(pycurl.WRITEFUNCTION, out.write)
        curl.perform()
        return out.getvalue()

    def with_http_client() -> bytes:
        conn.request("POST", "/query", body=body, headers=HEADERS)
        return conn.getresponse().read()

    def with_kg_client() -> bytes:
        from kg.client import StoreClient

        client = kg_client.setdefault("client", StoreClient())
        return client.fetch("POST", url, body=body, headers=HEADERS)[1]

    kg_client: dict = {}
    return {
        "requests": lambda: session.post(url, data=body, headers=HEADERS).content,
        "httpx": lambda: hx.post(url, content=body, headers=HEADERS).content,
        "urllib3": lambda: pool.urlopen("POST", "/query", body=body, headers=HEADERS).data,
        "http.client": with_http_client,
        "pycurl": with_pycurl,
        "kg.client (pycurl multi, read as it comes)": with_kg_client,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        exe = str(BIN / "oxigraph")
        cmd = [exe, "serve", "--location", tmp, "--bind", f"127.0.0.1:{port}"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(port, "/query", proc)
            data = " ".join(f"<http://e/s{i}> <http://e/p> {i} ." for i in range(1000))
            requests.post(
                f"http://127.0.0.1:{port}/update",
                data=f"INSERT DATA {{ GRAPH <http://e/g> {{ {data} }} }}",
                headers={"Content-Type": "application/sparql-update"},
                timeout=30,
            )
            runs = clients(port)
            cpu: dict[str, list[float]] = {name: [] for name in runs}
            wall: dict[str, list[float]] = {name: [] for name in runs}
            for _ in range(args.rounds):
                for name, call in runs.items():
                    call()
                    c0, t0 = time.process_time(), time.perf_counter()
                    for _ in range(args.requests):
                        call()
                    cpu[name].append((time.process_time() - c0) * 1000 / args.requests)
                    wall[name].append((time.perf_counter() - t0) * 1000 / args.requests)
        finally:
            proc.terminate()
            proc.wait()
    print("| client | CPU ms/request (median) | wall ms/request (median) |")
    print("|---|---|---|")
    for name in runs:
        print(
            f"| {name} | {statistics.median(cpu[name]):.3f} | {statistics.median(wall[name]):.3f} |"
        )


if __name__ == "__main__":
    main()
