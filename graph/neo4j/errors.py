"""Neo4j failures as one user-facing line each (what went wrong, how to fix it), exit code 4."""

from __future__ import annotations

from typing import TYPE_CHECKING

from loaders.errors import IntersectionsError

if TYPE_CHECKING:
    from graph.neo4j.settings import Neo4jSettings


class Neo4jUnavailable(IntersectionsError):
    """Neo4j cannot be used as configured (down, wrong URI, wrong password, no such database)."""

    exit_code = 4


class Neo4jQueryTimeout(Neo4jUnavailable):
    """A read took longer than the configured transaction timeout."""


class IncompleteEvidenceBase(Neo4jUnavailable):
    """The database holds no evidence base, or one whose load did not finish."""


def first_line(exc: BaseException) -> str:
    """The first line of a driver exception's message."""
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return text.strip().splitlines()[0]


def translate_error(exc: BaseException, settings: Neo4jSettings) -> IntersectionsError:
    """A driver exception → one user-facing line (what went wrong, how to fix it)."""
    from neo4j import exceptions as ne

    where = settings.where
    database, username = settings.database, settings.username
    if isinstance(exc, IntersectionsError):
        return exc
    if isinstance(exc, ne.AuthError):
        return Neo4jUnavailable(
            f"Neo4j at {where} rejected user {username!r}: wrong username or password; set "
            "NEO4J_USERNAME/NEO4J_PASSWORD (or --username/--password)")
    if isinstance(exc, ne.ServiceUnavailable | ne.SessionExpired):
        return Neo4jUnavailable(
            f"cannot reach Neo4j at {where}: is the server running and is NEO4J_URI right? "
            "Start one with `scripts/neo4j/neo4j-server.sh start` (Java 17 + Maven; then "
            "`source \"$(scripts/neo4j/neo4j-server.sh env)\"`) or `docker compose up -d neo4j`")
    if isinstance(exc, ne.ConfigurationError):
        return Neo4jUnavailable(f"Neo4j connection settings are invalid for {where}: "
                                f"{first_line(exc)}; check NEO4J_URI")
    code = getattr(exc, "code", None) or ""
    if "DatabaseNotFound" in code:
        return Neo4jUnavailable(
            f"Neo4j at {settings.redacted_uri} has no database {database!r}; set NEO4J_DATABASE "
            "to an existing one (or leave it unset for the server's default)")
    if "TransactionTimedOut" in code or ("Terminated" in code and "Transaction" in code):
        return Neo4jQueryTimeout(
            f"the query to {where} ran past its time limit and was stopped; narrow it "
            "(fewer hops, a type filter) or raise the timeout")
    if "Forbidden" in code or isinstance(exc, ne.Forbidden):
        return Neo4jUnavailable(f"user {username!r} may not do this on {where}: "
                                f"{first_line(exc)}")
    if isinstance(exc, ne.Neo4jError | ne.DriverError):
        return Neo4jUnavailable(f"Neo4j at {where} failed: {first_line(exc)}")
    if isinstance(exc, ValueError):
        return Neo4jUnavailable(f"Neo4j connection settings are invalid for {where}: "
                                f"{first_line(exc)}")
    raise exc
