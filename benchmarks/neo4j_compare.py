"""Neo4j before/after, side by side in one run: loads and queries of two source trees.

``before`` is a checkout of an earlier commit (e.g. ``git archive <commit> | tar -x -C DIR``),
``after`` this tree. Both talk to the same server, loaded with the same generated base; each
variant runs in its own process with its tree first on ``sys.path``, and query rounds alternate
between the variants (round 1 before, round 1 after, round 2 before, …) so a change in the
shared machine's load hits both. Reports every round, the medians of the rounds and the
after/before ratios, with ``uptime``'s load average at the start and the end::

    python -m benchmarks.neo4j_compare --nodes 10000 --before /tmp/before --rounds 3 \\
        --out benchmarks/results/neo4j-compare-10k.json

The server must be a throw-away one (the run deletes everything in its database): start one
with ``INTERSECTIONS_NEO4J_RUNDIR=/tmp/neo4j-bench NEO4J_PORT=… scripts/neo4j/neo4j-server.sh
start`` and pass its env file (``--env``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]


def _load_avg() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def _env_file(path: str) -> dict[str, str]:
    out = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if line.startswith("export "):
            k, _, v = line[len("export "):].partition("=")
            out[k] = v.strip().strip("'\"")
    return out


def _server_cpu(pid: Any) -> float | None:
    """User+system CPU seconds of the Neo4j process (its pid from the env file), if readable."""
    try:
        fields = Path(f"/proc/{int(pid)}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, TypeError, ValueError, IndexError):
        return None


# ---------------------------------------------------------------------- worker side
def _worker(tree: str, task: str, args_file: str) -> None:
    sys.path.insert(0, tree)
    for name in [m for m in sys.modules if m.split(".")[0] in ("graph", "loaders", "ontology",
                                                                 "benchmarks")]:
        del sys.modules[name]
    args = json.loads(Path(args_file).read_text())
    import graph

    assert str(Path(graph.__file__).resolve()).startswith(str(Path(tree).resolve())), \
        graph.__file__
    from graph.neo4j.settings import Neo4jSettings

    settings = Neo4jSettings(uri=args["uri"], username=args["username"],
                             password=args["password"], timeout=600.0)
    if task == "wipe":
        from neo4j import GraphDatabase

        with GraphDatabase.driver(settings.uri, auth=(settings.username,
                                                      settings.password)) as d, \
                d.session() as s:  # CALL … IN TRANSACTIONS needs an auto-commit transaction
            s.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()
        out: dict[str, Any] = {"wiped": True}
    elif task == "load":
        from graph.neo4j.loader import load_neo4j
        from loaders.evidence import load_evidence_base

        t = time.perf_counter()
        eb = load_evidence_base(args["path"], shacl=False)
        parse_s = time.perf_counter() - t
        marks: list[tuple[float, str]] = []
        t0 = time.perf_counter()
        rep = load_neo4j(eb, settings, on_batch=lambda ph, n, tot: marks.append(
            (time.perf_counter(), ph)), **args.get("load_kw", {}))
        total_s = time.perf_counter() - t0
        first = min((m for m, _ in marks), default=t0)
        node_end = max((m for m, ph in marks if ph.startswith("nodes")), default=first)
        link_end = max((m for m, ph in marks if ph.startswith("links")), default=node_end)
        out = {"parse_s": round(parse_s, 2), "total_s": round(total_s, 2),
               "before_first_write_s": round(first - t0, 2),
               "links_s": round(link_end - node_end, 2),
               "nodes": rep.nodes, "relationships": rep.relationships,
               "mode": rep.mode, "batch_size": rep.batch_size,
               "relationships_per_s_links_phase": round(
                   rep.relationships / max(link_end - node_end, 1e-9)),
               "relationships_per_s_whole_load": round(rep.relationships / total_s)}
    elif task == "queries":
        from benchmarks.queries import run_plan
        from graph.neo4j.backend import Neo4jBackend

        backend = Neo4jBackend.connect(settings)
        server_pid = args.get("server_pid")
        try:
            out = {}
            for kind in args["kinds"]:  # paths_claims: the paths runner, other arguments
                plan = ({"paths": args["plan"]["paths_claims"]} if kind == "paths_claims"
                        else args["plan"])
                run_as = "paths" if kind == "paths_claims" else kind
                c0, s0 = time.process_time(), _server_cpu(server_pid)
                out[kind] = run_plan(backend, plan, (run_as,), budget_s=args["budget_s"])[run_as]
                out[kind]["client_cpu_s"] = round(time.process_time() - c0, 3)
                s1 = _server_cpu(server_pid)
                out[kind]["server_cpu_s"] = (None if s0 is None or s1 is None
                                             else round(s1 - s0, 3))
        finally:
            backend.close()
    else:
        raise SystemExit(f"unknown task {task}")
    Path(args_file).with_suffix(".out").write_text(json.dumps(out))


# ---------------------------------------------------------------------- driver side
def _run(tree: str, task: str, args: dict[str, Any], timeout: float = 3600) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "args.json"
        f.write_text(json.dumps(args))
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", tree, task,
                        str(f)], check=True, timeout=timeout, env=env, cwd=tmp)
        result: dict[str, Any] = json.loads(f.with_suffix(".out").read_text())
        return result


KINDS = ("search", "node", "neighbors", "paths", "paths_claims", "coverage")


def split_paths(plan: dict[str, Any]) -> dict[str, Any]:
    """Paths to interventions and paths to claims as two kinds (their costs differ ~5x)."""
    plan = dict(plan)
    plan["paths_claims"] = [p for p in plan["paths"] if p["to_category"] == "Claim"]
    plan["paths"] = [p for p in plan["paths"] if p["to_category"] != "Claim"]
    return plan


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--worker":
        _worker(argv[1], argv[2], argv[3])
        return 0
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nodes", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--before", required=True, help="source tree of the earlier version")
    ap.add_argument("--after", default=str(HERE))
    ap.add_argument("--env", default="/tmp/neo4j-bench/neo4j.env")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--before-rounds", type=int, default=0,
                    help="fewer rounds for the (slow) earlier version; 0 = --rounds")
    ap.add_argument("--budget-s", type=float, default=60.0)
    ap.add_argument("--skip-loads", default="", help="comma list: before-first,before-inc,…")
    ap.add_argument("--keep-db", action="store_true",
                    help="query what the server holds (loaded by this tree's loader before)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)

    from benchmarks.generator import generate
    from benchmarks.queries import build_plan

    env = _env_file(a.env)
    creds = {"uri": env["NEO4J_URI"], "username": env.get("NEO4J_USERNAME", "neo4j"),
             "password": env["NEO4J_PASSWORD"],
             "server_pid": env.get("INTERSECTIONS_NEO4J_PID")}
    work = Path(a.workdir or tempfile.mkdtemp(prefix="neo4j-compare-"))
    base = work / f"base-{a.nodes}"
    result: dict[str, Any] = {"nodes": a.nodes, "seed": a.seed, "rounds": a.rounds,
                              "load_avg_start": _load_avg(), "cpus": os.cpu_count(),
                              "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    t = time.perf_counter()
    saved = work / f"synthetic-{a.nodes}-{a.seed}.json"
    if saved.exists() and base.exists():  # the same seed gives the same base: reuse it
        syn_info = json.loads(saved.read_text())
    else:
        syn = generate(base, a.nodes, seed=a.seed)
        syn_info = {"relationships": syn.relationships, "samples": syn.samples}
        saved.write_text(json.dumps(syn_info))
    result["generate_s"] = round(time.perf_counter() - t, 1)
    result["relationships"] = syn_info["relationships"]
    plan = split_paths(build_plan(syn_info["samples"], a.queries))
    skip = set(filter(None, a.skip_loads.split(",")))
    trees = {"before": a.before, "after": a.after}

    def say(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    loads: dict[str, Any] = {}
    for name in ("before", "after"):
        if f"{name}-first" in skip:
            continue
        _run(a.after, "wipe", creds)
        say(f"first load ({name})")
        loads[f"{name}_first"] = _run(trees[name], "load", creds | {"path": str(base)})
        say(f"  {loads[f'{name}_first']}")
        if f"{name}-inc" in skip:
            continue
        say(f"incremental reload, same content ({name})")
        loads[f"{name}_incremental"] = _run(trees[name], "load", creds | {"path": str(base)})
        say(f"  {loads[f'{name}_incremental']}")
    result["loads"] = loads
    if a.keep_db:
        say("queries on the database as it is (--keep-db)")
    elif not loads or "after_incremental" not in loads and "after_first" not in loads:
        _run(a.after, "wipe", creds)
        _run(a.after, "load", creds | {"path": str(base)})
    rounds: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    for i in range(a.rounds):
        for name in ("before", "after"):
            if name == "before" and i >= (a.before_rounds or a.rounds):
                continue
            say(f"queries round {i + 1} ({name})")
            rounds[name].append(_run(trees[name], "queries", creds | {
                "plan": plan, "kinds": list(KINDS), "budget_s": a.budget_s}))
            say("  " + ", ".join(f"{k} p95 {v['p95']:.0f}" for k, v in rounds[name][-1].items()))
    result["rounds"] = rounds
    medians: dict[str, dict[str, Any]] = {}
    for name, rs in rounds.items():
        medians[name] = {k: {s: round(statistics.median(r[k][s] for r in rs), 1)
                             for s in ("p50", "p95", "max")} | {"n": rs[0][k]["n"]}
                         | {s: statistics.median(v) if (v := [r[k][s] for r in rs
                                                               if r[k].get(s) is not None])
                            else None for s in ("client_cpu_s", "server_cpu_s")}
                         for k in KINDS}
    result["medians"] = medians
    result["ratios_p95_before_over_after"] = {
        k: round(medians["before"][k]["p95"] / max(medians["after"][k]["p95"], 1e-9), 1)
        for k in KINDS}
    result["load_avg_end"] = _load_avg()
    Path(a.out).write_text(json.dumps(result, indent=1))
    say(json.dumps({"medians": medians, "ratios": result["ratios_p95_before_over_after"],
                    "loads": loads}, indent=1))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] != ["--worker"]:
        sys.path.insert(0, str(HERE))
    raise SystemExit(main(sys.argv[1:]))
