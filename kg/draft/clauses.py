"""Clause units of a sentence part, found from punctuation and closed word classes (no parser).

A claim is one proposition, so a sentence is cut where a new one starts: at "; ", ", but", a
dash, ", and" or "and" before a new clause ("and they are", "and became", "and thousands
detained"), before a participle clause (", accusing"), around a relative clause (", which ..."),
after a fronted subordinate clause ("Since X joined, ...") and before a trailing apposition
(", the most serious dispute ..."). Relative clauses and appositions in the middle are nested:
the main clause keeps its whole span and the nested one is a claim of its own too.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from kg.draft.lexicon import Lexicon

_WORD = re.compile(r"[^\W_](?:[\w’'-]*[^\W_])?")
_SEPARATORS = re.compile(
    r";\s+|,\s+but\s+|\s+[–—-]\s+|,\s+and\s+|(?<=[\w”’)])\s+and\s+|(?<=[\w”’)])\s+but\s+|,\s+(?=[a-z]+ing\s)"
    r"|,\s+(?:while|whereas)\s+|,\s+(?=(?:since|because|after|before|when|although|though|as)\s)"
)
_RELATIVE = re.compile(r",\s+(who|which|whose|where)\s+")
_FRONTED = re.compile(
    r"(?:since|after|before|when|because|although|though|once|as soon as|until)\s", re.IGNORECASE
)
_APPOSITION = re.compile(r",\s+(?:the|a|an)\s+")
_OPENERS_NOT_CLAIMS = re.compile(r"(?:when\s+)?asked\b", re.IGNORECASE)


@dataclass
class Unit:
    """A clause span; `nested` units lie inside their parent, which keeps its whole span."""

    begin: int
    end: int
    kind: str  # clause | relative | participle | fronted | apposition
    why: str
    parent: Unit | None = None


def verbish(word: str, lex: Lexicon) -> bool:
    """A finite verb or participle by the closed classes and the -ed ending."""
    known = _VERBISH.get(word)
    if known is None:
        w = word.lower()
        known = (
            w in lex.auxiliaries
            or w in lex.irregular_past
            or w in lex.verbs
            or (w.endswith("ed") and len(w) > 4 and w not in lex.not_verbs_ed)
        )
        if len(_VERBISH) < 100_000:
            _VERBISH[word] = known
    return known


_VERBISH: dict[str, bool] = {}  # word -> verbish (one lexicon per process)


def has_verb(text: str, b: int, e: int, lex: Lexicon) -> bool:
    """Whether a verb-like word starts in text[b:e] (the text's verbs found once, then bisected)."""
    starts = _verbs(text, lex)
    i = bisect_left(starts, b)
    if i < len(starts) and starts[i] < e:
        # the word must also end by e
        m = _WORD.match(text, starts[i])
        return m is not None and (
            m.end() <= e or any(verbish(w.group(0), lex) for w in _WORD.finditer(text, b, e))
        )
    return False


_VERBS: dict[int, tuple[str, list[int]]] = {}


def _verbs(text: str, lex: Lexicon) -> list[int]:
    """Starts of the verb-like words of `text`, computed once per text (a small cache)."""
    key = id(text)
    found = _VERBS.get(key)
    if found is None or found[0] is not text:
        if len(_VERBS) > 8:
            _VERBS.clear()
        found = (text, [m.start() for m in _WORD.finditer(text) if verbish(m.group(0), lex)])
        _VERBS[key] = found
    return found[1]


def _starts_clause(text: str, pos: int, e: int, lex: Lexicon) -> bool:
    """Whether the words at `pos` open a clause of their own (after "and")."""
    words = [m.group(0) for m in _WORD.finditer(text, pos, min(e, pos + 60))][:3]
    if not words:
        return False
    first = words[0].lower()
    if first in lex.subject_pronouns or verbish(first, lex):
        return True
    quantity = first in lex.quantities["vague_plurals"] or first.replace(",", "").isdigit()
    return quantity and len(words) > 1 and verbish(words[1], lex)


def _trim(text: str, b: int, e: int) -> tuple[int, int]:
    while b < e and (text[b].isspace() or text[b] in ",;:–—-"):
        b += 1
    while e > b and (text[e - 1].isspace() or text[e - 1] in ",;:–—-"):
        e -= 1
    return b, e


def split(text: str, b: int, e: int, lex: Lexicon) -> list[Unit]:
    """The clause units of text[b:e], in text order (nested ones after their parent)."""
    cuts: list[tuple[int, int, str]] = []  # (cut begin, next begin, why)
    for m in _SEPARATORS.finditer(text, b, e):
        sep = m.group(0).strip().lower()
        if sep in ("and", ", and", ",and") or sep.endswith("and"):
            comma = sep.startswith(",")
            opens = _starts_clause(text, m.end(), e, lex) or (
                comma and has_verb(text, m.end(), e, lex)
            )
            left = has_verb(text, b, m.start(), lex) or (
                comma and len(text[b : m.start()].split()) >= 4
            )
            if not (opens and left):
                continue
            first = _WORD.match(text, m.end())
            why = "'and' before a new clause"
            if (
                first is not None
                and first.group(0).lower() not in lex.subject_pronouns
                and verbish(first.group(0), lex)
            ):
                why = "'and' before a verb: the subject of the clause before"
        elif sep.endswith("but") and not sep.startswith(","):
            if not _starts_clause(text, m.end(), e, lex):
                continue
            why = "'but' before a new clause"
        elif sep == ",":
            word = _WORD.match(text, m.end())
            if word is None or word.group(0).lower() in lex.not_participles:
                continue
            if not word.group(0).lower().endswith("ing"):
                clause_end = text.find(",", word.end(), e)
                if not has_verb(text, word.end(), clause_end if clause_end != -1 else e, lex):
                    continue
                why = f"adverbial clause ({word.group(0)!r})"
            else:
                why = f"participle clause ({word.group(0)!r})"
        else:
            why = f"clause separator {sep!r}"
        cuts.append((m.start(), m.end(), why))
    units: list[Unit] = []
    start, start_why = b, "clause"
    fronted = _FRONTED.match(text, b)
    if fronted is not None:
        comma = text.find(", ", fronted.end(), e)
        if comma != -1 and has_verb(text, fronted.end(), comma, lex):
            cuts.append((comma, comma + 2, "after a fronted subordinate clause"))
    if _OPENERS_NOT_CLAIMS.match(text, b):
        comma = text.find(", ", b, e)
        if comma != -1:
            start = comma + 2
    for cb, ce, why in sorted(cuts):
        if cb <= start:
            continue
        s, t = _trim(text, start, cb)
        if t > s:
            units.append(Unit(s, t, "clause", start_why))
        start, start_why = ce, why
    s, t = _trim(text, start, e)
    if t > s:
        units.append(Unit(s, t, "clause", start_why))
    out: list[Unit] = []
    for unit in units:
        out.extend(_nested(text, unit, lex))
    return out


def _nested(text: str, unit: Unit, lex: Lexicon) -> list[Unit]:
    """The unit, cut before a trailing relative clause or apposition, and the nested units."""
    out = [unit]
    for m in _RELATIVE.finditer(text, unit.begin, unit.end):
        comma = text.find(",", m.end(), unit.end)
        end = comma if comma != -1 else unit.end
        rel = Unit(m.start(1), end, "relative", f"relative clause ({m.group(1)!r})", unit)
        if end == unit.end:
            unit.end = _trim(text, unit.begin, m.start())[1]
            rel.parent = None
        out.append(rel)
    for m in _APPOSITION.finditer(text, unit.begin, unit.end):
        if text.find(",", m.end(), unit.end) != -1:
            continue  # an apposition in the middle ("Marrow, the minister, said") is no claim
        if not has_verb(text, unit.begin, m.start(), lex):
            continue
        words = [w.group(0).lower() for w in _WORD.finditer(text, m.end(), unit.end)]
        frame = any(
            w in lex.verbs
            and not lex.verbs[w].speech_objects
            and (i == len(words) - 1 or words[i + 1] in lex.prepositions)
            for i, w in enumerate(words)
        )
        if frame and not (words and words[0] in lex.speech_nouns):
            continue  # ", the ministry said (in a statement)": a reporting frame, not an apposition
        app = Unit(m.start() + 1, unit.end, "apposition", "trailing apposition", None)
        app.begin = _trim(text, app.begin, app.end)[0]
        unit.end = _trim(text, unit.begin, m.start())[1]
        out.append(app)
    return [u for u in out if u.end > u.begin]
