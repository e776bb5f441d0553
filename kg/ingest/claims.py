"""claims.yaml -> proposition graphs and the claims graph of one article."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import DataError
from kg.ingest.articles import Article
from kg.ingest.ids import Scope, by_id
from kg.ingest.nodes import NodeWriter, literal, write_interval
from kg.ingest.spans import Spans, locate
from kg.ingest.terms import iri, plain
from kg.ingest.yamlfile import YMap, as_list
from kg.namespaces import GC, GCS, PROV, SCHEMA, SKOS, XSD
from kg.namespaces import concept as scheme_concept

QUALITIES = ("polarity", "certainty", "modality", "attribution")
_SPECIAL = {
    "id", "quote", "context", "act", "claimant", "reporter", "about", "proposition", "time",
    "disputes", "supports", "note", *QUALITIES,
}  # fmt: skip
_TIME_KEYS = {"surfaceText", "resolvedDate", "resolvedInterval", "anchorDate", "note"}


@dataclass
class ClaimRef:
    """What later checks need of a written claim."""

    iri: str
    line: int
    act: str
    proposition: str | None
    disputes: list[tuple[str, int]]


def proposition_ids(art: Article) -> dict[str, str]:
    props = by_id(art.claims.get("propositions"), "proposition", art.file("claims.yaml"))
    return {pid: f"{art.base}proposition/{art.aid}/{pid}" for pid in props}


def write_propositions(writer: NodeWriter, art: Article, scope: Scope) -> list[str]:
    """One gc:PropositionGraph per proposition, rooted at the node named like the graph."""
    f, graphs = art.file("claims.yaml"), []
    for prop, _ in as_list(art.claims.get("propositions") or []):
        graph = art.propositions[prop["id"]]
        if "type" not in prop:
            raise DataError(f"proposition {prop['id']!r} has no type", f, prop.line)
        writer.sink.add_type(graph, iri(graph), GC + "PropositionGraph")
        writer.write(prop, graph, graph, f, scope, extra_types=[GC + "Proposition"])
        graphs.append(graph)
    return graphs


def _concept(writer: NodeWriter, quality: str, value: object, f: str, line: int) -> ox.NamedNode:
    found = writer.vocab.concept(GCS + quality, str(value)) if isinstance(value, str) else None
    if found is None:
        known = sorted(writer.vocab.concepts.get(GCS + quality, {}))
        raise DataError(f"{quality}: unknown value {value!r} (expected one of {known})", f, line)
    return iri(found)


def write_claims(writer: NodeWriter, art: Article, scope: Scope, spans: Spans) -> None:
    """The claims graph; evidence spans and time expressions go to the document graph."""
    sink, g, f = writer.sink, art.claim_graph, art.file("claims.yaml")
    sink.add_type(g, iri(g), GC + "ClaimGraph")
    claims = {
        cid: _write_claim(writer, art, scope, spans, claim, cid)
        for cid, claim in by_id(art.claims.get("claims"), "claim", f).items()
    }
    for key in art.claims:
        if key not in ("agents", "propositions", "claims", "non_assertive"):
            raise DataError(f"unknown key {key!r}", f, art.claims.line_of(key))
    for item, line in as_list(art.claims.get("non_assertive") or []):
        if not isinstance(item, YMap) or not isinstance(item.get("quote"), str):
            raise DataError("a non_assertive entry needs a quote", f, line)
        b, e = _locate(art, item, f)
        reason = item.get("reason")
        if not isinstance(reason, str):
            raise DataError("a non_assertive entry needs a reason", f, item.line)
        span = spans.span(b, e)
        sink.add(art.doc_graph, span, SKOS + "editorialNote", ox.Literal(
            f"Asserts nothing: {reason}", language="en"))  # fmt: skip
    for ref in claims.values():
        for target, tline in ref.disputes:
            _check_denial(ref, target, tline, claims, art, f)


def _locate(art: Article, node: YMap, f: str) -> tuple[int, int]:
    context = node.get("context")
    if context is not None and not isinstance(context, str):
        raise DataError("context: expected text", f, node.line_of("context"))
    try:
        return locate(art.text, node["quote"], context)
    except ValueError as err:
        key = "context" if str(err).startswith("context") else "quote"
        raise DataError(str(err), f, node.line_of(key)) from None


def _claim_iri(art: Article, ref: str) -> str:
    aid, _, cid = ref.rpartition("/")
    return f"{art.base}claim/{aid or art.aid}/{cid}"


def _write_claim(
    writer: NodeWriter, art: Article, scope: Scope, spans: Spans, claim: YMap, cid: str
) -> ClaimRef:
    sink, g, f = writer.sink, art.claim_graph, art.file("claims.yaml")
    node = iri(_claim_iri(art, cid))
    for key in ("quote", "act", "claimant", *QUALITIES):
        if claim.get(key) is None:
            raise DataError(f"claim {cid!r} has no {key}", f, claim.line)
    act = claim["act"]
    if not isinstance(act, str) or not writer.vocab.is_class(act):
        raise DataError(f"act: unknown speech act {act!r}", f, claim.line_of("act"))
    if GC + "Claim" not in writer.vocab.supers_of_class(GC + act) and act != "Claim":
        raise DataError(f"act: {act!r} is not a kind of gc:Claim", f, claim.line_of("act"))
    for cls in (GC + "Claim", GC + act, SCHEMA + "Claim", PROV + "Entity"):
        sink.add_type(g, node, cls)
    if not isinstance(claim["quote"], str):
        raise DataError("quote: expected text", f, claim.line_of("quote"))
    b, e = _locate(art, claim, f)
    sink.add(g, node, GC + "evidence", spans.span(b, e))
    sink.add(g, node, PROV + "wasDerivedFrom", spans.span(b, e))
    sentence = spans.sentence_of(b, e)
    if sentence is not None:
        sink.add(g, node, GC + "sentence", spans.span(*sentence))
    sink.add(g, node, GC + "appearsIn", iri(art.iri))
    sink.add(g, node, SCHEMA + "appearance", iri(art.iri))
    if art.review == "drafted":  # drafted by `kg draft`, loaded unreviewed (absent: reviewed)
        sink.add(g, node, GC + "reviewStatus", iri(scheme_concept("reviewStatus", art.review)))

    def ids(key: str, prop: str) -> list[tuple[str, int]]:
        out = []
        for value, line in as_list(claim.get(key) or []):
            where = line or claim.line_of(key)
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
    proposition = None
    if claim.get("proposition") is not None:
        pid, line = claim["proposition"], claim.line_of("proposition")
        if not isinstance(pid, str) or pid not in art.propositions:
            raise DataError(f"proposition: unknown proposition id {pid!r}", f, line)
        proposition = art.propositions[pid]
        sink.add(g, node, GC + "proposition", iri(proposition))
    for quality in QUALITIES:
        concept = _concept(writer, quality, claim[quality], f, claim.line_of(quality))
        sink.add(g, node, GC + quality, concept)
    for n, (item, line) in enumerate(as_list(claim.get("time") or []), start=1):
        where = line or claim.line_of("time")
        texpr = _write_time(writer, art, item, f"{art.iri}/time/{cid}-{n}", f, where)
        sink.add(g, node, GC + "timeExpression", texpr)
    for value, line in as_list(claim.get("note") or []):
        if not isinstance(value, str):
            raise DataError("note: expected text", f, line or claim.line_of("note"))
        sink.add(g, node, SKOS + "editorialNote", ox.Literal(value, language="en"))
    disputes = []
    for key in ("disputes", "supports"):
        for value, line in as_list(claim.get(key) or []):
            where = line or claim.line_of(key)
            if not isinstance(value, str) or not value:
                raise DataError(f"{key}: expected a claim id, got {value!r}", f, where)
            sink.add(g, node, GC + key, iri(_claim_iri(art, value)))
            if key == "disputes":
                disputes.append((value, where))
    for key in claim:
        if key not in _SPECIAL:
            writer.property(claim, key, claim[key], node, g, f, scope)
    return ClaimRef(node.value, claim.line, act, proposition, disputes)


def _write_time(
    writer: NodeWriter, art: Article, item: object, node: str, f: str, line: int
) -> ox.NamedNode:
    """A gc:TimeExpression in the document graph, resolved against an anchor date."""
    sink, g = writer.sink, art.doc_graph
    if not isinstance(item, YMap):
        raise DataError("time: expected a mapping with surfaceText", f, line)
    for key in item:
        if key not in _TIME_KEYS:
            raise DataError(f"unknown key {key!r} in a time expression", f, item.line_of(key))
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
    if isinstance(item.get("note"), str):
        sink.add(g, s, SKOS + "editorialNote", ox.Literal(item["note"], language="en"))
    return s


def _check_denial(
    ref: ClaimRef, target: str, line: int, claims: dict[str, ClaimRef], art: Article, f: str
) -> None:
    """A disputed claim of this article must exist; a denial shares its proposition."""
    if "/" in target:
        return  # another article's claim: checked when the whole dataset is validated
    if target not in claims:
        raise DataError(f"disputes: unknown claim id {target!r}", f, line)
    other = claims[target]
    if ref.act == "Denial" and ref.proposition != other.proposition:
        raise DataError(
            f"a denial must point at the proposition of the claim it denies ({target!r})", f, line
        )
