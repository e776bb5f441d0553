"""The store: the only module that imports pyoxigraph's Store.

`open_store(config)` gives an `EmbeddedStore` (pyoxigraph on disk, or in memory) or, when
`store_url` is set, a `RemoteStore` speaking SPARQL 1.1 Protocol and Graph Store Protocol.
`kg.lock.writer(config)` gives the store to write to: on disk, one process at a time, and no
reader meanwhile (`kg.lock`); readers reopen when `version` changes.

For implementers of `Store` (e.g. `kg.remote.RemoteStore`): `query` returns pyoxigraph objects
(`QuerySolutions`/`QueryBoolean`, e.g. from `ox.parse_query_results`, or for CONSTRUCT/DESCRIBE
`QueryTriples` or any iterable of `ox.Triple`); errors are `QueryError` (parser message kept) or
`StoreError`. The graph-level methods (`graph_exists`, `graph_triples`, `put_graph`, `post_graph`,
`delete_graph`, used by the Graph Store Protocol) have default implementations over `query` and
`update`; override them with native Graph Store Protocol calls where that is better. The graph
argument is an absolute IRI string, or None for the default graph.
"""

from __future__ import annotations

import os
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.config import Config
from kg.errors import NotFound, QueryError, StoreError

VERSION_FILE = "geoclaims-version"

# What cannot hide a FROM keyword: IRIs, strings, comments (removed before looking for FROM).
_NOT_CODE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_FROM = re.compile(r"(?<![\w?$:])FROM(?![\w:-])", re.IGNORECASE)


def declares_dataset(sparql: str) -> bool:
    """Whether a query names its own dataset with FROM / FROM NAMED."""
    if "from" not in sparql.lower():
        return False  # the common case, without the regular expressions
    return bool(_FROM.search(_NOT_CODE.sub(" ", sparql)))


def read_version(data_dir: str | Path) -> str:
    """The version marker of an on-disk store ("0" before the first write)."""
    try:
        return (Path(data_dir) / VERSION_FILE).read_text().strip()
    except FileNotFoundError:
        return "0"


_versions: dict[str, tuple[tuple[int, int, int] | None, str]] = {}
_version_paths: dict[str, str] = {}


def stat_version(data_dir: str) -> str:
    """`read_version`, but re-reading the file only when its inode/mtime/size changed.

    Writers replace the version file (a new inode), so one stat() tells whether the token read
    before is still current: cheaper than reading the file on every query. The stat comes
    before the read, so a write between the two is seen at the next stat, never missed.
    """
    path = _version_paths.get(data_dir)
    if path is None:
        path = _version_paths[data_dir] = os.path.join(data_dir, VERSION_FILE)
    try:
        st = os.stat(path)
        stamp: tuple[int, int, int] | None = (st.st_ino, st.st_mtime_ns, st.st_size)
    except FileNotFoundError:
        stamp = None  # no write yet: "0" until the file appears (a stamp that differs)
    known = _versions.get(data_dir)
    if known is not None and known[0] == stamp:
        return known[1]
    version = read_version(data_dir)
    _versions[data_dir] = (stamp, version)
    return version


def _node(graph: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(graph)
    except ValueError as err:
        raise QueryError(f"not an absolute IRI: {graph!r} ({err})") from None


def _iri(graph: str) -> str:
    return str(_node(graph))


def _triple_line(t: ox.Triple) -> str:
    return f"{t.subject} {t.predicate} {t.object} ."


class Store(ABC):
    """What the rest of geoclaims needs from a quad store."""

    @abstractmethod
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
        """Run a SPARQL query; `union` reads un-scoped patterns from all named graphs;
        `base_iri` resolves relative IRIs."""

    @abstractmethod
    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Run a SPARQL update as one transaction (`base_iri` resolves relative IRIs)."""

    @abstractmethod
    def replace_graphs(self, drop: Iterable[str], quads: Iterable[ox.Quad]) -> None:
        """Drop these graphs and add these quads, all or nothing."""

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs in the store, sorted (empty ones too)."""
        # `GRAPH ?g {}` matches each named graph once (SPARQL 1.1, 18.6): no scan of the triples.
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", union=False)
        return sorted(row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode))

    @abstractmethod
    def dump(self, output: Any, fmt: ox.RdfFormat) -> None:
        """Write the whole dataset to a binary file object."""

    @property
    @abstractmethod
    def version(self) -> str:
        """A token that changes on every write (for caches and ETags)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the store."""

    # Graph-level operations (Graph Store Protocol); graph None is the default graph.

    def graph_exists(self, graph: str | None) -> bool:
        """Whether a named graph exists (the default graph always does)."""
        if graph is None:
            return True
        return graph in self.named_graphs()

    def graph_triples(self, graph: str | None) -> Iterable[ox.Triple]:
        """The triples of one graph."""
        if graph is None:
            return self.query("CONSTRUCT WHERE { ?s ?p ?o }", union=False)
        return self.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
            substitutions={"g": _node(graph)},
        )

    def put_graph(self, graph: str | None, triples: Iterable[ox.Triple]) -> bool:
        """Replace a graph's content in one transaction; True if the graph is new."""
        created = not self.graph_exists(graph)
        target = "DEFAULT" if graph is None else "GRAPH " + _iri(graph)
        ops = [f"DROP SILENT {target}"]
        if graph is not None:
            ops.append(f"CREATE SILENT GRAPH {_iri(graph)}")
        ops.extend(self._insert(graph, triples))
        self.update(" ;\n".join(ops))
        return created

    def post_graph(self, graph: str | None, triples: Iterable[ox.Triple]) -> bool:
        """Add triples to a graph in one transaction; True if the graph is new."""
        created = not self.graph_exists(graph)
        ops = [] if graph is None else [f"CREATE SILENT GRAPH {_iri(graph)}"]
        ops.extend(self._insert(graph, triples))
        if ops:
            self.update(" ;\n".join(ops))
        return created

    def load_graph(self, graph: str, source: str | Path | IO[bytes]) -> None:
        """Replace a named graph by the N-Triples of a file (a path, or a binary stream), all of
        them or none; the version changes. This default parses them into one update."""
        if isinstance(source, (str, Path)):
            triples = ox.parse(path=str(source), format=ox.RdfFormat.N_TRIPLES)
        else:
            triples = ox.parse(source, ox.RdfFormat.N_TRIPLES)
        try:
            self.put_graph(graph, triples)
        except SyntaxError as err:
            raise StoreError(f"loading {graph} failed, nothing of it was kept: {err}") from err

    def delete_graph(self, graph: str | None) -> None:
        """Remove a named graph (NotFound if missing), or empty the default graph."""
        if graph is None:
            self.update("DROP SILENT DEFAULT")
            return
        if not self.graph_exists(graph):
            raise NotFound(f"no graph {graph}")
        self.update(f"DROP GRAPH {_iri(graph)}")

    @staticmethod
    def _insert(graph: str | None, triples: Iterable[ox.Triple]) -> list[str]:
        lines = "\n".join(_triple_line(t) for t in triples)
        if not lines:
            return []
        if graph is None:
            return ["INSERT DATA {\n" + lines + "\n}"]
        return ["INSERT DATA { GRAPH " + _iri(graph) + " {\n" + lines + "\n} }"]


def _quad_line(quad: ox.Quad) -> str:
    return f"{quad.subject} {quad.predicate} {quad.object} ."


class EmbeddedStore(Store):
    """pyoxigraph's Store, on disk (a data directory) or in memory."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except (OSError, RuntimeError) as err:  # RocksDB reports corruption as RuntimeError
            raise StoreError(f"cannot open store at {self.path}: {err}") from err
        self._memory_version = uuid.uuid4().hex

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store (for the engine's fast paths)."""
        return self._store

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
        kwargs: dict[str, Any] = {"base_iri": base_iri} if base_iri else {}
        try:
            if default_graph is not None:
                kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
            elif union and not declares_dataset(sparql):
                # pyoxigraph's union flag would override the query's own FROM clauses.
                kwargs["use_default_graph_as_union"] = True
            if named_graphs is not None:
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        except ValueError as err:
            raise QueryError(f"bad graph IRI: {err}") from None
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as err:
            raise QueryError(str(err)) from err
        except OSError as err:
            raise StoreError(str(err)) from err

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as err:
            raise QueryError(str(err)) from err
        except OSError as err:
            raise StoreError(str(err)) from err
        self._bump()

    def replace_graphs(self, drop: Iterable[str], quads: Iterable[ox.Quad]) -> None:
        # One SPARQL update is one transaction: readers see the old graphs or the new, never half.
        parts = [f"DROP SILENT GRAPH <{g}>" for g in sorted(set(drop))]
        by_graph: dict[str, list[str]] = {}
        for quad in quads:
            if isinstance(quad.graph_name, ox.DefaultGraph):
                raise StoreError("refusing to write to the default graph")
            by_graph.setdefault(str(quad.graph_name), []).append(_quad_line(quad))
        if by_graph:
            body = "\n".join(
                f"GRAPH {g} {{\n" + "\n".join(lines) + "\n}" for g, lines in by_graph.items()
            )
            parts.append("INSERT DATA {\n" + body + "\n}")
        if parts:
            self.update(";\n".join(parts))

    def bulk_load(self, quads: Iterable[ox.Quad]) -> None:
        """Fast load of many quads (not transactional: use on a fresh store only)."""
        try:
            self._store.bulk_extend(quads)
            self._store.flush()
        except OSError as err:
            raise StoreError(str(err)) from err
        self._bump()

    def bulk_load_stream(self, stream: Any, fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> None:
        """Fast load of serialized RDF read from a binary stream (a fresh store only)."""
        try:
            self._store.bulk_load(input=stream, format=fmt)
            self._store.flush()
        except OSError as err:
            raise StoreError(str(err)) from err
        self._bump()

    def load_graph(self, graph: str, source: str | Path | IO[bytes]) -> None:
        """Replace a named graph by the N-Triples of a file (a path, or a binary stream), by
        Oxigraph's bulk loader: dropped, then loaded; a failed load drops it again, so that
        never half of it is kept. Not one transaction: hold the writer lock (`kg.lock`)."""
        name = _node(graph)
        self._store.remove_graph(name)
        read: dict[str, Any] = (
            {"path": str(source)} if isinstance(source, (str, Path)) else {"input": source}
        )
        try:
            self._store.bulk_load(**read, format=ox.RdfFormat.N_TRIPLES, to_graph=name)
            self._store.flush()
        except (OSError, SyntaxError, ValueError) as err:
            self._store.remove_graph(name)
            raise StoreError(f"loading {graph} failed, nothing of it was kept: {err}") from err
        finally:
            self._bump()

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def dump(self, output: Any, fmt: ox.RdfFormat) -> None:
        self._store.dump(output, fmt)

    def graph_exists(self, graph: str | None) -> bool:
        return graph is None or self._store.contains_named_graph(_node(graph))

    def graph_triples(self, graph: str | None) -> Iterator[ox.Triple]:
        name = ox.DefaultGraph() if graph is None else _node(graph)
        return (q.triple for q in self._store.quads_for_pattern(None, None, None, name))

    def close(self) -> None:
        # Dropping the last reference closes RocksDB; flush first so nothing waits in memory.
        if hasattr(self, "_store"):
            if self.path is not None and not self.read_only:
                self._store.flush()
            del self._store

    def __len__(self) -> int:
        return len(self._store)

    @property
    def version(self) -> str:
        if self.path is None:
            return self._memory_version
        return read_version(self.path)

    def _bump(self) -> None:
        self._memory_version = uuid.uuid4().hex
        if self.path is not None:
            self._store.flush()
            tmp = self.path / (VERSION_FILE + ".tmp")
            tmp.write_text(uuid.uuid4().hex)
            tmp.replace(self.path / VERSION_FILE)


def open_store(config: Config, *, read_only: bool = False) -> Store:
    """The store the settings point at."""
    if config.remote:
        from kg.remote import RemoteStore

        return RemoteStore.from_config(config)
    if config.in_memory:
        return EmbeddedStore(None)
    return EmbeddedStore(Path(config.data_dir), read_only=read_only)
