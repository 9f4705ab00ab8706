"""Evidence: every claim with its numbers, citations, source document and quality flags.

Filter by source document, year, evidence kind, quality flag and text; sort by any column;
export the filtered selection as CSV or BibTeX. The table is one ``DataTable`` paged on the
server (25 rows a page are sent, whatever the size of the base; it scrolls inside its own box on
a phone); each claim id opens the claim's page
(``/evidence/claim/<id>``), each citation and source document the citation's page
(``/evidence/citation/<id>``), and each DOI sits next to the citation it belongs to.
"Only claims with figures" keeps the claims that report a number (most claims are definitions
or descriptions and have none).
URL state: ``?q=&source=&year=&kind=&flag=&figures=1&sort=&desc=1&page=2``; ``cites=<citation id>``
(set by a citation's page) keeps the claims citing that study.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dash_table, dcc, html

from explorer import elements as el
from explorer.components import guarded, labelled, notice
from explorer.evidence_views import (
    GRID_COLUMNS,
    flag_explanation,
    flag_label,
    grid_row,
    grid_tooltips,
    page_of,
)
from explorer.params import as_bool, as_int
from explorer.state import BackendUnavailable, get_backend
from explorer.wording import plural
from graph.provenance import sources_block

dash.register_page(__name__, path="/evidence", name="Evidence", order=40,
                   title="Evidence · Intersections explorer")

SORTS = [{"label": "Source document", "value": "source"},
         {"label": "Year", "value": "year"},
         {"label": "Statement", "value": "statement"},
         {"label": "Evidence kind", "value": "evidence_kind"},
         {"label": "Number of citations", "value": "n_citations"},
         {"label": "Flags", "value": "flags"}]
PAGE_SIZE = 25
ANY = "any"
FIGURE_OPTIONS = [{"label": "Any claim", "value": ANY},
                  {"label": "Only claims with figures", "value": "1"}]


def _filter_options() -> dict[str, list[dict[str, Any]]]:
    g = get_backend()
    claims = g.claims()
    sources = {c.stated_in.id: c.stated_in.title for c in claims if c.stated_in}
    years = sorted({ci.year for c in claims for ci in c.citations if ci.year}, reverse=True)
    kinds = sorted({c.evidence_kind for c in claims})
    flags = sorted({f for c in claims for f in c.flags})
    anyopt = [{"label": "Any", "value": ANY}]
    return {
        "source": anyopt + [{"label": t, "value": i} for i, t in sorted(sources.items(),
                                                                        key=lambda x: x[1])],
        "year": anyopt + [{"label": str(y), "value": str(y)} for y in years],
        "kind": anyopt + [{"label": k.replace("_", " "), "value": k} for k in kinds],
        "flag": anyopt + [{"label": flag_label(f), "value": f} for f in flags],
    }


def _dd(cid: str, options: list[dict[str, Any]], value: Any) -> dcc.Dropdown:
    values = {o["value"] for o in options}
    return dcc.Dropdown(id=cid, options=options, value=value if value in values else ANY,
                        clearable=False, className="dropdown")


def layout(**params: Any) -> html.Div:
    try:
        opts = _filter_options()
        problem = None
    except BackendUnavailable as exc:
        opts = {k: [{"label": "Any", "value": ANY}] for k in ("source", "year", "kind", "flag")}
        problem = notice(str(exc))
    return html.Div([
        html.H1("Evidence"),
        html.P("Every claim in the evidence base, with its numbers, the studies it cites and "
               "where it was stated. Open a claim's id for everything about it, and a citation "
               "for the study and all the claims resting on it.", className="lead"),
        _flag_key(opts["flag"]),
        html.Div([
            labelled("Search text", "ev-q", dcc.Input(id="ev-q", type="search", debounce=True,
                                                      value=params.get("q") or "",
                                                      className="input")),
            labelled("Source document", "ev-source", _dd("ev-source", opts["source"],
                                                         params.get("source"))),
            labelled("Citation year", "ev-year", _dd("ev-year", opts["year"],
                                                     params.get("year"))),
            labelled("Evidence kind", "ev-kind", _dd("ev-kind", opts["kind"],
                                                     params.get("kind"))),
            labelled("Quality flag", "ev-flag", _dd("ev-flag", opts["flag"],
                                                    params.get("flag"))),
            labelled("Figures", "ev-figures", dcc.Dropdown(
                id="ev-figures", options=FIGURE_OPTIONS, clearable=False, className="dropdown",
                value="1" if as_bool(params.get("figures")) else ANY)),
            labelled("Sort by", "ev-sort", dcc.Dropdown(
                id="ev-sort", options=SORTS, clearable=False, className="dropdown",
                value=params.get("sort") if params.get("sort") in {s["value"] for s in SORTS}
                else "source")),
            labelled("Order", "ev-desc", dcc.Dropdown(
                id="ev-desc", options=[{"label": "Ascending", "value": "asc"},
                                       {"label": "Descending", "value": "desc"}],
                value="desc" if as_bool(params.get("desc")) else "asc", clearable=False,
                className="dropdown")),
        ], className="controls"),
        html.Div([html.Button("Download CSV", id="ev-csv", className="btn", n_clicks=0),
                  html.Button("Download BibTeX", id="ev-bib", className="btn btn-secondary",
                              n_clicks=0)], className="controls"),
        html.Div(problem, id="ev-alert"),
        html.Div(id="ev-count", **{"aria-live": "polite"}),
        html.Div(dash_table.DataTable(
            id="ev-grid", columns=list(GRID_COLUMNS), data=[], page_size=PAGE_SIZE,
            page_action="custom", page_current=as_int(params.get("page"), 1, 1) - 1,
            page_count=1, sort_action="none", cell_selectable=False,
            markdown_options={"link_target": "_self", "html": False},
            tooltip_delay=0, tooltip_duration=None, css=GRID_CSS,
            style_table={"overflowX": "auto", "maxWidth": "100%"},
            style_cell={"whiteSpace": "normal", "height": "auto", "textAlign": "left",
                        "verticalAlign": "top", "fontSize": "0.9rem",
                        "padding": "0.35rem 0.5rem", "minWidth": "6rem", "maxWidth": "28rem"},
            style_cell_conditional=[{"if": {"column_id": "statement"}, "minWidth": "18rem"},
                                    {"if": {"column_id": "claim"}, "minWidth": "9rem"},
                                    {"if": {"column_id": "citations"}, "minWidth": "14rem"}],
            style_header={"fontWeight": "700", "whiteSpace": "normal"},
        ), id="ev-table", className="ev-grid-box"),
        dcc.Store(id="ev-cites", data=params.get("cites") or None),
        dcc.Download(id="ev-download"),
        dcc.Store(id={"type": "url-state", "page": "evidence"}),
    ], className="page page-evidence")


#: Filtered claim lists of the embedded graph, which never changes once loaded: paging through
#: a large base asks for the same list on every page (10k nodes: 0.9 s per claims() call).
_MEMO: dict[tuple[Any, ...], list[Any]] = {}


def _claims(q: str | None, source: str, year: str, kind: str, flag: str,
            figures: str | None = None, cites: str | None = None) -> list[Any]:
    g = get_backend()
    key = (id(g), q, source, year, kind, flag, figures, cites)
    if g.name == "networkx" and key in _MEMO:
        return _MEMO[key]
    found = _fetch(g, q, source, year, kind, flag, figures, cites)
    if g.name == "networkx":
        if len(_MEMO) >= 16:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = found
    return found


def _fetch(g: Any, q: str | None, source: str, year: str, kind: str, flag: str,
           figures: str | None, cites: str | None) -> list[Any]:
    found = g.claims(source=None if source == ANY else source,
                     year=None if year in (None, ANY) else int(year),
                     evidence_kind=None if kind == ANY else kind,
                     flag=None if flag == ANY else flag, text=q or None)
    if cites:
        found = [c for c in found if any(ci.id == cites for ci in c.citations)]
    return [c for c in found if c.statistics] if figures == "1" else found


#: DataTable CSS: markdown cells without paragraph margins, visible link focus.
GRID_CSS = [
    {"selector": ".dash-cell-value p", "rule": "margin: 0 0 .25rem 0;"},
    {"selector": ".dash-cell-value a:focus", "rule": "outline: 3px solid #0b3d91;"},
    {"selector": ".dash-cell-value a", "rule": "color: #0b3d91 !important;"},
    {"selector": ".dash-cell-value ul", "rule": "margin: 0; padding-left: 1rem;"},
]


def _flag_key(flag_options: list[dict[str, Any]]) -> html.Details:
    """What each quality flag on this page means (labels and explanations)."""
    flags = [o["value"] for o in flag_options if o["value"] != ANY]
    return html.Details([
        html.Summary("What the quality flags mean"),
        html.Dl([x for f in flags for x in (html.Dt(flag_label(f)),
                                            html.Dd(flag_explanation(f)))],
                className="flag-key"),
    ], className="filter-box", id="ev-flag-key")


def sort_rows(rows: list[dict[str, Any]], key: str, desc: bool) -> list[dict[str, Any]]:
    def k(r: dict[str, Any]) -> tuple[Any, ...]:
        v = r.get(key)
        return (v is None or v == "", v if not isinstance(v, str) else v.casefold(), r["id"])
    return sorted(rows, key=k, reverse=desc)


@callback(Output("ev-grid", "data"), Output("ev-grid", "tooltip_data"),
          Output("ev-grid", "page_current"), Output("ev-grid", "page_count"),
          Output("ev-count", "children"), Output("ev-alert", "children"),
          Input("ev-q", "value"), Input("ev-source", "value"), Input("ev-year", "value"),
          Input("ev-kind", "value"), Input("ev-flag", "value"), Input("ev-sort", "value"),
          Input("ev-desc", "value"), Input("ev-figures", "value"),
          Input("ev-grid", "page_current"), State("ev-cites", "data"))
@guarded(6)
def render(q: str | None, source: str, year: str, kind: str, flag: str, sort: str,
           desc: str, figures: str, page: int | None, cites: str | None) -> tuple[Any, ...]:
    """One page of the filtered, sorted claims (a filter change goes back to page 1)."""
    claims = _claims(q, source, year, kind, flag, figures, cites)
    keyed = sort_rows([{**el.claim_row(c), "_claim": c} for c in claims], sort or "source",
                      desc == "desc")
    if dash.ctx.triggered_id not in (None, "ev-grid"):
        page = 0
    page, pages = page_of(len(keyed), page, PAGE_SIZE)
    shown = [r["_claim"] for r in keyed[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]]
    n_cites = len({ci.id for c in claims for ci in c.citations})
    n_figs = sum(1 for c in claims if c.statistics)
    count = notice(f"{plural(len(claims), 'claim')} ({n_figs} with figures), "
                   f"{plural(n_cites, 'distinct citation')}"
                   + (f" citing {cites}" if cites else "")
                   + (f"; page {page + 1} of {pages}" if pages > 1 else "")
                   + ("" if claims else ". No claim matches these filters."))
    return ([grid_row(c) for c in shown], grid_tooltips(shown), page, pages, count, None)


@callback(Output("ev-download", "data"), Output("ev-alert", "children", allow_duplicate=True),
          Input("ev-csv", "n_clicks"), Input("ev-bib", "n_clicks"),
          State("ev-q", "value"), State("ev-source", "value"), State("ev-year", "value"),
          State("ev-kind", "value"), State("ev-flag", "value"), State("ev-sort", "value"),
          State("ev-desc", "value"), State("ev-figures", "value"), State("ev-cites", "data"),
          prevent_initial_call=True)
@guarded(2)
def download(_c: int, _b: int, q: str | None, source: str, year: str, kind: str, flag: str,
             sort: str, desc: str, figures: str, cites: str | None) -> tuple[Any, Any]:
    claims = _claims(q, source, year, kind, flag, figures, cites)
    if dash.ctx.triggered_id == "ev-bib":
        cites = [ci for c in claims for ci in c.citations]
        cites += [c.stated_in for c in claims if c.stated_in]
        return {"content": el.bibtex(cites), "filename": "intersections-citations.bib",
                "type": "application/x-bibtex"}, None
    rows = sort_rows([el.claim_row(c) for c in claims], sort or "source", desc == "desc")
    head = sources_block(get_backend(), [c.id for c in claims],
                         [f"Intersections claims export: {plural(len(claims), 'claim')}"])
    return {"content": head + el.claims_csv(rows), "filename": "intersections-claims.csv",
            "type": "text/csv"}, None


@callback(Output({"type": "url-state", "page": "evidence"}, "data"),
          Input("ev-q", "value"), Input("ev-source", "value"), Input("ev-year", "value"),
          Input("ev-kind", "value"), Input("ev-flag", "value"), Input("ev-sort", "value"),
          Input("ev-desc", "value"), Input("ev-figures", "value"),
          Input("ev-grid", "page_current"), Input("ev-cites", "data"))
def url_state(q: str | None, source: str, year: str, kind: str, flag: str, sort: str,
              desc: str, figures: str, page: int | None, cites: str | None) -> dict:
    def v(x: str | None) -> str | None:
        return None if x in (None, ANY) else x
    return {"q": q, "source": v(source), "year": v(year), "kind": v(kind), "flag": v(flag),
            "figures": 1 if figures == "1" else None, "cites": cites or None,
            "page": page + 1 if page else None,
            "sort": sort if sort != "source" else None, "desc": 1 if desc == "desc" else None}
