"""Readable graphs, measured in headless Chromium (1440 x 900 unless said otherwise).

Each test reads the page's own Cytoscape instance (dash-cytoscape keeps it on its container as
``_cyreg.cy``) and measures what is on screen: every node label at the default zoom is at least
12 px (20 px presenting), no two labels overlap, the layouts put things where they belong,
Present stays within its steps with real key presses, and a big neighbourhood is summarised.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.keys import Keys

from benchmarks.browser import CY_JS

TIMEOUT = 30

#: JS: per visible node its on-screen label size (zoom x font-size), label box in screen px,
#: whether the whole label lies inside the canvas, and its model position.
LABELS_JS = "var cy = " + CY_JS.strip() + """; if (!cy) { return null; }
var z = cy.zoom(), w = cy.width(), h = cy.height();
return cy.nodes(':visible').filter(function (n) { return n.data('label'); }).map(function (n) {
  var b = n.renderedBoundingBox({includeNodes: false, includeEdges: false,
                                 includeLabels: true});
  return {id: n.id(), cls: n.classes().join(' '), px: z * parseFloat(n.style('font-size')),
          x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2,
          inside: b.x1 >= -1 && b.y1 >= -1 && b.x2 <= w + 1 && b.y2 <= h + 1,
          x: n.position('x'), y: n.position('y')};
});
"""


def _settled(dash_duo, min_nodes: int = 2) -> list[dict]:
    """Wait until the graph holds nodes and stops moving (layout + fit done); its labels."""
    deadline = time.time() + TIMEOUT
    last = None
    while time.time() < deadline:
        got = dash_duo.driver.execute_script(LABELS_JS)
        if got and len(got) >= min_nodes:
            key = [(g["id"], round(g["x1"]), round(g["y1"])) for g in got]
            if key == last:
                return got
            last = key
        time.sleep(0.4)
    raise AssertionError(f"graph did not settle: {last}")


def _overlaps(labels: list[dict]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            if a["x1"] < b["x2"] and b["x1"] < a["x2"] and a["y1"] < b["y2"] and b["y1"] < a["y2"]:
                out.append((a["id"], b["id"]))
    return out


def _query(dash_duo) -> dict[str, list[str]]:
    return parse_qs(urlparse(dash_duo.driver.current_url).query)


def _size(dash_duo, w: int = 1440, h: int = 900) -> None:
    dash_duo.driver.set_window_size(w, h)


def _assert_readable(labels: list[dict], floor: float) -> None:
    small = [(g["id"], round(g["px"], 1)) for g in labels if g["px"] < floor]
    assert not small, f"labels under {floor}px: {small}"
    assert not _overlaps(labels), _overlaps(labels)


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
def test_explore_labels_are_readable_and_clear_of_each_other(dash_duo, mini_app, size):
    _size(dash_duo, *size)
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/explore?node=harm:sex-trafficking")
    labels = _settled(dash_duo, 4)
    _assert_readable(labels, 12)
    centre = next(g for g in labels if g["id"] == "harm:sex-trafficking")
    assert "focus" in centre["cls"] and centre["inside"]


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
def test_paths_read_left_to_right_with_readable_labels(dash_duo, mini_app, size):
    _size(dash_duo, *size)
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/paths")
    dash_duo.wait_for_contains_text("#paths-list", "claims /", timeout=TIMEOUT)
    labels = _settled(dash_duo, 3)
    _assert_readable(labels, 12)
    start = next(g for g in labels if g["id"] == "risk:foster-care-placement")
    ends = [g for g in labels if "path-end" in g["cls"]]
    assert ends and all(e["x"] > start["x"] for e in ends)
    assert start["x"] == min(g["x"] for g in labels)


def test_intersections_put_the_harms_left_and_right_with_readable_labels(dash_duo, mini_app):
    _size(dash_duo)
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/intersections?a=harm:intimate-partner-"
                           "violence&b=harm:human-trafficking")
    dash_duo.wait_for_contains_text("#inter-lists", "Shared by both", timeout=TIMEOUT)
    labels = _settled(dash_duo, 3)
    _assert_readable(labels, 12)
    xa = next(g["x"] for g in labels if g["id"] == "harm:intimate-partner-violence")
    xb = next(g["x"] for g in labels if g["id"] == "harm:human-trafficking")
    shared = [g for g in labels if " shared" in f" {g['cls']}"]
    assert xa < xb and all(xa < g["x"] < xb for g in shared)


def _present_buttons(dash_duo, page: str) -> tuple[bool, bool]:
    prev = dash_duo.find_element(f"#{page}-present-prev")
    nxt = dash_duo.find_element(f"#{page}-present-next")
    return prev.get_attribute("disabled") is not None, nxt.get_attribute("disabled") is not None


def _press(dash_duo, key: str, times: int = 1) -> None:
    for _ in range(times):
        ActionChains(dash_duo.driver).send_keys(key).perform()
        time.sleep(0.6)


def test_present_paths_refits_every_step_and_stops_at_both_ends(dash_duo, mini_app):
    _size(dash_duo)  # presenting is for a projector: 1440 x 900
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/paths")
    dash_duo.wait_for_contains_text("#paths-list", "claims /", timeout=TIMEOUT)
    dash_duo.find_element("#paths-present-toggle").click()
    dash_duo.wait_for_contains_text("#paths-step-caption", "Start:", timeout=TIMEOUT)
    assert _present_buttons(dash_duo, "paths") == (True, False)  # Back disabled at step 0
    dash_duo.find_element("body").click()
    hops = None
    for step in range(1, 12):
        before = dash_duo.find_element("#paths-step-caption").text
        _press(dash_duo, Keys.ARROW_RIGHT)
        deadline = time.time() + TIMEOUT
        while dash_duo.find_element("#paths-step-caption").text == before and \
                time.time() < deadline and not _present_buttons(dash_duo, "paths")[1]:
            time.sleep(0.2)
        labels = _settled(dash_duo, 1)
        # every revealed label is on screen (refitted) and big enough for a room
        assert all(g["inside"] for g in labels), [g for g in labels if not g["inside"]]
        assert all(g["px"] >= 20 for g in labels), [(g["id"], g["px"]) for g in labels]
        assert not _overlaps(labels)
        if _present_buttons(dash_duo, "paths")[1]:
            hops = step
            break
    assert hops is not None, "Next never became disabled"
    caption = dash_duo.find_element("#paths-step-caption").text
    assert caption.startswith(f"Hop {hops} of {hops}")
    time.sleep(0.6)
    assert _query(dash_duo)["step"] == [str(hops)]
    _press(dash_duo, Keys.ARROW_RIGHT, 2)  # past the end: nothing moves
    assert _query(dash_duo)["step"] == [str(hops)]
    assert dash_duo.find_element("#paths-step-caption").text == caption
    _press(dash_duo, Keys.ARROW_LEFT, hops + 2)
    dash_duo.wait_for_contains_text("#paths-step-caption", "Start:", timeout=TIMEOUT)
    assert _present_buttons(dash_duo, "paths") == (True, False)
    assert "step" not in _query(dash_duo)


def test_present_step_from_an_old_url_is_clamped(dash_duo, mini_app):
    _size(dash_duo)
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/paths?present=1&step=9")
    dash_duo.wait_for_contains_text("#paths-step-caption", "Hop", timeout=TIMEOUT)
    caption = dash_duo.find_element("#paths-step-caption").text
    n = caption.split(" of ")[1].split(":")[0]
    assert caption.startswith(f"Hop {n} of {n}")
    time.sleep(1)
    assert _query(dash_duo)["step"] == [n]
    assert _present_buttons(dash_duo, "paths") == (False, True)


def test_present_intersections_every_step_readable_and_on_screen(dash_duo, mini_app):
    _size(dash_duo)
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/intersections?a=harm:intimate-partner-"
                           "violence&b=harm:human-trafficking&present=1")
    dash_duo.wait_for_contains_text("#inter-step-caption", "Step 1 of 4", timeout=TIMEOUT)
    for step in range(1, 5):
        dash_duo.wait_for_contains_text("#inter-step-caption", f"Step {step} of 4",
                                        timeout=TIMEOUT)
        labels = _settled(dash_duo, 1)
        assert all(g["inside"] for g in labels), [g for g in labels if not g["inside"]]
        _assert_readable(labels, 20)
        if step < 4:
            dash_duo.find_element("#inter-present-next").click()
    assert _present_buttons(dash_duo, "inter") == (False, True)


# --------------------------------------------------------------------------- the cap
@pytest.fixture(scope="module")
def big_base(tmp_path_factory) -> Path:
    """A generated base (about 1,500 nodes) whose hubs have more neighbours than a view draws."""
    from benchmarks.generator import generate

    out = tmp_path_factory.mktemp("big") / "base"
    generate(out, 1_500, seed=3)
    return out


@pytest.fixture
def big_app(big_base):
    """The explorer over the generated base (loaded without the SHACL pass, which is not what
    this test is about; the benchmark phase opens bases the same way)."""
    from benchmarks.browser import _app_over

    return _app_over(str(big_base))


def test_a_big_neighbourhood_is_summarised_and_a_summary_opens(dash_duo, big_app):
    from benchmarks.browser import _hub_and_neighbours
    from explorer.elements import SUMMARY_ABOVE

    big_app, backend = big_app
    hub = _hub_and_neighbours(backend, 1)[0]
    _size(dash_duo)
    dash_duo.start_server(big_app)
    dash_duo.wait_for_page(dash_duo.server_url + f"/explore?node={hub}")
    labels = _settled(dash_duo, 5)
    more = [g for g in labels if "more" in g["cls"].split()]
    real = [g for g in labels if "more" not in g["cls"].split() and g["id"] != hub]
    assert more, "no summary node for a hub with many links"
    assert len(real) <= SUMMARY_ABOVE
    _assert_readable(labels, 12)
    dash_duo.wait_for_contains_text("#explore-notes", "summarised by type", timeout=TIMEOUT)
    # a real click on the largest summary draws that type
    target = max(more, key=lambda g: int(dash_duo.driver.execute_script(
        f"var cy = {CY_JS}; return cy.getElementById(arguments[0]).data('count');", g["id"])))
    canvas = dash_duo.find_element(".graph-canvas")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", canvas)
    time.sleep(0.5)
    x, y = dash_duo.driver.execute_script(  # the node's centre in viewport coordinates
        f"var cy = {CY_JS}; var p = cy.getElementById(arguments[0]).renderedPosition();"
        "var r = cy.container().getBoundingClientRect(); return [p.x + r.left, p.y + r.top];",
        target["id"])
    actions = ActionBuilder(dash_duo.driver)
    actions.pointer_action.move_to_location(int(x), int(y)).click()
    actions.perform()
    deadline = time.time() + TIMEOUT
    while "open" not in _query(dash_duo) and time.time() < deadline:
        time.sleep(0.3)
    assert "open" in _query(dash_duo)
    time.sleep(1)
    after = _settled(dash_duo, 5)
    cat = "cat-" + target["id"].rsplit(":", 1)[1]

    def of_type(gs: list[dict]) -> int:
        return sum(1 for g in gs if cat in g["cls"].split() and "more" not in g["cls"].split())

    assert of_type(after) > of_type(labels)  # that type is now drawn (in full, or to the cap)
    _assert_readable([g for g in after if g["inside"]], 12)


def test_showing_a_neighbours_links_keeps_every_label_clear(dash_duo, mini_app):
    _size(dash_duo)
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/explore?node=risk:running-away")
    before = _settled(dash_duo, 2)
    # open a neighbour from the list (a plain link), then show its links with a real click
    dash_duo.wait_for_element("#explore-list a[href*='sel=']", timeout=TIMEOUT).click()
    dash_duo.wait_for_contains_text("#explore-panel", "Show this node's links", timeout=TIMEOUT)
    dash_duo.find_element("#explore-expand").click()
    deadline = time.time() + TIMEOUT
    while "expand" not in _query(dash_duo) and time.time() < deadline:
        time.sleep(0.3)
    after = _settled(dash_duo, len(before) + 1)
    assert len(after) > len(before)
    _assert_readable(after, 12)


# --------------------------------------------------------------------------- stated links only
def _column_text(dash_duo, side: str) -> str:
    return dash_duo.find_element(f"#inter-lists .{side}-col").text


def test_intersections_can_leave_the_curators_inferred_links_out(dash_duo):
    """On the shipped base: an item shared only through an inferred link leaves 'Shared by
    both' when 'Only links a document states' is ticked (a real key press), the URL keeps it,
    and a link with stated=1 opens that way."""
    from explorer.app import create_app
    from graph.api import open_backend

    a, b = "harm:familial-trafficking", "harm:sex-trafficking"
    g = open_backend("embedded")
    every = g.shared(a, b, None, include_broader=True)
    stated = g.shared(a, b, None, include_broader=True, include_inferred=False)
    moved = {i.node.id for i in every.shared} - {
        i.node.id for i in stated.shared}
    assert moved, "the shipped base no longer shares anything through an inferred link here"
    label = next(i.node.label for i in every.shared if i.node.id in moved)
    _size(dash_duo)
    dash_duo.start_server(create_app("embedded", None))
    dash_duo.wait_for_page(dash_duo.server_url + f"/intersections?a={a}&b={b}")
    dash_duo.wait_for_contains_text("#inter-lists .shared-col",
                                    f"Shared by both ({len(every.shared)})", timeout=TIMEOUT)
    assert label in _column_text(dash_duo, "shared")
    box = dash_duo.find_element("#inter-stated input[type='checkbox']")
    assert not box.is_selected()
    dash_duo.driver.execute_script("arguments[0].focus();", box)
    ActionChains(dash_duo.driver).send_keys(Keys.SPACE).perform()
    dash_duo.wait_for_contains_text("#inter-lists .shared-col",
                                    f"Shared by both ({len(stated.shared)})", timeout=TIMEOUT)
    assert label not in _column_text(dash_duo, "shared")
    time.sleep(0.6)
    assert _query(dash_duo).get("stated") == ["1"]
    # the graph follows: the item is no longer drawn as shared
    labels = _settled(dash_duo, 3)
    assert not [g for g in labels if g["id"] in moved and " shared" in f" {g['cls']}"]
    # a shared link opens with the box ticked and the stated-only comparison
    dash_duo.wait_for_page(dash_duo.server_url + f"/intersections?a={a}&b={b}&stated=1")
    dash_duo.wait_for_contains_text("#inter-lists .shared-col",
                                    f"Shared by both ({len(stated.shared)})", timeout=TIMEOUT)
    assert dash_duo.find_element("#inter-stated input[type='checkbox']").is_selected()
    assert label not in _column_text(dash_duo, "shared")


# --------------------------------------------------------------------------- Present on a phone
WIDE_JS = "return [document.documentElement.scrollWidth, window.innerWidth];"


@pytest.mark.parametrize("page", ["intersections", "paths", "intersections-shipped"])
def test_present_fits_a_phone_without_sideways_scrolling(dash_duo, mini_app, page):
    """At 390 x 844 every Present step is on screen whole: no sideways scrolling, every
    label inside the canvas, at least 20 px, none overlapping (fewer items per slide)."""
    from explorer.app import create_app

    _size(dash_duo, 390, 844)
    if page == "intersections-shipped":  # the shipped base: dozens of items per step
        dash_duo.start_server(create_app("embedded", None))
        url, pid = ("/intersections?a=harm:intimate-partner-violence&b=harm:sex-trafficking"
                    "&present=1"), "inter"
    else:
        dash_duo.start_server(mini_app)
    if page == "intersections-shipped":
        pass
    elif page == "intersections":
        url, pid = ("/intersections?a=harm:intimate-partner-violence&b=harm:human-trafficking"
                    "&present=1"), "inter"
    else:
        url, pid = "/paths?present=1", "paths"
    dash_duo.wait_for_page(dash_duo.server_url + url)
    dash_duo.wait_for_contains_text(f"#{pid}-step-caption", "", timeout=TIMEOUT)
    for k in range(8):
        labels = _settled(dash_duo, 1)
        scroll_w, inner_w = dash_duo.driver.execute_script(WIDE_JS)
        assert scroll_w <= inner_w, f"step {k}: page {scroll_w}px wide on a {inner_w}px screen"
        assert all(g["inside"] for g in labels), (k, [g for g in labels if not g["inside"]])
        _assert_readable(labels, 20)
        if k == 1:  # to look at: the canvas scrolled into view
            dash_duo.driver.execute_script("document.querySelector('.graph-canvas')"
                                           ".scrollIntoView({block: 'end'});")
            dash_duo.driver.save_screenshot(f"/tmp/present-phone-{page}.png")
        if _present_buttons(dash_duo, pid)[1]:
            break
        before = dash_duo.find_element(f"#{pid}-step-caption").text
        dash_duo.find_element(f"#{pid}-present-next").click()
        deadline = time.time() + TIMEOUT
        while dash_duo.find_element(f"#{pid}-step-caption").text == before and \
                time.time() < deadline:
            time.sleep(0.2)
