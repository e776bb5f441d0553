"""Run the rules over every claim and write the verdicts as schema:ClaimReview in `B graph/reviews`.

Order of judgement for one claim:
1. Claims that assert no checkable fact are not checkable, whatever the facts: labels and
   beliefs (opinion), agentless hedges ("is said to be"), hypothetical, conditional or future
   modality (what would or will be, not what is), merely possible certainty, unknown polarity.
2. Otherwise every node of the claim's proposition graph is shown to every rule; a node no rule
   judged is shown to the fallback rules. The findings combine (verdict.combine): all agreeing
   give that verdict, a mix gives partly correct. No finding: not checkable (no reference fact).
3. A denial (polarity "-") takes the inverse verdict (verdict.invert).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.check.graph import load_snapshot
from kg.check.model import Claim, Snapshot
from kg.check.rules import CONTEXT, FALLBACK, FIRST, RULES, Rule
from kg.check.rules.common import kinds
from kg.check.verdict import (
    BEST_RATING,
    NOT_CHECKABLE,
    RATING,
    WORDS,
    WORST_RATING,
    FactRef,
    Finding,
    SourceRef,
    Verdict,
    combine,
    invert,
)
from kg.config import Config
from kg.namespaces import GC, PROV, RDF, RDFS, SCHEMA, SD, concept
from kg.progress import track
from kg.store import Store

XSD = "http://www.w3.org/2001/XMLSchema#"

# (claim property value, reason) for claims whose kind rules out a check.
GATES: tuple[tuple[str, str, str], ...] = (
    ("act", GC + "Label", "a label (a characterisation, i.e. opinion), not a checkable fact"),
    ("act", GC + "Belief", "a belief ascribed to someone, not a checkable fact"),
    (
        "attribution",
        concept("attribution", "hedge"),
        'hedged without a source ("is said to be", "is seen as", "is believed")',
    ),
    ("modality", concept("modality", "hypothetical"), "hypothetical: says what could be"),
    ("modality", concept("modality", "conditional"), "conditional: says what would be, if"),
    ("modality", concept("modality", "future"), "a prediction about the future"),
    ("certainty", concept("certainty", "possible"), "stated as merely possible"),
    ("polarity", concept("polarity", "unknown"), "its polarity is unknown"),
)


def reviews_graph(base: str) -> str:
    return base + "graph/reviews"


def gate(claim: Claim) -> str | None:
    """Why the claim cannot be checked at all, or None."""
    why = []
    for field, value, reason in GATES:
        have = claim.acts if field == "act" else {getattr(claim, field)}
        if value in have:
            why.append(reason)
    return "Not checkable: " + "; ".join(why) + "." if why else None


def judge(snap: Snapshot, claim: Claim, rules: Iterable[Rule] = RULES) -> tuple[Finding, list[str]]:
    """The finding on one claim and the names of the rules that contributed."""
    rules = tuple(rules)
    root = snap.node(claim.proposition)
    if root is not None:
        for rule in FIRST:
            said = rule.check(snap, claim, root)
            if said:
                # A judgement of the report itself: it already took the polarity into account.
                return combine(said) or said[0], [rule.name]
    reason = gate(claim)
    if reason:
        for rule in CONTEXT if root is not None else ():
            notes = rule.check(snap, claim, root)
            if notes:
                note = combine(notes) or notes[0]
                return Finding(NOT_CHECKABLE, f"{reason} {note.reason}", note.facts), [
                    "kind-of-claim",
                    rule.name,
                ]
        return Finding(NOT_CHECKABLE, reason), ["kind-of-claim"]
    nodes = snap.nodes_of(claim.proposition)
    findings: list[Finding] = []
    used: list[str] = []
    for node in nodes:
        found = False
        for group in (rules, FALLBACK):
            for rule in group:
                got = rule.check(snap, claim, node)
                if got:
                    findings.extend(got)
                    used.append(rule.name)
                    found = True
                    if group is FALLBACK:
                        break  # fallbacks are tried in order: the first that judges wins
            if found:
                break
    result = combine(findings)
    if result is None:
        kind = ", ".join(dict.fromkeys(snap.label(t) for n in nodes for t in sorted(kinds(n))))
        return Finding(
            NOT_CHECKABLE,
            (f"Not checkable: no reference fact bears on this proposition ({kind or 'unknown'})."),
        ), ["no-fact"]
    if claim.polarity == concept("polarity", "denied"):
        result = invert(result)
    return result, list(dict.fromkeys(used))


def verdicts(snap: Snapshot, rules: Iterable[Rule] = RULES) -> list[Verdict]:
    """A verdict for every claim of the snapshot, in claim IRI order."""
    out = []
    # A bar on a terminal for a big store (kg.progress); nothing otherwise.
    for claim in track(snap.claims, "kg check", total=len(snap.claims), unit="claim"):
        finding, used = judge(snap, claim, rules)
        facts = tuple(
            FactRef(f.iri, f.fid, f.text, tuple(SourceRef(s.name, s.url) for s in f.sources))
            for f in (snap.facts[i] for i in finding.facts if i in snap.facts)
        )
        out.append(
            Verdict(
                claim.iri,
                claim.aid,
                claim.cid,
                claim.article,
                claim.span,
                claim.begin,
                claim.end,
                claim.words,
                finding.verdict,
                finding.reason,
                tuple(used),
                facts,
            )
        )
    return out


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: str | int, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=_n(XSD + "integer"))
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(value, datatype=_n(datatype)) if datatype else ox.Literal(value)


def review_quads(base: str, results: list[Verdict], rules: Iterable[Rule] = RULES) -> list[ox.Quad]:
    """The review graph: the graph's self-description, the agent, the rules and one review each."""
    g = _n(reviews_graph(base))
    agent = _n(base + "agent/geoclaims")
    triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (g, _n(RDF + "type"), _n(GC + "ReviewGraph")),
        # Its super-classes, materialised as for every other graph (no inference needed).
        (g, _n(RDF + "type"), _n(GC + "NamedGraph")),
        (g, _n(RDF + "type"), _n(SD + "Graph")),
        (g, _n(RDFS + "label"), _lit("Verdicts of kg check on the claims", lang="en")),
        (agent, _n(RDF + "type"), _n(SCHEMA + "Organization")),
        (agent, _n(RDF + "type"), _n(PROV + "SoftwareAgent")),
        (agent, _n(RDFS + "label"), _lit("geoclaims", lang="en")),
        (agent, _n(SCHEMA + "name"), _lit("geoclaims")),
    ]
    named_rules = {r.name: r.description for r in (*FIRST, *CONTEXT, *rules, *FALLBACK)}
    named_rules["kind-of-claim"] = (
        "Claims that assert no checkable fact (labels, beliefs, agentless hedges, hypothetical, "
        "conditional or future modality, merely possible certainty, unknown polarity) are not "
        "checkable."
    )
    named_rules["no-fact"] = (
        "A claim none of whose proposition nodes any rule could compare "
        "with a reference fact is not checkable."
    )
    for name, description in sorted(named_rules.items()):
        node = _n(base + "rule/" + name)
        triples += [
            (node, _n(RDF + "type"), _n(PROV + "Plan")),
            (node, _n(RDFS + "label"), _lit(name, lang="en")),
            (node, _n(RDFS + "comment"), _lit(description, lang="en")),
        ]
    for v in results:
        review = _n(f"{base}review/{v.aid}/{v.cid}")
        rating = _n(f"{base}review/{v.aid}/{v.cid}/rating")
        verdict = _n(concept("verdict", v.verdict))
        triples += [
            (review, _n(RDF + "type"), _n(SCHEMA + "ClaimReview")),
            (review, _n(RDF + "type"), _n(PROV + "Entity")),
            (review, _n(SCHEMA + "itemReviewed"), _n(v.claim)),
            (review, _n(SCHEMA + "claimReviewed"), _lit(v.words)),
            (review, _n(SCHEMA + "reviewBody"), _lit(v.reason, lang="en")),
            (review, _n(SCHEMA + "author"), agent),
            (review, _n(PROV + "wasAttributedTo"), agent),
            (review, _n(GC + "verdict"), verdict),
            (review, _n(SCHEMA + "reviewRating"), rating),
            (rating, _n(RDF + "type"), _n(SCHEMA + "Rating")),
            (rating, _n(SCHEMA + "alternateName"), _lit(WORDS[v.verdict], lang="en")),
            (rating, _n(SCHEMA + "worstRating"), _lit(WORST_RATING)),
            (rating, _n(SCHEMA + "bestRating"), _lit(BEST_RATING)),
        ]
        if RATING[v.verdict] is not None:
            triples.append((rating, _n(SCHEMA + "ratingValue"), _lit(RATING[v.verdict] or 0)))
        for rule in v.rules:
            triples.append((review, _n(GC + "rule"), _lit(rule)))
            triples.append((review, _n(SCHEMA + "isBasedOn"), _n(base + "rule/" + rule)))
        for fact in v.facts:
            triples.append((review, _n(PROV + "wasDerivedFrom"), _n(fact.iri)))
            triples.append((review, _n(GC + "checkedAgainst"), _n(fact.iri)))
    return [ox.Quad(s, p, o, g) for s, p, o in dict.fromkeys(triples)]


def run_checks(store: Store, config: Config) -> list[Verdict]:
    """Judge every claim in the store and replace the review graph with the verdicts."""
    snap = load_snapshot(store, config.base_iri)
    results = verdicts(snap)
    store.replace_graphs([reviews_graph(config.base_iri)], review_quads(config.base_iri, results))
    return results
