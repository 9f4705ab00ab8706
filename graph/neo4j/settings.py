"""Neo4j connection settings: one frozen object, read from the environment in one place.

Everything that talks to Neo4j (backend, loader, Cypher console, CLI) takes a
:class:`Neo4jSettings` instead of loose URI/user/password/database strings. Command-line flags
override the environment through :meth:`Neo4jSettings.from_env` keyword arguments. The password
never appears in ``repr()`` or messages; :attr:`Neo4jSettings.redacted_uri` is the URI for
messages (any ``user:password@`` part removed).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from graph.neo4j.errors import Neo4jUnavailable

DEFAULT_URI = "bolt://127.0.0.1:7687"
DEFAULT_USERNAME = "neo4j"
DEFAULT_TIMEOUT = 30.0
#: Environment variables read by :meth:`Neo4jSettings.from_env` (and nowhere else).
ENV_VARS = ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE",
            "NEO4J_QUERY_TIMEOUT")


def redact(uri: str) -> str:
    """The URI without any user:password part (for messages)."""
    parts = urlsplit(uri)
    if parts.username or parts.password:
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return parts._replace(netloc=f"{host}{port}").geturl()
    return uri


@dataclass(frozen=True)
class Neo4jSettings:
    """Where and as whom to connect; ``timeout`` is seconds per read transaction."""

    uri: str = field(default=DEFAULT_URI, repr=False)  # may embed user:password; see __repr__
    username: str = DEFAULT_USERNAME
    password: str = field(default="", repr=False)
    database: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    #: Seconds to open a connection, to wait for a pooled one, and to retry a failed
    #: transaction. The CLI waits patiently; the explorer uses :meth:`fail_fast` so a click
    #: on a page says "cannot reach Neo4j" within about 2 s instead of 30-60 s.
    connect_timeout: float = 10.0
    acquire_timeout: float = 30.0
    retry_time: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, uri: str | None = None,
                 username: str | None = None, password: str | None = None,
                 database: str | None = None, timeout: float | None = None,
                 fallback: Mapping[str, str | None] | None = None) -> Neo4jSettings:
        """Settings from NEO4J_URI / NEO4J_USERNAME / NEO4J_PASSWORD / NEO4J_DATABASE /
        NEO4J_QUERY_TIMEOUT; any keyword that is not None (a command-line flag) wins.

        ``fallback`` ("uri", "username", "database"; e.g. a workspace's intersections.toml)
        fills what neither a flag nor the environment gives; never the password.
        """
        env = os.environ if environ is None else environ
        fb = fallback or {}
        return cls(
            uri=uri or env.get("NEO4J_URI") or fb.get("uri") or DEFAULT_URI,
            username=(username or env.get("NEO4J_USERNAME") or fb.get("username")
                      or DEFAULT_USERNAME),
            password=password if password is not None else env.get("NEO4J_PASSWORD", ""),
            database=database or env.get("NEO4J_DATABASE") or fb.get("database") or None,
            timeout=timeout if timeout is not None else _timeout(env),
        )

    def __repr__(self) -> str:
        return (f"Neo4jSettings(uri={self.redacted_uri!r}, username={self.username!r}, "
                f"database={self.database!r}, timeout={self.timeout!r})")

    @property
    def redacted_uri(self) -> str:
        """The URI for messages: never carries credentials."""
        return redact(self.uri)

    @property
    def where(self) -> str:
        """'bolt://host:7687 (database 'x')' for messages."""
        return self.redacted_uri + (f" (database {self.database!r})" if self.database else "")

    def fail_fast(self) -> Neo4jSettings:
        """Short connection/acquisition timeouts and no transaction retries (interactive use)."""
        return replace(self, connect_timeout=1.0, acquire_timeout=1.5, retry_time=0.0)

    def with_(self, **changes: object) -> Neo4jSettings:
        """A copy with some fields changed (the object itself is frozen)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def _timeout(env: Mapping[str, str]) -> float:
    raw = env.get("NEO4J_QUERY_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise Neo4jUnavailable(f"NEO4J_QUERY_TIMEOUT={raw!r} is not a number of seconds") \
            from None
    if value <= 0:
        raise Neo4jUnavailable("NEO4J_QUERY_TIMEOUT must be a positive number of seconds")
    return value
