"""SPARQL text read without parsing: nesting, tree size and SERVICE clauses, in one scan.

The query parser and evaluator (pyoxigraph) recurse: a query nested thousands of levels deep, or
a chain of thousands of OPTIONAL/BIND/UNION or `||`, overflows their stack and kills the process
(SIGSEGV). `scan(text)` measures a query before it is parsed, skipping strings, IRIs and comments
as the parser does, and finds every SERVICE clause with its endpoint resolved against PREFIX and
BASE, for `kg.guard` and `kg.service`.

`<` is the only ambiguous character: the start of an IRI, or less-than in an expression.
`scan` decides it by context as the grammar does (less-than only inside an expression, after an
operand) and notes when another reading would differ; `readings(text)` then also scans reading
every such `<` as an IRI and as less-than, and the checks hold only if every reading passes, so
that nothing can hide behind a misread `<`. The parser needs no space around keywords
(`trueSERVICE<x>` is a SERVICE clause), so SERVICE is looked for inside words too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import pyoxigraph as ox

from kg.errors import BadParameter

_ESCAPE = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_IRI = re.compile(rf"<((?:[^<>\"{{}}|^`\\\x00-\x20]|{_ESCAPE})*)>")
_LOCAL = r"(?:[\w\-:.\u00B7]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])*+"
# One token, after the white space and comments before it; the commonest kinds first. A name
# with a colon is a prefixed name (its trailing dots are not its own: `scan` gives them back).
_TOKEN = re.compile(
    r"""
    (?:\s++|\#[^\n\r]*+)*+
    (?:(?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]++)
      |(?P<name>(?:_|[^\W\d_][\w.\-\u00B7]*+)?:LOCAL|[^\W\d_][\w\-]*+)
      |(?P<open>[{(\[])
      |(?P<close>[})\]])
      |(?P<lt><)
      |(?P<number>\d+\.\d*[eE][+-]?\d+|\.\d+(?:[eE][+-]?\d+)?|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      |(?P<op>\|\||&&|!=|>=|>>|\^\^|[=!+\-*/|^,;.>])
      |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*+(?:'''|\Z)
                 |\"\"\"(?:[^"\\]|\\.|"(?!""))*+(?:\"\"\"|\Z)
                 |'(?:[^'\\\n\r]|\\.)*+'?
                 |"(?:[^"\\\n\r]|\\.)*+"?)
      |(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
      |(?P<other>.)
      |(?P<end>\Z))
    """.replace("LOCAL", _LOCAL),
    re.X | re.S,
)
# Keywords that chain one more node onto the algebra tree of their group, with their weight: the
# stack one costs the engine, in ~1 KiB units (measured on a 2 MiB stack: a BIND or MINUS ~3 KiB,
# a nested group ~4 KiB with its brackets, a UNION or OPTIONAL branch ~1.4, `||` ~0.9).
LINKS = {
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
    written: str  # `<iri>`, `prefix:local` or `?var` as in the text (else the text there)
    endpoint: str | None  # the absolute IRI, None for a variable or an unresolvable name
    problem: str = ""  # why `endpoint` is None


@dataclass
class Frame:
    """One open bracket while scanning: what it holds and the chain measured inside it."""

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
    ambiguous: bool = False  # a `<` that another reading would take the other way
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


def scan(
    text: str,
    base: str | None = None,
    *,
    lt: str = "context",
    max_depth: int = 0,
    max_chain: int = 0,
) -> Scan:
    """Measure `text` (a query or an update) and find its SERVICE clauses.

    `base` resolves relative IRIs (BASE in the text overrides it). `lt` says how to read `<`:
    "context" (as the grammar does), "iri" (an IRI wherever one can start), "operator"
    (less-than after any operand in any parentheses). Past `max_depth` or `max_chain` (0: no
    limit) the scan stops early, its measures then only saying that much."""
    out = Scan()
    stack = [Frame("top")]
    prefixes: dict[str, str] = {}
    prev = ""  # kind of the previous significant token
    prev_word = ""  # the last word seen, upper case
    # After FILTER, BIND...: the next `(` (maybe after a function's IRI) opens an expression.
    expect_call = False
    expect_values = False  # after VALUES: the next `{` holds data
    state, prefix_name = "", ""  # what a PREFIX or BASE keyword awaits
    pos, end = 0, len(text)
    while pos < end:
        if max_chain and stack[-1].links > max_chain:
            break
        match = _TOKEN.match(text, pos)
        assert match is not None  # `other` matches any character
        kind = match.lastgroup or "end"
        if kind == "end":
            break
        value = match.group(kind)
        start, pos = match.start(kind), match.end()
        if kind == "name":
            if ":" in value:
                kind = "pname"
                while value.endswith("."):  # a prefixed name never ends with a dot
                    value, pos = value[:-1], pos - 1
            else:
                kind = "word"
        frame = stack[-1]
        if kind == "lt":
            # Less-than, or an IRI or `<<` (a triple term): if the readings disagree on one,
            # `readings` scans each way.
            kind = _lt_kind(text, start, frame, prev, lt)
            if not out.ambiguous:
                out.ambiguous = any(_lt_kind(text, start, frame, prev, w) != kind for w in _WAYS)
            if kind == "termopen":
                pos = start + 2
            elif kind == "iri":
                iri = _IRI.match(text, start)
                assert iri is not None
                value, pos = unescape_iri(iri.group(1)), iri.end()
            elif text.startswith("<=", start):
                value, pos = "<=", start + 2
        if kind == "op" and value == ">>" and frame.kind == "term":
            kind = "termclose"
        upper = value.upper() if kind == "word" else ""
        if kind in ("word", "pname") and state != "prefix":
            # The parser needs no space around keywords (`trueSERVICE<x>`, `SERVICEex:y`, a
            # prefix `service:`): SERVICE may start anywhere in a word or a name's prefix.
            head = upper or value.partition(":")[0].upper()
            found = head.find("SERVICE")
            while found >= 0:
                out.services.append(_service_at(text, start + found, prefixes, base))
                found = head.find("SERVICE", found + 1)
        # PREFIX name: <iri>; BASE <iri>
        if state == "prefix":
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
            if frame.kind != "data":
                if upper in LINKS:
                    frame.links += LINKS[upper]
                elif len(upper) > 4:  # keywords glued to others (`trueBIND(`) count too
                    frame.links += sum(w * upper.count(k) for k, w in LINKS.items() if k in upper)
            if upper in ("PREFIX", "BASE"):
                state = upper.lower()
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
            if max_depth and out.depth > max_depth:
                break
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
    while len(stack) > 1:  # unclosed: the parser will refuse the text, but measure it anyway
        done = stack.pop()
        stack[-1].deepest = max(stack[-1].deepest, done.cost() + 1)
    out.chain = stack[0].cost()
    return out


_WAYS = ("context", "iri", "operator")


def readings(
    text: str, base: str | None = None, *, max_depth: int = 0, max_chain: int = 0
) -> list[Scan]:
    """The scan of the text by context and, if one of its `<` could be read the other way, the
    scans reading every `<` as an IRI and as less-than where possible: a check passes only if
    every reading does, so that no misread `<` can hide a SERVICE clause or brackets."""
    first = scan(text, base, max_depth=max_depth, max_chain=max_chain)
    if not first.ambiguous:
        return [first]
    return [first] + [
        scan(text, base, lt=way, max_depth=max_depth, max_chain=max_chain) for way in _WAYS[1:]
    ]


def _lt_kind(text: str, at: int, frame: Frame, prev: str, way: str) -> str:
    """What the `<` at `at` starts, read one way: "op" (less-than), "termopen" or "iri"."""
    after_operand = prev in _OPERAND
    if way == "context":  # less-than only in an expression, after an operand (the grammar)
        operator = frame.kind == "expr" and after_operand
    elif way == "operator":  # less-than wherever an expression could be: in any parentheses
        operator = after_operand and frame.paren
    else:  # "iri": never less-than where an IRI or a triple term can start
        operator = False
    if operator:
        return "op"
    if text.startswith("<<", at):
        return "termopen"
    return "iri" if _IRI.match(text, at) else "op"


_GAP = re.compile(r"(?:\s++|\#[^\n\r]*+)*+")
_VAR = re.compile(r"[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]++")
_PNAME = re.compile(r"(?:_|[^\W\d_][\w.\-\u00B7]*+)?:" + _LOCAL)


def _service_at(text: str, offset: int, prefixes: dict[str, str], base: str | None) -> Service:
    """The SERVICE clause whose keyword starts at `offset`: [SILENT] and its endpoint, read from
    the text that follows (whatever token the keyword is glued into)."""
    pos = _GAP.match(text, offset + len("SERVICE")).end()
    silent = text[pos : pos + 6].upper() == "SILENT"
    if silent:
        pos = _GAP.match(text, pos + 6).end()
    if iri := _IRI.match(text, pos):
        value = unescape_iri(iri.group(1))
        endpoint = _resolve(base, value)
        problem = "" if endpoint else "a relative IRI and no base"
        return Service(offset, silent, f"<{value}>", endpoint, problem)
    if var := _VAR.match(text, pos):
        return Service(offset, silent, var.group(), None, "a variable, not an endpoint")
    if name := _PNAME.match(text, pos):
        value = name.group().rstrip(".")
        prefix, _, local = value.partition(":")
        if prefix not in prefixes:
            problem = f"the prefix {prefix}: is not declared"
            return Service(offset, silent, value, None, problem)
        return Service(offset, silent, value, prefixes[prefix] + re.sub(r"\\(.)", r"\1", local))
    shown = text[offset : offset + 40].split("\n")[0]
    return Service(offset, silent, shown, None, "no endpoint IRI after SERVICE")


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
