"""The query workload both backends answer, and latency statistics.

The plan is built once from the generated base (hubs and ordinary nodes, words from labels) and
run unchanged against every backend, so p50/p95 compare like with like. Queries use the same
arguments as the explorer (search limit 15, paths to interventions within 4 hops, limit 12).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from graph.backend import GraphBackend

QUERY_KINDS = ("search", "node", "neighbors", "paths", "coverage")


def latency_stats(samples_ms: list[float]) -> dict[str, float]:
    """n, p50, p95, max and mean of latencies in milliseconds."""
    if not samples_ms:
        return {"n": 0, "p50": 0.0, "p95": 0.0, "max": 0.0, "mean": 0.0}
    s = sorted(samples_ms)

    def pct(p: float) -> float:
        # nearest-rank percentile: the value below which p% of samples fall
        k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
        return s[k]

    return {"n": len(s), "p50": round(statistics.median(s), 3), "p95": round(pct(95), 3),
            "max": round(s[-1], 3), "mean": round(statistics.fmean(s), 3)}


def build_plan(samples: dict[str, list[str]], n: int = 200, seed: int = 11) -> dict[str, Any]:
    """Deterministic arguments for every query kind (``n`` per kind; fewer for coverage)."""
    rng = random.Random(seed)
    words = samples["words"] or ["trafficking"]
    texts = []
    for i in range(n):
        w = rng.choice(words)
        texts.append(w if i % 3 == 0 else w[:4] if i % 3 == 1
                     else f"{w} {rng.choice(words)}")
    ordinary = samples["risk_factors"] + samples["harms"] + samples["interventions"]
    node_ids = [rng.choice(ordinary + samples["claims"]) for _ in range(n)]
    # neighbours: every fifth query on a hub (the worst case the explorer meets)
    nbr_ids = [samples["hubs"][i % len(samples["hubs"])] if i % 5 == 0 else rng.choice(ordinary)
               for i in range(n)]
    starts = samples["hubs"] + samples["risk_factors"] + samples["harms"]
    n_paths = max(10, n // 4)
    paths = [{"from_id": starts[i % len(starts)],
              "to_category": "Intervention" if i % 4 else "Claim"} for i in range(n_paths)]
    coverage = [{"rows": "Harm", "cols": "PreventionStrategy", "top_level_only": True},
                {"rows": "Harm", "cols": "PreventionStrategy", "top_level_only": False},
                {"rows": "RiskFactor", "cols": "Population", "top_level_only": True}]
    return {"search": texts, "node": node_ids, "neighbors": nbr_ids, "paths": paths,
            "coverage": coverage * max(1, min(5, n // 40))}


def _runner(backend: GraphBackend, kind: str) -> Callable[[Any], Any]:
    if kind == "search":
        return lambda q: backend.search(q, limit=15)
    if kind == "node":
        return backend.node
    if kind == "neighbors":
        return backend.neighbors
    if kind == "paths":
        return lambda a: backend.paths(a["from_id"], a["to_category"], max_hops=4, limit=12)
    if kind == "coverage":
        return lambda a: backend.coverage(a["rows"], a["cols"], via="Intervention",
                                          top_level_only=a["top_level_only"])
    raise ValueError(kind)


def run_plan(backend: GraphBackend, plan: dict[str, Any],
             kinds: tuple[str, ...] = QUERY_KINDS, budget_s: float = 120.0) -> dict[str, Any]:
    """Latency per query kind; each kind stops early when it used up ``budget_s`` seconds."""
    out: dict[str, Any] = {}
    for kind in kinds:
        fn = _runner(backend, kind)
        fn(plan[kind][0])  # warm-up (caches, JIT in the server, connection pool)
        lat: list[float] = []
        results = 0
        started = time.perf_counter()
        for arg in plan[kind]:
            t = time.perf_counter()
            res = fn(arg)
            lat.append((time.perf_counter() - t) * 1000)
            results += len(res) if isinstance(res, list) else 1
            if time.perf_counter() - started > budget_s:
                break
        out[kind] = latency_stats(lat) | {"results": results,
                                          "complete": len(lat) == len(plan[kind])}
    return out
