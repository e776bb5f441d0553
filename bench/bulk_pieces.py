"""Oxigraph's bulk loader on one N-Quads file, in one call or in pieces: time and peak memory.

    python bench/bulk_pieces.py single FILE.nq STORE_DIR
    python bench/bulk_pieces.py 200000000 FILE.nq STORE_DIR   # pieces of ~200 MB, cut at line ends

What bench/RESULTS.md ("Event data") measured to decide whether `kg import` should load an event
graph in pieces to bound memory (it halves the peak at 1.47x the time: not adopted).
"""

from __future__ import annotations

import io
import resource
import shutil
import sys
import time

import pyoxigraph as ox


class Piece(io.RawIOBase):
    """The next `size` bytes of a file, then up to the end of that line."""

    def __init__(self, file: io.BufferedReader, size: int) -> None:
        self.file, self.left, self.done = file, size, False

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray) -> int:  # type: ignore[override]
        if self.done:
            return 0
        if self.left > 0:
            data = self.file.read(min(len(target), self.left))
            self.left -= len(data)
        else:
            data, self.done = self.file.readline(), True
        if not data:
            self.done = True
            return 0
        target[: len(data)] = data
        return len(data)


def main() -> None:
    mode, source, location = sys.argv[1:4]
    shutil.rmtree(location, ignore_errors=True)
    store = ox.Store(location)
    start = time.time()
    if mode == "single":
        store.bulk_load(path=source, format=ox.RdfFormat.N_QUADS)
    else:
        with open(source, "rb") as file:
            while True:
                at = file.tell()
                piece = io.BufferedReader(Piece(file, int(mode)), 1 << 20)
                store.bulk_load(input=piece, format=ox.RdfFormat.N_QUADS)
                if file.tell() == at:
                    break
    store.flush()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{mode}: {time.time() - start:.1f} s, peak {peak} MiB, {len(store)} quads")


if __name__ == "__main__":
    main()
