"""The site in real headless Chromium against a real `kg serve`; nothing may leave 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pagedata
import pytest
import requests
from sitebrowser import B, Site, shot

pytestmark = pytest.mark.browser

SET_QUERY = "q => { window.kgYasgui.getTab().setQuery(q); }"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


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
    link = tab.locator(".yasr table.dataTable tbody a.iri[href^='/']").first
    link.locator("xpath=..").click()  # YASR shows long values cut short: a click expands them
    link.click()
    tab.wait_for_url(site.url + "/**")
    assert tab.locator("p.iri code").inner_text().startswith(B)
    tab.go_back()
    tab.wait_for_selector(".yasqe .CodeMirror")
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


def test_named_query_parameters_go_to_the_editor(page: Any, site: Site) -> None:
    """The editor runs what the page ran: the parameter is bound (a VALUES block), so the same
    rows come back, not every entity's."""
    tab, _ = page
    tab.goto(site.url + "/queries/claims-about-entity?entity=nato")
    rows = tab.locator("table.results tbody tr").count()
    assert 0 < rows < 50
    tab.click("a.editor-link")
    tab.wait_for_selector(".yasr table.dataTable tbody tr td", timeout=30_000)
    query = tab.evaluate("window.kgYasgui.getTab().getQuery()")
    assert f"<{B}entity/nato>" in query and "VALUES" in query
    assert tab.locator(".yasr table.dataTable tbody tr").count() == rows
    # Result IRIs of ours link to this site from the start (no hover needed), in this tab.
    links = tab.eval_on_selector_all(
        ".yasr table.dataTable a", "els => els.map(a => [a.getAttribute('href'), a.target])"
    )
    assert links
    assert not [h for h, _ in links if h.startswith(B)]
    assert [h for h, target in links if h.startswith("/claim/") and not target]


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
    pid = tab.locator(f"#span-claims li.span-claim[data-claim='{claim}']").get_attribute("id")
    mark = tab.locator(f"#article-text mark.v-contradicted[data-claims~='{pid}']").first
    assert (mark.get_attribute("title") or "").startswith("Contradicted")
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


ARTICLE = "/article/belarus-protests-2020"


def visible_claims(tab: Any) -> list[str]:
    return tab.eval_on_selector_all(
        "#span-claims li.span-claim:not([hidden])", "els => els.map(e => e.dataset.claim)"
    )


def test_panel_lists_the_innermost_and_worst_first(page: Any, site: Site) -> None:
    """The NATO name inside Lukashenko's accusation: its own (contradicted) claim comes first,
    at the top of the panel, not below the enclosing claims."""
    tab, _ = page
    tab.goto(site.url + ARTICLE)
    name = f"{B}claim/belarus-protests-2020/c-nato-name"
    pid = tab.locator(f"#span-claims li.span-claim[data-claim='{name}']").get_attribute("id")
    mark = tab.locator(f"#article-text mark[data-claims~='{pid}']", has_text="Trinity").first
    ids = (mark.get_attribute("data-claims") or "").split()
    assert len(ids) > 1 and ids[0] == pid
    mark.click()
    shown = visible_claims(tab)
    assert shown[0] == name and len(shown) == len(ids)
    box = tab.locator(f"#{pid} div.verdict")
    assert box.get_attribute("data-verdict") == "contradicted"
    # The verdict is in view in the panel, not thousands of pixels down.
    panel = tab.locator("#span-claims").bounding_box()
    top = box.bounding_box()
    assert panel and top and top["y"] < panel["y"] + 400 and top["y"] < 900
    # The other claims of the passage follow by span width: each wider than the one before.
    spans = tab.eval_on_selector_all(
        "#span-claims li.span-claim:not([hidden]) blockquote",
        "els => els.map(e => e.innerText.length)",
    )
    assert spans[0] == min(spans)
    shot(tab, "article-panel-order")


def test_panel_by_keyboard(page: Any, site: Site) -> None:
    tab, _ = page
    tab.goto(site.url + ARTICLE)
    marks = tab.locator("#article-text mark.span")
    # One tab stop for the whole text (roving tabindex): the first passage.
    assert marks.nth(0).get_attribute("tabindex") == "0"
    assert marks.nth(1).get_attribute("tabindex") == "-1"
    marks.nth(0).focus()
    tab.keyboard.press("ArrowRight")
    tab.keyboard.press("ArrowRight")
    focused = tab.evaluate("document.activeElement.dataset.b")
    assert focused == marks.nth(2).get_attribute("data-b")
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "span-claims-title"
    ids = (marks.nth(2).get_attribute("data-claims") or "").split()
    shown = tab.eval_on_selector_all(
        "#span-claims li.span-claim:not([hidden])", "els => els.map(e => e.id)"
    )
    assert shown == ids
    assert marks.nth(2).get_attribute("aria-current") == "true"
    # Tab moves on into the panel's links; Escape goes back to the passage.
    tab.keyboard.press("Tab")
    assert tab.evaluate("!!document.activeElement.closest('#span-claims')")
    tab.keyboard.press("Escape")
    assert tab.evaluate("document.activeElement.dataset.b") == marks.nth(2).get_attribute("data-b")
    # Every passage says what it is to assistive technology.
    roles = tab.eval_on_selector_all(
        "#article-text mark.span",
        "els => els.every(e => e.getAttribute('role') === 'button' && "
        "document.getElementById(e.getAttribute('aria-describedby')))",
    )
    assert roles is True
