"""Rebuilding the search index (kg.search.build_index): a large on-disk store is read by two
processes, and the index they build is the one a single process builds, row for row."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from kg import search
from kg.config import Config
from kg.store import EmbeddedStore

B = "https://w3id.org/geoclaims/"


def contents(path: str) -> dict[str, Any]:
    """Every row of every table (the build's duration and ranking directory aside) and every
    document of the ranking index."""
    import tantivy

    db = search.connect(path)
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'docs_%' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    out: dict[str, Any] = {
        name: db.execute(f"SELECT * FROM {name}").fetchall()  # rowid (or key) order
        for name in tables
        if name != "meta"
    }
    out["meta"] = db.execute(
        "SELECT * FROM meta WHERE key NOT IN ('seconds', 'ranking') ORDER BY key"
    ).fetchall()
    ranking = search._ranking(db)
    hits = ranking.searcher.search(tantivy.Query.all_query(), 100_000).hits
    out["ranking"] = sorted(
        tuple(sorted((k, tuple(v)) for k, v in ranking.searcher.doc(a).to_dict().items()))
        for _, a in hits
    )
    return out


def test_two_processes_build_the_index_one_process_builds(
    seed_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EmbeddedStore(Path(seed_config.data_dir), read_only=True)
    try:
        one = str(tmp_path / "one.sqlite")
        search.build_index(store, one, B, "v")
        here: list[str] = []
        read, rows = search._read, search._iter_rows
        name_of = {sparql: name for name, sparql in search._READS.items()}

        def recorded(s: Any, names: Any) -> Any:
            names = list(names)
            here.extend(names)
            return read(s, names)

        def recorded_rows(s: Any, sparql: str) -> Any:
            here.append(name_of[sparql])
            return rows(s, sparql)

        monkeypatch.setattr(search, "_read", recorded)
        monkeypatch.setattr(search, "_iter_rows", recorded_rows)
        two = str(tmp_path / "two.sqlite")
        search.build_index(store, two, B, "v", store_dir=seed_config.data_dir)
    finally:
        store.close()
    # The second process did its share: this one read none of it (no fallback).
    assert here and not set(here) & set(search._AWAY)
    assert set(here) | set(search._AWAY) == set(search._READS)
    a, b = contents(one), contents(two)
    assert len(a["claims"]) == 51
    facets = {facet for _, facet, _ in a["claim_values"]}
    assert {"about", "act", "claimant", "verdict"} <= facets  # read there and here
    assert all(quote for _, _, quote, *_ in a["claims"])  # the quotes: read there
    assert a == b


def test_only_a_large_store_opened_read_only_is_read_by_two_processes(
    seed_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EmbeddedStore(Path(seed_config.data_dir), read_only=True)
    try:
        assert search._parallel_dir(store) is None  # the seed: a few MB
        monkeypatch.setattr(search, "PARALLEL_BYTES", 1)
        assert search._parallel_dir(store) == seed_config.data_dir
    finally:
        store.close()
    writer = SimpleNamespace(path=Path(seed_config.data_dir), read_only=False)
    assert search._parallel_dir(writer) is None  # a writer's store: never
    assert search._parallel_dir(EmbeddedStore(None)) is None  # in memory


def test_refresh_of_a_large_store_serves_the_same_search(
    seed_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "PARALLEL_BYTES", 1)
    config = seed_config.with_(search_index=str(tmp_path / "index.sqlite"))
    stats = search.refresh(config, force=True)
    assert stats is not None and stats.claims == 51
    mine = sqlite3.connect(config.search_index)
    seed = sqlite3.connect(search.index_path(seed_config))
    for q in ("Lukashenko NATO", "protest", "minsk"):
        assert search.search(mine, q) == search.search(seed, q)
    assert contents(config.search_index) == contents(search.index_path(seed_config))


def test_columns_read_from_another_store_are_not_used(
    seed_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second process's columns line up with this one's claims only if it read the same
    claims: from another store (here an empty one) they are dropped and read here."""
    other = EmbeddedStore(tmp_path / "other")
    other.close()
    store = EmbeddedStore(Path(seed_config.data_dir), read_only=True)
    try:
        one = str(tmp_path / "one.sqlite")
        search.build_index(store, one, B, "v")
        here: list[str] = []
        rows = search._iter_rows
        name_of = {sparql: name for name, sparql in search._READS.items()}

        def recorded_rows(s: Any, sparql: str) -> Any:
            here.append(name_of[sparql])
            return rows(s, sparql)

        monkeypatch.setattr(search, "_iter_rows", recorded_rows)
        two = str(tmp_path / "two.sqlite")
        search.build_index(store, two, B, "v", store_dir=str(tmp_path / "other"))
    finally:
        store.close()
    assert set(search._AWAY) <= set(here)
    assert contents(one) == contents(two)
