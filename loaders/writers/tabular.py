"""Records → GraphML and CSV, for Gephi, Cytoscape desktop, spreadsheets and R/pandas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx

from loaders import csvsafe
from loaders.records import EdgeRecord, NodeRecord
from loaders.writers.base import Writer

NODE_COLUMNS = ["id", "category", "label", "alt_labels", "definition", "sources", "properties"]
EDGE_COLUMNS = ["subject", "predicate", "object", "claims", "basis", "basis_note", "properties"]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def node_row(node: NodeRecord) -> dict[str, str]:
    return {
        "id": node.id,
        "category": node.category,
        "label": node.label,
        "alt_labels": "|".join(node.alt_labels),
        "definition": node.definition or "",
        "sources": _cell([s.model_dump(exclude_none=True) for s in node.sources]),
        "properties": _cell(node.properties) if node.properties else "",
    }


def edge_row(edge: EdgeRecord) -> dict[str, str]:
    return {
        "subject": edge.subject,
        "predicate": edge.predicate,
        "object": edge.object,
        "claims": "|".join(edge.claims),
        # stated (by the claims, or the subject entry's sources) or inferred by the curators
        "basis": (edge.properties or {}).get("basis") or "stated",
        "basis_note": (edge.properties or {}).get("basis_note") or "",
        "properties": _cell(edge.properties) if edge.properties else "",
    }


class GraphMLWriter(Writer):
    """GraphML keeps only scalar attributes: lists and dicts are stored as JSON text."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.graph = nx.MultiDiGraph()

    def write_node(self, node: NodeRecord) -> None:
        self.graph.add_node(node.id, **node_row(node))

    def write_edge(self, edge: EdgeRecord) -> None:
        row = edge_row(edge)
        self.graph.add_edge(edge.subject, edge.object, key=edge.predicate,
                            predicate=row["predicate"], claims=row["claims"],
                            basis=row["basis"], basis_note=row["basis_note"],
                            properties=row["properties"])

    def finalize(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        nx.write_graphml(self.graph, self.path)
        return self.path


class CsvWriter(Writer):
    """Two files in a folder: ``nodes.csv`` and ``edges.csv`` (UTF-8, header row)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.nodes: list[dict[str, str]] = []
        self.edges: list[dict[str, str]] = []

    def write_node(self, node: NodeRecord) -> None:
        self.nodes.append(node_row(node))

    def write_edge(self, edge: EdgeRecord) -> None:
        self.edges.append(edge_row(edge))

    def finalize(self) -> Path:
        """Write the folder — or, when the path ends in ``.zip``, one zip holding both files."""
        import io
        import zipfile

        files = {}
        for name, cols, rows in (("nodes.csv", NODE_COLUMNS, self.nodes),
                                 ("edges.csv", EDGE_COLUMNS, self.edges)):
            buf = io.StringIO(newline="")
            w = csvsafe.DictWriter(buf, fieldnames=cols)
            w.writeheader()
            w.writerows(rows)
            files[name] = buf.getvalue()
        if self.folder.suffix.lower() == ".zip":
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(self.folder, "w", zipfile.ZIP_DEFLATED) as zf:
                for name, text in files.items():
                    zf.writestr(name, text)
            return self.folder
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (self.folder / name).write_text(text, encoding="utf-8", newline="")
        return self.folder
