"""claims.yaml (in full form, see authoring.py) -> proposition graphs and the claims graph."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import DataError
from kg.ingest.articles import Article
from kg.ingest.authoring import CLAIM_KEYS, FILE_KEYS, TIME_KEYS
from kg.ingest.ids import Scope, by_id
from kg.ingest.nodes import NodeWriter, literal, write_interval
from kg.ingest.problems import Problems, suggest
from kg.ingest.spans import Spans, locate
from kg.ingest.terms import iri, plain, typed
from kg.ingest.yamlfile import YMap, as_list
from kg.namespaces import DCTERMS, GC, GCS, ITSRDF, PROV, SCHEMA, SKOS, XSD

QUALITIES = ("polarity", "certainty", "modality", "attribution")
_SPECIAL = set(CLAIM_KEYS) - {"said"}  # `said` items are merged into `time` by the expander
_BRACKET = re.compile(r"\[[^\[\]]*\]")


@dataclass
class ClaimRef:
    """What later checks need of a written claim."""

    iri: str
    line: int
    act: str
    proposition: str | None
    disputes: list[tuple[str, int]]
    span: tuple[int, int] | None = None
    within: tuple[str, int] | None = None
    problems: list[str] = field(default_factory=list)


def proposition_ids(art: Article) -> dict[str, str]:
    props = by_id(art.claims.get("propositions"), "proposition", art.file("claims.yaml"))
    return {pid: f"{art.base}proposition/{art.aid}/{pid}" for pid in props}


def write_propositions(
    writer: NodeWriter, art: Article, scope: Scope, problems: Problems
) -> list[str]:
    """One gc:PropositionGraph per proposition, rooted at the node named like the graph."""
    f, graphs = art.file("claims.yaml"), []
    for prop, _ in as_list(art.claims.get("propositions") or []):
        graph = art.propositions[prop["id"]]
        graphs.append(graph)
        with problems.guard():
            if "type" not in prop:
                raise DataError(f"proposition {prop['id']!r} has no type", f, prop.line)
            writer.sink.add_type(graph, iri(graph), GC + "PropositionGraph")
            writer.write(prop, graph, graph, f, scope, extra_types=[GC + "Proposition"])
    return graphs


def _concept(writer: NodeWriter, quality: str, value: object, f: str, line: int) -> ox.NamedNode:
    found = writer.vocab.concept(GCS + quality, str(value)) if isinstance(value, str) else None
    if found is None:
        known = sorted(writer.vocab.concepts.get(GCS + quality, {}))
        raise DataError(
            f"{quality}: unknown value {value!r} (expected one of {known})"
            + suggest(str(value), known),
            f,
            line,
        )
    return iri(found)


def claim_acts(writer: NodeWriter) -> list[str]:
    """The local names of the speech acts (gc:Claim and its subclasses)."""
    vocab = writer.vocab
    # Worked out once per vocabulary (it was once per claim: a tenth of compiling an article).
    cached = vocab.__dict__.get("_claim_acts")
    if cached is None:
        claim = GC + "Claim"
        cached = vocab.__dict__["_claim_acts"] = sorted(
            c[len(GC) :]
            for c in vocab.classes
            if c.startswith(GC) and (c == claim or claim in vocab.supers_of_class(c))
        )
    return cached


def write_claims(
    writer: NodeWriter,
    art: Article,
    scope: Scope,
    spans: Spans,
    problems: Problems,
    skip: set[str] = frozenset(),  # type: ignore[assignment]
) -> None:
    """The claims graph; evidence spans and time expressions go to the document graph."""
    sink, g, f = writer.sink, art.claim_graph, art.file("claims.yaml")
    sink.add_type(g, iri(g), GC + "ClaimGraph")
    for key in art.claims:
        if key not in FILE_KEYS:
            problems.add(DataError(
                f"unknown key {key!r} (expected one of {', '.join(FILE_KEYS)})"
                + suggest(key, FILE_KEYS), f, art.claims.line_of(key)))  # fmt: skip
    claims: dict[str, ClaimRef] = {}
    listed: dict[str, YMap] = {}
    with problems.guard():
        listed = by_id(art.claims.get("claims"), "claim", f)
    for cid, claim in listed.items():
        if cid in skip:
            continue
        claims[cid] = _write_claim(writer, art, scope, spans, claim, cid, problems)
    for item, line in as_list(art.claims.get("non_assertive") or []):
        with problems.guard():
            _non_assertive(writer, art, spans, item, line or art.claims.line_of("non_assertive"))
    known = set(claims) | set(skip)
    for ref in claims.values():
        for target, tline in ref.disputes:
            with problems.guard():
                _check_denial(ref, target, tline, claims, known, f)
        if ref.within is not None:
            with problems.guard():
                _check_within(ref, claims, known, art, f)


def _non_assertive(writer: NodeWriter, art: Article, spans: Spans, item: object, line: int) -> None:
    f = art.file("claims.yaml")
    if not isinstance(item, YMap) or not isinstance(item.get("quote"), str):
        raise DataError("a non_assertive entry needs a quote", f, line)
    for key in item:
        if key not in ("quote", "context", "reason"):
            raise DataError(f"unknown key {key!r} in a non_assertive entry (quote, context, "
                            "reason)" + suggest(key, ("quote", "context", "reason")), f,
                            item.line_of(key))  # fmt: skip
    b, e = _locate(art, spans, item, f)
    reason = item.get("reason")
    if not isinstance(reason, str):
        raise DataError("a non_assertive entry needs a reason", f, item.line)
    span = spans.span(b, e)
    writer.sink.add(art.doc_graph, span, SKOS + "editorialNote", ox.Literal(
        f"Asserts nothing: {reason}", language="en"))  # fmt: skip


def _locate(art: Article, spans: Spans, node: YMap, f: str) -> tuple[int, int]:
    """The quote's span: found once (in its context), inside one sentence."""
    context = node.get("context")
    if context is not None and not isinstance(context, str):
        raise DataError("context: expected text", f, node.line_of("context"))
    try:
        b, e = locate(art.text, node["quote"], context)
    except ValueError as err:
        key = "context" if str(err).startswith("context") else "quote"
        raise DataError(str(err), f, node.line_of(key)) from None
    sentence = spans.sentence_of(b, e)
    if sentence is not None and e > sentence[1]:
        raise DataError(
            f"quote spans more than one sentence (one sentence per quote: make a claim for each): "
            f"{node['quote']!r} runs past the end of {art.text[sentence[0] : sentence[1]]!r}",
            f,
            node.line_of("quote"),
        )
    return b, e


def _claim_iri(art: Article, ref: str) -> str:
    aid, _, cid = ref.rpartition("/")
    return f"{art.base}claim/{aid or art.aid}/{cid}"


def _write_claim(
    writer: NodeWriter,
    art: Article,
    scope: Scope,
    spans: Spans,
    claim: YMap,
    cid: str,
    problems: Problems,
) -> ClaimRef:
    sink, g, f = writer.sink, art.claim_graph, art.file("claims.yaml")
    node = iri(_claim_iri(art, cid))
    ref = ClaimRef(node.value, claim.line, str(claim.get("act")), None, [])
    guard = problems.guard
    for key in ("quote", "act", "claimant", *QUALITIES):
        if claim.get(key) is None:
            problems.add(DataError(f"claim {cid!r} has no {key}", f, claim.line))
    with guard():
        act = claim.get("act")
        if act is not None and (not isinstance(act, str) or act not in claim_acts(writer)):
            acts = claim_acts(writer)
            raise DataError(f"act: unknown speech act {act!r}" + suggest(act, acts)
                            + f" (acts: {', '.join(acts)})", f, claim.line_of("act"))  # fmt: skip
        for cls in (GC + "Claim", GC + str(act), SCHEMA + "Claim", PROV + "Entity"):
            sink.add_type(g, node, cls)
    with guard():
        if not isinstance(claim.get("quote"), str):
            raise DataError("quote: expected text", f, claim.line_of("quote"))
        b, e = ref.span = _locate(art, spans, claim, f)
        sink.add(g, node, GC + "evidence", spans.span(b, e))
        sink.add(g, node, PROV + "wasDerivedFrom", spans.span(b, e))
        sentence = spans.sentence_of(b, e)
        if sentence is not None:
            sink.add(g, node, GC + "sentence", spans.span(*sentence))
    sink.add(g, node, GC + "appearsIn", iri(art.iri))
    sink.add(g, node, SCHEMA + "appearance", iri(art.iri))

    def ids(key: str, prop: str) -> list[tuple[str, int]]:
        out = []
        for value, line in as_list(claim.get(key) or []):
            where = line or claim.line_of(key)
            with guard():
                out.append((writer.resolve(value, prop, scope, f, where), where))
        return out

    for target, _ in ids("claimant", GC + "claimant"):
        sink.add(g, node, GC + "claimant", iri(target))
        sink.add(g, node, PROV + "wasAttributedTo", iri(target))
    reporters = ids("reporter", GC + "reporter")
    if not reporters and "publisher" in art.agents:
        reporters = [(art.agents["publisher"], claim.line)]
    for target, _ in reporters:
        sink.add(g, node, GC + "reporter", iri(target))
    for target, _ in ids("about", GC + "about"):
        sink.add(g, node, GC + "about", iri(target))
        sink.add(g, node, SCHEMA + "about", iri(target))
    with guard():
        if claim.get("proposition") is not None:
            pid, line = claim["proposition"], claim.line_of("proposition")
            if not isinstance(pid, str) or pid not in art.propositions:
                raise DataError(f"proposition: unknown proposition id {pid!r}"
                                + suggest(pid, art.propositions), f, line)  # fmt: skip
            ref.proposition = art.propositions[pid]
            sink.add(g, node, GC + "proposition", iri(ref.proposition))
    for quality in QUALITIES:
        with guard():
            concept = _concept(writer, quality, claim[quality], f, claim.line_of(quality))
            sink.add(g, node, GC + quality, concept)
    with guard():
        if claim.get("act") == "Denial" and str(claim.get("polarity")) != "-":
            got = claim.get("polarity")
            raise DataError(f'a denial has polarity "-" (claim {cid!r} has {got!r})', f,
                            claim.line_of("polarity"))  # fmt: skip
    for n, (item, line) in enumerate(as_list(claim.get("time") or []), start=1):
        with guard():
            where = line or claim.line_of("time")
            texpr = _write_time(writer, art, item, f"{art.iri}/time/{cid}-{n}", node, where)
            sink.add(g, node, GC + "timeExpression", texpr)
    for value, line in as_list(claim.get("note") or []):
        with guard():
            if not isinstance(value, str):
                raise DataError("note: expected text", f, line or claim.line_of("note"))
            sink.add(g, node, SKOS + "editorialNote", ox.Literal(value, language="en"))
    for key in ("disputes", "supports"):
        for value, line in as_list(claim.get(key) or []):
            where = line or claim.line_of(key)
            with guard():
                if not isinstance(value, str) or not value:
                    raise DataError(f"{key}: expected a claim id, got {value!r}", f, where)
                sink.add(g, node, GC + key, iri(_claim_iri(art, value)))
                if key == "disputes":
                    ref.disputes.append((value, where))
    for n, (agent, _) in enumerate(ids("via", GC + "via"), start=1):
        step = iri(f"{node.value}/step/{n}")
        sink.add(g, node, GC + "via", iri(agent))
        sink.add(g, node, PROV + "wasInfluencedBy", iri(agent))
        sink.add(g, node, GC + "attributionStep", step)
        sink.add(g, node, PROV + "qualifiedInfluence", step)
        sink.add_type(g, step, GC + "AttributionStep")
        sink.add_type(g, step, PROV + "Influence")
        sink.add(g, step, PROV + "influencer", iri(agent))
        sink.add(g, step, SCHEMA + "position", typed(str(n), XSD + "integer"))
    with guard():
        if claim.get("within") is not None:
            outer, line = claim["within"], claim.line_of("within")
            if not isinstance(outer, str) or not outer:
                raise DataError(f"within: expected a claim id, got {outer!r}", f, line)
            ref.within = (outer, line)
            sink.add(g, node, GC + "within", iri(_claim_iri(art, outer)))
            sink.add(g, node, DCTERMS + "isPartOf", iri(_claim_iri(art, outer)))
    if ref.span is not None:
        with guard():
            _brackets(writer, art, spans, claim, node, ref.span, reporters, scope)
    if art.review_status is not None:
        status = iri(GCS + "reviewStatus/" + art.review_status)
        sink.add(g, node, GC + "reviewStatus", status)
        sink.add(g, node, SCHEMA + "creativeWorkStatus", status)
    for key in claim:
        if key in _SPECIAL:
            continue
        with guard():
            if writer.vocab.property(key) is None:
                raise DataError(f"unknown key {key!r} in claim {cid!r}"
                                + suggest(key, [*CLAIM_KEYS, "ambiguous"]), f,
                                claim.line_of(key))  # fmt: skip
            writer.property(claim, key, claim[key], node, g, f, scope)
    return ref


def _brackets(
    writer: NodeWriter,
    art: Article,
    spans: Spans,
    claim: YMap,
    node: ox.NamedNode,
    span: tuple[int, int],
    reporters: list[tuple[str, int]],
    scope: Scope,
) -> None:
    """Each [bracketed] insertion in the quote: a span that is the reporter's words."""
    f, b, e = art.file("claims.yaml"), *span
    given = claim.get("brackets") or YMap()
    if not isinstance(given, YMap):
        raise DataError("brackets: expected a mapping {'[words]': entity-id}", f,
                        claim.line_of("brackets"))  # fmt: skip
    found = {m.group(0): (b + m.start(), b + m.end()) for m in _BRACKET.finditer(art.text[b:e])}
    for words in given:
        if words not in found:
            raise DataError(f"brackets: {words!r} is not in the quote"
                            + suggest(words, found), f, given.line_of(words))  # fmt: skip
    editor = reporters[0][0] if reporters else None
    for words, (start, end) in found.items():
        inserted = spans.span(start, end)
        writer.sink.add(art.claim_graph, node, GC + "editorialInsertion", inserted)
        writer.sink.add_type(art.doc_graph, inserted, GC + "EditorialInsertion")
        if editor is not None:
            writer.sink.add(art.doc_graph, inserted, PROV + "wasAttributedTo", iri(editor))
        if words in given:
            target = writer.resolve(given[words], None, scope, f, given.line_of(words))
            writer.sink.add(art.doc_graph, inserted, ITSRDF + "taIdentRef", iri(target))


def _write_time(
    writer: NodeWriter, art: Article, item: object, node: str, claim: ox.NamedNode, line: int
) -> ox.NamedNode:
    """A gc:TimeExpression in the document graph, resolved against an anchor date."""
    sink, g, f = writer.sink, art.doc_graph, art.file("claims.yaml")
    if not isinstance(item, YMap):
        raise DataError("time: expected a mapping with surfaceText", f, line)
    for key in item:
        if key not in TIME_KEYS:
            raise DataError(f"unknown key {key!r} in a time expression"
                            + suggest(key, TIME_KEYS), f, item.line_of(key))  # fmt: skip
    text = item.get("surfaceText")
    if not isinstance(text, str) or text not in art.text:
        raise DataError(f"time: surfaceText not found in article: {text!r}", f, item.line)
    s = iri(node)
    sink.add_type(g, s, GC + "TimeExpression")
    sink.add(g, s, GC + "surfaceText", plain(text))
    anchor = item.get("anchorDate", art.anchor)
    if anchor is None:
        raise DataError("time: no anchorDate and the article has no date", f, item.line)
    try:
        sink.add(g, s, GC + "anchorDate", literal(anchor, XSD + "date", "anchorDate"))
        day = None
        if "resolvedDate" in item:
            day = literal(item["resolvedDate"], XSD + "date", "resolvedDate")
            sink.add(g, s, GC + "resolvedDate", day)
    except ValueError as err:
        raise DataError(str(err), f, item.line) from None
    if "resolvedInterval" in item:
        write_interval(sink, g, node + "/interval", item["resolvedInterval"], f,
                       item.line_of("resolvedInterval"))  # fmt: skip
        sink.add(g, s, GC + "resolvedInterval", iri(node + "/interval"))
    if "resolvedDate" not in item and "resolvedInterval" not in item:
        raise DataError("time: give resolvedDate or resolvedInterval", f, item.line)
    of = _concept(writer, "timeOf", item.get("timeOf", "event"), f, item.line_of("timeOf"))
    sink.add(g, s, GC + "timeOf", of)
    if of.value.endswith("/saying") and day is not None:
        sink.add(art.claim_graph, claim, SCHEMA + "dateCreated", day)
    if isinstance(item.get("note"), str):
        sink.add(g, s, SKOS + "editorialNote", ox.Literal(item["note"], language="en"))
    return s


def _check_denial(
    ref: ClaimRef,
    target: str,
    line: int,
    claims: dict[str, ClaimRef],
    known: set[str],
    f: str,
) -> None:
    """A disputed claim of this article must exist; a denial shares its proposition."""
    if "/" in target:
        return  # another article's claim: checked when the whole dataset is validated
    if target not in known:
        raise DataError(f"disputes: unknown claim id {target!r}" + suggest(target, known), f, line)
    other = claims.get(target)
    if other is not None and ref.act == "Denial" and ref.proposition != other.proposition:
        raise DataError(
            f"a denial must point at the proposition of the claim it denies ({target!r})", f, line
        )


def _check_within(
    ref: ClaimRef, claims: dict[str, ClaimRef], known: set[str], art: Article, f: str
) -> None:
    """A nested quotation names a claim of this article and lies inside its words."""
    outer, line = ref.within or ("", 0)
    if outer not in known:
        raise DataError(f"within: unknown claim id {outer!r}" + suggest(outer, known), f, line)
    host = claims.get(outer)
    if host is None or host.span is None or ref.span is None:
        return
    if not (host.span[0] <= ref.span[0] and ref.span[1] <= host.span[1]):
        raise DataError(
            f"within: the quote is not inside the words of {outer!r} "
            f"({art.text[host.span[0] : host.span[1]]!r})",
            f,
            line,
        )
