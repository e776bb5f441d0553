"""The browsable site: home, VoID, named queries, and a linked-data page for every IRI we mint."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from kg import formats
from kg.browse import listing, resources
from kg.browse.summary import Summary, SummaryCache, void_triples
from kg.browse.terms import collect_iris
from kg.errors import KGError, NotAcceptable, NotFound
from kg.namespaces import GC, PREFIXES
from kg.web import errors, state
from kg.web.kinds import context_for
from kg.web.labels import Labels
from kg.web.links import DATA_ROOTS, Site, curie
from kg.web.params import page_number
from kg.web.render import Render

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
    on_disk = not (st.config.in_memory or st.config.remote)
    return cache.get(st.store, st.config.base_iri, st.config.data_dir if on_disk else None)


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
        return error_page(err)
    return Response(err.message + "\n", err.http_status, mimetype="text/plain")


def error_page(err: KGError) -> Response:
    """The site's own page for an error (a browser asked), with the site's header and search."""
    try:
        return secure(page("error.html", err.http_status, error=err, title=_reason(err)))
    except KGError:  # the store itself failing: the plain page still says what happened
        return errors.error_response(err.http_status, err.message)


def _reason(err: KGError) -> str:
    try:
        return HTTPStatus(err.http_status).phrase
    except ValueError:
        return "Error"


@bp.app_errorhandler(404)
def _not_found(err: HTTPException) -> Response:
    """Any unknown path: the site's styled 404 for a browser, the one text shape for others."""
    if formats.prefers_html(request.headers.get("Accept")):
        return error_page(NotFound(f"there is no page at {request.path}"))
    return errors.error_response(404, err.description or "not found")


def page(
    template: str,
    status: int = 200,
    alternates: list[tuple[str, str]] | None = None,
    **context: Any,
) -> Response:
    """Render an HTML page, with `label`, `href` and the alternates in its context."""
    here = site()
    labels = context.pop("labels", None) or Labels(state().store, here)
    # Terms anywhere in the context, and the IRIs kept as text that the page shows by label.
    labels.fetch(collect_iris(list(context.values())) | set(context.pop("label_iris", ())))
    html = render_template(
        template,
        label=labels,
        render=Render(labels, here),
        href=here.href,
        site=here,
        curie=curie,
        page_url=page_url,
        has_route=has_route,
        alternates=alternates or [],
        **context,
    )
    response = Response(html, status, mimetype="text/html")
    for url, media in alternates or []:
        response.headers.add("Link", f'<{url}>; rel="alternate"; type="{media}"')
    return response


def has_route(path: str) -> bool:
    """Whether the app serves this path (a page another part of the site may add)."""
    return any(rule.rule == path for rule in current_app.url_map.iter_rules())


def page_url(param: str, number: int) -> str:
    """This page's URL with one parameter set to a page number (the others kept)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != param]
    return "?" + urlencode([*args, (param, str(number))])


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
        label_iris=[st.config.base_iri + "graph/entities", GC[:-1]],
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
    try:
        ox.NamedNode(iri)
    except ValueError:  # a space, quote, bracket ... in the path: no IRI of ours has one
        raise NotFound(f"no resource has this address: {path}") from None
    if not resources.exists(st.store, iri):
        raise NotFound(f"nothing is known about <{iri}>")
    page_no = page_number()
    res = resources.load(st.store, iri, page_no)
    if page_no > res.pages:
        raise NotFound(
            f"page {page_no} of the statements pointing at <{iri}>: there are {res.pages}"
        )
    if fmt is not None:
        return rdf_response(resources.rdf_triples(st.store, res), fmt, alternates)
    kind = path.split("/")[1]
    if kind == "ontology":
        template, context = "term.html", {"term": resources.term_page(st.store, res)}
    else:
        template, context = context_for(kind, st.store, res)
    context["label_iris"] = [iri, *context.get("label_iris", ())]
    response = page(template, res=res, alternates=alternates, path=path, title=None, **context)
    response.vary.add("Accept")
    return response


@bp.route("/<any(" + ", ".join(DATA_ROOTS) + "):root>", strict_slashes=False)
def data_root(root: str) -> Response:
    """The bare prefix of a kind of IRI (`/entity`, `/claim`, ...): a paged list of them."""
    page_no = page_number()
    found = listing.members(state().store, state().config.base_iri, root, page_no)
    if page_no > found.pages:
        raise NotFound(f"page {page_no} of /{root}: there are {found.pages}")
    return page("listing.html", listing=found, title=listing.TITLES.get(root, root))


# The named-query pages and the finding pages (search, the claims and entities tables, the
# pictures) register their routes on `bp` (imported last: they import from here).
from kg.web import pictures, searching, tables  # noqa: E402, F401, I001
from kg.web.querypages import catalogue_or_none  # noqa: E402
