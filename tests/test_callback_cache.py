"""The callback response cache (issue 14 item 7): identical clicks over the embedded base are
answered from memory; downloads, the query console, errors and Neo4j are never cached; the
cache is bounded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks.explorer_http import _find, payload
from explorer.app import create_app
from explorer.cache import ResponseCache
from tests.conftest import MINI


def _search(client: Any, term: str) -> Any:
    deps = client.get("/_dash-dependencies").get_json()
    dep = _find(deps, "explore-hits.children")
    return client.post("/_dash-update-component", json=payload(
        dep, {"explore-search.value": term, "explore-search-go.n_clicks": 0},
        "explore-search.value"))


def test_identical_requests_are_answered_from_memory() -> None:
    app = create_app("embedded", MINI)
    cache = app.server.extensions["intersections_callback_cache"]
    client = app.server.test_client()
    _search(client, "IPV")  # the first data request opens the evidence base (never cached)
    first = _search(client, "DMST")
    assert first.status_code == 200 and b"Domestic minor sex trafficking" in first.data
    hits = cache.hits
    again = _search(client, "DMST")
    assert cache.hits == hits + 1 and again.data == first.data
    assert again.headers["Content-Security-Policy"]  # headers still added to cached answers
    other = _search(client, "foster")
    assert cache.hits == hits + 1 and b"Foster care placement" in other.data


def test_downloads_are_never_cached() -> None:
    app = create_app("embedded", MINI)
    cache = app.server.extensions["intersections_callback_cache"]
    client = app.server.test_client()
    _search(client, "DMST")  # opens the backend
    deps = client.get("/_dash-dependencies").get_json()
    body = payload(_find(deps, "ev-download.data"), {"ev-csv.n_clicks": 1, "ev-q.value": "x"},
                   "ev-csv.n_clicks")
    for _ in range(2):
        assert client.post("/_dash-update-component", json=body).status_code == 200
    assert cache.hits == 0


def test_errors_before_the_base_opens_are_not_cached(tmp_path: Path) -> None:
    app = create_app("embedded", tmp_path)  # an empty folder: refused, shown in the page
    cache = app.server.extensions["intersections_callback_cache"]
    client = app.server.test_client()
    for _ in range(2):
        r = _search(client, "DMST")
        assert r.status_code == 200
    assert cache.hits == 0 and cache.bytes == 0


def test_neo4j_and_switched_off_have_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "intersections_callback_cache" not in create_app("neo4j").server.extensions
    monkeypatch.setenv("INTERSECTIONS_CALLBACK_CACHE", "off")
    assert "intersections_callback_cache" not in create_app("embedded", MINI).server.extensions


def test_cache_is_bounded_least_recently_used_first() -> None:
    c = ResponseCache(max_bytes=100)
    c.put(b"a", b"x" * 40, "application/json")
    c.put(b"b", b"y" * 40, "application/json")
    assert c.get(b"a") is not None  # a is now the most recently used
    c.put(b"c", b"z" * 40, "application/json")
    assert c.get(b"b") is None and c.get(b"a") is not None and c.get(b"c") is not None
    assert c.bytes <= 100
    c.put(b"big", b"w" * 101, "application/json")
    assert c.get(b"big") is None
