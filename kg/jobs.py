"""What a query job is and how one runs: the same code in an executor process or in-line.

`execute(store, job, send)` runs a `Job` on a store, negotiates the format (only after running
does it know SELECT from CONSTRUCT), serializes with pyoxigraph's Rust serializers into 64 KiB
chunks and enforces the result cap while counting rows without a Python loop per row.
`InlineExecutor` runs jobs in the calling thread; `ExecutorStore` is a read-only `Store` whose
queries go through any executor (so pages share the endpoint's timeout-safe path).

A store with a `forward(job)` method (`kg.remote.RemoteStore`) answers a query job itself: it
passes the remote store's bytes through when they are in the negotiated format, as pieces the
transfer yields while they are read; `InlineExecutor` streams them to its caller.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import pyoxigraph as ox

from kg.config import Config
from kg.errors import KGError, ResultTooLarge, StoreError
from kg.formats import DATASET, GRAPH, RESULTS, Format, by_name, choose
from kg.guard import Limits, check_query
from kg.store import Store, read_version

CHUNK = 64 * 1024
# Row separators of the result formats, for counting rows without a Python loop per row.
_ROW_MARK = {"json": b'},{"', "xml": b"<result>", "csv": b"\r\n", "tsv": b"\n"}


@dataclass
class Job:
    """One query and how its answer is wanted."""

    sparql: str
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    union: bool = True
    accept: str | None = None
    formats: Sequence[str] = ()
    substitutions: Mapping[str, Any] | None = None
    result_limit: int = 0
    dump: bool = False  # the whole dataset (TriG or N-Quads) instead of a query's answer
    base_iri: str | None = None  # resolves relative IRIs (the endpoint: the request's URL)
    limits: Limits | None = None  # kg.guard's settings (None: the defaults, the strictest)


@dataclass
class Result:
    """A negotiated answer: its format and its body, whole (`body`) or as a stream (`chunks`)."""

    format: Format
    body: bytes | None = None
    chunks: Iterator[bytes] = field(default_factory=lambda: iter(()))

    def __iter__(self) -> Iterator[bytes]:
        if self.body is not None:
            yield self.body
        else:
            yield from self.chunks

    def read(self) -> bytes:
        return b"".join(self)


# The same, tolerant of the white space other engines put between rows (for answers passed
# through from a remote store); a separator inside a literal can only make the count higher.
_ROW_PATTERN = {
    "json": re.compile(rb"\}\s*,\s*\{"),
    "xml": re.compile(rb"<result[\s>]"),
    "csv": re.compile(rb"\n"),
    "tsv": re.compile(rb"\n"),
    "nt": re.compile(rb"\n"),
    "nq": re.compile(rb"\n"),
}
_TAIL = 64  # bytes of the previous chunk kept so a separator split between chunks is counted


class _Writer:
    """A binary file for the serializers that counts rows and hands out full chunks.

    `foreign`: the bytes come from another serializer (a remote store's): count rows with the
    white-space tolerant patterns.
    """

    def __init__(self, fmt: Format, limit: int, flush: Any, *, foreign: bool = False) -> None:
        self.buffer = bytearray()
        self.limit = limit
        self.pattern = _ROW_PATTERN.get(fmt.name) if foreign else None
        self.mark = None if fmt.is_graph or foreign else _ROW_MARK.get(fmt.name)
        self.rows = -1 if fmt.name == "csv" else 0  # the CSV header line ends with a separator
        self.tail = b""
        self.flush_out = flush
        self.error: KGError | None = None

    def _count(self, data: bytes) -> None:
        if self.pattern is not None:
            seen = self.tail + data
            start = len(self.tail)
            self.rows += sum(1 for m in self.pattern.finditer(seen) if m.end() > start)
            self.tail = seen[-_TAIL:]
        elif self.mark:
            seen = self.tail + data
            self.rows += seen.count(self.mark)
            self.tail = seen[-(len(self.mark) - 1) :] if len(self.mark) > 1 else b""
        if self.rows > self.limit:
            self.error = ResultTooLarge(f"the result has more than {self.limit} rows; add a LIMIT")
            raise OSError(self.error.message)

    def write(self, data: bytes) -> int:
        if self.limit:
            self._count(data)
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self.flush_out(bytes(self.buffer), False)
            self.buffer.clear()
        return len(data)

    def flush(self) -> None:
        """Serializers call this; chunks leave only when full, to keep messages few."""


def _capped(triples: Any, limit: int) -> Iterator[ox.Triple]:
    for n, triple in enumerate(triples, 1):
        if n > limit:
            raise ResultTooLarge(f"the result has more than {limit} triples; add a LIMIT")
        yield triple


def execute(store: Any, job: Job, send: Any) -> None:
    """Run a job on a store, calling `send(header, data, last)` with the serialized answer.

    The query is checked first (kg.guard: nesting, chains, SERVICE), whoever runs it."""
    if job.dump:
        results, graph, fmt = None, True, choose(job.accept, job.formats, DATASET)
    else:
        check_query(job.sparql, job.limits or Limits(), job.base_iri)
        forward = getattr(store, "forward", None)
        if forward is not None:  # a remote store: its own answer, passed through where it can be
            for piece in forward(job):
                send(*piece)
            return
        extra = {"base_iri": job.base_iri} if job.base_iri else {}
        results = store.query(
            job.sparql,
            default_graph=job.default_graph,
            named_graphs=job.named_graphs,
            union=job.union,
            substitutions=job.substitutions,
            **extra,
        )
        graph = not isinstance(results, ox.QuerySolutions | ox.QueryBoolean)
        fmt = choose(job.accept, job.formats, GRAPH if graph else RESULTS)
    out = writer(fmt, job.result_limit, send)
    try:
        if results is None:
            store.dump(out, fmt.ox)
        else:
            serialize(results, fmt, job.result_limit, out)
    except OSError as err:
        raise out.error or StoreError(str(err)) from err
    out.flush_out(bytes(out.buffer), True)


def writer(fmt: Format, limit: int, send: Any, *, foreign: bool = False) -> _Writer:
    """The file object `execute` serializes into: counts rows, sends 64 KiB chunks to `send`.

    The caller ends the answer with `out.flush_out(bytes(out.buffer), True)`.
    """
    started = False

    def flush(data: bytes, last: bool) -> None:
        nonlocal started
        send(None if started else fmt.name, data, last)
        started = True

    return _Writer(fmt, limit, flush, foreign=foreign)


def serialize(results: Any, fmt: Format, limit: int, out: Any) -> None:
    """Write query results (pyoxigraph's, or an iterable of triples) in `fmt`, capped."""
    if isinstance(results, ox.QuerySolutions | ox.QueryBoolean):
        results.serialize(out, fmt.ox)
    elif limit:
        ox.serialize(_capped(results, limit), out, fmt.ox)
    elif hasattr(results, "serialize"):
        results.serialize(out, fmt.ox)
    else:
        ox.serialize(results, out, fmt.ox)


class InlineExecutor:
    """Runs queries in the calling thread: an in-memory store's, or a remote store's (streamed:
    its answer is read from the store as the caller reads it, so a big one never sits whole in
    memory; the remote store enforces the timeout itself, its HTTP client stops at it)."""

    def __init__(self, config: Config, store: Any) -> None:
        self.store = store
        self.timeout = config.query_timeout

    def warm(self) -> None:
        """Nothing to start."""

    def run(self, job: Job, timeout: float | None = None) -> Result:
        forward = getattr(self.store, "forward", None)
        if forward is not None and not job.dump:
            check_query(job.sparql, job.limits or Limits(), job.base_iri)
            return _streamed(forward(job))
        out = BytesIO()
        chosen: list[str] = []

        def send(fmt_name: str | None, data: bytes, last: bool) -> None:
            if fmt_name is not None:
                chosen.append(fmt_name)
            out.write(data)

        execute(self.store, job, send)
        return Result(_format(chosen[0]), body=out.getvalue())

    def close(self) -> None:
        """Nothing to stop."""


def _format(name: str | None) -> Format:
    fmt = by_name(name or "", RESULTS + GRAPH)
    assert fmt is not None
    return fmt


def _streamed(pieces: Generator[tuple[str | None, bytes, bool], None, None]) -> Result:
    """The answer a remote store's `forward` gives, read as it comes.

    The first piece is read here, so an error before the answer begins (the store down, an
    error page, the cap on a small answer) is raised here; an answer in one piece (most are)
    comes back whole. Later errors raise while the chunks are read; closing them stops the
    transfer."""
    try:
        name, data, last = next(pieces)
    except StopIteration:
        raise StoreError("the remote store's answer was empty") from None
    if last:
        pieces.close()
        return Result(_format(name), body=data)

    def chunks() -> Iterator[bytes]:
        try:
            yield data
            for _, more, _ in pieces:
                yield more
        finally:
            pieces.close()

    return Result(_format(name), chunks=chunks())


class ExecutorStore(Store):
    """A read-only `Store` whose queries run through an executor (for pages and named queries)."""

    def __init__(self, executor: Any, data_dir: str, limits: Limits | None = None) -> None:
        self.executor = executor
        self.data_dir = data_dir
        self.limits = limits

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        union: bool = True,
        substitutions: Mapping[str, Any] | None = None,
        base_iri: str | None = None,
    ) -> Any:
        # "srj" names SPARQL JSON only; a CONSTRUCT falls through to N-Triples.
        job = Job(sparql, default_graph, named_graphs, union, None, ["srj", "nt"], substitutions)
        job.base_iri, job.limits = base_iri, self.limits
        result = self.executor.run(job)
        if result.format.is_graph:
            return [q.triple for q in ox.parse(result.read(), result.format.ox)]
        return ox.parse_query_results(result.read(), result.format.ox)

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        raise StoreError("this store is read-only: write through kg.lock.writer")

    def replace_graphs(self, drop: Any, quads: Any) -> None:
        raise StoreError("this store is read-only: write through kg.lock.writer")

    def dump(self, output: Any, fmt: ox.RdfFormat) -> None:
        raise StoreError("dump the store with kg export, not through the web executor")

    @property
    def version(self) -> str:
        return read_version(self.data_dir)
