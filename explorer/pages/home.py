"""Home: the first screen. Starting journeys, one per kind of user, each a plain link that opens
a page in the URL state that answers its question (the list is data: assets/journeys.json).

Old links to the Explore page (``/?node=...``, from before Explore moved to ``/explore``) are
sent on to ``/explore`` with their query string, so bookmarks keep working.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import dash
from dash import dcc, html

dash.register_page(__name__, path="/", name="Home", order=-10,
                   title="Intersections explorer")

JOURNEYS_FILE = Path(__file__).resolve().parents[1] / "assets" / "journeys.json"
#: Query parameters that belong to the Explore page (its URL state).
EXPLORE_PARAMS = ("node", "types", "rels", "expand", "sel", "q")


@cache
def journeys() -> tuple[dict[str, str], ...]:
    """The starting journeys: id, who, title, text, href, go (link text)."""
    data = json.loads(JOURNEYS_FILE.read_text(encoding="utf-8"))
    items = tuple(data["journeys"])
    for j in items:
        missing = {"id", "who", "title", "text", "href", "go"} - set(j)
        if missing:
            raise ValueError(f"{JOURNEYS_FILE.name}: journey {j.get('id')!r} lacks {missing}")
        if not j["href"].startswith("/"):
            raise ValueError(f"{JOURNEYS_FILE.name}: journey {j['id']!r} must link inside "
                             "the explorer (href starting with /)")
    return items


def explore_redirect(params: dict[str, Any]) -> str | None:
    """``/explore?...`` for an old Explore URL on ``/``; None when this is the home page."""
    kept = {k: v for k, v in params.items() if k in EXPLORE_PARAMS and v not in (None, "")}
    if not kept:
        return None
    return "/explore?" + urlencode(kept, doseq=True)


def journey_card(j: dict[str, str]) -> html.Li:
    """One journey: the whole card is a single link (one Tab stop, a large click target)."""
    return html.Li(dcc.Link([
        html.Span(j["who"], className="journey-who"),
        html.Span(j["title"], className="journey-title"),
        html.Span(j["text"], className="journey-text"),
        html.Span(j["go"] + " →", className="journey-go", **{"aria-hidden": "true"}),
    ], href=j["href"], className="journey-link", id=f"journey-{j['id']}"),
        className="journey")


def layout(**params: Any) -> html.Div:
    target = explore_redirect(params)
    if target:
        return html.Div([html.P(["This view moved to ", dcc.Link("Explore", href=target), "."]),
                         dcc.Location(id="home-redirect", href=target, refresh=True)],
                        className="page page-home")
    return html.Div([
        html.H1("Where trafficking meets partner violence, sexual violence and child welfare"),
        html.P("A curated evidence base you can search, follow and cite: every link rests on "
               "claims, and every claim names its citations and the document that states it. "
               "Start from a question below, or use the pages in the menu.", className="lead"),
        html.H2("Start here", id="journeys-title"),
        html.Ul([journey_card(j) for j in journeys()], className="journeys",
                **{"aria-labelledby": "journeys-title"}),
        html.H2("Good to know"),
        html.Ul([
            html.Li("Every view lives in its URL: copy the address to share or cite it."),
            html.Li("Graphs have a text list next to them, and PNG/SVG downloads carry a "
                    "title, the key and the source."),
            html.Li("Press Esc (when you are not typing) or the red Quick exit button to leave "
                    "this site at once."),
            html.Li(["What the data is and how to cite it: ", dcc.Link("About", href="/about"),
                     "."]),
        ], className="home-more"),
    ], className="page page-home")
