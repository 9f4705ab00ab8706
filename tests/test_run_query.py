"""One dispatch for researchers' queries: run_query(language, text, backend, …) is what the CLI,
the saved queries and the explorer's Query page call."""

from __future__ import annotations

import pytest

from graph import saved_queries
from graph.query import QueryRefused, QueryResult, run_query


def test_sparql_runs_on_the_embedded_graph(embedded) -> None:
    r = run_query("SPARQL", "SELECT ?c WHERE { ?c int:supportedBy cite:lee-2019 } ORDER BY ?c",
                  embedded, limit=1)
    assert isinstance(r, QueryResult) and r.language == "sparql"
    assert r.rows == [{"c": "claim:foster-care-raises-risk"}] and r.truncated


def test_params_fill_placeholders(embedded) -> None:
    r = run_query("sparql", "SELECT ?l WHERE { $x skos:prefLabel ?l }", embedded,
                  {"x": "risk:foster-care-placement"})
    assert [row["l"] for row in r.rows] == ["Foster care placement"]


def test_cypher_needs_neo4j_and_says_so(embedded) -> None:
    with pytest.raises(QueryRefused, match="Neo4j backend"):
        run_query("cypher", "MATCH (n) RETURN n", embedded)
    with pytest.raises(QueryRefused, match="start the explorer"):
        run_query("cypher", "MATCH (n) RETURN n", embedded, hint="start the explorer …")
    with pytest.raises(QueryRefused, match="unknown query language"):
        run_query("gremlin", "g.V()", embedded)


def test_saved_queries_go_through_the_same_dispatch(embedded) -> None:
    q = next(q for q in saved_queries.SAVED_QUERIES if q.language == "sparql")
    direct = run_query("sparql", q.text, embedded, q.defaults())
    assert saved_queries.run(q, embedded).rows == direct.rows
    cy = next(q for q in saved_queries.SAVED_QUERIES if q.language == "cypher")
    with pytest.raises(QueryRefused, match=f"{cy.id} is Cypher"):
        saved_queries.run(cy, embedded)
