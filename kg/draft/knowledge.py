"""What the drafter knows besides the text: the entity list, posts and who held them.

Read from the same files the loader reads (data/entities.yaml, data/reference/facts.yaml), so a
drafted claim only names ids that `kg validate` resolves. Built once per run and shared by every
article of a batch.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.draft.lexicon import Lexicon, lexicon
from kg.errors import DataError
from kg.ingest.entities import read_entities
from kg.ingest.reference import read_reference
from kg.ingest.yamlfile import YMap, as_list

CATEGORY = {
    "State": "state",
    "Leader": "person",
    "Person": "person",
    "Alliance": "organisation",
    "Organisation": "organisation",
    "Publisher": "organisation",
    "Group": "group",
    "City": "place",
    "Place": "place",
    "Region": "place",
    "Post": "post",
    "Agreement": "agreement",
}
AGENTS = {"state", "person", "organisation", "group"}
_WORD = re.compile(r"[^\W_](?:[\w.-]*[^\W_])?")  # as link._TOKEN: no apostrophes


@dataclass
class Entity:
    eid: str
    label: str
    types: list[str]
    category: str
    alt: list[str] = field(default_factory=list)
    post_in: str | None = None

    @property
    def agent(self) -> bool:
        return self.category in AGENTS


@dataclass
class Form:
    """One way of writing an entity: its label, an alternative label, a demonym, a surname."""

    text: str
    eid: str
    how: str


@dataclass
class Tenure:
    holder: str
    post: str
    start: dt.date | None
    end: dt.date | None


@dataclass
class Knowledge:
    """Entities and their names, indexed for the linker; posts and their holders."""

    entities: dict[str, Entity] = field(default_factory=dict)
    forms: dict[str, list[Form]] = field(default_factory=dict)  # first word -> forms, longest first
    posts: dict[tuple[str, str], str] = field(default_factory=dict)  # (title, of) -> post id
    tenures: list[Tenure] = field(default_factory=list)
    governments: dict[str, str] = field(default_factory=dict)  # state id -> government entity id
    lex: Lexicon = field(default_factory=lexicon)

    def holder(self, post: str, on: dt.date | None) -> str | None:
        """Who held `post` on the date (the reference facts' tenures), if one person did."""
        found = {
            t.holder
            for t in self.tenures
            if t.post == post
            and (
                on is None
                or ((t.start is None or t.start <= on) and (t.end is None or on <= t.end))
            )
        }
        return found.pop() if len(found) == 1 else None

    def post_for(self, title: str, of: str | None) -> str | None:
        if of is None:
            return None
        return self.posts.get((title, of))


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def load_knowledge(
    sources: Path | Sequence[Path], base: str = "https://w3id.org/geoclaims/"
) -> Knowledge:
    """The entity lists and reference tenures of the project folder(s)."""
    folders = [sources] if isinstance(sources, Path) else list(sources)
    kb = Knowledge()
    items = []
    for folder in folders:
        try:
            items.extend(read_entities(folder)[0])
        except DataError:
            continue  # a broken entities file is `kg validate`'s to report
    for item in items:
        if not isinstance(item, YMap) or "id" not in item:
            continue
        types = [str(t) for t, _ in as_list(item.get("type") or [])]
        category = next((CATEGORY[t] for t in types if t in CATEGORY), "other")
        alt = [str(a) for a, _ in as_list(item.get("altLabel") or [])]
        label = str(item.get("label") or item["id"])
        post_in = item.get("postIn") if isinstance(item.get("postIn"), str) else None
        kb.entities[item["id"]] = Entity(item["id"], label, types, category, alt, post_in)
    facts = []
    for folder in folders:
        try:
            facts.extend(read_reference(folder, base).facts)
        except DataError:
            continue  # a broken facts file is `kg validate`'s to report; drafting goes on without
    for fact in facts:
        for stmt, _ in as_list(fact.get("statements") or fact.get("statement") or []):
            if (
                isinstance(stmt, YMap)
                and stmt.get("type") == "TenureStatement"
                and isinstance(stmt.get("holder"), str)
                and isinstance(stmt.get("post"), str)
            ):
                kb.tenures.append(
                    Tenure(
                        stmt["holder"],
                        stmt["post"],
                        _date(stmt.get("startDate")),
                        _date(stmt.get("endDate")),
                    )
                )
    _index(kb)
    return kb


def _index(kb: Knowledge) -> None:
    lex = kb.lex
    forms: list[Form] = []
    by_label = {}
    for e in kb.entities.values():
        for name in (e.label, *e.alt):
            by_label.setdefault(name, e.eid)
    for e in kb.entities.values():
        if e.category == "post":
            continue
        forms.append(Form(e.label, e.eid, "label"))
        forms.extend(Form(a, e.eid, "altLabel") for a in e.alt)
        if e.category == "state":
            names = {e.label, *e.alt}
            for country, demonyms in lex.demonyms.items():
                if country in names:
                    forms.extend(Form(d, e.eid, "demonym") for d in demonyms)
    surnames: dict[str, set[str]] = {}
    for e in kb.entities.values():
        if e.category == "person":
            words = e.label.split()
            if len(words) > 1:
                surnames.setdefault(words[-1], set()).add(e.eid)
    taken = {f.text for f in forms}
    for name, ids in surnames.items():
        if len(ids) == 1 and name not in taken:
            forms.append(Form(name, next(iter(ids)), "surname"))
    for f in list(forms):
        upper = f.text.upper()
        if upper != f.text and len(f.text) >= 4 and f.how in ("label", "altLabel"):
            forms.append(Form(upper, f.eid, f.how))
    seen: set[tuple[str, str]] = set()
    for f in sorted(forms, key=lambda f: -len(f.text)):
        if (f.text, f.eid) in seen:
            continue
        seen.add((f.text, f.eid))
        first = _WORD.match(f.text)
        if first is not None:
            kb.forms.setdefault(first.group(0), []).append(f)
    for e in kb.entities.values():
        if e.category == "post" and e.post_in in kb.entities:
            state = kb.entities[e.post_in]
            for of_name in (state.label, *state.alt):
                suffix = f" of {of_name}"
                for name in (e.label, *e.alt):
                    if name.lower().endswith(suffix.lower()):
                        kb.posts[(name[: -len(suffix)].strip().lower(), state.eid)] = e.eid
        if e.category == "organisation" and e.label.lower().startswith("government of "):
            state_id = by_label.get(e.label[len("government of ") :])
            if state_id is not None:
                kb.governments[state_id] = e.eid
