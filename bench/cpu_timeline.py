"""Run a command and print, once a second, how many cores it keeps busy: its own process, the
RocksDB background threads in it, and its child processes (a streamed `kg build`'s workers).

    python bench/cpu_timeline.py kg build --no-shacl --no-check 2> timeline.txt

Each line (on stderr): seconds since the start, then cores busy over the last second for
`main`, `rocks` and `child`. Linux only (it reads /proc).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> list[int]:
    out = [root]
    try:
        for task in os.listdir(f"/proc/{root}/task"):
            with open(f"/proc/{root}/task/{task}/children") as f:
                for child in f.read().split():
                    out += _tree(int(child))
    except OSError:
        pass
    return out


def _sample(root: int) -> dict[tuple[int, int], tuple[str, float]]:
    """CPU seconds so far of every thread of the tree, with its group."""
    out = {}
    for pid in _tree(root):
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/stat") as f:
                    stat = f.read()
                name = stat[stat.index("(") + 1 : stat.rindex(")")]
                fields = stat[stat.rindex(")") + 2 :].split()
                group = "rocks" if "rocksdb" in name else "main" if pid == root else "child"
                out[(pid, int(task))] = (group, (int(fields[11]) + int(fields[12])) / TICK)
        except OSError:
            continue
    return out


def main(command: list[str]) -> int:
    process = subprocess.Popen(command)
    started, before = time.monotonic(), {}
    while process.poll() is None:
        now = _sample(process.pid)
        busy = {"main": 0.0, "rocks": 0.0, "child": 0.0}
        for key, (group, cpu) in now.items():
            busy[group] += cpu - before.get(key, (group, 0.0))[1]
        before = now
        line = " ".join(f"{g} {v:4.2f}" for g, v in busy.items())
        print(f"{time.monotonic() - started:6.0f} {line}", file=sys.stderr, flush=True)
        time.sleep(1)
    return process.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
