"""Plain result objects every backend returns (and helpers to turn them into DataFrames)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any


class _Result:
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]


@dataclass(frozen=True)
class NodeRef(_Result):
    """Just enough to show and link a node."""

    id: str
    category: str
    label: str


@dataclass(frozen=True)
class Node(_Result):
    """A node with everything stored on it."""

    id: str
    category: str
    label: str
    alt_labels: tuple[str, ...] = ()
    definition: str | None = None
    sources: tuple[dict[str, Any], ...] = ()
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> NodeRef:
        return NodeRef(self.id, self.category, self.label)


@dataclass(frozen=True)
class SearchHit(_Result):
    node: NodeRef
    score: int
    matched: str  # the label or synonym that matched


@dataclass(frozen=True)
class Neighbor(_Result):
    node: NodeRef
    predicate: str
    direction: str  # "out": node is the object; "in": node is the subject
    claims: tuple[str, ...] = ()
    basis: str = "stated"  # "stated" or "inferred" (ontology.schema.LINK_BASES)


@dataclass(frozen=True)
class Hop(_Result):
    """One step of a path, with the evidence on the link it walks."""

    source: NodeRef  # where the step starts (path order)
    target: NodeRef  # where it ends
    predicate: str
    forward: bool  # True when the stored link goes source → target
    claims: tuple[str, ...] = ()
    citations: tuple[str, ...] = ()
    basis: str = "stated"  # "stated" or "inferred" (ontology.schema.LINK_BASES)
    basis_note: str | None = None  # why the curators inferred it

    @property
    def subject(self) -> NodeRef:
        return self.source if self.forward else self.target

    @property
    def object(self) -> NodeRef:
        return self.target if self.forward else self.source


@dataclass(frozen=True)
class Path(_Result):
    nodes: tuple[NodeRef, ...]
    hops: tuple[Hop, ...]

    @property
    def length(self) -> int:
        return len(self.hops)

    @property
    def claims(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for h in self.hops for c in h.claims))

    @property
    def citations(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for h in self.hops for c in h.citations))

    @property
    def end(self) -> NodeRef:
        return self.nodes[-1]


@dataclass(frozen=True)
class PathGroup(_Result):
    """One destination of a journey and its best routes (best first)."""

    end: NodeRef
    paths: tuple[Path, ...]


@dataclass(frozen=True)
class SharedItem(_Result):
    node: NodeRef
    a_links: tuple[Neighbor, ...] = ()  # how A reaches it (predicate, direction, claims)
    b_links: tuple[Neighbor, ...] = ()


@dataclass(frozen=True)
class SharedResult(_Result):
    a: NodeRef
    b: NodeRef
    via_category: str | None
    shared: tuple[SharedItem, ...]
    only_a: tuple[SharedItem, ...]
    only_b: tuple[SharedItem, ...]


@dataclass(frozen=True)
class CoverageCell(_Result):
    row: str
    col: str
    items: tuple[NodeRef, ...]  # interventions (or other ``via`` nodes) covering the cell
    claims: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class GapCell(CoverageCell):
    """A cell of the evidence-and-gap map: a coverage cell plus the predicates of curated links
    that join its row and column directly (no intervention in between)."""

    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Coverage(_Result):
    rows: tuple[NodeRef, ...]
    cols: tuple[NodeRef, ...]
    via: str
    cells: tuple[CoverageCell, ...]  # only non-empty cells; a missing cell is a gap

    def cell(self, row: str, col: str) -> CoverageCell:
        for c in self.cells:
            if c.row == row and c.col == col:
                return c
        return CoverageCell(row, col, ())

    def matrix(self) -> list[list[int]]:
        index = {(c.row, c.col): c.count for c in self.cells}
        return [[index.get((r.id, c.id), 0) for c in self.cols] for r in self.rows]


@dataclass(frozen=True)
class CitationInfo(_Result):
    id: str
    title: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str | None = None
    doi: str | None = None
    url: str | None = None
    kind: str | None = None
    document_kind: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None

    def short(self) -> str:
        who = self.authors[0].split(",")[0] if self.authors else (
            self.properties.get("publisher") or "")
        more = " et al." if len(self.authors) > 2 else (
            f" & {self.authors[1].split(',')[0]}" if len(self.authors) == 2 else "")
        year = f" ({self.year})" if self.year else ""
        return f"{who}{more}{year}".strip() or self.title


@dataclass(frozen=True)
class ClaimInfo(_Result):
    id: str
    label: str
    statement: str
    about: tuple[NodeRef, ...]
    citations: tuple[CitationInfo, ...]
    stated_in: CitationInfo | None
    locator: str | None
    statistics: tuple[dict[str, Any], ...] = ()
    flags: tuple[str, ...] = ()
    evidence_kind: str = "unknown"
    note: str | None = None  # curators' note (says why a figure is contested)


@dataclass(frozen=True)
class Link(_Result):
    """One stored link between two concepts, with the claims behind it and its properties
    (e.g. ``basis``: whether a document states it or the curators inferred it)."""

    subject: NodeRef
    predicate: str
    object: NodeRef
    claims: tuple[str, ...] = ()
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Stats(_Result):
    nodes: int
    edges: int
    by_category: dict[str, int]
    by_predicate: dict[str, int]


def _flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    data = obj.to_dict() if hasattr(obj, "to_dict") else (
        asdict(obj) if is_dataclass(obj) and not isinstance(obj, type) else obj)
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and {"id", "category", "label"} <= set(v):
            out[f"{key}_id"], out[f"{key}_label"] = v["id"], v["label"]
            out[f"{key}_category"] = v["category"]
        elif isinstance(v, list | tuple) and v and isinstance(v[0], dict) and "id" in v[0]:
            out[key] = [x["id"] for x in v]
        else:
            out[key] = v
    return out


def to_frame(results: Iterable[Any] | Sequence[Any]) -> Any:
    """Results (hits, neighbours, paths, claims…) → a pandas DataFrame, one row each."""
    import pandas as pd

    rows = []
    for r in results:
        row = _flatten(r)
        if isinstance(r, Path):
            row = {"length": r.length, "end_id": r.end.id, "end_label": r.end.label,
                   "route": " → ".join(n.label for n in r.nodes),
                   "bases": [h.basis for h in r.hops],
                   "claims": list(r.claims), "citations": list(r.citations)}
        rows.append(row)
    return pd.DataFrame(rows)
