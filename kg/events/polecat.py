"""POLECAT: rows of its weekly and yearly tab-separated files (a header line, then one event a row).

The layout is POLECAT's as published on Harvard Dataverse (doi:10.7910/DVN/AJGVIT): the 40 columns
below, by name in the header (some files call "Event Intensity" "Intensity", newer ones add
"Headline", "Event Text", "Feed" and "Story ID", which are accepted and not stored). "None" or an
empty field means no value; list fields separate values with ";". Events are PLOVER-coded
(ontology/plover.ttl); an event becomes `{base}events/polecat/event/{Event ID}`.
"""

from __future__ import annotations

from kg.events import nt
from kg.events.resolve import Resolver
from kg.events.rows import Filters, Nodes, RowError, coordinate, day, decimal, integer
from kg.namespaces import PLOVER, PLOVER_MODE, WD

COLUMNS: tuple[str, ...] = (
    "Event ID",
    "Event Date",
    "Event Type",
    "Event Mode",
    "Event Intensity",
    "Quad Code",
    "Contexts",
    "Actor Name",
    "Actor Country",
    "Actor COW",
    "Primary Actor Sector",
    "Actor Sectors",
    "Actor Title",
    "Actor Name Raw",
    "Wikipedia Actor ID",
    "Recipient Name",
    "Recipient Country",
    "Recipient COW",
    "Primary Recipient Sector",
    "Recipient Sectors",
    "Recipient Title",
    "Recipient Name Raw",
    "Wikipedia Recipient ID",
    "Placename",
    "City",
    "District",
    "Province",
    "Country",
    "Latitude",
    "Longitude",
    "GeoNames ID",
    "Raw Placename",
    "Feature Type",
    "Source",
    "Publication Date",
    "Story People",
    "Story Organizations",
    "Story Locations",
    "Language",
    "Version",
)
assert len(COLUMNS) == 40
ALIASES = {"Intensity": "Event Intensity"}
EXTRA = ("Headline", "Event Text", "Feed", "Story ID")  # in some files; not stored
TYPES = frozenset(
    [
        "AGREE",
        "CONSULT",
        "SUPPORT",
        "CONCEDE",
        "COOPERATE",
        "AID",
        "RETREAT",
        "REQUEST",
        "ACCUSE",
        "REJECT",
        "THREATEN",
        "PROTEST",
        "SANCTION",
        "MOBILIZE",
        "COERCE",
        "ASSAULT",
    ]
)
QUADS = {
    "VERBAL COOPERATION": "1",
    "MATERIAL COOPERATION": "2",
    "VERBAL CONFLICT": "3",
    "MATERIAL CONFLICT": "4",
}
HOME = "https://doi.org/10.7910/DVN/AJGVIT"


def event_iri(base: str, event_id: str) -> str:
    return f"<{base}events/polecat/event/{nt.segment(event_id)}>"


def header_positions(header: list[str]) -> list[int]:
    """Where each of the 40 columns is in a file's header (RowError naming what is missing)."""
    names = [ALIASES.get(h.strip(), h.strip()) for h in header]
    unknown = [n for n in names if n not in COLUMNS and n not in EXTRA and n]
    missing = [c for c in COLUMNS if c not in names]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing columns " + ", ".join(missing))
        if unknown:
            parts.append("unknown columns " + ", ".join(unknown))
        raise RowError("not a POLECAT header: " + "; ".join(parts))
    return [names.index(c) for c in COLUMNS]


def _value(text: str) -> str:
    text = text.strip()
    return "" if text in ("None", "none", "NA", "nan") else text


def _values(text: str) -> list[str]:
    return [v for v in (_value(x) for x in text.split(";")) if v]


class PolecatRows:
    """Turn POLECAT rows (already in COLUMNS order) into N-Triples lines."""

    columns = COLUMNS

    def __init__(self, base: str, file_node: str, resolver: Resolver, filters: Filters) -> None:
        self.base, self.file, self.resolver, self.filters = base, file_node, resolver, filters
        self.nodes = Nodes(f"{base}events/polecat/")

    def convert(self, raw: list[str], out: list[str]) -> bool:
        f = [_value(x) for x in raw]
        if not f[0]:
            raise RowError("Event ID: empty")
        when = day(f[1][:10], "Event Date")
        kind = f[2].upper()
        if kind not in TYPES:
            raise RowError(f"Event Type: {f[2]!r} is not a PLOVER event type")
        mode = f[3].lower()
        if mode and not mode.replace("_", "").replace("-", "").isalpha():
            raise RowError(f"Event Mode: {f[3]!r} is not a PLOVER mode")
        intensity = decimal(f[4], "Event Intensity") if f[4] else ""
        quad = QUADS.get(f[5].upper()) if f[5] else ""
        if quad is None:
            raise RowError(f"Quad Code: {f[5]!r} is not a PLOVER quad category")
        countries = [*_values(raw[8]), *_values(raw[16])]
        if not (
            self.filters.keeps_date(when)
            and self.filters.keeps_root(kind)
            and self.filters.keeps_countries(countries)
        ):
            self._place(f, None)
            return False
        e = event_iri(self.base, f[0])
        P, C, add = nt.P, nt.CLASS, out.append
        add(f"{e} {P['type']} {C['CodedEvent']} .")
        add(f"{e} {P['type']} {C['sem:Event']} .")
        add(f"{e} {P['type']} {C['schema:Event']} .")
        add(f"{e} {P['identifier']} {nt.string(f[0])} .")
        add(f"{e} {P['startDate']} {nt.typed(when, 'date')} .")
        add(f"{e} {P['eventType']} <{PLOVER}{kind}> .")
        if mode:
            add(f"{e} {P['ploverMode']} <{PLOVER_MODE}{mode}> .")
        if intensity:
            add(f"{e} {P['intensity']} {intensity} .")
        if quad:
            add(f"{e} {P['quadClass']} {integer(quad, 'Quad Code')} .")
        for context in _values(raw[6]):
            add(f"{e} {P['context']} {nt.string(context)} .")
        for start, role in ((7, "sourceActor"), (15, "targetActor")):
            actor = self._actor(raw, f, start, when, out)
            if actor:
                add(f"{e} {P[role]} {actor} .")
                add(f"{e} {P['hasActor']} {actor} .")
        place = self._place(f, out)
        if place:
            add(f"{e} {P['location']} {place} .")
            add(f"{e} {P['hasPlace']} {place} .")
        if f[33]:
            add(f"{e} {P['sourceName']} {nt.string(f[33])} .")
        if f[34]:
            add(
                f"{e} {P['datePublished']} "
                f"{nt.typed(day(f[34][:10], 'Publication Date'), 'date')} ."
            )
        if f[38]:
            add(f"{e} {P['language']} {nt.string(f[38])} .")
        if f[39]:
            add(f"{e} {P['version']} {nt.string(f[39])} .")
        add(f"{e} {P['derivedFrom']} {self.file} .")
        return True

    def _actor(self, raw: list[str], f: list[str], start: int, when: str, out: list[str]) -> str:
        name, country, cow, primary, sectors, title, name_raw, wiki = f[start : start + 8]
        if not any((name, country, cow, primary, sectors, title, name_raw, wiki)):
            return ""
        countries, cows = _values(raw[start + 1]), _values(raw[start + 2])
        for code in cows:
            if not code.isdigit():
                raise RowError(f"{COLUMNS[start + 2]}: {code!r} is not a COW country code")
        item = ""
        if wiki:
            if not (wiki[0] == "Q" and wiki[1:].isdigit()):
                raise RowError(f"{COLUMNS[start + 7]}: {wiki!r} is not a Wikidata item (Q...)")
            item = WD + wiki
        who = self.resolver.item(item) if item else []
        states = sorted(
            {s for c in countries for s in self.resolver.entities("iso3", c, when)}
            | {s for c in cows for s in self.resolver.entities("cow", c, when)}
        )
        fields = (name, country, cow, primary, sectors, title, name_raw, wiki)
        node = self.nodes.name("actor", [*fields, *who, "|", *states])
        if self.nodes.first_time(node):
            P, add = nt.P, out.append
            add(f"{node} {P['type']} {nt.CLASS['CodedActor']} .")
            add(f"{node} {P['type']} {nt.CLASS['sem:Role']} .")
            if name:
                add(f"{node} {P['name']} {nt.string(name)} .")
            for code in countries:
                add(f"{node} {P['countryCode']} {nt.string(code)} .")
            for code in cows:
                add(f"{node} {P['cowCode']} {nt.string(code)} .")
            for sector in dict.fromkeys([*_values(primary), *_values(sectors)]):
                add(f"{node} {P['sector']} {nt.string(sector)} .")
            if title:
                add(f"{node} {P['jobTitle']} {nt.string(title)} .")
            if name_raw:
                add(f"{node} {P['surfaceText']} {nt.string(name_raw)} .")
            if item:
                add(f"{node} {P['wikidataItem']} <{item}> .")
            for entity in who:
                add(f"{node} {P['value']} <{entity}> .")
            for state in states:
                add(f"{node} {P['actorCountry']} <{state}> .")
        return node

    def _place(self, f: list[str], out: list[str] | None) -> str:
        values = f[23:33]
        name, city, district, province, country, lat, lon, geonames, raw, feature = values
        if not any(values):
            return ""
        lat_literal = coordinate(lat, "Latitude", 90) if lat else ""
        lon_literal = coordinate(lon, "Longitude", 180) if lon else ""
        if geonames and not geonames.isdigit():
            raise RowError(f"GeoNames ID: {geonames!r} is not a GeoNames id")
        if out is None:
            return "-"
        states = self.resolver.entities("iso3", country, "")
        node = self.nodes.name("place", [*values, *states])
        if self.nodes.first_time(node):
            P, add = nt.P, out.append
            add(f"{node} {P['type']} {nt.CLASS['CodedPlace']} .")
            add(f"{node} {P['type']} {nt.CLASS['schema:Place']} .")
            for key, value in (
                ("name", name),
                ("addressLocality", city),
                ("adm2Name", district),
                ("adm1Name", province),
                ("countryCode", country),
                ("geonames", geonames),
                ("surfaceText", raw),
                ("featureType", feature),
            ):
                if value:
                    add(f"{node} {P[key]} {nt.string(value)} .")
            if lat_literal:
                add(f"{node} {P['latitude']} {lat_literal} .")
            if lon_literal:
                add(f"{node} {P['longitude']} {lon_literal} .")
            for state in states:
                add(f"{node} {P['containedInPlace']} <{state}> .")
        return node
