"""Rebuilding the search index (kg.search.build_index): a large on-disk store is read by two
processes, and the index they build is the one a single process builds, row for row."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import index_contents as contents

from kg import search
from kg.config import Config
from kg.namespaces import GC, SCHEMA
from kg.store import EmbeddedStore

B = "https://w3id.org/geoclaims/"


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


def _graphs_by_part(store: EmbeddedStore) -> dict[str, dict[str, list[tuple[Any, Any, Any]]]]:
    """The store's triples by graph, the graphs grouped as a streamed build's chunks hold them
    (an article's graphs together; each shared part on its own)."""
    from kg.build import _part

    parts: dict[str, dict[str, list[tuple[Any, Any, Any]]]] = {}
    for q in store.oxigraph.quads_for_pattern(None, None, None, None):
        g = q.graph_name.value
        parts.setdefault(_part(g), {}).setdefault(g, []).append((q.subject, q.predicate, q.object))
    return parts


def test_the_index_built_from_graphs_is_the_one_read_from_the_store(
    seed_config: Config, tmp_path: Path
) -> None:
    """`rows_of_graphs` (a streamed build's workers) gives the index the store's reads give,
    the review verdicts included, whatever way the graphs are split into chunks."""
    store = EmbeddedStore(Path(seed_config.data_dir), read_only=True)
    try:
        read = str(tmp_path / "read.sqlite")
        search.build_index(store, read, B, "v")
        parts = _graphs_by_part(store)
    finally:
        store.close()
    assert len(parts) >= 4  # the article, the entities, the reference facts, the reviews...
    built = str(tmp_path / "built.sqlite")
    rows = search.IndexRows(built, B)
    for graphs in reversed(list(parts.values())):  # in another order than the store's
        rows.add(search.rows_of_graphs(graphs.items()))
    stats = rows.finish("v")
    assert stats is not None and stats.claims == 51
    a, b = contents(read), contents(built)
    assert {facet for _, facet, _ in a["claim_values"]} >= {"about", "act", "claimant", "verdict"}
    assert a == b


def test_an_index_that_fails_during_the_load_is_left_out(tmp_path: Path) -> None:
    rows = search.IndexRows(str(tmp_path / "index.sqlite"), B)
    rows.add({"claims": [("a", "b")]})  # not what rows_of_graphs gives: the build fails
    assert rows.finish("v") is None
    assert not (tmp_path / "index.sqlite").exists()


def test_a_check_updates_only_the_verdicts_of_an_index_current_before_it(
    seed_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After `kg check` replaced the review graph, an index built at the store's version before
    it gets its verdicts updated, not rebuilt, and is the index a rebuild gives; an index of any
    other version, or a store that moved on since the check, is rebuilt."""
    import shutil

    from kg.check import check_store, reviews_graph

    shutil.copytree(seed_config.data_dir, tmp_path / "store")
    config = seed_config.with_(
        data_dir=str(tmp_path / "store"), search_index=str(tmp_path / "index.sqlite")
    )
    store = EmbeddedStore(tmp_path / "store")
    try:
        store.replace_graphs([reviews_graph(B)], [])  # no verdicts yet
        assert search.refresh(config, store) is not None
        values = contents(config.search_index)["claim_values"]
        assert values and not [v for _, f, v in values if f == "verdict"]
        run = check_store(store, config)
        before, after = run.versions
        assert before != after == store.version

        def not_read(*_: object) -> None:
            raise AssertionError("the store was read for a rebuild")

        with monkeypatch.context() as m:
            m.setattr(search, "_collect", not_read)
            stats = search.refresh(config, store, verdicts=run.versions)
        assert stats is not None and stats.verdicts_only and stats.claims == 51
        assert "verdicts of 51 claims updated" in str(stats)
        rebuilt = str(tmp_path / "rebuilt.sqlite")
        search.build_index(store, rebuilt, B, store.version)
        updated = contents(config.search_index, ordered=False)
        assert updated == contents(rebuilt, ordered=False)
        verdicts = [v for _, f, v in updated["claim_values"] if f == "verdict"]
        assert len(verdicts) == 51 and len(set(verdicts)) >= 3  # the seed's verdicts vary
        assert {k for f, k, *_ in updated["terms"] if f == "verdict"} == set(verdicts)
        # Checked again, then written to: the index of before the check is rebuilt whole.
        run = check_store(store, config)
        store.update("INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> 1 } }")  # a write
        stats = search.refresh(config, store, verdicts=run.versions)
        assert stats is not None and not stats.verdicts_only
        # An index of another version than the check's start: rebuilt whole too.
        run = check_store(store, config)
        stats = search.refresh(config, store, verdicts=("other", run.versions[1]))
        assert stats is not None and not stats.verdicts_only
        last = contents(config.search_index, ordered=False)
        assert last.pop("meta") != updated.pop("meta")  # another version
        assert last == updated
        # A verdict kg check does not give (another review graph): rebuilt, labelled from there.
        before = store.version
        claim = updated["claims"][0][1]
        store.update(
            f"INSERT DATA {{ GRAPH <urn:x:rg> {{ <urn:x:rg> a <{GC}ReviewGraph> . <urn:x:r>"
            f" <{SCHEMA}itemReviewed> <{claim}> ; <{GC}verdict> <urn:x:odd> }} }}"
        )
        stats = search.refresh(config, store, verdicts=(before, store.version))
        assert stats is not None and not stats.verdicts_only
        odd = contents(config.search_index, ordered=False)
        assert (1, "verdict", "urn:x:odd") in odd["claim_values"]
    finally:
        store.close()
