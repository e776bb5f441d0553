"""Namespaces: ours and the standard vocabularies of the interop profile, as IRI prefixes."""

from __future__ import annotations

GC = "https://w3id.org/geoclaims/ontology/"
GCS = "https://w3id.org/geoclaims/ontology/scheme/"
ONTOLOGY_IRI = "https://w3id.org/geoclaims/ontology"
# Event-coding concepts (issue 14; ontology/cameo.ttl, plover.ttl): CAMEO event codes, PLOVER
# event types and PLOVER modes, each IRI the namespace plus the code or name.
CAMEO = "https://w3id.org/geoclaims/ontology/cameo/"
PLOVER = "https://w3id.org/geoclaims/ontology/plover/"
PLOVER_MODE = "https://w3id.org/geoclaims/ontology/plover/mode/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = "http://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SH = "http://www.w3.org/ns/shacl#"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
ITSRDF = "http://www.w3.org/2005/11/its/rdf#"  # NIF entity links (itsrdf:taIdentRef)

PREFIXES: dict[str, str] = {
    "gc": GC,
    "gcs": GCS,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "schema": SCHEMA,
    "prov": PROV,
    "oa": OA,
    "nif": NIF,
    "org": ORG,
    "time": TIME,
    "skos": SKOS,
    "sem": SEM,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "sh": SH,
    "void": VOID,
    "sd": SD,
    "wd": WD,
    "wdt": WDT,
}


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def gc(local: str) -> str:
    """The IRI of the ontology term `gc:{local}`."""
    return GC + local


def concept(scheme: str, local: str) -> str:
    """The IRI of concept `local` of value scheme `gcs:{scheme}` (e.g. "polarity", "asserted")."""
    return f"{GCS}{scheme}/{local}"


# Speech-act subclasses of gc:Claim (the `act` key of claims.yaml).
CLAIM_ACTS: tuple[str, ...] = (
    "Statement",
    "Accusation",
    "Offer",
    "Denial",
    "Label",
    "Belief",
    "Assurance",
    "Threat",
    "Request",
    "Rejection",
    "Criticism",
    "Praise",
    "Promise",
    "Prediction",
    "Admission",
)

# Graph roles (ontology/README.md, "Named graphs").
GRAPH_CLASSES: tuple[str, ...] = (
    "OntologyGraph",
    "ShapesGraph",
    "EntityGraph",
    "DocumentGraph",
    "ClaimGraph",
    "PropositionGraph",
    "ReferenceGraph",
    "ReviewGraph",
    "EventDataGraph",  # one imported event-data file (issue 15, kg/events/)
)

# Claim properties, each with the standard property materialised beside it (INTEROP.md section 3).
MATERIALISED: dict[str, str] = {
    GC + "claimant": PROV + "wasAttributedTo",
    GC + "evidence": PROV + "wasDerivedFrom",
    GC + "about": SCHEMA + "about",
    GC + "appearsIn": SCHEMA + "appearance",
    GC + "postIn": ORG + "postIn",
    GC + "member": ORG + "member",
    GC + "organisation": ORG + "organization",
    GC + "via": PROV + "wasInfluencedBy",
    GC + "attributionStep": PROV + "qualifiedInfluence",
    GC + "within": DCTERMS + "isPartOf",
    GC + "reviewStatus": SCHEMA + "creativeWorkStatus",
}

# Value schemes: scheme local name -> {notation: concept local name} (ontology/schemes.ttl).
SCHEMES: dict[str, dict[str, str]] = {
    "polarity": {"+": "asserted", "-": "denied", "u": "unknown"},
    "certainty": {"CT": "certain", "PR": "probable", "PS": "possible", "U": "underspecified"},
    "modality": {m: m for m in ("actual", "conditional", "future", "hypothetical", "historical")},
    "attribution": {a: a for a in ("author", "quote", "reported", "hearsay", "hedge")},
    "agreementKind": {k: k for k in ("mutual-assistance", "collective-security", "union", "other")},
    "verdict": {v: v for v in ("consistent", "contradicted", "partly-correct", "not-checkable")},
    "direction": {
        d: d
        for d in (
            "north",
            "north-east",
            "east",
            "south-east",
            "south",
            "south-west",
            "west",
            "north-west",
        )
    },
}
# The value sets of the general vocabulary (issue 13), in the same form.
SCHEMES.update(
    {
        "relationKind": {
            k: k
            for k in ("ally", "close-ally", "partner", "neighbour", "rival", "adversary", "enemy")
        },
        "frequency": {
            f: f for f in ("once", "occasionally", "repeatedly", "regularly", "constantly")
        },
        "timeOf": {"saying": "saying", "event": "event"},
        "reviewStatus": {"drafted": "drafted", "reviewed": "reviewed"},
        "propositionGroup": {
            g: g
            for g in (
                "description",
                "relationship",
                "cooperation",
                "conflict",
                "stance",
                "communication",
            )
        },
    }
)
