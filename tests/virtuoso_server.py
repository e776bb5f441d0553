"""Start a real Virtuoso open source server (Debian `virtuoso-opensource`) for tests and benches.

`run_virtuoso(location)` writes a virtuoso.ini of its own under `location` (database files there,
free ports for SQL and HTTP), starts `virtuoso-t` in the foreground, waits until its SPARQL
endpoint answers and stops it after. A new database's administrator is dba/dba: updates go to the
digest-authenticated endpoints (/sparql-auth, /sparql-graph-crud-auth) as dba, queries to the
anonymous /sparql.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

USER = PASSWORD = "dba"  # a new database's administrator
# Virtuoso's own graphs, present in every new database (seen by un-scoped and GRAPH ?g patterns).
SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {dir}{allowed}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
MaxQueryMem = 512M

[HTTPServer]
ServerPort = {http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 20
ServerThreads = 20
MaxKeepAlives = 20
KeepAliveTimeout = 30
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
; Virtuoso cuts answers at ResultSetMaxRows silently (10,000 in Debian's ini): keep it above
; geoclaims' result_limit so our cap, not a silent cut, decides.
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {timeout}
MaxQueryCostEstimationTime = {cost}
"""


@dataclass(frozen=True)
class VirtuosoServer:
    """A running Virtuoso: its SPARQL, update and Graph Store URLs, and the SQL port."""

    base: str
    sql_port: int
    directory: Path
    process: subprocess.Popen[bytes]

    @property
    def query_url(self) -> str:
        return self.base + "/sparql"

    @property
    def update_url(self) -> str:
        return self.base + "/sparql-auth"

    @property
    def gsp_url(self) -> str:
        return self.base + "/sparql-graph-crud-auth"

    def settings(self) -> dict[str, str]:
        """geoclaims settings pointing at this server (updates authenticated as dba)."""
        return {
            "store_url": self.query_url,
            "store_update_url": self.update_url,
            "store_gsp_url": self.gsp_url,
            "store_user": USER,
            "store_password": PASSWORD,
        }

    def bulk_load(self, directory: Path, pattern: str) -> None:
        """Virtuoso's own bulk loader (ld_dir + rdf_loader_run) on N-Quads files, then a
        checkpoint (the directory must be among `allowed_dirs`)."""
        self.isql(
            f"ld_dir('{directory}', '{pattern}', 'urn:x-default'); rdf_loader_run(); checkpoint;"
        )

    def isql(self, sql: str) -> str:
        """Run SQL statements with Virtuoso's own client (e.g. its bulk loader)."""
        done = subprocess.run(
            [isql_binary(), str(self.sql_port), USER, PASSWORD, f"exec={sql}"],
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql failed: {done.stdout}{done.stderr}")
        return done.stdout


MISSING = (
    "the Virtuoso tests need Debian's virtuoso-opensource, and virtuoso-t is not on PATH. "
    "Install it with\n    sudo apt-get install virtuoso-opensource\nthen run pytest again."
)


def ensure_virtuoso() -> str:
    """The virtuoso-t binary; installed with apt-get first when missing and running as root
    on a Debian-like system (as `.ci/run` does; KG_TEST_INSTALL=0 turns that off)."""
    binary = shutil.which("virtuoso-t")
    installable = shutil.which("apt-get") and os.geteuid() == 0
    if binary is None and installable and os.environ.get("KG_TEST_INSTALL", "1") != "0":
        print("\nInstalling Debian's virtuoso-opensource for the Virtuoso tests ...")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "virtuoso-opensource"], env=env, check=False
        )
        binary = shutil.which("virtuoso-t")
    if binary is None:
        raise RuntimeError(MISSING)
    return binary


def isql_binary() -> str:
    return shutil.which("isql-vt") or shutil.which("isql") or "isql-vt"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def run_virtuoso(
    location: Path,
    *,
    memory_mb: int = 256,
    timeout_s: int = 60,
    max_rows: int = 100_000_000,
    cost: int = 0,
    allowed_dirs: tuple[str, ...] = (),
) -> Iterator[VirtuosoServer]:
    """Start Virtuoso with its database under `location` (made, or opened if it is there) and
    files under `allowed_dirs` readable by its bulk loader; stop it at the end."""
    binary = ensure_virtuoso()
    location.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = _free_port(), _free_port()
    buffers = memory_mb * 1024 // 8 * 2 // 3  # 8 KiB pages, 2/3 of the memory (Virtuoso's rule)
    ini = location / "virtuoso.ini"
    ini.write_text(
        INI.format(
            dir=location,
            sql_port=sql_port,
            http_port=http_port,
            buffers=buffers,
            dirty=buffers * 3 // 4,
            timeout=timeout_s,
            max_rows=max_rows,
            cost=cost,
            allowed="".join(f", {d}" for d in allowed_dirs),
        )
    )
    log_path = location / "stdout.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)],
            cwd=location,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = VirtuosoServer(f"http://127.0.0.1:{http_port}", sql_port, location, process)
    try:
        _wait(server, log_path, seconds=120)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait(server: VirtuosoServer, log_path: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited: {log_path.read_text()}")
        try:
            with requests.get(server.query_url, params={"query": "ASK {}"}, timeout=5) as r:
                if r.status_code == 200:
                    return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"virtuoso-t did not answer: {log_path.read_text()}")
        time.sleep(0.1)
