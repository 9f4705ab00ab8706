"""Keyboard, safety, phone width, first screen and exports, in real headless Chromium.

Every key here is a real key press (selenium ActionChains / send_keys: Tab, Enter, Esc,
arrows), on every page of the explorer (issue 12 items 3, 4, 5 and 7).
"""

from __future__ import annotations

import base64
import json
import re
import struct
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

TIMEOUT = 20
#: every page, in a state that shows its controls (mini fixture ids)
PAGES = {
    "home": "/",
    "explore": "/explore?node=harm:intimate-partner-violence",
    "paths": "/paths",
    "intersections": "/intersections",
    "gaps": "/gaps",
    "evidence": "/evidence",
    "query": "/query",
    "lists": "/lists",
    "claim": "/evidence/claim/foster-care-raises-risk",
    "about": "/about",
}
NAV_NAME = {"home": "Home", "explore": "Explore", "paths": "Paths",
            "intersections": "Intersections", "gaps": "Service gaps", "evidence": "Evidence",
            "query": "Query", "lists": "Lists", "claim": "Evidence", "about": "About"}
JOURNEYS = json.loads((Path(__file__).resolve().parents[2] / "explorer" / "assets"
                       / "journeys.json").read_text(encoding="utf-8"))["journeys"]

# The element that has focus, described for assertions; its document position for ordering.
ACTIVE_JS = """
const a = document.activeElement;
if (!a || a === document.body) { return null; }
const all = Array.from(document.querySelectorAll('*'));
return {tag: a.tagName, id: a.id, cls: String(a.className || ''), pos: all.indexOf(a),
        text: (a.textContent || '').trim().slice(0, 60),
        expanded: a.getAttribute('aria-expanded')};
"""

# Contrast of the focused element's outline against what is behind it (WCAG formula).
RING_JS = """
const a = document.activeElement;
function rgba(s) {
  const m = s.match(/rgba?\\(([^)]+)\\)/); if (!m) return [0, 0, 0, 0];
  const p = m[1].split(',').map(x => parseFloat(x));
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; }
function lum(c) {
  const f = v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); }
function behind(el) { let e = el && el.parentElement;
  while (e) {
    const c = rgba(getComputedStyle(e).backgroundColor); if (c[3] > 0.5) return c;
    e = e.parentElement; }
  return [255, 255, 255, 1]; }
const cs = getComputedStyle(a);
const ring = rgba(cs.outlineColor), bg = behind(a);
const L1 = lum(ring), L2 = lum(bg);
return {style: cs.outlineStyle, width: parseFloat(cs.outlineWidth), color: cs.outlineColor,
        bg: 'rgb(' + bg.slice(0, 3).join(',') + ')',
        contrast: (Math.max(L1, L2) + 0.05) / (Math.min(L1, L2) + 0.05)};
"""


def _keys(dash_duo, *keys: str) -> None:
    ActionChains(dash_duo.driver).send_keys(*keys).perform()


def _active(dash_duo) -> dict | None:
    return dash_duo.driver.execute_script(ACTIVE_JS)


def _open(dash_duo, path: str) -> None:
    dash_duo.wait_for_page(dash_duo.server_url + path)
    dash_duo.wait_for_element("main h1", timeout=TIMEOUT)
    _settle(dash_duo)


def _settle(dash_duo, quiet: int = 3, poll: float = 0.1) -> None:
    """Wait until Dash has had no callback pending for ``quiet`` polls in a row: the page's
    first callbacks, and the ones they chain, have filled it. (A fixed 1.5 s here was ~2 min of
    the suite, which has a 25-minute CI budget; a page settles in ~0.3-0.6 s.)"""
    deadline = time.monotonic() + TIMEOUT
    calm = 0
    while calm < quiet:
        if time.monotonic() > deadline:
            raise AssertionError(f"callbacks still pending after {TIMEOUT} s on "
                                 f"{dash_duo.driver.current_url}: {dash_duo.redux_state_rqs}")
        calm = calm + 1 if dash_duo._wait_for_callbacks() else 0
        time.sleep(poll)


def _point_quick_exit_home(dash_duo) -> str:
    """The network is closed: send the quick exit to a local page we can recognise."""
    target = dash_duo.server_url + "/about?left=1"
    dash_duo.driver.execute_script(
        "document.getElementById('quick-exit').href = arguments[0];", target)
    return target


def _left(dash_duo, wait: float = 3.0) -> bool:
    deadline = time.time() + wait
    while time.time() < deadline:
        if "left=1" in dash_duo.driver.current_url:
            return True
        time.sleep(0.1)
    return False


def _tab_walk(dash_duo, limit: int = 600) -> list[dict]:
    """Press Tab from the top of the page until focus wraps; every stop, in order."""
    dash_duo.driver.execute_script("document.activeElement && document.activeElement.blur();"
                                   "window.scrollTo(0, 0);")
    stops: list[dict] = []
    for _ in range(limit):
        _keys(dash_duo, Keys.TAB)
        a = _active(dash_duo)
        if a is None or (stops and a["pos"] == stops[0]["pos"]):
            break
        a["ring"] = dash_duo.driver.execute_script(RING_JS)
        stops.append(a)
    return stops


def _viewport(dash_duo, width: int, height: int) -> None:
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


def _visible_dropdowns(dash_duo) -> list[str]:
    return dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.dash-dropdown-wrapper > button'))"
        ".filter(b => b.offsetParent !== null && !b.disabled).map(b => b.id);")


# --------------------------------------------------------------------------- item 3
@pytest.mark.parametrize("page", list(PAGES))
def test_tab_reaches_every_control_in_reading_order_with_a_visible_ring(dash_duo, mini_app,
                                                                          page):
    dash_duo.start_server(mini_app)
    _open(dash_duo, PAGES[page])
    # filters folded in <details> count too: open them with the keyboard's own action
    dash_duo.driver.execute_script(
        "document.querySelectorAll('main details').forEach(d => d.open = true)")
    time.sleep(0.3)
    assert not dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('[tabindex]'))"
        ".filter(e => parseInt(e.getAttribute('tabindex')) > 0).length"), "positive tabindex"
    stops = _tab_walk(dash_duo)
    assert 5 < len(stops) < 600, f"{len(stops)} Tab stops"
    # reading order: each Tab moves forward in the document (no jumps back)
    positions = [s["pos"] for s in stops]
    assert positions == sorted(positions), [(s["tag"], s["id"], s["text"]) for s in stops]
    # the quick exit and the main menu come first, the hotlines are reachable
    assert any(s["id"] == "quick-exit" for s in stops[:3])
    assert any("tel:" in (s["cls"] + s["text"]) or s["text"].startswith("1-8") for s in stops)
    # every visible dropdown is a Tab stop (Dash 4's hidden focus proxy is not)
    reached = {s["id"] for s in stops}
    missing = [d for d in _visible_dropdowns(dash_duo) if d not in reached]
    assert not missing, f"dropdowns Tab never reaches: {missing}"
    assert not [s for s in stops if "dash-dropdown-focus-target" in s["cls"]]
    # a visible focus ring on every stop, >= 3:1 against what surrounds it
    weak = [(s["tag"], s["id"] or s["text"], s["ring"]) for s in stops
            if s["ring"]["style"] == "none" or s["ring"]["width"] < 2
            or s["ring"]["contrast"] < 3]
    assert not weak, weak


# home, about and the claim page hold no dropdown by design (nothing to choose there), so they
# are left out rather than skipped: under CI=true the suite reports no skips
@pytest.mark.parametrize("page", [p for p in PAGES if p not in ("home", "about", "claim")])
def test_every_dropdown_opens_and_closes_from_the_keyboard(dash_duo, mini_app, page):
    dash_duo.start_server(mini_app)
    _open(dash_duo, PAGES[page])
    dash_duo.driver.execute_script(
        "document.querySelectorAll('main details').forEach(d => d.open = true)")
    target = _point_quick_exit_home(dash_duo)
    ids = _visible_dropdowns(dash_duo)
    if not ids:
        pytest.skip(f"{page} shows no dropdown in this state")
    here = dash_duo.driver.current_url
    for dd in ids:
        # reach it with Tab, open it with Enter, close it with Esc: the site stays
        dash_duo.driver.execute_script("document.activeElement.blur(); window.scrollTo(0,0)")
        for _ in range(160):
            _keys(dash_duo, Keys.TAB)
            a = _active(dash_duo)
            if a and a["id"] == dd:
                break
        else:
            pytest.fail(f"Tab never reached dropdown {dd}")
        _keys(dash_duo, Keys.ENTER)
        time.sleep(0.4)
        btn = dash_duo.find_element(f"#{dd}")
        assert btn.get_attribute("aria-expanded") == "true", dd
        assert dash_duo.driver.execute_script(
            "return !!document.querySelector('.dash-dropdown-content')"), dd
        _keys(dash_duo, Keys.ESCAPE)
        time.sleep(0.4)
        assert btn.get_attribute("aria-expanded") == "false", dd
        assert "left=1" not in dash_duo.driver.current_url, f"Esc in {dd}'s menu left the site"
        assert (_active(dash_duo) or {}).get("id") == dd, "focus returns to the dropdown"
    assert urlparse(dash_duo.driver.current_url).path == urlparse(here).path
    assert target  # the quick exit stayed pointed at the local page throughout


def test_a_dropdown_value_is_chosen_with_arrow_keys_and_enter(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    _open(dash_duo, "/intersections?a=harm:intimate-partner-violence"
                    "&b=harm:human-trafficking")
    for _ in range(60):
        _keys(dash_duo, Keys.TAB)
        if (_active(dash_duo) or {}).get("id") == "inter-via":
            break
    before = dash_duo.find_element("#inter-via").text
    _keys(dash_duo, Keys.ENTER)
    time.sleep(0.4)
    _keys(dash_duo, Keys.ARROW_DOWN)
    time.sleep(0.2)
    _keys(dash_duo, Keys.ENTER)
    dash_duo.wait_for_contains_text("#inter-lists", "Shared by both", timeout=TIMEOUT)
    time.sleep(0.8)
    after = dash_duo.find_element("#inter-via").text
    assert after and after != before
    assert parse_qs(urlparse(dash_duo.driver.current_url).query).get("via")


def test_escape_does_not_leave_while_typing_or_closing_a_menu(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    # the SPARQL editor: Esc keeps the edited query
    _open(dash_duo, "/query")
    _point_quick_exit_home(dash_duo)
    editor = dash_duo.find_element("#query-text")
    editor.click()
    editor.send_keys(Keys.END, "\n# my edit")
    editor.send_keys(Keys.ESCAPE)
    assert not _left(dash_duo, 1.5), "Esc in the query editor left the site"
    assert "# my edit" in dash_duo.find_element("#query-text").get_attribute("value")
    # a search box
    _open(dash_duo, "/explore")
    _point_quick_exit_home(dash_duo)
    box = dash_duo.find_element("#explore-search")
    box.send_keys("foster")
    box.send_keys(Keys.ESCAPE)
    assert not _left(dash_duo, 1.5), "Esc in the search box left the site"
    # an open dropdown menu: the first Esc closes it, the second (menu closed) leaves
    _open(dash_duo, "/intersections")
    _point_quick_exit_home(dash_duo)
    for _ in range(60):
        _keys(dash_duo, Keys.TAB)
        if (_active(dash_duo) or {}).get("id") == "inter-via":
            break
    _keys(dash_duo, Keys.ENTER)
    time.sleep(0.4)
    assert dash_duo.find_element("#inter-via").get_attribute("aria-expanded") == "true"
    _keys(dash_duo, Keys.ESCAPE)
    assert not _left(dash_duo, 1.5), "Esc that closed a menu left the site"
    _keys(dash_duo, Keys.ESCAPE)
    assert _left(dash_duo), "Esc on a closed dropdown button should leave"


@pytest.mark.parametrize("page", list(PAGES))
def test_escape_leaves_from_every_page_when_not_typing(dash_duo, mini_app, page):
    dash_duo.start_server(mini_app)
    _open(dash_duo, PAGES[page])
    target = _point_quick_exit_home(dash_duo)
    before = dash_duo.driver.execute_script("return history.length")
    for _ in range(4):  # skip link, quick exit, brand, first menu link
        _keys(dash_duo, Keys.TAB)
    assert (_active(dash_duo) or {}).get("tag") == "A"
    _keys(dash_duo, Keys.ESCAPE)
    assert _left(dash_duo, TIMEOUT), f"Esc did not leave {page}"
    assert dash_duo.driver.current_url == target
    # location.replace: the explorer page is not left behind in history
    assert dash_duo.driver.execute_script("return history.length") == before


@pytest.mark.parametrize("size", [(390, 844), (1440, 900)])
def test_quick_exit_is_always_on_screen(dash_duo, mini_app, size):
    dash_duo.start_server(mini_app)
    _viewport(dash_duo, *size)
    for page, path in PAGES.items():
        _open(dash_duo, path)
        for where in ("top", "bottom"):
            if where == "bottom":
                dash_duo.driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
                time.sleep(0.2)
            r = dash_duo.driver.execute_script(
                "const b = document.getElementById('quick-exit').getBoundingClientRect();"
                "return {l: b.left, t: b.top, r: b.right, b: b.bottom,"
                " w: document.documentElement.clientWidth, h: window.innerHeight,"
                " hit: document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2)"
                "      .closest('#quick-exit') !== null};")
            assert r["l"] >= 0 and r["t"] >= 0 and r["r"] <= r["w"] and r["b"] <= r["h"], \
                (page, where, size, r)
            assert r["hit"], f"something covers the quick exit on {page} ({where}, {size})"


# --------------------------------------------------------------------------- item 4
def test_no_page_scrolls_sideways_at_phone_width(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    _viewport(dash_duo, 390, 844)
    wide = {}
    for page, path in PAGES.items():
        _open(dash_duo, path)
        r = dash_duo.driver.execute_script(
            "return {sw: document.documentElement.scrollWidth,"
            " cw: document.documentElement.clientWidth, iw: window.innerWidth};")
        assert r["iw"] == 390
        if r["sw"] > r["cw"]:
            wide[page] = r
    assert not wide, wide


def test_wide_tables_scroll_inside_their_own_box(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    _viewport(dash_duo, 390, 844)
    _open(dash_duo, "/evidence")
    dash_duo.wait_for_element("#ev-table table", timeout=TIMEOUT)
    r = dash_duo.driver.execute_script("""
        const t = document.querySelector('#ev-table table');
        let box = t; while (box && box !== document.body) {
          const o = getComputedStyle(box).overflowX;
          if ((o === 'auto' || o === 'scroll') && box.scrollWidth > box.clientWidth) break;
          box = box.parentElement; }
        return {table: t.scrollWidth, boxed: box !== document.body,
                box: box.getBoundingClientRect().right, cw: document.documentElement.clientWidth};
    """)
    if r["table"] <= r["cw"]:
        pytest.skip("the evidence table fits at 390 px in this state")
    assert r["boxed"] and r["box"] <= r["cw"], r


# --------------------------------------------------------------------------- item 5
@pytest.mark.parametrize("page", list(PAGES))
def test_nav_marks_the_current_page(dash_duo, mini_app, page):
    dash_duo.start_server(mini_app)
    _open(dash_duo, PAGES[page])
    current = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.site-nav a[aria-current]'))"
        ".map(a => [a.textContent, a.getAttribute('aria-current')])")
    # a page in the menu is the "page"; the claim page sits below Evidence (its "section")
    assert current == [[NAV_NAME[page], "true" if page == "claim" else "page"]]


def test_nav_mark_follows_client_side_navigation(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    _open(dash_duo, "/")
    for name in ("Evidence", "About", "Paths"):
        link = next(a for a in dash_duo.find_elements(".site-nav a") if a.text == name)
        link.send_keys(Keys.ENTER)
        dash_duo.wait_for_contains_text("main h1", name if name != "About" else "About",
                                        timeout=TIMEOUT)
        time.sleep(0.3)
        marked = [a.text for a in dash_duo.find_elements('.site-nav a[aria-current="page"]')]
        assert marked == [name]


@pytest.mark.parametrize("journey", [j["id"] for j in JOURNEYS])
def test_home_journeys_open_the_right_page_in_the_right_state(dash_duo, mini_app, journey):
    j = next(x for x in JOURNEYS if x["id"] == journey)
    dash_duo.start_server(mini_app)
    _open(dash_duo, "/")
    for _ in range(40):  # reach the card with Tab, follow it with Enter
        _keys(dash_duo, Keys.TAB)
        if (_active(dash_duo) or {}).get("id") == f"journey-{journey}":
            break
    else:
        pytest.fail(f"Tab never reached journey {journey}")
    _keys(dash_duo, Keys.ENTER)
    want = urlparse(j["href"])
    deadline = time.time() + TIMEOUT
    while urlparse(dash_duo.driver.current_url).path != want.path and time.time() < deadline:
        time.sleep(0.1)
    dash_duo.wait_for_element("main h1", timeout=TIMEOUT)
    time.sleep(1)
    got = urlparse(dash_duo.driver.current_url)
    assert got.path == want.path
    have = parse_qs(got.query)
    for k, v in parse_qs(want.query).items():
        assert have.get(k) == v, (k, have)
    assert not dash_duo.find_elements("main .alert-error")


def test_old_explore_links_on_the_root_are_sent_to_explore(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/?node=risk:running-away")
    deadline = time.time() + TIMEOUT
    while "/explore" not in dash_duo.driver.current_url and time.time() < deadline:
        time.sleep(0.1)
    dash_duo.wait_for_contains_text("#explore-panel", "Running away", timeout=TIMEOUT)
    assert parse_qs(urlparse(dash_duo.driver.current_url).query)["node"] == \
        ["risk:running-away"]


def test_a_slow_callback_shows_a_loading_indicator(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    _open(dash_duo, "/explore")
    # a real slow network (Chromium adds 1.5 s to every request), not a patched callback
    dash_duo.driver.execute_cdp_cmd("Network.enable", {})
    dash_duo.driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1})
    dash_duo.find_element("#explore-search").send_keys("foster", Keys.ENTER)
    seen_busy = seen_marked = False
    deadline = time.time() + 6
    while time.time() < deadline and not (seen_busy and seen_marked):
        seen_busy = seen_busy or dash_duo.find_element("#busy").is_displayed()
        seen_marked = seen_marked or bool(dash_duo.find_elements(
            'main [data-dash-is-loading="true"]'))
        time.sleep(0.05)
    assert seen_busy, "no 'Working…' status while the request ran"
    assert seen_marked, "the output being recomputed was not marked as loading"
    dash_duo.wait_for_contains_text("#explore-hits", "Foster care placement", timeout=TIMEOUT)
    deadline = time.time() + TIMEOUT  # later callbacks of the chain are slow too
    while dash_duo.find_element("#busy").is_displayed() and time.time() < deadline:
        time.sleep(0.1)
    assert not dash_duo.find_element("#busy").is_displayed(), "the status never went away"
    assert dash_duo.find_element("#busy").get_attribute("role") == "status"


def test_a_query_error_replaces_the_previous_results(dash_duo, mini_app):
    dash_duo.start_server(mini_app)
    _open(dash_duo, "/query")
    dash_duo.find_element("#query-run").click()
    dash_duo.wait_for_element("#query-table table, #query-table .answer, #query-table .alert",
                              timeout=TIMEOUT)
    assert dash_duo.find_element("#query-table").text.strip()
    editor = dash_duo.find_element("#query-text")
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys("SELECT ?x WHERE { ?x ?y")  # broken SPARQL
    dash_duo.find_element("#query-run").click()
    dash_duo.wait_for_element("#query-alert .alert-error", timeout=TIMEOUT)
    time.sleep(0.3)
    assert not dash_duo.find_element("#query-table").text.strip(), "stale results stayed"
    assert not dash_duo.find_element("#query-summary").text.strip()
    # the message sits right under the editor's Run button, before where results go
    order = dash_duo.driver.execute_script(
        "const r = document.getElementById('query-run'),"
        " a = document.getElementById('query-alert'), t = document.getElementById('query-table');"
        "return [r.compareDocumentPosition(a) & 4, a.compareDocumentPosition(t) & 4];")
    assert order == [4, 4]


@pytest.mark.parametrize("page", list(PAGES))
def test_counts_are_worded_in_the_singular_and_plural(dash_duo, mini_app, page):
    dash_duo.start_server(mini_app)
    _open(dash_duo, PAGES[page])
    time.sleep(1)
    text = dash_duo.find_element("body").text
    bad = re.findall(r"\b1 (?:claims|citations|interventions|hops|links|nodes|documents)\b"
                     r"|\w\(s\)", text)
    assert not bad, bad


# --------------------------------------------------------------------------- item 7
def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_exported_svg_and_png_carry_title_key_and_source(dash_duo, mini_app, tmp_path):
    dash_duo.start_server(mini_app)
    dash_duo.driver.execute_cdp_cmd("Page.setDownloadBehavior",
                                    {"behavior": "allow", "downloadPath": str(tmp_path)})
    _open(dash_duo, "/paths?from=risk:foster-care-placement&to=Intervention")
    dash_duo.wait_for_contains_text("#paths-list", "Safe Harbor Regional Navigators",
                                    timeout=TIMEOUT)
    time.sleep(1.5)
    results = {}
    for kind in ("svg", "png"):
        dash_duo.driver.execute_script("window.intersectionsLastExport = null")
        btn = dash_duo.find_element(f'button[id*="export-{kind}"][id*="paths"]')
        btn.send_keys(Keys.ENTER)  # keyboard activation of the download button
        deadline = time.time() + TIMEOUT
        res = None
        while time.time() < deadline and not res:
            res = dash_duo.driver.execute_script("return window.intersectionsLastExport")
            time.sleep(0.2)
        assert res and not res.get("error"), res
        assert res["kind"] == kind
        results[kind] = res
    svg = results["svg"]["text"]
    assert "Paths" in svg and "<title>" in svg
    assert ">Key<" in svg and ">Intervention<" in svg and ">Risk factor<" in svg
    assert "Source: Intersections evidence base" in svg and "from = risk:foster-care-placement" \
        in svg
    assert "<polygon" in svg  # the key's swatches
    # PNG: a real PNG, taller than the graph picture by the title, key and source bands...
    png = results["png"]
    data = base64.b64decode(png["dataUrl"].split(",", 1)[1])
    w, h = _png_size(data)
    assert (w, h) == (png["width"], png["height"])
    assert png["imageTop"] > 20 and h > png["imageTop"] + png["imageHeight"] + 40
    # ...and those bands are drawn (dark pixels of text above and below the picture)
    ink = dash_duo.driver.execute_async_script("""
        const [url, top, imgH, done] = arguments;
        const img = new Image();
        img.onload = () => {
          const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
          const g = c.getContext('2d'); g.drawImage(img, 0, 0);
          const dark = (y0, y1) => { const d = g.getImageData(0, y0, c.width, y1 - y0).data;
            let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] + d[i+1] + d[i+2] < 300) n++;
            return n; };
          done({head: dark(0, top), foot: dark(top + imgH, img.height)});
        };
        img.src = url;""", png["dataUrl"], png["imageTop"], png["imageHeight"])
    assert ink["head"] > 200 and ink["foot"] > 200, ink
    # the downloads happened, with the composed content
    deadline = time.time() + TIMEOUT
    while time.time() < deadline and len(list(tmp_path.glob("intersections-paths.*"))) < 2:
        time.sleep(0.2)
    files = {p.suffix: p for p in tmp_path.glob("intersections-paths.*")}
    assert set(files) == {".svg", ".png"}, list(tmp_path.iterdir())
    assert "Source: Intersections evidence base" in files[".svg"].read_text(encoding="utf-8")
    assert _png_size(files[".png"].read_bytes()) == (w, h)


def test_a_checklist_is_a_named_group_toggled_with_space(dash_duo, mini_app):
    """Dash 4 checklists are repaired into a group of native checkboxes (no listbox/option)."""
    dash_duo.start_server(mini_app)
    _open(dash_duo, "/paths?from=risk:foster-care-placement&to=Intervention")
    box = dash_duo.find_element("#paths-stated")
    assert box.get_attribute("role") == "group"
    assert not dash_duo.find_elements("#paths-stated [role='option']")
    for _ in range(80):
        _keys(dash_duo, Keys.TAB)
        a = _active(dash_duo)
        if a and a["tag"] == "INPUT" and dash_duo.driver.execute_script(
                "return !!document.activeElement.closest('#paths-stated')"):
            break
    else:
        pytest.fail("Tab never reached the checkbox")
    _keys(dash_duo, Keys.SPACE)
    deadline = time.time() + TIMEOUT
    while "stated=" not in dash_duo.driver.current_url and time.time() < deadline:
        time.sleep(0.1)
    assert parse_qs(urlparse(dash_duo.driver.current_url).query).get("stated")
