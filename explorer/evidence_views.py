"""Pure functions for the Evidence pages: claims and citations → grid rows, URLs and views.

The Evidence table (``/evidence``), a claim's page (``/evidence/claim/<id>``) and a citation's
page (``/evidence/citation/<id>``) are built here from plain backend results (``ClaimInfo``,
``CitationInfo``, ``Link``), with no callback and no backend, so they are unit-tested without a
browser. Page modules in ``explorer/pages/`` only fetch and call these.

URLs: a claim or citation id is ``prefix:local``; the page path carries the local part when the
prefix is the usual one (``claim:`` / ``cite:``) and the whole id otherwise, so
``/evidence/claim/ncap-79-percent-economic-abuse`` and
``/evidence/claim/claim:ncap-79-percent-economic-abuse`` open the same claim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from dash import dcc, html

from graph.models import CitationInfo, ClaimInfo, Link, NodeRef
from ontology.schema import LINK_BASES, QUALITY_FLAGS

CLAIM_PREFIX = "claim:"
CITE_PREFIX = "cite:"
EVIDENCE_PATH = "/evidence"

#: Claims per group, and links, that a citation's page lists (a hub citation on a large base
#: has hundreds; the rest are counted and open in the Evidence table, paged there).
MAX_LISTED = 100

#: Study fields in the order a reader wants them, with their headings.
STUDY_FIELDS = (
    ("design", "Design"),
    ("method", "Method"),
    ("sample", "Sample"),
    ("data_collection_period", "Period"),
    ("analysis", "Analysis"),
    ("limitations", "Limits"),
)


# --------------------------------------------------------------------------- URLs
def _local(entry_id: str, prefix: str) -> str:
    return entry_id[len(prefix):] if entry_id.startswith(prefix) else entry_id


def claim_href(claim_id: str) -> str:
    """The page of a claim."""
    return f"{EVIDENCE_PATH}/claim/{quote(_local(claim_id, CLAIM_PREFIX), safe=':')}"


def citation_href(cite_id: str) -> str:
    """The page of a citation (a study, a report, a source document)."""
    return f"{EVIDENCE_PATH}/citation/{quote(_local(cite_id, CITE_PREFIX), safe=':')}"


def id_from_path(segment: str | None, prefix: str) -> str:
    """The id a page path names: ``ncap-x`` → ``claim:ncap-x``; a full id stays as it is."""
    seg = (segment or "").strip().strip("/")
    return seg if ":" in seg else prefix + seg


def explore_href(node_id: str) -> str:
    """Explore opened on a node."""
    return f"/explore?node={quote(node_id, safe=':')}"


# --------------------------------------------------------------------------- flags
def flag_label(flag: str) -> str:
    """Short reader-facing name of a quality flag (``Figure without a source``), from the one
    flag table (``ontology.schema.QUALITY_FLAGS``); an unknown flag shows its own name."""
    spec = QUALITY_FLAGS.get(flag)
    return spec.label if spec else flag.replace("_", " ")


def flag_explanation(flag: str) -> str:
    """What a quality flag means for the reader (one sentence or two); '' for an unknown flag.
    Files that still say the old ``unsourced`` are migrated when loaded (loaders.entries)."""
    spec = QUALITY_FLAGS.get(flag)
    return spec.explanation if spec else ""


def basis_text(properties: Mapping[str, Any]) -> str:
    """How a link is known: ``Stated`` / ``Inferred by the curators: <why>``; '' if unknown."""
    basis = properties.get("basis")
    if not basis:
        return ""
    spec = LINK_BASES.get(basis)
    label = spec.label if spec else str(basis).replace("_", " ").capitalize()
    note = properties.get("basis_note")
    return f"{label}: {note}" if note else label


# --------------------------------------------------------------------------- figures
def figure_text(stat: Mapping[str, Any]) -> str:
    """One figure as a reader reads it: 'as many as 70% — what was counted (who, where, when)'.

    Uses the figure as written when the curator recorded it, else value and unit.
    """
    text = stat.get("text")
    if not text:
        value, unit = stat.get("value"), stat.get("unit") or ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        top = stat.get("value_max")
        shown = f"{value}–{int(top) if isinstance(top, float) and top.is_integer() else top}" \
            if top is not None else f"{value}"
        text = shown + ("%" if unit == "percent" else (f" {unit.replace('_', ' ')}"
                                                       if unit else ""))
    out = str(text)
    if stat.get("measure"):
        out += f" — {stat['measure']}"
    extra = [str(stat[k]) for k in ("population", "place", "period") if stat.get(k)]
    return f"{out} ({', '.join(extra)})" if extra else out


def figures(c: ClaimInfo) -> list[str]:
    return [figure_text(s) for s in c.statistics]


# --------------------------------------------------------------------------- grid rows
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def md_escape(text: Any) -> str:
    """Text safe to put inside Markdown (DataTable markdown cells): no markup, no raw HTML."""
    return _MD_SPECIAL.sub(r"\\\1", str(text or "")).replace("\n", " ")


def md_link(text: str, href: str) -> str:
    return f"[{md_escape(text)}]({href.replace(' ', '%20').replace(')', '%29')})"


def citation_markdown(ci: CitationInfo) -> str:
    """A citation with its own DOI beside it (so a DOI is never separated from its study)."""
    out = md_link(ci.short(), citation_href(ci.id))
    if ci.doi_url:
        out += " · " + md_link(f"doi:{ci.doi}", ci.doi_url)
    return out


def _md_lines(items: Sequence[str]) -> str:
    """One item as it is; several as a Markdown list (one figure per line)."""
    return items[0] if len(items) == 1 else "\n".join(f"- {x}" for x in items)


GRID_COLUMNS: tuple[dict[str, Any], ...] = (
    {"id": "claim", "name": "Claim", "presentation": "markdown"},
    {"id": "statement", "name": "Statement", "presentation": "markdown"},
    {"id": "numbers", "name": "Numbers", "presentation": "markdown"},
    {"id": "citations", "name": "Citations (with DOI)", "presentation": "markdown"},
    {"id": "source", "name": "Stated in (where)", "presentation": "markdown"},
    {"id": "years", "name": "Year"},
    {"id": "evidence_kind", "name": "Evidence kind"},
    {"id": "flags", "name": "Flags"},
)


def grid_row(c: ClaimInfo) -> dict[str, Any]:
    """A claim as one row of the Evidence table (DataTable markdown cells, text escaped).

    Every citation carries its own DOI link; the claim id links to the claim's page and each
    citation and the source document to the citation's page.
    """
    years = sorted({ci.year for ci in c.citations if ci.year})
    about = "; ".join(a.label for a in c.about)
    statement = md_escape(c.statement) + (f"  \n*About: {md_escape(about)}*" if about else "")
    src = ""
    if c.stated_in:
        src = md_link(c.stated_in.title, citation_href(c.stated_in.id))
        if c.locator:
            src += f"  \n{md_escape(c.locator)}"
    return {
        "id": c.id,
        "claim": md_link(_local(c.id, CLAIM_PREFIX), claim_href(c.id)),
        "statement": statement,
        "numbers": _md_lines([md_escape(f) for f in figures(c)]) or "—",
        "citations": "  \n".join(citation_markdown(ci) for ci in c.citations)
        or "*none given*",
        "source": src,
        "years": ", ".join(map(str, years)),
        "evidence_kind": c.evidence_kind.replace("_", " "),
        "flags": "; ".join(flag_label(f) for f in c.flags),
    }


def page_of(n_rows: int, page: int | None, size: int) -> tuple[int, int]:
    """(page to show, number of pages) for server-side paging: the requested page clamped
    into range; an empty result still has one (empty) page."""
    pages = max(1, -(-n_rows // size))
    return min(max(0, page or 0), pages - 1), pages


def grid_tooltips(claims: Sequence[ClaimInfo]) -> list[dict[str, Any]]:
    """Per-row tooltips: each flag's explanation on the Flags cell (and, for a contested
    figure, the curators' note saying why)."""
    out = []
    for c in claims:
        lines = [f"{flag_label(f)}: {flag_explanation(f)}" for f in c.flags]
        note = getattr(c, "note", None)
        if note and "contested" in c.flags:
            lines.append(f"Why contested: {note}")
        out.append({"flags": {"value": "\n".join(lines), "type": "text"}} if lines else {})
    return out


# --------------------------------------------------------------------------- shared bits
def node_link(ref: NodeRef) -> dcc.Link:
    from explorer.theme import type_label

    return dcc.Link(ref.label, href=explore_href(ref.id),
                    title=f"Open {ref.label} ({type_label(ref.category)}) on Explore")


def flag_list(c: ClaimInfo) -> html.Div | None:
    """Each flag by name with its explanation (and the curator's note for a contested one)."""
    if not c.flags:
        return None
    note = getattr(c, "note", None)
    items = []
    for f in c.flags:
        bits: list[Any] = [html.Span(flag_label(f), className=f"badge badge-{f}"), " ",
                           flag_explanation(f)]
        if f == "contested" and note:
            bits += [" ", html.Em(f"Why: {note}")]
        items.append(html.Li(bits, className=f"flag-note flag-{f}"))
    return html.Div([html.H2("Quality flags"), html.Ul(items, className="flag-list")],
                    className="ev-section")


def link_table(links: Sequence[Link], *, claim_ids: Iterable[str] | None = None,
               caption: str = "Links") -> html.Div:
    """Subject — relation — object, each end opening Explore; how the link is known."""
    from explorer.elements import relation_label

    show_claims = claim_ids is not None
    wanted = set(claim_ids or ())
    head = ["Subject", "Relation", "Object", "How it is known"] + (
        ["Claim"] if show_claims else [])
    rows = []
    for lk in links:
        cells = [html.Td(node_link(lk.subject)), html.Td(relation_label(lk.predicate)),
                 html.Td(node_link(lk.object)),
                 html.Td(basis_text(lk.properties) or "—")]
        if show_claims:
            cells.append(html.Td([dcc.Link(_local(x, CLAIM_PREFIX), href=claim_href(x))
                                  for x in lk.claims if x in wanted],
                                 className="claim-ids"))
        rows.append(html.Tr(cells))
    return html.Div(html.Table([
        html.Caption(caption, className="sr-only"),
        html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
        html.Tbody(rows)], className="table ev-links"), className="table-scroll")


def _citation_line(ci: CitationInfo) -> list[Any]:
    bits: list[Any] = [dcc.Link(ci.short(), href=citation_href(ci.id), className="cite-short"),
                       " ", html.Span(ci.title, className="cite-title")]
    if ci.venue:
        bits += [". ", html.Em(ci.venue)]
    if ci.doi_url:
        bits += [" · ", html.A(f"https://doi.org/{ci.doi}", href=ci.doi_url, target="_blank",
                               rel="noreferrer noopener", className="doi")]
    elif ci.url:
        bits += [" · ", html.A(ci.url, href=ci.url, target="_blank", rel="noreferrer noopener")]
    return bits


# --------------------------------------------------------------------------- claim view
def claim_view(c: ClaimInfo, links: Sequence[Link]) -> html.Article:
    """Everything about one claim: statement, figures, each citation with its DOI, the source
    document and locator, flags explained, what it is about, and the links it supports."""
    parts: list[Any] = [
        html.P(dcc.Link("← All evidence", href=EVIDENCE_PATH), className="crumbs"),
        html.P(f"Claim · {c.id}", className="panel-type"),
        html.H1(c.label if c.label and c.label != c.statement else "Claim"),
        html.P(c.statement, className="claim-statement lead", id="claim-statement"),
    ]
    figs = figures(c)
    parts.append(html.Div([html.H2("Numbers"),
                           html.Ul([html.Li(f) for f in figs], className="claim-numbers")
                           if figs else html.P("No figure: this claim states no number.",
                                               className="muted")],
                          className="ev-section", id="claim-numbers"))
    parts.append(html.Div([
        html.H2("Citations"),
        html.Ul([html.Li(_citation_line(ci)) for ci in c.citations], className="citations")
        if c.citations else html.P("The source document gives no citation for this claim.",
                                   className="no-citation"),
    ], className="ev-section", id="claim-citations"))
    where: list[Any] = ["Stated in "]
    if c.stated_in:
        where += [dcc.Link(c.stated_in.title, href=citation_href(c.stated_in.id))]
    else:
        where += ["an unknown source document"]
    if c.locator:
        where += [", ", html.Strong(c.locator, className="locator")]
    parts.append(html.Div([html.H2("Where it is stated"), html.P(where),
                           html.P(f"Kind of evidence: {c.evidence_kind.replace('_', ' ')}"
                                  if c.evidence_kind != "unknown"
                                  else "Kind of evidence: not stated", className="muted")],
                          className="ev-section", id="claim-source"))
    flags = flag_list(c)
    if flags is not None:
        parts.append(html.Div(flags, id="claim-flags"))
    note = getattr(c, "note", None)
    if note and "contested" not in c.flags:
        parts.append(html.Div([html.H2("Curator's note"), html.P(note)], className="ev-section"))
    parts.append(html.Div([
        html.H2(f"Links it supports ({len(links)})"),
        link_table(links, caption="Links this claim supports") if links else html.P(
            "This claim backs no link between concepts; it describes the nodes it is about.",
            className="muted"),
    ], className="ev-section", id="claim-links"))
    parts.append(html.Div([html.H2("About"), html.Ul([html.Li(node_link(a)) for a in c.about],
                                                     className="about-list")],
                          className="ev-section"))
    return html.Article(parts, className="ev-view claim-view")


# --------------------------------------------------------------------------- citation view
def study_facts(study: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    """(heading, value) pairs of a study's design, method, sample, period, analysis, limits."""
    if not study:
        return []
    out: list[tuple[str, Any]] = []
    for key, heading in STUDY_FIELDS:
        if key == "sample":
            size, who = study.get("sample_size"), study.get("sample")
            if size is None and not who:
                continue
            value: Any = "; ".join(x for x in (f"n = {size:,}" if size is not None else "",
                                                who or "") if x)
        else:
            value = study.get(key)
            if not value:
                continue
        out.append((heading, value))
    return out


def _study_block(study: Mapping[str, Any] | None) -> html.Div | None:
    facts = study_facts(study)
    if not facts:
        return None
    rows: list[Any] = []
    for heading, value in facts:
        rows.append(html.Dt(heading))
        rows.append(html.Dd(html.Ul([html.Li(v) for v in value]) if isinstance(value, list)
                            else value))
    return html.Div([html.H2("The study"), html.Dl(rows, className="study-facts")],
                    className="ev-section", id="citation-study")


def _claim_item(c: ClaimInfo, links: Sequence[Link]) -> html.Li:
    mine = [lk for lk in links if c.id in lk.claims]
    bits: list[Any] = [dcc.Link(_local(c.id, CLAIM_PREFIX), href=claim_href(c.id),
                                className="claim-id"), " ", html.Span(c.statement)]
    if c.flags:
        bits += [" ", *[html.Span(flag_label(f), className=f"badge badge-{f}",
                                  title=flag_explanation(f)) for f in c.flags]]
    if c.locator:
        bits += [html.Br(), html.Small(f"Stated at: {c.locator}", className="muted")]
    if mine:
        from explorer.elements import relation_label

        bits.append(html.Ul([html.Li([node_link(lk.subject), f" {relation_label(lk.predicate)} ",
                                      node_link(lk.object)]) for lk in mine],
                            className="claim-links"))
    return html.Li(bits, className="ev-claim")


def citation_view(ci: CitationInfo, claims: Sequence[ClaimInfo], links: Sequence[Link],
                  titles: Mapping[str, str] | None = None) -> html.Article:
    """A citation and what rests on it: details, the study (method, sample, period, limits),
    claims stated in it, claims citing it, and the links those claims support.

    ``titles`` names the documents whose reference lists carry this citation (id → title).
    """
    titles = titles or {}
    props = ci.properties
    stated = [c for c in claims if c.stated_in is not None and c.stated_in.id == ci.id]
    citing = [c for c in claims if any(x.id == ci.id for x in c.citations)]
    kind = (ci.document_kind or ci.kind or "citation").replace("_", " ")
    parts: list[Any] = [
        html.P(dcc.Link("← All evidence", href=EVIDENCE_PATH), className="crumbs"),
        html.P(f"{'Source document' if ci.kind == 'source_document' else 'Citation'} · {kind}"
               f" · {ci.id}", className="panel-type"),
        html.H1(ci.title),
    ]
    meta: list[Any] = []
    if ci.authors:
        meta.append(html.P("; ".join(ci.authors), className="authors"))
    pub = [str(x) for x in (ci.venue, props.get("volume") and f"vol. {props['volume']}",
                            props.get("issue") and f"no. {props['issue']}",
                            props.get("pages") and f"pp. {props['pages']}",
                            props.get("publisher"), props.get("place"), ci.year) if x]
    if pub:
        meta.append(html.P(", ".join(pub), className="muted"))
    if ci.doi_url:
        meta.append(html.P(["DOI: ", html.A(ci.doi_url, href=ci.doi_url, target="_blank",
                                           rel="noreferrer noopener", className="doi")]))
    if ci.url:
        meta.append(html.P(["Web: ", html.A(ci.url, href=ci.url, target="_blank",
                                           rel="noreferrer noopener")]))
    if props.get("note"):
        meta.append(html.P(str(props["note"])))
    parts.append(html.Div(meta, className="ev-section", id="citation-meta"))
    study = _study_block(props.get("study"))
    if study is not None:
        parts.append(study)
    listed = props.get("listed_in") or []
    if listed:
        parts.append(html.Div([html.H2("Listed in"), html.Ul([
            html.Li([dcc.Link(titles.get(li.get("citation", ""), li.get("citation", "")),
                              href=citation_href(li.get("citation", ""))),
                     f", {li['locator']}" if li.get("locator") else "",
                     f" (reference {li['number']})" if li.get("number") else ""])
            for li in listed])], className="ev-section"))
    n_links = len(links)
    parts.append(html.P(f"{len(stated)} claim{'s' if len(stated) != 1 else ''} stated in it · "
                        f"{len(citing)} claim{'s' if len(citing) != 1 else ''} citing it · "
                        f"{n_links} link{'s' if n_links != 1 else ''} they support",
                        className="summary", id="citation-summary"))
    for title, group, gid, param in (("Claims citing it", citing, "citation-citing", "cites"),
                                     ("Claims stated in it", stated, "citation-stated",
                                      "source")):
        if group:
            body: list[Any] = [html.H2(f"{title} ({len(group)})"),
                               html.Ul([_claim_item(c, links) for c in group[:MAX_LISTED]],
                                       className="ev-claims")]
            if len(group) > MAX_LISTED:
                body.append(html.P([f"{len(group) - MAX_LISTED} more are not listed here. ",
                                    dcc.Link("Open all of them in the Evidence table",
                                             href=f"{EVIDENCE_PATH}?{param}={ci.id}")],
                                   className="muted"))
            parts.append(html.Div(body, className="ev-section", id=gid))
    if not claims:
        parts.append(html.P("No claim in the evidence base cites this yet.", className="muted"))
    if links:
        cap = 2 * MAX_LISTED
        parts.append(html.Div([html.H2(f"Links these claims support ({n_links})"),
                               link_table(links[:cap], claim_ids=[c.id for c in claims],
                                          caption="Links the claims support"),
                               html.P(f"The first {cap} are listed; open a claim for its own.",
                                      className="muted") if n_links > cap else None],
                              className="ev-section", id="citation-links"))
    return html.Article(parts, className="ev-view citation-view")


# --------------------------------------------------------------------------- Explore panel
def evidence_page_link(ref: NodeRef | Any) -> html.P | None:
    """For Explore's side panel: the page of a citation or claim node (``None`` for others).

    A citation has no concept links of its own (its panel would say "0 links"); its page lists
    the claims resting on it and what they link.
    """
    if ref.category == "Citation":
        return html.P(dcc.Link("Open this citation's page: the claims resting on it, the links "
                               "they support and the study", href=citation_href(ref.id),
                               className="btn btn-link", id="panel-evidence-page"))
    if ref.category == "Claim":
        return html.P(dcc.Link("Open this claim's page: citations, DOIs and the links it "
                               "supports", href=claim_href(ref.id), className="btn btn-link",
                               id="panel-evidence-page"))
    return None
