"""`kg build`: compile every source in memory, validate, then write all at once (or nothing).

A full build of the on-disk store bulk-loads a fresh sibling directory and swaps it in with two
renames, so a failed or interrupted build leaves the previous store as it was; from `stream_from`
articles on it compiles a chunk at a time in worker processes (kg.bulk, flat memory), and so does
a full build into a remote store, through a temporary file loaded by kg.loading. Rebuilding some
articles replaces exactly their graphs in one transaction (`Store.replace_graphs`). A load
activity is named by a hash of its inputs and the software version; when the store already holds
it, its start time is kept (and a one-article rebuild leaves that article alone), so building
twice gives the same store.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg import bulk, search
from kg.config import Config
from kg.errors import DataError, StoreError
from kg.events import is_event_graph
from kg.ingest.compile import Compiled, compile_sources
from kg.ingest.validate import validate
from kg.lock import writer
from kg.namespaces import PREFIXES, PROV
from kg.store import EmbeddedStore, Store, open_store

_TIMES = (
    f"""SELECT ?a ?t WHERE {{ GRAPH ?g {{ ?a a <{PROV}Activity> ; <{PROV}startedAtTime> ?t }} }}"""
)


@dataclass
class BuildReport:
    """What a build wrote: quads per graph, the articles built and those left untouched."""

    graphs: dict[str, int] = field(default_factory=dict)
    articles: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    target: str = ""
    parts: dict[str, tuple[int, int]] | None = None  # a streamed build counts per part only
    reloaded: list[str] = field(default_factory=list)  # shared graphs an article build refreshed
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0  # remote load resumed: graphs the journal showed already loaded
    index: str = ""  # what the search index took in (kg.search), when it was rebuilt

    @property
    def total(self) -> int:
        if self.parts is not None:
            return sum(q for _, q in self.parts.values())
        return sum(self.graphs.values())

    @property
    def graph_count(self) -> int:
        if self.parts is not None:
            return sum(g for g, _ in self.parts.values())
        return len(self.graphs)

    def by_part(self) -> dict[str, tuple[int, int]]:
        """(graphs, quads) per part: ontology, shapes, entities, reference facts, each article."""
        if self.parts is not None:
            return dict(self.parts)
        parts: dict[str, tuple[int, int]] = {}
        for graph, n in self.graphs.items():
            part = _part(graph)
            g, q = parts.get(part, (0, 0))
            parts[part] = (g + 1, q + n)
        return parts

    def summary(self, limit: int = 20) -> str:
        parts = sorted(self.by_part().items())
        lines = [f"{q:>9} quads {g:>5} graphs  {part}" for part, (g, q) in parts[:limit]]
        if len(parts) > limit:
            lines.append(f"... and {len(parts) - limit} more parts")
        lines.append(f"{self.total:>9} quads in {self.graph_count} graphs -> {self.target}")
        if self.unchanged:
            lines.append("unchanged: " + ", ".join(self.unchanged))
        if self.reloaded:
            parts = sorted({_part(g) for g in self.reloaded})
            lines.append("missing or changed, reloaded: " + ", ".join(parts))
        if self.skipped:
            lines.append(f"resumed: {self.skipped} graphs already loaded (journal) were skipped")
        if self.index:
            lines.append(self.index)
        return "\n".join(lines)


def _part(graph: str) -> str:
    for marker in ("/graph/article/", "/graph/claims/", "/proposition/"):
        if marker in graph:
            return "article " + graph.split(marker, 1)[1].split("/", 1)[0]
    if "/reference/" in graph:
        return "reference facts"
    return graph.rsplit("/graph/", 1)[-1]


def compile_checked(
    config: Config,
    *,
    articles: Iterable[str] | None = None,
    times: dict[str, str] | None = None,
    shapes: bool = True,
) -> Compiled:
    """Compile every source and validate the result (raises DataError / ValidationError)."""
    known = times or {}
    compiled = compile_sources(config, articles=articles, started=known.get)
    validate(compiled, shapes=shapes)
    return compiled


def load_times(store: Store) -> dict[str, str]:
    """Activity IRI -> the xsd:dateTime lexical form of its start, for every load in the store."""
    return {row["a"].value: row["t"].value for row in store.query(_TIMES, union=False)}


def _stored_times(config: Config) -> dict[str, str]:
    path = Path(config.data_dir)
    if not path.is_dir() or not any(path.iterdir()):
        return {}
    store = EmbeddedStore(path, read_only=True)
    times = load_times(store)
    # A read-only handle has nothing to flush: dropping it releases it.
    del store
    gc.collect()
    return times


def _is_empty(path: Path) -> bool:
    store = EmbeddedStore(path, read_only=True)
    empty = len(store) == 0
    del store
    gc.collect()
    return empty


def build(
    config: Config,
    *,
    articles: list[str] | None = None,
    check: bool = True,
    shapes: bool = True,
    store: Store | None = None,
) -> BuildReport:
    """Build the store from the sources; with `articles`, rebuild only those articles' graphs."""
    if store is None and articles is None and not config.remote and not config.in_memory:
        # A streamed build makes the search index during its load (a check after it then
        # updates only the index's verdicts).
        report = _full_disk_build(config, shapes)
    else:
        # The writer lock keeps a running `kg serve` from reading while this writes.
        with writer(config, store) as target:
            report = _build_into(config, target, articles, shapes)
            if check:
                _run_checks(target, config)
            if store is not None or config.remote or config.in_memory:
                _refresh_index(config, target, report)
        if store is None and not (config.remote or config.in_memory):
            _refresh_index(config, None, report)
        return report
    versions = None
    if check:
        with writer(config) as final:
            versions = _run_checks(final, config)
    _refresh_index(config, None, report, versions)
    return report


def _refresh_index(
    config: Config,
    store: Store | None,
    report: BuildReport,
    verdicts: tuple[str, str] | None = None,
) -> None:
    """Bring the site's search and table index in step with what was just written (`verdicts`:
    the store's versions around a check's write, see `search.refresh`)."""
    stats = search.refresh(config, store, verdicts=verdicts)
    if stats is not None:
        report.index = f"{report.index}\n{stats}" if report.index else str(stats)


def recover(path: Path) -> None:
    """Finish a swap that a crash interrupted: put the previous store back if none is in place."""
    olds = sorted(path.parent.glob(f".{path.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if not olds:
        return
    if not path.exists():
        olds.pop().rename(path)
    for stale in olds:
        shutil.rmtree(stale, ignore_errors=True)


def _full_disk_build(config: Config, shapes: bool) -> BuildReport:
    path = Path(config.data_dir)
    recover(path)
    times = _stored_times(config)
    # Many articles: compiled, validated and loaded a chunk at a time (kg.bulk, flat memory).
    streamed = bulk.wants_streaming(config)
    compiled = None if streamed else compile_checked(config, times=times, shapes=shapes)
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.parent / f".{path.name}.new-{os.getpid()}"
    old = path.parent / f".{path.name}.old-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    indexed = None
    try:
        new_store = EmbeddedStore(fresh)
        if compiled is None:
            # The index file lives in the store's directory unless a setting puts it elsewhere.
            rows = None
            if not config.search_index:
                rows = search.IndexRows(str(fresh / search.INDEX_FILE), config.base_iri)
            try:
                loaded = bulk.load(config, new_store, times, shapes, rows)
                if rows is not None:
                    indexed = rows.finish(new_store.version)
            finally:
                if rows is not None:
                    rows.close()
        else:
            new_store.bulk_load(compiled.quads())
        if _keep_event_graphs(config, path, new_store):
            indexed = None  # the index made during the load lacks them: the refresh rebuilds it
        new_store.close()
        del new_store
        gc.collect()  # the RocksDB handle must be gone before the directory moves
        if path.exists():
            path.rename(old)
        fresh.rename(path)
    except OSError as err:
        if old.exists() and not path.exists():
            old.rename(path)
        raise StoreError(f"cannot write the store at {path}: {err}") from err
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    if compiled is None:
        report = BuildReport({}, sorted(loaded.articles), [], str(path), parts=loaded.parts)
        report.index = str(indexed) if indexed is not None else ""
        return report
    return BuildReport(compiled.counts(), sorted(compiled.articles), [], str(path))


def _keep_event_graphs(config: Config, path: Path, new_store: EmbeddedStore) -> bool:
    """Copy the graphs `kg import` loaded (event data, kg.events) from the store being replaced
    into the new one: a build rebuilds the sources' graphs, never the imported ones. Each graph
    goes through a temporary N-Triples file, so memory stays flat whatever its size. Whether
    there were any (each one loaded moves the new store's version on)."""
    if not path.is_dir() or not any(path.iterdir()) or _is_empty(path):
        return False
    old = EmbeddedStore(path, read_only=True)
    try:
        graphs = [g for g in old.named_graphs() if is_event_graph(g, config.base_iri)]
        for graph in graphs:
            with tempfile.TemporaryDirectory(prefix="kg-build-events-") as scratch:
                dumped = Path(scratch) / "graph.nt"
                with open(dumped, "wb") as out:
                    old.oxigraph.dump(out, ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
                new_store.load_graph(graph, dumped)
    finally:
        del old
        gc.collect()
    return bool(graphs)


def _article_graphs(store_graphs: list[str], compiled: Compiled, aid: str) -> set[str]:
    base = compiled.base
    prefix = f"{base}proposition/{aid}/"
    own = {f"{base}graph/article/{aid}", f"{base}graph/claims/{aid}"}
    return {g for g in store_graphs if g in own or g.startswith(prefix)}


def _build_into(
    config: Config, store: Store, articles: list[str] | None, shapes: bool
) -> BuildReport:
    times = load_times(store)
    remote_bulk = config.remote and hasattr(store, "put_triples")
    if articles is None and remote_bulk and bulk.wants_streaming(config):
        return _streamed_remote_build(config, store, times, shapes)
    compiled = compile_checked(config, articles=articles, times=times, shapes=shapes)
    existing = store.named_graphs()
    report = BuildReport(target=config.store_url or config.data_dir)
    if articles is None:
        # Every graph of the sources; the event data `kg import` loaded stays (kg.events).
        drop: set[str] = {g for g in existing if not is_event_graph(g, config.base_iri)}
        graphs = list(compiled.sink.graphs)
        report.articles = sorted(compiled.articles)
    else:
        # What the articles need first: the shared graphs, where missing or changed.
        stale, gone = _stale_shared(store, compiled, existing)
        drop, graphs = set(stale) | set(gone), list(stale)
        report.reloaded = sorted(stale + gone)
        for aid, art in compiled.articles.items():
            if art.activity in times:
                report.unchanged.append(aid)
                continue
            drop |= _article_graphs(existing, compiled, aid)
            graphs += compiled.units[f"article/{aid}"]
            report.articles.append(aid)
    if (graphs or drop) and remote_bulk:
        # In bulk, with progress, resumable: a journal of the graphs done (kg.loading).
        from kg.loading import journal_path, load

        total = sum(len(compiled.sink.graphs[g]) for g in graphs)
        loaded = load(
            store, drop, compiled.quads(graphs), journal=journal_path(config), total=total
        )
        report.skipped = loaded.skipped
    elif graphs or drop:
        store.replace_graphs(drop, compiled.quads(graphs))
    if articles is not None and f"{compiled.base}graph/entities" in report.reloaded:
        report.warnings = _unloaded_entities(store, compiled.base)
    report.graphs = {g: len(compiled.sink.graphs[g]) for g in graphs}
    return report


def _streamed_remote_build(
    config: Config, store: Store, times: dict[str, str], shapes: bool
) -> BuildReport:
    """Many articles into a remote store with flat memory: compiled and validated a chunk at a
    time (kg.bulk) into a temporary N-Quads file, then loaded from it in bulk (kg.loading:
    progress, a journal to resume from). Nothing is written unless every article passed."""
    from kg.loading import journal_path, load

    drop = {g for g in store.named_graphs() if not is_event_graph(g, config.base_iri)}
    with tempfile.TemporaryFile(prefix="kg-build-") as spooled:
        streamed = bulk.spool(config, times, shapes, spooled)
        spooled.seek(0)
        total = sum(quads for _, quads in streamed.parts.values())
        quads = ox.parse(spooled, ox.RdfFormat.N_QUADS)
        loaded = load(store, drop, quads, journal=journal_path(config), total=total)
    report = BuildReport(articles=sorted(streamed.articles), target=config.store_url)
    report.parts, report.skipped = streamed.parts, loaded.skipped
    return report


def _canonical(triples: Iterable[Any]) -> set[str]:
    """Triples as text, in the canonical form Oxigraph stores literals in (integer subtypes as
    xsd:integer, "-2.0"^^xsd:decimal as "-2", ...), so a stored graph compares with its source."""
    memory = ox.Store()
    for t in triples:
        s, p, o = (t.subject, t.predicate, t.object) if hasattr(t, "subject") else t
        memory.add(ox.Quad(s, p, o, ox.DefaultGraph()))
    return {f"{q.subject} {q.predicate} {q.object}" for q in memory}


def _stale_shared(
    store: Store, compiled: Compiled, existing: list[str]
) -> tuple[list[str], list[str]]:
    """Shared graphs (ontology, shapes, entities, reference facts) the store lacks or holds in
    another version than the sources, and reference facts the sources no longer have."""
    stored = set(existing)
    stale = []
    for unit in ("ontology", "shapes", "entities", "reference"):
        for graph in compiled.units.get(unit, []):
            if graph not in stored or _canonical(store.graph_triples(graph)) != _canonical(
                compiled.sink.triples(graph)
            ):
                stale.append(graph)
    facts = set(compiled.units.get("reference", []))
    prefix = f"{compiled.base}reference/"
    gone = sorted(g for g in stored if g.startswith(prefix) and g not in facts)
    return stale, gone


def _unloaded_entities(store: Store, base: str) -> list[str]:
    """Entity IRIs that graphs of the store point at but the entities graph no longer describes
    (an entity taken out of entities.yaml that an article not rebuilt now still names)."""
    entities = f"{base}graph/entities"
    rows = store.query(
        f"""SELECT DISTINCT ?e ?g WHERE {{
              GRAPH ?g {{ ?s ?p ?e }} FILTER(ISIRI(?e) && STRSTARTS(STR(?e), "{base}entity/"))
              FILTER NOT EXISTS {{ GRAPH <{entities}> {{ ?e ?q ?r }} }}
            }} ORDER BY ?e ?g""",
        union=False,
    )
    return [
        f"{row['e'].value} is named in {row['g'].value} but no entity describes it "
        "(no longer in entities.yaml?): rebuild that article or put the entity back"
        for row in rows
    ]


def _run_checks(store: Store, config: Config) -> tuple[str, str] | None:
    """Run `kg.check.check_store` when that module exists (it writes the reviews graph); the
    store's versions before and after it wrote."""
    if importlib.util.find_spec("kg.check") is None:
        return None
    module = importlib.import_module("kg.check")
    run = getattr(module, "check_store", None)
    if run is None:
        return None
    return run(store, config, keep=0).versions  # the counts only: memory stays flat


def ensure_built(config: Config, store: Store | None = None) -> bool:
    """Build the seed when the store is empty; True if it built."""
    if store is None and not config.remote and not config.in_memory:
        path = Path(config.data_dir)
        recover(path)
        if path.is_dir() and any(path.iterdir()) and not _is_empty(path):
            return False
        build(config)
        return True
    target = store if store is not None else open_store(config)
    try:
        if target.named_graphs():
            return False
        build(config, store=target)
        return True
    finally:
        if store is None:
            target.close()


FORMATS = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}


def export(config: Config, fmt: str, output: IO[bytes]) -> None:
    """Write the whole dataset (every named graph) as TriG or N-Quads."""
    if fmt not in FORMATS:
        raise DataError(f"unknown export format {fmt!r} (expected {', '.join(FORMATS)})")
    if config.remote or config.in_memory:
        store = open_store(config)
        try:
            store.dump(output, FORMATS[fmt])
        finally:
            store.close()
        return
    if not Path(config.data_dir).is_dir():
        raise StoreError(f"no store at {config.data_dir}: run kg build first")
    # Read-only, so a running server keeps its lock; dropping the handle releases it.
    store = EmbeddedStore(Path(config.data_dir), read_only=True).oxigraph
    if fmt == "trig":
        store.dump(output, FORMATS[fmt], prefixes=dict(PREFIXES))
    else:
        store.dump(output, FORMATS[fmt])
