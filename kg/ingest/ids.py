"""The ids of the YAML files: checked, unique within their list, and resolved through scopes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kg.errors import DataError
from kg.ingest.yamlfile import YMap, as_list

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def check_id(value: Any, file: str, line: int) -> str:
    """An id: a non-empty string safe to put in an IRI path."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise DataError(f"bad id {value!r} (letters, digits, '.', '_', '-')", file, line)
    return value


def by_id(items: Any, kind: str, file: str) -> dict[str, YMap]:
    """The mappings of a YAML list by their id, refusing a missing, bad or repeated id."""
    found: dict[str, YMap] = {}
    for item, line in as_list(items or []):
        if not isinstance(item, YMap) or "id" not in item:
            article = "an" if kind[0] in "aeiou" else "a"
            raise DataError(f"{article} {kind} needs an id", file, line)
        key = check_id(item["id"], file, item.line_of("id"))
        if key in found:
            raise DataError(f"duplicate {kind} id {key!r}", file, item.line_of("id"))
        found[key] = item
    return found


@dataclass
class Scope:
    """Ids visible from a file: name -> IRI, searched in order."""

    tables: list[dict[str, str]] = field(default_factory=list)

    def lookup(self, name: str) -> str | None:
        for table in self.tables:
            if name in table:
                return table[name]
        return None

    def child(self, table: dict[str, str]) -> Scope:
        return Scope([table, *self.tables])

    def names(self) -> set[str]:
        """Every id visible from here (for suggestions)."""
        return {name for table in self.tables for name in table}
