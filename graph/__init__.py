"""Query the Intersections evidence base from Python (notebooks, scripts, the explorer).

    >>> from graph import open_backend
    >>> g = open_backend()                       # embedded graph of the shipped evidence base
    >>> [h.node.id for h in g.search("foster care")][:1]
    ['risk:foster-care-placement']

``open_backend("neo4j")`` connects to Neo4j instead (URI and credentials from the environment).
Every result is a plain dataclass; :func:`to_frame` turns a list of them into a DataFrame.
``sparql_query``, ``cypher_query``, ``run_saved`` and ``sources_for`` (see docs/notebook.md) are
imported on first use, so ``import graph`` stays light for the CLI. (They are not called
``sparql``/``cypher``: ``graph.sparql`` is a submodule, and Cypher lives in ``graph.neo4j``.)
"""

from typing import Any

from graph.api import open_backend
from graph.backend import GraphBackend, UnknownNodeError
from graph.models import (
    CitationInfo,
    ClaimInfo,
    Coverage,
    Hop,
    Neighbor,
    Node,
    NodeRef,
    Path,
    SearchHit,
    SharedResult,
    Stats,
    to_frame,
)

_LAZY = {
    "sparql_query": ("graph.sparql", "sparql"),
    "QueryResult": ("graph.query", "QueryResult"),
    "run_query": ("graph.query", "run_query"),
    "cypher_query": ("graph.neo4j.console", "cypher"),
    "run_saved": ("graph.saved_queries", "run"),
    "sources_for": ("graph.provenance", "sources_for"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'graph' has no attribute {name!r}")


__all__ = [
    "QueryResult", "cypher_query", "run_query", "run_saved", "sources_for", "sparql_query",
    "CitationInfo", "ClaimInfo", "Coverage", "GraphBackend", "Hop", "Neighbor", "Node",
    "NodeRef", "Path", "SearchHit", "SharedResult", "Stats", "UnknownNodeError",
    "open_backend", "to_frame",
]
