"""The site in real headless Chromium against a real `kg serve`; nothing may leave 127.0.0.1."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pagedata
import pyoxigraph as ox
import pytest
import requests

from kg.config import Config

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
B = "https://w3id.org/geoclaims/"
SET_QUERY = "q => { window.kgYasgui.getTab().setQuery(q); }"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


@dataclass
class Site:
    """A running `kg serve`: its base URL and its data directory."""

    url: str
    data_dir: Path


@pytest.fixture(scope="module")
def site(seed_config: Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """`kg serve` over a copy of the seed graph plus the hostile test graph (XSS cases)."""
    from conftest import run_kg_server

    data_dir = tmp_path_factory.mktemp("browser-store") / "store"
    shutil.copytree(seed_config.data_dir, data_dir)
    store = ox.Store(str(data_dir))
    store.bulk_extend(ox.parse(pagedata.trig(B).encode(), ox.RdfFormat.TRIG))
    store.flush()
    del store
    with run_kg_server(data_dir, workers=1, source_dir=seed_config.source_dir) as server:
        yield Site(server.base, data_dir)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Guard:
    """What a page tried that it must not: requests off 127.0.0.1, dialogs, CSP refusals."""

    outside: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert not self.outside, f"requests left 127.0.0.1: {self.outside}"
        assert not self.dialogs, f"dialogs fired: {self.dialogs}"
        assert not self.csp, f"the Content-Security-Policy refused: {self.csp}"


@pytest.fixture()
def page(browser: Any, site: Site) -> Iterator[tuple[Any, Guard]]:
    """A fresh page whose every request is checked: anything not for 127.0.0.1 fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    guard = Guard()

    def route(r: Any) -> None:
        parts = urlsplit(r.request.url)
        if parts.scheme in ("http", "https") and parts.hostname != "127.0.0.1":
            guard.outside.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    def dialog(d: Any) -> None:
        guard.dialogs.append(d.message)
        d.dismiss()

    def console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            guard.csp.append(message.text)

    context.route("**/*", route)  # the context's route also covers pages it opens
    tab.on("dialog", dialog)
    tab.on("console", console)
    yield tab, guard
    context.close()
    guard.check()


def shot(tab: Any, name: str, full: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def test_yasgui_runs_a_named_query_and_shows_its_table(page: Any, site: Site) -> None:
    tab, _ = page
    tab.goto(site.url + "/sparql")
    tab.wait_for_selector(".yasqe .CodeMirror")
    tab.click("button.example[data-example='claims-per-claimant']")
    value = tab.evaluate("window.kgYasgui.getTab().getQuery()")
    text = (
        Path(__file__).resolve().parent.parent / "queries" / "claims-per-claimant.rq"
    ).read_text()
    assert value == text
    tab.click(".yasqe_queryButton")
    tab.wait_for_selector(".yasr table.dataTable tbody tr td", timeout=30_000)
    # The independent answer: the same query over the protocol.
    answer = requests.post(
        site.url + "/sparql",
        data={"query": text},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    ).json()
    rows = answer["results"]["bindings"]
    assert rows
    shown = tab.locator(".yasr table.dataTable tbody tr").count()
    assert shown == min(len(rows), 50)  # YASR's first page
    headers = tab.locator(".yasr table.dataTable thead th").all_inner_texts()
    assert set(answer["head"]["vars"]) <= {h.strip() for h in headers}
    # A result IRI of ours opens its page on this site, not the IRI's own host.
    link = tab.locator(f".yasr table.dataTable tbody a.iri[href^='{B}']").first
    link.locator("xpath=..").click()  # YASR shows long values cut short: a click expands them
    with tab.context.expect_page() as opened:
        link.click()
    result_page = opened.value
    result_page.wait_for_load_state()
    assert result_page.url.startswith(site.url + "/")
    assert result_page.locator("p.iri code").inner_text().startswith(B)
    result_page.close()
    # Nothing is kept in browser storage.
    assert tab.evaluate("[localStorage.length, sessionStorage.length]") == [0, 0]
    shot(tab, "editor", full=True)


def test_editor_autocompletes_offline(page: Any, site: Site) -> None:
    tab, guard = page
    tab.goto(site.url + "/sparql")
    tab.wait_for_selector(".yasqe .CodeMirror")
    enabled = tab.evaluate("window.kgYasgui.getTab().getYasqe().config.autocompleters")
    assert "class" not in enabled and "property" not in enabled and "prefixes" in enabled
    tab.evaluate(SET_QUERY, "PREFIX schema: <http://schema.org/>\nSELECT * WHERE { ?x a ")
    tab.click(".yasqe .CodeMirror")
    tab.keyboard.press("Control+End")
    # Typing a class and a property is where LOV would be asked; typing a prefix, prefix.cc.
    tab.keyboard.type("schema:Pers")
    tab.keyboard.press("Control+Space")
    tab.keyboard.type(" ; schema:na")
    tab.keyboard.press("Control+Space")
    tab.keyboard.press("Control+End")
    tab.keyboard.type(" }\nPREFIX fo")
    tab.wait_for_timeout(1500)
    assert not guard.outside


def test_a_query_is_shareable_as_a_url(page: Any, site: Site) -> None:
    tab, _ = page
    query = "SELECT ?label WHERE { <https://w3id.org/geoclaims/entity/russia> rdfs:label ?label }"
    tab.goto(site.url + "/sparql")
    tab.wait_for_selector(".yasqe .CodeMirror")
    tab.evaluate(
        SET_QUERY,
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + query,
    )
    tab.click(".yasqe_share")
    link = tab.locator(".yasqe_sharePopup input").input_value()
    assert link.startswith(site.url + "/sparql") and "query=" in link
    other = tab.context.new_page()
    other.goto(link)
    other.wait_for_selector(".yasr table.dataTable tbody tr td", timeout=30_000)
    assert query in other.evaluate("window.kgYasgui.getTab().getQuery()")
    assert "Russia" in other.locator(".yasr table.dataTable tbody").inner_text()


def test_named_query_page_opens_in_the_editor(page: Any, site: Site) -> None:
    tab, _ = page
    tab.goto(site.url + "/queries/disputed-claims")
    rows = tab.locator("table.results tbody tr").count()
    assert rows > 0
    tab.click("a.editor-link")
    tab.wait_for_selector(".yasr table.dataTable tbody tr td", timeout=30_000)
    text = (Path(__file__).resolve().parent.parent / "queries" / "disputed-claims.rq").read_text()
    assert tab.evaluate("window.kgYasgui.getTab().getQuery()") == text
    assert tab.locator(".yasr table.dataTable tbody tr").count() == min(rows, 50)


def test_navigate_home_entity_claim_sentence(page: Any, site: Site) -> None:
    tab, _ = page
    tab.goto(site.url + "/")
    assert tab.locator("[data-count='claims'] dd").inner_text().strip() != "0"
    shot(tab, "home")
    tab.click("#entities a:text-is('Belarus')")
    tab.wait_for_url("**/entity/belarus")
    assert tab.locator("h1").inner_text() == "Belarus"
    assert tab.locator("li.claim").count() > 0
    shot(tab, "entity")
    # A claim of the seed article (the hostile test graph adds claims about Belarus too).
    seed = tab.locator("a.claim-link[href*='/claim/belarus-protests-2020/']")
    claim = (
        tab.locator("li.claim").filter(has=seed).filter(has=tab.locator("a.sentence-link")).first
    )
    quote = claim.locator("blockquote").inner_text()
    claim.locator("a.claim-link").click()
    tab.wait_for_url("**/claim/**")
    assert tab.locator("#proposition").count() == 1
    assert tab.locator("#claim blockquote").inner_text() == quote
    shot(tab, "claim")
    tab.click("#claim a.evidence-link")
    tab.wait_for_url("**/article/**#char=*")
    targets = tab.locator("#article-text .target")
    assert targets.count() > 0
    assert "".join(targets.all_inner_texts()) == quote
    assert targets.first.is_visible()
    # The panel shows the claims of the selected passage, among them the one we came from.
    visible = tab.locator("#span-claims li.span-claim:not([hidden])")
    assert visible.count() >= 1
    shot(tab, "article")
    tab.locator("#article-text mark.span").nth(2).click()
    assert tab.locator("#span-claims li.span-claim:not([hidden])").count() >= 1


def test_hostile_strings_stay_text(page: Any, site: Site) -> None:
    tab, guard = page
    tab.goto(site.url + "/entity/o'brien")
    assert tab.locator("h1").inner_text() == pagedata.XSS_LABEL
    assert pagedata.XSS_NOTE in tab.locator("#outgoing").inner_text()
    tab.goto(site.url + "/article/a1")
    assert "<script>alert(3)</script>" in tab.locator("#article-text").inner_text()
    tab.goto(site.url + "/claim/a1/c3")
    assert tab.locator("#claim .claimant a").inner_text() == pagedata.XSS_LABEL
    tab.click("#claim .claimant a")
    tab.wait_for_url("**/entity/o'brien")
    # The label in YASGUI's results table is text as well.
    tab.goto(site.url + "/sparql")
    tab.wait_for_selector(".yasqe .CodeMirror")
    tab.evaluate(
        SET_QUERY,
        f"SELECT ?l WHERE {{ <{B}entity/o'brien> {LABEL} ?l }}",
    )
    tab.click(".yasqe_queryButton")
    tab.wait_for_selector(".yasr table.dataTable tbody tr td", timeout=30_000)
    assert pagedata.XSS_LABEL in tab.locator(".yasr table.dataTable tbody").inner_text()
    tab.wait_for_timeout(300)
    assert not guard.dialogs


def test_article_verdicts_in_the_panel(page: Any, site: Site) -> None:
    tab, _ = page
    claim = f"{B}claim/belarus-protests-2020/c-border-russia-west"
    # The independent answer: the stored review, over the protocol.
    answer = requests.post(
        site.url + "/sparql",
        data={
            "query": "PREFIX schema: <http://schema.org/>\nSELECT ?reason ?name ?url WHERE { "
            f"?r schema:itemReviewed <{claim}> ; schema:reviewBody ?reason ; "
            "<http://www.w3.org/ns/prov#wasDerivedFrom> ?fact . "
            "?fact <http://www.w3.org/ns/prov#wasDerivedFrom> ?src . "
            "?src schema:name ?name ; schema:url ?url }"
        },
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    ).json()["results"]["bindings"]
    assert answer
    reason = answer[0]["reason"]["value"]
    sources = {(b["name"]["value"], b["url"]["value"]) for b in answer}
    tab.goto(site.url + "/article/belarus-protests-2020")
    assert tab.locator("#verdict-legend li").count() >= 4
    mark = tab.locator(f"#article-text mark.v-contradicted[data-claims~='{claim}']").first
    assert reason in (mark.get_attribute("title") or "")
    mark.click()
    item = tab.locator(f"#span-claims li.span-claim[data-claim='{claim}']")
    assert item.is_visible()
    box = item.locator("div.verdict")
    assert box.locator(".verdict-word").inner_text().lower() == "contradicted"
    assert box.locator("p.reason").inner_text() == reason
    fact = box.locator("li.fact[data-fact='R3']")
    assert fact.is_visible()
    assert "Belarus borders Russia to the east" in fact.locator(".fact-text").inner_text()
    links = fact.locator("a.source")
    shown = {
        (links.nth(i).inner_text(), links.nth(i).get_attribute("href"))
        for i in range(links.count())
    }
    assert sources and sources <= shown
    # A passage the checker found consistent is marked otherwise.
    assert tab.locator("#article-text mark.v-consistent").count() > 0
    shot(tab, "article-verdicts")
