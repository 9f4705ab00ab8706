"""Paths: from a starting point to interventions, strategies or evidence, hop by hop.

The signature journey: pick "Foster care placement", choose "Interventions", read each ranked
path as a graph and as a list (every hop with its relation and "n claims / m citations").
Every reachable destination is listed, grouped (a destination's best routes together) and
paged ``PAGE_SIZE`` destinations at a time, ranked by the backend's evidence-and-specificity rule
(:func:`graph.backend.path_rank`, documented in docs/curation.md). "Only links a document
states" leaves links the curators inferred out of the walk.
URL state: ``?from=<id>&to=<Class>&hops=4&path=<rank>&page=<n>&stated=1&present=1&step=<n>``.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from explorer import elements as el
from explorer.components import (
    claim_card,
    graph,
    guarded,
    labelled,
    legend,
    node_options,
    notice,
    present_bar,
    ref_link,
    register_presentation,
    select,
)
from explorer.params import as_bool, as_int
from explorer.state import BackendUnavailable, get_backend
from explorer.wording import plural
from ontology.schema import CLASSES, EVIDENCE_CLASSES

dash.register_page(__name__, path="/paths", name="Paths", order=10,
                   title="Paths · Intersections explorer")

GRAPH = {"type": "graph", "graph": "paths"}
DESTINATIONS = [
    {"label": "Interventions", "value": "Intervention"},
    {"label": "Prevention strategies", "value": "PreventionStrategy"},
    {"label": "Practices", "value": "Practice"},
    {"label": "Evidence (claims)", "value": "Claim"},
    {"label": "Citations", "value": "Citation"},
    {"label": "Harms", "value": "Harm"},
    {"label": "Organizations", "value": "Organization"},
]
DEFAULT_FROM = "risk:foster-care-placement"
#: Destinations per page of results (each with up to PATHS_PER_TARGET routes).
PAGE_SIZE = 8
START_CLASSES = [c.name for c in CLASSES if c.name not in EVIDENCE_CLASSES and c.parent is None]


def _start_options() -> list[dict[str, str]]:
    g = get_backend()
    refs = []
    for c in START_CLASSES:
        refs += g.nodes(c)
    return node_options(sorted(refs, key=lambda r: r.label.casefold()))


def layout(**params: Any) -> html.Div:
    present = as_bool(params.get("present"))
    try:
        options = _start_options()
        problem = None
    except BackendUnavailable as exc:
        options, problem = [], str(exc)
    ids = {o["value"] for o in options}
    start = params.get("from") or (DEFAULT_FROM if DEFAULT_FROM in ids else None)
    to = params.get("to") if params.get("to") in {d["value"] for d in DESTINATIONS} \
        else "Intervention"
    return html.Div([
        html.H1("Paths"),
        html.P("Follow the evidence from a starting point to what can be done: each hop names "
               "its relation and how many claims and citations stand behind it.",
               className="lead"),
        html.Div([
            labelled("Start from", "paths-from", select("paths-from", options, start)),
            labelled("Destination", "paths-to", select("paths-to", DESTINATIONS, to)),
            labelled("Longest path (hops)", "paths-hops",
                     dcc.Dropdown(id="paths-hops", options=[{"label": str(i), "value": i}
                                                            for i in range(1, 7)],
                                  value=as_int(params.get("hops"), 4, 1, 6),
                                  clearable=False, className="dropdown")),
            dcc.Checklist(id="paths-stated", className="check",
                          options=[{"label": " Only links a document states",
                                    "value": "stated"}],
                          value=["stated"] if as_bool(params.get("stated")) else []),
        ], className="controls"),
        html.Div(problem and notice(problem), id="paths-alert"),
        present_bar("paths", present, as_int(params.get("step"), 0, 0)),
        html.Div(id="paths-notes"),
        html.Div([
            html.Div([graph("paths", label="Ranked paths graph", large=present,
                            height="640px"), legend()],
                     className="graph-col"),
            html.Section([html.H2("Ranked paths", className="no-present-h"),
                          html.Div([
                              html.Button("Previous destinations", id="paths-prev",
                                          className="btn btn-small", n_clicks=0),
                              html.Span(id="paths-range", className="muted",
                                        role="status"),
                              html.Button("Next destinations", id="paths-next",
                                          className="btn btn-small", n_clicks=0),
                          ], className="pager"),
                          html.Div(id="paths-list")],
                         className="side-panel list-view",
                         **{"aria-label": "Ranked paths as a list"}),
        ], className="two-col"),
        dcc.Store(id="paths-selected", data=as_int(params.get("path"), 1, 1) - 1),
        dcc.Store(id="paths-page", data=as_int(params.get("page"), 1, 1) - 1),
        dcc.Store(id={"type": "url-state", "page": "paths"}),
    ], id="paths-root", className="page page-paths" + (" presenting" if present else ""))


def _hop_item(h: dict[str, Any], claims: dict[str, Any]) -> html.Li:
    ev = h["evidence"]
    detail: Any = ev
    if h["claims"]:
        detail = html.Details([html.Summary(ev),
                               *[claim_card(claims[c]) for c in h["claims"] if c in claims]],
                              className="hop-ev")
    return html.Li([ref_link(h["source"]), " ", html.Span(f"— {h['relation']} →",
                                                          className="hop-rel"), " ",
                    ref_link(h["target"]), html.Br(), detail])


def path_list(rows: list[dict[str, Any]], claims: dict[str, Any], selected: int) -> html.Ol:
    """Ranked routes, a heading before each destination's group (rows arrive grouped)."""
    items = []
    for n, r in enumerate(rows):
        i = r["rank"] - 1
        if n == 0 or rows[n - 1]["end"].id != r["end"].id:
            items.append(html.Li(html.H3(["To ", ref_link(r["end"])], className="path-group"),
                                 className="path-group-head"))
        items.append(html.Li([
            html.Div([html.Strong(f"{r['rank']}. {r['end'].label}"),
                      html.Span(f"{plural(r['length'], 'hop')} · {plural(r['claims'], 'claim')} / "
                                f"{plural(r['citations'], 'citation')}", className="muted"),
                      html.Button("Show on graph" if i != selected else "Shown on graph",
                                  id={"type": "paths-pick", "rank": i},
                                  className="btn btn-small", n_clicks=0,
                                  disabled=i == selected)], className="path-head"),
            html.Ol([_hop_item(h, claims) for h in r["hops"]], className="hops"),
        ], className="path-item" + (" selected" if i == selected else "")))
    return html.Ol(items, className="path-list")


def page_of(groups: list[Any], page: int | None) -> tuple[list[Any], int, str]:
    """The groups on one page, the page actually shown, and "Destinations 9–16 of 31"."""
    last = max(0, (len(groups) - 1) // PAGE_SIZE)
    page = min(max(0, page or 0), last)
    shown = groups[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    first = page * PAGE_SIZE + 1
    return shown, page, (f"Destinations {first}–{first + len(shown) - 1} of {len(groups)}"
                         if groups else "")


@callback(Output(GRAPH, "elements"), Output(GRAPH, "layout"), Output("paths-list", "children"),
          Output("paths-notes", "children"), Output("paths-step-caption", "children"),
          Output("paths-nsteps", "data"), Output("paths-range", "children"),
          Output("paths-prev", "disabled"), Output("paths-next", "disabled"),
          Output("paths-alert", "children"),
          Input("paths-from", "value"), Input("paths-to", "value"),
          Input("paths-hops", "value"), Input("paths-selected", "data"),
          Input("paths-present", "data"), Input("paths-step", "data"),
          Input("paths-page", "data"), Input("paths-stated", "value"),
          Input("paths-narrow", "data"))
@guarded(10)
def render(start: str | None, to: str, hops: int, selected: int, present: bool,
           step: int, page: int | None = 0, stated: list[str] | None = None,
           narrow: bool | None = False) -> tuple[Any, ...]:
    if not start:
        return ([], {"name": "preset"}, None, notice("Choose where to start."), "", None, "",
                True, True, None)
    g = get_backend()
    groups = g.path_groups(start, to, max_hops=hops or 4,
                           include_inferred="stated" not in (stated or []))
    shown, page, span = page_of(groups, page)
    found = [p for grp in shown for p in grp.paths]
    last = max(0, (len(groups) - 1) // PAGE_SIZE)
    if not found:
        label = next((d["label"] for d in DESTINATIONS if d["value"] == to), to).lower()
        return [], {"name": "preset"}, None, notice(
            f"No path to {label} within {hops} hops. Allow longer paths or choose another "
            "destination."), "", None, "", True, True, None
    selected = selected if 0 <= (selected or 0) < len(found) else 0
    rows = el.path_rows(found)
    claim_ids = {c for p in found for c in p.claims}
    claims = {c.id: c for c in g.claims(sorted(claim_ids))} if claim_ids else {}
    view = el.path_view(found, selected)
    caption = ""
    elements = view.elements
    nsteps = None
    if present:  # only the chosen path, revealed one hop at a time, refitted every step
        p = found[selected]
        nsteps = p.length + 1
        step = el.clamp_step(step, nsteps)
        view = el.path_present_view(p, step, narrow=bool(narrow))
        elements = view.elements
        if step == 0:
            caption = f"Start: {p.nodes[0].label}"
        else:
            h = p.hops[step - 1]
            caption = (f"Hop {step} of {p.length}: {h.source.label} — {el.hop_relation(h)} → "
                       f"{h.target.label} ({plural(len(h.claims), 'claim')} / "
                       f"{plural(len(h.citations), 'citation')})")
    notes = [notice(n) for n in view.notes]
    layout = dict(view.layout, refit=f"{selected}-{step if present else -1}-"
                                     f"{int(bool(narrow and present))}-{len(elements)}")
    return (elements, layout, path_list(rows, claims, selected), notes, caption, nsteps,
            span, page <= 0, page >= last, None)


@callback(Output("paths-page", "data"), Output("paths-selected", "data", allow_duplicate=True),
          Input("paths-prev", "n_clicks"), Input("paths-next", "n_clicks"),
          Input("paths-from", "value"), Input("paths-to", "value"),
          Input("paths-hops", "value"), Input("paths-stated", "value"),
          State("paths-page", "data"), prevent_initial_call=True)
def turn_page(_p: int, _n: int, _f: Any, _t: Any, _h: Any, _s: Any,
              page: int | None) -> tuple[int, int]:
    """Previous/next page of destinations; a new question starts at page one."""
    if ctx.triggered_id == "paths-prev":
        return max(0, (page or 0) - 1), 0
    if ctx.triggered_id == "paths-next":
        return (page or 0) + 1, 0  # render clamps to the last page
    return 0, 0


@callback(Output("paths-selected", "data", allow_duplicate=True),
          Output("paths-step", "data", allow_duplicate=True),
          Input({"type": "paths-pick", "rank": dash.ALL}, "n_clicks"),
          prevent_initial_call=True)
def pick(_n: list[int]) -> tuple[int, int]:
    if not ctx.triggered_id or not any(t["value"] for t in ctx.triggered):
        raise PreventUpdate
    return ctx.triggered_id["rank"], 0


register_presentation("paths", "page page-paths", GRAPH, last_step=6)


@callback(Output({"type": "url-state", "page": "paths"}, "data"),
          Input("paths-from", "value"), Input("paths-to", "value"),
          Input("paths-hops", "value"), Input("paths-selected", "data"),
          Input("paths-present", "data"), Input("paths-step", "data"),
          Input("paths-page", "data"), Input("paths-stated", "value"))
def url_state(start: str | None, to: str, hops: int, selected: int, present: bool,
              step: int, page: int | None = 0, stated: list[str] | None = None) -> dict:
    return {"from": start, "to": to, "hops": hops, "path": (selected or 0) + 1,
            "page": (page or 0) + 1 if page else None,
            "stated": 1 if stated and "stated" in stated else None,
            "present": 1 if present else None, "step": step if present and step else None}
