"""The app factory, error display, the CLI command and the WSGI entry (no browser)."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from typer.testing import CliRunner

from explorer.app import create_app
from explorer.components import guarded
from explorer.params import as_int, csv_list

MINI = Path(__file__).parent / "fixtures" / "mini"
PAGES = ("/", "/paths", "/intersections", "/gaps", "/evidence", "/about")


def _deps(app) -> list[dict]:
    return json.loads(app.server.test_client().get("/_dash-dependencies").data)


def test_nothing_is_loaded_at_import_or_app_creation(monkeypatch):
    import graph.api

    calls = []
    monkeypatch.setattr(graph.api, "open_backend", lambda *a, **k: calls.append(a))
    for m in [m for m in sys.modules if m.startswith("explorer")]:
        del sys.modules[m]
    importlib.import_module("explorer.wsgi")
    importlib.import_module("explorer.app").create_app("embedded", MINI)
    assert calls == []


def test_two_apps_in_one_process_each_get_the_page_callbacks_once():
    a, b = create_app("embedded", MINI), create_app("embedded", MINI)
    da, db = _deps(a), _deps(b)
    assert len(da) == len(db) > 10
    outputs = [d["output"] for d in db]
    assert len(outputs) == len(set(outputs))


def test_pages_render_and_nav_lists_registry_pages():
    app = create_app("embedded", MINI)
    c = app.server.test_client()
    for p in PAGES:
        assert c.get(p).status_code == 200
    layout = json.dumps(json.loads(c.get("/_dash-layout").data))
    for name in ("Explore", "Paths", "Intersections", "Service gaps", "Evidence", "About"):
        assert f'"{name}"' in layout
    assert "Quick exit" in layout and "1-888-373-7888" in layout and "1-800-799-7233" in layout
    assert app.server.config.get("INTERSECTIONS_DEBUG") is False


def test_unreachable_backend_is_a_message_in_the_page(tmp_path):
    app = create_app("embedded", tmp_path / "does-not-exist")
    c = app.server.test_client()
    # the page layouts catch the failure and show it (module already executed by Dash)
    with app.server.test_request_context("/about"):
        mod = sys.modules["explorer.pages.about"]
        text = json.dumps(mod.layout().to_plotly_json(), default=str)
    assert "could not be opened" in text or "problem" in text
    assert c.get("/about").status_code == 200


def test_guarded_turns_exceptions_into_an_alert_and_keeps_other_outputs():
    from dash import no_update

    @guarded(3)
    def boom():
        raise ValueError("no node with id 'x:y'")

    out = boom()
    assert out[0] is no_update and out[1] is no_update
    assert "no node with id" in json.dumps(out[2].to_plotly_json())
    assert out[2].role == "alert"


def test_url_params_parse():
    assert csv_list("a,b,,a") == ["a", "b"] and csv_list(["a", "b,c"]) == ["a", "b", "c"]
    assert csv_list(None) == []
    assert as_int("9", 4, 1, 6) == 6 and as_int("x", 4) == 4


def test_serve_command_defaults_to_localhost(monkeypatch):
    import cli.serve
    from cli import app

    seen = {}
    monkeypatch.setattr(cli.serve, "serve",
                        lambda *a, **k: seen.update(args=a, kwargs=k))
    res = CliRunner().invoke(app, ["serve", "--evidence", str(MINI)])
    assert res.exit_code == 0, res.output
    host, port, backend, evidence, debug = seen["args"]
    assert (host, port, backend, debug) == ("127.0.0.1", 8050, "embedded", False)
    assert seen["kwargs"] == {"sparql_endpoint": True}
    res = CliRunner().invoke(app, ["serve", "--no-sparql-endpoint"])
    assert res.exit_code == 0, res.output
    assert seen["kwargs"] == {"sparql_endpoint": False}
    bad = CliRunner().invoke(app, ["serve", "--backend", "nope"])
    assert bad.exit_code == 2
    seen.clear()
    res = CliRunner().invoke(app, ["serve", "--backend", "networkx"])
    assert res.exit_code == 0, res.output
    assert seen["args"][2] == "networkx"


def test_wsgi_server_is_built_from_environment(monkeypatch):
    monkeypatch.setenv("INTERSECTIONS_EVIDENCE", str(MINI))
    import explorer.wsgi as w

    monkeypatch.setattr(w, "_app", None)
    server = w.server
    assert server.config["INTERSECTIONS_EVIDENCE"] == str(MINI)
    assert server.test_client().get("/paths").status_code == 200
