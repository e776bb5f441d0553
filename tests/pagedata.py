# ruff: noqa: E501  (Turtle lines read better whole)
"""A hand-made graph for the page tests: every page kind, hostile strings, computed offsets."""

from __future__ import annotations

from kg.config import Config
from kg.store import EmbeddedStore

XSS_LABEL = "<script>alert(1)</script>"
XSS_NOTE = '"><img src=x onerror=alert(2)>'
QUOTE_ID = "o'brien"  # an IRI with a quote in it
TEXT = (
    "Belarus borders Russia to the west.\n"
    "  • “We are ready to help,” Putin said.\n"
    "Markup like <script>alert(3)</script> is only text here."
)
SENT1 = (0, TEXT.index("\n"))
QUOTE = "We are ready to help"
EVID2 = (TEXT.index(QUOTE), TEXT.index(QUOTE) + len(QUOTE))
SENT2 = (TEXT.index("“"), TEXT.index("said.") + len("said."))
FILLERS = 60  # incoming statements on Russia beyond one page


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def trig(base: str) -> str:
    """The dataset as TriG, with data IRIs under `base`."""
    a = f"{base}article/a1"
    ctx = f"<{a}#char=0,{len(TEXT)}>"

    def span(b: int, e: int, kind: str = "nif:RFC5147String") -> str:
        return (
            f"<{a}#char={b},{e}> a {kind} ; nif:beginIndex {b} ; nif:endIndex {e} ; "
            f"nif:anchorOf {_lit(TEXT[b:e])} ; nif:referenceContext {ctx} ."
        )

    fillers = "\n".join(
        f"<{base}entity/place{i}> schema:containedInPlace <{base}entity/russia> ."
        for i in range(FILLERS)
    )
    return f"""
@prefix gc: <https://w3id.org/geoclaims/ontology/> .
@prefix gcs: <https://w3id.org/geoclaims/ontology/scheme/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix schema: <http://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix wd: <http://www.wikidata.org/entity/> .

<{base}graph/ontology> {{
  <{base}graph/ontology> a gc:OntologyGraph .
  <https://w3id.org/geoclaims/ontology> a owl:Ontology ; rdfs:label "geoclaims ontology"@en ;
      dcterms:license <http://www.apache.org/licenses/LICENSE-2.0> .
  gc:Claim a owl:Class ; rdfs:label "Claim"@en ; rdfs:comment "Something somebody says is the case."@en ;
      rdfs:subClassOf schema:Claim ; rdfs:isDefinedBy <https://w3id.org/geoclaims/ontology> .
  gc:Statement a owl:Class ; rdfs:label "Statement"@en ; rdfs:subClassOf gc:Claim .
  gc:Offer a owl:Class ; rdfs:label "Offer"@en ; rdfs:subClassOf gc:Claim .
  gc:claimant a owl:ObjectProperty ; rdfs:label "claimant"@en ; rdfs:domain gc:Claim ; rdfs:range prov:Agent ;
      rdfs:subPropertyOf prov:wasAttributedTo ; rdfs:isDefinedBy <https://w3id.org/geoclaims/ontology> .
  gcs:polarity a skos:ConceptScheme ; rdfs:label "polarity"@en .
  <https://w3id.org/geoclaims/ontology/scheme/polarity/asserted> a skos:Concept ; rdfs:label "asserted"@en ;
      skos:notation "+" ; skos:inScheme gcs:polarity .
  <https://w3id.org/geoclaims/ontology/scheme/modality/actual> a skos:Concept ; rdfs:label "actual"@en .
  <https://w3id.org/geoclaims/ontology/scheme/modality/conditional> a skos:Concept ; rdfs:label "conditional"@en .
  <https://w3id.org/geoclaims/ontology/scheme/attribution/author> a skos:Concept ; rdfs:label "author"@en .
  <https://w3id.org/geoclaims/ontology/scheme/attribution/quote> a skos:Concept ; rdfs:label "quote"@en .
}}

<{base}graph/entities> {{
  <{base}graph/entities> a gc:EntityGraph .
  <{base}entity/belarus> a gc:State, schema:Country ; rdfs:label "Belarus"@en ; owl:sameAs wd:Q184 .
  <{base}entity/russia> a gc:State, schema:Country ; rdfs:label "Russia"@en ; owl:sameAs wd:Q159 .
  <{base}entity/vladimir-putin> a gc:Leader, schema:Person ; rdfs:label "Vladimir Putin"@en .
  <{base}entity/{QUOTE_ID}> a schema:Person ; rdfs:label {_lit(XSS_LABEL)}@en ; skos:altLabel {_lit(XSS_NOTE)} ;
      rdfs:seeAlso <javascript:alert(4)>, <data:text/html,hello> .
  {fillers}
}}

<{base}graph/article/a1> {{
  <{base}graph/article/a1> a gc:DocumentGraph .
  <{a}> a schema:NewsArticle ; schema:headline "Belarus and Russia"@en ; schema:datePublished "2020-08-17"^^xsd:date .
  {ctx} a nif:Context, nif:RFC5147String ; nif:isString {_lit(TEXT)} ; nif:beginIndex 0 ; nif:endIndex {len(TEXT)} .
  {span(*SENT1, "nif:Sentence")}
  {span(*SENT2, "nif:Sentence")}
  {span(*EVID2)}
  <{a}/agent/publisher> a gc:Publisher ; rdfs:label "The article's publisher"@en .
}}

<{base}graph/claims/a1> {{
  <{base}graph/claims/a1> a gc:ClaimGraph .
  <{base}claim/a1/c1> a gc:Statement, schema:Claim ; gc:claimant <{a}/agent/publisher> ;
      prov:wasAttributedTo <{a}/agent/publisher> ; gc:reporter <{a}/agent/publisher> ;
      gc:about <{base}entity/belarus>, <{base}entity/russia> ; schema:about <{base}entity/belarus> ;
      gc:evidence <{a}#char={SENT1[0]},{SENT1[1]}> ; gc:sentence <{a}#char={SENT1[0]},{SENT1[1]}> ;
      gc:proposition <{base}proposition/a1/p1> ; gc:appearsIn <{a}> ;
      gc:polarity gcs:polarity\\/asserted ; gc:modality <https://w3id.org/geoclaims/ontology/scheme/modality/actual> ;
      gc:attribution <https://w3id.org/geoclaims/ontology/scheme/attribution/author> .
  <{base}claim/a1/c2> a gc:Offer, schema:Claim ; gc:claimant <{base}entity/vladimir-putin> ;
      gc:about <{base}entity/belarus> ; gc:evidence <{a}#char={EVID2[0]},{EVID2[1]}> ;
      gc:sentence <{a}#char={SENT2[0]},{SENT2[1]}> ; gc:appearsIn <{a}> ; gc:disputes <{base}claim/a1/c1> ;
      gc:polarity gcs:polarity\\/asserted ; gc:modality <https://w3id.org/geoclaims/ontology/scheme/modality/conditional> ;
      gc:attribution <https://w3id.org/geoclaims/ontology/scheme/attribution/quote> .
  <{base}claim/a1/c3> a gc:Statement, schema:Claim ; gc:claimant <{base}entity/{QUOTE_ID}> ;
      gc:about <{base}entity/{QUOTE_ID}> ; gc:appearsIn <{a}> ; skos:editorialNote {_lit(XSS_LABEL)} ;
      gc:evidence <{a}#char={SENT1[0]},{SENT1[1]}> .
}}

<{base}proposition/a1/p1> {{
  <{base}proposition/a1/p1> a gc:PropositionGraph, gc:Proposition, gc:BorderStatement ;
      gc:state <{base}entity/belarus> ; gc:neighbour <{base}entity/russia> ;
      gc:length <{base}proposition/a1/p1/length> .
  <{base}proposition/a1/p1/length> a gc:Quantity ; gc:exactValue 1084 ; gc:surfaceText "about 1,084 km" .
}}
"""


def load(config: Config) -> EmbeddedStore:
    """An in-memory store holding the dataset for the config's base IRI."""
    import pyoxigraph as ox

    store = EmbeddedStore(None)
    store.bulk_load(ox.parse(trig(config.base_iri).encode(), ox.RdfFormat.TRIG))
    return store
