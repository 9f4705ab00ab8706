"""Browser measurements for the benchmark phases: main-thread time in headless Chromium.

One place for "open this page, wait until it is drawn, say what it cost the browser":
:class:`Browser` drives the same headless Chromium as the browser tests
(:mod:`explorer.browser`) and reads Chrome DevTools Protocol ``Performance.getMetrics``
(``TaskDuration`` = main-thread time, ``ScriptDuration``, ``LayoutDuration``) plus the page's
long tasks (``PerformanceObserver('longtask')``). :func:`draw_costs` measures Cytoscape alone
(n nodes, 3n edges, the explorer's stylesheet). Numbers go to BENCHMARKS.md, never into a
timed test.
"""

from __future__ import annotations

import time
from typing import Any

from explorer.browser import chrome

#: Registers a long-task observer before any page script runs.
LONGTASK_JS = """
window.__longTasks = [];
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) { window.__longTasks.push(e.duration); });
  }).observe({entryTypes: ['longtask']});
} catch (e) {}
"""

#: JS expression: the Cytoscape instance inside ``.graph-canvas`` (dash-cytoscape keeps it
#: on its container as ``_cyreg.cy``), or null.
CY_JS = """
(function () {
  var divs = document.querySelectorAll('.graph-canvas div');
  for (var i = 0; i < divs.length; i++) {
    if (divs[i]._cyreg && divs[i]._cyreg.cy) { return divs[i]._cyreg.cy; }
  }
  return null;
})()
"""


class Browser:
    """Headless Chromium with CDP performance metrics (``with Browser() as b: ...``)."""

    def __init__(self, width: int = 1440, height: int = 900) -> None:
        self.width, self.height = width, height
        self.driver: Any = None

    def __enter__(self) -> Browser:
        self.driver = chrome(self.width, self.height)
        self.driver.set_script_timeout(600)
        self.driver.set_page_load_timeout(600)
        self.driver.execute_cdp_cmd("Performance.enable", {"timeDomain": "threadTicks"})
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                                    {"source": LONGTASK_JS})
        return self

    def __exit__(self, *exc: object) -> None:
        if self.driver is not None:
            self.driver.quit()

    def metrics(self) -> dict[str, float]:
        got = self.driver.execute_cdp_cmd("Performance.getMetrics", {})
        return {m["name"]: m["value"] for m in got["metrics"]}

    def long_tasks(self) -> list[float]:
        return list(self.driver.execute_script("return window.__longTasks || []") or [])

    def measure(self, url: str, ready_js: str, *, timeout: float = 240.0,
                poll: float = 0.25, settle: float = 2.0) -> dict[str, Any]:
        """Open ``url``; wait until ``ready_js`` (a JS expression) is truthy; report the cost.

        ``task_s`` is main-thread time (CDP TaskDuration, thread time) from navigation until
        ready plus ``settle`` seconds (the other callbacks of the page finish); ``wall_s`` the
        time until ready; ``long_task_s`` the sum of long tasks (> 50 ms, wall clock, so it
        grows when the machine is shared); ``timed_out`` / ``hung`` when the page never became
        ready or the renderer stopped answering (the figures are then lower bounds).
        """
        self.driver.get("about:blank")
        before = self.metrics()
        t0 = time.perf_counter()
        out: dict[str, Any] = {"url": url, "timed_out": False, "hung": False}
        try:
            self.driver.get(url)
            while True:
                if self.driver.execute_script(f"return !!({ready_js});"):
                    break
                if time.perf_counter() - t0 > timeout:
                    out["timed_out"] = True
                    break
                time.sleep(poll)
        except Exception as exc:  # noqa: BLE001 - a hung renderer surfaces as a timeout here
            out.update(timed_out=True, hung=True, error=type(exc).__name__)
            out["wall_s"] = round(time.perf_counter() - t0, 2)
            return out
        out["wall_s"] = round(time.perf_counter() - t0, 2)
        time.sleep(settle)
        after = self.metrics()
        for key, name in (("task_s", "TaskDuration"), ("script_s", "ScriptDuration"),
                          ("layout_s", "LayoutDuration"), ("style_s", "RecalcStyleDuration")):
            out[key] = round(after.get(name, 0.0) - before.get(name, 0.0), 3)
        lt = self.long_tasks()
        out["long_task_s"] = round(sum(lt) / 1000, 3)
        out["longest_task_s"] = round(max(lt, default=0) / 1000, 3)
        out["dom_nodes"] = self.driver.execute_script(
            "return document.getElementsByTagName('*').length")
        return out

    def cy(self, expr: str) -> Any:
        """Evaluate ``expr`` with ``cy`` bound to the page's Cytoscape instance."""
        return self.driver.execute_script(f"var cy = {CY_JS}; return cy ? ({expr}) : null;")


def cy_ready(min_nodes: int = 1) -> str:
    """JS expression: the page's graph holds at least ``min_nodes`` nodes."""
    return f"(function(){{var cy = {CY_JS}; return !!cy && cy.nodes().length >= {min_nodes};}})()"


#: JS: replace the page's graph by ``n`` labelled nodes and ``3n`` edges at preset positions,
#: then wait for two animation frames (Cytoscape draws on the next frame).
DRAW_JS = """
var n = arguments[0], done = arguments[arguments.length - 1];
var cy = %s;
var words = ['foster', 'care', 'placement', 'intimate', 'partner', 'violence', 'youth',
             'trafficking', 'runaway', 'survival', 'sex', 'coercive', 'control'];
var els = [], side = Math.ceil(Math.sqrt(n));
for (var i = 0; i < n; i++) {
  var lab = [words[i %% 13], words[(i * 7) %% 13], words[(i * 3) %% 13], 'item ' + i].join(' ');
  els.push({group: 'nodes', data: {id: 'b' + i, label: lab},
            position: {x: (i %% side) * 200, y: Math.floor(i / side) * 90},
            classes: 'cat-RiskFactor'});
}
for (var j = 0; j < 3 * n; j++) {
  var s = j %% n, t = (j * 7 + 1) %% n;
  if (s === t) { continue; }
  els.push({group: 'edges', data: {id: 'e' + j, source: 'b' + s, target: 'b' + t,
            label: 'increases risk of'}});
}
cy.elements().remove();
cy.add(els);
cy.layout({name: 'preset', fit: true, padding: 30}).run();
requestAnimationFrame(function () { requestAnimationFrame(function () {
  done(cy.nodes().length); }); });
"""


def draw_costs(browser: Browser, page_url: str, sizes: tuple[int, ...]) -> list[dict[str, Any]]:
    """Main-thread cost of drawing ``n`` nodes + ``3n`` edges in the page's own Cytoscape
    (its stylesheet, its canvas size), one size at a time on a freshly loaded page."""
    out = []
    for n in sizes:
        browser.driver.get(page_url)
        deadline = time.time() + 120
        while not browser.driver.execute_script(f"return !!({CY_JS});"):
            if time.time() > deadline:
                raise TimeoutError(f"no Cytoscape canvas on {page_url}")
            time.sleep(0.2)
        time.sleep(1.5)  # let the page's own callbacks settle first
        before = browser.metrics()
        t0 = time.perf_counter()
        drawn = browser.driver.execute_async_script(DRAW_JS % CY_JS.strip(), n)
        wall = time.perf_counter() - t0
        after = browser.metrics()
        out.append({"nodes": drawn, "edges": 3 * n,
                    "task_s": round(after["TaskDuration"] - before["TaskDuration"], 3),
                    "script_s": round(after["ScriptDuration"] - before["ScriptDuration"], 3),
                    "wall_s": round(wall, 3)})
    return out
