"""Opening a backend by name: the one entry point the CLI, the explorer and notebooks share."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from graph.backend import GraphBackend

#: The one list of backend names (CLI options, the explorer and notebooks all check against it);
#: ``networkx``/``nx`` are accepted as synonyms of ``embedded``.
BACKENDS = ("embedded", "neo4j")
EMBEDDED_ALIASES = ("embedded", "networkx", "nx")
BACKEND_NAMES = (*EMBEDDED_ALIASES, "neo4j")


@lru_cache(maxsize=4)
def _embedded(path: str | None, shacl: bool, check_in_child: bool = False) -> GraphBackend:
    from graph.nx_backend import NetworkxBackend

    return NetworkxBackend.load(path, shacl=shacl, check_in_child=check_in_child)


def open_backend(kind: str = "embedded", *, evidence: Path | str | None = None,
                 uri: str | None = None, username: str | None = None,
                 password: str | None = None, database: str | None = None,
                 shacl: bool = True, cached: bool = True,
                 fail_fast: bool = False, check_in_child: bool = False) -> GraphBackend:
    """Open the embedded graph (validated from YAML) or a Neo4j database.

    ``embedded`` reads ``evidence`` (default: the shipped evidence base) and caches the result
    per path, so the explorer and a notebook share one in-memory graph. ``neo4j`` takes the URI
    and credentials from the arguments or from NEO4J_URI / NEO4J_USERNAME / NEO4J_PASSWORD /
    NEO4J_DATABASE. ``check_in_child`` (the explorer): see :meth:`NetworkxBackend.load`.
    """
    if kind in EMBEDDED_ALIASES:
        path = str(evidence) if evidence else None
        if cached:
            return _embedded(path, shacl, check_in_child)
        from graph.nx_backend import NetworkxBackend

        return NetworkxBackend.load(path, shacl=shacl, check_in_child=check_in_child)
    if kind == "neo4j":
        from graph.neo4j.backend import Neo4jBackend
        from graph.neo4j.settings import Neo4jSettings

        settings = Neo4jSettings.from_env(uri=uri, username=username, password=password,
                                          database=database)
        # fail_fast (the explorer): ~2 s to "cannot reach Neo4j" instead of 30-60 s of retries
        return Neo4jBackend.connect(settings.fail_fast() if fail_fast else settings)
    raise ValueError(f"unknown backend {kind!r}; use one of: {', '.join(BACKENDS)}")
