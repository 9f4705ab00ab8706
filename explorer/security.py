"""Web hardening for the explorer's Flask server: headers, a request size cap, clean 400s.

* **Security headers** on every response: a Content-Security-Policy the app passes in Chromium
  (scripts only from the app itself plus the hashes of Dash's own inline scripts; no framing —
  the page carries a Quick exit, and a framed page could hide it), ``X-Content-Type-Options:
  nosniff``, ``Referrer-Policy: no-referrer`` (a URL can name what a survivor looked at),
  ``X-Frame-Options: DENY`` for old browsers, and a Permissions-Policy switching off sensors.
* **Request size cap** (``MAX_CONTENT_LENGTH``, 1 MB, ``INTERSECTIONS_MAX_REQUEST_KB``): a
  larger body gets 413 before it is read.
* **Malformed callback payloads** (not JSON, wrong shape, an output no callback has) get
  ``400`` with a one-line log entry, never a 500 with a traceback per request.

No ``'unsafe-eval'`` and no inline scripts beyond Dash's own (allowed by hash): every page,
the Plotly gap map and the Cytoscape canvases run without them. Styles need
``'unsafe-inline'`` (Dash, Plotly and Cytoscape set inline styles). Checked in real Chromium by
``tests/browser/test_security_headers.py``; a new page that needs more fails there.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import flask
from dash import Dash
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

log = logging.getLogger("explorer.security")

UPDATE_PATH = "_dash-update-component"


def max_request_bytes() -> int:
    try:
        kb = int(os.environ.get("INTERSECTIONS_MAX_REQUEST_KB", "1024"))
    except ValueError:
        kb = 1024
    return max(16, kb) * 1024


def content_security_policy(app: Dash) -> str:
    hashes = " ".join(app.csp_hashes())  # already quoted: 'sha256-…'

    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' {hashes}".strip(),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _bad(reason: str) -> flask.Response:
    log.warning("400 malformed callback request from %s: %s", flask.request.remote_addr,
                reason)
    resp = flask.jsonify({"error": "malformed callback request", "reason": reason})
    resp.status_code = 400
    return resp


def _check_payload(app: Dash, body: Any) -> str | None:
    """Why a ``_dash-update-component`` body is not one the renderer could have sent."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or not output:
        return "'output' is missing or not a string"
    if output not in app.callback_map:
        return "'output' names no callback"
    for key in ("inputs", "state", "changedPropIds"):
        if key in body and not isinstance(body[key], list):
            return f"'{key}' is not a list"
    if not isinstance(body.get("inputs"), list):
        return "'inputs' is missing"
    for item in [*body["inputs"], *(body.get("state") or [])]:
        entries = item if isinstance(item, list) else [item]
        for e in entries:
            if not isinstance(e, dict) or "id" not in e or "property" not in e:
                return "an input or state entry lacks 'id'/'property'"
    return None


def install(app: Dash) -> None:
    """Add the headers, the size cap and the payload check to the app's Flask server."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = max_request_bytes()
    csp: dict[str, str] = {}

    @server.before_request
    def _guard_callbacks() -> flask.Response | None:
        if not flask.request.path.endswith(UPDATE_PATH) or flask.request.method != "POST":
            return None
        try:
            body = flask.request.get_json(force=True, silent=False)
        except RequestEntityTooLarge:
            raise
        except BadRequest:
            return _bad("the body is not JSON")
        reason = _check_payload(app, body)
        return _bad(reason) if reason else None

    @server.after_request
    def _headers(resp: flask.Response) -> flask.Response:
        if "policy" not in csp:  # hashes are known once the app has its callbacks
            csp["policy"] = content_security_policy(app)
        resp.headers.setdefault("Content-Security-Policy", csp["policy"])
        for k, v in HEADERS.items():
            resp.headers.setdefault(k, v)
        return resp

    update = next((name for name, rule in
                   ((r.endpoint, r.rule) for r in server.url_map.iter_rules())
                   if rule.endswith(UPDATE_PATH)), None)
    if update is not None:
        dispatch = server.view_functions[update]

        def guarded_dispatch(*args: Any, **kwargs: Any) -> Any:
            try:
                return dispatch(*args, **kwargs)
            except (KeyError, IndexError, TypeError, AttributeError) as exc:
                # the renderer never sends what makes Dash's own dispatch fail; a crafted
                # request does — answer 400 in one log line instead of a 500 traceback
                return _bad(f"{type(exc).__name__} in callback dispatch: {str(exc)[:120]}")

        server.view_functions[update] = guarded_dispatch
