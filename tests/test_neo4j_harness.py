"""Checks that the Neo4j test server (scripts/neo4j/neo4j-server.sh) is real and usable."""

from __future__ import annotations

import pytest

from tests.neo4j_plugin import Neo4jCredentials

# Registers the fixtures even when tests/conftest.py does not list the plugin
# (pytest skips it if conftest already did).
pytest_plugins = ["tests.neo4j_plugin"]

pytestmark = pytest.mark.neo4j


def test_return_one(neo4j_driver) -> None:
    records, _, _ = neo4j_driver.execute_query("RETURN 1 AS x")
    assert records[0]["x"] == 1


def test_server_is_neo4j_5(neo4j_driver) -> None:
    records, _, _ = neo4j_driver.execute_query(
        "CALL dbms.components() YIELD name, versions RETURN name, versions[0] AS version"
    )
    assert records[0]["name"] == "Neo4j Kernel"
    assert records[0]["version"].startswith("5.")


def test_create_and_read_node_with_parameters(clean_neo4j) -> None:
    clean_neo4j.execute_query(
        "CREATE (:HarnessProbe {name: $name, tags: $tags})",
        name="probe-1",
        tags=["a", "b"],
    )
    records, _, _ = clean_neo4j.execute_query(
        "MATCH (p:HarnessProbe {name: $name}) RETURN p.name AS name, p.tags AS tags",
        name="probe-1",
    )
    assert [(r["name"], r["tags"]) for r in records] == [("probe-1", ["a", "b"])]


def test_clean_neo4j_empties_database(clean_neo4j) -> None:
    records, _, _ = clean_neo4j.execute_query("MATCH (n) RETURN count(n) AS c")
    assert records[0]["c"] == 0


def test_wrong_password_is_rejected(neo4j_credentials: Neo4jCredentials) -> None:
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError

    wrong = neo4j_credentials.password + "-wrong"
    with (
        GraphDatabase.driver(neo4j_credentials.uri, auth=(neo4j_credentials.username, wrong)) as d,
        pytest.raises(AuthError),
    ):
        d.verify_connectivity()


def test_transaction_timeout_is_honoured(neo4j_driver) -> None:
    from neo4j import Query
    from neo4j.exceptions import ClientError, TransientError

    # An endless-ish query must be cut off by the client-set transaction timeout.
    slow = Query("UNWIND range(1, 1000000000) AS i WITH i WHERE i < 0 RETURN count(i)", timeout=0.5)
    with (
        neo4j_driver.session() as session,
        pytest.raises((ClientError, TransientError)) as info,
    ):
        session.run(slow).consume()
    assert "Timeout" in (info.value.code or "") or "terminated" in str(info.value).lower()


def test_credentials_repr_hides_password() -> None:
    creds = Neo4jCredentials("bolt://127.0.0.1:1", "neo4j", "s3cret-value")
    assert "s3cret-value" not in repr(creds)
