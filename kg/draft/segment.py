"""Stage 1, segmentation: lines, paragraphs, sentences and quotations, with exact offsets.

A line is the headline (the first non-empty line, or the one given as headline), a bullet (it
starts with a bullet mark), a heading (a short line alone in its paragraph, not ending a sentence)
or body text. Body and bullet lines are split into sentences after . ? ! when the next word starts
a sentence, except after an abbreviation or an initial. Quotations are found per paragraph
(straight and curly double quotes, curly single quotes inside them) and may span sentences.
"""

from __future__ import annotations

import re

from kg.draft.knowledge import Knowledge
from kg.draft.model import Doc, Quotation, Sentence

_BULLET = re.compile(r"[ \t]*[•·▪‣◦*–-][ \t]+")
_END = re.compile(r"[.?!]+[\"'”’)\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9\u00C0-\u024F])")
_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "gen",
    "lt",
    "col",
    "sgt",
    "gov",
    "sen",
    "rep",
    "prof",
    "jr",
    "sr",
    "inc",
    "ltd",
    "co",
    "corp",
    "vs",
    "etc",
    "no",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "u.s",
    "u.k",
    "e.u",
    "u.n",
    "approx",
    "est",
    "capt",
    "maj",
    "adm",
    "cmdr",
    "brig",
    "pres",
    "rev",
    "hon",
    "mt",
    "ft",
}
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
# A dateline opening a report: "MINSK, Aug 17 (Reuters) - ", "VELNA, May 15 – ".
_DATELINE = re.compile(
    r"[A-Z][A-Z .'’-]{2,}(?:,\s+[A-Z][A-Za-z]+)?(?:,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
    r"(?:\s+\([^)]{2,40}\))?\s+[–—-]\s+"
)
_HEADING_MAX_WORDS = 20
_MARKS = re.compile('[“”"‘’]')


def lines(text: str) -> list[tuple[int, int]]:
    """(begin, end) of every line, without its line break."""
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append((pos, pos + len(body)))
        pos += len(line)
    return out


def _trim(text: str, b: int, e: int) -> tuple[int, int]:
    while b < e and text[b].isspace():
        b += 1
    while e > b and text[e - 1].isspace():
        e -= 1
    return b, e


def split_sentences(text: str, b: int, e: int) -> list[tuple[int, int]]:
    """Sentences of text[b:e] (one line): cut after . ? ! unless an abbreviation or initial ends."""
    out, start = [], b
    for m in _END.finditer(text, b, e):
        if text[m.start()] == ".":
            before = _WORD_BEFORE.search(text, max(b, m.start() - 12), m.start())
            if before is not None:
                word = before.group(1).lower()
                if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                    continue
        s, t = _trim(text, start, m.end())
        if t > s:
            out.append((s, t))
        start = m.end()
    s, t = _trim(text, start, e)
    if t > s:
        out.append((s, t))
    return out


def quotations(text: str, b: int, e: int, paragraph: int) -> list[Quotation]:
    """Quotations of one paragraph text[b:e]: “...” and "..." at the top, ‘...’ inside them."""
    out: list[Quotation] = []
    stack: list[tuple[str, int]] = []  # (closing mark, position of the opening mark)
    for mark in _MARKS.finditer(text, b, e):
        i = mark.start()
        ch = text[i]
        prev = text[i - 1] if i > b else " "
        nxt = text[i + 1] if i + 1 < e else " "
        if ch == "“" or (ch == '"' and not (stack and stack[-1][0] == '"') and not prev.isalnum()):
            stack.append(("”" if ch == "“" else '"', i))
        elif ch in '”"' and stack and stack[-1][0] == ch:
            _, start = stack.pop()
            out.append(Quotation(start + 1, i, start, i + 1, paragraph, len(stack)))
        elif ch == "‘" and stack and not prev.isalnum():
            stack.append(("’", i))
        elif ch == "’" and stack and stack[-1][0] == "’" and not nxt.isalpha():
            _, start = stack.pop()
            out.append(Quotation(start + 1, i, start, i + 1, paragraph, len(stack)))
    while stack:  # a quotation left open runs to the end of its paragraph
        mark, start = stack.pop()
        if mark != "’":
            out.append(Quotation(start + 1, e, start, e, paragraph, len(stack)))
    return sorted(out, key=lambda q: q.outer_begin)


def segment(doc: Doc, kb: Knowledge) -> None:
    """Fill doc.sentences, doc.paragraphs and doc.quotations."""
    text = doc.text
    spans = lines(text)
    blocks: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for b, e in spans:
        if text[b:e].strip():
            current.append((b, e))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    headline_seen = False
    wanted = (doc.meta.headline or "").strip()
    for p, block in enumerate(blocks):
        doc.paragraphs.append((block[0][0], block[-1][1]))
        for b, e in block:
            b, e = _trim(text, b, e)
            line = text[b:e]
            if not headline_seen and (not wanted or line == wanted):
                doc.sentences.append(Sentence(b, e, "headline", p))
                headline_seen = True
                continue
            bullet = _BULLET.match(text, b)
            if bullet is not None and bullet.start() == b:
                for s, t in split_sentences(text, bullet.end(), e):
                    doc.sentences.append(Sentence(s, t, "bullet", p))
                continue
            words = len(line.split())
            if (
                len(block) == 1
                and words <= _HEADING_MAX_WORDS
                and not re.search(r"[.!:;,\"”’]$", line)
            ):
                doc.sentences.append(Sentence(b, e, "heading", p))
                continue
            dateline = _DATELINE.match(text, b)
            if dateline is not None and doc.dateline is None:
                doc.dateline = (b, dateline.end())
                b = dateline.end()
            for s, t in split_sentences(text, b, e):
                doc.sentences.append(Sentence(s, t, "body", p))
        doc.quotations.extend(quotations(text, block[0][0], block[-1][1], p))
    for n, s in enumerate(doc.sentences):
        s.index = n
