# ruff: noqa: E501  (the expected rows are a table, one claim per line)
"""The named query cameo-events: the seed article's claims as CAMEO-coded events, exactly.

The expected rows follow from the coding rules of ontology/mappings.ttl applied by hand to each
claim of data/articles/belarus-protests-2020/claims.yaml (its proposition, act, claimant, polarity,
modality and time) and the identifiers of data/entities.yaml: an event proposition codes as its
event (source and target from its roles), any other as the claim's speech act (010 a statement,
112 an accusation) by the claimant about the proposition's subject.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
import pytest

from kg import queries
from kg.config import PROJECT_DIR, Config
from kg.store import EmbeddedStore, open_store

CATALOGUE = queries.Catalogue.load(PROJECT_DIR / "queries")
COLUMNS = (
    *("claim", "date", "sourceCode", "targetCode", "eventCode", "goldstein", "ploverType"),
    *("ploverMode", "level", "source", "target", "begin", "end"),
)

# claim, date, source code, target code, event code, Goldstein, PLOVER type, PLOVER mode, level,
# source, target (ids: entities, or article agents such as the publisher), begin, end
EXPECTED = [
    ("c-headline-protests", "2020-08-17", "", "", "141", -6.5, "PROTEST", "", "event", "", "", 0, 16),
    ("c-headline-intervention", "2020-08-17", "RUS", "BLR", "033", 5.2, "AGREE", "", "event", "russia", "belarus", 19, 54),
    ("c-headline-quote", "2020-08-17", "RUS", "BLR", "033", 5.2, "AGREE", "", "event", "russia", "belarus", 63, 117),
    ("c-bullet-assurance", "2020-08-17", "RUSGOV", "BLRGOV", "033", 5.2, "AGREE", "", "event", "vladimir-putin", "alexander-lukashenko", 123, 186),
    ("c-bullet-pressure", "2020-08-17", "RUSGOV", "BLR", "010", 0, "", "", "speech act", "vladimir-putin", "belarus", 188, 226),
    ("c-bullet-plot-quote", "2020-08-17", "BLRGOV", "NAT", "112", -2, "ACCUSE", "allege", "speech act", "alexander-lukashenko", "nato", 232, 276),
    ("c-bullet-deployment-quote", "2020-08-17", "NAT", "BLR", "154", -7.2, "MOBILIZE", "", "event", "nato", "belarus", 278, 341),
    ("c-bullet-president-title", "2020-08-17", "", "BLRGOV", "010", 0, "", "", "speech act", "publisher", "alexander-lukashenko", 344, 374),
    ("c-protests-intensified", "2020-08-17", "", "BLRGOV", "141", -6.5, "PROTEST", "", "event", "", "alexander-lukashenko", 377, 452),
    ("c-lukashenko-title", "2020-08-17", "", "BLRGOV", "010", 0, "", "", "speech act", "publisher", "alexander-lukashenko", 422, 452),
    ("c-election-win", "2020-08-08", "", "BLRGOV", "010", 0, "", "", "speech act", "publisher", "alexander-lukashenko", 454, 485),
    ("c-minsk-rally", "2020-08-16", "", "BLRGOV", "141", -6.5, "PROTEST", "", "event", "", "alexander-lukashenko", 487, 591),
    ("c-minsk-capital", "2020-08-17", "", "BLR", "010", 0, "", "", "speech act", "publisher", "belarus", 536, 554),
    ("c-protesters-accuse-rigging", "2020-08-17", "", "BLRGOV", "112", -2, "ACCUSE", "allege", "speech act", "protesters", "alexander-lukashenko", 593, 660),
    ("c-protests-seven-days", "2020-08-10", "", "BLRGOV", "141", -6.5, "PROTEST", "", "event", "", "alexander-lukashenko", 663, 733),
    ("c-protester-deaths", "2020-08-17", "", "BLR", "010", 0, "", "", "speech act", "publisher", "belarus", 743, 774),
    ("c-detentions", "2020-08-17", "", "", "173", -5, "COERCE", "arrest", "event", "", "", 779, 797),
    ("c-phone-calls", "2020-08-10", "RUSGOV", "BLRGOV", "041", 1, "CONSULT", "phone", "event", "vladimir-putin", "alexander-lukashenko", 800, 912),
    ("c-putin-title", "2020-08-17", "", "RUSGOV", "010", 0, "", "", "speech act", "publisher", "vladimir-putin", 826, 858),
    ("c-assurance-hearsay", "2020-08-17", "RUSGOV", "BLRGOV", "033", 5.2, "AGREE", "", "event", "vladimir-putin", "alexander-lukashenko", 914, 948),
    ("c-offer-quote", "2020-08-17", "RUS", "BLR", "033", 5.2, "AGREE", "hypothetical", "event", "russia", "belarus", 951, 1065),
    ("c-pressure-from-outside", "2020-08-17", "RUSGOV", "BLR", "010", 0, "", "", "speech act", "vladimir-putin", "belarus", 1079, 1122),
    ("c-pressure-origin-unsaid", "2020-08-17", "RUS", "", "010", 0, "", "negation", "event", "russia", "", 1123, 1182),
    ("c-heading-allegation", "2020-08-17", "BLRGOV", "NAT", "112", -2, "ACCUSE", "allege", "speech act", "alexander-lukashenko", "nato", 1184, 1252),
    ("c-tenure-20-years", "2000-08-17", "", "BLRGOV", "010", 0, "", "", "speech act", "publisher", "alexander-lukashenko", 1254, 1308),
    ("c-label-last-dictator-of-belarus", "2020-08-17", "", "BLRGOV", "010", 0, "", "", "speech act", "unattributed", "alexander-lukashenko", 1309, 1358),
    ("c-accuses-nato-conspiring", "2020-08-17", "BLRGOV", "NAT", "112", -2, "ACCUSE", "allege", "speech act", "alexander-lukashenko", "nato", 1359, 1489),
    ("c-nato-name", "2020-08-17", "", "NAT", "010", 0, "", "", "speech act", "publisher", "nato", 1382, 1424),
    ("c-nato-wants-overthrow", "2020-08-17", "BLRGOV", "NAT", "112", -2, "ACCUSE", "allege", "speech act", "alexander-lukashenko", "nato", 1491, 1555),
    ("c-nato-deployment-reported", "2020-08-17", "NAT", "BLR", "154", -7.2, "MOBILIZE", "", "event", "nato", "belarus", 1556, 1630),
    ("c-nato-denial", "2020-08-17", "NAT", "BLR", "154", -7.2, "MOBILIZE", "negation", "event", "nato", "belarus", 1631, 1661),
    ("c-nato-monitoring", "2020-08-17", "NAT", "BLR", "010", 0, "", "", "speech act", "nato", "belarus", 1662, 1723),
    ("c-nato-readiness-baseless", "2020-08-17", "NAT", "BLR", "154", -7.2, "MOBILIZE", "negation", "event", "nato", "belarus", 1729, 1777),
    ("c-label-europes-last-dictator", "2020-08-17", "", "BLRGOV", "010", 0, "", "", "speech act", "unattributed", "alexander-lukashenko", 1780, 1827),
    ("c-border-russia-west", "2020-08-17", "", "BLR", "010", 0, "", "", "speech act", "publisher", "belarus", 1829, 1870),
    ("c-secession", "1991-08-25", "", "BLR", "010", 0, "", "", "speech act", "publisher", "belarus", 1872, 1920),
    ("c-independence", "2020-08-17", "", "BLR", "010", 0, "", "", "speech act", "publisher", "belarus", 1922, 1953),
    ("c-constitution", "2020-08-17", "", "BLR", "010", 0, "", "", "speech act", "publisher", "belarus", 1955, 1990),
    ("c-first-election", "2020-08-17", "", "BLR", "010", 0, "", "", "speech act", "publisher", "belarus", 1995, 2039),
    ("c-became-president", "2020-08-17", "", "BLRGOV", "010", 0, "", "", "speech act", "publisher", "alexander-lukashenko", 2041, 2079),
    ("c-five-elections", "2020-08-17", "", "BLR", "010", 0, "", "", "speech act", "publisher", "belarus", 2081, 2123),
    ("c-president-still", "2020-08-17", "", "BLRGOV", "010", 0, "", "", "speech act", "publisher", "alexander-lukashenko", 2124, 2158),
    ("c-label-dictator", "2020-08-17", "", "BLRGOV", "010", 0, "", "", "speech act", "unattributed", "alexander-lukashenko", 2159, 2192),
    ("c-accused-rigging-every-time", "2020-08-17", "", "BLRGOV", "112", -2, "ACCUSE", "allege", "speech act", "unattributed", "alexander-lukashenko", 2193, 2248),
    ("c-putin-supports-presupposed", "2020-08-17", "RUSGOV", "BLR", "051", 3.4, "SUPPORT", "", "event", "vladimir-putin", "belarus", 2250, 2282),
    ("c-pipeline", "2020-08-17", "", "BLR", "010", 0, "", "", "speech act", "publisher", "belarus", 2284, 2338),
    ("c-buffer-zone", "2020-08-17", "RUS", "BLR", "010", 0, "", "", "speech act", "russia", "belarus", 2339, 2393),
    ("c-russia-presence", "2020-08-17", "", "BLR", "010", 0, "", "", "speech act", "publisher", "belarus", 2394, 2453),
    ("c-russia-could-suffer", "2020-08-17", "", "RUS", "010", 0, "", "", "speech act", "publisher", "russia", 2455, 2528),
    ("c-mutual-assistance-agreements", "2020-08-17", "", "", "057", 8, "AGREE", "", "event", "", "", 2547, 2610),
    ("c-putin-backing-believed", "2020-08-17", "RUSGOV", "BLRGOV", "051", 3.4, "SUPPORT", "", "event", "vladimir-putin", "alexander-lukashenko", 2611, 2684),
    ("c-putin-backing-believed", "2020-08-17", "RUSGOV", "BLR", "051", 3.4, "SUPPORT", "", "event", "vladimir-putin", "belarus", 2611, 2684),
]  # fmt: skip


@pytest.fixture(scope="module")
def seed_store(seed_config: Config) -> Iterator[EmbeddedStore]:
    store = open_store(seed_config, read_only=True)
    assert isinstance(store, EmbeddedStore)
    yield store


def _plain(term: Any) -> Any:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return term.value.rsplit("/", 1)[-1]
    if term.datatype.value.endswith("#decimal"):
        return Decimal(term.value)
    if term.datatype.value.endswith("#integer"):
        return int(term.value)
    return term.value


def _rows(store: EmbeddedStore, config: Config, **params: str) -> list[tuple[Any, ...]]:
    results = queries.run(store, CATALOGUE.get("cameo-events"), params, config)
    return [tuple(_plain(row[c]) for c in COLUMNS) for row in results]


def test_the_seed_article_as_cameo_events(seed_store: EmbeddedStore, seed_config: Config) -> None:
    expected = [(*row[:5], Decimal(str(row[5])), *row[6:]) for row in EXPECTED]
    assert _rows(seed_store, seed_config) == expected


def test_every_claim_is_listed_once_per_actor_pair(
    seed_store: EmbeddedStore, seed_config: Config
) -> None:
    rows = _rows(seed_store, seed_config, article="article/belarus-protests-2020")
    assert len(rows) == 52
    assert len({r[0] for r in rows}) == 51  # every claim of the article; one has two targets
    assert _rows(seed_store, seed_config, article="article/no-such-article") == []


def test_codes_and_modes_read_as_in_gdelt_and_plover(
    seed_store: EmbeddedStore, seed_config: Config
) -> None:
    rows = {r[0]: r for r in _rows(seed_store, seed_config)}
    # A denial keeps the event it denies, negated; a conditional offer is hypothetical.
    assert rows["c-nato-denial"][4:9] == ("154", Decimal("-7.2"), "MOBILIZE", "negation", "event")
    assert rows["c-offer-quote"][7] == "hypothetical"
    # The root code is the first two digits (GDELT's EventRootCode).
    results = queries.run(seed_store, CATALOGUE.get("cameo-events"), {}, seed_config)
    for row in results:
        assert row["rootCode"].value == row["eventCode"].value[:2]
