"""Cold start, side by side in one run (issue 17 item 3): before/after ratios, medians.

``python -m benchmarks.coldstart BASE [--runs 3] [--json out.json]`` measures, each in a fresh
process (so nothing is warm in memory) and ``--runs`` times (medians reported):

* **validate + first load** of a new base (cache off): wall and CPU seconds — the "before" of
  re-opening (``validate_first_load``);
* **first open** of a new base as the CLI/explorer does it (``first_open``:
  ``NetworkxBackend.load`` with an empty cache and no SHACL marker — every check, the graph,
  and writing the base cache), with peak RSS;
* **re-open an unchanged base** (from the content-hash cache) into the embedded backend;
* **first gap matrix** (the page's default) in a fresh process: computed vs read back;
* **SPARQL store build**: rdflib graph → N-Triples → oxigraph (before) vs straight into oxigraph
  (after); **per-query overhead**: ``SparqlEngine.query`` minus pyoxigraph's own time;
* **explorer**: ``intersections serve`` → port answers, first page (200), base ready, RSS.

The machine load (``uptime``) is recorded before and after: the project's machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

_CHILD = r"""
import json, os, sys, time, resource
args = json.loads(sys.argv[1])
def rss_mib():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
def mark():
    return time.perf_counter(), time.process_time()
def since(m):
    return {"wall_s": round(time.perf_counter() - m[0], 3),
            "cpu_s": round(time.process_time() - m[1], 3)}
def proc_cpu_s(pid):  # user+system CPU of a live process (the query worker), from /proc
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
def overhead(eng):
    # SparqlEngine.query minus pyoxigraph's own time for the same query, per query (wall),
    # and in CPU (this process + the query worker) per warm query
    q = ("PREFIX int: <https://w3id.org/intersections/ontology#> "
         "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) LIMIT 20")
    q2 = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
          "SELECT ?s ?l WHERE { ?s skos:prefLabel ?l } LIMIT 50")
    res = {}
    t = time.perf_counter(); list(eng.store.query(q)); raw = time.perf_counter() - t
    t = time.perf_counter(); eng.query(q); full = time.perf_counter() - t
    res["first_query_ms"] = round((full - raw) * 1000, 1)  # includes forking the worker
    seen = {eng.last_worker}  # the worker processes that answered
    over, raw_cpu, eng_cpu = [], 0.0, 0.0
    pids = eng.worker_pids() if eng.isolate else []  # idle between queries: read once
    w0 = sum(proc_cpu_s(p) for p in pids)  # (clock ticks: per query they are too coarse)
    for text in (q, q2) * 5:
        c = time.process_time(); t = time.perf_counter()
        list(eng.store.query(text))
        raw = time.perf_counter() - t; raw_cpu += time.process_time() - c
        c = time.process_time(); t = time.perf_counter()
        eng.query(text)
        full = time.perf_counter() - t
        eng_cpu += time.process_time() - c
        seen.add(eng.last_worker)
        over.append(round((full - raw) * 1000, 1))
    eng_cpu += sum(proc_cpu_s(p) for p in pids) - w0
    res["overhead_ms"] = over
    res["overhead_cpu_ms"] = round((eng_cpu - raw_cpu) * 1000 / len(over), 1)
    res["workers"] = len(seen - {None})  # 1: the pool reused one worker for every query
    for pid in pids[:1]:  # what a worker costs beyond the pages it shares with its parent
        for line in open(f"/proc/{pid}/smaps_rollup"):
            k, _, v = line.partition(":")
            if k in ("Pss", "Private_Dirty", "Rss"):
                res["worker_" + k.lower() + "_mib"] = round(int(v.split()[0]) / 1024, 1)
    return res
out = {}
what = args["what"]
if what in ("load", "first", "reopen", "gap"):
    from loaders.evidence import load_evidence_base
    from graph.nx_backend import NetworkxBackend
    m = mark()
    if what == "load":  # a new base: parse, check, build (the cache is off in this run)
        eb = load_evidence_base(args["path"], use_cache=False)
        out["read"] = since(m)
        b = NetworkxBackend.from_evidence_base(eb)
    else:  # what the CLI and the explorer do: NetworkxBackend.load (cache hit: columns;
        # "first": an empty cache and no SHACL marker, so checks + writing the cache count)
        b = NetworkxBackend.load(args["path"])
        out["read"] = since(m)
    out["total"] = since(m)
    out["nodes"], out["links"] = b.graph.number_of_nodes(), b.graph.number_of_edges()
    out["rss_mib"] = round(rss_mib(), 1)
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            out["peak_rss_mib"] = round(int(line.split()[1]) / 1024, 1)
    if what == "gap":
        if not args.get("persisted", True):
            from loaders.basecache import Derived
            b.derived = Derived(None)
        m = mark()
        b.gap_map()
        out["gap"] = since(m)
elif what == "sparql":
    import os
    from loaders.evidence import load_evidence_base
    from loaders.rdf import records_to_graph, records_to_store
    import pyoxigraph as ox
    eb = load_evidence_base(args["path"])
    m = mark()
    g = records_to_graph(eb.nodes.values(), eb.edges.values())
    s1 = ox.Store(); s1.bulk_load(g.serialize(format="nt", encoding="utf-8"),
                                  ox.RdfFormat.N_TRIPLES)
    out["build_rdflib"] = since(m)
    del g, s1
    m = mark()
    store = records_to_store(eb.nodes.values(), eb.edges.values())
    out["build_direct"] = since(m)
    del store
    m = mark()
    from graph.sparql import SparqlEngine
    eng = SparqlEngine.from_evidence_base(eb)
    out["engine"] = since(m)
    out["triples"] = eng.triples
    out["isolated"] = eng.isolate
    out.update(overhead(eng))
elif what == "sparql_overhead":  # the SPARQL target row alone (no rdflib route: cheap at 100k)
    from loaders.evidence import load_evidence_base
    from graph.sparql import SparqlEngine
    eng = SparqlEngine.from_evidence_base(load_evidence_base(args["path"]))
    out["triples"] = eng.triples
    out["isolated"] = eng.isolate
    out.update(overhead(eng))
print(json.dumps(out))
"""


def _run_child(what: str, path: str, env: dict[str, str], **extra: Any) -> dict[str, Any]:
    args = json.dumps({"what": what, "path": path, **extra})
    proc = subprocess.run([sys.executable, "-c", _CHILD, args], env=env, capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed: {proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False
                              ).stdout.strip()
    except OSError:
        return "?"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _vm(pid: int, field: str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used: wall time on a shared machine says
    more about the other users than about us."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)
    except (OSError, IndexError, ValueError):
        return None


def _explorer(path: str, env: dict[str, str], timeout: float = 1800) -> dict[str, Any]:
    """``intersections serve``: seconds to the port answering, the first page, ready; RSS."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port),
                             "--evidence", path], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    out: dict[str, Any] = {}
    try:
        while time.perf_counter() - t0 < timeout:
            try:
                with urllib.request.urlopen(base + "/_intersections/status",  # noqa: S310
                                            timeout=30) as r:
                    status = json.loads(r.read())
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("serve exited") from None
                time.sleep(0.05)
                continue
            if "port_s" not in out:
                out["port_s"] = round(time.perf_counter() - t0, 3)
                out["port_cpu_s"] = _cpu(proc.pid)
                with urllib.request.urlopen(base + "/", timeout=60) as r:  # noqa: S310
                    r.read()
                with urllib.request.urlopen(base + "/_dash-layout", timeout=60) as r:  # noqa: S310
                    r.read()
                out["first_page_s"] = round(time.perf_counter() - t0, 3)
                out["loading_state_seen"] = bool(status.get("loading"))
            if status.get("ready") or status.get("error"):
                out["ready_s"] = round(time.perf_counter() - t0, 3)
                out["ready_cpu_s"] = _cpu(proc.pid)
                out["error"] = status.get("error")
                break
            time.sleep(0.1)
        time.sleep(1.0)  # let the background warm-up (default gap matrices) settle
        out["rss_mib"] = _vm(proc.pid, "VmRSS")
        out["peak_rss_mib"] = _vm(proc.pid, "VmHWM")
    finally:
        proc.terminate()
        proc.wait(60)
    return out


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def sparql_overhead(path: str, runs: int = 3) -> dict[str, Any]:
    """SPARQL per-query overhead (issue 17 target: < 100 ms beyond pyoxigraph's own time).

    Each run is a fresh process: open the base, build the engine, time one query through
    ``SparqlEngine.query`` (forks the pooled worker: ``first_query_ms``), then 10 warm queries,
    each minus the same query straight on the pyoxigraph store. Medians over all warm queries
    of all runs (wall ms), CPU ms per query (this process + the worker) next to it.
    """
    env = {**os.environ}
    before = _uptime()
    rows = [_run_child("sparql_overhead", path, env) for _ in range(runs)]
    return {
        "base": path, "runs": runs, "triples": rows[0]["triples"],
        "isolated": rows[0]["isolated"],
        "overhead_ms_median": _median([x for r in rows for x in r["overhead_ms"]]),
        "overhead_ms_max": max(x for r in rows for x in r["overhead_ms"]),
        "overhead_cpu_ms": _median([r["overhead_cpu_ms"] for r in rows]),
        "first_query_ms": _median([r["first_query_ms"] for r in rows]),
        "workers": max(r["workers"] for r in rows),
        **{k: _median([r[k] for r in rows if k in r]) for k in
           ("worker_rss_mib", "worker_pss_mib", "worker_private_dirty_mib")
           if any(k in r for r in rows)},
        "uptime_before": before, "uptime_after": _uptime(),
    }


def run(path: str, runs: int = 3, explorer: bool = True,
        before: bool = True) -> dict[str, Any]:
    """Every measure above, ``runs`` times each (medians); ``before=False`` leaves out the
    "before" comparisons (gap matrix computed, the SPARQL store builds, the cold explorer) —
    what ``intersections bench run`` uses for the issue-17 targets."""
    cache = tempfile.mkdtemp(prefix="intersections-coldstart-")
    env = {**os.environ, "INTERSECTIONS_CACHE_DIR": cache}
    env.pop("INTERSECTIONS_BASE_CACHE", None)
    off = {**env, "INTERSECTIONS_BASE_CACHE": "off"}
    res: dict[str, Any] = {"base": path, "runs": runs, "uptime_before": _uptime()}
    try:
        loads = [_run_child("load", path, off) for _ in range(runs)]
        firsts = []  # a user's first open of a new base: checks, graph AND writing the cache
        for _ in range(runs):
            fresh = tempfile.mkdtemp(prefix="first-", dir=cache)
            firsts.append(_run_child("first", path, {**env, "INTERSECTIONS_CACHE_DIR": fresh,
                                                     "XDG_CACHE_HOME": fresh + "/xdg"}))
        _run_child("load", path, env)  # fills the cache (a first load with the cache on)
        reopens = [_run_child("reopen", path, env) for _ in range(runs)]
        gap_before = [_run_child("gap", path, env, persisted=False)
                      for _ in range(runs if before else 0)]
        _run_child("gap", path, env)  # persists the default gap matrix
        gap_after = [_run_child("gap", path, env) for _ in range(runs)]
        res["nodes"], res["links"] = loads[0]["nodes"], loads[0]["links"]
        for name, rows in (("validate_first_load", loads), ("first_open", firsts),
                           ("reopen", reopens)):
            res[name] = {
                "read_wall_s": _median([r["read"]["wall_s"] for r in rows]),
                "read_cpu_s": _median([r["read"]["cpu_s"] for r in rows]),
                "total_wall_s": _median([r["total"]["wall_s"] for r in rows]),
                "total_cpu_s": _median([r["total"]["cpu_s"] for r in rows]),
                "rss_mib": _median([r["rss_mib"] for r in rows]),
                "peak_rss_mib": _median([r["peak_rss_mib"] for r in rows]),
            }
        for name, rows in (("gap_computed", gap_before), ("gap_persisted", gap_after)):
            if not rows:
                continue
            res[name] = {"wall_s": _median([r["gap"]["wall_s"] for r in rows]),
                         "cpu_s": _median([r["gap"]["cpu_s"] for r in rows])}
        sparql = [_run_child("sparql", path, env) for _ in range(runs if before else 0)]
        res["sparql"] = {
            "build_rdflib_wall_s": _median([r["build_rdflib"]["wall_s"] for r in sparql]),
            "build_rdflib_cpu_s": _median([r["build_rdflib"]["cpu_s"] for r in sparql]),
            "build_direct_wall_s": _median([r["build_direct"]["wall_s"] for r in sparql]),
            "build_direct_cpu_s": _median([r["build_direct"]["cpu_s"] for r in sparql]),
            "engine_wall_s": _median([r["engine"]["wall_s"] for r in sparql]),
            "engine_cpu_s": _median([r["engine"]["cpu_s"] for r in sparql]),
            "triples": sparql[0]["triples"], "isolated": sparql[0]["isolated"],
            "overhead_ms_median": _median([x for r in sparql for x in r["overhead_ms"]]),
            "overhead_ms_max": max(x for r in sparql for x in r["overhead_ms"]),
            "overhead_cpu_ms": _median([r["overhead_cpu_ms"] for r in sparql]),
            "first_query_ms": _median([r["first_query_ms"] for r in sparql]),
        } if sparql else {}
        if explorer:
            warm = [_explorer(path, env) for _ in range(runs)]
            cold = [_explorer(path, off) for _ in range(min(runs, 1) if before else 0)]
            res["explorer_cached"] = {k: _median([w[k] for w in warm if w.get(k) is not None])
                                      for k in ("port_s", "port_cpu_s", "first_page_s", "ready_s",
                                                "ready_cpu_s", "rss_mib", "peak_rss_mib")}
            res["explorer_cached"]["loading_state_seen"] = [w["loading_state_seen"]
                                                            for w in warm]
            if cold:
                res["explorer_cold"] = cold[0]
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    res["uptime_after"] = _uptime()
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-explorer", action="store_true")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    res = run(a.base, a.runs, explorer=not a.no_explorer)
    text = json.dumps(res, indent=2)
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
