"""The compact claims.yaml an author writes -> the full form the writers read (ontology/README.md).

A claim needs only what differs from the defaults of its attribution mode; the rest is filled in
here, so the graph is the same as if every key had been written out:

- `attribution` defaults to `author` when there is no claimant (or the claimant is the publisher);
  `claimant` then defaults to the publisher (`hedge`: the unattributed source); another claimant
  needs an attribution (quote, reported, hearsay or hedge).
- `act` defaults to Statement; `polarity` to "+" ("-" for a Denial or a Rejection); `certainty`
  to CT (PR for a hedge); `modality` to actual.
- `proposition` may be written inline as a mapping (its `id` defaults to the claim's, `c-` read
  as `p-`); a proposition whose type is an event class (Attack, Protest, ...) is that event's
  occurrence: `{type: Protest, ...}` stands for `{type: EventOccurrence, event: {type: Protest,
  ...}}`, wherever a proposition is expected.
- `about` defaults to the shared entities named in the proposition.
- `time` and `said` items may be one-key mappings `{"on Sunday": 2020-08-16}` (a date, or
  `[begin, end]`); `said` dates the saying, `time` the event (`timeOf`).
- `within: c-outer` (a nested quotation) puts the outer claimant on the attribution chain (`via`).

Agents `publisher` and `unattributed` are declared when a default needs them and the file does
not. Keys starting with `_` are comments, dropped when the YAML is read (yamlfile.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import DataError, DataErrors
from kg.ingest.problems import suggest
from kg.ingest.vocab import Vocab
from kg.ingest.yamlfile import YList, YMap, as_list
from kg.namespaces import GC

ATTRIBUTIONS = ("author", "quote", "reported", "hearsay", "hedge")
NEGATIVE_ACTS = ("Denial", "Rejection")
PUBLISHER, UNATTRIBUTED = "publisher", "unattributed"
# Every key a claim may have besides the gc: properties of a claim (ambiguous, ...).
CLAIM_KEYS = {
    "id": "the claim's id, unique in the article: its IRI is B claim/{aid}/{id}",
    "quote": "the article's exact words (one sentence at most), unique in the text",
    "context": "a longer passage that occurs once and holds the quote once, when the quote repeats",
    "act": "the speech act: a gc:Claim subclass (default Statement)",
    "claimant": "who makes the claim: an entity or article agent id (default: the publisher)",
    "reporter": "who reports it (default: the publisher)",
    "attribution": "author, quote, reported, hearsay or hedge (default author)",
    "polarity": "+ asserted, - denied, u unknown (default +; - for a Denial or a Rejection)",
    "certainty": "CT, PR, PS or U (default CT; PR for a hedge)",
    "modality": "actual, conditional, future, hypothetical or historical (default actual)",
    "about": "the main entities (default: the shared entities named in the proposition)",
    "proposition": "a proposition id, or the proposition itself as a mapping",
    "time": "time expressions dating the event: {words: date} or {surfaceText, resolvedDate, ...}",
    "said": "time expressions dating the saying, same forms as time",
    "via": "intermediaries between the claimant and the reporter (agency, spokesperson), in order",
    "within": "the claim in whose quotation this one is voiced (a nested quotation)",
    "brackets": "what an editor's [bracketed] words in the quote stand for: {'[Ukraine]': ukraine}",
    "disputes": "claims this one disputes (a Denial: the claims it denies)",
    "supports": "claims this one supports",
    "note": "how an ambiguous passage was read (skos:editorialNote)",
}
TIME_KEYS = {
    "surfaceText": "the words of the time expression, as in the article",
    "resolvedDate": "the day it refers to",
    "resolvedInterval": "the days it refers to, [begin, end]",
    "anchorDate": "the date it was resolved against (default: the article's anchorDate)",
    "timeOf": "saying or event: what it dates (set by `said` and `time`)",
    "note": "how it was resolved",
}
FILE_KEYS = {
    "agents": "the article's own agents: publisher, groups, the unattributed source",
    "propositions": "propositions several claims share (others may be written inline)",
    "claims": "the claims, in the order of the text",
    "non_assertive": "sentences that assert nothing, each {quote, reason}",
}


@dataclass
class Context:
    """What the defaults depend on: the ontology, the shared ids, the article's publisher."""

    vocab: Vocab
    entities: set[str] = field(default_factory=set)
    publisher: str | None = None  # article.yaml's publisher when it is an entity id
    anchor: Any = None  # article.yaml's anchorDate (else datePublished), written into time items


def ymap(pairs: list[tuple[str, Any]], line: int, lines: dict[str, int] | None = None) -> YMap:
    """A YMap of `pairs`, every key at `line` unless `lines` says otherwise."""
    out = YMap()
    out.line = line
    for key, value in pairs:
        out[key] = value
        out.lines[key] = (lines or {}).get(key, line)
    return out


def ylist(items: list[Any], line: int, lines: list[int] | None = None) -> YList:
    out = YList()
    out.line = line
    out.extend(items)
    out.lines.extend(lines or [line] * len(items))
    return out


def is_event_class(vocab: Vocab, name: Any) -> bool:
    """Whether `name` is gc:Event or one of its subclasses."""
    return (
        isinstance(name, str)
        and vocab.is_class(name)
        and (name == "Event" or GC + "Event" in vocab.supers_of_class(GC + name))
    )


def expand_proposition(node: Any, ctx: Context) -> Any:
    """A proposition mapping in full: an event type becomes its occurrence, nested ones too."""
    if not isinstance(node, YMap):
        return node
    inner = YMap()
    inner.line = node.line
    for key, value in node.items():
        inner[key] = _expand_roles(key, value, ctx)
        inner.lines[key] = node.line_of(key)
    if not is_event_class(ctx.vocab, inner.get("type")):
        return inner
    keep = [k for k in ("id", "note") if k in inner]
    event = ymap([(k, v) for k, v in inner.items() if k not in keep], inner.line, inner.lines)
    pairs = [(k, inner[k]) for k in keep] + [("type", "EventOccurrence"), ("event", event)]
    return ymap(pairs, inner.line, {**inner.lines, "event": inner.line_of("type")})


def _expand_roles(key: str, value: Any, ctx: Context) -> Any:
    """Nested mappings of a role whose range is a proposition are propositions too."""
    takes_proposition = ctx.vocab.ranges.get(GC + key) == GC + "Proposition"
    if isinstance(value, YMap):
        inner = expand_proposition(value, ctx) if takes_proposition else _nested(value, ctx)
        return inner
    if isinstance(value, YList):
        items = [_expand_roles(key, v, ctx) for v in value]
        return ylist(items, value.line, value.lines)
    return value


def _nested(node: YMap, ctx: Context) -> YMap:
    out = YMap()
    out.line = node.line
    for key, value in node.items():
        out[key] = _expand_roles(key, value, ctx)
        out.lines[key] = node.line_of(key)
    return out


def entities_named(node: Any, ctx: Context, found: list[str] | None = None) -> list[str]:
    """The shared entity ids a proposition names in its roles, nested nodes included, in order."""
    found = [] if found is None else found
    if isinstance(node, YMap | dict):
        for key, value in node.items():
            if key in ("id", "type", "note", "label", "altLabel"):
                continue
            prop = ctx.vocab.property(key) if isinstance(key, str) else None
            if prop is None or not ctx.vocab.is_object(prop):
                continue
            for item, _ in as_list(value):
                if isinstance(item, YMap | dict):
                    entities_named(item, ctx, found)
                elif isinstance(item, str) and item in ctx.entities and item not in found:
                    found.append(item)
    return found


def _time_items(
    claim: YMap, key: str, of: str, file: str, anchor: Any = None
) -> list[tuple[YMap, int]]:
    """`time`/`said` items in the long form, each with the concept of what it dates."""
    out = []
    for item, line in as_list(claim.get(key) or []):
        where = line or claim.line_of(key)
        if not isinstance(item, YMap):
            raise DataError(
                f"{key}: expected a mapping such as {{on Sunday: 2020-08-16}}", file, where
            )
        if "surfaceText" in item:
            full = ymap(list(item.items()), item.line, item.lines)
        elif len(item) == 1:
            ((words, value),) = item.items()
            resolved = "resolvedInterval" if isinstance(value, list) else "resolvedDate"
            if not isinstance(value, list | dt.date | str):
                raise DataError(f"{key}: {words!r} needs a date or [begin, end]", file, where)
            full = ymap([("surfaceText", str(words)), (resolved, value)], item.line)
        else:
            raise DataError(
                f"{key}: give {{words: date}} or a mapping with surfaceText", file, item.line
            )
        if "timeOf" in full and full["timeOf"] != of:
            raise DataError(
                f"{key}: timeOf {full['timeOf']!r} contradicts `{key}`", file, item.line
            )
        full["timeOf"] = of
        full.lines.setdefault("timeOf", full.line)
        if "anchorDate" not in full and anchor is not None:
            full["anchorDate"] = anchor
            full.lines["anchorDate"] = full.line
        out.append((full, where))
    return out


class Expander:
    """Expands one article's claims.yaml (a parsed YMap) into the full form (a new YMap)."""

    def __init__(self, data: YMap, ctx: Context, file: str) -> None:
        self.data, self.ctx, self.file = data, ctx, file
        self.agents = [a for a, _ in as_list(data.get("agents") or [])]
        self.agent_ids = {a.get("id") for a in self.agents if isinstance(a, YMap)}
        self.propositions: list[Any] = []
        self.prop_nodes: dict[str, YMap] = {}
        self.needs: set[str] = set()
        self.errors: list[DataError] = []
        self.failed: set[str] = set()  # claims not expanded: the writer leaves them out

    # -- agents --------------------------------------------------------------------------------
    def publisher(self) -> str:
        if PUBLISHER in self.agent_ids or not self.ctx.publisher:
            self.needs.add(PUBLISHER)
            return PUBLISHER
        return self.ctx.publisher

    def _agents(self) -> YList:
        agents = ylist(list(self.agents), getattr(self.data.get("agents"), "line", 1))
        auto = {
            PUBLISHER: ("Publisher", "The article's publisher"),
            UNATTRIBUTED: ("UnattributedSource", "unattributed source (agentless hedges)"),
        }
        for aid, (cls, label) in auto.items():
            if aid in self.needs and aid not in self.agent_ids:
                agents.append(ymap([("id", aid), ("type", cls), ("label", label)], 1))
                agents.lines.append(1)
        return agents

    # -- propositions ------------------------------------------------------------------------------
    def _register(self, node: Any) -> None:
        full = expand_proposition(node, self.ctx)
        self.propositions.append(full)
        if isinstance(full, YMap) and isinstance(full.get("id"), str):
            self.prop_nodes.setdefault(full["id"], full)

    def _inline(self, claim: YMap) -> Any:
        """The claim's proposition id, registering an inline proposition first."""
        value = claim.get("proposition")
        if not isinstance(value, YMap):
            return value
        if "id" not in value:
            cid = str(claim.get("id", ""))
            pid = "p-" + cid[2:] if cid.startswith("c-") else f"p-{cid}"
            value = ymap([("id", pid), *value.items()], value.line, value.lines)
        self._register(value)
        return value["id"]

    # -- claims ------------------------------------------------------------------------------------
    def claim(self, claim: YMap, outer: dict[str, YMap]) -> YMap:
        f = self.file
        # A misspelt key is reported as such, before any default could hide it.
        unknown = [k for k in claim if k not in CLAIM_KEYS and self.ctx.vocab.property(k) is None]
        if unknown:
            raise DataErrors([
                DataError(f"unknown key {k!r} in claim {claim.get('id')!r}"
                          + suggest(k, [*CLAIM_KEYS, "ambiguous"]), f, claim.line_of(k))
                for k in unknown
            ])  # fmt: skip
        out = ymap(list(claim.items()), claim.line, claim.lines)
        for key in ("time", "said"):
            out.pop(key, None)
        if "proposition" in claim:
            out["proposition"] = self._inline(claim)
        attribution, claimant = claim.get("attribution"), claim.get("claimant")
        if attribution is not None and attribution not in ATTRIBUTIONS:
            pass  # reported by the writer with the valid values
        elif claimant is None:
            attribution = attribution or "author"
            if attribution == "hedge":
                self.needs.add(UNATTRIBUTED)
                claimant = UNATTRIBUTED
            elif attribution == "author":
                claimant = self.publisher()
            else:
                raise DataError(
                    f"claim {claim.get('id')!r}: attribution {attribution} needs a claimant",
                    f, claim.line_of("attribution"),
                )  # fmt: skip
        elif attribution is None:
            if claimant not in (PUBLISHER, self.ctx.publisher):
                raise DataError(
                    f"claim {claim.get('id')!r}: claimant {claimant!r} needs an attribution "
                    f"(quote, reported, hearsay or hedge; author is the publisher's own voice)",
                    f, claim.line_of("claimant"),
                )  # fmt: skip
            attribution = "author"
        self._set(out, "attribution", attribution)
        self._set(out, "claimant", claimant)
        act = claim.get("act", "Statement")
        self._set(out, "act", act)
        self._set(out, "polarity", "-" if act in NEGATIVE_ACTS else "+")
        self._set(out, "certainty", "PR" if attribution == "hedge" else "CT")
        self._set(out, "modality", "actual")
        if "reporter" not in claim and PUBLISHER not in self.agent_ids and self.ctx.publisher:
            out["reporter"] = self.ctx.publisher
            out.lines["reporter"] = claim.line
        anchor = self.ctx.anchor
        times = _time_items(claim, "time", "event", f, anchor)
        times += _time_items(claim, "said", "saying", f, anchor)
        if times:
            out["time"] = ylist([t for t, _ in times], claim.line_of("time"), [w for _, w in times])
            out.lines["time"] = claim.line_of("time" if "time" in claim else "said")
        if "within" in claim and "via" not in claim:
            host = outer.get(claim["within"]) if isinstance(claim["within"], str) else None
            if host is not None:
                # From the reporter's side: the outer claim's intermediaries, then its speaker.
                chain = [v for v, _ in as_list(host.get("via") or [])] + [host.get("claimant")]
                out["via"] = ylist([v for v in chain if v is not None], claim.line_of("within"))
                out.lines["via"] = claim.line_of("within")
        return out

    def _set(self, out: YMap, key: str, value: Any) -> None:
        if key not in out:
            out[key] = value
            out.lines[key] = out.line

    def about(self, claim: YMap) -> None:
        """Fill `about` with the shared entities its proposition names (once all are known)."""
        if "about" in claim or not isinstance(claim.get("proposition"), str):
            return
        node = self.prop_nodes.get(claim["proposition"])
        named = entities_named(node, self.ctx) if node is not None else []
        if named:
            claim["about"] = ylist(named, claim.line)
            claim.lines["about"] = claim.line

    def run(self) -> YMap:
        data = self.data
        self.publisher()  # every claim has a reporter: the publisher agent unless an entity
        for prop, _ in as_list(data.get("propositions") or []):
            self._register(prop)
        claims, expanded = data.get("claims") or [], []
        raw = {c.get("id"): c for c, _ in as_list(claims) if isinstance(c, YMap)}
        for claim, _ in as_list(claims):
            if not isinstance(claim, YMap):
                expanded.append(claim)
                continue
            try:
                expanded.append(self.claim(claim, raw))
            except DataError as err:
                self.errors.extend(err.errors if isinstance(err, DataErrors) else [err])
                self.failed.add(str(claim.get("id")))
                expanded.append(claim)
        for claim in expanded:
            if isinstance(claim, YMap):
                self.about(claim)
        out = ymap([], data.line)
        for key, value in data.items():
            out[key] = value
            out.lines[key] = data.line_of(key)
        out["agents"] = self._agents()
        out["propositions"] = ylist(self.propositions, data.line_of("propositions"),
                                    [getattr(p, "line", 1) for p in self.propositions])  # fmt: skip
        out["claims"] = ylist(expanded, getattr(claims, "line", data.line),
                              [getattr(c, "line", 1) for c in expanded])  # fmt: skip
        for key in ("agents", "propositions", "claims"):
            out.lines.setdefault(key, data.line)
        return out


def expand(data: YMap, ctx: Context, file: str) -> tuple[YMap, list[DataError], set[str]]:
    """The full form of a parsed claims.yaml, the errors met, and the ids of failed claims."""
    expander = Expander(data, ctx, file)
    return expander.run(), expander.errors, expander.failed


def to_plain(value: Any) -> Any:
    """YMap/YList as plain dicts and lists (for tools and tests that read the full form)."""
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value


def full_form(folder: Path, entities: Path, ontology: Path) -> dict[str, Any]:
    """An article folder's claims.yaml in the full form, as plain data (what the loader reads).

    `entities` is the entities.yaml its ids refer to, `ontology` the folder of the ontology. Raises
    the first DataError met, if any.
    """
    from kg.ingest.vocab import build_vocab, read_turtle
    from kg.ingest.yamlfile import load_yaml

    quads = [
        q
        for path in sorted(ontology.glob("*.ttl"))
        if path.name != "shapes.ttl"
        for q in read_turtle(path, path.name, "urn:ontology", "urn:genid:")
    ]
    meta = load_yaml(folder / "article.yaml", str(folder / "article.yaml"))
    ids = {e["id"] for e in load_yaml(entities, str(entities)) or [] if isinstance(e, dict)}
    publisher = meta.get("publisher")
    anchor = meta.get("anchorDate", meta.get("datePublished"))
    ctx = Context(build_vocab(quads), ids, publisher if publisher in ids else None, anchor)
    name = str(folder / "claims.yaml")
    data, errors, _ = expand(load_yaml(folder / "claims.yaml", name), ctx, name)
    if errors:
        raise errors[0]
    return to_plain(data)
