"""Issue 13 in headless Chromium on the shipped base: lists (collections) on Explore and in
Present one per slide with arrow keys, and the Paths page paging through every destination.
Screenshots go to the pytest tmp dir (look at them when changing these views)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

TIMEOUT = 25


@pytest.fixture
def shipped_app():
    from explorer.app import create_app

    return create_app("embedded", None)


def test_red_flags_list_opens_on_explore_in_order(dash_duo, shipped_app):
    dash_duo.start_server(shipped_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/explore?node=coll:ccadv-red-flags")
    dash_duo.wait_for_contains_text("#explore-panel", "The list, in the document's order",
                                    timeout=TIMEOUT)
    items = dash_duo.find_elements("#explore-panel .collection-members li")
    assert len(items) == 14
    assert items[0].text == "Scripted or inconsistent story"


def test_lists_present_one_per_slide_with_arrow_keys(dash_duo, shipped_app, tmp_path):
    dash_duo.start_server(shipped_app)
    dash_duo.driver.set_window_size(1280, 800)
    dash_duo.wait_for_page(dash_duo.server_url + "/lists")
    dash_duo.wait_for_contains_text("#lists-body", "Screening questions", timeout=TIMEOUT)
    assert len(dash_duo.find_elements("#lists-body .list-slide")) >= 8
    dash_duo.find_element("#lists-present-toggle").click()
    dash_duo.wait_for_contains_text("#lists-step-caption", "List 1 of", timeout=TIMEOUT)
    assert len(dash_duo.find_elements("#lists-body .list-slide")) == 1
    first = dash_duo.find_element("#lists-body .list-title").text
    dash_duo.find_element("body").send_keys(Keys.ARROW_RIGHT)
    dash_duo.wait_for_contains_text("#lists-step-caption", "List 2 of", timeout=TIMEOUT)
    WebDriverWait(dash_duo.driver, TIMEOUT).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "#lists-body .list-title").text != first)
    dash_duo.driver.save_screenshot(str(tmp_path / "lists-present.png"))
    size = dash_duo.driver.execute_script(
        "return parseFloat(getComputedStyle(document.querySelector("
        "'#lists-body .collection-members li, #lists-body .collection-items li')).fontSize)")
    assert size >= 20  # readable from the back of a room
    dash_duo.find_element("body").send_keys(Keys.ARROW_LEFT)
    dash_duo.wait_for_contains_text("#lists-step-caption", "List 1 of", timeout=TIMEOUT)


def test_paths_page_pages_through_every_destination(dash_duo, shipped_app):
    dash_duo.start_server(shipped_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/paths?from=risk:foster-care-placement")
    dash_duo.wait_for_contains_text("#paths-range", "Destinations 1–8 of", timeout=TIMEOUT)
    heads = [h.text for h in dash_duo.find_elements("#paths-list h3.path-group")]
    assert "To Safe Harbor Regional Navigators" in heads
    dash_duo.find_element("#paths-next").click()
    dash_duo.wait_for_contains_text("#paths-range", "Destinations 9–", timeout=TIMEOUT)
    dash_duo.find_element("#paths-prev").click()
    dash_duo.wait_for_contains_text("#paths-range", "Destinations 1–8 of", timeout=TIMEOUT)


def test_lists_page_fits_a_phone(dash_duo, shipped_app, tmp_path):
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.start_server(shipped_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/lists?list=coll:ccadv-screening-questions")
    dash_duo.wait_for_contains_text("#lists-body", "Screening questions", timeout=TIMEOUT)
    dash_duo.find_element("#lists-present-toggle").click()
    dash_duo.wait_for_contains_text("#lists-step-caption", " of ", timeout=TIMEOUT)
    overflow = dash_duo.driver.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth")
    dash_duo.driver.save_screenshot(str(tmp_path / "lists-390.png"))
    assert overflow <= 0  # no sideways scrolling on a phone
    assert "Do you have your passport" in dash_duo.find_element("#lists-body").text
