"""Shared fixtures: settings pointing at temporary stores, and the seed graph built once."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kg.config import Config

# The browser tests' fixtures (site, browser, page), shared by every module that drives Chromium.
pytest_plugins = ["sitebrowser"]


@pytest.fixture(scope="session", autouse=True)
def _cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The user cache directory (a remote store's search index: kg.search) is the session's
    own, for this process and the servers it starts, so tests leave nothing in ~/.cache."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache-home"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(scope="session")
def seed_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """Settings for a store under a temporary directory, with the seed data built into it."""
    from kg.build import build

    data_dir = tmp_path_factory.mktemp("seed-store") / "store"
    config = Config.load({"data_dir": str(data_dir)}, environ={})
    build(config)
    return config


@pytest.fixture()
def fresh_config(tmp_path: Path) -> Config:
    """Settings for an empty store in this test's own temporary directory."""
    return Config.load({"data_dir": str(tmp_path / "store")}, environ={})


@dataclass(frozen=True)
class OxigraphServer:
    """A running `oxigraph serve` process: its base URL and SPARQL/GSP URLs."""

    base: str
    process: subprocess.Popen[bytes]

    @property
    def query_url(self) -> str:
        return self.base + "/query"


@contextlib.contextmanager
def run_oxigraph(location: Path, *options: str) -> Iterator[OxigraphServer]:
    """Start `oxigraph serve` on a free port with its store under `location`; stop it after."""

    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    port = _free_port()
    log_path = location / "server.log"
    command = [binary, "serve", "--location", str(location / "db"), "--bind", f"127.0.0.1:{port}"]
    with log_path.open("wb") as log:
        process = subprocess.Popen([*command, *options], stdout=log, stderr=subprocess.STDOUT)
    server = OxigraphServer(f"http://127.0.0.1:{port}", process)
    try:
        _wait_until_answering(process, server.query_url, log_path, seconds=30)
        yield server
    finally:
        _stop(process, seconds=10)


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A threaded HTTP server with this handler on a free port (a test's relay or fake
    endpoint): its base URL, while in the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_answering(
    process: subprocess.Popen[bytes], url: str, log_path: Path, seconds: float
) -> None:
    """Poll `url` with `ASK {}` until it answers 200; fail with the log if the process exits."""
    import requests

    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited: {log_path.read_text()}")
        try:
            with requests.get(url, params={"query": "ASK {}"}, timeout=5) as r:
                if r.status_code == 200:
                    return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{process.args!r} did not answer: {log_path.read_text()}")
        time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes], seconds: float) -> None:
    """Terminate the process, killing it when it does not end in time."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A real Oxigraph server on a free port with an on-disk store, stopped at the end."""
    with run_oxigraph(tmp_path_factory.mktemp("oxigraph-server")) as server:
        yield server


@pytest.fixture()
def start_oxigraph(tmp_path: Path) -> Callable[..., contextlib.AbstractContextManager[Any]]:
    """`with start_oxigraph("--timeout-s", "2") as server:` a server of this test's own."""
    return functools.partial(run_oxigraph, tmp_path)


def proc_stats() -> Iterator[tuple[int, list[str]]]:
    """(pid, the fields of /proc/PID/stat after the command name) of every live process."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if fields[0] != "Z":
            yield int(proc.name), fields


def cpu_seconds(fields: list[str]) -> float:
    """User + system CPU seconds of a process, from its stat fields."""
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class KgServer:
    """A running `kg serve` process (granian): its base URL, settings and process."""

    base: str
    config: Config
    process: subprocess.Popen[bytes]

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"

    @property
    def store(self) -> str:
        return self.base + "/store"


@contextlib.contextmanager
def run_kg_server(data_dir: Path, **settings: Any) -> Iterator[KgServer]:
    """Start `kg serve` on a free port for this store; stop it, workers and all, at the end."""
    import os
    import signal

    port = _free_port()
    config = Config.load({"data_dir": str(data_dir), "port": port, **settings}, environ={})
    command = [str(Path(sys.executable).with_name("kg")), "serve"]
    for name, value in {"data_dir": str(data_dir), "port": port, **settings}.items():
        flag = f"--{name.replace('_', '-')}"
        if isinstance(value, bool):  # a switch: --name / --no-name
            command.append(flag if value else f"--no-{flag[2:]}")
        else:
            command += [flag, str(value)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    log_path = data_dir.parent / f"kg-serve-{port}.log"
    with log_path.open("wb") as log:
        # A session of its own: at the end its whole process group can be stopped for sure.
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    server = KgServer(f"http://127.0.0.1:{port}", config, process)
    try:
        _wait_until_answering(process, server.sparql, log_path, seconds=120)
        yield server
    finally:
        _stop(process, seconds=20)
        # Workers and executor processes left behind (none expected) go with the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def live_server(seed_config: Config) -> Iterator[KgServer]:
    """`kg serve` over the seed store (reads only: no token), on a free port."""
    with run_kg_server(Path(seed_config.data_dir), max_body=200_000) as server:
        yield server


@pytest.fixture(scope="session")
def write_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KgServer]:
    """`kg serve` on a fresh store it builds itself: a token, a 3 s timeout, a 100-row cap."""
    data_dir = tmp_path_factory.mktemp("write-server") / "store"
    settings = {"token": "s3cret-token", "query_timeout": 3, "result_limit": 100}
    with run_kg_server(data_dir, **settings) as server:
        yield server


def index_contents(path: str, ordered: bool = True) -> dict[str, Any]:
    """Every row of every table (the build's duration and ranking directory aside) and every
    document of the ranking index. `ordered=False`: the rows of the two tables an update of the
    verdicts rewrites (kg.search._update_verdicts) sorted, not in the order they were written."""
    import tantivy

    from kg import search

    db = search.connect(path)
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'docs_%' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    out: dict[str, Any] = {
        name: db.execute(f"SELECT * FROM {name}").fetchall()  # rowid (or key) order
        for name in tables
        if name != "meta"
    }
    if not ordered:
        for name in ("claim_values", "terms"):
            out[name] = sorted(out[name])
    out["meta"] = db.execute(
        "SELECT * FROM meta WHERE key NOT IN ('seconds', 'ranking') ORDER BY key"
    ).fetchall()
    ranking = search._ranking(db)
    hits = ranking.searcher.search(tantivy.Query.all_query(), 100_000).hits
    out["ranking"] = sorted(
        tuple(sorted((k, tuple(v)) for k, v in ranking.searcher.doc(a).to_dict().items()))
        for _, a in hits
    )
    return out
