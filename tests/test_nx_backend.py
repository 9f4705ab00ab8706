"""Embedded-backend specifics (the shared behaviour is in test_contract.py)."""

from __future__ import annotations

from graph.nx_backend import NetworkxBackend
from graph.text import normalize


def test_coverage_is_memoised_per_arguments(embedded: NetworkxBackend) -> None:
    a = embedded.coverage("Harm", "PreventionStrategy")
    assert embedded.coverage("Harm", "PreventionStrategy") is a
    assert embedded.coverage("Harm", "PreventionStrategy", rollup=False) is not a


def test_search_index_holds_normalised_texts(embedded: NetworkxBackend) -> None:
    texts = embedded._search_texts("harm:domestic-minor-sex-trafficking", {})
    assert ("dmst", "DMST", 5, ("dmst",)) in texts
    assert texts[0][0] == normalize("Domestic minor sex trafficking")


def test_normalize_ascii_fast_path_matches_the_unicode_path() -> None:
    for text in ("Foster-Care  Placement", "IPV/DV", "CSEC (children)", "a_b"):
        slow = normalize(text + "é")[:-1].strip()  # force the non-ASCII branch
        assert normalize(text) == slow
