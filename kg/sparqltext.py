"""SPARQL text read without parsing: nesting, tree size and SERVICE clauses, in one scan.

The query parser and evaluator (pyoxigraph) recurse: a query nested thousands of levels deep, or
a chain of thousands of OPTIONAL/BIND/UNION or `||`, overflows their stack and kills the process
(SIGSEGV). `scan(text)` measures a query before it is parsed, skipping strings, IRIs and comments
as the parser does, and finds every SERVICE clause with its endpoint resolved against PREFIX and
BASE, for `kg.guard` and `kg.service`.

`<` is the only ambiguous character: the start of an IRI, or less-than in an expression.
`scan` decides it by context as the grammar does (less-than only inside an expression, after an
operand); `scan(text, lt=...)` forces one reading, which `kg.service` also tries so that no
SERVICE can hide behind a misread `<`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import pyoxigraph as ox

from kg.errors import BadParameter

_ESCAPE = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_IRI = re.compile(rf"<((?:[^<>\"{{}}|^`\\\x00-\x20]|{_ESCAPE})*)>")
_LOCAL_CHAR = r"[\w\-:\u00B7]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
   |(?P<comment>\#[^\n\r]*)
   |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)
             |\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|\Z)
             |'(?:[^'\\\n\r]|\\.)*'?
             |"(?:[^"\\\n\r]|\\.)*"?)
   |(?P<lt><)
   |(?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
   |(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
   |(?P<pname>(?:_|[^\W\d_](?:[\w.\-\u00B7]*[\w\-\u00B7])?)?:
              (?:(?:LOCAL)(?:(?:LOCAL|\.)*(?:LOCAL))?)?)
   |(?P<word>[^\W\d_][\w\-]*)
   |(?P<number>\d+\.\d*[eE][+-]?\d+|\.\d+(?:[eE][+-]?\d+)?|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
   |(?P<open>[{(\[])
   |(?P<close>[})\]])
   |(?P<op>\|\||&&|!=|>=|>>|\^\^|[=!+\-*/|^,;.>])
   |(?P<other>.)
    """.replace("LOCAL", _LOCAL_CHAR),
    re.X | re.S,
)
# Keywords that chain one more node onto the algebra tree of their group, with their weight: the
# stack one costs the engine, in ~1 KiB units (measured on a 2 MiB stack: a BIND or MINUS ~3 KiB,
# a nested group ~4 KiB with its brackets, a UNION or OPTIONAL branch ~1.4, `||` ~0.9).
_LINKS = {
    "BIND": 3,
    "MINUS": 3,
    **dict.fromkeys(("UNION", "OPTIONAL", "FILTER", "GRAPH", "SERVICE", "VALUES", "EXISTS"), 1),
}
GROUP_WEIGHT = 2  # a `{` or `[` as a link of its parent (its own level adds one more on closing)
_EXPRESSION_OPS = frozenset({"||", "&&", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "!"})
_PATTERN_OPS = frozenset({".", ";", ",", "|", "/", "^"})
_OPERAND = frozenset(
    {"var", "string", "number", "iri", "pname", "close", "lang", "termclose", "literal"}
)
_LITERAL_WORDS = frozenset({"TRUE", "FALSE", "A", "UNDEF"})
# Words after which the next `(` opens an expression.
_CALLERS = frozenset({"FILTER", "BIND", "HAVING", "BY", "ASC", "DESC"})


@dataclass
class Service:
    """One SERVICE clause: where it is, whether SILENT, and its endpoint as written and resolved."""

    offset: int
    silent: bool
    written: str  # `<iri>`, `prefix:local` or `?var` as in the text ('' when missing)
    endpoint: str | None  # the absolute IRI, None for a variable or an unresolvable name
    problem: str = ""  # why `endpoint` is None


@dataclass
class Frame:
    kind: str  # top, group (patterns, collections, paths), expr, data (VALUES), term (<< >>)
    paren: bool = False  # opened by `(`
    links: int = 0
    deepest: int = 0  # heaviest closed child: its links + its own deepest + 1

    def cost(self) -> int:
        return self.links + self.deepest


@dataclass
class Scan:
    """What `scan` measured: deepest nesting, heaviest chain, and the SERVICE clauses."""

    depth: int = 0
    chain: int = 0  # links on the heaviest path from the top to a leaf (a bound on tree depth)
    services: list[Service] = field(default_factory=list)
    # WHERE, USING and WITH outside any brackets (an update's operations): (word, offset, what
    # came before: "close" after a template's `}`, else the previous word)
    clauses: list[tuple[str, int, str]] = field(default_factory=list)


def unescape_iri(text: str) -> str:
    """An IRIREF's content with its \\u and \\U escapes decoded."""
    if "\\" not in text:
        return text
    return re.sub(_ESCAPE, lambda m: chr(int(m.group()[2:], 16)), text)


def _resolve(base: str | None, iri: str) -> str | None:
    if re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri):
        return iri
    return urljoin(base, iri) if base else None


def scan(text: str, base: str | None = None, *, lt: str = "context") -> Scan:
    """Measure `text` (a query or an update) and find its SERVICE clauses.

    `base` resolves relative IRIs (BASE in the text overrides it). `lt` says how to read `<`:
    "context" (as the grammar does), "iri" (an IRI wherever one can start), "operator"
    (less-than after any operand in any parentheses)."""
    out = Scan()
    stack = [Frame("top")]
    prefixes: dict[str, str] = {}
    prev = ""  # kind of the previous significant token
    prev_word = ""  # the last word seen, upper case
    expect_call = (
        False  # after FILTER, BIND...: the next `(` (maybe after a function IRI) is an expression
    )
    expect_values = False  # after VALUES: the next `{` holds data
    state, state_at, prefix_name = "", 0, ""  # what a SERVICE, PREFIX or BASE keyword awaits
    pos, end = 0, len(text)
    while pos < end:
        match = _TOKEN.match(text, pos)
        assert match is not None  # `other` matches any character
        kind = match.lastgroup or "other"
        value = match.group()
        start, pos = match.start(), match.end()
        if kind in ("ws", "comment"):
            continue
        frame = stack[-1]
        if kind == "lt":
            iri = _IRI.match(text, start)
            if text.startswith("<<", start):
                kind, pos = "termopen", start + 2
            elif _lt_is_operator(frame, prev, lt, iri):
                kind = "op"
                if text.startswith("<=", start):
                    value, pos = "<=", start + 2
            elif iri is not None:
                kind, value, pos = "iri", unescape_iri(iri.group(1)), iri.end()
            else:
                kind = "op"
        if kind == "op" and value == ">>" and frame.kind == "term":
            kind = "termclose"
        upper = value.upper() if kind == "word" else ""
        # SERVICE [SILENT] endpoint; PREFIX name: <iri>; BASE <iri>
        if state == "service" and upper == "SILENT":
            state = "service-silent"
        elif state in ("service", "service-silent"):
            out.services.append(
                _service(state_at, state == "service-silent", kind, value, prefixes, base)
            )
            state = ""
        elif state == "prefix":
            state, prefix_name = ("prefix-iri", value[:-1]) if kind == "pname" else ("", "")
        elif state == "prefix-iri":
            if kind == "iri":
                prefixes[prefix_name] = _resolve(base, value) or value
            state = ""
        elif state == "base":
            if kind == "iri":
                base = _resolve(base, value) or value
            state = ""
        if kind == "word":
            if len(stack) == 1 and upper in ("WHERE", "USING", "WITH"):
                out.clauses.append((upper, start, prev if prev == "close" else prev_word))
            prev_word = upper
            if upper in _LINKS and frame.kind != "data":
                frame.links += _LINKS[upper]
            if upper in ("SERVICE", "PREFIX", "BASE"):
                state, state_at = upper.lower(), start
            expect_call = upper in _CALLERS
            expect_values = upper == "VALUES" or (expect_values and upper != "WHERE")
            prev = "literal" if upper in _LITERAL_WORDS else "word"
            continue
        if kind in ("open", "termopen"):
            if kind == "termopen":
                new = "term"
            elif value == "{":
                new = "data" if expect_values else "group"
                expect_values = False
                if frame.kind in ("group", "top"):
                    frame.links += GROUP_WEIGHT
            elif value == "[":
                new = "group"
                if frame.kind == "group":
                    frame.links += GROUP_WEIGHT
            elif frame.kind in ("expr", "top") or expect_call or prev == "word":
                new = "expr"
                frame.links += 1
            elif frame.kind == "term" or prev == "termopen":
                new = "term"
            else:
                new = "data" if frame.kind == "data" else "group"
            expect_call = False
            stack.append(Frame(new, paren=value == "("))
            out.depth = max(out.depth, len(stack) - 1)
            prev = kind
            continue
        if kind in ("close", "termclose"):
            if len(stack) > 1:
                done = stack.pop()
                stack[-1].deepest = max(stack[-1].deepest, done.cost() + 1)
            prev = kind
            continue
        if kind == "op":
            ops = _EXPRESSION_OPS if frame.kind == "expr" else _PATTERN_OPS
            if frame.kind != "data" and value in ops:
                frame.links += 1
        if kind not in ("iri", "pname"):
            expect_call = False
        prev = kind
    if state in ("service", "service-silent"):
        out.services.append(_service(state_at, state == "service-silent", "", "", prefixes, base))
    while len(stack) > 1:  # unclosed: the parser will refuse the text, but measure it anyway
        done = stack.pop()
        stack[-1].deepest = max(stack[-1].deepest, done.cost() + 1)
    out.chain = stack[0].cost()
    return out


def _lt_is_operator(frame: Frame, prev: str, lt: str, iri: re.Match[str] | None) -> bool:
    if lt == "iri":
        return iri is None
    after_operand = prev in _OPERAND
    if lt == "operator":  # wherever an expression could be: in any parentheses
        return after_operand and frame.paren
    return frame.kind == "expr" and after_operand


def _service(
    offset: int, silent: bool, kind: str, value: str, prefixes: dict[str, str], base: str | None
) -> Service:
    """The SERVICE clause at `offset` whose endpoint token is (kind, value)."""
    if kind == "iri":
        endpoint = _resolve(base, value)
        problem = "" if endpoint else "a relative IRI and no base"
        return Service(offset, silent, f"<{value}>", endpoint, problem)
    if kind == "pname":
        prefix, _, local = value.partition(":")
        if prefix not in prefixes:
            return Service(offset, silent, value, None, f"the prefix {prefix}: is not declared")
        return Service(offset, silent, value, prefixes[prefix] + re.sub(r"\\(.)", r"\1", local))
    if kind == "var":
        return Service(offset, silent, value, None, "a variable, not an endpoint")
    return Service(offset, silent, value, None, "no endpoint IRI after SERVICE")


def with_dataset(update: str, using: list[str], using_named: list[str]) -> str:
    """The update with the protocol's `using-graph-uri` / `using-named-graph-uri` written in as
    USING / USING NAMED before each operation's WHERE (SPARQL 1.1 Protocol 2.2.3).

    An update that names its own dataset (USING, USING NAMED, WITH) is refused, as the protocol
    requires, and so is DELETE WHERE, which has no place for USING."""
    if not using and not using_named:
        return update
    try:
        graphs = [f"USING {ox.NamedNode(g)}" for g in using]
        graphs += [f"USING NAMED {ox.NamedNode(g)}" for g in using_named]
    except ValueError as err:
        raise BadParameter(f"using-graph-uri / using-named-graph-uri: {err}") from None
    found = scan(update)
    if any(word in ("USING", "WITH") for word, _, _ in found.clauses):
        raise BadParameter(
            "the update names its dataset (USING or WITH) and the request does too "
            "(using-graph-uri / using-named-graph-uri): give it in one place"
        )
    clause = " ".join(graphs) + " "
    out, last = [], 0
    for _word, offset, before in found.clauses:
        if before != "close":
            raise BadParameter(
                "using-graph-uri / using-named-graph-uri cannot apply to DELETE WHERE: "
                "write DELETE { ... } WHERE { ... }"
            )
        out += [update[last:offset], clause]
        last = offset
    out.append(update[last:])
    return "".join(out)
