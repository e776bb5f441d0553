"""Search, the tables and the pictures in real Chromium, on a desktop and at 360 px."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sitebrowser import Site, guarded_page, shot
from test_accessibility import wider_than

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}


@pytest.fixture(params=list(SIZES))
def tab(request: pytest.FixtureRequest, browser: Any, site: Site) -> Any:
    """A fresh page at each size (anything not for 127.0.0.1 fails the test)."""
    context, page, guard = guarded_page(browser, SIZES[request.param])
    page.size_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()
    guard.check()


def fits(tab: Any) -> None:
    width = SIZES[tab.size_name]["width"]
    if width < 500:
        assert wider_than(tab, width) == {}


def query(tab: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(tab.url).query)


def follow(tab: Any, link: Any) -> None:
    """Click a link and wait until the page it leads to has loaded (a click returns once the
    navigation starts: the old page's rows could still be counted)."""
    with tab.expect_navigation():
        link.click()


def test_search_from_the_box_in_the_header(tab: Any, site: Site) -> None:
    tab.goto(site.url + "/claim")
    box = tab.locator("header #site-search-q")
    assert box.is_visible()
    box.fill("NATO")
    box.press("Enter")
    tab.wait_for_url("**/search?q=NATO")
    first = tab.locator("ol.results li.result").first
    assert first.locator(".kind").inner_text().lower() == "entity"
    assert first.locator("mark").first.inner_text() == "NATO"
    fits(tab)
    shot(tab, f"search-{tab.size_name}")
    first.locator("a").first.click()
    tab.wait_for_url("**/entity/nato")
    assert "NATO" in tab.locator("h1").inner_text()


def test_search_results_narrow_by_kind_and_keep_hostile_text_as_text(tab: Any, site: Site) -> None:
    tab.goto(site.url + "/search?q=onerror")
    assert tab.locator("ol.results li.result").count() == 1
    assert tab.locator("main img").count() == 0
    tab.goto(site.url + "/search?q=lukashenko")
    total = tab.locator("ol.results li.result").count()
    follow(tab, tab.locator("nav.kinds a", has_text="Claims"))
    assert query(tab)["kind"] == ["claim"]
    kinds = tab.locator("ol.results li.result .kind").all_inner_texts()
    assert kinds and {k.lower() for k in kinds} == {"claim"} and len(kinds) <= total


def test_claims_table_facets_sort_and_page(tab: Any, site: Site) -> None:
    tab.goto(site.url + "/claims")
    before = tab.locator("table.claims-table tbody tr").count()
    assert before == 50
    facet = tab.locator("details[data-facet=polarity]")
    follow(tab, facet.locator("a", has_text="denied"))
    assert query(tab)["polarity"] == ["denied"]
    rows = tab.locator("table.claims-table tbody tr")
    assert rows.count() == 3
    assert set(tab.locator("table.claims-table td.polarity").all_inner_texts()) == {"denied"}
    # Another facet adds to the first; the chosen filters show and can be removed.
    follow(tab, tab.locator("details[data-facet=claimant] a", has_text="NATO").first)
    assert query(tab)["polarity"] == ["denied"] and query(tab)["claimant"] == ["entity/nato"]
    assert tab.locator("ul.chosen li").count() == 3  # two filters and "Clear all"
    fits(tab)
    shot(tab, f"claims-table-{tab.size_name}")
    follow(tab, tab.locator("table.claims-table th a", has_text="Claimant"))
    assert query(tab)["sort"] == ["claimant"]
    follow(tab, tab.locator("ul.chosen a", has_text="Clear all"))
    assert urlsplit(tab.url).query == ""
    follow(tab, tab.locator("nav.pager a[rel=next]"))
    assert query(tab)["page"] == ["2"]
    assert tab.locator("table.claims-table tbody tr").count() >= 1


def test_entities_table_links_to_claims_and_pictures(tab: Any, site: Site) -> None:
    tab.goto(site.url + "/entities")
    first = tab.locator("table.entities-table tbody tr").first
    about = int(first.locator("td.num").first.inner_text())
    follow(tab, first.locator("td.num a").first)
    assert "about" in query(tab)
    summary = tab.locator("p.table-summary").inner_text()
    assert summary.startswith(f"{about} claim")
    fits(tab)


def test_network_is_drawn_from_its_table(tab: Any, site: Site) -> None:
    tab.goto(site.url + "/network")
    tab.wait_for_selector("#network-picture svg")
    rows = tab.locator("#network-data tbody tr").count()
    assert tab.locator("#network-picture path.edge").count() == rows
    kinds = set(
        tab.locator("#network-data tbody tr").evaluate_all("rs => rs.map(r => r.dataset.kind)")
    )
    drawn = tab.locator("#network-picture path.edge").evaluate_all(
        "ps => ps.map(p => p.getAttribute('class').split(' act-')[1])"
    )
    assert set(drawn) == kinds and {"accusation", "denial"} <= kinds
    # Accusations and denials are told apart by colour.
    colours = tab.evaluate(
        "['accusation', 'denial'].map(k => getComputedStyle("
        "document.querySelector('#network-picture path.edge.act-' + k)).stroke)"
    )
    assert colours[0] != colours[1]
    box = tab.locator("#network-picture svg").bounding_box()
    assert box and box["width"] <= SIZES[tab.size_name]["width"]
    fits(tab)
    shot(tab, f"network-{tab.size_name}", full=True)
    node = tab.locator("#network-picture a", has_text="NATO").first
    node.click()
    tab.wait_for_url("**/entity/nato")


def test_timeline_is_drawn_from_its_table(tab: Any, site: Site) -> None:
    tab.goto(site.url + "/timeline?entity=entity/nato")
    tab.wait_for_selector("#timeline-picture svg")
    rows = tab.locator("#timeline-data tbody tr")
    by = rows.evaluate_all("rs => rs.filter(r => r.dataset.role === 'by').length")
    dots = tab.locator("#timeline-picture circle.moment")
    assert dots.count() == rows.count() > 0
    axis = tab.locator("#timeline-picture .axis").bounding_box()
    above = dots.evaluate_all(
        "cs => cs.filter(c => c.getBoundingClientRect().bottom < "
        "document.querySelector('#timeline-picture .axis').getBoundingClientRect().top).length"
    )
    assert axis and above == by > 0
    fits(tab)
    shot(tab, f"timeline-{tab.size_name}")


def test_pictures_without_javascript_are_their_tables(browser: Any, site: Site) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(site.url + "/network")
        assert tab.locator("#network-data tbody tr").count() > 0
        assert tab.locator("#network-picture svg").count() == 0
        assert not tab.locator("#network-picture").is_visible()
        tab.goto(site.url + "/timeline?entity=entity/nato")
        assert tab.locator("#timeline-data tbody tr").count() > 0
        assert not tab.locator("#timeline-picture").is_visible()
    finally:
        context.close()
