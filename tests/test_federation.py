"""Federated named queries (SERVICE to Wikidata), run against a real `oxigraph serve` on loopback
that serves a small Wikidata-shaped fixture (tests/data/wikidata/fixture.ttl) in place of the
Wikidata Query Service. The queries name WDQS; the tests point them at the fixture server."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import OxigraphServer, run_oxigraph

from kg import queries
from kg.config import PROJECT_DIR, Config
from kg.store import Store, open_store

WDQS = "https://query.wikidata.org/sparql"
FIXTURE = Path(__file__).parent / "data" / "wikidata" / "fixture.ttl"
CATALOGUE = queries.Catalogue.load(PROJECT_DIR / "queries")
FEDERATED = ("wikidata-disagreements", "wikidata-neighbour-claims", "wikidata-alliance-members")


def serve_fixture(server: OxigraphServer, update: str = "") -> None:
    """Load the fixture into the server's default graph (then apply a SPARQL update, if any)."""
    put = requests.put(
        server.base + "/store?default",
        data=FIXTURE.read_bytes(),
        headers={"Content-Type": "text/turtle"},
        timeout=30,
    )
    assert put.status_code in (201, 204), put.text
    if update:
        done = requests.post(
            server.base + "/update",
            data=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
            timeout=30,
        )
        assert done.status_code == 204, done.text


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    with run_oxigraph(tmp_path_factory.mktemp("wikidata-fixture")) as server:
        serve_fixture(server)
        yield server


def allowing(config: Config, endpoint: str) -> Config:
    """The settings with `endpoint` on the SERVICE allowlist (a loopback one: private allowed)."""
    names = {f.name for f in dataclasses.fields(config)}
    if "service_allowlist" not in names:
        return config  # before the allowlist exists, SERVICE is not restricted
    return config.with_(service_allowlist=endpoint, service_allow_private=True)


@pytest.fixture(scope="module")
def seed_store(seed_config: Config, wikidata: OxigraphServer) -> Iterator[Store]:
    store = open_store(allowing(seed_config, wikidata.query_url), read_only=True)
    yield store
    store.close()


def pointed_at(name: str, endpoint: str) -> queries.NamedQuery:
    """A federated named query with its SERVICE IRI turned to `endpoint`."""
    query = CATALOGUE.get(name)
    assert WDQS in query.text
    return dataclasses.replace(query, text=query.text.replace(WDQS, endpoint))


def answers(
    store: Store, config: Config, query: queries.NamedQuery, **params: str
) -> list[tuple[str, ...]]:
    results = queries.run(store, query, params, config)
    names = [v.value for v in results.variables]
    return [
        tuple("" if row[n] is None else row[n].value.rsplit("/", 1)[-1] for n in names)
        for row in results
    ]


@pytest.fixture(scope="module")
def run(
    seed_store: Store, seed_config: Config, wikidata: OxigraphServer
) -> Callable[..., list[tuple[str, ...]]]:
    config = allowing(seed_config, wikidata.query_url)

    def go(name: str, **params: str) -> list[tuple[str, ...]]:
        return answers(seed_store, config, pointed_at(name, wikidata.query_url), **params)

    return go


def test_the_federated_queries_call_the_wikidata_query_service() -> None:
    for name in FEDERATED:
        text = CATALOGUE.get(name).text
        assert f"SERVICE <{WDQS}>" in text, name
        # Bounded patterns: the endpoint gets them without our bindings.
        assert "wdt:P31 wd:Q3624078" in text, name


def test_claims_that_disagree_with_wikidata(run: Callable[..., list[tuple[str, ...]]]) -> None:
    # Lukashenko took office on 1994-07-20 (the fixture's P39 start time): 26 full years on the
    # article's date, not the article's 20. Every other tenure, border and capital agrees.
    assert [r[:5] for r in run("wikidata-disagreements")] == [
        ("c-tenure-20-years", "tenure length (years)", "20", "26", "2020-08-17")
    ]


def test_disagreements_follow_what_the_remote_says(
    seed_config: Config, start_oxigraph: Callable[..., Any]
) -> None:
    """The same claims against a Wikidata that says otherwise: a border, a capital, a term."""
    changed = """
    PREFIX wd: <http://www.wikidata.org/entity/>
    PREFIX wdt: <http://www.wikidata.org/prop/direct/>
    PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
    PREFIX wds: <http://www.wikidata.org/entity/statement/>
    PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    DELETE DATA { wd:Q184 wdt:P47 wd:Q159 . wd:Q184 wdt:P36 wd:Q2280 } ;
    INSERT DATA { wd:Q184 wdt:P36 wd:Q36 .
                  wds:Q7747-P39-2 pq:P582 "2018-05-07T00:00:00Z"^^xsd:dateTime }
    """
    with start_oxigraph() as other:
        serve_fixture(other, changed)
        config = allowing(seed_config, other.query_url)
        store = open_store(config, read_only=True)
        try:
            found = answers(store, config, pointed_at("wikidata-disagreements", other.query_url))
        finally:
            store.close()
    assert [r[:4] for r in found] == [
        ("c-border-russia-west", "shares border with", "Q159", "not among the state's borders"),
        ("c-minsk-capital", "capital", "Q2280", "Q36"),
        ("c-putin-title", "holds post", "Q218295", "no term covering the date"),
        ("c-tenure-20-years", "tenure length (years)", "20", "26"),
    ]


def test_claims_about_states_bordering_the_claimant(
    run: Callable[..., list[tuple[str, ...]]],
) -> None:
    # Russia, and Putin as Russia's head of state in 2020 (P35 from 2012-05-07), about Belarus.
    found = [(r[0], r[1], r[2], r[3]) for r in run("wikidata-neighbour-claims")]
    assert found == [
        ("c-buffer-zone", "Russia", "Q159", "belarus"),
        ("c-bullet-pressure", "Vladimir Putin", "Q159", "belarus"),
        ("c-headline-intervention", "Russia", "Q159", "belarus"),
        ("c-headline-quote", "Russia", "Q159", "belarus"),
        ("c-offer-quote", "Vladimir Putin", "Q159", "belarus"),
        ("c-pressure-from-outside", "Vladimir Putin", "Q159", "belarus"),
    ]


CSTO_MEMBERS_CLAIMED_ABOUT = {
    ("c-border-russia-west", "belarus"),
    ("c-border-russia-west", "russia"),
    ("c-buffer-zone", "belarus"),
    ("c-buffer-zone", "russia"),
    ("c-bullet-deployment-quote", "belarus"),
    ("c-bullet-pressure", "belarus"),
    ("c-constitution", "belarus"),
    ("c-detentions", "belarus"),
    ("c-first-election", "belarus"),
    ("c-five-elections", "belarus"),
    ("c-headline-intervention", "belarus"),
    ("c-headline-intervention", "russia"),
    ("c-headline-protests", "belarus"),
    ("c-headline-quote", "belarus"),
    ("c-headline-quote", "russia"),
    ("c-independence", "belarus"),
    ("c-minsk-capital", "belarus"),
    ("c-mutual-assistance-agreements", "belarus"),
    ("c-mutual-assistance-agreements", "russia"),
    ("c-nato-denial", "belarus"),
    ("c-nato-deployment-reported", "belarus"),
    ("c-nato-monitoring", "belarus"),
    ("c-nato-readiness-baseless", "belarus"),
    ("c-offer-quote", "belarus"),
    ("c-offer-quote", "russia"),
    ("c-pipeline", "belarus"),
    ("c-pipeline", "russia"),
    ("c-pressure-from-outside", "belarus"),
    ("c-pressure-origin-unsaid", "belarus"),
    ("c-pressure-origin-unsaid", "russia"),
    ("c-protester-deaths", "belarus"),
    ("c-protests-intensified", "belarus"),
    ("c-protests-seven-days", "belarus"),
    ("c-putin-backing-believed", "belarus"),
    ("c-putin-supports-presupposed", "belarus"),
    ("c-russia-could-suffer", "russia"),
    ("c-russia-presence", "belarus"),
    ("c-russia-presence", "russia"),
}


def test_claims_about_members_of_an_alliance_at_the_claims_date(
    run: Callable[..., list[tuple[str, ...]]],
) -> None:
    csto = run("wikidata-alliance-members")
    assert {(r[1], r[2]) for r in csto} == CSTO_MEMBERS_CLAIMED_ABOUT
    assert {(r[0], r[4], r[5]) for r in csto} == {("csto", "2002-10-07", "")}
    # Belarus seceded from the Soviet Union in 1991: no member of the CSTO (2002) nor the CIS
    # (1991-12-08) at that date, though the claim is about Belarus.
    assert "c-secession" not in {r[1] for r in csto}
    assert "c-secession" not in {r[1] for r in run("wikidata-alliance-members", alliance="cis")}
    # No claim is about a NATO member (Poland, Lithuania, Latvia).
    assert run("wikidata-alliance-members", alliance="nato") == []


@functools.cache
def _federated_paths() -> list[str]:
    return [p.stem for p in sorted((PROJECT_DIR / "queries").glob("*.rq")) if WDQS in p.read_text()]


def test_every_federated_query_is_tested_here() -> None:
    assert _federated_paths() == sorted(FEDERATED)


def test_the_federation_bench_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """A smoke run of bench/federation.py (no timing asserted): both joins find the same rows."""
    import sys

    sys.path.insert(0, str(PROJECT_DIR / "bench"))
    import federation

    assert federation.main(["--rows", "12", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    rows = [line.split("|")[2].strip() for line in out.splitlines() if line.startswith("| ")]
    # 12 claims, two about each of six states; the fixture gives those states 24 borders.
    assert rows[1:] == ["48", "48"]
    assert "federated / local:" in out


def test_kg_query_reports_a_failing_remote_without_a_traceback(
    seed_config: Config, tmp_path: Path
) -> None:
    import shutil
    import socket

    from click.testing import CliRunner

    from kg.cli import main

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{sock.getsockname()[1]}/query"
    source = tmp_path / "src"
    shutil.copytree(PROJECT_DIR / "ontology", source / "ontology")
    (source / "queries").mkdir()
    text = CATALOGUE.get("wikidata-neighbour-claims").text.replace(WDQS, down)
    (source / "queries" / "neighbours.rq").write_text(text, encoding="utf-8")
    args = ["query", "neighbours", "--source-dir", str(source)]
    args += ["--data-dir", str(seed_config.data_dir)]
    if "service_allowlist" in {f.name for f in dataclasses.fields(seed_config)}:
        args += ["--service-allowlist", down, "--service-allow-private"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 7, result.output
    assert result.output.startswith("error: neighbours: the query failed while running:")
    assert "refused" in result.output.lower()
