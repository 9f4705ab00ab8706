"""Neo4j answers search, paths and coverage on the server — with the embedded backend's answers.

The contract suite (tests/test_contract.py) holds both backends to the same answers on the small
hand-written fixture; here a generated base (hundreds of nodes, many equal scores, hubs with many
claims) checks what only shows at some size: ties across the top-k boundary of server-side
search, per-level top-k of path expansion and the aggregate coverage query. Every comparison is
against :class:`NetworkxBackend` on the same base, so a wrong server-side shortcut fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generator import generate
from graph.nx_backend import NetworkxBackend
from loaders.evidence import EvidenceBase, load_evidence_base
from tests.conftest import both_backends

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[EvidenceBase, dict[str, Any]]:
    out = tmp_path_factory.mktemp("gen") / "base"
    syn = generate(Path(out), 600, seed=3)
    return load_evidence_base(out, shacl=False), syn.samples


@pytest.fixture(scope="module")
def both(generated: tuple[EvidenceBase, dict[str, Any]], neo4j_credentials: Any,
         neo4j_driver: Any) -> Iterator[tuple[Any, NetworkxBackend, dict[str, Any]]]:
    eb, samples = generated
    with both_backends(eb, neo4j_credentials, neo4j_driver) as (neo, nx):
        yield neo, nx, samples


def _queries(samples: dict[str, Any]) -> list[str]:
    words = samples["words"][:25]
    return ([w for w in words] + [w[:3] for w in words[:10]]
            + [f"{a} {b}" for a, b in zip(words[:8], words[8:16], strict=True)])


def test_search_ranks_on_the_server_without_fetching_candidates(both, monkeypatch) -> None:
    neo, _, samples = both

    def no_candidates(tokens: list[str]) -> list[Any]:
        raise AssertionError("search shipped candidates instead of ranking on the server")

    monkeypatch.setattr(neo, "search_candidates", no_candidates)
    hits = neo.search(samples["words"][0], limit=5)
    assert hits and all(h.score > 0 for h in hits)


@pytest.mark.parametrize("limit", [1, 3, 15])
def test_server_search_equals_embedded_ranking_even_across_ties(both, limit: int) -> None:
    neo, nx, samples = both
    for q in _queries(samples):
        assert neo.search(q, limit=limit) == nx.search(q, limit=limit), q
    for q in _queries(samples)[:10]:
        for cats in (["Intervention"], ["Harm", "Claim"]):
            assert (neo.search(q, categories=cats, limit=limit)
                    == nx.search(q, categories=cats, limit=limit)), (q, cats)


def test_server_search_falls_back_when_stored_texts_disagree(both, monkeypatch) -> None:
    """A row whose stored score the client cannot reproduce → the embedded ranking."""
    neo, nx, samples = both
    real = neo._read

    def skewed(statement: Any) -> Any:
        rows = real(statement)
        if "ORDER BY score DESC" in statement[0]:
            return [dict(r) | {"score": r["score"] + 1} for r in rows]
        return rows

    monkeypatch.setattr(neo, "_read", skewed)
    word = samples["words"][0]
    assert neo.search(word, limit=5) == nx.search(word, limit=5)


@pytest.mark.parametrize("to_category", ["Claim", "Intervention", "Citation"])
def test_paths_equal_embedded_and_hub_claims_stay_on_the_server(both, monkeypatch,
                                                                to_category: str) -> None:
    from graph.neo4j import cypher

    neo, nx, samples = both
    shipped: list[int] = []
    real = neo._read

    def counting(statement: Any) -> Any:
        rows = real(statement)
        if statement[0] == cypher.top_claims_about([], 1)[0]:
            shipped.append(len(rows))
        return rows

    monkeypatch.setattr(neo, "_read", counting)
    starts = samples["hubs"] + samples["harms"][:6] + samples["risk_factors"][:6]
    for start in starts:
        for limit in (3, 12):
            assert (neo.paths(start, to_category, max_hops=3, limit=limit)
                    == nx.paths(start, to_category, max_hops=3, limit=limit)), (start, limit)
    assert neo.path_groups(starts[0], to_category) == nx.path_groups(starts[0], to_category)
    if to_category == "Claim":
        about = nx.edges_of(nx.ids_of(frozenset({"Harm", "RiskFactor"})), frozenset({"about"}))
        per_node: dict[str, int] = {}
        for e in about:
            per_node[e.object] = per_node.get(e.object, 0) + 1
        hub = max(sorted(per_node), key=lambda n: per_node[n])
        about_hub = [e for e in about if e.object == hub]
        assert neo.paths(hub, "Claim", limit=3) == nx.paths(hub, "Claim", limit=3)
        shipped.clear()
        neo.paths(hub, "Claim", limit=3)
        assert len(about_hub) > 3 and shipped and shipped[0] < len(about_hub)


@pytest.mark.parametrize("rows,cols,top", [("Harm", "PreventionStrategy", True),
                                           ("Harm", "PreventionStrategy", False),
                                           ("RiskFactor", "Population", True)])
def test_coverage_aggregate_equals_embedded(both, rows: str, cols: str, top: bool) -> None:
    neo, nx, _ = both
    for inferred in (True, False):
        a = neo.coverage(rows, cols, top_level_only=top, include_inferred=inferred)
        b = nx.coverage(rows, cols, top_level_only=top, include_inferred=inferred)
        assert a == b and a.cells
    assert neo.coverage(rows, cols, rollup=False) == nx.coverage(rows, cols, rollup=False)
    assert neo.gap_map(rows, cols) == nx.gap_map(rows, cols)


def test_many_chunk_reads_run_at_once_and_keep_their_order(both, monkeypatch) -> None:
    """Inputs over ID_CHUNK ids are read in chunks, CHUNKS_IN_FLIGHT at a time on their own
    threads: the answers are the embedded ones, rows in chunk order, the first error raised."""
    import threading

    import graph.neo4j.backend as nb

    neo, nx, samples = both
    monkeypatch.setattr(nb, "ID_CHUNK", 7)
    threads: set[str] = set()
    real = neo._read_raw

    def noting(statement: Any) -> Any:
        threads.add(threading.current_thread().name)
        return real(statement)

    monkeypatch.setattr(neo, "_read_raw", noting)
    assert neo.coverage("Harm", "PreventionStrategy") == nx.coverage("Harm", "PreventionStrategy")
    assert any(t.startswith("intersections-chunk") for t in threads)
    ids = sorted(nx.graph.nodes)[:60]
    assert list(neo.node_refs(ids)) == ids  # 9 chunks, rows in the order asked
    assert neo.node_refs(ids) == nx.node_refs(ids)

    calls: list[int] = []

    def failing(statement: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise nb.Neo4jUnavailable("the third chunk failed")
        return real(statement)

    monkeypatch.setattr(neo, "_read_raw", failing)
    with pytest.raises(nb.Neo4jUnavailable, match="third chunk"):
        neo.node_refs(ids)


def test_neighbours_equal_embedded_on_hubs(both) -> None:
    neo, nx, samples = both
    for node in samples["hubs"] + samples["interventions"][:5]:
        assert neo.neighbors(node) == nx.neighbors(node)
        assert (neo.neighbors(node, include_evidence=True)
                == nx.neighbors(node, include_evidence=True))


def test_paths_leave_links_to_other_nodes_on_the_server_when_destinations_suffice(
        both, monkeypatch) -> None:
    """A level reads the links that reach a destination class first; the links to every other
    node are read only when that level found too few destinations and another level follows.
    Both cases must give the embedded answer (hub starts, small and large limits, the last
    level, a start whose first level reaches no destination)."""
    from graph.neo4j import cypher

    neo, nx, samples = both
    reads: list[tuple[bool, int]] = []
    real = neo._read
    claims_first = cypher.top_claims_about([], 1)[0]

    def counting(statement: Any) -> Any:
        rows = real(statement)
        if "whole_below" in statement[1]:  # cypher.hub_level: the links to other nodes
            reads.append((True, len(rows)))
        elif "to" in statement[1]:  # cypher.walk_edges(..., to_classes=...)
            reads.append(("NOT m.category IN $to" in statement[0], len(rows)))
        elif statement[0] == claims_first:  # claims come only by "about" (domain, range)
            reads.append((False, len(rows)))
        return rows

    monkeypatch.setattr(neo, "_read", counting)
    starts = samples["hubs"] + samples["risk_factors"][:8] + samples["interventions"][:3]
    seen_skip = seen_second = False
    for start in starts:
        for to_category, limit, hops in (("Intervention", 1, 4), ("Intervention", 12, 4),
                                         ("Intervention", 12, 1), ("Claim", 12, 3),
                                         ("PreventionStrategy", 40, 2)):
            reads.clear()
            got = neo.paths(start, to_category, max_hops=hops, limit=limit)
            assert got == nx.paths(start, to_category, max_hops=hops, limit=limit), (
                start, to_category, limit, hops)
            first = [n for other, n in reads if not other]
            second = [n for other, n in reads if other]
            assert first, "a split level reads the destination links first"
            found_at_1 = len({p.end.id for p in nx.paths(start, to_category, max_hops=1,
                                                        limit=500)})
            if found_at_1 >= limit or hops == 1:
                assert len(second) == 0  # enough at level 1 (or no level 2): others stay
                seen_skip = True
            else:
                assert second
                seen_second = True
    assert seen_skip and seen_second


def test_search_seeks_word_prefixes_first_and_scores_substrings_only_when_short(
        both, monkeypatch) -> None:
    """Exact, prefix and word-prefix matches are found first (one read); the substring class
    ("care" inside "healthcare") is scored only when they do not fill the top. Both ways give
    the embedded answer — prefix-only queries, inner substrings, an empty top, categories."""
    neo, nx, samples = both
    reads: list[bool] = []
    real = neo._read

    def counting(statement: Any) -> Any:
        if "ORDER BY score DESC" in statement[0]:
            reads.append("$spaced_first" in statement[0])
        return real(statement)

    monkeypatch.setattr(neo, "_read", counting)
    word = max(samples["words"], key=len)
    inner = word[2:6]  # inside a word: no word starts with it (or few do)
    cases = [(word[:4], 3), (word[:4], 15), (inner, 15), (inner, 1), ("zzzzqqq", 15),
             (f"{word[:3]} {samples['words'][1][:3]}", 15)]
    one_read = two_reads = False
    for text, limit in cases:
        for cats in (None, ["Intervention"], ["Claim", "Harm"]):
            reads.clear()
            got = neo.search(text, categories=cats, limit=limit)
            assert got == nx.search(text, categories=cats, limit=limit), (text, cats, limit)
            assert reads and reads[0], "the word-prefix read comes first"
            prefix_hits = [h for h in nx.search(text, categories=cats, limit=limit)
                           if h.score >= 55 and not h.matched.startswith("in ")]
            if len(reads) == 1:
                one_read = True
                assert len(prefix_hits) >= limit or len(got) >= limit
            else:
                two_reads = True
                assert reads == [True, False]
    assert one_read and two_reads


def test_neighbours_read_lean_links_with_their_far_nodes(both, monkeypatch) -> None:
    """Neighbours come from one lean read (claims, basis, far node's class and label): neither
    whole link property maps (edges_of) nor a second lookup of the far nodes (node_refs)."""
    neo, nx, samples = both

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("neighbours read whole links or looked the far nodes up again")

    monkeypatch.setattr(neo, "edges_of", refused)
    monkeypatch.setattr(neo, "node_refs", refused)
    for node in samples["hubs"][:2] + samples["claims"][:2]:
        for kw in ({}, {"include_evidence": True}, {"categories": ["Intervention"]},
                   {"predicates": ["addresses"], "limit": 3}):
            assert neo.neighbors(node, **kw) == nx.neighbors(node, **kw), (node, kw)


def test_breadth_in_one_read_equals_embedded(both) -> None:
    """How many concepts sit below a node (the 'least umbrella' path rank) — one Cypher read
    per call on Neo4j, the same counts as the embedded level-by-level walk."""
    neo, nx, samples = both
    ids = (samples["hubs"] + samples["harms"][:20] + samples["risk_factors"][:20]
           + samples["claims"][:3] + ["risk:does-not-exist"])
    got = neo._breadth(ids)
    assert got == nx._breadth(ids)
    assert any(v > 0 for v in got.values()) and got["risk:does-not-exist"] == 0
