"""Every error of a run, collected: a bad place is recorded and the run goes on to the next one.

The loader guards each file, entity, fact, proposition, claim and key, so one `kg validate` lists
every problem (sorted by file and line), not only the first; nothing is written when any is found.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterable, Iterator

from kg.errors import DataError, DataErrors


class Problems:
    """DataErrors met so far in a run."""

    def __init__(self) -> None:
        self.found: list[DataError] = []

    def add(self, err: DataError) -> None:
        if isinstance(err, DataErrors):
            self.found.extend(err.errors)
        elif err.message not in {e.message for e in self.found}:
            self.found.append(err)

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Record a DataError raised inside the block instead of letting it end the run."""
        try:
            yield
        except DataError as err:
            self.add(err)

    def __bool__(self) -> bool:
        return bool(self.found)

    def check(self) -> None:
        """Raise what was found: the error itself when one, else all of them in one DataErrors."""
        if not self.found:
            return
        if len(self.found) == 1:
            raise self.found[0]
        raise DataErrors(sorted(self.found, key=_order))


def _order(err: DataError) -> tuple[str, int]:
    return (err.file or "", err.line or 0)


def suggest(word: object, choices: Iterable[str], *, limit: int = 3) -> str:
    """' (did you mean 'x'?)' for the nearest valid words, or '' when none is near."""
    if not isinstance(word, str):
        return ""
    pool = sorted(set(choices))
    near = difflib.get_close_matches(word, pool, n=limit, cutoff=0.75)
    if not near:
        lowered = {c.lower(): c for c in pool}
        near = [lowered[m] for m in difflib.get_close_matches(word.lower(), lowered, n=limit)]
    if not near:
        return ""
    return " (did you mean " + " or ".join(repr(n) for n in near) + "?)"
