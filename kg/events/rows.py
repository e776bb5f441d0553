"""What every event source shares: a bad row, the filters, checked values, minted node IRIs."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.events import nt

_DECIMAL = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_INTEGER = re.compile(r"^[+-]?\d+$")


class RowError(ValueError):
    """A row that does not follow the published layout (the message says which column and why)."""


@dataclass(frozen=True)
class Filters:
    """What to keep: a date range (inclusive, ISO dates), actor countries, event root codes."""

    first: str = ""
    last: str = ""
    countries: frozenset[str] = frozenset()
    roots: frozenset[str] = frozenset()

    def keeps_date(self, day: str) -> bool:
        return (not self.first or day >= self.first) and (not self.last or day <= self.last)

    def keeps_countries(self, codes: Iterable[str]) -> bool:
        return not self.countries or any(c in self.countries for c in codes)

    def keeps_root(self, root: str) -> bool:
        return not self.roots or root in self.roots

    def describe(self) -> list[str]:
        """The filters as the import records them (gc:importFilter), one string each."""
        out = []
        if self.first:
            out.append(f"from {self.first}")
        if self.last:
            out.append(f"to {self.last}")
        if self.countries:
            out.append("actor country " + " ".join(sorted(self.countries)))
        if self.roots:
            out.append("event root code " + " ".join(sorted(self.roots)))
        return out


@dataclass
class Nodes:
    """Shared nodes (actors, places) described once per batch of rows, named by their content."""

    prefix: str
    seen: set[str] = field(default_factory=set)
    limit: int = 50_000  # described again after this many: memory stays flat

    def name(self, kind: str, parts: Iterable[str]) -> str:
        return f"<{self.prefix}{kind}/{digest(parts)}>"

    def first_time(self, node: str) -> bool:
        """True the first time a node is met in this batch (its description is then written)."""
        if node in self.seen:
            return False
        if len(self.seen) >= self.limit:
            self.seen.clear()
        self.seen.add(node)
        return True


def digest(parts: Iterable[str]) -> str:
    """A short, stable name for a node from the values that make it what it is."""
    return hashlib.blake2b("\t".join(parts).encode(), digest_size=8).hexdigest()


_days: dict[str, str] = {}


def day(text: str, column: str) -> str:
    """YYYYMMDD or YYYY-MM-DD as an ISO date, checked (RowError when it is no calendar date)."""
    known = _days.get(text)
    if known is not None:
        return known
    digits = text.replace("-", "") if len(text) == 10 and text[4] == "-" == text[7] else text
    if len(digits) != 8 or not digits.isdigit():
        raise RowError(f"{column}: {text!r} is not a date (YYYYMMDD)")
    try:
        iso = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:])).isoformat()
    except ValueError:
        raise RowError(f"{column}: {text!r} is not a calendar date") from None
    if len(_days) > 100_000:
        _days.clear()
    _days[text] = iso
    return iso


def timestamp(text: str, column: str) -> str:
    """YYYYMMDDHHMMSS (UTC) as an xsd:dateTime literal, checked."""
    if len(text) != 14 or not text.isdigit():
        raise RowError(f"{column}: {text!r} is not a time (YYYYMMDDHHMMSS)")
    iso = day(text[:8], column)
    h, m, s = int(text[8:10]), int(text[10:12]), int(text[12:])
    if h > 23 or m > 59 or s > 60:
        raise RowError(f"{column}: {text!r} is not a time of day")
    return nt.typed(f"{iso}T{text[8:10]}:{text[10:12]}:{text[12:]}Z", "dateTime")


def integer(text: str, column: str) -> str:
    if not _INTEGER.match(text):
        raise RowError(f"{column}: {text!r} is not a whole number")
    return f'"{int(text)}"^^<{nt.XSD}integer>'


def decimal(text: str, column: str) -> str:
    if not _DECIMAL.match(text):
        try:
            value = float(text)
        except ValueError:
            raise RowError(f"{column}: {text!r} is not a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise RowError(f"{column}: {text!r} is not a finite number")
        text = format(value, "f")
    return f'"{text}"^^<{nt.XSD}decimal>'


def coordinate(text: str, column: str, bound: float) -> str:
    """A latitude (bound 90) or longitude (180) in degrees, checked."""
    literal = decimal(text, column)
    if abs(float(text)) > bound:
        raise RowError(f"{column}: {text!r} is out of range (±{bound:g})")
    return literal
