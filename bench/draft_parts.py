"""Choosing the parts of `kg draft`: sentence splitters and date parsers, and the drafting speed.

    pip install pysbd python-dateutil dateparser   # the candidates (not dependencies of kg)
    python bench/draft_parts.py [--articles 300]

1. Sentences: hand-labelled news lines (headlines, bullets, quotations across sentence ends,
   abbreviations, datelines) split by kg.draft.segment, by the loader's kg.ingest.spans.sentences
   and by pysbd; exact-match accuracy per case, and sentences per second on the seed text.
2. Dates: the absolute dates kg draft reads (kg.draft.timex's patterns and the standard library)
   against dateutil.parser and dateparser on the same strings: agreement and speed.
3. Drafting speed: generated articles of ~500 words (bench/draft_generate.py) drafted and
   written as YAML in one process on one core: articles per second, with a pure-Python
   reference loop timed alongside (figures on a shared machine compare through it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from draft_generate import article, entities_yaml, world  # noqa: E402

from kg.draft.emit import article_yaml, claims_yaml  # noqa: E402
from kg.draft.knowledge import load_knowledge  # noqa: E402
from kg.draft.model import Doc, Meta  # noqa: E402
from kg.draft.pipeline import draft  # noqa: E402
from kg.draft.segment import segment  # noqa: E402
from kg.draft.timex import find_times  # noqa: E402
from kg.ingest.spans import sentences as loader_sentences  # noqa: E402

# (text, the sentences it holds) -- lines as they come in news copy.
CASES: list[tuple[str, list[str]]] = [
    (
        "Russia offers help - Belarus is under pressure",
        ["Russia offers help - Belarus is under pressure"],
    ),
    ("  • Putin said Belarus is under pressure", ["Putin said Belarus is under pressure"]),
    ("“We are ready. We will act,” he said.", ["“We are ready.", "We will act,” he said."]),
    (
        "Mr. Smith met Dr. Jones on Monday. They talked.",
        ["Mr. Smith met Dr. Jones on Monday.", "They talked."],
    ),
    (
        "U.S. officials said the talks failed. Russia disagreed.",
        ["U.S. officials said the talks failed.", "Russia disagreed."],
    ),
    ("The vote was on Jan. 5. Turnout was low.", ["The vote was on Jan. 5.", "Turnout was low."]),
    ("He said: “It is over.” Nobody answered.", ["He said: “It is over.”", "Nobody answered."]),
    ("Why is Putin supporting Belarus?", ["Why is Putin supporting Belarus?"]),
    ("“Is it war?” she asked. No one knew.", ["“Is it war?” she asked.", "No one knew."]),
    (
        "MINSK, Aug 17 (Reuters) - Protests grew. Police watched.",
        ["Protests grew.", "Police watched."],
    ),
    (
        "Prices rose 2.5 percent in May. Wages did not.",
        ["Prices rose 2.5 percent in May.", "Wages did not."],
    ),
    (
        "The talks (which began in 2019) failed. Both sides left.",
        ["The talks (which began in 2019) failed.", "Both sides left."],
    ),
    ("Gen. Ivanov denied it. The army stayed.", ["Gen. Ivanov denied it.", "The army stayed."]),
    (
        "It ended at 5 p.m. on Sunday. Then it rained.",
        ["It ended at 5 p.m. on Sunday.", "Then it rained."],
    ),
]


def split_ours(text: str) -> list[str]:
    """kg draft's sentences of a line under a headline (the headline left out)."""
    doc = Doc("Headline\n\n" + text, Meta("x", headline="Headline"))
    segment(doc, KB)
    return [doc.text[s.begin : s.end] for s in doc.sentences if s.kind != "headline"]


def split_loader(text: str) -> list[str]:
    return [text[b:e] for b, e in loader_sentences(text)]


def sentences_bench() -> None:
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)

    def split_pysbd(text: str) -> list[str]:
        body = text.strip()
        return [s.sent.strip() for s in seg.segment(body) if s.sent.strip()]

    print("### Sentences\n")
    print(f"| splitter | cases right (of {len(CASES)}) | sentences/s on the seed text |")
    print("|---|---:|---:|")
    seed = (ROOT / "data/articles/belarus-protests-2020/article.txt").read_text(encoding="utf-8")
    for name, fn in (
        ("kg.draft.segment", split_ours),
        ("loader (kg.ingest.spans)", split_loader),
        ("pysbd 0.3.4", split_pysbd),
    ):
        right = sum(fn(text) == want for text, want in CASES)
        n = len(fn(seed))
        t = time.perf_counter()
        rounds = 0
        while time.perf_counter() - t < 1.0:
            fn(seed)
            rounds += 1
        rate = n * rounds / (time.perf_counter() - t)
        print(f"| {name} | {right} | {rate:,.0f} |")
    wrong = [(text, split_ours(text)) for text, want in CASES if split_ours(text) != want]
    for text, got in wrong:
        print(f"\nkg.draft.segment differs on {text!r}: {got}")


DATES = [
    "August 25, 1991",
    "25 August 1991",
    "June 1994",
    "2020-08-09",
    "Aug. 5, 2024",
    "on 10 November",
    "March 3, 2021",
    "1 January 2000",
]


def dates_bench() -> None:
    import dateparser
    from dateutil import parser as dateutil_parser

    anchor = dt.date(2024, 9, 2)
    doc = Doc("", Meta("x", date=anchor), anchor=anchor)

    def ours(s: str) -> dt.date | None:
        doc.text = f"It happened {s}."
        doc.sentences = []
        doc._tokens = None
        segment(doc, KB)
        found = find_times(doc, KB)
        return (
            found[0].date or (found[0].interval[0] if found[0].interval else None)
            if found
            else None
        )

    default = dt.datetime(anchor.year, 1, 1)
    print("\n### Dates\n")
    print("| parser | parses/s | agrees with kg.draft on |")
    print("|---|---:|---|")
    base = {s: ours(s) for s in DATES}
    for name, fn in (
        ("kg.draft.timex (regex + datetime)", ours),
        (
            "dateutil.parser 4.0",
            lambda s: dateutil_parser.parse(s.replace("on ", ""), default=default).date(),
        ),
        (
            "dateparser 1.5",
            lambda s: (
                dateparser.parse(s.replace("on ", ""), settings={"RELATIVE_BASE": default})
                or default
            ).date(),
        ),
    ):
        t = time.perf_counter()
        rounds = 0
        while time.perf_counter() - t < 1.0:
            for s in DATES:
                fn(s)
            rounds += 1
        rate = rounds * len(DATES) / (time.perf_counter() - t)
        agree = sum(fn(s) == base[s] for s in DATES)
        print(f"| {name} | {rate:,.0f} | {agree}/{len(DATES)} |")


def speed_bench(n: int) -> None:
    rng = random.Random(7)
    w = world(rng)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp)
        (src / "data").mkdir()
        (src / "data" / "entities.yaml").write_text(entities_yaml(w), encoding="utf-8")
        kb = load_knowledge(src)
        texts = [article(rng, w, 500) for _ in range(n)]
    words = sum(len(t.split()) for t in texts) / n
    ref = min(_ref() for _ in range(5))
    best = float("inf")
    for _ in range(3):
        t = time.process_time()
        claims = 0
        for i, text in enumerate(texts):
            doc = draft(text, Meta(f"a{i}", date=dt.date(2024, 3, 1)), kb)
            claims += len(doc.claims)
            article_yaml(doc)
            claims_yaml(doc)
        best = min(best, time.process_time() - t)
    ref_after = min(_ref() for _ in range(5))
    per = best / n * 1000
    print("\n### Drafting speed (one process, one core)\n")
    print(
        f"{n} generated articles, {words:.0f} words and {claims / n:.0f} drafted claims each: "
        f"{per:.1f} ms of CPU per article ({1000 / per:.0f} articles per second); the reference "
        f"loop took {ref:.1f} ms before and {ref_after:.1f} ms after (best of 5): "
        f"{per / min(ref, ref_after):.2f} reference loops per article"
    )


def _ref() -> float:
    """A fixed pure-Python loop, in ms of CPU (the same clock as the drafting figure)."""
    t = time.process_time()
    sum(range(1_000_000))
    return (time.process_time() - t) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    args = parser.parse_args()
    sentences_bench()
    dates_bench()
    speed_bench(args.articles)


KB = load_knowledge(ROOT)

if __name__ == "__main__":
    main()
