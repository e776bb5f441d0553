"""The named queries: catalogue, parameter binding, `kg query`, and each query's exact answers.

The expected answers below were written by hand from the article text
(data/articles/belarus-protests-2020/article.txt), its curated claims file (claims.yaml),
data/entities.yaml and data/reference/facts.yaml; never computed by the code under test.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import run_oxigraph

from kg import queries
from kg.cli import main
from kg.config import PROJECT_DIR, Config
from kg.errors import DataError, NotFound, QueryError
from kg.store import EmbeddedStore, open_store

QUERY_DIR = PROJECT_DIR / "queries"
QUERY_FILES = sorted(QUERY_DIR.glob("*.rq"))
# Federated queries (SERVICE to Wikidata) need a remote endpoint: tests/test_federation.py runs
# them against a fixture server; the generic runs below take the local ones.
LOCAL_QUERY_FILES = [p for p in QUERY_FILES if "SERVICE <" not in p.read_text(encoding="utf-8")]
# Joins with imported event data (issue 15) find nothing in the seed alone: the same check runs in
# tests/test_events_queries.py on the seed plus the event fixtures.
SEED_QUERY_FILES = [p for p in LOCAL_QUERY_FILES if "gc:sourceActor" not in p.read_text("utf-8")]
CATALOGUE = queries.Catalogue.load(QUERY_DIR)
AID = "belarus-protests-2020"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def seed_store(seed_config: Config) -> Iterator[EmbeddedStore]:
    """The seed store, opened read-only once for this module."""
    store = open_store(seed_config, read_only=True)
    assert isinstance(store, EmbeddedStore)
    yield store


def value(term: Any, base: str) -> Any:
    """A result term as a plain value: IRIs under the base relative to it, typed numbers as int."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value[len(base) :] if term.value.startswith(base) else term.value
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in (XSD + "integer", XSD + "int", XSD + "nonNegativeInteger"):
            return int(term.value)
        if datatype == XSD + "boolean":
            return term.value == "true"
        return term.value
    return str(term)


def answers(
    store: EmbeddedStore, config: Config, name: str, columns: list[str] | None = None, **params: str
) -> list[tuple[Any, ...]]:
    """Run a named query and return its rows (in the query's order) as tuples of plain values."""
    query = CATALOGUE.get(name)
    results = queries.run(store, query, params, config)
    names = columns or [v.value for v in results.variables]
    return [tuple(value(row[n], config.base_iri) for n in names) for row in results]


# ---------------------------------------------------------------------------------------------
# The catalogue and the files


def test_catalogue_has_at_least_15_queries() -> None:
    assert len(QUERY_FILES) >= 15
    assert CATALOGUE.names() == [p.stem for p in QUERY_FILES]
    assert [q.name for q in CATALOGUE] == sorted(q.name for q in CATALOGUE)


def test_catalogue_from_settings(seed_config: Config) -> None:
    assert queries.catalogue(seed_config).names() == CATALOGUE.names()


def test_get_unknown_query_is_not_found() -> None:
    with pytest.raises(NotFound, match="no-such-query"):
        CATALOGUE.get("no-such-query")


def _body(text: str) -> str:
    """The query without comment lines (the header)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_file_is_valid_and_documented(path: Path) -> None:
    query = queries.parse(path)
    assert query.title and query.description
    assert query.text == path.read_text(encoding="utf-8")
    # Valid SPARQL as is: the engine parses the whole file, header and all, on an empty store.
    result = ox.Store().query(query.text)
    assert result is not None
    body = _body(query.text)
    # Self-contained: every prefix used is declared in the file.
    used = set(re.findall(r"(?<![\w<\"'])([a-z][a-z0-9]*):[A-Za-z_]", body))
    declared = set(query.prefixes)
    assert used <= declared, f"undeclared prefixes {used - declared}"
    select = re.search(r"SELECT(.*?)WHERE", body, re.S | re.I)
    for param in query.params:
        assert param.type in queries.PARAM_TYPES
        assert param.description
        # A parameter is a variable the query uses and projects (substitution needs both).
        assert re.search(rf"[?$]{param.name}\b", body.split("WHERE", 1)[1]), param.name
        if select and "*" not in select.group(1):
            assert re.search(rf"\?{param.name}\b", select.group(1)), f"{param.name} not projected"
        # pyoxigraph's substitution leaves BOUND(?param) false: test a parameter with COALESCE.
        assert not re.search(rf"BOUND\s*\(\s*\?{param.name}\b", body, re.I), param.name
    # `$var` is the conventional parameter marker: any used must be declared.
    dollars = set(re.findall(r"\$(\w+)", body))
    assert dollars <= {p.name for p in query.params}


@pytest.mark.parametrize("path", LOCAL_QUERY_FILES, ids=lambda p: p.stem)
def test_query_runs_with_its_defaults(path: Path, fresh_config: Config) -> None:
    query = queries.parse(path)
    store = EmbeddedStore(None)
    assert list(queries.run(store, query, {}, fresh_config)) == []


@pytest.mark.parametrize("path", SEED_QUERY_FILES, ids=lambda p: p.stem)
def test_answers_do_not_depend_on_the_union_default_graph(
    path: Path, seed_store: EmbeddedStore, seed_config: Config
) -> None:
    name = path.stem
    on = answers(seed_store, seed_config.with_(union_default_graph=True), name)
    off = answers(seed_store, seed_config.with_(union_default_graph=False), name)
    assert on == off
    assert on, f"{name} finds nothing on the seed graph with its defaults"


def test_bad_header_is_a_data_error(tmp_path: Path) -> None:
    (tmp_path / "no-title.rq").write_text("#+ description: x\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(DataError, match="no-title.rq.*title"):
        queries.Catalogue.load(tmp_path)
    (tmp_path / "no-title.rq").write_text(
        "#+ title: t\n#+ description: d\n#+ params:\n#+   - {name: x, type: float}\nASK {}\n"
    )
    with pytest.raises(DataError, match="type must be one of"):
        queries.Catalogue.load(tmp_path)


# ---------------------------------------------------------------------------------------------
# Binding parameters


def test_bind_entity_forms(seed_config: Config) -> None:
    query = CATALOGUE.get("claims-about-entity")
    belarus = ox.NamedNode(seed_config.base_iri + "entity/belarus")
    for given in ("belarus", "<" + belarus.value + ">", belarus.value):
        assert queries.bind(query, {"entity": given}, seed_config) == {"entity": belarus}
    wd = ox.NamedNode("http://www.wikidata.org/entity/Q184")
    assert queries.bind(query, {"entity": "wd:Q184"}, seed_config) == {"entity": wd}
    assert queries.bind(query, {}, seed_config) == {"entity": belarus}
    assert queries.bind(query, {"entity": " "}, seed_config) == {
        "entity": belarus
    }  # empty: default


def test_bind_follows_the_base_iri(seed_config: Config) -> None:
    config = seed_config.with_(base_iri="http://example.org/kg/")
    query = CATALOGUE.get("claims-about-entity")
    bound = queries.bind(query, {"entity": "russia"}, config)
    assert bound == {"entity": ox.NamedNode("http://example.org/kg/entity/russia")}


def test_bind_types(seed_config: Config) -> None:
    query = CATALOGUE.get("events-in-range")
    bound = queries.bind(query, {"from": "1991-01-01", "to": "1994-12-31"}, seed_config)
    assert bound["from"] == ox.Literal("1991-01-01", datatype=ox.NamedNode(XSD + "date"))
    with pytest.raises(QueryError, match="'from'.*not a date"):
        queries.bind(query, {"from": "last week"}, seed_config)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"nope": "1"}, "has no parameter 'nope'"),
        ({"entity": "not an iri with spaces"}, "not an IRI"),
    ],
)
def test_bind_rejects(params: dict[str, str], message: str, seed_config: Config) -> None:
    with pytest.raises(QueryError, match=message):
        queries.bind(CATALOGUE.get("claims-about-entity"), params, seed_config)


def test_missing_required_parameter(tmp_path: Path, fresh_config: Config) -> None:
    (tmp_path / "needs-x.rq").write_text(
        "#+ title: t\n#+ description: d\n#+ params:\n"
        "#+   - {name: x, type: integer, description: a number}\n"
        "SELECT ?x WHERE { BIND(1 AS ?y) FILTER(?y = ?x) }\n"
    )
    query = queries.Catalogue.load(tmp_path).get("needs-x")
    with pytest.raises(QueryError, match="needs parameter 'x'"):
        queries.bind(query, {}, fresh_config)
    with pytest.raises(QueryError, match="not an integer"):
        queries.bind(query, {"x": "one"}, fresh_config)
    rows = list(queries.run(EmbeddedStore(None), query, {"x": "1"}, fresh_config))
    assert [r["x"].value for r in rows] == ["1"]


INJECTION = '"} ; DROP ALL #'


def test_a_parameter_cannot_inject_sparql(seed_store: EmbeddedStore, seed_config: Config) -> None:
    before = len(seed_store)
    rows = answers(seed_store, seed_config, "attribution-modes", mode=INJECTION)
    assert rows == []
    query = CATALOGUE.get("attribution-modes")
    assert queries.bind(query, {"mode": INJECTION}, seed_config) == {"mode": ox.Literal(INJECTION)}
    assert len(seed_store) == before
    # An IRI parameter with a closing '>' is refused by the IRI parser, not spliced.
    with pytest.raises(QueryError, match="not an IRI"):
        queries.bind(
            CATALOGUE.get("claims-about-entity"), {"entity": "x> } DROP ALL #"}, seed_config
        )


# ---------------------------------------------------------------------------------------------
# `kg query`


def kg_query(config: Config, *args: str) -> Any:
    """Invoke `kg query` on the seed store; return click's result."""
    return CliRunner().invoke(main, ["query", "--data-dir", config.data_dir, *args])


def test_cli_lists_the_queries(seed_config: Config) -> None:
    result = kg_query(seed_config, "--list")
    assert result.exit_code == 0, result.output
    listed = [line.split()[0] for line in result.output.splitlines()]
    assert listed == CATALOGUE.names()
    assert CATALOGUE.get("disputed-claims").title in result.output


def test_cli_json_output(seed_config: Config) -> None:
    result = kg_query(
        seed_config, "quotes-with-offsets", "--param", "claimant=nato", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert "claimant" in data["head"]["vars"]
    # NATO is never quoted directly in the article: only reported.
    assert data["results"]["bindings"] == []
    result = kg_query(
        seed_config, "claims-about-entity", "-p", "entity=union-state", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["results"]["bindings"] == []


def test_cli_table_output(seed_config: Config) -> None:
    result = kg_query(seed_config, "attribution-counts")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["mode", "label", "claims"]
    assert lines[-1] == "(5 rows)"


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["no-such-query"], 5, "no named query 'no-such-query'"),
        (["claims-about-entity", "--param", "colour=red"], 4, "has no parameter 'colour'"),
        (["claims-about-entity", "--param", "entity"], 4, "NAME=VALUE"),
        (["events-in-range", "-p", "from=yesterday"], 4, "not a date"),
    ],
)
def test_cli_errors(seed_config: Config, args: list[str], exit_code: int, message: str) -> None:
    result = kg_query(seed_config, *args)
    assert result.exit_code == exit_code
    assert message in result.output


def test_cli_without_a_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["query", "disputed-claims", "--data-dir", str(tmp_path / "none")]
    )
    assert result.exit_code == NotFound.exit_code
    assert "kg build" in result.output


# ---------------------------------------------------------------------------------------------
# Exact answers on the seed graph, written by hand from article.txt, claims.yaml, entities.yaml


ARTICLE = PROJECT_DIR / "data" / "articles" / AID / "article.txt"
PUBLISHER = f"article/{AID}/agent/publisher"
UNATTRIBUTED = f"article/{AID}/agent/unattributed"
LUKASHENKO, PUTIN, NATO, RUSSIA = (
    "entity/alexander-lukashenko",
    "entity/vladimir-putin",
    "entity/nato",
    "entity/russia",
)


def c(cid: str) -> str:
    """A claim IRI, relative to the base."""
    return f"claim/{AID}/{cid}"


def p(pid: str) -> str:
    """A proposition IRI, relative to the base."""
    return f"proposition/{AID}/{pid}"


# Every claim of the seed article, by attribution mode, each list in the order of the text.
AUTHOR = [
    "c-headline-protests", "c-bullet-president-title",
    "c-protests-intensified", "c-lukashenko-title", "c-election-win", "c-minsk-rally",
    "c-minsk-capital", "c-protests-seven-days", "c-protester-deaths", "c-detentions",
    "c-putin-title", "c-pressure-origin-unsaid", "c-tenure-20-years", "c-nato-name",
    "c-border-russia-west", "c-secession", "c-independence", "c-constitution",
    "c-first-election", "c-became-president", "c-five-elections", "c-president-still",
    "c-putin-supports-presupposed", "c-pipeline", "c-russia-presence", "c-russia-could-suffer",
    "c-mutual-assistance-agreements",
]  # fmt: skip
HEARSAY = ["c-phone-calls", "c-assurance-hearsay"]
HEDGE = [
    "c-label-last-dictator-of-belarus", "c-label-europes-last-dictator", "c-label-dictator",
    "c-accused-rigging-every-time", "c-putin-backing-believed",
]  # fmt: skip
QUOTE = [
    "c-headline-quote", "c-bullet-plot-quote", "c-bullet-deployment-quote", "c-offer-quote",
    "c-heading-allegation",
]  # fmt: skip
REPORTED = [
    "c-headline-intervention", "c-bullet-assurance", "c-bullet-pressure",
    "c-protesters-accuse-rigging",
    "c-pressure-from-outside", "c-accuses-nato-conspiring", "c-nato-wants-overthrow",
    "c-nato-deployment-reported", "c-nato-denial", "c-nato-monitoring",
    "c-nato-readiness-baseless", "c-buffer-zone",
]  # fmt: skip
ALL_CLAIMS = AUTHOR + HEARSAY + HEDGE + QUOTE + REPORTED


def test_seed_claim_lists_are_complete() -> None:
    assert len(ALL_CLAIMS) == len(set(ALL_CLAIMS)) == 51


def test_claims_about_belarus(seed_store: EmbeddedStore, seed_config: Config) -> None:
    rows = answers(seed_store, seed_config, "claims-about-entity", ["claim"])
    assert [r[0] for r in rows] == [
        c(x)
        for x in [
            "c-headline-protests", "c-headline-intervention", "c-headline-quote",
            "c-bullet-pressure", "c-bullet-deployment-quote", "c-protests-intensified",
            "c-minsk-capital", "c-protests-seven-days", "c-protester-deaths", "c-detentions",
            "c-offer-quote", "c-pressure-from-outside", "c-pressure-origin-unsaid",
            "c-nato-deployment-reported", "c-nato-denial", "c-nato-monitoring",
            "c-nato-readiness-baseless", "c-border-russia-west", "c-secession",
            "c-independence", "c-constitution", "c-first-election", "c-five-elections",
            "c-putin-supports-presupposed", "c-pipeline", "c-buffer-zone", "c-russia-presence",
            "c-mutual-assistance-agreements", "c-putin-backing-believed",
        ]
    ]  # fmt: skip


def test_claims_about_nato(seed_store: EmbeddedStore, seed_config: Config) -> None:
    columns = ["claim", "act", "claimant", "attribution", "polarity", "quote"]
    expected = [
        (c("c-bullet-plot-quote"), "accusation", LUKASHENKO, "quote", "+",
         "NATO was plotting to overthrow my government"),
        (c("c-bullet-deployment-quote"), "accusation", LUKASHENKO, "quote", "+",
         "deploying artillery and fighter jets along the country’s border"),
        (c("c-heading-allegation"), "accusation", LUKASHENKO, "quote", "+",
         "Lukashenko’s allegations – NATO is trying to overthrow my government"),
        (c("c-accuses-nato-conspiring"), "accusation", LUKASHENKO, "reported", "+",
         "Lukashenko has accused NATO (North Atlantic Trinity Organization) of conspiring "
         "against his government after protests intensified."),
        (c("c-nato-name"), "statement", PUBLISHER, "author", "+",
         "NATO (North Atlantic Trinity Organization)"),
        (c("c-nato-wants-overthrow"), "accusation", LUKASHENKO, "reported", "+",
         "Lukashenko has said that NATO wants to overthrow his government."),
        (c("c-nato-deployment-reported"), "accusation", LUKASHENKO, "reported", "+",
         "It has deployed its artillery and fighter jets in areas bordering Belarus."),
        (c("c-nato-denial"), "denial", NATO, "reported", "-", "However, NATO has denied this."),
        (c("c-nato-monitoring"), "statement", NATO, "reported", "+",
         "NATO has said it is keeping an eye on developments in Belarus"),
        (c("c-nato-readiness-baseless"), "denial", NATO, "reported", "-",
         "claims about its military readiness are baseless"),
        (c("c-buffer-zone"), "belief", RUSSIA, "reported", "+",
         "Russia considers Belarus its buffer zone against NATO."),
    ]  # fmt: skip
    nato = seed_config.base_iri + "entity/nato"
    for given in ("nato", nato, f"<{nato}>"):  # an id, a full IRI, an IRI in angle brackets
        assert answers(seed_store, seed_config, "claims-about-entity", columns, entity=given) == (
            expected
        )
    # The supporting sentence is the whole sentence holding the evidence.
    sentences = dict(
        answers(seed_store, seed_config, "claims-about-entity", ["claim", "sentenceText"],
                entity="nato")
    )  # fmt: skip
    assert sentences[c("c-nato-denial")] == "However, NATO has denied this."
    assert sentences[c("c-nato-readiness-baseless")] == (
        "NATO has said it is keeping an eye on developments in Belarus, but claims about its "
        "military readiness are baseless."
    )
    assert answers(seed_store, seed_config, "claims-about-entity", entity="union-state") == []


def test_disputed_claims(seed_store: EmbeddedStore, seed_config: Config) -> None:
    quote = "deploying artillery and fighter jets along the country’s border"
    reported = "It has deployed its artillery and fighter jets in areas bordering Belarus."
    denied = "However, NATO has denied this."
    baseless = "claims about its military readiness are baseless"
    assert answers(seed_store, seed_config, "disputed-claims") == [
        (c("c-bullet-deployment-quote"), "Alexander Lukashenko", quote,
         c("c-nato-denial"), "NATO", denied),
        (c("c-bullet-deployment-quote"), "Alexander Lukashenko", quote,
         c("c-nato-readiness-baseless"), "NATO", baseless),
        (c("c-nato-deployment-reported"), "Alexander Lukashenko", reported,
         c("c-nato-denial"), "NATO", denied),
        (c("c-nato-deployment-reported"), "Alexander Lukashenko", reported,
         c("c-nato-readiness-baseless"), "NATO", baseless),
    ]  # fmt: skip


def test_attribution_modes(seed_store: EmbeddedStore, seed_config: Config) -> None:
    rows = answers(seed_store, seed_config, "attribution-modes", ["mode", "ownVoice", "claim"])
    expected = [("author", True, c(x)) for x in AUTHOR]
    for mode, claims in (("hearsay", HEARSAY), ("hedge", HEDGE), ("quote", QUOTE)):
        expected += [(mode, False, c(x)) for x in claims]
    expected += [("reported", False, c(x)) for x in REPORTED]
    assert rows == expected
    hearsay = answers(
        seed_store, seed_config, "attribution-modes", ["claim", "claimantLabel"], mode="hearsay"
    )
    assert hearsay == [
        (c("c-phone-calls"), "local media"),
        (c("c-assurance-hearsay"), "Vladimir Putin"),
    ]
    assert answers(seed_store, seed_config, "attribution-modes", mode="rumour") == []


def test_attribution_counts(seed_store: EmbeddedStore, seed_config: Config) -> None:
    assert answers(seed_store, seed_config, "attribution-counts") == [
        ("author", "author", 27),
        ("reported", "reported", 12),
        ("hedge", "hedge", 5),
        ("quote", "quote", 5),
        ("hearsay", "hearsay", 2),
    ]


def test_claims_per_claimant(seed_store: EmbeddedStore, seed_config: Config) -> None:
    assert answers(seed_store, seed_config, "claims-per-claimant") == [
        (PUBLISHER, "The article's (unknown) publisher", 27, 0, 0, 0),
        (LUKASHENKO, "Alexander Lukashenko", 6, 6, 0, 0),
        (PUTIN, "Vladimir Putin", 5, 0, 0, 1),
        (UNATTRIBUTED, "unattributed source (agentless hedges)", 5, 1, 0, 0),
        (NATO, "NATO", 3, 0, 2, 0),
        (RUSSIA, "Russia", 3, 0, 0, 2),
        (f"article/{AID}/agent/local-media", "local media", 1, 0, 0, 0),
        (f"article/{AID}/agent/protesters", "protesters", 1, 1, 0, 0),
    ]


def test_hedged_claims(seed_store: EmbeddedStore, seed_config: Config) -> None:
    rows = answers(seed_store, seed_config, "hedged-claims")
    assert all(r[4].split(", ") == sorted(r[4].split(", ")) for r in rows)
    assert [(r[0], r[1], r[2], r[3], set(r[4].split(", "))) for r in rows] == [
        (c("c-label-last-dictator-of-belarus"), "label", "PR",
         "He is also known as the last dictator of Belarus.", {"Alexander Lukashenko"}),
        (c("c-label-europes-last-dictator"), "label", "PR",
         "Lukashenko is said to be Europe’s last dictator", {"Alexander Lukashenko", "Europe"}),
        (c("c-label-dictator"), "label", "PR", "Lukashenko is seen as a dictator.",
         {"Alexander Lukashenko"}),
        (c("c-accused-rigging-every-time"), "accusation", "U",
         "He has been accused of rigging the election every time.", {"Alexander Lukashenko"}),
        (c("c-putin-backing-believed"), "belief", "PR",
         "Putin is believed to be backing Lukashenko and Belarus for these reasons.",
         {"Vladimir Putin", "Alexander Lukashenko", "Belarus"}),
    ]  # fmt: skip


def test_quotes_with_offsets(seed_store: EmbeddedStore, seed_config: Config) -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    columns = ["claimant", "claim", "quote", "begin", "end", "span", "article"]
    expected = [
        (RUSSIA, "c-headline-quote", "we are ready to provide military assistance to Belarus",
         63, 117),
        (LUKASHENKO, "c-bullet-plot-quote", "NATO was plotting to overthrow my government",
         232, 276),
        (LUKASHENKO, "c-bullet-deployment-quote",
         "deploying artillery and fighter jets along the country’s border", 278, 341),
        (PUTIN, "c-offer-quote",
         "We are ready to provide military assistance to Belarus under an agreement between the "
         "two countries, if necessary,", 951, 1065),
        (LUKASHENKO, "c-heading-allegation",
         "Lukashenko’s allegations – NATO is trying to overthrow my government", 1184, 1252),
    ]  # fmt: skip
    for _, _, quote, begin, end in expected:
        assert text[begin:end] == quote  # the hand-written offsets, checked on the text itself
    assert answers(seed_store, seed_config, "quotes-with-offsets", columns) == [
        (who, c(cid), quote, b, e, f"article/{AID}#char={b},{e}", f"article/{AID}")
        for who, cid, quote, b, e in expected
    ]
    putin = answers(
        seed_store, seed_config, "quotes-with-offsets", ["claim"], claimant="vladimir-putin"
    )
    assert putin == [(c("c-offer-quote"),)]


def test_time_expressions(seed_store: EmbeddedStore, seed_config: Config) -> None:
    columns = ["claim", "surfaceText", "anchorDate", "resolvedDate", "begin", "end"]
    anchor = "2020-08-17"
    assert answers(seed_store, seed_config, "time-expressions", columns) == [
        (c("c-detentions"), "So far", anchor, anchor, None, None),
        (c("c-election-win"), "a week ago", anchor, None, "2020-08-08", "2020-08-12"),
        (c("c-minsk-rally"), "on Sunday", anchor, "2020-08-16", None, None),
        (c("c-phone-calls"), "this week", anchor, None, "2020-08-10", "2020-08-16"),
        (c("c-president-still"), "still", anchor, anchor, None, None),
        (c("c-protester-deaths"), "So far", anchor, anchor, None, None),
        (c("c-protests-seven-days"), "for the past seven days", anchor, None, "2020-08-10",
         "2020-08-16"),
        (c("c-tenure-20-years"), "for 20 years", anchor, None, "2000-08-17", anchor),
    ]  # fmt: skip


def test_proposition_provenance(seed_store: EmbeddedStore, seed_config: Config) -> None:
    columns = [
        "proposition",
        "claim",
        "act",
        "polarity",
        "claimantLabel",
        "begin",
        "end",
        "article",
    ]
    rows = answers(seed_store, seed_config, "proposition-provenance", columns)
    assert rows == [
        (
            p("p-offer"),
            c("c-offer-quote"),
            "offer",
            "+",
            "Vladimir Putin",
            951,
            1065,
            f"article/{AID}",
        )
    ]
    ((activity, software, headline),) = answers(
        seed_store, seed_config, "proposition-provenance", ["activity", "software", "headline"]
    )
    assert activity.startswith(f"article/{AID}/load/")
    assert software == "0.1.0"
    assert headline.startswith("Belarus protests - Russia offers military intervention")
    rows = answers(
        seed_store, seed_config, "proposition-provenance", ["claim", "polarity", "claimantLabel"],
        proposition=f"proposition/{AID}/p-nato-deployment",
    )  # fmt: skip
    assert rows == [
        (c("c-bullet-deployment-quote"), "+", "Alexander Lukashenko"),
        (c("c-nato-deployment-reported"), "+", "Alexander Lukashenko"),
        (c("c-nato-denial"), "-", "NATO"),
        (c("c-nato-readiness-baseless"), "-", "NATO"),
    ]


def test_events_in_range(seed_store: EmbeddedStore, seed_config: Config) -> None:
    columns = ["event", "kind", "placeLabel", "start", "end", "exact", "atLeast", "atMost",
               "countText", "claim", "polarity", "fact"]  # fmt: skip

    def ev(pid: str) -> str:
        return f"proposition/{AID}/{pid}/event"

    def ref(fid: str, node: str) -> str:
        return f"reference/{fid}/{node}/event"

    august = answers(seed_store, seed_config, "events-in-range", columns,
                     **{"from": "2020-08-01", "to": "2020-08-31"})  # fmt: skip
    b = "Belarus"
    assert august == [
        ("entity/belarus-presidential-election-2020", "election", b, "2020-08-09", "2020-08-09",
         None, None, None, None, None, None, None),
        (ref("R16", "r16-protests"), "protest", b, "2020-08-09", "2020-08-09",
         None, None, None, None, None, None, "R16"),
        (ref("R7", "r7-election-6"), "election", b, "2020-08-09", "2020-08-09",
         None, None, None, None, None, None, "R7"),
        (ref("R8", "r8-election"), "election", b, "2020-08-09", "2020-08-09",
         None, None, None, None, None, None, "R8"),
        (ev("p-phone-calls"), "phone call", None, "2020-08-10", "2020-08-16",
         2, None, None, "twice", c("c-phone-calls"), "+", None),
        (ev("p-protests-seven-days"), "protest", b, "2020-08-10", "2020-08-16",
         None, None, None, None, c("c-protests-seven-days"), "+", None),
        (ref("R10", "r10-deaths"), "death", b, "2020-08-10", "2020-08-12",
         2, None, None, "two protesters had died", None, None, "R10"),
        (ref("R10", "r10-detentions"), "detention", b, "2020-08-13", "2020-08-13",
         None, 6700, None, "more than 6,700", None, None, "R10"),
        (ref("R11", "r11-phone-calls"), "phone call", None, "2020-08-15", "2020-08-16",
         2, None, None, None, None, None, "R11"),
        (ev("p-minsk-rally"), "protest", "Minsk", "2020-08-16", "2020-08-16",
         None, None, 200000, "As many as 200,000", c("c-minsk-rally"), "+", None),
        (ref("R9", "r9-minsk-rally"), "protest", "Minsk", "2020-08-16", "2020-08-16",
         200000, None, None, "about 200,000 (Reuters estimate; AFP: more than 100,000)", None,
         None, "R9"),
        (ev("p-detentions"), "detention", b, "2020-08-17", "2020-08-17",
         None, 2000, None, "thousands", c("c-detentions"), "+", None),
        (ev("p-protester-deaths"), "death", b, "2020-08-17", "2020-08-17",
         2, None, None, "two protesters", c("c-protester-deaths"), "+", None),
    ]  # fmt: skip
    # Dates compare at the precision given: "June 1994" falls in the second half of June.
    june = answers(seed_store, seed_config, "events-in-range", ["event", "start", "end"],
                   **{"from": "1994-06-15", "to": "1994-06-30"})  # fmt: skip
    assert june == [
        (ev("p-constitution-1994"), "1994-06", "1994-06"),
        (ev("p-first-election-1994"), "1994-06", "1994-06"),
        ("entity/belarus-presidential-election-1994", "1994-06-23", "1994-06-23"),
        (ref("R6", "r6-first-election"), "1994-06-23", "1994-07-10"),
        (ref("R7", "r7-election-1"), "1994-06-23", "1994-07-10"),
    ]
    one_day = answers(seed_store, seed_config, "events-in-range", ["event"],
                      **{"from": "2020-08-12", "to": "2020-08-12"})  # fmt: skip
    assert one_day == [
        (ev("p-phone-calls"),),
        (ev("p-protests-seven-days"),),
        (ref("R10", "r10-deaths"),),
    ]
    assert answers(seed_store, seed_config, "events-in-range", ["event", "placeLabel"],
                   **{"from": "1991-01-01", "to": "1991-12-31"}) == [
        (ev("p-secession-1991"), "Belarus"), (ref("R4", "r4-secession"), "Belarus")
    ]  # fmt: skip
    assert answers(seed_store, seed_config, "events-in-range", ["event", "placeLabel"],
                   to="1990-12-31") == [
        ("entity/declaration-of-state-sovereignty", "Byelorussian SSR")
    ]  # fmt: skip
    # Without a range: every event, the undated ones too (the deployment once per claim, with
    # the polarity of each: two claims assert it, two deny it). NATO's denial in R13 is not an
    # event the fact vouches for, so it is not listed.
    everything = answers(seed_store, seed_config, "events-in-range", ["event", "claim", "polarity"])
    assert len(everything) == 33
    assert sorted(r[1:] for r in everything if r[0] == ev("p-nato-deployment")) == [
        (c("c-bullet-deployment-quote"), "+"), (c("c-nato-denial"), "-"),
        (c("c-nato-deployment-reported"), "+"), (c("c-nato-readiness-baseless"), "-"),
    ]  # fmt: skip
    assert not [r for r in everything if r[0].startswith("reference/R13/")]


def test_agreements_between(seed_store: EmbeddedStore, seed_config: Config) -> None:
    columns = ["agreement", "name", "kind", "dateSigned", "layer", "claim", "fact"]
    expected = [
        ("entity/collective-security-treaty", "Collective Security Treaty", "collective-security",
         "1992-05-15", "EntityGraph", None, None),
        ("entity/union-state-treaty", "Treaty on the Creation of a Union State", "union",
         "1999-12-08", "EntityGraph", None, None),
        (p("p-mutual-assistance-agreements") + "/agreement", None, "mutual-assistance", None,
         "PropositionGraph", c("c-mutual-assistance-agreements"), None),
        (p("p-offer") + "/legalBasis", "an agreement between the two countries", None, None,
         "PropositionGraph", c("c-offer-quote"), None),
        ("reference/R12/r12-collective-security-treaty/agreement", None, "collective-security",
         "1992-05-15", "ReferenceGraph", None, "R12"),
        ("reference/R12/r12-union-state-treaty/agreement", None, "union", "1999-12-08",
         "ReferenceGraph", None, "R12"),
    ]  # fmt: skip
    rows = answers(seed_store, seed_config, "agreements-between", columns)
    assert rows == expected
    swapped = answers(seed_store, seed_config, "agreements-between", columns,
                      state="belarus", other="russia")  # fmt: skip
    assert swapped == rows
    none = answers(seed_store, seed_config, "agreements-between", state="russia", other="poland")
    assert none == []


def test_offers_and_conditions(seed_store: EmbeddedStore, seed_config: Config) -> None:
    columns = ["claim", "claimantLabel", "agentLabel", "recipientLabel", "kind", "modality",
               "condition", "legalBasis"]  # fmt: skip
    assert answers(seed_store, seed_config, "offers-and-conditions", columns) == [
        (c("c-headline-intervention"), "Russia", "Russia", "Belarus", "military-intervention",
         "actual", None, None),
        (c("c-headline-quote"), "Russia", "Russia", "Belarus", "military", "actual", None, None),
        (c("c-bullet-assurance"), "Vladimir Putin", "Vladimir Putin", "Alexander Lukashenko",
         "unspecified", "actual", None, None),
        (c("c-assurance-hearsay"), "Vladimir Putin", "Vladimir Putin", "Alexander Lukashenko",
         "unspecified", "actual", None, None),
        (c("c-offer-quote"), "Vladimir Putin", "Russia", "Belarus", "military", "conditional",
         "if necessary", "an agreement between the two countries"),
    ]  # fmt: skip
    (parties,) = [
        r[0] for r in answers(seed_store, seed_config, "offers-and-conditions", ["parties"]) if r[0]
    ]
    assert parties == "Belarus, Russia"  # sorted
    to_lukashenko = answers(seed_store, seed_config, "offers-and-conditions", ["claim"],
                            recipient="alexander-lukashenko")  # fmt: skip
    assert to_lukashenko == [(c("c-bullet-assurance"),), (c("c-assurance-hearsay"),)]


def test_leaders_tenures(seed_store: EmbeddedStore, seed_config: Config) -> None:
    columns = ["leaderLabel", "postLabel", "start", "end", "year", "years", "asOf", "layer",
               "source", "claimantLabel"]  # fmt: skip
    rows = answers(seed_store, seed_config, "leaders-tenures", columns)
    lukashenko, belarus = "Alexander Lukashenko", "President of Belarus"
    publisher, anchor = "The article's (unknown) publisher", "2020-08-17"
    prop, ref = "PropositionGraph", "ReferenceGraph"
    assert rows == [
        (lukashenko, belarus, None, None, None, 26, anchor, ref, "R1", None),
        (lukashenko, belarus, "1994-07-20", None, None, None, None, ref, "R1", None),
        (lukashenko, belarus, "1994-07-20", None, None, None, None, ref, "R6", None),
        (lukashenko, belarus, None, None, None, None, None, prop, c("c-bullet-president-title"),
         publisher),
        (lukashenko, belarus, None, None, None, None, None, prop, c("c-lukashenko-title"),
         publisher),
        (lukashenko, belarus, None, None, None, None, None, prop, c("c-president-still"),
         publisher),
        (lukashenko, belarus, None, None, None, 20, anchor, prop, c("c-tenure-20-years"),
         publisher),
        (lukashenko, belarus, None, None, "1994", None, None, prop, c("c-became-president"),
         publisher),
        ("Vladimir Putin", "President of Russia", None, None, None, None, None, prop,
         c("c-putin-title"), publisher),
    ]  # fmt: skip
    putin = answers(seed_store, seed_config, "leaders-tenures", ["leaderLabel", "source"],
                    leader="vladimir-putin")  # fmt: skip
    assert putin == [("Vladimir Putin", c("c-putin-title"))]


def test_repeated_propositions(seed_store: EmbeddedStore, seed_config: Config) -> None:
    columns = ["proposition", "type", "claims", "asserted", "denied", "claimants"]
    rows = answers(seed_store, seed_config, "repeated-propositions", columns)
    assert all(r[5].split(", ") == sorted(r[5].split(", ")) for r in rows)
    assert [(*r[:5], set(r[5].split(", "))) for r in rows] == [
        (p("p-nato-deployment"), "EventOccurrence", 4, 2, 2, {"NATO", "Alexander Lukashenko"}),
        (p("p-nato-overthrow-plot"), "OverthrowPlot", 4, 4, 0, {"Alexander Lukashenko"}),
        (p("p-lukashenko-president"), "TenureStatement", 3, 3, 0,
         {"The article's (unknown) publisher"}),
        (p("p-help-assurance"), "AssistanceOffer", 2, 2, 0, {"Vladimir Putin"}),
    ]  # fmt: skip
    four = answers(seed_store, seed_config, "repeated-propositions", ["proposition"], minimum="4")
    assert four == [(p("p-nato-deployment"),), (p("p-nato-overthrow-plot"),)]


# Shared entities and their Wikidata items (entities.yaml; shared/reference/wikidata.md).
ENTITIES = {
    "belarus": ("Belarus", "state", "Q184"),
    "russia": ("Russia", "state", "Q159"),
    "poland": ("Poland", "state", "Q36"),
    "lithuania": ("Lithuania", "state", "Q37"),
    "latvia": ("Latvia", "state", "Q211"),
    "ukraine": ("Ukraine", "state", "Q212"),
    "germany": ("Germany", "state", None),
    "soviet-union": ("Soviet Union", "state", "Q15180"),
    "byelorussian-ssr": ("Byelorussian SSR", "state", "Q2895"),
    "alexander-lukashenko": ("Alexander Lukashenko", "leader", "Q2866"),
    "vladimir-putin": ("Vladimir Putin", "leader", "Q7747"),
    "oana-lungescu": ("Oana Lungescu", "person", None),
    "condoleezza-rice": ("Condoleezza Rice", "person", None),
    "nato": ("NATO", "alliance", "Q7184"),
    "csto": ("Collective Security Treaty Organization", "alliance", "Q318693"),
    "cis": ("Commonwealth of Independent States", "organisation", "Q7779"),
    "union-state": ("Union State", "organisation", "Q166110"),
    "government-of-belarus": ("Government of Belarus", "organisation", None),
    "minsk": ("Minsk", "city", "Q2280"),
    "europe": ("Europe", "place", "Q46"),
    "eastern-europe": ("Eastern Europe", "place", "Q27468"),
    "president-of-belarus": ("President of Belarus", "post", "Q1049659"),
    "president-of-russia": ("President of Russia", "post", "Q218295"),
    "union-state-treaty": ("Treaty on the Creation of a Union State", "agreement", None),
    "collective-security-treaty": ("Collective Security Treaty", "agreement", None),
    "belarus-presidential-election-2020": (
        "2020 Belarusian presidential election", "election", None),
    "belarus-presidential-election-1994": (
        "1994 Belarusian presidential election", "election", None),
    "belarus-protests-2020-2021": ("2020–2021 Belarusian protests", "protest", None),
    "constitution-of-belarus": ("Constitution of Belarus", "constitution adoption", None),
    "declaration-of-state-sovereignty": (
        "Declaration of State Sovereignty of the Byelorussian SSR", "event", None),
}  # fmt: skip


def test_entity_wikidata(seed_store: EmbeddedStore, seed_config: Config) -> None:
    rows = answers(seed_store, seed_config, "entity-wikidata")
    found = {e.removeprefix("entity/"): (label, kind, wd) for e, label, kind, wd in rows}
    assert len(found) == len(rows)  # one row per entity
    expected = {
        e: (label, kind, "http://www.wikidata.org/entity/" + q if q else None)
        for e, (label, kind, q) in ENTITIES.items()
    }
    assert found == expected
    assert [r[1] for r in rows] == sorted(r[1] for r in rows)


def test_interop_claims(seed_store: EmbeddedStore, seed_config: Config) -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    rows = answers(seed_store, seed_config, "interop-claims")
    assert sorted(r[0] for r in rows) == sorted(c(x) for x in ALL_CLAIMS)
    for _claim, _who, _name, words, begin, end, headline in rows:
        assert text[begin:end] == words
        assert headline == text.splitlines()[0]
    by_claim = {r[0]: r[1:3] for r in rows}
    assert by_claim[c("c-nato-denial")] == (NATO, "NATO")
    assert by_claim[c("c-phone-calls")] == (f"article/{AID}/agent/local-media", "local media")
    # Every claim in the article's own voice is attributed to the publisher, through prov: alone.
    assert sorted(cl for cl, (who, _) in by_claim.items() if who == PUBLISHER) == sorted(
        c(x) for x in AUTHOR
    )
    assert {who for cl, (who, _) in by_claim.items() if cl in {c(x) for x in HEDGE}} == {
        UNATTRIBUTED
    }


def test_article_metadata(seed_store: EmbeddedStore, seed_config: Config) -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    ((article, headline, language, published, method, reasoning, sha, length, claims),) = answers(
        seed_store, seed_config, "article-metadata"
    )
    # The SHA-256 of the seed text, as issue 2 gives it.
    assert sha == "ba74fa251238868d03022f3e8ca02161140a1f6638a2520e51d880700b88a9e2"
    assert (article, headline, language, published, method) == (
        f"article/{AID}",
        text.splitlines()[0],
        "en",
        "2020-08-17",
        "estimated",
    )
    assert reasoning.startswith("The text states no date.")
    assert (length, claims) == (len(text), 51)


def test_editorial_notes(seed_store: EmbeddedStore, seed_config: Config) -> None:
    rows = answers(seed_store, seed_config, "editorial-notes", ["claim", "ambiguous"])
    ambiguous = [
        "c-assurance-hearsay", "c-offer-quote", "c-pressure-from-outside",
        "c-pressure-origin-unsaid", "c-heading-allegation", "c-nato-deployment-reported",
        "c-nato-denial", "c-nato-readiness-baseless", "c-border-russia-west", "c-constitution",
        "c-five-elections", "c-mutual-assistance-agreements",
    ]  # fmt: skip
    noted = [
        "c-headline-intervention", "c-headline-quote", "c-bullet-plot-quote",
        "c-bullet-deployment-quote", "c-bullet-president-title", "c-election-win",
        "c-minsk-rally", "c-minsk-capital", "c-protesters-accuse-rigging", "c-detentions",
        "c-phone-calls", "c-tenure-20-years", "c-label-last-dictator-of-belarus",
        "c-accuses-nato-conspiring", "c-nato-name", "c-nato-wants-overthrow", "c-independence",
        "c-became-president", "c-accused-rigging-every-time", "c-putin-supports-presupposed",
        "c-pipeline", "c-buffer-zone", "c-russia-presence", "c-russia-could-suffer",
        "c-putin-backing-believed",
    ]  # fmt: skip
    assert rows == [(c(x), True) for x in ambiguous] + [(c(x), False) for x in noted]


# The same questions asked the way a remote store is asked (parameters as a VALUES block,
# kg.bindings): every query must give the same answers both ways.
BOUND_CASES = [
    ("claims-about-entity", {"entity": "nato"}),
    ("attribution-modes", {"mode": "hedge"}),
    ("attribution-modes", {"mode": INJECTION}),
    ("quotes-with-offsets", {"claimant": "alexander-lukashenko"}),
    ("events-in-range", {"from": "2020-08-01", "to": "2020-08-31"}),
    ("events-in-range", {"to": "1994-06-30"}),
    ("agreements-between", {"state": "belarus", "other": "russia"}),
    ("offers-and-conditions", {"recipient": "belarus"}),
    ("leaders-tenures", {"leader": "vladimir-putin"}),
    ("repeated-propositions", {"minimum": "3"}),
    ("proposition-provenance", {"proposition": f"proposition/{AID}/p-nato-overthrow-plot"}),
]


@pytest.mark.parametrize(("name", "params"), BOUND_CASES, ids=lambda x: str(x))
def test_values_binding_gives_the_same_answers(
    name: str, params: dict[str, str], seed_store: EmbeddedStore, seed_config: Config
) -> None:
    from kg.bindings import bind_values

    query = CATALOGUE.get(name)
    bound = queries.bind(query, params, seed_config)
    results = seed_store.query(bind_values(query.text, bound))
    names = [v.value for v in results.variables]
    as_values = [tuple(value(r[n], seed_config.base_iri) for n in names) for r in results]
    assert as_values == answers(seed_store, seed_config, name, names, **params)


# Statements per fact and the sources each cites (data/reference/facts.yaml).
FACTS = {
    "R1": (2, {'English Wikipedia, "Alexander Lukashenko"', 'Meduza ("26 consecutive years")',
               "AFP report"}),
    "R2": (2, {"nato.int, news_118651"}),
    "R3": (5, {'English Wikipedia, "Belarus"', "Wikidata Q184 (Belarus)"}),
    "R4": (3, {"charter97.org", "belsat.eu", 'English Wikipedia, "Belarus"'}),
    "R5": (1, {'English Wikipedia, "Belarus"'}),
    "R6": (3, {"belarus.by (election history)",
               'English Wikipedia, "1994 Belarusian presidential election"'}),
    "R7": (9, {"belarus.by (election history)",
               "English Wikipedia election articles "
               "(Belarusian presidential elections 1994-2020)"}),
    "R8": (2, {'English Wikipedia, "2020 Belarusian presidential election"', "TASS"}),
    "R9": (1, {"Reuters via National Post", "AFP"}),
    "R10": (2, {"belarusfeed.com", "AFP", "New York Times briefing"}),
    "R11": (2, {"Kremlin readout (en.kremlin.ru) as quoted by TASS", "Reuters (2020-08-15/16)"}),
    "R12": (3, {"Kremlin (en.kremlin.ru)",
                'English Wikipedia, "Collective Security Treaty Organization"'}),
    "R13": (1, {"Reuters via National Post"}),
    "R14": (1, {"uawire.org", "lapresse.ca (2020)"}),
    "R15": (2, {'English Wikipedia, "Alexander Lukashenko"'}),
    "R16": (1, {'English Wikipedia, "2020–2021 Belarusian protests"'}),
}  # fmt: skip


def test_reference_facts(seed_store: EmbeddedStore, seed_config: Config) -> None:
    rows = answers(seed_store, seed_config, "reference-facts")
    assert [r[1] for r in rows] == [f"R{n}" for n in range(1, 17)]
    for fact, fid, _text, statements, sources in rows:
        assert fact == f"reference/{fid}"
        assert (statements, set(sources.split(" | "))) == FACTS[fid]
        assert sources.split(" | ") == sorted(FACTS[fid][1])  # joined in sorted order
    texts = {r[1]: r[2] for r in rows}
    assert texts["R5"] == "The Constitution of Belarus was adopted on 1994-03-15."


# ---------------------------------------------------------------------------------------------
# The queries name no data IRI: under another base IRI they give the same answers.


@pytest.fixture(scope="module")
def other_base(seed_config: Config) -> tuple[EmbeddedStore, Config]:
    """The seed sources built in memory under another base IRI."""
    from kg.build import build

    config = seed_config.with_(data_dir=":memory:", base_iri="http://example.org/kg/")
    store = EmbeddedStore(None)
    build(config, store=store, shapes=False)
    return store, config


@pytest.mark.parametrize("path", LOCAL_QUERY_FILES, ids=lambda p: p.stem)
def test_answers_do_not_depend_on_the_base_iri(
    path: Path,
    other_base: tuple[EmbeddedStore, Config],
    seed_store: EmbeddedStore,
    seed_config: Config,
) -> None:
    store, config = other_base
    query = CATALOGUE.get(path.stem)
    # The load activity is named by a hash of the inputs (which include the base) and its time.
    names = [
        v.value
        for v in queries.run(seed_store, query, {}, seed_config).variables
        if v.value not in ("activity", "loadedAt")
    ]
    assert answers(store, config, path.stem, names) == answers(
        seed_store, seed_config, path.stem, names
    )


def test_interop_query_uses_standard_vocabularies_only() -> None:
    body = _body(CATALOGUE.get("interop-claims").text)
    assert "gc:" not in body and "geoclaims" not in body
    assert set(CATALOGUE.get("interop-claims").prefixes) == {"rdfs", "schema", "prov", "nif"}


@pytest.mark.parametrize("fmt", ["csv", "tsv", "xml"])
def test_cli_formats(seed_config: Config, fmt: str) -> None:
    import csv
    import io
    import xml.etree.ElementTree as ET

    result = kg_query(seed_config, "attribution-counts", "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(result.output)
        counts = [
            (b.find("r:binding[@name='mode']/r:literal", ns).text,
             b.find("r:binding[@name='claims']/r:literal", ns).text)
            for b in root.iterfind("r:results/r:result", ns)
        ]  # fmt: skip
    else:
        rows = list(csv.reader(io.StringIO(result.output), delimiter="," if fmt == "csv" else "\t"))
        header, body = rows[0], rows[1:]
        assert header == (
            ["mode", "label", "claims"] if fmt == "csv" else ["?mode", "?label", "?claims"]
        )
        counts = [(r[0].strip('"'), r[2].split("^^")[0].strip('"')) for r in body]
    assert counts == [("author", "27"), ("reported", "12"), ("hedge", "5"), ("quote", "5"),
                      ("hearsay", "2")]  # fmt: skip


def test_render_boolean_and_graph_results(fresh_config: Config, tmp_path: Path) -> None:
    (tmp_path / "is-empty.rq").write_text("#+ title: t\n#+ description: d\nASK { ?s ?p ?o }\n")
    (tmp_path / "one-triple.rq").write_text(
        "#+ title: t\n#+ description: d\nCONSTRUCT { <http://ex/a> <http://ex/p> 1 } WHERE {}\n"
    )
    cat = queries.Catalogue.load(tmp_path)
    store = EmbeddedStore(None)
    ask = cat.get("is-empty")
    assert queries.render(
        queries.run(store, ask, {}, fresh_config), "table", ask, fresh_config
    ) == (b"false\n")
    assert json.loads(
        queries.render(queries.run(store, ask, {}, fresh_config), "json", ask, fresh_config)
    ) == {"head": {}, "boolean": False}
    graph = cat.get("one-triple")
    turtle = queries.render(
        queries.run(store, graph, {}, fresh_config), "table", graph, fresh_config
    )
    parsed = list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))
    assert [(t.subject.value, t.object.value) for t in parsed] == [("http://ex/a", "1")]
    with pytest.raises(QueryError, match="unknown format"):
        queries.render(queries.run(store, ask, {}, fresh_config), "yaml", ask, fresh_config)


def test_bound_text_runs_anywhere(seed_store: EmbeddedStore, seed_config: Config) -> None:
    query = CATALOGUE.get("quotes-with-offsets")
    text = queries.bound_text(query, {"claimant": "vladimir-putin"}, seed_config)
    assert "VALUES" in text and seed_config.base_iri + "entity/vladimir-putin" in text
    rows = [r["claim"].value for r in seed_store.query(text)]  # no substitutions needed
    assert rows == [seed_config.base_iri + c("c-offer-quote")]
    assert queries.bound_text(CATALOGUE.get("disputed-claims"), {}, seed_config) == (
        CATALOGUE.get("disputed-claims").text
    )


# ---------------------------------------------------------------------------------------------
# Any SPARQL 1.1 store: the same answers from a real `oxigraph serve` through kg.remote.


@pytest.fixture(scope="module")
def remote_seed(
    seed_store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """A real Oxigraph server holding a copy of the seed dataset, as a RemoteStore."""
    from kg.remote import RemoteStore

    with run_oxigraph(tmp_path_factory.mktemp("queries-remote")) as server:
        store = RemoteStore(server.query_url, timeout=60)
        store.replace_graphs([], seed_store.oxigraph.quads_for_pattern(None, None, None, None))
        yield store
        store.close()


REMOTE_CASES = [(p.stem, {}) for p in LOCAL_QUERY_FILES] + BOUND_CASES


@pytest.mark.remote
@pytest.mark.parametrize(("name", "params"), REMOTE_CASES, ids=lambda x: str(x))
def test_remote_store_gives_the_same_answers(
    name: str,
    params: dict[str, str],
    remote_seed: Any,
    seed_store: EmbeddedStore,
    seed_config: Config,
) -> None:
    for union in (True, False):
        config = seed_config.with_(union_default_graph=union)
        expected = answers(seed_store, config, name, **params)
        assert answers(remote_seed, config, name, **params) == expected
