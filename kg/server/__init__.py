"""`kg serve`'s HTTP server: a supervisor process and forked worker processes.

Why not gunicorn: a Python WSGI server spends ~1-2 ms of CPU per request in its own HTTP and
framework code, 10x what the query engine needs for a point lookup, and pyoxigraph cannot
cancel a query, so a timeout needed a query process beside every worker (another hop). Here:

- the supervisor binds the socket, forks `workers` worker processes and keeps that many
  accepting: a retiring worker (SIGTERM, or a query past its deadline) says so on its pipe and
  is replaced at once; one that dies is replaced too. It never opens the store itself (a RocksDB
  opened before fork would leave its thread pools' locks held in every child).
- each worker (kg.server.worker) serves each connection in a thread of its own with llhttp
  parsing (httptools), answers plain queries without Flask and runs the Flask app for
  everything else; queries run in those threads (pyoxigraph releases the GIL).

Stopping (SIGTERM, SIGINT): workers get `DRAIN` seconds to finish, then SIGKILL, so nothing keeps
a core busy after the server is gone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import signal
import socket
import sys
import time

from kg.config import Config
from kg.errors import ConfigError
from kg.server.worker import BOOT_FAILED, DRAIN, worker_main

log = logging.getLogger("kg.server")


class Supervisor:
    """Keeps `config.workers` worker processes accepting on one listening socket."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.size = max(config.workers, 1)
        self.sock = _listen(config.host, config.port)
        self.pipes: dict[int, int] = {}  # pid -> read end of its notify pipe
        self.retiring: set[int] = set()
        self.stopping = False
        self.failures: list[float] = []

    def spawn(self) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            os.close(read)
            for fd in self.pipes.values():
                os.close(fd)
            worker_main(self.config, self.sock, write)
        os.close(write)
        self.pipes[pid] = read

    def accepting(self) -> int:
        return len([pid for pid in self.pipes if pid not in self.retiring])

    def run(self) -> None:
        """Serve until SIGTERM or SIGINT."""
        wake_read, wake_write = socket.socketpair()
        wake_read.setblocking(False)
        wake_write.setblocking(False)
        signal.set_wakeup_fd(wake_write.fileno())
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._stop)
        signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes the selector through the fd
        host, port = self.sock.getsockname()[:2]
        print(f"kg serve: listening on http://{host}:{port} ({self.size} workers)", flush=True)
        while self.accepting() < self.size:
            self.spawn()
        selector = selectors.DefaultSelector()
        selector.register(wake_read, selectors.EVENT_READ)
        while not self.stopping:
            registered = {key.fd for key in selector.get_map().values()}
            for fd in self.pipes.values():
                if fd not in registered:
                    selector.register(fd, selectors.EVENT_READ)
            for key, _ in selector.select(timeout=1.0):
                if key.fileobj is wake_read:
                    with contextlib.suppress(OSError):
                        wake_read.recv(4096)
                    continue
                self._notice(key.fd, selector)
            self._reap(selector)
            if not self.stopping:
                while self.accepting() < self.size:
                    self._throttle()
                    self.spawn()
        self._shutdown()

    def _notice(self, fd: int, selector: selectors.BaseSelector) -> None:
        pid = next((p for p, f in self.pipes.items() if f == fd), None)
        try:
            data = os.read(fd, 64)
        except OSError:
            data = b""
        if pid is None:
            return
        if b"r" in data:
            self.retiring.add(pid)
        if not data:  # the worker is gone; reaped below
            selector.unregister(fd)

    def _reap(self, selector: selectors.BaseSelector) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            fd = self.pipes.pop(pid, None)
            if fd is not None:
                with contextlib.suppress(KeyError, ValueError):
                    selector.unregister(fd)
                os.close(fd)
            retired = pid in self.retiring
            self.retiring.discard(pid)
            code = os.waitstatus_to_exitcode(status)
            if code == BOOT_FAILED and not self.stopping:
                self.stopping = True
                print("kg serve: a worker could not start (see above); stopping", file=sys.stderr)
                self.exit_code = 1
            elif not retired and not self.stopping:
                print(f"kg serve: worker {pid} exited ({code}); starting another", file=sys.stderr)
                self.failures.append(time.monotonic())

    def _throttle(self) -> None:
        # Workers dying at once over and over: slow the restarts down instead of spinning.
        now = time.monotonic()
        self.failures = [t for t in self.failures if now - t < 10]
        if len(self.failures) > 5:
            time.sleep(1.0)

    def _stop(self, signum: int, frame: object) -> None:
        self.stopping = True

    def _shutdown(self) -> None:
        for pid in list(self.pipes):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + DRAIN + 1
        while self.pipes and time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                time.sleep(0.05)
                continue
            fd = self.pipes.pop(pid, None)
            if fd is not None:
                os.close(fd)
        for pid in list(self.pipes):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.sock.close()

    exit_code = 0


def _listen(host: str, port: int) -> socket.socket:
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.create_server((host, port), family=family, backlog=2048)
    except OSError as err:
        raise ConfigError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
    sock.setblocking(True)  # each worker blocks in accept(): the kernel wakes one at a time
    return sock


def run(config: Config) -> int:
    """Serve with the settings until stopped; the exit code."""
    logging.basicConfig(level=logging.INFO, format="kg serve: %(message)s")
    # Imported before forking so each worker starts without importing them again.
    import kg.web  # noqa: F401
    import kg.web.pages  # noqa: F401

    supervisor = Supervisor(config)
    supervisor.run()
    return supervisor.exit_code
