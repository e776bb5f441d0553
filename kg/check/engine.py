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

import dataclasses
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

import pyoxigraph as ox

from kg.check.graph import batch_graphs, claim_graphs, load_claims, load_context
from kg.check.model import Claim, Snapshot
from kg.check.rules import CONTEXT, FALLBACK, FIRST, RULES, Rule
from kg.check.rules.common import kinds
from kg.check.verdict import (
    BEST_RATING,
    NOT_CHECKABLE,
    RATING,
    VERDICTS,
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
from kg.progress import progress, track
from kg.store import EmbeddedStore, Store

XSD = "http://www.w3.org/2001/XMLSchema#"
BATCH = 20  # articles (claims graphs) read and judged together
SMALL = 200_000  # review quads: up to this many replace the review graph in one transaction

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


def verdict(snap: Snapshot, claim: Claim, rules: Iterable[Rule] = RULES) -> Verdict:
    """The verdict on one claim, with its span and the reference facts it rests on."""
    finding, used = judge(snap, claim, rules)
    facts = tuple(
        FactRef(f.iri, f.fid, f.text, tuple(SourceRef(s.name, s.url) for s in f.sources))
        for f in (snap.facts[i] for i in finding.facts if i in snap.facts)
    )
    return Verdict(
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


def verdicts(snap: Snapshot, rules: Iterable[Rule] = RULES) -> list[Verdict]:
    """A verdict for every claim of the snapshot, in claim IRI order."""
    rules = tuple(rules)
    # A bar on a terminal for a big store (kg.progress); nothing otherwise.
    return [
        verdict(snap, claim, rules)
        for claim in track(snap.claims, "kg check", total=len(snap.claims), unit="claim")
    ]


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: str | int, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=_n(XSD + "integer"))
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(value, datatype=_n(datatype)) if datatype else ox.Literal(value)


Triple = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]


def review_header(base: str, rules: Iterable[Rule] = RULES) -> list[Triple]:
    """The review graph's self-description, the agent and the rules."""
    g = _n(reviews_graph(base))
    agent = _n(base + "agent/geoclaims")
    triples: list[Triple] = [
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
    return triples


def review_triples(base: str, v: Verdict) -> list[Triple]:
    """One verdict as a schema:ClaimReview with its schema:Rating."""
    agent = _n(base + "agent/geoclaims")
    review = _n(f"{base}review/{v.aid}/{v.cid}")
    rating = _n(f"{base}review/{v.aid}/{v.cid}/rating")
    verdict = _n(concept("verdict", v.verdict))
    triples: list[Triple] = [
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
    return triples


def review_quads(base: str, results: list[Verdict], rules: Iterable[Rule] = RULES) -> list[ox.Quad]:
    """The review graph: the graph's self-description, the agent, the rules and one review each."""
    g = _n(reviews_graph(base))
    triples = review_header(base, rules)
    for v in results:
        triples += review_triples(base, v)
    return [ox.Quad(s, p, o, g) for s, p, o in dict.fromkeys(triples)]


@dataclass
class CheckRun:
    """What one run of the checks did: the verdicts' counts, claims, articles, review quads."""

    counts: dict[str, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))
    claims: int = 0
    articles: int = 0
    quads: int = 0
    seconds: float = 0.0
    verdicts: list[Verdict] = dataclasses.field(default_factory=list)  # in claim IRI order
    complete: bool = True  # `verdicts` holds every verdict (not only the first `keep`)
    # The store's versions before and after the reviews were written: the search index of the
    # first needs only its verdicts updated while the store is at the second (`search.refresh`).
    versions: tuple[str, str] = ("", "")

    def summary(self) -> str:
        """The one-line tally, as the last line of the printed table."""
        return (
            ", ".join(f"{WORDS[v]}: {self.counts[v]}" for v in VERDICTS)
            + f"; claims: {self.claims}"
        )


def check_store(
    store: Store,
    config: Config,
    *,
    keep: int | None = None,
    rules: Iterable[Rule] = RULES,
    batch: int = BATCH,
) -> CheckRun:
    """Judge every claim of the store, a batch of articles at a time, and replace the review
    graph with the verdicts. Memory holds one batch (and the reference facts), not the store:
    each batch's reviews go to a scratch N-Quads file, loaded at the end in one go. `keep`: how
    many verdicts to return (None: all; more claims than that: `complete` is False)."""
    started = time.monotonic()
    rules = tuple(rules)
    base = config.base_iri
    graph = _n(reviews_graph(base))
    context = load_context(store, base)
    units = claim_graphs(store)
    run = CheckRun(articles=len(units))
    before = store.version
    scratch = store.path.parent if isinstance(store, EmbeddedStore) and store.path else None
    with (
        tempfile.TemporaryFile(prefix=".kg-check-", dir=scratch) as spool,
        progress("kg check", total=len(units), unit="article") as bar,
    ):
        run.quads += _spool(spool, graph, review_header(base, rules))
        for i in range(0, len(units), batch):
            group = units[i : i + batch]
            claims, nodes = load_claims(store, batch_graphs(store, group))
            snap = context.with_claims(claims, nodes)
            triples: list[Triple] = []
            for claim in claims:
                found = verdict(snap, claim, rules)
                run.counts[found.verdict] += 1
                run.claims += 1
                triples += review_triples(base, found)
                if keep is None or len(run.verdicts) < keep:
                    run.verdicts.append(found)
                else:
                    run.complete = False
            run.quads += _spool(spool, graph, triples)
            bar.advance(len(group))
            bar.note(group[-1].rsplit("/", 1)[-1])
        spool.flush()
        spool.seek(0)
        _write_reviews(store, graph, spool, run.quads)
    run.versions = (before, store.version)
    run.verdicts.sort(key=lambda v: v.claim)
    run.seconds = time.monotonic() - started
    return run


def _spool(spool: IO[bytes], graph: ox.NamedNode, triples: list[Triple]) -> int:
    quads = [ox.Quad(s, p, o, graph) for s, p, o in dict.fromkeys(triples)]
    spool.write(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    return len(quads)


def _write_reviews(store: Store, graph: ox.NamedNode, spool: IO[bytes], quads: int) -> None:
    """Replace the review graph with the spooled reviews: in one transaction when they are few
    (or the store is remote), else dropped and bulk-loaded (under the writer's lock, so no
    reader sees the graph half-written)."""
    if quads <= SMALL or not isinstance(store, EmbeddedStore):
        store.replace_graphs([graph.value], ox.parse(spool, format=ox.RdfFormat.N_QUADS))
        return
    store.oxigraph.remove_graph(graph)  # (deleting costs about what loading does: 5 s for 300k)
    store.bulk_load_stream(spool)


def run_checks(store: Store, config: Config) -> list[Verdict]:
    """Judge every claim in the store and replace the review graph with the verdicts."""
    return check_store(store, config).verdicts
