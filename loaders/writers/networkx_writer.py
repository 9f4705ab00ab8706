"""Records → an in-memory networkx MultiDiGraph (the embedded graph)."""

from __future__ import annotations

import networkx as nx

from loaders.records import EdgeRecord, NodeRecord
from loaders.writers.base import Writer


class NetworkxWriter(Writer):
    """Nodes keyed by id; one edge per (subject, predicate, object), keyed by predicate."""

    def __init__(self, graph: nx.MultiDiGraph | None = None) -> None:
        self.graph = graph if graph is not None else nx.MultiDiGraph()

    def write_node(self, node: NodeRecord) -> None:
        self.graph.add_node(node.id, **node.as_attrs())

    def write_edge(self, edge: EdgeRecord) -> None:
        self.graph.add_edge(edge.subject, edge.object, key=edge.predicate,
                            predicate=edge.predicate, claims=list(edge.claims),
                            **edge.properties)

    def finalize(self) -> nx.MultiDiGraph:
        return self.graph
