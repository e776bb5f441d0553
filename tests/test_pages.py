"""The site: linked-data pages, content negotiation, home, VoID, named-query pages, safety."""

from __future__ import annotations

import json
import re
from typing import Any

import pagedata
import pyoxigraph as ox
import pytest
import rdflib
from htmldoc import Element, parse
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.config import Config
from kg.store import EmbeddedStore
from kg.web import create_app

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
B = "https://w3id.org/geoclaims/"
RDF_FORMATS = {
    "turtle": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
    "rdfxml": ("application/rdf+xml", "xml"),
}


@pytest.fixture(scope="module")
def config() -> Config:
    return Config.load({"data_dir": ":memory:"}, environ={})


@pytest.fixture(scope="module")
def store(config: Config) -> Any:
    return pagedata.load(config)


@pytest.fixture(scope="module")
def client(config: Config, store: Any) -> Any:
    return create_app(config, store=store).test_client()


def html(client: Any, path: str, status: int = 200, **kwargs: Any) -> Element:
    response = client.get(path, headers=HTML, **kwargs)
    assert response.status_code == status, response.data[:500]
    assert response.mimetype == "text/html"
    return parse(response.get_data(as_text=True))


def graph_of(data: bytes, rdflib_format: str) -> rdflib.Graph:
    if (
        rdflib_format == "json-ld"
    ):  # rdflib's JSON-LD parser warns (ConjunctiveGraph): use oxigraph's
        triples = ox.parse(data, ox.RdfFormat.JSON_LD)
        data, rdflib_format = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), "nt"
    return rdflib.Graph().parse(data=data, format=rdflib_format)


def expected(store: Any, sparql: str) -> rdflib.Graph:
    """A CONSTRUCT run on the store directly, as an rdflib graph (the independent answer)."""
    triples = store.query(sparql, union=True)
    return graph_of(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), "nt")


def assert_isomorphic(got: rdflib.Graph, want: rdflib.Graph) -> None:
    if not isomorphic(got, want):
        _, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))
        raise AssertionError(
            f"graphs differ\nonly in response:\n{only_got.serialize(format='nt')}\n"
            f"only expected:\n{only_want.serialize(format='nt')}"
        )


# --- content negotiation -------------------------------------------------------------------------


@pytest.mark.parametrize("name", RDF_FORMATS)
@pytest.mark.parametrize("how", ["accept", "format"])
def test_entity_rdf_in_every_format(client: Any, store: Any, name: str, how: str) -> None:
    media, rdflib_format = RDF_FORMATS[name]
    if how == "accept":
        response = client.get("/entity/belarus", headers={"Accept": media})
    else:
        response = client.get(f"/entity/belarus?format={name}", headers=HTML)
    assert response.status_code == 200
    assert response.mimetype == media
    assert "Accept" in response.headers.get("Vary", "")
    iri = f"<{B}entity/belarus>"
    want = expected(
        store,
        f"CONSTRUCT {{ {iri} ?p ?o . ?s ?q {iri} }}"
        f" WHERE {{ {{ {iri} ?p ?o }} UNION {{ ?s ?q {iri} }} }}",
    )
    assert_isomorphic(graph_of(response.data, rdflib_format), want)


def test_graph_iri_serves_the_graph_content(client: Any, store: Any) -> None:
    response = client.get("/graph/claims/a1", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    want = expected(
        store, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{B}graph/claims/a1> {{ ?s ?p ?o }} }}"
    )
    assert len(want) > 10
    assert_isomorphic(graph_of(response.data, "turtle"), want)


def test_browser_gets_html_and_every_page_links_its_formats(client: Any) -> None:
    response = client.get("/claim/a1/c1", headers=HTML)
    assert response.mimetype == "text/html"
    links = response.headers.getlist("Link")
    doc = parse(response.get_data(as_text=True))
    in_page = {(e.attrs["type"], e.attrs["href"]) for e in doc.find_all("link", rel="alternate")}
    for name, (media, _) in RDF_FORMATS.items():
        url = f"/claim/a1/c1?format={name}"
        assert f'<{url}>; rel="alternate"; type="{media}"' in links
        assert (media, url) in in_page
        assert client.get(url).mimetype == media


def test_curl_default_is_turtle_and_unknown_format_is_406(client: Any) -> None:
    assert client.get("/entity/russia", headers={"Accept": "*/*"}).mimetype == "text/turtle"
    assert client.get("/entity/russia?format=nonsense").status_code == 406
    assert client.get("/entity/russia", headers={"Accept": "image/png"}).status_code == 406


def test_unknown_iri_is_404(client: Any) -> None:
    doc = html(client, "/entity/no-such-thing", status=404)
    assert "no-such-thing" in doc.find("p", cls="message").text
    assert client.get("/claim/x/y", headers={"Accept": "text/turtle"}).status_code == 404


# --- page kinds ----------------------------------------------------------------------------------


def test_entity_page(client: Any) -> None:
    doc = html(client, "/entity/belarus")
    assert doc.find("h1").text == "Belarus"
    assert doc.find("a", href="http://www.wikidata.org/entity/Q184")
    types = {a.attrs["href"] for a in doc.find("p", cls="types").find_all("a")}
    assert "http://schema.org/Country" in types and "/ontology/State" in types
    groups = {
        g.find("h3").find("a").attrs["href"]: g
        for g in doc.find_all("section", cls="claimant-group")
    }
    assert set(groups) == {"/article/a1/agent/publisher", "/entity/vladimir-putin"}
    putin = groups["/entity/vladimir-putin"].find("li", cls="claim")
    assert putin.find("a", cls="claim-link").attrs["href"] == "/claim/a1/c2"
    assert putin.find("blockquote").text == pagedata.QUOTE
    assert putin.find("dd", cls="modality").text.strip() == "conditional"
    assert putin.find("dd", cls="attribution").text.strip() == "quote"
    assert putin.find("dd", cls="polarity").text.strip() == "asserted"
    b, e = pagedata.SENT2
    assert putin.find("a", cls="sentence-link").attrs["href"] == f"/article/a1#char={b},{e}"


def test_incoming_statements_are_counted_and_paged(client: Any, store: Any) -> None:
    total = int(
        next(
            iter(
                store.query(
                    f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p <{B}entity/russia> }} }}"
                )
            )
        )["n"].value
    )
    from kg.browse.resources import PAGE_SIZE

    pages = -(-total // PAGE_SIZE)
    assert pages >= 2
    shown = [
        html(client, f"/entity/russia?page={n}").find("section", id="incoming")
        for n in range(1, pages + 1)
    ]
    assert f"{total} statements point here" in shown[0].text
    rows = [s.find("tbody").find_all("tr") for s in shown]
    assert [len(r) for r in rows[:-1]] == [PAGE_SIZE] * (pages - 1)
    assert sum(len(r) for r in rows) == total
    assert shown[0].find("a", rel="next").attrs["href"] == "?page=2#incoming"
    texts = [r.text for page_rows in rows for r in page_rows]
    assert len(set(texts)) == len(texts)
    html(client, f"/entity/russia?page={pages + 1}", status=404)


def test_claim_page(client: Any) -> None:
    doc = html(client, "/claim/a1/c1")
    assert doc.find("dd", cls="claimant").find("a").attrs["href"] == "/article/a1/agent/publisher"
    prop = doc.find("section", id="proposition")
    hrefs = {a.attrs["href"] for a in prop.find_all("a")}
    assert {"/entity/belarus", "/entity/russia", "/proposition/a1/p1/length"} <= hrefs
    nested = prop.find_all("div", cls="node")
    assert len(nested) == 2 and "about 1,084 km" in nested[1].text and "1084" in nested[1].text
    assert doc.find("dd", cls="disputed-by").find("a").attrs["href"] == "/claim/a1/c2"
    other = html(client, "/claim/a1/c2")
    assert other.find("dd", cls="disputes").find("a").attrs["href"] == "/claim/a1/c1"
    # A claim's title is its speaker and words.
    assert other.find("h1").text == "Vladimir Putin: “" + pagedata.QUOTE + "”"


def test_article_page_marks_every_claim_span(client: Any) -> None:
    doc = html(client, "/article/a1")
    body = doc.find("div", id="article-text")
    pieces = [e for e in body.children if isinstance(e, Element)]
    assert "".join(p.text for p in pieces) == pagedata.TEXT
    for p in pieces:
        assert pagedata.TEXT[int(p.attrs["data-b"]) : int(p.attrs["data-e"])] == p.text
    marked = "".join(p.text for p in pieces if p.tag == "mark")
    assert pagedata.QUOTE in marked and pagedata.TEXT[slice(*pagedata.SENT1)] in marked
    quote_marks = [p for p in pieces if p.tag == "mark" and pagedata.QUOTE in p.text]
    panel = doc.find("aside", id="span-claims")
    items = panel.find_all("li", cls="span-claim")
    assert {li.attrs["data-claim"] for li in items} == {f"{B}claim/a1/c{i}" for i in (1, 2, 3)}
    putin = panel.find("li", data_claim=f"{B}claim/a1/c2")
    assert quote_marks[0].attrs["data-claims"] == putin.attrs["id"]
    assert "conditional" in putin.find("p", cls="qualities-line").text
    graphs = {a.attrs["href"] for a in doc.find("ul", cls="article-graphs").find_all("a")}
    for name in RDF_FORMATS:
        assert f"/graph/article/a1?format={name}" in graphs
        assert f"/graph/claims/a1?format={name}" in graphs


def test_ontology_term_page(client: Any) -> None:
    doc = html(client, "/ontology/Claim")
    assert "Something somebody says" in doc.find("p", cls="comment").text
    assert doc.find("dd", cls="supers").find("a").attrs["href"] == "http://schema.org/Claim"
    assert {a.attrs["href"] for a in doc.find("dd", cls="subs").find_all("a")} == {
        "/ontology/Statement",
        "/ontology/Offer",
    }
    prop = html(client, "/ontology/claimant").find("dl", cls="term-info").text
    assert "domain" in prop and "range" in prop
    inst = html(client, "/ontology/Statement").find("ul", cls="instances")
    assert {a.attrs["href"] for a in inst.find_all("a")} == {"/claim/a1/c1", "/claim/a1/c3"}


def test_proposition_page_shows_its_content_tree(client: Any, store: Any) -> None:
    doc = html(client, "/proposition/a1/p1")
    content = doc.find("section", id="content")
    assert len(content.find_all("div", cls="node")) == 2
    assert "about 1,084 km" in content.text
    size = len(
        list(
            store.oxigraph.quads_for_pattern(
                None, None, None, ox.NamedNode(B + "proposition/a1/p1")
            )
        )
    )
    assert doc.find("strong", cls="graph-size").text == str(size)


def test_ontology_page_lists_its_terms(client: Any) -> None:
    doc = html(client, "/ontology")
    classes = doc.find("section", id="classes").find_all("a")
    properties = doc.find("section", id="object-properties").find_all("a")
    assert [a.attrs["href"] for a in classes] == ["/ontology/Claim"]
    assert [a.attrs["href"] for a in properties] == ["/ontology/claimant"]


def test_named_graph_page(client: Any, store: Any) -> None:
    doc = html(client, "/graph/entities")
    n = next(
        iter(
            store.query(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{B}graph/entities> {{ ?s ?p ?o }} }}"
            )
        )
    )
    assert doc.find("strong", cls="graph-size").text == n["n"].value
    listed = {a.attrs["href"] for a in doc.find("details", cls="graph-subjects").find_all("a")}
    subjects = store.query(
        f"SELECT DISTINCT ?s WHERE {{ GRAPH <{B}graph/entities> {{ ?s ?p ?o }} }}"
    )
    want = {s["s"].value for s in subjects} - {B + "graph/entities"}
    assert listed == {"/" + iri[len(B) :] for iri in want}
    downloads = {a.attrs["href"] for a in doc.find("p", cls="downloads").find_all("a")}
    assert downloads == {f"/graph/entities?format={f}" for f in RDF_FORMATS}


def test_home_page_counts_and_lists(client: Any, store: Any) -> None:
    doc = html(client, "/")
    counts = {
        d.attrs["data-count"]: int(d.find("dd").text.replace(",", ""))
        for d in doc.find_all("div", cls="count")
    }

    def count(sparql: str) -> int:
        return int(next(iter(store.query(sparql, union=True)))["n"].value)

    assert counts["triples"] == len(store)
    assert counts["claims"] == count(
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <http://schema.org/Claim> }"
    )
    assert counts["articles"] == 1
    assert counts["disputed claims"] == 1
    assert counts["graphs"] == len(store.named_graphs())
    assert doc.find("section", id="articles").find("a").attrs["href"] == "/article/a1"
    assert "/entity/belarus" in {
        a.attrs["href"] for a in doc.find("section", id="entities").find_all("a")
    }
    assert "http://localhost/sparql" in doc.find("pre", cls="curl").text
    void = {e.attrs["type"]: e.attrs["href"] for e in doc.find_all("link", rel="alternate")}
    assert void["text/turtle"] == "/.well-known/void?format=turtle"


# --- VoID ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", RDF_FORMATS)
def test_void_by_content_negotiation(client: Any, store: Any, name: str) -> None:
    media, rdflib_format = RDF_FORMATS[name]
    response = client.get("/.well-known/void", headers={"Accept": media})
    assert response.mimetype == media
    g = graph_of(response.data, rdflib_format)
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    (dataset,) = set(g.subjects(void.sparqlEndpoint, None))
    assert int(g.value(dataset, void.triples)) == len(store)
    assert g.value(dataset, void.sparqlEndpoint) == rdflib.URIRef("http://localhost/sparql")
    # One subset per kind of graph (its class as dcterms:type), however many graphs there are.
    subsets = list(g.objects(dataset, void.subset))
    types = {str(g.value(s, rdflib.URIRef("http://purl.org/dc/terms/type"))) for s in subsets}
    classes = {
        r["c"].value
        for r in store.query("SELECT DISTINCT ?c WHERE { GRAPH ?g { ?g a ?c } }")
        if r["c"].value.startswith(B + "ontology/")
    }
    assert types <= classes and len(subsets) >= 3
    assert sum(int(g.value(s, void.triples)) for s in subsets) == len(store)


def test_void_defaults_to_turtle_and_html_for_browsers(client: Any) -> None:
    assert client.get("/.well-known/void").mimetype == "text/turtle"
    assert "void:Dataset" in html(client, "/.well-known/void").find("pre", cls="rdf").text


# --- base IRI and path prefix --------------------------------------------------------------------


def test_other_base_iri_behind_a_path_prefix() -> None:
    config = Config.load({"data_dir": ":memory:", "base_iri": "http://example.org/kg/"}, environ={})
    client = create_app(config, store=pagedata.load(config)).test_client()
    response = client.get("/entity/belarus", headers=HTML, base_url="http://proxy.example/geo/")
    assert response.status_code == 200
    doc = parse(response.get_data(as_text=True))
    assert doc.find("p", cls="iri").text == "http://example.org/kg/entity/belarus"
    hrefs = {a.attrs["href"] for a in doc.find_all("a")}
    assert "/geo/claim/a1/c1" in hrefs and "/geo/ontology/State" in hrefs
    assert not any(h.startswith(("/entity", "/claim", "http://example.org/kg/")) for h in hrefs)
    ttl = client.get("/entity/belarus?format=turtle", base_url="http://proxy.example/geo/")
    subjects = set(graph_of(ttl.data, "turtle").subjects())
    assert rdflib.URIRef("http://example.org/kg/entity/belarus") in subjects


# --- safety --------------------------------------------------------------------------------------


def test_hostile_label_and_quote_iri_render_inert(client: Any) -> None:
    response = client.get("/entity/o'brien", headers=HTML)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert pagedata.XSS_LABEL not in text and "<img src=x" not in text
    doc = parse(text)
    assert doc.find("h1").text == pagedata.XSS_LABEL  # shown literally
    assert not doc.find_all("img")
    # IRIs of other schemes in the data are shown, never linked.
    hrefs = [a.attrs.get("href", "") for a in doc.find_all("a")]
    assert not [h for h in hrefs if not h.startswith(("/", "#", "http://", "https://"))], hrefs
    assert "javascript:alert(4)" in doc.find("section", id="outgoing").text
    scripts = doc.find_all("script")
    assert all(s.attrs.get("src", "").startswith("/assets/") for s in scripts)
    # The IRI with a quote stays one attribute value, and links back to this page.
    claims = html(client, "/claim/a1/c3")
    assert claims.find("dd", cls="claimant").find("a").attrs["href"] == "/entity/o'brien"


def test_article_text_markup_is_text(client: Any) -> None:
    text = client.get("/article/a1", headers=HTML).get_data(as_text=True)
    assert "<script>alert(3)</script>" not in text
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in text


PAGES = [
    "/",
    "/entity/belarus",
    "/claim/a1/c1",
    "/article/a1",
    "/ontology/Claim",
    "/graph/entities",
    "/queries",
    "/.well-known/void",
    "/entity/nope",
    "/sparql",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_html_page_has_a_strict_csp(client: Any, path: str) -> None:
    response = client.get(path, headers=HTML)
    assert response.mimetype == "text/html"
    csp = dict(
        (part.strip().split(" ", 1) + [""])[:2]
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert csp["script-src"] == "'self'" and csp["default-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    # No inline script: every <script> has a src, except inert JSON data blocks.
    for script in parse(response.get_data(as_text=True)).find_all("script"):
        assert script.attrs.get("src") or script.attrs.get("type") == "application/json"


@pytest.mark.parametrize(
    "path",
    [
        "//evil.example/",
        "/entity//evil.example",
        "/ontology/",
        "/queries/",
        "/\\evil.example",
        "/.well-known/void/",
    ],
)
def test_no_redirect_leaves_the_site(client: Any, path: str) -> None:
    response = client.get(path, headers=HTML)
    if 300 <= response.status_code < 400:
        location = response.headers["Location"]
        assert (
            location.startswith("/")
            and not location.startswith(("//", "/\\"))
            or location.startswith("http://localhost/")
        )


# --- editor --------------------------------------------------------------------------------------


def test_editor_is_offline_and_offers_named_queries(client: Any, config: Config) -> None:
    from kg import queries

    response = client.get("/sparql", headers=HTML)
    assert response.status_code == 200
    doc = parse(response.get_data(as_text=True))
    cfg = json.loads(doc.find("script", id="kg-editor-config").text)
    assert cfg["endpoint"] == "http://localhost/sparql"
    assert {e["name"] for e in cfg["examples"]} == set(queries.catalogue(config).names())
    assert cfg["prefixes"]["schema"] == "http://schema.org/"
    assert "PREFIX gc: <https://w3id.org/geoclaims/ontology/>" in cfg["query"]
    for element in doc.find_all("script") + doc.find_all("link"):
        url = element.attrs.get("src") or element.attrs.get("href") or ""
        assert not re.match(r"^(https?:)?//", url), url
    # editor_page() pre-fills the editor from ?query= when the endpoint hands it such a request.
    from kg.web.editor import editor_page

    with client.application.test_request_context("/sparql?query=ASK%7B%7D", headers=HTML):
        page = parse(editor_page().get_data(as_text=True))
    assert json.loads(page.find("script", id="kg-editor-config").text)["query"] == "ASK{}"
    for asset in (
        "vendor/yasgui/yasgui.min.js",
        "vendor/yasgui/yasgui.min.css",
        "editor.js",
        "site.js",
    ):
        with client.get(f"/assets/{asset}") as served:
            assert served.status_code == 200 and len(served.data) > 100


# --- named queries -------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["memory", "disk"])
def test_construct_and_ask_named_queries(
    tmp_path: Any, store: Any, seed_config: Config, backend: str
) -> None:
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "labels.rq").write_text(
        "#+ title: Labels\n#+ description: every label as a graph\n"
        "CONSTRUCT { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }\n"
        "WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }\n"
    )
    (tmp_path / "queries" / "any-claim.rq").write_text(
        "#+ title: Any claim\n#+ description: is there a claim\n"
        "ASK { ?c a <http://schema.org/Claim> }\n"
    )
    if backend == "memory":
        config = Config.load({"data_dir": ":memory:", "source_dir": str(tmp_path)}, environ={})
        client = create_app(config, store=store).test_client()
    else:  # on disk, queries run in the executor's child process and come back parsed
        from kg.store import open_store

        client = create_app(seed_config.with_(source_dir=str(tmp_path))).test_client()
        store = open_store(seed_config, read_only=True)
    want = expected(
        store,
        "CONSTRUCT { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE "
        "{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
    )
    for name, (media, rdflib_format) in RDF_FORMATS.items():
        response = client.get(f"/queries/labels?format={name}")
        assert response.mimetype == media
        assert_isomorphic(graph_of(response.data, rdflib_format), want)
    # The HTML table pages through the answer, 100 rows a page; together the pages are the graph.
    from kg.web.querypages import ROWS_PER_PAGE

    pages = -(-len(want) // ROWS_PER_PAGE)
    assert pages > 1 or backend == "memory"
    seen: list[str] = []
    for n in range(1, pages + 1):
        doc = html(client, f"/queries/labels?page={n}")
        rows = doc.find("table", cls="results").find("tbody").find_all("tr")
        assert len(rows) == (ROWS_PER_PAGE if n < pages else len(want) - ROWS_PER_PAGE * (n - 1))
        seen += [r.find("td").find("a").attrs.get("href", "") + r.text for r in rows]
    assert len(seen) == len(set(seen)) == len(want)
    html(client, f"/queries/labels?page={pages + 1}", status=404)
    html(client, "/queries/labels?page=0", status=400)
    assert html(client, "/queries/any-claim").find("p", cls="boolean").text == "true"
    answer = client.get("/queries/any-claim", headers={"Accept": "application/sparql-results+json"})
    assert json.loads(answer.data)["boolean"] is True


@pytest.fixture(scope="module")
def seed_client(seed_config: Config) -> Any:
    return create_app(seed_config).test_client()


def test_query_list_names_every_query(seed_client: Any, seed_config: Config) -> None:
    from kg import queries

    doc = html(seed_client, "/queries")
    hrefs = {a.attrs["href"] for a in doc.find("dl", cls="query-list").find_all("a")}
    assert hrefs == {f"/queries/{n}" for n in queries.catalogue(seed_config).names()}


def test_query_page_table_formats_and_curl(seed_client: Any, seed_config: Config) -> None:
    from kg import queries
    from kg.store import open_store

    query = queries.catalogue(seed_config).get("claims-about-entity")
    doc = html(seed_client, "/queries/claims-about-entity?entity=belarus")
    table = doc.find("table", cls="results")
    columns = [th.text for th in table.find("thead").find_all("th")]
    rows = table.find("tbody").find_all("tr")
    # The independent answer: the query text run on the store with the parameter bound.
    store = open_store(seed_config, read_only=True)
    direct = store.query(query.text, substitutions={"entity": ox.NamedNode(B + "entity/belarus")})
    want_columns = [v.value for v in direct.variables]
    want = list(direct)
    assert columns == want_columns and len(rows) == len(want) > 0
    assert any(a.attrs["href"].startswith("/claim/") for a in table.find_all("a"))
    response = seed_client.get(
        "/queries/claims-about-entity?entity=belarus",
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.mimetype == "application/sparql-results+json"
    assert len(json.loads(response.data)["results"]["bindings"]) == len(want)
    csv = seed_client.get("/queries/claims-about-entity?entity=belarus&format=csv")
    assert (
        csv.mimetype == "text/csv"
        and len(csv.get_data(as_text=True).strip().splitlines()) == len(want) + 1
    )
    curl = doc.find("section", id="formats").find("pre", cls="curl").text
    assert "http://localhost/queries/claims-about-entity?entity=belarus" in curl
    assert "Accept: application/sparql-results+json" in curl
    value = doc.find("form", cls="params").find("input", name="entity").attrs["value"]
    assert value == "belarus"


def test_query_page_bad_parameter(seed_client: Any) -> None:
    doc = html(seed_client, "/queries/events-in-range?from=not-a-date", status=400)
    assert "not a date" in doc.find("p", cls="error").text
    response = seed_client.get(
        "/queries/events-in-range?from=not-a-date", headers={"Accept": "text/csv"}
    )
    assert response.status_code == 400
    assert seed_client.get("/queries/no-such-query", headers=HTML).status_code == 404


# --- verdicts of kg check (issue 5) --------------------------------------------------------------

SEED = "belarus-protests-2020"
REVIEWS = """
SELECT ?claim ?verdict ?reason ?rule ?fid ?sname ?surl WHERE {
  GRAPH ?rg { ?review schema:itemReviewed ?claim ; gc:verdict ?v ; schema:reviewBody ?reason
              OPTIONAL { ?review gc:rule ?rule } }
  BIND (STRAFTER(STR(?v), "/verdict/") AS ?verdict)
  # The facts of this review only: ?fact is bound inside the OPTIONAL that reads it.
  OPTIONAL { GRAPH ?rg { ?review gc:checkedAgainst ?fact }
             GRAPH ?fact { ?fact gc:factId ?fid OPTIONAL { ?fact prov:wasDerivedFrom ?src .
             ?src schema:name ?sname OPTIONAL { ?src schema:url ?surl } } } }
}
"""


@pytest.fixture(scope="module")
def seed_reviews(seed_config: Config) -> dict[str, dict[str, Any]]:
    """The stored verdicts read straight from the store: claim IRI -> verdict, reason, facts."""
    from kg.namespaces import sparql_prefixes
    from kg.store import open_store

    store = open_store(seed_config, read_only=True)
    out: dict[str, dict[str, Any]] = {}
    for row in store.query(sparql_prefixes() + REVIEWS):
        item = out.setdefault(
            row["claim"].value,
            {"verdict": row["verdict"].value, "reason": row["reason"].value, "rules": set()},
        )
        item.setdefault("facts", {})
        if row["rule"] is not None:
            item["rules"].add(row["rule"].value)
        if row["fid"] is not None:
            sources = item["facts"].setdefault(row["fid"].value, {})
            if row["sname"] is not None:
                sources[row["sname"].value] = row["surl"].value if row["surl"] else None
    return out


def seed_claim(cid: str) -> str:
    return f"{B}claim/{SEED}/{cid}"


def panel_id(doc: Element, claim: str) -> str:
    """The id of a claim's item in the article panel (marks name their claims by these ids)."""
    return (
        doc.find("aside", id="span-claims")
        .find("li", cls="span-claim", data_claim=claim)
        .attrs["id"]
    )


def marks_of(doc: Element, claim: str) -> list[Element]:
    text = doc.find("div", id="article-text")
    pid = panel_id(doc, claim)
    return [m for m in text.find_all("mark") if pid in m.attrs["data-claims"].split()]


def test_article_page_marks_contradicted_spans(
    seed_client: Any, seed_reviews: dict[str, dict[str, Any]]
) -> None:
    from test_check import SEED_CONSISTENT, SEED_CONTRADICTED

    doc = html(seed_client, f"/article/{SEED}")
    panel = doc.find("aside", id="span-claims")
    for cid, (fid, _) in SEED_CONTRADICTED.items():
        claim, review = seed_claim(cid), seed_reviews[seed_claim(cid)]
        assert review["verdict"] == "contradicted"
        marks = marks_of(doc, claim)
        assert marks, cid
        for m in marks:
            assert "v-contradicted" in m.classes and m.attrs["data-verdict"] == "contradicted"
            if m.attrs["data-claims"].split()[0] == panel_id(doc, claim):
                # The claim the panel lists first is the one the tooltip speaks of.
                assert m.attrs["title"].startswith("Contradicted"), cid
                assert review["reason"][:80] in m.attrs["title"], cid
        box = panel.find("li", data_claim=claim).find("div", cls="verdict")
        assert box.attrs["data-verdict"] == "contradicted"
        assert box.find("p", cls="reason").text == review["reason"]
        fact = box.find("li", cls="fact", data_fact=fid)
        sources = {a.text: a.attrs["href"] for a in fact.find_all("a", cls="source")}
        assert sources == {n: u for n, u in review["facts"][fid].items() if u}, cid
        names = {e.text for e in fact.find_all(cls="source")}
        assert names and names == set(review["facts"][fid]), cid
    # A consistent claim is not marked contradicted where no contradicted claim shares its words.
    contradicted = {c for c, r in seed_reviews.items() if r["verdict"] == "contradicted"}
    alone = 0
    contradicted_ids = {panel_id(doc, c) for c in contradicted}
    for cid in SEED_CONSISTENT:
        claim = seed_claim(cid)
        assert seed_reviews[claim]["verdict"] == "consistent"
        box = panel.find("li", data_claim=claim).find("div", cls="verdict")
        assert box.attrs["data-verdict"] == "consistent"
        for m in marks_of(doc, claim):
            if not contradicted_ids & set(m.attrs["data-claims"].split()):
                alone += 1
                assert "v-contradicted" not in m.classes and "Contradicted" not in m.attrs["title"]
    assert alone > 0
    # The legend counts every verdict the store holds for the article's claims.
    ours = [r for c, r in seed_reviews.items() if c.startswith(f"{B}claim/{SEED}/")]
    legend = doc.find("ul", id="verdict-legend")
    for item in legend.find_all("li"):
        if "data-verdict" in item.attrs:
            n = sum(r["verdict"] == item.attrs["data-verdict"] for r in ours)
            assert item.find("span", cls="count").text == f"({n})"


def test_claim_page_shows_its_verdict(
    seed_client: Any, seed_reviews: dict[str, dict[str, Any]]
) -> None:
    claim = seed_claim("c-tenure-20-years")
    review = seed_reviews[claim]
    doc = html(seed_client, f"/claim/{SEED}/c-tenure-20-years")
    box = doc.find("section", id="verdict").find("div", cls="verdict")
    assert box.attrs["data-verdict"] == "contradicted"
    assert box.find("strong", cls="verdict-word").text == "contradicted"
    assert box.find("p", cls="reason").text == review["reason"]
    assert {li.attrs["data-fact"] for li in box.find_all("li", cls="fact")} == set(review["facts"])
    names = {s.text for s in box.find_all(cls="source")}
    assert names == {n for sources in review["facts"].values() for n in sources}
    assert {c.text for c in box.find("p", cls="rules").find_all("code")} == review["rules"]
    assert box.find("p", cls="review-link").find("a").attrs["href"] == (
        f"/review/{SEED}/c-tenure-20-years"
    )


def test_home_and_entity_pages_show_the_verdicts(
    seed_client: Any, seed_reviews: dict[str, dict[str, Any]]
) -> None:
    home = html(seed_client, "/").find("section", id="fact-check")
    shown = {
        s.attrs["data-verdict"]: int(s.find("strong").text)
        for s in home.find_all("span", cls="verdict-count")
    }
    want: dict[str, int] = {}
    for review in seed_reviews.values():
        want[review["verdict"]] = want.get(review["verdict"], 0) + 1
    assert shown == want and shown["contradicted"] > 0
    assert home.find("a", cls="contradicted-link").attrs["href"] == "/queries/contradicted-claims"
    entity = html(seed_client, "/entity/belarus")
    items = entity.find("section", id="claims").find_all("li", cls="claim")
    badges = {li.attrs["data-claim"]: li.find_all("span", cls="verdict-badge") for li in items}
    assert badges
    for claim, found in badges.items():
        if claim in seed_reviews:
            (badge,) = found
            assert badge.attrs["data-verdict"] == seed_reviews[claim]["verdict"]
            assert badge.attrs["title"] == seed_reviews[claim]["reason"]
        else:
            assert found == []
    assert seed_claim("c-border-russia-west") in badges


def test_article_without_verdicts_says_so(client: Any) -> None:
    doc = html(client, "/article/a1")
    assert not doc.find_all("ul", id="verdict-legend")
    assert doc.find("p", cls="no-verdicts")
    assert not [m for m in doc.find_all("mark") if "data-verdict" in m.attrs]


# --- a query URL opened in a browser -------------------------------------------------------------

ASK = "ASK { ?s ?p ?o }"


def test_browser_opening_a_query_url_gets_the_editor(client: Any) -> None:
    response = client.get("/sparql", query_string={"query": ASK}, headers=HTML)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Accept" in response.headers.get("Vary", "")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    doc = parse(response.get_data(as_text=True))
    assert json.loads(doc.find("script", id="kg-editor-config").text)["query"] == ASK
    # An explicit format= is an explicit wish for results, even from a browser.
    answer = client.get("/sparql", query_string={"query": ASK, "format": "json"}, headers=HTML)
    assert answer.mimetype == "application/sparql-results+json"
    assert json.loads(answer.data)["boolean"] is True
    # A malformed query gets the parser's message on the error page, not the editor.
    bad = client.get("/sparql", query_string={"query": "SELECT nonsense"}, headers=HTML)
    assert bad.status_code == 400 and bad.mimetype == "text/html"
    assert "error at 1:" in bad.get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),  # SPARQLWrapper
        ("application/sparql-results+json,*/*;q=0.9", "application/sparql-results+json"),  # YASGUI
        ("*/*", "application/sparql-results+json"),  # curl
        (None, "application/sparql-results+json"),
        ("text/html, application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/html;q=0.5, application/xml", "application/sparql-results+xml"),
    ],
)
def test_sparql_clients_still_get_results(client: Any, accept: str | None, media: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/sparql", query_string={"query": ASK}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == media
    result = ox.parse_query_results(
        response.data,
        ox.QueryResultsFormat.XML if media.endswith("xml") else ox.QueryResultsFormat.JSON,
    )
    assert bool(result) is True


# --- behind a reverse proxy ----------------------------------------------------------------------

FORWARDED = {
    **HTML,
    "X-Forwarded-Prefix": "/geo",
    "X-Forwarded-Host": "kg.example.org",
    "X-Forwarded-Proto": "https",
}


@pytest.mark.parametrize("trust", [True, False])
def test_forwarded_headers_only_when_the_proxy_is_trusted(trust: bool) -> None:
    config = Config.load({"data_dir": ":memory:", "trust_proxy": trust}, environ={})
    client = create_app(config, store=pagedata.load(config)).test_client()
    home = client.get("/", headers=FORWARDED)
    entity = client.get("/entity/belarus", headers=FORWARDED)
    assert home.status_code == entity.status_code == 200
    home_doc, entity_doc = parse(home.get_data(as_text=True)), parse(entity.get_data(as_text=True))
    endpoint = home_doc.find("section", id="endpoint").find("code").text
    hrefs = {a.attrs["href"] for a in entity_doc.find_all("a")}
    brand = entity_doc.find("a", cls="brand").attrs["href"]
    css = entity_doc.find("link", rel="stylesheet").attrs["href"]
    if trust:
        assert endpoint == "https://kg.example.org/geo/sparql"
        assert brand == "/geo/" and css.startswith("/geo/assets/")
        assert "/geo/claim/a1/c1" in hrefs and "/geo/sparql" in hrefs
        assert not any(h.startswith(("/entity/", "/claim/", "/sparql")) for h in hrefs)
        links = entity.headers.getlist("Link")
        assert '</geo/entity/belarus?format=turtle>; rel="alternate"; type="text/turtle"' in links
    else:
        assert endpoint == "http://localhost/sparql"
        assert brand == "/" and css.startswith("/assets/")
        assert "/claim/a1/c1" in hrefs and "/sparql" in hrefs
        assert not any(h.startswith("/geo") or "kg.example.org" in h for h in hrefs)


# --- the home page's counts are kept until the store changes -------------------------------------


class CountingStore(EmbeddedStore):
    """An in-memory store that records the text of every query it is asked."""

    def __init__(self) -> None:
        super().__init__(None)
        self.asked: list[str] = []

    def query(self, sparql: str, **kwargs: Any) -> Any:
        self.asked.append(sparql)
        return super().query(sparql, **kwargs)


def test_home_counts_are_cached_until_a_write() -> None:
    config = Config.load({"data_dir": ":memory:", "token": "s3cret"}, environ={})
    store = CountingStore()
    store.bulk_load(ox.parse(pagedata.trig(config.base_iri).encode(), ox.RdfFormat.TRIG))
    client = create_app(config, store=store).test_client()

    def claims_shown() -> tuple[int, list[str]]:
        """The claim count the home page shows, and the counting queries its request ran."""
        before = len(store.asked)
        doc = html(client, "/")
        counting = [q for q in store.asked[before:] if "COUNT(" in q]
        return int(doc.find("div", data_count="claims").find("dd").text), counting

    direct = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <http://schema.org/Claim> }"
    want = int(next(iter(store.query(direct)))["n"].value)
    shown, counting = claims_shown()
    assert shown == want and len(counting) >= 5
    shown, counting = claims_shown()
    assert shown == want and counting == []
    before = len(store.asked)
    assert client.get("/.well-known/void", headers={"Accept": "text/turtle"}).status_code == 200
    assert not [q for q in store.asked[before:] if "COUNT(" in q]
    # A write changes the store's version: the next request counts again and sees it.
    claim = f"<{B}claim/new/c1> a <http://schema.org/Claim>"
    update = f"INSERT DATA {{ GRAPH <{B}graph/claims/new> {{ {claim} }} }}"
    written = client.post(
        "/update", data={"update": update}, headers={"Authorization": "Bearer s3cret"}
    )
    assert written.status_code == 204
    shown, counting = claims_shown()
    assert shown == want + 1 and len(counting) >= 5


def test_workers_share_the_home_counts_through_the_store_directory(tmp_path: Any) -> None:
    """Two apps on one on-disk store (as kg serve's worker processes are): the second reads the
    counts the first made, from the store's directory, until a write changes the version."""
    from kg.browse.summary import SUMMARY_FILE

    config = Config.load({"data_dir": str(tmp_path / "store"), "token": "s3cret"}, environ={})
    disk = EmbeddedStore(tmp_path / "store")
    disk.bulk_load(ox.parse(pagedata.trig(config.base_iri).encode(), ox.RdfFormat.TRIG))
    disk.close()
    del disk

    def claims_on_home(client: Any) -> int:
        return int(
            html(client, "/").find("div", data_count="claims").find("dd").text.replace(",", "")
        )

    first = create_app(config).test_client()
    real = claims_on_home(first)
    saved = tmp_path / "store" / SUMMARY_FILE
    kept = json.loads(saved.read_text())
    assert kept["counts"]["claims"] == real > 0
    # The second worker counts nothing: it shows what the file says (here, a marked number).
    kept["counts"]["claims"] = 4242
    saved.write_text(json.dumps(kept))
    second = create_app(config).test_client()
    assert claims_on_home(second) == 4242
    # A write (a new version) makes the file stale: counted again, and saved again.
    claim = f"<{B}claim/new/c1> a <http://schema.org/Claim>"
    update = f"INSERT DATA {{ GRAPH <{B}graph/claims/new> {{ {claim} }} }}"
    written = second.post(
        "/update", data={"update": update}, headers={"Authorization": "Bearer s3cret"}
    )
    assert written.status_code == 204
    assert claims_on_home(second) == real + 1
    assert json.loads(saved.read_text())["counts"]["claims"] == real + 1
