"""Pure functions: backend results → Cytoscape elements, list rows, table rows, CSV and BibTeX.

Nothing here touches Dash callbacks or a backend, so the whole mapping is unit-tested without a
browser. Graph views are capped (:data:`MAX_NODES` / :data:`MAX_EDGES`) and laid out on the
server (``layout: preset``) when they are large, because force layouts in the browser freeze
beyond a few hundred nodes (see /work/shared/reference/performance.md).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.models import (
    CitationInfo,
    ClaimInfo,
    Coverage,
    Hop,
    Neighbor,
    NodeRef,
    Path,
    SharedItem,
    SharedResult,
)
from ontology.schema import PREDICATE_BY_NAME, expand_classes

#: Most elements one view sends to the browser.
MAX_NODES = 1000
MAX_EDGES = 3000
#: Above this many nodes the browser gets server-computed positions (``preset``).
PRESET_ABOVE = 150

Element = dict[str, Any]


# --------------------------------------------------------------------------- basics
def node_element(ref: NodeRef, *classes: str, **data: Any) -> Element:
    """One node; its class ``cat-<Category>`` picks colour and shape from the stylesheet."""
    from explorer.theme import type_label

    return {"data": {"id": ref.id, "label": ref.label, "category": ref.category,
                     "type_label": type_label(ref.category), **data},
            "classes": " ".join(("cat-" + ref.category, *classes))}


def edge_id(subject: str, predicate: str, obj: str) -> str:
    return f"{subject}|{predicate}|{obj}"


def relation_label(predicate: str, forward: bool = True) -> str:
    """Human wording of a relation read in the given direction."""
    spec = PREDICATE_BY_NAME.get(predicate)
    if spec is None:
        return predicate.replace("_", " ")
    return spec.label if forward else spec.inverse_label


def edge_element(subject: str, predicate: str, obj: str, *, claims: int = 0,
                 citations: int = 0, classes: Iterable[str] = ()) -> Element:
    """One stored link, drawn subject → object, labelled with the relation."""
    cls = list(classes)
    if claims:
        cls.append("evidence")
    return {"data": {"id": edge_id(subject, predicate, obj), "source": subject,
                     "target": obj, "predicate": predicate,
                     "label": relation_label(predicate), "claims": claims,
                     "citations": citations},
            "classes": " ".join(cls)}


def is_node(el: Element) -> bool:
    return "source" not in el["data"]


@dataclass
class GraphView:
    """Elements for one Cytoscape view plus what the page must say about them."""

    elements: list[Element]
    layout: dict[str, Any]
    total_nodes: int = 0
    total_edges: int = 0
    truncated: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def shown_nodes(self) -> int:
        return sum(1 for e in self.elements if is_node(e))

    @property
    def shown_edges(self) -> int:
        return sum(1 for e in self.elements if not is_node(e))


def cap_elements(nodes: list[Element], edges: list[Element], *, max_nodes: int = MAX_NODES,
                 max_edges: int = MAX_EDGES) -> tuple[list[Element], bool]:
    """Keep the first ``max_nodes`` nodes and the edges between kept nodes (≤ ``max_edges``)."""
    kept = nodes[:max_nodes]
    ids = {n["data"]["id"] for n in kept}
    kept_edges = [e for e in edges if e["data"]["source"] in ids and e["data"]["target"] in ids]
    truncated = len(nodes) > max_nodes or len(kept_edges) > max_edges
    return kept + kept_edges[:max_edges], truncated


def auto_layout(elements: list[Element], *, center: str | None = None,
                force: str = "cose") -> dict[str, Any]:
    """Small views: a browser layout. Large views: positions computed here, ``preset``.

    Positions go into the elements in place. The server layout is a shell layout around
    ``center`` (or a seeded spring layout without a centre): O(n), deterministic, readable.
    """
    nodes = [e for e in elements if is_node(e)]
    if len(nodes) <= PRESET_ABOVE:
        if force == "cose":
            return {"name": "cose", "animate": False, "randomize": False,
                    "nodeRepulsion": 9000, "idealEdgeLength": 110, "fit": True,
                    "padding": 30}
        return {"name": force, "animate": False, "fit": True, "padding": 30}
    others = [n for n in nodes if n["data"]["id"] != center]
    positions: dict[str, tuple[float, float]] = {}
    if center is not None and len(others) < len(nodes):
        positions[center] = (0.0, 0.0)
    # rings of growing radius, ~60 px between neighbours on a ring
    ring, placed, radius = 0, 0, 0.0
    while placed < len(others):
        radius = 260.0 + ring * 200.0
        capacity = max(8, int(2 * math.pi * radius / 60))
        chunk = others[placed:placed + capacity]
        for k, n in enumerate(chunk):
            a = 2 * math.pi * k / len(chunk) + ring * 0.3
            positions[n["data"]["id"]] = (radius * math.cos(a), radius * math.sin(a))
        placed += len(chunk)
        ring += 1
    for n in nodes:
        x, y = positions[n["data"]["id"]]
        n["position"] = {"x": round(x, 1), "y": round(y, 1)}
    return {"name": "preset", "fit": True, "padding": 30}


def ring_positions(center: dict[str, float] | None, ids: Sequence[str],
                   radius: float = 220.0) -> dict[str, dict[str, float]]:
    """Positions on a circle around ``center`` (used when a neighbour is expanded in place)."""
    cx, cy = (center or {}).get("x", 0.0), (center or {}).get("y", 0.0)
    out = {}
    for k, i in enumerate(ids):
        a = 2 * math.pi * k / max(1, len(ids))
        out[i] = {"x": round(cx + radius * math.cos(a), 1),
                  "y": round(cy + radius * math.sin(a), 1)}
    return out


# --------------------------------------------------------------------------- explore
def neighbour_edges(center: str, neighbors: Sequence[Neighbor]) -> list[tuple[str, str, str, int]]:
    """(subject, predicate, object, n claims) of each neighbour link, stored direction."""
    out = []
    for n in neighbors:
        s, o = (center, n.node.id) if n.direction == "out" else (n.node.id, center)
        out.append((s, n.predicate, o, len(n.claims)))
    return out


def filter_neighbors(neighbors: Sequence[Neighbor], types: Iterable[str] | None = None,
                     relations: Iterable[str] | None = None) -> list[Neighbor]:
    """Keep neighbours of the chosen types (subclasses included) and relations."""
    wanted = expand_classes(list(types)) if types else None
    rels = set(relations) if relations else None
    return [n for n in neighbors
            if (wanted is None or n.node.category in wanted)
            and (rels is None or n.predicate in rels)]


def neighbourhood(center: NodeRef, neighbors: Sequence[Neighbor], *,
                  types: Iterable[str] | None = None, relations: Iterable[str] | None = None,
                  existing: Iterable[str] = (), max_nodes: int = MAX_NODES,
                  max_edges: int = MAX_EDGES, focus: bool = True) -> GraphView:
    """A node and its (filtered) neighbours; ids in ``existing`` are not sent again.

    With ``existing`` given this is the *delta* to append to a graph already on screen.
    """
    kept = filter_neighbors(neighbors, types, relations)
    have = set(existing)
    nodes: list[Element] = []
    seen: set[str] = set(have)
    if center.id not in seen:
        nodes.append(node_element(center, *(("focus",) if focus else ())))
        seen.add(center.id)
    for n in kept:
        if n.node.id not in seen:
            nodes.append(node_element(n.node))
            seen.add(n.node.id)
    edges: list[Element] = []
    for s, p, o, nc in neighbour_edges(center.id, kept):
        eid = edge_id(s, p, o)
        if eid in seen:
            continue
        seen.add(eid)
        edges.append(edge_element(s, p, o, claims=nc))
    budget_nodes = max(0, max_nodes - sum(1 for i in have if "|" not in i))
    elements, truncated = cap_elements(nodes, edges, max_nodes=budget_nodes,
                                       max_edges=max_edges)
    # edges to nodes already on screen are fine too
    if have:
        on_screen = have | {e["data"]["id"] for e in elements}
        extra = [e for e in edges if e not in elements
                 and e["data"]["source"] in on_screen and e["data"]["target"] in on_screen]
        elements += extra[:max(0, max_edges - len(elements))]
    view = GraphView(elements, {}, total_nodes=len(kept) + 1, total_edges=len(edges),
                     truncated=truncated)
    if truncated:
        view.notes.append(
            f"Showing {view.shown_nodes} of {len(nodes)} nodes. Narrow the view with the type "
            "and relation filters.")
    return view


# --------------------------------------------------------------------------- paths
def hop_relation(hop: Hop) -> str:
    """The relation as read along the path (inverse wording when walked backwards)."""
    return relation_label(hop.predicate, hop.forward)


def path_rows(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """A readable list: one row per path, each hop with its relation and evidence counts."""
    rows = []
    for rank, p in enumerate(paths, 1):
        rows.append({
            "rank": rank,
            "end": p.end,
            "summary": " → ".join(n.label for n in p.nodes),
            "length": p.length,
            "claims": len(p.claims),
            "citations": len(p.citations),
            "hops": [{"source": h.source, "target": h.target, "predicate": h.predicate,
                      "relation": hop_relation(h), "forward": h.forward,
                      "claims": list(h.claims), "citations": list(h.citations),
                      "evidence": f"{len(h.claims)} claims / {len(h.citations)} citations"}
                     for h in p.hops],
        })
    return rows


def path_view(paths: Sequence[Path], selected: int | None = None) -> GraphView:
    """All ranked paths as one layered graph (x = hop number), path ``selected`` highlighted.

    Positions are computed here (``preset``) so the drawing reads left to right, the start on
    the left and the destinations on the right, the same on every screen.
    """
    depth: dict[str, int] = {}
    refs: dict[str, NodeRef] = {}
    edges: dict[str, Element] = {}
    ranks_of_edge: dict[str, list[int]] = {}
    for rank, p in enumerate(paths):
        for d, n in enumerate(p.nodes):
            refs.setdefault(n.id, n)
            depth[n.id] = min(depth.get(n.id, d), d)
        for h in p.hops:
            s, o = h.subject.id, h.object.id
            eid = edge_id(s, h.predicate, o)
            if eid not in edges:
                edges[eid] = edge_element(s, h.predicate, o, claims=len(h.claims),
                                          citations=len(h.citations))
                edges[eid]["data"]["label"] = (
                    f"{relation_label(h.predicate)} ({len(h.claims)}/{len(h.citations)})"
                    if h.claims else relation_label(h.predicate))
            ranks_of_edge.setdefault(eid, []).append(rank)
    start = paths[0].nodes[0].id if paths else None
    ends = {p.end.id for p in paths}
    by_depth: dict[int, list[str]] = {}
    for i in refs:
        by_depth.setdefault(depth[i], []).append(i)
    nodes = []
    highlight_nodes = {n.id for n in paths[selected].nodes} if (
        selected is not None and 0 <= selected < len(paths)) else set()
    for d, ids in sorted(by_depth.items()):
        ids.sort(key=lambda i: (refs[i].label.casefold(), i))
        for k, i in enumerate(ids):
            cls = []
            if i == start:
                cls.append("focus")
            if i in ends:
                cls.append("path-end")
            if highlight_nodes and i not in highlight_nodes:
                cls.append("dim")
            el = node_element(refs[i], *cls)
            el["position"] = {"x": d * 260.0, "y": (k - (len(ids) - 1) / 2) * 90.0}
            nodes.append(el)
    edge_list = []
    for eid, e in edges.items():
        if highlight_nodes:
            on = selected in ranks_of_edge[eid]
            e["classes"] = (e["classes"] + (" highlight" if on else " dim")).strip()
        edge_list.append(e)
    elements, truncated = cap_elements(nodes, edge_list)
    return GraphView(elements, {"name": "preset", "fit": True, "padding": 40},
                     total_nodes=len(nodes), total_edges=len(edge_list), truncated=truncated)


def path_steps(path: Path) -> list[set[str]]:
    """Presentation steps: the start, then one hop (edge + next node) per step."""
    steps = [{path.nodes[0].id}]
    for h in path.hops:
        steps.append({h.target.id, edge_id(h.subject.id, h.predicate, h.object.id)})
    return steps


def apply_steps(elements: list[Element], steps: Sequence[set[str]], step: int) -> list[Element]:
    """Copy of ``elements`` where everything not yet revealed by ``step`` is hidden.

    Elements in no step stay hidden; an edge shows once it is revealed or both its ends are.
    """
    step = max(0, min(step, len(steps) - 1)) if steps else 0
    shown: set[str] = set().union(*steps[:step + 1]) if steps else set()
    out = []
    for el in elements:
        d = el["data"]
        visible = d["id"] in shown or (not is_node(el) and d["source"] in shown
                                       and d["target"] in shown)
        cls = [c for c in el.get("classes", "").split() if c not in ("future", "dim")]
        if not visible:
            cls.append("future")
        out.append({**el, "classes": " ".join(cls)})
    return out


# --------------------------------------------------------------------------- intersections
def _side_edges(hub: str, item: SharedItem, links: Sequence[Neighbor]) -> list[Element]:
    out = []
    for nb in links:
        # nb.node is the hub-side node (the hub or one of its narrower types); draw from the hub
        s, o = (hub, item.node.id) if nb.direction == "out" else (item.node.id, hub)
        e = edge_element(s, nb.predicate, o, claims=len(nb.claims))
        if nb.node.id != hub:
            e["data"]["label"] = f"{relation_label(nb.predicate)} (via {nb.node.label})"
            e["data"]["id"] = edge_id(s, nb.predicate, o) + "|" + nb.node.id
        out.append(e)
    return out


def shared_view(r: SharedResult, max_per_column: int = 300) -> GraphView:
    """Two harms side by side: only-A on the left, shared in the middle, only-B on the right.

    Server-side positions (``preset``) so the picture is the same in every room.
    """
    nodes = [node_element(r.a, "focus", "side-a"), node_element(r.b, "focus", "side-b")]
    nodes[0]["position"] = {"x": -330.0, "y": 0.0}
    nodes[1]["position"] = {"x": 330.0, "y": 0.0}
    edges: list[Element] = []
    truncated = False
    for x, items, cls in ((-700.0, r.only_a, "only-a"), (0.0, r.shared, "shared"),
                          (700.0, r.only_b, "only-b")):
        if len(items) > max_per_column:
            truncated = True
        items = items[:max_per_column]
        for k, it in enumerate(items):
            el = node_element(it.node, cls)
            el["position"] = {"x": x, "y": (k - (len(items) - 1) / 2) * 70.0}
            nodes.append(el)
            edges += _side_edges(r.a.id, it, it.a_links)
            edges += _side_edges(r.b.id, it, it.b_links)
    seen: set[str] = set()
    uniq = []
    for e in edges:
        if e["data"]["id"] not in seen:
            seen.add(e["data"]["id"])
            uniq.append(e)
    elements, capped = cap_elements(nodes, uniq)
    view = GraphView(elements, {"name": "preset", "fit": True, "padding": 40},
                     total_nodes=2 + len(r.shared) + len(r.only_a) + len(r.only_b),
                     total_edges=len(uniq), truncated=truncated or capped)
    if view.truncated:
        view.notes.append("Not every item is drawn. Choose a type under 'What to compare' "
                          "to narrow the view; the lists below are complete.")
    return view


def shared_steps(r: SharedResult) -> list[set[str]]:
    """Presentation steps: the two harms, then what they share, then each one's own."""
    def ids(items: Sequence[SharedItem]) -> set[str]:
        return {i.node.id for i in items}

    return [{r.a.id, r.b.id}, ids(r.shared), ids(r.only_a), ids(r.only_b)]


def shared_groups(r: SharedResult) -> dict[str, list[dict[str, Any]]]:
    """List view of a comparison, grouped by the type of what is shared."""
    def rows(items: Sequence[SharedItem]) -> list[dict[str, Any]]:
        return [{"node": it.node,
                 "a": sorted({relation_label(n.predicate, n.direction == "out")
                              for n in it.a_links}),
                 "b": sorted({relation_label(n.predicate, n.direction == "out")
                              for n in it.b_links}),
                 "claims": sorted({c for n in (*it.a_links, *it.b_links) for c in n.claims}),
                 # sub-types or broader categories the link comes through (not A or B itself)
                 "through": sorted({n.node.label for n in (*it.a_links, *it.b_links)
                                    if n.node.id not in (r.a.id, r.b.id)})}
                for it in items]

    return {"shared": rows(r.shared), "only_a": rows(r.only_a), "only_b": rows(r.only_b)}


# --------------------------------------------------------------------------- service gaps
def coverage_grid(cov: Coverage) -> list[dict[str, Any]]:
    """One dict per row: the row node and a cell per column with counts (0 = gap)."""
    index = {(c.row, c.col): c for c in cov.cells}
    out = []
    for r in cov.rows:
        cells = []
        for c in cov.cols:
            cell = index.get((r.id, c.id))
            cells.append({"row": r.id, "col": c.id, "count": cell.count if cell else 0,
                          "claims": len(cell.claims) if cell else 0})
        out.append({"row": r, "cells": cells, "covered": sum(1 for x in cells if x["count"])})
    return out


#: Most cells the gap matrix renders (each is a button); the CSV downloads are never trimmed.
MAX_MATRIX_CELLS = 2_500
MAX_MATRIX_COLS = 50


def trim_coverage(cov: Coverage, max_cells: int = MAX_MATRIX_CELLS,
                  max_cols: int = MAX_MATRIX_COLS) -> tuple[Coverage, bool]:
    """The part of a matrix the page can render: all columns up to ``max_cols``, then as many
    rows as fit in ``max_cells``. Returns the (possibly) smaller matrix and whether it was cut."""
    n_cols = min(len(cov.cols), max_cols)
    n_rows = min(len(cov.rows), max(1, max_cells // max(1, n_cols)))
    if n_cols == len(cov.cols) and n_rows == len(cov.rows):
        return cov, False
    rows, cols = cov.rows[:n_rows], cov.cols[:n_cols]
    keep_r, keep_c = {r.id for r in rows}, {c.id for c in cols}
    cells = tuple(c for c in cov.cells if c.row in keep_r and c.col in keep_c)
    return Coverage(rows, cols, cov.via, cells), True


def coverage_csv(cov: Coverage) -> str:
    """The matrix as CSV: one row per row node, one column per column node (counts)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["row_id", "row_label", *(f"{c.label} ({c.id})" for c in cov.cols)])
    for r, counts in zip(cov.rows, cov.matrix(), strict=True):
        w.writerow([r.id, r.label, *counts])
    return buf.getvalue()


def coverage_long_csv(cov: Coverage) -> str:
    """Every cell, gaps included, with the covering items listed (long format)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["row_id", "row_label", "col_id", "col_label", cov.via.lower() + "_count",
                "claim_count", cov.via.lower() + "_ids"])
    for r in cov.rows:
        for c in cov.cols:
            cell = cov.cell(r.id, c.id)
            w.writerow([r.id, r.label, c.id, c.label, cell.count, len(cell.claims),
                        ";".join(i.id for i in cell.items)])
    return buf.getvalue()


# --------------------------------------------------------------------------- evidence
def statistic_text(stat: dict[str, Any]) -> str:
    """'as many as 70% (adult women)' from a claim's statistic record."""
    text = stat.get("text")
    if not text:
        value, unit = stat.get("value"), stat.get("unit") or ""
        text = f"{value}{'%' if unit == 'percent' else (' ' + unit if unit else '')}"
    extra = [stat[k] for k in ("population", "place", "period") if stat.get(k)]
    return f"{text} ({', '.join(map(str, extra))})" if extra else str(text)


def claim_row(c: ClaimInfo) -> dict[str, Any]:
    """A claim flattened for the evidence table (strings only, sortable)."""
    years = sorted({ci.year for ci in c.citations if ci.year})
    return {
        "id": c.id,
        "statement": c.statement,
        "about": "; ".join(a.label for a in c.about),
        "numbers": "; ".join(statistic_text(s) for s in c.statistics),
        "citations": "; ".join(ci.short() for ci in c.citations) or "none",
        "n_citations": len(c.citations),
        "doi": " ".join(ci.doi_url for ci in c.citations if ci.doi_url),
        "source": c.stated_in.title if c.stated_in else "",
        "source_id": c.stated_in.id if c.stated_in else "",
        "locator": c.locator or "",
        "year": years[-1] if years else None,
        "years": ", ".join(map(str, years)),
        "evidence_kind": c.evidence_kind.replace("_", " "),
        "flags": ", ".join(c.flags),
    }


CLAIM_COLUMNS = ("id", "statement", "about", "numbers", "citations", "doi", "source",
                 "locator", "years", "evidence_kind", "flags")


def claims_csv(rows: Sequence[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(CLAIM_COLUMNS), extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


_BIBTEX_TYPES = {"journal_article": "article", "book": "book", "chapter": "incollection",
                 "report": "techreport", "thesis": "phdthesis", "web_page": "misc",
                 "source_document": "misc", "law": "misc"}


def bibtex(citations: Iterable[CitationInfo]) -> str:
    """BibTeX for citations, written with bibtexparser (escaping handled by the library)."""
    import bibtexparser
    from bibtexparser import model

    lib = bibtexparser.Library()
    seen: set[str] = set()
    for c in citations:
        if c.id in seen:
            continue
        seen.add(c.id)
        fields = [model.Field("title", "{" + c.title + "}")]
        if c.authors:
            fields.append(model.Field("author", " and ".join(c.authors)))
        elif c.properties.get("publisher"):
            fields.append(model.Field("author", "{" + str(c.properties["publisher"]) + "}"))
        if c.year:
            fields.append(model.Field("year", str(c.year)))
        etype = _BIBTEX_TYPES.get(c.kind or "", "misc")
        if c.venue:
            fields.append(model.Field("journal" if etype == "article" else "howpublished",
                                      c.venue))
        for key in ("volume", "issue", "pages", "publisher"):
            v = c.properties.get(key)
            if v and not (key == "publisher" and not c.authors):
                fields.append(model.Field("number" if key == "issue" else key, str(v)))
        if etype == "techreport":
            fields.append(model.Field("institution", str(c.properties.get("publisher")
                                                         or c.venue or "")))
        if c.doi:
            fields.append(model.Field("doi", c.doi))
        if c.url:
            fields.append(model.Field("url", c.url))
        key = c.id.split(":", 1)[-1].replace(".", "-")
        lib.add(model.Entry(etype, key, fields))
    return bibtexparser.write_string(lib)
