"""data/entities.yaml -> the entities graph: types, labels, Wikidata links, posts, agreements."""

from __future__ import annotations

from pathlib import Path

from kg.errors import DataError
from kg.ingest.identifiers import write_identifiers
from kg.ingest.ids import Scope, by_id
from kg.ingest.nodes import NodeWriter
from kg.ingest.terms import iri
from kg.ingest.yamlfile import YList, YMap, load_yaml
from kg.namespaces import GC

FILE = "data/entities.yaml"


def entity_iri(base: str, eid: str) -> str:
    return f"{base}entity/{eid}"


def entities_graph(base: str) -> str:
    return f"{base}graph/entities"


def read_entities(source: Path) -> YList:
    """The parsed entities file (a list of mappings), or an empty list when there is none."""
    path = source / FILE
    if not path.exists():
        return YList()
    data = load_yaml(path, FILE)
    if data is None:
        return YList()
    if not isinstance(data, YList) or not all(isinstance(e, YMap) for e in data):
        raise DataError("expected a list of entities (mappings)", FILE, getattr(data, "line", 1))
    return data


def entity_ids(entities: YList, base: str) -> dict[str, str]:
    """id -> IRI for every entity, refusing duplicates and missing ids."""
    return {eid: entity_iri(base, eid) for eid in by_id(entities, "entity", FILE)}


def write_entities(writer: NodeWriter, entities: YList, scope: Scope) -> None:
    """Every entity as a node of the entities graph, which describes itself."""
    base, graph = writer.base, entities_graph(writer.base)
    writer.sink.add_type(graph, iri(graph), GC + "EntityGraph")
    for entity in entities:
        if "type" not in entity:
            raise DataError(f"entity {entity['id']!r} has no type", FILE, entity.line)
        subject = entity_iri(base, entity["id"])
        writer.write(entity, subject, graph, FILE, scope, skip=("identifiers",))
        write_identifiers(writer.sink, entity, base, subject, graph, FILE)  # issue 14
