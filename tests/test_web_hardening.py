"""Web hardening of the explorer's server (issue 14 item 6): security headers on every
response, a request size cap, and 400 (one log line, no traceback) for malformed callback
payloads. The CSP itself is exercised in Chromium by tests/browser/test_security_headers.py."""

from __future__ import annotations

import json
import logging

import pytest

from explorer.app import create_app
from tests.conftest import MINI

MALFORMED = [
    b"not json at all",
    b"[1, 2, 3]",
    b'{"inputs": []}',
    b'{"output": 42, "inputs": []}',
    b'{"output": "no-such.children", "inputs": []}',
    b'{"output": "url-sync-sink.children", "inputs": "x"}',
    b'{"output": "url-sync-sink.children", "inputs": [{"id": "x"}]}',
    b'{"output": "url-sync-sink.children", "inputs": [], "state": {"a": 1}}',
    b'\xff\xfe\x00',
]


@pytest.fixture(scope="module")
def client():
    return create_app("embedded", MINI).server.test_client()


def test_security_headers_on_pages_and_callbacks(client) -> None:
    for path in ("/", "/explore", "/_dash-layout", "/_dash-dependencies"):
        r = client.get(path)
        assert r.status_code == 200, path
        csp = r.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "'unsafe-eval'" not in csp and "script-src 'self' 'sha256-" in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert r.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_callback_payloads_get_400_without_traceback(
        client, body: bytes, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    r = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert r.status_code == 400
    assert r.get_json()["error"] == "malformed callback request"
    text = "\n".join(rec.getMessage() + (rec.exc_text or "") for rec in caplog.records)
    assert "Traceback" not in text and not any(rec.exc_info for rec in caplog.records)
    assert sum("malformed callback request" in rec.getMessage() for rec in caplog.records) == 1


def test_wrong_inputs_for_a_real_callback_get_400(client, caplog) -> None:
    deps = client.get("/_dash-dependencies").get_json()
    dep = next(d for d in deps if d["inputs"])
    body = {"output": dep["output"], "outputs": {"id": "zzz", "property": "children"},
            "inputs": [{"id": "not-an-input", "property": "value", "value": 1}],
            "changedPropIds": ["not-an-input.value"], "state": []}
    r = client.post("/_dash-update-component", data=json.dumps(body),
                    content_type="application/json")
    assert r.status_code in (200, 204, 400)  # Dash may ignore it; it must never be a 500
    assert not any(rec.exc_info for rec in caplog.records)


def test_request_body_over_the_cap_is_refused(client) -> None:
    r = client.post("/_dash-update-component", data=b"x" * (1024 * 1024 + 1),
                    content_type="application/json")
    assert r.status_code == 413


def test_a_normal_callback_still_answers(client) -> None:
    from benchmarks.explorer_http import _find, payload

    deps = client.get("/_dash-dependencies").get_json()
    r = client.post("/_dash-update-component", json=payload(
        _find(deps, "ev-download.data"), {"ev-csv.n_clicks": 1, "ev-bib.n_clicks": None,
                                          "ev-q.value": "foster"}, "ev-csv.n_clicks"))
    assert r.status_code == 200
