"""Evidence pages in headless Chromium: the table, a claim's page, a citation's page.

Journeys: open the Evidence table, click (or Tab + Enter to) a claim id, land on the claim's
own URL and read its DOI link, locator, flags and links; open a citation and see the claims
resting on it; open the UROC study on the shipped base and read its method, sample and limits;
load those URLs directly; at 390 px the table scrolls inside its own box, not the page.
"""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import serious_axe_violations

TIMEOUT = 20
DOI = "https://doi.org/10.1177/0000000000000001"


def _path(dash_duo) -> str:
    return urlparse(dash_duo.driver.current_url).path


def _wait_path(dash_duo, path: str) -> None:
    WebDriverWait(dash_duo.driver, TIMEOUT).until(lambda d: urlparse(d.current_url).path == path)


def _hrefs(dash_duo, selector: str) -> list[str]:
    return [a.get_attribute("href") or "" for a in
            dash_duo.find_element(selector).find_elements(By.CSS_SELECTOR, "a")]


def test_table_claim_id_opens_the_claim_page(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/evidence")
    dash_duo.wait_for_contains_text("#ev-table", "foster-care-raises-risk", timeout=TIMEOUT)
    grid = dash_duo.find_element("#ev-table")
    # the Numbers column shows the figure; each DOI sits in its citation's cell line
    assert "as many as 70%" in grid.text
    row = next(r for r in grid.find_elements(By.CSS_SELECTOR, "tr")
               if "foster-care-raises-risk" in r.text)
    assert "Smith & Jones (2017) · doi:10.1177/0000000000000001" in row.text
    row.find_element(By.LINK_TEXT, "foster-care-raises-risk").click()
    _wait_path(dash_duo, "/evidence/claim/foster-care-raises-risk")
    dash_duo.wait_for_contains_text("#claim-statement", "foster care", timeout=TIMEOUT)
    assert DOI in _hrefs(dash_duo, "#claim-citations")
    assert "Section A" in dash_duo.find_element("#claim-source").text
    assert "/evidence/citation/doc-brief" in " ".join(_hrefs(dash_duo, "#claim-source"))
    links = dash_duo.find_element("#claim-links")
    assert "Links it supports (1)" in links.text and "increases risk of" in links.text
    explore = [h for h in _hrefs(dash_duo, "#claim-links") if "node=" in h]
    assert any(h.endswith("node=risk:foster-care-placement") for h in explore)
    # a link end opens Explore on that node
    links.find_element(By.LINK_TEXT, "Foster care placement").click()
    dash_duo.wait_for_contains_text("#explore-panel", "Foster care placement", timeout=TIMEOUT)


def test_only_claims_with_figures_filter_is_in_the_url(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/evidence?figures=1")
    dash_duo.wait_for_contains_text("#ev-count", "2 claims (2 with figures)", timeout=TIMEOUT)
    grid = dash_duo.find_element("#ev-table").text
    assert "1 in 6" in grid and "as many as 70%" in grid
    assert "foster-care-raises-risk" not in grid
    dash_duo.select_dcc_dropdown("#ev-figures", "Any claim")
    dash_duo.wait_for_contains_text("#ev-count", "5 claims (2 with figures)", timeout=TIMEOUT)
    WebDriverWait(dash_duo.driver, TIMEOUT).until(lambda d: "figures" not in d.current_url)
    # a citation's page sends readers here for every claim citing it
    dash_duo.wait_for_page(dash_duo.server_url + "/evidence?cites=cite:lee-2019")
    dash_duo.wait_for_contains_text("#ev-count", "2 claims (1 with figures)", timeout=TIMEOUT)
    assert "citing cite:lee-2019" in dash_duo.find_element("#ev-count").text


def test_claim_id_is_reached_with_tab_and_opened_with_enter(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/evidence")
    dash_duo.wait_for_contains_text("#ev-table", "ipv-before-trafficking", timeout=TIMEOUT)
    dash_duo.find_element("#ev-q").click()  # start from the search box, then Tab onwards
    active = dash_duo.driver.switch_to.active_element
    for _ in range(60):
        active.send_keys(Keys.TAB)
        active = dash_duo.driver.switch_to.active_element
        if active.text == "foster-care-raises-risk":
            break
    assert active.text == "foster-care-raises-risk", "Tab never reached the first claim id"
    active.send_keys(Keys.ENTER)
    _wait_path(dash_duo, "/evidence/claim/foster-care-raises-risk")
    dash_duo.wait_for_contains_text("#claim-statement", "foster care", timeout=TIMEOUT)


def test_claim_page_loads_directly_with_flags_explained(dash_duo, mini_app):
    from explorer.evidence_views import flag_explanation, flag_label

    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/evidence/claim/ipv-before-trafficking")
    dash_duo.wait_for_contains_text("#claim-flags", flag_explanation("secondary"),
                                    timeout=TIMEOUT)
    flags = dash_duo.find_element("#claim-flags").text
    assert flag_label("secondary").casefold() in flags.casefold()  # badge is set in capitals
    assert "as many as 70%" in dash_duo.find_element("#claim-numbers").text
    assert "Section B" in dash_duo.find_element("#claim-source").text
    # an unknown id says so and suggests the nearest one
    dash_duo.wait_for_page(dash_duo.server_url + "/evidence/claim/ipv-before-traffickin")
    dash_duo.wait_for_contains_text("main", "No claim has the id", timeout=TIMEOUT)
    assert "claim:ipv-before-trafficking" in dash_duo.find_element("main").text


def test_citation_page_lists_the_claims_resting_on_a_study(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/evidence/citation/smith-2017")
    dash_duo.wait_for_contains_text("#citation-summary", "2 claims citing it", timeout=TIMEOUT)
    assert DOI in _hrefs(dash_duo, "#citation-meta")
    study = dash_duo.find_element("#citation-study").text
    assert "survey" in study and "n = 250" in study and "one state only" in study
    citing = dash_duo.find_element("#citation-citing")
    assert "foster-care-raises-risk" in citing.text and "shared-tactics" in citing.text
    assert "Links these claims support (6)" in dash_duo.find_element("#citation-links").text
    citing.find_element(By.LINK_TEXT, "shared-tactics").click()
    _wait_path(dash_duo, "/evidence/claim/shared-tactics")
    dash_duo.wait_for_contains_text("#claim-links", "Links it supports (5)", timeout=TIMEOUT)


def test_source_document_page_lists_what_was_stated_in_it(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/evidence/citation/cite:doc-brief")
    dash_duo.wait_for_contains_text("#citation-summary", "5 claims stated in it", timeout=TIMEOUT)
    assert "navigators-serve-youth" in dash_duo.find_element("#citation-stated").text


def test_explore_panel_of_a_citation_links_to_its_page(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    # a concept's claim cards open the claim's page
    dash_duo.wait_for_page(dash_duo.server_url + "/explore?node=risk:foster-care-placement")
    dash_duo.wait_for_contains_text("#explore-panel", "Open the claim's page", timeout=TIMEOUT)
    assert any(h.endswith("/evidence/claim/foster-care-raises-risk")
               for h in _hrefs(dash_duo, "#explore-panel"))
    dash_duo.wait_for_page(dash_duo.server_url + "/explore?node=cite:lee-2019")
    link = dash_duo.wait_for_element("#panel-evidence-page", timeout=TIMEOUT)
    link.click()
    _wait_path(dash_duo, "/evidence/citation/lee-2019")
    dash_duo.wait_for_contains_text("#citation-summary", "2 claims citing it", timeout=TIMEOUT)


def test_uroc_study_shows_method_sample_period_and_limits(dash_duo):
    from explorer.app import create_app

    dash_duo.start_server(create_app("embedded"))  # the shipped evidence base
    dash_duo.wait_for_page(dash_duo.server_url + "/evidence/citation/uroc-roundtable-2018")
    dash_duo.wait_for_contains_text("#citation-study", "Method", timeout=60)
    study = dash_duo.find_element("#citation-study").text
    for heading in ("Design", "Method", "Sample", "Period", "Analysis", "Limits"):
        assert heading in study
    assert "n = 176" in study and "2013-2016" in study
    assert "Not a prevalence study" in study
    summary = dash_duo.find_element("#citation-summary").text
    assert "claims stated in it" in summary and not summary.startswith("0 claims")


def test_table_pages_on_the_server_and_the_page_is_in_the_url(dash_duo):
    from explorer.app import create_app

    dash_duo.start_server(create_app("embedded"))  # the shipped base: several pages of claims
    dash_duo.wait_for_page(dash_duo.server_url + "/evidence?page=2")
    dash_duo.wait_for_contains_text("#ev-count", "page 2 of", timeout=60)
    rows = dash_duo.find_elements("#ev-table tbody tr")
    assert 2 <= len(rows) <= 26  # header + at most one page of claims, never the whole base
    first = rows[1].text
    dash_duo.find_element("#ev-table button.next-page").click()
    dash_duo.wait_for_contains_text("#ev-count", "page 3 of", timeout=TIMEOUT)
    WebDriverWait(dash_duo.driver, TIMEOUT).until(lambda d: "page=3" in d.current_url)
    assert dash_duo.find_elements("#ev-table tbody tr")[1].text != first
    # a filter change goes back to the first page
    dash_duo.select_dcc_dropdown("#ev-figures", "Only claims with figures")
    dash_duo.wait_for_contains_text("#ev-count", "with figures)", timeout=TIMEOUT)
    WebDriverWait(dash_duo.driver, TIMEOUT).until(lambda d: "page=" not in d.current_url)


def test_phone_width_table_scrolls_inside_its_box(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        dash_duo.wait_for_page(dash_duo.server_url + "/evidence")
        dash_duo.wait_for_contains_text("#ev-table", "foster-care-raises-risk", timeout=TIMEOUT)
        page_w, inner = dash_duo.driver.execute_script(
            "var b = document.querySelector('#ev-table');"
            "var s = b.querySelector('.dash-spreadsheet-container');"
            "return [document.documentElement.scrollWidth,"
            "        [b.clientWidth, b.scrollWidth, s.scrollWidth]];")
        assert page_w <= 390, f"the page scrolls sideways ({page_w}px)"
        box_w, box_scroll, table_w = inner
        assert box_w <= 390 and max(box_scroll, table_w) > box_w  # the table scrolls inside
        dash_duo.wait_for_page(dash_duo.server_url + "/evidence/citation/smith-2017")
        dash_duo.wait_for_contains_text("#citation-summary", "claims citing it", timeout=TIMEOUT)
        assert dash_duo.driver.execute_script(
            "return document.documentElement.scrollWidth") <= 390
    finally:
        dash_duo.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize("path", ["/evidence", "/evidence/claim/shared-tactics",
                                  "/evidence/citation/smith-2017"])
def test_evidence_pages_pass_axe(dash_duo, mini_app, axe_js, path):
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + path)
    dash_duo.wait_for_element("main h1", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("main", "shared-tactics" if path == "/evidence" else "Claim",
                                    timeout=TIMEOUT)
    bad = serious_axe_violations(dash_duo.driver, axe_js)
    assert not bad, json.dumps(bad, indent=1)
