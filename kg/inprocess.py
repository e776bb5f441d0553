"""Query execution in the server's own threads, with a timeout that really frees the core.

pyoxigraph releases the GIL while it evaluates and serializes, so threads of one process run queries
in parallel, but it cannot cancel a query. `kg serve` (kg.server) therefore runs queries in its
worker processes' threads and enforces the timeout by recycling the process: the request gets its
503 at the deadline, the worker's watchdog sees the query still running shortly after
(`LocalReads.runaway`), and the worker stops accepting, lets its other requests finish and exits,
which ends the runaway; the supervisor has started a replacement already. No query ever crosses a
process boundary.

`LocalReads` holds the on-disk store open read-only, shared by the threads; each thread holds its
own shared lock (`kg.lock.ReadLock`: flock is per open file) around every query, and the handle is
reopened when the version marker shows a write. `LocalExecutor` is the `run(job)` interface of
`kg.executor.Executor` on top of it, for the Flask app; the server's fast path calls
`LocalReads.execute` directly from its request threads.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from kg.config import Config
from kg.errors import KGError, QueryTimeout, StoreError
from kg.formats import GRAPH, RESULTS, by_name
from kg.jobs import Job, Result, execute
from kg.lock import ReadLock
from kg.store import EmbeddedStore, stat_version

Send = Callable[[str | None, bytes, bool], None]
GRACE = 0.5  # seconds past its deadline before a running query counts as a runaway
QUEUED = 4  # chunks a producer may run ahead of its consumer (64 KiB each)


class LocalReads:
    """The on-disk store read in this process's threads; every running query is tracked."""

    def __init__(self, data_dir: str) -> None:
        self.data_dir = data_dir
        self._local = threading.local()
        self._mutex = threading.Lock()
        self._store: EmbeddedStore | None = None
        self._version: str | None = None
        self._running: dict[int, float] = {}  # token -> deadline (monotonic)
        self._next = 0

    def _open(self, version: str) -> EmbeddedStore:
        with self._mutex:
            if self._store is None or version != self._version:
                self._store = None  # drop the old handle before opening the new one
                self._store, self._version = EmbeddedStore(self.data_dir, read_only=True), version
            return self._store

    def _reopen(self) -> EmbeddedStore:
        with self._mutex:
            self._store = None
        return self._open(stat_version(self.data_dir))

    def _lock(self) -> ReadLock:
        lock: ReadLock | None = getattr(self._local, "lock", None)
        if lock is None:
            lock = self._local.lock = ReadLock(self.data_dir)
        return lock

    def warm(self) -> None:
        """Open the store now, so the first query does not wait for it."""
        with self._lock().held():
            self._open(stat_version(self.data_dir))

    @contextmanager
    def tracked(self, deadline: float | None) -> Iterator[None]:
        """Register a running query with its deadline (None: no limit), for `runaway()`."""
        with self._mutex:
            self._next += 1
            token = self._next
            if deadline is not None:
                self._running[token] = deadline
        try:
            yield
        finally:
            with self._mutex:
                self._running.pop(token, None)

    def runaway(self) -> bool:
        """Whether a query still runs `GRACE` seconds past its deadline (the worker must retire)."""
        now = time.monotonic()
        with self._mutex:
            return any(deadline + GRACE < now for deadline in self._running.values())

    def execute(self, job: Job, send: Send, deadline: float | None = None) -> None:
        """Run a job in this thread under the shared lock; `send` gets the answer's chunks."""
        sent = 0

        def counted(fmt_name: str | None, data: bytes, last: bool) -> None:
            nonlocal sent
            sent += 1
            send(fmt_name, data, last)

        with self.tracked(deadline), self._lock().held():
            # Under the lock the version file cannot change: reopen if a write came since.
            store = self._open(stat_version(self.data_dir))
            try:
                execute(store, job, counted)
            except StoreError:
                if sent:
                    raise  # part of the answer is out: the caller aborts the stream
                # A writer that ignores the lock (another tool) can still move files: retry.
                execute(self._reopen(), job, counted)


class _Channel:
    """Chunks from a producer thread to a consumer, bounded, with a deadline on the reading side."""

    def __init__(self) -> None:
        self.items: deque[tuple[str, Any, bytes, bool]] = deque()
        self.cond = threading.Condition()
        self.cancelled = False
        self.finished = False

    def put(self, item: tuple[str, Any, bytes, bool]) -> None:
        with self.cond:
            while len(self.items) >= QUEUED and not self.cancelled:
                self.cond.wait()
            if self.cancelled:
                raise OSError("the answer is no longer wanted")
            self.items.append(item)
            self.cond.notify_all()

    def get(self, deadline: float | None) -> tuple[str, Any, bytes, bool]:
        with self.cond:
            while not self.items:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise QueryTimeout("the query ran past the time limit and was stopped")
                self.cond.wait(remaining)
            item = self.items.popleft()
            self.cond.notify_all()
            return item

    def cancel(self) -> None:
        with self.cond:
            self.cancelled = True
            self.items.clear()
            self.cond.notify_all()


class _Stream:
    """The rest of an answer still being produced; closing it early stops the producer."""

    def __init__(self, channel: _Channel, first: bytes, deadline: float | None) -> None:
        self.channel, self.deadline = channel, deadline
        self.first: bytes | None = first
        self.done = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self.done:
            raise StopIteration
        if self.first is not None:
            first, self.first = self.first, None
            return first
        try:
            kind, payload, data, last = self.channel.get(self.deadline)
        except KGError:
            self.close()
            raise
        if kind == "error":
            self.close()
            raise payload
        if last:
            self.done = True
        return data

    def close(self) -> None:
        self.done = True
        self.channel.cancel()


class LocalExecutor:
    """`run(job)` for the web app, producing in a thread pool over `LocalReads`."""

    def __init__(self, config: Config, reads: LocalReads) -> None:
        self.reads = reads
        self.timeout = config.query_timeout
        self._pool = ThreadPoolExecutor(
            max_workers=max(config.threads, 1), thread_name_prefix="kg-query"
        )

    def warm(self) -> None:
        """Open the store now."""
        self.reads.warm()

    def deadline(self, timeout: float | None = None) -> float | None:
        """The monotonic deadline of a query starting now (None: no limit)."""
        limit = self.timeout if timeout is None else timeout
        return time.monotonic() + limit if limit > 0 else None

    def _produce(self, job: Job, channel: _Channel, deadline: float | None) -> None:
        def send(fmt_name: str | None, data: bytes, last: bool) -> None:
            channel.put(("data", fmt_name, data, last))

        try:
            self.reads.execute(job, send, deadline)
        except KGError as err:
            if not channel.cancelled:
                channel.put(("error", err, b"", True))
        except Exception as err:  # noqa: BLE001 - a consumer must never wait for nothing
            if not channel.cancelled:
                channel.put(("error", StoreError(f"the query failed: {err}"), b"", True))

    def run(self, job: Job, timeout: float | None = None) -> Result:
        """Run a job; the answer is whole when small, else streamed (iterate it to the end)."""
        deadline = self.deadline(timeout)
        channel = _Channel()
        self._pool.submit(self._produce, job, channel, deadline)
        try:
            kind, payload, data, last = channel.get(deadline)
        except KGError:
            channel.cancel()
            raise
        if kind == "error":
            raise payload
        fmt = by_name(payload, RESULTS + GRAPH)
        assert fmt is not None
        if last:
            return Result(fmt, body=data)
        return Result(fmt, chunks=_Stream(channel, data, deadline))

    def close(self) -> None:
        """Stop taking jobs (running ones end with the process)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
