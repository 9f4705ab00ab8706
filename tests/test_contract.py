"""The backend contract: every backend gives these answers on tests/fixtures/mini.

Runs once per backend (see the ``backend`` fixture in conftest.py).
"""

from __future__ import annotations

import pytest

from graph.backend import GraphBackend, UnknownNodeError
from graph.models import to_frame

FOSTER = "risk:foster-care-placement"
DMST = "harm:domestic-minor-sex-trafficking"
IPV = "harm:intimate-partner-violence"


# ---------------------------------------------------------------- stats and nodes
def test_stats_match_the_evidence_base(backend: GraphBackend, mini_eb) -> None:
    s = backend.stats()
    assert s.nodes == len(mini_eb.nodes)
    assert s.edges == len(mini_eb.edges)
    assert s.by_category == dict(sorted(mini_eb.counts().items()))
    assert s.by_predicate["increases_risk_of"] == 3


def test_node_has_properties_synonyms_and_sources(backend: GraphBackend) -> None:
    n = backend.node(FOSTER)
    assert n.label == "Foster care placement"
    assert n.category == "RiskFactor"
    assert set(n.alt_labels) == {"foster care", "child welfare placement"}
    assert n.properties["ecological_level"] == "relationship"
    assert n.sources[0]["citation"] == "cite:doc-brief"
    claim = backend.node("claim:ipv-before-trafficking")
    assert claim.properties["statistics"][0]["value"] == 70
    assert claim.properties["flags"] == ["secondary"]


def test_unknown_id_suggests_nearest(backend: GraphBackend) -> None:
    with pytest.raises(UnknownNodeError) as info:
        backend.node("risk:foster-care")
    assert FOSTER in info.value.suggestions
    assert "Did you mean" in str(info.value)


def test_nodes_of_a_class_include_subclasses(backend: GraphBackend) -> None:
    ids = [n.id for n in backend.nodes("Harm")]
    assert IPV in ids and DMST in ids and "harm:human-trafficking" in ids
    assert [n.id for n in backend.nodes("TraffickingType")] == [
        DMST, "harm:human-trafficking", "harm:sex-trafficking"]


# ---------------------------------------------------------------- search
@pytest.mark.parametrize(("query", "expected", "matched"), [
    ("foster care", FOSTER, "foster care"),
    ("Foster Care Placement", FOSTER, "Foster care placement"),
    ("FÓSTER  care", FOSTER, "foster care"),
    ("DMST", DMST, "DMST"),
    ("ipv", IPV, "IPV"),
    ("domestic violence", IPV, "domestic violence"),
    ("child welfare placement", FOSTER, "child welfare placement"),
])
def test_search_finds_labels_and_synonyms(backend: GraphBackend, query: str, expected: str,
                                          matched: str) -> None:
    hits = backend.search(query)
    assert hits, query
    assert hits[0].node.id == expected
    assert hits[0].matched == matched


def test_search_ranks_exact_before_partial_and_concepts_before_claims(
        backend: GraphBackend) -> None:
    hits = backend.search("trafficking")
    ids = [h.node.id for h in hits]
    assert ids[0] == "harm:human-trafficking"  # synonym 'trafficking' is an exact match
    first_claim = next(i for i, h in enumerate(hits) if h.node.category == "Claim")
    assert all(h.node.category != "Claim" for h in hits[:first_claim])
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_search_filters_and_misses(backend: GraphBackend) -> None:
    assert backend.search("zzzz-nothing") == []
    assert backend.search("   ") == []
    only = backend.search("trafficking", categories=["RiskFactor"])
    assert only == []
    harms = backend.search("trafficking", categories=["Harm"])
    assert {h.node.category for h in harms} <= {"Harm", "TraffickingType"}
    assert len(backend.search("a", limit=2)) <= 2


# ---------------------------------------------------------------- neighbours
def test_neighbors_with_filters(backend: GraphBackend) -> None:
    all_n = backend.neighbors("harm:human-trafficking")
    assert {(n.node.id, n.predicate, n.direction) for n in all_n} == {
        ("harm:sex-trafficking", "broader", "in"),
        (IPV, "co_occurs_with", "out"),  # symmetric links are stored one way: by id order
        (IPV, "increases_risk_of", "in"),
        ("ind:no-identification-documents", "indicates", "in"),
        ("tactic:isolation", "uses_tactic", "out"),
    }
    tactics = backend.neighbors("harm:human-trafficking", categories=["ControlTactic"])
    assert [n.node.id for n in tactics] == ["tactic:isolation"]
    assert tactics[0].claims == ("claim:shared-tactics",)
    risk = backend.neighbors("harm:human-trafficking", predicates=["increases_risk_of"])
    assert [n.node.id for n in risk] == [IPV]
    with_evidence = backend.neighbors(FOSTER, include_evidence=True)
    assert "claim:foster-care-raises-risk" in {n.node.id for n in with_evidence}
    assert "claim:foster-care-raises-risk" not in {n.node.id for n in backend.neighbors(FOSTER)}


def test_neighbors_reject_unknown_relation(backend: GraphBackend) -> None:
    with pytest.raises(ValueError, match="unknown relation"):
        backend.neighbors(FOSTER, predicates=["DROP_ALL"])


# ---------------------------------------------------------------- paths
def test_signature_journey_foster_care_to_interventions(backend: GraphBackend) -> None:
    paths = backend.paths(FOSTER, "Intervention")
    assert [p.end.id for p in paths] == ["int:safe-harbor-navigators", "int:hotel-training-law"]
    best = paths[0]
    assert [n.id for n in best.nodes] == [FOSTER, DMST, "int:safe-harbor-navigators"]
    first, second = best.hops
    assert (first.predicate, first.forward) == ("increases_risk_of", True)
    assert first.claims == ("claim:foster-care-raises-risk",)
    assert first.citations == ("cite:lee-2019", "cite:smith-2017")
    assert (second.predicate, second.forward) == ("addresses", False)
    assert second.subject.id == "int:safe-harbor-navigators"
    assert paths[1].length == 3  # via the broader 'sex trafficking'


def test_paths_on_to_strategies_and_evidence(backend: GraphBackend) -> None:
    strat = backend.paths(FOSTER, "PreventionStrategy")
    assert [p.end.id for p in strat] == ["strat:early-intervention",
                                         "strat:identification-of-victims"]
    assert strat[0].hops[-1].predicate == "implements"
    claims = backend.paths(FOSTER, "Claim", max_hops=1)
    assert [p.end.id for p in claims] == ["claim:foster-care-raises-risk"]
    cites = backend.paths(FOSTER, "Citation", max_hops=2)
    assert {p.end.id for p in cites} == {"cite:doc-brief", "cite:smith-2017", "cite:lee-2019"}
    assert all(p.nodes[1].category == "Claim" for p in cites)


def test_paths_respect_hops_limit_and_destination(backend: GraphBackend) -> None:
    assert backend.paths(FOSTER, "Intervention", max_hops=1) == []
    assert len(backend.paths(FOSTER, "Intervention", limit=1)) == 1
    one = backend.paths(FOSTER, to_id="tactic:isolation", max_hops=4)
    assert one and all(p.end.id == "tactic:isolation" for p in one)
    assert [n.id for n in one[0].nodes] == [FOSTER, DMST, "harm:sex-trafficking",
                                            "harm:human-trafficking", "tactic:isolation"]
    with pytest.raises(ValueError):
        backend.paths(FOSTER)
    with pytest.raises(UnknownNodeError):
        backend.paths("risk:nope", "Intervention")


def test_paths_rank_by_hops_then_evidence(backend: GraphBackend) -> None:
    paths = backend.paths("harm:human-trafficking", "ControlTactic", max_hops=3, limit=20)
    lengths = [p.length for p in paths]
    assert lengths == sorted(lengths)
    for a, b in zip(paths, paths[1:], strict=False):
        if a.length == b.length:
            assert len(a.claims) >= len(b.claims)


# ---------------------------------------------------------------- shared
def test_shared_tactics_of_ipv_and_trafficking(backend: GraphBackend) -> None:
    r = backend.shared(IPV, "harm:human-trafficking", "ControlTactic")
    assert [i.node.id for i in r.shared] == ["tactic:isolation"]
    assert [i.node.id for i in r.only_a] == ["tactic:economic-abuse"]
    # debt bondage is used in sex trafficking, a sub-type of human trafficking
    assert [i.node.id for i in r.only_b] == ["tactic:debt-bondage"]
    assert r.only_b[0].b_links[0].node.id == "harm:sex-trafficking"
    narrow = backend.shared(IPV, "harm:human-trafficking", "ControlTactic",
                            include_narrower=False)
    assert narrow.only_b == ()


def test_shared_can_inherit_from_broader_categories(backend: GraphBackend) -> None:
    plain = backend.shared(IPV, "harm:sex-trafficking", "ControlTactic")
    assert [i.node.id for i in plain.shared] == []
    inherited = backend.shared(IPV, "harm:sex-trafficking", "ControlTactic",
                               include_broader=True)
    assert [i.node.id for i in inherited.shared] == ["tactic:isolation"]
    # the item says it holds for sex trafficking through human trafficking
    assert inherited.shared[0].b_links[0].node.id == "harm:human-trafficking"


# ---------------------------------------------------------------- coverage
def test_coverage_matrix_and_gaps(backend: GraphBackend) -> None:
    cov = backend.coverage("Harm", "PreventionStrategy")
    cell = cov.cell(DMST, "strat:early-intervention")
    assert [i.id for i in cell.items] == ["int:safe-harbor-navigators"]
    assert cell.claims == ("claim:navigators-serve-youth",)
    # roll-up: an intervention for DMST also covers sex trafficking and human trafficking
    assert cov.cell("harm:human-trafficking", "strat:early-intervention").count == 1
    assert cov.cell(IPV, "strat:early-intervention").count == 0  # a gap
    matrix = cov.matrix()
    assert len(matrix) == len(cov.rows) == 4 and len(matrix[0]) == len(cov.cols) == 2
    flat = backend.coverage("Harm", "PreventionStrategy", rollup=False)
    assert flat.cell("harm:human-trafficking", "strat:early-intervention").count == 0
    regions = backend.coverage("TraffickingType", "Region")
    assert regions.cell("harm:sex-trafficking", "region:united-states").count == 2
    top = backend.coverage("Harm", "PreventionStrategy", top_level_only=True)
    assert {r.id for r in top.rows} == {IPV, "harm:human-trafficking"}


# ---------------------------------------------------------------- evidence
def test_claims_carry_citations_provenance_and_flags(backend: GraphBackend) -> None:
    claims = {c.id: c for c in backend.claims()}
    assert len(claims) == 5
    c = claims["claim:foster-care-raises-risk"]
    assert [ci.id for ci in c.citations] == ["cite:lee-2019", "cite:smith-2017"]
    assert c.citations[1].doi == "10.1177/0000000000000001"
    assert c.citations[1].doi_url == "https://doi.org/10.1177/0000000000000001"
    assert c.stated_in is not None and c.stated_in.id == "cite:doc-brief"
    assert c.locator == "Section A"
    assert {a.id for a in c.about} == {FOSTER, DMST}
    unsourced = claims["claim:runaways-one-in-six"]
    assert unsourced.flags == ("unsourced_figure",) and unsourced.citations == ()
    assert unsourced.statistics[0]["text"] == "1 in 6"
    assert claims["claim:navigators-serve-youth"].flags == ("descriptive",)


def test_claim_filters(backend: GraphBackend) -> None:
    assert {c.id for c in backend.claims(flag="unsourced_figure")} == {
        "claim:runaways-one-in-six"}
    assert {c.id for c in backend.claims(flag="descriptive")} == {"claim:navigators-serve-youth"}
    assert {c.id for c in backend.claims(year=2019)} == {
        "claim:foster-care-raises-risk", "claim:ipv-before-trafficking"}
    assert {c.id for c in backend.claims(evidence_kind="literature_review")} == {
        "claim:shared-tactics"}
    assert len(backend.claims(source="cite:doc-brief")) == 5
    assert backend.claims(source="cite:smith-2017") == []
    assert {c.id for c in backend.claims(text="foster")} == {"claim:foster-care-raises-risk"}
    assert {c.id for c in backend.claims(about=IPV)} == {
        "claim:ipv-before-trafficking", "claim:shared-tactics"}


def test_evidence_for_a_node_includes_link_claims(backend: GraphBackend) -> None:
    ids = {c.id for c in backend.evidence_for("tactic:economic-abuse")}
    assert ids == {"claim:shared-tactics"}  # not 'about' it, but behind its uses_tactic link


def test_citations_listing(backend: GraphBackend) -> None:
    cites = backend.citations()
    assert [c.id for c in cites] == ["cite:smith-2017", "cite:lee-2019", "cite:doc-brief"]
    smith = backend.citation("cite:smith-2017")
    assert smith.authors == ("Smith, A.", "Jones, B.")
    assert smith.short() == "Smith & Jones (2017)"
    assert smith.properties["study"]["sample_size"] == 250


def test_results_convert_to_dataframes(backend: GraphBackend) -> None:
    df = to_frame(backend.paths(FOSTER, "Intervention"))
    assert list(df["end_id"]) == ["int:safe-harbor-navigators", "int:hotel-training-law"]
    hits = to_frame(backend.search("foster"))
    assert hits.loc[0, "node_id"] == FOSTER


# ---------------------------------------------------------------- link basis
HOTEL = "int:hotel-training-law"
IDENT = "strat:identification-of-victims"


def test_every_link_says_its_basis(backend: GraphBackend) -> None:
    out = {(n.node.id, n.predicate): n for n in backend.neighbors(HOTEL)}
    assert out[(IDENT, "implements")].basis == "inferred"
    assert out[("harm:sex-trafficking", "addresses")].basis == "stated"
    hops = backend.paths(HOTEL, to_id=IDENT, max_hops=1)[0].hops
    assert hops[0].basis == "inferred"
    assert hops[0].basis_note and "curators" in hops[0].basis_note
    stated = backend.paths(FOSTER, to_id=DMST, max_hops=1)[0].hops[0]
    assert stated.basis == "stated" and stated.basis_note is None


def test_paths_can_leave_inferred_links_out(backend: GraphBackend) -> None:
    assert backend.paths(HOTEL, "PreventionStrategy", max_hops=1)
    assert backend.paths(HOTEL, "PreventionStrategy", max_hops=1, include_inferred=False) == []
    assert backend.paths(HOTEL, to_id=IDENT, max_hops=1, include_inferred=False) == []


def test_coverage_and_shared_can_leave_inferred_links_out(backend: GraphBackend) -> None:
    cov = backend.coverage("Harm", "PreventionStrategy")
    assert [i.id for i in cov.cell("harm:sex-trafficking", IDENT).items] == [HOTEL]
    stated = backend.coverage("Harm", "PreventionStrategy", include_inferred=False)
    assert stated.cell("harm:sex-trafficking", IDENT).count == 0
    assert stated.cell(DMST, "strat:early-intervention").count == 1
    both = backend.shared(HOTEL, "int:safe-harbor-navigators")
    assert IDENT in {i.node.id for i in both.only_a}
    assert [n.basis for i in both.only_a if i.node.id == IDENT for n in i.a_links] == [
        "inferred"]
    strict = backend.shared(HOTEL, "int:safe-harbor-navigators", include_inferred=False)
    assert IDENT not in {i.node.id for i in strict.only_a}


def test_path_groups_rank_evidence_then_specificity(backend: GraphBackend) -> None:
    """Grouped by destination, best first; a hop with a claim beats one without, and a
    route through a narrower concept beats one through its umbrella."""
    groups = backend.path_groups(FOSTER, "Intervention")
    ends = [g.end.id for g in groups]
    assert len(ends) == len(set(ends))
    assert ends[0] == "int:safe-harbor-navigators"
    first = groups[0].paths[0]
    assert [n.id for n in first.nodes] == [FOSTER, DMST, "int:safe-harbor-navigators"]
    assert all(p.end.id == g.end.id for g in groups for p in g.paths)


def test_gap_map_can_leave_inferred_links_out(backend: GraphBackend) -> None:
    full = backend.gap_map("Harm", "PreventionStrategy")
    strict = backend.gap_map("Harm", "PreventionStrategy", include_inferred=False)
    assert HOTEL in {i.id for i in full.cell("harm:sex-trafficking", IDENT).items}
    assert HOTEL not in {i.id for i in strict.cell("harm:sex-trafficking", IDENT).items}
    assert strict.cell(DMST, "strat:early-intervention").count == 1


def test_path_order_is_the_documented_rank(backend: GraphBackend) -> None:
    """paths() ranks before building results; the order equals graph.backend.path_rank."""
    from graph.backend import path_rank

    found = backend.paths(FOSTER, "Intervention", max_hops=4, limit=50)
    nodes = {n.id for p in found for n in p.nodes[1:-1]}
    breadth = {i: len(backend.narrower(i)) for i in nodes}
    firsts: list = []
    for p in found:
        if not firsts or firsts[-1].end.id != p.end.id:
            firsts.append(p)
    assert [path_rank(p, breadth) for p in firsts] == sorted(path_rank(p, breadth)
                                                           for p in firsts)
