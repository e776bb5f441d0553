"""A remote SPARQL 1.1 store: queries and updates by the SPARQL Protocol, loads by the Graph Store.

Meant for Oxigraph server, Apache Jena Fuseki, Virtuoso, QLever and GraphDB (README, "Pointing it
at another store"); tested on Oxigraph server and Virtuoso. Two ways to ask:
- `forward(job)`, the endpoint's way (kg.jobs runs it): the store is asked for the format the
  client negotiated and its bytes go through unchanged as they arrive (an iterator of pieces, the
  transfer moving as they are read), rows counted for the result cap and the ending checked;
  another format is converted.
- `query(...)`, the library's way: results come back as the embedded store's kinds, pyoxigraph
  `QuerySolutions` and `QueryBoolean` (kg.responses); CONSTRUCT/DESCRIBE give `RemoteTriples`,
  an iterator of `Triple` with the `serialize(output, format)` of `QueryTriples`.
HTTP goes through kg.client (libcurl). `version` bounds how long caches keyed by it may hide
another client's write (`stale_seconds`). Loads go through kg.loading.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Generator, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

import pyoxigraph as ox

from kg.bindings import bind_values, query_form
from kg.client import Response, StoreClient, Upload
from kg.config import Config
from kg.errors import (
    KGError,
    QueryError,
    StoreError,
    StoreTimeout,
    StoreUnavailable,
)
from kg.formats import GRAPH, RESULTS, Format, by_name, choose
from kg.responses import ANY_ACCEPT, QUERY_ACCEPT, RemoteTriples, media_type, parse_response
from kg.store import Store

EMPTY_GRAPH = "urn:x-geoclaims:no-such-graph"  # names an empty dataset in the protocol
WRITE_TIMEOUT = 600.0  # seconds an update or a graph PUT may take, at least
PREFETCH = 1 << 20  # bytes of an answer read whole before parsing (checked to be complete)
_ERROR_CHARS = 4000  # enough for a parser message with its position
DEADLOCK_RETRIES = 4  # times a write the store aborted as deadlocked is sent again
_PIECE = 64 * 1024  # bytes read from the store at a time when passing its answer through
Piece = tuple[str | None, bytes, bool]  # (format name on the first, data, last): kg.jobs's send
# Graphs a store keeps for itself (Virtuoso: its schema, LDP and URIQA graphs, in every database):
# left out of `named_graphs` and of dumps.
ENGINE_GRAPHS = frozenset(
    {
        "http://www.openlinksw.com/schemas/virtrdf#",
        "http://www.w3.org/ns/ldp#",
        "http://localuriqaserver/sparql",
    }
)
# Formats an engine labels as ours but writes differently: asked for in another and converted.
# Virtuoso's TSV quotes variable names and terms as CSV does (SPARQL TSV: `?s`, `<iri>`).
NOT_AS_SPECIFIED = {"virtuoso": frozenset({"tsv"})}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
UPDATE = {"Content-Type": "application/sparql-update; charset=utf-8"}
# How a complete answer ends, by format (after trailing white space): a cheap check that an
# answer passed through unparsed was not cut short by a store that closed the connection early.
_ENDS = {
    "json": (b"}",),
    "xml": (b"</sparql>",),
    "rdfxml": (b">",),
    "jsonld": (b"}", b"]"),
    "turtle": (b".", b"}"),
    "trig": (b".", b"}"),
}
_STARTS = {"json": b"{", "xml": b"<", "rdfxml": b"<", "jsonld": b"[{"}


def with_base(sparql: str, base_iri: str | None) -> str:
    """The text with a BASE declaration in front (the protocol has no base parameter); on the
    same line, so that the store's error positions keep their line numbers."""
    return f"BASE <{base_iri}> {sparql}" if base_iri else sparql


class RemoteStore(Store):
    """A SPARQL 1.1 store reached over HTTP (query, update and Graph Store Protocol URLs)."""

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        gsp_url: str | None = None,
        *,
        timeout: float = 30.0,
        user: str = "",
        password: str = "",
        stale_seconds: float = 1.0,
    ) -> None:
        """URLs left as None follow Oxigraph server's layout; a `gsp_url` of "" means no GSP."""
        self.query_url = query_url
        self.update_url = update_url or _sibling(query_url, "update") or query_url
        self.gsp_url = _sibling(query_url, "store") if gsp_url is None else gsp_url
        self.timeout = timeout or None  # 0 means no limit
        # Loading a big graph takes the store longer than a query may: writes get more time.
        self.write_timeout = max(10 * timeout, WRITE_TIMEOUT) if timeout else None
        self.stale_seconds = stale_seconds
        self.client = StoreClient(user, password)
        self._lock = threading.Lock()
        self._written: tuple[int, str] | None = None  # (period, token) of this object's last write
        self._engine: str | None = None

    @classmethod
    def from_config(cls, config: Config) -> RemoteStore:
        """The remote store the settings name."""
        return cls(
            config.store_url,
            config.store_update_url or None,
            config.store_gsp_url or None,
            timeout=config.query_timeout,
            user=config.store_user,
            password=config.store_password,
            stale_seconds=config.store_stale_seconds,
        )

    def _request(
        self,
        method: str,
        url: str,
        *,
        write: bool = True,
        params: Any = None,
        body: bytes | Upload | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Send one request; return the response once its headers are in (2xx, or 404 on GET).

        The store's error statuses become our errors: 400 a QueryError with its message, 503 and
        504 passed on (StoreUnavailable, StoreTimeout), anything else a StoreError (502).
        """
        timeout = self.write_timeout if write else self.timeout
        for attempt in range(DEADLOCK_RETRIES + 1):
            response = self.client.open(
                method, url, params=params, body=body, headers=headers, timeout=timeout
            )
            status = response.status
            if status < 400 or (status == 404 and method in ("DELETE", "GET")):
                return response
            text = response.text(_ERROR_CHARS)
            response.close()
            if not (write and status >= 500 and _aborted(text)) or attempt == DEADLOCK_RETRIES:
                break
            # The store rolled the transaction back (two writes deadlocked): send it again.
            time.sleep(0.05 * 2**attempt * (1 + random.random()))
        raise _status_error(status, text, url, write)

    def _dataset_form(
        self,
        sparql: str,
        default_graph: list[str] | None,
        named_graphs: list[str] | None,
        union: bool,
    ) -> bytes:
        """The form a query is POSTed as, with its dataset."""
        data: list[tuple[str, str]] = [("query", sparql)]
        if default_graph is not None or named_graphs is not None:
            default, named = self._dataset(default_graph, named_graphs, union)
            data += [("default-graph-uri", g) for g in default]
            data += [("named-graph-uri", g) for g in named]
        elif union:
            data.append(("union-default-graph", ""))  # Oxigraph server; other stores ignore it
        return urlencode(data).encode()

    def _send_query(
        self,
        sparql: str,
        accept: str,
        default_graph: list[str] | None,
        named_graphs: list[str] | None,
        union: bool,
    ) -> Response:
        """POST a query (form-encoded, as every store takes it); the response, headers read."""
        body = self._dataset_form(sparql, default_graph, named_graphs, union)
        headers = {"Accept": accept, **FORM}
        return self._request("POST", self.query_url, write=False, body=body, headers=headers)

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
        """Run a query on the remote store; see `Store.query` (union: Oxigraph's parameter)."""
        sparql = with_base(sparql, base_iri)
        form = query_form(sparql)
        if substitutions:
            sparql = bind_values(sparql, substitutions)
        accept = QUERY_ACCEPT.get(form or "", ANY_ACCEPT)
        response = self._send_query(sparql, accept, default_graph, named_graphs, union)
        # Most answers are small: read them whole first, so one cut short is a clear StoreError
        # here rather than a parser's error half-way through the rows; big ones stream.
        body = response.prefetch(PREFETCH)
        fmt = by_name(media_type(response), RESULTS + GRAPH) if response.done else None
        if fmt is not None and not _complete(fmt, body[:16], body[-16:]):
            raise StoreError(
                f"the remote store's answer is not complete {fmt.media_type} "
                f"(it ends {body[-16:]!r})"
            )
        return parse_response(response)

    def forward(self, job: Any) -> Generator[Piece, None, None]:
        """Answer a query job (kg.jobs) with the store's own bytes where it can, as they come.

        The format is negotiated first (the query form tells the family), the store is asked
        for exactly it, and when it answers in it the body goes through unparsed, in chunks of
        up to 64 KiB (what `kg.jobs.execute` hands its `send`: format name on the first, `last`
        on the final one), its rows counted for the result cap and its ending checked. A store
        that answers in another format (or a capped graph in a format whose triples cannot be
        counted unparsed) gets its answer parsed and serialized again. The transfer runs while
        the pieces are read, in the reader's thread; closing the iterator early stops it.
        """
        from kg.jobs import writer

        form = query_form(job.sparql)
        family = GRAPH if form in ("CONSTRUCT", "DESCRIBE") else RESULTS
        fmt = choose(job.accept, job.formats, family)
        sparql = bind_values(job.sparql, job.substitutions) if job.substitutions else job.sparql
        sparql = with_base(sparql, job.base_iri)
        countable = not job.result_limit or not fmt.is_graph or fmt.name in ("nt", "nq")
        if countable and any(
            fmt.name in names and name in self.engine for name, names in NOT_AS_SPECIFIED.items()
        ):
            countable = False  # ask for the default format of the family and convert
        fallback = QUERY_ACCEPT.get(form or "", ANY_ACCEPT)
        if countable:
            others = ", ".join(m.split(";")[0].strip() + ";q=0.5" for m in fallback.split(","))
            accept = f"{fmt.media_type}, {others}"
        else:
            accept = fallback
        body = self._dataset_form(sparql, job.default_graph, job.named_graphs, job.union)
        ready: list[Piece] = []

        def send(name: str | None, data: bytes, last: bool) -> None:
            ready.append((name, data, last))

        headers = {"Accept": accept, **FORM}
        with self.client.open(
            "POST", self.query_url, body=body, headers=headers, timeout=self.timeout
        ) as response:
            if response.status >= 400:
                text = response.text(_ERROR_CHARS)
                raise _status_error(response.status, text, self.query_url, False)
            if not (countable and _same_format(media_type(response), fmt)):
                self._convert(response.read(), media_type(response), fmt, job.result_limit, send)
                yield from ready
                return
            out = writer(fmt, job.result_limit, send, foreign=True)
            head = tail = b""  # the first and the last bytes passed through
            try:
                while data := response.read(_PIECE):
                    if len(head) < 16:
                        head += data[:16]
                    tail = (tail + data)[-16:]
                    out.write(data)
                    if ready:
                        yield from ready
                        ready.clear()
            except OSError as err:  # the result cap, from the writer
                raise out.error or StoreError(str(err)) from err
            if not _complete(fmt, head, tail):
                raise StoreError(
                    f"the remote store's answer is not complete {fmt.media_type} "
                    f"(it starts {head!r} and ends {tail!r})"
                )
            out.flush_out(bytes(out.buffer), True)
            yield from ready

    @staticmethod
    def _convert(body: bytes, media: str, fmt: Format, limit: int, send: Any) -> None:
        """Parse a whole answer in the store's format and serialize it in the one asked for."""
        from kg.jobs import serialize, writer

        found = by_name(media, RESULTS + GRAPH)
        if found is None:
            raise StoreError(f"the remote store answered in an unexpected format {media!r}")
        if not _complete(found, body[:16], body[-16:]):
            raise StoreError(
                f"the remote store's answer is not complete {found.media_type} "
                f"(it ends {body[-16:]!r})"
            )
        out = writer(fmt, limit, send)
        try:
            if found.is_graph:
                results: Any = (q.triple for q in ox.parse(body, found.ox))
            else:
                results = ox.parse_query_results(body, found.ox)
            serialize(results, fmt, limit, out)
        except OSError as err:
            raise out.error or StoreError(f"bad results from the remote store: {err}") from err
        except (SyntaxError, ValueError) as err:
            raise StoreError(f"bad results from the remote store: {err}") from err
        out.flush_out(bytes(out.buffer), True)

    def _dataset(
        self, default_graph: list[str] | None, named_graphs: list[str] | None, union: bool
    ) -> tuple[list[str], list[str]]:
        """The protocol's dataset for the embedded store's meaning of these arguments.

        The embedded store keeps an unspecified side as it is (all named graphs; the default
        graph, or the union if `union`), where the protocol makes it empty: so list every named
        graph there. The store's own default graph cannot be named in the protocol: it is left
        out (geoclaims keeps it empty). Both sides empty needs a graph that does not exist.
        """
        every = self.named_graphs() if default_graph is None or named_graphs is None else []
        default = list(default_graph) if default_graph is not None else (every if union else [])
        named = list(named_graphs) if named_graphs is not None else every
        if not default and not named:
            default = [EMPTY_GRAPH]
        return default, named

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Run a SPARQL update on the remote store, in one request (as atomic as the store is)."""
        sparql = with_base(sparql, base_iri)
        try:
            self._request("POST", self.update_url, body=sparql.encode("utf-8"), headers=UPDATE)
        finally:
            self._bump()

    def replace_graphs(self, drop: Iterable[str], quads: Iterable[ox.Quad]) -> None:
        """Replace each graph the quads hold, then remove the dropped graphs not put again.

        Atomic per graph only (`kg.loading`, which sends them in bulk): readers never see half
        a graph, but may see some graphs new and others old while it runs; if it fails
        part-way, running it again finishes the job (`kg build` keeps a journal for that).
        """
        from kg.loading import load

        load(self, drop, quads)

    def update_bytes(self, sparql: bytes) -> None:
        """Run a SPARQL update given as UTF-8 bytes (no copy of a big one into a str)."""
        try:
            self._request("POST", self.update_url, body=sparql, headers=UPDATE).close()
        finally:
            self._bump()

    def put_triples(self, graph: str, ntriples: bytes | Path | IO[bytes]) -> None:
        """Replace one named graph by these N-Triples (bytes, or a file or seekable stream sent
        as it is read, so memory stays flat whatever its size), in one request (one
        transaction)."""
        try:
            if self.gsp_url:
                headers = {"Content-Type": "application/n-triples"}
                body = ntriples if isinstance(ntriples, bytes) else Upload(ntriples)
                self._request(
                    "PUT", self.gsp_url, params={"graph": graph}, body=body, headers=headers
                ).close()
            else:
                update = _replace_update(graph, ntriples)
                self._request("POST", self.update_url, body=update, headers=UPDATE).close()
        finally:
            self._bump()

    def load_graph(self, graph: str, source: str | Path | IO[bytes]) -> None:
        """Replace a named graph by the N-Triples of a file (a path, or a binary stream), in one
        request (`put_triples`): the store keeps all of them or none."""
        self.put_triples(graph, Path(source) if isinstance(source, str) else source)

    def drop_graph(self, graph: str) -> None:
        """Remove one named graph if it is there."""
        try:
            if self.gsp_url:
                self._request("DELETE", self.gsp_url, params={"graph": graph}).close()
            else:
                body = f"DROP SILENT GRAPH {_iri(graph)}".encode()
                self._request("POST", self.update_url, body=body, headers=UPDATE).close()
        finally:
            self._bump()

    def graph_exists(self, graph: str | None) -> bool:
        """Whether a named graph exists, by one cheap ASK (the default graph always does)."""
        if graph is None:
            return True
        g = _iri(graph)
        # `GRAPH <g> { }` alone is false on Virtuoso for every graph: ask for a triple too.
        sparql = f"ASK {{ {{ GRAPH {g} {{ }} }} UNION {{ GRAPH {g} {{ ?s ?p ?o }} }} }}"
        return bool(self.query(sparql, union=False))

    def named_graphs(self) -> list[str]:
        """The named graphs, without the store's own system graphs (`ENGINE_GRAPHS`)."""
        graphs = super().named_graphs()
        if not graphs:  # Virtuoso matches no graph with `GRAPH ?g { }`: look at the triples
            # (GROUP BY: Virtuoso 7.2 takes seconds over DISTINCT ?g on a few thousand quads).
            sparql = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
            rows = self.query(sparql, union=False)
            graphs = sorted(r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode))
        return [g for g in graphs if g not in ENGINE_GRAPHS]

    @property
    def engine(self) -> str:
        """The store's software as its `Server` header names it, lower case ("" if it does not)."""
        if self._engine is None:
            response = self._send_query("ASK {}", QUERY_ACCEPT["ASK"], None, None, False)
            response.read()
            self._engine = response.headers.get("server", "").lower()
        return self._engine

    def graph_triples(self, graph: str | None) -> Iterable[ox.Triple]:
        """The triples of one graph, streamed by a Graph Store GET where there is one."""
        if not self.gsp_url:
            return super().graph_triples(graph)
        params = {"default": ""} if graph is None else {"graph": _iri(graph)[1:-1]}
        headers = {"Accept": "application/n-triples, text/turtle;q=0.9"}
        response = self._request("GET", self.gsp_url, write=False, params=params, headers=headers)
        if response.status == 404:  # a missing graph is an empty one, as for SPARQL
            response.close()
            return iter(())
        result = parse_response(response)
        if not isinstance(result, RemoteTriples):
            raise StoreError("the Graph Store answered a GET with query results")
        return result

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad, streamed: the named graphs, then triples only in the default graph."""
        hidden = ", ".join(f"<{g}>" for g in ENGINE_GRAPHS)
        named = (
            f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN ({hidden})) }}"
        )
        for row in self.query(named, union=False):
            yield ox.Quad(row["s"], row["p"], row["o"], row["g"])
        # Stores whose default graph is the union of all graphs give nothing here, as they should.
        default = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
        for row in self.query(default, union=False):
            yield ox.Quad(row["s"], row["p"], row["o"], ox.DefaultGraph())

    def dump(self, output: Any, fmt: ox.RdfFormat) -> None:
        """Write the remote dataset to a binary file object in a dataset format (N-Quads, TriG)."""
        if not fmt.supports_datasets:
            raise StoreError(f"dumping a dataset needs a dataset format, not {fmt.name}")
        ox.serialize(self.quads(), output, fmt)

    @property
    def version(self) -> str:
        """A token that changes every `stale_seconds` and on every write through this object.

        A remote store gives no version token and other clients (other `kg serve` fronts) write
        to it too, so a token cannot know of their writes. This one is the current period of
        `stale_seconds` on the wall clock, so whatever is keyed by it (the result cache, ETags)
        is renewed at each period's end: an answer cached by a front was computed after its
        period began, so another client's write is seen there at most `stale_seconds` after it
        completed. A write through this object changes the token at once, for the rest of its
        period. Fronts with the same clock and no write of their own in the period give the
        same token, so an ETag from one is good at the other (behind a proxy). 0 changes the
        token on every read: nothing is reused.
        """
        if self.stale_seconds <= 0:
            return uuid.uuid4().hex
        period = int(time.time() // self.stale_seconds)
        written = self._written
        if written is not None and written[0] == period:
            return f"{period}-{written[1]}"
        return str(period)

    def _bump(self) -> None:
        period = int(time.time() // self.stale_seconds) if self.stale_seconds > 0 else 0
        with self._lock:
            self._written = (period, uuid.uuid4().hex)

    def close(self) -> None:
        """Close the HTTP connections of every thread."""
        self.client.close()


def _aborted(text: str) -> bool:
    """Whether an error page says the store rolled the transaction back for a deadlock (SQL
    state 40001: Virtuoso's "SR172: Transaction deadlocked" when writes run at once)."""
    return "40001" in text or "deadlock" in text.lower()


def _status_error(status: int, text: str, url: str, write: bool) -> KGError:
    """Our error for a store's error status: 400 a QueryError with its message, 503 and 504
    passed on (StoreUnavailable, StoreTimeout), anything else a StoreError (502)."""
    if status == 400:
        return QueryError(text or f"the remote store rejected the request ({url})")
    if status in (401, 403):
        return StoreError(
            f"the remote store refused the request ({status}): set store_user and "
            f"store_password to an account that may {'write' if write else 'read'}: {text}"
        )
    if status == 503:
        return StoreUnavailable(f"the remote store is unavailable (503): {text}")
    if status == 504:
        return StoreTimeout(f"the remote store timed out (504): {text}")
    return StoreError(f"the remote store answered {status}: {text}")


def _same_format(media: str, fmt: Format) -> bool:
    return bool(media) and by_name(media, (fmt,)) is fmt


def _complete(fmt: Format, head: bytes, tail: bytes) -> bool:
    """Whether an answer passed through looks whole: how it starts, how it ends."""
    if fmt.name in ("nt", "nq", "csv", "tsv"):
        # Line formats: every line ends; an ASK's answer is one word (Oxigraph: no newline).
        return not tail or tail.endswith(b"\n") or tail.strip() in (b"true", b"false")
    head, tail = head.lstrip(), tail.rstrip()
    starts, ends = _STARTS.get(fmt.name), _ENDS.get(fmt.name)
    if starts and (not head or head[:1] not in starts):
        return False
    return not ends or tail.endswith(ends) or (fmt.name in ("turtle", "trig") and not tail)


def _iri(graph: str) -> str:
    """`<graph>`, or QueryError if it is not an absolute IRI (so it cannot break the query)."""
    try:
        return str(ox.NamedNode(graph))
    except ValueError as err:
        raise QueryError(f"not an absolute IRI: {graph!r} ({err})") from None


def _sibling(url: str, name: str) -> str:
    """Oxigraph server's layout: `.../query` beside `.../update` and `.../store`; else empty."""
    base, sep, rest = url.rstrip("/").rpartition("/query")
    return base + "/" + name if sep and not rest else ""


def _replace_update(graph: str, ntriples: bytes | Path | IO[bytes]) -> bytes | Upload:
    """One SPARQL update replacing a graph with these N-Triples (N-Triples lines are SPARQL)."""
    head = f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n".encode()
    if isinstance(ntriples, bytes):
        return head + ntriples + b"\n} }"
    return Upload(head, ntriples, b"\n} }")
