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

Stage = Callable[[Doc, Knowledge], None]
STAGES: tuple[Stage, ...] = (segment, cues, link, timex, attribute, propositions)


def draft(text: str, meta: Meta, kb: Knowledge, stages: Sequence[Stage] = STAGES) -> Doc:
    """Run the stages over one article's text; DataError if there is nothing to draft."""
    if not text.strip():
        raise DataError("the text is empty")
    doc = Doc(text, meta, anchor=meta.date)
    for stage in stages:
        stage(doc, kb)
    if not doc.sentences:
        raise DataError("the text has no sentence")
    _ids(doc)
    return doc


def _ids(doc: Doc) -> None:
    used: set[str] = set()
    for n, claim in enumerate(doc.claims, start=1):
        words = " ".join(doc.text[claim.begin : claim.end].split()[:4])
        cid = f"c-{n:02d}-{slug(words)}"[:48].rstrip("-")
        while cid in used:
            cid += "-x"
        used.add(cid)
        claim.cid = cid
