"""The explorer in headless Chromium: the journeys users take, URL state, accessibility."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from ontology.schema import flag_explanation
from tests.browser.conftest import serious_axe_violations

TIMEOUT = 20


def _wait_text(dash_duo, selector: str, text: str, timeout: int = TIMEOUT) -> None:
    dash_duo.wait_for_contains_text(selector, text, timeout=timeout)


def _query(dash_duo) -> dict[str, list[str]]:
    return parse_qs(urlparse(dash_duo.driver.current_url).query)


def test_search_then_node_panel_shows_a_citation(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/explore")  # '/' is the home page now
    box = dash_duo.wait_for_element("#explore-search", timeout=TIMEOUT)
    box.send_keys("DMST", Keys.ENTER)  # a synonym, not the label
    _wait_text(dash_duo, "#explore-hits", "Domestic minor sex trafficking")
    dash_duo.find_element("#explore-hits button.hit").click()
    _wait_text(dash_duo, "#explore-panel", "Domestic minor sex trafficking")
    # the evidence: claim, its citations with a DOI link, the source document + locator
    _wait_text(dash_duo, "#explore-panel", "Youth placed in foster care")
    panel = dash_duo.find_element("#explore-panel")
    dois = [a.get_attribute("href") for a in panel.find_elements(By.CSS_SELECTOR, "a")
            if "doi.org" in (a.get_attribute("href") or "")]
    assert "https://doi.org/10.1177/0000000000000001" in dois
    assert "A Test Brief on Intersections" in panel.text and "Section A" in panel.text
    # graph holds the node and its neighbours; the list view says the same in text
    _wait_text(dash_duo, "#explore-list", "Foster care placement")
    assert _query(dash_duo)["node"] == ["harm:domestic-minor-sex-trafficking"]


def test_quality_flags_and_expand_in_place(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/?node=risk:running-away")
    # the flag is shown with its explanation from the one flag table
    _wait_text(dash_duo, "#explore-panel", flag_explanation("unsourced_figure"))
    # open a neighbour from the list, then show its links (added with Patch)
    dash_duo.wait_for_element("#explore-list a[href*='sel=']", timeout=TIMEOUT).click()
    _wait_text(dash_duo, "#explore-panel", "Sex trafficking")
    dash_duo.find_element("#explore-expand").click()
    _wait_text(dash_duo, "#explore-list", "Sex trafficking (")
    time.sleep(0.5)
    assert "expand" in _query(dash_duo)


def test_foster_care_journey_shows_an_intervention(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/paths")
    _wait_text(dash_duo, "#paths-list", "Safe Harbor Regional Navigators")
    lst = dash_duo.find_element("#paths-list").text
    assert "increases risk of" in lst and "1 claim / 2 citations" in lst
    q = _query(dash_duo)
    assert q["from"] == ["risk:foster-care-placement"] and q["to"] == ["Intervention"]
    # presentation mode steps through the selected path one hop at a time
    dash_duo.find_element("#paths-present-toggle").click()
    _wait_text(dash_duo, "#paths-step-caption", "Start: Foster care placement")
    dash_duo.find_element("#paths-present-next").click()
    _wait_text(dash_duo, "#paths-step-caption", "Hop 1 of")
    assert dash_duo.find_element(".site-header").is_displayed() is False
    assert dash_duo.find_element("#quick-exit").is_displayed()


def test_url_state_round_trips(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    url = (dash_duo.server_url + "/intersections?a=harm:intimate-partner-violence"
           "&b=harm:human-trafficking&via=ControlTactic")
    dash_duo.wait_for_page(url)
    _wait_text(dash_duo, "#inter-lists", "Shared by both (1)")
    _wait_text(dash_duo, "#inter-lists", "Isolation")
    assert _query(dash_duo)["via"] == ["ControlTactic"]
    # a state reached by clicking survives a reload of the URL it produced
    dash_duo.wait_for_page(dash_duo.server_url + "/evidence")
    dash_duo.wait_for_element("#ev-table table", timeout=TIMEOUT)
    box = dash_duo.find_element("#ev-q")
    box.send_keys("partner", Keys.ENTER)
    _wait_text(dash_duo, "#ev-count", "2 claims")
    time.sleep(0.5)
    saved = dash_duo.driver.current_url
    assert _query(dash_duo)["q"] == ["partner"]
    dash_duo.driver.get("about:blank")
    dash_duo.driver.get(saved)
    _wait_text(dash_duo, "#ev-count", "2 claims")
    assert dash_duo.find_element("#ev-q").get_attribute("value") == "partner"


def test_intersection_counts_what_holds_for_broader_categories(dash_duo, mini_app):
    """IPV vs sex trafficking: isolation is curated for trafficking in general."""
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/intersections?a=harm:intimate-partner-violence"
                           "&b=harm:sex-trafficking&via=ControlTactic")
    _wait_text(dash_duo, "#inter-lists", "Shared by both (1)")
    _wait_text(dash_duo, "#inter-lists", "through Human trafficking")
    dash_duo.select_dcc_dropdown("#inter-inherit", "Direct links only")
    _wait_text(dash_duo, "#inter-lists", "Shared by both (0)")
    time.sleep(0.5)
    assert _query(dash_duo)["inherit"] == ["0"]


def test_quick_exit_replaces_the_page_on_escape_and_click(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    link = dash_duo.wait_for_element("#quick-exit", timeout=TIMEOUT)
    assert link.is_displayed() and link.get_attribute("href").startswith("https://")
    # the network is closed: point the control at a local page, then check we land there
    # and that the explorer page was replaced in history (Back does not return to it)
    target = dash_duo.server_url + "/about?left=1"
    for how in ("escape", "click"):
        dash_duo.wait_for_page(dash_duo.server_url + "/evidence")
        dash_duo.wait_for_element("#quick-exit", timeout=TIMEOUT)
        dash_duo.driver.execute_script(
            "document.getElementById('quick-exit').href = arguments[0];", target)
        before = dash_duo.driver.execute_script("return history.length")
        if how == "escape":
            dash_duo.find_element("body").send_keys(Keys.ESCAPE)
        else:
            dash_duo.find_element("#quick-exit").click()
        deadline = time.time() + TIMEOUT
        while "left=1" not in dash_duo.driver.current_url and time.time() < deadline:
            time.sleep(0.1)
        assert dash_duo.driver.current_url == target
        assert dash_duo.driver.execute_script("return history.length") == before


@pytest.mark.parametrize("path", ["/", "/explore?node=harm:intimate-partner-violence", "/paths",
                                  "/intersections", "/lists", "/gaps", "/evidence", "/query",
                                  "/about"])
def test_axe_has_no_serious_or_critical_violations(dash_duo, mini_app, axe_js, path):
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + path)
    dash_duo.wait_for_element("main h1", timeout=TIMEOUT)
    time.sleep(2)  # let callbacks fill the page
    bad = serious_axe_violations(dash_duo.driver, axe_js)
    assert not bad, json.dumps(bad, indent=1)


def _shipped_valid() -> str | None:
    from loaders.errors import ValidationFailed
    from loaders.evidence import load_evidence_base

    try:
        load_evidence_base(None)
    except ValidationFailed as exc:
        return f"shipped evidence base does not validate yet ({len(exc.problems)} problems)"
    return None


def test_foster_care_journey_on_the_shipped_data(dash_duo):
    why = _shipped_valid()
    if why:
        pytest.skip(why)
    from explorer.app import create_app

    dash_duo.start_server(create_app("embedded", None))
    dash_duo.wait_for_page(dash_duo.server_url + "/paths?from=risk:foster-care-placement"
                           "&to=Intervention")
    dash_duo.wait_for_element("#paths-list .path-item", timeout=TIMEOUT)
    first = dash_duo.find_element("#paths-list .path-item").text
    assert "Foster care placement" in first and "claims /" in first
    # the destination of every listed path is an intervention (links open it on Explore)
    ends = dash_duo.find_elements(
        "#paths-list .path-item > ol.hops > li:last-child > a:nth-of-type(2)")
    titles = [a.get_attribute("title") for a in ends]
    assert titles and all(t.startswith("Intervention:") for t in titles), titles
    dash_duo.wait_for_page(dash_duo.server_url + "/?node=harm:intimate-partner-violence")
    _wait_text(dash_duo, "#explore-panel", "Evidence (")
