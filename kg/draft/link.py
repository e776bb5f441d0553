"""Stage 3, linking: mentions of entities, titles, groups, pronouns and unknown names.

- Names: the labels, alternative labels, demonyms (lexicons/demonyms.yaml) and surnames of the
  entity list, longest match first, case as written (upper case too, for datelines).
- Titles: "Russian President Vladimir Putin", "Marrow, the foreign minister", "the compact's
  spokesperson, Anna Lind" give someone a title (a TitleFact); "the Belarusian president" is
  resolved to whoever the text, or else the reference facts, make the holder of that title.
- Groups: "local media", "residents of Tarsk", "analysts": article-local agents named by their
  words.
- Pronouns and definite descriptions ("the country", "the valley") point at the nearest fitting
  mention before them, preferring a sentence's subject; first person in a quotation is left to
  the claims stage, which knows the speaker.
- Unknown capitalised names become stubs: entities to confirm, never a guessed identifier.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from kg.draft.knowledge import AGENTS, Knowledge
from kg.draft.lexicon import find_phrases
from kg.draft.model import Doc, Mention, Sentence, Stub, TitleFact

_WORD = re.compile(r"[^\W_](?:[\w.’'-]*[^\W_])?")
_TOKEN = re.compile(r"[^\W_](?:[\w.-]*[^\W_])?")  # no apostrophes: "Oskaria’s" -> "Oskaria"
_CAP = re.compile(r"[A-Z\u00C0-\u00DE][\w’'.-]*")
_ORG_WORDS = {
    "council",
    "court",
    "ministry",
    "organization",
    "organisation",
    "union",
    "party",
    "agency",
    "committee",
    "bank",
    "fund",
    "assembly",
    "parliament",
    "army",
    "forces",
    "front",
    "movement",
    "commission",
    "office",
    "service",
    "institute",
    "university",
    "company",
    "corporation",
    "news",
    "times",
    "post",
    "tv",
    "radio",
    "alliance",
    "pact",
    "compact",
    "league",
    "federation",
    "coalition",
    "network",
    "foundation",
    "group",
    "guard",
    "police",
    "navy",
}
_PRONOUN = re.compile(r"(?<![\w’'-])(?:he|him|his|she|her|it|its|they|their|them)(?![\w’'-])", re.I)
_DEFINITE = re.compile(r"(?<![\w-])[Tt]he\s+([a-z]+)(?![\w-])")
# Endings of adjectives kept in a group's name ("parliamentary officials", "military sources").
_ADJECTIVE_ENDINGS = ("ary", "al", "ic", "ian", "ese", "ish", "ist", "ive")
_PLACE_PREPOSITIONS = {"in", "near", "at", "into", "across", "from", "to", "towards", "outside"}


def slug(words: str) -> str:
    """An id made of the words: lower case, letters and digits, hyphens between."""
    s = re.sub(r"[^0-9a-z]+", "-", words.lower().replace("’", "").replace("'", "")).strip("-")
    return s or "x"


class Mentions:
    """Mentions in text order, with lookups by position."""

    def __init__(self, items: list[Mention]) -> None:
        self.items = sorted(items, key=lambda m: (m.begin, -m.end))
        self.starts = [m.begin for m in self.items]
        self._owner: dict[int, Mention] | None = None  # character -> innermost mention over it

    def within(self, b: int, e: int) -> list[Mention]:
        i = bisect_left(self.starts, b)
        out = []
        while i < len(self.items) and self.items[i].begin < e:
            if self.items[i].end <= e:
                out.append(self.items[i])
            i += 1
        return out

    def at(self, pos: int) -> Mention | None:
        i = bisect_left(self.starts, pos)
        if i < len(self.items) and self.items[i].begin == pos:
            return self.items[i]
        return None

    def covering(self, pos: int) -> Mention | None:
        if self._owner is None:
            self._owner = {}
            for m in self.items:
                for p in range(m.begin, m.end):
                    self._owner[p] = m
        return self._owner.get(pos)


def _names(doc: Doc, kb: Knowledge) -> list[Mention]:
    text, out, taken_until = doc.text, [], -1
    for m in _TOKEN.finditer(text):
        pos = m.start()
        if pos < taken_until:
            continue
        for form in kb.forms.get(m.group(0), ()):
            end = pos + len(form.text)
            if text.startswith(form.text, pos) and not (end < len(text) and text[end].isalnum()):
                e = kb.entities[form.eid]
                out.append(
                    Mention(
                        pos,
                        end,
                        form.text,
                        e.eid,
                        e.category,
                        form.how,
                        f"{form.how} of {e.eid}",
                        e.agent,
                    )
                )
                taken_until = end
                break
    return out


_BOUNDARY = re.compile(r"[.!?\n:;“”\"()–—]")


def text_before(text: str, pos: int) -> str:
    """The word (or possessive ’s) just before `pos`, lower case."""
    m = re.search(r"(\w+|[’']s)\s*$", text[max(0, pos - 20) : pos])
    return m.group(1).lower() if m else ""


def _governments(doc: Doc, kb: Knowledge, names: Mentions) -> list[Mention]:
    """ "the Belarusian government", "Russia's government": the state's government entity."""
    out = []
    for m in re.finditer(r"\bgovernment\b", doc.text):
        owner = names.covering(m.start() - 2) if m.start() >= 2 else None
        if owner is None and m.start() >= 4:
            owner = names.covering(m.start() - 4)  # "Russia’s government"
        if owner is not None and owner.category == "state" and owner.ref in kb.governments:
            gov = kb.governments[owner.ref]
            out.append(
                Mention(
                    owner.begin,
                    m.end(),
                    doc.text[owner.begin : m.end()],
                    gov,
                    "organisation",
                    "government",
                    f"the government of {owner.ref}",
                    True,
                )
            )
    return out


def _before(text: str, pos: int, n: int = 1) -> list[str]:
    """The n words before `pos` in the same sentence or clause, lower case, nearest last."""
    start = max(0, pos - 60)
    window = text[start:pos]
    cut = max((m.end() for m in _BOUNDARY.finditer(window)), default=0)
    words = _WORD.findall(window[cut:])
    return [w.lower() for w in words[-n:]]


def subject_like(text: str, m: Mention, lex_prepositions: set[str]) -> bool:
    """Not the object of a preposition (skipping an article or possessive in between)."""
    words = _before(text, m.begin, 2)
    if words and words[-1] in ("the", "a", "an") and len(words) == 2:
        words = words[:1]
    return not (words and words[-1] in lex_prepositions)


def _titles(doc: Doc, kb: Knowledge, names: Mentions) -> tuple[list[Mention], list[TitleFact]]:
    text, lex = doc.text, kb.lex
    mentions: list[Mention] = []
    facts: list[TitleFact] = []
    pending: list[tuple[int, int, int, str, str | None]] = []
    for tb, te, title in find_phrases(doc.tokens(), lex.titles_index):
        inside = names.covering(tb)
        if inside is not None:
            if inside.category == "person" and inside.how == "altLabel" and te < inside.end:
                of = _state_in(kb, text, inside.begin, tb)
                facts.append(
                    TitleFact(
                        inside.begin,
                        inside.end,
                        inside.ref,
                        title,
                        of,
                        kb.post_for(title, of),
                        f"title {text[tb:te]!r} in the name {inside.text!r}",
                    )
                )
            continue
        # What the title is of: a state named (or a demonym) just before, or "X's title".
        of, nb = None, tb
        prev = names.covering(tb - 2) if tb >= 2 else None
        gap = text[prev.end : tb] if prev is not None else ""
        if (
            prev is not None
            and prev.category in ("state", "organisation")
            and gap in (" ", "’s ", "'s ")
        ):
            of, nb = prev.ref, prev.begin
        # Pattern A: title + name ("President Alexander Lukashenko").
        after = names.at(te + 1) if te < len(text) and text[te] == " " else None
        if after is not None and after.category == "person":
            start = nb
            if of is None and text[max(0, tb - 4) : tb].lower() == "the ":
                start = tb - 4
            post = kb.post_for(title, of)
            facts.append(
                TitleFact(
                    start,
                    after.end,
                    after.ref,
                    title,
                    of,
                    post,
                    f"title {text[tb:te]!r} before the name",
                )
            )
            continue
        # Pattern C: "Name, the title," (apposition after a name).
        lead = text[max(0, nb - 6) : nb]
        if lead.lower().endswith(", the ") or lead.lower().endswith(",the "):
            comma = text.rfind(",", 0, nb)
            before = names.covering(comma - 1) if comma > 0 else None
            if before is not None and before.category == "person":
                facts.append(
                    TitleFact(
                        before.begin,
                        te,
                        before.ref,
                        title,
                        of,
                        kb.post_for(title, of),
                        f"apposition ', the {title}' after the name",
                    )
                )
                continue
        # Pattern D: "the title, Name," (apposition before a name).
        if text.startswith(", ", te):
            follow = names.at(te + 2)
            if follow is not None and follow.category == "person":
                start = nb if of is not None else tb
                if text[max(0, start - 4) : start].lower() == "the ":
                    start -= 4
                facts.append(
                    TitleFact(
                        start,
                        follow.end,
                        follow.ref,
                        title,
                        of,
                        kb.post_for(title, of),
                        f"apposition '{text[tb:te]}, NAME'",
                    )
                )
                continue
        # Pattern B: "the [Demonym] title", "its title" without a name: resolved once every
        # title given with a name is known (news often names the person later).
        pending.append((nb, tb, te, title, of))
    sentences = [(x.begin, x.end, x.kind) for x in doc.sentences]
    for nb, tb, te, title, of in pending:
        b0, holderless_why = _title_lead(doc, names, nb, tb, te, sentences)
        if b0 is None:
            continue
        if of is None and text[b0:nb].lower().rstrip() in ("its", "their"):
            state = [m for m in names.within(max(0, b0 - 300), b0) if m.category == "state"]
            of = state[-1].ref if state else None
        holder, why = _holder(doc, kb, facts, title, of)
        words = text[b0:te]
        if holder is None:
            if title in ("leader", "chief", "general", "chair") and text[b0:nb].lower() != "the ":
                continue
            mentions.append(
                Mention(b0, te, words, slug(text[nb:te]), "person", "unnamed", holderless_why, True)
            )
            continue
        mentions.append(Mention(b0, te, words, holder, "person", "title", why, True))
        if of is not None:
            why += " (title of a named state)"
            facts.append(TitleFact(b0, te, holder, title, of, kb.post_for(title, of), why))
    return mentions, facts


def _title_lead(
    doc: Doc, names: Mentions, nb: int, tb: int, te: int, sentences: list[tuple[int, int, str]]
) -> tuple[int | None, str]:
    """Where a title without a name starts ("the", "a", "its", or nothing in a headline before
    a colon) and why it names someone; None if it names nobody (a possessive "the chief's")."""
    text = doc.text
    if text[te : te + 3] in ("’s ", "'s "):
        return None, ""
    lead = re.search(r"(?:\b[Tt]he|\b[Ii]ts|\b[Tt]heir|\b[Aa]n?)\s+$", text[max(0, nb - 6) : nb])
    if lead is not None:
        word = lead.group(0).strip().lower()
        why = "an unnamed person with this title: an article agent named by the words"
        if word in ("the", "its", "their"):
            why = f"'{text[nb:te]}', not named in the text: an article agent"
        return nb - len(lead.group(0)), why
    heading = any(b <= nb < e and kind in ("headline", "heading") for b, e, kind in sentences)
    if heading and re.match(r"\s*:", text[te : te + 2]):
        return nb, "a headline's speaker before a colon, not named: an article agent"
    return None, ""


def _state_in(kb: Knowledge, text: str, b: int, e: int) -> str | None:
    """A state named (or a demonym) in text[b:e]."""
    for m in _TOKEN.finditer(text, b, e):
        for form in kb.forms.get(m.group(0), ()):
            ent = kb.entities[form.eid]
            if ent.category == "state" and text.startswith(form.text, m.start()):
                return ent.eid
    return None


def _holder(
    doc: Doc, kb: Knowledge, facts: list[TitleFact], title: str, of: str | None
) -> tuple[str | None, str]:
    """Who 'the [state] title' is: the text's title-holders first, then the reference facts."""
    fitting = [
        f
        for f in facts
        if (f.title == title or f.title.endswith(" " + title))
        and (of is None or f.of in (None, of))
    ]
    exact = [f for f in fitting if f.of == of] or fitting
    if exact:
        return exact[
            -1
        ].holder, f"'the {title}' = {exact[-1].holder}, given that title at {exact[-1].begin}"
    post = kb.post_for(title, of)
    if post is None and of is not None and title in kb.lex.head_titles:
        post = next(
            (p for (t, s), p in kb.posts.items() if s == of and t in kb.lex.head_titles), None
        )
    if post is not None:
        holder = kb.holder(post, doc.anchor)
        if holder is not None:
            return holder, f"'the {title}' = holder of {post} on the anchor date (reference facts)"
    return None, ""


def _groups(doc: Doc, kb: Knowledge, taken: Mentions) -> list[Mention]:
    text, lex, out = doc.text, kb.lex, []
    for b, e, head in find_phrases(doc.tokens(), lex.groups_index):
        if taken.covering(b) is not None:
            continue
        # Modifiers before the head: "local", "state", a demonym ("Varnian state media").
        while True:
            words = list(_WORD.finditer(text, max(0, b - 30), b))
            if not words or text[words[-1].end() : b] != " ":
                break
            w = words[-1]
            prev = taken.covering(w.start())
            word = w.group(0).lower()
            adjective = word.endswith(_ADJECTIVE_ENDINGS) and word not in lex.prepositions
            if (
                word in lex.group_modifiers
                or word in lex.groups
                or adjective
                or (prev is not None and prev.category == "state" and prev.end == w.end())
            ):
                b = w.start()
                continue
            break
        # "residents of Tarsk": of + a place named.
        if text.startswith(" of ", e):
            place = taken.at(e + 4)
            if place is not None and place.category in ("place", "state"):
                e = place.end
        # "opposition leaders": a group noun before another is its modifier
        follow = _WORD.match(text, e + 1) if text[e : e + 1] == " " else None
        if follow is not None and follow.group(0).lower() in lex.groups:
            e, head = follow.end(), follow.group(0).lower()
        if out and out[-1].end >= b:
            continue  # the head of the group before ("opposition" of "opposition leaders")
        words = text[b:e]
        gid = slug(words)
        out.append(Mention(b, e, words, gid, "group", "group", f"group noun {head!r}", True))
    return out


def _stubs(doc: Doc, kb: Knowledge, taken: Mentions) -> tuple[list[Mention], list[Stub]]:
    text, lex = doc.text, kb.lex
    mentions: list[Mention] = []
    stubs: dict[str, Stub] = {}
    skip = lex.not_names | set(lex.time["weekdays"]) | set(lex.time["months"]) | set(lex.titles)
    skip |= (
        lex.groups | set(lex.verbs) | lex.auxiliaries | {w for t in lex.titles for w in t.split()}
    )
    skip |= set(lex.quantities["vague_plurals"]) | set(lex.time["numbers"])
    covered = [(t.begin, t.end) for t in doc.titles]
    # an acronym spelt out in brackets is the acronym's name, not a new entity
    covered += [
        (m.start(2), m.end(2))
        for m in re.finditer(r"\b[A-Z]{2,6}\s+\((([A-Z][\w’'-]*\s*)+)\)", text)
    ]
    for sentence in doc.sentences:
        body = text[sentence.begin : sentence.end]
        caps = [w for w in _WORD.findall(body) if w[0].isupper()]
        if sentence.kind in ("headline", "heading") and len(caps) * 2 > len(body.split()):
            continue  # title case: capitals say nothing about names
        run: list[re.Match[str]] = []
        for m in [*_CAP.finditer(text, sentence.begin, sentence.end), None]:
            if (
                m is not None
                and run
                and text[run[-1].end() : m.start()] in (" ", " of ", " of the ")
            ):
                run.append(m)
                continue
            if run and not any(b <= run[0].start() < e for b, e in covered):
                _stub_run(doc, kb, taken, run, sentence, skip, mentions, stubs)
            run = [m] if m is not None else []
    doc.stubs.extend(stubs.values())
    return mentions, list(stubs.values())


def _stub_run(
    doc: Doc,
    kb: Knowledge,
    taken: Mentions,
    run: list[re.Match[str]],
    sentence: Sentence,
    skip: set[str],
    mentions: list[Mention],
    stubs: dict[str, Stub],
) -> None:
    text = doc.text
    words = [m for m in run if taken.covering(m.start()) is None]
    # keep only the longest stretch not covered by a mention and not a known word
    while words and (words[0].group(0).lower().strip(".’'") in skip):
        words = words[1:]
    while words and words[-1].group(0).lower().strip(".’'") in skip:
        words = words[:-1]
    if not words:
        return
    b, e = words[0].start(), words[-1].end()
    if text[e - 1] == ".":
        e -= 1
    label = text[b:e]
    if any(taken.covering(p) is not None for p in range(b, e)):
        return
    if text[sentence.begin : b].strip(" “\"‘'(") == "" and len(words) == 1:
        return  # one capitalised word opening a sentence may be any word
    if label.isupper() and len(label) <= 3:
        return
    if label.endswith(("’s", "'s")):
        label, e = label[:-2], e - 2
    lower = {w.lower() for w in label.split()}
    before = _before(text, b, 1)
    raw_before = text[max(0, b - 6) : b].lower()
    after = _WORD.match(text, e + 1) if text[e : e + 1] == " " else None
    speaks = after is not None and after.group(0).lower() in kb.lex.verbs
    if lower & _ORG_WORDS:
        kind, category = "Organisation", "organisation"
    elif re.search(r"\b(?:mr|mrs|ms|dr|prof|sir|dame)\.?\s+$", raw_before):
        kind, category = "Person", "person"
    elif before and before[0] in _PLACE_PREPOSITIONS:
        kind, category = "Place", "place"
    elif 2 <= len(label.split()) <= 3 or speaks:
        kind, category = "Person", "person"
    else:
        kind, category = "Place", "place"
    sid = slug(label)
    if sid in kb.entities:
        return
    stubs.setdefault(
        sid,
        Stub(
            sid,
            label,
            kind,
            b,
            e,
            f"a name not in the entity list ({kind.lower()}: by its words or the word before)",
        ),
    )
    mentions.append(
        Mention(b, e, label, sid, category, "stub", f"unknown name {label!r}", category in AGENTS)
    )


def _resolve(doc: Doc, kb: Knowledge, mentions: list[Mention]) -> list[Mention]:
    """Pronouns and definite descriptions, in text order, against the mentions before them."""
    text, lex = doc.text, kb.lex
    pron, definite = _PRONOUN, _DEFINITE
    found: list[Mention] = []
    by_sentence: list[tuple[Sentence, list[Mention]]] = []
    all_mentions = Mentions(mentions)
    last_word: dict[str, str] = {}
    for e in kb.entities.values():
        for name in (e.label, *e.alt):
            words = name.lower().split()
            if len(words) > 1 and words[-1] not in lex.definites:
                last_word.setdefault(words[-1], e.eid)
    quotes = [(q.begin, q.end) for q in doc.quotations]

    def inside_quote(pos: int) -> bool:
        return any(b <= pos < e for b, e in quotes)

    for sentence in doc.sentences:
        here = all_mentions.within(sentence.begin, sentence.end)
        resolved_here: list[Mention] = []
        items: list[tuple[int, str, re.Match[str]]] = []
        for m in pron.finditer(text, sentence.begin, sentence.end):
            items.append((m.start(), "pronoun", m))
        for m in definite.finditer(text, sentence.begin, sentence.end):
            items.append((m.start(), "definite", m))
        for pos, how, m in sorted(items, key=lambda t: t[0]):
            if all_mentions.covering(pos) is not None:
                continue
            if how == "pronoun":
                word = m.group(0).lower()
                want = lex.pronouns.get(word, "thing")
                cats = (
                    {"person"}
                    if want == "person"
                    else ({"state", "organisation"} if want == "thing" else {"group"})
                )
                ref = _antecedent(
                    text,
                    lex,
                    pos,
                    cats,
                    inside_quote(pos),
                    here,
                    resolved_here,
                    by_sentence,
                    inside_quote,
                )
                if ref is not None:
                    men = Mention(
                        m.start(),
                        m.end(),
                        m.group(0),
                        ref.ref,
                        ref.category,
                        "pronoun",
                        f"{m.group(0)!r} = {ref.ref} ({ref.text!r} at {ref.begin})",
                        ref.agent,
                    )
                    found.append(men)
                    resolved_here.append(men)
                continue
            noun = m.group(1)
            cats = set(lex.definites.get(noun, ()))
            target = None
            if cats:
                target = _antecedent(
                    text,
                    lex,
                    pos,
                    cats,
                    False,
                    here,
                    resolved_here,
                    by_sentence,
                    inside_quote,
                    nearest=True,
                    back=len(by_sentence),
                )
            elif noun in last_word:
                eid = last_word[noun]
                seen = [
                    x
                    for x in (*here, *(y for _, ys in by_sentence for y in ys))
                    if x.ref == eid and x.begin < pos
                ]
                if seen:
                    target = seen[-1]
            if target is not None and noun == "government":
                gov = kb.governments.get(target.ref)
                if gov is not None:
                    target = Mention(
                        target.begin,
                        target.end,
                        target.text,
                        gov,
                        "organisation",
                        "definite",
                        target.why,
                        True,
                    )
            if target is not None:
                men = Mention(
                    m.start(),
                    m.end(),
                    m.group(0),
                    target.ref,
                    target.category,
                    "definite",
                    f"{m.group(0)!r} = {target.ref} (nearest fitting mention)",
                    target.agent,
                )
                found.append(men)
                resolved_here.append(men)
        by_sentence.append((sentence, [*here, *resolved_here]))
    return found


def _in_relative(text: str, pos: int, end: int) -> bool:
    """Whether `pos` lies in a ", which ...," clause closed before `end`."""
    m = re.search(r",\s+(?:which|who|whose|where)\s[^,]*$", text[max(0, pos - 80) : pos + 1])
    return m is not None and text.find(",", pos, end) != -1


def _antecedent(
    text: str,
    lex,
    pos: int,
    cats: set[str],
    in_quote: bool,
    here: list[Mention],
    resolved_here: list[Mention],
    by_sentence: list[tuple[Sentence, list[Mention]]],
    inside_quote,
    nearest: bool = False,
    back: int = 3,
) -> Mention | None:
    """The fitting mention: in this sentence before `pos`, else the nearest earlier sentence."""

    def fits(m: Mention) -> bool:
        return m.ref is not None and m.category in cats and (in_quote or not inside_quote(m.begin))

    same = sorted(
        [m for m in (*here, *resolved_here) if m.begin < pos and fits(m)], key=lambda m: m.begin
    )
    if same:
        subjects = [m for m in same if subject_like(text, m, lex.prepositions)]
        if "person" not in cats:
            # "it"/"its": the nearest thing named before, outside a relative clause between commas
            outside = [m for m in (subjects or same) if not _in_relative(text, m.begin, pos)]
            return (outside or subjects or same)[-1]
        return (subjects or same)[-1 if nearest else 0]
    for _, ms in reversed(by_sentence[-back:] if back else []):
        cands = sorted([m for m in ms if fits(m)], key=lambda m: m.begin)
        if cands:
            subjects = [m for m in cands if subject_like(text, m, lex.prepositions)]
            pool = subjects or cands
            return pool[-1] if nearest else pool[0]
    return None


def link(doc: Doc, kb: Knowledge) -> None:
    """Fill doc.mentions (names, titles, groups, pronouns, stubs) and doc.titles."""
    names = _names(doc, kb)
    index = Mentions(names)
    title_mentions, facts = _titles(doc, kb, index)
    doc.titles = facts
    index = Mentions([*names, *title_mentions])
    groups = _groups(doc, kb, index)
    index = Mentions([*names, *title_mentions, *groups])
    stub_mentions, _ = _stubs(doc, kb, index)
    base = [*names, *title_mentions, *groups, *stub_mentions, *_governments(doc, kb, index)]
    resolved = _resolve(doc, kb, base)
    everything = Mentions([*base, *resolved])
    for g in groups:
        # "its leaders", "the movement's officials": they speak for what they belong to
        owner = everything.covering(g.begin - 2) if g.begin >= 2 else None
        if (
            text_before(doc.text, g.begin) in ("its", "their", "’s", "'s")
            and owner is not None
            and owner.category in ("organisation", "state")
            and owner.ref
        ):
            g.ref, g.category, g.how = owner.ref, owner.category, "possessed"
            g.why = f"{g.text!r} of {owner.ref} speak for it"
    doc.mentions = everything.items
