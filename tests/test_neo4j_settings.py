"""One Neo4jSettings, read from the environment in one place; the password never shows."""

from __future__ import annotations

import pytest

from graph.neo4j.errors import Neo4jUnavailable
from graph.neo4j.settings import DEFAULT_TIMEOUT, DEFAULT_URI, Neo4jSettings

ENV = {"NEO4J_URI": "neo4j+s://user:s3cret@db.example.org:7687", "NEO4J_USERNAME": "reader",
       "NEO4J_PASSWORD": "s3cret", "NEO4J_DATABASE": "evidence", "NEO4J_QUERY_TIMEOUT": "2.5"}


def test_environment_fills_what_flags_leave_out() -> None:
    s = Neo4jSettings.from_env(ENV)
    assert (s.username, s.password, s.database, s.timeout) == ("reader", "s3cret", "evidence", 2.5)
    flags = Neo4jSettings.from_env(ENV, uri="bolt://127.0.0.1:7687", username="admin",
                                   password="", database=None)
    assert (flags.uri, flags.username, flags.password) == ("bolt://127.0.0.1:7687", "admin", "")
    assert flags.database == "evidence"  # not given as a flag: the environment's
    empty = Neo4jSettings.from_env({})
    assert (empty.uri, empty.username, empty.timeout) == (DEFAULT_URI, "neo4j", DEFAULT_TIMEOUT)


def test_password_never_in_messages_or_repr() -> None:
    s = Neo4jSettings.from_env(ENV)
    assert s.redacted_uri == "neo4j+s://db.example.org:7687"
    assert s.where == "neo4j+s://db.example.org:7687 (database 'evidence')"
    assert "s3cret" not in repr(s) and "s3cret" not in s.where
    with pytest.raises(AttributeError):
        s.uri = "bolt://elsewhere:7687"  # type: ignore[misc]  # frozen: one object, passed on


@pytest.mark.parametrize("raw", ["soon", "0", "-1"])
def test_bad_timeout_is_one_clear_error(raw: str) -> None:
    with pytest.raises(Neo4jUnavailable, match="NEO4J_QUERY_TIMEOUT"):
        Neo4jSettings.from_env({"NEO4J_QUERY_TIMEOUT": raw})


def test_workspace_fallback_sits_below_flags_and_environment() -> None:
    fb = {"uri": "bolt://workspace:7687", "username": "ws", "database": "wsdb"}
    s = Neo4jSettings.from_env({}, fallback=fb)
    assert (s.uri, s.username, s.database, s.password) == ("bolt://workspace:7687", "ws",
                                                           "wsdb", "")
    s = Neo4jSettings.from_env(ENV, fallback=fb)
    assert (s.username, s.database) == ("reader", "evidence")
    s = Neo4jSettings.from_env({}, username="flag", fallback=fb)
    assert s.username == "flag"
