"""Namespaces: ours and the standard vocabularies of the interop profile, as IRI prefixes."""

from __future__ import annotations

GC = "https://w3id.org/geoclaims/ontology/"
GCS = "https://w3id.org/geoclaims/ontology/scheme/"
ONTOLOGY_IRI = "https://w3id.org/geoclaims/ontology"

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
