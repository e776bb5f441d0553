"""kg.progress: a bar only on a terminal, counts and rate always."""

from __future__ import annotations

import io

from kg.progress import progress, track


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_when_not_a_terminal() -> None:
    stream = io.StringIO()
    with progress("work", total=3, stream=stream) as state:
        for _ in range(3):
            state.advance()
    assert stream.getvalue() == ""
    assert state.done == 3
    assert state.bar is None


def test_bar_on_a_terminal_counts_and_shows_the_total() -> None:
    stream = FakeTerminal()
    with progress("rows", total=5, unit="row", stream=stream) as state:
        for _ in range(5):
            state.advance()
        assert state.bar is not None and state.bar.n == 5
    assert "0/5" in stream.getvalue() and "rows" in stream.getvalue()
    assert state.done == 5


def test_track_yields_every_item() -> None:
    assert list(track(range(4), "rows", total=4, stream=io.StringIO())) == [0, 1, 2, 3]


def test_a_note_made_now_is_drawn_before_the_bar_moves_again() -> None:
    stream = FakeTerminal()
    with progress("kg build", total=2, unit="article", stream=stream) as state:
        state.advance(2)
        state.note("a00001")  # drawn with the next update only
        assert "a00001" not in stream.getvalue()
        state.note("writing the store", now=True)
        assert "writing the store" in stream.getvalue()
