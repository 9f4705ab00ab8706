"""Query the Intersections evidence base from Python (notebooks, scripts, the explorer).

    >>> from graph import open_backend
    >>> g = open_backend()                       # embedded graph of the shipped evidence base
    >>> [h.node.id for h in g.search("foster care")][:1]
    ['risk:foster-care-placement']

``open_backend("neo4j")`` connects to Neo4j instead (URI and credentials from the environment).
Every result is a plain dataclass; :func:`to_frame` turns a list of them into a DataFrame.
"""

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

__all__ = [
    "CitationInfo", "ClaimInfo", "Coverage", "GraphBackend", "Hop", "Neighbor", "Node",
    "NodeRef", "Path", "SearchHit", "SharedResult", "Stats", "UnknownNodeError",
    "open_backend", "to_frame",
]
