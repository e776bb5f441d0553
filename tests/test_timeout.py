"""Limits that keep the server alive: the query timeout (really freeing the CPU) and the cap."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from conftest import cpu_seconds, proc_stats

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
QUICK = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }"


def session_cpu(session: int) -> float:
    """CPU seconds used so far by the live processes of a session (a `kg serve` of its own)."""
    return sum(cpu_seconds(fields) for _, fields in proc_stats() if int(fields[3]) == session)


def wait_until_running(server, cpu: float = 0.5, seconds: float = 60) -> None:
    """Wait until the server's processes have used `cpu` more CPU seconds (a query runs)."""
    start = session_cpu(server.process.pid)
    deadline = time.monotonic() + seconds
    while session_cpu(server.process.pid) - start < cpu:
        assert time.monotonic() < deadline, "the long query never started"
        time.sleep(0.1)


def busy_cores(server, seconds: float = 1.0) -> float:
    """How many cores the server's processes kept busy over the next `seconds`."""
    before = session_cpu(server.process.pid)
    time.sleep(seconds)
    return (session_cpu(server.process.pid) - before) / seconds


def test_runaway_query_times_out_while_others_are_answered(write_server) -> None:
    outcome: dict[str, requests.Response] = {}

    def runaway(key: str) -> None:
        outcome[key] = requests.get(write_server.sparql, params={"query": RUNAWAY}, timeout=120)

    threads = [threading.Thread(target=runaway, args=(f"r{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    answered_meanwhile = 0
    while any(t.is_alive() for t in threads):
        quick = requests.get(
            write_server.sparql,
            params={"query": QUICK},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        assert quick.status_code == 200
        assert ox.parse_query_results(quick.content, ox.QueryResultsFormat.JSON)
        if any(t.is_alive() for t in threads):
            answered_meanwhile += 1
    for thread in threads:
        thread.join()
    assert answered_meanwhile > 0
    for response in outcome.values():
        assert response.status_code == 503
        assert response.text.startswith("503 Service Unavailable\n\n")
        assert "time limit" in response.text
    # The runaways' CPU is really freed: their query processes were killed at the deadline.
    for _ in range(20):
        if busy_cores(write_server, 0.5) < 0.3:
            break
    assert busy_cores(write_server) < 0.3
    # ...and the next query is answered (by a query process started in their place).
    assert requests.get(write_server.sparql, params={"query": QUICK}, timeout=60).ok


def test_result_cap(write_server) -> None:
    cap = write_server.config.result_limit
    small = f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {cap + 1}"
    over = requests.get(
        write_server.sparql, params={"query": small}, headers={"Accept": "text/csv"}, timeout=60
    )
    assert over.status_code == 413
    assert "LIMIT" in over.text
    under = requests.get(
        write_server.sparql,
        params={"query": f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {cap}"},
        headers={"Accept": "text/csv"},
        timeout=60,
    )
    assert under.status_code == 200
    assert len(under.text.strip().splitlines()) == cap + 1  # header line + rows
    graph = requests.get(
        write_server.sparql,
        params={"query": f"CONSTRUCT WHERE {{ ?s ?p ?o }} LIMIT {cap + 1}"},
        headers={"Accept": "application/n-triples"},
        timeout=60,
    )
    assert graph.status_code == 413


def test_a_stream_cut_by_the_cap_is_visibly_incomplete(write_server) -> None:
    # Past the first 64 KiB the status is sent; exceeding the cap then aborts the stream.
    # Rows carrying the article's full text pass 64 KiB well before the 100-row cap.
    nif = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString"
    query = f"SELECT ?text ?s WHERE {{ ?c <{nif}> ?text . ?s ?p ?o }}"
    response = requests.get(
        write_server.sparql,
        params={"query": query},
        headers={"Accept": "application/sparql-results+xml"},
        timeout=60,
        stream=True,
    )
    assert response.status_code == 200
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        for _ in response.iter_content(65536):
            pass
    assert requests.get(write_server.sparql, params={"query": QUICK}, timeout=60).ok


def session_processes(session: int) -> list[int]:
    """Every live process of a session (a `kg serve` started in a session of its own)."""
    return [pid for pid, fields in proc_stats() if int(fields[3]) == session]


def test_stopping_the_server_stops_a_running_query(seed_config) -> None:
    from conftest import run_kg_server

    data_dir = Path(seed_config.data_dir)
    # The drain ends before the query does: then the workers and their query processes go.
    with run_kg_server(data_dir, query_timeout=600, workers=1, drain=2) as server:

        def runaway() -> None:
            # The server goes away under this request: its connection error is expected.
            with contextlib.suppress(requests.RequestException):
                requests.get(server.sparql, params={"query": RUNAWAY}, timeout=120)

        thread = threading.Thread(target=runaway, daemon=True)
        thread.start()
        wait_until_running(server)
        server.process.terminate()
        server.process.wait(timeout=60)
        for _ in range(150):
            if not session_processes(server.process.pid):
                break
            time.sleep(0.1)
        assert session_processes(server.process.pid) == []
        thread.join(timeout=30)
