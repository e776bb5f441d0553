"""GDELT 2.0: rows of the events table (61 columns) and the mentions table (16 columns).

The layouts are GDELT's published codebooks (GDELT-Event_Codebook-V2.0, GDELT 2.0 Event Database
"Mentions" table): tab-separated, no header, the columns below in this order. An event becomes a
`gc:CodedEvent` (a `sem:Event` and `schema:Event`) named `{base}events/gdelt/event/{GLOBALEVENTID}`;
its actors and places are shared nodes named by their content (`.../gdelt/actor/{hash}`,
`.../gdelt/place/{hash}`); a mention is `.../gdelt/mention/{GLOBALEVENTID}-{hash}`.
"""

from __future__ import annotations

from collections.abc import Callable

from kg.events import nt
from kg.events.resolve import Resolver
from kg.events.rows import (
    Filters,
    Nodes,
    RowError,
    coordinate,
    day,
    decimal,
    digest,
    integer,
    timestamp,
)
from kg.namespaces import CAMEO

ACTOR_FIELDS = [
    "Code",
    "Name",
    "CountryCode",
    "KnownGroupCode",
    "EthnicCode",
    "Religion1Code",
    "Religion2Code",
    "Type1Code",
    "Type2Code",
    "Type3Code",
]
GEO_FIELDS = ["Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID"]

EVENT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    *(f"Actor1{f}" for f in ACTOR_FIELDS),
    *(f"Actor2{f}" for f in ACTOR_FIELDS),
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    *(f"Actor1Geo_{f}" for f in GEO_FIELDS),
    *(f"Actor2Geo_{f}" for f in GEO_FIELDS),
    *(f"ActionGeo_{f}" for f in GEO_FIELDS),
    "DATEADDED",
    "SOURCEURL",
)
MENTION_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID",
    "EventTimeDate",
    "MentionTimeDate",
    "MentionType",
    "MentionSourceName",
    "MentionIdentifier",
    "SentenceID",
    "Actor1CharOffset",
    "Actor2CharOffset",
    "ActionCharOffset",
    "InRawText",
    "Confidence",
    "MentionDocLen",
    "MentionDocTone",
    "MentionDocTranslationInfo",
    "Extras",
)
assert len(EVENT_COLUMNS) == 61 and len(MENTION_COLUMNS) == 16

HOME = "https://www.gdeltproject.org/"
_A1, _A2 = 5, 15  # first column of each actor's ten
_G1, _G2, _GA = 35, 43, 51  # first column of each place's eight


def event_iri(base: str, event_id: str) -> str:
    return f"<{base}events/gdelt/event/{event_id}>"


def _event_id(text: str) -> str:
    if not text.isdigit():
        raise RowError(f"GLOBALEVENTID: {text!r} is not a numeric event id")
    return str(int(text))


def _flag(text: str) -> str:
    return "true" if text == "1" else "false"


def _code(text: str, column: str, lengths: tuple[int, ...]) -> str:
    if len(text) not in lengths or not text.isdigit():
        raise RowError(f"{column}: {text!r} is not a CAMEO event code")
    return text


class EventRows:
    """Turn rows of a GDELT events file into N-Triples lines (one `convert` call per row)."""

    columns = EVENT_COLUMNS

    def __init__(self, base: str, file_node: str, resolver: Resolver, filters: Filters) -> None:
        self.base, self.file, self.resolver, self.filters = base, file_node, resolver, filters
        self.nodes = Nodes(f"{base}events/gdelt/")

    def convert(self, f: list[str], out: list[str]) -> bool:
        """Append the row's lines to `out`; False when a filter leaves it out (RowError if bad)."""
        e = event_iri(self.base, _event_id(f[0]))
        when = day(f[1], "SQLDATE")
        for i, name in ((2, "MonthYear"), (3, "Year")):
            integer(f[i], name)
        decimal(f[4], "FractionDate")
        code = _code(f[26], "EventCode", (2, 3, 4))
        root = _code(f[28], "EventRootCode", (2,))
        if not code.startswith(root):
            raise RowError(f"EventRootCode: {root!r} is not the root of EventCode {code!r}")
        if f[27]:
            _code(f[27], "EventBaseCode", (2, 3))
        if not (
            self.filters.keeps_date(when)
            and self.filters.keeps_root(root)
            and self.filters.keeps_countries((f[_A1 + 2], f[_A2 + 2]))
        ):
            self._check_rest(f)
            return False
        P, C = nt.P, nt.CLASS
        add = out.append
        add(f"{e} {P['type']} {C['CodedEvent']} .")
        add(f"{e} {P['type']} {C['sem:Event']} .")
        add(f"{e} {P['type']} {C['schema:Event']} .")
        add(f'{e} {P["identifier"]} "{int(f[0])}" .')
        add(f"{e} {P['startDate']} {nt.typed(when, 'date')} .")
        add(f"{e} {P['eventType']} <{CAMEO}{code}> .")
        add(f"{e} {P['cameoRoot']} <{CAMEO}{root}> .")
        if f[25]:
            if f[25] not in ("0", "1"):
                raise RowError(f"IsRootEvent: {f[25]!r} is not 0 or 1")
            add(f"{e} {P['isRootEvent']} {nt.typed(_flag(f[25]), 'boolean')} .")
        if f[29]:
            if f[29] not in ("1", "2", "3", "4"):
                raise RowError(f"QuadClass: {f[29]!r} is not 1, 2, 3 or 4")
            add(f"{e} {P['quadClass']} {integer(f[29], 'QuadClass')} .")
        for i, name, key, make in (
            (30, "GoldsteinScale", "goldsteinScale", decimal),
            (31, "NumMentions", "numMentions", integer),
            (32, "NumSources", "numSources", integer),
            (33, "NumArticles", "numArticles", integer),
            (34, "AvgTone", "averageTone", decimal),
        ):
            if f[i]:
                add(f"{e} {P[key]} {make(f[i], name)} .")
        for start, role, place_role, geo in (
            (_A1, "sourceActor", "sourcePlace", _G1),
            (_A2, "targetActor", "targetPlace", _G2),
        ):
            actor = self._actor(f, start, when, out)
            if actor:
                add(f"{e} {P[role]} {actor} .")
                add(f"{e} {P['hasActor']} {actor} .")
            place = self._place(f, geo, "Actor1Geo" if geo == _G1 else "Actor2Geo", out)
            if place:
                add(f"{e} {P[place_role]} {place} .")
        action = self._place(f, _GA, "ActionGeo", out)
        if action:
            add(f"{e} {P['location']} {action} .")
            add(f"{e} {P['hasPlace']} {action} .")
        add(f"{e} {P['created']} {timestamp(f[59], 'DATEADDED')} .")
        if f[60]:
            url = nt.absolute_url(f[60])
            add(f"{e} {P['url']} {url} ." if url else f"{e} {P['source']} {nt.string(f[60])} .")
        add(f"{e} {P['derivedFrom']} {self.file} .")
        return True

    def _check_rest(self, f: list[str]) -> None:
        """A row left out by a filter is still checked: a bad file is bad whatever the filter."""
        self._actor(f, _A1, "", None)
        self._actor(f, _A2, "", None)
        for start, name in ((_G1, "Actor1Geo"), (_G2, "Actor2Geo"), (_GA, "ActionGeo")):
            self._place(f, start, name, None)
        timestamp(f[59], "DATEADDED")
        for i, name, make in ((30, "GoldsteinScale", decimal), (34, "AvgTone", decimal)):
            if f[i]:
                make(f[i], name)
        for i, name in ((31, "NumMentions"), (32, "NumSources"), (33, "NumArticles")):
            if f[i]:
                integer(f[i], name)

    def _actor(self, f: list[str], start: int, when: str, out: list[str] | None) -> str:
        values = f[start : start + 10]
        if not any(values):
            return ""
        if out is None:
            return "-"
        code, name, country, group, ethnic, rel1, rel2, t1, t2, t3 = values
        who = self.resolver.entities("cameo", code, when)
        states = self.resolver.entities("cameo", country, when)
        node = self.nodes.name("actor", [*values, *who, "|", *states])
        if self.nodes.first_time(node):
            P, add = nt.P, out.append
            add(f"{node} {P['type']} {nt.CLASS['CodedActor']} .")
            add(f"{node} {P['type']} {nt.CLASS['sem:Role']} .")
            if code:
                add(f"{node} {P['cameoCode']} {nt.string(code)} .")
            if name:
                add(f"{node} {P['name']} {nt.string(name)} .")
            if country:
                add(f"{node} {P['countryCode']} {nt.string(country)} .")
            for key, value in (("knownGroupCode", group), ("ethnicCode", ethnic)):
                if value:
                    add(f"{node} {P[key]} {nt.string(value)} .")
            for key, value in (("religionCode", rel1), ("religionCode", rel2)):
                if value:
                    add(f"{node} {P[key]} {nt.string(value)} .")
            for value in (t1, t2, t3):
                if value:
                    add(f"{node} {P['actorTypeCode']} {nt.string(value)} .")
            for entity in who:
                add(f"{node} {P['value']} <{entity}> .")
            for state in states:
                add(f"{node} {P['actorCountry']} <{state}> .")
        return node

    def _place(self, f: list[str], start: int, prefix: str, out: list[str] | None) -> str:
        values = f[start : start + 8]
        kind, full, country, adm1, adm2, lat, lon, feature = values
        if not kind or kind == "0":
            if any(values[1:]):
                raise RowError(f"{prefix}_Type: {kind!r} but the place has other fields")
            return ""
        if kind not in ("1", "2", "3", "4", "5"):
            raise RowError(f"{prefix}_Type: {kind!r} is not a GDELT geographic type (1-5)")
        lat_literal = coordinate(lat, f"{prefix}_Lat", 90) if lat else ""
        lon_literal = coordinate(lon, f"{prefix}_Long", 180) if lon else ""
        if out is None:
            return "-"
        states = self.resolver.entities("fips", country, "")
        node = self.nodes.name("place", [*values, *states])
        if self.nodes.first_time(node):
            P, add = nt.P, out.append
            add(f"{node} {P['type']} {nt.CLASS['CodedPlace']} .")
            add(f"{node} {P['type']} {nt.CLASS['schema:Place']} .")
            add(f"{node} {P['geoType']} {integer(kind, prefix + '_Type')} .")
            for key, value in (
                ("name", full),
                ("countryCode", country),
                ("adm1Code", adm1),
                ("adm2Code", adm2),
                ("featureId", feature),
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


class MentionRows:
    """Turn rows of a GDELT mentions file into N-Triples lines."""

    columns = MENTION_COLUMNS

    def __init__(self, base: str, file_node: str, resolver: Resolver, filters: Filters) -> None:
        self.base, self.file, self.filters = base, file_node, filters
        self.nodes = Nodes(f"{base}events/gdelt/")

    def convert(self, f: list[str], out: list[str]) -> bool:
        event_id = _event_id(f[0])
        event_time = timestamp(f[1], "EventTimeDate")
        mention_time = timestamp(f[2], "MentionTimeDate")
        if not self.filters.keeps_date(event_time[1:11]):
            return False
        e = event_iri(self.base, event_id)
        m = f"<{self.base}events/gdelt/mention/{event_id}-{digest([f[5], f[6], f[2]])}>"
        P, add = nt.P, out.append
        add(f"{m} {P['type']} {nt.CLASS['EventMention']} .")
        add(f"{m} {P['type']} {nt.CLASS['prov:Entity']} .")
        add(f"{m} {P['mentionOf']} {e} .")
        add(f"{m} {P['about']} {e} .")
        add(f"{m} {P['datePublished']} {mention_time} .")
        if f[3] not in ("1", "2", "3", "4", "5", "6"):
            raise RowError(f"MentionType: {f[3]!r} is not a GDELT mention type (1-6)")
        add(f"{m} {P['mentionType']} {integer(f[3], 'MentionType')} .")
        if f[4]:
            add(f"{m} {P['sourceName']} {nt.string(f[4])} .")
        if not f[5]:
            raise RowError("MentionIdentifier: empty")
        add(f"{m} {P['identifier']} {nt.string(f[5])} .")
        url = nt.absolute_url(f[5])
        if url:
            add(f"{m} {P['url']} {url} .")
        checks: list[tuple[int, str, str, Callable[[str, str], str]]] = [
            (6, "SentenceID", "sentenceNumber", integer),
            (7, "Actor1CharOffset", "actor1Offset", integer),
            (8, "Actor2CharOffset", "actor2Offset", integer),
            (9, "ActionCharOffset", "actionOffset", integer),
            (11, "Confidence", "confidence", integer),
            (12, "MentionDocLen", "documentLength", integer),
            (13, "MentionDocTone", "documentTone", decimal),
        ]
        for i, name, key, make in checks:
            if f[i]:
                add(f"{m} {P[key]} {make(f[i], name)} .")
        if f[10]:
            if f[10] not in ("0", "1"):
                raise RowError(f"InRawText: {f[10]!r} is not 0 or 1")
            add(f"{m} {P['inRawText']} {nt.typed(_flag(f[10]), 'boolean')} .")
        if f[14]:
            add(f"{m} {P['translationInfo']} {nt.string(f[14])} .")
        if f[15]:
            add(f"{m} {P['mentionExtras']} {nt.string(f[15])} .")
        add(f"{m} {P['derivedFrom']} {self.file} .")
        return True
