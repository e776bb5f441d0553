"""A remote SPARQL 1.1 store: queries and updates by the SPARQL Protocol, loads by the Graph Store.

Meant for Oxigraph server, Apache Jena Fuseki, Virtuoso, QLever and GraphDB (README, "Pointing it
at another store"). Results come back as the embedded store's kinds: pyoxigraph `QuerySolutions`
and `QueryBoolean`, parsed while the response streams in (kg.responses); CONSTRUCT/DESCRIBE give
`RemoteTriples`, an iterator of `Triple` with the `serialize(output, format)` of `QueryTriples`.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pyoxigraph as ox
import requests

from kg.bindings import bind_values, query_form
from kg.config import Config
from kg.errors import QueryError, QueryTimeout, StoreError
from kg.responses import ANY_ACCEPT, QUERY_ACCEPT, RemoteTriples, parse_response
from kg.store import Store

EMPTY_GRAPH = "urn:x-geoclaims:no-such-graph"  # names an empty dataset in the protocol
WRITE_TIMEOUT = 600.0  # seconds an update or a graph PUT may take, at least
VERSION_TTL = 1.0  # seconds a derived version token is reused, at least
VERSION_COST = 20.0  # ... and this many times as long as it took to derive
VERSION_QUERY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
_ERROR_CHARS = 4000  # enough for a parser message with its position


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
    ) -> None:
        """URLs left as None follow Oxigraph server's layout; a `gsp_url` of "" means no GSP."""
        self.query_url = query_url
        self.update_url = update_url or _sibling(query_url, "update") or query_url
        self.gsp_url = _sibling(query_url, "store") if gsp_url is None else gsp_url
        self.timeout = timeout or None  # 0 means no limit
        # Loading a big graph takes the store longer than a query may: writes get more time.
        self.write_timeout = max(10 * timeout, WRITE_TIMEOUT) if timeout else None
        self._local = threading.local()  # one keep-alive Session per thread (not thread-safe)
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self._writes = uuid.uuid4().hex
        self._version: tuple[float, str] | None = None  # (expiry, token)
        self._refreshing = False

    @classmethod
    def from_config(cls, config: Config) -> RemoteStore:
        """The remote store the settings name."""
        return cls(
            config.store_url,
            config.store_update_url or None,
            config.store_gsp_url or None,
            timeout=config.query_timeout,
        )

    @property
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            # Keep-alive matters: a new connection per query costs the store more than a query.
            session = self._local.session = requests.Session()
            session.headers["User-Agent"] = "geoclaims"
            with self._lock:
                self._sessions.append(session)
        return session

    def _request(
        self, method: str, url: str, *, write: bool = True, **kwargs: Any
    ) -> requests.Response:
        """Send one request; connection trouble, 4xx and 5xx become our errors."""
        timeout = self.write_timeout if write else self.timeout
        try:
            response = self._session.request(method, url, timeout=timeout, **kwargs)
        except requests.Timeout as err:
            raise QueryTimeout(f"the remote store did not answer within {timeout} s") from err
        except requests.RequestException as err:
            raise StoreError(f"cannot reach the remote store at {url}: {err}") from err
        missing = response.status_code == 404 and method in ("DELETE", "GET")
        if response.status_code >= 400 and not missing:
            text = response.text.strip()[:_ERROR_CHARS]
            response.close()
            if response.status_code == 400:
                raise QueryError(text or f"the remote store rejected the request ({url})")
            raise StoreError(f"the remote store answered {response.status_code}: {text}")
        return response

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
        data: list[tuple[str, str]] = [("query", sparql)]
        if default_graph is not None or named_graphs is not None:
            default, named = self._dataset(default_graph, named_graphs, union)
            data += [("default-graph-uri", g) for g in default]
            data += [("named-graph-uri", g) for g in named]
        elif union:
            data.append(("union-default-graph", ""))  # Oxigraph server; other stores ignore it
        headers = {"Accept": QUERY_ACCEPT.get(form or "", ANY_ACCEPT)}
        response = self._request(
            "POST", self.query_url, write=False, data=data, headers=headers, stream=True
        )
        return parse_response(response)

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
        headers = {"Content-Type": "application/sparql-update; charset=utf-8"}
        self._request("POST", self.update_url, data=sparql.encode("utf-8"), headers=headers)
        self._bump()

    def replace_graphs(self, drop: Iterable[str], quads: Iterable[ox.Quad]) -> None:
        """PUT each graph, then DELETE the dropped graphs not put again.

        Atomic per graph only: each PUT replaces one graph in one transaction (Oxigraph, Fuseki,
        GraphDB), so readers never see half a graph, but may see some graphs new and others old
        while it runs; if it fails part-way, running it again finishes the job. Without a Graph
        Store URL, each graph is replaced by one `DROP SILENT GRAPH` + `INSERT DATA` update.
        """
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in quads:
            if isinstance(quad.graph_name, ox.DefaultGraph):
                raise StoreError("refusing to write to the default graph")
            by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
        dropped = sorted({_iri(g)[1:-1] for g in drop} - set(by_graph))  # checked before writing
        try:
            for graph, triples in by_graph.items():
                body = ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES)
                if self.gsp_url:
                    headers = {"Content-Type": "application/n-triples"}
                    self._request(
                        "PUT", self.gsp_url, params={"graph": graph}, data=body, headers=headers
                    )
                else:
                    self._request(
                        "POST",
                        self.update_url,
                        data=_replace_update(graph, body),
                        headers={"Content-Type": "application/sparql-update; charset=utf-8"},
                    )
            for graph in dropped:
                if self.gsp_url:
                    self._request("DELETE", self.gsp_url, params={"graph": graph})
                else:
                    self._request(
                        "POST",
                        self.update_url,
                        data=f"DROP SILENT GRAPH <{graph}>".encode(),
                        headers={"Content-Type": "application/sparql-update; charset=utf-8"},
                    )
        finally:
            self._bump()

    def graph_exists(self, graph: str | None) -> bool:
        """Whether a named graph exists, by one cheap ASK (the default graph always does)."""
        if graph is None:
            return True
        return bool(self.query(f"ASK {{ GRAPH {_iri(graph)} {{ }} }}", union=False))

    def graph_triples(self, graph: str | None) -> Iterable[ox.Triple]:
        """The triples of one graph, streamed by a Graph Store GET where there is one."""
        if not self.gsp_url:
            return super().graph_triples(graph)
        params = {"default": ""} if graph is None else {"graph": _iri(graph)[1:-1]}
        headers = {"Accept": "application/n-triples, text/turtle;q=0.9"}
        response = self._request(
            "GET", self.gsp_url, write=False, params=params, headers=headers, stream=True
        )
        if response.status_code == 404:  # a missing graph is an empty one, as for SPARQL
            response.close()
            return iter(())
        result = parse_response(response)
        if not isinstance(result, RemoteTriples):
            raise StoreError("the Graph Store answered a GET with query results")
        return result

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad, streamed: the named graphs, then triples only in the default graph."""
        named = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
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
        """A hash of the triple count of each named graph, and of this client's own writes.

        Remote stores give no version token. This one changes at once on writes made through this
        object; writes by others that change a graph's size are seen when the counts are next
        read, at most every `VERSION_TTL` seconds, or `VERSION_COST` times as long as counting
        took (counting a big store is not free, so it takes at most ~5% of the store's time);
        threads asking meanwhile get the previous token rather than wait. A write by another
        client that keeps every graph's size goes unseen: set `cache_size` to 0 then.
        """
        with self._lock:
            cached, writes = self._version, self._writes
            if cached is not None and (time.monotonic() < cached[0] or self._refreshing):
                return cached[1]
            self._refreshing = True
        try:
            started = time.monotonic()
            digest = hashlib.sha256(writes.encode())
            for row in self.query(VERSION_QUERY, union=False):
                digest.update(f"{row['g']} {row['n']}\n".encode())
            cost = time.monotonic() - started
        finally:
            with self._lock:
                self._refreshing = False
        token = digest.hexdigest()[:32]
        with self._lock:
            if self._writes == writes:  # else a write landed meanwhile: count again next time
                expires = time.monotonic() + max(VERSION_TTL, VERSION_COST * cost)
                self._version = (expires, token)
        return token

    def _bump(self) -> None:
        with self._lock:
            self._writes = uuid.uuid4().hex
            self._version = None

    def close(self) -> None:
        """Close the HTTP connections of every thread."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()


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


def _replace_update(graph: str, ntriples: bytes) -> bytes:
    """One SPARQL update replacing a graph with these N-Triples (N-Triples lines are SPARQL)."""
    head = f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n".encode()
    return head + ntriples + b"\n} }"
