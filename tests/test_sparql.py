"""SPARQL console: answers on the mini evidence base, and refusal of every unsafe form."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from graph.nx_backend import NetworkxBackend
from graph.sparql import (
    MAX_LIMIT,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    SparqlEngine,
    bind_params,
    check_query,
    engine_for,
    fork_available,
    records_from_backend,
)

IPV = "harm:intimate-partner-violence"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module", params=["isolated", "in-process"])
def engine(request: pytest.FixtureRequest, mini_eb) -> SparqlEngine:
    if request.param == "isolated" and not fork_available():
        pytest.skip("fork isolation not available on this platform")
    return SparqlEngine.from_evidence_base(mini_eb, isolate=request.param == "isolated")


@pytest.fixture()
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request (proves nothing is fetched)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}/sparql", hits
    finally:
        srv.shutdown()


# ---------------------------------------------------------------- answers
def test_select_with_default_prefixes_and_parameters(engine: SparqlEngine) -> None:
    r = engine.query("SELECT ?t ?label WHERE { $harm int:usesTactic ?t . "
                     "?t skos:prefLabel ?label } ORDER BY ?label", params={"harm": IPV})
    assert r.form == "SELECT" and r.columns == ["t", "label"]
    assert r.rows == [{"t": "tactic:economic-abuse", "label": "Economic abuse"},
                      {"t": "tactic:isolation", "label": "Isolation"}]
    assert set(r.node_ids) == {"tactic:economic-abuse", "tactic:isolation"}
    assert not r.truncated
    assert r.terms[0]["t"].value == "https://w3id.org/intersections/id/tactic/economic-abuse"


def test_entry_prefixes_are_the_ids(engine: SparqlEngine) -> None:
    assert engine.query("ASK { harm:domestic-minor-sex-trafficking skos:broader "
                        "harm:sex-trafficking }").boolean is True
    assert engine.query("ASK { intervention:hotel-training-law int:operatesIn "
                        "region:minnesota }").boolean is True
    assert engine.query("ASK { risk:running-away int:usesTactic ?x }").boolean is False


def test_numbers_come_back_as_numbers(engine: SparqlEngine) -> None:
    r = engine.query("SELECT (COUNT(?c) AS ?n) WHERE { ?c a int:Claim }")
    assert r.rows == [{"n": 5}]


def test_construct_is_a_graph(engine: SparqlEngine) -> None:
    r = engine.query("CONSTRUCT { ?s int:usesTactic ?o } WHERE { ?s int:usesTactic ?o }")
    assert r.form == "CONSTRUCT" and len(r.rows) == 4
    assert r.graph is not None
    assert {e["predicate"] for e in r.graph.edges} == {"uses_tactic"}
    assert {(e["source"], e["target"]) for e in r.graph.edges} == {
        (IPV, "tactic:isolation"), (IPV, "tactic:economic-abuse"),
        ("harm:human-trafficking", "tactic:isolation"),
        ("harm:sex-trafficking", "tactic:debt-bondage")}
    labels = {n["id"]: n["label"] for n in r.graph.nodes}
    assert labels["tactic:debt-bondage"] == "Debt bondage"


def test_describe_runs(engine: SparqlEngine) -> None:
    r = engine.query("DESCRIBE risk:foster-care-placement")
    assert r.form == "DESCRIBE" and r.rows


def test_reified_links_carry_claims(engine: SparqlEngine) -> None:
    r = engine.query("SELECT ?c WHERE { ?l a int:Link ; rdf:subject risk:foster-care-placement ;"
                     " int:supportingClaim ?c }")
    assert [x["c"] for x in r.rows] == ["claim:foster-care-raises-risk"]


def test_parameter_values_cannot_inject_syntax(engine: SparqlEngine) -> None:
    evil = 'x" } ; DROP ALL ; SELECT * WHERE { "'
    r = engine.query("SELECT ?v WHERE { BIND($v AS ?v) }", params={"v": evil})
    assert r.rows == [{"v": evil}]
    assert "$v" in bind_params('SELECT ("$v" AS ?x) WHERE {} # $v', {"v": 1})


def test_json_form_is_sparql_results_json(engine: SparqlEngine) -> None:
    d = engine.query("SELECT ?l WHERE { risk:running-away skos:prefLabel ?l }").to_dict()
    binding = d["sparql_results"]["results"]["bindings"][0]["l"]
    assert binding == {"type": "literal", "value": "Running away", "xml:lang": "en"}


def test_engine_from_any_backend_matches_the_evidence_base(mini_eb, engine) -> None:
    b = NetworkxBackend.from_evidence_base(mini_eb)
    nodes, edges = records_from_backend(b)
    assert len(nodes) == len(mini_eb.nodes) and len(edges) == len(mini_eb.edges)
    from_backend = engine_for(b)
    assert from_backend is engine_for(b)  # cached per backend
    assert from_backend.triples == SparqlEngine.from_evidence_base(mini_eb).triples


# ---------------------------------------------------------------- limits
def test_row_limit_truncates_with_a_clear_message(engine: SparqlEngine) -> None:
    r = engine.query("SELECT * WHERE { ?s ?p ?o }", limit=7)
    assert len(r.rows) == 7 and r.truncated
    assert "truncated at the row limit of 7" in r.message
    assert engine.query("SELECT * WHERE { ?s ?p ?o }", limit=10**9).limit == MAX_LIMIT


def test_time_limit_stops_a_runaway_query(mini_eb) -> None:
    """Only the forked engine can stop one long aggregate; it is the default on Linux."""
    if not fork_available():
        pytest.skip("fork isolation not available on this platform")
    engine = SparqlEngine.from_evidence_base(mini_eb)
    assert engine.isolate
    t0 = time.monotonic()
    with pytest.raises(QueryTimeout, match="time limit of 1 s"):
        engine.query(SLOW, timeout=1)
    assert time.monotonic() - t0 < 5


# ---------------------------------------------------------------- refusals
@pytest.mark.parametrize("query", [
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <http://x>",
    "CREATE GRAPH <http://x>",
    "prefix ex: <http://x/> insert data { ex:a ex:b ex:c }",
])
def test_updates_are_refused(engine: SparqlEngine, query: str) -> None:
    with pytest.raises(QueryRefused, match="read-only"):
        engine.query(query)


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ ?s ?p ?o optional {{ service <{url}> {{ ?a ?b ?c }} }} }}",
    "SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SeRvIcE SILENT <{url}> {{ ?a ?b ?c }} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o # comment }}\n"
    " FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?x }} }} }}",
    "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "ASK {{ MINUS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
])
def test_service_is_refused_anywhere_and_nothing_is_fetched(
        engine: SparqlEngine, listener: tuple[str, list[str]], template: str) -> None:
    url, hits = listener
    with pytest.raises(QueryRefused, match="SERVICE"):
        engine.query(template.format(url=url))
    assert hits == []


def test_from_clauses_are_refused(engine: SparqlEngine, listener) -> None:
    url, hits = listener
    for q in (f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
              f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
        with pytest.raises(QueryRefused, match="FROM"):
            engine.query(q)
    assert hits == []


def test_keywords_inside_strings_iris_and_comments_are_fine(engine: SparqlEngine) -> None:
    r = engine.query('SELECT ?x WHERE { BIND("SERVICE and DROP and LOAD" AS ?x) } '
                     "# INSERT DATA")
    assert r.rows == [{"x": "SERVICE and DROP and LOAD"}]
    check_query("SELECT ?load WHERE { ?load <http://example.org/delete> ?drop }")


def test_isolated_child_has_no_network(mini_eb) -> None:
    if not fork_available():
        pytest.skip("fork isolation not available on this platform")
    eng = SparqlEngine.from_evidence_base(mini_eb, isolate=True)
    eng.query("ASK { ?s ?p ?o }")
    assert eng.last_isolated in (True, False)  # reported; True where user namespaces work


def test_syntax_errors_say_where(engine: SparqlEngine) -> None:
    with pytest.raises(QuerySyntaxError, match="line 1, column"):
        engine.query("SELECT * WHERE { ?s ?p ?o } LIMIT")
    with pytest.raises(QuerySyntaxError, match="empty"):
        engine.query("   ")
    with pytest.raises(QueryRefused, match="parameter name"):
        engine.query("SELECT * WHERE { ?s ?p ?o }", params={"bad name": 1})


def test_cli_sparql_refuses_and_exports_sources(tmp_path) -> None:
    from typer.testing import CliRunner

    from cli import app
    from tests.conftest import MINI

    runner = CliRunner()
    res = runner.invoke(app, ["sparql", "LOAD <http://127.0.0.1:9/x>", "-e", str(MINI)])
    assert res.exit_code == 1 and "read-only" in res.output
    qf = tmp_path / "q.rq"
    qf.write_text("SELECT ?c WHERE { ?c int:supportedBy cite:smith-2017 } ORDER BY ?c")
    res = runner.invoke(app, ["sparql", f"@{qf}", "-f", "csv", "-e", str(MINI)])
    assert res.exit_code == 0, res.output
    assert "claim:foster-care-raises-risk" in res.output
    assert "# Sources:" in res.output and "Smith, A.; Jones, B. (2017)" in res.output


# ----------------------------------------------------------------------- issue 14: bounds
UNION_CHAIN = "SELECT * WHERE { " + " UNION ".join(
    ["{ ?s ?p ?o FILTER(?o != 'x') }"] * 300) + " }"  # ~11 KB before the cap, slow to parse


def test_oversized_query_is_refused_before_parsing(engine: SparqlEngine,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import rdflib.plugins.sparql.parser as parser

    def never(*a: object, **k: object) -> None:
        raise AssertionError("the parser must not see an oversized query")

    monkeypatch.setattr(parser, "parseQuery", never)
    q = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 1_300_000  # the 1.3 MB attack
    with pytest.raises(QueryRefused, match="1,300,030 characters; the limit is 10,000"):
        engine.query(q)
    with pytest.raises(QueryRefused, match="limit is 10,000"):
        check_query(q)


def test_the_gate_runs_under_the_deadline(mini_eb, monkeypatch: pytest.MonkeyPatch) -> None:
    """A query that is slow to *check* (a long UNION chain) is stopped at the time limit."""
    if not fork_available():
        pytest.skip("fork isolation not available on this platform")
    monkeypatch.setenv("INTERSECTIONS_SPARQL_MAX_CHARS", "20000")
    eng = SparqlEngine.from_evidence_base(mini_eb, isolate=True)
    with pytest.raises(QueryTimeout):
        eng.query(UNION_CHAIN, timeout=0.3)


def test_all_slots_taken_gives_busy(mini_eb, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.sparql import QueryBusy, _Slot

    if not fork_available():
        pytest.skip("fork isolation not available on this platform")
    monkeypatch.setenv("INTERSECTIONS_SPARQL_SLOTS", str(tmp_path))
    monkeypatch.setenv("INTERSECTIONS_SPARQL_CHILDREN", "1")
    eng = SparqlEngine.from_evidence_base(mini_eb, isolate=True)
    # another worker's query holds the only slot
    with _Slot(wait=0), pytest.raises(QueryBusy, match="busy: all 1 query slots are in use"):
        eng.query("ASK { ?s ?p ?o }", timeout=0.2)
    assert eng.query("ASK { ?s ?p ?o }").boolean is True  # free again


def test_each_child_has_a_memory_limit(mini_eb, monkeypatch: pytest.MonkeyPatch) -> None:
    if not fork_available():
        pytest.skip("fork isolation not available on this platform")
    monkeypatch.setenv("INTERSECTIONS_SPARQL_MEMORY_MB", "64")
    eng = SparqlEngine.from_evidence_base(mini_eb, isolate=True)
    values = " ".join(f"VALUES ?v{i} {{ {' '.join(str(j) for j in range(30))} }}"
                      for i in range(6))
    q = ("SELECT ?a WHERE { " + values + " BIND(CONCAT(STR(?v0), STR(?v1), STR(?v2), STR(?v3), "
         "STR(?v4), STR(?v5), '" + "x" * 120 + "') AS ?a) } ORDER BY ?a LIMIT 1")
    with pytest.raises(QueryRefused, match="memory limit \\(64 MB\\)"):
        eng.query(q, timeout=50)
    assert eng.query("ASK { ?s ?p ?o }").boolean is True  # the parent is unaffected
