"""Every identifier in the entities graph, checked against independent tables (tests/refdata.py),
and the loader's handling of `identifiers:` in entities.yaml (shape, validity, file:line errors)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pycountry
import pyoxigraph as ox
import pytest
import refdata

from kg.config import Config
from kg.errors import DataError
from kg.ingest.compile import compile_sources
from kg.store import EmbeddedStore, open_store

ROOT = Path(__file__).resolve().parent.parent
GC = "https://w3id.org/geoclaims/ontology/"
WDT = "http://www.wikidata.org/prop/direct/"
WD = "http://www.wikidata.org/entity/"
SCHEMA = "http://schema.org/"
PROPS = {
    WDT + "P297": "iso2",
    WDT + "P298": "iso3",
    WDT + "P299": "isoNumeric",
    WDT + "P901": "fips",
    WDT + "P1566": "geonames",
    GC + "cameoCode": "cameo",
    GC + "cowCode": "cow",
    GC + "cowAbbreviation": "cowAbbreviation",
    GC + "gwCode": "gw",
}


@dataclass
class Entity:
    """One entity of the seed with its identifiers as the graph has them."""

    iri: str
    label: str
    types: set[str]
    qid: str | None
    alt: set[str] = field(default_factory=set)
    codes: dict[str, list[str]] = field(default_factory=dict)  # scheme -> values
    valid: dict[tuple[str, str], tuple[str | None, str | None]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.iri.rsplit("/", 1)[-1]

    def code(self, scheme: str) -> str:
        (value,) = self.codes[scheme]
        return value


@pytest.fixture(scope="module")
def store(seed_config: Config) -> Iterator[EmbeddedStore]:
    st = open_store(seed_config, read_only=True)
    assert isinstance(st, EmbeddedStore)
    yield st


def _rows(store: EmbeddedStore, sparql: str) -> list[dict[str, str]]:
    results = store.query(sparql, union=True)
    names = [v.value for v in results.variables]
    return [{n: r[n].value for n in names if r[n] is not None} for r in results]


@pytest.fixture(scope="module")
def entities(store: EmbeddedStore) -> dict[str, Entity]:
    found: dict[str, Entity] = {}
    for r in _rows(
        store,
        """PREFIX gc: <https://w3id.org/geoclaims/ontology/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?e ?label ?type ?qid ?alt WHERE {
          GRAPH ?g { ?g a gc:EntityGraph . ?e rdfs:label ?label ; a ?type
                     OPTIONAL { ?e owl:sameAs ?qid } OPTIONAL { ?e skos:altLabel ?alt } } }""",
    ):
        e = found.setdefault(r["e"], Entity(r["e"], r["label"], set(), None))
        e.types.add(r["type"])
        if "qid" in r:
            e.qid = r["qid"].removeprefix(WD)
        if "alt" in r:
            e.alt.add(r["alt"])
    for r in _rows(
        store,
        """PREFIX gc: <https://w3id.org/geoclaims/ontology/>
        PREFIX schema: <http://schema.org/>
        SELECT ?e ?p ?v ?from ?until WHERE { GRAPH ?g { ?g a gc:EntityGraph .
          ?e gc:identifierAssignment ?a . ?a a gc:IdentifierAssignment ;
             schema:propertyID ?p ; schema:value ?v .
          ?e ?p ?v .
          OPTIONAL { ?a gc:validFrom ?from } OPTIONAL { ?a gc:validUntil ?until } } }""",
    ):
        e = found[r["e"]]
        scheme = PROPS[r["p"]]
        e.codes.setdefault(scheme, []).append(r["v"])
        e.valid[(scheme, r["v"])] = (r.get("from"), r.get("until"))
    return {e.id: e for e in found.values()}


def test_every_literal_has_its_assignment_node(store: EmbeddedStore) -> None:
    """Literals under an identifier property and assignment nodes are the same set."""
    values = ", ".join(f"<{p}>" for p in PROPS)
    literals = _rows(
        store,
        f"SELECT ?e ?p ?v WHERE {{ GRAPH ?g {{ ?e ?p ?v FILTER(?p IN ({values})) }} }}",
    )
    nodes = _rows(
        store,
        """PREFIX gc: <https://w3id.org/geoclaims/ontology/>
        PREFIX schema: <http://schema.org/>
        SELECT ?e ?p ?v WHERE { GRAPH ?g { ?e gc:identifierAssignment ?a .
          ?a schema:propertyID ?p ; schema:value ?v } }""",
    )
    as_set = {(r["e"], r["p"], r["v"]) for r in literals}
    assert as_set == {(r["e"], r["p"], r["v"]) for r in nodes}
    assert len(as_set) == 81


def _state_checks(e: Entity) -> Iterator[tuple[str, str, object]]:
    """(scheme, our value, the reference value) for a state that exists today."""
    iso = pycountry.countries.get(alpha_3=e.code("iso3"))
    assert iso is not None, e.label
    geo = refdata.geonames_countries()[iso.alpha_2]
    cc = {d: refdata.countrycode(e.label, "country.name", d) for d in ("iso2c", "iso3c")}
    cc |= {d: refdata.countrycode(e.label, "country.name", d) for d in ("iso3n", "fips")}
    cc |= {d: refdata.countrycode(e.label, "country.name", d) for d in ("cown", "cowc", "gwn")}
    yield "iso2", e.code("iso2"), iso.alpha_2
    yield "iso2", e.code("iso2"), cc["iso2c"]
    yield "iso3", e.code("iso3"), cc["iso3c"]
    yield "iso3", e.code("iso3"), geo["iso3"]
    yield "isoNumeric", e.code("isoNumeric"), iso.numeric
    yield "isoNumeric", e.code("isoNumeric"), f"{cc['iso3n']:03d}"
    yield "isoNumeric", e.code("isoNumeric"), f"{geo['isonumeric']:03d}"
    yield "fips", e.code("fips"), cc["fips"]
    yield "fips", e.code("fips"), geo["fips"]
    yield "fips", e.code("fips"), _fips_of(e.label)
    yield "geonames", e.code("geonames"), str(geo["geonameid"])
    # CAMEO codes a state by its ISO alpha-3 code, and gdeltforge's table names it.
    yield "cameo", e.code("cameo"), iso.alpha_3
    yield "cameo", refdata.gdeltforge()["ACTOR_COUNTRY_CODES"][e.code("cameo")], e.label
    yield from _cow_checks(e, cc)


def _cow_checks(e: Entity, cc: dict[str, object]) -> Iterator[tuple[str, str, object]]:
    yield "cow", e.code("cow"), str(cc["cown"])
    yield "cowAbbreviation", e.code("cowAbbreviation"), cc["cowc"]
    yield "gw", e.code("gw"), str(cc["gwn"])
    rows = [
        r
        for r in refdata.histwardb_crosswalk()
        if (r["country_qid"] == e.qid if e.qid else r["country"] == e.label)
    ]
    assert len(rows) == 1, e.label
    yield "cow", e.code("cow"), rows[0]["cow_code"]
    yield "gw", e.code("gw"), rows[0]["gw_code"]


def _fips_of(name: str) -> str:
    """The FIPS 10-4 code gdeltforge's GDELT geography table gives this country name."""
    (code,) = [c for c, n in refdata.gdeltforge()["GEO_COUNTRY_CODES"].items() if n == name]
    return code


def test_states_today(entities: dict[str, Entity]) -> None:
    states = ["belarus", "russia", "poland", "lithuania", "latvia", "ukraine", "germany"]
    checked = 0
    for eid in states:
        e = entities[eid]
        assert set(e.codes) == set(PROPS.values()), eid
        for scheme, ours, theirs in _state_checks(e):
            assert ours == theirs, (eid, scheme, ours, theirs)
            checked += 1
        assert all(v == (None, None) for v in e.valid.values()), eid
    assert checked == 7 * 18


def test_historic_states_with_their_dates(entities: dict[str, Entity]) -> None:
    r4 = _reference_text("R4")
    for eid, alpha3 in (("soviet-union", "SUN"), ("byelorussian-ssr", "BYS")):
        e = entities[eid]
        iso = pycountry.historic_countries.get(alpha_3=alpha3)
        assert e.code("iso3") == iso.alpha_3
        assert e.code("iso2") == iso.alpha_2
        assert e.code("isoNumeric") == iso.numeric
        for scheme in ("iso2", "iso3", "isoNumeric"):
            assert e.valid[(scheme, e.code(scheme))] == (None, iso.withdrawal_date), (eid, scheme)
        assert not {"fips", "geonames", "cameo"} & set(e.codes), eid
    ussr = entities["soviet-union"]
    _cow_checks_pass(ussr)
    end = "1991-12-26"
    assert f"{end}: dissolution of the Soviet Union" in r4
    for scheme in ("cow", "cowAbbreviation", "gw"):
        assert ussr.valid[(scheme, ussr.code(scheme))] == (None, end)
    # The BSSR was no independent state: neither COW nor Gleditsch-Ward list it.
    bssr = entities["byelorussian-ssr"]
    assert not {"cow", "cowAbbreviation", "gw"} & set(bssr.codes)
    (row,) = [r for r in refdata.histwardb_crosswalk() if r["country_qid"] == bssr.qid]
    assert row["cow_code"] == row["gw_code"] == ""


def _cow_checks_pass(e: Entity) -> None:
    cc = {d: refdata.countrycode(e.label, "country.name", d) for d in ("cown", "cowc", "gwn")}
    for scheme, ours, theirs in _cow_checks(e, cc):
        assert ours == theirs, (e.id, scheme, ours, theirs)


def _reference_text(fid: str) -> str:
    import yaml

    facts = yaml.safe_load((ROOT / "data/reference/facts.yaml").read_text(encoding="utf-8"))
    (fact,) = [f for f in facts["facts"] if f["id"] == fid]
    return fact["text"]


def test_organisations_and_places(entities: dict[str, Entity]) -> None:
    forge = refdata.gdeltforge()
    nato = entities["nato"]
    assert nato.code("cameo") == "NAT"
    assert forge["ACTOR_KNOWN_GROUP_CODES"][nato.code("cameo")] in {
        f"{nato.label} ({alt})" for alt in nato.alt
    }
    cis = entities["cis"]
    assert forge["ACTOR_KNOWN_GROUP_CODES"][cis.code("cameo")] == cis.label
    for eid in ("europe", "eastern-europe"):
        e = entities[eid]
        assert forge["ACTOR_COUNTRY_CODES"][e.code("cameo")] == e.label
    europe = refdata.geonames_continents()["EU"]
    assert (europe["name"], str(europe["geonameId"])) == (
        "Europe",
        entities["europe"].code("geonames"),
    )
    minsk = refdata.geonames_cities()[entities["minsk"].code("geonames")]
    assert (minsk["name"], minsk["countrycode"]) == ("Minsk", entities["belarus"].code("iso2"))
    # CAMEO has no code for these (measured: gdeltforge's tables have none).
    for eid in ("csto", "union-state"):
        assert entities[eid].codes == {}, eid


def test_government_and_leader_codes(entities: dict[str, Entity], store: EmbeddedStore) -> None:
    """A government and its head code as country + GOV; the leader's code from his tenure."""
    forge = refdata.gdeltforge()
    types = forge["ACTOR_TYPE_CODES"]
    posts = {
        r["leader"]: r["state"]
        for r in _rows(
            store,
            """PREFIX gc: <https://w3id.org/geoclaims/ontology/>
            SELECT DISTINCT ?leader ?state WHERE {
              GRAPH ?g { ?t gc:holder ?leader ; gc:post ?post }
              GRAPH ?e { ?e a gc:EntityGraph . ?post gc:postIn ?state } }""",
        )
    }
    for eid in ("alexander-lukashenko", "vladimir-putin"):
        e = entities[eid]
        state = entities[posts[e.iri].rsplit("/", 1)[-1]]
        assert e.code("cameo") == state.code("cameo") + "GOV"
        assert "Government" in types["GOV"]
    gov = entities["government-of-belarus"]
    assert gov.code("cameo") == entities["belarus"].code("cameo") + "GOV"
    assert gov.label == "Government of " + entities["belarus"].label
    # Lukashenko's code holds from the start of his tenure as the reference facts give it (R1).
    (start,) = _rows(
        store,
        """PREFIX gc: <https://w3id.org/geoclaims/ontology/>
        SELECT DISTINCT ?start WHERE { GRAPH ?g { ?g a gc:ReferenceGraph .
          ?t gc:holder <https://w3id.org/geoclaims/entity/alexander-lukashenko> ;
             gc:startDate ?start } }""",
    )
    luka = entities["alexander-lukashenko"]
    assert luka.valid[("cameo", "BLRGOV")] == (start["start"], None) == ("1994-07-20", None)


def test_every_identifier_is_checked(entities: dict[str, Entity]) -> None:
    """The tests above cover every entity that has identifiers."""
    with_codes = {eid for eid, e in entities.items() if e.codes}
    covered = {"belarus", "russia", "poland", "lithuania", "latvia", "ukraine", "germany"}
    covered |= {"soviet-union", "byelorussian-ssr", "nato", "cis", "europe", "eastern-europe"}
    covered |= {"minsk", "alexander-lukashenko", "vladimir-putin", "government-of-belarus"}
    assert with_codes == covered


# --- the loader -------------------------------------------------------------------------------


def _source(tmp_path: Path, identifiers: str) -> Config:
    src = tmp_path / "src"
    shutil.copytree(ROOT / "ontology", src / "ontology")
    (src / "data").mkdir()
    (src / "data" / "entities.yaml").write_text(
        "- id: atlantis\n  type: State\n  label: Atlantis\n" + identifiers, encoding="utf-8"
    )
    return Config.load({"source_dir": str(src)}, environ={})


def test_loader_writes_codes_and_validity(tmp_path: Path) -> None:
    config = _source(
        tmp_path,
        "  identifiers:\n    P298: ATL\n"
        "    cameoCode: [{value: ATLGOV, validFrom: 1990-01-01, validUntil: 1999-12-31}, ATLREB]\n",
    )
    compiled = compile_sources(config)
    graph = compiled.sink.graphs[f"{config.base_iri}graph/entities"]
    e = ox.NamedNode(f"{config.base_iri}entity/atlantis")
    assert (e, ox.NamedNode(WDT + "P298"), ox.Literal("ATL")) in graph
    codes = {o.value for s, p, o in graph if s == e and p.value == GC + "cameoCode"}
    assert codes == {"ATLGOV", "ATLREB"}
    first = ox.NamedNode(f"{config.base_iri}identifier/atlantis/cameoCode-1")
    date = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    assert (first, ox.NamedNode(GC + "validFrom"), ox.Literal("1990-01-01", datatype=date)) in graph
    assert (
        first,
        ox.NamedNode(GC + "validUntil"),
        ox.Literal("1999-12-31", datatype=date),
    ) in graph
    # The standard triples are materialised: schema:identifier, schema:PropertyValue.
    assert (e, ox.NamedNode(SCHEMA + "identifier"), first) in graph
    kind = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert (first, kind, ox.NamedNode(SCHEMA + "PropertyValue")) in graph


@pytest.mark.parametrize(
    ("block", "line", "message"),
    [
        ("  identifiers:\n    P999: X\n", 5, "unknown key 'P999'"),
        ("  identifiers:\n    P299: 112\n", 5, "(quote numeric codes)"),
        ("  identifiers:\n    P298: blr\n", 5, "(ISO 3166-1 alpha-3 code): 'blr' is not three"),
        ("  identifiers:\n    cowCode: \"0370\"\n", 5, "is not a number of 2-3 digits"),
        ("  identifiers:\n    P298: {value: ATL, validFrom: 2000-01-01, validUntil: 1999-01-01}\n",
         5, "valid until before valid from"),
        ("  identifiers:\n    P298: {value: ATL, until: 1999-01-01}\n", 5, "unknown key 'until'"),
        ("  identifiers:\n    P298: {value: ATL, validUntil: soon}\n", 5, "expected a date"),
        ("  identifiers: [BY]\n", 4, "expected a mapping"),
    ],
)  # fmt: skip
def test_loader_rejects_bad_identifiers(
    tmp_path: Path, block: str, line: int, message: str
) -> None:
    with pytest.raises(DataError) as err:
        compile_sources(_source(tmp_path, block))
    assert err.value.message.startswith(f"data/entities.yaml:{line}: identifiers"), err.value
    assert message in err.value.message


# entity: (Wikidata, ISO alpha-2, alpha-3, numeric, FIPS, GeoNames, CAMEO, COW, COW abb., G-W,
# withdrawn): what data/entities.yaml curates, read back through the named query.
ENTITY_IDENTIFIERS = {
    "alexander-lukashenko": ("Q2866", "", "", "", "", "", "BLRGOV", "", "", "", ""),
    "belarus": ("Q184", "BY", "BLR", "112", "BO", "630336", "BLR", "370", "BLR", "370", ""),
    "byelorussian-ssr": ("Q2895", "BY", "BYS", "112", "", "", "", "", "", "", "1992-06-15"),
    "cis": ("Q7779", "", "", "", "", "", "CIS", "", "", "", ""),
    "eastern-europe": ("Q27468", "", "", "", "", "", "EEU", "", "", "", ""),
    "europe": ("Q46", "", "", "", "", "6255148", "EUR", "", "", "", ""),
    "germany": ("", "DE", "DEU", "276", "GM", "2921044", "DEU", "255", "GMY", "260", ""),
    "government-of-belarus": ("", "", "", "", "", "", "BLRGOV", "", "", "", ""),
    "latvia": ("Q211", "LV", "LVA", "428", "LG", "458258", "LVA", "367", "LAT", "367", ""),
    "lithuania": ("Q37", "LT", "LTU", "440", "LH", "597427", "LTU", "368", "LIT", "368", ""),
    "minsk": ("Q2280", "", "", "", "", "625144", "", "", "", "", ""),
    "nato": ("Q7184", "", "", "", "", "", "NAT", "", "", "", ""),
    "poland": ("Q36", "PL", "POL", "616", "PL", "798544", "POL", "290", "POL", "290", ""),
    "russia": ("Q159", "RU", "RUS", "643", "RS", "2017370", "RUS", "365", "RUS", "365", ""),
    "soviet-union": ("Q15180", "SU", "SUN", "810", "", "", "", "365", "RUS", "365", "1992-08-30"),
    "ukraine": ("Q212", "UA", "UKR", "804", "UP", "690791", "UKR", "369", "UKR", "369", ""),
    "vladimir-putin": ("Q7747", "", "", "", "", "", "RUSGOV", "", "", "", ""),
}


def test_the_named_query_lists_every_entitys_codes(
    store: EmbeddedStore, seed_config: Config
) -> None:
    from kg import queries

    query = queries.catalogue(seed_config).get("entity-identifiers")
    results = queries.run(store, query, {}, seed_config)
    names = [v.value for v in results.variables]
    found = {}
    for row in results:
        values = ["" if row[n] is None else row[n].value.rsplit("/", 1)[-1] for n in names]
        found[values[0]] = tuple(values[2:])
    assert found == ENTITY_IDENTIFIERS


def test_the_loaders_names_are_the_ontologys_labels() -> None:
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDFS

    from kg.ingest.identifiers import SCHEMES

    onto = Graph().parse(ROOT / "ontology" / "identifiers.ttl", format="turtle")
    for key, scheme in SCHEMES.items():
        assert (URIRef(scheme.prop), RDFS.label, Literal(scheme.name, lang="en")) in onto, key
