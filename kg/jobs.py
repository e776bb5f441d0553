"""What a query job is and how one runs: the same code in an executor process or in-line.

`execute(store, job, send)` runs a `Job` on a store, negotiates the format (only after running
does it know SELECT from CONSTRUCT), serializes with pyoxigraph's Rust serializers into 64 KiB
chunks and enforces the result cap while counting rows without a Python loop per row.
`InlineExecutor` runs jobs in the calling thread; `ExecutorStore` is a read-only `Store` whose
queries go through any executor (so pages share the endpoint's timeout-safe path).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
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


class _Writer:
    """A binary file for the serializers that counts rows and hands out full chunks."""

    def __init__(self, fmt: Format, limit: int, flush: Any) -> None:
        self.buffer = bytearray()
        self.limit = limit
        self.mark = None if fmt.is_graph else _ROW_MARK.get(fmt.name)
        self.rows = -1 if fmt.name == "csv" else 0  # the CSV header line ends with a separator
        self.tail = b""
        self.flush_out = flush
        self.error: KGError | None = None

    def write(self, data: bytes) -> int:
        if self.limit and self.mark:
            seen = self.tail + data
            self.rows += seen.count(self.mark)
            self.tail = seen[-(len(self.mark) - 1) :] if len(self.mark) > 1 else b""
            if self.rows > self.limit:
                self.error = ResultTooLarge(
                    f"the result has more than {self.limit} rows; add a LIMIT"
                )
                raise OSError(self.error.message)
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
    started = False

    def flush(data: bytes, last: bool) -> None:
        nonlocal started
        send(None if started else fmt.name, data, last)
        started = True

    out = _Writer(fmt, job.result_limit, flush)
    try:
        if results is None:
            store.dump(out, fmt.ox)
        elif graph and job.result_limit:
            ox.serialize(_capped(results, job.result_limit), out, fmt.ox)
        else:
            results.serialize(out, fmt.ox)
    except OSError as err:
        raise out.error or StoreError(str(err)) from err
    flush(bytes(out.buffer), True)


class InlineExecutor:
    """Runs queries in the calling thread (in-memory store; remote store with its own timeout)."""

    def __init__(self, config: Config, store: Any) -> None:
        self.store = store
        self.timeout = config.query_timeout

    def warm(self) -> None:
        """Nothing to start."""

    def run(self, job: Job, timeout: float | None = None) -> Result:
        out = BytesIO()
        chosen: list[str] = []

        def send(fmt_name: str | None, data: bytes, last: bool) -> None:
            if fmt_name is not None:
                chosen.append(fmt_name)
            out.write(data)

        execute(self.store, job, send)
        fmt = by_name(chosen[0], RESULTS + GRAPH)
        assert fmt is not None
        return Result(fmt, body=out.getvalue())

    def close(self) -> None:
        """Nothing to stop."""


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
