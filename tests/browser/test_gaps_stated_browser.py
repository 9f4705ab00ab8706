"""The gap map can leave the curators' inferred links out (issue 13 item 2), in headless
Chromium on the shipped base."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

TIMEOUT = 30


def test_gap_map_only_links_a_document_states(dash_duo):
    from explorer.app import create_app
    from graph.api import open_backend

    g = open_backend("embedded")
    every = {(c.row, c.col): c.count for c in g.gap_map("Harm", "PreventionStrategy").cells}
    stated = {(c.row, c.col): c.count for c in
              g.gap_map("Harm", "PreventionStrategy", include_inferred=False).cells}
    assert every != stated, "the shipped base has no inferred link that changes this map"
    dash_duo.start_server(create_app("embedded", None))
    dash_duo.wait_for_page(dash_duo.server_url + "/gaps")
    dash_duo.wait_for_element("#gaps-summary p", timeout=TIMEOUT)
    before = dash_duo.find_element("#gaps-summary").text
    box = dash_duo.find_element("#gaps-stated input[type='checkbox']")
    assert not box.is_selected()
    dash_duo.driver.execute_script("arguments[0].focus();", box)
    ActionChains(dash_duo.driver).send_keys(Keys.SPACE).perform()
    deadline = time.time() + TIMEOUT
    while dash_duo.find_element("#gaps-summary").text == before and time.time() < deadline:
        time.sleep(0.3)
    assert dash_duo.find_element("#gaps-summary").text != before
    time.sleep(0.6)
    assert parse_qs(urlparse(dash_duo.driver.current_url).query).get("stated") == ["1"]
    # a link with stated=1 opens with the box ticked and the stated-only map
    dash_duo.wait_for_page(dash_duo.server_url + "/gaps?stated=1")
    dash_duo.wait_for_element("#gaps-summary p", timeout=TIMEOUT)
    assert dash_duo.find_element("#gaps-stated input[type='checkbox']").is_selected()
    deadline = time.time() + TIMEOUT
    while dash_duo.find_element("#gaps-summary").text == before and time.time() < deadline:
        time.sleep(0.3)
    assert dash_duo.find_element("#gaps-summary").text != before
