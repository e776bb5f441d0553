"""One article directory -> its document graph: article node, text context, sentences, agents, run.

data/articles/{aid}/article.txt is decoded from UTF-8 and used exactly as stored (see spans.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import __version__
from kg.errors import DataError
from kg.ingest.ids import Scope, by_id, check_id
from kg.ingest.nodes import NodeWriter, literal, write_interval
from kg.ingest.problems import suggest
from kg.ingest.spans import Spans
from kg.ingest.terms import iri, plain, typed
from kg.ingest.yamlfile import YMap, as_list, load_yaml
from kg.namespaces import GC, GCS, PROV, SCHEMA, TIME, XSD

FILES = ("article.txt", "article.yaml", "claims.yaml")
ARTICLE_KEYS = {
    "id": "the article's id: the name of its folder, used in its IRIs",
    "headline": "the headline, verbatim (it must occur in article.txt)",
    "language": "the language of the text (BCP 47, e.g. en)",
    "publisher": "who published it: an entity id, or null with a publisherNote",
    "publisherNote": "what is known (or not) about the publisher and the URL",
    "url": "where it was published (http or https), or null",
    "datePublished": "the publication date, YYYY-MM-DD",
    "datePublishedMethod": "how the date was established: stated or estimated",
    "datePublishedReasoning": "why the date is what it is, where it was estimated",
    "datePublishedInterval": "earliest and latest plausible publication dates, [first, last]",
    "anchorDate": "the date relative time expressions resolve against (default: datePublished)",
    "reviewStatus": "drafted (by kg draft, not yet reviewed) or reviewed (the default)",
}
_SPECIAL = set(ARTICLE_KEYS)
_METHODS = {"stated", "estimated"}
REVIEW_STATUSES = ("drafted", "reviewed")


@dataclass
class Article:
    """One article's inputs, parsed, with the IRIs derived from its id."""

    aid: str
    rel: str  # the directory relative to the sources, for error messages
    text: str
    meta: YMap
    claims: YMap
    digest: str  # sha256 of the inputs and the software version
    base: str
    anchor: dt.date | None = None
    review_status: str | None = None  # "drafted" when a machine drafted it (absent: reviewed)
    agents: dict[str, str] = field(default_factory=dict)
    propositions: dict[str, str] = field(default_factory=dict)

    @property
    def iri(self) -> str:
        return f"{self.base}article/{self.aid}"

    @property
    def doc_graph(self) -> str:
        return f"{self.base}graph/article/{self.aid}"

    @property
    def claim_graph(self) -> str:
        return f"{self.base}graph/claims/{self.aid}"

    @property
    def activity(self) -> str:
        return f"{self.iri}/load/{self.digest[:16]}"

    def file(self, name: str) -> str:
        return f"{self.rel}/{name}"


def article_ids(source: Path) -> list[str]:
    """The ids (directory names) of the articles under data/articles, sorted."""
    root = source / "data" / "articles"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def read_article(source: Path, aid: str, base: str, shared: bytes, label: str = "") -> Article:
    """Read and parse one article directory; `shared` is the digest input common to all articles.

    `label` prefixes the file names in messages (a project folder after the first).
    """
    rel = f"{label}data/articles/{aid}"
    folder = source / "data" / "articles" / aid
    digest = hashlib.sha256(shared)
    digest.update(__version__.encode())
    for name in FILES:
        path = folder / name
        try:
            data = path.read_bytes()
        except OSError as err:
            raise DataError(f"cannot read: {err.strerror}", f"{rel}/{name}") from err
        digest.update(f"\0{name}\0{len(data)}\0".encode() + data)
        if name == "article.txt":
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as err:
                raise DataError(f"not UTF-8 at byte {err.start}", f"{rel}/{name}") from err
    meta = load_yaml(folder / "article.yaml", f"{rel}/article.yaml")
    claims = load_yaml(folder / "claims.yaml", f"{rel}/claims.yaml")
    for obj, name in ((meta, "article.yaml"), (claims, "claims.yaml")):
        if not isinstance(obj, YMap):
            raise DataError("expected a mapping", f"{rel}/{name}", getattr(obj, "line", 1))
    if meta.get("id") != aid:
        raise DataError(
            f"id {meta.get('id')!r} differs from the directory name {aid!r}",
            f"{rel}/article.yaml",
            meta.line_of("id"),
        )
    check_id(aid, f"{rel}/article.yaml", meta.line_of("id"))
    status = meta.get("reviewStatus", "reviewed")
    if status not in REVIEW_STATUSES:
        raise DataError(
            f"reviewStatus: expected one of {', '.join(REVIEW_STATUSES)}, got {status!r}",
            f"{rel}/article.yaml",
            meta.line_of("reviewStatus"),
        )
    art = Article(aid, rel, text, meta, claims, digest.hexdigest(), base)
    art.review_status = "drafted" if status == "drafted" else None
    return art


def _date(art: Article, key: str) -> dt.date | None:
    if art.meta.get(key) is None:
        return None
    try:
        lit = literal(art.meta[key], XSD + "date", key)
    except ValueError as err:
        raise DataError(str(err), art.file("article.yaml"), art.meta.line_of(key)) from None
    return dt.date.fromisoformat(lit.value)


def write_document(writer: NodeWriter, art: Article, scope: Scope, started: str) -> Spans:
    """The document graph: article node, context, sentences, load activity (not yet claims)."""
    sink, g, meta, f = writer.sink, art.doc_graph, art.meta, art.file("article.yaml")
    node = iri(art.iri)
    sink.add_type(g, iri(g), GC + "DocumentGraph")
    for cls in (SCHEMA + "NewsArticle", PROV + "Entity") + (
        (GC + "Article",) if writer.vocab.is_class("Article") else ()
    ):
        sink.add_type(g, node, cls)
    headline = meta.get("headline")
    if not isinstance(headline, str) or not headline.strip():
        raise DataError("headline: expected the article's first line", f, meta.line_of("headline"))
    if headline not in art.text:
        raise DataError(f"headline not found in article: {headline!r}", f, meta.line_of("headline"))
    sink.add(g, node, SCHEMA + "headline", plain(headline))
    sink.add(g, node, SCHEMA + "name", plain(headline))
    if meta.get("language"):
        sink.add(g, node, SCHEMA + "inLanguage", plain(str(meta["language"])))
    published = _date(art, "datePublished")
    if published is not None:
        sink.add(g, node, SCHEMA + "datePublished", typed(published.isoformat(), XSD + "date"))
        method = meta.get("datePublishedMethod")
        if method not in _METHODS:
            raise DataError(
                f"datePublishedMethod: expected one of {sorted(_METHODS)}, got {method!r}",
                f,
                meta.line_of("datePublishedMethod"),
            )
        sink.add(g, node, GC + "datePublishedMethod", plain(method))
    for key in ("datePublishedReasoning", "publisherNote"):
        if meta.get(key) is not None:
            sink.add(g, node, GC + key, plain(str(meta[key])))
    if meta.get("datePublishedInterval") is not None:
        prop = writer.vocab.property("datePublishedInterval") or TIME + "hasTime"
        during = f"{art.iri}/datePublishedInterval"
        write_interval(sink, g, during, meta["datePublishedInterval"], f,
                       meta.line_of("datePublishedInterval"))  # fmt: skip
        sink.add(g, node, prop, iri(during))
    art.anchor = _date(art, "anchorDate") or published
    if meta.get("anchorDate") is not None:
        sink.add(g, node, GC + "anchorDate", typed(art.anchor.isoformat(), XSD + "date"))
    if meta.get("url"):
        url = meta["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise DataError(f"url: expected an http(s) URL, got {url!r}", f, meta.line_of("url"))
        sink.add(g, node, SCHEMA + "url", iri(url))
    sha = ox.Literal(hashlib.sha256(art.text.encode("utf-8")).hexdigest())
    sink.add(g, node, GC + "sha256", sha)
    for key in meta:
        if key in _SPECIAL:
            continue
        if writer.vocab.property(key) is None:
            raise DataError(f"unknown key {key!r} in article.yaml"
                            + suggest(key, ARTICLE_KEYS), f, meta.line_of(key))  # fmt: skip
        writer.property(meta, key, meta[key], node, g, f, scope)

    write_agents(writer, art, scope)
    if meta.get("publisher") is not None:
        pub = writer.resolve(meta["publisher"], SCHEMA + "publisher", scope, f,
                             meta.line_of("publisher"))  # fmt: skip
        sink.add(g, node, SCHEMA + "publisher", iri(pub))

    spans = Spans(sink, g, art.iri, art.text)
    spans.write_context()
    sink.add(g, node, GC + "hasContext", iri(spans.context))
    spans.write_sentences()
    write_activity(writer, art, started)
    return spans


def agent_ids(art: Article) -> dict[str, str]:
    """id -> IRI for the article-local agents of claims.yaml."""
    agents = by_id(art.claims.get("agents"), "agent", art.file("claims.yaml"))
    return {aid: f"{art.iri}/agent/{aid}" for aid in agents}


def write_agents(writer: NodeWriter, art: Article, scope: Scope) -> None:
    f = art.file("claims.yaml")
    for agent, _ in as_list(art.claims.get("agents") or []):
        if "type" not in agent:
            raise DataError(f"agent {agent['id']!r} has no type", f, agent.line)
        writer.write(agent, art.agents[agent["id"]], art.doc_graph, f, scope,
                     extra_types=[PROV + "Agent"])  # fmt: skip


def software_iri(base: str) -> str:
    return f"{base}software/geoclaims/{__version__}"


def write_activity(writer: NodeWriter, art: Article, started: str) -> None:
    """The load as a prov:Activity, associated with this software at this version."""
    sink, g = writer.sink, art.doc_graph
    act, agent = iri(art.activity), iri(software_iri(art.base))
    sink.add_type(g, act, PROV + "Activity")
    if writer.vocab.is_class("LoadActivity"):
        sink.add_type(g, act, GC + "LoadActivity")
    sink.add(g, act, PROV + "startedAtTime", typed(started, XSD + "dateTime"))
    sink.add(g, act, PROV + "wasAssociatedWith", agent)
    sink.add(g, act, PROV + "used", iri(art.iri))
    sink.add(g, act, GC + "softwareVersion", plain(__version__))
    if art.review_status is not None:
        status = iri(GCS + "reviewStatus/" + art.review_status)
        sink.add(g, act, GC + "reviewStatus", status)
        sink.add(g, act, SCHEMA + "creativeWorkStatus", status)
    sink.add(g, act, GC + "sha256", plain(art.digest))
    sink.add_type(g, agent, PROV + "SoftwareAgent")
    sink.add_type(g, agent, PROV + "Agent")
    sink.add_type(g, agent, SCHEMA + "SoftwareApplication")
    sink.add(g, agent, SCHEMA + "name", plain("geoclaims"))
    sink.add(g, agent, SCHEMA + "softwareVersion", plain(__version__))
