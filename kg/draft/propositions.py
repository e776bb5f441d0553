"""Stage 6, propositions: each claim's type and roles, shared propositions, denials and targets.

A claim's own words are matched against the event triggers (lexicons/events.yaml); the roles are
filled from the mentions around the trigger (subject, object, place), the claim's count, date
and "if" clause. Titles, "the capital, X", acronyms and labels have fixed shapes. A claim no
trigger matches gets a stub: `type: Proposition` with the words to fill in.

Two claims with the same type and roles share one proposition. A denial ("X denied this",
"... are baseless", or a negated claim whose proposition someone else asserted) takes the
proposition of the claims it denies and disputes them, as the loader requires.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from kg.draft.knowledge import Knowledge
from kg.draft.link import Mentions, slug, subject_like
from kg.draft.model import Claim, Doc, Mention, Proposition

_CONDITION = re.compile(r"\b(?:if|unless)\b[^,;]*", re.IGNORECASE)  # compiled once: per claim


_FIRST_PERSON = re.compile(r"(?<![\w’'-])(?:we|our|us|i|my|me)(?![\w’'-])", re.IGNORECASE)
_ANAPHORIC = re.compile(
    r"\b(?:this|that|these|it|them|such"
    r"|the (?:accusations?|allegations?|claims?|charges?|reports?))\b",
    re.IGNORECASE,
)


class Builder:
    def __init__(self, doc: Doc, kb: Knowledge) -> None:
        self.doc, self.kb, self.text = doc, kb, doc.text
        self.mentions = Mentions(doc.mentions)
        lower = doc.text.lower()
        # every trigger's matches, found in one pass: where any trigger may start, try each
        self.hits: list[tuple[int, int, int, str]] = []  # (begin, end, trigger rank, words)
        match, until = kb.lex.triggers_any.match, -1
        for b, _, _ in doc.tokens():  # a trigger starts a word: try only there
            if b < until:
                continue
            m = match(lower, b)
            if m is not None:
                rank = int(m.lastgroup[1:]) if m.lastgroup else 0
                self.hits.append((b, m.end(), rank, m.group(0)))
                until = m.end()
        self.hit_starts = [h[0] for h in self.hits]

    def own_text(self, claim: Claim) -> list[tuple[int, int]]:
        return claim.own or [(claim.begin, claim.end)]

    def mentions_in(
        self, claim: Claim, b: int | None = None, e: int | None = None
    ) -> list[Mention]:
        lo, hi = b if b is not None else claim.begin, e if e is not None else claim.end
        return [
            m
            for m in self.mentions.within(lo, hi)
            if m.ref and any(x <= m.begin < y for x, y in self.own_text(claim))
        ]

    def speaker_state(self, claim: Claim) -> str | None:
        """The state a speaker stands for ("we" in a quotation of a minister or ministry)."""
        who = claim.claimant
        ent = self.kb.entities.get(who)
        if ent is not None and ent.category == "state":
            return who
        for t in self.doc.titles:
            if (
                t.holder == who
                and t.of
                and self.kb.entities.get(t.of)
                and self.kb.entities[t.of].category == "state"
            ):
                return t.of
        if ent is not None:
            for m in self.doc.mentions:
                if m.how == "demonym" and m.ref and m.text in ent.label + " " + " ".join(ent.alt):
                    return m.ref
            for name, state in (
                (e.label, e.eid) for e in self.kb.entities.values() if e.category == "state"
            ):
                if name in ent.label:
                    return state
        return who if ent is not None and ent.agent else None

    def subject(self, claim: Claim, pos: int) -> str | None:
        """Who does what the trigger at `pos` names."""
        frame = claim.frame
        if frame is not None and frame.speaker is not None and frame.begin <= pos < frame.end:
            return frame.speaker.ref  # the reporting verb is the act ("offers", "assured")
        if frame is not None and frame.verb in ("accuse", "blame") and frame.end <= pos:
            after = [
                m
                for m in self.mentions_in(claim, frame.end, pos)
                if m.agent or m.category == "state"
            ]
            if after:
                return after[0].ref  # "X accused Y of doing": Y does it
        if claim.attribution == "quote" and _FIRST_PERSON.search(self.text, claim.begin, pos):
            return self.speaker_state(claim)
        start = frame.end if frame is not None and frame.end <= pos else claim.begin
        title_of = [(t.begin, t.end, t.holder) for t in self.doc.titles]
        cands = [
            m
            for m in self.mentions_in(claim, start, pos)
            if (m.agent or m.category == "state")
            and not any(b <= m.begin < e and m.ref != h for b, e, h in title_of)
        ]
        subjects = [m for m in cands if subject_like(self.text, m, self.kb.lex.prepositions)]
        if subjects:
            return subjects[0].ref
        if claim.agent_hint:
            return claim.agent_hint
        if claim.kind == "quote" and _FIRST_PERSON.search(self.text, claim.begin, claim.end):
            return self.speaker_state(claim)
        return None

    def object(self, claim: Claim, pos: int) -> str | None:
        after = [m for m in self.mentions_in(claim, pos) if m.agent or m.category == "state"]
        return after[0].ref if after else None

    def place(self, claim: Claim, pos: int) -> str | None:
        after = [m for m in self.mentions_in(claim, pos) if m.category in ("place", "state")]
        anywhere = [m for m in self.mentions_in(claim) if m.category in ("place", "state")]
        return (after or anywhere or [None])[0] and (after or anywhere)[0].ref

    def quantity(self, claim: Claim) -> dict | None:
        if not claim.quantities:
            return None
        q = claim.quantities[0]
        node: dict[str, object] = {"type": "Quantity"}
        for key, value in (
            ("exactValue", q.exact),
            ("minValue", q.minimum),
            ("maxValue", q.maximum),
        ):
            if value is not None:
                node[key] = value
        if q.vague:
            node["vague"] = True
        node["surfaceText"] = q.text
        return node

    def condition(self, claim: Claim) -> dict | None:
        for b, e in self.own_text(claim):
            m = _CONDITION.search(self.text[b:e])
            if m:
                words = m.group(0).strip().rstrip('.,”"')
                return {"type": "Condition", "surfaceText": words}
        return None

    def build(self, claim: Claim) -> Proposition:
        text = self.text
        words = " ".join(text[b:e] for b, e in self.own_text(claim)).strip()
        if claim.kind == "title":
            t = next(
                (t for t in self.doc.titles if t.begin == claim.begin and t.end == claim.end), None
            )
            post = t.post if t is not None else None
            why = f"title {t.title!r} of {t.of}: post {post}" if t is not None else ""
            if t is not None and post is None:
                post = next(
                    (
                        x.post
                        for x in self.doc.titles
                        if x.holder == t.holder and x.title == t.title and x.post
                    ),
                    None,
                )
                why = f"title {t.title!r}: the post the text gives {t.holder} elsewhere"
            if t is not None and post is None:
                held = [
                    x.post
                    for x in self.kb.tenures
                    if x.holder == t.holder
                    and self.kb.entities.get(x.post)
                    and self.kb.entities[x.post].label.lower().startswith(t.title)
                ]
                post = held[0] if len(set(held)) == 1 else None
                why = f"title {t.title!r}: the post {t.holder} holds in the reference facts"
            if t is not None and post is not None:
                return Proposition(
                    "TenureStatement", {"holder": t.holder, "post": post}, words, why
                )
            return Proposition("Proposition", {}, words, "a title with no Post entity: fill in")
        if claim.kind == "capital":
            place = self.mentions.at(
                claim.end - len(text[claim.begin : claim.end].split(",")[-1].strip())
            )
            state = self.recent_state(claim.begin)
            if place is not None and state is not None:
                return Proposition(
                    "CapitalStatement",
                    {"state": state, "capital": place.ref},
                    words,
                    f"'the capital, {place.text}', the state last named: {state}",
                )
        if claim.kind == "acronym":
            m = re.match(r"([A-Z]{2,6})\s+\((.+)\)", text[claim.begin : claim.end])
            org = self.mentions.at(claim.begin)
            if m and org is not None and org.ref:
                return Proposition(
                    "OrganisationName",
                    {"nameOf": org.ref, "fullName": m.group(2)},
                    words,
                    "an acronym spelt out in brackets",
                )
        if claim.frame is not None and claim.frame.kind == "declined" and claim.frame.speaker:
            return Proposition(
                "Disclosure",
                {"agent": claim.frame.speaker.ref},
                words,
                "a negated report: what the speaker did not disclose",
            )
        if claim.act == "Label":
            label = self.label(claim)
            if label is not None:
                return label
        own = self.own_text(claim)
        cond = None
        for b, e in own:
            found = _CONDITION.search(text[b:e])
            if found:
                cond = (b + found.start(), b + found.end())
                break
        lo = bisect_left(self.hit_starts, claim.begin)
        hi = bisect_left(self.hit_starts, claim.end)
        hits = [
            h
            for h in self.hits[lo:hi]
            if any(b <= h[0] and h[1] <= e for b, e in own)
            and (cond is None or not cond[0] <= h[0] < cond[1])
            and not ((m := self.mentions.covering(h[0])) is not None and m.agent and h[1] <= m.end)
        ]
        if hits:
            hit = min(hits, key=lambda h: (h[2], h[0]))
            trig = self.kb.lex.triggers[hit[2]]
            pos, matched = hit[0], hit[3]
            end = pos + len(matched.split()[0])  # the object may stand inside the trigger
            roles: dict[str, object] = {}
            for role, source in trig.roles.items():
                value = self.role(claim, source, pos, end)
                if value is not None and value != {} and role not in roles:
                    roles[role] = value
            roles.update(trig.values)
            why = f"trigger {matched!r}"
            if trig.event:
                event = {"type": trig.event, **roles}
                return Proposition(
                    "EventOccurrence", {"event": event}, words, f"{why} ({trig.event})"
                )
            return Proposition(trig.type, roles, words, why)
        return Proposition("Proposition", {}, words, "no trigger matched: fill in type and roles")

    def role(self, claim: Claim, source: str, pos: int, end: int) -> object:
        if source == "subject":
            return self.valid(self.subject(claim, pos))
        if source == "object":
            return self.valid(self.object(claim, end))
        if source == "place":
            return self.valid(self.place(claim, end))
        if source == "state":
            states = [m.ref for m in self.mentions_in(claim) if m.category == "state"]
            return self.valid(states[0]) if states else None
        if source == "quantity":
            return self.quantity(claim)
        if source == "date":
            dates = [t.date for t in claim.times if t.date is not None]
            return dates[0] if dates else None
        if source == "condition":
            return self.condition(claim)
        if source == "post":
            return self.post(claim, pos, end)
        if source == "years":
            for t in claim.times:
                m = re.match(
                    r"for\s+(?:more than\s+|nearly\s+|almost\s+|about\s+)?(\w+)\s+years?$",
                    t.text,
                    re.I,
                )
                if m:
                    n = m.group(1)
                    return int(n) if n.isdigit() else self.kb.lex.time["numbers"].get(n.lower())
            return None
        if source == "since_year":
            for t in claim.times:
                m = re.search(r"since\s+(?:\w+\s+)?(\d{4})$", t.text, re.I)
                if m:
                    return int(m.group(1))
            return None
        if source == "agreement":
            parties = []
            for m in self.mentions_in(claim):
                if m.category == "state" and self.valid(m.ref) and m.ref not in parties:
                    parties.append(m.ref)
            return {"type": "Agreement", "party": parties} if parties else {"type": "Agreement"}
        return None

    def post(self, claim: Claim, pos: int, end: int) -> str | None:
        """The post a tenure trigger names: its title and the state named with it (or the head
        of state of the state ruled), else a title the text gave the holder."""
        words = self.text[pos:end].lower()
        found = self.kb.lex.titles_re.search(words)
        title = found.group(0).lower() if found else None
        states = [m.ref for m in self.mentions_in(claim, pos) if m.category == "state"]
        holder = self.subject(claim, pos)
        for state in states:
            if title is not None and self.kb.post_for(title, state):
                return self.kb.post_for(title, state)
            if title is None or title in self.kb.lex.head_titles:
                for (t, s), post in self.kb.posts.items():
                    if s == state and t in self.kb.lex.head_titles:
                        return post
        for fact in self.doc.titles:
            if fact.holder == holder and fact.post and (title is None or fact.title == title):
                return fact.post
        return None

    def valid(self, ref: str | None) -> str | None:
        """Only ids the loader resolves: entities and the article's agents (not stubs)."""
        if ref is None:
            return None
        if ref in self.kb.entities or ref in self.doc.agents:
            return ref
        return None

    def label(self, claim: Claim) -> Proposition | None:
        text = self.text
        for b, e in self.own_text(claim):
            m = re.search(r"\b(?:as|to be|called|call)\s+(.+?)[.”\"]*$", text[b:e])
            if m:
                labelled = self.subject(claim, b + m.start()) or claim.agent_hint
                if claim.frame is not None and claim.frame.verb in ("call", "describe"):
                    labelled = self.object(claim, claim.frame.end) or labelled
                label = m.group(1).strip().strip('“”"‘’').strip()
                if labelled and label:
                    return Proposition(
                        "LabelStatement",
                        {"labelled": labelled, "labelText": label},
                        label,
                        f"label after {m.group(0).split()[0]!r}",
                    )
        return None

    def recent_state(self, pos: int) -> str | None:
        states = [
            m
            for m in self.doc.mentions
            if m.category == "state" and m.begin < pos and m.ref in self.kb.entities
        ]
        return states[-1].ref if states else None


def _agent_of(prop: Proposition) -> str | None:
    roles = (
        prop.roles.get("event", prop.roles)
        if isinstance(prop.roles.get("event"), dict)
        else prop.roles
    )
    for key in ("agent", "winner", "holder"):
        if isinstance(roles.get(key), str):
            return roles[key]
    return None


def _subsumes(big: Proposition, small: Proposition) -> bool:
    """Same type, and every role of `small` has the same value in `big`."""
    if big.type != small.type or small.type == "Proposition":
        return False
    a = big.roles.get("event") if big.type == "EventOccurrence" else big.roles
    b = small.roles.get("event") if small.type == "EventOccurrence" else small.roles
    if not isinstance(a, dict) or not isinstance(b, dict) or a.get("type") != b.get("type"):
        return False
    shared = [k for k in b if k != "type"]
    return bool(shared) and all(
        k in a and a[k] == b[k] for k in shared if not isinstance(b[k], dict)
    )


def propositions(doc: Doc, kb: Knowledge) -> None:
    """Give every claim a proposition; merge equal ones; link denials to what they deny."""
    builder = Builder(doc, kb)
    hostile = {t.type if not t.event else t.event for t in kb.lex.triggers if t.hostile}
    for claim in doc.claims:
        claim.proposition = builder.build(claim)
        claim.why["proposition"] = claim.proposition.why
        prop = claim.proposition
        kind = prop.roles["event"]["type"] if prop.type == "EventOccurrence" else prop.type
        agent = _agent_of(prop)
        if (
            kind in hostile
            and claim.act == "Statement"
            and claim.attribution != "author"
            and claim.polarity == "+"
            and agent
            and agent != claim.claimant
        ):
            claim.act = "Accusation"
            claim.why["act"] = f"Accusation: a hostile act ({kind}) of {agent} told by someone else"
    _denials(doc)
    _share(doc)


def _denials(doc: Doc) -> None:
    text = doc.text
    for i, claim in enumerate(doc.claims):
        if claim.polarity != "-":
            continue
        earlier = [
            c
            for c in doc.claims[:i]
            if c.polarity == "+"
            and c.claimant != claim.claimant
            and c.act != "Denial"
            and c.kind not in ("title", "capital", "acronym")
        ]
        targets: list[Claim] = []
        if claim.act == "Denial":
            own = " ".join(text[b:e] for b, e in claim.own)
            near = [
                c
                for c in earlier
                if c.end <= claim.begin and claim.sentence.paragraph - c.sentence.paragraph <= 1
            ]
            if _ANAPHORIC.search(own) or claim.sentence.kind == "headline" or not near:
                near = near[-1:] if near else []
            else:
                near = [c for c in near if _subsumes(c.proposition, claim.proposition)][
                    -1:
                ] or near[-1:]
            targets = near
        else:
            targets = [c for c in earlier if _subsumes(c.proposition, claim.proposition)][-1:]
            if targets:
                claim.act = "Denial"
                claim.why["act"] = (
                    f"Denial: negates {targets[0].proposition.type} that another claimant asserted"
                )
        if not targets:
            continue
        target = targets[0]
        claim.proposition = target.proposition
        kind, key = target.proposition.type, target.proposition.key()
        claim.disputes = [
            c
            for c in earlier
            if c.proposition is target.proposition
            or (  # the type first: the key (sorted roles) only where it may be equal
                c.proposition.type == kind != "Proposition" and c.proposition.key() == key
            )
        ]
        words = text[target.begin : target.end][:40]
        claim.why["disputes"] = (
            f"denies what {target.claimant} claimed at {target.begin} ({words!r})"
        )
        claim.why["proposition"] = "the proposition of the claims it denies"


def _share(doc: Doc) -> None:
    """One proposition per distinct (type, roles); ids from the type and main role."""
    seen: dict[tuple, Proposition] = {}
    used: set[str] = set()
    for claim in doc.claims:
        prop = claim.proposition
        if prop.type != "Proposition":
            key = prop.key()
            if key in seen:
                claim.proposition = prop = seen[key]
            else:
                seen[key] = prop
        if prop.pid:
            continue
        kind = prop.roles["event"]["type"] if prop.type == "EventOccurrence" else prop.type
        main = _agent_of(prop) or next((v for v in prop.roles.values() if isinstance(v, str)), None)
        stem = "p-" + slug(kind if kind != "Proposition" else " ".join(prop.words.split()[:4]))
        if main and kind != "Proposition":
            stem += "-" + main
        pid, n = stem[:60].rstrip("-"), 2
        while pid in used:
            pid, n = f"{stem[:56].rstrip('-')}-{n}", n + 1
        used.add(pid)
        prop.pid = pid
    for claim in doc.claims:
        for other in claim.disputes:
            if other.proposition is not claim.proposition:
                claim.disputes = [c for c in claim.disputes if c.proposition is claim.proposition]
                break
