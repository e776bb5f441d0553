"""One worker process of `kg serve`: accepting, the app, the store, deadlines, and retiring.

The main thread accepts connections on the socket the supervisor bound (a blocking accept: the
kernel hands each new connection to one waiting worker, in turn) and gives each to a thread of
its own (kg.server.http). Plain queries take the fast path (kg.server.queries), everything else
runs the Flask app in that thread (kg.server.wsgi). Queries run in this process (kg.inprocess).

Deadlines: a watchdog thread answers 503 for a fast-path query still unanswered at its deadline
(the Flask path raises QueryTimeout itself). When a query is still running shortly after its
deadline the worker retires: it tells the supervisor (which starts a replacement at once), stops
accepting, closes idle connections, lets the requests in flight finish (at most `DRAIN` seconds)
and exits, which ends the runaway query. SIGTERM retires it the same way.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kg.config import Config
from kg.errors import QueryTimeout
from kg.server.http import Connection, Reply
from kg.server.queries import TIMEOUT_MESSAGE, QueryPath
from kg.server.wsgi import run_wsgi
from kg.web.errors import error_text

DRAIN = 5.0  # seconds a retiring worker gives the requests in flight
BOOT_FAILED = 3  # exit code: the worker could not start (the supervisor gives up)
TICK = 0.05  # seconds between the watchdog's looks at the deadlines
log = logging.getLogger("kg.server")


class _Stop(Exception):
    """Raised in the main thread (by a signal) to leave the accept loop."""


class Worker:
    """Accepts connections and answers their requests until retired."""

    def __init__(self, config: Config, sock: socket.socket, notify_fd: int) -> None:
        self.config = config
        self.sock = sock
        self.notify_fd = notify_fd
        self.max_body = config.max_body
        self.max_target = config.max_body + 8192
        self.connections: set[Connection] = set()
        self.draining = False
        self.size = max(config.threads, 1)
        self.slots = threading.BoundedSemaphore(self.size)
        self.pool = ThreadPoolExecutor(self.size, thread_name_prefix="kg-conn")
        self.deadlines: dict[Reply, float] = {}
        self._lock = threading.RLock()  # a signal handler may take it in the main thread
        self._main = threading.get_ident()
        self.app, self.queries = self._make_app()

    def _make_app(self) -> tuple[Any, QueryPath]:
        from kg.web import create_app

        config = self.config
        reads = None
        executor = None
        if not (config.remote or config.in_memory):
            from kg.inprocess import LocalExecutor, LocalReads

            reads = LocalReads(config.data_dir)
            executor = LocalExecutor(config, reads)
            executor.warm()
        app = create_app(config, executor=executor)
        if config.remote:  # the remote store answers itself, its bytes passed through
            from kg.jobs import StoreReads

            reads = StoreReads(app.extensions["kg"].store)
        return app, QueryPath(app, config, reads)

    # -- requests ------------------------------------------------------------------------------

    def handle(self, reply: Reply) -> None:
        """Answer one request: from the cache, by the fast path, or through the app."""
        queries = self.queries
        plan = queries.plan(reply.request)
        if plan is not None:
            job, key, version = plan
            if queries.hit(reply, key):
                return
            if queries.reads is not None:
                # A remote store's HTTP client stops at the timeout itself (504): no watchdog.
                timeout = 0 if self.config.remote else self.config.query_timeout
                deadline = time.monotonic() + timeout if timeout > 0 else None
                if deadline is None:
                    queries.answer(reply, job, key, version, None)
                    return
                with self._lock:
                    self.deadlines[reply] = deadline
                try:
                    queries.answer(reply, job, key, version, deadline)
                finally:
                    with self._lock:
                        self.deadlines.pop(reply, None)
                return
        run_wsgi(self.app, reply)

    def _watch(self) -> None:
        """Answer 503 for fast-path requests past their deadline; retire on a runaway query."""
        status, body = error_text(QueryTimeout.http_status, TIMEOUT_MESSAGE)
        reads = self.queries.reads
        while True:
            time.sleep(TICK)
            now = time.monotonic()
            with self._lock:
                late = [reply for reply, deadline in self.deadlines.items() if deadline <= now]
            for reply in late:
                reply.abandon(status, body)
            if reads is not None and not self.draining and reads.runaway():
                self.retire("a query ran past its deadline")

    def _serve(self, conn: Connection) -> None:
        try:
            conn.serve()
        except Exception:
            log.exception("connection from %s failed", conn.peer[0])
        finally:
            conn.close()
            with self._lock:
                self.connections.discard(conn)
            self.slots.release()

    # -- retiring ------------------------------------------------------------------------------

    def retire(self, why: str) -> None:
        """Stop accepting, finish what is in flight, exit (the supervisor has a replacement)."""
        with self._lock:
            if self.draining:
                return
            self.draining = True
        log.warning("worker %d retiring: %s", os.getpid(), why)
        with contextlib.suppress(OSError):
            os.write(self.notify_fd, b"r")
        threading.Thread(target=self._exit_when_drained, daemon=True).start()
        if threading.get_ident() != self._main:
            with contextlib.suppress(OSError):
                signal.pthread_kill(self._main, signal.SIGUSR1)  # out of accept()

    def _exit_when_drained(self) -> None:
        until = time.monotonic() + DRAIN
        while time.monotonic() < until:
            with self._lock:
                open_now = [conn for conn in self.connections if not conn.stuck]
            if not open_now:
                break
            for conn in open_now:
                if conn.idle:
                    conn.shutdown()
            time.sleep(TICK)
        logging.shutdown()
        # os._exit: a runaway query's thread is inside the engine and cannot be joined.
        os._exit(0)

    # -- main ----------------------------------------------------------------------------------

    def serve(self) -> None:
        """Accept connections until retired, then wait for the exit."""
        signal.signal(signal.SIGUSR1, _raise_stop)
        signal.signal(signal.SIGTERM, self._on_term)
        threading.Thread(target=self._watch, daemon=True, name="kg-watchdog").start()
        try:
            while not self.draining:
                self.slots.acquire()
                try:
                    conn_sock, peer = self.sock.accept()
                except OSError:
                    self.slots.release()
                    continue
                conn = Connection(self, conn_sock, peer)
                with self._lock:
                    self.connections.add(conn)
                self.pool.submit(self._serve, conn)
        except _Stop:
            pass
        while True:  # the exit comes from _exit_when_drained
            time.sleep(1)

    def _on_term(self, signum: int, frame: object) -> None:
        self.retire("stopping")
        raise _Stop


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop


def worker_main(config: Config, sock: socket.socket, notify_fd: int) -> None:
    """The body of a forked worker process; never returns."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the supervisor, which decides
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.set_wakeup_fd(-1)
    code = 0
    try:
        try:
            worker = Worker(config, sock, notify_fd)
        except Exception:
            log.exception("worker %d could not start", os.getpid())
            code = BOOT_FAILED
        else:
            worker.serve()
    except BaseException:  # noqa: BLE001 - a forked child must never return into the parent
        log.exception("worker %d failed", os.getpid())
        code = 1
    finally:
        logging.shutdown()
        os._exit(code)
