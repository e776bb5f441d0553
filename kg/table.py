"""Query results as a plain-text table for a terminal: IRIs shortened, long texts cut."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

CELL = 80  # widest cell, in characters; the other formats give the full values


def term(node: Any, prefixes: Mapping[str, str], base: str) -> str:
    """A term as a short cell: a prefixed name, `<path>` under the base, or the literal's text."""
    if isinstance(node, ox.NamedNode):
        # Longest namespace first, so gcs: wins over gc:.
        for prefix, iri in sorted(prefixes.items(), key=lambda item: -len(item[1])):
            local = node.value[len(iri) :]
            if node.value.startswith(iri) and re.fullmatch(r"[\w./-]*", local):
                return f"{prefix}:{local}"
        if node.value.startswith(base):
            return "<" + node.value[len(base) :] + ">"
        return f"<{node.value}>"
    if isinstance(node, ox.Literal):
        text = " ".join(node.value.split())
        return text if len(text) <= CELL else text[: CELL - 1] + "…"
    return str(node)


def render(results: Any, prefixes: Mapping[str, str], base: str) -> str:
    """SELECT results as aligned columns under a header, with a row count; ASK as true/false."""
    if isinstance(results, ox.QueryBoolean):
        return ("true" if bool(results) else "false") + "\n"
    names = [v.value for v in results.variables]
    rows = [
        ["" if row[n] is None else term(row[n], prefixes, base) for n in names] for row in results
    ]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"
