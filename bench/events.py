"""Event data at scale: `kg import gdelt` speed and memory, and the claim/event joins under load.

    nice -n 5 python bench/events.py --rows 1000000 --sizes 100000 1000000 \
        --seconds 10 --rounds 2 --concurrency 1 4

1. Import. GDELT 2.0 events rows (61 columns, invented, deterministic: dates over 2020, one actor
   in ten one of the seed's CAMEO codes (BLR, BLRGOV, NATMIL, RUS, ...) and the others from 120
   other codes, 20 FIPS-coded places (3 in Belarus), real CAMEO event codes) are generated once
   under bench/out/. For each size, `kg import gdelt FILE` runs as its own process on a copy of
   the seed's store: rows per second, seconds, and its peak resident memory (VmHWM of the process
   tree). The same rows, converted once to N-Quads (kg's own converter), are then loaded by
   `oxigraph load` into a fresh store, the peer: the ratio is kg's rows/s over oxigraph's (it
   includes kg's conversion, checking and linking; the peer only parses and loads).
2. Joins. The store of the largest import plus the generator's 1M claim quads (bench/generate.py)
   is served read-only by `kg serve` and by `oxigraph serve-read-only --union-default-graph`; the
   three named queries (events-near-claim, events-bearing-on-claims, entity-timeline), their
   parameters bound in the text, run under the load generator of bench/run.py in interleaved
   rounds: p50 and p95 per query, target and concurrency.
Prints Markdown tables (bench/RESULTS.md); the machine is shared, so compare ratios.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dataset  # noqa: E402
import targets as tg  # noqa: E402
from run import run_round  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = dataset.OUT
CLAIM = "claim/belarus-protests-2020/c-bullet-deployment-quote"

# Actors: (code, name, country, known group, type); the seed's codes and many others.
SEED_ACTORS = [
    ("BLR", "BELARUS", "BLR", "", ""),
    ("BLRGOV", "BELARUS", "BLR", "", "GOV"),
    ("BLRMIL", "BELARUS", "BLR", "", "MIL"),
    ("BLRCOP", "BELARUS", "BLR", "", "COP"),
    ("BLROPP", "PROTESTER", "BLR", "", "OPP"),
    ("RUS", "RUSSIA", "RUS", "", ""),
    ("RUSGOV", "RUSSIA", "RUS", "", "GOV"),
    ("RUSMIL", "RUSSIA", "RUS", "", "MIL"),
    ("NAT", "NATO", "", "NAT", ""),
    ("NATMIL", "NATO", "", "NAT", "MIL"),
    ("POL", "POLAND", "POL", "", ""),
    ("POLGOV", "POLAND", "POL", "", "GOV"),
    ("LTU", "LITHUANIA", "LTU", "", ""),
    ("LVA", "LATVIA", "LVA", "", ""),
    ("UKR", "UKRAINE", "UKR", "", ""),
    ("UKRGOV", "UKRAINE", "UKR", "", "GOV"),
    ("DEU", "GERMANY", "DEU", "", ""),
    ("EUR", "EUROPE", "EUR", "", ""),
]
COUNTRIES = ["FRA", "GBR", "USA", "CHN", "TUR", "ITA", "ESP", "SWE", "FIN", "NOR", "JPN", "IND"]
ROLES = ["", "GOV", "MIL", "COP", "OPP", "MED", "BUS", "CVL", "JUD", "LEG"]
PLACES = [  # FIPS country, ADM1, name, lat, long
    ("BO", "BO04", "Minsk, Belarus", 53.9, 27.5667),
    ("BO", "BO03", "Hrodna, Belarus", 53.6884, 23.8258),
    ("BO", "BO01", "Brest, Belarus", 52.0976, 23.7341),
    ("LH", "LH65", "Vilnius, Lithuania", 54.6833, 25.3167),
    ("PL", "PL78", "Warsaw, Poland", 52.25, 21.0),
    ("RS", "RS48", "Moscow, Russia", 55.7522, 37.6156),
    ("UP", "UP12", "Kyiv, Ukraine", 50.4547, 30.5238),
    ("LG", "LG25", "Riga, Latvia", 56.946, 24.1059),
    ("GM", "GM16", "Berlin, Germany", 52.5244, 13.4105),
    ("FR", "FRA8", "Paris, France", 48.8534, 2.3488),
    ("UK", "UKH9", "London, United Kingdom", 51.5085, -0.1257),
    ("US", "USDC", "Washington, District of Columbia, United States", 38.8951, -77.0364),
    ("CH", "CH22", "Beijing, China", 39.9075, 116.3972),
    ("TU", "TU68", "Ankara, Turkey", 39.9199, 32.8543),
    ("IT", "IT07", "Rome, Italy", 41.8919, 12.5113),
    ("SP", "SP29", "Madrid, Spain", 40.4165, -3.7026),
    ("SW", "SW26", "Stockholm, Sweden", 59.3326, 18.0649),
    ("FI", "FI13", "Helsinki, Finland", 60.1695, 24.9354),
    ("JA", "JA40", "Tokyo, Japan", 35.6895, 139.6917),
    ("IN", "IN07", "New Delhi, India", 28.6358, 77.2245),
]
CODES = (
    "010 012 013 014 015 020 030 031 036 040 042 043 046 050 051 057 060 061 070 080 090 100 110 "
    "111 112 120 125 128 130 138 140 141 145 150 152 154 160 163 170 172 173 180 181 190 193 195 "
    "200"
).split()


def actor_pool(rng: random.Random) -> list[tuple[str, str, str, str, str]]:
    pool = list(SEED_ACTORS)
    for country in COUNTRIES:
        for role in ROLES:
            pool.append((country + role, country, country, "", role))
    rng.shuffle(pool)
    return pool


def _actor(a: tuple[str, str, str, str, str]) -> list[str]:
    code, name, country, group, role = a
    return [code, name, country, group, "", "", "", role, "", ""]


def _geo(p: tuple[str, str, str, float, float] | None) -> list[str]:
    if p is None:
        return ["0", "", "", "", "", "", "", ""]
    fips, adm1, name, lat, lon = p
    return ["4", name, fips, adm1, "", f"{lat:.4f}", f"{lon:.4f}", f"-{adm1}"]


def generate_rows(rows: int) -> Path:
    """The GDELT events file of this many rows (written once, deterministic)."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"gdelt-{rows // 1000}k.export.CSV"
    if path.exists():
        return path
    rng = random.Random(15)
    actors = actor_pool(rng)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for n in range(rows):
            day = 1 + rng.randrange(366)
            date = time.strftime("%Y%m%d", time.gmtime(1577836800 + (day - 1) * 86400))
            # One actor in ten is one of the seed's (Belarus, Russia, NATO, its neighbours).
            a1, a2 = (
                rng.choice(SEED_ACTORS) if rng.random() < 0.1 else rng.choice(actors)
                for _ in range(2)
            )
            code = rng.choice(CODES)
            places = [rng.choice(PLACES) if rng.random() < 0.8 else None for _ in range(3)]
            row = [
                str(1_000_000_000 + n), date, date[:6], date[:4], f"{2020 + day / 366:.4f}",
                *_actor(a1), *_actor(a2), "1" if rng.random() < 0.3 else "0",
                code, code[:3], code[:2], str(1 + int(code[:2]) * 4 // 21),
                f"{rng.uniform(-10, 10):.1f}", str(rng.randrange(1, 50)), str(rng.randrange(1, 10)),
                str(rng.randrange(1, 50)), f"{rng.uniform(-10, 5):.6f}",
                *_geo(places[0]), *_geo(places[1]), *_geo(places[2]),
                date + f"{rng.randrange(24):02d}{rng.randrange(0, 60, 15):02d}00",
                f"https://news.example.org/{date}/{n}.html",
            ]  # fmt: skip
            out.write("\t".join(row) + "\n")
    tmp.rename(path)
    return path


def base_store() -> Path:
    """The seed built once (its entities are what codes resolve to), under bench/out/."""
    from kg.build import build
    from kg.config import Config

    path = OUT / "events-base-store"
    if not path.exists():
        config = Config.load(
            {"data_dir": str(path), "source_dir": str(ROOT)}, environ={"KG_CACHE_SIZE": "0"}
        )
        build(config, check=False, shapes=False)
    return path


def measured(cmd: list[str], env: dict[str, str] | None = None) -> dict:
    """Seconds and peak resident KiB (its process tree) of one command, in all and up to its
    first line of output (`kg import` prints its summary when the load is done, then refreshes
    the site's search index), and that output."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines: list[tuple[float, str]] = []

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append((time.perf_counter(), line))

    reader = threading.Thread(target=read)
    reader.start()
    samples: list[tuple[float, int]] = []
    while proc.poll() is None:
        samples.append((time.perf_counter(), tg.tree_rss_kib(proc.pid)))
        time.sleep(0.05)
    reader.join()
    err = proc.stderr.read()  # type: ignore[union-attr]
    ended = time.perf_counter()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:3]} failed: {err[-2000:]}")
    first = lines[0][0] if lines else ended
    return {
        "seconds": ended - started,
        "peak_kib": max((kib for _, kib in samples), default=0),
        "first_line_seconds": first - started,
        "first_line_peak_kib": max((kib for t, kib in samples if t <= first), default=0),
        "output": "".join(line for _, line in lines),
    }


def to_nquads(rows_file: Path, graph: str) -> Path:
    """The rows as kg converts them, written as N-Quads in the file's graph (the peer's input)."""
    from kg.config import Config
    from kg.events.importer import convert
    from kg.events.resolve import Resolver
    from kg.events.rows import Filters
    from kg.store import EmbeddedStore

    target = rows_file.with_suffix(".nq")
    if target.exists():
        return target
    store = EmbeddedStore(base_store(), read_only=True)
    resolver = Resolver.from_store(store)
    del store
    gc.collect()
    config = Config.load({"source_dir": str(ROOT)}, environ={})
    nt = rows_file.with_suffix(".nt")
    with nt.open("w", encoding="utf-8") as out:
        convert(config, "gdelt-events", rows_file, out, resolver, Filters())
    tmp = target.with_suffix(".tmp")
    with nt.open("rb") as src, tmp.open("wb") as dst:
        suffix = f" <{graph}> .\n".encode()
        for line in src:
            dst.write(line[:-3] + suffix)  # "s p o .\n" -> "s p o <g> .\n"
    nt.unlink()
    tmp.rename(target)
    return target


def bench_import(sizes: list[int]) -> tuple[list[dict], Path]:
    """Import each size with kg (and the largest with oxigraph load); the largest kg store."""
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    results, largest = [], OUT / "events-store"
    for rows in sizes:
        source = generate_rows(rows)
        store = OUT / f"events-store-{rows // 1000}k"
        shutil.rmtree(store, ignore_errors=True)
        shutil.copytree(base_store(), store)
        cmd = [str(tg.BIN / "kg"), "import", "gdelt", str(source), "--data-dir", str(store)]
        m = measured(cmd, {**env, "KG_SOURCE_DIR": str(ROOT)})
        line = m["output"].strip().splitlines()[0]
        results.append({"tool": "kg import gdelt (to its summary line)", "rows": rows,
                        "seconds": m["first_line_seconds"],
                        "peak_mib": m["first_line_peak_kib"] / 1024})  # fmt: skip
        results.append({"tool": "kg import gdelt (with the search index refresh)", "rows": rows,
                        "seconds": m["seconds"], "peak_mib": m["peak_kib"] / 1024})  # fmt: skip
        print(f"kg import {rows}: {m['first_line_seconds']:.1f} s to the summary "
              f"(peak {m['first_line_peak_kib'] / 1024:.0f} MiB), {m['seconds']:.1f} s in all "
              f"(peak {m['peak_kib'] / 1024:.0f} MiB); {line}", flush=True)  # fmt: skip
        largest = store
    rows = sizes[-1]
    graph = f"https://w3id.org/geoclaims/events/gdelt/file/{generate_rows(rows).name}"
    nq = to_nquads(generate_rows(rows), graph)
    location = OUT / "events-ox-load"
    shutil.rmtree(location, ignore_errors=True)
    m = measured([exe, "load", "--location", str(location), "--file", str(nq)])
    results.append({"tool": "oxigraph load (pre-converted N-Quads)", "rows": rows,
                    "seconds": m["seconds"], "peak_mib": m["peak_kib"] / 1024})  # fmt: skip
    print(f"oxigraph load {rows}: {m['seconds']:.1f} s, peak {m['peak_kib'] / 1024:.0f} MiB",
          flush=True)  # fmt: skip
    shutil.rmtree(location, ignore_errors=True)
    return results, largest


def import_table(results: list[dict]) -> str:
    peer = next(r for r in results if r["tool"].startswith("oxigraph"))
    peer_rate = peer["rows"] / peer["seconds"]
    lines = [
        "| tool | rows | seconds | rows/s | ratio to oxigraph load | peak MiB |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        rate = r["rows"] / r["seconds"]
        ratio = f"{rate / peer_rate:.2f}×" if r["rows"] == peer["rows"] else "—"
        lines.append(
            f"| {r['tool']} | {r['rows']:,} | {r['seconds']:.1f} | {rate:,.0f} | {ratio} | "
            f"{r['peak_mib']:.0f} |"
        )
    return "\n".join(lines)


def joins_store(events_store: Path, claim_quads: int) -> Path:
    """The largest import plus the generator's claim quads, made once."""
    path = OUT / f"{events_store.name}-joins-{claim_quads // 1000}k"
    if path.exists():
        return path
    nq = dataset.generate(claim_quads)
    tmp = path.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(events_store, tmp)
    store = ox.Store(str(tmp))
    store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    gc.collect()
    tmp.rename(path)
    return path


def join_queries(data_dir: Path) -> dict[str, str]:
    """The three named queries, their parameters bound in the text (the same for both servers)."""
    from kg import queries
    from kg.config import Config

    config = Config.load({"data_dir": str(data_dir), "source_dir": str(ROOT)}, environ={})
    cat = queries.Catalogue.load(ROOT / "queries")
    params = {
        "events-near-claim": {"claim": CLAIM, "days": "3"},
        "events-bearing-on-claims": {"article": "article/belarus-protests-2020", "days": "3"},
        "entity-timeline": {"entity": "nato", "from": "2020-08-01", "to": "2020-08-31"},
    }
    return {n: queries.bound_text(cat.get(n), p, config) for n, p in params.items()}


def bench_joins(data_dir: Path, seconds: float, rounds: int, levels: list[int]) -> str:
    texts = join_queries(data_dir)
    kg = tg.start_kg(data_dir, "kg serve", cache=False, source_dir=str(ROOT))
    oxi = tg.start_oxigraph(data_dir)
    rows: dict[tuple[str, str, int], list[dict]] = {}
    try:
        for _ in range(rounds):
            for name, text in texts.items():
                for level in levels:
                    for target in (kg, oxi):
                        result = run_round(target, [("select", text)], level, seconds)
                        rows.setdefault((name, target.name, level), []).append(result)
    finally:
        kg.stop()
        oxi.stop()
    lines = [
        "| query | concurrency | target | q/s | p50 ms | p95 ms | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for (name, target, level), rs in rows.items():
        lines.append(
            f"| {name} | {level} | {target} | {statistics.median(r['qps'] for r in rs):.2f} | "
            f"{statistics.median(r['p50'] for r in rs):.1f} | "
            f"{statistics.median(r['p95'] for r in rs):.1f} | {sum(r['errors'] for r in rs)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="rows of each import run (the largest also by oxigraph load)")  # fmt: skip
    parser.add_argument("--claim-quads", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--skip-joins", action="store_true")
    parser.add_argument("--skip-import", action="store_true",
                        help="the joins only, on the store a run of the largest size left")  # fmt: skip
    args = parser.parse_args(argv)
    sizes = sorted(args.sizes)
    if args.skip_import:
        largest = OUT / f"events-store-{sizes[-1] // 1000}k"
        if not largest.exists():
            parser.error(f"no store {largest}: run the import of {sizes[-1]} rows first")
    else:
        results, largest = bench_import(sizes)
        print("\n" + import_table(results) + "\n", flush=True)
    if not args.skip_joins:
        store = joins_store(largest, args.claim_quads)
        print(bench_joins(store, args.seconds, args.rounds, args.concurrency), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
