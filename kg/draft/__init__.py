"""Drafting an article's claims from its text: `kg draft`.

    from kg.draft import Meta, draft, load_knowledge, claims_yaml
    kb = load_knowledge(source_dir)                 # data/entities.yaml, reference tenures
    doc = draft(text, Meta("my-story", date=day), kb)
    print(claims_yaml(doc))                         # the YAML `kg validate` accepts

The pipeline (pipeline.py) runs replaceable stages over one `Doc` (model.py): segmentation,
cues, linking, time, attribution, propositions; emit.py writes the YAML, files.py the folder.
"""

from __future__ import annotations

from kg.draft.emit import article_yaml, claims_yaml
from kg.draft.knowledge import Knowledge, load_knowledge
from kg.draft.model import Doc, Meta
from kg.draft.pipeline import STAGES, draft

__all__ = [
    "STAGES",
    "Doc",
    "Knowledge",
    "Meta",
    "article_yaml",
    "claims_yaml",
    "draft",
    "load_knowledge",
]
