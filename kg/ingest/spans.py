"""Character spans over an article's text: quote lookup, sentences, and NIF/Web Annotation nodes.

Offsets count Unicode code points in the text exactly as stored: the file's UTF-8 bytes are
decoded and nothing else is done (no newline conversion, no Unicode normalisation, a BOM would be
kept as U+FEFF). A span is `[begin, end)`: begin inclusive, end exclusive, so `text[b:e]` is its
anchor.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right

from kg.ingest.terms import Sink, iri, plain, typed
from kg.namespaces import NIF, OA, XSD

AFFIX = 32  # characters of prefix/suffix kept by a TextQuoteSelector
_BULLET = re.compile(r"[ \t]*(?:[•·▪‣◦*-][ \t]+)?")
# A sentence ends at . ? ! (with any closing quotes/brackets) before whitespace and a capital or
# an opening quote.
_END = re.compile(r"[.?!][\"'”’)\]]*(?=\s+[\"“‘'(]?[A-Z0-9\u00C0-\u024F])")


def occurrences(text: str, needle: str) -> list[int]:
    """Every start of `needle` in `text`, overlapping ones included."""
    found, start = [], text.find(needle)
    while start != -1:
        found.append(start)
        start = text.find(needle, start + 1)
    return found


# Characters that are easy to type for another (curly quotes, dashes, no-break space): folded to
# their plain form, one for one, to find where a quote that is not in the text almost is.
_FOLD = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"', "„": '"', "–": "-",
                       "—": "-", "‑": "-", "\u00a0": " ", "\u202f": " "})  # fmt: skip
_MIN_NEAR = 8  # shorter common stretches are coincidence, not a near miss


_CONTROL = {"\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\t": "CHARACTER TABULATION"}


def _char(c: str) -> str:
    return f"{c!r} (U+{ord(c):04X} {_CONTROL.get(c) or unicodedata.name(c, 'unnamed')})"


def near_miss(text: str, quote: str) -> str:
    """Where `quote` almost occurs in `text`, and the first character that differs (or '')."""
    folded = text.translate(_FOLD).lower()
    at = folded.find(quote.translate(_FOLD).lower())
    if at == -1:
        best, at = _longest_common(text, quote), -1
        if best[0] >= _MIN_NEAR:
            at = best[1]
        if at == -1:
            rev = _longest_common(text[::-1], quote[::-1])
            if rev[0] < _MIN_NEAR:
                return ""
            at = len(text) - rev[1] - len(quote)
            at = max(at, 0)
    window = text[at : at + len(quote)]
    k = next((i for i, (a, b) in enumerate(zip(window, quote, strict=False)) if a != b), None)
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    where = f"nearest passage at line {line}, column {column}: {window!r}"
    if k is None:
        return f"{where}: the quote runs past the end of the text"
    return (f"{where}: character {k + 1} differs: the quote has {_char(quote[k])}, "
            f"the article {_char(window[k])}")  # fmt: skip


def _longest_common(text: str, quote: str) -> tuple[int, int]:
    """(length, position) of the longest prefix of `quote` that occurs in `text`."""
    best = (0, -1)
    for start in occurrences(text, quote[0]):
        n = 0
        while n < len(quote) and start + n < len(text) and text[start + n] == quote[n]:
            n += 1
        if n > best[0]:
            best = (n, start)
    return best


def locate(text: str, quote: str, context: str | None = None) -> tuple[int, int]:
    """The span of `quote`, unique in the text or inside a unique `context`; ValueError if not."""
    if not quote:
        raise ValueError("empty quote")
    if context is None:
        hits = occurrences(text, quote)
        if not hits:
            hint = near_miss(text, quote)
            found = f"quote not found in article: {quote!r}"
            raise ValueError(found + (f"; {hint}" if hint else ""))
        if len(hits) > 1:
            raise ValueError(
                f"quote occurs {len(hits)} times in article (give a unique context): {quote!r}"
            )
        return hits[0], hits[0] + len(quote)
    ctx = occurrences(text, context)
    if len(ctx) != 1:
        what = "not found" if not ctx else f"found {len(ctx)} times"
        hint = near_miss(text, context) if not ctx else ""
        raise ValueError(f"context {what} in article: {context!r}" + (f"; {hint}" if hint else ""))
    inner = occurrences(context, quote)
    if len(inner) != 1:
        what = "not found" if not inner else f"found {len(inner)} times"
        raise ValueError(f"quote {what} in its context: {quote!r}")
    begin = ctx[0] + inner[0]
    return begin, begin + len(quote)


def sentences(text: str) -> list[tuple[int, int]]:
    """Deterministic sentence spans: each line, split after . ? ! before a capital or a quote.

    Leading blanks and a bullet mark are not part of a line's first sentence; trailing blanks
    are not part of any sentence. Headline, bullet and sub-heading lines are sentences too.
    """
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        start = pos + _BULLET.match(body).end()
        line_end = pos + len(body)
        pos += len(line)
        cuts = [pos - len(line) + m.end() for m in _END.finditer(body)]
        for cut in [*cuts, line_end]:
            b, e = start, cut
            while b < e and text[b].isspace():
                b += 1
            while e > b and text[e - 1].isspace():
                e -= 1
            if e > b:
                out.append((b, e))
            start = cut
    return out


class Spans:
    """Span nodes of one article, written into its document graph once each."""

    def __init__(self, sink: Sink, graph: str, article: str, text: str) -> None:
        self.sink, self.graph, self.article, self.text = sink, graph, article, text
        self.context = f"{article}#char=0,{len(text)}"
        self.sentence_spans = sentences(text)
        self._starts = [b for b, _ in self.sentence_spans]
        self._done: set[tuple[int, int]] = set()

    def write_context(self) -> None:
        g, c = self.graph, iri(self.context)
        self.sink.add_type(g, c, NIF + "Context")
        self.sink.add_type(g, c, NIF + "RFC5147String")
        self.sink.add_type(g, c, NIF + "String")
        self.sink.add(g, c, NIF + "isString", plain(self.text))
        self.sink.add(g, c, NIF + "beginIndex", typed("0", XSD + "nonNegativeInteger"))
        self.sink.add(
            g, c, NIF + "endIndex", typed(str(len(self.text)), XSD + "nonNegativeInteger")
        )
        self.sink.add(g, c, NIF + "sourceUrl", iri(self.article))

    def write_sentences(self) -> None:
        for b, e in self.sentence_spans:
            node = self.span(b, e)
            self.sink.add_type(self.graph, node, NIF + "Sentence")

    def sentence_of(self, begin: int, end: int) -> tuple[int, int] | None:
        """The sentence holding `begin` (None if the span starts outside every sentence)."""
        i = bisect_right(self._starts, begin) - 1
        if i < 0:
            return None
        b, e = self.sentence_spans[i]
        return (b, e) if b <= begin < e else None

    def iri(self, begin: int, end: int) -> str:
        return f"{self.article}#char={begin},{end}"

    def span(self, begin: int, end: int) -> object:
        """The span node `[begin, end)`, writing its NIF and Web Annotation description once."""
        node = iri(self.iri(begin, end))
        if (begin, end) in self._done:
            return node
        self._done.add((begin, end))
        g, add, text = self.graph, self.sink.add, self.text
        nni = XSD + "nonNegativeInteger"
        for cls in ("RFC5147String", "String", "OffsetBasedString"):
            self.sink.add_type(g, node, NIF + cls)
        add(g, node, NIF + "beginIndex", typed(str(begin), nni))
        add(g, node, NIF + "endIndex", typed(str(end), nni))
        add(g, node, NIF + "anchorOf", plain(text[begin:end]))
        add(g, node, NIF + "referenceContext", iri(self.context))
        self.sink.add_type(g, node, OA + "SpecificResource")
        add(g, node, OA + "hasSource", iri(self.article))
        base = f"{self.article}/selector/{begin}-{end}"
        quote, position = iri(base + "/quote"), iri(base + "/position")
        add(g, node, OA + "hasSelector", quote)
        add(g, node, OA + "hasSelector", position)
        self.sink.add_type(g, quote, OA + "TextQuoteSelector")
        add(g, quote, OA + "exact", plain(text[begin:end]))
        add(g, quote, OA + "prefix", plain(text[max(0, begin - AFFIX) : begin]))
        add(g, quote, OA + "suffix", plain(text[end : end + AFFIX]))
        self.sink.add_type(g, position, OA + "TextPositionSelector")
        add(g, position, OA + "start", typed(str(begin), nni))
        add(g, position, OA + "end", typed(str(end), nni))
        sentence = self.sentence_of(begin, end)
        if sentence is not None and sentence != (begin, end) and end <= sentence[1]:
            add(g, node, NIF + "superString", iri(self.iri(*sentence)))
        return node
