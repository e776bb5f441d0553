"""Queries that cannot run away are answered by the web worker itself (kg.bounded, kg.executor):
which texts count as bounded, and that the answers are the query processes' answers."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from kg.bounded import is_bounded
from kg.config import Config
from kg.errors import QueryError, ResultTooLarge
from kg.executor import Executor, Job
from kg.lock import writer

BOUNDED = [
    "SELECT ?p ?o WHERE { <https://w3id.org/geoclaims/entity/e1> ?p ?o }",
    "PREFIX ex: <http://e/> SELECT * { ex:s a ?t . }",
    "PREFIX : <http://e/>\nBASE <http://b/>\nSELECT ?o { :s <p> ?o }",
    "select ?o where { graph ?g { <s> <p> ?o } } limit 5",
    'ASK { <s> ?p "x"@en }',
    'ASK WHERE { <s> ?p "x"^^<http://t> }',
    "DESCRIBE <http://a> ex:b",
    "# a comment\nSELECT ?o { <s> <p> ?o . } # another",
    "SELECT ?o { GRAPH <g> { ex:s ex:p ?o. } . }",
    "SELECT ?g ?p { GRAPH ?g { <s> ?p 42 } }",
]

NOT_BOUNDED = [
    "SELECT ?p ?o WHERE { ?s ?p ?o }",  # a variable subject: the whole store
    "SELECT ?o { <s> ?p ?p }",  # a repeated variable filters the scan
    "SELECT ?o { GRAPH ?o { <s> <p> ?o } }",
    "SELECT ?o { <s> <p> ?o . <s> <q> ?x }",  # a join
    "SELECT ?o { <s> <p> ?o } OFFSET 5",  # rows read and not answered
    "SELECT DISTINCT ?p { <s> ?p ?o }",  # the same: many quads, few distinct answers
    "SELECT REDUCED ?p { <s> ?p ?o }",
    "SELECT ?o { <s> <p> ?o } ORDER BY ?o",
    "SELECT ?o { <s> <p> ?o FILTER(?o) }",
    "SELECT ?o { <s> <p>/<q> ?o }",
    "SELECT ?o { <s> <p>* ?o }",
    "SELECT ?o { _:b <p> ?o }",  # a blank node in a pattern is a variable
    "SELECT ?o { [] <p> ?o }",
    "SELECT ?o { <<<s> <p> <o>>> <p> ?o }",
    "DESCRIBE ?x WHERE { ?x ?p ?o }",
    "SELECT ?o FROM <g> { <s> <p> ?o }",
    "SELECT ?o { <s> <p> ?o } VALUES ?o { 1 }",
    "SELECT ?o { SERVICE <http://x> { <s> <p> ?o } }",
    "SELECT (1 AS ?o) { <s> <p> ?o }",
    "SELECT ?o { { <s> <p> ?o } }",
    "SELECT ?o WHERE { <s> <p> ?o MINUS { <s> <p> ?o } }",
    "CONSTRUCT { <s> <p> ?o } WHERE { <s> <p> ?o }",
    'SELECT ?o { <s> <p> "unclosed }',
    'SELECT ?o { <s> <p> """long""" }',
    "ASK { <s> <p> ?o } LIMIT 1 more",
    "SELECT ?o { <s> <p> ?o }}",
    "SELECT ?o { <s> <p> ?o } LIMIT",
    "SELECT ?o { ex:s. ex:p ?o }",  # `ex:s.` ends a (broken) triple: not one pattern
    "PREFIX ex <x> SELECT ?o { <s> <p> ?o }",
    "ASK {" + "{" * 4000 + "}" * 4000 + "}",
    "",
]


@pytest.mark.parametrize("text", BOUNDED)
def test_one_pattern_with_a_constant_subject_is_bounded(text: str) -> None:
    assert is_bounded(text)


@pytest.mark.parametrize("text", NOT_BOUNDED)
def test_anything_else_is_not(text: str) -> None:
    assert not is_bounded(text)


SUBJECT = "https://w3id.org/geoclaims/entity/belarus"
LOOKUP = f"SELECT ?p ?o WHERE {{ <{SUBJECT}> ?p ?o }}"
JSON = "application/sparql-results+json"


def _rows(body: bytes) -> list[tuple[str, ...]]:
    parsed = json.loads(body)
    names = parsed["head"]["vars"]
    return sorted(
        tuple(json.dumps(row.get(n), sort_keys=True) for n in names)
        for row in parsed["results"]["bindings"]
    )


@pytest.fixture()
def executors(seed_config: Config):
    """An executor answering bounded queries itself, and one sending every query to a process."""
    made = [Executor(seed_config), Executor(replace(seed_config, inline_rows=0))]
    yield made
    for executor in made:
        executor.close()


def test_a_bounded_query_is_answered_without_a_query_process(executors) -> None:
    here, isolated = executors
    answer = here.run(Job(LOOKUP, accept=JSON))
    assert here._count == 0  # no query process was started
    reference = isolated.run(Job(LOOKUP, accept=JSON))
    assert isolated._count == 1
    rows = _rows(answer.read())
    assert len(rows) > 5
    assert rows == _rows(reference.read())


def test_describe_gives_the_query_processes_graph(executors) -> None:
    import pyoxigraph as ox

    here, isolated = executors
    job = Job(f"DESCRIBE <{SUBJECT}>", accept="application/n-triples")
    answer, reference = here.run(job), isolated.run(job)
    assert here._count == 0
    ours = set(ox.parse(answer.read(), ox.RdfFormat.N_TRIPLES))
    assert len(ours) > 5
    assert ours == set(ox.parse(reference.read(), ox.RdfFormat.N_TRIPLES))


def test_other_queries_still_go_to_a_query_process(executors) -> None:
    here, _ = executors
    answer = here.run(Job(f"SELECT ?p WHERE {{ <{SUBJECT}> ?p ?o . ?o ?q ?r }} LIMIT 1"))
    assert here._count == 1
    assert len(_rows(answer.read())) == 1


def test_more_rows_than_inline_rows_go_to_a_query_process(seed_config: Config) -> None:
    executor = Executor(replace(seed_config, inline_rows=3))
    try:
        answer = executor.run(Job(LOOKUP, accept=JSON))
        assert executor._count == 1  # started for the rest, after the worker stopped at 3 rows
        rows = _rows(answer.read())
        assert len(rows) > 3
    finally:
        executor.close()
    small = Executor(replace(seed_config, inline_rows=3))
    try:
        one = small.run(Job(f"SELECT ?o WHERE {{ <{SUBJECT}> ?p ?o }} LIMIT 2", accept=JSON))
        assert small._count == 0 and len(_rows(one.read())) == 2
    finally:
        small.close()


def test_a_query_on_a_dataset_of_the_protocol_goes_to_a_query_process(executors) -> None:
    here, _ = executors
    graph = "https://w3id.org/geoclaims/graph/entities"
    job = Job(LOOKUP, accept=JSON, default_graph=[graph], named_graphs=[])
    assert len(_rows(here.run(job).read())) > 5
    assert here._count == 1


def test_the_result_cap_holds_in_the_worker(executors) -> None:
    here, _ = executors
    with pytest.raises(ResultTooLarge):
        here.run(Job(LOOKUP, accept=JSON, result_limit=2))
    assert here._count == 0


def test_a_syntax_error_in_a_bounded_looking_query_is_reported(executors) -> None:
    here, _ = executors
    with pytest.raises(QueryError):
        here.run(Job("SELECT ?o { <s> <p> ?o } LIMIT 1.5"))
    assert is_bounded("SELECT ?o { <s> <p> ?o } LIMIT 1.5")


def test_the_worker_sees_a_write_at_once(fresh_config: Config) -> None:
    with writer(fresh_config) as store:
        store.update('INSERT DATA { <http://e/s> <http://e/p> "one" }')
    executor = Executor(fresh_config)
    try:
        job = Job("SELECT ?o { <http://e/s> ?p ?o }", accept=JSON)
        first = [json.loads(r[0])["value"] for r in _rows(executor.run(job).read())]
        with writer(fresh_config) as store:
            store.update('INSERT DATA { <http://e/s> <http://e/p> "two" }')
        second = [json.loads(r[0])["value"] for r in _rows(executor.run(job).read())]
        assert executor._count == 0
    finally:
        executor.close()
    assert first == ["one"]
    assert sorted(second) == ["one", "two"]
