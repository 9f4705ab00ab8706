"""The Paths page lists every destination, grouped and paged, best evidence first (issue 13)."""

from __future__ import annotations

import json

import pytest

from explorer.app import create_app


@pytest.fixture(scope="module")
def app():
    return create_app("embedded", None)  # the shipped evidence base


def _texts(component) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda o: o.to_plotly_json()
                      if hasattr(o, "to_plotly_json") else str(o))


def test_paths_page_groups_destinations_and_pages_through_all_of_them(app) -> None:
    from explorer.pages import paths

    with app.server.test_request_context("/paths"):
        out = paths.render("risk:foster-care-placement", "Intervention", 4, 0, False, 0, 0, [])
        first_list, span, prev_off, next_off = out[2], out[6], out[7], out[8]
        assert span.startswith(f"Destinations 1–{paths.PAGE_SIZE} of ")
        total = int(span.rsplit(" ", 1)[-1])
        assert total > paths.PAGE_SIZE and prev_off and not next_off
        text = _texts(first_list)
        assert "Safe Harbor Regional Navigators" in text and "No Wrong Door" in text
        last = paths.render("risk:foster-care-placement", "Intervention", 4, 0, False, 0,
                            99, [])
        assert last[6].endswith(f"of {total}") and last[8] and not last[7]
        seen = text + _texts(last[2])
        for page in range(1, (total - 1) // paths.PAGE_SIZE):
            seen += _texts(paths.render("risk:foster-care-placement", "Intervention", 4, 0,
                                        False, 0, page, [])[2])
        assert seen.count('"path-group"') == total  # every destination once, as a heading


def test_paths_page_can_leave_inferred_links_out(app) -> None:
    from explorer.pages import paths

    with app.server.test_request_context("/paths"):
        both = paths.render("int:tvpa", "PreventionStrategy", 1, 0, False, 0, 0, [])
        stated = paths.render("int:tvpa", "PreventionStrategy", 1, 0, False, 0, 0, ["stated"])
        assert "Policies and systems change" in _texts(both[2])
        assert stated[2] is None and "No path" in _texts(stated[3])


def test_lists_page_shows_each_collection_whole_and_one_per_slide(app) -> None:
    from explorer.pages import lists

    c = app.server.test_client()
    assert c.get("/lists").status_code == 200
    with app.server.test_request_context("/lists"):
        body, caption, alert = lists.render(None, False)
        assert alert is None and caption == ""
        text = _texts(html_div(body))
        assert "Red flags of trafficking (CCADV)" in text and "Screening questions" in text
        assert "slides 16-17: Red Flags of Trafficking" in text
        slide, caption, _ = lists.render("coll:ccadv-red-flags", True)
        assert caption.startswith("List ") and " of " in caption
        one = _texts(slide)
        assert "Red flags of trafficking" in one and "Screening questions" not in one
        assert one.count("/explore?node=ind:") == 14  # the fourteen red flags, each linked
    # Back / Next step through the lists, clamped at both ends
    opts = [{"label": "a", "value": "coll:a"}, {"label": "b", "value": "coll:b"}]
    from unittest import mock

    with mock.patch.object(lists, "ctx") as fake:
        fake.triggered_id = "lists-present-next"
        out = lists.presentation(0, 0, 1, True, "coll:a", opts)
        assert out[1] == "coll:b" and out[7] is True and out[6] is False
        fake.triggered_id = "lists-present-prev"
        out = lists.presentation(0, 1, 1, True, "coll:a", opts)
        assert out[1] == "coll:a" and out[6] is True


def html_div(children):
    from dash import html

    return html.Div(children)
