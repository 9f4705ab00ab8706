"""Lists: the lists the source documents present (red flags, screening questions, the seven
strategies…), each whole, in the document's order, with where the document gives it.

Present mode shows one list per slide (Back / Next, arrow keys via assets/present.js) for
trainers at a projector. URL state: ``?list=<coll id>&present=1``; the slide shown is the list.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from explorer.components import guarded, labelled, notice, present_bar, ref_link, select
from explorer.params import as_bool
from explorer.state import BackendUnavailable, get_backend
from graph.backend import GraphBackend
from graph.models import Node

dash.register_page(__name__, path="/lists", name="Lists", order=35,
                   title="Lists · Intersections explorer")


def _collections(g: GraphBackend) -> list[Node]:
    return [g.node(r.id) for r in g.nodes("Collection")]


def list_section(node: Node, g: GraphBackend, *, large: bool = False) -> html.Section:
    """One list: its title, where the document gives it, and its items in order."""
    titles = {c.id: c.title for c in g.citations([s["citation"] for s in node.sources])}
    where = "; ".join(f"{titles.get(s['citation'], s['citation'])}"
                      + (f", {s['locator']}" if s.get("locator") else "")
                      for s in node.sources)
    items = node.properties.get("items") or []
    members = g.collection_members(node.id)
    body: list[Any] = [html.H2(node.label, className="list-title"),
                       html.P(node.definition, className="definition") if node.definition
                       else None,
                       html.P(f"Listed in {where}", className="muted list-source")]
    if items:
        body.append(html.Ol([html.Li(t) for t in items], className="collection-items"))
    if members:
        body.append(html.Ol([html.Li(ref_link(m)) for m in members],
                            className="collection-members",
                            **{"aria-label": f"Items of {node.label}"}))
    return html.Section([b for b in body if b is not None],
                        className="list-slide" + (" list-slide-large" if large else ""),
                        id=f"list-{node.id.split(':', 1)[-1]}")


def layout(**params: Any) -> html.Div:
    present = as_bool(params.get("present"))
    try:
        g = get_backend()
        options = [{"label": r.label, "value": r.id} for r in g.nodes("Collection")]
        problem = None
    except BackendUnavailable as exc:
        options, problem = [], str(exc)
    chosen = params.get("list") if params.get("list") in {o["value"] for o in options} else (
        options[0]["value"] if options else None)
    return html.Div([
        html.H1("Lists from the documents"),
        html.P("The lists the source documents present — red flags, screening questions, the "
               "seven prevention strategies and more — whole and in their order. Present shows "
               "one list per slide.", className="lead"),
        html.Div([labelled("List", "lists-choice", select("lists-choice", options, chosen))],
                 className="controls"),
        html.Div(problem and notice(problem), id="lists-alert"),
        present_bar("lists", present, 0),
        html.Div(id="lists-body"),
        dcc.Store(id={"type": "url-state", "page": "lists"}),
    ], id="lists-root", className="page page-lists" + (" presenting" if present else ""))


@callback(Output("lists-body", "children"), Output("lists-step-caption", "children"),
          Output("lists-alert", "children", allow_duplicate=True),
          Input("lists-choice", "value"), Input("lists-present", "data"),
          prevent_initial_call="initial_duplicate")
@guarded(3)
def render(chosen: str | None, present: bool) -> tuple[Any, ...]:
    g = get_backend()
    nodes = _collections(g)
    if not nodes:
        return None, "", notice("The evidence base holds no lists yet.")
    ids = [n.id for n in nodes]
    i = ids.index(chosen) if chosen in ids else 0
    if present:  # one slide: the chosen list, large
        return (list_section(nodes[i], g, large=True), f"List {i + 1} of {len(nodes)}", None)
    return [list_section(n, g) for n in nodes], "", None


@callback(Output("lists-present", "data"), Output("lists-choice", "value"),
          Output("lists-root", "className"), Output("lists-present-toggle", "children"),
          Output("lists-present-prev", "hidden"), Output("lists-present-next", "hidden"),
          Output("lists-present-prev", "disabled"), Output("lists-present-next", "disabled"),
          Input("lists-present-toggle", "n_clicks"), Input("lists-present-prev", "n_clicks"),
          Input("lists-present-next", "n_clicks"),
          State("lists-present", "data"), State("lists-choice", "value"),
          State("lists-choice", "options"), prevent_initial_call=True)
def presentation(_t: int, _p: int, _n: int, present: bool, chosen: str | None,
                 options: list[dict[str, str]]) -> tuple[Any, ...]:
    """Toggle presenting; Back / Next step through the lists, one per slide."""
    ids = [o["value"] for o in options or []]
    if not ids:
        raise PreventUpdate
    i = ids.index(chosen) if chosen in ids else 0
    trig = ctx.triggered_id
    if trig == "lists-present-toggle":
        present = not present
    elif trig == "lists-present-prev":
        i = max(0, i - 1)
    elif trig == "lists-present-next":
        i = min(len(ids) - 1, i + 1)
    return (present, ids[i], "page page-lists" + (" presenting" if present else ""),
            "Exit presentation" if present else "Present", not present, not present,
            i <= 0, i >= len(ids) - 1)


@callback(Output({"type": "url-state", "page": "lists"}, "data"),
          Input("lists-choice", "value"), Input("lists-present", "data"))
def url_state(chosen: str | None, present: bool) -> dict:
    return {"list": chosen, "present": 1 if present else None}
