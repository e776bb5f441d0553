"""Loading into a remote store (kg.loading): in bulk, resumable after a failure, whole graphs.

A relay in front of a real Oxigraph server passes every request on and can be told to fail the
Nth write: the load stops with an error that says how far it got and what to rerun, and the rerun
finishes the job, skipping the graphs its journal lists as done.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from conftest import run_oxigraph, serving
from test_remote import assert_same_dataset

from kg.build import build
from kg.config import Config
from kg.errors import StoreError
from kg.loading import journal_path, load
from kg.remote import RemoteStore
from kg.store import Store, open_store

pytestmark = pytest.mark.remote


class Switch:
    """The relay's state: where to pass requests, which write to fail, writes seen."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.fail_at = 0  # 0: never
        self.writes = 0


class _Relay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    switch: Switch

    def log_message(self, *args: Any) -> None:
        """Quiet."""

    def _relay(self) -> None:
        switch = self.switch
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        write = self.command in ("PUT", "DELETE") or self.path.startswith("/update")
        if write:
            switch.writes += 1
            if switch.writes == switch.fail_at:
                self._send(500, b"disk full (a test's relay)")
                return
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("accept", "content-type")}
        upstream = requests.request(
            self.command, switch.upstream + self.path, data=body, headers=headers, timeout=60
        )
        self._send(upstream.status_code, upstream.content, upstream.headers.get("Content-Type"))

    do_GET = do_POST = do_PUT = do_DELETE = _relay

    def _send(self, status: int, content: bytes, kind: str | None = "text/plain") -> None:
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)


@pytest.fixture()
def relayed(tmp_path: Path) -> Iterator[tuple[str, Switch]]:
    """An Oxigraph server of this test's own and the relay in front: (query URL, switch)."""
    with run_oxigraph(tmp_path) as server:
        switch = Switch(server.base)
        with serving(type("Handler", (_Relay,), {"switch": switch})) as base:
            yield f"{base}/query", switch


@pytest.fixture()
def seed_store(seed_config: Config) -> Iterator[Store]:
    yield open_store(seed_config, read_only=True)


def test_build_resumes_after_a_failed_load(
    relayed: tuple[str, Switch],
    tmp_path: Path,
    seed_store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, switch = relayed
    monkeypatch.setattr("kg.loading.BATCH_BYTES", 30_000)  # many requests for the seed's graphs
    config = Config.load(
        {"store_url": url, "load_journal_dir": str(tmp_path / "loads")}, environ={}
    )
    graphs = len(seed_store.named_graphs())
    switch.fail_at = 4
    with pytest.raises(StoreError) as caught:
        build(config, shapes=False, check=False)
    message = caught.value.message
    assert "stopped after" in message and "run the same command again" in message
    assert str(journal_path(config)) in message and "disk full" in message
    journal = journal_path(config).read_text().splitlines()
    assert len(journal) > 3  # the header, and the graphs of the three writes that went through
    switch.fail_at, switch.writes = 0, 0
    report = build(config, shapes=False)
    assert report.skipped == len(journal) - 1  # every graph the journal held, none written again
    assert switch.writes > 0
    assert not journal_path(config).exists()  # done: the journal is gone
    remote = open_store(config)
    assert_same_dataset(remote, seed_store)
    assert len(remote.named_graphs()) == graphs
    remote.close()


def test_load_sends_in_bulk_and_replaces_whole_graphs(relayed: tuple[str, Switch]) -> None:
    url, switch = relayed
    store = RemoteStore(url)
    old = "".join(f'<http://e/s{i}> <http://e/p> "old" <http://e/g{i}> .\n' for i in range(50))
    store.replace_graphs([], ox.parse(old, ox.RdfFormat.N_QUADS))
    switch.writes = 0
    new = "".join(f'<http://e/t{i}> <http://e/p> "new" <http://e/g{i}> .\n' for i in range(40))
    report = load(store, [f"http://e/g{i}" for i in range(50)], ox.parse(new, ox.RdfFormat.N_QUADS))
    assert (report.graphs, report.dropped, report.quads) == (40, 10, 40)
    assert switch.writes == 1 + 10  # forty graphs in one update, then ten removals
    rows = store.query("SELECT ?g ?s ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    got = sorted((r["g"].value, r["s"].value, r["o"].value) for r in rows)
    assert got == sorted((f"http://e/g{i}", f"http://e/t{i}", "new") for i in range(40))
    store.close()


def test_a_graph_coming_back_is_added_to(relayed: tuple[str, Switch]) -> None:
    url, _ = relayed
    store = RemoteStore(url)
    quads = (
        '<http://e/a> <http://e/p> "1" <http://e/g> .\n'
        '<http://e/b> <http://e/p> "2" <http://e/h> .\n'
        '<http://e/c> <http://e/p> "3" <http://e/g> .\n'
    )
    load(store, [], ox.parse(quads, ox.RdfFormat.N_QUADS))
    rows = store.query("SELECT ?s WHERE { GRAPH <http://e/g> { ?s ?p ?o } }")
    assert sorted(r["s"].value for r in rows) == ["http://e/a", "http://e/c"]
    store.close()


def test_a_journal_counts_only_for_its_own_store_and_content(
    relayed: tuple[str, Switch], tmp_path: Path
) -> None:
    url, _ = relayed
    store = RemoteStore(url)
    journal = tmp_path / "load.journal"
    quads = (
        '<http://e/a> <http://e/p> "1" <http://e/g> .\n'
        '<http://e/b> <http://e/p> "2" <http://e/h> .\n'
    )
    assert load(store, [], ox.parse(quads, ox.RdfFormat.N_QUADS), journal=journal).graphs == 2
    assert not journal.exists()  # done: removed
    # A journal another store left, and one for this store with other content for g: neither
    # makes the load skip anything it should write.
    journal.write_text("# geoclaims load journal 1: http://elsewhere/query\nhttp://e/g\tx\n")
    report = load(store, [], ox.parse(quads, ox.RdfFormat.N_QUADS), journal=journal)
    assert (report.graphs, report.skipped) == (2, 0)
    journal.write_text(f"# geoclaims load journal 1: {url}\nhttp://e/g\tnot-its-digest\n")
    report = load(store, [], ox.parse(quads, ox.RdfFormat.N_QUADS), journal=journal)
    assert (report.graphs, report.skipped) == (2, 0)
    store.close()


def test_a_streamed_build_into_a_remote_store_equals_the_in_memory_one(
    relayed: tuple[str, Switch],
    tmp_path: Path,
    seed_store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From `stream_from` articles on, a full build into a remote store compiles a chunk at a
    time (kg.bulk, worker processes) into a temporary file and loads from it: the same graphs."""
    url, switch = relayed
    monkeypatch.setattr("kg.bulk.CHUNK", 1)  # every article a chunk of its own
    config = Config.load(
        {"store_url": url, "load_journal_dir": str(tmp_path / "loads"), "stream_from": 1},
        environ={},
    )
    report = build(config, shapes=False)  # with `kg check`'s reviews, as the seed store has
    assert report.parts is not None  # the streamed path, counted per part
    articles = Path(__file__).parent.parent / "data" / "articles"
    assert report.articles == sorted(p.name for p in articles.iterdir())
    remote = open_store(config)
    assert_same_dataset(remote, seed_store)
    remote.close()
    assert switch.writes > 0 and not journal_path(config).exists()


def test_a_bad_article_stops_a_streamed_remote_build_before_any_write(
    relayed: tuple[str, Switch], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from kg.errors import DataError

    url, switch = relayed
    monkeypatch.setattr("kg.bulk.CHUNK", 1)
    src = tmp_path / "src"
    shutil.copytree(Path(__file__).parent.parent / "data", src / "data")
    seed = next(p for p in (src / "data" / "articles").iterdir() if (p / "claims.yaml").exists())
    bad = src / "data" / "articles" / "zz-broken"  # the last chunk
    shutil.copytree(seed, bad)
    meta = bad / "article.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(f"id: {seed.name}", "id: zz-broken"))
    claims = bad / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    quote = text.split('quote: "', 1)[1].split('"', 1)[0]
    claims.write_text(text.replace(f'quote: "{quote}"', f'quote: "{quote} (not in the text)"', 1))
    config = Config.load({"store_url": url, "source_dir": str(src), "stream_from": 1}, environ={})
    with pytest.raises(DataError, match="zz-broken/claims.yaml"):
        build(config, shapes=False, check=False)
    assert switch.writes == 0  # every article is checked before anything is sent
    remote = open_store(config)
    assert remote.named_graphs() == []
    remote.close()
