"""Event data beside the claims (issue 15): GDELT 2.0 and POLECAT rows as named graphs.

`kg.events.importer.import_file` reads one file into its own graph, `{base}events/{source}/file/
{name}` (a `gc:EventDataGraph`); `gdelt` and `polecat` know the published layouts; `resolve` links
codes to our entities through their identifiers; `nt` writes the N-Triples; `panel` gives the
article page the events that bear on its claims. `kg build` keeps these graphs (`is_event_graph`).
"""

from __future__ import annotations

PATH = "events/"  # under the base IRI: every imported graph and node


def is_event_graph(graph: str, base_iri: str) -> bool:
    """Whether a graph was imported by `kg import` (so `kg build` must leave it alone)."""
    return graph.startswith(base_iri + PATH)


# The columns each event-data property is written from (docs/format.md, kg/formatdoc.py).
WRITTEN_FROM: dict[str, str] = {
    "sourceActor": "`kg import`: GDELT Actor1* columns, POLECAT Actor *",
    "targetActor": "`kg import`: GDELT Actor2* columns, POLECAT Recipient *",
    "sourcePlace": "`kg import gdelt`: Actor1Geo_* columns",
    "targetPlace": "`kg import gdelt`: Actor2Geo_* columns",
    "cameoRoot": "`kg import gdelt`: EventRootCode",
    "ploverMode": "`kg import polecat`: Event Mode",
    "quadClass": "`kg import`: GDELT QuadClass, POLECAT Quad Code",
    "intensity": "`kg import polecat`: Event Intensity",
    "averageTone": "`kg import gdelt`: AvgTone",
    "numMentions": "`kg import gdelt`: NumMentions",
    "numSources": "`kg import gdelt`: NumSources",
    "numArticles": "`kg import gdelt`: NumArticles",
    "isRootEvent": "`kg import gdelt`: IsRootEvent",
    "context": "`kg import polecat`: Contexts",
    "actorCountry": "`kg import`: an actor's country code, resolved by the entities' identifiers",
    "countryCode": "`kg import`: Actor1CountryCode, *Geo_CountryCode; POLECAT Actor Country",
    "knownGroupCode": "`kg import gdelt`: Actor1KnownGroupCode, Actor2KnownGroupCode",
    "ethnicCode": "`kg import gdelt`: Actor1EthnicCode, Actor2EthnicCode",
    "religionCode": "`kg import gdelt`: Actor1Religion1Code ... Actor2Religion2Code",
    "actorTypeCode": "`kg import gdelt`: Actor1Type1Code ... Actor2Type3Code",
    "sector": "`kg import polecat`: Primary Actor Sector, Actor Sectors (and the recipient's)",
    "wikidataItem": "`kg import polecat`: Wikipedia Actor ID, Wikipedia Recipient ID",
    "geoType": "`kg import gdelt`: *Geo_Type",
    "adm1Code": "`kg import gdelt`: *Geo_ADM1Code",
    "adm2Code": "`kg import gdelt`: *Geo_ADM2Code",
    "adm1Name": "`kg import polecat`: Province",
    "adm2Name": "`kg import polecat`: District",
    "featureId": "`kg import gdelt`: *Geo_FeatureID",
    "featureType": "`kg import polecat`: Feature Type",
    "mentionOf": "`kg import gdelt --mentions`: GLOBALEVENTID",
    "mentionType": "`kg import gdelt --mentions`: MentionType",
    "sourceName": "`kg import`: GDELT MentionSourceName, POLECAT Source",
    "sentenceNumber": "`kg import gdelt --mentions`: SentenceID",
    "actor1Offset": "`kg import gdelt --mentions`: Actor1CharOffset",
    "actor2Offset": "`kg import gdelt --mentions`: Actor2CharOffset",
    "actionOffset": "`kg import gdelt --mentions`: ActionCharOffset",
    "inRawText": "`kg import gdelt --mentions`: InRawText",
    "confidence": "`kg import gdelt --mentions`: Confidence",
    "documentLength": "`kg import gdelt --mentions`: MentionDocLen",
    "documentTone": "`kg import gdelt --mentions`: MentionDocTone",
    "translationInfo": "`kg import gdelt --mentions`: MentionDocTranslationInfo",
    "mentionExtras": "`kg import gdelt --mentions`: Extras",
    "skippedRows": "`kg import --skip-bad` (the count of malformed rows skipped)",
    "importFilter": "`kg import --from/--to/--country/--root`",
}
