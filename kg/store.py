"""The store: the only module that imports pyoxigraph's Store.

`open_store(config)` gives an `EmbeddedStore` (pyoxigraph on disk, or in memory) or, when
`store_url` is set, a `RemoteStore` speaking SPARQL 1.1 Protocol and Graph Store Protocol.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.config import Config
from kg.errors import QueryError, StoreError

VERSION_FILE = "geoclaims-version"


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
    ) -> Any:
        """Run a SPARQL query; `union` reads un-scoped patterns from all named graphs."""

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL update as one transaction."""

    @abstractmethod
    def replace_graphs(self, drop: Iterable[str], quads: Iterable[ox.Quad]) -> None:
        """Drop these graphs and add these quads, all or nothing."""

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs in the store, sorted."""

    @abstractmethod
    def dump(self, output: Any, fmt: ox.RdfFormat) -> None:
        """Write the whole dataset to a binary file object."""

    @property
    @abstractmethod
    def version(self) -> str:
        """A token that changes on every write (for caches and ETags)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the store."""


def _quad_line(quad: ox.Quad) -> str:
    return f"{quad.subject} {quad.predicate} {quad.object} ."


class EmbeddedStore(Store):
    """pyoxigraph's Store, on disk (a data directory) or in memory."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as err:
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
    ) -> Any:
        kwargs: dict[str, Any] = {}
        if default_graph is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        else:
            kwargs["use_default_graph_as_union"] = union
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as err:
            raise QueryError(str(err)) from err
        except OSError as err:
            raise StoreError(str(err)) from err

    def update(self, sparql: str) -> None:
        try:
            self._store.update(sparql)
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

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def dump(self, output: Any, fmt: ox.RdfFormat) -> None:
        self._store.dump(output, fmt)

    def __len__(self) -> int:
        return len(self._store)

    @property
    def version(self) -> str:
        if self.path is None:
            return self._memory_version
        marker = self.path / VERSION_FILE
        return marker.read_text().strip() if marker.exists() else "0"

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
