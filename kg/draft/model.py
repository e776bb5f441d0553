"""The records the drafting stages pass along: one `Doc` that each stage reads and adds to.

Every record keeps exact code-point offsets into `Doc.text` (begin inclusive, end exclusive) and
a `why`: the cue that made a stage produce it, which the YAML writer prints beside the value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r"\w+(?:[’'-]\w+)*")


@dataclass(frozen=True)
class Meta:
    """What is known about the article besides its text (all optional but the id)."""

    aid: str
    headline: str | None = None
    publisher: str | None = None
    url: str | None = None
    date: dt.date | None = None  # the publication date, as given
    language: str = "en"


@dataclass
class Sentence:
    """A sentence (or a headline, heading or bullet line) and where it sits."""

    begin: int
    end: int
    kind: str  # headline | heading | bullet | body
    paragraph: int
    index: int = 0

    def contains(self, begin: int, end: int) -> bool:
        return self.begin <= begin and end <= self.end


@dataclass
class Quotation:
    """Words between quotation marks: the inner span and the marks' span."""

    begin: int  # first character inside the marks
    end: int  # the closing mark (exclusive end of the inside)
    outer_begin: int
    outer_end: int
    paragraph: int
    depth: int = 0  # 0: top level; 1: a quotation inside a quotation


@dataclass
class Cue:
    """A word or phrase of a lexicon found in the text (a reporting verb, a hedge, a negation)."""

    kind: str  # report | according | hedge | negation | denial | declined | possible | probable
    #            | not_possible | future | hypothetical | conditional
    begin: int
    end: int
    entry: object = None  # the lexicon entry (a Verb, a Hedge) where there is one

    @property
    def span(self) -> tuple[int, int]:
        return self.begin, self.end


@dataclass
class Mention:
    """Words naming an entity, agent or group, linked where the entity list allows."""

    begin: int
    end: int
    text: str
    ref: str | None  # entity id, article agent id, or None (unknown)
    category: str  # person | state | organisation | place | group | post | other
    how: str  # label | altLabel | demonym | title | pronoun | definite | group | stub
    why: str
    agent: bool = False  # can say things (person, state, organisation, group)


@dataclass
class TitleFact:
    """The text gives someone a title: 'Russian President Vladimir Putin', 'Marrow, the chief'."""

    begin: int
    end: int
    holder: str
    title: str  # lower case, as in the titles lexicon
    of: str | None  # the state or organisation the title is of, when the text says
    post: str | None  # a Post entity matching (title, of), when one exists
    why: str


@dataclass
class TimeExpr:
    """A time expression resolved against the anchor date (a date or an interval)."""

    begin: int
    end: int
    text: str
    date: dt.date | None = None
    interval: tuple[dt.date, dt.date] | None = None
    why: str = ""
    fronted: bool = False  # a sentence-initial adverbial ("So far, ..."): scopes the sentence


@dataclass
class Quantity:
    """A count with its bounds: 'as many as 200,000' -> max 200000."""

    begin: int
    end: int
    text: str
    exact: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    vague: bool = False
    why: str = ""


@dataclass
class Frame:
    """A reporting frame: who says, with which verb, over which words."""

    begin: int  # the frame's own words (speaker .. verb)
    end: int
    verb: str  # the lexicon entry
    kind: str  # speech | attitude | hearsay | hedge
    act: str
    speaker: Mention | None
    content: tuple[int, int] | None
    polarity: str = "+"
    certainty: str = "CT"
    negated: bool = False
    why: str = ""


@dataclass
class Proposition:
    """What a claim says: a type and roles (ontology local names), or a stub to fill in."""

    type: str
    roles: dict[str, object] = field(default_factory=dict)
    words: str = ""
    why: str = ""
    pid: str = ""

    def key(self) -> tuple:
        """Two propositions with the same type and roles are one (a denial shares it)."""
        return (self.type, repr(sorted(self.roles.items(), key=lambda kv: kv[0])))


@dataclass
class Claim:
    """One drafted claim with every value and the reason for it."""

    begin: int
    end: int
    sentence: Sentence
    act: str = "Statement"
    claimant: str = "publisher"
    reporter: str | None = None
    attribution: str = "author"
    polarity: str = "+"
    certainty: str = "CT"
    modality: str = "actual"
    about: list[str] = field(default_factory=list)
    times: list[TimeExpr] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    proposition: Proposition | None = None
    disputes: list[Claim] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)
    cid: str = ""
    kind: str = "clause"  # clause | quote | title | apposition | relative | parenthetical
    frame: Frame | None = None
    own: list[tuple[int, int]] = field(
        default_factory=list
    )  # the claim's words minus nested claims
    agent_hint: str | None = None  # the clause's subject, for roles


@dataclass
class Stub:
    """A name the entity list does not know: an entity to confirm (never a guessed identifier)."""

    sid: str
    label: str
    type: str
    begin: int
    end: int
    why: str


@dataclass
class Doc:
    """The article and everything the stages found in it, in text order."""

    text: str
    meta: Meta
    anchor: dt.date | None = None
    sentences: list[Sentence] = field(default_factory=list)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    quotations: list[Quotation] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    titles: list[TitleFact] = field(default_factory=list)
    times: list[TimeExpr] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    agents: dict[str, tuple[str, str, str]] = field(
        default_factory=dict
    )  # id -> (type, label, why)
    stubs: list[Stub] = field(default_factory=list)
    non_assertive: list[tuple[int, int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dateline: tuple[int, int] | None = None
    _tokens: list[tuple[int, int, str]] | None = None

    def tokens(self) -> list[tuple[int, int, str]]:
        """(begin, end, lower-case word) of every word, apostrophes folded to ', computed once."""
        if self._tokens is None:
            lower = self.text.lower().replace("’", "'")  # same length: offsets hold
            if len(lower) != len(self.text):
                lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in self.text)
                lower = lower.replace("’", "'")
            self._tokens = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(lower)]
        return self._tokens


def windows(
    spans: list[tuple[int, int]], before: int, after: int, size: int
) -> list[tuple[int, int]]:
    """Merged windows around spans, clipped to [0, size): where a pattern may match."""
    out: list[tuple[int, int]] = []
    for b, e in sorted(spans):
        lo, hi = max(0, b - before), min(size, e + after)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out
