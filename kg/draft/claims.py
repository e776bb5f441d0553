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
from dataclasses import dataclass, field

from kg.draft.clauses import Unit, has_verb, split, verbish
from kg.draft.knowledge import Knowledge
from kg.draft.model import Claim, Cue, Doc, Frame, Mention, Quotation, Sentence
from kg.draft.qualities import qualities
from kg.draft.speakers import PUBLISHER, UNATTRIBUTED, Speaker, Speakers

# Patterns used per sentence or per claim, compiled once.
_WHY = re.compile(r"(?:why|how come)\b", re.I)
_WH_HEADING = re.compile(r"(?:\w+:\s*)?(?:what|who|how|where|when|which)\b", re.I)
_RUBRIC = re.compile(r"[A-Z][a-z]+:\s+")
_POSSESSIVE_END = re.compile(r"[’']s\s+$")
_DASH = re.compile(r"\s*[–—:-]")
_CAPITAL = re.compile(r"\bthe capital,\s+")
_ACRONYM = re.compile(r"\b([A-Z]{2,6})\s+\(((?:[A-Z][\w’'-]*\s*)+)\)")


_WORD = re.compile(r"[^\W_](?:[\w’'-]*[^\W_])?")
_NOUN_PHRASE = re.compile(r"\s+be\s+(?:a|an|the|[A-Z]\w*’s|[A-Z]\w*'s)\b")
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


@dataclass
class _Context:
    """One clause unit being attributed, with what the rules look at."""

    unit: Unit
    s: Sentence
    prev: Claim | None  # the sentence's claim before this one
    frame_for_next: Speaker | None  # a frame before a dash or colon in the unit before
    nested: list[tuple[int, int]] = field(default_factory=list)
    reports: list[Cue] = field(default_factory=list)
    hedges: list[Cue] = field(default_factory=list)
    dash_after: bool = False

    def inside(self, cue: Cue) -> bool:
        return any(b <= cue.begin < e for b, e in self.nested)


class Attributor(Speakers):
    """Attributes the sentences of one document in order."""

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
            if _WHY.match(body):
                claim = self.new(s.begin, s.end, s, "author")
                claim.why["attribution"] = "a why-question presupposes what it asks about"
                claim.kind = "presupposition"
            self.state = None
            return
        if s.kind in ("headline", "heading") and _WH_HEADING.match(body):
            doc.non_assertive.append(
                (s.begin, s.end, "A heading phrased as a question asserts nothing itself.")
            )
            return
        quotes = [q for q in self.claim_quotes if q.begin < s.end and s.begin < q.end]
        pieces, start = [], s.begin
        if s.kind == "headline":
            rubric = _RUBRIC.match(body)
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
                or _POSSESSIVE_END.search(text[max(0, c.begin - 4) : c.begin])
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

    def outside_unit(
        self, unit: Unit, s: Sentence, frame_for_next: Speaker | None, prev: Claim | None, units
    ) -> tuple[Claim | None, Speaker | None, Speaker | None]:
        """(its claim, a speaker for the words after it, the sentence's reporting speaker)."""
        u = _Context(unit, s, prev, frame_for_next)
        u.nested = [(x.begin, x.end) for x, _ in units if x.parent is unit]
        u.reports = self.verbs_in(unit, u.nested)
        u.hedges = [c for c in self.cues(unit.begin, unit.end, ("hedge",)) if not u.inside(c)]
        u.dash_after = _DASH.match(self.text[unit.end : unit.end + 3]) is not None
        tail = self.tail_frame(u)
        if tail is not None and not u.reports:
            return None, tail, None
        if self.text[unit.end : unit.end + 1] == ":" and self.names_only(unit):
            return None, None, None  # "Lessan minister: “...”": the speaker, not a claim
        if u.hedges and u.reports and u.hedges[0].begin < u.reports[0].begin:
            u.reports = []  # "X is said to have offered": the hedge scopes over the verb after it
        for rule in (
            self.by_verb,
            self.by_according,
            self.by_hedge,
            self.by_frame_before,
            self.by_heading_noun,
            self.by_first_clause,
        ):
            got = rule(u)
            if got is not None:
                claim, speaker = got
                return claim, tail if claim is not None else speaker, speaker if claim else None
        return self.by_default(u), tail, None

    def names_only(self, unit: Unit) -> bool:
        """Whether the unit is just the name of an agent (a speaker before a colon)."""
        named = [m for m in self.agents(unit.begin, unit.end) if m.category in ("person", "group")]
        return bool(named) and named[0].begin <= unit.begin + 4 and named[-1].end >= unit.end

    def tail_frame(self, u: _Context) -> Speaker | None:
        """ "Putin said – ...": a frame at the unit's end, before a dash or colon."""
        if not (u.reports and u.dash_after):
            return None
        c = u.reports[-1]
        if has_verb(self.text, c.end, u.unit.end, self.lex):
            return None
        who = self.speaker_before(u.unit.begin, c.begin, u.nested) or self.speaker_right_after(
            c.end
        )
        if who is None:
            return None
        u.reports = u.reports[:-1]
        why = f"frame {self.text[who.begin : c.end]!r} before a dash or colon"
        return Speaker(who.ref, who, "reported", None, u.s.index, why)

    def by_verb(self, u: _Context) -> tuple[Claim | None, Speaker | None] | None:
        """Rule 1: a reporting verb; its subject says the unit (or, negated, did not)."""
        text, unit, s = self.text, u.unit, u.s
        for c in u.reports:
            verb = c.entry
            who = self.speaker_before(unit.begin, c.begin, u.nested)
            if (
                who is None
                and unit.why.startswith(("participle", "'and' before a verb"))
                and u.prev
            ):
                who = self.mention_of(u.prev.claimant) if u.prev.claimant != PUBLISHER else None
            if who is None and not verb.object:
                who = self.speaker_right_after(c.end)  # "said Putin"
            if self.adjacent_quote(unit, s) and not has_verb(text, c.end, unit.end, self.lex):
                return None, None  # the frame of a quotation: the quotation is the claim
            declined = self.cues(max(unit.begin, c.begin - 14), c.begin, ("declined",))
            if declined and verb.kind == "speech":
                claim = self.new(unit.begin, unit.end, s, "author")
                claim.polarity = "-"
                words = text[declined[0].begin : c.end]
                claim.why["polarity"] = f"the speaker's report is negated ({words!r})"
                claim.why["attribution"] = "a report that was not made is the author's statement"
                claim.frame = Frame(
                    unit.begin, c.end, verb.name, "declined", "Statement", who, None, negated=True
                )
                claim.agent_hint = who.ref if who else None
                return claim, None
            if who is not None:
                return self.reported(u, c, who)
        return None

    def reported(self, u: _Context, c: Cue, who: Mention) -> tuple[Claim, Speaker | None]:
        text, unit, s, verb = self.text, u.unit, u.s, c.entry
        words = text[c.begin : c.end]
        claim = self.new(unit.begin, unit.end, s, "reported")
        claim.claimant = self.claimant(who, who.ref)
        claim.act = verb.act
        claim.why["claimant"] = f"subject of {words!r}: {who.text!r} ({who.why})"
        claim.why["attribution"] = f"reporting verb {words!r} ({verb.kind})"
        claim.why["act"] = f"{verb.act}: the verb {words!r}"
        claim.frame = Frame(
            who.begin, c.end, verb.name, verb.kind, verb.act, who, (c.end, unit.end)
        )
        if verb.denial:
            claim.polarity = "-"
            claim.why["polarity"] = f"denial verb {words!r}"
        if verb.label and any(unit.begin <= q.begin < unit.end for q in self.top):
            claim.attribution = "quote"
            claim.why["attribution"] = f"{words!r} with the label in quotation marks"
        self.apply_according(claim, self.cues(unit.begin, unit.end, ("according",)), s)
        hearsay = self.state is not None and self.state.attribution == "hearsay"
        if claim.attribution != "hearsay" and hearsay and self.carries(unit, s, allow_speech=True):
            claim.attribution, claim.reporter = "hearsay", self.state.reporter
            claim.why["attribution"] += (
                f"; continues the hearsay of the sentence before (reporter {self.state.reporter})"
            )
        if verb.kind != "speech":
            return claim, None
        if claim.attribution == "hearsay" and hearsay:
            return claim, self.state
        why = claim.why["claimant"]
        return claim, Speaker(claim.claimant, who, claim.attribution, claim.reporter, s.index, why)

    def by_according(self, u: _Context) -> tuple[Claim | None, Speaker | None] | None:
        """Rule 2: "according to X"."""
        according = self.cues(u.unit.begin, u.unit.end, ("according",))
        if not according:
            return None
        claim = self.new(u.unit.begin, u.unit.end, u.s, "hearsay")
        self.apply_according(claim, according, u.s)
        why = claim.why.get("claimant", "")
        return claim, Speaker(
            claim.claimant, None, claim.attribution, claim.reporter, u.s.index, why
        )

    def by_hedge(self, u: _Context) -> tuple[Claim | None, Speaker | None] | None:
        """Rule 3: an agentless hedge ("is said to be", "reportedly")."""
        if not u.hedges:
            return None
        text, unit, h = self.text, u.unit, u.hedges[0]
        hedge = h.entry
        claim = self.new(unit.begin, unit.end, u.s, "hedge")
        self.unattributed(claim, f"agentless hedge {text[h.begin : h.end]!r}")
        claim.act = hedge.act
        if hedge.label_if_np and _NOUN_PHRASE.match(text, h.end, h.end + 30):
            claim.act = "Label"
        claim.certainty = hedge.certainty
        claim.why["certainty"] = f"hedge {hedge.cue!r}"
        claim.why["act"] = f"{claim.act}: hedge {hedge.cue!r}"
        if hedge.modality:
            claim.modality = hedge.modality
            claim.why["modality"] = f"hedge {hedge.cue!r}"
        inner = [c for c in self.cues(h.end, unit.end, ("report",)) if c.entry.kind == "attitude"]
        if inner:
            claim.act = inner[0].entry.act
        subject = self.speaker_before(unit.begin, h.begin, u.nested)
        claim.agent_hint = subject.ref if subject is not None else None
        return claim, None

    def by_frame_before(self, u: _Context) -> tuple[Claim | None, Speaker | None] | None:
        """Rule 4: the words after a frame that ends in a dash or colon ("X said – ...")."""
        frame = u.frame_for_next
        if frame is None:
            return None
        first_person = _FIRST_PERSON.search(self.text, u.unit.begin, u.unit.end) is not None
        claim = self.new(u.unit.begin, u.unit.end, u.s, "quote" if first_person else "reported")
        claim.claimant = self.claimant(frame.mention, frame.ref)
        claim.why["claimant"] = frame.why
        claim.why["attribution"] = "the words after a reporting frame and a dash or colon" + (
            ", in the first person: a quotation" if first_person else ""
        )
        return claim, frame

    def by_heading_noun(self, u: _Context) -> tuple[Claim | None, Speaker | None] | None:
        """ "X's allegations – ..." in a heading: a speech noun names who says what follows."""
        if u.s.kind not in ("heading", "headline", "bullet") or not u.dash_after:
            return None
        m = re.match(r"(.+?)(?:’s|'s)\s+(\w+)\s*$", self.text[u.unit.begin : u.unit.end])
        if not m or m.group(2).lower() not in self.lex.speech_nouns:
            return None
        who = self.speaker_before(u.unit.begin, u.unit.begin + len(m.group(1)) + 1)
        if who is None:
            return None
        why = f"{m.group(0)!r} names the speaker"
        return None, Speaker(who.ref, who, "reported", None, u.s.index, why)

    def by_first_clause(self, u: _Context) -> tuple[Claim | None, Speaker | None] | None:
        """The rest of a sentence whose first clause reports someone ("X said A, but B")."""
        prev, unit = u.prev, u.unit
        if not (
            prev is not None
            and prev.attribution in ("reported", "hearsay")
            and prev.frame is not None
            and prev.frame.kind == "speech"
            and prev.sentence is u.s
            and unit.parent is None
            and unit.kind == "clause"
            and not unit.why.startswith("after a fronted")
        ):
            return None
        claim = self.new(unit.begin, unit.end, u.s, prev.attribution)
        claim.claimant, claim.reporter, claim.frame = prev.claimant, prev.reporter, prev.frame
        claim.why["claimant"] = f"the same report as the clause before ({prev.claimant})"
        claim.why["attribution"] = (
            f"continues the report of the sentence's first clause ({unit.why})"
        )
        return claim, None

    def by_default(self, u: _Context) -> Claim:
        """Rule 5, carry-over, or rule 6, the article's own voice."""
        claim = self.new(u.unit.begin, u.unit.end, u.s, "author")
        if self.state is not None and self.carries(u.unit, u.s):
            claim.claimant = self.state.ref
            claim.attribution = "hearsay" if self.state.attribution == "hearsay" else "reported"
            claim.reporter = self.state.reporter
            claim.why["claimant"] = f"continues {self.state.ref}'s words of the sentence before"
            claim.why["attribution"] = (
                "an unattributed sentence right after reported speech, not in the past tense, "
                "no contrast word"
            )
            return claim
        claim.why["attribution"] = (
            "no reporting verb, quotation, source or hedge: the article's own voice"
        )
        if u.unit.why.startswith("participle") and u.prev is not None:
            claim.agent_hint = u.prev.agent_hint
        return claim

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
        for w in words:
            if w in self.lex.present:
                return True  # present or perfect: may go on reporting
            if w in self.lex.past or verbish(w, self.lex):
                return False  # past tense: the author narrating
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
        for m in _CAPITAL.finditer(text[s.begin : s.end]):
            b = s.begin + m.start()
            place = self.mentions.at(s.begin + m.end())
            if place is not None and place.category == "place":
                claim = self.new(b, place.end, s, "author")
                claim.kind = "capital"
                claim.why["attribution"] = (
                    "apposition 'the capital, X': the article's own description"
                )
        for m in _ACRONYM.finditer(text[s.begin : s.end]):
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
    qualities(doc, kb)
