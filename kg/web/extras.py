"""Sections other parts of the project add to a page kind, without editing its template.

An entry is (page kind, slot, template, loader). The loader, "module:function", is called with
(store, iri) and returns what the template sees as `extra` (None or empty: the section is left
out). Slots: "summary" (under the title: identifiers, codes) and "main" (after the page's own
sections: events, timelines). Page kinds: entity, claim, article, proposition, reference.

To add one, append a line below and write the partial, e.g.

    ("entity", "summary", "_entity_identifiers.html", "kg.export.identifiers:for_entity"),
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EXTRAS: list[tuple[str, str, str, str]] = [
    # (kind, slot, template, "module:function")
    ("article", "main", "_events_panel.html", "kg.events.panel:for_article"),  # issue 15
    ("claim", "main", "_events_panel.html", "kg.events.panel:for_claim"),  # issue 15
]


@dataclass(frozen=True)
class Extra:
    """One added section as a template renders it."""

    slot: str
    template: str
    data: Any


def _loader(spec: str) -> Callable[[Any, str], Any]:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def extras_for(kind: str, store: Any, iri: str) -> list[Extra]:
    """The added sections of this page kind that have something to show for this IRI."""
    out = []
    for k, slot, template, spec in EXTRAS:
        if k == kind:
            data = _loader(spec)(store, iri)
            if data:
                out.append(Extra(slot, template, data))
    return out
