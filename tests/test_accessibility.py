"""axe-core (vendored, kg/web/static/vendor/axe-core) on every page template in real Chromium:
no critical or serious violation; and no page wider than a phone at 390 and 360 px."""

from __future__ import annotations

from typing import Any

import pytest
from sitebrowser import Site, guarded_page, shot

from kg.config import Config
from kg.web import create_app

pytestmark = pytest.mark.browser

AXE = "/assets/vendor/axe-core/axe.min.js"
SEED = "belarus-protests-2020"
# One page of every template (resource.html also under the proposition and fact pages).
PAGES = {
    "home": "/",
    "void": "/.well-known/void?format=html",
    "entity": "/entity/nato",
    "claim": f"/claim/{SEED}/c-nato-denial",
    "article": f"/article/{SEED}",
    "proposition": f"/proposition/{SEED}/p-offer",
    "reference fact": "/reference/R1",
    "ontology": "/ontology",
    "ontology term": "/ontology/Claim",
    "listing": "/claim",
    "named queries": "/queries",
    "named query": "/queries/claims-about-entity?entity=nato",
    "404": "/entity/no-such-entity",
    "400": "/entity/nato?page=nonsense",
}
# The finding pages of the site (search, tables, pictures: issue 16, part B), checked as soon as
# the app serves them.
FINDING = {
    "search": "/search?q=NATO",
    "search, nothing found": "/search?q=zzzz",
    "search, hostile text": "/search?q=onerror",
    "claims table": "/claims?claimant=entity/alexander-lukashenko&polarity=asserted",
    "claims table, page 2 by claimant": "/claims?page=2&sort=claimant",
    "entities table": "/entities",
    "entities table, one type": "/entities?type=State",
    "network": "/network",
    "network of one entity": "/network?involving=entity/nato",
    "timeline": "/timeline?entity=entity/nato",
    "timelines": "/timeline",
}
_ROUTES = {
    r.rule
    for r in create_app(Config.load({"data_dir": ":memory:"}, environ={})).url_map.iter_rules()
}
PAGES.update({name: path for name, path in FINDING.items() if path.split("?")[0] in _ROUTES})
BAD_IMPACT = ("critical", "serious")


def axe_violations(tab: Any, site: Site) -> list[dict[str, Any]]:
    """axe-core's critical and serious violations on the page as it is now."""
    tab.add_script_tag(url=site.url + AXE)
    result = tab.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in BAD_IMPACT
    ]


PHONES = (390, 360)


def wider_than(tab: Any, width: int) -> dict[str, float]:
    """What sticks out of a screen this wide: the page itself, or its header and menu."""
    tab.set_viewport_size({"width": width, "height": 780})
    wide = {}
    over = tab.evaluate("document.documentElement.scrollWidth")
    if over > width:
        wide[f"page at {width}"] = over
    header = tab.locator("header.top").bounding_box()
    if header and header["width"] > width:
        wide[f"header at {width}"] = header["width"]
    return wide


@pytest.mark.parametrize("name", PAGES)
def test_page_is_accessible_and_fits_a_phone(page: Any, site: Site, name: str) -> None:
    """axe finds no critical or serious violation; at 390 and 360 px nothing is wider than the
    screen (the same page, resized: the layout is CSS only)."""
    tab, _ = page
    tab.goto(site.url + PAGES[name])
    if name == "article":  # with a passage selected and its claims in the panel
        tab.locator("#article-text mark.v-contradicted").first.click()
    assert axe_violations(tab, site) == []
    wide: dict[str, float] = {}
    for width in PHONES:
        wide.update(wider_than(tab, width))
    assert wide == {}
    if name == "article":
        shot(tab, "article-360")


def run_a_query(tab: Any, site: Site) -> None:
    tab.goto(site.url + "/sparql")
    tab.wait_for_selector(".yasqe .CodeMirror")
    tab.click(".yasqe_queryButton")
    tab.wait_for_selector(".yasr table.dataTable tbody tr td", timeout=30_000)


def test_editor_is_accessible(page: Any, site: Site) -> None:
    tab, _ = page
    run_a_query(tab, site)
    assert axe_violations(tab, site) == []


@pytest.mark.parametrize("width", PHONES)
def test_editor_and_its_results_fit_a_phone(browser: Any, site: Site, width: int) -> None:
    """Opened on a phone (YASGUI sizes its parts when it draws them), a query's results table
    scrolls inside its box: the page is no wider than the screen."""
    context, tab, guard = guarded_page(browser, {"width": width, "height": 780})
    try:
        run_a_query(tab, site)
        assert wider_than(tab, width) == {}
    finally:
        context.close()
    guard.check()


def test_article_on_a_phone(browser: Any, site: Site) -> None:
    """At 390 px the text takes the width; a selected passage's claims open as a sheet over the
    bottom of the screen, and Close (or Escape) puts it away."""
    context, tab, guard = guarded_page(browser, {"width": 390, "height": 780})
    try:
        tab.goto(site.url + f"/article/{SEED}")
        text = tab.locator("#article-text").bounding_box()
        assert text and text["width"] > 330  # not one word per line beside a panel
        panel = tab.locator("#span-claims")
        assert not panel.is_visible()
        mark = tab.locator("#article-text mark.v-contradicted").first
        mark.click()
        assert panel.is_visible()
        box = panel.bounding_box()
        # A sheet over the bottom of the screen: it ends at the bottom edge and leaves the top.
        assert box and abs(box["y"] + box["height"] - 780) < 2 and box["width"] == 390
        assert box["y"] > 200
        chosen = mark.bounding_box()  # the words chosen stay in view above the sheet
        assert chosen and chosen["y"] >= 0 and chosen["y"] + chosen["height"] <= box["y"]
        verdict = tab.locator("#span-claims li.span-claim:not([hidden]) div.verdict").first
        assert verdict.is_visible()
        shot(tab, "article-390-sheet")
        tab.locator("#span-claims .panel-close").click()
        assert not panel.is_visible()
        assert tab.evaluate("document.activeElement.tagName") == "MARK"
    finally:
        context.close()
    guard.check()


def test_skip_link_goes_to_the_content(page: Any, site: Site) -> None:
    tab, _ = page
    tab.goto(site.url + "/entity/nato")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.className") == "skip-link"
    assert tab.locator(".skip-link").is_visible()
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "main"
