"""The pre-parse guard (kg.guard, kg.sparqltext): queries nested or chained past what the parser's
stack holds are a 400 before anything parses them, on a real `kg serve`, and no process dies."""

from __future__ import annotations

import random
import sys

import pytest
import requests
from conftest import KgServer, proc_stats

from kg.config import PROJECT_DIR, Config
from kg.errors import QueryTooComplex
from kg.guard import Limits, check_query, check_update
from kg.sparqltext import scan

DEEP = "ASK {" + "{" * 4000 + "}" * 4000 + "}"  # overflows pyoxigraph's parser: SIGSEGV
LIMITS = Limits.of(Config())


def server_pids(server: KgServer) -> set[int]:
    """The processes of a `kg serve` (its own session: its group is its pid)."""
    return {pid for pid, fields in proc_stats() if int(fields[2]) == server.process.pid}


def test_a_deeply_nested_query_is_a_400_and_no_process_dies(live_server: KgServer) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    warm = requests.get(live_server.sparql, params={"query": "ASK {}"}, headers=accept, timeout=30)
    assert warm.status_code == 200
    before = server_pids(live_server)
    response = requests.get(live_server.sparql, params={"query": DEEP}, timeout=30)
    assert response.status_code == 400, response.text
    assert response.text.startswith("400 Bad Request\n\n")
    assert "query_max_depth" in response.text
    for query in ("ASK { ?s ?p ?o }", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"):
        again = requests.get(
            live_server.sparql, params={"query": query}, headers=accept, timeout=30
        )
        assert again.status_code == 200, again.text
        assert again.json().get("boolean", True)
    assert before <= server_pids(live_server), "a process of the server died"


def test_a_long_chain_is_a_400_on_the_server(live_server: KgServer) -> None:
    chain = "ASK {" + " ".join(f"BIND({i} AS ?v{i})" for i in range(3000)) + "}"
    response = requests.post(live_server.sparql, data={"query": chain}, timeout=30)
    assert response.status_code == 400, response.text
    assert "query_max_chain" in response.text


def test_an_update_nested_too_deep_is_refused() -> None:
    update = "INSERT { <a> <b> <c> } WHERE {" + "{" * 500 + "}" * 500 + "}"
    with pytest.raises(QueryTooComplex, match="query_max_depth"):
        check_update(update, LIMITS)


def test_brackets_in_strings_iris_and_comments_do_not_count() -> None:
    hidden = (
        'SELECT * { ?s ?p "{{{{((((" . ?s ?p """ }}}} """ . ?s ?p \'[[[\''
        " . ?s <http://x/((((> ?o # {{{{{{{{\n FILTER(?o < 3 && ?o > 1) }"
    )
    assert scan(hidden).depth == 2  # the group and FILTER's parentheses
    assert scan("ASK { FILTER(" + "(" * 50 + "1" + ")" * 50 + ") }").depth == 52


def test_chains_count_along_a_path() -> None:
    binds = " ".join(f"BIND({i} AS ?v{i})" for i in range(50))
    assert 150 <= scan("ASK {" + binds + "}").chain <= 220  # a BIND weighs 3
    # Wide but shallow: VALUES and IN lists are flat, they do not chain.
    values = (
        "SELECT * { VALUES ?x {"
        + " <http://x/a>" * 5000
        + " } FILTER(?x IN ("
        + ",".join(["1"] * 5000)
        + ")) }"
    )
    assert scan(values).chain < 20


def test_limits_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    query = "ASK {" + "{" * 20 + "}" * 20 + "}"
    check_query(query, LIMITS)
    with pytest.raises(QueryTooComplex, match="21 levels"):
        check_query(query, Limits.of(Config().with_(query_max_depth=10)))
    with pytest.raises(QueryTooComplex, match="query_max_chain"):
        check_query(query, Limits.of(Config().with_(query_max_chain=15)))


def test_every_named_query_and_bench_query_passes() -> None:
    checked = 0
    # The federated named queries call the Wikidata Query Service: allow it, checked offline.
    federating = Limits.of(
        Config().with_(
            service_allowlist="https://query.wikidata.org/sparql", service_allow_private=True
        )
    )
    for path in sorted((PROJECT_DIR / "queries").glob("*.rq")):
        check_query(path.read_text(), federating)
        checked += 1
    sys.path.insert(0, str(PROJECT_DIR / "bench"))
    try:
        import mixes
    finally:
        sys.path.remove(str(PROJECT_DIR / "bench"))
    for make_mix in mixes.MIXES.values():
        for _, make in make_mix(100, 50):
            check_query(make(random.Random(7), 5), LIMITS)
            checked += 1
    assert checked > 30


SHAPES = {
    "braces": lambda n: "ASK {" + "{" * n + "}" * n + "}",
    "parens": lambda n: "ASK { FILTER(" + "(" * n + "1" + ")" * n + ") }",
    "binds": lambda n: "ASK {" + " ".join(f"BIND({i} AS ?v{i})" for i in range(n)) + "}",
    "unions": lambda n: "ASK {" + " UNION ".join(["{}"] * n) + "}",
    "ors": lambda n: "ASK { FILTER(" + " || ".join(["?x"] * n) + ") }",
    "patterns": lambda n: "SELECT * {" + " ".join(f"?s <p{i}> ?o{i} ." for i in range(n)) + "}",
    "objects": lambda n: "ASK { ?s ?p " + ", ".join(["1"] * n) + " }",
    "nodes": lambda n: "ASK { ?s ?p " + "[ ?p " * n + "1" + " ]" * n + " }",
    "terms": lambda n: "ASK { ?s ?p " + "<<( " * n + "?a ?b ?c" + " )>>" * n + " }",
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_quick_count_never_lets_through_what_the_scan_refuses(shape: str) -> None:
    """The guard skips the scan when byte counts prove a text within the limits: check that such
    a proof never passes a text the scan measures past them."""
    from kg.guard import _surely_within

    small = Limits(query_max_depth=10, query_max_chain=40)
    for n in range(1, 60):
        text = SHAPES[shape](n)
        found = scan(text)
        within = found.depth <= small.query_max_depth and found.chain <= small.query_max_chain
        if _surely_within(text, text.lower(), small):
            assert within, (shape, n, found.depth, found.chain)
    assert not _surely_within(SHAPES[shape](59), SHAPES[shape](59).lower(), small)


RUN_ON_SMALL_STACK = """
import sys, threading, pyoxigraph as ox
query = sys.stdin.read()
def run():
    result = ox.Store().query(query)
    print(bool(result) if isinstance(result, ox.QueryBoolean) else len(list(result)))
threading.stack_size(2 * 1024 * 1024)  # what a Rust-made thread gets by default
thread = threading.Thread(target=run)
thread.start()
thread.join()
"""
CRASHING = {  # shapes that overflow the stack when long enough (see kg/guard.py)
    "braces": SHAPES["braces"],
    "parens": SHAPES["parens"],
    "binds": SHAPES["binds"],
    "unions": SHAPES["unions"],
    "ors": SHAPES["ors"],
    "minus": lambda n: "ASK {" + " MINUS {}" * n + "}",
    "optionals": lambda n: "ASK {" + " OPTIONAL {}" * n + "}",
}


@pytest.mark.parametrize("shape", sorted(CRASHING))
def test_the_longest_query_let_through_runs_on_a_2_mib_stack(shape: str) -> None:
    import subprocess

    make = CRASHING[shape]
    low, high = 1, 20_000
    while low < high:  # the largest n the default limits let through
        mid = (low + high + 1) // 2
        try:
            check_query(make(mid), LIMITS)
            low = mid
        except QueryTooComplex:
            high = mid - 1
    assert low < 20_000
    run = subprocess.run(
        [sys.executable, "-c", RUN_ON_SMALL_STACK],
        input=make(low).encode(),
        capture_output=True,
        timeout=120,
    )
    assert run.returncode == 0, (low, run.returncode, run.stderr[-500:])
