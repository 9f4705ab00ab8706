"""A citation's own page: ``/evidence/citation/<id>`` (the id with or without ``cite:``).

Bibliographic details with the DOI, the study's design, method, sample, period, analysis and
limits when the documents describe them, the claims stated in it and citing it, and the links
those claims support. Built in ``layout`` from the URL (direct loads and shared links work).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from explorer.components import alert
from explorer.evidence_views import (
    CITE_PREFIX,
    EVIDENCE_PATH,
    citation_view,
    explore_href,
    id_from_path,
)
from explorer.state import BackendUnavailable, get_backend
from graph.backend import UnknownNodeError


def _title(cite_id: str | None = None, **_: Any) -> str:
    return f"Citation {cite_id or ''} · Intersections explorer"


dash.register_page(__name__, path_template="/evidence/citation/<cite_id>", name="Citation",
                   title=_title, hide_from_nav=True, order=42)


def _problem(message: str, node_id: str | None = None) -> html.Div:
    more = [dcc.Link(f"Open {node_id} on Explore", href=explore_href(node_id)), " · "] \
        if node_id else []
    return html.Div([html.H1("Citation not found"), alert(message),
                     html.P([*more, dcc.Link("Back to all evidence", href=EVIDENCE_PATH)])],
                    className="page page-citation")


def layout(cite_id: str | None = None, **_: Any) -> html.Div:
    cid = id_from_path(cite_id, CITE_PREFIX)
    try:
        g = get_backend()
        node = g.node(cid)
        if node.category != "Citation":
            return _problem(f"{cid} is not a citation.", cid)
        info = g.citation(cid)
        claims = g.claims_citing(cid)
        links = g.links_supported_by([c.id for c in claims])
        listed = [li.get("citation") for li in info.properties.get("listed_in") or []]
        titles = {c.id: c.title for c in g.citations([x for x in listed if x])}
    except UnknownNodeError as exc:
        hint = (" Did you mean: " + ", ".join(exc.suggestions) + "?") if exc.suggestions else ""
        return _problem(f"No citation has the id {cid!r}.{hint}")
    except BackendUnavailable as exc:
        return _problem(str(exc))
    return html.Div(citation_view(info, claims, links, titles), className="page page-citation")
