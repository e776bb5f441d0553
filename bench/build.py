"""Build speed: quads per second into a fresh on-disk store, kg's bulk-load path vs `oxigraph load`.

    /work/venv/bin/python bench/build.py --quads 10000 1000000 10000000 --rounds 2

`kg` is `kg.store.EmbeddedStore.bulk_load`, the call `kg build` makes for a full on-disk build
(here fed by pyoxigraph's N-Quads parser instead of the YAML compiler, whose own speed depends
on the sources, not on the store). `oxigraph load` is the Rust CLI on the same file. Rounds
alternate between the two, each into a new directory removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dataset import OUT, generate  # noqa: E402

BIN = Path(sys.executable).parent

KG_LOAD = """
import sys, pyoxigraph as ox
from kg.store import EmbeddedStore
store = EmbeddedStore(sys.argv[2])
store.bulk_load(ox.parse(path=sys.argv[1], format=ox.RdfFormat.N_QUADS))
store.close()
"""


def _timed(cmd: list[str]) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of a child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{cmd[0]} failed with {proc.returncode}")
    return seconds, usage.ru_maxrss


def load(tool: str, nq: Path, scratch: Path) -> tuple[float, int]:
    target = scratch / f"{tool}-store"
    shutil.rmtree(target, ignore_errors=True)
    try:
        if tool == "kg":
            return _timed([sys.executable, "-c", KG_LOAD, str(nq), str(target)])
        return _timed([str(BIN / "oxigraph"), "load", "--location", str(target), "--file", str(nq)])
    finally:
        shutil.rmtree(target, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quads", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print(
        "| quads | kg bulk load quads/s (median) | min–max | oxigraph load quads/s (median) "
        "| min–max | ratio | peak RSS kg / oxigraph MiB |"
    )
    print("|---|---|---|---|---|---|---|")
    for quads in args.quads:
        nq = generate(quads)
        with nq.open("rb") as f:
            lines = sum(1 for _ in f)
        speeds: dict[str, list[float]] = {"kg": [], "oxigraph": []}
        peaks: dict[str, int] = {"kg": 0, "oxigraph": 0}
        with tempfile.TemporaryDirectory(dir=OUT) as scratch:
            for _ in range(args.rounds):
                for tool in speeds:  # interleaved
                    seconds, peak = load(tool, nq, Path(scratch))
                    speeds[tool].append(lines / seconds)
                    peaks[tool] = max(peaks[tool], peak)
        kg, ox = statistics.median(speeds["kg"]), statistics.median(speeds["oxigraph"])
        print(
            f"| {lines} | {kg:,.0f} | {min(speeds['kg']):,.0f}–{max(speeds['kg']):,.0f} | "
            f"{ox:,.0f} | {min(speeds['oxigraph']):,.0f}–{max(speeds['oxigraph']):,.0f} | "
            f"{kg / ox:.2f}× | {peaks['kg'] / 1024:.0f} / {peaks['oxigraph'] / 1024:.0f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
