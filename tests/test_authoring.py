"""The compact claims.yaml: the seed loses nothing, and each default and shorthand means what the
format page says (docs/format.md), checked on the compiled graph."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.config import Config
from kg.errors import DataError
from kg.ingest.compile import Compiled, compile_sources
from kg.namespaces import DCTERMS, GC, GCS, ITSRDF, PROV, SCHEMA

ROOT = Path(__file__).resolve().parent.parent
SEED = "belarus-protests-2020"
LEGACY = Path(__file__).parent / "data" / "legacy" / f"{SEED}-claims.yaml"
FIXED_TIME = "2020-01-01T00:00:00Z"


def _compile(src: Path) -> Compiled:
    config = Config.load({"source_dir": str(src)}, environ={})
    return compile_sources(config, started=lambda _: FIXED_TIME)


def _data_quads(c: Compiled) -> set[ox.Quad]:
    """The article's quads, its load activity renamed (its IRI hashes the input files' bytes)."""
    art = c.articles[SEED]
    activity, renamed = ox.NamedNode(art.activity), ox.NamedNode(f"{art.iri}/load/ACTIVITY")
    out = set()
    for q in c.quads(c.units[f"article/{SEED}"]):
        s = renamed if q.subject == activity else q.subject
        o = renamed if q.object == activity else q.object
        if q.predicate.value == GC + "sha256" and q.subject == activity:
            o = ox.Literal("DIGEST")
        out.add(ox.Quad(s, q.predicate, o, q.graph_name))
    return out


def test_the_compact_seed_compiles_to_the_graph_of_its_long_form(tmp_path: Path) -> None:
    compact = _compile(ROOT)
    src = tmp_path / "long"
    shutil.copytree(ROOT / "ontology", src / "ontology")
    shutil.copytree(ROOT / "data", src / "data")
    shutil.copy(LEGACY, src / "data" / "articles" / SEED / "claims.yaml")
    long = _compile(src)
    a, b = _data_quads(compact), _data_quads(long)
    assert len(a) > 2500
    assert a == b, (sorted(map(str, a - b))[:5], sorted(map(str, b - a))[:5])
    # The compact file is the shorter one: about 11 lines a claim less the notes and comments.
    lines = (ROOT / "data" / "articles" / SEED / "claims.yaml").read_text().count("\n")
    assert lines < 0.7 * LEGACY.read_text().count("\n")


TEXT = (
    "Minsk accuses Kyiv – Invented report\n"
    "Lukashenko said on Monday that “they [Ukraine] want to attack us, they say ‘we will take "
    "Belarus’ every day”. Ukraine constantly provokes at the border, he said. Kyiv is said to be "
    "planning an attack. Ukraine denied it. The ministry did not respond to a request for comment."
    "\n"
)
ENTITIES = """
- {id: belarus, type: State, label: Belarus}
- {id: ukraine, type: State, label: Ukraine}
- {id: russia, type: State, label: Russia}
- {id: alexander-lukashenko, type: Leader, label: Alexander Lukashenko}
- {id: belta, type: Organisation, label: BelTA}
- {id: ministry, type: Organisation, label: The ministry}
"""
ARTICLE = """
id: invented
headline: "Minsk accuses Kyiv – Invented report"
language: en
publisher: null
url: null
datePublished: 2022-03-15
datePublishedMethod: stated
anchorDate: 2022-03-15
"""


def _source(tmp_path: Path, claims: str, article: str = ARTICLE) -> Path:
    src = tmp_path / "src"
    shutil.copytree(ROOT / "ontology", src / "ontology")
    folder = src / "data" / "articles" / "invented"
    folder.mkdir(parents=True)
    (src / "data" / "entities.yaml").write_text(textwrap.dedent(ENTITIES), encoding="utf-8")
    (folder / "article.txt").write_text(TEXT, encoding="utf-8")
    (folder / "article.yaml").write_text(textwrap.dedent(article), encoding="utf-8")
    (folder / "claims.yaml").write_text(textwrap.dedent(claims), encoding="utf-8")
    return src


CLAIMS = """
claims:
  - id: c-headline
    quote: "Minsk accuses Kyiv"
    _why: "a comment key: ignored by the loader"
    proposition: {type: BorderIncident, agent: ukraine, alongBorderOf: belarus}
  - id: c-want
    quote: "they [Ukraine] want to attack us, they say ‘we will take Belarus’ every day"
    claimant: alexander-lukashenko
    attribution: quote
    act: Accusation
    via: [belta]
    brackets: {"[Ukraine]": ukraine}
    said: {on Monday: 2022-03-14}
    proposition:
      type: Intention
      agent: ukraine
      intended: {type: Attack, agent: ukraine, target: belarus}
  - id: c-take
    quote: "we will take Belarus"
    claimant: ukraine
    attribution: quote
    act: Threat
    modality: future
    within: c-want
    proposition: {id: p-take, type: Invasion, agent: ukraine, target: belarus}
  - id: c-provokes
    quote: "Ukraine constantly provokes at the border"
    claimant: alexander-lukashenko
    attribution: reported
    act: Accusation
    proposition:
      {type: BorderIncident, agent: ukraine, alongBorderOf: belarus, frequency: constantly}
  - id: c-planning
    quote: "Kyiv is said to be planning an attack."
    attribution: hedge
    proposition: p-take
  - id: c-denied
    quote: "Ukraine denied it."
    claimant: ukraine
    attribution: reported
    act: Denial
    disputes: [c-planning]
    proposition: p-take
  - id: c-no-comment
    quote: "The ministry did not respond to a request for comment."
    proposition: {type: CommentRefusal, agent: ministry}
"""


@pytest.fixture(scope="module")
def invented(tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    return _compile(_source(tmp_path_factory.mktemp("authoring"), CLAIMS))


def _claim(c: Compiled, cid: str) -> dict[str, set[str]]:
    node = ox.NamedNode(f"{c.base}claim/invented/{cid}")
    out: dict[str, set[str]] = {}
    for s, p, o in c.sink.graphs[f"{c.base}graph/claims/invented"]:
        if s == node:
            out.setdefault(p.value, set()).add(o.value)
    return out


def _q(c: Compiled, scheme: str, local: str) -> str:
    return f"{GCS}{scheme}/{local}"


def test_author_defaults(invented: Compiled) -> None:
    claim = _claim(invented, "c-headline")
    publisher = f"{invented.base}article/invented/agent/publisher"
    assert claim[GC + "claimant"] == claim[PROV + "wasAttributedTo"] == {publisher}
    assert claim[GC + "reporter"] == {publisher}
    assert claim[GC + "attribution"] == {_q(invented, "attribution", "author")}
    assert claim[GC + "polarity"] == {_q(invented, "polarity", "asserted")}
    assert claim[GC + "certainty"] == {_q(invented, "certainty", "certain")}
    assert claim[GC + "modality"] == {_q(invented, "modality", "actual")}
    assert GC + "Statement" in claim["http://www.w3.org/1999/02/22-rdf-syntax-ns#type"]
    # about: the entities the proposition names
    assert claim[GC + "about"] == {f"{invented.base}entity/{e}" for e in ("ukraine", "belarus")}
    # an inline proposition's id is the claim's, c- read as p-; an event type is its occurrence
    assert claim[GC + "proposition"] == {f"{invented.base}proposition/invented/p-headline"}
    graph = invented.sink.graphs[f"{invented.base}proposition/invented/p-headline"]
    types = {o.value for s, p, o in graph if p.value.endswith("#type")}
    assert {GC + "EventOccurrence", GC + "BorderIncident"} <= types


def test_hedge_and_denial_defaults(invented: Compiled) -> None:
    hedge = _claim(invented, "c-planning")
    assert hedge[GC + "claimant"] == {f"{invented.base}article/invented/agent/unattributed"}
    assert hedge[GC + "certainty"] == {_q(invented, "certainty", "probable")}
    denial = _claim(invented, "c-denied")
    assert denial[GC + "polarity"] == {_q(invented, "polarity", "denied")}


def test_attribution_chain_and_saying_time(invented: Compiled) -> None:
    claim = _claim(invented, "c-want")
    belta = f"{invented.base}entity/belta"
    assert claim[GC + "via"] == claim[PROV + "wasInfluencedBy"] == {belta}
    (step,) = claim[GC + "attributionStep"]
    assert claim[PROV + "qualifiedInfluence"] == {step}
    graph = invented.sink.graphs[f"{invented.base}graph/claims/invented"]
    described = {(p.value, o.value) for s, p, o in graph if s.value == step}
    assert (PROV + "influencer", belta) in described and (SCHEMA + "position", "1") in described
    assert claim[SCHEMA + "dateCreated"] == {"2022-03-14"}


def test_nested_quotation_chains_through_the_outer_speaker(invented: Compiled) -> None:
    inner = _claim(invented, "c-take")
    outer = f"{invented.base}claim/invented/c-want"
    assert inner[GC + "within"] == inner[DCTERMS + "isPartOf"] == {outer}
    belta, lukashenko = (f"{invented.base}entity/{e}" for e in ("belta", "alexander-lukashenko"))
    assert inner[GC + "via"] == {belta, lukashenko}
    graph = invented.sink.graphs[f"{invented.base}graph/claims/invented"]
    order = {
        o.value: int(pos.value)
        for s, p, o in graph
        if s.value in inner[GC + "attributionStep"] and p.value == PROV + "influencer"
        for s2, p2, pos in graph
        if s2 == s and p2.value == SCHEMA + "position"
    }
    assert order == {belta: 1, lukashenko: 2}  # reporter <- BelTA <- Lukashenko <- Ukraine
    assert inner[GC + "claimant"] == {f"{invented.base}entity/ukraine"}


def test_an_editors_bracket_is_the_reporters_words(invented: Compiled) -> None:
    claim = _claim(invented, "c-want")
    (span,) = claim[GC + "editorialInsertion"]
    begin = TEXT.index("[Ukraine]")
    assert span.endswith(f"#char={begin},{begin + len('[Ukraine]')}")
    doc = invented.sink.graphs[f"{invented.base}graph/article/invented"]
    about = {(p.value, o.value) for s, p, o in doc if s.value == span}
    assert (ITSRDF + "taIdentRef", f"{invented.base}entity/ukraine") in about
    assert (PROV + "wasAttributedTo", f"{invented.base}article/invented/agent/publisher") in about
    assert ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", GC + "EditorialInsertion") in about


def test_roles_taking_propositions_take_events_too(invented: Compiled) -> None:
    graph = invented.sink.graphs[f"{invented.base}proposition/invented/p-want"]
    nested = f"{invented.base}proposition/invented/p-want/intended"
    types = {o.value for s, p, o in graph if s.value == nested and p.value.endswith("#type")}
    assert GC + "EventOccurrence" in types
    inner = {o.value for s, p, o in graph if s.value == nested + "/event"}
    assert GC + "Attack" in inner


def test_frequency_and_refusal(invented: Compiled) -> None:
    graph = invented.sink.graphs[f"{invented.base}proposition/invented/p-provokes"]
    assert any(p.value == GC + "frequency" and o.value.endswith("/constantly") for _, p, o in graph)
    refusal = invented.sink.graphs[f"{invented.base}proposition/invented/p-no-comment"]
    assert any(o.value == GC + "CommentRefusal" for _, _, o in refusal)


def test_a_drafted_article_says_so(tmp_path: Path) -> None:
    c = _compile(_source(tmp_path, CLAIMS, ARTICLE + "reviewStatus: drafted\n"))
    drafted = _q(c, "reviewStatus", "drafted")
    for cid in ("c-headline", "c-want"):
        claim = _claim(c, cid)
        assert claim[GC + "reviewStatus"] == claim[SCHEMA + "creativeWorkStatus"] == {drafted}
    doc = c.sink.graphs[f"{c.base}graph/article/invented"]
    activity = c.articles["invented"].activity
    assert (ox.NamedNode(activity), ox.NamedNode(GC + "reviewStatus"), ox.NamedNode(drafted)) in doc


def test_a_reviewed_article_carries_no_status(invented: Compiled) -> None:
    assert GC + "reviewStatus" not in _claim(invented, "c-headline")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    attribution: reported\n    act: Accusation\n    proposition:\n      {type: Border",
         "    atribution: reported\n    act: Accusation\n    proposition:\n      {type: Border",
         "unknown key 'atribution' in claim 'c-provokes' (did you mean 'attribution'?)"),
        ("    attribution: reported\n    act: Accusation\n    proposition:\n      {type: Border",
         "    act: Accusation\n    proposition:\n      {type: Border",
         "claimant 'alexander-lukashenko' needs an attribution"),
        ("  - id: c-planning\n    quote: \"Kyiv is said to be planning an attack.\"\n"
         "    attribution: hedge",
         "  - id: c-planning\n    quote: \"Kyiv is said to be planning an attack.\"\n"
         "    attribution: quote", "attribution quote needs a claimant"),
        ("    act: Denial\n", "    act: Denial\n    polarity: \"+\"\n",
         "a denial has polarity \"-\" (claim 'c-denied' has '+')"),
        ("act: Threat", "act: Thret", "act: unknown speech act 'Thret' (did you mean 'Threat'?)"
         " (acts: Accusation, Admission, Assurance, Belief, Claim, Criticism, Denial, Label,"
         " Offer, Praise, Prediction, Promise, Rejection, Request, Statement, Threat)"),
        ("type: Invasion", "type: Skirmish", "unknown type 'Skirmish' (not a class of the "
         "ontology) (the types: docs/format.md)"),
        ('quote: "Kyiv is said to be planning an attack."',
         'quote: "Invented report\\nLukashenko said on Monday"',
         "quote spans more than one sentence (one sentence per quote: make a claim for each): "
         "'Invented report\\nLukashenko said on Monday' runs past the end of "
         "'Minsk accuses Kyiv – Invented report'"),
        ("type: Invasion", "type: Invasoin", "unknown type 'Invasoin' (not a class of the ontology)"
         " (did you mean 'Invasion'?)"),
        ("claimant: ukraine\n    attribution: quote", "claimant: ukrain\n    attribution: quote",
         "unknown id 'ukrain' (did you mean 'ukraine'?)"),
        ("frequency: constantly", "frequency: always",
         "frequency: unknown value 'always' (expected one of"),
        ('"[Ukraine]": ukraine', '"[Kyiv]": ukraine', "brackets: '[Kyiv]' is not in the quote"),
        ("within: c-want", "within: c-provokes", "within: the quote is not inside the words of "
         "'c-provokes'"),
        ('quote: "we will take Belarus"', 'quote: "we will take Belarus’ every day”. Ukraine"',
         "quote spans more than one sentence"),
        ('quote: "Ukraine denied it."', "quote: \"Ukraine denied it's.\"",
         "quote not found in article: \"Ukraine denied it's.\"; nearest passage at line 2"),
    ],
)  # fmt: skip
def test_each_bad_claim_gets_its_own_message(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in CLAIMS
    line = CLAIMS[: CLAIMS.index(old)].count("\n")  # the 1-based line where `old` starts, dedented
    src = _source(tmp_path, CLAIMS.replace(old, new, 1))
    with pytest.raises(DataError) as err:
        _compile(src)
    assert message in err.value.message
    first = err.value.message.splitlines()[0]
    assert first.startswith("data/articles/invented/claims.yaml:"), first
    reported = int(first.split(":")[1])
    assert line <= reported <= line + new.count("\n") + 2, (line, first)


def test_a_quote_one_apostrophe_off_shows_the_differing_character(tmp_path: Path) -> None:
    good, bad = 'quote: "we will take Belarus’"', 'quote: "we will take Belarus\'"'
    src = _source(tmp_path, CLAIMS.replace('quote: "we will take Belarus"', good))
    _compile(src)  # the curly apostrophe is in the text: fine
    src2 = _source(tmp_path / "2", CLAIMS.replace('quote: "we will take Belarus"', bad))
    with pytest.raises(DataError) as err:
        _compile(src2)
    assert "character 21 differs: the quote has \"'\" (U+0027 APOSTROPHE), the article '’' " in (
        err.value.message
    )


def test_every_error_of_a_run_is_reported(tmp_path: Path) -> None:
    bad = (
        CLAIMS.replace("act: Threat", "act: Thret")
        .replace("frequency: constantly", "frequency: always")
        .replace('quote: "Ukraine denied it."', 'quote: "Ukraine denies it."')
    )
    with pytest.raises(DataError) as err:
        _compile(_source(tmp_path, bad))
    lines = err.value.message.splitlines()
    assert len(lines) == 3, lines
    assert [int(line.split(":")[1]) for line in lines] == sorted(
        int(line.split(":")[1]) for line in lines
    )
    assert any("Thret" in line for line in lines) and any("always" in line for line in lines)
    assert any("Ukraine denies it." in line for line in lines)


def test_the_new_terms_pass_the_shapes(invented: Compiled) -> None:
    from kg.ingest.validate import validate

    validate(invented, shapes=True)
