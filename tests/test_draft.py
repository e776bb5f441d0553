"""kg draft, stage by stage on small general texts: segmentation, cues, linking, time,
attribution, propositions, and the YAML it writes (which must read back exactly)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from kg.draft.emit import claims_yaml, scalar
from kg.draft.knowledge import Knowledge, load_knowledge
from kg.draft.model import Doc, Meta
from kg.draft.pipeline import draft
from kg.draft.segment import segment
from kg.errors import DataError
from kg.ingest.yamlfile import load_yaml

ANCHOR = dt.date(2024, 5, 15)  # a Wednesday

ENTITIES = """
- {id: aland, type: State, label: Aland, altLabel: [Alandic]}
- {id: bestia, type: State, label: Bestia, altLabel: [Bestian]}
- {id: cordia-city, type: City, label: Cordia City}
- {id: ada-ring, type: Leader, label: Ada Ring}
- {id: bo-stark, type: Person, label: Bo Stark}
- {id: pact, type: Alliance, label: Northern Pact}
- {id: government-of-aland, type: Organisation, label: Government of Aland}
- {id: president-of-aland, type: Post, label: President of Aland, postIn: aland}
- {id: foreign-minister-of-bestia, type: Post, label: Foreign Minister of Bestia, postIn: bestia}
"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    """A small invented entity list (no reference facts)."""
    src = tmp_path_factory.mktemp("draft-kb")
    (src / "data").mkdir()
    (src / "data" / "entities.yaml").write_text(ENTITIES, encoding="utf-8")
    return load_knowledge(src)


def run(text: str, kb: Knowledge, headline: str | None = None) -> Doc:
    return draft(text, Meta("t", headline=headline, date=ANCHOR), kb)


def claim_at(doc: Doc, words: str):
    """The drafted claim whose quote starts with `words` (exactly one)."""
    found = [c for c in doc.claims if doc.text[c.begin : c.end].startswith(words)]
    assert len(found) == 1, [doc.text[c.begin : c.end] for c in doc.claims]
    return found[0]


# --- segmentation ---------------------------------------------------------------------------


def test_lines_bullets_headings_and_sentences_with_exact_offsets(kb: Knowledge) -> None:
    text = (
        "Aland warns Bestia over border\n"
        "  • Ada Ring said troops were ready\n"
        "  • “We will not wait,” Bo Stark said\n\n"
        "A quiet border\n\n"
        "Mr. Stark met Dr. Ring on Monday. “We are ready. We always were,” he said. Talks end.\n"
    )
    doc = Doc(text, Meta("t"))
    segment(doc, kb)
    got = [(s.kind, text[s.begin : s.end]) for s in doc.sentences]
    assert got == [
        ("headline", "Aland warns Bestia over border"),
        ("bullet", "Ada Ring said troops were ready"),
        ("bullet", "“We will not wait,” Bo Stark said"),
        ("heading", "A quiet border"),
        ("body", "Mr. Stark met Dr. Ring on Monday."),
        ("body", "“We are ready."),
        ("body", "We always were,” he said."),
        ("body", "Talks end."),
    ]
    quotes = [text[q.begin : q.end] for q in doc.quotations]
    assert quotes == ["We will not wait,", "We are ready. We always were,"]


def test_a_quotation_across_sentences_is_one_speakers(kb: Knowledge) -> None:
    doc = run("Talks\n\n“We are ready. We will act,” Ada Ring said.\n", kb)
    quoted = [c for c in doc.claims if c.attribution == "quote"]
    assert [doc.text[c.begin : c.end] for c in quoted] == ["We are ready.", "We will act"]
    assert {c.claimant for c in quoted} == {"ada-ring"}


# --- attribution ----------------------------------------------------------------------------

CASES = [
    # sentence, claim start, claimant, attribution, polarity, certainty, modality
    (
        "Ada Ring said Bestia had moved troops.",
        "Ada Ring said",
        "ada-ring",
        "reported",
        "+",
        "CT",
        "actual",
    ),
    (
        "“Bestia moved its troops,” Ada Ring said.",
        "Bestia moved",
        "ada-ring",
        "quote",
        "+",
        "CT",
        "actual",
    ),
    (
        "“Bestia moved its troops,” said Ada Ring.",
        "Bestia moved",
        "ada-ring",
        "quote",
        "+",
        "CT",
        "actual",
    ),
    (
        "Bo Stark told reporters: “The border is closed.”",
        "The border",
        "bo-stark",
        "quote",
        "+",
        "CT",
        "actual",
    ),
    (
        "According to local media, Bestia moved troops.",
        "According",
        "local-media",
        "hearsay",
        "+",
        "CT",
        "actual",
    ),
    (
        "According to Ada Ring, Bestia moved troops.",
        "According",
        "ada-ring",
        "reported",
        "+",
        "CT",
        "actual",
    ),
    (
        "Bestia is said to be preparing an attack.",
        "Bestia is said",
        "unattributed",
        "hedge",
        "+",
        "PR",
        "actual",
    ),
    (
        "Troops reportedly crossed the border.",
        "Troops",
        "unattributed",
        "hedge",
        "+",
        "PR",
        "actual",
    ),
    ("Ring is widely seen as a hardliner.", "Ring", "unattributed", "hedge", "+", "PR", "actual"),
    ("Bestia has denied this.", "Bestia has denied", "bestia", "reported", "-", "CT", "actual"),
    (
        "Bestia did not move any troops.",
        "Bestia did not",
        "publisher",
        "author",
        "-",
        "CT",
        "actual",
    ),
    ("Aland may close the border.", "Aland may", "publisher", "author", "+", "PS", "future"),
    ("Aland will close the border.", "Aland will", "publisher", "author", "+", "CT", "future"),
    (
        "If talks fail, Aland would close the border.",
        "If talks",
        "publisher",
        "author",
        "+",
        "CT",
        "conditional",
    ),
    ("A deal would probably follow.", "A deal", "publisher", "author", "+", "PR", "hypothetical"),
    ("Analysts say the talks failed.", "Analysts", "analysts", "reported", "+", "CT", "actual"),
    (
        "Aland considers Bestia a threat.",
        "Aland considers",
        "aland",
        "reported",
        "+",
        "CT",
        "actual",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_attribution_of_one_sentence(kb: Knowledge, case: tuple[str, ...]) -> None:
    sentence, start, claimant, attribution, polarity, certainty, modality = case
    doc = run(f"Border news\n\n{sentence}\n", kb)
    c = claim_at(doc, start)
    got = (c.claimant, c.attribution, c.polarity, c.certainty, c.modality)
    assert got == (claimant, attribution, polarity, certainty, modality), c.why


def test_reported_speech_continues_into_the_next_sentence_only_when_it_may(kb: Knowledge) -> None:
    text = (
        "Border news\n\n"
        "Ada Ring said Bestia had moved troops. It has deployed tanks. However, Bestia waits.\n\n"
        "Bo Stark said the talks failed. The delegates left on Monday.\n"
    )
    doc = run(text, kb)
    assert claim_at(doc, "It has deployed").claimant == "ada-ring"  # present perfect: continues
    assert claim_at(doc, "However").claimant == "publisher"  # a contrast word stops it
    assert claim_at(doc, "The delegates left").claimant == "publisher"  # past tense: narration


def test_pronouns_titles_and_demonyms_find_the_speaker(kb: Knowledge) -> None:
    text = (
        "Border news\n\n"
        "Alandic President Ada Ring met Bo Stark on Monday. She said the border would reopen.\n\n"
        "“We are ready,” the Alandic president said.\n"
    )
    doc = run(text, kb)
    assert claim_at(doc, "She said").claimant == "ada-ring"
    assert claim_at(doc, "We are ready").claimant == "ada-ring"
    title = next(c for c in doc.claims if c.kind == "title" and c.claimant == "publisher")
    assert doc.text[title.begin : title.end] == "Alandic President Ada Ring"
    assert title.proposition.type == "TenureStatement"
    assert title.proposition.roles == {"holder": "ada-ring", "post": "president-of-aland"}


def test_a_denial_shares_the_proposition_it_disputes(kb: Knowledge) -> None:
    text = "News\n\nAda Ring said Bestia deployed troops near Cordia City. Bestia denied this.\n"
    doc = run(text, kb)
    accusation, denial = claim_at(doc, "Ada Ring said"), claim_at(doc, "Bestia denied")
    assert denial.act == "Denial" and denial.polarity == "-"
    assert denial.disputes == [accusation]
    assert denial.proposition is accusation.proposition
    assert accusation.act == "Accusation"  # someone else's hostile act, told by another
    event = accusation.proposition.roles["event"]
    assert event["type"] == "Deployment" and event["agent"] == "bestia"


def test_unknown_names_become_stubs_and_groups_become_agents(kb: Knowledge) -> None:
    text = "Border news\n\nResidents of Cordia City said Zora Velk had fled to Pranto.\n"
    doc = run(text, kb)
    c = claim_at(doc, "Residents")
    assert c.claimant == "residents-of-cordia-city"
    assert doc.agents["residents-of-cordia-city"][0] == "Group"
    assert {(s.sid, s.type) for s in doc.stubs} == {("zora-velk", "Person"), ("pranto", "Place")}
    assert all(not s.sid.startswith("q") for s in doc.stubs)  # never a guessed Wikidata id


# --- time and quantities ---------------------------------------------------------------------

TIMES = [
    ("on Monday", dt.date(2024, 5, 13), None),
    ("on Wednesday", dt.date(2024, 5, 15), None),
    ("a week ago", None, (dt.date(2024, 5, 6), dt.date(2024, 5, 10))),
    ("for the past seven days", None, (dt.date(2024, 5, 8), dt.date(2024, 5, 14))),
    ("this week", None, (dt.date(2024, 5, 8), dt.date(2024, 5, 14))),
    ("last week", None, (dt.date(2024, 5, 6), dt.date(2024, 5, 12))),
    ("next year", None, (dt.date(2025, 1, 1), dt.date(2025, 12, 31))),
    ("for 20 years", None, (dt.date(2004, 5, 15), dt.date(2024, 5, 15))),
    ("in 1994", None, (dt.date(1994, 1, 1), dt.date(1994, 12, 31))),
    ("in June 1994", None, (dt.date(1994, 6, 1), dt.date(1994, 6, 30))),
    ("on August 25, 1991", dt.date(1991, 8, 25), None),
    ("since 2019", None, (dt.date(2019, 1, 1), dt.date(2024, 5, 15))),
    ("yesterday", dt.date(2024, 5, 14), None),
    ("in March", None, (dt.date(2024, 3, 1), dt.date(2024, 3, 31))),
]


@pytest.mark.parametrize(("words", "date", "interval"), TIMES, ids=[t[0] for t in TIMES])
def test_time_expressions_resolve_against_the_anchor(kb, words, date, interval) -> None:
    doc = run(f"Border news\n\nTroops moved {words}, officials said.\n", kb)
    found = [t for t in doc.times if t.text.endswith(words.split(" ", 1)[-1])]
    assert len(found) == 1, [(t.text, t.date, t.interval) for t in doc.times]
    assert (found[0].date, found[0].interval) == (date, interval)


QUANTITIES = [
    ("As many as 200,000 people", None, None, 200000, False),
    ("thousands of people", None, 2000, None, True),
    ("at least 40 people", None, 40, None, False),
    ("more than 300 people", None, 301, None, False),
    ("about 4,000 people", 4000, None, None, True),
    ("two people", 2, None, None, False),
    ("twice", 2, None, None, False),
]


@pytest.mark.parametrize(
    ("words", "exact", "minimum", "maximum", "vague"), QUANTITIES, ids=[q[0] for q in QUANTITIES]
)
def test_quantities_with_their_bounds(kb, words, exact, minimum, maximum, vague) -> None:
    doc = run(f"Border news\n\nOfficials said {words} were seen.\n", kb)
    assert len(doc.quantities) == 1, doc.quantities
    q = doc.quantities[0]
    assert (q.exact, q.minimum, q.maximum, q.vague) == (exact, minimum, maximum, vague)
    assert doc.text[q.begin : q.end] == q.text


# --- the YAML -------------------------------------------------------------------------------


def test_scalars_read_back_exactly(tmp_path: Path) -> None:
    rng = random.Random(12)
    alphabet = (
        "aé“”’‘\"'\\:#-\n\t\r\x00\x07\x7f\x85\xa0\u2028\u2029\ufeff\ufffe\U0001f600 {}[]&*!|>%@`"
    )
    values = ["", "yes", "no", "null", "~", "12", "2024-05-15", "- x", "#", "a: b"]
    values += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(300)]
    path = tmp_path / "s.yaml"
    path.write_text("".join(f"- {scalar(v)}\n" for v in values), encoding="utf-8")
    assert list(load_yaml(path, "s.yaml")) == values


def test_every_drafted_value_says_why(kb: Knowledge) -> None:
    doc = run("Border news\n\nBestia moved troops on Monday, Ada Ring said.\n", kb)
    text = claims_yaml(doc)
    line = next(x for x in text.splitlines() if x.strip().startswith("claimant: ada-ring"))
    assert "#" in line and "said" in line.split("#", 1)[1]
    assert "# 'monday' in the past: the last one on or before the anchor" in text.lower()


@pytest.mark.parametrize("text", ["", "   \n\n  \t\n", "— • —\n"])
def test_a_text_with_no_sentence_is_refused(kb: Knowledge, text: str) -> None:
    with pytest.raises(DataError, match="empty|no sentence"):
        run(text, kb)


def test_durations_and_shares_are_not_counts(kb: Knowledge) -> None:
    """A duration ("seven days") or a share ("61 percent") is no count, even without a date."""
    text = "News\n\nProtests went on for seven days. Turnout was 61 percent. Two people died.\n"
    doc = draft(text, Meta("t"), kb)  # no date: the time expressions stay unresolved
    assert [(q.text, q.exact) for q in doc.quantities] == [("Two", 2)]
