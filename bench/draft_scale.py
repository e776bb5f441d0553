"""Drafting and building at scale: N generated articles through kg draft, kg build and kg check.

    python bench/draft_scale.py --articles 10000 --work /path/with/space [--keep] [--no-check]

Steps, each a separate process timed with its peak memory (GNU time's maximum resident set
size, which covers the largest of a command's processes):
  1. bench/draft_generate.py: N invented texts of ~500 words and their entities
  2. kg draft --batch: the drafting speed (articles/s) and memory
  3. kg build --no-shacl --no-check: every drafted article into a fresh on-disk store (streamed,
     kg.bulk), then kg export of the same quads as N-Quads
  4. oxigraph load of that N-Quads file into a fresh store: the peer, on the same quads; then
     oxigraph optimize, which compacts it as kg build leaves its own store
  5. kg check on the built store
A pure-Python reference loop is timed between steps: on a shared machine, figures divided by it
compare across runs. Prints a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def reference_ms() -> float:
    """Best of 5 runs of a fixed pure-Python loop (sum of a million integers), in ms."""
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        sum(range(1_000_000))
        best = min(best, time.perf_counter() - t)
    return best * 1000


def timed(name: str, command: list[str], rows: list[dict[str, object]]) -> str:
    """Run a command under GNU time; record wall time, CPU time and peak memory."""
    print(f"$ {' '.join(command)}", file=sys.stderr, flush=True)
    ref = reference_ms()
    proc = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    report = proc.stderr

    def field(label: str) -> str:
        m = re.search(rf"{re.escape(label)}: (.+)", report)
        return m.group(1).strip() if m else ""

    clock = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
    wall = sum(float(x) * 60**i for i, x in enumerate(reversed(clock)))
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    rss = int(field("Maximum resident set size (kbytes)")) / 1024
    rows.append({"step": name, "wall": wall, "cpu": cpu, "rss": rss, "ref": ref})
    print(f"  {wall:.1f} s wall, {cpu:.1f} s CPU, {rss:.0f} MiB peak", file=sys.stderr)
    return proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "draft-scale")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument(
        "--check-memory-gb",
        type=float,
        default=12.0,
        help="address-space cap for kg check (it fails instead of the machine)",
    )
    parser.add_argument("--no-check", action="store_true", help="leave out step 5 (kg check)")
    args = parser.parse_args()
    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    src = work / "src"
    (src / "data" / "articles").mkdir(parents=True)
    shutil.copytree(ROOT / "ontology", src / "ontology")
    rows: list[dict[str, object]] = []
    kg = str(BIN / "kg")
    out = timed(
        "generate",
        [
            sys.executable,
            str(ROOT / "bench" / "draft_generate.py"),
            str(work),
            "--articles",
            str(args.articles),
        ],
        rows,
    )
    print(out.strip(), file=sys.stderr)
    shutil.copy(work / "entities.yaml", src / "data" / "entities.yaml")
    out = timed(
        "kg draft --batch",
        [kg, "draft", "--batch", str(work / "texts"), "--source-dir", str(src)],
        rows,
    )
    drafted = out.strip().splitlines()[-1]
    claims = int(re.search(r"\((\d+) claims\)", drafted).group(1))
    store, nq, peer = work / "store", work / "all.nq", work / "oxigraph-store"
    out = timed(
        "kg build",
        [
            kg,
            "build",
            "--source-dir",
            str(src),
            "--data-dir",
            str(store),
            "--no-shacl",
            "--no-check",
        ],
        rows,
    )
    quads = int(re.search(r"(\d+) quads in (\d+) graphs", out).group(1))
    index = re.search(r"search index: .* in ([\d.]+) s", out)  # kg build ends with the index
    index_seconds = float(index.group(1)) if index else 0.0
    timed(
        "kg export",
        [kg, "export", "--data-dir", str(store), "--format", "nquads", "--out", str(nq)],
        rows,
    )
    timed(
        "oxigraph load",
        [str(BIN / "oxigraph"), "load", "--location", str(peer), "--file", str(nq)],
        rows,
    )
    # kg build leaves its store compacted (it waits for RocksDB's compaction of the bulk load:
    # uncompacted, point lookups took 10x as long); `oxigraph load` does not, and says to run
    # `oxigraph optimize` for reading: the peer's whole way to the same state.
    timed(
        "oxigraph optimize",
        [str(BIN / "oxigraph"), "optimize", "--location", str(peer)],
        rows,
    )
    if not args.no_check:
        cap = str(int(args.check_memory_gb * 2**30))
        try:
            check_out = timed(
                "kg check",
                [
                    "prlimit",
                    f"--as={cap}",
                    kg,
                    "check",
                    "--source-dir",
                    str(src),
                    "--data-dir",
                    str(store),
                ],
                rows,
            )
            print(check_out.strip().splitlines()[-1], file=sys.stderr)
        except SystemExit as failed:
            print(
                f"kg check did not finish under {args.check_memory_gb} GiB: {str(failed)[-300:]}",
                file=sys.stderr,
            )
    n = args.articles
    print(f"\n{n} articles, {claims} claims, {quads} quads\n")
    print("| step | wall s | CPU s | peak MiB | rate | reference loop ms |")
    print("|---|---:|---:|---:|---|---:|")
    for r in rows:
        rate = ""
        if r["step"] == "kg draft --batch":
            rate = f"{n / r['wall']:.0f} articles/s ({n / r['cpu']:.0f} per CPU-second)"
        elif r["step"] in ("kg build", "oxigraph load"):
            rate = f"{quads / r['wall']:,.0f} quads/s"
        elif r["step"] == "kg check":
            rate = f"{claims / r['wall']:,.0f} claims/s ({claims / r['cpu']:,.0f} per CPU-second)"
        print(
            f"| {r['step']} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['rss']:.0f} | {rate} | {r['ref']:.1f} |"
        )
    build = next(r for r in rows if r["step"] == "kg build")
    print(f"\nkg draft --batch: {claims / n:.1f} claims per article")
    peer_row = next(r for r in rows if r["step"] == "oxigraph load")
    print(f"\nkg build / oxigraph load speed: {peer_row['wall'] / build['wall']:.2f}x wall, "
          f"{peer_row['cpu'] / build['cpu']:.2f}x CPU")  # fmt: skip
    if index_seconds:
        loaded = build["wall"] - index_seconds
        print(f"kg build included {index_seconds:.1f} s for the search index (kg.search); "
              f"without it: {peer_row['wall'] / loaded:.2f}x wall")  # fmt: skip
    optimize = next(r for r in rows if r["step"] == "oxigraph optimize")
    ready = peer_row["wall"] + optimize["wall"]
    print(f"kg build / (oxigraph load + oxigraph optimize), both stores compacted for reading: "
          f"{ready / build['wall']:.2f}x wall"  # fmt: skip
          + (f", {ready / (build['wall'] - index_seconds):.2f}x without the search index"
             if index_seconds else ""))  # fmt: skip
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
