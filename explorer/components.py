"""Reusable pieces of the page: site shell, safety footer, legend, alerts, evidence cards.

Functions here build Dash components from plain data (no backend, no callbacks), so they are
unit-tested like :mod:`explorer.elements`.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

import dash_cytoscape as cyto
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from explorer.elements import statistic_text
from explorer.evidence_views import claim_href, evidence_page_link
from explorer.layout import MIN_ZOOM, NARROW_WIDTH
from explorer.theme import export_key, legend_items, stylesheet, type_label
from explorer.wording import plural
from graph.models import CitationInfo, ClaimInfo, Node, NodeRef
from ontology.schema import QUALITY_FLAGS, flag_explanation

log = logging.getLogger(__name__)

#: Where the quick-exit control sends the browser (a neutral page, replacing this one).
QUICK_EXIT_URL = "https://weather.com/"

HOTLINES: tuple[dict[str, str], ...] = (
    {"name": "National Human Trafficking Hotline", "call": "1-888-373-7888",
     "tel": "+18883737888", "text": "Text 233733", "web": "https://humantraffickinghotline.org"},
    {"name": "National Domestic Violence Hotline", "call": "1-800-799-7233",
     "tel": "+18007997233", "text": "Text START to 88788", "web": "https://www.thehotline.org"},
    {"name": "National Sexual Assault Hotline (RAINN)", "call": "1-800-656-4673",
     "tel": "+18006564673", "text": "", "web": "https://www.rainn.org"},
    {"name": "Childhelp National Child Abuse Hotline", "call": "1-800-422-4453",
     "tel": "+18004224453", "text": "", "web": "https://www.childhelphotline.org"},
)

#: Flag → "Label: explanation", from the one table in the ontology layer (ontology.schema).
FLAG_TEXT = {name: flag_explanation(name) for name in QUALITY_FLAGS}


# --------------------------------------------------------------------------- shell
def quick_exit() -> html.A:
    """Always-visible control that leaves the site at once (JS replaces the history entry;
    without JS the link still navigates away). Esc does the same when the user is not typing
    and no menu is open (the rule is in assets/quick_exit.js and the README)."""
    return html.A("Quick exit", href=QUICK_EXIT_URL, id="quick-exit", className="quick-exit",
                  rel="noreferrer noopener",
                  title="Leave this site now (or press Esc when you are not typing)",
                  **{"data-quick-exit": "1", "aria-label": "Quick exit: leave this site now"})


def navigation(pages: Sequence[dict[str, Any]]) -> html.Nav:
    """The main menu; assets/nav.js marks the link of the page on screen aria-current="page"
    (it follows client-side navigation, which a server-rendered attribute would not)."""
    links = [html.Li(dcc.Link(p["name"], href=p["relative_path"], className="nav-link"))
             for p in pages if not p.get("hide_from_nav")]
    return html.Nav(html.Ul(links, className="nav-list"), className="site-nav",
                    **{"aria-label": "Main"})


def hotline_footer() -> html.Footer:
    items = []
    for h in HOTLINES:
        parts: list[Any] = [html.Strong(h["name"]), ": call ",
                            html.A(h["call"], href=f"tel:{h['tel']}")]
        if h["text"]:
            parts += [" · ", h["text"]]
        parts += [" · ", html.A("website", href=h["web"], rel="noreferrer noopener",
                                target="_blank",
                                **{"aria-label": f"{h['name']} website"})]
        items.append(html.Li(parts))
    return html.Footer([
        html.H2("Need help now?", className="footer-title"),
        html.P("Free, confidential, 24/7 in the United States. If you are in immediate danger, "
               "call 911."),
        html.Ul(items, className="hotlines"),
        html.P("Safety note: your browser may keep a history of the pages you visit. Use a "
               "private window, or press Esc or 'Quick exit' to leave this site at once.",
               className="safety-note"),
    ], className="site-footer", id="site-footer")


def shell(pages: Sequence[dict[str, Any]], content: Any) -> html.Div:
    return html.Div([
        html.A("Skip to main content", href="#main", className="skip-link"),
        quick_exit(),
        html.Header([
            html.Div([dcc.Link("Intersections", href="/", className="brand"),
                      html.Span("Evidence on how trafficking meets partner violence, sexual "
                                "violence and child welfare", className="tagline")],
                     className="brand-block"),
            navigation(pages),
        ], className="site-header"),
        html.Main(content, id="main", tabIndex="-1"),
        html.Div("Working…", id="busy", className="busy", role="status", hidden=True),
        hotline_footer(),
    ], className="site")


# --------------------------------------------------------------------------- feedback
def alert(message: str, kind: str = "error") -> html.Div:
    """A message in the page (never a blank screen)."""
    return html.Div(message, className=f"alert alert-{kind}",
                    role="alert" if kind == "error" else "status")


def notice(message: str) -> html.Div:
    return alert(message, "info")


def guarded(n_outputs: int, alert_index: int = -1, *,
            clear: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a callback so any failure becomes an alert in its alert output.

    The other outputs are left unchanged, or emptied with ``clear=True`` (for result views:
    an error must replace the previous results, not sit next to them as if they answered the
    new request). User mistakes (unknown id, bad filter) and an unreachable backend get their
    own message, anything else a generic one (logged).
    """
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from explorer.state import BackendUnavailable
            from loaders.errors import IntersectionsError

            try:
                return fn(*args, **kwargs)
            except PreventUpdate:
                raise
            except (BackendUnavailable, IntersectionsError, ValueError, KeyError) as exc:
                msg = str(exc).strip("'\"")
            except Exception as exc:  # noqa: BLE001 - shown in the page, details in the log
                log.exception("callback %s failed", fn.__name__)
                msg = (f"Something went wrong while preparing this view ({type(exc).__name__}). "
                       "Try again, or narrow the view.")
            out = [None if clear else no_update] * n_outputs
            out[alert_index] = alert(msg)
            return tuple(out) if n_outputs > 1 else out[0]
        return wrapper
    return deco


# --------------------------------------------------------------------------- graphs
def legend(categories: Sequence[str] | None = None) -> html.Div:
    """Colour + shape key; the shape swatch is decoration, the text carries the meaning."""
    return html.Div([
        html.H3("Key", className="legend-title"),
        html.Ul([html.Li([html.Span(className="swatch", **{"aria-hidden": "true"},
                                    style={"backgroundColor": i["color"],
                                           "clipPath": i["clip"]}),
                          html.Span(i["label"])], className="legend-item")
                 for i in legend_items(list(categories) if categories else None)],
                className="legend-list"),
        html.Ul([html.Li([html.Span(className="swatch-line", **{"aria-hidden": "true"},
                                    style={"borderTop": f"3px {style} #333333",
                                           "width": "28px", "display": "inline-block"}),
                          html.Span(text)], className="legend-item")
                 for style, text in LINE_KEY], className="legend-list legend-lines"),
    ], className="legend", **{"aria-label": "Key to node colours and shapes"})


#: Line styles in the graphs (assets/cytoscape_base.json) and what they mean.
LINE_KEY = (("solid", "Link a source document states (thicker: backed by claims)"),
            ("dashed", "Link inferred by the curators (no document states it)"),
            ("dotted", "“+ n more”: neighbours of one type not drawn (select to draw them)"))


def graph(graph_id: str, *, height: str = "560px", elements: list | None = None,
          layout: dict | None = None, large: bool = False, label: str = "") -> html.Div:
    """A Cytoscape view with PNG / SVG export buttons; the page pairs it with a list view."""
    return html.Div([
        html.Div([
            html.Button("Download PNG", id={"type": "export-png", "graph": graph_id},
                        className="btn btn-small", n_clicks=0),
            html.Button("Download SVG", id={"type": "export-svg", "graph": graph_id},
                        className="btn btn-small", n_clicks=0),
        ], className="graph-tools", role="toolbar",
            **{"aria-label": f"{label or 'Graph'} tools"}),
        html.Div(cyto.Cytoscape(
            id={"type": "graph", "graph": graph_id}, elements=elements or [],
            layout=layout or {"name": "preset"},
            stylesheet=stylesheet(large=large), style={"width": "100%", "height": height},
            # never zoomed out so far that a label drops below 12 px (20 px presenting);
            # views too big for that are summarised, see explorer.layout
            minZoom=MIN_ZOOM, maxZoom=1.6, responsive=True,
            boxSelectionEnabled=False),
            className="graph-canvas", role="img",
            **{"aria-label": (label or "Graph") + ". The same content is listed as text "
                             "next to the graph."}),
        # what assets/export.js adds around a downloaded PNG/SVG: title, key, source line
        dcc.Store(id={"type": "graph-meta", "graph": graph_id}, data=export_meta(label)),
        dcc.Store(id={"type": "graph-export", "graph": graph_id}),
    ], className="graph-box")


def export_meta(label: str) -> dict[str, Any]:
    """Title, key rows and source line for a graph's image export (see assets/export.js)."""
    from graph.provenance import PROJECT_TITLE, PROJECT_VERSION

    return {"label": label or "Graph", "key": export_key(),
            "source": f"Source: {PROJECT_TITLE} evidence base, version {PROJECT_VERSION} "
                      "(each link rests on curated claims; see the explorer's About page "
                      "for how to cite)"}


# --------------------------------------------------------------------------- evidence
def citation_item(c: CitationInfo) -> html.Li:
    bits: list[Any] = [html.Span(c.short(), className="cite-short"), " ",
                       html.Span(c.title, className="cite-title")]
    if c.venue:
        bits += [". ", html.Em(c.venue)]
    if c.doi_url:
        bits += [" ", html.A(f"doi:{c.doi}", href=c.doi_url, target="_blank",
                             rel="noreferrer noopener")]
    elif c.url:
        bits += [" ", html.A("link", href=c.url, target="_blank", rel="noreferrer noopener",
                             **{"aria-label": f"Link to {c.title}"})]
    return html.Li(bits)


def flag_badges(flags: Sequence[str]) -> list[html.Span]:
    return [html.Span(QUALITY_FLAGS[f].label if f in QUALITY_FLAGS else f,
                      className=f"badge badge-{f}", title=FLAG_TEXT.get(f, f))
            for f in flags]


def claim_card(c: ClaimInfo) -> html.Article:
    """A claim with its numbers, citations (DOI links), source document, locator and flags."""
    body: list[Any] = [html.P([html.Span(c.statement), " ", *flag_badges(c.flags)],
                              className="claim-statement")]
    if c.statistics:
        body.append(html.Ul([html.Li(statistic_text(s)) for s in c.statistics],
                            className="claim-numbers", **{"aria-label": "Numbers"}))
    if c.citations:
        body.append(html.Div([html.Span("Citations", className="mini-head"),
                              html.Ul([citation_item(ci) for ci in c.citations],
                                      className="citations")]))
    else:
        body.append(html.P("No citation given in the source document.",
                           className="no-citation"))
    src = c.stated_in.title if c.stated_in else "unknown source document"
    body.append(html.P(["Stated in ", html.Strong(src),
                        f", {c.locator}" if c.locator else "",
                        f" · evidence: {c.evidence_kind.replace('_', ' ')}"
                        if c.evidence_kind != "unknown" else " · kind of evidence not stated"],
                       className="claim-source"))
    for f in c.flags:
        if f in FLAG_TEXT:
            body.append(html.P(FLAG_TEXT[f], className=f"flag-note flag-{f}"))
    if c.note and "contested" in c.flags:  # why it is contested, in the curators' words
        body.append(html.P(["Why contested: ", c.note], className="flag-note contested-why"))
    body.append(html.P(dcc.Link("Open the claim's page", href=claim_href(c.id),
                                title=f"Everything about claim {c.id}"), className="claim-open"))
    return html.Article(body, className="claim-card", id=f"claim-{c.id}")


#: Claim cards the side panel draws at most (the Evidence page lists every claim): each card
#: is a dozen Dash components, and 25 of them cost ~1 s of main-thread time (BENCHMARKS.md).
MAX_PANEL_CLAIMS = 10


def collection_list(node: Node, members: Sequence[NodeRef]) -> list[Any]:
    """A collection's list as the document orders it: its own items, then linked entries."""
    items = node.properties.get("items") or []
    out: list[Any] = [html.H3("The list, in the document's order")]
    if items:
        out.append(html.Ol([html.Li(t) for t in items], className="collection-items"))
    if members:
        out.append(html.Ol([html.Li(ref_link(m)) for m in members],
                           className="collection-members",
                           **{"aria-label": f"Items of {node.label}"}))
    return out


def node_panel(node: Node, claims: Sequence[ClaimInfo], *, n_links: int = 0,
               expanded: bool = False, members: Sequence[NodeRef] = (),
               lists: Sequence[NodeRef] = ()) -> html.Div:
    """Side panel: definition, synonyms, a collection's list (or the lists a node is on),
    sources, evidence, and the 'expand' control."""
    parts: list[Any] = [
        html.P(type_label(node.category), className="panel-type"),
        html.H2(node.label, className="panel-title"),
    ]
    if node.definition:
        parts.append(html.P(node.definition, className="definition"))
    if node.alt_labels:
        parts.append(html.P(["Also called: ", ", ".join(node.alt_labels)],
                            className="synonyms"))
    if node.category == "Collection":
        parts += collection_list(node, members)
    if lists:
        parts.append(html.P(["On the list" + ("s" if len(lists) > 1 else "") + ": ",
                             *[x for i, ref in enumerate(lists)
                               for x in ((", ",) if i else ()) + (ref_link(ref),)]],
                            className="on-lists"))
    parts.append(html.Div([
        html.Button("Show this node's links" if not expanded else "Links shown",
                    id="explore-expand", className="btn", n_clicks=0, disabled=expanded),
        html.Button("Centre the graph here", id="explore-center", className="btn btn-secondary",
                    n_clicks=0, disabled=expanded and n_links == 0),
        dcc.Link("Paths from here", href=f"/paths?from={node.id}", className="btn btn-link"),
    ], className="panel-actions"))
    parts.append(html.P(f"{n_links} links · id {node.id}", className="muted"))
    page = evidence_page_link(node)  # citations and claims have their own pages
    if page is not None:
        parts.append(page)
    parts.append(html.H3(f"Evidence ({plural(len(claims), 'claim')})"))
    if claims:
        # a hub can carry hundreds of claims; hundreds of cards cost the browser seconds
        parts += [claim_card(c) for c in claims[:MAX_PANEL_CLAIMS]]
        if len(claims) > MAX_PANEL_CLAIMS:
            more = plural(len(claims) - MAX_PANEL_CLAIMS, "more claim")
            parts.append(html.P(f"{more}: open the "
                                "Evidence page and search for this node to read them all.",
                                className="muted"))
    else:
        parts.append(html.P("No claims are linked to this node yet.", className="muted"))
    if node.sources:
        parts.append(html.H3("Defined in"))
        parts.append(html.Ul([html.Li(f"{s.get('citation')}"
                                      + (f", {s.get('locator')}" if s.get("locator") else ""))
                              for s in node.sources], className="sources"))
    return html.Div(parts, className="node-panel-body")


def ref_link(ref: NodeRef) -> dcc.Link:
    """Link that opens a node on the Explore page."""
    return dcc.Link(ref.label, href=f"/explore?node={ref.id}",
                    title=f"{type_label(ref.category)}: {ref.id}")


# --------------------------------------------------------------------------- controls
def node_options(refs: Sequence[NodeRef], with_type: bool = True) -> list[dict[str, str]]:
    """Dropdown options: label (type) → id; searchable by label, type and id."""
    return [{"label": f"{r.label} ({type_label(r.category)})" if with_type else r.label,
             "value": r.id, "search": f"{r.label} {r.id}"} for r in refs]


def dom_id(control_id: str | dict[str, Any]) -> str:
    """The DOM id Dash gives a component: a pattern-matching (dict) id becomes its JSON with
    sorted keys and no spaces, which is what a ``<label for>`` must name."""
    if isinstance(control_id, dict):
        return json.dumps(control_id, sort_keys=True, separators=(",", ":"))
    return control_id


def labelled(label: str, control_id: str | dict[str, Any], control: Any,
             hint: str | None = None) -> html.Div:
    parts = [html.Label(label, htmlFor=dom_id(control_id), className="label"), control]
    if hint:
        parts.append(html.Span(hint, className="muted"))
    return html.Div(parts, className="control")


def select(control_id: str, options: Sequence[dict[str, str]], value: str | None) -> dcc.Dropdown:
    return dcc.Dropdown(id=control_id, options=list(options), value=value, clearable=False,
                        searchable=True, className="dropdown")


def present_bar(page: str, present: bool, step: int) -> html.Div:
    """Presentation controls: toggle, Back / Next (arrow keys work too), step caption."""
    return html.Div([
        html.Button("Exit presentation" if present else "Present",
                    id=f"{page}-present-toggle", className="btn btn-secondary", n_clicks=0,
                    **{"aria-pressed": "true" if present else "false"}),
        html.Button("◀ Back", id=f"{page}-present-prev", className="btn", n_clicks=0,
                    hidden=not present, disabled=step <= 0),
        html.Button("Next ▶", id=f"{page}-present-next", className="btn", n_clicks=0,
                    hidden=not present),
        html.Span(id=f"{page}-step-caption", className="step-caption",
                  **{"aria-live": "polite"}),
        dcc.Store(id=f"{page}-present", data=present),
        dcc.Store(id=f"{page}-step", data=step),
        # how many steps the current view has (written by the page's render callback)
        dcc.Store(id=f"{page}-nsteps"),
        # True on a narrow window (a phone): Present stacks its views (see
        # register_presentation)
        dcc.Store(id=f"{page}-narrow", data=False),
    ], className="present-bar")


def register_presentation(page: str, root_class: str, graph_id: dict[str, str],
                          last_step: int) -> None:
    """The toggle / Back / Next callback of a page's presentation bar (see :func:`present_bar`).

    Toggling resets to step 0; Back/Next move within the steps the view has (``{page}-nsteps``,
    at most ``last_step + 1``) and are disabled at the ends; a step from the URL beyond the
    end is clamped. Presenting switches the graph to the large-type stylesheet and hides the
    site chrome (CSS class ``presenting``).
    """

    # the window's width decides the presentation's shape (a phone gets stacked views with
    # fewer items); read in the browser when presenting starts, sent only when it changes
    clientside_callback(
        "function (present, narrow) { var n = window.innerWidth < " + str(NARROW_WIDTH) + ";"
        " return n === !!narrow ? window.dash_clientside.no_update : n; }",
        Output(f"{page}-narrow", "data"), Input(f"{page}-present", "data"),
        State(f"{page}-narrow", "data"))

    @callback(Output(f"{page}-present", "data"), Output(f"{page}-step", "data"),
              Output(f"{page}-root", "className"), Output(f"{page}-present-toggle", "children"),
              Output(f"{page}-present-prev", "hidden"), Output(f"{page}-present-next", "hidden"),
              Output(graph_id, "stylesheet"),
              Input(f"{page}-present-toggle", "n_clicks"),
              Input(f"{page}-present-prev", "n_clicks"),
              Input(f"{page}-present-next", "n_clicks"),
              State(f"{page}-present", "data"), State(f"{page}-step", "data"),
              State(f"{page}-nsteps", "data"),
              prevent_initial_call=True)
    def presentation(_t: int, _p: int, _n: int, present: bool,
                     step: int, nsteps: int | None) -> tuple[Any, ...]:
        trig = ctx.triggered_id
        step = step or 0
        last = min(last_step, (nsteps or last_step + 1) - 1)
        if trig == f"{page}-present-toggle":
            present, step = not present, 0
        elif trig == f"{page}-present-prev":
            step = max(0, step - 1)
        elif trig == f"{page}-present-next":
            step = max(0, min(step + 1, last))
        return (present, step, root_class + (" presenting" if present else ""),
                "Exit presentation" if present else "Present", not present, not present,
                stylesheet(large=present))

    @callback(Output(f"{page}-step", "data", allow_duplicate=True),
              Output(f"{page}-present-prev", "disabled"),
              Output(f"{page}-present-next", "disabled"),
              Input(f"{page}-nsteps", "data"), Input(f"{page}-step", "data"),
              prevent_initial_call=True)
    def bounds(nsteps: int | None, step: int | None) -> tuple[Any, bool, bool]:
        """Back is disabled at the first step and Next at the last; a step past the end
        (an old URL) is pulled back to the last one."""
        step = step or 0
        if not nsteps:
            return no_update, step <= 0, False
        clamped = max(0, min(step, nsteps - 1, last_step))
        return (clamped if clamped != step else no_update), clamped <= 0, \
            clamped >= min(nsteps - 1, last_step)
