"""A claim's own page: ``/evidence/claim/<id>`` (the id with or without its ``claim:`` prefix).

Statement, figures, each citation with its DOI, the source document and locator, quality flags
with their explanation, what the claim is about and the links it supports (each end opens
Explore). The page is built in ``layout`` from the URL alone, so a direct load, a reload and a
shared link all show the same thing. Views come from :mod:`explorer.evidence_views`.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from explorer.components import alert
from explorer.evidence_views import (
    CLAIM_PREFIX,
    EVIDENCE_PATH,
    claim_view,
    explore_href,
    id_from_path,
)
from explorer.state import BackendUnavailable, get_backend
from graph.backend import UnknownNodeError


def _title(claim_id: str | None = None, **_: Any) -> str:
    return f"Claim {claim_id or ''} · Intersections explorer"


dash.register_page(__name__, path_template="/evidence/claim/<claim_id>", name="Claim",
                   title=_title, hide_from_nav=True, order=41)


def _problem(message: str, node_id: str | None = None) -> html.Div:
    more = [dcc.Link(f"Open {node_id} on Explore", href=explore_href(node_id)), " · "] \
        if node_id else []
    return html.Div([html.H1("Claim not found"), alert(message),
                     html.P([*more, dcc.Link("Back to all evidence", href=EVIDENCE_PATH)])],
                    className="page page-claim")


def layout(claim_id: str | None = None, **_: Any) -> html.Div:
    cid = id_from_path(claim_id, CLAIM_PREFIX)
    try:
        g = get_backend()
        found = g.claims([cid])
        if not found:
            g.node(cid)  # raises UnknownNodeError with the nearest ids
            return _problem(f"{cid} is not a claim.", cid)
        claim = found[0]
        links = g.links_supported_by([claim.id])
    except UnknownNodeError as exc:
        hint = (" Did you mean: " + ", ".join(exc.suggestions) + "?") if exc.suggestions else ""
        return _problem(f"No claim has the id {cid!r}.{hint}")
    except BackendUnavailable as exc:
        return _problem(str(exc))
    return html.Div(claim_view(claim, links), className="page page-claim")
