"""The explorer runs under its Content-Security-Policy in real Chromium (issue 14 item 6).

Every page is opened with the headers the server sends; the browser must report no CSP
violation and the page must still render and answer a callback (scripts and callbacks run).
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys

PAGES = ["/", "/explore", "/paths", "/intersections", "/gaps", "/evidence", "/query", "/about"]


def _csp_errors(dash_duo) -> list[str]:
    logs = dash_duo.driver.get_log("browser")
    return [e["message"] for e in logs
            if "Content Security Policy" in e["message"] or "Refused to" in e["message"]]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_passes_its_csp(dash_duo, mini_app, path: str) -> None:
    dash_duo.start_server(mini_app)
    dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_element("#_pages_content", timeout=20)
    dash_duo.wait_for_element("nav", timeout=20)
    dash_duo.driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    csp = dash_duo.driver.execute_script(
        "return fetch(location.href).then(r => r.headers.get('content-security-policy'))")
    assert "frame-ancestors 'none'" in csp
    assert _csp_errors(dash_duo) == []


def test_gap_map_figure_and_search_callback_run_under_csp(dash_duo, mini_app) -> None:
    dash_duo.start_server(mini_app)
    dash_duo.driver.get(dash_duo.server_url + "/gaps")
    dash_duo.wait_for_element(".js-plotly-plot, .gap-grid, #gaps-map", timeout=30)
    dash_duo.driver.get(dash_duo.server_url + "/explore")
    box = dash_duo.wait_for_element("#explore-search", timeout=20)
    box.send_keys("DMST", Keys.ENTER)
    dash_duo.wait_for_contains_text("#explore-hits", "Domestic minor sex trafficking",
                                    timeout=20)
    assert _csp_errors(dash_duo) == []
