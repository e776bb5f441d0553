"""Deterministic generator of claims-shaped data, shaped by the real ontology, at any size.

    python bench/generate.py --quads 1000000 --out bench/out/data-1m.nq

Each synthetic article has a document graph (article, nif:Context, sentence and evidence spans
with NIF and Web Annotation selectors), a claims graph, one graph per proposition, and the shared
entity graph and reference facts; the proportions follow the seed article's graph.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

BASE = "https://w3id.org/geoclaims/"
GC = "https://w3id.org/geoclaims/ontology/"
GCS = GC + "scheme/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = "http://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
OA = "http://www.w3.org/ns/oa#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"

WORDS = (
    "protest rally election president minister border treaty alliance troops pipeline sanctions "
    "talks summit agreement parliament capital army opposition vote crisis security assistance "
    "pressure government leader state region city accord deal offer denial statement"
).split()
ACTS = ["Statement", "Accusation", "Offer", "Denial", "Label", "Belief", "Assurance"]
PROPOSITIONS = [
    "AssistanceOffer",
    "BorderStatement",
    "EventOccurrence",
    "TenureStatement",
    "LabelStatement",
    "OrganisationName",
    "AgreementSigning",
    "UnderPressure",
]
POLARITY = ["asserted"] * 8 + ["denied", "unknown"]
CERTAINTY = ["certain"] * 6 + ["probable", "possible", "underspecified"]
MODALITY = ["actual"] * 6 + ["conditional", "future", "hypothetical", "historical"]
ATTRIBUTION = ["author", "quote", "reported", "hearsay", "hedge"]
ENTITY_TYPES = [
    ("State", SCHEMA + "Country"),
    ("Leader", SCHEMA + "Person"),
    ("Organisation", SCHEMA + "Organization"),
    ("City", SCHEMA + "City"),
]


def iri(value: str) -> str:
    return f"<{value}>"


def lit(value: str, lang: str | None = None, dtype: str | None = None) -> str:
    text = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if lang:
        return f'"{text}"@{lang}'
    if dtype:
        return f'"{text}"^^<{dtype}>'
    return f'"{text}"'


def integer(value: int) -> str:
    return lit(str(value), dtype=XSD + "integer")


class Generator:
    """Yields N-Quads lines; the same seed and sizes always give the same lines."""

    def __init__(self, entities: int = 500, claims_per_article: int = 20, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.entities = entities
        self.claims_per_article = claims_per_article

    def entity(self, n: int) -> str:
        return iri(f"{BASE}entity/e{n}")

    def entity_graph(self) -> Iterator[str]:
        g = iri(BASE + "graph/entities")
        yield f"{g} {RDF_TYPE} {iri(GC + 'EntityGraph')} {g} ."
        for n in range(self.entities):
            gc_type, schema_type = ENTITY_TYPES[n % len(ENTITY_TYPES)]
            e = self.entity(n)
            name = f"{self.rng.choice(WORDS).title()} {self.rng.choice(WORDS).title()} {n}"
            yield f"{e} {RDF_TYPE} {iri(GC + gc_type)} {g} ."
            yield f"{e} {RDF_TYPE} {iri(schema_type)} {g} ."
            yield f"{e} {iri(RDFS + 'label')} {lit(name, 'en')} {g} ."
            yield f"{e} {iri(SKOS + 'altLabel')} {lit(name.upper(), 'en')} {g} ."
            if n % 3 == 0:
                yield f"{e} {iri(OWL + 'sameAs')} {iri(f'http://www.wikidata.org/entity/Q{100000 + n}')} {g} ."

    def reference_fact(self, n: int) -> Iterator[str]:
        f = iri(f"{BASE}reference/r{n}")
        yield f"{f} {RDF_TYPE} {iri(GC + 'ReferenceGraph')} {f} ."
        yield f"{f} {RDF_TYPE} {iri(GC + 'ReferenceFact')} {f} ."
        yield f"{f} {iri(SCHEMA + 'description')} {lit(f'Reference fact {n}')} {f} ."
        src = iri(f"{BASE}source/s{n % 50}")
        yield f"{f} {iri(PROV + 'wasDerivedFrom')} {src} {f} ."
        yield f"{src} {iri(SCHEMA + 'name')} {lit(f'Source {n % 50}')} {f} ."
        node = iri(f"{BASE}reference/r{n}/statement")
        yield f"{f} {iri(GC + 'statement')} {node} {f} ."
        yield f"{node} {RDF_TYPE} {iri(GC + 'TenureStatement')} {f} ."
        yield f"{node} {iri(GC + 'holder')} {self.entity(n % self.entities)} {f} ."
        yield f"{node} {iri(GC + 'startDate')} {lit(f'19{50 + n % 50}-01-01', dtype=XSD + 'date')} {f} ."

    def article(self, a: int) -> Iterator[str]:
        rng = self.rng
        aid = f"a{a}"
        art = f"{BASE}article/{aid}"
        doc = iri(f"{BASE}graph/article/{aid}")
        cg = iri(f"{BASE}graph/claims/{aid}")
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."
            for _ in range(self.claims_per_article)
        ]
        text = " ".join(sentences)
        ctx = iri(f"{art}#char=0,{len(text)}")
        yield f"{doc} {RDF_TYPE} {iri(GC + 'DocumentGraph')} {doc} ."
        yield f"{cg} {RDF_TYPE} {iri(GC + 'ClaimGraph')} {cg} ."
        yield f"{iri(art)} {RDF_TYPE} {iri(SCHEMA + 'NewsArticle')} {doc} ."
        yield f"{iri(art)} {iri(SCHEMA + 'headline')} {lit(sentences[0])} {doc} ."
        yield f"{iri(art)} {iri(SCHEMA + 'datePublished')} {lit(f'2020-{1 + a % 12:02d}-{1 + a % 28:02d}', dtype=XSD + 'date')} {doc} ."
        yield f"{iri(art)} {iri(GC + 'hasContext')} {ctx} {doc} ."
        yield f"{ctx} {RDF_TYPE} {iri(NIF + 'Context')} {doc} ."
        yield f"{ctx} {iri(NIF + 'isString')} {lit(text)} {doc} ."
        publisher = iri(f"{art}/agent/publisher")
        yield f"{publisher} {RDF_TYPE} {iri(GC + 'Publisher')} {doc} ."
        yield f"{publisher} {iri(RDFS + 'label')} {lit(f'Publisher of {aid}', 'en')} {doc} ."
        begin = 0
        for c, sentence in enumerate(sentences):
            end = begin + len(sentence)
            span = iri(f"{art}#char={begin},{end}")
            nni = XSD + "nonNegativeInteger"
            yield f"{span} {RDF_TYPE} {iri(NIF + 'RFC5147String')} {doc} ."
            yield f"{span} {RDF_TYPE} {iri(OA + 'SpecificResource')} {doc} ."
            yield f"{span} {iri(NIF + 'beginIndex')} {lit(str(begin), dtype=nni)} {doc} ."
            yield f"{span} {iri(NIF + 'endIndex')} {lit(str(end), dtype=nni)} {doc} ."
            yield f"{span} {iri(NIF + 'anchorOf')} {lit(sentence)} {doc} ."
            yield f"{span} {iri(NIF + 'referenceContext')} {ctx} {doc} ."
            yield f"{span} {iri(OA + 'hasSource')} {iri(art)} {doc} ."
            sel = f"{art}/selector/{begin}-{end}"
            yield f"{span} {iri(OA + 'hasSelector')} {iri(sel + '/quote')} {doc} ."
            yield f"{iri(sel + '/quote')} {iri(OA + 'exact')} {lit(sentence)} {doc} ."
            yield f"{span} {iri(OA + 'hasSelector')} {iri(sel + '/position')} {doc} ."
            yield f"{iri(sel + '/position')} {iri(OA + 'start')} {integer(begin)} {doc} ."
            claim = iri(f"{BASE}claim/{aid}/c{c}")
            prop = iri(f"{BASE}proposition/{aid}/p{c}")
            act = ACTS[rng.randrange(len(ACTS))]
            claimant = self.entity(rng.randrange(self.entities)) if c % 3 else publisher
            about = self.entity(rng.randrange(self.entities))
            for t in (GC + "Claim", GC + act, SCHEMA + "Claim", PROV + "Entity"):
                yield f"{claim} {RDF_TYPE} {iri(t)} {cg} ."
            yield f"{claim} {iri(GC + 'claimant')} {claimant} {cg} ."
            yield f"{claim} {iri(PROV + 'wasAttributedTo')} {claimant} {cg} ."
            yield f"{claim} {iri(GC + 'reporter')} {publisher} {cg} ."
            yield f"{claim} {iri(GC + 'evidence')} {span} {cg} ."
            yield f"{claim} {iri(PROV + 'wasDerivedFrom')} {span} {cg} ."
            yield f"{claim} {iri(GC + 'appearsIn')} {iri(art)} {cg} ."
            yield f"{claim} {iri(SCHEMA + 'appearance')} {iri(art)} {cg} ."
            yield f"{claim} {iri(GC + 'about')} {about} {cg} ."
            yield f"{claim} {iri(SCHEMA + 'about')} {about} {cg} ."
            yield f"{claim} {iri(GC + 'proposition')} {prop} {cg} ."
            yield f"{claim} {iri(GC + 'polarity')} {iri(GCS + 'polarity/' + rng.choice(POLARITY))} {cg} ."
            yield f"{claim} {iri(GC + 'certainty')} {iri(GCS + 'certainty/' + rng.choice(CERTAINTY))} {cg} ."
            yield f"{claim} {iri(GC + 'modality')} {iri(GCS + 'modality/' + rng.choice(MODALITY))} {cg} ."
            yield f"{claim} {iri(GC + 'attribution')} {iri(GCS + 'attribution/' + rng.choice(ATTRIBUTION))} {cg} ."
            if c and rng.random() < 0.1:
                yield f"{claim} {iri(GC + 'disputes')} {iri(f'{BASE}claim/{aid}/c{c - 1}')} {cg} ."
            kind = PROPOSITIONS[rng.randrange(len(PROPOSITIONS))]
            yield f"{prop} {RDF_TYPE} {iri(GC + 'PropositionGraph')} {prop} ."
            yield f"{prop} {RDF_TYPE} {iri(GC + 'Proposition')} {prop} ."
            yield f"{prop} {RDF_TYPE} {iri(GC + kind)} {prop} ."
            yield f"{prop} {iri(GC + 'agent')} {claimant if c % 3 else about} {prop} ."
            yield f"{prop} {iri(GC + 'recipient')} {about} {prop} ."
            yield f"{prop} {iri(GC + 'date')} {lit(f'20{10 + a % 11}-{1 + c % 12:02d}-{1 + a % 28:02d}', dtype=XSD + 'date')} {prop} ."
            quantity = iri(f"{BASE}proposition/{aid}/p{c}/count")
            yield f"{prop} {iri(GC + 'count')} {quantity} {prop} ."
            yield f"{quantity} {iri(GC + 'maxValue')} {integer(rng.randrange(1, 300000))} {prop} ."
            begin = end + 1

    def quads(self, target: int) -> Iterator[str]:
        """About `target` quads (stops at the first article boundary past it)."""
        count = 0
        for line in self.entity_graph():
            count += 1
            yield line
        for n in range(max(1, target // 20000)):
            for line in self.reference_fact(n):
                count += 1
                yield line
        a = 0
        while count < target:
            for line in self.article(a):
                count += 1
                yield line
            a += 1


def entity_count(quads: int) -> int:
    """Entities for a data size: 50 at 10k quads, 500 at 1M, 5000 at 10M and beyond."""
    return max(50, min(5000, quads // 2000))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quads", type=int, default=10_000, help="approximate number of quads")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="N-Quads file (default: stdout)")
    args = parser.parse_args(argv)
    gen = Generator(entities=entity_count(args.quads), seed=args.seed)
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    try:
        for line in gen.quads(args.quads):
            out.write(line + "\n")
    finally:
        if args.out:
            out.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
