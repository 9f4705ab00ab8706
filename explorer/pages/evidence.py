"""Evidence: every claim with its numbers, citations, source document and quality flags.

Filter by source document, year, evidence kind, quality flag and text; sort by any column;
export the filtered selection as CSV or BibTeX.
URL state: ``?q=&source=&year=&kind=&flag=&sort=&desc=1``.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html

from explorer import elements as el
from explorer.components import FLAG_TEXT, badge_list, guarded, labelled, notice
from explorer.params import as_bool, as_int
from explorer.state import BackendUnavailable, get_backend
from graph.provenance import sources_block

dash.register_page(__name__, path="/evidence", name="Evidence", order=40,
                   title="Evidence · Intersections explorer")

SORTS = [{"label": "Source document", "value": "source"},
         {"label": "Year", "value": "year"},
         {"label": "Statement", "value": "statement"},
         {"label": "Evidence kind", "value": "evidence_kind"},
         {"label": "Number of citations", "value": "n_citations"},
         {"label": "Flags", "value": "flags"}]
MAX_ROWS = 300
ANY = "any"


def _filter_options() -> dict[str, list[dict[str, Any]]]:
    g = get_backend()
    claims = g.claims()
    sources = {c.stated_in.id: c.stated_in.title for c in claims if c.stated_in}
    years = sorted({ci.year for c in claims for ci in c.citations if ci.year}, reverse=True)
    kinds = sorted({c.evidence_kind for c in claims})
    flags = sorted({f for c in claims for f in c.flags} | set(FLAG_TEXT))
    anyopt = [{"label": "Any", "value": ANY}]
    return {
        "source": anyopt + [{"label": t, "value": i} for i, t in sorted(sources.items(),
                                                                        key=lambda x: x[1])],
        "year": anyopt + [{"label": str(y), "value": str(y)} for y in years],
        "kind": anyopt + [{"label": k.replace("_", " "), "value": k} for k in kinds],
        "flag": anyopt + [{"label": f, "value": f} for f in flags],
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
               "where it was stated. Flags mark figures without a citation (unsourced) or "
               "cited through another publication (secondary).", className="lead"),
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
        html.Div(id="ev-table"),
        dcc.Store(id="ev-limit", data=as_int(params.get("limit"), MAX_ROWS, 10, 5000)),
        dcc.Download(id="ev-download"),
        dcc.Store(id={"type": "url-state", "page": "evidence"}),
    ], className="page page-evidence")


def _claims(q: str | None, source: str, year: str, kind: str, flag: str) -> list[Any]:
    g = get_backend()
    return g.claims(source=None if source == ANY else source,
                    year=None if year in (None, ANY) else int(year),
                    evidence_kind=None if kind == ANY else kind,
                    flag=None if flag == ANY else flag, text=q or None)


def sort_rows(rows: list[dict[str, Any]], key: str, desc: bool) -> list[dict[str, Any]]:
    def k(r: dict[str, Any]) -> tuple[Any, ...]:
        v = r.get(key)
        return (v is None or v == "", v if not isinstance(v, str) else v.casefold(), r["id"])
    return sorted(rows, key=k, reverse=desc)


def claims_table(rows: list[dict[str, Any]]) -> html.Table:
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in (
        "Statement", "Numbers", "Citations", "Source document", "Year", "Evidence kind",
        "Flags")]))
    body = []
    for r in rows:
        cites: list[Any] = [r["citations"]]
        for url in r["doi"].split():
            cites += [html.Br(), html.A(url.replace("https://doi.org/", "doi:"), href=url,
                                        target="_blank", rel="noreferrer noopener")]
        body.append(html.Tr([
            html.Td([r["statement"], html.Br(), html.Small(f"About: {r['about']}",
                                                           className="muted")]),
            html.Td(r["numbers"]),
            html.Td(cites),
            html.Td([r["source"], html.Br(), html.Small(r["locator"], className="muted")]),
            html.Td(r["years"]),
            html.Td(r["evidence_kind"]),
            html.Td(badge_list(r["flags"])),
        ]))
    return html.Table([head, html.Tbody(body)], className="table evidence-table")


@callback(Output("ev-table", "children"), Output("ev-count", "children"),
          Output("ev-alert", "children"),
          Input("ev-q", "value"), Input("ev-source", "value"), Input("ev-year", "value"),
          Input("ev-kind", "value"), Input("ev-flag", "value"), Input("ev-sort", "value"),
          Input("ev-desc", "value"), State("ev-limit", "data"))
@guarded(3)
def render(q: str | None, source: str, year: str, kind: str, flag: str, sort: str,
           desc: str, limit: int) -> tuple[Any, ...]:
    claims = _claims(q, source, year, kind, flag)
    rows = sort_rows([el.claim_row(c) for c in claims], sort or "source", desc == "desc")
    n_cites = len({ci.id for c in claims for ci in c.citations})
    shown = rows[:limit]
    count = notice(f"{len(rows)} claims, {n_cites} distinct citations"
                   + (f"; showing the first {len(shown)} — narrow the filters or download "
                      "the CSV for all" if len(rows) > len(shown) else ""))
    table = claims_table(shown) if rows else html.P("No claim matches these filters.",
                                                    className="muted")
    return table, count, None


@callback(Output("ev-download", "data"), Output("ev-alert", "children", allow_duplicate=True),
          Input("ev-csv", "n_clicks"), Input("ev-bib", "n_clicks"),
          State("ev-q", "value"), State("ev-source", "value"), State("ev-year", "value"),
          State("ev-kind", "value"), State("ev-flag", "value"), State("ev-sort", "value"),
          State("ev-desc", "value"), prevent_initial_call=True)
@guarded(2)
def download(_c: int, _b: int, q: str | None, source: str, year: str, kind: str, flag: str,
             sort: str, desc: str) -> tuple[Any, Any]:
    claims = _claims(q, source, year, kind, flag)
    if dash.ctx.triggered_id == "ev-bib":
        cites = [ci for c in claims for ci in c.citations]
        cites += [c.stated_in for c in claims if c.stated_in]
        return {"content": el.bibtex(cites), "filename": "intersections-citations.bib",
                "type": "application/x-bibtex"}, None
    rows = sort_rows([el.claim_row(c) for c in claims], sort or "source", desc == "desc")
    head = sources_block(get_backend(), [c.id for c in claims],
                         [f"Intersections claims export: {len(claims)} claims"])
    return {"content": head + el.claims_csv(rows), "filename": "intersections-claims.csv",
            "type": "text/csv"}, None


@callback(Output({"type": "url-state", "page": "evidence"}, "data"),
          Input("ev-q", "value"), Input("ev-source", "value"), Input("ev-year", "value"),
          Input("ev-kind", "value"), Input("ev-flag", "value"), Input("ev-sort", "value"),
          Input("ev-desc", "value"))
def url_state(q: str | None, source: str, year: str, kind: str, flag: str, sort: str,
              desc: str) -> dict:
    def v(x: str | None) -> str | None:
        return None if x in (None, ANY) else x
    return {"q": q, "source": v(source), "year": v(year), "kind": v(kind), "flag": v(flag),
            "sort": sort if sort != "source" else None, "desc": 1 if desc == "desc" else None}
