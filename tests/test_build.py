"""kg build on real on-disk stores: idempotent, atomic, per-article rebuilds, export round trips."""

from __future__ import annotations

import gc
import io
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from kg.build import build, ensure_built, export
from kg.cli import main
from kg.config import Config
from kg.errors import DataError
from kg.ingest.validate import to_rdflib
from kg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "data"
SECOND = "second-article"


def quads_of(path: str | Path) -> set[str]:
    """Every quad of an on-disk store as an N-Quads line (opened read-only, then released)."""
    store = EmbeddedStore(Path(path), read_only=True)
    out = {str(q) for q in store.oxigraph}
    del store
    gc.collect()
    return out


def by_graph(lines: set[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for line in lines:
        graph = line.rsplit(" ", 1)[-1] if line.endswith(">") else "DEFAULT"
        out.setdefault(graph.strip("<>"), set()).add(line)
    return out


def second_article_dir() -> Path:
    """The claims engineer's fixture article once it exists, else the loader's own one."""
    theirs = FIXTURE / "fixture-article"
    if (theirs / "claims.yaml").exists():
        return theirs
    return FIXTURE / "ingest" / "data" / "articles" / "mini-test"


def copy_sources(tmp: Path) -> Path:
    src = tmp / "src"
    shutil.copytree(ROOT / "ontology", src / "ontology")
    shutil.copytree(ROOT / "data", src / "data")
    return src


def add_second_article(src: Path) -> None:
    target = src / "data" / "articles" / SECOND
    shutil.copytree(second_article_dir(), target)
    meta = target / "article.yaml"
    lines = meta.read_text(encoding="utf-8").splitlines(keepends=True)
    fixed = [f"id: {SECOND}\n" if line.startswith("id:") else line for line in lines]
    meta.write_text("".join(fixed), encoding="utf-8")


@dataclass
class Built:
    config: Config
    seed_only: set[str]  # the store's quads before the second article was added


@pytest.fixture(scope="module")
def built_twice(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The real sources built into a store of this module's own, then again with a 2nd article."""
    tmp = tmp_path_factory.mktemp("build")
    src = copy_sources(tmp)
    config = Config.load({"data_dir": str(tmp / "store"), "source_dir": str(src)}, environ={})
    build(config, check=False, shapes=False)
    seed_only = quads_of(config.data_dir)
    add_second_article(src)
    build(config, check=False, shapes=False)
    return Built(config, seed_only)


@pytest.fixture()
def built(built_twice: Built) -> Config:
    return built_twice.config


def test_building_twice_gives_the_same_store(built: Config) -> None:
    before = quads_of(built.data_dir)
    report = build(built, check=False, shapes=False)
    assert quads_of(built.data_dir) == before
    assert report.total == len(before)
    assert not any(line.startswith("_:") or " _:" in line for line in before)


def test_rebuilding_an_unchanged_article_leaves_it_alone(built: Config) -> None:
    before = quads_of(built.data_dir)
    report = build(built, articles=[SECOND], check=False, shapes=False)
    assert report.unchanged == [SECOND] and report.graphs == {}
    assert quads_of(built.data_dir) == before


def test_rebuilding_one_article_replaces_only_its_graphs(tmp_path: Path, built: Config) -> None:
    store_copy = tmp_path / "store"
    shutil.copytree(built.data_dir, store_copy)
    src = tmp_path / "src"
    shutil.copytree(built.source_dir, src)
    config = built.with_(data_dir=str(store_copy), source_dir=str(src))
    before = by_graph(quads_of(store_copy))
    claims = src / "data" / "articles" / SECOND / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    # Drop the last proposition-less trailing content: append a note to the first claim instead.
    at = text.index("\n", text.index("- id:", text.index("claims:")))
    claims.write_text(text[:at] + '\n    note: "edited for the rebuild test"' + text[at:])
    report = build(config, articles=[SECOND], check=False, shapes=False)
    assert report.articles == [SECOND]
    after = by_graph(quads_of(store_copy))
    base = config.base_iri
    mine = {g for g in set(before) | set(after)
            if g in (f"{base}graph/article/{SECOND}", f"{base}graph/claims/{SECOND}")
            or g.startswith(f"{base}proposition/{SECOND}/")}  # fmt: skip
    for graph in set(before) | set(after):
        if graph not in mine:
            assert before.get(graph) == after.get(graph), graph
    assert before[f"{base}graph/claims/{SECOND}"] != after[f"{base}graph/claims/{SECOND}"]
    assert any("edited for the rebuild test" in q for q in after[f"{base}graph/claims/{SECOND}"])


def test_second_article_appears_beside_the_seed(built_twice: Built) -> None:
    base = built_twice.config.base_iri
    graphs = by_graph(quads_of(built_twice.config.data_dir))
    seed = by_graph(built_twice.seed_only)
    mine = {g for g in graphs if f"/{SECOND}" in g}
    assert {f"{base}graph/article/{SECOND}", f"{base}graph/claims/{SECOND}"} <= mine
    assert any(g.startswith(f"{base}proposition/{SECOND}/") for g in mine)
    assert set(graphs) - mine == set(seed)
    for graph, quads in seed.items():
        assert graphs[graph] == quads, graph


def _corruptions(src: Path) -> list[tuple[str, int, str]]:
    """Ways to break a copy of the sources: (file, line, expected message)."""
    aid = sorted(p.name for p in (src / "data" / "articles").iterdir())[0]
    rel = f"data/articles/{aid}/claims.yaml"
    return [(rel, 0, kind) for kind in ("quote", "key", "id", "yaml")]


def _break(src: Path, rel: str, kind: str) -> int:
    path = src / rel
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if kind == "yaml":
        lines.append("claims: [unclosed\n")
        path.write_text("".join(lines), encoding="utf-8")
        return 0
    marker = {"quote": "    quote:", "key": "    act:", "id": "    claimant:"}[kind]
    n = next(i for i, line in enumerate(lines) if line.startswith(marker))
    if kind == "quote":
        lines[n] = '    quote: "words that are nowhere in the article"\n'
    elif kind == "key":
        lines.insert(n + 1, "    bogusKey: 1\n")
        n += 1
    else:
        lines[n] = "    claimant: no-such-entity\n"
    path.write_text("".join(lines), encoding="utf-8")
    return n + 1


@pytest.mark.parametrize("kind", ["quote", "key", "id", "yaml"])
def test_a_bad_source_writes_nothing(tmp_path: Path, built: Config, kind: str) -> None:
    src = tmp_path / "src"
    shutil.copytree(built.source_dir, src)
    rel, _, _ = _corruptions(src)[0]
    line = _break(src, rel, kind)
    before = quads_of(built.data_dir)
    config = built.with_(source_dir=str(src))
    for articles in (None, [rel.split("/")[2]]):
        with pytest.raises(DataError) as err:
            build(config, articles=articles, check=False, shapes=False)
        prefix = f"{rel}:{line}: " if line else f"{rel}:"
        assert err.value.message.startswith(prefix), err.value.message
    assert quads_of(built.data_dir) == before
    leftovers = [p.name for p in Path(built.data_dir).parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_every_span_anchor_is_the_text_between_its_offsets(seed_config: Config) -> None:
    store = EmbeddedStore(Path(seed_config.data_dir), read_only=True)
    rows = list(store.query("""
        PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
        SELECT ?span ?b ?e ?anchor ?text WHERE {
          ?span nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?anchor ;
                nif:referenceContext ?ctx .
          ?ctx nif:isString ?text .
        }"""))  # fmt: skip
    del store
    assert len(rows) > 10
    for row in rows:
        b, e = int(row["b"].value), int(row["e"].value)
        assert row["text"].value[b:e] == row["anchor"].value, row["span"]
        assert row["span"].value.endswith(f"#char={b},{e}")


def test_article_text_is_stored_exactly(seed_config: Config) -> None:
    store = EmbeddedStore(Path(seed_config.data_dir), read_only=True)
    rows = list(
        store.query("""
        PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
        SELECT ?ctx ?text WHERE { ?ctx a nif:Context ; nif:isString ?text }""")
    )
    del store
    for row in rows:
        aid = row["ctx"].value.split("/article/")[1].split("#")[0]
        raw = (
            Path(seed_config.source_dir) / "data" / "articles" / aid / "article.txt"
        ).read_bytes()
        assert row["text"].value == raw.decode("utf-8")


def test_validate_command_reports_file_and_line(tmp_path: Path, built: Config) -> None:
    src = tmp_path / "src"
    shutil.copytree(built.source_dir, src)
    rel, _, _ = _corruptions(src)[0]
    line = _break(src, rel, "id")
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", "--source-dir", str(built.source_dir), "--no-shacl"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(main, ["validate", "--source-dir", str(src), "--no-shacl"])
    assert bad.exit_code == DataError.exit_code
    assert f"{rel}:{line}: unknown id 'no-such-entity'" in bad.output


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_export_round_trips(tmp_path: Path, seed_config: Config, fmt: str) -> None:
    out = tmp_path / f"dump.{fmt}"
    result = CliRunner().invoke(
        main, ["export", "--data-dir", seed_config.data_dir, "--format", fmt, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert b"<<" not in out.read_bytes()  # plain RDF 1.1: no RDF-star
    original = quads_of(seed_config.data_dir)
    rdf_format = ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG
    fresh = ox.Store()
    fresh.load(path=str(out), format=rdf_format)
    assert {str(q) for q in fresh} == original
    dataset = rdflib.Dataset()
    with warnings.catch_warnings():
        # rdflib 7.6's own Dataset.parse calls its deprecated default_context.
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(data=out.read_text(encoding="utf-8"), format=fmt)
    expected: dict[str, rdflib.Graph] = {}
    for q in fresh:
        g = expected.setdefault(q.graph_name.value, rdflib.Graph())
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    got = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    assert set(got) == set(expected)
    for name, graph in expected.items():
        assert isomorphic(got[name], graph), name


def test_export_into_a_buffer_matches_the_store(seed_config: Config) -> None:
    buffer = io.BytesIO()
    export(seed_config, "nquads", buffer)
    lines = {line for line in buffer.getvalue().decode("utf-8").splitlines() if line}
    assert {line.rstrip(" .") for line in lines} == {q for q in quads_of(seed_config.data_dir)}


def test_ensure_built_builds_only_an_empty_store(tmp_path: Path) -> None:
    src = tmp_path / "src"  # the loader's small fixture: a quick build
    shutil.copytree(ROOT / "ontology", src / "ontology")
    shutil.copytree(FIXTURE / "ingest" / "data", src / "data")
    config = Config.load({"data_dir": str(tmp_path / "store"), "source_dir": str(src)}, environ={})
    assert ensure_built(config) is True
    built_once = quads_of(config.data_dir)
    assert ensure_built(config) is False
    assert quads_of(config.data_dir) == built_once
    assert any("/article/mini-test>" in q for q in built_once)


def test_memory_store_build(tmp_path: Path) -> None:
    store = EmbeddedStore(None)
    config = Config.load({"data_dir": ":memory:"}, environ={})
    report = build(config, store=store, check=False, shapes=False)
    assert len(store) == report.total > 1000


@pytest.mark.remote
def test_build_into_a_remote_store(start_oxigraph, seed_config: Config) -> None:  # noqa: ANN001
    from kg.store import open_store

    started = "<http://www.w3.org/ns/prov#startedAtTime>"
    with start_oxigraph() as server:
        config = seed_config.with_(store_url=server.query_url)
        report = build(config, check=False, shapes=False)
        store = open_store(config)
        try:
            first = {str(q) for q in store.quads()}
            assert len(first) == report.total
            build(config, check=False, shapes=False)
            assert {str(q) for q in store.quads()} == first
            again = build(config, articles=report.articles[:1], check=False, shapes=False)
            assert again.unchanged == report.articles[:1]
        finally:
            store.close()
    seed = {q for q in quads_of(seed_config.data_dir) if "/graph/reviews>" not in q}
    assert {q for q in first if started not in q} == {q for q in seed if started not in q}


def test_an_interrupted_swap_is_recovered(tmp_path: Path, seed_config: Config) -> None:
    # A crash between the two renames leaves the previous store under its hidden name only.
    hidden = tmp_path / ".store.old-12345"
    shutil.copytree(seed_config.data_dir, hidden)
    config = Config.load({"data_dir": str(tmp_path / "store")}, environ={})
    assert ensure_built(config) is False
    assert not hidden.exists()
    assert quads_of(config.data_dir) == quads_of(seed_config.data_dir)


# --- stopping a streamed build (kg.bulk): no worker outlives it ---------------------------------
def _children(pid: int) -> set[int]:
    """The live processes whose parent is `pid` (from /proc; zombies count as gone)."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.add(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _many_articles(src: Path, copies: int) -> None:
    """The seed article under `copies` more ids: enough work for the build's worker processes."""
    shutil.copytree(ROOT / "ontology", src / "ontology")
    shutil.copytree(ROOT / "data", src / "data")
    seed = src / "data" / "articles" / "belarus-protests-2020"
    for n in range(copies):
        copy = src / "data" / "articles" / f"copy-{n:03}"
        shutil.copytree(seed, copy)
        meta = copy / "article.yaml"
        text = meta.read_text(encoding="utf-8")
        meta.write_text(text.replace("id: belarus-protests-2020", f"id: copy-{n:03}"), "utf-8")


@pytest.mark.parametrize("how", ["SIGTERM to kg build", "Ctrl-C to its process group"])
def test_stopping_a_streamed_build_leaves_no_worker_behind(tmp_path: Path, how: str) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    src, store = tmp_path / "src", tmp_path / "store"
    _many_articles(src, 60)
    kg = Path(sys.executable).parent / "kg"
    command = [str(kg), "build", "--source-dir", str(src), "--data-dir", str(store)]
    env = {**os.environ, "KG_STREAM_FROM": "2"}
    proc = subprocess.Popen(
        [*command, "--no-shacl", "--no-check"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a shell job has
    )
    try:
        workers: set[int] = set()
        deadline = time.monotonic() + 180  # waiting for the workers, not timing anything
        while time.monotonic() < deadline and proc.poll() is None:
            workers = {
                pid
                for pid in _children(proc.pid)
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
            }
            if workers:
                break
            time.sleep(0.1)
        assert workers, "the build never started its workers"
        seen = _children(proc.pid)  # workers and multiprocessing's resource tracker
        if how.startswith("SIGTERM"):
            proc.send_signal(signal.SIGTERM)
        else:
            os.killpg(proc.pid, signal.SIGINT)  # a terminal sends Ctrl-C to the whole group
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert b"Traceback" not in err or how.startswith("Ctrl-C"), err.decode()[-2000:]
    # Every child is gone: the workers were stopped and reaped before the build exited (the
    # resource tracker ends when it sees its parent's pipe close: a moment is allowed).
    assert not any(_alive(pid) for pid in workers), err.decode()[-2000:]
    for _ in range(100):
        if not any(_alive(pid) for pid in seen):
            break
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in seen)
    # Nothing half-built is left: no store swapped in, no scratch directory.
    assert not store.exists() or not any(store.iterdir())
    assert not list(tmp_path.glob(".store.*"))
