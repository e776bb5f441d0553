"""Binding values into SPARQL text for stores without pyoxigraph's `substitutions` (remote ones).

Values go in as a `VALUES` block of N-Triples terms, never spliced: no value can change the
query's structure. Finding where to put the block takes a small scanner that knows which braces
and keywords are hidden in comments, strings and IRIs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError

# The pieces of SPARQL text that may hide braces or keywords: comments, strings, IRIs, names.
_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                  |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<word>[?$@]?[A-Za-z_0-9\u00C0-\uFFFF][\w\-.\u00B7-\uFFFF]*(?::[^\s{}()<>,;"']*)?)
      | (?P<brace>[{}])""",
    re.VERBOSE | re.DOTALL,
)
_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
_VAR_NAME = re.compile(r"^[A-Za-z_0-9][A-Za-z_0-9\u00B7\u00C0-\uFFFF]*$")


def query_form(sparql: str) -> str | None:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the form of the query, None if it cannot be told."""
    for match in _TOKEN.finditer(sparql):
        word = match.group("word")
        if word and word.upper() in _FORMS:
            return word.upper()
    return None


def bind_values(sparql: str, substitutions: Mapping[str, Any]) -> str:
    """The query with `VALUES` binding these variables at the start of its WHERE group.

    Joined first in the top-level group, the bindings constrain the whole pattern before grouping,
    as pyoxigraph's `substitutions` do (a trailing VALUES clause would join after GROUP BY). Terms
    are written in their N-Triples form, so no value can change the query's structure.
    """
    names = list(substitutions)
    for name in names:
        if not _VAR_NAME.match(name):
            raise QueryError(f"not a SPARQL variable name: {name!r}")
    row = " ".join(_term(substitutions[name]) for name in names)
    block = " VALUES (" + " ".join("?" + n for n in names) + ") { (" + row + ") } "
    at = _where_brace(sparql)
    if at is None:  # no WHERE group (DESCRIBE <x>, CONSTRUCT WHERE short form): trailing VALUES
        return sparql + "\n" + block
    return sparql[: at + 1] + block + sparql[at + 1 :]


def _term(value: Any) -> str:
    if isinstance(value, ox.NamedNode | ox.Literal):
        return str(value)
    raise QueryError(f"cannot bind {value!r}: only IRIs and literals can be substitutions")


def _where_brace(sparql: str) -> int | None:
    """The offset of the `{` opening the query's WHERE group, or None."""
    depth = 0
    form = None
    construct_template = False
    after_form: list[str] = []
    for match in _TOKEN.finditer(sparql):
        word, brace = match.group("word"), match.group("brace")
        if depth == 0 and word:
            upper = word.upper()
            if form is None and upper in _FORMS:
                form = upper
                continue
            if form is not None:
                after_form.append(upper)
            if upper == "VALUES":  # a trailing VALUES clause: there was no WHERE group
                return None
        if brace == "{":
            if depth == 0 and form is not None:
                if form == "CONSTRUCT" and not construct_template:
                    construct_template = True
                    if "WHERE" in after_form:  # CONSTRUCT WHERE { template }: no group of ours
                        return None
                else:
                    return match.start()
            depth += 1
        elif brace == "}":
            depth -= 1
    return None
