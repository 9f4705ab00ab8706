"""Quality gates of the shipped evidence base (the five source documents, curated)."""

from __future__ import annotations

import re
import typing
from collections import defaultdict

import pytest

from graph.nx_backend import NetworkxBackend
from graph.text import normalize
from loaders.entries import LinkBasis, QualityFlag
from loaders.evidence import EvidenceBase, load_evidence_base
from ontology.schema import (
    ATTRIBUTED_FLAGS,
    LINK_BASES,
    NO_CITATION_FLAGS,
    QUALITY_FLAGS,
    flag_explanation,
)

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


def test_every_claim_has_a_locator_and_a_citation_or_a_no_citation_flag(
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
        assert cites[c.id] or set(c.properties.get("flags", [])) & set(NO_CITATION_FLAGS), c.id


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
    assert len(g.claims(flag="descriptive")) >= 40
    assert len(g.claims(flag="unsourced_figure")) >= 5 and g.claims(flag="secondary")
    nine_thousand = [c for c in g.claims(text="9,000") + g.claims(text="9000")]
    assert nine_thousand and all({"unsourced_figure", "contested"} <= set(c.flags)
                                 for c in nine_thousand)


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
        from tests.conftest import IN_CI

        if IN_CI:  # CI always lays shared/ beside the clone: a missing copy is a broken run
            pytest.fail("the source documents (shared/seeds) are not beside this checkout")
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


# ------------------------------------------------------------ issue 13: flags with meaning
#: How a statement names the document that states an unsourced figure.
DOC_NAMES = {
    "cite:uroc-roundtable-2018": "UROC",
    "cite:ncap-intersections-brief": "NCAP",
    "cite:ccadv-understanding-trafficking": "CCADV",
    "cite:heart-betrayed-training": "Heart Betrayed",
    "cite:mn-prevention-strategies": "Minnesota",
}
NO_SOURCE = re.compile(r"\bno (figures or )?source\b", re.IGNORECASE)


def test_one_flag_table_for_format_shapes_and_views() -> None:
    assert set(typing.get_args(QualityFlag)) == set(QUALITY_FLAGS)
    assert set(typing.get_args(LinkBasis)) == set(LINK_BASES)
    assert "unsourced" not in QUALITY_FLAGS  # split into figure / contested / descriptive
    for name, spec in QUALITY_FLAGS.items():
        assert spec.label and len(spec.explanation) > 30, name
        assert flag_explanation(name).startswith(spec.label)
    from explorer.components import FLAG_TEXT  # the explorer reads the same table

    assert {n: flag_explanation(n) for n in QUALITY_FLAGS} == FLAG_TEXT


def test_figures_without_a_source_are_attributed_in_label_and_statement(
        g: NetworkxBackend) -> None:
    """The attribution rule: a figure the document gives without a source is written as what
    that document says ("The Heart Betrayed description states …; it gives no source")."""
    flagged = [c for c in g.claims() if set(c.flags) & ATTRIBUTED_FLAGS]
    assert len(flagged) >= 6
    wrong = []
    for c in flagged:
        name = DOC_NAMES[c.stated_in.id]
        for text in (c.label, c.statement):
            if name not in text or not NO_SOURCE.search(text):
                wrong.append((c.id, text))
        if c.citations:
            wrong.append((c.id, "has citations but is flagged as having no source"))
    assert wrong == []


def test_uncited_figures_are_flagged_as_figures_not_descriptions(g: NetworkxBackend) -> None:
    for c in g.claims():
        if c.statistics and not c.citations and c.evidence_kind != "program_description":
            assert set(c.flags) & ATTRIBUTED_FLAGS, c.id
        if "descriptive" in c.flags:
            assert not c.citations and (not c.statistics
                                        or c.evidence_kind == "program_description"), c.id


@pytest.mark.parametrize("text", ["9,000", "48 hours", "most, if not all", "fastest-growing"])
def test_widely_repeated_figures_are_marked_contested_with_a_reason(
        g: NetworkxBackend, text: str) -> None:
    hits = [c for c in g.claims(text=text) if set(c.flags) & ATTRIBUTED_FLAGS]
    assert hits, text
    for c in hits:
        assert "contested" in c.flags and c.note and len(c.note) > 60, c.id
        assert "contested" in c.statement


def test_no_link_rests_only_on_contested_figures(eb: EvidenceBase) -> None:
    contested = {i for i, n in eb.nodes.items() if "contested" in n.properties.get("flags", [])}
    assert contested
    assert [k for k, e in eb.edges.items() if e.claims and set(e.claims) <= contested] == []
    assert [k for k, e in eb.edges.items() if set(e.claims) & contested] == []


def test_misstatements_of_the_issue_are_fixed(eb: EvidenceBase) -> None:
    ct = eb.nodes["claim:ccadv-connecticut-counts-since-2007"].definition or ""
    assert "600 of them" not in ct and "does not say whether" in ct
    assert "by their abuser" not in (eb.nodes["claim:ncap-79-percent-economic-abuse"].definition
                                     or "")
    for goal in ("claim:mn-healthy-culture-reduces-demand",
                 "claim:mn-less-demand-less-victimization", "claim:mn-policies-reduce-entry"):
        node = eb.nodes[goal]
        assert "goal" in (node.definition or "") and "goal" in node.label.casefold(), goal
    crimes = eb.nodes["claim:hb-trafficking-involves-many-crimes"].definition or ""
    assert "usually" not in crimes and "can also involve" in crimes


# ------------------------------------------------------------ issue 13: link basis
def test_every_link_says_its_basis(eb: EvidenceBase) -> None:
    inferred = 0
    for key, e in eb.edges.items():
        if e.predicate in ("about", "supported_by", "stated_in"):
            continue
        basis = e.properties.get("basis")
        assert basis in LINK_BASES, key
        if basis == "inferred":
            inferred += 1
            assert len(e.properties.get("basis_note") or "") > 30, key
    assert inferred >= 5


@pytest.mark.parametrize(("subject", "predicate", "obj"), [
    ("int:tvpa", "implements", "strat:policies-systems-change"),
    ("int:national-human-trafficking-hotline", "implements", "strat:identification-of-victims"),
    ("int:ccadv-understanding-trafficking-training", "implements",
     "strat:identification-of-victims"),
    ("int:heart-betrayed-training", "implements", "strat:identification-of-victims"),
])
def test_curators_inferences_named_in_issue_13_are_marked(
        eb: EvidenceBase, subject: str, predicate: str, obj: str) -> None:
    e = eb.edges[(subject, predicate, obj)]
    assert e.properties["basis"] == "inferred" and e.properties["basis_note"]


def test_men_breaking_free_is_restorative_justice_not_a_buyer_penalty(eb: EvidenceBase) -> None:
    mbf = eb.nodes["int:men-breaking-free"]
    assert ("int:men-breaking-free", "implements", "strat:criminal-penalties-for-buyers") \
        not in eb.edges
    assert ("int:men-breaking-free", "implements", "strat:reduce-demand") in eb.edges
    assert not {"john school", "buyer diversion program"} & {a.casefold() for a in mbf.alt_labels}
    assert "restorative justice" in (mbf.definition or "")


def test_backends_can_leave_inferred_links_out_of_the_gap_map(g: NetworkxBackend) -> None:
    cov = g.coverage("Harm", "PreventionStrategy")
    strict = g.coverage("Harm", "PreventionStrategy", include_inferred=False)
    col = "strat:identification-of-victims"
    hotline = "int:national-human-trafficking-hotline"
    assert hotline in {i.id for i in cov.cell("harm:human-trafficking", col).items}
    assert hotline not in {i.id for i in strict.cell("harm:human-trafficking", col).items}


# ------------------------------------------------------------ issue 13: classification, language
def test_intimate_partner_trafficking_sits_under_ipv_and_human_trafficking(
        g: NetworkxBackend) -> None:
    ipt = "harm:intimate-partner-trafficking"
    assert {"harm:human-trafficking", "harm:intimate-partner-violence"} <= \
        g.broader_chain([ipt])[ipt]
    r = g.shared("harm:intimate-partner-violence", "harm:human-trafficking", "ControlTactic")
    shared = {i.node.id for i in r.shared}
    partner_tactics = {"tactic:financial-control", "tactic:reproductive-coercion",
                       "tactic:control-of-personal-documents", "tactic:monitoring-social-media"}
    assert partner_tactics <= shared
    assert not partner_tactics & {i.node.id for i in r.only_b}
    # the gap map rolls an intervention for IPT up into both of its broader rows
    cov = g.coverage("Harm", "PreventionStrategy")
    for row in ("harm:intimate-partner-violence", "harm:human-trafficking"):
        assert any(c.row == row and "int:heart-betrayed-training" in {i.id for i in c.items}
                   for c in cov.cells), row


CHILD_VENUES = ["setting:internet-based-prostitution", "setting:street-prostitution",
                "setting:gang-based-prostitution", "setting:interfamilial-pimping",
                "setting:survival-sex-sex-for-drugs"]


def test_children_are_never_labelled_by_prostitution_terms(eb: EvidenceBase) -> None:
    for sid in CHILD_VENUES:
        label = eb.nodes[sid].label.casefold()
        assert "prostitut" not in label and "pimp" not in label, sid
        assert "children" in label or "child" in label, sid
        # the slide's own term stays findable as a synonym
        assert eb.nodes[sid].alt_labels, sid
    assert not [n.id for n in concepts(eb)
                if re.search(r"child(ren)? prostitut|prostitute", n.label, re.IGNORECASE)]


def test_abuse_of_a_minor_is_not_called_risk_taking(eb: EvidenceBase) -> None:
    for nid in ("risk:sexual-risk-taking", "ind:v-sexual-risk-taking"):
        text = eb.nodes[nid].definition or ""
        assert "older partners" not in text and "abuse" in text, nid


def test_commercial_sexual_exploitation_is_not_every_sale_or_trade_of_sex(
        eb: EvidenceBase) -> None:
    cse = eb.nodes["harm:commercial-sexual-exploitation"]
    alts = {a.casefold() for a in cse.alt_labels}
    assert not alts & {"selling or trading sex", "prostitution"}
    assert "UROC" in (cse.definition or "") and "apart" in (cse.definition or "")


def test_labels_use_person_first_language(eb: EvidenceBase) -> None:
    """Labels name people by their situation, not as a category of victim or offender."""
    banned = re.compile(r"\b(runaways?|homeless youth|victim's|child prostitut\w*|"
                        r"juvenile prostitut\w*|whores?)\b", re.IGNORECASE)
    assert [(n.id, n.label) for n in concepts(eb) if banned.search(n.label)] == []


# ------------------------------------------------------------ issue 13: journeys
YOUTH_PROGRAMS = {"int:safe-harbor-law", "int:my-life-my-choice", "int:no-wrong-door",
                  "int:safe-harbor-regional-navigators", "int:the-link-youth-trafficking-services",
                  "int:the-link-aftercare-and-outreach"}


def test_foster_care_journey_names_the_youth_programs_before_umbrella_routes(
        g: NetworkxBackend) -> None:
    """Done-when of issue 13: the signature journey lists the specific youth programs the
    documents name, each through a hop a claim backs, before any route through the umbrella
    "Human trafficking" node; every destination is returned, grouped."""
    groups = g.path_groups("risk:foster-care-placement", "Intervention")
    ends = [grp.end.id for grp in groups]
    assert set(ends) >= YOUTH_PROGRAMS and len(ends) == len(set(ends))
    via_umbrella = [i for i, grp in enumerate(groups)
                    if "harm:human-trafficking" in {n.id for n in grp.paths[0].nodes}]
    assert via_umbrella, "the umbrella routes are still listed, after the specific ones"
    assert max(ends.index(p) for p in YOUTH_PROGRAMS) < min(via_umbrella)
    for grp in groups:
        if grp.end.id in YOUTH_PROGRAMS:
            assert all(h.claims for h in grp.paths[0].hops), grp.end.id
    assert len(groups) > 12  # all destinations, not a top 12


def test_youth_program_links_rest_on_the_claims_that_state_them(eb: EvidenceBase) -> None:
    for subject, obj in [("int:the-link-youth-trafficking-services", "risk:homelessness"),
                         ("int:no-wrong-door", "risk:homelessness"),
                         ("int:safe-harbor-regional-navigators",
                          "harm:domestic-minor-sex-trafficking")]:
        e = eb.edges[(subject, "addresses", obj)]
        assert e.claims and e.properties["basis"] == "stated", subject


# ------------------------------------------------------------ issue 13: collections
def test_collections_keep_the_documents_lists_in_order(g: NetworkxBackend,
                                                       eb: EvidenceBase) -> None:
    flags = g.collection_members("coll:ccadv-red-flags")
    assert len(flags) == 14 and all(m.category == "Indicator" for m in flags)
    assert flags[0].id == "ind:scripted-or-inconsistent-story"
    assert flags[-1].id == "ind:unusually-many-sexual-partners"
    assert len(g.collection_members("coll:ccadv-screening-questions")) == 8
    seven = [m.id for m in g.collection_members("coll:mn-seven-prevention-strategies")]
    assert seven == ["strat:education-outreach-high-risk-youth",
                     "strat:healthy-relationships-programming",
                     "strat:identification-of-victims", "strat:early-intervention",
                     "strat:reduce-demand", "strat:end-business-profits",
                     "strat:policies-systems-change"]
    collections = [n for n in eb.nodes.values() if n.category == "Collection"]
    assert len(collections) >= 8
    for c in collections:
        assert c.sources and all(s.locator for s in c.sources)
        assert all(s.citation in SOURCE_DOCS for s in c.sources) or \
            c.id == "coll:duluth-power-and-control-wheel"  # the one list from outside them
        assert g.collection_members(c.id) or c.properties.get("items"), c.id


@pytest.mark.parametrize(("words", "collection"), [
    ("red flags", "coll:ccadv-red-flags"), ("warning signs", "coll:ccadv-red-flags"),
    ("screening questions", "coll:ccadv-screening-questions"),
    ("seven strategies", "coll:mn-seven-prevention-strategies"),
    ("action means purpose", "coll:ccadv-action-means-purpose"),
    ("why do they stay", "coll:ccadv-why-people-stay"),
    ("power and control wheel", "coll:duluth-power-and-control-wheel"),
])
def test_trainers_words_find_the_list_and_its_items(g: NetworkxBackend, words: str,
                                                    collection: str) -> None:
    # (a citation titled like the list, e.g. the Duluth wheel itself, may come first)
    hits = [h.node.id for h in g.search(words, limit=30) if h.node.category != "Citation"]
    assert hits[0] == collection
    members = [m.id for m in g.collection_members(collection)]
    assert hits[1:1 + len(members)] == members
    only_items = [h.node.id for h in g.search(words, categories=["Indicator"], limit=30)]
    if g.node(members[0]).category == "Indicator":
        assert only_items[:len(members)] == members


def test_action_means_purpose_names_all_five_actions(eb: EvidenceBase) -> None:
    actions = ("recruiting", "harboring", "transporting", "providing", "obtaining")
    claim = eb.nodes["claim:ccadv-action-means-purpose"].definition or ""
    items = " ".join(eb.nodes["coll:ccadv-action-means-purpose"].properties["items"])
    for a in actions:
        assert a in claim and a in items, a


def test_lists_are_not_routes(g: NetworkxBackend) -> None:
    """Two red flags are not linked by being on the same slide: paths, intersections and the
    gap map never walk a collection."""
    for p in g.paths("ind:multiple-cell-phones", "Indicator", max_hops=3, limit=50):
        assert all(n.category != "Collection" for n in p.nodes)
    r = g.shared("ind:multiple-cell-phones", "ind:carries-small-weapon")
    assert "coll:ccadv-red-flags" not in {i.node.id for i in r.shared}
    assert any(n.node.id == "coll:ccadv-red-flags" and n.predicate == "members"
               for n in g.neighbors("ind:multiple-cell-phones"))


def test_rdf_and_csv_exports_carry_link_basis_and_list_order(eb: EvidenceBase) -> None:
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF, RDFS

    from loaders.rdf import link_iri, records_to_graph
    from loaders.writers.tabular import EDGE_COLUMNS, edge_row
    from ontology.namespace import INT
    from ontology.schema import id_to_iri

    g = records_to_graph(eb.nodes.values(), eb.edges.values())
    tvpa = eb.edges[("int:tvpa", "implements", "strat:policies-systems-change")]
    link = link_iri(tvpa)
    assert (link, RDF.subject, id_to_iri("int:tvpa")) in g
    assert (link, INT.basis, Literal("inferred")) in g
    assert any(True for _ in g.objects(link, RDFS.comment))
    first = eb.edges[("coll:ccadv-red-flags", "members", "ind:scripted-or-inconsistent-story")]
    assert int(g.value(link_iri(first), INT.position)) == 1
    assert isinstance(link, URIRef)
    assert {"basis", "basis_note"} <= set(EDGE_COLUMNS)
    row = edge_row(tvpa)
    assert row["basis"] == "inferred" and "CCADV" in row["basis_note"]
    assert edge_row(eb.edges[("int:no-wrong-door", "addresses", "risk:homelessness")])[
        "basis"] == "stated"


def test_exports_explain_every_flag_they_carry(g: NetworkxBackend) -> None:
    """CSV/JSON exports list the flags of the claims they contain, each with the explanation
    from ontology.schema.QUALITY_FLAGS (one table for every view)."""
    from graph.provenance import sources_block, sources_for

    ids = ["claim:hb-raped-over-9000-times", "claim:ncap-79-percent-economic-abuse"]
    block = sources_block(g, ids, ["test export"])
    for flag in ("unsourced_figure", "contested", "secondary"):
        assert flag_explanation(flag) in block, flag
    flags = {f["flag"]: f for f in sources_for(g, ids).flags_json()}
    assert flags["contested"]["claims"] == ["claim:hb-raped-over-9000-times"]
    assert flags["contested"]["explanation"] == QUALITY_FLAGS["contested"].explanation
