"""The explorer binds its port at once and opens the evidence base in the background
(explorer/state.py start_loading, issue 17 item 3): pages say "Loading the evidence base…" and
reload when it is ready; a base that fails to open is still shown as an error."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from explorer import state
from explorer.app import create_app

MINI = Path(__file__).parent / "fixtures" / "mini"


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 - local test server
        return r.status, r.read()


def _status(base: str) -> dict[str, Any]:
    return json.loads(_get(base + "/_intersections/status")[1])


@pytest.fixture()
def blocked_open(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Opening the base waits until the test releases it (a slow 100k load, made exact)."""
    import graph.api

    release = threading.Event()
    real = graph.api.open_backend

    def slow(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(graph.api, "open_backend", slow)
    return release


def test_pages_answer_over_http_while_the_base_is_loading(blocked_open: threading.Event) -> None:
    app = create_app("embedded", MINI)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        loader = state.start_loading(app.server)
        assert _status(base) == {"loading": True, "ready": False, "error": None}
        assert _get(base + "/")[0] == 200
        assert _get(base + "/paths")[0] == 200
        layout = _get(base + "/_dash-layout")[1].decode()
        assert '"base-loading"' in layout and "Loading the evidence base" in layout
        # a page's own content says so too, instead of waiting for the load
        with app.server.test_request_context("/about"):
            text = json.dumps(sys.modules["explorer.pages.about"].layout().to_plotly_json(),
                              default=str)
        assert "Loading the evidence base" in text
        assert loader.is_alive()

        blocked_open.set()
        loader.join(60)
        assert _status(base) == {"loading": False, "ready": True, "error": None}
        layout = _get(base + "/_dash-layout")[1].decode()
        assert '"base-loading"' not in layout
        with app.server.test_request_context("/about"):
            text = json.dumps(sys.modules["explorer.pages.about"].layout().to_plotly_json(),
                              default=str)
        assert "Loading the evidence base" not in text
    finally:
        blocked_open.set()
        server.shutdown()


def test_a_base_that_fails_to_open_is_still_an_error_in_the_page(tmp_path: Path) -> None:
    app = create_app("embedded", tmp_path / "does-not-exist")
    errors: list[str] = []
    state.start_loading(app.server, on_error=errors.append).join(60)
    assert errors and ("could not be opened" in errors[0] or "problem" in errors[0])
    c = app.server.test_client()
    status = json.loads(c.get("/_intersections/status").data)
    assert status["loading"] is False and status["ready"] is False and status["error"]
    with app.server.test_request_context("/about"):
        text = json.dumps(sys.modules["explorer.pages.about"].layout().to_plotly_json(),
                          default=str)
    assert "Loading the evidence base" not in text
    assert "could not be opened" in text or "problem" in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_binds_the_port_and_reports_ready(tmp_path: Path) -> None:
    """The real command: the port answers, the status turns ready, the first page renders."""
    port = _free_port()
    env = {**os.environ, "INTERSECTIONS_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port),
                             "--evidence", str(MINI)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        seen: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            try:
                seen.append(_status(base))
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.2)
                continue
            if seen[-1]["ready"]:
                break
            time.sleep(0.2)
        assert seen and seen[-1]["ready"], seen
        assert _get(base + "/")[0] == 200
    finally:
        proc.terminate()
        proc.wait(30)
