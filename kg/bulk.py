"""A full build of many articles with flat memory: compile and validate in chunks, load in bulk.

`kg build` compiles everything in memory before writing, which is right for a handful of
articles and grows with their number. From `STREAM_FROM` articles on, a full on-disk build
streams instead: worker processes compile the articles a chunk at a time (the shared graphs are
compiled once here), each chunk is validated on its own (spans, ids, graph typing, denials;
SHACL too unless `--no-shacl`) and serialized as N-Quads, and one Oxigraph bulk load reads the
chunks as they come. At most a few chunks are in flight, so memory does not grow with the
number of articles; the first invalid chunk stops the build before the new store is swapped in.
"""

from __future__ import annotations

import io
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context

import pyoxigraph as ox

from kg.config import Config
from kg.ingest.articles import article_ids
from kg.ingest.compile import Compiled, compile_sources
from kg.ingest.validate import validate
from kg.progress import Progress, progress
from kg.store import EmbeddedStore

STREAM_FROM = 200  # articles: from this many on, a full on-disk build streams
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


def _chunk(config: Config, aids: list[str], times: dict[str, str], shapes: bool):
    """Worker: compile and validate some articles; their graphs as N-Quads, and their sizes."""
    compiled = compile_sources(config, articles=aids, started=times.get)
    validate(compiled, shapes=shapes)
    graphs, parts = [], []
    for aid in aids:
        own = compiled.units[f"article/{aid}"]
        graphs += own
        parts.append(_part(f"article {aid}", compiled, own))
    return _nquads(compiled, graphs), parts


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
    return len(all_article_ids(config)) >= STREAM_FROM


def load(config: Config, store: EmbeddedStore, times: dict[str, str], shapes: bool) -> Streamed:
    """Compile, validate and bulk-load every source into `store` (a fresh on-disk store)."""
    result = Streamed()
    shared = compile_sources(config, articles=[], started=times.get)
    validate(shared, shapes=shapes)
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
        # spawned, not forked: the new store is open here, and a fork would copy its RocksDB state
        ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool,
    ):
        stream = _Chunks(_results(pool, config, chunks, times, shapes, workers, head, result, bar))
        store.bulk_load_stream(io.BufferedReader(stream, 1 << 20))
    return result


def _results(
    pool: ProcessPoolExecutor,
    config: Config,
    chunks: list[list[str]],
    times: dict[str, str],
    shapes: bool,
    workers: int,
    head: bytes,
    result: Streamed,
    bar: Progress,
) -> Iterator[bytes]:
    """The shared graphs, then each chunk in order, with at most 2 x workers chunks in flight."""
    yield head
    pending: deque[tuple[list[str], Future]] = deque()
    todo = iter(chunks)
    for aids in todo:
        pending.append((aids, pool.submit(_chunk, config, aids, times, shapes)))
        if len(pending) >= 2 * workers:
            break
    while pending:
        aids, future = pending.popleft()
        data, parts = future.result()  # a worker's DataError stops the build here
        result.parts.update(parts)
        bar.advance(len(aids))
        bar.note(aids[-1])
        nxt = next(todo, None)
        if nxt is not None:
            pending.append((nxt, pool.submit(_chunk, config, nxt, times, shapes)))
        yield data
