"""Pure functions: backend results → Cytoscape elements, list rows, table rows, CSV and BibTeX.

Nothing here touches Dash callbacks or a backend, so the whole mapping is unit-tested without a
browser. Every graph view is laid out on the server (``layout: preset``, positions from
:mod:`explorer.layout`, which leaves room for each label), because force layouts in the
browser cost seconds of main-thread time and stack labels. Views are capped at what the browser
draws within the budget measured in BENCHMARKS.md (:data:`MAX_NODES` / :data:`MAX_EDGES`); past
:data:`SUMMARY_ABOVE` neighbours a node's links are summarised as one aggregate node per type
("+ 37 more Claims"), which the Explore page opens on request.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from explorer import layout as lay
from explorer.wording import plural
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
from loaders import csvsafe
from ontology.schema import PREDICATE_BY_NAME, expand_classes

#: Most elements one view sends to the browser: what headless Chromium draws within 3 s of
#: main-thread time on this machine (benchmarks/browser.py, BENCHMARKS.md "Graph drawing").
MAX_NODES = 400
MAX_EDGES = 1200
#: More neighbours than this (one node's links, one type group) are summarised by type.
SUMMARY_ABOVE = 40
#: The layout of every server-positioned view.
PRESET = {"name": "preset", "fit": True, "padding": 30, "animate": False}

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
                 citations: int = 0, classes: Iterable[str] = (),
                 basis: str | None = None) -> Element:
    """One stored link, drawn subject → object, labelled with the relation.

    A curator-inferred link (``basis == "inferred"``) gets the class ``inferred`` (dashed in
    the stylesheet, explained in the key).
    """
    cls = list(classes)
    if claims:
        cls.append("evidence")
    if basis == "inferred":
        cls.append("inferred")
    return {"data": {"id": edge_id(subject, predicate, obj), "source": subject,
                     "target": obj, "predicate": predicate,
                     "label": relation_label(predicate), "claims": claims,
                     "citations": citations, "basis": basis or "stated"},
            "classes": " ".join(cls)}


def basis_of(item: Any) -> str | None:
    """The ``basis`` (stated / inferred) of a Neighbor or Hop, when the backend gives one."""
    return getattr(item, "basis", None)


def plural_type(category: str, n: int) -> str:
    """'Claim' → 'Claims', 'Risk factor' → 'Risk factors' (n == 1 keeps the singular)."""
    from explorer.theme import type_label

    word = type_label(category)
    if n == 1:
        return word
    if word.endswith("y") and not word.endswith(("ay", "ey", "oy")):
        return word[:-1] + "ies"
    return word if word.endswith("s") else word + "s"


def more_node(owner: str, category: str, n: int, *, note: str = "") -> Element:
    """An aggregate node standing for ``n`` neighbours of one type that are not drawn."""
    return {"data": {"id": f"more:{owner}:{category}", "label":
                     f"+ {n} more {plural_type(category, n)}{note}", "category": category,
                     "type_label": "Summary", "owner": owner, "count": n, "more": category},
            "classes": "more cat-" + category}


def header_node(hid: str, text: str) -> Element:
    """A text-only node heading a group in a grid (not selectable)."""
    return {"data": {"id": hid, "label": text, "category": "", "type_label": "Heading"},
            "classes": "group-label", "selectable": False, "grabbable": False}


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


def positions_into(elements: list[Element], pos: lay.Pos) -> None:
    """Write server positions into the node elements (in place)."""
    for e in elements:
        if is_node(e) and e["data"]["id"] in pos:
            x, y = pos[e["data"]["id"]]
            e["position"] = {"x": x, "y": y}


def _labels(elements: Iterable[Element]) -> dict[str, str]:
    return {e["data"]["id"]: e["data"].get("label", "") for e in elements if is_node(e)}


def auto_layout(elements: list[Element], *, center: str | None = None,
                force: str = "rings", metrics: lay.Metrics = lay.NORMAL) -> dict[str, Any]:
    """Positions computed here for any view (``preset``): rings around ``center``.

    Nodes whose ``data.parent`` names another node sit on the rings after their parent's
    (the neighbours of an expanded node); without a centre the most linked node is used.
    Positions go into the elements in place.
    """
    nodes = [e for e in elements if is_node(e)]
    if not nodes:
        return dict(PRESET)
    ids = {n["data"]["id"] for n in nodes}
    if center is None or center not in ids:
        degree: dict[str, int] = {}
        for e in elements:
            if not is_node(e):
                for k in ("source", "target"):
                    degree[e["data"][k]] = degree.get(e["data"][k], 0) + 1
        center = max(ids, key=lambda i: (degree.get(i, 0), i))
    hub: str = center
    labels = _labels(nodes)
    depth: dict[str, int] = {hub: 0}
    parent: dict[str, str] = {}
    adjacent: dict[str, list[str]] = {}
    for e in elements:
        if not is_node(e):
            s, t = e["data"]["source"], e["data"]["target"]
            adjacent.setdefault(s, []).append(t)
            adjacent.setdefault(t, []).append(s)
    declared = {n["data"]["id"]: n["data"].get("parent") for n in nodes}
    # breadth first from the centre; a declared parent wins over any other route
    frontier = [hub]
    while frontier:
        nxt = []
        for u in frontier:
            kids = [v for v in adjacent.get(u, ()) if v not in depth
                    and declared.get(v) in (None, u)]
            for v in kids:
                depth[v] = depth[u] + 1
                parent[v] = u
                nxt.append(v)
        frontier = nxt
    far = max(depth.values(), default=0) + 1
    for i in ids:  # not connected to the centre: an outer ring of their own
        depth.setdefault(i, far)
    layers: dict[int, list[tuple[str, str]]] = {}
    for i in sorted(ids - {hub}, key=lambda i: (_type_key(nodes, i), labels[i].casefold())):
        layers.setdefault(depth[i], []).append((i, labels[i]))
    pos = lay.rings((hub, labels[hub]), [layers[d] for d in sorted(layers)], metrics,
                    parents=parent)
    pos = lay.fix_overlaps(pos, labels, metrics)
    positions_into(nodes, pos)
    return dict(PRESET)


def _type_key(nodes: list[Element], i: str) -> str:
    for n in nodes:
        if n["data"]["id"] == i:
            return ("~" if "more" in n["data"] else "") + n["data"].get("category", "")
    return ""


# --------------------------------------------------------------------------- explore
def filter_neighbors(neighbors: Sequence[Neighbor], types: Iterable[str] | None = None,
                     relations: Iterable[str] | None = None) -> list[Neighbor]:
    """Keep neighbours of the chosen types (subclasses included) and relations."""
    wanted = expand_classes(list(types)) if types else None
    rels = set(relations) if relations else None
    return [n for n in neighbors
            if (wanted is None or n.node.category in wanted)
            and (rels is None or n.predicate in rels)]


def summarise(neighbors: Sequence[Neighbor], budget: int, opened: Iterable[str] = ()
              ) -> tuple[list[Neighbor], dict[str, int]]:
    """Keep at most ``budget`` distinct neighbour nodes, a fair share of each type.

    Types in ``opened`` are kept whole (the user asked for them) as far as the budget goes.
    Returns the kept links and, per type, how many neighbour nodes were left out.
    """
    by_type: dict[str, list[str]] = {}
    for n in neighbors:
        ids = by_type.setdefault(n.node.category, [])
        if n.node.id not in ids:
            ids.append(n.node.id)
    total = sum(len(v) for v in by_type.values())
    if total <= budget:
        return list(neighbors), {}
    opened = set(opened)
    quota = {c: 0 for c in by_type}
    left = budget
    for c in sorted(by_type, key=lambda c: (c not in opened, len(by_type[c]))):
        if c in opened:
            take = min(len(by_type[c]), left)
            quota[c] = take
            left -= take
    # round robin over the other types so small types are shown whole
    others = [c for c in sorted(by_type) if c not in opened]
    while left > 0 and any(quota[c] < len(by_type[c]) for c in others):
        for c in others:
            if left and quota[c] < len(by_type[c]):
                quota[c] += 1
                left -= 1
    keep = {i for c, ids in by_type.items() for i in ids[:quota[c]]}
    hidden = {c: len(ids) - quota[c] for c, ids in by_type.items() if len(ids) > quota[c]}
    return [n for n in neighbors if n.node.id in keep], hidden


def neighbourhood(center: NodeRef, neighbors: Sequence[Neighbor], *,
                  types: Iterable[str] | None = None, relations: Iterable[str] | None = None,
                  existing: Iterable[str] = (), max_nodes: int = MAX_NODES,
                  max_edges: int = MAX_EDGES, focus: bool = True,
                  summary_above: int = SUMMARY_ABOVE, opened: Iterable[str] = ()
                  ) -> GraphView:
    """A node and its (filtered) neighbours; ids in ``existing`` are not sent again.

    With ``existing`` given this is the *delta* to append to a graph already on screen; its
    new nodes carry ``data.parent`` = the node expanded. More than ``summary_above`` new
    neighbours (or more than the cap leaves room for) are summarised: per type, an aggregate
    node "+ n more …" linked to ``center``; ``opened`` lists types to draw in full.
    """
    kept = filter_neighbors(neighbors, types, relations)
    have = set(existing)
    on_screen_nodes = sum(1 for i in have if "|" not in i)
    room = max(0, max_nodes - on_screen_nodes - (0 if center.id in have else 1))
    fresh = [n for n in kept if n.node.id not in have]
    old = [n for n in kept if n.node.id in have]
    shown, hidden = summarise(fresh, min(room, max(summary_above, 0)
                                         if not opened else room), opened)
    if opened and len({n.node.id for n in shown}) > room:
        shown, hidden = summarise(fresh, room, opened)
    nodes: list[Element] = []
    seen: set[str] = set(have)
    if center.id not in seen:
        nodes.append(node_element(center, *(("focus",) if focus else ())))
        seen.add(center.id)
    for n in shown:
        if n.node.id not in seen:
            el = node_element(n.node)
            if have:
                el["data"]["parent"] = center.id
            nodes.append(el)
            seen.add(n.node.id)
    edges: list[Element] = []
    for n in [*shown, *old]:
        s, o = (center.id, n.node.id) if n.direction == "out" else (n.node.id, center.id)
        eid = edge_id(s, n.predicate, o)
        if eid in seen:
            continue
        seen.add(eid)
        edges.append(edge_element(s, n.predicate, o, claims=len(n.claims), basis=basis_of(n)))
    for cat, count in sorted(hidden.items()):
        m = more_node(center.id, cat, count)
        if have:
            m["data"]["parent"] = center.id
        nodes.append(m)
        edges.append({"data": {"id": f"{m['data']['id']}|edge", "source": center.id,
                               "target": m["data"]["id"], "label": "", "predicate": ""},
                      "classes": "more-edge"})
    edges = edges[:max(0, max_edges - sum(1 for i in have if "|" in i))]
    view = GraphView(nodes + edges, dict(PRESET), total_nodes=len(kept) + 1,
                     total_edges=len(kept), truncated=bool(hidden))
    if hidden:
        n_hidden = sum(hidden.values())
        view.notes.append(
            f"{center.label}: {n_hidden} more neighbours are summarised by type (“+ … more”). "
            "Select a summary node to draw that type in full, or narrow the view with the type "
            "and relation filters; the list below has every link.")
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
                      "evidence": (f"{plural(len(h.claims), 'claim')} / "
                                   f"{plural(len(h.citations), 'citation')}"),
                      "basis": basis_of(h) or "stated"}
                     for h in p.hops],
        })
    return rows


def _hop_edge(h: Hop) -> Element:
    s, o = h.subject.id, h.object.id
    e = edge_element(s, h.predicate, o, claims=len(h.claims), citations=len(h.citations),
                     basis=basis_of(h))
    e["data"]["label"] = (f"{relation_label(h.predicate)} ({len(h.claims)}/{len(h.citations)})"
                          if h.claims else relation_label(h.predicate))
    return e


def path_view(paths: Sequence[Path], selected: int | None = None,
              metrics: lay.Metrics = lay.NORMAL) -> GraphView:
    """All ranked paths as one layered graph, path ``selected`` highlighted.

    Layers read left to right: the start, each hop, and the destinations together in the
    last layer (in several columns when there are many); positions from
    :func:`explore.layout.layered`, so labels never overlap.
    """
    depth: dict[str, int] = {}
    refs: dict[str, NodeRef] = {}
    edges: dict[str, Element] = {}
    ranks_of_edge: dict[str, list[int]] = {}
    parents: dict[str, list[str]] = {}
    sources: set[str] = set()
    for rank, p in enumerate(paths):
        for d, n in enumerate(p.nodes):
            refs.setdefault(n.id, n)
            depth[n.id] = min(depth.get(n.id, d), d)
        for h in p.hops:
            eid = edge_id(h.subject.id, h.predicate, h.object.id)
            if eid not in edges:
                edges[eid] = _hop_edge(h)
            ranks_of_edge.setdefault(eid, []).append(rank)
            parents.setdefault(h.target.id, []).append(h.source.id)
            sources.add(h.source.id)
    start = paths[0].nodes[0].id if paths else None
    ends = {p.end.id for p in paths}
    last = max(depth.values(), default=0)
    for i in ends - sources:  # destinations grouped in the last layer
        depth[i] = last
    layers: list[list[tuple[str, str]]] = [[] for _ in range(last + 1)]
    for i, d in depth.items():
        layers[d].append((i, refs[i].label))
    pos = lay.layered(layers, metrics, parents=parents, max_height=lay.FIT_NORMAL[1] - 60)
    highlight_nodes = {n.id for n in paths[selected].nodes} if (
        selected is not None and 0 <= selected < len(paths)) else set()
    nodes = []
    for layer in layers:
        for i, _ in layer:
            cls = []
            if i == start:
                cls.append("focus")
            if i in ends:
                cls.append("path-end")
            if highlight_nodes and i not in highlight_nodes:
                cls.append("dim")
            el = node_element(refs[i], *cls)
            x, y = pos[i]
            el["position"] = {"x": x, "y": y}
            nodes.append(el)
    edge_list = []
    for eid, e in edges.items():
        if highlight_nodes:
            on = selected in ranks_of_edge[eid]
            e["classes"] = (e["classes"] + (" highlight" if on else " dim")).strip()
        edge_list.append(e)
    elements, truncated = cap_elements(nodes, edge_list)
    return GraphView(elements, dict(PRESET, padding=40),
                     total_nodes=len(nodes), total_edges=len(edge_list), truncated=truncated)


def path_steps(path: Path) -> list[set[str]]:
    """Presentation steps: the start, then one hop (edge + next node) per step."""
    steps = [{path.nodes[0].id}]
    for h in path.hops:
        steps.append({h.target.id, edge_id(h.subject.id, h.predicate, h.object.id)})
    return steps


def clamp_step(step: int | None, n_steps: int) -> int:
    """A step number within ``0..n_steps - 1`` (a URL may carry any number)."""
    return max(0, min(step or 0, max(0, n_steps - 1)))


def path_present_view(path: Path, step: int, narrow: bool = False) -> GraphView:
    """Presentation of one path: what is revealed by ``step``, nothing else, at full size.

    The path is laid out once (rows of four, snaking) and each step sends only the revealed
    part, so the canvas refits to it and the newest hop is always on screen. ``narrow`` (a
    phone): only the current hop, its two ends one above the other — a whole path at room
    size is taller than a phone's screen.
    """
    steps = path_steps(path)
    step = clamp_step(step, len(steps))
    shown: set[str] = set().union(*steps[:step + 1])
    if narrow:
        ends = [path.nodes[0]] if step == 0 else [path.hops[step - 1].source,
                                                  path.hops[step - 1].target]
        shown = {n.id for n in ends} | steps[step]
        pos = lay.snake([(n.id, n.label) for n in ends], lay.PRESENT, per_row=1)
    else:
        pos = lay.snake([(n.id, n.label) for n in path.nodes], lay.PRESENT)
    out: list[Element] = []
    for n in path.nodes:
        if n.id in shown and n.id in pos and all(e["data"]["id"] != n.id for e in out):
            cls = ["focus"] if n.id == path.nodes[0].id else []
            if n.id == path.end.id:
                cls.append("path-end")
            if narrow and step and n.id == path.hops[step - 1].source.id:
                cls.append("lbl-above")  # the hop's edge runs down between the two labels
            el = node_element(n, *cls)
            x, y = pos[n.id]
            el["position"] = {"x": x, "y": y}
            out.append(el)
    for k, h in enumerate(path.hops, 1):
        if k <= step and (not narrow or k == step):
            e = _hop_edge(h)
            if k == step:
                e["classes"] = (e["classes"] + " highlight" + (" flat" if narrow else "")).strip()
            out.append(e)
    return GraphView(out, dict(PRESET, padding=lay.NARROW_PADDING if narrow else 50),
                     total_nodes=len(path.nodes), total_edges=len(path.hops))


# --------------------------------------------------------------------------- intersections
#: Most items an Intersections view draws (normal / per presentation step); the rest are
#: summarised per type — the lists under the graph are complete.
SHARED_BUDGET = 72
SHARED_PRESENT_BUDGET = 18


def _side_edges(hub: str, item: SharedItem, links: Sequence[Neighbor]) -> list[Element]:
    out = []
    for nb in links:
        # nb.node is the hub-side node (the hub or one of its narrower types); draw from the hub
        s, o = (hub, item.node.id) if nb.direction == "out" else (item.node.id, hub)
        e = edge_element(s, nb.predicate, o, claims=len(nb.claims), basis=basis_of(nb))
        if nb.node.id != hub:
            e["data"]["label"] = f"{relation_label(nb.predicate)} (via {nb.node.label})"
            e["data"]["id"] = edge_id(s, nb.predicate, o) + "|" + nb.node.id
        out.append(e)
    return out


def _type_groups(side: str, items: Sequence[SharedItem], budget: int, collapse: bool = False
                 ) -> tuple[list[tuple[tuple[str, str], list[tuple[str, str]]]],
                            list[SharedItem], list[Element]]:
    """Items grouped by type for a grid, at most ``budget`` drawn (fair share per type).

    Returns the groups (header + members, an aggregate "+ n more" last in a cut group), the
    items drawn, and the header and aggregate elements. ``collapse`` (a phone's short
    slide): only types with something drawn get a heading, and everything not drawn is one
    "+ n more" at the end (the lists under the graph name them all).
    """
    from explorer.theme import type_label

    by_type: dict[str, list[SharedItem]] = {}
    for it in items:
        by_type.setdefault(it.node.category, []).append(it)
    quota = {c: 0 for c in by_type}
    left = budget
    while left > 0 and any(quota[c] < len(v) for c, v in by_type.items()):
        for c in sorted(by_type):
            if left and quota[c] < len(by_type[c]):
                quota[c] += 1
                left -= 1
    groups = []
    drawn: list[SharedItem] = []
    extra: list[Element] = []
    hidden = 0
    for c in sorted(by_type, key=lambda c: type_label(c).casefold()):
        if collapse and quota[c] == 0:
            hidden += len(by_type[c])
            continue
        members = sorted(by_type[c], key=lambda it: it.node.label.casefold())
        hid = f"group:{side}:{c}"
        head = f"{plural_type(c, len(members))} ({len(members)})"
        extra.append(header_node(hid, head))
        cell = [(it.node.id, it.node.label) for it in members[:quota[c]]]
        drawn += members[:quota[c]]
        if collapse:
            hidden += len(members) - quota[c]
        elif len(members) > quota[c]:
            m = more_node(side, c, len(members) - quota[c])
            m["data"]["label"] = f"+ {len(members) - quota[c]} more"  # the heading names it
            extra.append(m)
            cell.append((m["data"]["id"], m["data"]["label"]))
        groups.append(((hid, head), cell))
    if hidden:
        m = more_node(side, "other", hidden)
        m["data"]["label"] = f"+ {hidden} more"
        m["classes"] = "more"
        extra.append(m)
        groups.append(((m["data"]["id"], m["data"]["label"]), []))  # a group of its own
    return groups, drawn, extra


def extent(elements: Sequence[Element], m: lay.Metrics = lay.NORMAL) -> tuple[float, float]:
    """Width and height of the drawing (node and label boxes) in model units."""
    nodes = [e for e in elements if is_node(e) and "position" in e]
    if not nodes:
        return 0.0, 0.0
    place = {n["data"]["id"]: lay.RIGHT if "lbl-right" in n.get("classes", "").split()
             else lay.BELOW for n in nodes}
    b = lay.boxes({n["data"]["id"]: (n["position"]["x"], n["position"]["y"]) for n in nodes},
                  _labels(nodes), m, place).values()
    return (max(x.x2 for x in b) - min(x.x1 for x in b),
            max(x.y2 for x in b) - min(x.y1 for x in b))


#: How many times :func:`fitted` calls its builder at most (one per probe of the budget search).
MAX_FIT_BUILDS = 6


def fit_budgets(budget: int, floor: int = 4) -> list[int]:
    """The budgets :func:`fitted` may choose from, largest first: ``budget``, then 80 % of the
    one before, down to ``floor``."""
    out = [budget]
    while out[-1] > floor:
        out.append(max(floor, min(out[-1] - 1, int(out[-1] * 0.8))))
    return out


def fitted(build: Any, budget: int, fit: tuple[float, float],
           m: lay.Metrics = lay.NORMAL, floor: int = 4, measure: Any = None) -> GraphView:
    """``build(b)`` for the largest ``b`` in :func:`fit_budgets` whose drawing fits ``fit``
    (so the canvas shows it whole at a zoom that keeps labels readable); the smallest budget
    when none fits.

    Why a search: a drawing grows with the items drawn, so the budgets that fit are a tail of
    that list. The full budget is tried first (most views fit at once); otherwise the first
    budget that fits is found by bisection — about log2(12) builds instead of walking down
    one 20 % step at a time (the profile of issue 14 item 7: ~6.6 builds per request).
    ``measure(b)``, when given, is the drawing's ``extent`` at budget ``b`` computed without
    building the elements (layout only); then ``build`` runs once.
    """
    cands = fit_budgets(budget, floor)
    built: dict[int, GraphView] = {}

    def fits(k: int) -> bool:
        if measure is not None:
            w, h = measure(cands[k])
        else:
            built[k] = build(cands[k])
            w, h = extent(built[k].elements, m)
        return w <= fit[0] and h <= fit[1]

    if len(cands) == 1 or fits(0):
        return built[0] if built else build(cands[0])
    lo, hi = 0, len(cands) - 1  # cands[lo] does not fit; the answer is in (lo, hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid
    return built[hi] if hi in built else build(cands[hi])


def shared_view(r: SharedResult, budget: int = SHARED_BUDGET) -> GraphView:
    """Two harms left and right, what they share in a grid between them (grouped by type),
    what is particular to each on its outer side; as many items as fit the canvas at a
    readable size (at most ``budget``), the rest summarised per type.
    """
    return fitted(lambda b: _shared_view(r, b), budget, lay.FIT_NORMAL,
                  measure=lambda b: _shared_extent(r, b))


def _shared_grids(r: SharedResult, budget: int) -> list[tuple[str, str, Sequence[SharedItem],
                                                             int]]:
    shares = _split_budget(budget, (len(r.only_a), len(r.shared), len(r.only_b)))
    return [(side, cls, items, quota) for (side, items, cls), quota in
            zip((("only-a", r.only_a, "only-a"), ("shared", r.shared, "shared"),
                 ("only-b", r.only_b, "only-b")), shares, strict=True)]


def _shared_extent(r: SharedResult, budget: int) -> tuple[float, float]:
    """``extent(_shared_view(r, budget).elements)`` from the layout alone (no elements, no
    edges): what :func:`fitted` compares while it searches the budget."""
    grids = [_type_groups(side, items, quota)[0] for side, _, items, quota in
             _shared_grids(r, budget)]
    pos = lay.two_sided((r.a.id, r.a.label), (r.b.id, r.b.label), grids[0], grids[1], grids[2],
                        max_height=lay.FIT_NORMAL[1] - 40)
    labels = {r.a.id: r.a.label, r.b.id: r.b.label}
    for groups in grids:
        for (hid, head), cell in groups:
            labels[hid] = head
            labels.update(cell)
    right = set(labels) - {r.a.id, r.b.id} | {i for g in grids for (_, c) in g for i, _ in c}
    b = [lay.node_box(labels[i], lay.NORMAL, lay.RIGHT if i in right else lay.BELOW).shift(*xy)
         for i, xy in pos.items()]
    if not b:
        return 0.0, 0.0
    return (max(x.x2 for x in b) - min(x.x1 for x in b),
            max(x.y2 for x in b) - min(x.y1 for x in b))


def _shared_view(r: SharedResult, budget: int) -> GraphView:
    nodes = [node_element(r.a, "focus", "side-a"), node_element(r.b, "focus", "side-b")]
    total = len(r.shared) + len(r.only_a) + len(r.only_b)
    grids = []
    edges: list[Element] = []
    for side, cls, items, quota in _shared_grids(r, budget):
        groups, drawn, extra = _type_groups(side, items, quota)
        grids.append(groups)
        nodes += extra
        for it in drawn:
            nodes.append(node_element(it.node, cls, "lbl-right"))
            edges += _side_edges(r.a.id, it, it.a_links)
            edges += _side_edges(r.b.id, it, it.b_links)
    uniq = _unique(edges)
    for e in uniq:  # unlabelled and faint: across a grid, relation labels cover item labels
        e["classes"] = (e["classes"] + " quiet").strip()
    pos = lay.two_sided((r.a.id, r.a.label), (r.b.id, r.b.label), grids[0], grids[1], grids[2],
                        max_height=lay.FIT_NORMAL[1] - 40)
    positions_into(nodes, pos)
    _mark_label_right(nodes)
    drawn_n = sum(1 for n in nodes if "lbl-right" in n.get("classes", ""))
    view = GraphView(nodes + uniq, dict(PRESET, padding=40), total_nodes=2 + total,
                     total_edges=len(uniq), truncated=drawn_n < total)
    if view.truncated:
        view.notes.append(f"{drawn_n} of {total} items are drawn; the rest are summarised by "
                          "type (“+ … more”). Choose a type under 'What to compare' to draw "
                          "more; the lists below are complete.")
    return view


def _mark_label_right(nodes: list[Element]) -> None:
    for n in nodes:
        c = n.get("classes", "")
        if ("more" in c.split() or "group-label" in c.split()) and "lbl-right" not in c:
            n["classes"] = c + " lbl-right"


def _split_budget(budget: int, sizes: Sequence[int]) -> list[int]:
    """Share ``budget`` between groups of ``sizes``: small groups whole, the rest evenly."""
    out = [0] * len(sizes)
    left = budget
    while left > 0 and any(out[i] < s for i, s in enumerate(sizes)):
        for i, s in enumerate(sizes):
            if left and out[i] < s:
                out[i] += 1
                left -= 1
    return out


def _unique(edges: list[Element]) -> list[Element]:
    seen: set[str] = set()
    uniq = []
    for e in edges:
        if e["data"]["id"] not in seen:
            seen.add(e["data"]["id"])
            uniq.append(e)
    return uniq


def shared_present_view(r: SharedResult, step: int, budget: int = SHARED_PRESENT_BUDGET,
                        narrow: bool = False) -> GraphView:
    """One presentation step (see :func:`_shared_present_view`), as many items as fit;
    ``narrow`` (a phone held upright): stacked top to bottom, so fewer items fit."""
    fit = lay.FIT_PRESENT_NARROW if narrow else lay.FIT_PRESENT
    return fitted(lambda b: _shared_present_view(r, step, b, narrow), budget, fit, lay.PRESENT,
                  floor=1 if narrow else 4)


def _shared_present_view(r: SharedResult, step: int, budget: int,
                         narrow: bool = False) -> GraphView:
    """One presentation step, at full size: 0 the two harms; 1 what they share (between
    them); 2 what is particular to A (right of A); 3 particular to B (left of B).

    Only that step's items are drawn (at most ``budget``, the rest as "+ n more"), so the
    canvas refits to them at a size a room can read.
    """
    step = clamp_step(step, 4)
    a = node_element(r.a, "focus", "side-a")
    b = node_element(r.b, "focus", "side-b")
    side, items, cls = (("shared", r.shared, "shared"), ("shared", r.shared, "shared"),
                        ("only-a", r.only_a, "only-a"), ("only-b", r.only_b, "only-b"))[step]
    if step == 0:
        items = ()
    groups, drawn, extra = _type_groups(side, items, budget, collapse=narrow)
    nodes = ([a, b] if step in (0, 1) else [a] if step == 2 else [b]) + extra
    # no edges: every item links to the harm(s) beside it, and lines across a grid only cross
    # other labels; the place says it (the caption and the lists name the relations)
    edges: list[Element] = []
    for it in drawn:
        nodes.append(node_element(it.node, cls, "lbl-right"))
    ida, idb = (r.a.id, r.a.label), (r.b.id, r.b.label)
    high = lay.FIT_PRESENT[1] - 30
    if narrow:
        pos = lay.stacked(ida if step in (0, 1, 2) else None, idb if step in (0, 1, 3) else None,
                          groups, m=lay.PRESENT)
    elif step == 0:
        pos = lay.two_sided(ida, idb, m=lay.PRESENT)
    elif step == 1:
        pos = lay.two_sided(ida, idb, middle=groups, m=lay.PRESENT, max_height=high)
    elif step == 2:
        pos = lay.two_sided(ida, None, middle=groups, m=lay.PRESENT, max_height=high)
    else:
        pos = lay.two_sided(None, idb, middle=groups, m=lay.PRESENT, max_height=high)
    positions_into(nodes, pos)
    _mark_label_right(nodes)
    uniq = [e for e in _unique(edges) if e["data"]["source"] in pos and e["data"]["target"] in pos]
    for e in uniq:
        e["classes"] = (e["classes"] + " quiet").strip()
    return GraphView(nodes + uniq, dict(PRESET, padding=lay.NARROW_PADDING if narrow else 50),
                     total_nodes=len(nodes), total_edges=len(uniq),
                     truncated=len(drawn) < len(items))


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
def coverage_csv(cov: Coverage) -> str:
    """The matrix as CSV: one row per row node, one column per column node (counts)."""
    buf = io.StringIO()
    w = csvsafe.writer(buf)
    w.writerow(["row_id", "row_label", *(f"{c.label} ({c.id})" for c in cov.cols)])
    for r, counts in zip(cov.rows, cov.matrix(), strict=True):
        w.writerow([r.id, r.label, *counts])
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
    w = csvsafe.DictWriter(buf, fieldnames=list(CLAIM_COLUMNS), extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def bibtex(citations: Iterable[CitationInfo]) -> str:
    """BibTeX for citations (the one serializer: :func:`graph.citations.export_bibtex`)."""
    from graph.citations import export_bibtex

    return export_bibtex(citations)


# --------------------------------------------------------------------------- explore by relation
#: The Explore canvas at 1440 x 900 (about 905 x 560 px) in model units at MIN_ZOOM.
FIT_EXPLORE = (905 / lay.MIN_ZOOM, 560 / lay.MIN_ZOOM)


def relation_layout(elements: list[Element], center: str,
                    metrics: lay.Metrics = lay.NORMAL) -> dict[str, Any]:
    """One node's neighbourhood laid out by relation, read from the centre.

    Neighbours the centre points at sit right of it, those pointing at the centre left of it,
    each side in columns of groups headed by the relation ("uses tactic (12)", "risk increased
    by (4)"); "+ n more" summaries close the right side. Edges lose their labels (the heading
    says the relation). Adds the heading nodes to ``elements`` and positions to every node.
    """
    nodes = {e["data"]["id"]: e for e in elements if is_node(e)}
    groups: dict[tuple[str, str], list[str]] = {}
    placed: set[str] = {center}
    for e in elements:
        if is_node(e):
            continue
        d = e["data"]
        if "more-edge" in e.get("classes", ""):
            continue
        if d["source"] == center and d["target"] not in placed:
            key, other = ("out", relation_label(d["predicate"])), d["target"]
        elif d["target"] == center and d["source"] not in placed:
            key, other = ("in", relation_label(d["predicate"], False)), d["source"]
        else:
            continue
        groups.setdefault(key, []).append(other)
        placed.add(other)
        e["classes"] = (e.get("classes", "") + " quiet").strip()
    more = [i for i, n in nodes.items() if "more" in n["data"] and i not in placed]
    for e in elements:  # no edge labels: the headings say the relations to the centre
        if not is_node(e) and "quiet" not in e.get("classes", "").split():
            e["classes"] = (e.get("classes", "") + " quiet").strip()
    sides: dict[str, list[tuple[tuple[str, str], list[tuple[str, str]]]]] = {"in": [],
                                                                             "out": []}
    heads: list[Element] = []
    for (side, rel), ids in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        ids.sort(key=lambda i: (nodes[i]["data"].get("category", ""),
                                nodes[i]["data"]["label"].casefold()))
        hid = f"group:{side}:{rel}"
        head = f"{rel[:1].upper()}{rel[1:]} ({len(ids)})"
        heads.append(header_node(hid, head))
        sides[side].append(((hid, head), [(i, nodes[i]["data"]["label"]) for i in ids]))
    if more:
        hid = "group:out:more"
        heads.append(header_node(hid, "Not drawn"))
        sides["out"].append(((hid, "Not drawn"),
                             [(i, nodes[i]["data"]["label"]) for i in sorted(more)]))
    for n in list(nodes.values()) + heads:
        if n["data"]["id"] != center and "lbl-right" not in n.get("classes", ""):
            n["classes"] = (n.get("classes", "") + " lbl-right").strip()
    elements.extend(heads)
    pos = lay.two_sided(None, (center, nodes[center]["data"]["label"]), left=(),
                        middle=sides["in"], right=sides["out"], m=metrics,
                        max_height=FIT_EXPLORE[1] - 40)
    positions_into(elements, pos)
    return dict(PRESET)
