"""All sources -> every graph of the dataset, in memory (nothing is written here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.config import Config
from kg.errors import DataError
from kg.ingest.articles import Article, agent_ids, article_ids, read_article, write_document
from kg.ingest.authoring import Context, expand
from kg.ingest.claims import proposition_ids, write_claims, write_propositions
from kg.ingest.entities import FILE as ENTITIES_FILE
from kg.ingest.entities import entity_ids, read_entities, write_entities
from kg.ingest.ids import Scope
from kg.ingest.materialise import Materialiser
from kg.ingest.nodes import NodeWriter
from kg.ingest.problems import Problems, suggest
from kg.ingest.reference import FILE as REFERENCE_FILE
from kg.ingest.reference import (
    Reference,
    fact_iri,
    read_reference,
    standard_triples,
    write_reference,
)
from kg.ingest.terms import Sink, iri
from kg.ingest.vocab import Vocab, build_vocab, read_turtle
from kg.ingest.yamlfile import YList, YMap
from kg.namespaces import GC, PROV
from kg.sources import label, ontology_dir

SHAPES = "shapes.ttl"


@dataclass
class Compiled:
    """The whole dataset in memory, with which graphs belong to which input."""

    sink: Sink
    vocab: Vocab
    base: str
    units: dict[str, list[str]] = field(default_factory=dict)  # unit -> graph IRIs
    articles: dict[str, Article] = field(default_factory=dict)
    shapes_file: Path | None = None
    partial: bool = False  # only some articles were compiled

    def graphs_of(self, units: Iterable[str]) -> list[str]:
        return [g for u in units for g in self.units.get(u, [])]

    def quads(self, graphs: Iterable[str] | None = None) -> Iterator[ox.Quad]:
        if graphs is None:
            yield from self.sink.quads()
            return
        for g in graphs:
            yield from self.sink.quads(g)

    def counts(self) -> dict[str, int]:
        return {g: len(t) for g, t in self.sink.graphs.items()}


def ontology_graph(base: str) -> str:
    return f"{base}graph/ontology"


def shapes_graph(base: str) -> str:
    return f"{base}graph/shapes"


def now() -> str:
    """The current UTC time as an xsd:dateTime (seconds)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _read_ontology(folder: Path, base: str, sink: Sink, c: Compiled, digest: list[bytes]) -> None:
    files = sorted(folder.glob("*.ttl")) if folder.is_dir() else []
    if not any(p.name != SHAPES for p in files):
        raise DataError("no ontology (*.ttl) found", "ontology/")
    onto: list[ox.Quad] = []
    for path in files:
        name = f"ontology/{path.name}"
        graph = shapes_graph(base) if path.name == SHAPES else ontology_graph(base)
        quads = read_turtle(path, name, graph, f"{graph}/genid/{path.stem}/")
        sink.extend(quads)
        if path.name == SHAPES:
            c.shapes_file = path
        else:
            onto.extend(quads)
        digest.append(f"\0{name}\0".encode() + path.read_bytes())
    sink.add_type(ontology_graph(base), iri(ontology_graph(base)), GC + "OntologyGraph")
    c.units["ontology"] = [ontology_graph(base)]
    if c.shapes_file is not None:
        sink.add_type(shapes_graph(base), iri(shapes_graph(base)), GC + "ShapesGraph")
        c.units["shapes"] = [shapes_graph(base)]
    c.vocab = build_vocab(onto)


def _compile_article(
    c: Compiled,
    writer: NodeWriter,
    where: tuple[Path, str],
    aid: str,
    shared: bytes,
    scope: Scope,
    entities: set[str],
    started: Callable[[str], str | None] | None,
) -> None:
    """One article's graphs into the sink; its errors are recorded in writer.problems."""
    problems = writer.problems if writer.problems is not None else Problems()
    art = read_article(where[0], aid, c.base, shared, where[1])
    publisher = art.meta.get("publisher")
    anchor = art.meta.get("anchorDate", art.meta.get("datePublished"))
    ctx = Context(c.vocab, entities, publisher if publisher in entities else None, anchor)
    art.claims, errors, failed = expand(art.claims, ctx, art.file("claims.yaml"))
    for err in errors:
        problems.add(err)
    art.agents = agent_ids(art)
    art.propositions = proposition_ids(art)
    local = scope.child(art.propositions).child(art.agents)
    time = (started(art.activity) if started else None) or now()
    spans = write_document(writer, art, local, time)
    props = write_propositions(writer, art, local, problems)
    write_claims(writer, art, local, spans, problems, failed)
    art.meta = art.claims = YMap()  # written: keep only what validation needs (the text)
    graphs = [art.doc_graph, art.claim_graph, *props]
    for g in graphs:
        c.sink.add(g, iri(g), PROV + "wasGeneratedBy", iri(art.activity))
    c.units[f"article/{aid}"] = graphs
    c.articles[aid] = art


def _article_folders(
    projects: list[Path], labels: list[str], wanted: list[str] | None, problems: Problems
) -> dict[str, tuple[Path, str]]:
    """Where each article is (project folder, its label): every article, or only the `wanted`
    ones (looked up by name: a chunk of a build of 10,000 articles lists no folder). An article
    in two project folders is an error."""
    available: dict[str, tuple[Path, str]] = {}
    for folder, prefix in zip(projects, labels, strict=True):
        if wanted is None:
            found = article_ids(folder)
        else:
            root = folder / "data" / "articles"
            found = [a for a in dict.fromkeys(wanted) if _plain_name(a) and (root / a).is_dir()]
        for aid in found:
            with problems.guard():
                if aid in available:
                    raise DataError(f"article {aid!r} is in two project folders",
                                    f"{prefix}data/articles/{aid}")  # fmt: skip
                available[aid] = (folder, prefix)
    return available


def _plain_name(aid: str) -> bool:
    """A folder name as `article_ids` lists them (no path, not hidden)."""
    return bool(aid) and "/" not in aid and "\\" not in aid and not aid.startswith(".")


def compile_sources(
    config: Config,
    *,
    articles: Iterable[str] | None = None,
    started: Callable[[str], str | None] | None = None,
) -> Compiled:
    """Read every source and build every graph; `started(activity_iri)` reuses a past load time.

    With `articles`, only those articles are compiled (the shared graphs always are, since the
    articles resolve ids against them).
    """
    projects, base = config.sources, config.base_iri
    sink = Sink()
    c = Compiled(sink, Vocab(), base, partial=articles is not None)
    digest: list[bytes] = []
    _read_ontology(ontology_dir(projects), base, sink, c, digest)
    problems = Problems()
    writer = NodeWriter(c.vocab, sink, base, problems)

    labels = [label(folder, projects[0]) for folder in projects]
    files: list[tuple[YList, str]] = []
    refs: list[Reference] = []
    for folder, prefix in zip(projects, labels, strict=True):
        with problems.guard():
            files.append(read_entities(folder, prefix))
        with problems.guard():
            refs.append(read_reference(folder, base, prefix))
        for path in (ENTITIES_FILE, REFERENCE_FILE):
            if (folder / path).exists():
                digest.append(f"\0{prefix}{path}\0".encode() + (folder / path).read_bytes())
    ent_ids: dict[str, str] = {}
    with problems.guard():
        ent_ids = entity_ids(files, base)
    node_ids: dict[str, str] = {}
    facts: set[str] = set()
    for ref in refs:
        for fact in ref.facts:
            with problems.guard():
                if fact["id"] in facts:
                    raise DataError(f"duplicate fact id {fact['id']!r}", ref.file, fact.line)
            facts.add(fact["id"])
        node_ids.update(ref.node_ids)
    scope = Scope([ent_ids, node_ids])
    write_entities(writer, files, scope)
    c.units["entities"] = [f"{base}graph/entities"]
    for ref in refs:
        write_reference(writer, ref, scope)
    c.units["reference"] = [fact_iri(base, fid) for fid in sorted(facts)]

    shared = b"".join(digest)
    wanted = None if articles is None else list(articles)
    available = _article_folders(projects, labels, wanted, problems)
    for aid in sorted(available) if wanted is None else wanted:
        if aid not in available:
            every = {a for folder in projects for a in article_ids(folder)}
            hint = suggest(aid, every)
            problems.add(DataError(f"no such article: {aid!r}{hint}", f"data/articles/{aid}"))
            continue
        folder, prefix = available[aid]
        with problems.guard():
            _compile_article(c, writer, (folder, prefix), aid, shared, scope, set(ent_ids), started)
    problems.check()

    data_graphs = [g for g in sink.graphs if g not in (ontology_graph(base), shapes_graph(base))]
    propositions = {g for g in data_graphs if g.startswith(f"{base}proposition/")}
    Materialiser(c.vocab).apply(sink, data_graphs, project_only=propositions)
    standard_triples(sink, c.vocab, c.units["reference"])
    return c
