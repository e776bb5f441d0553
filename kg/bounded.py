"""Queries whose work is bounded by their answer, which the web worker may run itself.

A killable query process (kg.executor) is what keeps a runaway query from hurting the server,
and it costs two process crossings per query: about two thirds of a point lookup's time. A few
shapes of query cannot run away, because Oxigraph answers them from one index range scan in
which every quad read is a row of the answer (no join, no filter, no offset, no sort, no
DISTINCT, no repeated variable; a union default graph keeps duplicates, so it merges nothing
either):

    SELECT ?p ?o WHERE { <iri> ?p ?o }                 (any projection, LIMIT)
    SELECT * { GRAPH ?g { ex:thing a ?type } }
    ASK { <iri> ?p "a string"@en }
    DESCRIBE <iri> ex:other                           (their triples, and their blank nodes')

that is: one triple pattern whose subject is an IRI (never a variable or a blank node), alone or
inside one GRAPH, with PREFIX and BASE declarations before it. `is_bounded(text)` says whether
a query's text is one of them. It reads the text with the tokenizer `kg.sparqltext` uses (the
parser's tokens: comments skipped, strings and IRIs whole) and accepts nothing else, so a text
it accepts cannot hold more structure; the parser still checks everything else (a text it
accepts may yet be a syntax error, answered as any other). The executor runs such queries in
the worker, up to the `inline_rows` setting's rows (past it, in a query process after all).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.sparqltext import _IRI, _TOKEN

_CONSTANT = ("iri", "pname")
_PROLOGUE = re.compile(
    r"(?:\s*(?:PREFIX\s+(?:[^\W\d_][\w.\-]*)?:\s*|BASE\s*)<[^<>\"{}|^`\\\x00-\x20]*>)*", re.I
)
_OPS = (".", "*", "^^")
_NEVER = "(;,[|+!=&"  # characters none of the shapes holds outside a string or an IRI


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    """(kind, text) of each token, read as they are asked for; ("end", "") at the end, and
    ("other", ...) at the first token outside the accepted shapes (then nothing more). Plain
    PREFIX and BASE declarations at the start are passed over in one match (the parser checks
    them)."""
    prologue = _PROLOGUE.match(text)
    pos = prologue.end() if prologue is not None else 0
    while True:
        m = _TOKEN.match(text, pos)
        kind = m.lastgroup if m is not None else None
        if m is None or kind is None:
            yield ("other", "")
            return
        value = m.group(kind)
        pos = m.end()
        if kind == "end":
            yield ("end", "")
            return
        if kind == "lt":  # no expressions here: a `<` can only open an IRI
            iri = _IRI.match(text, m.start("lt"))
            if iri is None:
                yield ("other", "<")
                return
            yield ("iri", iri.group(0))
            pos = iri.end()
        elif kind == "name":
            if value.startswith("_:"):  # a blank node in a pattern is a variable
                yield ("other", value)
                return
            if ":" in value:
                trimmed = value.rstrip(".")  # a name's trailing dots end the triple
                pos -= len(value) - len(trimmed)
                yield ("pname", trimmed)
            else:
                yield ("word", value.upper() if value != "a" else value)
        elif kind == "string" and _closed_string(value) or kind in ("var", "number", "lang"):
            yield (kind, value)
        elif value in ("{", "}") and kind in ("open", "close") or value in _OPS and kind == "op":
            yield (value, value)
        else:
            yield ("other", value)
            return


def _closed_string(value: str) -> bool:
    """A one-line string in double quotes, closed (the tokenizer also reads unclosed ones)."""
    return len(value) >= 2 and value[0] == value[-1] == '"' and not value.startswith('"""')


class _Reader:
    """The grammar of the accepted shapes, over the token list."""

    def __init__(self, tokens: Iterator[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.next = next(tokens)
        self.variables: list[str] = []

    def peek(self) -> tuple[str, str]:
        return self.next

    def take(self, *kinds: str, word: str | None = None) -> str | None:
        kind, value = self.next
        if kind not in kinds or word is not None and value != word:
            return None
        if kind not in ("end", "other"):
            self.next = next(self.tokens)
        return value

    def prologue(self) -> bool:
        while True:
            if self.take("word", word="PREFIX") is not None:
                name = self.take("pname")
                if name is None or not name.endswith(":") or self.take("iri") is None:
                    return False
            elif self.take("word", word="BASE") is not None:
                if self.take("iri") is None:
                    return False
            else:
                return True

    def variable(self) -> bool:
        name = self.take("var")
        if name is None:
            return False
        self.variables.append(name[1:])
        return True

    def term(self, *kinds: str) -> bool:
        """A constant of these kinds, or a variable."""
        return self.take(*kinds) is not None or self.variable()

    def literal(self) -> bool:
        if self.take("string") is None:
            return False
        if self.take("lang") is None and self.take("^^") is not None:
            return self.take(*_CONSTANT) is not None
        return True

    def triple(self) -> bool:
        found = (
            self.take(*_CONSTANT) is not None
            and (self.take("word", word="a") is not None or self.term(*_CONSTANT))
            and (self.term(*_CONSTANT, "number") or self.literal())
        )
        self.take(".")
        return found

    def group(self) -> bool:
        if self.take("{") is None:
            return False
        if self.take("word", word="GRAPH") is not None:
            if not self.term(*_CONSTANT):
                return False
            if self.take("{") is None or not self.triple() or self.take("}") is None:
                return False
            self.take(".")
        elif not self.triple():
            return False
        return self.take("}") is not None

    def query(self) -> bool:
        if not self.prologue():
            return False
        if self.take("word", word="DESCRIBE") is not None:
            if self.take(*_CONSTANT) is None:
                return False
            while self.take(*_CONSTANT) is not None:
                pass
            return self.peek()[0] == "end"
        if self.take("word", word="ASK") is not None:
            self.take("word", word="WHERE")
            return self.group() and self.peek()[0] == "end"
        if self.take("word", word="SELECT") is None:
            return False
        if self.take("*") is None:
            if self.take("var") is None:
                return False
            while self.take("var") is not None:
                pass
        self.take("word", word="WHERE")
        if not self.group():
            return False
        if self.take("word", word="LIMIT") is not None and self.take("number") is None:
            return False
        return self.peek()[0] == "end"


def is_bounded(sparql: str) -> bool:
    """Whether the query is one triple pattern with a constant subject (or a DESCRIBE of
    constants): its work is bounded by its answer, so it cannot run away."""
    if sparql.count("{") > 2 or any(c in sparql for c in _NEVER):
        return False  # most queries: a few microseconds, no tokens read
    reader = _Reader(_tokens(sparql))
    if not reader.query():
        return False
    # A repeated variable (`<s> ?x ?x`) filters the scan: rows read would not all be answers.
    return len(set(reader.variables)) == len(reader.variables)
