"""Records → RDF files (Turtle, JSON-LD, N-Triples), with the dataset's VoID + DCAT description."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import Graph

from loaders.rdf import add_edge, add_node, new_graph
from loaders.records import EdgeRecord, NodeRecord
from loaders.void import describe_dataset, stats_of_graph
from loaders.writers.base import Writer

FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt"}


class RdfWriter(Writer):
    """Build an rdflib Graph; on finalize, serialize it to ``path`` (if given) and return it."""

    def __init__(self, path: Path | str | None = None, fmt: str = "ttl", *,
                 describe: bool = True) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown RDF format {fmt!r}; use one of {', '.join(FORMATS)}")
        self.path = Path(path) if path else None
        self.fmt = fmt
        self.describe = describe
        self.graph: Graph = new_graph()

    def write_node(self, node: NodeRecord) -> None:
        add_node(self.graph, node)

    def write_edge(self, edge: EdgeRecord) -> None:
        add_edge(self.graph, edge)

    def finalize(self) -> Graph:
        """Serialise to ``path`` (if given); a file export carries the dataset description."""
        if self.path is not None:
            if self.describe:
                self.graph += describe_dataset(stats_of_graph(self.graph))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            kwargs: dict[str, Any] = {"auto_compact": True} if self.fmt == "jsonld" else {}
            self.graph.serialize(self.path, FORMATS[self.fmt], None, "utf-8", **kwargs)
        return self.graph
