"""Smoke run of the benchmark at 1k nodes, so the command never rots.

Not a timed test: it asserts that every section runs and reports sane values (the generated
base validates, latencies are positive and ordered, loads wrote what was generated, the explorer
answered every callback within the element cap), never particular numbers. The Neo4j part runs
whenever a server is configured, and under CI=true it must (tests/neo4j_plugin.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.generator import class_counts, generate
from benchmarks.runner import Options, format_table, markdown_table, run, write_json
from loaders.evidence import load_evidence_base
from ontology.schema import CLASS_BY_NAME, PREDICATE_BY_NAME


def _sane_latency(q: dict) -> None:
    assert q["n"] > 0
    assert 0 <= q["p50"] <= q["p95"] <= q["max"]


def test_generator_is_valid_deterministic_and_heavy_tailed(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", 600, seed=3)
    b = generate(tmp_path / "b", 600, seed=3)
    assert b.to_dict() | {"path": ""} == a.to_dict() | {"path": ""}
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.yaml"))
    assert files_a == sorted(p.relative_to(tmp_path / "b")
                             for p in (tmp_path / "b").rglob("*.yaml"))
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
               for f in files_a)
    eb = load_evidence_base(tmp_path / "a", use_cache=False)  # raises if any rule is broken
    assert len(eb.nodes) == a.nodes == sum(class_counts(600).values())
    assert len(eb.edges) == a.relationships
    assert set(eb.counts()) == set(CLASS_BY_NAME)  # every class
    assert {p for _, p, _ in eb.edges} == set(PREDICATE_BY_NAME)  # every relation
    degree: dict[str, int] = {}
    for s, _, o in eb.edges:
        degree[s] = degree.get(s, 0) + 1
        degree[o] = degree.get(o, 0) + 1
    ranked = sorted(degree.values(), reverse=True)
    mean = sum(ranked) / len(ranked)
    assert ranked[0] > 8 * mean  # hubs: a power-law-ish tail, not a uniform graph
    c = generate(tmp_path / "c", 600, seed=4)
    assert c.relationships != a.relationships or c.by_relation != a.by_relation


def test_generated_base_passes_shacl_in_full_and_on_the_sample(tmp_path: Path) -> None:
    """A generated 1k base passes every SHACL shape, both over its whole RDF form and over the
    stratified sample used above SHACL_FULL_LIMIT (the sample once lost the SourceDocument type
    of referenced documents and rejected every generated 10k base: 66 x 'stated in exactly one
    curated source document')."""
    from loaders.shacl import shacl_problems, shacl_sample

    generate(tmp_path / "g", 1_000, seed=7)
    eb = load_evidence_base(tmp_path / "g", shacl=True, use_cache=False)  # full at 1k
    assert len(eb.nodes) == 1_000
    sample = shacl_sample(eb)
    assert 0 < len(sample) < len(eb.nodes)
    # the sample includes claims, whose source document lies outside it: the case that failed
    assert any(eb.nodes[i].category == "Claim" for i in sample if i in eb.nodes)
    assert shacl_problems(eb, full=False) == []


def _check_common(result: dict, tmp_path: Path) -> None:
    for section in ("generate", "embedded", "shacl", "hotspots", "neo4j", "explorer", "checks"):
        assert section in result
    out = tmp_path / "r.json"
    write_json(result, out)
    assert json.loads(out.read_text())["scale"] == 1_000
    table = format_table(result)
    for section in ("generate", "embedded", "shacl", "neo4j", "explorer"):
        assert section in table
    assert markdown_table(result).startswith("| section |")


def test_smoke_run_embedded_shacl_explorer(tmp_path: Path) -> None:
    result = run(Options(nodes=1_000, queries=12, workdir=tmp_path, neo4j=False,
                         shacl_full_timeout_s=60, budget_s=20))
    _check_common(result, tmp_path)
    gen, emb = result["generate"], result["embedded"]
    assert gen["nodes"] == emb["nodes"] == 1_000
    assert emb["relationships"] == gen["relationships"] > gen["nodes"]
    assert 0 < emb["validate_s"] <= emb["validate_load_s"]
    assert emb["load_peak_mib"] > 0
    for kind in ("search", "node", "neighbors", "paths", "coverage"):
        _sane_latency(emb["queries"][kind])
        assert emb["queries"][kind]["results"] > 0, kind
    sh = result["shacl"]
    assert sh["policy_problems"] == 0 and sh["policy"] == "full"
    assert sh["full"]["problems"] == 0 and sh["full"]["seconds"] > 0
    hot = result["hotspots"]
    assert hot["parse_gc"]["after_s"] > 0
    for fix in ("gc_freeze", "edges_of"):
        for kind, before in hot[fix]["before"].items():
            _sane_latency(before)
            _sane_latency(hot[fix]["after"][kind])
            # the fix must not change answers: same number of results before and after
            assert before["results"] == hot[fix]["after"][kind]["results"], (fix, kind)
    cbs = result["explorer"]["embedded"]["callbacks"]
    assert set(cbs) == {"search", "neighbourhood", "paths", "gap_matrix_top", "gap_matrix_full"}
    for name, cb in cbs.items():
        _sane_latency(cb)
        assert cb["errors"] == 0, name
        assert cb["within_cap"], name
        assert cb["max_bytes"] > 0, name
    assert cbs["neighbourhood"]["max_elements"] > 0
    assert cbs["paths"]["max_elements"] > 0
    assert result["checks"]["explorer_within_element_cap"]["met"]
    assert result["neo4j"] == {"skipped": "not requested"}


@pytest.mark.neo4j
def test_smoke_run_neo4j(tmp_path: Path, neo4j_credentials, clean_neo4j) -> None:
    env = {"NEO4J_URI": neo4j_credentials.uri, "NEO4J_USERNAME": neo4j_credentials.username,
           "NEO4J_PASSWORD": neo4j_credentials.password}
    result = run(Options(nodes=1_000, queries=10, workdir=tmp_path, only=("neo4j",),
                         per_row_sample=120, budget_s=20, neo4j_env=env))
    _check_common(result, tmp_path)
    n = result["neo4j"]
    assert "skipped" not in n, n
    full = n["batched_full"]
    assert full["nodes"] == result["generate"]["nodes"]
    assert full["relationships"] == result["generate"]["relationships"]
    assert full["mode"] == "batched" and n["per_row_sample"]["mode"] == "per-row"
    assert n["per_row_sample"]["transactions"] == (n["per_row_sample"]["nodes"]
                                                   + n["per_row_sample"]["relationships"])
    assert n["batched_sample"]["transactions"] < n["per_row_sample"]["transactions"]
    assert n["per_row_sample"]["relationships_per_s"] > 0
    assert n["speedup_same_sample"] > 1  # batching must beat one transaction per row
    for kind in ("search", "node", "neighbors", "paths", "coverage"):
        _sane_latency(n["queries"][kind])
        assert n["queries"][kind]["results"] > 0, kind
    assert "neo4j_rels_per_s" in result["checks"]
