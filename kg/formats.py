"""Formats: name <-> media type <-> pyoxigraph format, and `Accept` negotiation with q-values.

Shared by the CLI (`--format`) and the web layer (`Accept`, `format=`). Two families are offered:
`RESULTS` for SELECT/ASK (SPARQL JSON, XML, CSV, TSV) and `GRAPH` for CONSTRUCT/DESCRIBE and the
Graph Store Protocol (Turtle, N-Triples, RDF/XML, JSON-LD, TriG, N-Quads). Each family is listed
in the server's order of preference: the first is the default when the client states none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.errors import NotAcceptable


@dataclass(frozen=True)
class Format:
    """One serialization: its short name, media type, other names, and pyoxigraph format."""

    name: str
    media_type: str
    aliases: tuple[str, ...]
    ox: Any  # ox.RdfFormat or ox.QueryResultsFormat
    extension: str

    @property
    def is_graph(self) -> bool:
        return isinstance(self.ox, ox.RdfFormat)

    @property
    def content_type(self) -> str:
        """The Content-Type header value (text types say their charset)."""
        if self.media_type.startswith("text/") or self.media_type.endswith(("json", "+xml")):
            return self.media_type + "; charset=utf-8"
        return self.media_type


R = ox.QueryResultsFormat
G = ox.RdfFormat

RESULTS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", ("srj", "application/json"), R.JSON, "srj"),
    Format(
        "xml",
        "application/sparql-results+xml",
        ("srx", "application/xml", "text/xml"),
        R.XML,
        "srx",
    ),
    Format("csv", "text/csv", (), R.CSV, "csv"),
    Format("tsv", "text/tab-separated-values", (), R.TSV, "tsv"),
)

GRAPH: tuple[Format, ...] = (
    Format(
        "turtle", "text/turtle", ("ttl", "n3", "text/n3", "application/x-turtle"), G.TURTLE, "ttl"
    ),
    Format(
        "nt", "application/n-triples", ("ntriples", "n-triples", "text/plain"), G.N_TRIPLES, "nt"
    ),
    Format(
        "rdfxml",
        "application/rdf+xml",
        ("xml", "rdf", "rdf+xml", "application/xml", "text/xml"),
        G.RDF_XML,
        "rdf",
    ),
    Format(
        "jsonld",
        "application/ld+json",
        ("json-ld", "json", "application/json"),
        G.JSON_LD,
        "jsonld",
    ),
    Format("trig", "application/trig", (), G.TRIG, "trig"),
    Format("nq", "application/n-quads", ("nquads", "n-quads"), G.N_QUADS, "nq"),
)

#: Formats able to carry several graphs (for whole-dataset dumps).
DATASET = tuple(f for f in GRAPH if f.name in {"trig", "nq"})


def by_name(name: str, family: Sequence[Format]) -> Format | None:
    """The format of this family known by this short name, alias or media type."""
    key = name.strip().lower().split(";")[0].strip()
    for fmt in family:
        if key == fmt.name or key == fmt.media_type or key in fmt.aliases:
            return fmt
    return None


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int:
        """-1 if it does not match, else its specificity (0 `*/*`, 1 `type/*`, 2 exact)."""
        t, _, s = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != t:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == s else -1


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed entries are skipped, never fatal."""
    ranges: list[MediaRange] = []
    for part in (header or "").split(","):
        items = part.split(";")
        media = items[0].strip().lower()
        if "/" not in media:
            if media == "*":  # some clients send a bare `*`
                media = "*/*"
            else:
                continue
        q = 1.0
        for param in items[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        t, _, s = media.partition("/")
        ranges.append(MediaRange(t, s, q))
    return ranges


def _quality(ranges: list[MediaRange], media_type: str, aliases: Iterable[str] = ()) -> float:
    """The q of the most specific range matching a media type (RFC 9110 12.5.1)."""
    return _rank(ranges, media_type, aliases)[0]


def _rank(
    ranges: list[MediaRange], media_type: str, aliases: Iterable[str] = ()
) -> tuple[float, int]:
    """(q, minus the position of the deciding range): equal q goes to the client's first choice.

    Aliases (application/json for SPARQL JSON, ...) count only when named exactly, so that
    wildcards like `text/*` pick a format's own media type.
    """
    aliases = tuple(aliases)
    best_spec, best = -1, (0.0, 0)
    for pos, r in enumerate(ranges):
        spec = r.matches(media_type)
        if spec < 0 and any(r.matches(a) == 2 for a in aliases):
            spec = 2
        if spec > best_spec or (spec == best_spec and spec >= 0 and r.q > best[0]):
            best_spec, best = spec, (r.q, -pos)
    return best if best_spec >= 0 else (0.0, 0)


def negotiate(accept: str | None, family: Sequence[Format]) -> Format:
    """The offered format the client prefers; ties go to the client's, then the server's order."""
    ranges = parse_accept(accept)
    if not ranges:
        return family[0]
    best: Format | None = None
    best_rank = (0.0, 0)
    for fmt in family:
        rank = _rank(ranges, fmt.media_type, (a for a in fmt.aliases if "/" in a))
        if rank[0] > 0 and (best is None or rank > best_rank):
            best, best_rank = fmt, rank
    if best is None:
        raise NotAcceptable(
            f"none of the accepted media types is offered; offered: {offered(family)}"
        )
    return best


_chosen: dict[tuple[str | None, tuple[str, ...], int], Format] = {}


def choose(accept: str | None, format_params: Sequence[str], family: Sequence[Format]) -> Format:
    """`format=` values override `Accept`; a known name of another family is a 406.

    Remembered per (Accept, format=, family): clients send the same few headers again and again.
    """
    key = (accept, tuple(format_params), id(family))
    found = _chosen.get(key)
    if found is None:
        found = _choose(accept, format_params, family)
        if len(_chosen) >= 512:
            _chosen.clear()  # bounded; refilled by the next requests
        _chosen[key] = found
    return found


def _choose(accept: str | None, format_params: Sequence[str], family: Sequence[Format]) -> Format:
    other = GRAPH if family is RESULTS else RESULTS
    wrong = None
    for value in format_params:
        fmt = by_name(value, family)
        if fmt is not None:
            return fmt
        if by_name(value, other) is not None:
            wrong = value
    if wrong is not None:
        raise NotAcceptable(
            f"format {wrong!r} is not offered for this result; offered: {offered(family)}"
        )
    # Unknown values (e.g. other engines' names) are tolerated and Accept decides.
    return negotiate(accept, family)


def offered(family: Sequence[Format]) -> str:
    """The media types of a family, for error messages and service descriptions."""
    return ", ".join(f.media_type for f in family)


def prefers_html(accept: str | None) -> bool:
    """Whether a client (a browser) prefers HTML over every machine format."""
    ranges = parse_accept(accept)
    html = _quality(ranges, "text/html")
    if html <= 0:
        return False
    machine = ("text/plain", "application/json", "text/turtle", "application/sparql-results+json")
    # An exact text/html entry wins against `*/*`; browsers send exactly that.
    exact = any(r.type == "text" and r.subtype == "html" for r in ranges)
    others = max(
        (r.q for r in ranges for m in machine if r.matches(m) == 2),
        default=0.0,
    )
    return exact and html >= others


def write_results(results: Any, output: Any, fmt: Format) -> None:
    """Serialize query results (pyoxigraph's, or an iterable of triples) into a binary file."""
    if hasattr(results, "serialize"):
        results.serialize(output, fmt.ox)
    else:
        ox.serialize(results, output, fmt.ox)
