"""The benchmark data: generated once into bench/out/ (gitignored), loaded into both stores."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import Generator, entity_count  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def tag(quads: int) -> str:
    return f"{quads // 1000}k"


def generate(quads: int) -> Path:
    """The N-Quads file of this size (written once)."""
    OUT.mkdir(exist_ok=True)
    nq = OUT / f"data-{tag(quads)}.nq"
    if not nq.exists():
        tmp = nq.with_suffix(".tmp")
        gen = Generator(entities=entity_count(quads))
        with tmp.open("w", encoding="utf-8") as f:
            for line in gen.quads(quads):
                f.write(line + "\n")
        tmp.rename(nq)
    return nq


def prepare(quads: int) -> tuple[Path, Path, Path, int, int]:
    """(N-Quads file, kg store, Oxigraph server store, articles, entities) for this size."""
    nq = generate(quads)
    kg_dir, ox_dir = OUT / f"kg-store-{tag(quads)}", OUT / f"ox-store-{tag(quads)}"
    if not kg_dir.exists():
        # kg's own bulk-load path (what `kg build` calls for a full on-disk build).
        from kg.store import EmbeddedStore

        tmp = kg_dir.with_suffix(".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        store = EmbeddedStore(tmp)
        store.bulk_load(ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS))
        store.close()
        del store
        tmp.rename(kg_dir)
    if not ox_dir.exists():
        exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
        tmp = ox_dir.with_suffix(".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run(
            [exe, "load", "--location", str(tmp), "--file", str(nq)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        tmp.rename(ox_dir)
    with nq.open(encoding="utf-8") as f:
        articles = sum(1 for line in f if "schema.org/NewsArticle" in line)
    return nq, kg_dir, ox_dir, articles, entity_count(quads)
