"""Service gaps: an evidence-and-gap map (EPPI-Mapper style) in ONE Plotly figure.

Rows × columns; each cell is in one of three states — interventions curated (bubble, size =
how many), evidence but no intervention (diamond), nothing curated (blank; not a proven
service gap). Filters narrow what counts; rows/columns can be sorted by coverage and empty
ones hidden. A cell is chosen by clicking it or with the Row and Column selects (keyboard:
two Tab stops, not one per cell); its detail shows in a side panel that stays in view.

Callbacks are separate so a selection never redraws the matrix: ``render`` (controls →
figure), ``FROM_CLICK_JS`` (click → the two selects), ``CHOOSE_JS`` (selects → selection),
``HIGHLIGHT_JS`` (selection → Plotly.relayout of the outline shape), ``URL_STATE_JS``
(controls and selection → URL) all run in the browser; ``cell_detail`` (selection → panel) is
the ONE server round trip of a click, and the panel is a heading plus ONE Markdown component
(claim cards as Dash components cost the renderer ~20 components per claim; BENCHMARKS.md).
The pure mapping lives in :mod:`explorer.gapmap`.

URL state: ``?rows=&cols=&via=&top=1&pop=&region=&kind=&source=&stated=1&hide=1&sort=coverage``
``&cell=r~c`` (``stated=1``: only links a document states, the curators' inferred links left out).
"""

from __future__ import annotations

from typing import Any, get_args

import dash
from dash import Input, Output, State, callback, ctx, dcc, html

from explorer import elements as el
from explorer import gapmap as gm
from explorer.components import guarded, labelled, notice, ref_link
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
_VIA_VALUES = {v["value"] for v in VIA}
SEP = gm.SEP
TOP = [{"label": "Every row and column", "value": "all"},
       {"label": "Top-level rows and columns only", "value": "top"}]
SORTS = [{"label": "A–Z", "value": "label"},
         {"label": "Most covered first", "value": "coverage"}]
HIDE = [{"label": "Hide rows and columns with nothing curated", "value": "hide"}]
STATED = [{"label": "Only links a document states", "value": "stated"}]


def _evidence_kinds() -> list[str]:
    from loaders.entries import EvidenceKind

    return list(get_args(EvidenceKind))


def _filter_options() -> dict[str, list[dict[str, str]]]:
    """Populations, regions, evidence kinds and source documents to filter by."""
    g = get_backend()
    docs = [c for c in g.citations() if c.kind == "source_document"]
    return {
        "pop": [{"label": r.label, "value": r.id} for r in g.nodes("Population")],
        "region": [{"label": r.label, "value": r.id} for r in g.nodes("Region")],
        "kind": [{"label": k.replace("_", " "), "value": k} for k in _evidence_kinds()],
        "source": [{"label": gm.short(c.title, 70), "value": c.id}
                   for c in sorted(docs, key=lambda c: c.title.casefold())],
    }


def _dd(control_id: str, options: list[dict[str, str]], value: Any, placeholder: str,
        clearable: bool = True) -> dcc.Dropdown:
    ok = {o["value"] for o in options}
    return dcc.Dropdown(id=control_id, options=options, value=value if value in ok else None,
                        clearable=clearable, searchable=True, placeholder=placeholder,
                        className="dropdown")


def legend() -> html.Div:
    """The three cell states, in words (the figure repeats them as shapes and fills)."""
    items = []
    for st in gm.STATES:
        items.append(html.Li([html.Span(className=f"gap-key gap-key-{st}", **{
            "aria-hidden": "true"}), html.Strong(gm.STATE_LABEL[st]), ": ",
            gm.STATE_TEXT[st]]))
    return html.Div([html.H2("What the cells mean", className="mini-head"),
                     html.Ul(items, className="gap-legend-list")],
                    className="gap-legend", id="gaps-legend")


def layout(**params: Any) -> html.Div:
    rows = params.get("rows") if params.get("rows") in _AXIS_VALUES else "Harm"
    cols = params.get("cols") if params.get("cols") in _AXIS_VALUES else "PreventionStrategy"
    via = params.get("via") if params.get("via") in _VIA_VALUES else "Intervention"
    try:
        opts = _filter_options()
    except Exception:  # noqa: BLE001 - render shows the backend's message in the alert
        opts = {"pop": [], "region": [], "kind": [], "source": []}
    cell = params.get("cell") if gm.parse_key(params.get("cell")) else None
    pick = gm.parse_key(cell) or (None, None)
    return html.Div([
        html.H1("Service gaps"),
        html.P("An evidence-and-gap map: what the evidence base holds for each row × column "
               "pair. Click a cell, or use the Row and Column selects, to see its "
               "interventions, claims and citations.", className="lead"),
        html.Div([
            labelled("Rows", "gaps-rows", _dd("gaps-rows", AXES, rows, "", False)),
            labelled("Columns", "gaps-cols", _dd("gaps-cols", AXES, cols, "", False)),
            labelled("Count", "gaps-via", _dd("gaps-via", VIA, via, "", False)),
            labelled("Detail", "gaps-top", _dd("gaps-top", TOP, "top" if as_bool(
                params.get("top")) else "all", "", False)),
        ], className="controls"),
        html.Details([
            html.Summary("Filters: population, region, evidence kind, source document"),
            html.Div([
                labelled("Population", "gaps-pop", _dd("gaps-pop", opts["pop"],
                                                       params.get("pop"), "Any population")),
                labelled("Region", "gaps-region", _dd("gaps-region", opts["region"],
                                                      params.get("region"), "Any region")),
                labelled("Evidence kind", "gaps-kind", _dd("gaps-kind", opts["kind"],
                                                           params.get("kind"), "Any kind"),
                         hint="Narrows the claims; interventions have no evidence kind."),
                labelled("Source document", "gaps-source",
                         _dd("gaps-source", opts["source"], params.get("source"),
                             "Any source document")),
            ], className="controls"),
        ], className="gap-filters", open=any(params.get(k) for k in
                                             ("pop", "region", "kind", "source"))),
        html.Div([
            dcc.Checklist(id="gaps-hide", options=HIDE,
                          value=["hide"] if as_bool(params.get("hide")) else [],
                          className="gap-toggle", inputClassName="gap-check"),
            dcc.Checklist(id="gaps-stated", options=STATED,
                          value=["stated"] if as_bool(params.get("stated")) else [],
                          className="gap-toggle", inputClassName="gap-check"),
            html.Div([html.Span("Sort", className="label", id="gaps-sort-label"),
                      dcc.RadioItems(id="gaps-sort", options=SORTS,
                                     value="coverage" if params.get("sort") == "coverage"
                                     else "label", inline=True, className="gap-sort")],
                     className="gap-sort-wrap", role="radiogroup",
                     **{"aria-labelledby": "gaps-sort-label"}),
            html.Div([html.Button("Download CSV (matrix)", id="gaps-csv", className="btn",
                                  n_clicks=0),
                      html.Button("Download CSV (every cell)", id="gaps-csv-long",
                                  className="btn btn-secondary", n_clicks=0)],
                     className="gap-downloads"),
        ], className="gap-options"),
        html.Div(id="gaps-alert"),
        html.Div(id="gaps-summary", className="gap-summary", **{"aria-live": "polite"}),
        html.Div([
            html.Div([
                dcc.Loading(html.Div(
                    dcc.Graph(id="gaps-figure", figure={"data": [], "layout": {}},
                              config={"displaylogo": False, "responsive": False,
                                      "scrollZoom": False,
                                      "modeBarButtonsToRemove": ["select2d", "lasso2d",
                                                                 "zoom2d", "pan2d",
                                                                 "autoScale2d", "resetScale2d",
                                                                 "zoomIn2d", "zoomOut2d"],
                                      "toImageButtonOptions": {"filename": "gap-map"}},
                              clear_on_unhover=True),
                    id="gaps-map", className="gap-map-scroll", tabIndex="0", role="region",
                    **{"aria-label": "Evidence-and-gap map (scrolls inside its box)"}),
                    type="default", delay_show=150),
            ], className="gap-main"),
            html.Aside([
                legend(),
                html.Div([
                    labelled("Row", "gaps-pick-row", _dd("gaps-pick-row", [], pick[0],
                                                         "Choose a row", False)),
                    labelled("Column", "gaps-pick-col", _dd("gaps-pick-col", [], pick[1],
                                                            "Choose a column", False)),
                ], className="gap-pick", role="group",
                    **{"aria-label": "Choose a cell from the keyboard"}),
                html.Section(html.P("Choose a cell to see what covers it.", className="muted"),
                             id="gaps-cell", **{"aria-live": "polite"}),
            ], className="gap-side", id="gaps-side", **{"aria-label": "Cell detail"}),
        ], className="gap-layout"),
        dcc.Store(id="gaps-selected", data=cell),
        dcc.Store(id="gaps-axes"),
        dcc.Store(id="gaps-outline"),
        dcc.Download(id="gaps-download"),
        dcc.Store(id={"type": "url-state", "page": "gaps"}),
    ], className="page page-gaps")


def _map(rows: str, cols: str, via: str, top: str, pop: str | None, region: str | None,
         kind: str | None, source: str | None, stated: list[str] | None = None) -> Any:
    if rows == cols:
        raise ValueError("Choose different types for rows and columns.")
    return get_backend().gap_map(rows, cols, via=via, top_level_only=top == "top",
                                 population=pop or None, region=region or None,
                                 evidence_kind=kind or None, source=source or None,
                                 include_inferred="stated" not in (stated or []))


FILTERS = [Input("gaps-rows", "value"), Input("gaps-cols", "value"), Input("gaps-via", "value"),
           Input("gaps-top", "value"), Input("gaps-pop", "value"), Input("gaps-region", "value"),
           Input("gaps-kind", "value"), Input("gaps-source", "value"),
           Input("gaps-stated", "value")]
FILTER_STATE = [State(i.component_id, i.component_property) for i in FILTERS]


@callback(Output("gaps-figure", "figure"), Output("gaps-axes", "data"),
          Output("gaps-pick-row", "options"), Output("gaps-pick-col", "options"),
          Output("gaps-pick-row", "value", allow_duplicate=True),
          Output("gaps-pick-col", "value", allow_duplicate=True),
          Output("gaps-summary", "children"), Output("gaps-alert", "children"),
          *FILTERS, Input("gaps-hide", "value"), Input("gaps-sort", "value"),
          State("gaps-selected", "data"), prevent_initial_call="initial_duplicate")
@guarded(8)
def render(rows: str, cols: str, via: str, top: str, pop: str | None, region: str | None,
           kind: str | None, source: str | None, stated: list[str] | None,
           hide: list[str] | None, sort: str | None, selected: str | None) -> tuple[Any, ...]:
    """Controls → the figure. The selection is only State: choosing a cell never comes here."""
    cov = _map(rows, cols, via, top, pop, region, kind, source, stated)
    if not cov.rows or not cov.cols:
        return ({"data": [], "layout": {}}, None, [], [], None, None,
                notice("No rows or columns of these types yet."), None)
    counts = gm.counts(cov)
    shown = gm.arrange(cov, hide_empty=bool(hide), sort=sort or "label")
    summary: list[Any] = [html.P(gm.summary_text(counts, via))]
    if bool(hide) and (len(shown.rows), len(shown.cols)) != (len(cov.rows), len(cov.cols)):
        summary.append(html.P(
            f"Hidden: {len(cov.rows) - len(shown.rows):,} rows and "
            f"{len(cov.cols) - len(shown.cols):,} columns with nothing curated.",
            className="muted"))
    if not shown.rows or not shown.cols:
        return ({"data": [], "layout": {}}, None, [], [], None, None, summary + [
            notice("Every cell has nothing curated with these filters.")], None)
    drawn, cut = gm.trim(shown)
    if cut:
        summary.append(notice(
            f"Too large to draw at once: showing the first {len(drawn.rows):,} rows × "
            f"{len(drawn.cols):,} columns. Narrow it with filters, “Hide rows and columns with "
            "nothing curated” or “Top-level rows and columns only”; the CSV downloads hold "
            "the whole matrix."))
    ax = gm.axes(drawn)
    rc = gm.parse_key(selected)
    x, _y = gm.position(ax, selected)
    pick = rc if rc is not None and x is not None else (None, None)
    return (gm.figure(drawn, rc), ax,
            [{"label": r.label, "value": r.id} for r in drawn.rows],
            [{"label": c.label, "value": c.id} for c in drawn.cols], pick[0], pick[1],
            summary, None)


# A click on the map sets the selection and the Row and Column selects in one step (``choose``
# then sees nothing new); x/y are indices into the drawn axes (gapmap.key_at, in the browser).
FROM_CLICK_JS = """function (click, ax) {
    var pts = (click && click.points) || [];
    if (!pts.length || !ax) { throw window.dash_clientside.PreventUpdate; }
    var x = Math.round(Number(pts[0].x)), y = Math.round(Number(pts[0].y));
    if (!(y >= 0 && y < ax.rows.length && x >= 0 && x < ax.cols.length)) {
        throw window.dash_clientside.PreventUpdate;
    }
    return [ax.rows[y], ax.cols[x], ax.rows[y] + '{SEP}' + ax.cols[x]];
}""".replace("{SEP}", SEP)
dash.clientside_callback(FROM_CLICK_JS, Output("gaps-pick-row", "value"),
                         Output("gaps-pick-col", "value"),
                         Output("gaps-selected", "data", allow_duplicate=True),
                         Input("gaps-figure", "clickData"), State("gaps-axes", "data"),
                         prevent_initial_call=True)

# The Row and Column selects (keyboard) → the selection (gapmap.cell_key, in the browser).
CHOOSE_JS = """function (row, col, current) {
    if (!row || !col) { throw window.dash_clientside.PreventUpdate; }
    var key = row + '{SEP}' + col;
    if (key === current) { throw window.dash_clientside.PreventUpdate; }
    return key;
}""".replace("{SEP}", SEP)
dash.clientside_callback(CHOOSE_JS, Output("gaps-selected", "data"),
                         Input("gaps-pick-row", "value"), Input("gaps-pick-col", "value"),
                         State("gaps-selected", "data"), prevent_initial_call=True)


# Move the outline to the chosen cell in the browser: Plotly.relayout of one layout shape (no
# trace is recalculated or redrawn; no server round trip, no new figure — a Patch would make
# dcc.Graph re-react the whole figure). A later render draws the outline from the selection.
HIGHLIGHT_JS = """function (key, ax) {
    var nu = window.dash_clientside.no_update;
    var gd = document.querySelector('#gaps-figure .js-plotly-plot');
    if (!ax || !gd || !gd.layout || !gd.layout.shapes || !window.Plotly) { return nu; }
    var i = key ? key.indexOf('~') : -1, r = -1, c = -1;
    if (i > 0) { r = ax.rows.indexOf(key.slice(0, i)); c = ax.cols.indexOf(key.slice(i + 1)); }
    var on = r >= 0 && c >= 0;
    // the whole shapes array: Plotly redraws just the shapes (a few ms). Editing attributes
    // ('shapes[0].x0', ...) made Plotly replot the figure: 60-450 ms per click (BENCHMARKS.md);
    // replacing 'shapes[0]' alone left the old outline drawn.
    var shape = Object.assign({}, gd.layout.shapes[0], {visible: on,
        x0: c - 0.5, x1: c + 0.5, y0: r - 0.5, y1: r + 0.5});
    window.Plotly.relayout(gd, {shapes: [shape]});
    return key || '';
}"""
dash.clientside_callback(HIGHLIGHT_JS, Output("gaps-outline", "data"),
                         Input("gaps-selected", "data"), State("gaps-axes", "data"),
                         prevent_initial_call=True)


def detail(cov: Any, key: str | None, via: str) -> Any:
    """The side panel for one cell: a heading (row × column, linking to Explore) and its state,
    then interventions, direct links, claims and citations as ONE Markdown component."""
    rc = gm.parse_key(key)
    if rc is None:
        return html.P("Choose a cell to see what covers it.", className="muted")
    refs = {x.id: x for x in (*cov.rows, *cov.cols)}
    r_id, c_id = rc
    if r_id not in refs or c_id not in refs:
        return html.P("That cell is not in this map; choose another.", className="muted")
    cell = gm.index_cells(cov).get((r_id, c_id))
    st = gm.cell_state(cell)
    parts: list[Any] = [
        html.H2([ref_link(refs[r_id]), " × ", ref_link(refs[c_id])], className="panel-title"),
        html.P([html.Span(className=f"gap-key gap-key-{st}", **{"aria-hidden": "true"}),
                html.Strong(gm.STATE_LABEL[st]), ": ", gm.STATE_TEXT[st]],
               className=f"gap-state gap-state-{st}"),
    ]
    if cell is None:
        return html.Div(parts, className="gap-detail")
    shown_ids = list(cell.claims[:gm.MAX_PANEL_CLAIMS])
    claims = get_backend().claims(shown_ids) if shown_ids else []
    parts.append(dcc.Markdown(gm.panel_markdown(cell, claims, via), link_target="_self",
                              className="gap-detail-md"))
    return html.Div(parts, className="gap-detail")


@callback(Output("gaps-cell", "children"), Output("gaps-alert", "children",
                                                    allow_duplicate=True),
          Input("gaps-selected", "data"), *FILTER_STATE,
          prevent_initial_call="initial_duplicate")
@guarded(2)
def cell_detail(key: str | None, rows: str, cols: str, via: str, top: str, pop: str | None,
                region: str | None, kind: str | None, source: str | None,
                stated: list[str] | None = None) -> tuple[Any, Any]:
    if gm.parse_key(key) is None:
        return detail(None, None, via), None
    return detail(_map(rows, cols, via, top, pop, region, kind, source, stated), key,
                  via), None


@callback(Output("gaps-download", "data"), Output("gaps-alert", "children",
                                                   allow_duplicate=True),
          Input("gaps-csv", "n_clicks"), Input("gaps-csv-long", "n_clicks"), *FILTER_STATE,
          prevent_initial_call=True)
@guarded(2)
def download(_a: int, _b: int, rows: str, cols: str, via: str, top: str, pop: str | None,
             region: str | None, kind: str | None, source: str | None,
             stated: list[str] | None = None) -> tuple[Any, Any]:
    """The whole matrix (never trimmed), with the filters in force, as CSV."""
    cov = _map(rows, cols, via, top, pop, region, kind, source, stated)
    long = ctx.triggered_id == "gaps-csv-long"
    text = gm.long_csv(cov) if long else el.coverage_csv(cov)
    ids = {i.id for cell in cov.cells for i in cell.items} | {
        c for cell in cov.cells for c in cell.claims}
    filters = ", ".join(f"{k}={v}" for k, v in (("population", pop), ("region", region),
                                                ("evidence kind", kind), ("source", source),
                                                ("links", "stated only" if stated and
                                                 "stated" in stated else None))
                        if v) or "no filters"
    text = sources_block(get_backend(), sorted(ids), [
        f"Intersections service-gap map: {rows} x {cols}, {via} per cell ({filters})"]
    ) + text
    name = f"gaps-{rows}-x-{cols}{'-cells' if long else ''}.csv"
    return {"content": text, "filename": name, "type": "text/csv"}, None


# Controls and selection → the page URL (the app's URL_SYNC_JS writes it); in the browser, so a
# click costs no extra server round trip.
URL_STATE_JS = """function (rows, cols, via, top, pop, region, kind, source, stated, hide, sort,
                             cell) {
    return {rows: rows, cols: cols, via: via !== 'Intervention' ? via : null,
            top: top === 'top' ? 1 : null, pop: pop || null, region: region || null,
            kind: kind || null, source: source || null,
            stated: (stated && stated.length) ? 1 : null,
            hide: (hide && hide.length) ? 1 : null,
            sort: sort === 'coverage' ? sort : null, cell: cell || null};
}"""
dash.clientside_callback(URL_STATE_JS, Output({"type": "url-state", "page": "gaps"}, "data"),
                         *FILTERS, Input("gaps-hide", "value"), Input("gaps-sort", "value"),
                         Input("gaps-selected", "data"))
