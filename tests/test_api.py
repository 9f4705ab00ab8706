"""The notebook entry point: `from graph import …` gives working functions."""

from __future__ import annotations

import importlib

from tests.conftest import MINI


def test_lazy_query_functions_are_functions_even_after_submodule_imports() -> None:
    importlib.import_module("graph.sparql")  # would shadow a package attribute named 'sparql'
    importlib.import_module("graph.neo4j.cypher")
    from graph import QueryResult, cypher_query, open_backend, run_saved, sources_for, sparql_query

    assert all(callable(f) for f in (cypher_query, run_saved, sources_for, sparql_query))
    g = open_backend(evidence=MINI)
    res = sparql_query(g, "SELECT ?t WHERE { harm:intimate-partner-violence int:usesTactic ?t }")
    assert isinstance(res, QueryResult)
    assert sorted(r["t"] for r in res.rows) == ["tactic:economic-abuse", "tactic:isolation"]
    src = sources_for(g, ["claim:foster-care-raises-risk"])
    assert {"cite:smith-2017", "cite:lee-2019", "cite:doc-brief"} <= set(src.ids)
