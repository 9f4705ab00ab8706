"""Service gaps: an evidence-and-gap map. Rows × columns; each cell counts the interventions
(and claims) that cover both; empty cells are gaps. Click a cell for its list; download CSV.

URL state: ``?rows=<Class>&cols=<Class>&via=<Class>&top=1&cell=<row id>~<col id>``.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from explorer import elements as el
from explorer.components import claim_card, guarded, labelled, notice, ref_link, select
from explorer.params import as_bool
from explorer.state import get_backend
from graph.provenance import sources_block

dash.register_page(__name__, path="/gaps", name="Service gaps", order=30,
                   title="Service gaps · Intersections explorer")

AXES = [{"label": "Harms", "value": "Harm"},
        {"label": "Risk factors", "value": "RiskFactor"},
        {"label": "Prevention strategies", "value": "PreventionStrategy"},
        {"label": "Populations", "value": "Population"},
        {"label": "Regions", "value": "Region"},
        {"label": "Barriers", "value": "Barrier"},
        {"label": "Control tactics", "value": "ControlTactic"},
        {"label": "Practices", "value": "Practice"}]
VIA = [{"label": "Interventions", "value": "Intervention"},
       {"label": "Organizations", "value": "Organization"},
       {"label": "Prevention strategies", "value": "PreventionStrategy"}]
_AXIS_VALUES = {a["value"] for a in AXES}
SEP = "~"
TOP = [{"label": "Every row and column", "value": "all"},
       {"label": "Top-level rows and columns only", "value": "top"}]


def layout(**params: Any) -> html.Div:
    rows = params.get("rows") if params.get("rows") in _AXIS_VALUES else "Harm"
    cols = params.get("cols") if params.get("cols") in _AXIS_VALUES else "PreventionStrategy"
    via = params.get("via") if params.get("via") in {v["value"] for v in VIA} else "Intervention"
    return html.Div([
        html.H1("Service gaps"),
        html.P("Each cell counts the interventions that address the row and the column; an "
               "empty, hatched cell marks a gap. Select a cell to list what covers it.",
               className="lead"),
        html.Div([
            labelled("Rows", "gaps-rows", select("gaps-rows", AXES, rows)),
            labelled("Columns", "gaps-cols", select("gaps-cols", AXES, cols)),
            labelled("Count", "gaps-via", select("gaps-via", VIA, via)),
            labelled("Detail", "gaps-top", select("gaps-top", TOP, "top" if as_bool(
                params.get("top")) else "all")),
            html.Div([html.Button("Download CSV (matrix)", id="gaps-csv", className="btn",
                                  n_clicks=0),
                      html.Button("Download CSV (every cell)", id="gaps-csv-long",
                                  className="btn btn-secondary", n_clicks=0)],
                     className="control"),
        ], className="controls"),
        html.Div(id="gaps-alert"),
        html.Div(id="gaps-summary", **{"aria-live": "polite"}),
        html.Div(id="gaps-matrix", className="matrix-wrap", tabIndex="0",
                 **{"aria-label": "Gap matrix (scrollable)", "role": "region"}),
        html.Section(id="gaps-cell", className="cell-detail", **{"aria-live": "polite"}),
        dcc.Store(id="gaps-selected", data=params.get("cell")),
        dcc.Download(id="gaps-download"),
        dcc.Store(id={"type": "url-state", "page": "gaps"}),
    ], className="page page-gaps")


def matrix_table(cov: Any, selected: str | None) -> html.Table:
    via = cov.via
    head = html.Thead(html.Tr([html.Th(html.Span("rows \\ columns", className="muted"),
                                       scope="col")]
                              + [html.Th(ref_link(c), scope="col") for c in cov.cols]))
    body = []
    for row in el.coverage_grid(cov):
        r = row["row"]
        tds = []
        for cell, col in zip(row["cells"], cov.cols, strict=True):
            key = f"{cell['row']}{SEP}{cell['col']}"
            n = cell["count"]
            cls = "cell " + ("covered" + (" many" if n >= 3 else "") if n else "gap")
            if key == selected:
                cls += " active"
            text: list[Any] = ([str(n), html.Small(f"{cell['claims']} claims")] if n
                               else ["gap"])
            text.append(html.Span(f" {via.lower()}s: {r.label} × {col.label}",
                                  className="sr-only"))
            tds.append(html.Td(html.Button(text, id={"type": "gap-cell", "key": key},
                                           className=cls, n_clicks=0,
                                           title=f"{r.label} × {col.label}")))
        body.append(html.Tr([html.Th([ref_link(r), html.Small(
            f" {row['covered']}/{len(cov.cols)} covered", className="muted")], scope="row"),
            *tds]))
    return html.Table([head, html.Tbody(body)], className="matrix")


def _coverage(rows: str, cols: str, via: str, top: str) -> Any:
    if rows == cols:
        raise ValueError("Choose different types for rows and columns.")
    return get_backend().coverage(rows, cols, via=via, top_level_only=top == "top")


@callback(Output("gaps-matrix", "children"), Output("gaps-summary", "children"),
          Output("gaps-alert", "children"),
          Input("gaps-rows", "value"), Input("gaps-cols", "value"), Input("gaps-via", "value"),
          Input("gaps-top", "value"), Input("gaps-selected", "data"))
@guarded(3)
def render(rows: str, cols: str, via: str, top: str,
           selected: str | None) -> tuple[Any, ...]:
    cov = _coverage(rows, cols, via, top)
    if not cov.rows or not cov.cols:
        return None, notice("No rows or columns of these types yet."), None
    total = len(cov.rows) * len(cov.cols)
    covered = len(cov.cells)
    summary = [notice(f"{len(cov.rows)} × {len(cov.cols)} = {total} cells: {covered} covered, "
                      f"{total - covered} gaps.")]
    shown, cut = el.trim_coverage(cov)
    if cut:
        summary.append(notice(
            f"Too large to draw: showing the first {len(shown.rows)} rows × {len(shown.cols)} "
            "columns. Narrow it with “Top-level rows and columns only” or other row/column "
            "types; the CSV downloads hold the whole matrix."))
    return matrix_table(shown, selected), summary, None


@callback(Output("gaps-selected", "data", allow_duplicate=True),
          Input({"type": "gap-cell", "key": dash.ALL}, "n_clicks"), prevent_initial_call=True)
def pick(_n: list[int]) -> str:
    if not ctx.triggered_id or not any(t["value"] for t in ctx.triggered):
        raise PreventUpdate
    return ctx.triggered_id["key"]


@callback(Output("gaps-cell", "children"), Output("gaps-alert", "children",
                                                    allow_duplicate=True),
          Input("gaps-selected", "data"), State("gaps-rows", "value"),
          State("gaps-cols", "value"), State("gaps-via", "value"), State("gaps-top", "value"),
          prevent_initial_call="initial_duplicate")
@guarded(2)
def cell_detail(key: str | None, rows: str, cols: str, via: str,
                top: str) -> tuple[Any, Any]:
    if not key or SEP not in key:
        return None, None
    r_id, c_id = key.split(SEP, 1)
    g = get_backend()
    cov = _coverage(rows, cols, via, top)
    refs = {x.id: x for x in (*cov.rows, *cov.cols)}
    if r_id not in refs or c_id not in refs:
        return None, None
    cell = cov.cell(r_id, c_id)
    title = f"{refs[r_id].label} × {refs[c_id].label}"
    if not cell.items:
        return html.Div([html.H2(title), html.P(
            f"Gap: no {via.lower()} in the evidence base addresses both.",
            className="gap-note")]), None
    claims = g.claims(list(cell.claims)) if cell.claims else []
    return html.Div([
        html.H2(f"{title}: {cell.count} {via.lower()}(s)"),
        html.Ul([html.Li(ref_link(i)) for i in cell.items]),
        html.H3(f"Claims ({len(claims)})"),
        *[claim_card(c) for c in claims],
    ]), None


@callback(Output("gaps-download", "data"), Output("gaps-alert", "children",
                                                   allow_duplicate=True),
          Input("gaps-csv", "n_clicks"), Input("gaps-csv-long", "n_clicks"),
          State("gaps-rows", "value"), State("gaps-cols", "value"), State("gaps-via", "value"),
          State("gaps-top", "value"), prevent_initial_call=True)
@guarded(2)
def download(_a: int, _b: int, rows: str, cols: str, via: str,
             top: str) -> tuple[Any, Any]:
    cov = _coverage(rows, cols, via, top)
    long = ctx.triggered_id == "gaps-csv-long"
    text = el.coverage_long_csv(cov) if long else el.coverage_csv(cov)
    ids = {i.id for cell in cov.cells for i in cell.items} | {
        c for cell in cov.cells for c in cell.claims}
    text = sources_block(get_backend(), sorted(ids),
                         [f"Intersections service-gap map: {rows} x {cols}, {via} per cell"]) + text
    name = f"gaps-{rows}-x-{cols}{'-cells' if long else ''}.csv"
    return {"content": text, "filename": name, "type": "text/csv"}, None


@callback(Output({"type": "url-state", "page": "gaps"}, "data"),
          Input("gaps-rows", "value"), Input("gaps-cols", "value"), Input("gaps-via", "value"),
          Input("gaps-top", "value"), Input("gaps-selected", "data"))
def url_state(rows: str, cols: str, via: str, top: str, cell: str | None) -> dict:
    return {"rows": rows, "cols": cols, "via": via if via != "Intervention" else None,
            "top": 1 if top == "top" else None, "cell": cell}
