"""Issue 13 on the shipped base, both backends: journeys, link basis and collections agree.

The contract suite (tests/test_contract.py) holds both backends to the same answers on the
small fixture; this checks the curated features on the real evidence base, where ranking ties,
umbrella nodes and collections actually occur.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph.backend import GraphBackend
from graph.nx_backend import NetworkxBackend
from loaders.evidence import EvidenceBase, load_evidence_base
from tests.conftest import settings_of

FOSTER = "risk:foster-care-placement"


@pytest.fixture(scope="module")
def shipped() -> EvidenceBase:
    return load_evidence_base()


@pytest.fixture(scope="module")
def nx(shipped: EvidenceBase) -> NetworkxBackend:
    return NetworkxBackend.from_evidence_base(shipped)


@pytest.fixture(scope="module")
def neo(request: pytest.FixtureRequest, shipped: EvidenceBase) -> Iterator[GraphBackend]:
    creds = request.getfixturevalue("neo4j_credentials")
    driver = request.getfixturevalue("neo4j_driver")
    from graph.neo4j.backend import Neo4jBackend
    from graph.neo4j.loader import load_neo4j
    from tests.neo4j_plugin import delete_all

    delete_all(driver)  # the test server holds the small fixture; start from empty
    load_neo4j(shipped, settings_of(creds))
    b = Neo4jBackend.connect(settings_of(creds))
    try:
        yield b
    finally:
        b.close()
        delete_all(driver)  # leave it empty, so the next fixture load is not a mass removal


def _journey(g: GraphBackend, include_inferred: bool = True) -> list[tuple[str, ...]]:
    return [tuple(n.id for n in p.nodes) + tuple(h.basis for h in p.hops)
            for grp in g.path_groups(FOSTER, "Intervention", include_inferred=include_inferred)
            for p in grp.paths]


def test_backends_rank_the_signature_journey_identically(nx: NetworkxBackend,
                                                         neo: GraphBackend) -> None:
    assert _journey(neo) == _journey(nx)
    assert _journey(neo, include_inferred=False) == _journey(nx, include_inferred=False)


def test_backends_agree_on_link_basis_and_inferred_filtering(nx: NetworkxBackend,
                                                             neo: GraphBackend) -> None:
    def bases(g: GraphBackend) -> list[tuple[str, str, str]]:
        return sorted((n.node.id, n.predicate, n.basis) for n in g.neighbors("int:tvpa"))

    assert bases(neo) == bases(nx)
    assert ("strat:policies-systems-change", "implements", "inferred") in bases(neo)
    for include in (True, False):
        a = neo.coverage("Harm", "PreventionStrategy", include_inferred=include)
        b = nx.coverage("Harm", "PreventionStrategy", include_inferred=include)
        assert a.matrix() == b.matrix()


def test_backends_agree_on_collections_and_trainers_words(nx: NetworkxBackend,
                                                          neo: GraphBackend) -> None:
    for cid in ("coll:ccadv-red-flags", "coll:mn-seven-prevention-strategies"):
        assert [m.id for m in neo.collection_members(cid)] == \
            [m.id for m in nx.collection_members(cid)]
        assert neo.collection_members(cid) == nx.collection_members(cid)  # refs too, in order
    for words in ("red flags", "warning signs"):
        assert [h.node.id for h in neo.search(words, limit=20)] == \
            [h.node.id for h in nx.search(words, limit=20)]
    assert [c.id for c in neo.collections_of("ind:multiple-cell-phones")] == [
        "coll:ccadv-red-flags"]
