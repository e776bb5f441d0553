"""What the compact claims.yaml and the validation of issue 13 cost: compile the seed in its
compact and its long form (tests/data/legacy/), and rebuild one article on a built store (which
now compares the shared graphs with the store's first). Prints one table; `--rounds N`.

    python bench/authoring.py --rounds 5
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from kg.build import build
from kg.config import Config
from kg.ingest.compile import compile_sources
from kg.ingest.validate import validate

ROOT = Path(__file__).resolve().parent.parent
SEED = "belarus-protests-2020"


def _timed(fn: object, rounds: int) -> float:
    """The median of `rounds` runs of fn(), in milliseconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        long = Path(tmp) / "long"
        shutil.copytree(ROOT / "ontology", long / "ontology")
        shutil.copytree(ROOT / "data", long / "data")
        legacy = ROOT / "tests" / "data" / "legacy" / f"{SEED}-claims.yaml"
        shutil.copy(legacy, long / "data" / "articles" / SEED / "claims.yaml")
        compact_cfg = Config.load({"source_dir": str(ROOT)}, environ={})
        long_cfg = Config.load({"source_dir": str(long)}, environ={})
        rows = [
            ("compile the seed, compact claims.yaml", compact_cfg, False),
            ("compile the seed, long claims.yaml", long_cfg, False),
            ("compile + validate (no SHACL), compact", compact_cfg, True),
        ]
        print(f"{'what':48} {'median ms':>10}  ({rounds} rounds)")
        for what, config, check in rows:

            def run(config: Config = config, check: bool = check) -> None:
                compiled = compile_sources(config)
                if check:
                    validate(compiled, shapes=False)

            print(f"{what:48} {_timed(run, rounds):10.1f}")
        store = Config.load({"source_dir": str(ROOT), "data_dir": str(Path(tmp) / "s")}, environ={})
        build(store, check=False, shapes=False)
        rebuild = _timed(lambda: build(store, articles=[SEED], check=False, shapes=False), rounds)
        print(f"{'kg build --article (unchanged, shared compared)':48} {rebuild:10.1f}")


if __name__ == "__main__":
    main()
