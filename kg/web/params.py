"""Request parameters of the pages, checked: a bad one is a 400 that says why, never a 500."""

from __future__ import annotations

from flask import request

from kg.errors import BadParameter

MAX_PAGE_DIGITS = 7  # a page number past 9,999,999 is surely not a real page


def page_number(name: str = "page") -> int:
    """The 1-based page number in `?name=` (1 when absent); not a whole number >= 1: a 400.

    A number past the last page is the caller's 404 (it knows how many pages there are)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return 1
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_PAGE_DIGITS or int(raw) < 1:
        shown = raw if len(raw) <= 20 else raw[:20] + "…"
        raise BadParameter(f"{name} must be a page number (1, 2, ...), not {shown!r}")
    return int(raw)
