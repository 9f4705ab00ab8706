"""Quality gates of the shipped evidence base (the five source documents, curated)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from graph.nx_backend import NetworkxBackend
from graph.text import normalize
from loaders.evidence import EvidenceBase, load_evidence_base

SOURCE_DOCS = {
    "cite:uroc-roundtable-2018": "research_summary",
    "cite:ncap-intersections-brief": "brief",
    "cite:ccadv-understanding-trafficking": "training_slides",
    "cite:heart-betrayed-training": "training_description",
    "cite:mn-prevention-strategies": "strategy_sheet",
}


@pytest.fixture(scope="module")
def eb() -> EvidenceBase:
    return load_evidence_base(use_cache=False)


@pytest.fixture(scope="module")
def g(eb: EvidenceBase) -> NetworkxBackend:
    return NetworkxBackend.from_evidence_base(eb)


def concepts(eb: EvidenceBase):
    return [n for n in eb.nodes.values() if n.category not in ("Claim", "Citation")]


def test_five_source_documents_with_their_kinds(eb: EvidenceBase) -> None:
    docs = {n.id: n.properties.get("document_kind") for n in eb.nodes.values()
            if n.properties.get("kind") == "source_document"}
    assert docs == SOURCE_DOCS


def test_every_concept_has_a_definition_and_a_source(eb: EvidenceBase) -> None:
    for n in concepts(eb):
        assert n.definition and len(n.definition) > 15, n.id
        assert n.sources, n.id
        assert all(s.citation in SOURCE_DOCS or s.citation.startswith("cite:")
                   for s in n.sources), n.id


def test_every_claim_has_a_locator_and_a_citation_or_unsourced_flag(
        eb: EvidenceBase) -> None:
    cites = defaultdict(list)
    stated = {}
    for (s, p, o), e in eb.edges.items():
        if p == "supported_by":
            cites[s].append(o)
        if p == "stated_in":
            stated[s] = (o, e.properties.get("locator"))
    claims = [n for n in eb.nodes.values() if n.category == "Claim"]
    assert len(claims) >= 100
    for c in claims:
        doc, locator = stated[c.id]
        assert doc in SOURCE_DOCS and locator, c.id
        assert cites[c.id] or "unsourced" in c.properties.get("flags", []), c.id


def test_all_twenty_ncap_references_are_citations(eb: EvidenceBase) -> None:
    numbers = sorted(li["number"] for n in eb.nodes.values() if n.category == "Citation"
                     for li in n.properties.get("listed_in", [])
                     if li["citation"] == "cite:ncap-intersections-brief")
    assert numbers == list(range(1, 21))
    obrien = eb.nodes["cite:obrien-2017"]
    assert obrien.properties["doi"] == "10.1177/1077559517709995"
    assert obrien.properties["year"] == 2017


def test_no_orphan_nodes(eb: EvidenceBase) -> None:
    """Concepts and claims are linked to something; citations are cited, listed or sourced."""
    touched = {x for (s, _, o) in eb.edges for x in (s, o)}
    orphans = {n.id for n in eb.nodes.values()
               if n.category != "Citation" and n.id not in touched}
    referenced = {s.citation for n in eb.nodes.values() for s in n.sources}
    referenced |= {li["citation"] for n in eb.nodes.values()
                   for li in n.properties.get("listed_in", [])}
    for n in eb.nodes.values():
        if n.category == "Citation" and n.id not in touched | referenced and not (
                n.properties.get("listed_in") or n.sources):
            orphans.add(n.id)
    assert not orphans


def test_no_duplicate_concepts_within_a_vocabulary(eb: EvidenceBase) -> None:
    """Two entries of one class may not share a label or synonym (case/accent-insensitive)."""
    seen: dict[tuple[str, str], str] = {}
    clashes = []
    for n in concepts(eb):
        for text in {normalize(t) for t in (n.label, *n.alt_labels)}:
            key = (n.category, text)
            if key in seen and seen[key] != n.id:
                clashes.append((text, seen[key], n.id))
            seen[key] = n.id
    assert not clashes


def test_risk_factors_carry_their_social_ecological_level(eb: EvidenceBase) -> None:
    levels = {n.properties["ecological_level"] for n in eb.nodes.values()
              if n.category == "RiskFactor"}
    assert levels == {"individual", "relationship", "community", "societal"}


def test_seven_prevention_strategies_with_goals(g: NetworkxBackend) -> None:
    top = ["strat:education-outreach-high-risk-youth", "strat:healthy-relationships-programming",
           "strat:identification-of-victims", "strat:early-intervention", "strat:reduce-demand",
           "strat:end-business-profits", "strat:policies-systems-change"]
    for sid in top:
        node = g.node(sid)
        assert node.properties.get("goal"), sid
        assert g.narrower(sid), f"{sid} has no key factors"
        assert g.neighbors(sid, ["Intervention"], ["implements"]), f"no example for {sid}"


@pytest.mark.parametrize(("query", "expected"), [
    ("foster care", "risk:foster-care-placement"),
    ("DMST", "harm:domestic-minor-sex-trafficking"),
    ("CSEC", "harm:domestic-minor-sex-trafficking"),
    ("IPV", "harm:intimate-partner-violence"),
    ("DV", "harm:intimate-partner-violence"),
    ("TVPA", "int:tvpa"),
    ("familial", "harm:familial-trafficking"),
    ("family-based trafficking", "harm:familial-trafficking"),
    ("child welfare placement", "risk:foster-care-placement"),
    ("runaway", "risk:running-away"),
])
def test_synonyms_people_type(g: NetworkxBackend, query: str, expected: str) -> None:
    assert g.search(query)[0].node.id == expected


@pytest.mark.parametrize("start", [
    "risk:foster-care-placement", "risk:homelessness", "risk:running-away", "risk:prior-abuse",
    "risk:poverty", "harm:intimate-partner-violence",
])
def test_signature_journeys_reach_interventions_and_strategies_with_evidence(
        g: NetworkxBackend, start: str) -> None:
    to_int = g.paths(start, "Intervention", max_hops=4, limit=50)
    assert to_int, f"no path from {start} to an intervention"
    assert any(h.claims for p in to_int for h in p.hops), "paths carry no evidence"
    assert g.paths(start, "PreventionStrategy", max_hops=4)
    assert g.paths(start, "Claim", max_hops=1), f"no claim about {start}"


def test_foster_care_link_to_trafficking_names_its_studies(g: NetworkxBackend) -> None:
    out = g.neighbors("risk:foster-care-placement", predicates=["increases_risk_of"])
    targets = {n.node.id: n for n in out}
    assert "harm:domestic-minor-sex-trafficking" in targets or \
        "harm:human-trafficking" in targets
    claims = g.claims(sorted({c for n in out for c in n.claims}))
    cited = {ci.id for c in claims for ci in c.citations}
    assert {"cite:obrien-2017", "cite:gibbs-2018", "cite:finigan-carr-2019"} <= cited


def test_unsourced_and_secondary_figures_are_flagged(g: NetworkxBackend) -> None:
    unsourced = {c.id for c in g.claims(flag="unsourced")}
    secondary = g.claims(flag="secondary")
    assert len(unsourced) >= 20 and secondary
    nine_thousand = [c for c in g.claims(text="9,000") + g.claims(text="9000")]
    assert nine_thousand and all("unsourced" in c.flags for c in nine_thousand)


def test_taxonomy_mappings_exist(eb: EvidenceBase) -> None:
    schemes = {m["scheme"] for n in eb.nodes.values() for m in n.properties.get("mappings", [])}
    assert {"ctdc", "htcds", "polaris-typology", "duluth-wheel"} <= schemes
    assert "cdc-social-ecological" not in schemes  # that list is unverified; never mapped


def test_intersections_of_ipv_and_trafficking_share_tactics(g: NetworkxBackend) -> None:
    r = g.shared("harm:intimate-partner-violence", "harm:human-trafficking", "ControlTactic")
    shared = {i.node.id for i in r.shared}
    assert {"tactic:isolation", "tactic:economic-abuse", "tactic:emotional-abuse"} <= shared


def test_service_gap_map_has_covered_cells_and_gaps(g: NetworkxBackend) -> None:
    cov = g.coverage("Harm", "PreventionStrategy", top_level_only=True)
    counts = [n for row in cov.matrix() for n in row]
    assert any(counts) and 0 in counts


def _seeds_dir():
    from pathlib import Path

    for base in Path(__file__).resolve().parents:
        cand = base / "shared" / "seeds"
        if cand.is_dir():
            return cand
    return None


def test_statements_are_in_our_own_words(eb: EvidenceBase) -> None:
    """Facts and names carry over from the documents, sentences do not: no definition or
    claim shares a run of 12 words with a source document (lists of names are shorter)."""
    seeds = _seeds_dir()
    if seeds is None:
        pytest.skip("the source documents (shared/seeds) are not beside this checkout")
    words = " ".join(normalize(p.read_text(encoding="utf-8"))
                     for p in sorted(seeds.glob("*.txt"))).split()
    n = 12
    shingles = {tuple(words[i:i + n]) for i in range(len(words) - n)}
    copied = []
    for node in eb.nodes.values():
        w = normalize(node.definition or "").split()
        if any(tuple(w[i:i + n]) in shingles for i in range(len(w) - n + 1)):
            copied.append(node.id)
    assert copied == []
