"""Paths to claims across a wide level read the claims best first (graph/claim_order.py) and
give exactly the answer that reading every claim gives.

The generated base is changed so that every case of the rule occurs: ``about`` links that carry
claims of their own (their nodes' claims are read whole, from a lower bound), inferred ``about``
links (their own, later key) and plain ones; several limits, with and without inferred links.
Each answer is compared with the same backend reading the level in one go
(``ORDERED_CLAIMS_MIN_FRONTIER`` above any frontier) and, on Neo4j, with the embedded backend.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generator import generate
from graph.backend import EdgeView, GraphBackend, HubLevel
from graph.claim_order import (
    HUB_INFERRED,
    HUB_PLAIN,
    ClaimEvent,
    certain,
    claim_events,
    lower_bound,
    plain_key,
    prefix_bounds,
    route_key,
)
from graph.nx_backend import NetworkxBackend
from loaders.evidence import EvidenceBase, load_evidence_base
from loaders.records import EdgeRecord
from tests.conftest import both_backends, settings_of

CASES = [(12, True), (3, True), (5, False), (30, True), (1, False)]


def _edge(s: str, o: str, claims: tuple[str, ...] = (), predicate: str = "about",
          **props: Any) -> EdgeView:
    return EdgeView(s, predicate, o, claims, props)


# ------------------------------------------------------------------ the pure rule
def test_route_key_follows_path_rank_parts() -> None:
    a = _edge("claim:a", "x")
    b = _edge("x", "y", ("claim:b", "claim:c"), "related_to")
    c = _edge("y", "z", ("claim:b",), "related_to", basis="inferred")
    cites = {"claim:b": ("cite:1", "cite:2"), "claim:c": ("cite:2",)}
    key = route_key(["s", "x", "y", "z"], [a, b, c], {"x": 4, "y": 1, "z": 100}, cites)
    # one hop without claims; breadth of x and y (not the ends); 3 hops; 1 inferred;
    # 2 distinct claims; 2 distinct citations
    assert key == (1, 5, 3, 1, -2, -2)


def test_prefix_bounds_are_the_best_route_key_and_never_above_it() -> None:
    cites = {"claim:b": ("cite:1",), "claim:c": ("cite:1", "cite:2")}
    breadth = {"x": 2, "y": 0, "z": 1}
    s_x = _edge("s", "x", ("claim:b",), "related_to")
    s_y = _edge("s", "y", (), "related_to")
    x_z = _edge("x", "z", ("claim:b",), "related_to")  # claim:b again on the same route
    y_z = _edge("y", "z", ("claim:c",), "related_to", basis="inferred")
    preds_of = {"x": [("s", s_x)], "y": [("s", s_y)], "z": [("x", x_z), ("y", y_z)]}
    got = prefix_bounds("s", ["x", "y", "z"], preds_of, breadth, cites)
    routes = {"x": [(["s", "x"], [s_x])], "y": [(["s", "y"], [s_y])],
              "z": [(["s", "x", "z"], [s_x, x_z]), (["s", "y", "z"], [s_y, y_z])]}
    for node, rs in routes.items():
        real = min(route_key([*r, "next"], es, breadth, cites) for r, es in rs)
        assert got[node] <= real
    # no claim repeats on the routes to x and y: the bound is the key itself
    assert got["x"] == (0, 2, 1, 0, -1, -1) and got["y"] == (1, 0, 1, 0, 0, 0)
    # via x, claim:b backs both hops: counted twice, so the bound is strictly below
    assert got["z"] == (0, 3, 2, 0, -2, -2) < route_key(["s", "x", "z", "n"], [s_x, x_z],
                                                        breadth, cites)
    # a node without a known breadth counts 0 (still a bound)
    assert prefix_bounds("s", ["x"], preds_of, {}, cites)["x"] == (0, 0, 1, 0, -1, -1)


def test_a_plain_hop_adds_exactly_one_unclaimed_hop_and_a_bound_never_exceeds_it() -> None:
    p = (1, 3, 2, 0, -1, -2)
    assert plain_key(p) == (2, 3, 3, 0, -1, -2)
    assert plain_key(p, inferred=True) == (2, 3, 3, 1, -1, -2)
    assert lower_bound(p) < plain_key(p)
    # a hop that carries claims can beat the plain key of a node one hop better placed
    assert lower_bound(p) < plain_key((0, 3, 2, 0, -1, -2))


def test_events_come_best_first_with_a_bound_before_an_equal_exact_key() -> None:
    prefixes = {"a": (1, 0, 1, 0, 0, 0), "b": (1, 0, 1, 0, 0, 0), "c": (0, 0, 1, 0, 0, 0),
                "d": (2, 0, 1, 0, 0, 0)}
    events = claim_events(prefixes, {"d"}, include_inferred=True)
    keys = [ev.key for ev in events]
    assert keys == sorted(keys)
    first = events[0]
    assert first.plain == ("c",) and first.exact
    ab = next(ev for ev in events if ev.plain == ("a", "b"))
    assert ab.key == (2, 0, 2, 0, 0, 0)
    # d's links may carry claims: a lower bound, read whole, before the exact key it equals
    d = next(ev for ev in events if ev.every == ("d",))
    assert not d.exact and events.index(d) < events.index(ab)
    # inferred links of c share a key with nothing else here; without inferred, no such event
    assert any(ev.inferred == ("c",) for ev in events)
    assert not any(ev.inferred for ev in claim_events(prefixes, (), include_inferred=False))


def test_certain_counts_only_destinations_that_rank_before_everything_unread() -> None:
    best = {"c1": (1, 0, 2, 0, 0, 0), "c2": (2, 0, 2, 0, 0, 0), "c3": (2, 0, 2, 0, 0, 0)}
    folds = {"c1": "zeta", "c2": "alpha", "c3": "beta"}
    assert certain(best, folds, (2, 0, 2, 0, 0, 0)) == 1
    assert certain(best, folds, (2, 0, 2, 0, 0, 0), "alpha") == 2
    assert certain(best, folds, (2, 0, 2, 0, 0, 0), "beta") == 3
    assert certain(best, folds, (3, 0, 0, 0, 0, 0)) == 3
    assert ClaimEvent((0, 0, 0, 0, 0, 0)).exact


# ------------------------------------------------------------------ the walk, both ways
@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[EvidenceBase, dict[str, Any]]:
    """A generated base where some ``about`` links carry claims and some are inferred."""
    out = tmp_path_factory.mktemp("order") / "base"
    syn = generate(Path(out), 700, seed=7)
    eb = load_evidence_base(out, shacl=False)
    rng = random.Random(11)
    claims = sorted(i for i, n in eb.nodes.items() if n.category == "Claim")
    about = sorted(k for k in eb.edges if k[1] == "about")
    changed = {"claims": 0, "inferred": 0}
    for key in rng.sample(about, len(about) // 12):
        e = eb.edges[key]
        if rng.random() < 0.4:
            backing = tuple(sorted(set(rng.sample(claims, 2)) - {e.subject}))
            eb.edges[key] = EdgeRecord(subject=e.subject, predicate="about", object=e.object,
                                       claims=backing, properties=dict(e.properties))
            changed["claims"] += 1
        else:
            eb.edges[key] = EdgeRecord(subject=e.subject, predicate="about", object=e.object,
                                       claims=(), properties={**e.properties,
                                                              "basis": "inferred"})
            changed["inferred"] += 1
    assert changed["claims"] > 10 and changed["inferred"] > 10
    # some structural links of the hubs inferred too: a hub's first level then has neighbours
    # reached only by inferred links (a group of their own, and out of the walk without them)
    hubs = set(syn.samples["hubs"])
    structural = sorted(k for k, e in eb.edges.items()
                        if k[1] not in ("about", "supported_by", "stated_in", "members")
                        and (e.subject in hubs or e.object in hubs) and not e.claims)
    for key in rng.sample(structural, len(structural) // 5):
        e = eb.edges[key]
        eb.edges[key] = EdgeRecord(subject=e.subject, predicate=e.predicate, object=e.object,
                                   claims=(), properties={**e.properties, "basis": "inferred"})
    return eb, syn.samples


def _starts(backend: GraphBackend, samples: dict[str, Any], n: int = 24) -> list[str]:
    rng = random.Random(3)
    pool = sorted(backend.ids_of(frozenset({"RiskFactor", "Harm", "Intervention",
                                            "Population", "Setting"})))
    return samples["hubs"] + rng.sample(pool, n)


def _answers(backend: GraphBackend, starts: list[str], min_frontier: int,
             max_hops: int = 4) -> list[Any]:
    backend.ORDERED_CLAIMS_MIN_FRONTIER = min_frontier  # type: ignore[misc]
    try:
        return [backend.paths(s, "Claim", max_hops=max_hops, limit=limit,
                              include_inferred=inferred)
                for s in starts for limit, inferred in CASES]
    finally:
        del backend.ORDERED_CLAIMS_MIN_FRONTIER


def test_embedded_ordered_levels_give_the_answer_of_reading_every_claim(base) -> None:
    eb, samples = base
    nx = NetworkxBackend.from_evidence_base(eb)
    starts = _starts(nx, samples)
    calls: list[int] = []
    real = nx._claims_into

    def counting(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    nx._claims_into = counting  # type: ignore[method-assign]
    ordered = _answers(nx, starts, 1)
    assert calls, "no level was read in rank order"
    calls.clear()
    whole = _answers(nx, starts, 10 ** 9)
    assert not calls
    assert sum(1 for a in whole if a) > len(whole) // 2  # most starts reach claims
    for i, (got, want) in enumerate(zip(ordered, whole, strict=True)):
        assert got == want, (starts[i // len(CASES)], CASES[i % len(CASES)])


@pytest.fixture(scope="module")
def both(base: tuple[EvidenceBase, dict[str, Any]], neo4j_credentials: Any,
         neo4j_driver: Any) -> Iterator[tuple[Any, NetworkxBackend, dict[str, Any]]]:
    eb, samples = base
    with both_backends(eb, neo4j_credentials, neo4j_driver) as (neo, nx):
        yield neo, nx, samples


@pytest.mark.neo4j
def test_neo4j_ordered_levels_equal_the_embedded_answer(both, monkeypatch) -> None:
    from graph.neo4j import cypher

    neo, nx, samples = both
    starts = _starts(nx, samples)
    reads: list[tuple[int, int]] = []  # (claims asked for, claims that came) per read
    real = neo._read
    event = cypher.claims_into(["x"], [], [], ["x"], 1, [])[0]

    def counting(statement: Any) -> Any:
        rows = real(statement)
        if statement[0] == event:
            reads.append((statement[1]["n"], len({r["s"] for r in rows})))
        return rows

    monkeypatch.setattr(neo, "_read", counting)
    want = _answers(nx, starts, 10 ** 9)
    got = _answers(neo, starts, 1)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        assert g == w, (starts[i // len(CASES)], CASES[i % len(CASES)])
    # a read of an exact key's claims brings at most the limit and a few more for the last
    # label's ties (never a level's whole set); only nodes whose links carry claims are read
    # whole (another statement)
    assert len(reads) > len(starts)
    assert all(came <= asked <= 30 + 8 for asked, came in reads)


@pytest.mark.neo4j
def test_neo4j_hub_levels_equal_the_embedded_answer(both, monkeypatch) -> None:
    """A hub's second level of claims read without its first level gives the embedded
    answer: first at the real threshold (no start of this small base is a hub, so every first
    level comes whole from the summary read), then with every start counted as a hub — the
    reads by pattern (the two groups of ordinary neighbours) and the fallback to walking the
    level whole both happen."""
    neo, nx, samples = both
    starts = _starts(nx, samples)
    summaries: list[HubLevel | None] = []
    groups: list[tuple[str, ...]] = []
    whole: list[int] = []
    real_level, real_claims, real_paths = neo._hub_level, neo._hub_claims, neo._paths

    def level(*args: Any) -> Any:
        summaries.append(real_level(*args))
        return summaries[-1]

    def claims(*args: Any) -> Any:
        ev = args[5]
        groups.append(tuple(x for x in (*ev.plain, *ev.inferred)
                            if x in (HUB_PLAIN, HUB_INFERRED)))
        return real_claims(*args)

    def paths(*args: Any, hub: bool) -> Any:
        if not hub:
            whole.append(1)
        return real_paths(*args, hub=hub)

    monkeypatch.setattr(neo, "_hub_level", level)
    monkeypatch.setattr(neo, "_hub_claims", claims)
    monkeypatch.setattr(neo, "_paths", paths)
    want = _answers(nx, starts, 10 ** 9)
    # no start here is a hub at the real threshold: each level comes whole from the summary
    got = _answers(neo, starts, 1)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        assert g == w, (starts[i // len(CASES)], CASES[i % len(CASES)])
    # (None: a start with no walkable neighbour at all)
    assert any(summaries) and all(s is None or s.whole for s in summaries)
    summaries.clear()
    monkeypatch.setattr(neo, "HUB_MIN_FRONTIER", 1)
    got = _answers(neo, starts, 1)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        assert g == w, (starts[i // len(CASES)], CASES[i % len(CASES)])
    used = [s for s in summaries if s is not None]
    assert used and any(s.edges for s in used) and any(s.inferred for s in used)
    assert any(HUB_PLAIN in g for g in groups) and any(HUB_INFERRED in g for g in groups)
    assert whole, "no start fell back to walking its first level whole"
    assert len(whole) < len(used), "no hub answer came without the whole first level"


@pytest.mark.neo4j
def test_a_hub_level_reads_only_its_special_links(both) -> None:
    """The summary of a hub's first level ships only the links to special neighbours, and
    counts the level as the whole walk would."""
    from graph.backend import STRUCTURAL_PREDICATES

    neo, nx, samples = both
    links = frozenset(STRUCTURAL_PREDICATES)
    for hub in samples["hubs"]:
        for inferred in (True, False):
            got = neo._hub_level(hub, links, frozenset({"Claim"}), inferred, 1)
            edges = [e for e in nx.edges_of([hub], links)
                     if inferred or (e.properties or {}).get("basis") != "inferred"]
            far = {e.object if e.subject == hub else e.subject for e in edges} - {hub}
            if not far:  # nothing to walk (all its links inferred): no summary
                assert got is None
                continue
            assert got is not None and not got.whole
            special = {x for x in far if any(e.claims for e in edges if x in (e.subject,
                                                                          e.object))}
            special |= nx._about_with_claims(sorted(far))
            assert got.count == len(far) and got.special == special
            assert {(e.subject, e.predicate, e.object) for e in got.edges} == {
                (e.subject, e.predicate, e.object) for e in edges
                if e.subject in special or e.object in special}
            # a level below the threshold is no hub: every link comes, with its far node
            whole = neo._hub_level(hub, links, frozenset({"Claim"}), inferred, len(far) + 1)
            assert whole is not None and whole.whole and whole.count == len(far)
            assert set(whole.refs) == far
            assert {(e.subject, e.predicate, e.object) for e in whole.edges} == {
                (e.subject, e.predicate, e.object) for e in edges if e.subject != e.object}


@pytest.mark.neo4j
def test_the_load_stores_the_nodes_whose_about_links_carry_claims(both, base,
                                                                   neo4j_credentials) -> None:
    """Readers take the list from the load state (no scan of every ``about`` link); a load
    state without it — a load by an older version — makes them scan, and the hub summary
    stands aside."""
    from graph.backend import STRUCTURAL_PREDICATES
    from graph.neo4j import cypher
    from ontology.schema import CLASS_BY_NAME, EVIDENCE_CLASSES

    neo, nx, samples = both
    every = sorted(nx.ids_of(frozenset(CLASS_BY_NAME) - EVIDENCE_CLASSES))
    state = neo.load_state()
    assert state is not None
    assert state[cypher.WITH_CLAIMS_RUN_KEY] == state["run_id"]
    assert set(state[cypher.WITH_CLAIMS_KEY]) == nx._about_with_claims(every) != set()
    scans: list[int] = []
    real = neo._read
    scan = cypher.about_with_claims()[0]

    def counting(statement: Any) -> Any:
        if statement[0] == scan:
            scans.append(1)
        return real(statement)

    neo._read = counting  # type: ignore[method-assign]
    try:
        assert neo._about_with_claims(every) == nx._about_with_claims(every)
        assert not scans
        with neo.driver.session(database=neo.database) as s:  # as an older load leaves it
            s.run(f"MATCH (st:{cypher.LOAD_STATE_LABEL} {{dataset: $d}}) "
                  f"SET st.{cypher.WITH_CLAIMS_RUN_KEY} = 'older'", d=neo.dataset).consume()
        neo._with_claims = None
        assert neo._about_with_claims(every) == nx._about_with_claims(every)
        assert scans
        hub = samples["hubs"][0]
        assert neo._hub_level(hub, frozenset(STRUCTURAL_PREDICATES), frozenset({"Claim"}),
                              True, 1) is None
    finally:
        neo._read = real  # type: ignore[method-assign]
        with neo.driver.session(database=neo.database) as s:
            s.run(f"MATCH (st:{cypher.LOAD_STATE_LABEL} {{dataset: $d}}) "
                  f"SET st.{cypher.WITH_CLAIMS_RUN_KEY} = st.run_id", d=neo.dataset).consume()


@pytest.mark.neo4j
def test_a_reload_is_seen_by_the_cached_scan_of_about_links(both, base,
                                                           neo4j_credentials) -> None:
    """The nodes whose ``about`` links carry claims are scanned once per load (its run id):
    after a load of other content the old scan must not answer."""
    from graph.neo4j.loader import load_neo4j

    neo, nx, _ = both
    eb, _ = base
    frontier = sorted(nx.ids_of(frozenset({"Harm", "RiskFactor", "Intervention", "Setting",
                                           "Population"})))
    with_claims = neo._about_with_claims(frontier)
    assert with_claims and with_claims == nx._about_with_claims(frontier)
    plain = EvidenceBase(nodes=dict(eb.nodes), origin=eb.origin)
    plain.edges = {k: (EdgeRecord(subject=e.subject, predicate=e.predicate, object=e.object,
                                  properties=dict(e.properties)) if k[1] == "about" else e)
                   for k, e in eb.edges.items()}
    try:
        load_neo4j(plain, settings_of(neo4j_credentials))
        assert neo._about_with_claims(frontier) == set()
    finally:
        load_neo4j(eb, settings_of(neo4j_credentials))
    assert neo._about_with_claims(frontier) == with_claims
