"""Cypher console on a real Neo4j: answers, the row limit, the timeout, and refused writes."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from graph.neo4j.console import CypherConsole, check_cypher
from graph.sparql import QueryRefused, QuerySyntaxError, QueryTimeout
from tests.conftest import settings_of

WRITES = [
    "CREATE (n:Harm {id: 'harm:x'}) RETURN n",
    "MERGE (n:Entity {id: 'harm:x'}) RETURN n",
    "MATCH (n:Entity {id: 'tactic:isolation'}) DETACH DELETE n",
    "MATCH (n:Entity) SET n.label = 'x' RETURN count(n)",
    "MATCH (n:Entity) REMOVE n.label RETURN count(n)",
    "LOAD CSV FROM 'http://127.0.0.1:9/x.csv' AS row RETURN row",
    "CALL dbms.components() YIELD name RETURN name",
    "CALL dbms.security.createUser('x', 'y', false)",
    "MATCH (n:Entity) CALL { WITH n SET n.pwned = true } RETURN count(*)",
    "MATCH (n) CALL { WITH n DELETE n } IN TRANSACTIONS RETURN 1",
    "CALL apoc.create.node(['X'], {}) YIELD node RETURN node",
    "RETURN apoc.load.json('http://127.0.0.1:9/')",
    "match (n) foreach (x in [1] | set n.y = x)",
    "CALL db.createLabel('X')",
    "/* harmless */ MATCH (n) // comment\n  set n.z = 1",
    "USE system SHOW USERS",
]


# ---------------------------------------------------------------- client-side pre-check (no server)

@pytest.mark.parametrize("query", [
    "MATCH (n:Entity {id: 'create'}) RETURN n.label AS label",
    "MATCH (n) WHERE n.label CONTAINS 'DELETE me' RETURN n // SET later",
    "MATCH (n:Entity) RETURN n {.id, set: 1}",
    "MATCH (n) CALL { WITH n MATCH (n)--(m) RETURN count(m) AS k } RETURN n.id, k",
    "MATCH (`create`) RETURN `create`",
    "CALL db.labels() YIELD label RETURN label",
])
def test_precheck_lets_reads_pass(query: str) -> None:
    check_cypher(query)


@pytest.mark.parametrize(("query", "word"), [
    ("create (n)", "CREATE"), ("MATCH (n) DETACH DELETE n", "DETACH"),
    ("LOAD CSV FROM 'file:///etc/passwd' AS r RETURN r", "LOAD CSV"),
    ("CALL dbms.listConfig()", "dbms"), ("CALL db.createLabel('x')", "db.createlabel"),
    ("RETURN apoc.text.join(['a'], ',')", "apoc"),
    ("MATCH (n) CALL { WITH n DELETE n } IN TRANSACTIONS", "DELETE"),
])
def test_precheck_refuses_writes(query: str, word: str) -> None:
    with pytest.raises(QueryRefused, match="read-only") as info:
        check_cypher(query)
    assert word.lower() in str(info.value).lower()


def test_precheck_empty_query() -> None:
    with pytest.raises(QuerySyntaxError):
        check_cypher("  ")


# ---------------------------------------------------------------- real Neo4j
@pytest.fixture(scope="module")
def console(neo4j_credentials, mini_eb) -> Iterator[CypherConsole]:
    try:
        from graph.neo4j.loader import REPLACE_ANYTHING, load_neo4j
    except ImportError as exc:  # pragma: no cover
        pytest.skip(f"Neo4j loader not available: {exc}")
    c = neo4j_credentials
    load_neo4j(mini_eb, settings_of(c), allow_removal=REPLACE_ANYTHING)  # replaces on purpose
    con = CypherConsole.connect(settings_of(c))
    try:
        yield con
    finally:
        con.close()


def _count(console: CypherConsole) -> tuple[int, int]:
    r = console.run("MATCH (n:Entity) OPTIONAL MATCH (n)-[r]->() "
                    "RETURN count(DISTINCT n) AS n, count(r) AS r")
    return r.rows[0]["n"], r.rows[0]["r"]


@pytest.mark.neo4j
def test_read_query_with_parameters(console: CypherConsole) -> None:
    r = console.run("MATCH (h:Entity {id: $h})-[r:USES_TACTIC]->(t) "
                    "RETURN t.id AS id, t.label AS label, r.claims AS claims ORDER BY id",
                    {"h": "harm:intimate-partner-violence"})
    assert r.columns == ["id", "label", "claims"]
    assert [x["id"] for x in r.rows] == ["tactic:economic-abuse", "tactic:isolation"]
    assert r.rows[0]["claims"] == ["claim:shared-tactics"]
    assert {"tactic:isolation", "claim:shared-tactics"} <= set(r.node_ids)


@pytest.mark.neo4j
def test_paths_become_a_graph(console: CypherConsole) -> None:
    r = console.run("MATCH p = (:Harm)-[:USES_TACTIC]->(:ControlTactic) RETURN p")
    assert len(r.rows) == 4 and r.graph is not None
    assert ("harm:sex-trafficking", "tactic:debt-bondage", "uses_tactic") in {
        (e["source"], e["target"], e["predicate"]) for e in r.graph.edges}


@pytest.mark.neo4j
def test_row_limit_truncates(console: CypherConsole) -> None:
    r = console.run("UNWIND range(1, 100000) AS x RETURN x", limit=25)
    assert len(r.rows) == 25 and r.truncated
    assert "truncated at the row limit of 25" in r.message


@pytest.mark.neo4j
def test_long_query_times_out(console: CypherConsole) -> None:
    t0 = time.monotonic()
    with pytest.raises(QueryTimeout, match="time limit of 1 s"):
        console.run("UNWIND range(1, 2000000000) AS x WITH x WHERE x % 7 = 99 "
                    "RETURN count(x)", timeout=1)
    assert time.monotonic() - t0 < 15


@pytest.mark.parametrize("query", WRITES)
@pytest.mark.neo4j
def test_writes_and_unsafe_calls_are_refused(console: CypherConsole, query: str) -> None:
    before = _count(console)
    with pytest.raises(QueryRefused, match="read-only"):
        console.run(query)
    assert _count(console) == before


@pytest.mark.parametrize("query", [
    "CREATE (n:Harm {id: 'harm:x'}) RETURN n",
    "MERGE (n:Entity {id: 'harm:x'}) RETURN n",
    "MATCH (n:Entity) SET n.label = 'x' RETURN count(n)",
    "MATCH (n:Entity) CALL { WITH n SET n.pwned = true } RETURN count(*)",
])
@pytest.mark.neo4j
def test_server_read_mode_refuses_writes_on_its_own(console: CypherConsole, query: str) -> None:
    """Without the client-side pre-check, the read-access session still refuses."""
    before = _count(console)
    with pytest.raises(QueryRefused, match="read-only: the server refused a write"):
        console.run(query, precheck=False)
    assert _count(console) == before


@pytest.mark.neo4j
def test_read_only_schema_procedures_are_allowed(console: CypherConsole) -> None:
    r = console.run("CALL db.labels() YIELD label RETURN label ORDER BY label")
    assert "ControlTactic" in {x["label"] for x in r.rows}


def test_cypher_needs_neo4j_backend(embedded) -> None:
    with pytest.raises(QueryRefused, match="Neo4j"):
        CypherConsole.for_backend(embedded)


# ---------------------------------------------------------------- issue 14: quoted names, LOAD CSV
@pytest.mark.parametrize("query", [
    "CALL `dbms`.`listConfig`()",
    "CALL `dbms`.`killConnections`(['bolt-1'])",
    "CALL `dbms`.listConfig() YIELD name RETURN name",
    "CALL dbms.`listConfig`()",
    "CALL /* x */ `dbms` . `listConfig` ()",
    "MATCH (n) RETURN `apoc`.`text`.`join`(['a'], '')",
    "CALL `apoc.load.json`('http://127.0.0.1:9/')",
    "CALL `db`.`createLabel`('X')",
    "CALL `d``bms`.x()",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "load csv with headers from 'http://127.0.0.1:7474/' as l return l",
    "MATCH (n) WITH n LIMIT 1 LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l",
])
def test_precheck_normalises_quoted_names_and_refuses_load_csv(query: str) -> None:
    with pytest.raises(QueryRefused, match="read-only"):
        check_cypher(query)


@pytest.mark.parametrize("query", ["CALL `db`.`labels`() YIELD label RETURN label",
                                   "MATCH (`set`:Entity) RETURN `set`.id AS id LIMIT 1",
                                   "MATCH (n) WHERE n.note = 'CALL dbms.listConfig()' RETURN n"])
def test_quoted_names_that_are_allowed_still_pass(query: str) -> None:
    check_cypher(query)


def _server_locked(console: CypherConsole) -> bool:
    with console.driver.session(database=console.database) as s:
        rows = s.run("CALL dbms.listConfig('dbms.security.allow_csv_import_from_file_urls') "
                     "YIELD value RETURN value").data()
    return bool(rows) and rows[0]["value"] == "false"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:9/x.csv",
                                 "http://169.254.169.254/latest/meta-data/"])
@pytest.mark.neo4j
def test_server_refuses_load_csv_without_the_precheck(console: CypherConsole, url: str) -> None:
    """The server lock (scripts/neo4j/Neo4jTestServer.java, docker-compose.yml): no LOAD CSV
    from server files or any network address, even if the client check were bypassed."""
    import os

    if not _server_locked(console):
        msg = ("the Neo4j test server was started before the LOAD CSV lock: restart it with "
               "scripts/neo4j/neo4j-server.sh stop && start")
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    with pytest.raises(QueryRefused, match="external resource"):
        console.run(f"LOAD CSV FROM '{url}' AS line RETURN line LIMIT 1", precheck=False)


def test_oversized_cypher_is_refused_before_any_check() -> None:
    with pytest.raises(QueryRefused, match="the limit is 10,000"):
        check_cypher("MATCH (n) RETURN n // " + "x" * 20_000)
