"""The browsable site: home, VoID, named queries, and a linked-data page for every IRI we mint."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from kg import formats
from kg.browse import article as articles
from kg.browse import claims, coding, identifiers, resources, verdicts
from kg.browse.summary import Summary, SummaryCache, void_triples
from kg.browse.terms import collect_iris
from kg.errors import KGError, NotAcceptable, NotFound
from kg.namespaces import GC, PREFIXES
from kg.web import state
from kg.web.labels import Labels
from kg.web.links import DATA_ROOTS, Site
from kg.web.verdicts import legend, mark

bp = Blueprint(
    "pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)

# The RDF formats every linked-data page offers besides HTML, in order of preference.
PAGE_FORMATS = tuple(
    formats.by_name(n, formats.GRAPH) for n in ("turtle", "jsonld", "nt", "rdfxml")
)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)


def home_summary() -> Summary:
    """The home page's counts and lists, kept per app until the store's version changes."""
    cache = current_app.extensions.setdefault("kg.home", SummaryCache())
    st = state()
    return cache.get(st.store, st.config.base_iri)


def site() -> Site:
    """The IRI <-> URL mapping for this request (honours the script root, i.e. a path prefix)."""
    return Site(state().config.base_iri, request.script_root.rstrip("/"))


def secure(response: Response, csp: str = CSP) -> Response:
    """Add the Content-Security-Policy and friends to an HTML response."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


bp.after_request(secure)


@bp.errorhandler(KGError)
def _error(err: KGError) -> Response:
    if formats.prefers_html(request.headers.get("Accept")) or request.args.get("format") == "html":
        return page("error.html", err.http_status, error=err, title=type(err).__name__)
    return Response(err.message + "\n", err.http_status, mimetype="text/plain")


def page(
    template: str,
    status: int = 200,
    alternates: list[tuple[str, str]] | None = None,
    **context: Any,
) -> Response:
    """Render an HTML page, with `label`, `href` and the alternates in its context."""
    here = site()
    labels = context.pop("labels", None) or Labels(state().store, here)
    labels.fetch(collect_iris(list(context.values())))
    html = render_template(
        template, label=labels, href=here.href, site=here, alternates=alternates or [], **context
    )
    response = Response(html, status, mimetype="text/html")
    for url, media in alternates or []:
        response.headers.add("Link", f'<{url}>; rel="alternate"; type="{media}"')
    return response


def choose_format() -> formats.Format | None:
    """The RDF format asked for, or None for HTML (`format=` beats `Accept`)."""
    asked = [v for v in request.args.getlist("format") if v]
    if asked:
        if any(v.lower() == "html" for v in asked):
            return None
        for value in asked:
            fmt = formats.by_name(value, PAGE_FORMATS)
            if fmt is not None:
                return fmt
        raise NotAcceptable(
            f"unknown format {asked[0]!r}: html, {', '.join(f.name for f in PAGE_FORMATS)}"
        )
    accept = request.headers.get("Accept")
    if formats.prefers_html(accept):
        return None
    try:
        return formats.negotiate(accept, PAGE_FORMATS)
    except NotAcceptable:
        if any(r.matches("text/html") >= 0 and r.q > 0 for r in formats.parse_accept(accept)):
            return None
        raise


def alternates_for(path: str) -> list[tuple[str, str]]:
    """(URL, media type) of every format of the page at this path, HTML first."""
    url = request.script_root.rstrip("/") + quote(path, safe="/:@!$&'()*+,;=-._~")
    return [(url + "?format=html", "text/html")] + [
        (f"{url}?format={f.name}", f.media_type) for f in PAGE_FORMATS
    ]


def rdf_response(
    triples: list[ox.Triple], fmt: formats.Format, alternates: list[tuple[str, str]]
) -> Response:
    """Triples serialized in one format, with the Link header of the other formats."""
    body = ox.serialize(triples, format=fmt.ox, prefixes=PREFIXES)
    response = Response(body, 200, content_type=fmt.content_type)
    for url, media in alternates:
        response.headers.add("Link", f'<{url}>; rel="alternate"; type="{media}"')
    response.vary.add("Accept")
    return response


@bp.route("/")
def index() -> Response:
    """The home page: what this dataset is, at a glance."""
    st = state()
    summary = home_summary()
    root = request.url_root
    return page(
        "home.html",
        summary=summary,
        queries=list(catalogue_or_none(st.config) or []),
        endpoint=root + "sparql",
        void_url=root + ".well-known/void",
        ontology=GC[:-1],
        entity_graph=st.config.base_iri + "graph/entities",
        title="geoclaims",
        # The dataset's machine-readable summary is its VoID description.
        alternates=alternates_for("/.well-known/void")[1:],
    )


@bp.route("/.well-known/void")
def void() -> Response:
    """The dataset's VoID description, by content negotiation (Turtle unless asked otherwise)."""
    st = state()
    summary = home_summary()
    root = request.url_root
    triples = void_triples(
        summary, root + ".well-known/void#dataset", root + "sparql", st.config.base_iri
    )
    alternates = alternates_for("/.well-known/void")
    fmt = choose_format()
    if fmt is None:
        turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode()
        return page(
            "void.html",
            summary=summary,
            turtle=turtle,
            alternates=alternates,
            title="VoID description",
        )
    return rdf_response(triples, fmt, alternates)


@bp.route("/ontology", defaults={"rest": ""})
@bp.route("/ontology/<path:rest>")
def ontology_term(rest: str) -> Response:
    """The page of an ontology term, scheme or concept."""
    return resource_page("/ontology" + ("/" + rest if rest else ""))


@bp.route("/<any(" + ", ".join(DATA_ROOTS) + "):root>/<path:rest>")
def data_resource(root: str, rest: str) -> Response:
    """The page of a data IRI minted under the base IRI."""
    return resource_page(f"/{root}/{rest}")


def resource_page(path: str) -> Response:
    """HTML or RDF about the IRI this path stands for; 404 when the store does not know it."""
    st = state()
    here = site()
    iri = here.iri_for_path(path)
    alternates = alternates_for(path)
    fmt = choose_format()
    if not resources.exists(st.store, iri):
        raise NotFound(f"nothing is known about <{iri}>")
    try:
        page_no = int(request.args.get("page", "1"))
    except ValueError:
        page_no = 1
    res = resources.load(st.store, iri, page_no)
    if fmt is not None:
        return rdf_response(resources.rdf_triples(st.store, res), fmt, alternates)
    context: dict[str, Any] = {"res": res, "alternates": alternates, "title": None, "path": path}
    template = "resource.html"
    kind = path.split("/")[1]
    if kind == "ontology":
        template, context["term"] = "term.html", resources.term_page(st.store, res)
    elif kind == "entity":
        template, context["claims"] = "entity.html", claims.claims_about(st.store, iri)
        context["identifiers"] = identifiers.identifiers_of(st.store, iri)  # issue 14
        about = [c.iri for items in context["claims"].values() for c in items]
        context["verdict_of"] = verdicts.briefs(st.store, about)
    elif kind == "claim" and (claim := claims.claim_page(st.store, res)) is not None:
        template, context["claim"] = "claim.html", claim
        article = claim.claim.article.value if claim.claim.article else None
        context["verdict"] = verdicts.for_claim(st.store, iri, article)
        context["coding"] = coding.claim_coding(st.store, iri, catalogue_or_none(st.config))
    elif kind == "article" and (view := articles.article_view(st.store, iri)) is not None:
        template, context["article"] = "article.html", view
        context["article_claims"] = articles.claims_by_iri(view)
        context["claim_views"] = claims.claims_in(st.store, iri)
        judged = context["verdicts"] = verdicts.for_article(st.store, iri)
        context["marks"] = [mark(s.claims, judged) for s in view.segments]
        context["legend"] = legend(judged)
    if res.is_graph and kind in ("proposition", "reference"):
        context["tree"] = claims.proposition_tree(st.store, iri)
    labels = Labels(st.store, here)
    context["title"] = None
    labels.fetch([iri, *context.get("claims", {})])
    if "claims" in context:  # the most prolific claimant first, then by name
        context["claims"] = dict(
            sorted(context["claims"].items(), key=lambda kv: (-len(kv[1]), labels(kv[0]).lower()))
        )
    response = page(template, labels=labels, **context)
    response.vary.add("Accept")
    return response


# The named-query pages register their routes on `bp` (imported last: they import from here).
from kg.web.querypages import catalogue_or_none  # noqa: E402
