"""Query execution that survives runaway queries: each query runs in a killable child process.

pyoxigraph cannot cancel a query and `signal.alarm` does not interrupt it, so a web worker never
runs a query itself. It keeps a small pool of long-lived executor processes (one per thread at
most), each holding the on-disk store open read-only and fed `Job`s through a pipe. The child runs
the query, negotiates the format (it alone knows whether the query is SELECT or CONSTRUCT),
serializes with pyoxigraph's Rust serializers into 64 KiB messages and sends them back as they
come, so memory stays flat and the first bytes leave before a streaming query ends. At the
deadline the parent SIGKILLs the child (freeing its core) and answers 503; the next query spawns
a fresh child (~50 ms). Small results travel as a single message (~0.03 ms of overhead).

Writes go through `kg.store.writer` (one process at a time, under a lock); every write changes the
store's version marker and children reopen their read-only handle when they see it change.
For an in-memory or remote store, `InlineExecutor` runs queries in the calling thread instead.
"""

from __future__ import annotations

import atexit
import os
import pickle
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from kg import errors
from kg.config import Config
from kg.errors import KGError, QueryTimeout, ResultTooLarge, StoreError
from kg.formats import GRAPH, RESULTS, Format, by_name, choose
from kg.store import Store, read_version

CHUNK = 64 * 1024
# Row separators of the result formats, for counting rows without a Python loop per row.
_ROW_MARK = {"json": b'},{"', "xml": b"<result>", "csv": b"\r\n", "tsv": b"\n"}


@dataclass
class Job:
    """One query and how its answer is wanted."""

    sparql: str
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    union: bool = True
    accept: str | None = None
    formats: Sequence[str] = ()
    substitutions: Mapping[str, Any] | None = None
    result_limit: int = 0


@dataclass
class Result:
    """A negotiated answer: its format and its body, whole (`body`) or as a stream (`chunks`)."""

    format: Format
    body: bytes | None = None
    chunks: Iterator[bytes] = field(default_factory=lambda: iter(()))

    def __iter__(self) -> Iterator[bytes]:
        if self.body is not None:
            yield self.body
        else:
            yield from self.chunks

    def read(self) -> bytes:
        return b"".join(self)


class _Writer:
    """A binary file for the serializers that counts rows and hands out full chunks."""

    def __init__(self, fmt: Format, limit: int, flush: Any) -> None:
        self.buffer = bytearray()
        self.limit = limit
        self.mark = None if fmt.is_graph else _ROW_MARK.get(fmt.name)
        self.rows = -1 if fmt.name == "csv" else 0  # the CSV header line ends with a separator
        self.tail = b""
        self.flush_out = flush
        self.error: KGError | None = None

    def write(self, data: bytes) -> int:
        if self.limit and self.mark:
            seen = self.tail + data
            self.rows += seen.count(self.mark)
            self.tail = seen[-(len(self.mark) - 1) :] if len(self.mark) > 1 else b""
            if self.rows > self.limit:
                self.error = ResultTooLarge(
                    f"the result has more than {self.limit} rows; add a LIMIT"
                )
                raise OSError(self.error.message)
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self.flush_out(bytes(self.buffer), False)
            self.buffer.clear()
        return len(data)

    def flush(self) -> None:
        """Serializers call this; chunks leave only when full, to keep messages few."""


def _capped(triples: Any, limit: int) -> Iterator[ox.Triple]:
    for n, triple in enumerate(triples, 1):
        if n > limit:
            raise ResultTooLarge(f"the result has more than {limit} triples; add a LIMIT")
        yield triple


def execute(store: Any, job: Job, send: Any) -> None:
    """Run a job on a store, calling `send(header, data, last)` with the serialized answer."""
    results = store.query(
        job.sparql,
        default_graph=job.default_graph,
        named_graphs=job.named_graphs,
        union=job.union,
        substitutions=job.substitutions,
    )
    graph = not isinstance(results, ox.QuerySolutions | ox.QueryBoolean)
    fmt = choose(job.accept, job.formats, GRAPH if graph else RESULTS)
    started = False

    def flush(data: bytes, last: bool) -> None:
        nonlocal started
        send(None if started else fmt.name, data, last)
        started = True

    out = _Writer(fmt, job.result_limit, flush)
    try:
        if graph and job.result_limit:
            ox.serialize(_capped(results, job.result_limit), out, fmt.ox)
        else:
            results.serialize(out, fmt.ox)
    except OSError as err:
        raise out.error or StoreError(str(err)) from err
    flush(bytes(out.buffer), True)


def _watch_parent(parent: int) -> None:
    # A killed web worker must not leave a child burning a core: exit when orphaned.
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _child_main(conn: Connection, data_dir: str, parent: int) -> None:
    """The executor process: open the store read-only, answer jobs until the pipe closes."""
    from kg.store import EmbeddedStore

    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    store: EmbeddedStore | None = None
    version = None

    def send(fmt_name: str | None, data: bytes, last: bool) -> None:
        tag = (b"F" if last else b"H") if fmt_name is not None else (b"E" if last else b"D")
        head = fmt_name.encode() + b"\n" if fmt_name is not None else b""
        conn.send_bytes(tag + head + data)

    while True:
        try:
            job: Job = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            current = read_version(data_dir)
            if store is None or current != version:
                store, version = EmbeddedStore(data_dir, read_only=True), current
            try:
                execute(store, job, send)
            except StoreError:
                # Files can vanish under a read-only handle after a write: reopen, retry once.
                store, version = EmbeddedStore(data_dir, read_only=True), read_version(data_dir)
                execute(store, job, send)
        except KGError as err:
            conn.send_bytes(b"X" + pickle.dumps((type(err).__name__, err.message)))


def _error(payload: bytes) -> KGError:
    name, message = pickle.loads(payload)
    cls = getattr(errors, name, KGError)
    return cls(message) if isinstance(cls, type) and issubclass(cls, KGError) else KGError(message)


class _Child:
    """One executor process (`python -m kg.executor FD`) and our end of its socket."""

    def __init__(self, data_dir: str) -> None:
        # fork+exec, not multiprocessing: no re-import of __main__, safe in a threaded worker.
        ours, theirs = socket.socketpair()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "kg.executor", str(theirs.fileno()), data_dir],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())

    def recv(self, deadline: float | None) -> bytes:
        timeout = None if deadline is None else max(deadline - time.monotonic(), 0)
        if not self.conn.poll(timeout):
            raise QueryTimeout("the query ran past the time limit and was stopped")
        try:
            return self.conn.recv_bytes()
        except (EOFError, OSError) as err:
            raise StoreError("the query process died") from err

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(5)
        self.conn.close()


class _Stream:
    """The rest of a streamed answer; closing it early kills the child, which is mid-answer."""

    def __init__(self, owner: Executor, child: _Child, first: bytes, deadline: float | None):
        self.owner, self.child, self.deadline = owner, child, deadline
        self.first: bytes | None = first
        self.done = False
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self.closed:
            raise StopIteration
        if self.first is not None:
            first, self.first = self.first, None
            return first
        try:
            msg = self.child.recv(self.deadline)
        except KGError:
            self.close()
            raise
        if msg[:1] == b"X":
            self.done = True  # the child is ready for the next job
            self.close()
            raise _error(msg[1:])
        if msg[:1] == b"E":
            self.done = True
            data = msg[1:]
            self.close()
            return data
        return msg[1:]

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.done:
            self.owner._release(self.child)
        else:
            self.owner._discard(self.child)


class Executor:
    """Runs queries on the on-disk store in a pool of killable child processes."""

    def __init__(self, config: Config) -> None:
        self.data_dir = config.data_dir
        self.timeout = config.query_timeout
        self.size = max(config.threads, 1)
        self._idle: queue.LifoQueue[_Child] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._count = 0
        self._closed = False
        atexit.register(self.close)

    def _acquire(self) -> _Child:
        while True:
            try:
                return self._idle.get_nowait()
            except queue.Empty:
                pass
            with self._lock:
                if self._count < self.size:
                    self._count += 1
                    try:
                        return _Child(self.data_dir)
                    except OSError as err:
                        self._count -= 1
                        raise StoreError(f"cannot start a query process: {err}") from err
            # All busy (more threads than processes): wait for one to come back or be discarded.
            try:
                return self._idle.get(timeout=0.05)
            except queue.Empty:
                continue

    def _release(self, child: _Child) -> None:
        if self._closed:
            child.kill()
        else:
            self._idle.put(child)

    def _discard(self, child: _Child) -> None:
        child.kill()
        with self._lock:
            self._count -= 1

    def warm(self) -> None:
        """Start one child now, so the first query does not wait for it."""
        self._release(self._acquire())

    def run(self, job: Job, timeout: float | None = None) -> Result:
        """Run a job; the answer is whole when small, else streamed (iterate it to the end)."""
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit if limit > 0 else None
        child = self._acquire()
        try:
            child.conn.send_bytes(pickle.dumps(job))
            msg = child.recv(deadline)
        except KGError:
            self._discard(child)
            raise
        tag = msg[:1]
        if tag == b"X":
            self._release(child)
            raise _error(msg[1:])
        name, _, data = msg[1:].partition(b"\n")
        fmt = by_name(name.decode(), RESULTS + GRAPH)
        assert fmt is not None
        if tag == b"F":
            self._release(child)
            return Result(fmt, body=data)
        return Result(fmt, chunks=_Stream(self, child, data, deadline))

    def close(self) -> None:
        """Stop every child."""
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return


class InlineExecutor:
    """Runs queries in the calling thread (in-memory store; remote store with its own timeout)."""

    def __init__(self, config: Config, store: Any) -> None:
        self.store = store
        self.timeout = config.query_timeout

    def warm(self) -> None:
        """Nothing to start."""

    def run(self, job: Job, timeout: float | None = None) -> Result:
        out = BytesIO()
        chosen: list[str] = []

        def send(fmt_name: str | None, data: bytes, last: bool) -> None:
            if fmt_name is not None:
                chosen.append(fmt_name)
            out.write(data)

        execute(self.store, job, send)
        fmt = by_name(chosen[0], RESULTS + GRAPH)
        assert fmt is not None
        return Result(fmt, body=out.getvalue())

    def close(self) -> None:
        """Nothing to stop."""


class ExecutorStore(Store):
    """A read-only `Store` whose queries run through an executor (for pages and named queries)."""

    def __init__(self, executor: Executor | InlineExecutor, data_dir: str) -> None:
        self.executor = executor
        self.data_dir = data_dir

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        union: bool = True,
        substitutions: Mapping[str, Any] | None = None,
    ) -> Any:
        # "srj" names SPARQL JSON only; a CONSTRUCT falls through to N-Triples.
        job = Job(sparql, default_graph, named_graphs, union, None, ["srj", "nt"], substitutions)
        result = self.executor.run(job)
        if result.format.is_graph:
            return [q.triple for q in ox.parse(result.read(), result.format.ox)]
        return ox.parse_query_results(result.read(), result.format.ox)

    def update(self, sparql: str) -> None:
        raise StoreError("this store is read-only: write through kg.store.writer")

    def replace_graphs(self, drop: Any, quads: Any) -> None:
        raise StoreError("this store is read-only: write through kg.store.writer")

    def named_graphs(self) -> list[str]:
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", union=False)
        return sorted(row["g"].value for row in rows)

    def dump(self, output: Any, fmt: ox.RdfFormat) -> None:
        raise StoreError("dump the store with kg export, not through the web executor")

    @property
    def version(self) -> str:
        return read_version(self.data_dir)


def make_executor(config: Config, store: Any = None) -> Executor | InlineExecutor:
    """A child-process executor for an on-disk store, else an inline one over `store`."""
    on_disk = store is None or getattr(store, "path", None) is not None
    if config.remote or config.in_memory or not on_disk:
        if store is None:
            from kg.store import open_store

            store = open_store(config)
        return InlineExecutor(config, store)
    if not config.query_processes:
        # Measurement switch (KG_QUERY_PROCESSES=0): no timeout, and the read-only handle is
        # never reopened, so only for stores nobody writes to while serving (bench/).
        from kg.store import open_store

        return InlineExecutor(config, open_store(config, read_only=True))
    return Executor(config)


if __name__ == "__main__":
    _child_main(Connection(int(sys.argv[1])), sys.argv[2], os.getppid())
