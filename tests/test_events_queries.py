"""The joins of claims and imported event data: named queries, and the article and claim pages."""

from __future__ import annotations

import gc
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import eventdata as ed
import pytest

from kg import queries
from kg.build import build
from kg.config import Config
from kg.events.importer import import_file
from kg.events.panel import bearings
from kg.store import EmbeddedStore
from kg.web import create_app

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/geoclaims/"
CLAIM = BASE + "claim/belarus-protests-2020/"
# The named queries over imported event data (tests/test_queries.py leaves them to this module).
EVENT_QUERIES = sorted(
    p.stem for p in (ROOT / "queries").glob("*.rq") if "gc:sourceActor" in p.read_text("utf-8")
)
CATALOGUE = queries.Catalogue.load(ROOT / "queries")
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """The seed with the event fixtures imported (GDELT events and mentions, POLECAT)."""
    config = Config.load(
        {"data_dir": str(tmp_path_factory.mktemp("joins") / "store"), "source_dir": str(ROOT)},
        environ={},
    )
    build(config, check=False, shapes=False)
    store = EmbeddedStore(Path(config.data_dir))
    for kind, path in (
        ("gdelt-events", ed.FIXTURES / "20200820151500.export.CSV.zip"),
        ("gdelt-mentions", ed.FIXTURES / "20200820151500.mentions.CSV"),
        ("polecat", ed.FIXTURES / "polecat-2020-08-example.txt"),
    ):
        import_file(config, store, kind, path)
    store.close()
    del store
    gc.collect()
    return config


@pytest.fixture(scope="module")
def store(config: Config) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore(Path(config.data_dir), read_only=True)
    yield opened
    del opened
    gc.collect()


def run(store: EmbeddedStore, config: Config, name: str, **params: str) -> list[dict[str, str]]:
    query = CATALOGUE.get(name)
    result = queries.run(store, query, params, config)
    names = [v.value for v in result.variables]
    return [{n: r[n].value for n in names if r[n] is not None} for r in result]


def local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def test_the_event_queries() -> None:
    assert EVENT_QUERIES == ["entity-timeline", "events-bearing-on-claims", "events-near-claim"]


def test_events_near_a_claim(store: EmbeddedStore, config: Config) -> None:
    found = run(store, config, "events-near-claim")  # its default: the deployment quote
    assert {r["claimDate"] for r in found} == {"2020-08-17"}  # the article's date
    rows = {(local(r["event"]), local(r["entity"]), r["how"]) for r in found}
    # Within 3 days of 2020-08-17 and involving Belarus or NATO (the claim's entities) ...
    assert ("930000004", "nato", "actor") not in rows  # NATMIL is not NATO itself ...
    assert ("930000004", "belarus", "actor") in rows  # ... but its target, BLR, is Belarus
    assert ("930000005", "belarus", "place") in rows  # Belarus's own mobilisation at Hrodna
    assert ("930000005", "nato", "actor") in rows
    assert ("20200816-0001", "nato", "actor") in rows  # POLECAT: NATO by its Wikidata item
    assert ("930000007", "belarus", "actor's country") in rows  # 2020-08-20: the last day
    # ... and nothing outside the window (2020-08-12 and before) or not involving them.
    assert {local(r["event"]) for r in found} == {
        "930000003", "930000004", "930000005", "930000007", "20200815-0002", "20200816-0001",
    }  # fmt: skip
    narrow = run(store, config, "events-near-claim", days="0")
    assert {local(r["event"]) for r in narrow} == {"930000005"}


def test_claims_corroborated_or_contradicted_by_event_data(
    store: EmbeddedStore, config: Config
) -> None:
    found = run(store, config, "events-bearing-on-claims")
    pairs = {(local(r["claim"]), r["relation"], local(r["event"])) for r in found}
    events = {"930000004", "20200816-0001"}  # NATO forces mobilised, bearing on Belarus
    assert pairs == {
        *(("c-bullet-deployment-quote", "corroborates", e) for e in events),
        *(("c-nato-deployment-reported", "corroborates", e) for e in events),
        *(("c-nato-denial", "contradicts", e) for e in events),
        *(("c-nato-readiness-baseless", "contradicts", e) for e in events),
    }
    how = {(local(r["event"]), r["targetMatch"]) for r in found}
    assert how == {
        ("930000004", "target actor"),  # its target, BLR
        ("930000004", "place bordering it"),  # Vilnius: Lithuania borders Belarus (R3)
        ("20200816-0001", "target actor"),
        ("20200816-0001", "place"),  # Hrodna, in Belarus
    }
    # Belarus's own mobilisation (BLRMIL) is not NATO's: it bears on no NATO claim.
    assert "930000005" not in {local(r["event"]) for r in found}
    # Three days either side: none on 2020-08-16 when the window is shifted away by a day.
    one = run(store, config, "events-bearing-on-claims", claim=CLAIM + "c-nato-denial", days="0")
    assert one == []


def test_an_entitys_timeline_mixes_claims_and_events(store: EmbeddedStore, config: Config) -> None:
    found = run(store, config, "entity-timeline", entity="nato", **{"from": "2020-08-15"})
    assert found == sorted(found, key=lambda r: r["date"])
    kinds = {(r["kind"], local(r["item"])) for r in found}
    assert ("event", "930000003") in kinds  # Lukashenko accuses NATO (GDELT)
    assert ("event", "20200815-0002") in kinds  # ... and in POLECAT
    assert ("claim", "c-nato-denial") in kinds
    assert all(r["date"] >= "2020-08-15" for r in found)
    first = next(r for r in found if r["kind"] == "event")
    assert first["date"] == "2020-08-15" and first["source"].startswith(BASE + "events/")
    denial = next(r for r in found if local(r["item"]) == "c-nato-denial")
    assert denial["what"] == "denial" and denial["words"] == "However, NATO has denied this."


@pytest.mark.parametrize("name", EVENT_QUERIES)
def test_event_queries_do_not_depend_on_the_union_default_graph(
    store: EmbeddedStore, config: Config, name: str
) -> None:
    on = run(store, config.with_(union_default_graph=True), name)
    off = run(store, config.with_(union_default_graph=False), name)
    assert on == off and on


def test_the_panel_groups_rows_by_claim(store: EmbeddedStore) -> None:
    found = bearings(store, CATALOGUE, article=BASE + "article/belarus-protests-2020")
    assert set(found) == {CLAIM + c for c in (
        "c-bullet-deployment-quote", "c-nato-deployment-reported", "c-nato-denial",
        "c-nato-readiness-baseless")}  # fmt: skip
    rows = found[CLAIM + "c-nato-denial"]
    assert [(local(b.event), b.relation, b.date) for b in rows] == [
        ("930000004", "contradicts", "2020-08-16"),
        ("20200816-0001", "contradicts", "2020-08-16"),
    ]
    assert set(rows[0].matches) == {"target actor", "place bordering it"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_article_and_claim_pages_show_the_rows(config: Config, store: EmbeddedStore) -> None:
    client = create_app(config, store=store).test_client()
    page = client.get("/article/belarus-protests-2020", headers=HTML)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    section = html[html.index('<section id="event-data"') :]
    section = section[: section.index("</section>") + len("</section>")]
    assert section.count('class="event-bearing"') == 4
    assert section.count('data-relation="contradicts"') == 4  # two denials, two rows each
    assert section.count('data-relation="corroborates"') == 4
    assert "Mobilize or increase armed forces" in _text(section)
    claim = client.get("/claim/belarus-protests-2020/c-nato-denial", headers=HTML).get_data(
        as_text=True
    )
    assert 'id="event-data"' in claim and "this claim" in claim
    quiet = client.get("/claim/belarus-protests-2020/c-headline-protests", headers=HTML)
    assert quiet.status_code == 200
    quiet = quiet.get_data(as_text=True)
    assert 'id="event-data"' not in quiet


def test_no_panel_without_event_data(tmp_path: Path, config: Config) -> None:
    shutil.copytree(ROOT / "ontology", tmp_path / "src" / "ontology")
    plain = Config.load({"data_dir": str(tmp_path / "store"), "source_dir": str(ROOT)}, environ={})
    build(plain, check=False, shapes=False)
    client: Any = create_app(plain).test_client()
    html = client.get("/article/belarus-protests-2020", headers=HTML).get_data(as_text=True)
    assert "<h1" in html and 'id="event-data"' not in html
