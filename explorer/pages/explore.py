"""Explore: search (synonyms work), a node's neighbourhood, its evidence, expand on demand.

URL state: ``?node=<id>&types=A,B&rels=x,y&expand=<id>,<id>&sel=<id>&open=<id>:<Type>``.

The canvas is laid out on the server (rings that leave room for every label, see
:mod:`explorer.layout`); a node with many links shows a fair share per type and one
"+ n more …" node per type, which opens that type when selected (``open``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from explorer import elements as el
from explorer.components import graph, guarded, labelled, legend, node_panel, notice
from explorer.params import csv_list
from explorer.state import get_backend
from explorer.theme import type_label
from explorer.wording import plural
from ontology.schema import CLASSES, EVIDENCE_CLASSES, PREDICATES

dash.register_page(__name__, path="/explore", name="Explore", order=0,
                   title="Explore · Intersections explorer")

GRAPH = {"type": "graph", "graph": "explore"}
TYPE_OPTIONS = [{"label": c.label, "value": c.name} for c in CLASSES
                if c.name not in EVIDENCE_CLASSES]
REL_OPTIONS = [{"label": p.label, "value": p.name} for p in PREDICATES
               if p.name not in ("about", "supported_by", "stated_in")]
MAX_NEIGHBOURS = 400  # per node; the element cap applies on top
#: Rows per node in the list view. Rows were once Dash components with a pattern-matched
#: button each, and thousands froze the browser for minutes; now each table is one Markdown
#: component, but 9 tables of 200 rows still cost ~1 s of main-thread time (BENCHMARKS.md).
MAX_LIST_ROWS = 60


def layout(node: str | None = None, types: str | None = None, rels: str | None = None,
           expand: str | None = None, sel: str | None = None, q: str | None = None,
           open: str | None = None, **_: Any) -> html.Div:  # noqa: A002 - URL name
    return html.Div([
        html.H1("Explore"),
        html.P("Search for a risk factor, harm, tactic, intervention or place. Synonyms work: "
               "try “foster care”, “DMST” or “IPV”.", className="lead"),
        html.Div([
            html.Label("Search", htmlFor="explore-search", className="label"),
            dcc.Input(id="explore-search", type="search", value=q or "", debounce=True,
                      placeholder="e.g. foster care", autoComplete="off",
                      className="input input-search"),
            html.Button("Search", id="explore-search-go", className="btn", n_clicks=0),
        ], className="search-row", role="search"),
        html.Div(id="explore-hits", className="hits", **{"aria-live": "polite"}),
        html.Details([
            html.Summary("Filters: types and relations"),
            html.Div([
                labelled("Show neighbours of these types", "explore-types",
                         dcc.Dropdown(id="explore-types", options=TYPE_OPTIONS, multi=True,
                                      value=csv_list(types), className="dropdown",
                                      placeholder="All types")),
                labelled("Show these relations", "explore-rels",
                         dcc.Dropdown(id="explore-rels", options=REL_OPTIONS, multi=True,
                                      value=csv_list(rels), className="dropdown",
                                      placeholder="All relations")),
            ], className="filters"),
            html.P("Leave a filter empty to show everything.", className="muted"),
        ], className="filter-box", open=bool(types or rels)),
        html.Div(id="explore-alert"),
        html.Div(id="explore-notes"),
        html.Div([
            html.Div([graph("explore", label="Neighbourhood graph"), legend()],
                     className="graph-col"),
            html.Aside(html.Div(html.P("Select a node in the graph or the list to read its "
                                       "definition and evidence.", className="muted"),
                                id="explore-panel"),
                       className="side-panel", **{"aria-live": "polite",
                                                  "aria-label": "Selected node"}),
        ], className="two-col"),
        html.Section([html.H2("Links as a list"), html.Div(id="explore-list")],
                     className="list-view", **{"aria-label": "Links as a list"}),
        dcc.Store(id="explore-node", data=node),
        dcc.Store(id="explore-expanded", data=csv_list(expand)),
        dcc.Store(id="explore-selected", data={"id": sel or node} if (sel or node) else None),
        dcc.Store(id="explore-shown", data=[]),
        dcc.Store(id="explore-opened", data=csv_list(open)),
        dcc.Store(id={"type": "url-state", "page": "explore"}),
    ], className="page page-explore")


# ----------------------------------------------------------------------------- search
@callback(Output("explore-hits", "children"), Output("explore-alert", "children",
                                                       allow_duplicate=True),
          Input("explore-search", "value"), Input("explore-search-go", "n_clicks"),
          prevent_initial_call="initial_duplicate")
@guarded(2)
def run_search(text: str | None, _n: int) -> tuple[Any, Any]:
    if not text or not text.strip():
        return [], None
    hits = get_backend().search(text, limit=15)
    if not hits:
        return html.P(f"No match for “{text}”. Try a shorter word or a synonym.",
                      className="muted"), None
    items = [html.Li(html.Button([html.Span(h.node.label, className="hit-label"),
                                  html.Span(f" {type_label(h.node.category)}",
                                            className="hit-type"),
                                  html.Span(f" (matched “{h.matched}”)", className="hit-match")
                                  if h.matched != h.node.label else None],
                                 id={"type": "explore-hit", "node": h.node.id},
                                 className="hit", n_clicks=0))
             for h in hits]
    return html.Ul(items, className="hit-list", **{"aria-label": "Search results"}), None


@callback(Output("explore-node", "data"), Output("explore-expanded", "data"),
          Output("explore-selected", "data"),
          Input({"type": "explore-hit", "node": dash.ALL}, "n_clicks"),
          prevent_initial_call=True)
def choose(_hits: list[int]) -> tuple[Any, Any, Any]:
    """A search hit puts its node at the centre of the graph."""
    trig = ctx.triggered_id
    if not trig or not any(t["value"] for t in ctx.triggered):
        raise PreventUpdate
    return trig["node"], [], {"id": trig["node"]}


@callback(Output("explore-node", "data", allow_duplicate=True),
          Output("explore-expanded", "data", allow_duplicate=True),
          Input("explore-center", "n_clicks"), State("explore-selected", "data"),
          prevent_initial_call=True)
def centre(n: int | None, selected: dict | None) -> tuple[Any, Any]:
    """'Centre the graph here' in the side panel."""
    if not n or not selected:
        raise PreventUpdate
    return selected["id"], []


@callback(Output("explore-selected", "data", allow_duplicate=True),
          Input({"type": "explore-open", "node": dash.ALL}, "n_clicks"),
          prevent_initial_call=True)
def open_from_list(_n: list[int]) -> dict:
    """Selecting a node in the list view opens its panel (like a click in the graph)."""
    trig = ctx.triggered_id
    if not trig or not any(t["value"] for t in ctx.triggered):
        raise PreventUpdate
    return {"id": trig["node"]}


# ----------------------------------------------------------------------------- graph
def _opened_for(opened: list[str], owner: str) -> list[str]:
    """Types the user opened for ``owner`` (URL items ``<owner id>:<Type>``)."""
    return [o.rsplit(":", 1)[1] for o in opened if o.rsplit(":", 1)[0] == owner]


def _view(node: str, types: list[str], rels: list[str], expanded: list[str],
          opened: list[str] | None = None) -> el.GraphView:
    """The centre, its neighbours, the neighbours of each expanded node; positions computed
    here (rings) so the browser only draws."""
    g = get_backend()
    opened = opened or []
    center = g.node(node).ref
    nbrs = g.neighbors(node, limit=MAX_NEIGHBOURS)
    if not [x for x in expanded if x != node]:
        # one neighbourhood: by relation, with as many neighbours as fit at a readable size
        def build(budget: int) -> el.GraphView:
            v = el.neighbourhood(center, nbrs, types=types, relations=rels,
                                 opened=_opened_for(opened, node), summary_above=budget)
            v.layout = el.relation_layout(v.elements, node)
            return v

        view = el.fitted(build, el.SUMMARY_ABOVE, el.FIT_EXPLORE)
        view.layout["refit"] = len(view.elements)
        return view
    view = el.neighbourhood(center, nbrs, types=types,
                            relations=rels, opened=_opened_for(opened, node))
    shown = {e["data"]["id"] for e in view.elements}
    for x in expanded:
        if x not in shown or x.startswith("more:"):
            continue
        delta = el.neighbourhood(g.node(x).ref, g.neighbors(x, limit=MAX_NEIGHBOURS),
                                 types=types, relations=rels, existing=shown, focus=False,
                                 opened=_opened_for(opened, x))
        view.elements += delta.elements
        view.truncated |= delta.truncated
        view.notes += delta.notes
        shown |= {e["data"]["id"] for e in delta.elements}
    view.layout = el.auto_layout(view.elements, center=node)
    view.layout["refit"] = len(view.elements)  # a new layout object re-runs the fit
    return view


@callback(Output(GRAPH, "elements"), Output(GRAPH, "layout"), Output("explore-shown", "data"),
          Output("explore-notes", "children"), Output("explore-alert", "children"),
          Input("explore-node", "data"), Input("explore-types", "value"),
          Input("explore-rels", "value"), Input("explore-opened", "data"),
          State("explore-expanded", "data"))
@guarded(5)
def render(node: str | None, types: list[str], rels: list[str], opened: list[str],
           expanded: list[str]) -> tuple[Any, ...]:
    if not node:
        return [], {"name": "preset"}, [], notice(
            "Search above to begin, then select a result."), None
    view = _view(node, types or [], rels or [], expanded or [], opened or [])
    notes = [notice(n) for n in view.notes]
    if view.shown_nodes <= 1:
        notes.append(notice("No links match the current filters. Clear the filters to see "
                            "every link."))
    return (view.elements, view.layout, [e["data"]["id"] for e in view.elements], notes,
            None)


@callback(Output(GRAPH, "elements", allow_duplicate=True),
          Output(GRAPH, "layout", allow_duplicate=True),
          Output("explore-shown", "data", allow_duplicate=True),
          Output("explore-expanded", "data", allow_duplicate=True),
          Output("explore-notes", "children", allow_duplicate=True),
          Output("explore-alert", "children", allow_duplicate=True),
          Input("explore-expand", "n_clicks"),
          State("explore-selected", "data"), State("explore-node", "data"),
          State("explore-expanded", "data"), State("explore-types", "value"),
          State("explore-rels", "value"), State("explore-opened", "data"),
          prevent_initial_call=True)
@guarded(6)
def expand(n: int, selected: dict | None, node: str | None, expanded: list[str],
           types: list[str], rels: list[str], opened: list[str]) -> tuple[Any, ...]:
    """Add the selected node's links: the whole view is laid out again on the server (the
    browser never runs a layout), so old and new nodes keep clear of each other's labels."""
    if not n or not selected or not node:
        raise PreventUpdate
    x = selected["id"]
    expanded = [*(expanded or []), x] if x not in (expanded or []) else expanded
    before = len(_view(node, types or [], rels or [], [e for e in expanded if e != x],
                       opened or []).elements)
    view = _view(node, types or [], rels or [], expanded, opened or [])
    notes = [notice(m) for m in view.notes] or None
    if len(view.elements) == before:
        notes = [notice(f"Every link of {get_backend().node(x).label} is already shown.")]
    return (view.elements, view.layout, [e["data"]["id"] for e in view.elements], expanded,
            notes, None)


@callback(Output("explore-selected", "data", allow_duplicate=True),
          Input(GRAPH, "tapNode"), prevent_initial_call=True)
def tap(node: dict | None) -> dict:
    if not node or node["data"].get("more"):
        raise PreventUpdate
    return {"id": node["data"]["id"], "pos": node.get("position")}


@callback(Output("explore-opened", "data", allow_duplicate=True),
          Input(GRAPH, "tapNode"), State("explore-opened", "data"), prevent_initial_call=True)
def open_summary(node: dict | None, opened: list[str]) -> list[str]:
    """Selecting a "+ n more …" node draws that type of neighbour in full (up to the cap)."""
    if not node or not node["data"].get("more"):
        raise PreventUpdate
    key = f"{node['data']['owner']}:{node['data']['more']}"
    return [*(opened or []), key] if key not in (opened or []) else opened


@callback(Output("explore-panel", "children"), Output("explore-alert", "children",
                                                       allow_duplicate=True),
          Input("explore-selected", "data"), State("explore-expanded", "data"),
          State("explore-node", "data"), prevent_initial_call="initial_duplicate")
@guarded(2)
def panel(selected: dict | None, expanded: list[str], node: str | None) -> tuple[Any, Any]:
    if not selected:
        raise PreventUpdate
    g = get_backend()
    n = g.node(selected["id"])
    claims = g.evidence_for(n.id)
    links = g.neighbors(n.id)
    return node_panel(n, claims, n_links=len(links),
                      expanded=n.id in (expanded or []) or n.id == node,
                      members=g.collection_members(n.id) if n.category == "Collection" else (),
                      lists=g.collections_of(n.id)), None


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell (no markup, no column breaks)."""
    for ch in "\\`*_[]<>|#":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", " ")


def _link_table(ref: Any, nbrs: list[Any], here: str) -> str:
    """The links of ``ref`` as a Markdown table: subject, relation, object, type, evidence."""
    def node_md(r: Any) -> str:
        return f"[{_md(r.label)}](/explore?{urlencode({'node': r.id})})"

    lines = ["| Subject | Relation | Object | Type of neighbour | Evidence |",
             "|---|---|---|---|---|"]
    for nb in nbrs:
        subj = _md(ref.label) if nb.direction == "out" else node_md(nb.node)
        obj = node_md(nb.node) if nb.direction == "out" else _md(ref.label)
        details = (f"[Details ({plural(len(nb.claims), 'claim')})]"
                   f"({here}&{urlencode({'sel': nb.node.id})})")
        lines.append(f"| {subj} | {_md(el.relation_label(nb.predicate))} | {obj} | "
                     f"{_md(type_label(nb.node.category))} | {details} |")
    return "\n".join(lines)


@callback(Output("explore-list", "children"),
          Input("explore-node", "data"), Input("explore-expanded", "data"),
          Input("explore-types", "value"), Input("explore-rels", "value"),
          State("explore-opened", "data"))
@guarded(1)
def link_list(node: str | None, expanded: list[str], types: list[str],
              rels: list[str], opened: list[str] | None = None) -> Any:
    """The text alternative of the graph: the links shown, grouped by node.

    "Details" is a link to this same view with the neighbour selected (its panel open). Each
    table is ONE Markdown component: the same rows as html.Tr/Td/Link components (plus a
    pattern-matched button per row, before) cost the Dash renderer 8+ s of main-thread time
    for 120 rows (BENCHMARKS.md, "Graph drawing").
    """
    if not node:
        return html.P("Nothing selected yet.", className="muted")
    g = get_backend()
    state = {"node": node, "types": ",".join(types or []), "rels": ",".join(rels or []),
             "expand": ",".join(expanded or []), "open": ",".join(opened or [])}
    here = "/explore?" + urlencode({k: v for k, v in state.items() if v})
    out = []
    for x in [node, *[e for e in (expanded or []) if e != node]]:
        ref = g.node(x).ref
        all_nbrs = el.filter_neighbors(g.neighbors(x, limit=MAX_NEIGHBOURS), types, rels)
        nbrs = all_nbrs[:MAX_LIST_ROWS]
        out.append(html.Div([
            html.H3(f"{ref.label} ({len(all_nbrs)} links)"),
            html.P(f"The first {MAX_LIST_ROWS} are listed; narrow with the type and relation "
                   "filters to see the others.", className="muted")
            if len(all_nbrs) > MAX_LIST_ROWS else None,
            # one Markdown component per table: a few hundred html.Tr/Td/Link components
            # cost the Dash renderer seconds of main-thread time each time the list changes
            dcc.Markdown(_link_table(ref, nbrs, here), className="table-md", link_target="_self")
            if nbrs else html.P("No links with the current filters.", className="muted"),
        ]))
    return out


@callback(Output({"type": "url-state", "page": "explore"}, "data"),
          Input("explore-node", "data"), Input("explore-types", "value"),
          Input("explore-rels", "value"), Input("explore-expanded", "data"),
          Input("explore-selected", "data"), Input("explore-search", "value"),
          Input("explore-opened", "data"))
def url_state(node: str | None, types: list[str], rels: list[str], expanded: list[str],
              selected: dict | None, q: str | None, opened: list[str] | None) -> dict:
    sel = selected["id"] if selected else None
    return {"node": node, "types": types, "rels": rels, "expand": expanded,
            "sel": sel if sel != node else None, "q": q if not node else None,
            "open": opened}
