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
        ready and then quiet (:meth:`quiet`: the page's other callbacks finish); ``wall_s`` the
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
        after = self.quiet(settle)
        for key, name in (("task_s", "TaskDuration"), ("script_s", "ScriptDuration"),
                          ("layout_s", "LayoutDuration"), ("style_s", "RecalcStyleDuration")):
            out[key] = round(after.get(name, 0.0) - before.get(name, 0.0), 3)
        lt = self.long_tasks()
        out["long_task_s"] = round(sum(lt) / 1000, 3)
        out["longest_task_s"] = round(max(lt, default=0) / 1000, 3)
        out["dom_nodes"] = self.driver.execute_script(
            "return document.getElementsByTagName('*').length")
        return out

    def quiet(self, least: float = 2.0, window: float = 0.5, most: float = 60.0
              ) -> dict[str, float]:
        """Wait at least ``least`` seconds, then until the main thread adds no task time for
        ``window`` seconds (the page's trailing callbacks and paints are done); the metrics."""
        time.sleep(least)
        t_end = time.perf_counter() + most
        last = self.metrics()
        while time.perf_counter() < t_end:
            time.sleep(window)
            now = self.metrics()
            if now.get("TaskDuration", 0.0) - last.get("TaskDuration", 0.0) < 0.01:
                return now
            last = now
        return last

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


# --------------------------------------------------------------------------- graphs phase
#: Sizes (nodes; edges = 3 x nodes) whose drawing cost :func:`graph_phase` measures.
DRAW_SIZES = (50, 100, 200, 400, 800, 1000)


def _app_over(path: str) -> Any:
    """The explorer over the base at ``path`` (embedded backend; SHACL is not what this phase
    measures, so the base is loaded without it)."""
    from explorer import state
    from explorer.app import create_app
    from graph.nx_backend import NetworkxBackend
    from loaders.evidence import load_evidence_base

    app = create_app("embedded", path)
    backend = NetworkxBackend.from_evidence_base(load_evidence_base(path, shacl=False))
    app.server.extensions[state._EXT] = {"backend": backend}
    return app, backend


def _hub_and_neighbours(backend: Any, k: int = 8) -> tuple[str, list[str], list[str]]:
    """The most linked harm-like node, its ``k`` most linked neighbours that the Explore view
    draws (others are summarised and cannot be expanded), and every ``<node>:<Type>`` summary
    of the hub and those neighbours (to open them all: the biggest view the cap allows)."""
    from explorer import elements as el

    cands = [r for c in ("Harm", "TraffickingType", "RiskFactor") for r in backend.nodes(c)]
    hub = max(cands, key=lambda r: len(backend.neighbors(r.id, limit=400)))
    view = el.neighbourhood(hub, backend.neighbors(hub.id, limit=400))
    drawn = {e["data"]["id"] for e in view.elements if el.is_node(e) and "more" not in e["data"]}
    ranked = sorted(drawn - {hub.id}, key=lambda i: (-len(backend.neighbors(i, limit=400)), i))
    chosen = ranked[:k]
    opened = sorted({f"{x}:{n.node.category}" for x in [hub.id, *chosen]
                     for n in backend.neighbors(x, limit=400)})
    return hub.id, chosen, opened


def graph_phase(args: dict[str, Any]) -> dict[str, Any]:
    """Browser phase for the graph views on the base at ``args["path"]``.

    ``draw``: Cytoscape alone, n nodes + 3n edges (:func:`draw_costs`), the figure the element
    cap comes from. ``explore``: the whole Explore page on the most linked node with 0..8 of its
    neighbours expanded (URL ``expand=``), i.e. what a user opening that view pays; each case
    ``repeat`` times (default 3), the median run reported with every run's ``task_s``.
    """
    import logging

    from explorer.browser import ServerThread
    from explorer.elements import MAX_EDGES, MAX_NODES

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app, backend = _app_over(args["path"])
    hub, nbrs, opened = _hub_and_neighbours(backend)
    out: dict[str, Any] = {"cap": {"nodes": MAX_NODES, "edges": MAX_EDGES}, "hub": hub}
    with ServerThread(app.server) as srv, Browser() as b:
        page = f"{srv.url}/explore?node={hub}"
        out["draw"] = draw_costs(b, page, tuple(args.get("sizes", DRAW_SIZES)))
        out["explore"] = []
        cases = [(n, False) for n in args.get("expansions", (0, 1, 3, 8))] + [(8, True)]
        for n_exp, open_all in cases:
            url = page + ("&expand=" + ",".join(nbrs[:n_exp]) if n_exp else "")
            if open_all:  # every summary opened: as many elements as the cap allows
                url += "&open=" + ",".join(opened)
            runs = [b.measure(url, cy_ready(2), timeout=args.get("timeout_s", 240.0))
                    for _ in range(int(args.get("repeat", 3)))]
            runs.sort(key=lambda x: x.get("task_s", float("inf")))
            r = dict(runs[len(runs) // 2])  # the median run by main-thread time
            r["task_s_all"] = [x.get("task_s") for x in runs]
            r.update(expanded=n_exp, all_summaries_opened=open_all,
                     nodes=b.cy("cy.nodes().length"),
                     edges=b.cy("cy.edges().length"),
                     summaries=b.cy("cy.nodes('.more').length"))
            r.pop("url", None)
            out["explore"].append(r)
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.browser BASE_DIR`` prints the graphs phase as JSON."""
    import json
    import sys

    args = (argv if argv is not None else sys.argv[1:])
    print(json.dumps(graph_phase({"path": args[0]}), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
