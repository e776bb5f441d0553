"""Statements, references and labels as triples: the Wikidata statement model."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import pyoxigraph as ox

from kg.namespaces import DCTERMS, NIF, OWL, PROV, RDF, RDFS, SCHEMA, WDT, XSD
from kg.store import Store
from kg.wikidata.read import Source, read
from kg.wikidata.statements import Statement, propositions
from kg.wikidata.terms import (
    INCORRECT_VALUE,
    KEPT_MODALITIES,
    PQ,
    PQV,
    PR,
    PRECISION,
    PRV,
    PS,
    PSV,
    WIKIBASE,
    P,
    integer,
    named,
)  # fmt: skip


class Writer:
    """Collects the triples of the view, naming items by their Wikidata IRIs where known."""

    def __init__(self, src: Source) -> None:
        self.src = src
        self.triples: dict[ox.Triple, None] = {}
        self.mentioned: set[str] = set()

    def add(self, s: str, p: str, o: ox.Term) -> None:
        self.triples[ox.Triple(named(s), named(p), o)] = None

    def item(self, term: ox.Term) -> ox.Term:
        """An entity as Wikidata names it, when the project verified its item."""
        if isinstance(term, ox.NamedNode):
            self.mentioned.add(term.value)
            if term.value in self.src.qid:
                return named(self.src.qid[term.value])
        return term

    def time(self, node: str, pid: str, value: ox.Term, simple: str, full: str) -> ox.Term:
        """A value as Wikidata writes it; a date becomes an xsd:dateTime plus a value node with
        its precision (9 year, 10 month, 11 day). Returns the simple value."""
        precision = PRECISION.get(value.datatype.value) if isinstance(value, ox.Literal) else None
        if precision is None:
            term = self.item(value)
            self.add(node, simple + pid, term)
            return term
        text = value.value + {9: "-01-01", 10: "-01", 11: ""}[precision] + "T00:00:00Z"
        stamp = ox.Literal(text, datatype=named(XSD + "dateTime"))
        self.add(node, simple + pid, stamp)
        value_node = f"{node}/value/{pid}"
        self.add(node, full + pid, named(value_node))
        self.add(value_node, RDF + "type", named(WIKIBASE + "TimeValue"))
        self.add(value_node, WIKIBASE + "timeValue", stamp)
        self.add(value_node, WIKIBASE + "timePrecision", integer(precision))
        self.add(value_node, WIKIBASE + "timeTimezone", integer(0))
        return stamp

    def statement(self, node: str, st: Statement, rank: str) -> None:
        """One statement node with its rank, value, qualifiers (and truthy triple if best)."""
        subject = self.item(named(st.subject))
        self.add(subject.value, P + st.pid, named(node))
        self.add(node, RDF + "type", named(WIKIBASE + "Statement"))
        self.add(node, WIKIBASE + "rank", named(WIKIBASE + rank))
        value = self.time(node, st.pid, st.value, PS, PSV)
        for pid, qualifier in st.qualifiers:
            self.time(node, pid, qualifier, PQ, PQV)
        for pred, extra in st.extra:
            self.add(node, pred, extra)
        if rank == "PreferredRank":
            self.add(node, RDF + "type", named(WIKIBASE + "BestRank"))
            self.add(subject.value, WDT + st.pid, value)

    def labels(self) -> None:
        for iri in sorted(self.mentioned):
            label = self.src.labels.get(iri)
            if label is None:
                continue
            self.add(iri, RDFS + "label", label)
            if iri in self.src.qid:
                self.add(self.src.qid[iri], RDFS + "label", label)
                self.add(iri, OWL + "sameAs", named(self.src.qid[iri]))


def _numbered(statements: list[Statement], base: str) -> Iterator[tuple[str, Statement]]:
    """Each statement with its IRI: `{base}/wikidata/{PID}` (`-{n}` after the first)."""
    seen: dict[str, int] = defaultdict(int)
    for st in statements:
        seen[st.pid] += 1
        n = seen[st.pid]
        yield f"{base}/wikidata/{st.pid}" + (f"-{n}" if n > 1 else ""), st


def triples(store: Store) -> list[ox.Triple]:
    """The Wikidata view of the store: facts, identifiers and claims as statements."""
    src = read(store)
    w = Writer(src)
    for fact, nodes in sorted(src.fact_statements.items()):
        for node in nodes:
            for iri, st in _numbered(propositions(src.graphs, fact, node), node):
                w.statement(iri, st, "PreferredRank")
                for n, (source, url) in enumerate(src.facts.get(fact, []), start=1):
                    ref = f"{iri}/reference-{n}"
                    w.add(iri, PROV + "wasDerivedFrom", named(ref))
                    w.add(ref, RDF + "type", named(WIKIBASE + "Reference"))
                    w.add(ref, PR + "P248", named(source))
                    if url:
                        w.add(ref, PR + "P854", named(url))
                    w.add(ref, DCTERMS + "source", named(fact))
    _identifiers(w, src)
    for row in src.claims:
        _claim(w, src, row)
    w.labels()
    return list(w.triples)


def _identifiers(w: Writer, src: Source) -> None:
    for row in src.identifiers:
        entity, prop = row["e"].value, row["prop"].value
        pid = prop.removeprefix(WDT)
        node = f"{entity}/identifier/wikidata/{pid}-{row['value'].value}"
        st = Statement(entity, pid, row["value"])
        st.qualifiers += [("P580", row["from"])] if "from" in row else []
        st.qualifiers += [("P582", row["until"])] if "until" in row else []
        w.statement(node, st, "PreferredRank")
        if prop in src.datasets:
            ref = f"{node}/reference"
            w.add(node, PROV + "wasDerivedFrom", named(ref))
            w.add(ref, RDF + "type", named(WIKIBASE + "Reference"))
            w.add(ref, PR + "P248", named(src.datasets[prop]))


def _claim(w: Writer, src: Source, row: dict[str, ox.Term]) -> None:
    if row["polarity"].value != "+" or row["modality"].value not in KEPT_MODALITIES:
        return
    claim, g = row["claim"].value, row["g"].value
    statements = propositions(src.graphs, g, g)
    for iri, st in _numbered(statements, claim):
        if not any(pid in ("P580", "P582", "P585") for pid, _ in st.qualifiers) and st.pid not in (
            "P585",
            "P571",
        ):
            if "teDate" in row:
                st.qualifiers.append(("P585", row["teDate"]))
            elif "teBegin" in row:
                st.qualifiers += [("P580", row["teBegin"]), ("P582", row["teEnd"])]
        st.qualifiers += [("P1310", w.item(named(who))) for who in src.disputed_by.get(claim, [])]
        review = src.contradicted.get(claim)
        if review is not None:
            st.qualifiers.append(("P2241", named(INCORRECT_VALUE)))
            st.extra.append((SCHEMA + "review", named(review)))
        w.statement(iri, st, "DeprecatedRank" if review else "NormalRank")
        ref = f"{iri}/reference"
        w.add(iri, PROV + "wasDerivedFrom", named(ref))
        w.add(ref, RDF + "type", named(WIKIBASE + "Reference"))
        w.add(ref, PR + "P248", row["article"])
        w.add(ref, PR + "P854", row["span"])
        if "published" in row:
            w.time(ref, "P577", row["published"], PR, PRV)
        for pred, key in ((NIF + "beginIndex", "begin"), (NIF + "endIndex", "end")):
            w.add(ref, pred, row[key])
        w.add(ref, NIF + "anchorOf", row["words"])
        w.add(ref, PROV + "wasAttributedTo", w.item(row["claimant"]))
        w.add(ref, DCTERMS + "source", named(claim))
