"""A full build of many articles with flat memory: compile and validate in chunks, load in bulk.

`kg build` compiles everything in memory before writing, which is right for a handful of
articles and grows with their number. From `stream_from` articles on (a setting, 200), a full
on-disk build streams instead: worker processes compile the articles a chunk at a time (the
shared graphs are compiled once here), each chunk is validated on its own (spans, ids, graph
typing, denials; SHACL too unless `--no-shacl`) and serialized as N-Quads, and one Oxigraph
bulk load reads the chunks as they come. At most a few chunks are in flight, so memory does not
grow with the number of articles; the first invalid chunk stops the build before the new store
is swapped in. A full build into a remote store streams the same way (`spool`), into a
temporary N-Quads file that kg.loading sends once every article has passed.

Stopping: Ctrl-C (SIGINT) or SIGTERM stops the build and its workers. The workers ignore SIGINT
(a terminal sends it to them too; the parent decides), SIGTERM raises SystemExit in the parent
as Ctrl-C raises KeyboardInterrupt, and on either the parent terminates the workers and waits for
them before the half-built store is removed. A worker whose parent was killed outright (SIGKILL)
notices within a second and exits.
"""

from __future__ import annotations

import gc
import io
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context
from typing import IO

import pyoxigraph as ox

from kg.config import Config
from kg.ingest.articles import article_ids
from kg.ingest.compile import Compiled, compile_sources
from kg.ingest.validate import validate
from kg.progress import Progress, progress
from kg.search import IndexRows, rows_of_graphs
from kg.store import EmbeddedStore

CHUNK = 25  # articles compiled, validated and serialized together by one worker


@dataclass
class Streamed:
    """What a streamed build loaded: quads and graphs per part (article, shared part)."""

    parts: dict[str, tuple[int, int]] = field(default_factory=dict)  # part -> (graphs, quads)
    articles: list[str] = field(default_factory=list)


def _part(name: str, compiled: Compiled, graphs: list[str]) -> tuple[str, tuple[int, int]]:
    return name, (len(graphs), sum(len(compiled.sink.graphs[g]) for g in graphs))


def _nquads(compiled: Compiled, graphs: list[str]) -> bytes:
    return ox.serialize(compiled.quads(graphs), format=ox.RdfFormat.N_QUADS) or b""


def _chunk(config: Config, aids: list[str], times: dict[str, str], shapes: bool, rows: bool):
    """Worker: compile and validate some articles; their graphs as N-Quads, their sizes, and
    (with `rows`) what the search index takes from them (`search.rows_of_graphs`)."""
    with _collector_paused():  # collects after `_compiled_chunk`'s objects are gone
        return _compiled_chunk(config, aids, times, shapes, rows)


def _compiled_chunk(
    config: Config, aids: list[str], times: dict[str, str], shapes: bool, rows: bool
):
    compiled = compile_sources(config, articles=aids, started=times.get)
    validate(compiled, shapes=shapes)
    graphs, parts = [], []
    for aid in aids:
        own = compiled.units[f"article/{aid}"]
        graphs += own
        parts.append(_part(f"article {aid}", compiled, own))
    found = rows_of_graphs((g, compiled.sink.graphs[g]) for g in graphs) if rows else None
    return _nquads(compiled, graphs), parts, found


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a chunk is compiled, and one collection
    after. A chunk's ~100,000 triples are tuples that all stay alive until it is done, so every
    collection on the way walked them for nothing: 13% of a chunk's time at 25 articles."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
            gc.collect()


class _Chunks(io.RawIOBase):
    """The chunks' N-Quads as one readable stream, for Oxigraph's bulk loader."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._buffer = chunks, memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:  # type: ignore[no-untyped-def]
        while not self._buffer:
            try:
                self._buffer = memoryview(next(self._chunks))
            except StopIteration:
                return 0
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def all_article_ids(config: Config) -> list[str]:
    """The ids of every article of every project folder."""
    return sorted({aid for folder in config.sources for aid in article_ids(folder)})


def wants_streaming(config: Config) -> bool:
    return len(all_article_ids(config)) >= config.stream_from


def _worker_start(parent: int) -> None:
    """Each worker: leave Ctrl-C to the parent, and exit if the parent dies without stopping it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="kg-build-parent-watch", daemon=True).start()


@dataclass
class Stop:
    """Ctrl-C and SIGTERM received during a streamed build: recorded always, raised (as
    KeyboardInterrupt and SystemExit) only once `armed`, so that a signal arriving while the
    worker pool is being made waits until there is a pool to stop."""

    received: list[int] = field(default_factory=list)
    armed: bool = False

    def handler(self, signum: int, _frame: object) -> None:
        self.received.append(signum)
        if self.armed:
            self.raise_()

    def arm(self) -> None:
        self.armed = True
        if self.received:
            self.raise_()

    def raise_(self) -> None:
        self.armed = False  # once
        if self.received[0] == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + self.received[0])


@contextmanager
def stop_signals() -> Iterator[Stop]:
    """While in this block, SIGINT and SIGTERM go to a `Stop` (main thread only: elsewhere the
    process's handlers stay)."""
    stop = Stop()
    if threading.current_thread() is not threading.main_thread():
        stop.armed = True
        yield stop
        return
    previous = {sig: signal.signal(sig, stop.handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def load(
    config: Config,
    store: EmbeddedStore,
    times: dict[str, str],
    shapes: bool,
    index: IndexRows | None = None,
) -> Streamed:
    """Compile, validate and bulk-load every source into `store` (a fresh on-disk store). With
    `index`, the workers also derive the search index's rows, and the index is built from them
    once every chunk is in the loader's hands, while it writes and compacts the store's files
    (`index.finish` then waits for it)."""

    def bulk_load(chunks: Iterator[bytes]) -> None:
        store.bulk_load_stream(io.BufferedReader(_Chunks(chunks), 1 << 20))

    return _compiled(config, times, shapes, bulk_load, index)


def spool(config: Config, times: dict[str, str], shapes: bool, out: IO[bytes]) -> Streamed:
    """Compile and validate every source as `load` does, writing the N-Quads to `out` (a file):
    for a store that must get them only once every article has passed (a remote one)."""

    return _compiled(config, times, shapes, out.writelines)


def _compiled(
    config: Config,
    times: dict[str, str],
    shapes: bool,
    consume: Callable[[Iterator[bytes]], None],
    index: IndexRows | None = None,
) -> Streamed:
    """The shared graphs, then every article a chunk at a time (worker processes), as N-Quads
    handed to `consume` as they come; the first invalid chunk raises from its iterator."""
    result = Streamed()
    shared = compile_sources(config, articles=[], started=times.get)
    validate(shared, shapes=shapes)
    if index is not None:
        index.add(rows_of_graphs(shared.sink.graphs.items()))
    aids = all_article_ids(config)
    result.articles = aids
    for unit in ("ontology", "shapes", "entities", "reference"):
        graphs = shared.units.get(unit, [])
        if graphs:
            name, size = _part(unit if unit != "reference" else "reference facts", shared, graphs)
            result.parts[name] = size
    head = _nquads(shared, list(shared.sink.graphs))
    del shared
    workers = max(1, min(os.cpu_count() or 1, 4))
    chunks = [aids[i : i + CHUNK] for i in range(0, len(aids), CHUNK)]
    with (
        progress("kg build", total=len(aids), unit="article") as bar,
        stop_signals() as stop,
    ):
        # spawned, not forked: the new store is open here, and a fork would copy its RocksDB state
        pool = ProcessPoolExecutor(workers, get_context("spawn"), _worker_start, (os.getpid(),))
        try:
            # The first chunks start every worker; only then may a signal stop them (arm), so
            # that none is left half-started.
            todo = iter(chunks)
            rows = index is not None
            pending = deque(
                (group, pool.submit(_chunk, config, group, times, shapes, rows))
                for group in islice(todo, 2 * workers)
            )
            stop.arm()
            consume(
                _results(pool, config, todo, pending, (times, shapes), head, result, bar, index)
            )
        except BaseException as err:
            _terminate(pool)  # no worker outlives a failed, stopped or interrupted build
            if stop.received and not isinstance(err, (KeyboardInterrupt, SystemExit)):
                # the consumer (a bulk loader) wrapped the signal's exception in its own error
                if stop.received[0] == signal.SIGINT:
                    raise KeyboardInterrupt from None
                raise SystemExit(128 + stop.received[0]) from None
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return result


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop the pool's workers now (SIGTERM) and reap them."""
    stop = getattr(pool, "terminate_workers", None)  # Python 3.14
    if stop is not None:
        stop()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())  # CPython's record
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()


def _results(
    pool: ProcessPoolExecutor,
    config: Config,
    todo: Iterator[list[str]],
    pending: deque[tuple[list[str], Future]],
    how: tuple[dict[str, str], bool],
    head: bytes,
    result: Streamed,
    bar: Progress,
    index: IndexRows | None,
) -> Iterator[bytes]:
    """The shared graphs, then each chunk in order, with as many chunks in flight as given;
    once the last is handed over, the index (if any) starts building."""
    yield head
    while pending:
        aids, future = pending.popleft()
        data, parts, rows = future.result()  # a worker's DataError stops the build here
        result.parts.update(parts)
        if index is not None:
            index.add(rows)
        bar.advance(len(aids))
        bar.note(aids[-1])
        nxt = next(todo, None)
        if nxt is not None:
            pending.append((nxt, pool.submit(_chunk, config, nxt, *how, index is not None)))
        yield data
    # What is left (minutes for millions of quads) moves the bar no more: say what it is.
    bar.note("all compiled; writing the store", now=True)
    if index is not None:
        index.start()
