"""N-Triples lines for imported event rows: terms written as text, fast, always valid.

Rows become text lines, not pyoxigraph objects: the importer writes millions of them, and a
line from an f-string costs a fraction of building a `Triple`. Everything that goes into a line
passes through `iri()` or one of the literal makers, which escape or percent-encode what N-Triples
does not allow, so a bulk load of the lines cannot fail on a bad term half-way.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from kg.namespaces import DCTERMS, GC, OWL, PROV, RDF, SCHEMA, SEM, SKOS, XSD

# Characters an IRI may not hold in N-Triples (and controls): percent-encoded where they appear.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r]')

TYPE = f"<{RDF}type>"
VALUE = f"<{RDF}value>"


def p(namespace: str, local: str) -> str:
    """A predicate or class as N-Triples text."""
    return f"<{namespace}{local}>"


def iri(text: str) -> str:
    """`<text>`, with the characters IRIs may not contain percent-encoded."""
    if _BAD_IRI.search(text):
        text = _BAD_IRI.sub(lambda m: quote(m.group(0), safe=""), text)
    return f"<{text}>"


def absolute_url(text: str) -> str | None:
    """The IRI of a URL the dataset gives, or None when it is no absolute IRI (kept as text)."""
    return iri(text) if _SCHEME.match(text) else None


def segment(text: str) -> str:
    """One path segment of a minted IRI (file names, dataset ids), percent-encoded as needed."""
    return quote(text, safe="-._~")


def string(text: str) -> str:
    """A plain string literal (xsd:string)."""
    if _NEEDS_ESCAPE.search(text):
        text = text.translate(_ESCAPES)
    return f'"{text}"'


def typed(lexical: str, datatype: str) -> str:
    """A literal of an XSD datatype, its lexical form checked by the caller."""
    return f'"{lexical}"^^<{XSD}{datatype}>'


# The predicates the importers use, written once.
P = {
    "type": TYPE,
    "value": VALUE,
    "identifier": p(DCTERMS, "identifier"),
    "created": p(DCTERMS, "created"),
    "language": p(DCTERMS, "language"),
    "source": p(DCTERMS, "source"),
    "startDate": p(SCHEMA, "startDate"),
    "datePublished": p(SCHEMA, "datePublished"),
    "url": p(SCHEMA, "url"),
    "name": p(SCHEMA, "name"),
    "jobTitle": p(SCHEMA, "jobTitle"),
    "version": p(SCHEMA, "version"),
    "location": p(SCHEMA, "location"),
    "latitude": p(SCHEMA, "latitude"),
    "longitude": p(SCHEMA, "longitude"),
    "containedInPlace": p(SCHEMA, "containedInPlace"),
    "addressLocality": p(SCHEMA, "addressLocality"),
    "about": p(SCHEMA, "about"),
    "sha256": p(SCHEMA, "sha256"),
    "eventType": p(SEM, "eventType"),
    "hasActor": p(SEM, "hasActor"),
    "hasPlace": p(SEM, "hasPlace"),
    "derivedFrom": p(PROV, "wasDerivedFrom"),
    "generatedBy": p(PROV, "wasGeneratedBy"),
    "used": p(PROV, "used"),
    "startedAt": p(PROV, "startedAtTime"),
    "sameAs": p(OWL, "sameAs"),
    "notation": p(SKOS, "notation"),
    "geonames": "<http://www.wikidata.org/prop/direct/P1566>",
}
for _local in [
    "sourceActor",
    "targetActor",
    "sourcePlace",
    "targetPlace",
    "cameoRoot",
    "ploverMode",
    "quadClass",
    "intensity",
    "averageTone",
    "numMentions",
    "numSources",
    "numArticles",
    "isRootEvent",
    "context",
    "actorCountry",
    "countryCode",
    "knownGroupCode",
    "ethnicCode",
    "religionCode",
    "actorTypeCode",
    "sector",
    "wikidataItem",
    "geoType",
    "adm1Code",
    "adm2Code",
    "adm1Name",
    "adm2Name",
    "featureId",
    "featureType",
    "mentionOf",
    "mentionType",
    "sourceName",
    "sentenceNumber",
    "actor1Offset",
    "actor2Offset",
    "actionOffset",
    "inRawText",
    "confidence",
    "documentLength",
    "documentTone",
    "translationInfo",
    "mentionExtras",
    "skippedRows",
    "importFilter",
    "cameoCode",
    "cowCode",
    "goldsteinScale",
    "surfaceText",
    "softwareVersion",
]:
    P[_local] = p(GC, _local)

CLASS = {
    name: p(GC, name)
    for name in (
        "EventDataGraph",
        "CodedEvent",
        "CodedActor",
        "CodedPlace",
        "EventMention",
        "EventImport",
        "EventFile",
    )
}
CLASS.update(
    {
        "sem:Event": p(SEM, "Event"),
        "schema:Event": p(SCHEMA, "Event"),
        "sem:Role": p(SEM, "Role"),
        "schema:Place": p(SCHEMA, "Place"),
        "prov:Activity": p(PROV, "Activity"),
        "prov:Entity": p(PROV, "Entity"),
    }
)
GC_IRI = GC
