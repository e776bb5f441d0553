"""`kg serve`'s HTTP server: granian (WSGI) running kg.server.app in `workers` processes.

Why granian: measured side by side (bench/RESULTS.md, "HTTP server"), it kept serving a probe
in milliseconds with 300 slowloris sockets and 200 idle keep-alive connections open (its
connections live in an async Rust runtime, not in threads), its own cost per request is a
fraction of the app's, and its HTTP/1.1 parsing (hyper) passed the smuggling, pipelining and
100-continue checks. What it leaves to the app (Host, body limits and deadline) is in
kg.server.app.

Settings used: `host`, `port`, `workers`, `threads` (granian's blocking threads per worker),
`header_timeout` (the header deadline, also the idle keep-alive time), `max_body` (also caps the
request line and headers: granian's buffer), `drain` (stopping: the listener closes at once,
requests in flight get this long, then the workers are killed; repeated signals change nothing).

Queries never run in a granian worker: they run in its query processes (kg.executor), so no
query can make a worker exit, and granian's rule of stopping the server when workers crash
over and over never meets a query.
"""

from __future__ import annotations

import logging
import math
import socket
from functools import partial

from kg.config import Config
from kg.errors import ConfigError

log = logging.getLogger("kg.server")
HEAD_ROOM = 64 * 1024  # request line + headers allowed beyond max_body (a GET query's URL)


def granian_server(config: Config) -> object:
    """The granian server for the settings (not started)."""
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from granian.server import Server

    from kg.server.app import create

    header_ms = max(1, min(int(config.header_timeout * 1000), 60_000))
    server = Server(
        "kg.server.app:create",
        address=config.host,
        port=config.port,
        interface=Interfaces.WSGI,
        workers=max(config.workers, 1),
        blocking_threads=max(config.threads, 1),
        http=HTTPModes.http1,
        websockets=False,
        backlog=2048,
        http1_settings=HTTP1Settings(
            header_read_timeout=header_ms,
            keep_alive=True,
            max_buffer_size=max(config.max_body + HEAD_ROOM, 8192),
            pipeline_flush=False,  # True loses pipelined answers before a malformed request
        ),
        log_enabled=True,
        log_level=LogLevels.warning,
        respawn_failed_workers=True,
        respawn_interval=0.1,
        workers_kill_timeout=max(1, math.ceil(config.drain)),
    )
    server._kg_loader = partial(create, config)  # type: ignore[attr-defined]
    return server


def _check_address(config: Config) -> None:
    """A clear error for an address in use (granian itself would panic with a Rust backtrace)."""
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((config.host, config.port))
    except OSError as err:
        raise ConfigError(
            f"cannot listen on {config.host}:{config.port}: {err.strerror or err}"
        ) from None


def run(config: Config) -> int:
    """Serve with the settings until stopped; the exit code."""
    if not 0 < config.header_timeout <= 60:
        raise ConfigError("KG_HEADER_TIMEOUT must be more than 0 and at most 60 seconds")
    _check_address(config)
    # Imported before the workers fork, so each starts without importing them again.
    import kg.web  # noqa: F401
    import kg.web.pages  # noqa: F401

    server = granian_server(config)
    print(
        f"kg serve: listening on http://{config.host}:{config.port} "
        f"(granian, {max(config.workers, 1)} workers)",
        flush=True,
    )
    try:
        server.serve(target_loader=server._kg_loader, wrap_loader=False)  # type: ignore[attr-defined]
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0
