"""Query execution that survives runaway queries: each query runs in a killable child process.

The one way queries on the on-disk store run, under `kg serve` (granian) or any WSGI server:
pyoxigraph cannot cancel a query and `signal.alarm` does not interrupt it, so a web worker never
runs a query itself, and a query that crashes the engine (a parser stack overflow) takes down its
query process only, never the server. A web worker keeps a small pool of long-lived executor
processes (`query_processes`, 1 by default: one process keeps its caches warm, measured faster than
two; when all stay busy for `BUSY_GRACE`, e.g. with runaway queries, it starts more, up to twice as
many and at least `MOST_AT_LEAST`; beyond, requests wait for one within their deadline), each
holding the on-disk store open read-only and fed `Job`s through a pipe. The child runs the query,
negotiates the format (it alone knows whether the query is SELECT or CONSTRUCT), serializes with
pyoxigraph's Rust serializers into 64 KiB messages and sends them back as they come, so memory
stays flat and the first bytes leave before a streaming query ends. At the deadline the parent
SIGKILLs the child (freeing its core), answers 503 and starts a replacement at once (it opens the
store before the next query needs it). A small answer is one message.

Writes go through `kg.lock.writer` (one process at a time, under a lock); every write changes the
store's version marker and children reopen their read-only handle when they see it change. For an
in-memory or remote store, `InlineExecutor` runs queries in the calling thread instead.

A query that cannot run away (kg.bounded: one triple pattern with a constant subject, a DESCRIBE
of IRIs; Oxigraph reads no more quads than it answers) skips the crossing: the web worker runs
it on a read-only handle of its own, under the same lock, up to `inline_rows` rows (past that it
goes to a query process). A point lookup costs a third less server CPU (bench/RESULTS.md).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from multiprocessing.connection import Connection
from typing import Any

from kg import errors
from kg.bounded import is_bounded
from kg.config import Config
from kg.errors import KGError, QueryTimeout, ResultTooLarge, StoreError
from kg.formats import GRAPH, RESULTS, by_name
from kg.jobs import ExecutorStore, InlineExecutor, Job, Result, execute
from kg.lock import ReadLock
from kg.store import EmbeddedStore, stat_version

BUSY_GRACE = 0.5  # seconds a query waits for a busy pool before the pool grows
MOST_AT_LEAST = 4  # query processes a busy worker may grow to, whatever `query_processes` says

__all__ = ["Executor", "ExecutorStore", "InlineExecutor", "Job", "Result", "make_executor"]


def _watch_parent(parent: int) -> None:
    # A killed web worker must not leave a child burning a core: exit when orphaned.
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


class ReadHandle:
    """The on-disk store opened read-only in this process, reopened when its version changed.

    Call `current()` under the readers' lock (kg.lock.ReadLock), where the version cannot
    change; threads may share one handle (pyoxigraph's reads are thread-safe)."""

    def __init__(self, data_dir: str) -> None:
        self.data_dir = data_dir
        self._store: EmbeddedStore | None = None
        self._version: str | None = None
        self._pid = os.getpid()
        self._mutex = threading.Lock()

    def current(self, reopen: bool = False) -> EmbeddedStore:
        version = stat_version(self.data_dir)  # under the lock: the file cannot change now
        with self._mutex:
            store = self._store
            if reopen or store is None or version != self._version or self._pid != os.getpid():
                self._store = store = None  # close the old handle before opening the new one
                store = EmbeddedStore(self.data_dir, read_only=True)
                self._store, self._version, self._pid = store, version, os.getpid()
            return store


def _child_main(conn: Connection, data_dir: str, parent: int) -> None:
    """The executor process: open the store read-only, answer jobs until the pipe closes."""
    # Ctrl-C, or a stop signal sent to the whole process group (systemd does), is for the web
    # worker to act on (drain, then kill): a query process lives exactly as long as its worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    sent = 0  # messages of the current answer already sent

    def send(fmt_name: str | None, data: bytes, last: bool) -> None:
        nonlocal sent
        tag = (b"F" if last else b"H") if fmt_name is not None else (b"E" if last else b"D")
        head = fmt_name.encode() + b"\n" if fmt_name is not None else b""
        conn.send_bytes(tag + head + data)
        sent += 1

    lock, handle = ReadLock(data_dir), ReadHandle(data_dir)
    with contextlib.suppress(KGError), lock.held():  # open now, before the first job needs it
        handle.current()
    while True:
        try:
            job: Job = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        sent = 0
        try:
            with lock.held():  # no write happens while this query opens or reads the store
                try:
                    execute(handle.current(), job, send)
                except StoreError:
                    if sent:
                        raise  # part of the answer is out: the parent aborts the stream
                    # A writer that ignores the lock (another tool) can still move files: retry.
                    execute(handle.current(reopen=True), job, send)
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
        # The deadline covers the whole answer: a client reading slowly does not extend it.
        timeout = None if deadline is None else deadline - time.monotonic()
        if timeout is not None and timeout <= 0 or not self.conn.poll(timeout):
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


def _plain(job: Job) -> bool:
    """A query on the whole dataset: no dump, no dataset of the protocol's (whose graphs would
    filter the scan, so that rows read would not all be answers)."""
    return not job.dump and job.default_graph is None and job.named_graphs is None


class Executor:
    """Runs queries on the on-disk store in a pool of killable child processes."""

    def __init__(self, config: Config) -> None:
        self.data_dir = config.data_dir
        self.timeout = config.query_timeout
        self.size = max(config.query_processes, 1)
        # The pool grows to this while all are busy for BUSY_GRACE (long or runaway queries).
        self.most = max(2 * self.size, MOST_AT_LEAST)
        self._idle: queue.LifoQueue[_Child] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._count = 0
        self._closed = False
        self.inline_rows = config.inline_rows
        self._handle = ReadHandle(self.data_dir)  # for bounded queries, opened at the first
        self._local = threading.local()
        atexit.register(self.close)

    def _acquire(self, deadline: float | None = None) -> _Child:
        since = time.monotonic()
        while True:
            try:
                return self._idle.get_nowait()
            except queue.Empty:
                pass
            # All busy for a while (long or runaway queries): start more, up to `most`.
            limit = self.size if time.monotonic() - since < BUSY_GRACE else self.most
            with self._lock:
                if self._count < limit:
                    self._count += 1
                    try:
                        return _Child(self.data_dir)
                    except OSError as err:
                        self._count -= 1
                        raise StoreError(f"cannot start a query process: {err}") from err
            # All busy (more threads than processes): wait for one to come back or be discarded.
            if deadline is not None and time.monotonic() >= deadline:
                raise QueryTimeout("the query ran past the time limit and was stopped")
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
        if not self._closed:
            # Start the replacement now: it imports and opens the store while nobody waits.
            try:
                self._idle.put(_Child(self.data_dir))
                return
            except OSError:
                pass
        with self._lock:
            self._count -= 1

    def warm(self) -> None:
        """Start one child now, so the first query does not wait for it."""
        self._release(self._acquire())

    def run(self, job: Job, timeout: float | None = None) -> Result:
        """Run a job; the answer is whole when small, else streamed (iterate it to the end)."""
        if self.inline_rows and _plain(job) and is_bounded(job.sparql):
            here = self._run_here(job)
            if here is not None:
                return here
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit if limit > 0 else None
        child = self._acquire(deadline)
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

    def _run_here(self, job: Job) -> Result | None:
        """A bounded query (kg.bounded) run in this process, under the readers' lock, capped at
        `inline_rows` rows; None when it must go to a query process after all (more rows, or
        the store could not be opened here)."""
        lock = getattr(self._local, "lock", None)
        if lock is None:  # one per thread: flock belongs to the open file, shared by threads
            lock = self._local.lock = ReadLock(self.data_dir)
        most = self.inline_rows
        cap = min(job.result_limit, most) if job.result_limit else most
        pieces: list[bytes] = []
        names: list[str] = []

        def send(fmt_name: str | None, data: bytes, last: bool) -> None:
            if fmt_name is not None:
                names.append(fmt_name)
            pieces.append(data)

        try:
            with lock.held():
                execute(self._handle.current(), replace(job, result_limit=cap), send)
        except ResultTooLarge:
            if cap == job.result_limit:
                raise  # the job's own cap: the answer it asked for
            return None
        except StoreError:
            return None  # the query process reopens the store and retries
        fmt = by_name(names[0], RESULTS + GRAPH)
        assert fmt is not None
        return Result(fmt, body=b"".join(pieces))

    def close(self) -> None:
        """Stop every child."""
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return


def make_executor(config: Config, store: Any = None) -> Executor | InlineExecutor:
    """A child-process executor for an on-disk store, else an inline one over `store`."""
    on_disk = store is None or getattr(store, "path", None) is not None
    if config.remote or config.in_memory or not on_disk:
        if store is None:
            from kg.store import open_store

            store = open_store(config)
        return InlineExecutor(config, store)
    return Executor(config)


if __name__ == "__main__":
    _child_main(Connection(int(sys.argv[1])), sys.argv[2], os.getppid())
