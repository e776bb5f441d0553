"""The endpoints under test: start, stop, and measure the memory of each (a process tree)."""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, path: str, proc: subprocess.Popen, timeout: float = 600.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", path + "?query=" + urllib.parse.quote("ASK {}"))
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer")


def tree(pid: int) -> list[int]:
    """A process and all its descendants (a supervisor and its workers, ...)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process tree now, in KiB."""
    return sum(_status_kib(p, "VmRSS:") for p in tree(pid))


def tree_peak_kib(pid: int) -> int:
    """Sum of the peak resident memory (VmHWM) of a process tree, in KiB."""
    return sum(_status_kib(p, "VmHWM:") for p in tree(pid))


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process tree's live processes."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def self_peak_kib() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@dataclass
class Target:
    """One endpoint: an HTTP server (port, path, process) or an in-process store."""

    name: str
    port: int = 0
    path: str = "/sparql"
    process: subprocess.Popen | None = None
    store: ox.Store | None = None

    def stop(self) -> None:
        context = getattr(self, "context", None)
        if context is not None:  # a server started by a context manager (Virtuoso)
            context.__exit__(None, None, None)
            return
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)  # its own session: workers too
            self.process.wait()

    def cpu_seconds(self) -> float:
        if self.process is not None:
            return tree_cpu_seconds(self.process.pid)
        times = os.times()
        return times.user + times.system  # in-process: includes the load generator itself

    def peak_kib(self) -> int:
        return tree_peak_kib(self.process.pid) if self.process else self_peak_kib()


def _spawn(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        cmd,
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_kg(
    data_dir: Path,
    name: str,
    cache: bool = False,
    workers: int = 2,
    bin_dir: Path = BIN,
    **settings: str,
) -> Target:
    """`kg serve` (granian + kg.server.app) from `bin_dir` (another virtualenv: another version
    of kg, in the same interleaved run); extra settings as KG_* variables."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(KG_DATA_DIR=str(data_dir), KG_CACHE_SIZE="10000" if cache else "0")
    env.update({"KG_" + k.upper(): str(v) for k, v in settings.items()})
    cmd = [str(bin_dir / "kg"), "serve", "--port", str(port), "--workers", str(workers)]
    proc = _spawn(cmd, env)
    wait_for(port, "/sparql", proc)
    return Target(name, port, "/sparql", proc)


def start_kg_gunicorn(
    data_dir: Path, name: str, workers: int = 2, cache: bool = False, **settings: str
) -> Target:
    """`kg serve`'s WSGI app (kg.server.app, query processes and all) under gunicorn gthread
    (2 workers x 16 threads, as granian's): the other HTTP server, compared in the same run."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(KG_DATA_DIR=str(data_dir), KG_CACHE_SIZE="10000" if cache else "0")
    env.update({"KG_" + k.upper(): str(v) for k, v in settings.items()})
    cmd = [str(BIN / "gunicorn"), "-k", "gthread", "-w", str(workers), "--threads", "16"]
    cmd += ["-b", f"127.0.0.1:{port}", "--limit-request-line", "0", "bench.wsgi:app"]
    proc = _spawn(cmd, env)
    wait_for(port, "/sparql", proc)
    return Target(name, port, "/sparql", proc)


def start_floor(
    location: Path | None,
    name: str,
    workers: int = 2,
    handoff: bool = False,
    asgi: bool = False,
    upstream: str = "",
) -> Target:
    """bench/floor.py under granian as kg serve runs it (workers, 16 blocking threads): the
    least a Python endpoint on granian does per query."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(FLOOR_HANDOFF="1" if handoff else "0", FLOOR_UPSTREAM=upstream)
    if location is not None:
        env["FLOOR_STORE"] = str(location)
    interface = "asgi" if asgi else "wsgi"
    cmd = [sys.executable, "-m", "granian", "--interface", interface, "--workers", str(workers)]
    cmd += ["--port", str(port), "--log-level", "warning"]
    cmd += [] if asgi else ["--blocking-threads", "16"]
    app = "proxy_app" if upstream else "asgi_app" if asgi else "app"
    proc = _spawn([*cmd, f"bench.floor:{app}"], env)
    wait_for(port, "/sparql", proc)
    return Target(name, port, "/sparql", proc)


def start_oxigraph(location: Path) -> Target:
    port = free_port()
    exe = shutil.which("oxigraph") or str(BIN / "oxigraph")
    cmd = [exe, "serve-read-only", "--union-default-graph", "--location", str(location)]
    proc = _spawn(cmd + ["--bind", f"127.0.0.1:{port}"])
    wait_for(port, "/query", proc)
    return Target("oxigraph serve", port, "/query", proc)


def start_kg_remote(store_url: str, name: str, workers: int = 2, **settings: str) -> Target:
    """`kg serve` in front of a remote store (result cache off unless `cache_size` is given)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(KG_STORE_URL=store_url, KG_CACHE_SIZE="0")
    env.update({"KG_" + k.upper(): str(v) for k, v in settings.items()})
    cmd = [str(BIN / "kg"), "serve", "--port", str(port), "--workers", str(workers)]
    proc = _spawn(cmd, env)
    wait_for(port, "/sparql", proc)
    return Target(name, port, "/sparql", proc)


def start_virtuoso(nq: Path) -> Target:
    """Virtuoso open source holding the N-Quads file (loaded once by its own bulk loader into
    bench/out/virtuoso-<size>/, reused after)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from virtuoso_server import run_virtuoso

    location = nq.parent / ("virtuoso-" + nq.stem.removeprefix("data-"))
    fresh = not (location / "virtuoso.db").exists()
    context = run_virtuoso(location, memory_mb=1024, allowed_dirs=(str(nq.parent),))
    server = context.__enter__()
    if fresh:
        server.bulk_load(nq.parent, nq.name)
    port = int(server.base.rsplit(":", 1)[1])
    target = Target("virtuoso", port, "/sparql", server.process)
    target.context = context  # type: ignore[attr-defined]
    return target


def start_rdflib_endpoint(data: Path) -> Target:
    port = free_port()
    proc = _spawn([str(BIN / "rdflib-endpoint"), "serve", str(data), "--port", str(port)])
    wait_for(port, "/", proc)  # it answers at / (its /sparql is a 404 in 0.6)
    return Target("rdflib-endpoint", port, "/", proc)


def inprocess(location: Path) -> Target:
    return Target("in-process pyoxigraph", store=ox.Store.read_only(str(location)))
