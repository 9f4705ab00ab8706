"""Run the benchmark at one scale: generate, then each section; one table, one JSON, one Markdown.

:func:`run` is what ``intersections bench run`` calls. Every issue-17 target is measured in this
one run (:mod:`benchmarks.targets` turns the result into the targets table): the embedded load
and queries, cold start (via :func:`benchmarks.coldstart.run`: first load, re-open, first gap
matrix, SPARQL overhead, explorer start), Neo4j (loads and query rounds) and explorer callbacks.
Each measurement that depends on a cold process runs in its own process; every section records
``uptime`` before and after, its wall and CPU seconds (``sections``). Sections that need a
service say why they were skipped instead of failing; a section that fails is reported as
failed and the run goes on.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.generator import generate
from benchmarks.queries import build_plan

#: every section, in the order they run
SECTIONS = ("generate", "embedded", "coldstart", "shacl", "hotspots", "neo4j", "explorer")
#: what a run measures by default: every issue-17 target (shacl and hotspots are the earlier
#: before/after measurements of issue 5; ask for them with ``--sections``)
DEFAULT_SECTIONS = ("embedded", "coldstart", "neo4j", "explorer")

#: The earlier performance issue's targets (checked at any scale; stated for 100k nodes);
#: issue 17's are in :mod:`benchmarks.targets`.
TARGETS = {
    "validate_load_s": 30.0,
    "neo4j_rels_per_s": 20_000.0,
    "neo4j_speedup": 20.0,
    "embedded_p95_ms": 50.0,
    "neo4j_p95_ms": 100.0,
    "explorer_p95_ms": 300.0,
}


@dataclass
class Options:
    """What to run; every section can be switched off."""

    nodes: int = 1_000
    seed: int = 7
    density: float = 1.0
    queries: int = 200
    #: repeats of every target measurement (medians reported); 1 for a quick look
    runs: int = 3
    workdir: Path | None = None
    neo4j: bool = True
    explorer: bool = True
    explorer_neo4j: bool = False
    shacl_full_timeout_s: float = 300.0
    per_row_sample: int = 0
    #: rows per batched Neo4j transaction; None = the loader's default (what users get)
    batch_size: int | None = None
    budget_s: float = 120.0
    phase_timeout_s: float = 3_600.0
    neo4j_env: dict[str, str] = field(default_factory=dict)
    #: sections to run; the others are reported as skipped ("not requested")
    only: tuple[str, ...] = DEFAULT_SECTIONS
    hotspot_timeout_s: float = 300.0


class PhaseFailed(RuntimeError):
    """A phase process failed; carries its stderr tail."""


def _run_phase(phase: str, args: dict[str, Any], timeout: float) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(args, f)
        args_file = f.name
    try:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.phases", phase, args_file],
                              capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "PYTHONHASHSEED": "0"})
    finally:
        os.unlink(args_file)
    if proc.returncode != 0:
        raise PhaseFailed(f"{phase} phase failed (exit {proc.returncode}):\n"
                          + proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def neo4j_settings(env: dict[str, str] | None = None) -> dict[str, str] | None:
    """NEO4J_URI / NEO4J_USERNAME / NEO4J_PASSWORD (from the server's env file when
    INTERSECTIONS_NEO4J_RUNDIR names it, else from the environment), or None."""
    e = dict(os.environ if env is None else env)
    rundir = e.get("INTERSECTIONS_NEO4J_RUNDIR", "")
    if rundir and (Path(rundir) / "neo4j.env").is_file():
        # the server's current credentials: every restart (a bulk import restarts it) writes
        # a new password there, so a shell that sourced it before holds a stale one
        e |= _env_file(Path(rundir) / "neo4j.env")
    uri = e.get("NEO4J_URI", "").strip()
    if not uri:
        return None
    return {"uri": uri, "username": e.get("NEO4J_USERNAME", "neo4j") or "neo4j",
            "password": e.get("NEO4J_PASSWORD", ""),
            # the local server's pid (scripts/neo4j/neo4j-server.sh): its CPU is reported too
            "pid": e.get("INTERSECTIONS_NEO4J_PID", ""),
            # its run dir: the bulk first load imports there (and restarts the server)
            "rundir": e.get("INTERSECTIONS_NEO4J_RUNDIR", "")}


def _env_file(path: Path) -> dict[str, str]:
    """``export K=V`` lines of a ``neo4j-server.sh`` env file."""
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.startswith("export "):
            k, _, v = line[len("export "):].partition("=")
            out[k] = v.strip().strip("'\"")
    return out


def machine_load() -> dict[str, Any]:
    """``uptime`` now: the text and the 1/5/15-minute load averages."""
    try:
        text = subprocess.run(["uptime"], capture_output=True, text=True,
                              check=False).stdout.strip()
    except OSError:
        text = ""
    try:
        avg = [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except (OSError, ValueError):
        avg = []
    return {"uptime": text, "load_avg": avg, "at": time.strftime("%H:%M:%S")}


def cpu_probe(rounds: int = 3) -> float:
    """Seconds of a fixed single-core Python workload (best of ``rounds``): integer loops,
    sorting and hashing a million short strings, JSON — what the loaders and the walk spend
    their time on. Machines of one kind differ (issue 17 saw the same generator take 4.3 s on
    one and 8.4 s on another), so each run records this to compare runs across machines."""
    import hashlib
    import json
    import random

    best = float("inf")
    for _ in range(max(1, rounds)):
        t = time.perf_counter()
        rng = random.Random(5)
        words = [f"{rng.getrandbits(40):x}-{i}" for i in range(300_000)]
        words.sort()
        h = hashlib.blake2b(digest_size=8)
        for w in words:
            h.update(w.encode())
        total = sum(i * i for i in range(1_500_000))
        text = json.dumps({w: i for i, w in enumerate(words[:100_000])})
        json.loads(text)
        assert total and h.digest()
        best = min(best, time.perf_counter() - t)
    return round(best, 3)


def _cpu_now() -> float:
    """CPU seconds of this process and of every child process it has waited for."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def section(name: str, fn: Callable[[], dict[str, Any]], sections: dict[str, Any],
            say: Callable[[str], None]) -> dict[str, Any]:
    """Run one section: its result, or ``{"failed": why}``; ``sections[name]`` gets the
    machine load before and after, wall seconds and CPU seconds (this process + children;
    a Neo4j server's own CPU is reported inside the neo4j section)."""
    before, t, c = machine_load(), time.perf_counter(), _cpu_now()
    try:
        res = fn()
    except (PhaseFailed, RuntimeError, subprocess.SubprocessError, OSError) as exc:
        say(f"{name} FAILED: {str(exc)[-500:]}")
        res = {"failed": str(exc)[-3000:]}
    sections[name] = {"load_before": before, "load_after": machine_load(),
                      "wall_s": round(time.perf_counter() - t, 2),
                      "cpu_s": round(_cpu_now() - c, 2)}
    return res


def _git_head() -> str:
    """The commit measured (with ``+dirty`` when the tree has uncommitted changes)."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True,
                               check=False).stdout.strip()
    except OSError:
        return "?"
    return (head or "?") + ("+dirty" if dirty else "")


def run(opts: Options, log: Any = None) -> dict[str, Any]:
    """Every section at one scale; returns the result document (also what the JSON holds)."""
    def say(msg: str) -> None:
        if log is not None:
            log(f"[{time.strftime('%H:%M:%S')}] {msg}")

    workdir = Path(opts.workdir or tempfile.mkdtemp(prefix="intersections-bench-"))
    base = workdir / f"synthetic-{opts.nodes}"
    runs = max(1, opts.runs)
    sections: dict[str, Any] = {}
    result: dict[str, Any] = {
        "scale": opts.nodes, "seed": opts.seed, "density": opts.density, "runs": runs,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "cpu_probe_s": cpu_probe()},
        "commit": _git_head(), "ci": os.environ.get("CI", "").lower() in {"true", "1", "yes"},
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "targets": TARGETS,
        "sections": sections,
    }

    def gen() -> dict[str, Any]:
        t = time.perf_counter()
        syn = generate(base, opts.nodes, seed=opts.seed, density=opts.density)
        return syn.to_dict() | {"seconds": round(time.perf_counter() - t, 2)}

    say(f"generating {opts.nodes:,} nodes into {base}")
    result["generate"] = section("generate", gen, sections, say)
    if "failed" in result["generate"]:  # nothing to measure without a base
        raise PhaseFailed("generate failed: " + result["generate"]["failed"])
    samples = result["generate"].pop("samples")
    plan = build_plan(samples, opts.queries)
    common = {"path": str(base), "plan": plan, "budget_s": opts.budget_s}

    def phase(name: str, args: dict[str, Any]) -> Callable[[], dict[str, Any]]:
        return lambda: _run_phase(name, args, opts.phase_timeout_s)

    def step(name: str, what: str, fn: Callable[[], dict[str, Any]]) -> None:
        if name not in opts.only:
            result[name] = {"skipped": "not requested"}
            return
        say(what)
        result[name] = section(name, fn, sections, say)

    step("embedded", "validate + load into the embedded graph, then queries",
         phase("embedded", common))
    step("coldstart", f"cold start, {runs} run(s) each in fresh processes: first load, "
         "re-open, first gap matrix, SPARQL overhead, explorer start",
         lambda: _coldstart(str(base), runs, opts.explorer))
    step("shacl", "SHACL: policy in force vs full pyshacl",
         phase("shacl", {"path": str(base), "full_timeout_s": opts.shacl_full_timeout_s}))
    step("hotspots", "hot spots: each fix before and after, same run",
         phase("hotspots", common | {"timeout_s": opts.hotspot_timeout_s}))
    want_neo4j = opts.neo4j and "neo4j" in opts.only
    creds = neo4j_settings(opts.neo4j_env or None) if want_neo4j else None
    if creds is None:
        result["neo4j"] = {"skipped": "NEO4J_URI not set" if want_neo4j else "not requested"}
    else:
        step("neo4j", ("Neo4j: per-row vs batched sample, " if opts.per_row_sample else
                       "Neo4j: ") + f"first load x{runs}, incremental x{runs}, "
             f"{runs} query round(s)",
             phase("neo4j", common | creds | {"sample": opts.per_row_sample, "runs": runs,
                                             "batch_size": opts.batch_size}))
    if not opts.explorer:
        result["explorer"] = {"skipped": "not requested"}
    else:
        ex_plan = build_plan(samples, max(10, opts.queries // 4))

        def explorer() -> dict[str, Any]:
            out = {"embedded": _run_phase("explorer", {
                "path": str(base), "plan": ex_plan, "backend": "embedded",
                "budget_s": opts.budget_s}, opts.phase_timeout_s)}
            if opts.explorer_neo4j and creds is not None and "skipped" not in result["neo4j"]:
                say("explorer callbacks over HTTP (Neo4j backend)")
                # read again: the bulk import restarted the server with a new password
                now = neo4j_settings(opts.neo4j_env or None) or creds
                out["neo4j"] = _run_phase("explorer", {
                    "path": str(base), "plan": ex_plan, "backend": "neo4j",
                    "budget_s": opts.budget_s} | now, opts.phase_timeout_s)
            return out

        step("explorer", "explorer callbacks over HTTP (embedded backend)", explorer)
    result["checks"] = check_targets(result)
    from benchmarks.targets import evaluate

    result["issue17"] = evaluate(result)
    result["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return result


def _coldstart(path: str, runs: int, explorer: bool) -> dict[str, Any]:
    """Cold-start measures of :mod:`benchmarks.coldstart` (each in a fresh process): its
    :func:`~benchmarks.coldstart.run` without the "before" comparisons, and the SPARQL
    per-query overhead of :func:`~benchmarks.coldstart.sparql_overhead` (the worker pool)."""
    import inspect

    from benchmarks import coldstart

    overhead = getattr(coldstart, "sparql_overhead", None)
    kw: dict[str, Any] = {"explorer": explorer}
    if overhead is not None and "before" in inspect.signature(coldstart.run).parameters:
        kw["before"] = False  # its SPARQL block is then measured by sparql_overhead alone
    res = coldstart.run(path, runs, **kw)
    if overhead is not None:
        res["sparql"] = res.get("sparql", {}) | overhead(path, runs)
    return res


def _p95(q: dict[str, Any], kinds: tuple[str, ...]) -> float:
    return max(q[k]["p95"] for k in kinds if k in q)


def check_targets(r: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target: measured value, limit, met or not (absent when its phase did not run)."""
    out: dict[str, dict[str, Any]] = {}

    def put(name: str, value: float, limit: float, below: bool = True) -> None:
        out[name] = {"value": round(value, 3), "limit": limit,
                     "met": value < limit if below else value >= limit}

    e = r.get("embedded") or {}
    if "validate_load_s" in e:
        put("validate_load_s", e["validate_load_s"], TARGETS["validate_load_s"])
        put("embedded_path_search_p95_ms", _p95(e["queries"], ("paths", "search")),
            TARGETS["embedded_p95_ms"])
    n = r.get("neo4j") or {}
    if "speedup_same_sample" in n:
        put("neo4j_speedup_vs_per_row", n["speedup_same_sample"], TARGETS["neo4j_speedup"],
            below=False)
    x = (r.get("explorer") or {}).get("embedded") or {}
    if "callbacks" in x:
        cbs = x["callbacks"]
        # the full gap matrix (every harm × every strategy) is reported on its own: at 100k it
        # is a table of ~10^5 cells, a different problem from callback latency
        put("explorer_p95_ms", max(c["p95"] for k, c in cbs.items() if k != "gap_matrix_full"),
            TARGETS["explorer_p95_ms"])
        if "gap_matrix_full" in cbs:
            put("explorer_full_gap_matrix_p95_ms", cbs["gap_matrix_full"]["p95"],
                TARGETS["explorer_p95_ms"])
        out["explorer_within_element_cap"] = {
            "value": max(c["max_elements"] for c in cbs.values()),
            "limit": next(iter(cbs.values()))["element_cap"],
            "met": all(c["within_cap"] for c in cbs.values())}
    return out


# ------------------------------------------------------------------------------ output
def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.1f}" if abs(v) >= 10 else f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _absent(name: str, sec: dict[str, Any], rows: list[tuple[str, str, str, str]]) -> bool:
    """Add the "skipped"/"FAILED" row of a section that did not measure; True if it did not."""
    if "skipped" in sec or "failed" in sec:
        rows.append((name, "skipped" if "skipped" in sec else "FAILED", "–",
                     sec.get("skipped", "see the JSON")))
        return True
    return False


def table_rows(r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(section, measure, value, note) rows of the one results table."""
    rows: list[tuple[str, str, str, str]] = []
    g = r["generate"]
    rows.append(("generate", "nodes / relationships", f"{g['nodes']:,} / "
                 f"{g['relationships']:,}", f"{g['files']} files, {g['bytes'] / 1e6:.1f} MB, "
                 f"{g['seconds']} s"))
    e = r["embedded"]
    if _absent("embedded", e, rows):
        e = None
    rows += [] if e is None else [
             ("embedded", "validate (parse, checks, SHACL policy) s", _fmt(e["validate_s"]), ""),
             ("embedded", "build networkx graph s", _fmt(e["graph_s"]), ""),
             ("embedded", "validate + load wall / CPU s",
              f"{_fmt(e['validate_load_s'])} / {_fmt(e.get('validate_load_cpu_s'))}",
              f"target < {TARGETS['validate_load_s']:.0f} s"),
             ("embedded", "peak memory after load MiB", _fmt(e["load_peak_mib"]), "")]
    for kind, q in (e or {}).get("queries", {}).items():
        rows.append(("embedded", f"{kind} p50 / p95 ms", f"{_fmt(q['p50'])} / {_fmt(q['p95'])}",
                     f"n={q['n']}, max {_fmt(q['max'])}"))
    c = r.get("coldstart") or {"skipped": "not run"}
    if not _absent("coldstart", c, rows):
        for key, label in (("validate_first_load", "validate + first load (cache off)"),
                           ("first_open", "a user's first open (empty cache)"),
                           ("reopen", "re-open unchanged base (cache hit)")):
            if key not in c:
                continue
            x = c[key]
            rows.append(("coldstart", f"{label} wall / CPU s", f"{_fmt(x['total_wall_s'])} / "
                         f"{_fmt(x['total_cpu_s'])}", f"RSS {_fmt(x['rss_mib'])} MiB"))
        if "gap_persisted" in c:
            x = c["gap_persisted"]
            rows.append(("coldstart", "first gap matrix, fresh process wall / CPU s",
                         f"{_fmt(x['wall_s'])} / {_fmt(x['cpu_s'])}", "persisted default"))
        if "sparql" in c:
            x = c["sparql"]
            rows.append(("coldstart", "SPARQL per-query overhead median / max ms",
                         f"{_fmt(x['overhead_ms_median'])} / {_fmt(x['overhead_ms_max'])}",
                         f"{x.get('triples', 0):,} triples, first query "
                         f"{_fmt(x.get('first_query_ms'))} ms, CPU "
                         f"{_fmt(x.get('overhead_cpu_ms'))} ms a query"))
        if "explorer_cached" in c:
            x = c["explorer_cached"]
            rows.append(("coldstart", "serve → port / first page / ready s",
                         f"{_fmt(x.get('port_s'))} / {_fmt(x.get('first_page_s'))} / "
                         f"{_fmt(x.get('ready_s'))}", f"ready CPU {_fmt(x.get('ready_cpu_s'))} "
                         f"s, RSS {_fmt(x.get('rss_mib'))} MiB"))
    s = r["shacl"]
    if not _absent("shacl", s, rows):
        full = s.get("full") or {}
        full_txt = ("skipped" if full.get("skipped") else
                    f"> {full['timed_out_after_s']:.0f} (stopped)" if full.get("seconds") is None
                    else _fmt(full["seconds"]))
        rows += [("shacl", f"policy in force s ({s['policy']})", _fmt(s["policy_s"]),
                  f"{s['policy_problems']} problems, {s['checked_entries']:,} entries"),
                 ("shacl", "full pyshacl (before) s", full_txt,
                  f"{full.get('problems', '–')} problems" if "problems" in full else "")]
    h = r.get("hotspots") or {"skipped": "not run"}
    if not _absent("hotspots", h, rows):
        pg = h["parse_gc"]
        before = (_fmt(pg["before_s"]) if pg["before_s"] is not None
                  else "> " + _fmt(pg["timeout_s"]))
        rows.append(("hotspots", "parse: GC running → paused s",
                     f"{before} → {_fmt(pg['after_s'])}", "same files, same run"))
        for fix, label in (("gc_freeze", "graph frozen out of GC"),
                           ("edges_of", "_edges_of over adjacency dicts"),
                           ("walk_filter", "paths fetch walkable links only"),
                           ("normalize_cache", "PROPOSED normalize() memoised")):
            for kind, b in h[fix]["before"].items():
                a = h[fix]["after"][kind]
                rows.append(("hotspots", f"{label}: {kind} p95 (max) ms",
                             f"{_fmt(b['p95'])} ({_fmt(b['max'])}) → "
                             f"{_fmt(a['p95'])} ({_fmt(a['max'])})", f"n={a['n']}"))
    n = r["neo4j"]
    if not _absent("neo4j", n, rows):
        for key, label in (("per_row_sample", "per-row sample"),
                           ("batched_sample", "batched sample")):
            if key in n:
                x = n[key]
                rows.append(("neo4j", f"{label} relationships/s", _fmt(x["relationships_per_s"]),
                             f"{x['relationships']:,} rels, {x['nodes']:,} nodes, "
                             f"{x['total_s']} s, batch {x['batch_size']}"))
        if "speedup_same_sample" in n:
            rows.append(("neo4j", "batched ÷ per-row (same sample)",
                         f"{n['speedup_same_sample']}×",
                         f"target ≥ {TARGETS['neo4j_speedup']:.0f}×"))
        for key, label in (("first_load", f"first load ({n['first_load']['path']})"),
                           ("incremental", "incremental reload (MERGE)")):
            x = n[key]
            rows.append(("neo4j", f"{label} relationships/s (median)",
                         _fmt(x["relationships_per_s"]),
                         f"{x.get('load_s') or x['total_s']} s wall"
                         + (f" (+ server restart {_fmt(x['runs'][0].get('restart_s'))} s in run 1)"
                            if x.get("load_s") else "")
                         + f", client CPU {x['client_cpu_s']} s, server "
                         f"CPU {_fmt(x['server_cpu_s'])} s; runs "
                         + ", ".join(_fmt(y["relationships_per_s"]) for y in x["runs"])))
        rows.append(("neo4j", "loader peak memory MiB", _fmt(n["load_peak_mib"]), ""))
        cold = n["queries"].get("cold") or {}
        for kind, q in n["queries"]["medians"].items():
            warm = (f"; warm-up pass p95 {_fmt(cold[kind]['p95'])}, max "
                    f"{_fmt(cold[kind]['max'])}" if kind in cold else "")
            rows.append(("neo4j", f"{kind} p50 / p95 ms (median of rounds)",
                         f"{_fmt(q['p50'])} / {_fmt(q['p95'])}",
                         f"n={q['n']} a round, {q['rounds']} rounds, max {_fmt(q['max'])}"
                         + warm))
    x = r["explorer"]
    if not _absent("explorer", x, rows):
        for backend, res in x.items():
            rows.append((f"explorer/{backend}", "server start s", _fmt(res["server_start_s"]),
                         f"peak RSS {_fmt(res.get('server_peak_mib'))} MiB"))
            for name, c in res["callbacks"].items():
                note = (f"n={c['n']}, first {_fmt(c['first_ms'])} ms, "
                        f"≤{c['max_bytes'] / 1e3:,.0f} kB, {c['max_elements']} elements")
                if not c["within_cap"]:
                    note += " OVER CAP"
                if c["errors"]:
                    note += f", {c['errors']} errors"
                rows.append((f"explorer/{backend}", f"{name} p50 / p95 ms",
                             f"{_fmt(c['p50'])} / {_fmt(c['p95'])}", note))
    for name, sec in (r.get("sections") or {}).items():
        rows.append((name, "section wall / CPU s", f"{_fmt(sec['wall_s'])} / "
                     f"{_fmt(sec['cpu_s'])}", "load " + " → ".join(
                         "/".join(str(v) for v in sec[k].get("load_avg", []))
                         for k in ("load_before", "load_after"))))
    return rows


def format_table(r: dict[str, Any]) -> str:
    rows = [("section", "measure", "value", "note"), *table_rows(r)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(rows[0], widths, strict=True)),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
              for row in rows[1:]]
    lines.append("")
    lines.append("earlier targets (issue 5): " + ", ".join(
        f"{k} {'met' if v['met'] else 'MISSED'} ({_fmt(v['value'])} vs {_fmt(v['limit'])})"
        for k, v in r.get("checks", {}).items()))
    from benchmarks.targets import text

    lines += ["", f"issue 17 targets (medians of {r.get('runs', 1)} run(s)):", text(r)]
    return "\n".join(lines)


def markdown_table(r: dict[str, Any]) -> str:
    """The same table as Markdown (for BENCHMARKS.md)."""
    from benchmarks.targets import _cell

    lines = ["| section | measure | value | note |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {_cell(d)} |" for a, b, c, d in table_rows(r)]
    return "\n".join(lines)


def write_json(r: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(r, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_markdown(r: dict[str, Any], path: Path) -> None:
    """The issue-17 targets table, then the full results table, as Markdown."""
    from benchmarks.targets import markdown

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown(r) + "\n### All measurements of this run\n\n"
                    + markdown_table(r) + "\n", encoding="utf-8")
