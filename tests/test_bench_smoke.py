"""A smoke run of bench/ (seconds): the generator is deterministic and on-ontology; the load
generator runs one tiny round against kg serve, oxigraph serve and the floor apps with no errors.
No timing."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.config import PROJECT_DIR

BENCH = PROJECT_DIR / "bench"
sys.path.insert(0, str(BENCH))

import dataset  # noqa: E402
import generate  # noqa: E402
import run  # noqa: E402

GC = "https://w3id.org/geoclaims/ontology/"


def _lines(seed: int, quads: int = 2500) -> list[str]:
    return list(generate.Generator(entities=50, seed=seed).quads(quads))


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    first, second = _lines(7), _lines(7)
    assert "\n".join(first).encode() == "\n".join(second).encode()
    assert _lines(8) != first
    assert len(first) >= 2500


def test_quads_parse_and_name_graphs() -> None:
    text = "\n".join(_lines(7)) + "\n"
    quads = list(ox.parse(text.encode(), ox.RdfFormat.N_QUADS))
    assert len(quads) == len(text.splitlines())
    assert all(isinstance(q.graph_name, ox.NamedNode) for q in quads)  # nothing in default


def test_uses_only_terms_the_ontology_defines() -> None:
    used = set()
    for line in _lines(7):
        used |= {t for t in re.findall(r"<([^>]+)>", line) if t.startswith(GC)}
    defined = set()
    for path in sorted((PROJECT_DIR / "ontology").glob("*.ttl")):
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if isinstance(quad.subject, ox.NamedNode):
                defined.add(quad.subject.value)
    assert len(used) > 30  # classes, properties and scheme concepts
    assert sorted(used - defined) == []


def _table(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0] not in ("target",) and not cells[0].startswith("-"):
            rows[cells[0]] = cells
    return rows


@pytest.fixture(scope="module")
def bench_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench-out")
    dataset.OUT = out
    run.OUT = out
    return out


def test_one_tiny_round_against_kg_and_oxigraph(bench_out: Path, capsys) -> None:
    argv = ["--quads", "3000", "--mix", "light", "--concurrency", "2", "--rounds", "1"]
    argv += ["--seconds", "1", "--targets", "oxigraph", "kg", "kg-warm", "kg-oxigraph", "inproc"]
    argv += ["kg-proxied", "floor", "floor-handoff", "floor-asgi", "floor-proxy"]
    assert run.main(argv) == 0
    rows = _table(capsys.readouterr().out)
    assert set(rows) == {
        "oxigraph serve",
        "kg serve",
        "kg serve → oxigraph",
        "kg serve (warm cache)",
        "in-process pyoxigraph",
        "kg serve (KG_BODY_TIMEOUT=0)",
        "floor (granian + pyoxigraph)",
        "floor, body on a reader thread",
        "floor on ASGI",
        "floor proxy → oxigraph",
    }
    for name, cells in rows.items():
        assert float(cells[1]) > 0, name  # something was answered (no timing asserted)
        assert cells[7] == "0", f"{name}: errors"
        assert float(cells[8]) > 0, f"{name}: no bytes"
    record = json.loads((bench_out / "results.jsonl").read_text().splitlines()[-1])
    assert record["mix"] == "light" and set(record["rows"]) == set(rows)
    # The stores hold what was generated: kg's and Oxigraph's loads agree.
    nq, kg_dir, ox_dir, articles, _ = dataset.prepare(3000)
    assert articles > 0
    lines = len(nq.read_text().splitlines())
    for store_dir in (kg_dir, ox_dir):
        assert len(ox.Store.read_only(str(store_dir))) == lines


def test_streaming_probe_answers(bench_out: Path, capsys) -> None:
    argv = ["--quads", "3000", "--stream", "--rounds", "1", "--targets", "oxigraph", "kg"]
    assert run.main(argv) == 0
    rows = _table(capsys.readouterr().out)
    assert set(rows) == {"oxigraph serve", "kg serve"}
    assert all(cells[1] == "200" for cells in rows.values())


def test_cpu_timeline_counts_a_child_and_passes_the_exit_code_on() -> None:
    import subprocess

    busy = "import time\nend = time.process_time() + 1.5\nwhile time.process_time() < end: pass"
    child = (
        f"import subprocess, sys; sys.exit(subprocess.call([sys.executable, '-c', {busy!r}]) + 3)"
    )
    done = subprocess.run(
        [sys.executable, str(BENCH / "cpu_timeline.py"), sys.executable, "-c", child],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 3
    rows = [line.split() for line in done.stderr.splitlines()]
    assert rows and all(r[1::2] == ["main", "rocks", "child"] for r in rows)
    child_cpu = sum(float(r[6]) for r in rows)
    assert child_cpu > 0.5  # the busy grandchild's 1.5 s of CPU, sampled once a second
    assert sum(float(r[4]) for r in rows) == 0  # no RocksDB thread in it
