"""`kg serve`: build the seed graph if nothing is built yet, then run kg.server until stopped."""

from __future__ import annotations

import importlib.util
import multiprocessing
import sys

from kg.config import Config
from kg.errors import ConfigError, KGError, StoreError


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
    from kg.server import run

    code = run(config)
    if code:
        raise SystemExit(code)
