"""Stage 7, emission: the only module that knows the YAML format of article.yaml and claims.yaml.

Writes the format `kg validate` accepts (ontology/README.md), with each drafted value followed
by a comment saying which cue drafted it. Strings are written as YAML double-quoted scalars with
every character YAML would not read back as written escaped, so the text round-trips exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from kg import __version__
from kg.draft.model import Claim, Doc, Proposition
from kg.ingest.spans import occurrences

# Characters a YAML reader refuses or folds in a double-quoted scalar: escape them.
_ESCAPE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\x85\u2028\u2029\ufeff]"
)
_KEYWORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_COMMENT_WIDTH = 100


def scalar(value: object) -> str:
    """A YAML scalar for a string, number, boolean, date or None."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = json.dumps(str(value), ensure_ascii=False)
    if str(value).isprintable():
        return text  # nothing YAML would refuse or fold (Python's printable set is narrower)

    def escape(m: re.Match[str]) -> str:
        code = ord(m.group(0))
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"

    return _ESCAPE.sub(escape, text)


def name(value: str) -> str:
    """An id or keyword, bare when YAML reads it back as the same string."""
    if _KEYWORD.fullmatch(value) and value.lower() not in (
        "true",
        "false",
        "null",
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
    ):
        return value
    return scalar(value)


def comment(why: str | None) -> str:
    if not why:
        return ""
    one = " ".join(str(why).split())
    if not one.isprintable():
        one = _ESCAPE.sub("?", one)
    return "  # " + (one if len(one) <= _COMMENT_WIDTH else one[: _COMMENT_WIDTH - 1] + "…")


def article_yaml(doc: Doc) -> str:
    m = doc.meta
    lines = [
        f"# Metadata of a drafted article (`kg draft`, geoclaims {__version__}).",
        "# reviewStatus: drafted marks its claims as drafted in the graph; set it to reviewed",
        "# (or delete the line) once a person has checked claims.yaml.",
        f"id: {name(m.aid)}",
        f"headline: {scalar(_headline(doc))}",
        f"language: {name(m.language)}",
        f"publisher: {'publisher' if m.publisher else 'null'}",
    ]
    if not m.publisher:
        lines.append('publisherNote: "No publisher was given to kg draft."')
    lines.append(f"url: {scalar(m.url) if m.url else 'null'}")
    if m.date is not None:
        lines += [
            f"datePublished: {m.date.isoformat()}",
            "datePublishedMethod: stated",
            'datePublishedReasoning: "Given to kg draft as the publication date."',
            f"anchorDate: {m.date.isoformat()}  # relative time expressions resolve against it",
        ]
    else:
        lines.append("datePublished: null  # unknown: relative time expressions were left out")
    lines.append("reviewStatus: drafted")
    return "\n".join(lines) + "\n"


def _headline(doc: Doc) -> str:
    for s in doc.sentences:
        if s.kind == "headline":
            return doc.text[s.begin : s.end]
    return doc.meta.headline or ""


def claims_yaml(doc: Doc) -> str:
    out = [
        f"# Claims drafted by `kg draft` (geoclaims {__version__}) from article.txt. Every value",
        "# is a guess to review: the comment after it names the cue that drafted it. Format:",
        "# ontology/README.md. Quotes are the article's exact characters.",
    ]
    if doc.stubs:
        out += [
            "#",
            "# Names not in data/entities.yaml (confirm each and add it there, with a Wikidata id",
            "# only if verified; then use its id below):",
        ]
        for stub in doc.stubs:
            out.append(
                f"#   - {{id: {stub.sid}, type: {stub.type}, label: {scalar(stub.label)}}}"
                f"  # at {stub.begin}-{stub.end}"
            )
    if doc.anchor is None:
        out += ["#", "# No publication date was given: relative time expressions are not resolved."]
    out.append("")
    out.append("agents:")
    for aid, (kind, label, why) in doc.agents.items():
        out.append(f"  - {{id: {name(aid)}, type: {kind}, label: {scalar(label)}}}{comment(why)}")
    # A proposition of one claim is written inline (compact form); a shared one (a denial and
    # what it denies) once, under propositions:, by id.
    uses: dict[int, int] = {}
    for c in doc.claims:
        uses[id(c.proposition)] = uses.get(id(c.proposition), 0) + 1
    shared: list[Proposition] = []
    for c in doc.claims:
        if uses[id(c.proposition)] > 1 and all(p is not c.proposition for p in shared):
            shared.append(c.proposition)
    if shared:
        out.append("")
        out.append("propositions:")
        for p in shared:
            out.append(f"  - id: {name(p.pid)}")
            _proposition(out, p, 4)
    out.append("")
    out.append("claims:")
    for c in doc.claims:
        _claim(out, doc, c)
    if doc.non_assertive:
        out.append("")
        out.append("non_assertive:")
        for b, e, reason in doc.non_assertive:
            quote, context = locate_args(doc.text, b, e)
            out.append(f"  - quote: {scalar(quote)}")
            if context is not None:
                out.append(f"    context: {scalar(context)}")
            out.append(f"    reason: {scalar(reason)}")
    return "\n".join(out) + "\n"


def _proposition(out: list[str], p: Proposition, indent: int) -> None:
    """type and roles; an event's occurrence written as the event (`type: Protest`)."""
    pad = " " * indent
    roles = p.roles
    kind = p.type
    if p.type == "EventOccurrence" and isinstance(p.roles.get("event"), dict):
        roles = dict(p.roles["event"])
        kind = roles.pop("type")
    out.append(f"{pad}type: {kind}{comment(p.why)}")
    _mapping(out, roles, indent)
    if p.type == "Proposition":
        out.append(f"{pad}note: {scalar('Drafted: fill in type and roles for: ' + p.words[:200])}")


def _mapping(out: list[str], roles: dict, indent: int) -> None:
    pad = " " * indent
    for key, value in roles.items():
        if isinstance(value, dict):
            out.append(f"{pad}{key}:")
            _mapping(out, value, indent + 2)
        elif isinstance(value, list):
            out.append(f"{pad}{key}: [{', '.join(_item(v) for v in value)}]")
        else:
            out.append(f"{pad}{key}: {_item(value)}")


def _item(value: object) -> str:
    if isinstance(value, str) and _KEYWORD.fullmatch(value):
        return name(value)
    return scalar(value)


def locate_args(text: str, b: int, e: int) -> tuple[str, str | None]:
    """The quote and, when the quote repeats, the shortest unique context holding it once."""
    quote = text[b:e]
    if text.find(quote) == b and text.find(quote, b + 1) == -1:
        return quote, None
    left, right = b, e
    while left > 0 or right < len(text):
        left, right = max(0, left - 8), min(len(text), right + 8)
        context = text[left:right]
        if len(occurrences(text, context)) == 1 and len(occurrences(context, quote)) == 1:
            return quote, context
    return quote, text


def _claim(out: list[str], doc: Doc, c: Claim) -> None:
    quote, context = locate_args(doc.text, c.begin, c.end)
    w = c.why
    out.append(f"  - id: {name(c.cid)}")
    out.append(
        f"    quote: {scalar(quote)}{comment(w.get('quote') or f'{c.begin}-{c.end}, {c.kind}')}"
    )
    if context is not None:
        out.append(f"    context: {scalar(context)}  # the quote occurs more than once")
    # The compact form: a value equal to its default (the author's voice: the publisher, "+",
    # CT, actual, Statement; a hedge: unattributed, PR) is left out.
    default_claimant = {"author": "publisher", "hedge": "unattributed"}.get(c.attribution)
    if c.act != "Statement":
        out.append(f"    act: {c.act}{comment(w.get('act'))}")
    if c.claimant != default_claimant:
        out.append(f"    claimant: {name(c.claimant)}{comment(w.get('claimant'))}")
    if c.reporter:
        out.append(f"    reporter: {name(c.reporter)}")
    if c.attribution != "author":
        out.append(f"    attribution: {c.attribution}{comment(w.get('attribution'))}")
    if c.polarity != "+":
        out.append(f'    polarity: "{c.polarity}"{comment(w.get("polarity"))}')
    if c.certainty != ("PR" if c.attribution == "hedge" else "CT"):
        out.append(f"    certainty: {c.certainty}{comment(w.get('certainty'))}")
    if c.modality != "actual":
        out.append(f"    modality: {c.modality}{comment(w.get('modality'))}")
    if c.about:  # none named: the loader takes the entities of the proposition's roles
        out.append(f"    about: [{', '.join(name(a) for a in c.about)}]")
    if sum(1 for o in doc.claims if o.proposition is c.proposition) > 1:
        out.append(f"    proposition: {name(c.proposition.pid)}")
    else:
        out.append("    proposition:")
        _proposition(out, c.proposition, 6)
    if c.times and doc.anchor is not None:
        out.append("    time:")
        for t in c.times:
            value = (
                t.date.isoformat()
                if t.date is not None
                else f"[{t.interval[0].isoformat()}, {t.interval[1].isoformat()}]"
            )
            out.append(f"      - {{{scalar(t.text)}: {value}}}{comment(t.why)}")
    if c.disputes:
        ids = ", ".join(name(d.cid) for d in c.disputes)
        out.append(f"    disputes: [{ids}]{comment(w.get('disputes'))}")
    if c.quantities:
        for q in c.quantities:
            bounds = ", ".join(
                f"{k} {v}"
                for k, v in (("exact", q.exact), ("min", q.minimum), ("max", q.maximum))
                if v is not None
            )
            note = f"quantity {q.text!r}: {bounds}{' (vague)' if q.vague else ''}; {q.why}"
            out.append("    #" + comment(note)[3:])
