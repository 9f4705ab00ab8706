"""Query: a console for researchers — saved example queries, SPARQL (any backend) and Cypher
(Neo4j), results as a table and, when graph-shaped, as a graph; CSV/JSON/BibTeX downloads that
carry the sources the rows rest on.

Everything runs through :mod:`graph.saved_queries` and :func:`graph.query.run_query` (SPARQL in
:mod:`graph.sparql`, Cypher in :mod:`graph.neo4j.console`), which refuse writes and remote access
and enforce the row and time limits; this page only collects input and shows output.

URL state: ``?q=<saved query id>``.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, ctx, dash_table, dcc, html
from dash.exceptions import PreventUpdate

from explorer import elements as el
from explorer.components import graph, guarded, labelled, notice, select
from explorer.state import get_backend
from graph import provenance
from graph import saved_queries as sq
from graph.models import NodeRef
from graph.query import run_query
from graph.sparql import (
    DEFAULT_LIMIT,
    DEFAULT_TIMEOUT,
    MAX_LIMIT,
    MAX_TIMEOUT,
    PREFIX_BLOCK,
    QueryResult,
)

dash.register_page(__name__, path="/query", name="Query", order=50,
                   title="Query · Intersections explorer")

CUSTOM = "__custom__"
LANG_LABELS = {"sparql": "SPARQL", "cypher": "Cypher (Neo4j)", "api": "Python API"}
#: Rows shown in the page table (downloads carry up to the row limit).
PAGE_SIZE = 25


def _options() -> list[dict[str, str]]:
    opts = [{"label": "Write your own query", "value": CUSTOM}]
    opts += [{"label": f"{q.title} · {LANG_LABELS[q.language]}", "value": q.id}
             for q in sq.SAVED_QUERIES]
    return opts


def layout(**params: Any) -> html.Div:
    first = params.get("q") if params.get("q") in sq.BY_ID else sq.SAVED_QUERIES[0].id
    q = sq.BY_ID[first]
    return html.Div([
        html.H1("Query"),
        html.P("Ask the evidence base your own questions. Start from a saved example, adapt it, "
               "and download the answer with the sources it rests on. Queries only read: "
               "changes, remote endpoints and file loads are refused, and long or very large "
               "queries are stopped.", className="lead"),
        html.Div([
            labelled("Example", "query-saved", select("query-saved", _options(), first)),
            labelled("Language", "query-lang", select("query-lang", [
                {"label": "SPARQL", "value": "sparql"},
                {"label": "Cypher (needs the Neo4j backend)", "value": "cypher"}],
                q.language if q.language != "api" else "sparql")),
            labelled("Row limit", "query-limit", dcc.Input(
                id="query-limit", type="number", min=1, max=MAX_LIMIT, step=1,
                value=DEFAULT_LIMIT, className="input")),
            labelled("Time limit (s)", "query-timeout", dcc.Input(
                id="query-timeout", type="number", min=1, max=MAX_TIMEOUT, step=1,
                value=int(DEFAULT_TIMEOUT), className="input")),
        ], className="controls"),
        html.P(q.description, id="query-description", className="muted"),
        html.Div(id="query-params", className="controls", children=_param_inputs(q)),
        html.Label("Query", htmlFor="query-text", className="label"),
        dcc.Textarea(id="query-text", value=q.text, spellCheck=False,
                     readOnly=q.language == "api", className="query-editor",
                     style={"width": "100%", "height": "260px", "fontFamily": "monospace"}),
        html.Details([html.Summary("Prefixes you can use without declaring them"),
                      html.Pre(PREFIX_BLOCK, className="prefixes")]),
        html.Div([
            html.Button("Run", id="query-run", className="btn", n_clicks=0),
            html.Button("Download CSV", id="query-csv", className="btn btn-secondary",
                        n_clicks=0),
            html.Button("Download JSON", id="query-json", className="btn btn-secondary",
                        n_clicks=0),
            html.Button("Download sources (BibTeX)", id="query-bib",
                        className="btn btn-secondary", n_clicks=0),
        ], className="controls"),
        html.Div(id="query-alert"),
        html.Div(id="query-summary", **{"aria-live": "polite"}),
        html.Div(id="query-table"),
        html.Div(id="query-graph"),
        html.Section(id="query-sources", className="sources"),
        dcc.Download(id="query-download"),
        dcc.Store(id={"type": "url-state", "page": "query"}),
    ], className="page page-query")


def _param_inputs(q: sq.SavedQuery | None) -> list[Any]:
    if q is None:
        return []
    return [labelled(p.label + f" (${p.name})", {"type": "query-param", "name": p.name},
                     dcc.Input(id={"type": "query-param", "name": p.name}, value=p.default,
                               type="text", debounce=True, className="input"))
            for p in q.params]


@callback(Output("query-text", "value"), Output("query-text", "readOnly"),
          Output("query-params", "children"), Output("query-description", "children"),
          Output("query-lang", "value"),
          Input("query-saved", "value"), prevent_initial_call=True)
def pick_saved(query_id: str) -> tuple[Any, ...]:
    if query_id == CUSTOM or query_id not in sq.BY_ID:
        return ("SELECT ?entry ?label WHERE {\n  ?entry skos:prefLabel ?label .\n}\n"
                "ORDER BY ?label\nLIMIT 50", False, [],
                "Write a SPARQL query (any backend) or Cypher (Neo4j).", "sparql")
    q = sq.BY_ID[query_id]
    lang = q.language if q.language != "api" else "sparql"
    return q.text, q.language == "api", _param_inputs(q), q.description, lang


# --------------------------------------------------------------------------- running
def run_spec(spec: dict[str, Any]) -> QueryResult:
    """Run what the page describes: a saved query as written, or the editor's text."""
    backend = get_backend()
    limit = int(spec.get("limit") or DEFAULT_LIMIT)
    timeout = float(spec.get("timeout") or DEFAULT_TIMEOUT)
    params = {k: v for k, v in (spec.get("params") or {}).items() if v not in (None, "")}
    saved = sq.BY_ID.get(spec.get("saved") or "")
    if saved is not None and (saved.language == "api" or spec.get("text") == saved.text):
        return sq.run(saved, backend, params, limit=limit, timeout=timeout)
    return run_query(spec.get("language") or "sparql", spec.get("text") or "", backend, params,
                     limit=limit, timeout=timeout,
                     hint="Cypher needs the Neo4j backend: start the explorer with "
                          "--backend neo4j, or write the query in SPARQL.")


def result_table(result: QueryResult) -> Any:
    if result.boolean is not None:
        return html.P(f"Answer: {'yes' if result.boolean else 'no'}", className="answer")
    if not result.rows:
        return notice("No rows. Check the ids and the spelling of relations "
                      "(e.g. int:usesTactic, skos:prefLabel).")
    rows = [{c: _cell(r.get(c)) for c in result.columns} for r in result.rows]
    return dash_table.DataTable(
        data=rows, columns=[{"name": c, "id": c} for c in result.columns],
        page_size=PAGE_SIZE, sort_action="native", filter_action="native",
        style_table={"overflowX": "auto"},
        style_cell={"textAlign": "left", "whiteSpace": "normal", "height": "auto",
                    "maxWidth": "480px"})


def _cell(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return ", ".join(str(x) for x in v)
    if isinstance(v, dict):
        return str(v)
    return v


def graph_elements(result: QueryResult) -> tuple[list[dict[str, Any]], dict[str, Any], bool]:
    """Cytoscape elements for a graph-shaped result (capped, laid out like the other pages)."""
    g = result.graph
    if g is None:
        return [], {}, False
    nodes = [el.node_element(NodeRef(n["id"], n["category"], n["label"])) for n in g.nodes]
    edges = [el.edge_element(e["source"], e["predicate"], e["target"]) for e in g.edges]
    elements, truncated = el.cap_elements(nodes, edges)
    return elements, el.auto_layout(elements), truncated


def sources_section(result: QueryResult) -> Any:
    src = provenance.sources_for(get_backend(), result.node_ids)
    if not len(src) and not src.unsourced_claims:
        return None
    return html.Details([
        html.Summary(f"Sources these results rest on ({len(src)})"),
        html.Ol([html.Li(line.split("] ", 1)[-1]) for line in src.lines()
                 if line.startswith("[")]),
        *([html.P(src.lines()[-1], className="flag")] if src.unsourced_claims else []),
        html.P(f"How to cite: {provenance.PROJECT_CITATION}", className="muted"),
    ], open=True)


def _spec(saved: str, lang: str, text: str, limit: Any, timeout: Any,
          names: list[dict[str, str]], values: list[Any]) -> dict[str, Any]:
    return {"saved": saved if saved != CUSTOM else None, "language": lang, "text": text,
            "limit": limit, "timeout": timeout,
            "params": {i["name"]: v for i, v in zip(names, values, strict=False)}}


@callback(Output("query-summary", "children"), Output("query-table", "children"),
          Output("query-graph", "children"), Output("query-sources", "children"),
          Output("query-alert", "children"),
          Input("query-run", "n_clicks"),
          State("query-saved", "value"), State("query-lang", "value"),
          State("query-text", "value"), State("query-limit", "value"),
          State("query-timeout", "value"),
          State({"type": "query-param", "name": ALL}, "id"),
          State({"type": "query-param", "name": ALL}, "value"))
@guarded(5, clear=True)
def run(_n: int, saved: str, lang: str, text: str, limit: Any, timeout: Any,
        names: list[dict[str, str]], values: list[Any]) -> tuple[Any, ...]:
    result = run_spec(_spec(saved, lang, text, limit, timeout, names, values))
    elements, layout, capped = graph_elements(result)
    view = None
    if elements:
        note = " (first 1,000 nodes shown)" if capped else ""
        view = html.Div([html.H2("As a graph" + note),
                         graph("query", elements=elements, layout=layout,
                               label="Query result as a graph")])
    summary = notice(result.message)
    return summary, result_table(result), view, sources_section(result), None


@callback(Output("query-download", "data"), Output("query-alert", "children",
                                                    allow_duplicate=True),
          Input("query-csv", "n_clicks"), Input("query-json", "n_clicks"),
          Input("query-bib", "n_clicks"),
          State("query-saved", "value"), State("query-lang", "value"),
          State("query-text", "value"), State("query-limit", "value"),
          State("query-timeout", "value"),
          State({"type": "query-param", "name": ALL}, "id"),
          State({"type": "query-param", "name": ALL}, "value"),
          prevent_initial_call=True)
@guarded(2)
def download(_c: int, _j: int, _b: int, saved: str, lang: str, text: str, limit: Any,
             timeout: Any, names: list[dict[str, str]], values: list[Any]) -> tuple[Any, Any]:
    if not ctx.triggered_id or not any(t["value"] for t in ctx.triggered):
        raise PreventUpdate
    result = run_spec(_spec(saved, lang, text, limit, timeout, names, values))
    backend = get_backend()
    stem = saved if saved and saved != CUSTOM else "intersections-query"
    if ctx.triggered_id == "query-csv":
        return dict(content=provenance.export_csv(result, backend, text),
                    filename=f"{stem}.csv"), None
    if ctx.triggered_id == "query-json":
        return dict(content=provenance.export_json(result, backend, text),
                    filename=f"{stem}.json"), None
    return dict(content=provenance.export_bibtex(result, backend) or "% no sources\n",
                filename=f"{stem}-sources.bib"), None
