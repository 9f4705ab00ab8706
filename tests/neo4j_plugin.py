"""Pytest plugin: fixtures for tests that need a real Neo4j server.

Enable it from ``tests/conftest.py`` with ``pytest_plugins = ["tests.neo4j_plugin"]``.

Connection details come only from the environment (``NEO4J_URI``,
``NEO4J_USERNAME``, ``NEO4J_PASSWORD``). Locally, start a throw-away server with::

    scripts/neo4j/neo4j-server.sh start
    source "${XDG_RUNTIME_DIR:-/tmp}/intersections-neo4j/neo4j.env"

When the variables are missing, tests that use these fixtures are skipped (with a
warning), except under ``CI=true``, where they fail: CI must start Neo4j.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from neo4j import Driver

START_HINT = (
    "start a local server with `scripts/neo4j/neo4j-server.sh start` and then "
    '`source "${XDG_RUNTIME_DIR:-/tmp}/intersections-neo4j/neo4j.env"` '
    "(or point NEO4J_URI/NEO4J_USERNAME/NEO4J_PASSWORD at your own Neo4j 5.26)"
)

# Batched delete, so that large test graphs do not need one huge transaction.
# CALL { ... } IN TRANSACTIONS only works in an auto-commit (implicit) transaction,
# which is what session.run() gives us.
DELETE_ALL_CYPHER = "MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"


class Neo4jNotConfiguredWarning(UserWarning):
    """Neo4j-backed tests were skipped because no server was configured."""


@dataclass(frozen=True)
class Neo4jCredentials:
    uri: str
    username: str
    password: str = ""

    def __repr__(self) -> str:  # never print the password in test output
        return f"Neo4jCredentials(uri={self.uri!r}, username={self.username!r}, password='***')"

    @property
    def auth(self) -> tuple[str, str]:
        return (self.username, self.password)


def _is_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def credentials_from_env(environ: dict[str, str] | None = None) -> Neo4jCredentials | None:
    """Return credentials from the environment, or None if NEO4J_URI is not set."""
    env = os.environ if environ is None else environ
    uri = env.get("NEO4J_URI", "").strip()
    if not uri:
        return None
    return Neo4jCredentials(
        uri=uri,
        username=env.get("NEO4J_USERNAME", "").strip() or "neo4j",
        password=env.get("NEO4J_PASSWORD", ""),
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "neo4j: test needs a real Neo4j server (NEO4J_URI/NEO4J_USERNAME/NEO4J_PASSWORD)",
    )


@pytest.fixture(scope="session")
def neo4j_credentials() -> Neo4jCredentials:
    creds = credentials_from_env()
    if creds is None:
        if _is_ci():
            pytest.fail(
                "CI=true but NEO4J_URI is not set: .ci/run must start Neo4j "
                "(scripts/neo4j/neo4j-server.sh start, then source its env file)",
                pytrace=False,
            )
        reason = f"NEO4J-BACKED TESTS SKIPPED: NEO4J_URI is not set; {START_HINT}"
        warnings.warn(reason, Neo4jNotConfiguredWarning, stacklevel=2)
        pytest.skip(reason)
    if not creds.password and _is_ci():
        pytest.fail("CI=true but NEO4J_PASSWORD is not set", pytrace=False)
    return creds


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_credentials: Neo4jCredentials) -> Iterator[Driver]:
    from neo4j import GraphDatabase

    driver = GraphDatabase.driver(neo4j_credentials.uri, auth=neo4j_credentials.auth)
    try:
        driver.verify_connectivity()
    except Exception as exc:
        driver.close()
        pytest.fail(
            f"cannot connect to Neo4j at {neo4j_credentials.uri} as "
            f"{neo4j_credentials.username!r}: {exc!r}; {START_HINT}",
            pytrace=False,
        )
    try:
        yield driver
    finally:
        driver.close()


def delete_all(driver: Any) -> None:
    with driver.session() as session:
        session.run(DELETE_ALL_CYPHER).consume()


@pytest.fixture
def clean_neo4j(neo4j_driver: Driver) -> Iterator[Driver]:
    """An empty default database: everything deleted before the test, and again after it,
    so a test's load (e.g. the benchmark smoke test's 1,000 generated entries) never stays
    on a shared server where the next fixture or a developer's explorer would find it."""
    delete_all(neo4j_driver)
    try:
        yield neo4j_driver
    finally:
        delete_all(neo4j_driver)
