"""Ontology-driven conversion of one YAML mapping into quads: key `k` becomes property `gc:k`."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from kg.errors import DataError
from kg.ingest.ids import Scope, check_id
from kg.ingest.problems import Problems, suggest
from kg.ingest.terms import Sink, en, iri, plain, typed
from kg.ingest.vocab import Vocab, local_name
from kg.ingest.yamlfile import YList, YMap, as_list
from kg.namespaces import GC, GCS, OWL, PREFIXES, RDF, RDFS, SKOS, TIME, WD, XSD

_QID = re.compile(r"Q[1-9][0-9]*")
_LEXICAL = {
    XSD + "gYear": re.compile(r"-?\d{4,}"),
    XSD + "gYearMonth": re.compile(r"-?\d{4,}-\d{2}"),
    XSD + "duration": re.compile(
        r"-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
    ),
}
_INTEGERS = {
    XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedInt",
        "unsignedLong",
    )
}
# Keys every node may carry, whatever the ontology says.
COMMON = {"id", "type", "label", "altLabel", "note", "wikidata"}


def literal(value: Any, range_: str | None, what: str) -> ox.Literal:
    """Cast a YAML scalar to the property's range; ValueError with a message if it does not fit."""
    if isinstance(value, YMap | YList | list | dict) or value is None:
        raise ValueError(f"{what}: expected a single value, got {type(value).__name__}")
    if range_ in (None, RDFS + "Literal"):
        if isinstance(value, bool):
            range_ = XSD + "boolean"
        elif isinstance(value, int):
            range_ = XSD + "integer"
        elif isinstance(value, float):
            range_ = XSD + "decimal"
        elif isinstance(value, dt.datetime):
            range_ = XSD + "dateTime"
        elif isinstance(value, dt.date):
            range_ = XSD + "date"
        else:
            return plain(str(value))
    if range_ == RDF + "langString":
        if not isinstance(value, str):
            raise ValueError(f"{what}: expected text, got {value!r}")
        return en(value)
    if range_ == XSD + "string":
        if isinstance(value, bool | dt.date):
            raise ValueError(f"{what}: expected text, got {value!r}")
        return plain(str(value))
    if range_ == XSD + "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"{what}: expected true or false, got {value!r}")
        return typed("true" if value else "false", range_)
    if range_ in _INTEGERS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{what}: expected an integer, got {value!r}")
        if "nonNegative" in range_ and value < 0 or "positive" in range_ and value <= 0:
            raise ValueError(f"{what}: out of range: {value!r}")
        return typed(str(value), range_)
    if range_ in (XSD + "decimal", XSD + "double", XSD + "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{what}: expected a number, got {value!r}")
        return typed(str(value), range_)
    if range_ == XSD + "date":
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
            raise ValueError(f"{what}: expected a date YYYY-MM-DD, got {value!r}")
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{what}: expected a date YYYY-MM-DD, got {value!r}") from None
        return typed(day.isoformat(), range_)
    if range_ == XSD + "dateTime":
        if not isinstance(value, dt.datetime):
            raise ValueError(f"{what}: expected a date-time, got {value!r}")
        return typed(value.isoformat(), range_)
    text = str(value)
    if range_ == XSD + "gYear" and isinstance(value, int):
        text = f"{value:04d}"
    pattern = _LEXICAL.get(range_)
    if pattern is not None and not pattern.fullmatch(text):
        raise ValueError(f"{what}: {text!r} is not a valid {range_.rsplit('#', 1)[-1]}")
    return typed(text, range_)


class NodeWriter:
    """Writes YAML mappings as nodes, resolving ids through a scope and the ontology."""

    def __init__(
        self, vocab: Vocab, sink: Sink, base: str, problems: Problems | None = None
    ) -> None:
        self.vocab, self.sink, self.base = vocab, sink, base
        # With a Problems, each key's error is recorded and the node's other keys still written.
        self.problems = problems

    def guard(self) -> contextlib.AbstractContextManager[None]:
        """Record a DataError of the block (with a Problems) instead of raising it."""
        return self.problems.guard() if self.problems is not None else contextlib.nullcontext()

    def resolve(self, value: Any, prop: str | None, scope: Scope, file: str, line: int) -> str:
        """The IRI an id stands for: a scoped id, an ontology individual, or a prefixed name."""
        if not isinstance(value, str) or not value:
            raise DataError(f"expected an id, got {value!r}", file, line)
        found = scope.lookup(value)
        if found is not None:
            return found
        if value.startswith(("http://", "https://")):
            return value
        prefix, _, rest = value.partition(":")
        if rest and prefix in PREFIXES:
            return PREFIXES[prefix] + rest
        rng = self.vocab.ranges.get(prop) if prop else None
        if prop is not None:
            # A property named like a value scheme takes that scheme's concepts (gc:polarity...).
            scheme = GCS + local_name(prop)
            found = self.vocab.concept(scheme, value)
            if found is not None:
                return found
            if scheme in self.vocab.concepts:
                known = sorted(self.vocab.concepts[scheme])
                raise DataError(f"{local_name(prop)}: unknown value {value!r} (expected one of "
                                f"{known})" + suggest(value, known), file, line)  # fmt: skip
            if rng in CLASS_RANGES:  # a class named by its local name (gc:speechAct Threat)
                if self.vocab.is_class(value):
                    return GC + value
                classes = [c[len(GC) :] for c in self.vocab.classes if c.startswith(GC)]
                raise DataError(f"unknown class {value!r}" + suggest(value, classes), file, line)
        found = self.vocab.individual(value, rng)
        if found is not None:
            return found
        raise DataError(f"unknown id {value!r}" + suggest(value, scope.names()), file, line)

    def types(self, node: YMap, subject: ox.NamedNode, graph: str, file: str) -> list[str]:
        """Write `type` (gc: class local names) and return the class IRIs."""
        out = []
        for name, line in as_list(node.get("type", [])):
            line = line or node.line_of("type")
            if not isinstance(name, str) or not self.vocab.is_class(name):
                classes = [c[len(GC) :] for c in self.vocab.classes if c.startswith(GC)]
                hint = suggest(name, classes) or " (the types: docs/format.md)"
                raise DataError(f"unknown type {name!r} (not a class of the ontology){hint}",
                                file, line)  # fmt: skip
            out.append(GC + name)
            self.sink.add_type(graph, subject, GC + name)
        return out

    def common(
        self, node: YMap, subject: ox.NamedNode, graph: str, file: str, classes: Iterable[str]
    ) -> None:
        """label, altLabel, note and wikidata, which every node may carry."""
        add = self.sink.add
        for key, prop in (("label", RDFS + "label"), ("altLabel", SKOS + "altLabel")):
            for value, line in as_list(node.get(key, [])):
                if not isinstance(value, str) or not value.strip():
                    raise DataError(
                        f"{key}: expected text, got {value!r}", file, line or node.line_of(key)
                    )
                add(graph, subject, prop, en(value))
        for value, line in as_list(node.get("note", [])):
            if not isinstance(value, str):
                raise DataError(
                    f"note: expected text, got {value!r}", file, line or node.line_of("note")
                )
            add(graph, subject, SKOS + "editorialNote", en(value))
        if "wikidata" in node:
            qid, line = node["wikidata"], node.line_of("wikidata")
            if not isinstance(qid, str) or not _QID.fullmatch(qid):
                raise DataError(f"wikidata: expected a QID like Q184, got {qid!r}", file, line)
            link = OWL + "sameAs"
            supers = set(classes).union(*(self.vocab.supers_of_class(c) for c in classes))
            if supers & {GC + "Post", "http://www.w3.org/ns/org#Post", SKOS + "Concept"}:
                link = SKOS + "exactMatch"
            add(graph, subject, link, iri(WD + qid))

    def write(
        self,
        node: YMap,
        subject: str,
        graph: str,
        file: str,
        scope: Scope,
        *,
        skip: Iterable[str] = (),
        extra_types: Iterable[str] = (),
    ) -> ox.NamedNode:
        """Write `node` as `subject` in `graph`: types, common keys, then each key as gc:key."""
        if not isinstance(node, YMap):
            raise DataError(f"expected a mapping, got {node!r}", file, getattr(node, "line", None))
        s = iri(subject)
        classes = self.types(node, s, graph, file)
        for cls in extra_types:
            self.sink.add_type(graph, s, cls)
        self.common(node, s, graph, file, [*classes, *extra_types])
        skipped = COMMON | set(skip)
        for key, value in node.items():
            if key in skipped:
                continue
            with self.guard():
                self.property(node, key, value, s, graph, file, scope)
        return s

    def property(
        self, node: YMap, key: Any, value: Any, s: ox.NamedNode, graph: str, file: str, scope: Scope
    ) -> None:
        """One key of a node: ids and nested mappings for object properties, literals otherwise."""
        line = node.line_of(key)
        prop = self.vocab.property(key) if isinstance(key, str) else None
        if prop is None:
            known = [k[len(GC) :] for k in self.vocab.kinds if k.startswith(GC)]
            raise DataError(
                f"unknown key {key!r} (no property gc:{key} in the ontology)"
                + suggest(key, [*known, *COMMON]),
                file,
                line,
            )
        if value is None:
            return
        items = [(value, line)] if self.is_interval(prop, value) else as_list(value)
        if self.vocab.is_object(prop):
            for n, (item, item_line) in enumerate(items, start=1):
                where = item_line or line
                if self.is_interval(prop, item):
                    child = f"{s.value}/{key}" + (
                        f"-{n}"
                        if isinstance(value, list) and not self.is_interval(prop, value)
                        else ""
                    )
                    self.interval(item, child, graph, file, where)
                    self.sink.add(graph, s, prop, iri(child))
                elif isinstance(item, YMap):
                    if "id" in item:
                        child = f"{s.value}/{check_id(item['id'], file, item.line_of('id'))}"
                    else:
                        child = f"{s.value}/{key}" + (f"-{n}" if isinstance(value, list) else "")
                    self.write(item, child, graph, file, scope)
                    self.sink.add(graph, s, prop, iri(child))
                else:
                    target = self.resolve(item, prop, scope, file, where)
                    self.sink.add(graph, s, prop, iri(target))
            return
        for item, item_line in items:
            try:
                lit = literal(item, self.vocab.ranges.get(prop), key)
            except ValueError as err:
                raise DataError(str(err), file, item_line or line) from None
            self.sink.add(graph, s, prop, lit)

    def is_interval(self, prop: str, value: Any) -> bool:
        """A [begin, end] pair of dates given for a property whose range is a time:Interval."""
        return (
            self.vocab.ranges.get(prop) in INTERVAL_RANGES
            and isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, dt.date | str) for v in value)
        )

    def interval(self, value: list[Any], node: str, graph: str, file: str, line: int) -> None:
        """A time:Interval node with begin and end time:Instants carrying time:inXSDDate."""
        write_interval(self.sink, graph, node, value, file, line)


INTERVAL_RANGES = {TIME + "Interval", TIME + "ProperInterval", TIME + "TemporalEntity"}
CLASS_RANGES = {OWL + "Class", RDFS + "Class"}


def write_interval(sink: Sink, graph: str, node: str, value: Any, file: str, line: int) -> None:
    """Write `[begin, end]` (dates) as a time:Interval named `node`, its instants under it."""
    if not isinstance(value, list) or len(value) != 2:
        raise DataError(f"expected an interval [begin, end], got {value!r}", file, line)
    try:
        begin, end = (literal(v, XSD + "date", "interval") for v in value)
    except ValueError as err:
        raise DataError(str(err), file, line) from None
    if begin.value > end.value:
        raise DataError(f"interval ends before it begins: {value!r}", file, line)
    s = iri(node)
    sink.add_type(graph, s, TIME + "Interval")
    sink.add_type(graph, s, TIME + "ProperInterval")
    for suffix, prop, lit in (("begin", "hasBeginning", begin), ("end", "hasEnd", end)):
        instant = iri(f"{node}/{suffix}")
        sink.add(graph, s, TIME + prop, instant)
        sink.add_type(graph, instant, TIME + "Instant")
        sink.add(graph, instant, TIME + "inXSDDate", lit)
