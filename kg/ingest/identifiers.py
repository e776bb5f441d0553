"""An entity's `identifiers:` (data/entities.yaml) -> the codes other datasets know it by.

    identifiers:
      P298: BLR                     # a Wikidata property's local name, or a project term
      cameoCode: {value: BLRGOV, validFrom: 1994-07-20}
      P299: {value: "112", validUntil: 1992-06-15}

Each code becomes a plain literal on the entity under its property (wdt:P297 ... wdt:P1566,
gc:cameoCode, gc:cowCode, gc:cowAbbreviation, gc:gwCode: ontology/identifiers.ttl) and a
gc:IdentifierAssignment node `B identifier/{entity id}/{key}` (`-{n}` for each of several values,
under a root of its own so that nothing takes it for an entity) with
the property, the code and its validity dates. Codes are text: numbers must be quoted, since YAML
reads 040 as the octal number 32.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from kg.errors import DataError
from kg.ingest.terms import Sink, en, iri, plain, typed
from kg.ingest.yamlfile import YList, YMap, as_list
from kg.namespaces import GC, SCHEMA, SKOS, WDT, XSD


@dataclass(frozen=True)
class Scheme:
    """One kind of identifier: its property, its name and the shape of its codes."""

    prop: str
    name: str  # the property's label in ontology/identifiers.ttl
    pattern: re.Pattern[str]
    shape: str  # for messages


def _scheme(prop: str, name: str, pattern: str, shape: str) -> Scheme:
    return Scheme(prop, name, re.compile(pattern), shape)


_TEXT, _DIGITS23 = "a number, quoted", "a number of 2-3 digits, quoted"
_LETTERS2, _LETTERS3 = "two capital letters", "three capital letters"
SCHEMES: dict[str, Scheme] = {
    "P297": _scheme(WDT + "P297", "ISO 3166-1 alpha-2 code", r"[A-Z]{2}", _LETTERS2),
    "P298": _scheme(WDT + "P298", "ISO 3166-1 alpha-3 code", r"[A-Z]{3}", _LETTERS3),
    "P299": _scheme(WDT + "P299", "ISO 3166-1 numeric code", r"[0-9]{3}", "three digits, quoted"),
    "P901": _scheme(WDT + "P901", "FIPS 10-4 code", r"[A-Z]{2}", _LETTERS2),
    "P1566": _scheme(WDT + "P1566", "GeoNames id", r"[1-9][0-9]*", _TEXT),
    "cameoCode": _scheme(
        GC + "cameoCode", "CAMEO actor code", r"(?:[A-Z]{3})+", "groups of three capital letters"
    ),
    "cowCode": _scheme(
        GC + "cowCode", "Correlates of War country code", r"[1-9][0-9]{1,2}", _DIGITS23
    ),
    "cowAbbreviation": _scheme(
        GC + "cowAbbreviation", "Correlates of War state abbreviation", r"[A-Z]{3}", _LETTERS3
    ),
    "gwCode": _scheme(GC + "gwCode", "Gleditsch-Ward state number", r"[1-9][0-9]{1,2}", _DIGITS23),
}
_VALUE_KEYS = {"value", "validFrom", "validUntil", "note"}


def assignment_iri(base: str, eid: str, key: str, n: int | None = None) -> str:
    """The IRI of the node for one identifier of an entity."""
    return f"{base}identifier/{eid}/{key}" + (f"-{n}" if n is not None else "")


def write_identifiers(
    sink: Sink, entity: YMap, base: str, subject: str, graph: str, file: str
) -> None:
    """The entity's identifiers as literals and assignment nodes in `graph`."""
    block = entity.get("identifiers")
    if block is None:
        return
    if not isinstance(block, YMap):
        raise DataError(
            "identifiers: expected a mapping of codes", file, entity.line_of("identifiers")
        )
    s = iri(subject)
    for key, value in block.items():
        line = block.line_of(key)
        scheme = SCHEMES.get(key)
        if scheme is None:
            known = ", ".join(SCHEMES)
            raise DataError(f"identifiers: unknown key {key!r} (known: {known})", file, line)
        items = as_list(value) if isinstance(value, YList) else [(value, line)]
        for n, (item, item_line) in enumerate(items, start=1):
            code, start, end, note = _code(key, item, scheme, file, item_line or line)
            node = iri(assignment_iri(base, entity["id"], key, n if len(items) > 1 else None))
            sink.add(graph, s, scheme.prop, plain(code))
            sink.add(graph, s, GC + "identifierAssignment", node)
            sink.add_type(graph, node, GC + "IdentifierAssignment")
            sink.add(graph, node, SCHEMA + "propertyID", iri(scheme.prop))
            sink.add(graph, node, SCHEMA + "value", plain(code))
            if start is not None:
                sink.add(graph, node, GC + "validFrom", typed(start.isoformat(), XSD + "date"))
            if end is not None:
                sink.add(graph, node, GC + "validUntil", typed(end.isoformat(), XSD + "date"))
            if note:
                sink.add(graph, node, SKOS + "editorialNote", en(note))


def _code(
    key: str, item: Any, scheme: Scheme, file: str, line: int
) -> tuple[str, dt.date | None, dt.date | None, str]:
    """(code, valid from, valid until, note) of one value, checked."""
    start = end = None
    note = ""
    if isinstance(item, YMap):
        for k in item:
            if k not in _VALUE_KEYS:
                raise DataError(
                    f"identifiers: {key}: unknown key {k!r} (value, validFrom, validUntil, note)",
                    file,
                    item.line_of(k),
                )
        start = _date(key, "validFrom", item.get("validFrom"), file, item.line_of("validFrom"))
        end = _date(key, "validUntil", item.get("validUntil"), file, item.line_of("validUntil"))
        if start is not None and end is not None and end < start:
            raise DataError(f"identifiers: {key}: valid until before valid from", file, line)
        note = item.get("note") or ""
        if not isinstance(note, str):
            raise DataError(f"identifiers: {key}: note: expected text", file, item.line_of("note"))
        line = item.line_of("value")
        item = item.get("value")
    if not isinstance(item, str):
        raise DataError(
            f"identifiers: {key}: expected {scheme.shape} as text, got {item!r}"
            + (" (quote numeric codes)" if isinstance(item, int) else ""),
            file,
            line,
        )
    if not scheme.pattern.fullmatch(item):
        raise DataError(
            f"identifiers: {key} ({scheme.name}): {item!r} is not {scheme.shape}", file, line
        )
    return item, start, end, note


def _date(key: str, name: str, value: Any, file: str, line: int) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise DataError(f"identifiers: {key}: {name}: expected a date YYYY-MM-DD", file, line)
    return value
