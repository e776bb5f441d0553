"""The drafting pipeline: stages that each read the `Doc` and add their part.

    segment      sentences, paragraphs, quotations            segment.py
    cues         reporting verbs, hedges, negation, modality   cues.py
    link         entity mentions, titles, groups, pronouns      link.py
    timex        time expressions and quantities                timex.py
    attribute    claim units and their qualities                claims.py
    propositions types, roles, shared propositions, denials     propositions.py

A stage is any callable `stage(doc, kb) -> None`; `draft(..., stages=...)` runs another list, so a
stronger extractor can replace one stage without touching the others as long as it fills the
same `Doc` fields (model.py). Emission (emit.py) turns the finished `Doc` into YAML.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence

from kg.draft.claims import attribute
from kg.draft.cues import cues
from kg.draft.knowledge import Knowledge
from kg.draft.link import link, slug
from kg.draft.model import Doc, Meta
from kg.draft.propositions import propositions
from kg.draft.segment import segment
from kg.draft.timex import timex
from kg.errors import DataError
from kg.ingest.spans import sentences as loader_sentences

_WORDY = re.compile(r"[^\W_]")
Stage = Callable[[Doc, Knowledge], None]
STAGES: tuple[Stage, ...] = (segment, cues, link, timex, attribute, propositions)


def draft(text: str, meta: Meta, kb: Knowledge, stages: Sequence[Stage] = STAGES) -> Doc:
    """Run the stages over one article's text; DataError if there is nothing to draft."""
    if not text.strip():
        raise DataError("the text is empty")
    doc = Doc(text, meta, anchor=meta.date)
    for stage in stages:
        stage(doc, kb)
    if not any(_WORDY.search(doc.text, s.begin, s.end) for s in doc.sentences):
        raise DataError("the text has no sentence (no line with a word in it)")
    fit_to_loader_sentences(doc)
    _ids(doc)
    return doc


def fit_to_loader_sentences(doc: Doc) -> None:
    """Keep each claim inside one sentence as the loader splits the text (one sentence per
    quote): a claim across a loader boundary (after an abbreviation, say) keeps its largest part."""
    spans = loader_sentences(doc.text)
    starts = [b for b, _ in spans]

    def fit(b: int, e: int) -> tuple[int, int]:
        i = max(0, bisect_right(starts, b) - 1)
        pieces = []
        while i < len(spans) and spans[i][0] < e:
            lo, hi = max(b, spans[i][0]), min(e, spans[i][1])
            if hi > lo:
                pieces.append((hi - lo, lo, hi))
            i += 1
        if len(pieces) <= 1:
            return b, e
        _, lo, hi = max(pieces)
        return lo, hi

    for claim in doc.claims:
        b, e = fit(claim.begin, claim.end)
        if (b, e) != (claim.begin, claim.end):
            claim.why["quote"] = (
                f"cut from {claim.begin}-{claim.end} to one sentence as the loader splits it"
            )
            claim.begin, claim.end = b, e
    doc.non_assertive = [(*fit(b, e), reason) for b, e, reason in doc.non_assertive]


def _ids(doc: Doc) -> None:
    used: set[str] = set()
    for n, claim in enumerate(doc.claims, start=1):
        words = " ".join(doc.text[claim.begin : claim.end].split()[:4])
        cid = f"c-{n:02d}-{slug(words)}"[:48].rstrip("-")
        while cid in used:
            cid += "-x"
        used.add(cid)
        claim.cid = cid
