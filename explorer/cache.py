"""A response cache for Dash callbacks over the embedded (immutable) evidence base.

In a training room 30–50 people follow the trainer: they open the same node, the same path,
the same gap map within seconds of each other, and every one of those clicks used to cost the
server the full callback (profiled: 60–90 ms of CPU for Paths and Intersections, mostly
building and JSON-encoding the same 100 KB answer). The embedded graph never changes while the
process runs, and every page callback is a pure function of the request body (inputs, state,
which input changed), so an identical body gets the identical answer from memory.

Bounded: at most ``INTERSECTIONS_CALLBACK_CACHE_MB`` (default 32) MB of responses per worker,
least recently used dropped first; only 200 responses up to 1 MB, and only once the evidence
base opened; downloads (they carry the time of export) and the query console (time limits,
busy slots) are never cached. Off for the Neo4j backend (its data can be reloaded under a
running explorer) and when ``INTERSECTIONS_CALLBACK_CACHE=off``.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from typing import Any

import flask
from dash import Dash

MAX_ENTRY = 1024 * 1024
#: Outputs never cached: downloads carry the export time; the query console's answers depend
#: on time limits and busy slots (a timeout must not be replayed).
UNCACHED = ("download", "query-")


def _backend_open(server: flask.Flask) -> bool:
    """Only cache once the evidence base opened (an error page must not be replayed)."""
    slot = server.extensions.get("intersections_backend") or {}
    return slot.get("backend") is not None


class ResponseCache:
    """Thread-safe LRU of response bodies, bounded in total bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = self.misses = 0
        self._data: OrderedDict[bytes, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> tuple[bytes, str] | None:
        with self._lock:
            hit = self._data.get(key)
            if hit is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return hit

    def put(self, key: bytes, body: bytes, mimetype: str) -> None:
        if len(body) > MAX_ENTRY or len(body) > self.max_bytes:
            return
        with self._lock:
            if key in self._data:
                return
            self._data[key] = (body, mimetype)
            self.bytes += len(body)
            while self.bytes > self.max_bytes:
                _, (old, _) = self._data.popitem(last=False)
                self.bytes -= len(old)


def enabled() -> bool:
    return os.environ.get("INTERSECTIONS_CALLBACK_CACHE", "on").strip().lower() not in (
        "off", "0", "false", "no")


def _max_bytes() -> int:
    try:
        mb = float(os.environ.get("INTERSECTIONS_CALLBACK_CACHE_MB", "32"))
    except ValueError:
        mb = 32.0
    return int(max(1.0, mb) * 1024 * 1024)


def install(app: Dash, backend_kind: str) -> ResponseCache | None:
    """Wrap the callback endpoint with the cache (embedded backend only)."""
    if backend_kind != "embedded" or not enabled():
        return None
    server = app.server
    endpoint = next((r.endpoint for r in server.url_map.iter_rules()
                     if r.rule.endswith("_dash-update-component")), None)
    if endpoint is None:
        return None
    cache = ResponseCache(_max_bytes())
    server.extensions["intersections_callback_cache"] = cache
    dispatch = server.view_functions[endpoint]

    def cached_dispatch(*args: Any, **kwargs: Any) -> Any:
        body = flask.request.get_json(silent=True)
        output = body.get("output") if isinstance(body, dict) else None
        if not isinstance(output, str) or any(word in output for word in UNCACHED) or \
                not _backend_open(server):
            return dispatch(*args, **kwargs)
        key = hashlib.blake2b(flask.request.get_data(cache=True), digest_size=20).digest()
        hit = cache.get(key)
        if hit is not None:
            return flask.Response(hit[0], status=200, mimetype=hit[1])
        resp = server.make_response(dispatch(*args, **kwargs))
        if resp.status_code == 200 and not resp.headers.get("Set-Cookie") \
                and not resp.is_streamed:
            cache.put(key, resp.get_data(), resp.mimetype or "application/json")
        return resp

    server.view_functions[endpoint] = cached_dispatch
    return cache
