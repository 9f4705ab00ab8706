"""Explorer callback latency through Dash's own HTTP endpoint on a running server.

:func:`serve` (run in a child process) starts the real explorer app on the synthetic base;
:func:`measure` posts the same JSON the browser posts to ``/_dash-update-component`` for the
search, path and gap-matrix callbacks, timing each round trip and counting the Cytoscape
elements every response carries (the browser must never get more than the cap).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.queries import latency_stats

#: Callbacks measured: name → (an output that identifies the callback, inputs to fill).
CALLBACKS = {
    "search": "explore-hits.children",
    "neighbourhood": '{"graph":"explore","type":"graph"}.elements',
    "paths": '{"graph":"paths","type":"graph"}.elements',
    "gap_matrix_top": "gaps-figure.figure",
    "gap_matrix_full": "gaps-figure.figure",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(evidence: str, port: int, backend: str = "embedded") -> None:
    """Child-process entry: what ``intersections serve`` runs (opens the base, then serves)."""
    from explorer.serve import serve as explorer_serve

    explorer_serve("127.0.0.1", port, backend, Path(evidence) if backend == "embedded" else None)


def start(evidence: str, backend: str = "embedded", timeout: float = 600.0,
          env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    code = ("import sys; from benchmarks.explorer_http import serve; "
            f"serve({evidence!r}, {port}, {backend!r})")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("explorer exited: " + proc.stderr.read().decode()[-2000:])
        try:
            # the port answers at once; the base opens in the background: wait until it is
            # ready, so server start-up still covers opening the base
            with urllib.request.urlopen(base + "/_intersections/status", timeout=5) as r:
                status = json.loads(r.read())
            if status.get("error"):
                proc.terminate()
                raise RuntimeError(f"explorer could not open the base: {status['error']}")
            if status.get("ready"):
                with urllib.request.urlopen(base + "/_dash-layout", timeout=30):
                    return proc, base
            time.sleep(0.3)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError(f"explorer did not answer within {timeout:.0f} s")


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.loads(r.read())


def _post(url: str, body: dict[str, Any], timeout: float) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _parse_output(spec: str) -> list[dict[str, Any]]:
    """Dash's output string (``..a.x...b.y..`` for many) → [{id, property}]."""
    multi = spec.startswith("..")
    parts = spec[2:-2].split("...") if multi else [spec]
    out = []
    for p in parts:
        ident, _, prop = p.rpartition(".")
        out.append({"id": json.loads(ident) if ident.startswith("{") else ident,
                    "property": prop.split("@")[0]})
    return out


def payload(dep: dict[str, Any], values: dict[str, Any], changed: str) -> dict[str, Any]:
    """The browser's request body for one callback, inputs/state from ``values``."""
    def fill(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"id": i["id"], "property": i["property"],
                 "value": values.get(f"{i['id']}.{i['property']}")} for i in items]

    outputs = _parse_output(dep["output"])
    return {"output": dep["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": fill(dep["inputs"]), "state": fill(dep.get("state", [])),
            "changedPropIds": [changed]}


def _find(deps: list[dict[str, Any]], marker: str) -> dict[str, Any]:
    for d in deps:
        if marker in d["output"].replace(" ", "") and "@" not in d["output"].split(marker)[1][:1]:
            return d
    raise LookupError(f"no callback with output {marker}")


def count_elements(body: bytes) -> int:
    """Cytoscape elements in a callback response (0 when it has none)."""
    data = json.loads(body)
    n = 0
    for props in (data.get("response") or {}).values():
        els = props.get("elements") if isinstance(props, dict) else None
        if isinstance(els, list):
            n += len(els)
    return n


def requests_for(plan: dict[str, Any]) -> dict[str, list[tuple[dict[str, Any], str]]]:
    """(input values, changed prop) per callback, from the query plan."""
    out: dict[str, list[tuple[dict[str, Any], str]]] = {}
    out["search"] = [({"explore-search.value": t, "explore-search-go.n_clicks": 0},
                      "explore-search.value") for t in plan["search"]]
    out["neighbourhood"] = [({"explore-node.data": i, "explore-types.value": [],
                              "explore-rels.value": [], "explore-expanded.data": []},
                             "explore-node.data") for i in plan["neighbors"]]
    out["paths"] = [({"paths-from.value": p["from_id"], "paths-to.value": p["to_category"],
                      "paths-hops.value": 4, "paths-selected.data": 0,
                      "paths-present.data": False, "paths-step.data": 0},
                     "paths-from.value") for p in plan["paths"]]
    for name, top in (("gap_matrix_top", True), ("gap_matrix_full", False)):
        out[name] = [({"gaps-rows.value": c["rows"], "gaps-cols.value": c["cols"],
                       "gaps-via.value": "Intervention",
                       "gaps-top.value": "top" if top else "all",
                       "gaps-hide.value": [], "gaps-sort.value": "label",
                       "gaps-selected.data": None}, "gaps-rows.value")
                     for c in plan["coverage"] if c["top_level_only"] == top]
    return out


def measure(base: str, plan: dict[str, Any], *, max_elements: int,
            timeout: float = 120.0, budget_s: float = 90.0) -> dict[str, Any]:
    """Time every planned request; report latency, payload size, element counts and errors."""
    deps = _get(base + "/_dash-dependencies")
    url = base + "/_dash-update-component"
    result: dict[str, Any] = {}
    for name, reqs in requests_for(plan).items():
        dep = _find(deps, CALLBACKS[name])
        # first request opens the backend (validate + load) when nothing did yet
        t = time.perf_counter()
        status, body = _post(url, payload(dep, *reqs[0]), timeout=max(timeout, 600))
        first_ms = (time.perf_counter() - t) * 1000
        lat: list[float] = []
        sizes: list[int] = []
        most = count_elements(body) if status == 200 else 0
        errors = 0 if status in (200, 204) else 1
        started = time.perf_counter()
        for values, changed in reqs:
            t = time.perf_counter()
            try:
                status, body = _post(url, payload(dep, values, changed), timeout=timeout)
            except TimeoutError:
                status, body = 599, b""
            lat.append((time.perf_counter() - t) * 1000)
            if status == 200:
                sizes.append(len(body))
                most = max(most, count_elements(body))
            elif status != 204:
                errors += 1
            if time.perf_counter() - started > budget_s:
                break
        result[name] = latency_stats(lat) | {
            "first_ms": round(first_ms, 1), "errors": errors, "complete": len(lat) == len(reqs),
            "max_bytes": max(sizes, default=0),
            "p50_bytes": sorted(sizes)[len(sizes) // 2] if sizes else 0,
            "max_elements": most, "element_cap": max_elements,
            "within_cap": most <= max_elements}
    return result


def peak_rss_mib(pid: int) -> float | None:
    """Peak resident memory of a running process (VmHWM), in MiB."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None
