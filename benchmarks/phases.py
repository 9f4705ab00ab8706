"""Benchmark phases, each run in its own process so its peak memory is its own.

``python -m benchmarks.phases <phase> <args.json>`` prints one JSON object on its last stdout
line. Phases: ``embedded`` (validate + load into networkx, then the query workload),
``shacl`` (the SHACL check on its own: full pyshacl vs the policy in force), ``neo4j`` (per row
vs batched, first loads, incremental reloads, then rounds of the query workload), ``explorer``
(callbacks over HTTP) and ``hotspots`` (each earlier fix before/after).
"""

from __future__ import annotations

import json
import multiprocessing
import re
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.queries import run_plan


def peak_mib() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _since(t: float) -> float:
    return round(time.perf_counter() - t, 3)


def embedded(args: dict[str, Any]) -> dict[str, Any]:
    """Validate + load the base into the embedded graph (the real path), then run queries."""
    from graph.nx_backend import NetworkxBackend
    from loaders.evidence import load_evidence_base

    out: dict[str, Any] = {"rss_start_mib": peak_mib()}
    t, c = time.perf_counter(), time.process_time()
    eb = load_evidence_base(args["path"], use_cache=False)
    out["validate_s"] = _since(t)
    out["validate_cpu_s"] = round(time.process_time() - c, 2)
    out["validate_peak_mib"] = peak_mib()
    t2 = time.perf_counter()
    backend = NetworkxBackend.from_evidence_base(eb)
    out["graph_s"] = _since(t2)
    out["validate_load_s"] = _since(t)
    out["validate_load_cpu_s"] = round(time.process_time() - c, 2)
    out["nodes"], out["relationships"] = len(eb.nodes), len(eb.edges)
    out["load_peak_mib"] = peak_mib()
    del eb
    out["queries"] = run_plan(backend, args["plan"], budget_s=args.get("budget_s", 120.0))
    out["peak_mib"] = peak_mib()
    return out


def _full_shacl(path: str, conn: Any) -> None:
    from loaders.evidence import load_evidence_base
    from loaders.shacl import shacl_problems_full

    eb = load_evidence_base(path, shacl=False)
    t = time.perf_counter()
    problems = shacl_problems_full(eb)
    conn.send({"seconds": _since(t), "problems": len(problems), "peak_mib": peak_mib()})


def shacl(args: dict[str, Any]) -> dict[str, Any]:
    """SHACL before (pyshacl over the whole RDF form) and after (the policy in force)."""
    from loaders.evidence import load_evidence_base, paused_gc
    from loaders.shacl import SHACL_FULL_LIMIT, shacl_problems, shacl_sample

    eb = load_evidence_base(args["path"], shacl=False)
    t = time.perf_counter()
    with paused_gc():  # as inside load_evidence_base, where the check normally runs
        problems = shacl_problems(eb)
    full_policy = len(eb.nodes) <= SHACL_FULL_LIMIT
    out: dict[str, Any] = {"policy_s": _since(t), "policy_problems": len(problems),
                           "policy": "full" if full_policy else "sample",
                           "checked_entries": len(eb.nodes) if full_policy
                           else len(shacl_sample(eb))}
    limit = float(args.get("full_timeout_s", 300))
    if limit <= 0:
        out["full"] = {"skipped": True}
        return out
    parent, child = multiprocessing.Pipe(duplex=False)
    proc = multiprocessing.get_context("fork").Process(target=_full_shacl,
                                                       args=(args["path"], child))
    proc.start()
    if parent.poll(limit):
        out["full"] = parent.recv()
    else:
        out["full"] = {"seconds": None, "timed_out_after_s": limit}
    proc.terminate()
    proc.join()
    return out


def edge_sample(eb: Any, n_nodes: int) -> Any:
    """A relationship-rich slice: endpoints of links in stored order until ``n_nodes``."""
    from loaders.evidence import EvidenceBase

    keep: dict[str, None] = {}
    for s_id, _, o_id in eb.edges:
        if len(keep) >= n_nodes:
            break
        keep[s_id] = None
        keep[o_id] = None
    return EvidenceBase(nodes={k: eb.nodes[k] for k in keep},
                        edges={k: e for k, e in eb.edges.items()
                               if e.subject in keep and e.object in keep})


def _server_cpu(server: Any) -> float | None:
    """CPU seconds the local Neo4j server process has used (None when it is not local).

    ``server`` is the Bolt URI (the project's test server is found by its ``--port``, so a
    restart — the bulk import restarts it — is followed) or a pid."""
    from benchmarks.coldstart import _cpu

    pid = _server_pid(server) if isinstance(server, str) and "://" in server else server
    return _cpu(int(pid)) if pid else None


def _server_pid(uri: str) -> int | None:
    """The pid of the local ``Neo4jTestServer`` listening on the URI's port, if any."""
    port = uri.rsplit(":", 1)[-1].strip("/")
    if not port.isdigit() or not any(h in uri for h in ("127.0.0.1", "localhost")):
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"Neo4jTestServer" in cmd and b"--port" in cmd \
                and cmd[cmd.index(b"--port") + 1:cmd.index(b"--port") + 2] == [port.encode()]:
            return int(proc.name)
    return None


def _cpu_delta(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else round(after - before, 2)


def target_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan with the issue-17 kinds: paths to interventions and to claims apart (their
    costs differ ~5x) and ``coverage_full``, the gap map's default Harm × Prevention strategy
    matrix at every level."""
    from benchmarks.neo4j_compare import split_paths

    out = split_paths(plan)
    out["coverage_full"] = [c for c in plan["coverage"] if c["rows"] == "Harm"
                            and c["cols"] == "PreventionStrategy" and not c["top_level_only"]]
    return out


#: query kinds of the target rounds; ``paths_claims``/``coverage_full`` run as paths/coverage
TARGET_KINDS = ("search", "node", "neighbors", "paths", "paths_claims", "coverage_full")


def query_rounds(backend: Any, plan: dict[str, Any], rounds: int, budget_s: float,
                 server_pid: Any = None, warmup: bool = True) -> dict[str, Any]:
    """``rounds`` passes over every target kind; per kind the median of the rounds' p50, p95
    and max (``medians``), every round as measured (``rounds``), client and server CPU.

    With ``warmup`` one untimed-for-the-target pass over the same queries runs first and is
    reported apart (``cold``): right after the loads (the bulk import restarts the server) every
    query shape is planned for the first time and the server's JIT is cold. Session 5 measured
    that pass at 5.7 s of server CPU against 0.7 s for a later one (round p95 844 ms against
    78 ms), so folding it into the medians measured the restart, not the steady state. A user
    meets that cost once per query shape per server start; ``cold`` keeps it visible."""
    tplan = target_plan(plan)
    as_kind = {"paths_claims": "paths", "coverage_full": "coverage"}
    kinds = [k for k in TARGET_KINDS if tplan.get(k)]

    def one_round() -> dict[str, Any]:
        r: dict[str, Any] = {}
        for kind in kinds:
            k = as_kind.get(kind, kind)
            s0, c0 = _server_cpu(server_pid), time.process_time()
            r[kind] = run_plan(backend, {k: tplan[kind]}, (k,), budget_s)[k] | {
                "client_cpu_s": round(time.process_time() - c0, 3),
                "server_cpu_s": _cpu_delta(s0, _server_cpu(server_pid))}
        return r

    cold = one_round() if warmup else None
    per_round = [one_round() for _ in range(max(1, rounds))]
    medians = {k: {s: _median([r[k][s] for r in per_round])
                   for s in ("p50", "p95", "max", "client_cpu_s", "server_cpu_s")}
               | {"n": per_round[0][k]["n"], "results": per_round[0][k]["results"],
                  "rounds": len(per_round)} for k in kinds}
    return {"medians": medians, "rounds": per_round, "cold": cold}


def _median(values: list[Any]) -> float | None:
    vals = [v for v in values if v is not None]
    return round(statistics.median(vals), 3) if vals else None


def neo4j(args: dict[str, Any]) -> dict[str, Any]:
    """Loads and the query workload on Neo4j, every issue-17 measure in one process.

    * per row on a sample vs batched on the same sample (what batching buys; one transaction
      per row over 1M links would take hours, so only the rates compare);
    * first load into an empty database, ``runs`` times: the bulk path when the loader offers
      one, else batched ``CREATE`` over Bolt (``path`` says which);
    * incremental reload of the same content, ``runs`` times (batched ``MERGE``);
    * ``runs`` rounds of the query workload (medians of the rounds).

    Rates are relationships ÷ wall seconds of the whole load call from a parsed base (record
    collection, checks, version hash and writes); the links phase alone is noted next to it.
    Client CPU (this process) and server CPU (``INTERSECTIONS_NEO4J_PID``, when local) are
    reported with every wall time.
    """
    from graph.neo4j.backend import Neo4jBackend
    from graph.neo4j.loader import DEFAULT_BATCH_SIZE, REPLACE_ANYTHING, load_neo4j, unload_neo4j
    from graph.neo4j.settings import Neo4jSettings
    from loaders.evidence import EvidenceBase, load_evidence_base

    settings = Neo4jSettings(uri=args["uri"], username=args["username"],
                             password=args["password"])
    pid = args["uri"] if _server_pid(args["uri"]) else args.get("pid")
    runs = max(1, int(args.get("runs", 1)))
    batch_size = int(args.get("batch_size") or DEFAULT_BATCH_SIZE)
    eb = load_evidence_base(args["path"], shacl=False)

    def timed(fn: Any, n_rels: int) -> dict[str, Any]:
        marks: list[tuple[float, str]] = []
        s0, c0, t = _server_cpu(pid), time.process_time(), time.perf_counter()
        rep = fn(lambda phase, n, total: marks.append((time.perf_counter(), phase)))
        total_s = max(_since(t), 1e-9)
        out = {"total_s": round(total_s, 3), "client_cpu_s": round(time.process_time() - c0, 2),
               "server_cpu_s": _cpu_delta(s0, _server_cpu(pid)), "relationships": n_rels,
               "relationships_per_s": round(n_rels / total_s, 1)}
        if marks:
            node_end = max((m for m, ph in marks if ph.startswith("nodes")), default=t)
            link_end = max((m for m, ph in marks if ph.startswith("links")), default=node_end)
            out["links_s"] = round(link_end - node_end, 3)
            out["links_relationships_per_s"] = round(n_rels / max(link_end - node_end, 1e-9), 1)
        if hasattr(rep, "to_dict"):
            d = rep.to_dict()
            out |= {k: d[k] for k in ("mode", "batch_size", "nodes", "transactions",
                                      "first_load", "write_seconds") if k in d}
        return out

    def bolt(base: EvidenceBase, dataset: str, **kw: Any) -> dict[str, Any]:
        return timed(lambda hook: load_neo4j(base, settings, dataset=dataset,
                                             allow_removal=REPLACE_ANYTHING, on_batch=hook,
                                             **kw), len(base.edges))

    out: dict[str, Any] = {"runs": runs}
    rundir = args.get("rundir") or ""
    bulk = bool(rundir) and (Path(rundir) / "neo4j.env").is_file() and _has_bulk()
    n_sample = int(args.get("sample", 0))
    if n_sample > 0 or not bulk:
        # the benchmark owns this server: start from an empty database (the bulk import
        # replaces the whole database anyway)
        unload_neo4j(settings, dataset="evidence")
    if n_sample > 0:
        sample = edge_sample(eb, n_sample)
        out["sample_nodes"], out["sample_relationships"] = len(sample.nodes), len(sample.edges)
        out["per_row_sample"] = bolt(sample, "bench-sample", per_row=True)
        unload_neo4j(settings, dataset="bench-sample")
        out["batched_sample"] = bolt(sample, "bench-sample", batch_size=batch_size)
        unload_neo4j(settings, dataset="bench-sample")
        pr = out["per_row_sample"]["relationships_per_s"] or 1e-9
        out["speedup_same_sample"] = round(out["batched_sample"]["relationships_per_s"] / pr, 1)
        del sample
    first: list[dict[str, Any]] = []
    bulk_error = None
    if bulk:  # the import replaces the whole database
        try:
            for _ in range(runs):
                res, settings = bulk_first_load(eb, settings, rundir)
                first.append(res)
        except Exception as exc:  # noqa: BLE001 - say so, and measure the Bolt path instead
            bulk_error = f"the bulk path failed: {str(exc)[-1500:]}"
            sys.stderr.write(bulk_error + "\n")
            first, bulk = [], False
            settings = _ensure_server(rundir, settings)
    if not bulk:
        for _ in range(runs):
            unload_neo4j(settings, dataset="evidence")
            first.append(bolt(eb, "evidence", batch_size=batch_size))
    out["first_load"] = {"path": "bulk" if bulk else "bolt-create", "runs": first,
                         **_median_of(first)}
    if not bulk:
        out["first_load"]["bulk_skipped"] = bulk_error or (
            "the loader has no bulk path (graph.neo4j.bulk)" if not _has_bulk() else
            "the server's run dir is unknown (set INTERSECTIONS_NEO4J_RUNDIR to the "
            "scripts/neo4j/neo4j-server.sh run dir of the server benchmarked)")
    out["incremental"] = {"runs": [bolt(eb, "evidence", batch_size=batch_size)
                                   for _ in range(runs)]}
    out["incremental"] |= _median_of(out["incremental"]["runs"])
    out["load_peak_mib"] = peak_mib()
    del eb
    backend = Neo4jBackend.connect(settings)
    try:
        out["queries"] = query_rounds(backend, args["plan"], runs,
                                      args.get("budget_s", 120.0), pid)
    finally:
        backend.close()
    out["peak_mib"] = peak_mib()
    return out


def _median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of a load's runs: rate, wall, client and server CPU."""
    return {k: _median([r.get(k) for r in runs])
            for k in ("relationships_per_s", "total_s", "client_cpu_s", "server_cpu_s",
                      "links_relationships_per_s", "import_cpu_s", "load_s",
                      "whole_relationships_per_s", "import_tool_relationships_per_s",
                      "tool_and_finish_relationships_per_s")}


def _env_settings(rundir: str) -> Any:
    """Settings from a test server's env file (``neo4j-server.sh`` writes a new password at
    every start, and the bulk import restarts the server)."""
    from benchmarks.runner import _env_file
    from graph.neo4j.settings import Neo4jSettings

    env = _env_file(Path(rundir) / "neo4j.env")
    return Neo4jSettings(uri=env["NEO4J_URI"], username=env.get("NEO4J_USERNAME", "neo4j"),
                         password=env.get("NEO4J_PASSWORD", ""))


def _ensure_server(rundir: str, settings: Any) -> Any:
    """After a failed import: start the run dir's server again (same port) if it is down;
    its settings."""
    import os
    import subprocess

    script = Path(__file__).resolve().parents[1] / "scripts" / "neo4j" / "neo4j-server.sh"
    env = {**os.environ, "INTERSECTIONS_NEO4J_RUNDIR": rundir,
           "NEO4J_PORT": settings.uri.rsplit(":", 1)[-1].strip("/")}
    status = subprocess.run(["bash", str(script), "status"], env=env, capture_output=True,
                            text=True, check=False)
    if status.returncode != 0:
        subprocess.run(["bash", str(script), "start"], env=env, capture_output=True,
                       text=True, check=True, timeout=600)
    return _env_settings(rundir)


def _has_bulk() -> bool:
    import importlib.util

    return importlib.util.find_spec("graph.neo4j.bulk") is not None


_TOOL_STEP = re.compile(r"^(?P<name>[A-Za-z][A-Za-z ]*?) (?P<how>COMPLETED|DONE) "
                        r"in (?P<took>[0-9hms ]+)", re.MULTILINE)
_DURATION_PART = re.compile(r"(\d+)(ms|h|m|s)\b")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def import_tool_stages(log: str) -> dict[str, float]:
    """Where ``neo4j-admin database import`` spent its time, from its console log (the test
    server's ``import.log``): seconds per stage (``node_import``, ``relationship_import``,
    ``relationship_linking``, ``post_processing``) and ``import_done``, the tool's own total
    (its stages plus reading the input's size estimates first; JVM start and exit are outside
    it). Durations are the tool's ``1m 5s 23ms`` form; a line the tool did not print is
    absent."""
    out: dict[str, float] = {}
    for m in _TOOL_STEP.finditer(log):
        took = sum(int(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(m["took"]))
        key = m["name"].strip().lower().replace(" ", "_")
        out[key + ("_done" if m["how"] == "DONE" else "")] = round(took, 3)
    return out


def bulk_first_load(eb: Any, settings: Any, rundir: str) -> tuple[dict[str, Any], Any]:
    """The bulk first load as a user runs it (docs/neo4j.md), from a parsed base: write the
    import files (:func:`graph.neo4j.bulk.write_bulk_files`), ``neo4j-server.sh import`` (stop
    the server, ``neo4j-admin database import``, start it on the same port), then
    :func:`graph.neo4j.bulk.finish_bulk_import`. Returns the timings and the new settings."""
    import os
    import shutil
    import subprocess
    import tempfile

    from graph.neo4j.bulk import finish_bulk_import, write_bulk_files

    script = Path(__file__).resolve().parents[1] / "scripts" / "neo4j" / "neo4j-server.sh"
    folder = Path(tempfile.mkdtemp(prefix="bench-bulk-")) / "files"
    port = settings.uri.rsplit(":", 1)[-1].strip("/")
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        files = write_bulk_files(eb, folder)
        t1 = time.perf_counter()
        proc = subprocess.run(["bash", str(script), "import", str(folder)], text=True,
                              capture_output=True, check=False, timeout=3600,
                              env={**os.environ, "INTERSECTIONS_NEO4J_RUNDIR": rundir,
                                   "NEO4J_PORT": port})
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
            raise RuntimeError(f"neo4j-server.sh import failed: {last} — stderr tail: "
                               f"{proc.stderr[-1500:]}")
        t2 = time.perf_counter()
        tool_s = next((float(line.split()[1]) for line in proc.stdout.splitlines()
                       if line.startswith("IMPORT_SECONDS ")), None)
        log = Path(rundir) / "import.log"
        stages = import_tool_stages(log.read_text(encoding="utf-8", errors="replace")
                                    if log.is_file() else "")
        new_settings = _env_settings(rundir)
        rep = finish_bulk_import(new_settings, folder)
        t3 = time.perf_counter()
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
    kids2 = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = max(t3 - t0, 1e-9)
    rels = files.relationships
    # the load itself: writing the files, the import tool, finishing; the test server's stop
    # and restart around the tool (JVM start-up, 15-40 s) is reported apart (restart_s)
    tool = tool_s if tool_s is not None else t2 - t1
    work = (t1 - t0) + tool + (t3 - t2)
    return {"mode": rep.mode, "first_load": True, "nodes": files.nodes, "relationships": rels,
            "load_s": round(work, 3), "relationships_per_s": round(rels / work, 1),
            "total_s": round(total, 3), "whole_relationships_per_s": round(rels / total, 1),
            "files_s": round(t1 - t0, 3), "import_tool_s": tool_s,
            "restart_s": round(t2 - t1 - (tool_s or 0.0), 3), "finish_s": round(t3 - t2, 3),
            "import_tool_relationships_per_s": round(rels / tool_s, 1) if tool_s else None,
            # the engine's share: what the rate would be if the files took no time at all
            "tool_and_finish_relationships_per_s": round(rels / max(tool + t3 - t2, 1e-9), 1),
            "tool_stages": stages, "finish_steps": dict(rep.steps),
            "client_cpu_s": round(time.process_time() - c0, 2),
            # the import tool (and the script) as waited-for children; the restarted server
            # runs detached and is not in it
            "import_cpu_s": round(kids2.ru_utime + kids2.ru_stime
                                  - kids.ru_utime - kids.ru_stime, 2),
            "server_cpu_s": None}, new_settings


def explorer(args: dict[str, Any]) -> dict[str, Any]:
    """Start the explorer on the base and time its callbacks over HTTP."""
    from benchmarks import explorer_http as eh
    from explorer.elements import MAX_EDGES, MAX_NODES

    env = {}
    if args.get("backend") == "neo4j":
        env = {"NEO4J_URI": args["uri"], "NEO4J_USERNAME": args["username"],
               "NEO4J_PASSWORD": args["password"]}
    t = time.perf_counter()
    proc, base = eh.start(args["path"], args.get("backend", "embedded"), env=env)
    out: dict[str, Any] = {"backend": args.get("backend", "embedded"),
                           "server_start_s": _since(t)}
    try:
        out["callbacks"] = eh.measure(base, args["plan"], max_elements=MAX_NODES + MAX_EDGES,
                                      budget_s=args.get("budget_s", 90.0))
        out["server_peak_mib"] = eh.peak_rss_mib(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except Exception:  # noqa: BLE001 - make sure it is gone
            proc.kill()
    return out


def _edges_of_before(self: Any, ids: Any, predicates: Any = None) -> list[Any]:
    """NetworkxBackend.edges_of as it was before the fix (edge views), for before/after."""
    from graph.backend import EdgeView
    from graph.nx_backend import _EDGE_RESERVED

    g = self.graph
    seen: set[tuple[str, str, str]] = set()
    out = []
    for i in ids:
        if i not in g:
            continue
        for s, o, k, d in (*g.out_edges(i, keys=True, data=True),
                           *g.in_edges(i, keys=True, data=True)):
            if predicates is not None and k not in predicates:
                continue
            key = (s, k, o)
            if key in seen:
                continue
            seen.add(key)
            props = {x: v for x, v in d.items() if x not in _EDGE_RESERVED}
            out.append(EdgeView(s, k, o, tuple(d.get("claims") or ()), props))
    return out


def unfiltered_walk(backend: Any) -> Any:
    """Make paths() fetch every link of the frontier again, as before the walk filter
    (it then dropped claim links in _walkable); returns a function that undoes it."""
    from graph.backend import EVIDENCE_LAYER_PREDICATES, PREDICATE_BY_NAME

    walk = frozenset(PREDICATE_BY_NAME) - EVIDENCE_LAYER_PREDICATES
    original = backend.edges_of

    def edges_of(ids: Any, predicates: Any = None) -> Any:
        return original(ids, None if predicates == walk else predicates)

    backend.edges_of = edges_of

    def undo() -> None:
        backend.edges_of = original

    return undo


def _parse_gc_on(path: str, conn: Any) -> None:
    import gc

    from loaders.evidence import EvidenceBaseSource

    gc.enable()
    t = time.perf_counter()
    EvidenceBaseSource(path)._parse_all()
    conn.send(_since(t))


def hotspots(args: dict[str, Any]) -> dict[str, Any]:
    """Each fix measured before and after in this one run, on the same data and queries."""
    import gc
    import types

    from graph.nx_backend import NetworkxBackend
    from loaders.evidence import EvidenceBaseSource, load_evidence_base, paused_gc
    from loaders.writers.base import write_records
    from loaders.writers.networkx_writer import NetworkxWriter

    out: dict[str, Any] = {}
    limit = float(args.get("timeout_s", 300))
    # 1. parsing with the cyclic GC running (before) vs paused (after)
    parent, child = multiprocessing.Pipe(duplex=False)
    proc = multiprocessing.get_context("fork").Process(target=_parse_gc_on,
                                                       args=(args["path"], child))
    proc.start()
    before = parent.recv() if parent.poll(limit) else None
    proc.terminate()
    proc.join()
    with paused_gc():
        t = time.perf_counter()
        EvidenceBaseSource(args["path"])._parse_all()
        after = _since(t)
    out["parse_gc"] = {"before_s": before, "after_s": after, "timeout_s": limit}
    gc.collect()
    # 2. queries while the collector walks the whole graph (before) vs frozen graph (after)
    eb = load_evidence_base(args["path"], shacl=False)
    with paused_gc():
        backend = NetworkxBackend(write_records(eb.records(), NetworkxWriter()))
    del eb
    kinds = ("search", "neighbors", "paths")
    out["gc_freeze"] = {"before": run_plan(backend, args["plan"], kinds, args["budget_s"])}
    gc.freeze()
    out["gc_freeze"]["after"] = run_plan(backend, args["plan"], kinds, args["budget_s"])
    # 3. edges_of over edge views (before) vs over the adjacency dicts (after)
    after_fn = backend.edges_of
    backend.edges_of = types.MethodType(_edges_of_before, backend)  # type: ignore[method-assign]
    kinds = ("neighbors", "paths", "coverage")
    out["edges_of"] = {"before": run_plan(backend, args["plan"], kinds, args["budget_s"])}
    backend.edges_of = after_fn  # type: ignore[method-assign]
    out["edges_of"]["after"] = run_plan(backend, args["plan"], kinds, args["budget_s"])
    # 5 (proposed, graph/text.py is not changed here): search with normalize() memoised
    import functools

    import graph.text as text

    plain = text.normalize
    out["normalize_cache"] = {"before": run_plan(backend, args["plan"], ("search",),
                                                 args["budget_s"])}
    text.normalize = functools.lru_cache(maxsize=500_000)(plain)
    try:
        out["normalize_cache"]["after"] = run_plan(backend, args["plan"], ("search",),
                                                   args["budget_s"])
    finally:
        text.normalize = plain
    # 4. paths fetching every link of the frontier (before) vs only walkable ones (after)
    undo = unfiltered_walk(backend)
    out["walk_filter"] = {"before": run_plan(backend, args["plan"], ("paths",),
                                             args["budget_s"])}
    undo()
    out["walk_filter"]["after"] = run_plan(backend, args["plan"], ("paths",), args["budget_s"])
    return out


def graphs(args: dict[str, Any]) -> dict[str, Any]:
    """Browser phase: what drawing the graph views costs Chromium's main thread."""
    from benchmarks.browser import graph_phase

    return graph_phase(args)


def gapmap(args: dict[str, Any]) -> dict[str, Any]:
    """Browser phase: main-thread cost of opening the gap map and choosing a cell."""
    from benchmarks.browser_gapmap import run

    return run(args.get("path"), args.get("query", ""), args.get("repeats", 3),
               shacl=args.get("shacl", True))


PHASES = {"embedded": embedded, "shacl": shacl, "neo4j": neo4j, "explorer": explorer,
          "hotspots": hotspots, "graphs": graphs, "gapmap": gapmap}


def main(argv: list[str]) -> int:
    phase, args_file = argv[1], argv[2]
    args = json.loads(Path(args_file).read_text())
    result = PHASES[phase](args)
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
