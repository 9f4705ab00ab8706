#!/usr/bin/env python3
"""Benchmark: loading the evidence base into Neo4j, batched UNWIND versus one query per row.

    scripts/neo4j/neo4j-server.sh start && source "$(scripts/neo4j/neo4j-server.sh env)"
    python scripts/bench_neo4j_load.py [--repeat 3] [--scale 1] [--json out.json]

Both modes run side by side in one process against the same server: a warm-up load first
(untimed), then for each repetition the dataset is removed and loaded cold with each mode, so
both create every node and relationship from scratch, plus an unchanged re-load over an
existing load (what a re-run costs). The table shows the median run; the JSON
has every run. The shipped evidence base is used; when it does not validate, the test fixture
tests/fixtures/mini is used instead and the output says so. ``--scale N`` loads N renamed copies
(for a larger graph than the curated one).

Use a throw-away server: the benchmark replaces the loaded evidence base (it leaves a complete,
batched load of the same data behind).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph.neo4j.loader import (  # noqa: E402
    REPLACE_ANYTHING,
    LoadReport,
    load_neo4j,
    unload_neo4j,
)
from graph.neo4j.settings import Neo4jSettings  # noqa: E402
from loaders.errors import ValidationFailed  # noqa: E402
from loaders.evidence import EvidenceBase, load_evidence_base  # noqa: E402


def evidence(scale: int) -> tuple[EvidenceBase, str]:
    try:
        eb, name = load_evidence_base(), "shipped evidence base"
    except ValidationFailed as exc:
        print(f"shipped evidence base does not validate ({len(exc.problems)} problems); "
              "using tests/fixtures/mini instead", file=sys.stderr)
        eb, name = load_evidence_base(ROOT / "tests" / "fixtures" / "mini"), "tests/fixtures/mini"
    if scale > 1:
        eb = scaled(eb, scale)
        name += f" x{scale}"
    return eb, name


def scaled(eb: EvidenceBase, n: int) -> EvidenceBase:
    """``n`` copies with ids suffixed ``-copyK`` (copy 1 keeps the original ids)."""
    out = EvidenceBase(origin=eb.origin)

    def rid(i: str, k: int) -> str:
        return i if k == 1 else f"{i}-copy{k}"

    for k in range(1, n + 1):
        for nid, node in eb.nodes.items():
            out.nodes[rid(nid, k)] = node.model_copy(update={"id": rid(nid, k)})
        for (s, p, o), e in eb.edges.items():
            out.edges[(rid(s, k), p, rid(o, k))] = e.model_copy(update={
                "subject": rid(s, k), "object": rid(o, k),
                "claims": tuple(rid(c, k) for c in e.claims)})
    return out


def run(eb: EvidenceBase, creds: Neo4jSettings, per_row: bool,
        batch_size: int) -> LoadReport:
    unload_neo4j(creds)
    return load_neo4j(eb, creds, per_row=per_row, batch_size=batch_size)


def row(mode: str, reports: list[LoadReport]) -> dict[str, Any]:
    med = sorted(reports, key=lambda r: r.write_seconds)[len(reports) // 2]
    return {
        "mode": mode,
        "transactions": med.transactions,
        "write_seconds": med.write_seconds,
        "total_seconds": med.seconds,
        "nodes_per_second": round(med.nodes_per_second, 1),
        "relationships_per_second": round(med.relationships_per_second, 1),
        "speedup": None,
        "runs_write_seconds": [r.write_seconds for r in reports],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=1_000)
    ap.add_argument("--skip-per-row", action="store_true",
                    help="only batched (for large --scale, where per-row takes minutes)")
    ap.add_argument("--json", type=Path, default=Path("neo4j_load_benchmark.json"))
    args = ap.parse_args()
    if not os.environ.get("NEO4J_URI"):
        print("set NEO4J_URI/NEO4J_USERNAME/NEO4J_PASSWORD (scripts/neo4j/neo4j-server.sh "
              "start, then source its env file)", file=sys.stderr)
        return 2
    creds = Neo4jSettings.from_env()
    eb, name = evidence(args.scale)
    print(f"{name}: {len(eb.nodes)} nodes, {len(eb.edges)} relationships; "
          f"batch size {args.batch_size}; {args.repeat} cold runs per mode", file=sys.stderr)
    # warm-up: schema, query plans, JIT; replaces whatever the (throw-away) server holds
    load_neo4j(eb, creds, batch_size=args.batch_size, allow_removal=REPLACE_ANYTHING)
    batched: list[LoadReport] = []
    reload: list[LoadReport] = []
    per_row: list[LoadReport] = []
    for _ in range(args.repeat):
        batched.append(run(eb, creds, False, args.batch_size))
        reload.append(load_neo4j(eb, creds, batch_size=args.batch_size))
        if not args.skip_per_row:
            per_row.append(run(eb, creds, True, args.batch_size))
    final = load_neo4j(eb, creds, batch_size=args.batch_size)  # leave a complete load behind
    rows = [row("batched", batched), row("reload", reload)]
    if per_row:
        rows.append(row("per-row", per_row))
        for r in rows:
            r["speedup"] = round(rows[-1]["write_seconds"] / r["write_seconds"], 1)

    header = f"{'mode':<9} {'txs':>6} {'write s':>8} {'total s':>8} {'nodes/s':>9} " \
             f"{'rels/s':>9} {'speed-up':>8}"
    print(header)
    for r in rows:
        print(f"{r['mode']:<9} {r['transactions']:>6} {r['write_seconds']:>8.2f} "
              f"{r['total_seconds']:>8.2f} {r['nodes_per_second']:>9,.0f} "
              f"{r['relationships_per_second']:>9,.0f} "
              f"{(str(r['speedup']) + 'x') if r['speedup'] else '-':>8}")
    result = {
        "evidence": name, "nodes": len(eb.nodes), "relationships": len(eb.edges),
        "batch_size": args.batch_size, "repeat": args.repeat, "results": rows,
        "final_load_version": final.version,
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "note": "write_seconds = node + relationship writes (no schema, prune, state); "
                "median run. batched/per-row: cold (dataset removed before each run); "
                "reload: the same evidence base loaded again over itself (idempotent re-run); "
                "speedup = per-row write time / this mode's write time",
    }
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
