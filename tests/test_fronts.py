"""Two `kg serve` fronts on one remote store, one of them writing (README: production layout).

Each front caches answers for at most `store_stale_seconds` (kg.remote.RemoteStore.version): a
write through one front is seen there at once and through the other once that bound has passed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from conftest import run_kg_server, run_oxigraph

from kg.remote import RemoteStore

pytestmark = pytest.mark.remote

EX = "http://example.org/"
TOKEN = {"Authorization": "Bearer fr0nt"}
STALE = 2.0  # the bound: seconds a front may serve an answer from before another's write
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }}"


@pytest.fixture(scope="module")
def fronts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    """An Oxigraph server, a writing front (token) and a reading front, both caching."""
    location = tmp_path_factory.mktemp("fronts")
    with run_oxigraph(location) as oxigraph:
        store = RemoteStore(oxigraph.query_url)
        data = "".join(f'<{EX}s{i}> <{EX}p> "{i}" <{EX}g> .\n' for i in range(3))
        store.replace_graphs([], ox.parse(data, ox.RdfFormat.N_QUADS))
        store.close()
        common = {"store_url": oxigraph.query_url, "store_stale_seconds": STALE, "workers": 1}
        with (
            run_kg_server(location / "a", token="fr0nt", **common) as writer,
            run_kg_server(location / "b", **common) as reader,
        ):
            yield writer, reader


def _count(front: Any) -> tuple[int, str]:
    with requests.get(
        front.sparql,
        params={"query": COUNT},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    ) as response:
        assert response.status_code == 200, response.text
        n = response.json()["results"]["bindings"][0]["n"]["value"]
        return int(n), response.headers["ETag"]


def test_a_write_through_one_front_is_seen_through_the_other_within_the_bound(
    fronts: tuple[Any, Any],
) -> None:
    writer, reader = fronts
    before, _ = _count(reader)
    assert _count(writer)[0] == before
    update = f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}new> <{EX}p> 'x' }} }}"
    with requests.post(writer.sparql, data={"update": update}, headers=TOKEN, timeout=30) as r:
        assert r.status_code in (200, 204), r.text
    assert _count(writer)[0] == before + 1  # the writing front: at once
    time.sleep(STALE)  # the documented bound, and no more
    assert _count(reader)[0] == before + 1
    # A Graph Store write too, the other way round in what each front had cached.
    _count(reader)
    with requests.delete(writer.store, params={"graph": EX + "g"}, headers=TOKEN, timeout=30) as r:
        assert r.status_code in (200, 204), r.text
    assert _count(writer)[0] == 0
    time.sleep(STALE)
    assert _count(reader)[0] == 0


def test_the_reading_front_refuses_writes(fronts: tuple[Any, Any]) -> None:
    _, reader = fronts
    update = f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}no> <{EX}p> 'x' }} }}"
    with requests.post(reader.sparql, data={"update": update}, timeout=30) as r:
        assert r.status_code in (401, 403)
