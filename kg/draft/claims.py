"""Stage 5, attribution: claim units with claimant, attribution, act, polarity, certainty, modality.

For every sentence: quotations are attributed to the frame beside them ("..." X said / X said:
"..."), or to the speaker of the paragraph's previous quotation; the rest is cut into clause
units (clauses.py), each attributed by the first rule that applies:

1. a reporting verb in the unit: reported speech of its subject (or of the name after it);
   a negated report ("did not say") is the author's, polarity "-";
2. "according to X": hearsay from an unnamed channel ("local media"), or reported from a named
   agent; a reporting verb after it gives the claimant and X is the reporter;
3. an agentless hedge ("is said to", "reportedly"): the `unattributed` agent;
4. the words after a frame ending in a dash or colon ("X said – ..."): that speaker's;
5. carry-over: an unattributed sentence right after reported speech or a quotation in the same
   paragraph continues it when it opens with no contrast word and is not in the past tense;
6. otherwise the article's own voice (the `publisher` agent).

Titles before names, "the capital, X", "ACRONYM (Full Name)" and relative clauses are claims of
the author's too. Polarity, certainty and modality come from the unit's own words.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from kg.draft.clauses import Unit, has_verb, split, verbish
from kg.draft.knowledge import Knowledge
from kg.draft.link import Mentions, subject_like
from kg.draft.model import Claim, Cue, Doc, Frame, Mention, Quotation, Sentence

_WORD = re.compile(r"[^\W_](?:[\w’'-]*[^\W_])?")
_FIRST_PERSON = re.compile(r"(?<![\w’'-])(?:I|we|We|my|My|our|Our|us|me)(?![\w’'-])")
_DETERMINERS = {
    "the",
    "a",
    "an",
    "his",
    "her",
    "its",
    "their",
    "these",
    "those",
    "such",
    "any",
    "our",
    "my",
    "your",
    "this",
    "that",
    "new",
    "no",
    "some",
    "many",
}
PUBLISHER, UNATTRIBUTED = "publisher", "unattributed"
_EXTRAS = ("title", "capital", "acronym")  # claims inside a clause that leave its words to it


@dataclass
class Speaker:
    """Who a quotation or a paragraph's reported speech belongs to."""

    ref: str
    mention: Mention | None
    attribution: str  # quote | reported | hearsay
    reporter: str | None
    sentence: int
    why: str


class Attributor:
    """Attributes the sentences of one document in order."""

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
            m for m in self.mentions.within(b, e)
            if m.agent and m.ref and not self.in_quote(m.begin)
            and not any(x <= m.begin < y for x, y in skip)
        ]  # fmt: skip

    def sentence_of(self, pos: int) -> Sentence | None:
        i = bisect_right(self.sentence_starts, pos) - 1
        if i >= 0 and pos < self.doc.sentences[i].end:
            return self.doc.sentences[i]
        return None

    # --- speakers --------------------------------------------------------------------------
    def speaker_before(self, b: int, pos: int, skip: list[tuple[int, int]] = ()) -> Mention | None:
        """The subject of a verb at `pos`: the nearest agent before it, not after a preposition."""
        cands = [
            m
            for m in self.agents(b, pos, skip)
            if subject_like(self.text, m, self.lex.prepositions)
        ]
        # a state named as the title's "of" is not the speaker ("Russian President X said")
        cands = [
            m
            for m in cands
            if not any(t.begin <= m.begin < t.end and m.ref != t.holder for t in self.doc.titles)
        ]
        return cands[-1] if cands else None

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
                        speaker = Speaker(who.ref, who, "quote", None, 0,
                                          f"quotation followed by {text[c.begin:c.end]!r}, speaker {who.text!r}")  # fmt: skip
                    break
            # Before: ’X said: “’, ’saying “’, ’told Y that his country “’.
            if speaker is None:
                start = sentence.begin if sentence is not None else max(0, q.outer_begin - 200)
                before = self.cues(start, q.outer_begin, ("report",))
                if before:
                    c = before[-1]
                    between = text[c.end : q.outer_begin]
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
                            speaker = Speaker(who.ref, who, "quote", None, 0,
                                              f"quotation after {text[c.begin:c.end]!r}{between.strip()[:20]!r}, speaker {who.text!r}")  # fmt: skip
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

    # --- sentences -------------------------------------------------------------------------
    def run(self) -> None:
        self.quotation_frames()
        previous: Sentence | None = None
        for s in self.doc.sentences:
            if previous is None or s.paragraph != previous.paragraph:
                self.state, self.last_quote = None, None
            self.sentence(s)
            previous = s

    def sentence(self, s: Sentence) -> None:
        text, doc = self.text, self.doc
        body = text[s.begin : s.end]
        if body.rstrip('”"’').endswith("?"):
            doc.non_assertive.append((s.begin, s.end, "A question: it asserts nothing itself."))
            if re.match(r"(?:why|how come)\b", body, re.I):
                claim = self.new(s.begin, s.end, s, "author")
                claim.why["attribution"] = "a why-question presupposes what it asks about"
                claim.kind = "presupposition"
            self.state = None
            return
        if s.kind in ("headline", "heading") and re.match(
            r"(?:\w+:\s*)?(?:what|who|how|where|when|which)\b", body, re.I
        ):
            doc.non_assertive.append(
                (s.begin, s.end, "A heading phrased as a question asserts nothing itself.")
            )
            return
        quotes = [q for q in self.claim_quotes if q.begin < s.end and s.begin < q.end]
        pieces, start = [], s.begin
        if s.kind == "headline":
            rubric = re.match(r"[A-Z][a-z]+:\s+", body)
            if rubric is not None and len(rubric.group(0).split()) == 1:
                start = s.begin + rubric.end()
        for q in quotes:
            if q.outer_begin > start:
                pieces.append((start, q.outer_begin))
            start = max(start, q.outer_end)
        if start < s.end:
            pieces.append((start, s.end))
        units: list[tuple[Unit, Quotation | None]] = []
        for q in quotes:
            qb, qe = max(q.begin, s.begin), min(q.end, s.end)
            units.extend((u, q) for u in split(text, qb, qe, self.lex))
        for pb, pe in pieces:
            units.extend((u, None) for u in split(text, pb, pe, self.lex))
        units.sort(key=lambda t: (t[0].begin, -t[0].end))
        frame_for_next: Speaker | None = None
        prev_claim: Claim | None = None
        sentence_main: Speaker | None = None
        first = len(doc.claims)  # the claims of this sentence are appended from here
        for unit, quote in units:
            if quote is not None:
                claim = self.quote_unit(unit, quote, s)
            else:
                claim, frame_for_next, speaker = self.outside_unit(
                    unit, s, frame_for_next, prev_claim, units
                )
                if speaker is not None:
                    sentence_main = speaker
            if claim is not None:
                if (
                    unit.why.startswith("participle")
                    and prev_claim is not None
                    and claim.agent_hint is None
                ):
                    claim.agent_hint = prev_claim.agent_hint or self.subject_of(prev_claim)
                if unit.kind == "relative":
                    before = [m for m in self.agents(s.begin, unit.begin) if m.category != "group"]
                    claim.agent_hint = before[-1].ref if before else None
                claim.kind = unit.kind if quote is None else "quote"
                if (
                    (unit.parent is not None or unit.kind in ("relative", "apposition"))
                    and claim.frame is None
                    and claim.attribution in ("author", "reported")
                    and claim.why.get("attribution", "").startswith(
                        ("no reporting", "an unattributed")
                    )
                ):
                    self.author(claim)
                    claim.why["attribution"] = f"{unit.why}: the article's own description"
                prev_claim = claim
        self.extras(s)
        if sentence_main is not None:
            self.state = sentence_main
        elif not any(c.attribution in ("quote", "reported", "hearsay") for c in doc.claims[first:]):
            self.state = None

    def quote_unit(self, unit: Unit, q: Quotation, s: Sentence) -> Claim:
        speaker = self.quote_speaker.get(id(q))
        claim = self.new(unit.begin, unit.end, s, "quote")
        if speaker is None and self.last_quote is not None:
            speaker = self.last_quote
            claim.why["claimant"] = f"the paragraph's previous quotation is {speaker.ref}'s"
        if speaker is None:
            claim.claimant = UNATTRIBUTED
            self.agent(
                UNATTRIBUTED,
                "UnattributedSource",
                "unattributed source (quotations without a speaker)",
                "quotation without a speaker",
            )
            claim.why["claimant"] = "no speaker found for the quotation"
        else:
            claim.claimant = self.claimant(speaker.mention, speaker.ref)
            claim.why.setdefault("claimant", speaker.why)
            self.last_quote = speaker
            self.state = Speaker(speaker.ref, speaker.mention, "quote", None, s.index, speaker.why)
        claim.why["attribution"] = f"inside quotation marks at {q.outer_begin}-{q.outer_end}"
        return claim

    def verbs_in(self, unit: Unit, nested: list[tuple[int, int]]) -> list[Cue]:
        """The unit's reporting verbs used as verbs: not nouns ("the claims"), not infinitives
        ("to demand"), not part of an agentless hedge ("is said to"), not in a nested clause."""
        text = self.text
        hedges = self.cues(unit.begin, unit.end, ("hedge",))
        out = []
        for c in self.cues(unit.begin, unit.end, ("report",)):
            if any(x <= c.begin < y for x, y in nested) or any(
                h.begin <= c.begin < h.end for h in hedges
            ):
                continue
            before = [
                w.lower() for w in _WORD.findall(text, max(unit.begin, c.begin - 30), c.begin)
            ]
            after = [w.lower() for w in _WORD.findall(text, c.end, min(unit.end, c.end + 20))]
            prev = before[-1] if before else ""
            if (
                prev in _DETERMINERS
                or prev == "to"
                or re.search(r"[’']s\s+$", text[max(0, c.begin - 4) : c.begin])
            ):
                continue  # a noun ("the claims", "Oskaria’s claim") or an infinitive
            subject = self.mentions.covering(c.begin - 2) if c.begin >= 2 else None
            if (
                after
                and after[0] in ("about", "of", "over", "that")
                and c.begin == unit.begin
                and subject is None
            ):
                continue
            verb = c.entry
            rest_has_verb = has_verb(text, c.end, unit.end, self.lex)
            quoted = any(c.end <= q.outer_begin < unit.end + 2 for q in self.top)
            at_end = not _WORD.search(text, c.end, unit.end)
            if verb.clausal and not (rest_has_verb or quoted or at_end):
                continue  # "declared independence": an act the author reports, not a report
            if verb.speech_objects and not (
                self.speech_object(text[c.end : unit.end])
                or self.speech_object(text[unit.begin : c.begin], first=True)
            ):
                continue  # "rejected the plan": an act, not a denial of something said
            out.append(c)
        return out

    def outside_unit(self, unit: Unit, s: Sentence, frame_for_next: Speaker | None,
                     prev_claim: Claim | None, units) -> tuple[Claim | None, Speaker | None, Speaker | None]:  # fmt: skip
        text = self.text
        nested = [(u.begin, u.end) for u, _ in units if u.parent is unit]
        reports = self.verbs_in(unit, nested)
        according = self.cues(unit.begin, unit.end, ("according",))
        hedges = [
            c
            for c in self.cues(unit.begin, unit.end, ("hedge",))
            if not any(x <= c.begin < y for x, y in nested)
        ]
        dash_after = re.match(r"\s*[–—:-]", text[unit.end : unit.end + 3]) is not None
        tail: Speaker | None = None
        if reports and dash_after and not has_verb(text, reports[-1].end, unit.end, self.lex):
            c = reports[-1]
            who = self.speaker_before(unit.begin, c.begin, nested) or self.speaker_right_after(
                c.end
            )
            if who is not None:
                tail = Speaker(who.ref, who, "reported", None, s.index,
                               f"frame {text[who.begin:c.end]!r} before a dash or colon")  # fmt: skip
                reports = reports[:-1]
                if not reports:
                    return None, tail, None
        if hedges and reports and hedges[0].begin < reports[0].begin:
            reports = []  # "X is said to have offered": the hedge scopes over the verb after it
        # 1. a reporting verb
        for c in reports:
            verb = c.entry
            who = self.speaker_before(unit.begin, c.begin, nested)
            if (
                who is None
                and unit.why.startswith(("participle", "'and' before a verb"))
                and prev_claim is not None
            ):
                who = (
                    self.mention_of(prev_claim.claimant)
                    if prev_claim.claimant != PUBLISHER
                    else None
                )
            if who is None and not verb.object:
                who = self.speaker_right_after(c.end)  # "said Putin"
            after_verb = text[c.end : unit.end]
            if self.adjacent_quote(unit, s) and not has_verb(text, c.end, unit.end, self.lex):
                return None, None, None  # the frame of a quotation: the quotation is the claim
            declined = self.cues(max(unit.begin, c.begin - 14), c.begin, ("declined",))
            if declined and verb.kind == "speech":
                claim = self.new(unit.begin, unit.end, s, "author")
                claim.polarity = "-"
                claim.why["polarity"] = (
                    f"the speaker's report is negated ({text[declined[0].begin : c.end]!r})"
                )
                claim.why["attribution"] = "a report that was not made is the author's statement"
                claim.frame = Frame(
                    unit.begin, c.end, verb.name, "declined", "Statement", who, None, negated=True
                )
                claim.agent_hint = who.ref if who else None
                return claim, tail, None
            if who is None:
                continue
            claim = self.new(unit.begin, unit.end, s, "reported")
            claim.claimant = self.claimant(who, who.ref)
            claim.act = verb.act
            claim.why["claimant"] = (
                f"subject of {text[c.begin : c.end]!r}: {who.text!r} ({who.why})"
            )
            claim.why["attribution"] = f"reporting verb {text[c.begin : c.end]!r} ({verb.kind})"
            claim.why["act"] = f"{verb.act}: the verb {text[c.begin : c.end]!r}"
            claim.frame = Frame(
                who.begin, c.end, verb.name, verb.kind, verb.act, who, (c.end, unit.end)
            )
            if verb.denial:
                claim.polarity = "-"
                claim.why["polarity"] = f"denial verb {text[c.begin : c.end]!r}"
            if verb.label and any(unit.begin <= q.begin < unit.end for q in self.top):
                claim.attribution = "quote"
                claim.why["attribution"] = (
                    f"{text[c.begin : c.end]!r} with the label in quotation marks"
                )
            self.apply_according(claim, according, s)
            if (
                claim.attribution != "hearsay"
                and self.state is not None
                and self.state.attribution == "hearsay"
                and self.carries(unit, s, allow_speech=True)
            ):
                claim.attribution, claim.reporter = "hearsay", self.state.reporter
                claim.why["attribution"] += (
                    f"; continues the hearsay of the sentence before (reporter {self.state.reporter})"
                )
            speaker = None
            if verb.kind == "speech":
                speaker = Speaker(
                    claim.claimant,
                    who,
                    claim.attribution,
                    claim.reporter,
                    s.index,
                    claim.why["claimant"],
                )
                if (
                    claim.attribution == "hearsay"
                    and self.state is not None
                    and self.state.attribution == "hearsay"
                ):
                    speaker = self.state
            return claim, tail, speaker
        # 2. according to X
        if according:
            claim = self.new(unit.begin, unit.end, s, "hearsay")
            self.apply_according(claim, according, s)
            speaker = Speaker(
                claim.claimant,
                None,
                claim.attribution,
                claim.reporter,
                s.index,
                claim.why.get("claimant", ""),
            )
            return claim, tail, speaker
        # 3. an agentless hedge
        if hedges:
            h = hedges[0]
            hedge = h.entry
            claim = self.new(unit.begin, unit.end, s, "hedge")
            self.unattributed(claim, f"agentless hedge {text[h.begin : h.end]!r}")
            claim.act = hedge.act
            if hedge.label_if_np and re.match(
                r"\s+be\s+(?:a|an|the|[A-Z]\w*’s|[A-Z]\w*'s)\b", text[h.end : h.end + 30]
            ):
                claim.act = "Label"
            claim.certainty = hedge.certainty
            claim.why["certainty"] = f"hedge {hedge.cue!r}"
            claim.why["act"] = f"{claim.act}: hedge {hedge.cue!r}"
            if hedge.modality:
                claim.modality = hedge.modality
                claim.why["modality"] = f"hedge {hedge.cue!r}"
            inner = [
                c for c in self.cues(h.end, unit.end, ("report",)) if c.entry.kind == "attitude"
            ]
            if inner:
                claim.act = inner[0].entry.act
            claim.agent_hint = (
                self.speaker_before(unit.begin, h.begin, nested)
                or Mention(0, 0, "", None, "", "", "")
            ).ref
            return claim, tail, None
        # 4. the content of a frame ending in a dash or colon
        if frame_for_next is not None:
            first_person = _FIRST_PERSON.search(text, unit.begin, unit.end) is not None
            claim = self.new(unit.begin, unit.end, s, "quote" if first_person else "reported")
            claim.claimant = self.claimant(frame_for_next.mention, frame_for_next.ref)
            claim.why["claimant"] = frame_for_next.why
            claim.why["attribution"] = "the words after a reporting frame and a dash or colon" + (
                ", in the first person: a quotation" if first_person else ""
            )
            return claim, tail, frame_for_next
        # 4b. "X's allegations – ..." in a heading: a speech noun names the speaker
        if s.kind in ("heading", "headline", "bullet") and dash_after:
            m = re.match(r"(.+?)(?:’s|'s)\s+(\w+)\s*$", text[unit.begin : unit.end])
            if m and m.group(2).lower() in self.lex.speech_nouns:
                who = self.speaker_before(unit.begin, unit.begin + len(m.group(1)) + 1)
                if who is not None:
                    return (
                        None,
                        Speaker(
                            who.ref,
                            who,
                            "reported",
                            None,
                            s.index,
                            f"{m.group(0)!r} names the speaker",
                        ),
                        None,
                    )
        # 4c. the rest of a sentence whose first clause reports someone ("X said A, but B")
        if (
            prev_claim is not None
            and prev_claim.attribution in ("reported", "hearsay")
            and prev_claim.frame is not None
            and prev_claim.frame.kind == "speech"
            and prev_claim.sentence is s
            and unit.parent is None
            and unit.kind == "clause"
            and not unit.why.startswith("after a fronted")
        ):
            claim = self.new(unit.begin, unit.end, s, prev_claim.attribution)
            claim.claimant, claim.reporter = prev_claim.claimant, prev_claim.reporter
            claim.frame = prev_claim.frame
            claim.why["claimant"] = f"the same report as the clause before ({prev_claim.claimant})"
            claim.why["attribution"] = (
                f"continues the report of the sentence's first clause ({unit.why})"
            )
            return claim, tail, None
        # 5. carry-over
        claim = self.new(unit.begin, unit.end, s, "author")
        if self.state is not None and self.carries(unit, s):
            claim.claimant = self.state.ref
            claim.attribution = "hearsay" if self.state.attribution == "hearsay" else "reported"
            claim.reporter = self.state.reporter
            claim.why["claimant"] = f"continues {self.state.ref}'s words of the sentence before"
            claim.why["attribution"] = (
                "an unattributed sentence right after reported speech, not in the past tense, no contrast word"
            )
            return claim, tail, None
        claim.why["attribution"] = (
            "no reporting verb, quotation, source or hedge: the article's own voice"
        )
        if unit.why.startswith("participle") and prev_claim is not None:
            claim.agent_hint = prev_claim.agent_hint
        return claim, tail, None

    def apply_according(self, claim: Claim, according: list[Cue], s: Sentence) -> None:
        if not according:
            return
        c = according[0]
        source = self.speaker_after(c.end, c.end + 60)
        if source is None:
            return
        head = source.text.lower().split()[-1]
        hearsay = source.category == "group" and head in self.lex.hearsay_heads
        src = self.claimant(source, source.ref)
        if claim.attribution == "reported" and claim.claimant not in (PUBLISHER, src):
            claim.reporter = src
            claim.attribution = "hearsay" if hearsay else "reported"
            claim.why["attribution"] += f"; told 'according to' {source.text!r}"
            return
        claim.claimant = src
        claim.attribution = "hearsay" if hearsay else "reported"
        if hearsay:
            claim.reporter = src
        claim.why["claimant"] = f"'according to' {source.text!r}"
        claim.why["attribution"] = (
            "hearsay: an unnamed channel" if hearsay else "reported: a named source"
        ) + " after 'according to'"

    def carries(self, unit: Unit, s: Sentence, allow_speech: bool = False) -> bool:
        """Whether an unattributed unit continues the paragraph's reported speech."""
        st = self.state
        if st is None or s.kind != "body" or s.index != st.sentence + 1:
            return False
        if self.lex.contrast_re.match(self.text, s.begin):
            return False
        if not allow_speech and self.cues(unit.begin, unit.end, ("report", "according", "hedge")):
            return False
        if unit.begin != s.begin and not allow_speech:
            return False
        words = [m.group(0).lower() for m in _WORD.finditer(self.text, unit.begin, unit.end)]
        for i, w in enumerate(words):
            if (
                w in self.lex.present
                or w.endswith("s")
                and i > 0
                and w not in self.lex.auxiliaries
                and False
            ):
                return True
            if w in self.lex.past or verbish(w, self.lex):
                return False
        return False

    # --- extra claims: titles, appositions, acronyms ----------------------------------------
    def extras(self, s: Sentence) -> None:
        text = self.text
        for t in self.doc.titles:
            if s.begin <= t.begin and t.end <= s.end:
                claim = self.new(t.begin, t.end, s, "author")
                claim.kind = "title"
                claim.why["attribution"] = f"{t.why}: the article gives the title"
                claim.agent_hint = t.holder
        for m in re.finditer(r"\bthe capital,\s+", text[s.begin : s.end]):
            b = s.begin + m.start()
            place = self.mentions.at(s.begin + m.end())
            if place is not None and place.category == "place":
                claim = self.new(b, place.end, s, "author")
                claim.kind = "capital"
                claim.why["attribution"] = (
                    "apposition 'the capital, X': the article's own description"
                )
        for m in re.finditer(
            r"\b([A-Z]{2,6})\s+\(((?:[A-Z][\w’'-]*\s*)+)\)", text[s.begin : s.end]
        ):
            initials = "".join(w[0] for w in m.group(2).split())
            if initials.upper() == m.group(1) or initials[: len(m.group(1))].upper() == m.group(1):
                claim = self.new(s.begin + m.start(), s.begin + m.end(), s, "author")
                claim.kind = "acronym"
                claim.why["attribution"] = (
                    "an acronym spelt out in brackets: the article's own words"
                )

    # --- helpers ---------------------------------------------------------------------------
    def adjacent_quote(self, unit: Unit, s: Sentence) -> bool:
        for q in self.claim_quotes:
            if q.outer_end <= s.begin or q.outer_begin >= s.end:
                continue
            if 0 <= unit.begin - q.outer_end <= 3 or 0 <= q.outer_begin - unit.end <= 3:
                return True
            if q.outer_begin >= unit.begin and q.outer_end <= unit.end + 2:
                return True
        return False

    def speech_object(self, words_text: str, first: bool = False) -> bool:
        """Whether the words name something said ("the accusation", "this"); with `first`, the
        unit opens with it ("a claim its leaders reject")."""
        words = [w.lower() for w in _WORD.findall(words_text)[:4]]
        if first:
            return (
                len(words) >= 2
                and words[0] in ("a", "an", "the", "this", "that")
                and words[1] in self.lex.speech_nouns
            )
        return any(w in self.lex.speech_nouns or w in ("this", "it", "them", "that") for w in words)

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

    def new(self, b: int, e: int, s: Sentence, attribution: str) -> Claim:
        claim = Claim(b, e, s, attribution=attribution)
        if attribution == "author":
            self.author(claim)
        self.doc.claims.append(claim)
        return claim

    def author(self, claim: Claim) -> None:
        claim.claimant, claim.attribution, claim.reporter = PUBLISHER, "author", None
        claim.why.pop("claimant", None)

    def unattributed(self, claim: Claim, why: str) -> None:
        claim.claimant = UNATTRIBUTED
        self.agent(
            UNATTRIBUTED, "UnattributedSource", "unattributed source (agentless hedges)", why
        )
        claim.why["claimant"] = why
        claim.why["attribution"] = why

    def claimant(self, m: Mention | None, ref: str) -> str:
        """The id to write as claimant; groups and unknown names become article agents."""
        if m is not None and m.how == "group":
            self.agent(ref, "Group", m.text, f"group named by the words {m.text!r}")
        elif m is not None and m.how == "unnamed":
            self.agent(
                ref, "Person", m.text, f"a person the text does not name ({m.text!r}): confirm who"
            )
        elif m is not None and m.how == "stub":
            stub = next((x for x in self.doc.stubs if x.sid == ref), None)
            kind = (
                stub.type
                if stub is not None and stub.type in ("Person", "Organisation")
                else "Organisation"
            )
            self.agent(
                ref,
                kind,
                m.text,
                "a name not in the entity list: confirm it and move it to data/entities.yaml",
            )
        return ref

    def agent(self, aid: str, kind: str, label: str, why: str) -> None:
        self.doc.agents.setdefault(aid, (kind, label, why))


def attribute(doc: Doc, kb: Knowledge) -> None:
    """Fill doc.claims (without propositions) and doc.agents."""
    doc.agents.setdefault(
        PUBLISHER,
        ("Publisher", doc.meta.publisher or "The article's publisher", "the article's own voice"),
    )
    Attributor(doc, kb).run()
    doc.claims.sort(key=lambda c: (c.begin, -c.end))
    _qualities(doc, kb)


def _qualities(doc: Doc, kb: Knowledge) -> None:
    """Polarity, certainty, modality, times, quantities and `about` from each claim's own words."""
    lex, text = kb.lex, doc.text
    starts = [c.begin for c in doc.cues]
    by_sentence: dict[int, list[Claim]] = {}
    for claim in doc.claims:
        by_sentence.setdefault(claim.sentence.index, []).append(claim)
    mentions = Mentions(doc.mentions)
    time_starts = [t.begin for t in doc.times]
    quantity_starts = [q.begin for q in doc.quantities]
    for claim in doc.claims:
        inner = [
            (o.begin, o.end) for o in by_sentence[claim.sentence.index]
            if o is not claim and o.kind not in _EXTRAS and claim.begin <= o.begin and o.end <= claim.end
            and (o.end - o.begin) < (claim.end - claim.begin)
        ]  # fmt: skip
        if claim.kind in ("title", "capital", "acronym"):
            inner = []
        frame_end = claim.frame.end if claim.frame is not None else claim.begin
        claim.own = _subtract(claim.begin, claim.end, inner)

        def own(c: Cue) -> bool:
            return any(b <= c.begin and c.end <= e for b, e in claim.own)

        i = bisect_left(starts, claim.begin)
        found: dict[str, list[Cue]] = {}
        while i < len(doc.cues) and doc.cues[i].begin < claim.end:
            c = doc.cues[i]
            if own(c):
                found.setdefault(c.kind, []).append(c)
            i += 1
        words = lambda cs: ", ".join(repr(text[c.begin : c.end]) for c in cs)  # noqa: E731
        if claim.kind not in ("title", "capital", "acronym"):
            negs = [
                c for c in found.get("negation", []) if c.begin >= frame_end or claim.frame is None
            ]
            if negs and claim.polarity == "+":
                claim.polarity = "-"
                claim.why["polarity"] = f"negation {words(negs)}"
            if found.get("denial") and claim.polarity == "+":
                claim.polarity = "-"
                claim.act = "Denial"
                claim.why["polarity"] = f"denial word {words(found['denial'])}"
                claim.why["act"] = f"Denial: {words(found['denial'])}"
            if claim.certainty == "CT":
                probable = found.get("probable", [])
                not_possible = found.get("not_possible", [])
                possible = [
                    c
                    for c in found.get("possible", [])
                    if not any(n.begin <= c.begin < n.end for n in not_possible)
                ]
                if probable:
                    claim.certainty = "PR"
                    claim.why["certainty"] = f"probability word {words(probable)}"
                elif possible:
                    claim.certainty = "PS"
                    claim.why["certainty"] = f"possibility word {words(possible)}"
            if claim.modality == "actual":
                if found.get("conditional"):
                    claim.modality = "conditional"
                    claim.why["modality"] = f"condition {words(found['conditional'])}"
                    if (
                        found.get("possible")
                        and not found.get("not_possible")
                        and any(
                            text[c.begin : c.end].lower() in ("could", "might")
                            for c in found["possible"]
                        )
                    ):
                        claim.modality = "hypothetical"
                        claim.why["modality"] += " with 'could'/'might'"
                elif found.get("future"):
                    claim.modality = "future"
                    claim.why["modality"] = f"future {words(found['future'])}"
                elif found.get("hypothetical"):
                    claim.modality = "hypothetical"
                    claim.why["modality"] = f"{words(found['hypothetical'])}"
                elif any(
                    text[c.begin : c.end].lower() in ("may", "might")
                    and not text[c.end : c.end + 6].lower().startswith(" have")
                    for c in found.get("possible", [])
                ):
                    claim.modality = "future"
                    claim.why["modality"] = "'may'/'might' before a verb: a possible future"
        near = doc.times[bisect_left(time_starts, claim.sentence.begin) : bisect_left(time_starts, claim.end)]
        claim.times = [
            t
            for t in near
            if claim.begin <= t.begin
            and t.end <= claim.end
            and any(b <= t.begin < e for b, e in claim.own)
        ]
        if claim.kind not in ("title", "capital", "acronym", "relative"):
            for t in near:
                if t.fronted and t.begin < claim.begin and t not in claim.times:
                    claim.times.insert(0, t)
        if (
            claim.modality == "actual"
            and doc.anchor is not None
            and claim.kind not in ("title", "capital", "acronym")
        ):
            for t in claim.times:
                last = t.date or (t.interval[1] if t.interval else None)
                if last is not None and doc.anchor.year - last.year >= lex.historical_years:
                    claim.modality = "historical"
                    claim.why["modality"] = (
                        f"{t.text!r} is {doc.anchor.year - last.year} years before the anchor date"
                    )
                    break
        claim.quantities = [
            q
            for q in doc.quantities[bisect_left(quantity_starts, claim.begin) : bisect_left(quantity_starts, claim.end)]
            if claim.begin <= q.begin
            and q.end <= claim.end
            and any(b <= q.begin < e for b, e in claim.own)
        ]
        about: list[str] = []
        for m in mentions.within(claim.begin, claim.end):
            if (
                m.ref
                and m.how not in ("group", "stub", "unnamed")
                and m.category != "group"
                and m.ref not in about
            ):
                about.append(m.ref)
        claim.about = about


def _subtract(b: int, e: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out, pos = [], b
    for x, y in sorted(holes):
        if x > pos:
            out.append((pos, x))
        pos = max(pos, y)
    if pos < e:
        out.append((pos, e))
    return out or [(b, e)]
