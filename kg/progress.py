"""Progress of long runs (draft, build, check, import): a bar on a terminal, silence elsewhere.

One place for how long commands report progress, on top of tqdm (a mature, maintained bar with
count, rate and time left). The bar goes to standard error and only when it is a terminal; the
one-line summary at the end is the caller's to print, to standard output, in every case.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def interactive(stream: IO[str] | None = None) -> bool:
    """True when `stream` (standard error by default) is a terminal a bar can be drawn on."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@dataclass
class Progress:
    """Counts what a run did; `advance` moves the bar (if any) and the counters."""

    unit: str
    bar: tqdm | None = None
    done: int = 0
    started: float = field(default_factory=time.monotonic)

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)

    def note(self, text: str, *, now: bool = False) -> None:
        """Show `text` beside the bar (the item being worked on; with `now`, redrawn at once, for
        a step that moves the bar no more); nothing without a bar."""
        if self.bar is not None:
            self.bar.set_postfix_str(text, refresh=now)

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0


@contextmanager
def progress(
    description: str,
    total: int | None = None,
    unit: str = "item",
    stream: IO[str] | None = None,
) -> Iterator[Progress]:
    """A progress bar for a run of `total` units (None: unknown), drawn only on a terminal."""
    stream = sys.stderr if stream is None else stream
    bar = None
    if interactive(stream):
        bar = tqdm(
            total=total,
            desc=description,
            unit=" " + unit,
            file=stream,
            dynamic_ncols=True,
            leave=False,
            mininterval=0.2,
        )
    state = Progress(unit=unit, bar=bar)
    try:
        yield state
    finally:
        if bar is not None:
            bar.close()


def track(
    items: Iterable[T],
    description: str,
    total: int | None = None,
    unit: str = "item",
    stream: IO[str] | None = None,
) -> Iterator[T]:
    """Iterate `items`, advancing a bar by one per item (only on a terminal)."""
    with progress(description, total=total, unit=unit, stream=stream) as state:
        for item in items:
            yield item
            state.advance()
