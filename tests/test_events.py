"""`kg import`: GDELT 2.0 events and mentions, POLECAT, into graphs of their own (issue 15)."""

from __future__ import annotations

import gc
import io
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import eventdata as ed
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import main
from kg.config import Config
from kg.errors import DataError, DataErrors
from kg.events import gdelt, polecat
from kg.events.importer import graph_iri, import_file
from kg.events.rows import Filters
from kg.namespaces import CAMEO, PLOVER, sparql_prefixes
from kg.remote import RemoteStore
from kg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ed.FIXTURES / "20200820151500.export.CSV.zip"
MENTIONS = ed.FIXTURES / "20200820151500.mentions.CSV"
POLECAT = ed.FIXTURES / "polecat-2020-08-example.txt"
BASE = "https://w3id.org/geoclaims/"
E = BASE + "entity/"


def rows(store: object, sparql: str) -> list[dict[str, str]]:
    result = store.query(
        sparql_prefixes() + "PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>\n" + sparql
    )  # type: ignore[attr-defined]
    names = [v.value for v in result.variables]
    return [{n: r[n].value for n in names if r[n] is not None} for r in result]


def graph_quads(store: EmbeddedStore, graph: str) -> set[str]:
    return {
        f"{q.subject} {q.predicate} {q.object}"
        for q in store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph))
    }


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """The seed (entities with their identifiers, the article's claims) built once, on disk."""
    config = Config.load(
        {"data_dir": str(tmp_path_factory.mktemp("events") / "store"), "source_dir": str(ROOT)},
        environ={},
    )
    build(config, check=False, shapes=False)
    return config


@pytest.fixture()
def store(seed: Config, tmp_path: Path) -> Iterator[EmbeddedStore]:
    """A store of this test's own holding the seed's graphs (a copy of the seed's store)."""
    shutil.copytree(seed.data_dir, tmp_path / "store")
    opened = EmbeddedStore(tmp_path / "store")
    yield opened
    opened.close()
    del opened
    gc.collect()


@pytest.fixture()
def config(seed: Config, tmp_path: Path) -> Config:
    return seed.with_(data_dir=str(tmp_path / "store"))


# --- the published layouts ---------------------------------------------------------------------


def test_the_layouts_have_the_published_columns_in_order() -> None:
    assert len(gdelt.EVENT_COLUMNS) == 61 and len(gdelt.MENTION_COLUMNS) == 16
    assert gdelt.EVENT_COLUMNS[:5] == (
        "GLOBALEVENTID",
        "SQLDATE",
        "MonthYear",
        "Year",
        "FractionDate",
    )
    assert gdelt.EVENT_COLUMNS[5:8] == ("Actor1Code", "Actor1Name", "Actor1CountryCode")
    assert gdelt.EVENT_COLUMNS[25:35] == (
        "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
        "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
    )  # fmt: skip
    assert (
        gdelt.EVENT_COLUMNS[51] == "ActionGeo_Type"
        and gdelt.EVENT_COLUMNS[58] == "ActionGeo_FeatureID"
    )
    assert gdelt.EVENT_COLUMNS[-2:] == ("DATEADDED", "SOURCEURL")
    assert gdelt.MENTION_COLUMNS[5] == "MentionIdentifier" and gdelt.MENTION_COLUMNS[-1] == "Extras"
    assert len(polecat.COLUMNS) == 40 and polecat.COLUMNS[-1] == "Version"


def test_the_fixtures_follow_the_layouts() -> None:
    with zipfile.ZipFile(EVENTS) as z:
        (member,) = z.namelist()
        lines = z.read(member).decode().splitlines()
    assert lines and all(len(line.split("\t")) == 61 for line in lines)
    assert all(len(line.split("\t")) == 16 for line in MENTIONS.read_text().splitlines())
    head, *body = POLECAT.read_text().splitlines()
    assert tuple(head.split("\t")) == polecat.COLUMNS
    assert body and all(len(line.split("\t")) == 40 for line in body)


# --- GDELT ---------------------------------------------------------------------------------------


def test_gdelt_events_become_a_graph_of_their_own(config: Config, store: EmbeddedStore) -> None:
    report = import_file(config, store, "gdelt-events", EVENTS)
    assert (report.imported, report.skipped, report.bad) == (9, 0, 0)
    graph = BASE + "events/gdelt/file/20200820151500.export.CSV"
    assert report.graph == graph
    found = rows(
        store,
        f"""
        SELECT ?id ?date ?code ?root ?goldstein ?tone WHERE {{ GRAPH <{graph}> {{
          ?e a gc:CodedEvent, sem:Event, schema:Event ; dcterms:identifier ?id ;
             schema:startDate ?date ; sem:eventType ?code ; gc:cameoRoot ?root ;
             gc:goldsteinScale ?goldstein ; gc:averageTone ?tone }} }} ORDER BY ?id""",
    )
    assert len(found) == 9
    first = found[3]
    assert first == {
        "id": "930000004", "date": "2020-08-16", "code": CAMEO + "154", "root": CAMEO + "15",
        "goldstein": "-7.2", "tone": "-4",
    }  # fmt: skip
    # The graph describes itself and where it came from.
    prov = rows(
        store,
        f"""
        SELECT ?name ?sha ?version WHERE {{ GRAPH <{graph}> {{
          <{graph}> a gc:EventDataGraph ; prov:wasGeneratedBy ?import ; prov:wasDerivedFrom ?file .
          ?import a prov:Activity ; prov:used ?file ; gc:softwareVersion ?version .
          ?file schema:name ?name ; schema:sha256 ?sha }} }}""",
    )
    assert prov and prov[0]["name"] == EVENTS.name and len(prov[0]["sha"]) == 64


def test_actors_resolve_through_identifiers_and_unknown_codes_stay_codes(
    config: Config, store: EmbeddedStore
) -> None:
    import_file(config, store, "gdelt-events", EVENTS)

    def actors(event_id: int, role: str) -> tuple[set[str], set[str], set[str]]:
        found = rows(
            store,
            f"""
            SELECT ?code ?who ?country WHERE {{
              <{BASE}events/gdelt/event/{event_id}> gc:{role} ?a .
              ?a gc:cameoCode ?code . OPTIONAL {{ ?a rdf:value ?who }}
              OPTIONAL {{ ?a gc:actorCountry ?country }} }}""",
        )
        return (
            {r["code"] for r in found},
            {r["who"] for r in found if "who" in r},
            {r["country"] for r in found if "country" in r},
        )

    # BLRGOV stands for Lukashenko (from 1994-07-20) and for the government; NAT for NATO.
    assert actors(930000003, "sourceActor") == (
        {"BLRGOV"}, {E + "alexander-lukashenko", E + "government-of-belarus"}, {E + "belarus"}
    )  # fmt: skip
    assert actors(930000003, "targetActor") == ({"NAT"}, {E + "nato"}, set())
    # Belarus's military is not Belarus: only its country code links.
    assert actors(930000005, "sourceActor") == ({"BLRMIL"}, set(), {E + "belarus"})
    # A code no entity has stays a code.
    assert actors(930000009, "sourceActor") == ({"XYZREB"}, set(), set())
    # Places link to the state of their FIPS code.
    places = rows(
        store,
        f"""
        SELECT ?name ?state ?lat WHERE {{ <{BASE}events/gdelt/event/930000005> schema:location ?p .
          ?p a schema:Place ; schema:name ?name ; schema:latitude ?lat ;
             schema:containedInPlace ?state }}""",
    )
    assert places == [{"name": "Hrodna, Hrodzyenskaya Voblasts', Belarus", "state": E + "belarus",
                       "lat": "53.6884"}]  # fmt: skip


def test_mentions_are_about_their_events(config: Config, store: EmbeddedStore) -> None:
    import_file(config, store, "gdelt-events", EVENTS)
    report = import_file(config, store, "gdelt-mentions", MENTIONS)
    assert report.imported == 3 and report.graph.endswith("/20200820151500.mentions.CSV")
    found = rows(
        store,
        """
        SELECT ?event ?url ?sentence ?confidence WHERE {
          ?m a gc:EventMention ; schema:about ?event ; gc:mentionOf ?event ; schema:url ?url ;
             gc:sentenceNumber ?sentence ; gc:confidence ?confidence .
          ?event a gc:CodedEvent } ORDER BY ?url""",
    )
    assert [(r["event"].rsplit("/", 1)[1], r["sentence"], r["confidence"]) for r in found] == [
        ("930000003", "2", "80"), ("930000004", "4", "80"), ("930000003", "1", "60"),
    ]  # fmt: skip


def test_the_same_file_twice_gives_the_same_graph(config: Config, store: EmbeddedStore) -> None:
    first = import_file(config, store, "gdelt-events", EVENTS)
    before = graph_quads(store, first.graph)
    again = import_file(config, store, "gdelt-events", EVENTS)
    assert graph_quads(store, again.graph) == before
    assert len(before) == first.triples  # nothing duplicated, nothing lost


def test_zipped_and_plain_give_the_same_events(
    config: Config, store: EmbeddedStore, tmp_path: Path
) -> None:
    plain = tmp_path / "20200820151500.export.CSV"
    plain.write_text(ed.tsv(ed.EVENTS), encoding="utf-8")
    zipped = import_file(config, store, "gdelt-events", EVENTS)
    zipped_quads = graph_quads(store, zipped.graph)
    unzipped = import_file(config, store, "gdelt-events", plain)
    assert unzipped.graph == zipped.graph and unzipped.sha256 == zipped.sha256
    differ = zipped_quads ^ graph_quads(store, unzipped.graph)
    assert {line.split()[2] for line in differ} == {'"20200820151500.export.CSV.zip"',
                                                    '"20200820151500.export.CSV"'}  # fmt: skip


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(first="2020-08-15", last="2020-08-17"), {"930000003", "930000004", "930000005"}),
        (Filters(roots=frozenset({"15"})), {"930000004", "930000005"}),
        (Filters(countries=frozenset({"LTU"})), {"930000006"}),
        (Filters(countries=frozenset({"RUS"}), first="2020-01-01"), {"930000007"}),
    ],
)
def test_filters_keep_what_the_user_wants(
    config: Config, store: EmbeddedStore, filters: Filters, expected: set[str]
) -> None:
    report = import_file(config, store, "gdelt-events", EVENTS, filters)
    assert (report.imported, report.skipped) == (len(expected), 9 - len(expected))
    found = rows(
        store, f"SELECT ?id WHERE {{ GRAPH <{report.graph}> {{ ?e dcterms:identifier ?id }} }}"
    )
    assert {r["id"] for r in found} == expected
    recorded = rows(
        store, f"SELECT ?f WHERE {{ GRAPH <{report.graph}> {{ ?a gc:importFilter ?f }} }}"
    )
    assert {r["f"] for r in recorded} == set(filters.describe())


# --- bad input -----------------------------------------------------------------------------------


def _bad_file(tmp_path: Path, line: int, change: dict[int, str] | None, cut: bool = False) -> Path:
    events = [list(r) for r in ed.EVENTS]
    if cut:
        events[line - 1] = events[line - 1][:-1]
    for column, value in (change or {}).items():
        events[line - 1][column] = value
    path = tmp_path / "20200820151500.export.CSV"
    path.write_text(ed.tsv(events), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("line", "change", "cut", "words"),
    [
        (4, None, True, "60 columns, expected 61"),
        (2, {1: "20200231"}, False, "SQLDATE: '20200231' is not a calendar date"),
        (6, {30: "minus two"}, False, "GoldsteinScale: 'minus two' is not a number"),
        (3, {31: "12.5"}, False, "NumMentions: '12.5' is not a whole number"),
        (5, {57: "200.0"}, False, "ActionGeo_Long: '200.0' is out of range"),
    ],
)
def test_a_bad_row_rejects_the_file_whole_naming_file_and_line(
    config: Config, store: EmbeddedStore, tmp_path: Path, line: int,
    change: dict[int, str] | None, cut: bool, words: str,
) -> None:  # fmt: skip
    good = import_file(config, store, "gdelt-events", EVENTS)
    before = graph_quads(store, good.graph)
    bad = _bad_file(tmp_path, line, change, cut)
    with pytest.raises(DataErrors) as raised:
        import_file(config, store, "gdelt-events", bad)
    (error,) = raised.value.errors
    assert error.file == str(bad) and error.line == line and words in error.message
    assert error.message.startswith(f"{bad}:{line}: ")
    assert graph_quads(store, good.graph) == before  # the graph of that name is untouched


def test_skip_bad_skips_and_counts(config: Config, store: EmbeddedStore, tmp_path: Path) -> None:
    bad = _bad_file(tmp_path, 2, {1: "2020-13-01"})
    report = import_file(config, store, "gdelt-events", bad, skip_bad=True)
    assert (report.imported, report.bad) == (8, 1)
    assert report.errors[0].line == 2
    found = rows(store, f"SELECT ?n WHERE {{ GRAPH <{report.graph}> {{ ?a gc:skippedRows ?n }} }}")
    assert found == [{"n": "1"}]
    ids = rows(
        store, f"SELECT ?id WHERE {{ GRAPH <{report.graph}> {{ ?e dcterms:identifier ?id }} }}"
    )
    assert "930000002" not in {r["id"] for r in ids} and len(ids) == 8


def test_a_new_file_with_a_bad_row_leaves_no_graph(
    config: Config, store: EmbeddedStore, tmp_path: Path
) -> None:
    bad = _bad_file(tmp_path, 9, {0: "not-an-id"})
    with pytest.raises(DataError):
        import_file(config, store, "gdelt-events", bad)
    assert graph_iri(config, "gdelt-events", bad) not in store.named_graphs()


# --- POLECAT -------------------------------------------------------------------------------------


def test_polecat_events_with_plover_codes_and_wikidata_actors(
    config: Config, store: EmbeddedStore
) -> None:
    report = import_file(config, store, "polecat", POLECAT)
    assert (report.imported, report.bad) == (4, 0)
    found = rows(
        store,
        f"""
        SELECT ?id ?type ?mode ?quad ?who WHERE {{ GRAPH <{report.graph}> {{
          ?e dcterms:identifier ?id ; sem:eventType ?type ; gc:quadClass ?quad ;
             gc:sourceActor ?a . OPTIONAL {{ ?e gc:ploverMode ?mode }}
          OPTIONAL {{ ?a rdf:value ?who }} }} }} ORDER BY ?id""",
    )
    assert [(r["id"], r["type"].rsplit("/", 1)[1], r["quad"], r.get("who")) for r in found] == [
        ("20200810-0003", "PROTEST", "3", None),
        ("20200815-0002", "ACCUSE", "3", E + "alexander-lukashenko"),
        ("20200816-0001", "MOBILIZE", "4", E + "nato"),
        ("20200818-0004", "CONSULT", "1", E + "poland"),
    ]
    assert found[2]["mode"] == PLOVER + "mode/troops"
    place = rows(
        store,
        """
        SELECT ?geonames ?state WHERE { ?e dcterms:identifier "20200816-0001" ; schema:location ?p .
          ?p wdt:P1566 ?geonames ; schema:containedInPlace ?state }""",
    )
    assert place == [{"geonames": "627904", "state": E + "belarus"}]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(roots=frozenset({"MOBILIZE", "ACCUSE"})), {"20200816-0001", "20200815-0002"}),
        (Filters(countries=frozenset({"LTU"})), {"20200818-0004"}),
        (Filters(last="2020-08-10"), {"20200810-0003"}),
    ],
)
def test_polecat_filters(
    config: Config, store: EmbeddedStore, filters: Filters, expected: set[str]
) -> None:
    report = import_file(config, store, "polecat", POLECAT, filters)
    assert (report.imported, report.skipped) == (len(expected), 4 - len(expected))
    found = rows(
        store,
        f"SELECT ?id WHERE {{ GRAPH <{report.graph}> "
        "{ ?e a gc:CodedEvent ; dcterms:identifier ?id } }",
    )
    assert {r["id"] for r in found} == expected


def test_polecat_reads_the_older_header_and_rejects_a_wrong_one(
    config: Config, store: EmbeddedStore, tmp_path: Path
) -> None:
    older = tmp_path / "older.txt"
    header = tuple("Intensity" if c == "Event Intensity" else c for c in polecat.COLUMNS)
    older.write_text(ed.polecat_text(ed.POLECAT, header), encoding="utf-8")
    assert import_file(config, store, "polecat", older).imported == 4
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(ed.polecat_text(ed.POLECAT, polecat.COLUMNS[:-1] + ("Versions",)))
    with pytest.raises(DataError) as raised:
        import_file(config, store, "polecat", wrong)
    assert raised.value.line == 1 and "missing columns Version" in raised.value.message


def test_polecat_bad_event_type(config: Config, store: EmbeddedStore, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    rows_ = [list(r) for r in ed.POLECAT]
    rows_[1][2] = "INVADE"
    bad.write_text(ed.polecat_text(rows_), encoding="utf-8")
    with pytest.raises(DataErrors) as raised:
        import_file(config, store, "polecat", bad)
    assert raised.value.errors[0].line == 3
    assert "Event Type: 'INVADE' is not a PLOVER event type" in raised.value.message


# --- the store: kg build keeps imported graphs; remote stores ---------------------------------


def test_kg_build_keeps_imported_event_graphs(config: Config, store: EmbeddedStore) -> None:
    report = import_file(config, store, "gdelt-events", EVENTS)
    before = graph_quads(store, report.graph)
    store.close()
    del store
    gc.collect()
    build(config, check=False, shapes=False)  # a full rebuild of the on-disk store
    rebuilt = EmbeddedStore(Path(config.data_dir))
    try:
        assert graph_quads(rebuilt, report.graph) == before
        build(config, check=False, shapes=False, store=rebuilt)  # a build into a given store
        assert graph_quads(rebuilt, report.graph) == before
    finally:
        rebuilt.close()


def test_a_streamed_build_keeping_event_graphs_indexes_their_events(
    config: Config, store: EmbeddedStore, tmp_path: Path
) -> None:
    """A streamed build makes the search index during its load, from the sources' graphs; the
    event graphs it keeps from the previous store come after, so the index is rebuilt with
    their events (the entities' timelines), not left without them."""
    from conftest import index_contents

    from kg import search

    import_file(config, store, "gdelt-events", EVENTS)
    store.close()
    del store
    gc.collect()
    report = build(config.with_(stream_from=1), check=False, shapes=False)
    assert len(report.index.splitlines()) == 1  # rebuilt once, after the event graphs
    assert search.refresh(config) is None  # current
    rebuilt = EmbeddedStore(Path(config.data_dir), read_only=True)
    try:
        search.build_index(rebuilt, str(tmp_path / "read.sqlite"), config.base_iri, "v")
    finally:
        rebuilt.close()
    index = index_contents(search.index_path(config))
    assert index["events"]  # the imported events, on their entities' timelines
    assert index["events"] == index_contents(str(tmp_path / "read.sqlite"))["events"]


@pytest.mark.parametrize("gsp", [True, False], ids=["graph-store-put", "sparql-update"])
def test_import_into_a_remote_store_gives_the_same_graph(
    config: Config, store: EmbeddedStore, start_oxigraph: object, gsp: bool
) -> None:
    local = import_file(config, store, "gdelt-events", EVENTS)
    with start_oxigraph() as server:  # type: ignore[operator]
        remote = RemoteStore(server.query_url, gsp_url=None if gsp else "")
        entities = BASE + "graph/entities"
        remote.replace_graphs([], (ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(entities))
                                   for t in store.graph_triples(entities)))  # fmt: skip
        report = import_file(config, remote, "gdelt-events", EVENTS)
        assert report.graph == local.graph
        theirs = {
            f"{t.subject} {t.predicate} {t.object}" for t in remote.graph_triples(report.graph)
        }
        remote.close()
    ours = graph_quads(store, local.graph)
    # Only the import's start time may differ (a new store has no earlier import of the file).
    assert {line for line in ours ^ theirs if "startedAtTime" not in line} == set()


# --- the command ---------------------------------------------------------------------------------


def test_kg_import_prints_one_line_per_file_and_no_bar_off_a_terminal(
    config: Config, store: EmbeddedStore
) -> None:
    store.close()
    result = CliRunner().invoke(
        main,
        ["import", "gdelt", str(EVENTS), "--mentions", str(MENTIONS), "--root", "15",
         "--data-dir", config.data_dir, "--source-dir", str(ROOT)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 2
    assert lines[0].startswith(f"{EVENTS}: imported 2, skipped 7, bad 0, ")
    assert lines[1].startswith(f"{MENTIONS}: imported 3, skipped 0, bad 0, ")
    assert "row/s" not in result.stderr and "%|" not in result.stderr


def test_kg_import_reports_a_bad_file_and_exits_3(
    config: Config, store: EmbeddedStore, tmp_path: Path
) -> None:
    store.close()
    bad = _bad_file(tmp_path, 7, {26: "99999"})
    result = CliRunner().invoke(
        main,
        ["import", "gdelt", str(bad), "--data-dir", config.data_dir, "--source-dir", str(ROOT)],
    )
    assert result.exit_code == 3
    assert f"{bad}:7: EventCode: '99999' is not a CAMEO event code" in result.stderr
    assert "nothing was written" in result.stderr


def test_progress_is_drawn_on_a_terminal(config: Config, store: EmbeddedStore) -> None:
    from kg.events import importer

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.stderr", screen)
        importer.import_file(config, store, "gdelt-events", EVENTS)
    drawn = screen.getvalue()
    assert "kg import gdelt" in drawn and "/9 " in drawn and "row/s" in drawn  # rows of 9
    assert "loading" in drawn and "B/s" in drawn  # then the bytes of the load
