"""data/entities.yaml (of each project folder) -> the entities graph: types, labels, Wikidata
links, posts, agreements."""

from __future__ import annotations

from pathlib import Path

from kg.errors import DataError
from kg.ingest.identifiers import write_identifiers
from kg.ingest.ids import Scope, check_id
from kg.ingest.nodes import NodeWriter
from kg.ingest.terms import iri
from kg.ingest.yamlfile import YList, YMap, load_yaml
from kg.namespaces import GC

FILE = "data/entities.yaml"


def entity_iri(base: str, eid: str) -> str:
    return f"{base}entity/{eid}"


def entities_graph(base: str) -> str:
    return f"{base}graph/entities"


def read_entities(source: Path, label: str = "") -> tuple[YList, str]:
    """The parsed entities file of a folder (empty when it has none), with its name for messages."""
    name = label + FILE
    path = source / FILE
    if not path.exists():
        return YList(), name
    data = load_yaml(path, name)
    if data is None:
        return YList(), name
    if not isinstance(data, YList) or not all(isinstance(e, YMap) for e in data):
        raise DataError("expected a list of entities (mappings)", name, getattr(data, "line", 1))
    return data, name


def entity_ids(files: list[tuple[YList, str]], base: str) -> dict[str, str]:
    """id -> IRI for every entity of every file, refusing missing and duplicate ids."""
    seen: dict[str, str] = {}
    out: dict[str, str] = {}
    for entities, name in files:
        for entity in entities:
            if "id" not in entity:
                raise DataError("an entity needs an id", name, entity.line)
            eid = check_id(entity["id"], name, entity.line_of("id"))
            if eid in seen:
                raise DataError(f"duplicate entity id {eid!r} (also in {seen[eid]})", name,
                                entity.line_of("id"))  # fmt: skip
            seen[eid] = f"{name}:{entity.line_of('id')}"
            out[eid] = entity_iri(base, eid)
    return out


def write_entities(writer: NodeWriter, files: list[tuple[YList, str]], scope: Scope) -> None:
    """Every entity as a node of the entities graph, which describes itself."""
    base, graph = writer.base, entities_graph(writer.base)
    writer.sink.add_type(graph, iri(graph), GC + "EntityGraph")
    for entities, name in files:
        for entity in entities:
            with writer.guard():
                if "type" not in entity:
                    raise DataError(f"entity {entity['id']!r} has no type", name, entity.line)
                subject = entity_iri(base, entity["id"])
                writer.write(entity, subject, graph, name, scope, skip=("identifiers",))
                write_identifiers(writer.sink, entity, base, subject, graph, name)  # issue 14
