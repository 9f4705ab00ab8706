"""Intersections: what two harms share (tactics, risk factors, indicators…) and what is
particular to each — drawn side by side for a room, and listed in full.

URL state: ``?a=<id>&b=<id>&via=<Class>&inherit=0&stated=1&present=1&step=<n>``
(``stated=1``: only links a document states, the curators' inferred links left out).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, callback, dcc, html

from explorer import elements as el
from explorer.components import (
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
from explorer.theme import type_label
from explorer.wording import plural

dash.register_page(__name__, path="/intersections", name="Intersections", order=20,
                   title="Intersections · Intersections explorer")

GRAPH = {"type": "graph", "graph": "intersections"}
VIA = [{"label": "Everything linked", "value": "all"},
       {"label": "Control tactics", "value": "ControlTactic"},
       {"label": "Risk factors", "value": "RiskFactor"},
       {"label": "Indicators", "value": "Indicator"},
       {"label": "Barriers", "value": "Barrier"},
       {"label": "Settings", "value": "Setting"},
       {"label": "Perpetrator types", "value": "PerpetratorType"},
       {"label": "Interventions", "value": "Intervention"},
       {"label": "Prevention strategies", "value": "PreventionStrategy"}]
INHERIT = [{"label": "Count what holds for them", "value": "on"},
           {"label": "Direct links only", "value": "off"}]
DEFAULT_A, DEFAULT_B = "harm:intimate-partner-violence", "harm:sex-trafficking"
STEP_TITLES = ("The two harms", "What they share", "Particular to {a}", "Particular to {b}")


def layout(**params: Any) -> html.Div:
    present = as_bool(params.get("present"))
    try:
        options = node_options(get_backend().nodes("Harm"))
        problem = None
    except BackendUnavailable as exc:
        options, problem = [], str(exc)
    ids = {o["value"] for o in options}
    a = params.get("a") or (DEFAULT_A if DEFAULT_A in ids else None)
    b = params.get("b") or (DEFAULT_B if DEFAULT_B in ids else None)
    via = params.get("via") if params.get("via") in {v["value"] for v in VIA} else "all"
    inherit = params.get("inherit") != "0"
    return html.Div([
        html.H1("Intersections"),
        html.P("Choose two harms to see what they have in common — shared tactics, risk "
               "factors, indicators — and what is particular to each.", className="lead"),
        html.Div([
            labelled("First harm", "inter-a", select("inter-a", options, a)),
            labelled("Second harm", "inter-b", select("inter-b", options, b)),
            labelled("What to compare", "inter-via", select("inter-via", VIA, via)),
            labelled("Broader categories", "inter-inherit",
                     select("inter-inherit", INHERIT, "on" if inherit else "off"),
                     hint="e.g. tactics curated for human trafficking also count for sex "
                          "trafficking"),
            dcc.Checklist(id="inter-stated", className="check",
                          options=[{"label": " Only links a document states",
                                    "value": "stated"}],
                          value=["stated"] if as_bool(params.get("stated")) else []),
        ], className="controls"),
        html.Div(problem and notice(problem), id="inter-alert"),
        present_bar("inter", present, as_int(params.get("step"), 0, 0, 3)),
        html.Div(id="inter-notes"),
        graph("intersections", height="640px", label="Comparison of two harms",
              large=present),
        legend(),
        html.Section([html.H2("Lists"), html.Div(id="inter-lists")], className="list-view",
                     **{"aria-label": "Comparison as lists"}),
        dcc.Store(id={"type": "url-state", "page": "intersections"}),
    ], id="inter-root", className="page page-intersections" + (" presenting" if present else ""))


def _column(title: str, rows: list[dict[str, Any]], side: str, extra: str = "") -> html.Div:
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_type.setdefault(r["node"].category, []).append(r)
    body: list[Any] = [html.H3(f"{title} ({len(rows)})")]
    if not rows:
        body.append(html.P("Nothing here.", className="muted"))
    for cat, items in sorted(by_type.items()):
        body.append(html.H4(type_label(cat)))
        body.append(html.Ul([html.Li([ref_link(r["node"]),
                                      html.Span(f" · {plural(len(r['claims']), 'claim')}",
                                                className="muted") if r["claims"] else None,
                                      html.Span(" · through " + ", ".join(r["through"]),
                                                className="muted") if r.get("through")
                                      else None])
                             for r in items]))
    return html.Div(body, className=f"compare-col {side}-col {extra}".strip())


@callback(Output(GRAPH, "elements"), Output(GRAPH, "layout"), Output("inter-lists", "children"),
          Output("inter-notes", "children"), Output("inter-step-caption", "children"),
          Output("inter-nsteps", "data"), Output("inter-alert", "children"),
          Input("inter-a", "value"), Input("inter-b", "value"), Input("inter-via", "value"),
          Input("inter-inherit", "value"),
          Input("inter-present", "data"), Input("inter-step", "data"),
          Input("inter-stated", "value"), Input("inter-narrow", "data"))
@guarded(7)
def render(a: str | None, b: str | None, via: str, inherit: str | None, present: bool,
           step: int, stated: list[str] | None = None,
           narrow: bool | None = False) -> tuple[Any, ...]:
    if not a or not b:
        return [], {"name": "preset"}, None, notice("Choose two harms."), "", None, None
    if a == b:
        return ([], {"name": "preset"}, None, notice("Choose two different harms."), "", None,
                None)
    g = get_backend()
    only_stated = "stated" in (stated or [])
    r = g.shared(a, b, None if via in (None, "all") else via,
                 include_broader=inherit != "off",
                 include_inferred=not only_stated)
    view = el.shared_view(r)
    groups = el.shared_groups(r)
    lists = html.Div([
        _column(f"Only {r.a.label}", groups["only_a"], "only-a"),
        _column("Shared by both", groups["shared"], "shared"),
        _column(f"Only {r.b.label}", groups["only_b"], "only-b"),
    ], className="compare-cols")
    elements, caption, nsteps = view.elements, "", None
    if present:  # one step at a time, only that step's items, refitted every step
        nsteps = len(STEP_TITLES)
        step = el.clamp_step(step, nsteps)
        pview = el.shared_present_view(r, step, narrow=bool(narrow))
        elements = pview.elements
        title = STEP_TITLES[step].format(a=r.a.label, b=r.b.label)
        counts = (None, len(r.shared), len(r.only_a), len(r.only_b))[step]
        caption = f"Step {step + 1} of 4: {title}" + (f" ({counts})" if counts is not None
                                                       else "")
    notes = [notice(n) for n in view.notes]
    if not (r.shared or r.only_a or r.only_b):
        notes.append(notice("Neither harm has links of this kind yet."))
    if present:
        layout = dict(pview.layout, refit=f"{a}-{b}-{via}-{int(only_stated)}-{int(bool(narrow))}"
                                          f"-{step}-{len(elements)}")
    else:
        layout = dict(view.layout, refit=f"{a}-{b}-{via}-{int(only_stated)}--1-{len(elements)}")
    return elements, layout, lists, notes, caption, nsteps, None


register_presentation("inter", "page page-intersections", GRAPH, last_step=3)


@callback(Output({"type": "url-state", "page": "intersections"}, "data"),
          Input("inter-a", "value"), Input("inter-b", "value"), Input("inter-via", "value"),
          Input("inter-inherit", "value"),
          Input("inter-present", "data"), Input("inter-step", "data"),
          Input("inter-stated", "value"))
def url_state(a: str | None, b: str | None, via: str, inherit: str | None,
              present: bool, step: int, stated: list[str] | None = None) -> dict:
    return {"a": a, "b": b, "via": via if via != "all" else None,
            "inherit": "0" if inherit == "off" else None,
            "stated": 1 if stated and "stated" in stated else None,
            "present": 1 if present else None, "step": step if present and step else None}
