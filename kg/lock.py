"""The on-disk store's readers-writer lock: one writer at a time, and no reader during a write.

Oxigraph allows one read-write opener per store, and opening or reading it read-only while another
process writes is undefined (RocksDB deletes files under the reader). Writers hold
`geoclaims-write.lock` exclusively for open + write + close; executors hold it shared around each
open and each query. A waiting writer first takes `geoclaims-turnstile.lock`, which new readers
pass through, so a stream of queries cannot starve it.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.config import Config
from kg.store import EmbeddedStore, Store, open_store

LOCK_FILE = "geoclaims-write.lock"  # readers hold it shared, a writer exclusive
TURNSTILE_FILE = "geoclaims-turnstile.lock"  # a waiting writer holds it: new readers queue


@contextmanager
def writer(config: Config, store: Store | None = None) -> Iterator[Store]:
    """The store to write to, for one write: on disk, opened read-write under an exclusive lock."""
    if store is not None and not (isinstance(store, EmbeddedStore) and store.path is not None):
        yield store  # in memory or remote: the shared store object takes the write
        return
    if config.remote or config.in_memory:
        yield open_store(config)
        return
    path = Path(config.data_dir)
    path.mkdir(parents=True, exist_ok=True)
    with open(path / TURNSTILE_FILE, "a") as turnstile, open(path / LOCK_FILE, "a") as lock:
        # Writer preference: holding the turnstile stops new readers, running ones drain out.
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time, and no reader meanwhile
        try:
            if store is not None:
                yield store  # this process already holds it read-write
                return
            opened = EmbeddedStore(path)
            try:
                yield opened
            finally:
                opened.close()  # closing waits for RocksDB's background work: files settle
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            fcntl.flock(turnstile, fcntl.LOCK_UN)


class ReadLock:
    """The readers' side of an on-disk store's lock: no reader opens or reads during a write.

    Oxigraph's read-only opening is undefined while another process writes (RocksDB deletes
    files under it); executors hold this, shared, around each open and each query.
    """

    def __init__(self, data_dir: str | Path) -> None:
        path = Path(data_dir)
        path.mkdir(parents=True, exist_ok=True)
        self._turnstile = open(path / TURNSTILE_FILE, "a")  # noqa: SIM115 - held for life
        self._lock = open(path / LOCK_FILE, "a")  # noqa: SIM115 - held for life

    def close(self) -> None:
        """Release the lock files."""
        self._lock.close()
        self._turnstile.close()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock shared (waiting while a writer holds or waits for it)."""
        fcntl.flock(self._turnstile, fcntl.LOCK_SH)
        fcntl.flock(self._turnstile, fcntl.LOCK_UN)
        fcntl.flock(self._lock, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(self._lock, fcntl.LOCK_UN)


@contextmanager
def reader(config: Config) -> Iterator[Store]:
    """The store to read from, for one read: on disk, opened read-only under the shared lock."""
    if config.remote or config.in_memory:
        yield open_store(config)
        return
    lock = ReadLock(config.data_dir)
    try:
        with lock.held():
            store = open_store(config, read_only=True)
            try:
                yield store
            finally:
                store.close()
    finally:
        lock.close()
