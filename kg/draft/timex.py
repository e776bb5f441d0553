"""Stage 4, time and quantities: time expressions resolved against the anchor date, and counts.

The conventions (which day "on Sunday" is, what "this week" covers) are listed in
lexicons/time.yaml and the README. Absolute dates are read with the standard library (a date the
calendar does not have is skipped); month and year arithmetic clamps the day to the month's end.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from bisect import bisect_right

from kg.draft.knowledge import Knowledge
from kg.draft.model import Doc, Quantity, TimeExpr, windows

DAY = dt.timedelta(days=1)
_NEXT_WORD = re.compile(r"\s+(\w+)")


def shift(day: dt.date, years: int = 0, months: int = 0) -> dt.date:
    """`day` moved by whole years and months, the day clamped to the target month's length."""
    total = day.year * 12 + (day.month - 1) + years * 12 + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def back(anchor: dt.date, n: int, unit: str) -> dt.date:
    """`anchor` minus n units."""
    if unit == "day":
        return anchor - n * DAY
    if unit == "week":
        return anchor - 7 * n * DAY
    if unit == "fortnight":
        return anchor - 14 * n * DAY
    if unit == "month":
        return shift(anchor, months=-n)
    if unit == "year":
        return shift(anchor, years=-n)
    return shift(anchor, years=-10 * n)  # decade


def forward(anchor: dt.date, n: int, unit: str) -> dt.date:
    if unit in ("day", "week", "fortnight"):
        return anchor + {"day": 1, "week": 7, "fortnight": 14}[unit] * n * DAY
    if unit == "month":
        return shift(anchor, months=n)
    if unit == "year":
        return shift(anchor, years=n)
    return shift(anchor, years=10 * n)


class _Grammar:
    """The time and quantity patterns, compiled from the lexicons once."""

    def __init__(self, kb: Knowledge) -> None:
        t, q = kb.lex.time, kb.lex.quantities
        self.weekdays = [w.lower() for w in t["weekdays"]]
        self.months = {m.lower(): i + 1 for i, m in enumerate(t["months"])}
        self.months.update({k.lower(): v for k, v in t["month_abbreviations"].items()})
        self.numbers = {k.lower(): int(v) for k, v in t["numbers"].items()}
        self.units = {}
        for one, many in t["units"].items():
            self.units[one] = one
            self.units[many] = one
        self.tolerance = {k: int(v) for k, v in t["ago_tolerance_days"].items()}
        wd = "|".join(self.weekdays)
        mo = "|".join(sorted((re.escape(m) for m in self.months), key=len, reverse=True))
        num = r"\d+|" + "|".join(sorted(self.numbers, key=len, reverse=True))
        unit = "|".join(sorted(self.units, key=len, reverse=True))
        part = "|".join(t["parts_of_day"])
        now = "|".join(sorted((re.escape(w) for w in t["now_words"]), key=len, reverse=True))
        self.patterns: list[tuple[str, re.Pattern[str]]] = [
            (
                "date_mdy",
                re.compile(
                    rf"\b(?:on\s+)?({mo})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I
                ),
            ),
            (
                "date_dmy",
                re.compile(
                    rf"\b(?:on\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+({mo})\.?,?\s+(\d{{4}})\b", re.I
                ),
            ),
            ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
            ("month_year", re.compile(rf"\b(?:in\s+)?({mo})\s+(\d{{4}})\b", re.I)),
            (
                "day_month",
                re.compile(
                    rf"\bon\s+(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+({mo})|({mo})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?)\b(?!,?\s+\d{{4}})",
                    re.I,
                ),
            ),
            ("month", re.compile(rf"\bin\s+({mo})\b(?!\s+\d)", re.I)),
            (
                "weekday",
                re.compile(
                    rf"\b(?:(?:late|early)\s+)?on\s+({wd})(?:\s+({part}))?\b|\b({wd})\s+({part})\b",
                    re.I,
                ),
            ),
            ("ago", re.compile(rf"\b({num})\s+({unit})\s+ago\b", re.I)),
            (
                "past_n",
                re.compile(
                    rf"\b(?:for|over|in|during|within)\s+the\s+(?:past|last|previous)\s+({num})\s+({unit})\b",
                    re.I,
                ),
            ),
            ("this", re.compile(r"\bthis\s+(week|month|year)\b", re.I)),
            ("last", re.compile(r"\b(last|next)\s+(week|month|year)\b", re.I)),
            ("since_year", re.compile(rf"\bsince\s+(?:({mo})\s+)?(\d{{4}})\b", re.I)),
            (
                "for_n",
                re.compile(
                    rf"\bfor\s+(?:more\s+than\s+|nearly\s+|almost\s+|about\s+)?({num})\s+({unit})\b",
                    re.I,
                ),
            ),
            (
                "in_span",
                re.compile(rf"\bin\s+(?:a|an|the\s+past|the\s+last|({num}))\s+({unit})\b", re.I),
            ),
            ("in_year", re.compile(r"\bin\s+(\d{4})\b", re.I)),
            ("deictic", re.compile(r"\b(yesterday|today|tomorrow|tonight)\b", re.I)),
            ("now", re.compile(rf"(?<![\w-])(?:{now})(?![\w-])", re.I)),
        ]
        bounds = sorted(q["bounds"], key=len, reverse=True)
        self.bounds = {b.lower(): v for b, v in q["bounds"].items()}
        self.vague = {k.lower(): int(v) for k, v in q["vague_plurals"].items()}
        self.scales = {k.lower(): int(v) for k, v in q["scales"].items()}
        self.times = {k.lower(): int(v) for k, v in q["times"].items()}
        words = "|".join(
            sorted((w for w in self.numbers if w not in ("a", "an", "few")), key=len, reverse=True)
        )
        scale = "|".join(self.scales)
        bound = "|".join(re.escape(b) for b in bounds)
        vague = "|".join(sorted((re.escape(v) for v in self.vague), key=len, reverse=True))
        self.quantity = re.compile(
            rf"(?<![\w-])(?:({bound})\s+)?(?:(\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)(?:\s+({scale}))?"
            rf"|({words})(?:[\s-]+({words}))?(?:\s+({scale}))?|({vague}))(?![\w-])"
            rf"|(?<![\w-])({'|'.join(self.times)})(?![\w-])",
            re.I,
        )

        # the words a time expression must contain one of, by class (see _KIND_ANCHORS)
        self.anchor_class: dict[str, str] = {}
        for w in self.months:
            self.anchor_class[w] = "month"
        for w in self.weekdays:
            self.anchor_class[w] = "weekday"
        for w in self.units:
            self.anchor_class[w] = "unit"
        for w in ("yesterday", "today", "tomorrow", "tonight"):
            self.anchor_class[w] = "deictic"
        for w in t["now_words"]:
            self.anchor_class.setdefault(w.split()[-1].lower(), "now")
        self.quantity_words = set(self.numbers) | set(self.times) | set(self.scales)
        self.quantity_words |= {w.split()[-1] for w in self.vague}

    def number(self, word: str) -> int | None:
        if word.isdigit():
            return int(word)
        return self.numbers.get(word.lower())


_GRAMMARS: dict[int, _Grammar] = {}


def grammar(kb: Knowledge) -> _Grammar:
    key = id(kb.lex)
    if key not in _GRAMMARS:
        _GRAMMARS[key] = _Grammar(kb)
    return _GRAMMARS[key]


def _future(text: str, pos: int) -> bool:
    """Whether the clause before `pos` speaks of the future (will, next, going to)."""
    window = text[max(0, pos - 60) : pos].lower()
    return bool(re.search(r"\b(?:will|’ll|'ll|shall|going to|plans? to|is to|are to)\b", window))


def _resolve(g: _Grammar, kind: str, m: re.Match[str], anchor: dt.date | None, text: str):
    """(date, interval, why) for one match, or None if it does not resolve."""

    def needs_anchor() -> bool:
        return anchor is None

    if kind in ("date_mdy", "date_dmy", "iso"):
        if kind == "date_mdy":
            month, day, year = g.months[m.group(1).lower()], int(m.group(2)), int(m.group(3))
        elif kind == "date_dmy":
            day, month, year = int(m.group(1)), g.months[m.group(2).lower()], int(m.group(3))
        else:
            year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        try:
            return dt.date(year, month, day), None, "a calendar date"
        except ValueError:
            return None
    if kind == "month_year":
        month, year = g.months[m.group(1).lower()], int(m.group(2))
        if month == 5 and m.group(1).lower() == "may" and not m.group(1)[0].isupper():
            return None  # the modal verb "may"
        last = calendar.monthrange(year, month)[1]
        return None, (dt.date(year, month, 1), dt.date(year, month, last)), "a month of a year"
    if kind in ("day_month", "month"):
        if needs_anchor():
            return None
        name = m.group(2) or m.group(3) if kind == "day_month" else m.group(1)
        if name[0].islower() and name.lower() == "may":
            return None  # the modal verb
        month = g.months[name.lower()]
        future = _future(text, m.start())
        year = anchor.year
        if kind == "day_month":
            day = int(m.group(1) or m.group(4))
            try:
                when = dt.date(year, month, day)
                if future and when < anchor:
                    when = dt.date(year + 1, month, day)
                elif not future and when > anchor:
                    when = dt.date(year - 1, month, day)
            except ValueError:
                return None
            return when, None, "a day of a month: the nearest one in the tense's direction"
        if future and month < anchor.month:
            year += 1
        elif not future and month > anchor.month:
            year -= 1
        last = calendar.monthrange(year, month)[1]
        return (
            None,
            (dt.date(year, month, 1), dt.date(year, month, last)),
            "a month: the nearest one in the tense's direction",
        )
    if kind == "in_year":
        year = int(m.group(1))
        if not 1000 <= year <= 2999:
            return None
        return None, (dt.date(year, 1, 1), dt.date(year, 12, 31)), "'in YEAR': that calendar year"
    if kind == "since_year":
        if needs_anchor():
            return None
        year = int(m.group(2))
        month = g.months[m.group(1).lower()] if m.group(1) else 1
        start = dt.date(year, month, 1)
        if start > anchor:
            return None
        return None, (start, anchor), "'since': from then to the anchor date"
    if needs_anchor():
        return None
    if kind == "weekday":
        name = (m.group(1) or m.group(3)).lower()
        target = g.weekdays.index(name)
        if _future(text, m.start()):
            days = (target - anchor.weekday()) % 7 or 7
            return (
                anchor + days * DAY,
                None,
                f"'{name}' in the future: the next one after the anchor",
            )
        days = (anchor.weekday() - target) % 7
        return (
            anchor - days * DAY,
            None,
            f"'{name}' in the past: the last one on or before the anchor",
        )
    if kind == "ago":
        n, unit = g.number(m.group(1)), g.units[m.group(2).lower()]
        if n is None:
            return None
        day = back(anchor, n, unit)
        slack = g.tolerance.get(unit, 0) * (1 if n == 1 else 1)
        if slack:
            return (
                None,
                (day - slack * DAY, day + slack * DAY),
                f"'{n} {unit} ago', give or take {slack} days",
            )
        return day, None, f"'{n} {unit} ago'"
    if kind == "past_n":
        n, unit = g.number(m.group(1)), g.units[m.group(2).lower()]
        if n is None:
            return None
        return (
            None,
            (back(anchor, n, unit), anchor - DAY),
            "'the past N units': up to the day before the anchor",
        )
    if kind == "this":
        unit = m.group(1).lower()
        if unit == "week":
            return (
                None,
                (anchor - 7 * DAY, anchor - DAY),
                "'this week': the seven days before the anchor",
            )
        if unit == "month":
            return (
                None,
                (anchor.replace(day=1), anchor),
                "'this month': its first day to the anchor",
            )
        return (
            None,
            (anchor.replace(month=1, day=1), anchor),
            "'this year': 1 January to the anchor",
        )
    if kind == "last":
        which, unit = m.group(1).lower(), m.group(2).lower()
        step = -1 if which == "last" else 1
        if unit == "week":
            monday = anchor - anchor.weekday() * DAY + step * 7 * DAY
            return None, (monday, monday + 6 * DAY), f"'{which} week': that calendar week"
        if unit == "month":
            first = shift(anchor.replace(day=1), months=step)
            last = calendar.monthrange(first.year, first.month)[1]
            return None, (first, first.replace(day=last)), f"'{which} month': that calendar month"
        year = anchor.year + step
        return (
            None,
            (dt.date(year, 1, 1), dt.date(year, 12, 31)),
            f"'{which} year': that calendar year",
        )
    if kind in ("for_n", "in_span"):  # "for 20 years", "in a decade"
        n = g.number(m.group(1)) if m.group(1) else 1
        unit = g.units[m.group(2).lower()]
        if n is None:
            return None
        words = "'for N units'" if kind == "for_n" else "'in N units'"
        if _future(text, m.start()):
            span = (anchor, forward(anchor, n, unit))
            return None, span, f"{words} in the future: from the anchor"
        return None, (back(anchor, n, unit), anchor), f"{words}: the span up to the anchor"
    if kind == "deictic":
        word = m.group(1).lower()
        offset = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[word]
        return anchor + offset * DAY, None, f"'{word}'"
    if kind == "now":
        return anchor, None, "as of the anchor date"
    return None


def _fronted(text: str, begin: int, end: int, sentence_begin: int) -> bool:
    """A time adverbial opening its sentence and set off by a comma ("So far, ...")."""
    return text[sentence_begin:begin].strip() == "" and text[end : end + 1] == ","


# Which anchor words each pattern needs nearby: it is tried only around them.
_KIND_ANCHORS = {
    "date_mdy": ("month",),
    "date_dmy": ("month",),
    "iso": ("year",),
    "month_year": ("month",),
    "day_month": ("month",),
    "month": ("month",),
    "weekday": ("weekday",),
    "ago": ("unit",),
    "past_n": ("unit",),
    "this": ("unit",),
    "last": ("unit",),
    "since_year": ("year",),
    "for_n": ("unit",),
    "in_span": ("unit",),
    "in_year": ("year",),
    "deictic": ("deictic",),
    "now": ("now",),
}


def _matches(
    pattern: re.Pattern[str], text: str, spots: list[tuple[int, int]]
) -> list[re.Match[str]]:
    """Matches of `pattern` inside the windows (each found once)."""
    out, seen = [], set()
    for wb, we in spots:
        for m in pattern.finditer(text, wb, we):
            if m.span() not in seen:
                seen.add(m.span())
                out.append(m)
    return out


def find_times(doc: Doc, kb: Knowledge) -> list[TimeExpr]:
    g, text, out = grammar(kb), doc.text, []
    taken: list[tuple[int, int]] = []
    begins = [s.begin for s in doc.sentences]
    by_class: dict[str, list[tuple[int, int]]] = {}
    for b, e, w in doc.tokens():
        cls = g.anchor_class.get(w) or ("year" if w.isdigit() and len(w) == 4 else None)
        if cls is not None:
            by_class.setdefault(cls, []).append((b, e))
    for kind, pattern in g.patterns:
        spans = [sp for cls in _KIND_ANCHORS[kind] for sp in by_class.get(cls, ())]
        if not spans:
            continue
        for m in _matches(pattern, text, windows(spans, 40, 30, len(text))):
            b, e = m.start(), m.end()
            i = bisect_right(begins, b) - 1
            if i < 0 or e > doc.sentences[i].end:
                continue  # outside every sentence (a dateline) or across two
            sentence = doc.sentences[i]
            if any(b < te and tb < e for tb, te in taken):
                continue
            if (
                kind == "now"
                and m.group(0).lower() == "still"
                and _sentence_start(text, b, sentence.begin)
            ):
                continue  # "Still, ..." is a connective
            got = _resolve(g, kind, m, doc.anchor, text)
            if got is None:
                continue
            date, interval, why = got
            taken.append((b, e))
            out.append(
                TimeExpr(b, e, text[b:e], date, interval, why, _fronted(text, b, e, sentence.begin))
            )
    return sorted(out, key=lambda t: t.begin)


def _sentence_start(text: str, pos: int, begin: int) -> bool:
    return text[begin:pos].strip() == "" and text[pos + 5 : pos + 6] == ","


def find_quantities(doc: Doc, kb: Knowledge) -> list[Quantity]:
    g, text, out = grammar(kb), doc.text, []
    times = [(t.begin, t.end) for t in doc.times]
    begins = [s.begin for s in doc.sentences]
    anchors = [(b, e) for b, e, w in doc.tokens() if w[0].isdigit() or w in g.quantity_words]
    for m in _matches(g.quantity, text, windows(anchors, 30, 20, len(text))):
        b, e = m.start(), m.end()
        i = bisect_right(begins, b) - 1
        if i < 0 or e > doc.sentences[i].end:
            continue
        if any(tb <= b < te for tb, te in times):
            continue
        bound = (m.group(1) or "").lower()
        if m.group(8):
            n = g.times[m.group(8).lower()]
            out.append(Quantity(b, e, m.group(0), exact=n, why=f"{m.group(8)!r} = {n} times"))
            continue
        vague = False
        if m.group(7):
            value, vague = g.vague[m.group(7).lower()], True
            why = f"{m.group(7)!r}: at least {value} (a plural of a number means two or more of it)"
        elif m.group(2):
            raw = m.group(2).replace(",", "")
            if "." in raw:
                value = int(float(raw) * g.scales.get((m.group(3) or "").lower(), 1))
            else:
                value = int(raw) * g.scales.get((m.group(3) or "").lower(), 1)
            why = "a number"
            if 1000 <= value <= 2999 and not m.group(3) and "," not in m.group(2) and not bound:
                continue  # a year
        else:
            first = g.numbers.get(m.group(4).lower())
            second = g.numbers.get((m.group(5) or "").lower(), 0)
            if first is None:
                continue
            value = first + second
            value *= g.scales.get((m.group(6) or "").lower(), 1)
            why = "a number word"
        if not bound and not vague and value < 2 and not m.group(2):
            continue  # "one" is mostly not a count
        after = _NEXT_WORD.match(text, e)
        if after is not None and (
            after.group(1).lower() in g.units
            or after.group(1).lower() in ("hours", "hour", "minutes", "percent", "per")
        ):
            continue  # a duration ("seven days") or a share ("61 percent"), not a count
        q = Quantity(b, e, text[b:e], vague=vague, why=why)
        kind = g.bounds.get(bound) if bound else None
        if vague:
            q.minimum = value
        elif kind == "max":
            q.maximum = value
        elif kind == "below":
            q.maximum = value - 1
        elif kind == "min":
            q.minimum = value
        elif kind == "above":
            q.minimum = value + 1
        elif kind == "approx":
            q.exact, q.vague = value, True
        else:
            q.exact = value
        if bound:
            q.why = f"{bound!r} gives the {kind} bound of {value}"
        out.append(q)
    return sorted(out, key=lambda q: q.begin)


def timex(doc: Doc, kb: Knowledge) -> None:
    """Fill doc.times and doc.quantities."""
    doc.times = find_times(doc, kb)
    doc.quantities = find_quantities(doc, kb)
