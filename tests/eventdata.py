"""Rows in GDELT 2.0's and POLECAT's published layouts, for the event-data tests.

Every row here is invented (Belarus, Russia, Poland, Lithuania and NATO in August 2020): no row is
copied from GDELT or POLECAT. `gdelt_event(...)` gives the 61 columns of an events row,
`gdelt_mention(...)` the 16 of a mentions row, `polecat_row(...)` the 40 of a POLECAT row, each
with keyword overrides by column name; `write_fixtures()` wrote tests/data/events/.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from kg.events.gdelt import EVENT_COLUMNS, MENTION_COLUMNS
from kg.events.polecat import COLUMNS as POLECAT_COLUMNS

FIXTURES = Path(__file__).parent / "data" / "events"

# Places as GDELT geocodes them (type, full name, FIPS country, ADM1, ADM2, lat, long, feature).
MINSK = ("4", "Minsk, Horad Minsk, Belarus", "BO", "BO04", "", "53.9", "27.5667", "-2133152")
GRODNO = (
    "4",
    "Hrodna, Hrodzyenskaya Voblasts', Belarus",
    "BO",
    "BO03",
    "",
    "53.6884",
    "23.8258",
    "-2132892",
)
BELARUS = ("1", "Belarus", "BO", "BO", "", "53", "28", "BO")
VILNIUS = (
    "4",
    "Vilnius, Vilniaus Apskritis, Lithuania",
    "LH",
    "LH65",
    "",
    "54.6833",
    "25.3167",
    "-2626316",
)
WARSAW = ("4", "Warsaw, Mazowieckie, Poland", "PL", "PL78", "", "52.25", "21", "-534433")
NO_PLACE = ("", "", "", "", "", "", "", "")


# Actors: code, name, country, known group, ethnic, religion 1, religion 2, type 1, 2, 3.
def actor(
    code: str = "", name: str = "", country: str = "", group: str = "", types: tuple[str, ...] = ()
) -> tuple[str, ...]:
    t = (*types, "", "", "")[:3]
    return (code, name, country, group, "", "", "", *t)


NOBODY = actor()


def gdelt_event(
    event_id: int,
    date: str,
    code: str,
    actor1: tuple[str, ...],
    actor2: tuple[str, ...],
    action: tuple[str, ...],
    *,
    geo1: tuple[str, ...] = NO_PLACE,
    geo2: tuple[str, ...] = NO_PLACE,
    quad: str = "1",
    goldstein: str = "0.0",
    mentions: str = "10",
    sources: str = "2",
    articles: str = "10",
    tone: str = "-2.5",
    root_event: str = "1",
    url: str = "",
    added: str = "",
) -> list[str]:
    """One row of the events table, 61 columns in GDELT's order."""
    y, m, d = date[:4], date[4:6], date[6:]
    fraction = f"{int(y) + (int(m) - 1) / 12 + (int(d) - 1) / 365:.4f}"
    row = [
        str(event_id), date, y + m, y, fraction, *actor1, *actor2,
        root_event, code, code[:3], code[:2], quad, goldstein, mentions, sources, articles, tone,
        *geo1, *geo2, *action,
        added or date + "151500",
        url or f"https://news.example.org/{date}/{event_id}.html",
    ]  # fmt: skip
    assert len(row) == len(EVENT_COLUMNS)
    return row


def gdelt_mention(
    event_id: int,
    event_time: str,
    mention_time: str,
    source: str,
    url: str,
    sentence: int = 1,
    confidence: int = 80,
    tone: str = "-3.1",
) -> list[str]:
    """One row of the mentions table, 16 columns in GDELT's order."""
    row = [
        str(event_id), event_time, mention_time, "1", source, url, str(sentence),
        "12", "40", "25", "1", str(confidence), "2400", tone, "", "",
    ]  # fmt: skip
    assert len(row) == len(MENTION_COLUMNS)
    return row


def polecat_row(**values: str) -> list[str]:
    """One POLECAT row, 40 columns in the header's order ("None" where not given)."""
    row = [values.get(c.replace(" ", "_").lower(), "None") for c in POLECAT_COLUMNS]
    assert len(row) == len(POLECAT_COLUMNS)
    return row


BLRGOV = actor("BLRGOV", "BELARUS", "BLR", types=("GOV",))
BLR = actor("BLR", "BELARUS", "BLR")
BLRCOP = actor("BLRCOP", "BELARUS", "BLR", types=("COP",))
BLROPP = actor("BLROPP", "PROTESTER", "BLR", types=("OPP",))
BLRMIL = actor("BLRMIL", "BELARUS", "BLR", types=("MIL",))
NAT = actor("NAT", "NATO", "", "NAT")
NATMIL = actor("NATMIL", "NATO", "", "NAT", ("MIL",))
LTU = actor("LTU", "LITHUANIA", "LTU")
POLGOV = actor("POLGOV", "POLAND", "POL", types=("GOV",))
RUSGOV = actor("RUSGOV", "RUSSIA", "RUS", types=("GOV",))
UNKNOWN = actor("XYZREB", "REBEL GROUP", "", types=("REB",))

EVENTS = [
    gdelt_event(930000001, "20200809", "010", BLRGOV, BLR, MINSK, geo1=MINSK, geo2=MINSK),
    gdelt_event(930000002, "20200810", "173", BLRCOP, BLROPP, MINSK, geo1=MINSK, geo2=MINSK,
                quad="4", goldstein="-5.0", tone="-7.25"),
    gdelt_event(930000003, "20200815", "112", BLRGOV, NAT, BELARUS, geo1=BELARUS, quad="3",
                goldstein="-2.0", mentions="24", sources="6", articles="24"),
    gdelt_event(930000004, "20200816", "154", NATMIL, BLR, VILNIUS, geo1=VILNIUS, geo2=BELARUS,
                quad="4", goldstein="-7.2", tone="-4.0"),
    gdelt_event(930000005, "20200817", "154", BLRMIL, NAT, GRODNO, geo1=GRODNO, quad="4",
                goldstein="-7.2", tone="-5.5"),
    gdelt_event(930000006, "20200818", "040", POLGOV, LTU, WARSAW, geo1=WARSAW, geo2=VILNIUS,
                goldstein="1.0", tone="1.25"),
    gdelt_event(930000007, "20200820", "030", RUSGOV, BLRGOV, NO_PLACE, goldstein="4.0",
                url="https://news.example.org/2020/08/20/russia offers help"),
    gdelt_event(930000008, "20191207", "043", BLRGOV, RUSGOV, NO_PLACE, goldstein="2.8"),
    gdelt_event(930000009, "20200812", "145", UNKNOWN, BLRCOP, GRODNO, geo1=GRODNO, quad="4",
                goldstein="-10.0"),
]  # fmt: skip

MENTIONS = [
    gdelt_mention(930000003, "20200815151500", "20200815151500", "news.example.org",
                  "https://news.example.org/20200815/930000003.html", sentence=2),
    gdelt_mention(930000003, "20200815151500", "20200815163000", "wire.example.com",
                  "https://wire.example.com/belarus/nato-accused", sentence=1, confidence=60),
    gdelt_mention(930000004, "20200816151500", "20200816151500", "news.example.org",
                  "https://news.example.org/20200816/930000004.html", sentence=4),
]  # fmt: skip

POLECAT = [
    polecat_row(event_id="20200816-0001", event_date="2020-08-16", event_type="MOBILIZE",
                event_mode="troops", event_intensity="-6", quad_code="MATERIAL CONFLICT",
                contexts="military", actor_name="NATO", actor_country="None",
                primary_actor_sector="Military", actor_sectors="Military",
                actor_name_raw="the alliance", wikipedia_actor_id="Q7184",
                recipient_name="Belarus", recipient_country="BLR", recipient_cow="370",
                primary_recipient_sector="Government", recipient_sectors="Government",
                recipient_name_raw="Belarus", wikipedia_recipient_id="Q184",
                placename="Hrodna", city="Hrodna", province="Hrodna Region", country="BLR",
                latitude="53.6884", longitude="23.8258", geonames_id="627904",
                raw_placename="Grodno", feature_type="PPLA", source="wire.example.com",
                publication_date="2020-08-16", language="en", version="1.0"),
    polecat_row(event_id="20200815-0002", event_date="2020-08-15", event_type="ACCUSE",
                event_mode="allege", event_intensity="-2", quad_code="VERBAL CONFLICT",
                actor_name="Alexander Lukashenko", actor_country="BLR", actor_cow="370",
                primary_actor_sector="Government", actor_sectors="Government;Executive",
                actor_title="President", actor_name_raw="Lukashenko",
                wikipedia_actor_id="Q2866", recipient_name="NATO",
                wikipedia_recipient_id="Q7184", placename="Minsk", city="Minsk",
                country="BLR", latitude="53.9", longitude="27.5667", geonames_id="625144",
                raw_placename="Minsk", feature_type="PPLC", source="news.example.org",
                publication_date="2020-08-15", language="en", version="1.0"),
    polecat_row(event_id="20200810-0003", event_date="2020-08-10", event_type="PROTEST",
                event_mode="demo", event_intensity="-3", quad_code="VERBAL CONFLICT",
                contexts="pro_democracy;election", actor_name="protesters",
                actor_country="BLR", actor_cow="370", primary_actor_sector="Civilian",
                actor_name_raw="thousands of protesters", recipient_name="Alexander Lukashenko",
                recipient_country="BLR", recipient_cow="370", wikipedia_recipient_id="Q2866",
                placename="Minsk", city="Minsk", country="BLR", latitude="53.9",
                longitude="27.5667", geonames_id="625144", source="news.example.org",
                publication_date="2020-08-11", language="en", version="1.0"),
    polecat_row(event_id="20200818-0004", event_date="2020-08-18", event_type="CONSULT",
                event_intensity="1", quad_code="VERBAL COOPERATION", actor_name="Poland",
                actor_country="POL", actor_cow="290", primary_actor_sector="Government",
                wikipedia_actor_id="Q36", recipient_name="Lithuania", recipient_country="LTU",
                recipient_cow="368", wikipedia_recipient_id="Q37", placename="Warsaw",
                country="POL", latitude="52.23", longitude="21.01", geonames_id="756135",
                source="wire.example.com", publication_date="2020-08-18", language="en",
                version="1.0"),
]  # fmt: skip


def tsv(rows: list[list[str]]) -> str:
    return "".join("\t".join(r) + "\n" for r in rows)


def polecat_text(rows: list[list[str]], header: tuple[str, ...] = POLECAT_COLUMNS) -> str:
    return "\t".join(header) + "\n" + tsv(rows)


def write_fixtures(folder: Path = FIXTURES) -> None:
    """Write the fixture files (GDELT's names; the events file zipped as GDELT publishes it)."""
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / "20200820151500.export.CSV.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("20200820151500.export.CSV", tsv(EVENTS))
    (folder / "20200820151500.mentions.CSV").write_text(tsv(MENTIONS), encoding="utf-8")
    (folder / "polecat-2020-08-example.txt").write_text(polecat_text(POLECAT), encoding="utf-8")


if __name__ == "__main__":
    write_fixtures()
