"""Stage 2, cues: the lexicon words that decide attribution, polarity, certainty and modality.

Each cue is a span of the text and the lexicon entry behind it: reporting verbs, "according to",
agentless hedges, negations, denial words, a speaker's declined report ("did not say"), modal
words (possible, probable, future, hypothetical, conditional). Later stages read them by
position; nothing here looks at entities.
"""

from __future__ import annotations

from kg.draft.knowledge import Knowledge
from kg.draft.model import Cue, Doc


def cues(doc: Doc, kb: Knowledge) -> None:
    """Fill doc.cues, in text order."""
    lex, text, found = kb.lex, doc.text, []
    for s in doc.sentences:
        b, e = s.begin, s.end
        for m in lex.verb_re.finditer(text, b, e):
            verb = lex.verbs[m.group(0).lower()]
            if verb.needs and verb.needs not in text[m.end() : min(e, m.end() + 80)]:
                continue
            found.append(Cue("report", m.start(), m.end(), verb))
        found.extend(Cue("according", m.start(), m.end()) for m in lex.according_re.finditer(text, b, e))
        lower = text[b:e].lower()
        for hedge in lex.hedges:
            for m in hedge.pattern.finditer(lower):
                found.append(Cue("hedge", b + m.start(), b + m.end(), hedge))
        excepted = [(m.start(), m.end()) for m in lex.negation_exceptions_re.finditer(text, b, e)]
        for m in lex.negation_re.finditer(text, b, e):
            if not any(x <= m.start() < y for x, y in excepted):
                found.append(Cue("negation", m.start(), m.end()))
        for kind, pattern in (
            ("denial", lex.denial_re),
            ("declined", lex.declined_re),
            ("not_possible", lex.not_possible_re),
            ("possible", lex.possible_re),
            ("probable", lex.probable_re),
            ("future", lex.future_re),
            ("hypothetical", lex.hypothetical_re),
            ("conditional", lex.conditional_re),
        ):
            for m in pattern.finditer(text, b, e):
                if m.group(0) == "May" and m.start() != b:
                    continue  # the month, not the modal verb
                found.append(Cue(kind, m.start(), m.end()))
    doc.cues = sorted(found, key=lambda c: (c.begin, c.end))
