"""Loading many graphs into a remote store: in bulk, with progress, resumable after a failure.

`load(store, drop, quads, journal=...)` replaces each named graph that `quads` holds and then
removes the graphs of `drop` that it does not hold, as `Store.replace_graphs` does, but:
- in bulk: small graphs travel several to a request (one SPARQL update of `DROP SILENT GRAPH` +
  `INSERT DATA` per graph: one transaction), a big one alone by a Graph Store PUT, and a few
  requests are in flight at once (`WORKERS`);
- with progress (kg.progress: a bar on a terminal) counted in quads;
- resumable: a journal file lists each graph done with a digest of its content. A load that
  fails part-way says how far it got and what to rerun; the rerun skips every graph the journal
  holds with the same content, and the journal is removed once everything is done.
Each graph is replaced whole in one request, so readers see it old or new, never half; while a
load runs they may see some graphs new and others old (the store gives no transaction that spans
requests).

Quads are expected grouped by graph (the compiler and N-Quads dumps write them so); a graph that
comes back after others is added to, not replaced again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.config import Config
from kg.errors import KGError, StoreError
from kg.progress import progress

BATCH_BYTES = 4 << 20  # N-Triples bytes gathered into one update request, at most (about)
WORKERS = 4  # requests in flight at once
JOURNAL_HEAD = "# geoclaims load journal 1: "


def journal_path(config: Config) -> Path:
    """Where the journal of loads into the configured remote store lives."""
    name = hashlib.sha256(config.store_url.encode()).hexdigest()[:16]
    return Path(config.load_journal_dir) / f"load-{name}.journal"


@dataclass
class Journal:
    """The graphs a load has finished, kept on disk (one line each, appended as they finish)."""

    path: Path | None
    store_url: str
    done: dict[str, str] = field(default_factory=dict)  # graph -> digest ("" for a drop)

    @classmethod
    def open(cls, path: Path | None, store_url: str) -> Journal:
        journal = cls(path, store_url)
        if path is None or not path.exists():
            return journal
        lines = path.read_text(encoding="utf-8").splitlines()
        if not lines or lines[0] != JOURNAL_HEAD + store_url:
            return journal  # another store's, or damaged: start afresh
        for line in lines[1:]:
            graph, _, digest = line.partition("\t")
            if graph:
                journal.done[graph] = digest
        return journal

    def has(self, graph: str, digest: str) -> bool:
        return self.done.get(graph) == digest

    def record(self, entries: list[tuple[str, str]]) -> None:
        for graph, digest in entries:
            self.done[graph] = digest
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        with self.path.open("a", encoding="utf-8") as out:
            if new:
                out.write(JOURNAL_HEAD + self.store_url + "\n")
            out.writelines(f"{graph}\t{digest}\n" for graph, digest in entries)
            out.flush()

    def finish(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


@dataclass
class LoadReport:
    """What a load did."""

    graphs: int = 0  # graphs written
    skipped: int = 0  # graphs the journal showed done
    dropped: int = 0
    quads: int = 0
    requests: int = 0


def _by_graph(quads: Iterable[ox.Quad]) -> Iterator[tuple[str, bytes, int]]:
    """(graph IRI, its triples as N-Triples, how many) for each run of quads of one graph."""
    graph: str | None = None
    triples: list[ox.Triple] = []
    for quad in quads:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            raise StoreError("refusing to write to the default graph")
        name = quad.graph_name.value
        if name != graph:
            if graph is not None:
                yield graph, ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES), len(triples)
            graph, triples = name, []
        triples.append(quad.triple)
    if graph is not None:
        yield graph, ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES), len(triples)


def load(
    store: Any,
    drop: Iterable[str],
    quads: Iterable[ox.Quad],
    *,
    journal: Path | None = None,
    total: int | None = None,
    description: str = "loading",
    workers: int = WORKERS,
) -> LoadReport:
    """Replace the graphs `quads` holds, then remove the `drop` graphs it does not hold.

    Up to `workers` requests run at once (each graph's requests in order: a batch that adds to
    a graph sent before waits for everything in flight).
    """
    from kg.remote import _iri

    dropping = sorted({_iri(g)[1:-1] for g in drop})  # every name checked before writing
    record = Journal.open(journal, store.query_url)
    report = LoadReport()
    seen: set[str] = set()
    batch: list[tuple[str, bytes, int, str, bool]] = []  # graph, body, triples, digest, add
    batch_bytes = 0
    # Virtuoso turns an update into SQL and runs out of parser memory on long ones: there every
    # graph goes by itself, by the Graph Store (~6x faster there than updates, measured).
    alone = "virtuoso" in store.engine
    pool = ThreadPoolExecutor(max(workers, 1), thread_name_prefix="kg-load")
    flying: dict[Future[None], list[tuple[str, str]]] = {}
    failures: list[KGError] = []

    def write(batch: list[tuple[str, bytes, int, str, bool]]) -> None:
        if len(batch) == 1 and store.gsp_url and not batch[0][4]:
            graph, body, _, _, _ = batch[0]
            store.put_triples(graph, body)
        else:
            store.update_bytes(b" ;\n".join(_replace(g, body, add) for g, body, _, _, add in batch))

    def settle(done: Iterable[Future[None]]) -> None:
        for future in done:
            entries = flying.pop(future)
            error = future.exception()
            if error is None:
                record.record(entries)
                report.graphs += len(entries)
            elif isinstance(error, KGError):
                failures.append(error)
            else:
                failures.append(StoreError(f"the load failed: {error}"))

    def send(state: Any) -> None:
        nonlocal batch, batch_bytes
        if not batch:
            return
        if any(add for *_, add in batch) or len(flying) >= 2 * max(workers, 1):
            settle(wait(flying, return_when=ALL_COMPLETED if batch[0][4] else FIRST_COMPLETED)[0])
        if failures:
            raise failures[0]
        future = pool.submit(write, batch)
        flying[future] = [(g, digest) for g, _, _, digest, _ in batch]
        report.requests += 1
        state.note(batch[-1][0])
        batch, batch_bytes = [], 0

    with progress(description, total=total, unit="quad") as state:
        try:
            try:
                for graph, body, count in _by_graph(quads):
                    digest = hashlib.sha256(body).hexdigest()[:32]
                    add = graph in seen
                    seen.add(graph)
                    report.quads += count
                    if not add and record.has(graph, digest):
                        report.skipped += 1
                        state.advance(count)
                        continue
                    if batch and (alone or add or batch_bytes + len(body) > BATCH_BYTES):
                        send(state)
                    batch.append((graph, body, count, digest, add))
                    batch_bytes += len(body)
                    state.advance(count)
                send(state)
            finally:
                settle(wait(flying)[0])  # let what is in flight finish, and journal it
                pool.shutdown()
            if failures:
                raise failures[0]
            gone = [g for g in dropping if g not in seen and not record.has(g, "")]
            for graph in gone:
                store.drop_graph(graph)
                record.record([(graph, "")])
                report.dropped += 1
        except KGError as err:
            raise _half_done(err, report, record, journal, store.query_url) from err
    record.finish()
    return report


def _replace(graph: str, ntriples: bytes, add: bool) -> bytes:
    head = b"" if add else f"DROP SILENT GRAPH <{graph}> ;\n".encode()
    return head + f"INSERT DATA {{ GRAPH <{graph}> {{\n".encode() + ntriples + b"\n} }"


def _half_done(
    err: KGError, report: LoadReport, record: Journal, journal: Path | None, url: str
) -> KGError:
    """The error of a load that stopped part-way: what is done, what to rerun."""
    done = report.graphs + report.skipped
    if journal is not None:
        rerun = (
            f"run the same command again to finish: it skips the {len(record.done)} graphs "
            f"the journal {journal} lists as done"
        )
    else:
        rerun = "run it again to finish (without a journal every graph is written again)"
    message = (
        f"the load into {url} stopped after {done} graphs ({report.dropped} removed); each of "
        f"those is complete, the graphs after them are as they were; {rerun}. "
        f"Cause: {err.message}"
    )
    try:
        return type(err)(message)
    except TypeError:  # an error class that takes more than a message
        return StoreError(message)
