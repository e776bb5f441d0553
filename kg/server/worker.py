"""One worker process of `kg serve`: an event loop, the app, the store, and how it retires.

The loop (uvloop when installed) accepts connections on the socket the supervisor bound and
parses requests; plain queries take the fast path (kg.server.queries), everything else runs the
Flask app in a request thread (kg.server.wsgi). Queries run in this process's threads
(kg.inprocess). When one runs past its deadline, the worker retires: it tells the supervisor
(which starts a replacement at once), stops accepting, closes idle connections, lets the
requests in flight finish (at most `DRAIN` seconds) and exits, which ends the runaway query.
SIGTERM retires it the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kg.config import Config
from kg.server.http import Connection, Reply
from kg.server.queries import QueryPath
from kg.server.wsgi import run_wsgi

DRAIN = 5.0  # seconds a retiring worker gives the requests in flight
BOOT_FAILED = 3  # exit code: the worker could not start (the supervisor gives up)
log = logging.getLogger("kg.server")


class Worker:
    """The event loop of one worker process."""

    def __init__(self, config: Config, sock: socket.socket, notify_fd: int) -> None:
        self.config = config
        self.sock = sock
        self.notify_fd = notify_fd
        self.max_body = config.max_body
        self.max_target = config.max_body + 8192
        self.connections: set[Connection] = set()
        self.draining = False
        self.loop: asyncio.AbstractEventLoop = _new_loop()
        self.pool = ThreadPoolExecutor(max(config.threads, 1), thread_name_prefix="kg-request")
        self.server: asyncio.AbstractServer | None = None
        self.app, self.queries = self._make_app()

    def _make_app(self) -> tuple[Any, QueryPath | None]:
        from kg.web import create_app

        config = self.config
        reads = None
        executor = None
        if not (config.remote or config.in_memory) and config.query_processes:
            from kg.inprocess import LocalExecutor, LocalReads

            reads = LocalReads(config.data_dir, on_runaway=self._runaway_threadsafe)
            executor = LocalExecutor(config, reads)
            executor.warm()
        app = create_app(config, executor=executor)
        return app, QueryPath(app, config, reads)

    # -- requests ------------------------------------------------------------------------------

    def dispatch(self, conn: Connection, reply: Reply) -> None:
        """Answer one request: from the cache, by the fast path, or through the app."""
        queries = self.queries
        if queries is not None:
            plan = queries.plan(reply.request)
            if plan is not None:
                job, key, version = plan
                if queries.hit(reply, key):
                    return
                if queries.reads is not None:
                    if self.config.query_timeout > 0:
                        reply.timer = self.loop.call_later(
                            self.config.query_timeout, queries.deadline, reply
                        )
                    self.pool.submit(queries.answer, reply, job, key, version)
                    return
        self.pool.submit(run_wsgi, self.app, reply)

    # -- retiring ------------------------------------------------------------------------------

    def _runaway_threadsafe(self) -> None:
        self.loop.call_soon_threadsafe(self.retire, "a query ran past its deadline")

    def retire(self, why: str) -> None:
        """Stop accepting, finish what is in flight, exit (the supervisor has a replacement)."""
        if self.draining:
            return
        self.draining = True
        log.warning("worker %d retiring: %s", os.getpid(), why)
        with contextlib.suppress(OSError):
            os.write(self.notify_fd, b"r")
        if self.server is not None:
            self.server.close()
        for conn in list(self.connections):
            conn.close_if_idle()
        self.loop.call_later(DRAIN, self.exit)
        self.check_drained()

    def check_drained(self) -> None:
        """Exit once retiring and no connection is left."""
        if self.draining and not self.connections:
            self.loop.call_soon(self.exit)

    def exit(self) -> None:
        # os._exit: a runaway query's thread is inside the engine and cannot be joined.
        logging.shutdown()
        os._exit(0)

    # -- main ----------------------------------------------------------------------------------

    def serve(self) -> None:
        """Run until retired."""
        loop = self.loop
        asyncio.set_event_loop(loop)
        loop.add_signal_handler(signal.SIGTERM, self.retire, "stopping")
        loop.add_signal_handler(signal.SIGINT, lambda: None)  # the supervisor decides
        self.server = loop.run_until_complete(
            loop.create_server(lambda: Connection(self), sock=self.sock, backlog=2048)
        )
        loop.run_forever()


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency; plain asyncio also works
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def worker_main(config: Config, sock: socket.socket, notify_fd: int) -> None:
    """The body of a forked worker process; never returns."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
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
