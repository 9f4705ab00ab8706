"""Format name → writer factory. New targets register here and nowhere else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from loaders.writers.base import Writer
from loaders.writers.networkx_writer import NetworkxWriter
from loaders.writers.rdf_writer import RdfWriter
from loaders.writers.tabular import CsvWriter, GraphMLWriter

WriterFactory = Callable[[Path], Writer]

WRITERS: dict[str, tuple[WriterFactory, str]] = {
    "ttl": (lambda p: RdfWriter(p, "ttl"), "RDF Turtle file"),
    "jsonld": (lambda p: RdfWriter(p, "jsonld"), "RDF JSON-LD file"),
    "nt": (lambda p: RdfWriter(p, "nt"), "RDF N-Triples file"),
    "graphml": (lambda p: GraphMLWriter(p), "GraphML file (Gephi, Cytoscape desktop)"),
    "csv": (lambda p: CsvWriter(p), "folder with nodes.csv and edges.csv"),
}


def get_writer(fmt: str, path: Path) -> Writer:
    try:
        factory, _ = WRITERS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}; use one of: {', '.join(WRITERS)}") \
            from None
    return factory(path)


def networkx_writer() -> NetworkxWriter:
    return NetworkxWriter()
