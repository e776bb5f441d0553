"""The browsing library (kg.browse) on the seed store, checked against direct SPARQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.browse import article, claims, labels, resources, summary, verdicts
from kg.browse.terms import PREFIX_LINES
from kg.config import Config
from kg.store import EmbeddedStore


@pytest.fixture(scope="module")
def store(seed_config: Config) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore(Path(seed_config.data_dir), read_only=True)
    yield opened
    opened.close()


def select(store: EmbeddedStore, sparql: str) -> list[ox.QuerySolution]:
    return list(store.query(PREFIX_LINES + sparql, union=True))


def test_claims_about_grouped_by_claimant(store: EmbeddedStore, seed_config: Config) -> None:
    belarus = seed_config.base_iri + "entity/belarus"
    expected: dict[str, set[str]] = defaultdict(set)
    for r in select(
        store,
        f"SELECT ?c ?who WHERE {{ ?c gc:about|schema:about <{belarus}>"
        " OPTIONAL { ?c gc:claimant ?who } }",
    ):
        expected[r["who"].value if r["who"] else ""].add(r["c"].value)
    first = claims.claims_about(store, belarus)
    assert expected, "the seed data has claims about Belarus"
    assert first.total == sum(len(v) for v in expected.values())
    assert dict(first.claimants) == {k: len(v) for k, v in expected.items()}
    # Page by page, every claim once, grouped by claimant, the most prolific claimant first.
    pages = [claims.claims_about(store, belarus, n) for n in range(1, first.pages + 1)]
    assert first.pages == -(-first.total // claims.CLAIMS_PER_PAGE) > 1
    seen: dict[str, set[str]] = defaultdict(set)
    order: list[str] = []
    for page in pages:
        assert sum(len(vs) for _, vs in page.groups) <= claims.CLAIMS_PER_PAGE
        for who, vs in page.groups:
            seen[who] |= {v.iri for v in vs}
            if not order or order[-1] != who:
                order.append(who)
    assert dict(seen) == dict(expected)
    counts = dict(first.claimants)
    assert order == sorted(dict.fromkeys(order), key=lambda w: (-counts[w], w == "", w))


def test_article_view_cuts_the_text_at_the_evidence(store: EmbeddedStore) -> None:
    (iri,) = [r["a"].value for r in select(store, "SELECT ?a WHERE { ?a a schema:NewsArticle }")]
    view = article.article_view(store, iri)
    assert view is not None
    assert "".join(s.text for s in view.segments) == view.text
    assert view.claims
    for c in view.claims:
        if c.quote:
            assert view.text[c.begin : c.end] == c.quote
    covered = {iri for s in view.segments for iri in s.claims}
    assert covered == {c.iri for c in view.claims}
    assert set(claims.claims_in(store, iri)) >= covered
    assert article.article_view(store, iri + "-nothing") is None


def test_resource_statements_are_the_subjects_triples(
    store: EmbeddedStore, seed_config: Config
) -> None:
    iri = seed_config.base_iri + "entity/belarus"
    res = resources.load(store, iri)
    direct = {
        (r["p"].value, r["o"].value) for r in select(store, f"SELECT ?p ?o {{ <{iri}> ?p ?o }}")
    }
    got = {(p, s.other.value) for p, stmts in res.outgoing.items() for s in stmts}
    folded = {
        (a.value, s.other.value) for stmts in res.outgoing.values() for s in stmts for a in s.also
    }
    # Every triple is shown once: on its own, or folded into its more specific property.
    assert got | folded == direct and not got & folded
    # Incoming statements count once: schema:about beside gc:about is the same statement.
    (n,) = select(
        store,
        f"SELECT (COUNT(*) AS ?n) {{ GRAPH ?g {{ ?s ?p <{iri}> }}"
        f" FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?sub <{iri}> }} ?sub rdfs:subPropertyOf ?p }} }}",
    )
    (doubled,) = select(
        store,
        f"SELECT (COUNT(*) AS ?n) {{ GRAPH ?g {{ ?s gc:about <{iri}> ; schema:about <{iri}> }} }}",
    )
    assert res.incoming_total == int(n["n"].value) > 0 and int(doubled["n"].value) > 0
    assert not {
        s.other.value for s in res.incoming if s.predicate.value == "http://schema.org/about"
    }
    assert resources.exists(store, iri)
    assert not resources.exists(store, iri + "-nothing")


def test_summary_counts_and_void(store: EmbeddedStore, seed_config: Config) -> None:
    found = summary.summary(store, seed_config.base_iri)
    (n,) = select(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?c a schema:Claim }")
    assert found.counts["claims"] == int(n["n"].value) > 0
    assert found.counts["graphs"] == len(store.named_graphs())
    dataset = "http://example.org/void#dataset"
    triples = summary.void_triples(found, dataset, "http://example.org/sparql", "b:")
    void = "http://rdfs.org/ns/void#"
    assert (
        ox.Triple(
            ox.NamedNode(dataset),
            ox.NamedNode(void + "triples"),
            ox.Literal(
                str(len(store)), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
            ),
        )
        in triples
    )


def test_labels_and_verdicts(store: EmbeddedStore, seed_config: Config) -> None:
    belarus = seed_config.base_iri + "entity/belarus"
    views = [v for _, vs in claims.claims_about(store, belarus).groups for v in vs]
    found = labels.labels(store, [belarus, views[0].iri])
    assert found[belarus] == "Belarus"
    speaker = labels.labels(store, [views[0].claimant.value])[views[0].claimant.value]
    assert found[views[0].iri] == f"{speaker}: “{views[0].quote}”"
    judged = select(
        store,
        "SELECT DISTINCT ?c ?v { ?r a schema:ClaimReview ; schema:itemReviewed ?c ;"
        " gc:verdict ?v }",
    )
    expected = {r["c"].value: r["v"].value.rsplit("/", 1)[-1] for r in judged}
    briefs = verdicts.briefs(store, [v.iri for v in views])
    assert {c: b.verdict for c, b in briefs.items()} == {
        v.iri: expected[v.iri] for v in views if v.iri in expected
    }


def test_pages_path_gives_the_same_records(store: EmbeddedStore, seed_config: Config) -> None:
    """The web app's read store runs each query through the executor: same records as direct."""
    from kg.jobs import ExecutorStore
    from kg.web import create_app

    state = create_app(seed_config).extensions["kg"]
    try:
        assert isinstance(state.store, ExecutorStore)
        belarus = seed_config.base_iri + "entity/belarus"
        assert claims.claims_about(state.store, belarus) == claims.claims_about(store, belarus)
        assert resources.load(state.store, belarus) == resources.load(store, belarus)
    finally:
        state.executor.close()
