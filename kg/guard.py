"""Checks on a query's or update's text before anything parses it.

pyoxigraph's parser and evaluator recurse, and a query nested a few thousand levels deep (an 8 KB
GET) or chaining thousands of BINDs overflows their stack: the process dies (SIGSEGV) with every
request it holds. `check_query` / `check_update` measure the text first (kg.sparqltext) and refuse
with a 400 (`QueryTooComplex`) past `query_max_depth` levels of nesting or `query_max_chain` links
on any path of the query's tree; then `kg.service` checks every SERVICE clause against the
allowlist. Every way of running a query goes through `kg.jobs.execute`, which calls
`check_query`; the update path calls `check_update`.

The limits are far above real queries (the named queries reach depth 8 and chain 145) and below
what overflows even a 2 MiB stack (a Rust-made thread's default; Python's threads and main thread
get 8 MiB here): the longest query of each crashing shape that they let through runs on a 2 MiB
stack (tests/test_guard.py). Links are weighted by the stack each costs (kg.sparqltext).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.config import Config
from kg.errors import QueryTooComplex
from kg.sparqltext import GROUP_WEIGHT, scan


@dataclass(frozen=True)
class Limits:
    """The settings the checks use (a small, picklable part of Config, carried by jobs)."""

    query_max_depth: int = Config.query_max_depth
    query_max_chain: int = Config.query_max_chain
    service_allowlist: str = Config.service_allowlist
    service_allow_private: bool = Config.service_allow_private

    @classmethod
    def of(cls, config: Any) -> Limits:
        """The limits of a Config (or of anything with the same attributes)."""
        if isinstance(config, Limits):
            return config
        return cls(
            config.query_max_depth,
            config.query_max_chain,
            config.service_allowlist,
            config.service_allow_private,
        )


def check_query(sparql: str, config: Any, base_iri: str | None = None) -> None:
    """Refuse a query that would overflow the parser or call a SERVICE not allowed."""
    _check(sparql, config, base_iri, "query")


def check_update(sparql: str, config: Any, base_iri: str | None = None) -> None:
    """Refuse an update that would overflow the parser or call a SERVICE not allowed."""
    _check(sparql, config, base_iri, "update")


# Every byte but those that may be a link of a chain (operators, separators) or open a level.
_NOT_LINK = bytes(b for b in range(256) if chr(b) not in ".;,|/^=!<>+-*&{([")
_HEAVY = ("bind", "minus")  # the keywords of weight 3; the others weigh 1 and have 5+ letters


def _surely_within(sparql: str, lower: str, config: Any) -> bool:
    """Whether byte counts already prove the text within the limits, so that no scan is needed:
    nesting cannot exceed the brackets opened, nor a chain the weights of every byte and keyword
    that could be a link (a bracket weighs at most 3: a link of its parent, and its own level)."""
    data = sparql.encode("utf-8", "surrogatepass")
    opens = data.count(b"{") + data.count(b"(") + data.count(b"[") + data.count(b"<<")
    if config.query_max_depth and opens > config.query_max_depth:
        return False
    if config.query_max_chain:
        links = (GROUP_WEIGHT + 1) * opens + len(data.translate(None, _NOT_LINK))
        links += 3 * sum(map(lower.count, _HEAVY)) + len(data) // 5
        if links > config.query_max_chain:
            return False
    return True


def _check(sparql: str, config: Any, base_iri: str | None, what: str) -> None:
    lower = sparql.lower()
    if "service" not in lower and _surely_within(sparql, lower, config):
        return  # the common case: a few microseconds, no scan
    found = scan(sparql, base_iri)
    if config.query_max_depth and found.depth > config.query_max_depth:
        raise QueryTooComplex(
            f"the {what} nests {found.depth} levels of brackets; at most "
            f"{config.query_max_depth} are allowed (setting query_max_depth)"
        )
    if config.query_max_chain and found.chain > config.query_max_chain:
        raise QueryTooComplex(
            f"the {what} chains {found.chain} operators, patterns and clauses on one path; at "
            f"most {config.query_max_chain} are allowed (setting query_max_chain): split it, or "
            "use VALUES or IN for long lists"
        )
    if found.services or "service" in lower:
        from kg.service import check_services

        check_services(sparql, config, base_iri, found)
