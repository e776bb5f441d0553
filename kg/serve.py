"""`kg serve`: the web app under gunicorn (threaded workers), built for real clients.

Gunicorn settings and why:
- `gthread` workers (`workers` x `threads`): keep-alive, and a slow query holds one thread, not a
  worker; queries themselves run in each worker's executor processes (kg.executor).
- `limit_request_line = 0`: gunicorn's default (4-8 KiB) rejects the long GET URLs of rdflib's
  SPARQLStore (~2 KB of PREFIX lines) and others; the app itself caps URLs at `max_body` (414).
- `limit_request_field_size = 64 KiB`: long Accept lists and bearer tokens.
- `graceful_timeout = 5`: on stop, workers get 5 s to finish, then SIGKILL; executor processes
  exit on their own when their worker is gone, so nothing keeps burning a core.
"""

from __future__ import annotations

import contextlib
import importlib.util
import multiprocessing
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from kg.config import Config
from kg.errors import ConfigError, KGError, StoreError


def gunicorn_options(config: Config) -> dict[str, Any]:
    """The gunicorn settings for these settings."""
    return {
        "bind": f"{config.host}:{config.port}",
        "workers": max(config.workers, 1),
        "threads": max(config.threads, 1),
        "worker_class": "gthread",
        # The worker heartbeat runs beside the request threads, so this only catches hangs.
        "timeout": max(60, int(config.query_timeout * 2) + 10),
        "graceful_timeout": 5,
        "keepalive": 5,
        "limit_request_line": 0,
        "limit_request_field_size": 64 * 1024,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "post_worker_init": _warm,
        "proc_name": "kg-serve",
        "control_socket_disable": True,  # several servers (tests) must not fight over one socket
    }


def _warm(worker: Any) -> None:
    # Start one executor process per worker before the first request arrives; if that fails,
    # the first query will say why (a worker that cannot boot would only be restarted in a loop).
    with contextlib.suppress(KGError):
        worker.wsgi.extensions["kg"].executor.warm()


class Server(BaseApplication):
    """gunicorn running `kg.web.create_app(config)` in each worker."""

    def __init__(self, config: Config) -> None:
        self.kg_config = config
        super().__init__()

    def load_config(self) -> None:
        for key, value in gunicorn_options(self.kg_config).items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from kg.web import create_app

        return create_app(self.kg_config)


def _build_in_child(config: Config) -> None:
    """Build the seed (if needed) in a child process: the master must never open RocksDB.

    Workers are forked from the master; a RocksDB opened there leaves its thread pools' locks
    held in every fork, and the first write in a worker would hang forever.
    """
    if importlib.util.find_spec("kg.build") is None:
        return
    process = multiprocessing.get_context("fork").Process(target=_ensure_built, args=(config,))
    process.start()
    process.join()
    if process.exitcode:
        raise StoreError(f"building the seed graph failed (exit code {process.exitcode})")


def _ensure_built(config: Config) -> None:
    from kg.build import ensure_built

    try:
        ensure_built(config)
    except KGError as err:
        print(f"error: {err.message}", file=sys.stderr)
        sys.exit(err.exit_code)


def serve(config: Config) -> None:
    """Build the seed graph if nothing is built yet, then serve until stopped."""
    if config.in_memory:
        raise ConfigError("kg serve needs an on-disk store (KG_DATA_DIR) or a remote one")
    _build_in_child(config)
    Server(config).run()
