"""Run the benchmark at one scale: generate, then each phase in its own process; one table + JSON.

:func:`run` is what ``intersections bench run`` calls. Phases that need a service say why they
were skipped (no Neo4j configured) instead of failing; targets from the performance issue are
checked and printed next to the measurements.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.generator import generate
from benchmarks.queries import build_plan

SECTIONS = ("generate", "embedded", "shacl", "hotspots", "neo4j", "explorer")

#: The performance issue's targets (checked at any scale; they are stated for 100k nodes).
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
    """What to run; every phase can be switched off."""

    nodes: int = 1_000
    seed: int = 7
    density: float = 1.0
    queries: int = 200
    workdir: Path | None = None
    neo4j: bool = True
    explorer: bool = True
    explorer_neo4j: bool = False
    shacl_full_timeout_s: float = 300.0
    per_row_sample: int = 2_000
    batch_size: int = 1_000
    budget_s: float = 120.0
    phase_timeout_s: float = 1_800.0
    neo4j_env: dict[str, str] = field(default_factory=dict)
    #: sections to run (default: all); the others are reported as skipped
    only: tuple[str, ...] = ("embedded", "shacl", "hotspots", "neo4j", "explorer")
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
    """NEO4J_URI / NEO4J_USERNAME / NEO4J_PASSWORD from the environment, or None."""
    e = os.environ if env is None else env
    uri = e.get("NEO4J_URI", "").strip()
    if not uri:
        return None
    return {"uri": uri, "username": e.get("NEO4J_USERNAME", "neo4j") or "neo4j",
            "password": e.get("NEO4J_PASSWORD", "")}


def run(opts: Options, log: Any = None) -> dict[str, Any]:
    """Every phase at one scale; returns the result document (also what the JSON holds)."""
    def say(msg: str) -> None:
        if log is not None:
            log(msg)

    workdir = Path(opts.workdir or tempfile.mkdtemp(prefix="intersections-bench-"))
    base = workdir / f"synthetic-{opts.nodes}"
    result: dict[str, Any] = {
        "scale": opts.nodes, "seed": opts.seed, "density": opts.density,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "targets": TARGETS,
    }
    say(f"generating {opts.nodes:,} nodes into {base}")
    t = time.perf_counter()
    syn = generate(base, opts.nodes, seed=opts.seed, density=opts.density)
    result["generate"] = syn.to_dict() | {"seconds": round(time.perf_counter() - t, 2)}
    result["generate"].pop("samples")
    plan = build_plan(syn.samples, opts.queries)
    common = {"path": str(base), "plan": plan, "budget_s": opts.budget_s}

    if "embedded" in opts.only:
        say("validate + load into the embedded graph, then queries")
        result["embedded"] = _run_phase("embedded", common, opts.phase_timeout_s)
    else:
        result["embedded"] = {"skipped": "not requested"}
    if "shacl" in opts.only:
        say("SHACL: policy in force vs full pyshacl")
        result["shacl"] = _run_phase("shacl", {"path": str(base),
                                               "full_timeout_s": opts.shacl_full_timeout_s},
                                     opts.phase_timeout_s)
    else:
        result["shacl"] = {"skipped": "not requested"}
    if "hotspots" in opts.only:
        say("hot spots: each fix before and after, same run")
        result["hotspots"] = _run_phase("hotspots", common | {
            "timeout_s": opts.hotspot_timeout_s}, opts.phase_timeout_s)
    else:
        result["hotspots"] = {"skipped": "not requested"}
    want_neo4j = opts.neo4j and "neo4j" in opts.only
    creds = neo4j_settings(opts.neo4j_env or None) if want_neo4j else None
    if creds is None:
        result["neo4j"] = {"skipped": "NEO4J_URI not set" if want_neo4j else "not requested"}
    else:
        say("Neo4j: per-row sample, batched sample, batched full load, then queries")
        result["neo4j"] = _run_phase("neo4j", common | creds | {
            "sample": opts.per_row_sample, "batch_size": opts.batch_size},
            opts.phase_timeout_s)
    if not opts.explorer or "explorer" not in opts.only:
        result["explorer"] = {"skipped": "not requested"}
    else:
        say("explorer callbacks over HTTP (embedded backend)")
        ex_plan = build_plan(syn.samples, max(10, opts.queries // 4))
        result["explorer"] = {"embedded": _run_phase(
            "explorer", {"path": str(base), "plan": ex_plan, "backend": "embedded",
                         "budget_s": opts.budget_s}, opts.phase_timeout_s)}
        if opts.explorer_neo4j and creds is not None and "skipped" not in result["neo4j"]:
            say("explorer callbacks over HTTP (Neo4j backend)")
            result["explorer"]["neo4j"] = _run_phase(
                "explorer", {"path": str(base), "plan": ex_plan, "backend": "neo4j",
                             "budget_s": opts.budget_s} | creds, opts.phase_timeout_s)
    result["checks"] = check_targets(result)
    result["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return result


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
    if "batched_full" in n:
        put("neo4j_rels_per_s", n["batched_full"]["relationships_per_s"],
            TARGETS["neo4j_rels_per_s"], below=False)
        put("neo4j_speedup_vs_per_row", n["speedup_full_vs_per_row"],
            TARGETS["neo4j_speedup"], below=False)
        put("neo4j_path_search_p95_ms", _p95(n["queries"], ("paths", "search")),
            TARGETS["neo4j_p95_ms"])
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


def table_rows(r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(section, measure, value, note) rows of the one results table."""
    rows: list[tuple[str, str, str, str]] = []
    g = r["generate"]
    rows.append(("generate", "nodes / relationships", f"{g['nodes']:,} / "
                 f"{g['relationships']:,}", f"{g['files']} files, {g['bytes'] / 1e6:.1f} MB, "
                 f"{g['seconds']} s"))
    e = r["embedded"]
    if "skipped" in e:
        rows.append(("embedded", "skipped", "–", e["skipped"]))
        e = None
    rows += [] if e is None else [
             ("embedded", "validate (parse, checks, SHACL policy) s", _fmt(e["validate_s"]), ""),
             ("embedded", "build networkx graph s", _fmt(e["graph_s"]), ""),
             ("embedded", "validate + load s", _fmt(e["validate_load_s"]),
              f"target < {TARGETS['validate_load_s']:.0f} s"),
             ("embedded", "peak memory after load MiB", _fmt(e["load_peak_mib"]), "")]
    for kind, q in (e or {}).get("queries", {}).items():
        rows.append(("embedded", f"{kind} p50 / p95 ms", f"{_fmt(q['p50'])} / {_fmt(q['p95'])}",
                     f"n={q['n']}, max {_fmt(q['max'])}"))
    s = r["shacl"]
    if "skipped" in s:
        rows.append(("shacl", "skipped", "–", s["skipped"]))
    else:
        full = s.get("full") or {}
        full_txt = ("skipped" if full.get("skipped") else
                    f"> {full['timed_out_after_s']:.0f} (stopped)" if full.get("seconds") is None
                    else _fmt(full["seconds"]))
        rows += [("shacl", f"policy in force s ({s['policy']})", _fmt(s["policy_s"]),
                  f"{s['policy_problems']} problems, {s['checked_entries']:,} entries"),
                 ("shacl", "full pyshacl (before) s", full_txt,
                  f"{full.get('problems', '–')} problems" if "problems" in full else "")]
    h = r.get("hotspots") or {"skipped": "not run"}
    if "skipped" in h:
        rows.append(("hotspots", "skipped", "–", h["skipped"]))
    else:
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
    if "skipped" in n:
        rows.append(("neo4j", "skipped", "–", n["skipped"]))
    else:
        for key, label in (("per_row_sample", "per-row sample"),
                           ("batched_sample", "batched sample"),
                           ("batched_full", "batched full")):
            x = n[key]
            rows.append(("neo4j", f"{label} relationships/s", _fmt(x["relationships_per_s"]),
                         f"{x['relationships']:,} rels, {x['nodes']:,} nodes, "
                         f"{x['total_s']} s, batch {x['batch_size']}"))
        rows.append(("neo4j", "batched ÷ per-row (full / same sample)",
                     f"{n['speedup_full_vs_per_row']}× / {n['speedup_same_sample']}×",
                     f"target ≥ {TARGETS['neo4j_speedup']:.0f}×"))
        rows.append(("neo4j", "loader peak memory MiB", _fmt(n["load_peak_mib"]), ""))
        for kind, q in n["queries"].items():
            rows.append(("neo4j", f"{kind} p50 / p95 ms",
                         f"{_fmt(q['p50'])} / {_fmt(q['p95'])}",
                         f"n={q['n']}, max {_fmt(q['max'])}"))
        if "walk_filter_before" in n:
            b, a = n["walk_filter_before"]["paths"], n["queries"]["paths"]
            rows.append(("neo4j", "paths fetch walkable links only: p95 (max) ms",
                         f"{_fmt(b['p95'])} ({_fmt(b['max'])}) → {_fmt(a['p95'])} "
                         f"({_fmt(a['max'])})", "before → after, same run"))
    x = r["explorer"]
    if "skipped" in x:
        rows.append(("explorer", "skipped", "–", x["skipped"]))
    else:
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
    return rows


def format_table(r: dict[str, Any]) -> str:
    rows = [("section", "measure", "value", "note"), *table_rows(r)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(rows[0], widths, strict=True)),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
              for row in rows[1:]]
    lines.append("")
    lines.append("targets: " + ", ".join(
        f"{k} {'met' if v['met'] else 'MISSED'} ({_fmt(v['value'])} vs {_fmt(v['limit'])})"
        for k, v in r.get("checks", {}).items()))
    return "\n".join(lines)


def markdown_table(r: dict[str, Any]) -> str:
    """The same table as Markdown (for BENCHMARKS.md)."""
    lines = ["| section | measure | value | note |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in table_rows(r)]
    return "\n".join(lines)


def write_json(r: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(r, indent=2, sort_keys=True) + "\n", encoding="utf-8")
