"""The writer interface every target shares (after kgx's ``Sink``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

from loaders.records import EdgeRecord, NodeRecord, Record


class Writer(ABC):
    """Receives validated records and stores them somewhere.

    Callers write every node, then every edge, then call :meth:`finalize` exactly once. Writers
    must not be handed unvalidated input: validation happens before the first ``write_*``.
    """

    @abstractmethod
    def write_node(self, node: NodeRecord) -> None: ...

    @abstractmethod
    def write_edge(self, edge: EdgeRecord) -> None: ...

    @abstractmethod
    def finalize(self) -> Any:
        """Flush and return the result (a graph object, a path, counts…)."""


def feed_records(records: Iterable[Record], writer: Writer) -> None:
    """Feed records to a writer, nodes first whatever the input order (no finalize)."""
    edges: list[EdgeRecord] = []
    for rec in records:
        if isinstance(rec, NodeRecord):
            writer.write_node(rec)
        else:
            edges.append(rec)
    for e in edges:
        writer.write_edge(e)


def write_records(records: Iterable[Record], writer: Writer) -> Any:
    """Feed records to a writer (nodes first, whatever the input order) and finalize it."""
    feed_records(records, writer)
    return writer.finalize()
