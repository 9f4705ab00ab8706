"""The explorer's app factory: a Dash pages app over one graph backend.

``create_app`` builds the Dash app (pages from ``explorer/pages``, assets from
``explorer/assets``) and records which backend to read; nothing is loaded until a page asks
for data (:func:`explorer.state.get_backend`). Debug is off unless asked for.
"""

from __future__ import annotations

from pathlib import Path

import dash
import dash_cytoscape as cyto
import flask
from dash import ALL, MATCH, Dash, Input, Output, State, html

from explorer import cache, linked_data, security, state
from explorer.components import shell

HERE = Path(__file__).parent

URL_SYNC_JS = """
function(states) {
    var s = (states || []).filter(function (x) { return x; })[0];
    if (!s) { return window.dash_clientside.no_update; }
    var p = new URLSearchParams();
    Object.keys(s).sort().forEach(function (k) {
        var v = s[k];
        if (v === null || v === undefined || v === '' || v === false ||
            (Array.isArray(v) && !v.length)) { return; }
        p.set(k, Array.isArray(v) ? v.join(',') : String(v));
    });
    var q = p.toString();
    var url = window.location.pathname + (q ? '?' + q : '');
    if (url !== window.location.pathname + window.location.search) {
        window.history.replaceState(window.history.state, '', url);
    }
    return window.dash_clientside.no_update;
}
"""


def _reset_global_callbacks() -> None:
    """Drop ``dash.callback`` registrations left by an earlier import of the page modules.

    Dash re-executes every page module when an app is created, and page callbacks register
    into a process-wide list that the next app to start consumes. Creating two apps in one
    process (tests, a notebook) would otherwise give the second one duplicate callbacks.
    """
    from dash import _callback

    _callback.GLOBAL_CALLBACK_LIST.clear()
    _callback.GLOBAL_CALLBACK_MAP.clear()
    _callback.GLOBAL_INLINE_SCRIPTS.clear() if hasattr(_callback, "GLOBAL_INLINE_SCRIPTS") \
        else None


def _layout() -> html.Div:
    pages = sorted(dash.page_registry.values(), key=lambda p: (p.get("order") or 0, p["name"]))
    return html.Div([
        shell(pages, dash.page_container),
        html.Div(id="url-sync-sink", hidden=True),
        _loading_banner(),
    ])


def _loading_banner() -> html.Div:
    """While the base opens in the background: a status line; assets/base_loading.js polls
    ``/_intersections/status`` and reloads the page once the base is ready."""
    if not state.is_loading(flask.current_app):
        return html.Div(id="base-loading-done", hidden=True)
    return html.Div(state.LOADING_TEXT, id="base-loading", role="status",
                    className="base-loading")


def _install_status(server: flask.Flask) -> None:
    """``GET /_intersections/status``: is the evidence base still opening? (JSON, no data)."""
    def status() -> flask.Response:
        slot = server.extensions.get("intersections_backend") or {}
        return flask.jsonify(loading=state.is_loading(server),
                             ready=slot.get("backend") is not None,
                             error=slot.get("error") if slot.get("backend") is None else None)

    server.add_url_rule("/_intersections/status", "intersections_status", status)


def create_app(backend: str = "embedded", evidence: str | Path | None = None, *,
               debug: bool = False, sparql_endpoint: bool = True) -> Dash:
    """Build the explorer. ``backend`` is ``embedded`` or ``neo4j``; ``evidence`` a folder."""
    if backend not in ("embedded", "neo4j"):
        raise ValueError(f"unknown backend {backend!r}; use embedded or neo4j")
    _reset_global_callbacks()
    cyto.load_extra_layouts()  # the extra bundle carries the SVG exporter
    app = Dash(
        "explorer",
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        suppress_callback_exceptions=True,
        title="Intersections explorer",
        update_title=None,
        serve_locally=True,
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)
    app.server.config["INTERSECTIONS_DEBUG"] = debug
    state.configure(app.server, backend, str(evidence) if evidence else None)
    linked_data.install(app.server, sparql_endpoint=sparql_endpoint)
    _install_status(app.server)
    app.layout = _layout
    app.clientside_callback(URL_SYNC_JS, Output("url-sync-sink", "children"),
                            Input({"type": "url-state", "page": ALL}, "data"))

    # PNG / SVG export, all in the browser: assets/export.js takes the picture from the graph's
    # Cytoscape instance and adds the title, key and source line before downloading. (Going
    # through dash-cytoscape's generateImage "store" action fails for SVG in 1.0.2: it hands a
    # string to FileReader.readAsDataURL.)
    app.clientside_callback(
        """function (_png, _svg, elements, meta, pngId) {
            var trig = (window.dash_clientside.callback_context.triggered || [])[0];
            if (!trig || !trig.value || !window.intersectionsExport) {
                return window.dash_clientside.no_update;
            }
            var kind = trig.prop_id.indexOf('export-svg') >= 0 ? 'svg' : 'png';
            window.intersectionsExport.fromGraph(pngId.graph, kind, elements, meta);
            return Date.now();
        }""",
        Output({"type": "graph-export", "graph": MATCH}, "data"),
        Input({"type": "export-png", "graph": MATCH}, "n_clicks"),
        Input({"type": "export-svg", "graph": MATCH}, "n_clicks"),
        State({"type": "graph", "graph": MATCH}, "elements"),
        State({"type": "graph-meta", "graph": MATCH}, "data"),
        State({"type": "export-png", "graph": MATCH}, "id"),
        prevent_initial_call=True)

    # Bind the page callbacks to this app now, so a later app in the same process cannot
    # take them (see _reset_global_callbacks).
    with app.server.app_context():
        app._setup_server()
    security.install(app)  # headers, request size cap, 400 for malformed callback requests
    cache.install(app, backend)  # identical clicks in a room answered from memory (embedded)
    return app


def warm(app: Dash) -> str | None:
    """Open the backend now (used by ``intersections serve``); the error text, if any."""
    try:
        state.open_configured(app.server)
    except state.BackendUnavailable as exc:
        return str(exc)
    return None
