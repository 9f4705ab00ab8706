"""Downloads carry the sources they rest on (through Dash's own callback endpoint)."""

from __future__ import annotations

from typing import Any

from benchmarks.explorer_http import _find, payload
from explorer.app import create_app
from tests.conftest import MINI


def _call(client: Any, deps: list[dict[str, Any]], output: str, values: dict[str, Any],
          changed: str) -> dict[str, Any]:
    r = client.post("/_dash-update-component", json=payload(_find(deps, output), values, changed))
    assert r.status_code == 200, r.data[:300]
    return r.get_json()["response"]


def test_gap_map_and_claims_csv_start_with_their_sources() -> None:
    app = create_app("embedded", MINI)
    client = app.server.test_client()
    deps = client.get("/_dash-dependencies").get_json()
    gaps = _call(client, deps, "gaps-download.data", {
        "gaps-csv.n_clicks": 1, "gaps-csv-long.n_clicks": None, "gaps-rows.value": "Harm",
        "gaps-cols.value": "PreventionStrategy", "gaps-via.value": "Intervention",
        "gaps-top.value": []}, "gaps-csv.n_clicks")
    text = gaps["gaps-download"]["data"]["content"]
    head = [line for line in text.splitlines() if line.startswith("#")]
    assert head[0].startswith("# Intersections service-gap map: Harm x PreventionStrategy")
    assert any("cite:doc-brief" in line for line in head)
    assert any(line.startswith("# How to cite") for line in head)
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert body[0].startswith("row_id,row_label")

    ev = _call(client, deps, "ev-download.data", {
        "ev-csv.n_clicks": 1, "ev-bib.n_clicks": None, "ev-q.value": "foster"},
        "ev-csv.n_clicks")
    text = ev["ev-download"]["data"]["content"]
    assert text.startswith("# Intersections claims export: 1 claim")
    assert "cite:smith-2017" in text and "cite:lee-2019" in text
    assert "claim:foster-care-raises-risk" in text.split("\n# How to cite")[1]
