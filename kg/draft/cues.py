"""Stage 2, cues: the lexicon words that decide attribution, polarity, certainty and modality.

Each cue is a span of the text and the lexicon entry behind it: reporting verbs, "according to",
agentless hedges, negations, denial words, a speaker's declined report ("did not say"), modal
words (possible, probable, future, hypothetical, conditional). Later stages read them by
position; nothing here looks at entities. Words are looked up in one pass over the text (a
phrase index keyed by first word); hedges, which are patterns, in one regex pass each.
"""

from __future__ import annotations

from kg.draft.knowledge import Knowledge
from kg.draft.model import Cue, Doc, windows


def cues(doc: Doc, kb: Knowledge) -> None:
    """Fill doc.cues, in text order."""
    lex, text = kb.lex, doc.text
    found: list[Cue] = []
    tokens = doc.tokens()
    words = [t[2] for t in tokens]
    starts = {s.begin for s in doc.sentences}
    exceptions: list[tuple[int, int]] = []
    for i, (b, e, word) in enumerate(tokens):
        kinds: set[str] = set()
        for phrase, kind, entry in lex.cue_index.get(word, ()):
            n = len(phrase)
            if kind in kinds or (n > 1 and tuple(words[i : i + n]) != phrase):
                continue  # the longest phrase of each kind wins ("called on" over "called")
            end = tokens[i + n - 1][1]
            if kind == "exception":
                exceptions.append((b, end))
                continue
            if kind in ("possible", "future") and text[b:e] == "May" and b not in starts:
                continue  # the month, not the modal verb
            if kind == "report" and entry.needs and entry.needs not in text[end : end + 80]:
                continue
            if (
                kind == "report"
                and entry.next
                and (i + n >= len(words) or words[i + n] not in entry.next)
            ):
                continue
            found.append(Cue(kind, b, end, entry))
            kinds.add(kind)
        if "'" in word:
            for clitic, kind in lex.clitics.items():
                if word.endswith(clitic) and len(word) > len(clitic):
                    found.append(Cue(kind, e - len(clitic), e))
    if exceptions:
        found = [
            c
            for c in found
            if c.kind != "negation" or not any(x <= c.begin < y for x, y in exceptions)
        ]
    lower = text.lower()
    spots = windows([(b, e) for b, e, w in tokens if w in lex.hedge_words], 45, 12, len(text))
    seen: set[tuple[int, int]] = set()
    for hedge in lex.hedges:
        for wb, we in spots:
            for m in hedge.pattern.finditer(lower, wb, we):
                if (m.start(), m.end()) not in seen:
                    seen.add((m.start(), m.end()))
                    found.append(Cue("hedge", m.start(), m.end(), hedge))
    doc.cues = sorted(found, key=lambda c: (c.begin, c.end))
