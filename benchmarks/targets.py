"""Issue 17's targets, checked against one benchmark run and written as a table.

:func:`evaluate` turns a :func:`benchmarks.runner.run` result into one row per target: the
measured value (a median of the run's repeats), CPU seconds next to wall seconds where a wall time
is measured, the ratio to the limit, met or not, and the machine load while its section ran.
:func:`markdown` renders those rows for BENCHMARKS.md — the numbers there come from this, never
typed by hand. A target whose section did not run says why ("skipped: …", "failed").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: 1.2 GB (10^9 bytes) in MiB: the explorer's RSS limit at 100k
RSS_LIMIT_MIB = round(1.2e9 / 2**20, 1)


@dataclass(frozen=True)
class Measured:
    """One target's measurement: the value compared, what it is, CPU next to it."""

    value: float
    detail: str = ""
    cpu: str = ""


@dataclass(frozen=True)
class Target:
    """A limit from issue 17 and where its measurement sits in the run's result."""

    key: str
    label: str
    limit: float
    unit: str
    section: str
    measure: Callable[[dict[str, Any]], Measured | None]
    at_least: bool = False  # rates: the value must reach the limit
    inclusive: bool = False  # "≤": the limit itself is still met

    def met(self, value: float) -> bool:
        if self.at_least:
            return value >= self.limit
        return value <= self.limit if self.inclusive else value < self.limit

    @property
    def op(self) -> str:
        return "≥" if self.at_least else "≤" if self.inclusive else "<"


def _fmt(v: float | None, unit: str = "") -> str:
    if v is None:
        return "–"
    text = f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}" if abs(v) >= 10 else f"{v:,.2f}"
    return f"{text} {unit}".strip()


def _neo4j_p95(kind: str) -> Callable[[dict[str, Any]], Measured | None]:
    def get(n: dict[str, Any]) -> Measured | None:
        q = ((n.get("queries") or {}).get("medians") or {}).get(kind)
        if not q:
            return None
        rounds = [r[kind]["p95"] for r in n["queries"]["rounds"] if kind in r]
        cpu = f"client {_fmt(q.get('client_cpu_s'))} s"
        if q.get("server_cpu_s") is not None:
            cpu += f", server {_fmt(q['server_cpu_s'])} s"
        detail = (f"p50 {_fmt(q['p50'])} ms, {q['n']} queries a round; "
                  "round p95s " + ", ".join(_fmt(x) for x in rounds))
        cold = ((n["queries"].get("cold") or {}).get(kind)) or {}
        if cold:  # the warm-up pass after the loads (phases.query_rounds): shown, not a round
            detail += f"; warm-up pass after the loads p95 {_fmt(cold.get('p95'))}"
            if cold.get("server_cpu_s") is not None:
                detail += f" (server {_fmt(cold['server_cpu_s'])} s)"
        return Measured(q["p95"], detail, cpu + " a round")
    return get


_TOOL_STAGES = (("node_import", "node import"), ("relationship_import", "relationship import"),
                ("relationship_linking", "linking"), ("post_processing", "post-processing"))
_FINISH_ORDER = ("connect", "check", "schema", "indexes", "fixups", "state")


def _engine_share(load: dict[str, Any]) -> str:
    """Where run 1's import tool and finish spent their time, and the rate of those two alone
    (what the bulk path would reach if writing the files took no time): how much of a miss
    the engine's own work leaves to the files step."""
    r0 = load["runs"][0]
    parts: list[str] = []
    stages = r0.get("tool_stages") or {}
    if stages.get("import_done") is not None:
        inside = [f"{label} {_fmt(stages[k])} s" for k, label in _TOOL_STAGES if k in stages]
        before = stages["import_done"] - sum(stages.get(k, 0.0) for k, _ in _TOOL_STAGES)
        inside.append(f"reading the input first {_fmt(max(before, 0.0))} s")
        if r0.get("import_tool_s") is not None:
            outside = r0["import_tool_s"] - stages["import_done"]
            inside.append(f"JVM start + exit {_fmt(max(outside, 0.0))} s")
        parts.append("in the tool (run 1): " + ", ".join(inside))
    steps = r0.get("finish_steps") or {}
    if steps:  # the finish's own order (the JSON may have sorted the keys)
        names = sorted(steps, key=lambda k: (_FINISH_ORDER.index(k) if k in _FINISH_ORDER
                                             else len(_FINISH_ORDER), k))
        parts.append("finish: " + ", ".join(f"{k} {_fmt(steps[k])} s" for k in names))
    if load.get("tool_and_finish_relationships_per_s"):
        parts.append("the tool + finish alone (as if the files took no time) "
                     f"{_fmt(load['tool_and_finish_relationships_per_s'])}/s")
    return "".join(f"; {p}" for p in parts)


def _load_rate(key: str) -> Callable[[dict[str, Any]], Measured | None]:
    def get(n: dict[str, Any]) -> Measured | None:
        load = n.get(key)
        if not load or load.get("relationships_per_s") is None:
            return None
        runs = load["runs"]
        path = f"{load['path']}: " if "path" in load else ""
        secs = load.get("load_s") or load["total_s"]
        detail = (f"{path}{runs[0]['relationships']:,} rels in {_fmt(secs)} s; "
                  "runs " + ", ".join(_fmt(r["relationships_per_s"]) for r in runs))
        if runs[0].get("batch_size"):
            detail += f" (batches of {runs[0]['batch_size']:,})"
        if key == "incremental" and n.get("first_load", {}).get("path") == "bulk":
            detail += "; run 1 follows the import's server restart (cold page cache, JIT)"
        if load.get("links_relationships_per_s"):
            detail += f"; links phase {_fmt(load['links_relationships_per_s'])}/s"
        if load.get("import_tool_relationships_per_s"):
            r0 = runs[0]
            detail += (f" (files {_fmt(r0.get('files_s'))} s + import tool "
                       f"{_fmt(r0.get('import_tool_s'))} s + finish {_fmt(r0.get('finish_s'))} s "
                       f"in run 1); the tool alone {_fmt(load['import_tool_relationships_per_s'])}"
                       f"/s; not counted: the test server's stop + restart around the tool "
                       f"({_fmt(r0.get('restart_s'))} s in run 1) — with it "
                       f"{_fmt(load.get('whole_relationships_per_s'))}/s")
            detail += _engine_share(load)
        cpu = f"client {_fmt(load['client_cpu_s'])} s"
        if load.get("import_cpu_s") is not None:
            cpu += f", import tool {_fmt(load['import_cpu_s'])} s"
        if load.get("server_cpu_s") is not None:
            cpu += f", server {_fmt(load['server_cpu_s'])} s"
        return Measured(load["relationships_per_s"], detail, cpu)
    return get


def _cold(part: str, key: str, cpu_key: str | None,
          note: str = "") -> Callable[[dict[str, Any]], Measured | None]:
    def get(c: dict[str, Any]) -> Measured | None:
        d = c.get(part) or {}
        if d.get(key) is None:
            return None
        cpu = f"{_fmt(d[cpu_key])} s" if cpu_key and d.get(cpu_key) is not None else ""
        return Measured(d[key], note, cpu)
    return get


def _first_load_cpu(part: str, what: str) -> Callable[[dict[str, Any]], Measured | None]:
    def get(c: dict[str, Any]) -> Measured | None:
        d = c.get(part) or {}
        if d.get("total_cpu_s") is None:
            return None
        peak = f", peak {_fmt(d['peak_rss_mib'])} MiB" if d.get("peak_rss_mib") else ""
        return Measured(d["total_cpu_s"], f"wall {_fmt(d['total_wall_s'])} s, RSS "
                        f"{_fmt(d.get('rss_mib'))} MiB{peak} ({what})",
                        f"{_fmt(d['total_cpu_s'])} s")
    return get


def _sparql(c: dict[str, Any]) -> Measured | None:
    d = c.get("sparql") or {}
    if d.get("overhead_ms_median") is None:
        return None
    detail = (f"median over warm queries, max {_fmt(d.get('overhead_ms_max'))} ms; first query "
              f"(starts a worker) {_fmt(d.get('first_query_ms'))} ms; "
              f"{d.get('triples', 0):,} triples, "
              + (f"{d.get('workers', '?')} pooled worker(s)" if d.get("isolated")
                 else "in process"))
    cpu_ms = d.get("overhead_cpu_ms")
    # the worker's CPU is read in clock ticks (10 ms) around ten queries, so a difference
    # below that resolution can come out negative: say so instead of printing "-1 ms"
    cpu = ("" if cpu_ms is None else f"{_fmt(cpu_ms)} ms a query" if cpu_ms >= 0
           else "≈ 0 ms a query (below the worker clock's 10 ms tick)")
    return Measured(d["overhead_ms_median"], detail, cpu)


def _rss(c: dict[str, Any]) -> Measured | None:
    d = c.get("explorer_cached") or {}
    if d.get("rss_mib") is None:
        return None
    return Measured(d["rss_mib"], f"after the base is ready (cache warm); peak "
                    f"{_fmt(d.get('peak_rss_mib'))} MiB")


TARGETS: tuple[Target, ...] = (
    Target("neo4j_search_p95_ms", "Neo4j search p95", 100, "ms", "neo4j",
           _neo4j_p95("search")),
    Target("neo4j_paths_interventions_p95_ms", "Neo4j paths to interventions p95", 100, "ms",
           "neo4j", _neo4j_p95("paths")),
    Target("neo4j_paths_claims_p95_ms", "Neo4j paths to claims p95", 100, "ms", "neo4j",
           _neo4j_p95("paths_claims")),
    Target("neo4j_neighbours_p95_ms", "Neo4j neighbours p95", 100, "ms", "neo4j",
           _neo4j_p95("neighbors")),
    Target("neo4j_coverage_full_p95_ms", "full coverage matrix on Neo4j (p95)", 2_000, "ms",
           "neo4j", _neo4j_p95("coverage_full")),
    Target("embedded_first_gap_matrix_s", "first gap matrix embedded (fresh process)", 1,
           "s", "coldstart", _cold("gap_persisted", "wall_s", "cpu_s",
                                   "default matrix, fresh process on a known base")),
    Target("reopen_cli_s", "re-open an unchanged base (CLI path)", 5, "s", "coldstart",
           _cold("reopen", "total_wall_s", "total_cpu_s", "NetworkxBackend.load, cache hit")),
    Target("reopen_explorer_s", "re-open an unchanged base (explorer: serve → ready)", 5, "s",
           "coldstart", _cold("explorer_cached", "ready_s", "ready_cpu_s",
                              "process start to base ready, cache warm")),
    Target("first_open_cpu_s", "validate + first load of a new base (CPU): a user's first "
           "open", 30, "s CPU", "coldstart", _first_load_cpu(
               "first_open", "NetworkxBackend.load on an empty cache, no SHACL marker: parse, "
               "checks, SHACL policy, graph, writing the cache")),
    Target("validate_first_load_cpu_s", "validate + first load of a new base (CPU), cache off",
           30, "s CPU", "coldstart", _first_load_cpu(
               "validate_first_load", "load_evidence_base + graph, cache off: parse, checks, "
               "SHACL policy, graph")),
    Target("explorer_first_page_s", "explorer first page after serve", 5, "s", "coldstart",
           _cold("explorer_cached", "first_page_s", "port_cpu_s",
                 "GET / and /_dash-layout answered")),
    Target("explorer_rss_mib", "explorer RSS (1.2 GB)", RSS_LIMIT_MIB, "MiB", "coldstart",
           _rss, inclusive=True),
    Target("neo4j_first_load_rels_per_s", "Neo4j first load (bulk path)", 40_000, "rels/s",
           "neo4j", _load_rate("first_load"), at_least=True),
    Target("neo4j_incremental_rels_per_s", "Neo4j incremental load (batched MERGE)", 20_000,
           "rels/s", "neo4j", _load_rate("incremental"), at_least=True),
    Target("sparql_overhead_ms", "SPARQL per-query overhead beyond pyoxigraph", 100, "ms",
           "coldstart", _sparql),
)


def _load_text(sec: dict[str, Any] | None) -> str:
    if not sec:
        return "–"
    b = sec["load_before"].get("load_avg") or ["?"]
    a = sec["load_after"].get("load_avg") or ["?"]
    return f"{b[0]} → {a[0]}"


def evaluate(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per issue-17 target: measured (median of the runs), met, ratio, load."""
    rows = []
    for t in TARGETS:
        sec = result.get(t.section) or {"skipped": "not run"}
        row: dict[str, Any] = {"key": t.key, "target": t.label, "limit": t.limit,
                               "unit": t.unit, "op": t.op, "section": t.section,
                               "load": _load_text((result.get("sections") or {}).get(t.section))}
        m = None
        if "skipped" in sec:
            row["status"] = f"skipped: {sec['skipped']}"
        elif "failed" in sec:
            row["status"] = "failed (see the JSON)"
        else:
            m = t.measure(sec)
            row["status"] = "measured" if m is not None else "not measured in this run"
        if t.key == "neo4j_first_load_rels_per_s" and m is not None \
                and sec.get("first_load", {}).get("path") != "bulk":
            why = sec["first_load"].get("bulk_skipped") or "no bulk path"
            row["status"] = f"measured over Bolt (batched CREATE), not the bulk path: {why}"
        if m is not None:
            row |= {"value": m.value, "detail": m.detail, "cpu": m.cpu, "met": t.met(m.value),
                    "ratio": round(m.value / t.limit, 2) if t.limit else None}
        rows.append(row)
    return rows


def _cell(text: str, limit: int = 400) -> str:
    """Text safe in a Markdown table cell (errors carry line breaks and pipes), shortened."""
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _limit_text(r: dict[str, Any]) -> str:
    return f"{r['op']} {_fmt(r['limit'], r['unit'])}"


def markdown(result: dict[str, Any]) -> str:
    """The targets table (and what it was measured on) as Markdown for BENCHMARKS.md."""
    rows = evaluate(result)
    g = result.get("generate") or {}
    # in the order they ran (a JSON written with sorted keys reads back alphabetically)
    order = ("generate", "embedded", "coldstart", "shacl", "hotspots", "neo4j", "explorer")
    secs = dict(sorted((result.get("sections") or {}).items(),
                       key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
    first = next(iter(secs.values()), None)
    last = list(secs.values())[-1] if secs else None
    lines = [
        f"`intersections bench run --nodes {result['scale']} --runs {result['runs']}` — "
        f"{g.get('nodes', 0):,} nodes / {g.get('relationships', 0):,} links, commit "
        f"`{result.get('commit', '?')}`, {result['machine']['cpus']} CPUs, Python "
        f"{result['machine']['python']}, started {result['started']}, finished "
        f"{result.get('finished', '?')}. Medians of {result['runs']} run(s).",
        "",
        f"CPU probe (a fixed single-core Python workload, best of 3; compares machines): "
        f"{_fmt(result['machine'].get('cpu_probe_s'), 's')}; generating the base took "
        f"{_fmt(g.get('seconds'), 's')}.",
        "",
        f"Machine load at the start: `{first['load_before']['uptime'] if first else '?'}`  ",
        f"at the end: `{last['load_after']['uptime'] if last else '?'}`",
        "",
        "| target (issue 17) | limit | measured | ×limit | met? | CPU | how / spread "
        "| load 1-min (section start → end) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "value" not in r:
            lines.append(f"| {r['target']} | {_limit_text(r)} | – | – | – | – | "
                         f"{_cell(r['status'])} | {r['load']} |")
            continue
        met = "**met**" if r["met"] else "**missed**"
        detail = r["detail"] if r["status"] == "measured" else f"{r['status']}; {r['detail']}"
        lines.append(f"| {r['target']} | {_limit_text(r)} | {_fmt(r['value'], r['unit'])} | "
                     f"{r['ratio']}× | {met} | {r['cpu'] or '–'} | {_cell(detail, 600)} | "
                     f"{r['load']} |")
    ratios = ratio_lines(result)
    if ratios:
        lines += ["", "Ratios in this run:", "", *ratios]
    lines += ["", "Sections (wall / CPU seconds of this process and its children; load "
              "average before → after):", ""]
    for name, s in secs.items():
        lines.append(f"- {name}: {_fmt(s['wall_s'])} s wall / {_fmt(s['cpu_s'])} s CPU, "
                     f"load {_load_text(s)}")
    return "\n".join(lines) + "\n"


def _div(a: Any, b: Any) -> float | None:
    return round(a / b, 1) if isinstance(a, int | float) and isinstance(b, int | float) \
        and b > 0 else None


def ratio_lines(result: dict[str, Any]) -> list[str]:
    """Side-by-side ratios from the same run (absent parts are left out)."""
    out: list[str] = []
    c, n, e = (result.get(k) or {} for k in ("coldstart", "neo4j", "embedded"))
    r = _div((c.get("first_open") or {}).get("total_cpu_s"),
             (c.get("reopen") or {}).get("total_cpu_s"))
    if r:
        out.append(f"- re-opening an unchanged base costs {r}× less CPU than a first open")
    x = c.get("explorer_cached") or {}
    if x.get("first_page_s") and x.get("ready_s"):
        out.append(f"- the explorer's first page came {_fmt(x['first_page_s'])} s after `serve`, "
                   f"the base was ready at {_fmt(x['ready_s'])} s")
    r = _div((n.get("first_load") or {}).get("relationships_per_s"),
             (n.get("incremental") or {}).get("relationships_per_s"))
    if r:
        out.append(f"- first load ({(n.get('first_load') or {}).get('path')}) ÷ incremental "
                   f"MERGE reload: {r}×")
    nq = (n.get("queries") or {}).get("medians") or {}
    eq = e.get("queries") or {}
    for kind in ("search", "neighbors"):
        r = _div((nq.get(kind) or {}).get("p95"), (eq.get(kind) or {}).get("p95"))
        if r:
            out.append(f"- {kind} p95, Neo4j ÷ embedded (same queries): {r}× "
                       f"({_fmt(nq[kind]['p95'])} vs {_fmt(eq[kind]['p95'])} ms)")
    return out


def text(result: dict[str, Any]) -> str:
    """The targets as plain lines for the terminal."""
    out = []
    for r in evaluate(result):
        if "value" not in r:
            out.append(f"  {r['target']}: {r['status']}")
            continue
        out.append(f"  {r['target']}: {_fmt(r['value'], r['unit'])} ({_limit_text(r)}) "
                   f"{'met' if r['met'] else 'MISSED'}"
                   + (f", CPU {r['cpu']}" if r["cpu"] else "") + f", load {r['load']}")
    return "\n".join(out)
