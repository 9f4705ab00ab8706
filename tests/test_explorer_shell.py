"""The explorer shell without a browser: wording of counts, the home page's journeys and
redirect, the export key's shapes, errors that replace stale results."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from dash import no_update

from explorer.components import alert, export_meta, guarded
from explorer.theme import SHAPE_POLYGONS, export_key, shape_points
from explorer.wording import noun, plural


@pytest.mark.parametrize(("n", "one", "want"), [
    (0, "claim", "0 claims"), (1, "claim", "1 claim"), (2, "claim", "2 claims"),
    (1, "intervention", "1 intervention"), (3, "intervention", "3 interventions"),
    (2, "study", "2 studies"), (2, "strategy", "2 strategies"), (2, "day", "2 days"),
    (2, "match", "2 matches"), (1200, "citation", "1,200 citations"),
    (2, "more claim", "2 more claims"),
])
def test_plural(n, one, want):
    assert plural(n, one) == want


def test_plural_override_and_noun():
    assert plural(2, "person", "people") == "2 people"
    assert noun(1, "hop") == "hop" and noun(5, "hop") == "hops"


def _home():
    from explorer.app import create_app  # registers the pages
    create_app("embedded")
    from explorer.pages import home
    return home


def test_journeys_cover_each_user_and_link_inside_the_explorer():
    home = _home()
    js = home.journeys()
    ids = {j["id"] for j in js}
    assert {"foster-care", "ipv-vs-st", "gap-map", "survival-sex"} <= ids
    hrefs = {j["id"]: urlparse(j["href"]) for j in js}
    assert hrefs["foster-care"].path == "/paths"
    assert parse_qs(hrefs["foster-care"].query) == {"from": ["risk:foster-care-placement"],
                                                    "to": ["Intervention"]}
    assert parse_qs(hrefs["ipv-vs-st"].query)["a"] == ["harm:intimate-partner-violence"]
    assert parse_qs(hrefs["ipv-vs-st"].query)["b"] == ["harm:sex-trafficking"]
    assert hrefs["gap-map"].path == "/gaps"
    assert parse_qs(hrefs["survival-sex"].query)["q"] == ["survival sex"]
    import dash
    paths = {p["path"] for p in dash.page_registry.values()}
    assert all(h.path in paths for h in hrefs.values())


def test_old_explore_urls_redirect_and_the_home_page_does_not():
    home = _home()
    assert home.explore_redirect({}) is None
    assert home.explore_redirect({"unrelated": "1"}) is None
    url = home.explore_redirect({"node": "risk:running-away", "sel": "harm:x", "other": "y"})
    assert urlparse(url).path == "/explore"
    assert parse_qs(urlparse(url).query) == {"node": ["risk:running-away"], "sel": ["harm:x"]}


def test_shape_points_draw_every_legend_shape_in_the_unit_square():
    for shape in SHAPE_POLYGONS:
        pts = shape_points(shape)
        assert len(pts) >= 3
        assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in pts), shape
    assert shape_points("diamond") == [(0.5, 0.0), (1.0, 0.5), (0.5, 1.0), (0.0, 0.5)]
    assert len(shape_points("ellipse")) == 24


def test_export_meta_carries_label_key_and_source():
    meta = export_meta("Paths graph")
    assert meta["label"] == "Paths graph"
    assert meta["source"].startswith("Source: Intersections evidence base, version ")
    assert [k["category"] for k in meta["key"]] == [k["category"] for k in export_key()]
    assert all(k["label"] and k["color"].startswith("#") for k in meta["key"])


def test_guarded_clear_replaces_stale_outputs_with_the_error():
    @guarded(3, clear=True)
    def failing() -> tuple:
        raise ValueError("Bad query: line 1")

    @guarded(3)
    def failing_keep() -> tuple:
        raise ValueError("Bad query: line 1")

    out = failing()
    assert out[0] is None and out[1] is None
    assert out[2].children == alert("Bad query: line 1").children
    kept = failing_keep()
    assert kept[0] is no_update and kept[1] is no_update


def test_labels_name_pattern_matching_controls_by_their_dom_id():
    from explorer.components import dom_id, labelled

    assert dom_id("query-run") == "query-run"
    assert dom_id({"type": "query-param", "name": "x"}) == '{"name":"x","type":"query-param"}'
    box = labelled("X", {"type": "query-param", "name": "x"}, None)
    assert box.children[0].htmlFor == '{"name":"x","type":"query-param"}'
