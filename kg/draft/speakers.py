"""Who says what: the lookups the attribution rules share, and the speaker of each quotation.

A quotation is a claim when a reporting frame stands beside it (’,” X said’, ’X said: “’,
’saying “’, ’told Y that his country “’) or when it fills its sentences (then it continues the
paragraph's last speaker); a short quotation inside a clause ("called it “a threat”") is part of
that clause. A speaker is the nearest agent before the verb that is not the object of a
preposition, or the name right after a verb that ends its clause ("..., said Putin").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from kg.draft.clauses import has_verb
from kg.draft.knowledge import Knowledge
from kg.draft.link import Mentions, subject_like
from kg.draft.model import Claim, Cue, Doc, Mention, Quotation, Sentence

_WORD = re.compile(r"[^\W_](?:[\w’'-]*[^\W_])?")
PUBLISHER, UNATTRIBUTED = "publisher", "unattributed"


@dataclass
class Speaker:
    """Who a quotation or a paragraph's reported speech belongs to."""

    ref: str
    mention: Mention | None
    attribution: str  # quote | reported | hearsay
    reporter: str | None
    sentence: int
    why: str


class Speakers:
    """Lookups by position over one document, and the speakers of its quotations."""

    def __init__(self, doc: Doc, kb: Knowledge) -> None:
        self.doc, self.kb, self.lex, self.text = doc, kb, kb.lex, doc.text
        self.mentions = Mentions(doc.mentions)
        self.cue_starts = [c.begin for c in doc.cues]
        self.sentence_starts = [s.begin for s in doc.sentences]
        self.top = [q for q in doc.quotations if q.depth == 0]
        self.quote_speaker: dict[int, Speaker | None] = {}
        self.claim_quotes: list[Quotation] = []
        self.state: Speaker | None = None  # the paragraph's running reported speech
        self.last_quote: Speaker | None = None
        self._subjects: dict[int, bool] = {}

    # --- lookups ---------------------------------------------------------------------------
    def cues(self, b: int, e: int, kinds: tuple[str, ...]) -> list[Cue]:
        i = bisect_left(self.cue_starts, b)
        out = []
        while i < len(self.doc.cues) and self.doc.cues[i].begin < e:
            c = self.doc.cues[i]
            if c.kind in kinds and c.end <= e:
                out.append(c)
            i += 1
        return out

    def in_quote(self, pos: int, quotes: list[Quotation] | None = None) -> bool:
        return any(q.outer_begin <= pos < q.outer_end for q in (quotes or self.claim_quotes))

    def agents(self, b: int, e: int, skip: list[tuple[int, int]] = ()) -> list[Mention]:
        return [
            m
            for m in self.mentions.within(b, e)
            if m.agent
            and m.ref
            and not self.in_quote(m.begin)
            and not any(x <= m.begin < y for x, y in skip)
        ]

    def sentence_of(self, pos: int) -> Sentence | None:
        i = bisect_right(self.sentence_starts, pos) - 1
        if i >= 0 and pos < self.doc.sentences[i].end:
            return self.doc.sentences[i]
        return None

    # --- speakers --------------------------------------------------------------------------
    def speaker_before(self, b: int, pos: int, skip: list[tuple[int, int]] = ()) -> Mention | None:
        """The subject of a verb at `pos`: the nearest agent before it, not after a preposition
        and not the state of a title ("Russian President X said" is X's)."""
        for m in reversed(self.agents(b, pos, skip)):
            if self.subject(m) and not any(
                t.begin <= m.begin < t.end and m.ref != t.holder for t in self.doc.titles
            ):
                return m
        return None

    def subject(self, m: Mention) -> bool:
        """subject_like, remembered per mention."""
        known = self._subjects.get(m.begin)
        if known is None:
            known = self._subjects[m.begin] = subject_like(self.text, m, self.lex.prepositions)
        return known

    def speaker_after(self, pos: int, e: int) -> Mention | None:
        found = self.agents(pos, min(e, pos + 60))
        return found[0] if found else None

    def speaker_right_after(self, pos: int) -> Mention | None:
        """The name right after a verb that ends its clause ("..., said Putin.")."""
        found = [m for m in self.agents(pos, pos + 60) if m.begin <= pos + 2]
        if not found or not re.match(
            r"\s*(?:[,.;:!?”\"’)]|$)", self.text[found[0].end : found[0].end + 3]
        ):
            return None
        return found[0]

    def quotation_frames(self) -> None:
        """Decide which quotations are claims and who said them."""
        text = self.text
        for q in self.top:
            words = len(text[q.begin : q.end].split())
            speaker = None
            # After: ’,” X said’ / ’,” said X’ (the frame within the next ~80 characters).
            tail_end = min(len(text), q.outer_end + 100)
            nxt = next((o for o in self.top if o.outer_begin >= q.outer_end), None)
            if nxt is not None:
                tail_end = min(tail_end, nxt.outer_begin)
            sentence = self.sentence_of(q.outer_end - 1) or self.sentence_of(q.outer_begin)
            if sentence is not None:
                tail_end = min(tail_end, max(sentence.end, q.outer_end))
            lead = text[q.outer_end : tail_end]
            if re.match(r"\s*,?\s*(?!(?:and|but|or|while|as)\b)[a-zA-Z]", lead) and not re.match(
                r"\s*[.!?]", lead
            ):
                for c in self.cues(q.outer_end, tail_end, ("report",)):
                    if c.entry.kind != "speech":
                        continue
                    who = self.speaker_before(q.outer_end, c.begin) or self.speaker_right_after(
                        c.end
                    )
                    if who is not None:
                        why = (
                            f"quotation followed by {text[c.begin : c.end]!r}, speaker {who.text!r}"
                        )
                        speaker = Speaker(who.ref, who, "quote", None, 0, why)
                    break
            # Before: ’X said: “’, ’saying “’, ’told Y that his country “’.
            if speaker is None:
                start = sentence.begin if sentence is not None else max(0, q.outer_begin - 200)
                before = self.cues(start, q.outer_begin, ("report",))
                if before:
                    c = before[-1]
                    if (
                        c.entry.kind == "speech"
                        and not c.entry.label
                        and not has_verb(text, c.end, q.outer_begin, self.lex)
                        and not self.in_quote(c.begin, self.top)
                    ):
                        who = self.speaker_before(start, c.begin) or self.speaker_after(
                            c.end, q.outer_begin
                        )
                        if who is not None:
                            frame = text[c.begin : q.outer_begin]
                            why = f"quotation after {frame!r}, speaker {who.text!r}"
                            speaker = Speaker(who.ref, who, "quote", None, 0, why)
            # A headline's "Speaker: “...”": the words before the colon name who says it.
            if (
                speaker is None
                and sentence is not None
                and sentence.kind in ("headline", "heading")
            ):
                lead = text[sentence.begin : q.outer_begin]
                if lead.rstrip().endswith(":"):
                    named = self.agents(sentence.begin, q.outer_begin)
                    people = [m for m in named if m.category == "person"] or named
                    if people:
                        who = people[-1]
                        why = f"a headline's {lead.strip()!r} before the quotation: {who.text!r}"
                        speaker = Speaker(who.ref, who, "quote", None, 0, why)
            inner_verb = has_verb(text, q.begin, q.end, self.lex)
            claim = speaker is not None and (words >= 4 or (words >= 2 and inner_verb))
            if speaker is None and words >= 3:
                # A quotation standing alone (it fills its sentences) continues the last speaker.
                first = self.sentence_of(q.outer_begin)
                last = self.sentence_of(q.outer_end - 1)
                if first is not None and last is not None:
                    outside = (q.outer_begin - first.begin) + (last.end - q.outer_end)
                    claim = outside <= 3
            self.quote_speaker[id(q)] = speaker
            if claim:
                self.claim_quotes.append(q)

    def subject_of(self, claim: Claim) -> str | None:
        """The first agent named as a subject in a claim (the subject of a participle after it)."""
        start = (
            claim.frame.end
            if claim.frame is not None and claim.frame.end <= claim.end
            else claim.begin
        )
        for m in self.mentions.within(start, claim.end):
            if (
                m.ref
                and (m.agent or m.category == "state")
                and subject_like(self.text, m, self.lex.prepositions)
            ):
                return m.ref
        return None

    def mention_of(self, ref: str) -> Mention | None:
        for m in reversed(self.doc.mentions):
            if m.ref == ref:
                return m
        return None
