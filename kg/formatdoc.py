"""The format of a project's YAML files, as one Markdown page generated from the ontology and the
loader's own key tables, so it cannot drift from what `kg validate` accepts (docs/format.md).

Every key of article.yaml and claims.yaml, every claim act, proposition type, event type and role,
and every value scheme is listed with an example; a role without an example of its own shows a
type's example that uses it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg.errors import DataError
from kg.events import WRITTEN_FROM
from kg.ingest.articles import ARTICLE_KEYS
from kg.ingest.authoring import CLAIM_KEYS, FILE_KEYS, TIME_KEYS
from kg.ingest.nodes import COMMON
from kg.namespaces import GC, GCS, PREFIXES, SCHEMES

DOMAIN = URIRef("http://schema.org/domainIncludes")
MATCHES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch)
# The CAMEO and PLOVER concept schemes (issue 14), under the ontology's namespace.
CAMEO = "https://w3id.org/geoclaims/ontology/cameo/"
PLOVER = "https://w3id.org/geoclaims/ontology/plover/"
# Properties the loader writes itself (not YAML keys of a node), with where they come from.
WRITTEN_BY_LOADER = {
    "claimant": "claim key `claimant`",
    "reporter": "claim key `reporter`",
    "evidence": "claim key `quote`",
    "sentence": "the sentence of the quote",
    "proposition": "claim key `proposition`",
    "polarity": "claim key `polarity`",
    "certainty": "claim key `certainty`",
    "modality": "claim key `modality`",
    "attribution": "claim key `attribution`",
    "timeExpression": "claim keys `time`, `said`",
    "disputes": "claim key `disputes`",
    "supports": "claim key `supports`",
    "about": "claim key `about`",
    "appearsIn": "the article",
    "via": "claim key `via`",
    "attributionStep": "claim key `via`, in order",
    "within": "claim key `within`",
    "editorialInsertion": "claim key `brackets` and the [brackets] of a quote",
    "reviewStatus": "article key `reviewStatus`",
    "identifierAssignment": "entity key `identifiers` in data/entities.yaml (issue 14)",
    "cameoCode": "entity key `identifiers`, code `cameoCode`",
    "cowCode": "entity key `identifiers`, code `cowCode`",
    "cowAbbreviation": "entity key `identifiers`, code `cowAbbreviation`",
    "gwCode": "entity key `identifiers`, code `gwCode`",
    "validFrom": "`validFrom` of a code in entity key `identifiers` ({value: X, validFrom: D})",
    "validUntil": "`validUntil` of a code in entity key `identifiers` ({value: X, validUntil: D})",
    "goldsteinScale": "ontology/cameo.ttl (not authored in YAML)",
    "formatterURL": "ontology/identifiers.ttl (not authored in YAML)",
    "timeOf": "claim keys `time` (event), `said`",
    "surfaceText": "time item key `surfaceText`, and any node's words",
    "anchorDate": "article key `anchorDate`, time item key `anchorDate`",
    "resolvedDate": "time item key `resolvedDate`",
    "resolvedInterval": "time item key `resolvedInterval`",
    "datePublishedMethod": "article key",
    "datePublishedReasoning": "article key",
    "publisherNote": "article key",
    "sha256": "the loader (the text's digest)",
    "hasContext": "the loader (the article's text)",
    "softwareVersion": "the loader (each load)",
    "verdict": "kg check",
    "rule": "kg check",
    "checkedAgainst": "kg check",
    "factId": "facts.yaml `id`",
    "statement": "facts.yaml `statements`",
    # Said of classes in the ontology, not in the YAML.
    "sourceRole": "ontology/mappings.ttl (how a type codes as a CAMEO event)",
    "targetRole": "ontology/mappings.ttl (how a type codes as a CAMEO event)",
    "codingRole": "ontology/mappings.ttl (how a type codes as a CAMEO event)",
}
WRITTEN_BY_LOADER.update(WRITTEN_FROM)  # event data (issue 15): written by `kg import`


def load(ontology_dir: Path) -> Graph:
    """Every ontology file but the shapes, as one graph."""
    graph = Graph()
    for path in sorted(ontology_dir.glob("*.ttl")):
        if path.name == "shapes.ttl":
            continue
        try:
            graph.parse(path, format="turtle")
        except BadSyntax as err:
            raise DataError(f"malformed Turtle: {err.message}", str(path), err.lines + 1) from err
    return graph


class _Onto:
    """The ontology's terms as the page needs them."""

    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.classes = {s for s in graph.subjects(RDF.type, OWL.Class) if _ours(s)}
        self.props = {
            s
            for t in (OWL.ObjectProperty, OWL.DatatypeProperty)
            for s in graph.subjects(RDF.type, t)
            if _ours(s)
        }

    def local(self, term: object) -> str:
        return str(term)[len(GC) :]

    def text(self, term: URIRef, pred: URIRef = RDFS.comment) -> str:
        values = sorted(
            (o for o in self.g.objects(term, pred) if isinstance(o, Literal)),
            key=lambda lit: (lit.language not in (None, "en"), str(lit)),
        )
        return " ".join(str(values[0]).split()) if values else ""

    def supers(self, cls: URIRef) -> set[URIRef]:
        return set(self.g.transitive_objects(cls, RDFS.subClassOf)) - {cls}

    def subclasses_of(self, root: str) -> list[URIRef]:
        base = URIRef(GC + root)
        return sorted((c for c in self.classes if base in self.supers(c)), key=self.local)

    def examples(self, term: URIRef) -> list[str]:
        return sorted(str(o) for o in self.g.objects(term, SKOS.example))

    def roles_of(self, cls: URIRef) -> list[URIRef]:
        """Roles documented on the class itself (schema:domainIncludes or rdfs:domain)."""
        found = {p for d in (DOMAIN, RDFS.domain) for p in self.g.subjects(d, cls)}
        return sorted((p for p in found if p in self.props), key=self.local)

    def range_words(self, prop: URIRef) -> str:
        rng = self.g.value(prop, RDFS.range)
        scheme = URIRef(GCS + self.local(prop))
        if (scheme, RDF.type, SKOS.ConceptScheme) in self.g:
            return f"a value of [{self.local(prop)}](#scheme-{self.local(prop).lower()})"
        if rng is None:
            return "any"
        if rng == URIRef(GC + "Proposition"):
            return "a proposition (id or mapping; an event type is its occurrence)"
        if rng == OWL.Class:
            return "a class name"
        if str(rng).startswith("http://www.w3.org/2001/XMLSchema#") or rng == RDF.langString:
            return _curie(rng)
        if rng == OWL.Thing:
            return "an id or a mapping"
        return f"an id or mapping: {_curie(rng)}"

    def mappings(self, term: URIRef) -> str:
        found = []
        for pred in MATCHES:
            for o in sorted(self.g.objects(term, pred), key=str):
                if str(o).startswith((CAMEO, PLOVER)):
                    kind = str(pred).rsplit("#", 1)[-1]
                    found.append(f"{kind} {_curie(o)}")
        return "; ".join(found)


def _ours(term: object) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(GC) and "/" not in str(term)[len(GC) :]


def _curie(iri: object) -> str:
    text = str(iri)
    prefixes = {**PREFIXES, "cameo": CAMEO, "plover": PLOVER, "ploverMode": PLOVER + "mode/"}
    for prefix, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(ns) and text != ns:
            return f"{prefix}:{text[len(ns) :]}"
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(head: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    head = list(head)
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out + [""]


def _keys(title: str, keys: dict[str, str], example: str) -> list[str]:
    return [
        f"### {title}",
        "",
        *_table(["key", "what"], [(f"`{k}`", v) for k, v in keys.items()]),
        "```yaml",
        example.strip("\n"),
        "```",
        "",
    ]


ARTICLE_EXAMPLE = """
id: my-article
headline: "Minsk accuses Kyiv of border provocations"
language: en
publisher: null
publisherNote: "The source names no publisher."
url: null
datePublished: 2022-01-28
datePublishedMethod: stated          # or estimated, with datePublishedReasoning
anchorDate: 2022-01-28
reviewStatus: reviewed               # drafted: written by a machine, not yet reviewed
_source: "where the text was taken from"   # a comment key: ignored
"""
CLAIMS_EXAMPLE = """
agents:                                  # optional: publisher and unattributed are made when needed
  - {id: analysts, type: Group, label: analysts}
propositions:                            # those several claims share; the others go inline
  - {id: p-provocations, type: BorderIncident, agent: ukraine, alongBorderOf: belarus}
claims:
  - id: c-close-ally                     # the publisher's own voice: three lines
    quote: "Belarus, a close ally of Russia"
    proposition:
      {type: RelationStatement, agent: belarus, counterpart: russia, relationKind: close-ally}
  - id: c-accuses
    quote: "Lukashenko accused Ukraine on Friday of constant provocations"
    claimant: alexander-lukashenko
    attribution: reported
    act: Accusation
    via: [belta]                         # publisher <- BelTA <- Lukashenko
    said: {on Friday: 2022-01-28}
    proposition: p-provocations
non_assertive:
  - {quote: "EXAMPLE", reason: "a marker line"}
"""
TIME_EXAMPLE = """
time: {"a week ago": [2020-08-08, 2020-08-12]}           # dates the event: words -> [first, last]
said: {on Monday: 2022-03-14}                            # dates the saying: words -> day
time:                                                    # the long form, with a note
  - {surfaceText: "on Sunday", resolvedDate: 2020-08-16, note: "the last Sunday before"}
"""
ENTITY_KEYS = {
    "id": "the entity's id: its IRI is B entity/{id}",
    "type": "one or more classes (State, Leader, Alliance, ...: below)",
    "label": "its English name (rdfs:label@en)",
    "altLabel": "variants as they appear in sources (skos:altLabel@en)",
    "wikidata": "a verified Wikidata QID (owl:sameAs; skos:exactMatch for posts); never a guess",
    "note": "an editorial note",
}
ENTITY_EXAMPLE = """
- id: belarus
  type: State
  label: Belarus
  altLabel: [Belarussian, Republic of Belarus]
  wikidata: Q184
- {id: president-of-belarus, type: Post, label: President of Belarus, postIn: belarus}
"""


def render(graph: Graph) -> str:
    """The format page, Markdown."""
    o = _Onto(graph)
    used_in: dict[URIRef, list[tuple[URIRef, str]]] = defaultdict(list)
    for cls in sorted(o.classes, key=o.local):
        for example in o.examples(cls):
            for key in re.findall(r"[{,]\s*([A-Za-z]+):", example):
                prop = URIRef(GC + key)
                if prop in o.props:
                    used_in[prop].append((cls, example))
    lines = [
        "# The format of a project's files",
        "",
        "<!-- Generated by `kg docs --format-page docs/format.md` from the ontology and the",
        "loader's key tables; tests/test_formatdoc.py fails when this file is not up to date. -->",
        "",
        "A project folder holds `data/entities.yaml`, `data/reference/facts.yaml` and one",
        "folder per article, `data/articles/{id}/`, with `article.txt` (the text, UTF-8, byte",
        "for byte), `article.yaml` and `claims.yaml` (`kg init DIR` makes one). Keys are the",
        "ontology's local names: `agent` is the property `gc:agent`; a value is an id (of an",
        "entity, an article agent, a proposition or a value of a scheme), a mapping (a nested",
        "node, its `type` a class below), or a literal cast to the property's range.",
        "**Keys starting with `_` are comments**, ignored at every level of every file",
        "(`_why: ...`). `kg validate` lists every error with its file and line and the nearest",
        "valid key, type or id. The model behind it: ontology/README.md.",
        "",
        "## article.yaml",
        "",
        *_keys("Keys", ARTICLE_KEYS, ARTICLE_EXAMPLE),
        "## claims.yaml",
        "",
        *_keys("Top-level keys", FILE_KEYS, CLAIMS_EXAMPLE),
        "### Keys of a claim, and their defaults",
        "",
        "A claim gives only what differs from the defaults of its attribution mode; the graph is",
        "the same as if every key were written out. Any gc: property of a claim is a key too",
        "(`ambiguous: true`).",
        "",
        *_table(["key", "what (default)"], [(f"`{k}`", v) for k, v in CLAIM_KEYS.items()]),
        *_keys("Keys of a time expression (`time`, `said`)", TIME_KEYS, TIME_EXAMPLE),
    ]
    lines += ["### Claim acts (`act`)", "", "How the claimant speaks: the class of the claim.", ""]
    acts = [URIRef(GC + "Claim"), *o.subclasses_of("Claim")]
    lines += _table(
        ["act", "what", "example", "CAMEO / PLOVER"],
        [
            (
                f"`{o.local(a)}`",
                o.text(a),
                "; ".join(f"`{e}`" for e in o.examples(a)),
                o.mappings(a),
            )
            for a in acts
        ],
    )
    lines += _schemes(o)
    lines += _propositions(o, used_in)
    lines += _events(o, used_in)
    lines += _roles(o, used_in)
    lines += _entities(o)
    return "\n".join(lines).rstrip("\n") + "\n"


def _schemes(o: _Onto) -> list[str]:
    lines = [
        "## Value schemes",
        "",
        "A key named like a scheme takes its notations (or the concepts' local names).",
        "",
    ]
    # The project's own value schemes (gcs:); code lists such as CAMEO's are not YAML values.
    schemes = sorted(
        (s for s in o.g.subjects(RDF.type, SKOS.ConceptScheme) if str(s).startswith(GCS)), key=str
    )
    for scheme in schemes:
        name = str(scheme)[len(GCS) :]
        lines += [
            f'<a id="scheme-{name.lower()}"></a>',
            f"### {name}",
            "",
            o.text(scheme, SKOS.definition),
            "",
        ]
        concepts = sorted(o.g.subjects(SKOS.inScheme, scheme), key=str)
        lines += _table(
            ["notation", "label", "definition"],
            [
                (
                    f"`{o.text(c, SKOS.notation)}`",
                    o.text(c, SKOS.prefLabel),
                    o.text(c, SKOS.definition),
                )
                for c in concepts
            ],
        )
        lines += [
            "Example: `" + _scheme_example(name, o.text(concepts[0], SKOS.notation)) + "`",
            "",
        ]
    return lines


def _scheme_example(name: str, notation: str) -> str:
    if name in ("polarity", "certainty", "modality", "attribution", "reviewStatus"):
        return f'{name}: "{notation}"' if notation in "+-" else f"{name}: {notation}"
    if name == "timeOf":
        return "said: {on Monday: 2022-03-14}   # timeOf saying"
    if name == "verdict":
        return f"written by kg check: gc:verdict gcs:verdict/{notation}"
    return f"{name}: {notation}"


def _class_rows(o: _Onto, classes: list[URIRef], used_in: dict) -> list[str]:
    lines = []
    for cls in classes:
        roles = [
            p
            for c in [cls, *sorted(o.supers(cls), key=str)]
            for p in o.roles_of(c)
            if c not in (URIRef(GC + "Proposition"), URIRef(GC + "Event"))
        ]
        lines += [
            f'<a id="type-{o.local(cls).lower()}"></a>',
            f"#### `{o.local(cls)}`",
            "",
            o.text(cls),
            "",
        ]
        if roles:
            seen = list(dict.fromkeys(roles))
            lines += [
                "Roles: "
                + ", ".join(f"[`{o.local(p)}`](#role-{o.local(p).lower()})" for p in seen),
                "",
            ]
        mapped = o.mappings(cls)
        if mapped:
            lines += [f"CAMEO / PLOVER: {mapped}", ""]
        for example in o.examples(cls):
            lines += ["```yaml", example, "```", ""]
    return lines


def _intro(o: _Onto, root: str, heading: str, text: str) -> list[str]:
    """A section's heading, its text, and the roles every type under `root` takes."""
    roles = o.roles_of(URIRef(GC + root))
    links = ", ".join(f"[`{o.local(p)}`](#role-{o.local(p).lower()})" for p in roles)
    return [heading, "", text, "", f"Roles of every {root.lower()}: {links}", ""]


def _propositions(o: _Onto, used_in: dict) -> list[str]:
    lines = _intro(
        o,
        "Proposition",
        "## Proposition types (`type` of a proposition)",
        "What a claim says is the case. The groups follow the quad classes of CAMEO and PLOVER;"
        " `ontology/mappings.ttl` maps each type to CAMEO codes and PLOVER types.",
    )
    lines += _class_rows(o, [URIRef(GC + "Proposition")], used_in)
    props = o.subclasses_of("Proposition")
    grouped = set()
    group_of = URIRef(GC + "propositionGroup")
    for group in SCHEMES["propositionGroup"]:
        concept = URIRef(f"{GCS}propositionGroup/{group}")
        members = [c for c in props if (c, group_of, concept) in o.g]
        grouped |= set(members)
        lines += [f'<a id="group-{group}"></a>', f"### Group: {group}", "",
                  o.text(concept, SKOS.definition), ""]  # fmt: skip
        mapped = o.mappings(concept)
        if mapped:
            lines += [f"CAMEO / PLOVER: {mapped}", ""]
        lines += _class_rows(o, members, used_in)
    rest = [c for c in props if c not in grouped]
    lines += ["### Other propositions", ""] + _class_rows(o, rest, used_in)
    return lines


def _events(o: _Onto, used_in: dict) -> list[str]:
    lines = _intro(
        o,
        "Event",
        "## Event types",
        "An event type as a proposition's `type` is that event's occurrence (`{type: Protest,"
        " ...}` stands for `{type: EventOccurrence, event: {type: Protest, ...}}`); in"
        " entities.yaml it is an event the project vouches for.",
    )
    events = [URIRef(GC + "Event"), *o.subclasses_of("Event")]
    return lines + _class_rows(o, events, used_in)


def _roles(o: _Onto, used_in: dict) -> list[str]:
    lines = [
        "## Roles and other keys of a node",
        "",
        "Every property of the ontology; those the loader writes itself say from what.",
        "",
    ]
    for prop in sorted(o.props, key=lambda p: o.local(p).lower()):
        name = o.local(prop)
        lines += [f'<a id="role-{name.lower()}"></a>', f"#### `{name}`", "", o.text(prop), ""]
        where = WRITTEN_BY_LOADER.get(name)
        value = o.range_words(prop)
        lines += [f"Value: {value}." + (f" Written from: {where}." if where else ""), ""]
        own = [e for e in o.examples(prop)]
        if own:
            lines += ["```yaml", *own, "```", ""]
        elif used_in.get(prop):
            cls, example = used_in[prop][0]
            lines += [f"Example (from `{o.local(cls)}`):", "", "```yaml", example, "```", ""]
        elif where:
            lines += [f"Example: see {where}.", ""]
    return lines


def _entities(o: _Onto) -> list[str]:
    lines = [
        "## entities.yaml",
        "",
        "A list of entities; the keys every node may carry are "
        + ", ".join(f"`{k}`" for k in sorted(COMMON))
        + ", and the roles above.",
        "",
        *_keys("Keys", ENTITY_KEYS, ENTITY_EXAMPLE),
        "### Entity types",
        "",
    ]
    kinds = (
        "State",
        "Leader",
        "Person",
        "Organisation",
        "Alliance",
        "Post",
        "City",
        "Region",
        "Place",
        "Agreement",
        "Publisher",
        "Group",
        "UnattributedSource",
        "Condition",
        "Quantity",
        "Demand",
        "TimeExpression",
        "Membership",
        "Tenure",
    )
    rows = []
    for name in kinds:
        cls = URIRef(GC + name)
        if cls in o.classes:
            example = "; ".join(f"`{e}`" for e in o.examples(cls))
            rows.append((f"`{name}`", o.text(cls), example))
    others = sorted(
        c
        for c in o.classes
        if o.local(c) not in kinds
        and c not in set(o.subclasses_of("Proposition"))
        and c not in set(o.subclasses_of("Event"))
        and c not in set(o.subclasses_of("Claim"))
        and o.local(c) not in ("Claim", "Event", "Proposition")
    )
    rows += [(f"`{o.local(c)}`", o.text(c), "—") for c in others]
    lines += _table(["type", "what", "example"], rows)
    lines += [
        "Reference facts (data/reference/facts.yaml) use the proposition types and roles",
        "above for their `statements`: see the header of the seed's facts.yaml.",
        "",
    ]
    return lines


def write(ontology_dir: Path, target: Path) -> Path:
    """Render the format page for the ontology in `ontology_dir` to `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(load(ontology_dir)), encoding="utf-8")
    return target
