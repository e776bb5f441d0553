"""The values rules compare: dates at their precision, counts as intervals with vagueness."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kg.check.model import XSD, Lit, Node, Snapshot
from kg.namespaces import GC, TIME

# --- dates -------------------------------------------------------------------------------------

PRECISION = {
    XSD + "date": "day",
    XSD + "dateTime": "day",
    XSD + "gYearMonth": "month",
    XSD + "gYear": "year",
}


@dataclass(frozen=True)
class When:
    """A date at the precision it was given: the first and last day it may mean."""

    begin: date
    end: date
    precision: str
    text: str

    def within(self, other: When) -> bool:
        return other.begin <= self.begin and self.end <= other.end

    def overlaps(self, other: When) -> bool:
        return self.begin <= other.end and other.begin <= self.end


def as_when(lit: Lit) -> When | None:
    """A date literal (xsd:date, gYearMonth, gYear) as a `When`."""
    precision = PRECISION.get(lit.datatype)
    text = lit.value
    try:
        if precision == "day":
            d = date.fromisoformat(text[:10])
            return When(d, d, "day", d.isoformat())
        if precision == "month":
            y, m = int(text[:4]), int(text[5:7])
            last = calendar.monthrange(y, m)[1]
            return When(date(y, m, 1), date(y, m, last), "month", f"{y:04d}-{m:02d}")
        if precision == "year":
            y = int(text[:4])
            return When(date(y, 1, 1), date(y, 12, 31), "year", f"{y:04d}")
    except ValueError:
        return None
    return None


def at_precision(d: date, precision: str) -> When:
    """The period of that precision containing `d`."""
    if precision == "year":
        return When(date(d.year, 1, 1), date(d.year, 12, 31), "year", f"{d.year:04d}")
    if precision == "month":
        last = calendar.monthrange(d.year, d.month)[1]
        return When(
            date(d.year, d.month, 1),
            date(d.year, d.month, last),
            "month",
            f"{d.year:04d}-{d.month:02d}",
        )
    return When(d, d, "day", d.isoformat())


def dates(snap: Snapshot, node: Node, props: Iterable[str] | None = None) -> list[tuple[str, When]]:
    """(property, when) for every date literal of the node and of its nested time nodes."""
    out: list[tuple[str, When]] = []
    for prop, values in sorted(node.props.items()):
        if props is not None and prop not in props:
            continue
        for v in values:
            if isinstance(v, Lit):
                w = as_when(v)
                if w:
                    out.append((prop, w))
            elif (child := snap.node(v)) is not None and child.graph == node.graph:
                for cprop in (GC + "resolvedDate", TIME + "inXSDDate"):
                    for lit in child.literals(cprop):
                        w = as_when(lit)
                        if w:
                            out.append((prop, w))
    return out


def whole_years(start: date, end: date) -> int:
    """Completed years from start to end."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


# --- counts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """A count as bounds: exact (lo == hi), at least, at most, or vague."""

    lo: int | None
    hi: int | None
    vague: bool
    text: str

    def overlaps(self, other: Count) -> bool:
        lo = max(x for x in (self.lo, other.lo, 0) if x is not None)
        his = [x for x in (self.hi, other.hi) if x is not None]
        return not his or lo <= min(his)

    def describe(self) -> str:
        if self.lo is not None and self.lo == self.hi:
            core = f"{self.lo:,}"
        elif self.lo is not None and self.hi is not None:
            core = f"between {self.lo:,} and {self.hi:,}"
        elif self.lo is not None:
            core = f"at least {self.lo:,}"
        elif self.hi is not None:
            core = f"at most {self.hi:,}"
        else:
            core = "an unstated number"
        words = f'"{self.text}" ({core})' if self.text else core
        return words + (", vague" if self.vague else "")


def as_count(snap: Snapshot, value: str | Lit) -> Count | None:
    """An integer literal or a gc:Quantity node as a `Count`."""
    if isinstance(value, Lit):
        n = value.as_int()
        return Count(n, n, False, "") if n is not None else None
    node = snap.node(value)
    if node is None:
        return None
    exact = node.first_literal(GC + "exactValue")
    lo = node.first_literal(GC + "minValue")
    hi = node.first_literal(GC + "maxValue")
    if exact is None and lo is None and hi is None:
        return None
    vague_lit = node.first_literal(GC + "vague")
    text_lit = node.first_literal(GC + "surfaceText")
    vague = vague_lit is not None and vague_lit.value in ("true", "1")
    text = text_lit.value if text_lit else ""
    if exact is not None:
        n = exact.as_int()
        return Count(n, n, vague, text)
    return Count(lo.as_int() if lo else None, hi.as_int() if hi else None, vague, text)


def counts(snap: Snapshot, node: Node) -> list[tuple[str, Count]]:
    """(property, count) for every gc:Quantity the node holds."""
    # A quantity appears under its own property and the materialised super-properties
    # (gc:count, sem:eventProperty): keep the most specific gc: one.
    best: dict[str, str] = {}
    for prop, values in sorted(node.props.items()):
        for v in values:
            child = snap.node(v) if isinstance(v, str) else None
            if child is None or GC + "Quantity" not in child.types:
                continue
            rank = (prop.startswith(GC), prop != GC + "count")
            old = best.get(child.iri)
            if old is None or rank > (old.startswith(GC), old != GC + "count"):
                best[child.iri] = prop
    out = []
    for iri, prop in sorted(best.items(), key=lambda kv: (kv[1], kv[0])):
        c = as_count(snap, iri)
        if c:
            out.append((prop, c))
    return out
