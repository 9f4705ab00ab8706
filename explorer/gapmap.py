"""Pure functions behind the evidence-and-gap map (Service gaps page): a
:class:`graph.models.Coverage` from :meth:`GraphBackend.gap_map` → the arranged matrix, one
Plotly figure, its summary and its CSV. No Dash callbacks here, so every rule is unit-tested.

A cell is in one of three states (:data:`STATES`): interventions curated; evidence but no
intervention (claims about both, or a curated link between the two); nothing curated. The
third is *not* a proven service gap: it only says the evidence base holds nothing for the pair.

The map is one figure — a heat map (cell state as background, clickable anywhere) under
bubbles (size = interventions) and diamonds (evidence only) — so the browser draws one SVG
whatever the number of cells, instead of one component per cell.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from explorer.elements import statistic_text
from explorer.evidence_views import citation_href, claim_href, md_escape, md_link
from graph.models import ClaimInfo, Coverage, CoverageCell, NodeRef
from loaders import csvsafe
from ontology.schema import QUALITY_FLAGS, flag_explanation

SEP = "~"

INTERVENTIONS, EVIDENCE, NOTHING = "interventions", "evidence", "nothing"
STATES = (INTERVENTIONS, EVIDENCE, NOTHING)
STATE_LABEL = {INTERVENTIONS: "Interventions curated",
               EVIDENCE: "Evidence, no intervention",
               NOTHING: "Nothing curated"}
STATE_TEXT = {
    INTERVENTIONS: "at least one intervention in the evidence base addresses both (bubble size "
                   "= how many).",
    EVIDENCE: "claims or a curated link connect both, but no intervention is recorded for them.",
    NOTHING: "the evidence base holds nothing for this pair. That is not proof that no service "
             "exists — only that none has been curated here.",
}
#: Cell background per state (light) and marker colour (dark); contrast ≥ 3:1 for markers.
STATE_FILL = {INTERVENTIONS: "#cfe8e3", EVIDENCE: "#fbe3b4", NOTHING: "#f2f2f2"}
STATE_MARK = {INTERVENTIONS: "#00695c", EVIDENCE: "#9a4f00", NOTHING: "#9e9e9e"}

#: Most cells one figure draws (a heat map + markers; measured in BENCHMARKS.md: 16,335 cells
#: cost 3.5-4.4 s of main-thread CPU to open, over the 2 s budget). Past it the map shows the
#: first rows and says how to narrow it; the CSV downloads hold everything.
MAX_MAP_CELLS = 5_000
MAX_MAP_COLS = 100
#: Most claim cards / items the side panel draws for one cell (a rolled-up cell of a large
#: base can hold thousands of claims); the rest are counted and left to the CSV download.
MAX_PANEL_CLAIMS = 25
MAX_PANEL_ITEMS = 60

CELL_PX = 28
LABEL_CHARS = 38


def cell_key(row: str, col: str) -> str:
    return f"{row}{SEP}{col}"


def parse_key(key: str | None) -> tuple[str, str] | None:
    """``'row~col'`` → (row, col); None for anything else (a hand-edited URL)."""
    if not key or not isinstance(key, str) or SEP not in key:
        return None
    r, c = key.split(SEP, 1)
    return (r, c) if r and c else None


def cell_state(cell: CoverageCell | None) -> str:
    if cell is None:
        return NOTHING
    if cell.count:
        return INTERVENTIONS
    if cell.claims or getattr(cell, "links", ()):
        return EVIDENCE
    return NOTHING


def index_cells(cov: Coverage) -> dict[tuple[str, str], CoverageCell]:
    return {(c.row, c.col): c for c in cov.cells}


@dataclass(frozen=True)
class Counts:
    """How many cells are in each state (of the whole matrix, not only the drawn part)."""

    rows: int
    cols: int
    interventions: int
    evidence: int

    @property
    def total(self) -> int:
        return self.rows * self.cols

    @property
    def nothing(self) -> int:
        return self.total - self.interventions - self.evidence


def counts(cov: Coverage) -> Counts:
    states = [cell_state(c) for c in cov.cells]
    return Counts(len(cov.rows), len(cov.cols), states.count(INTERVENTIONS),
                  states.count(EVIDENCE))


def _score(cells: Sequence[CoverageCell | None]) -> tuple[int, int, int]:
    """Coverage of a row or column: cells with interventions, then with evidence, then the
    number of interventions (so ties break towards the better-served line)."""
    st = [cell_state(c) for c in cells]
    return (st.count(INTERVENTIONS), st.count(EVIDENCE),
            sum(c.count for c in cells if c is not None))


def arrange(cov: Coverage, *, hide_empty: bool = False, sort: str = "label") -> Coverage:
    """Rows and columns as the user asked: ``hide_empty`` drops lines with nothing curated in
    any cell; ``sort='coverage'`` puts the best-covered rows first and columns left (ties by
    label), ``'label'`` keeps the A–Z order the backend returns."""
    idx = index_cells(cov)
    rows, cols = list(cov.rows), list(cov.cols)
    if hide_empty:
        used_r = {r for r, _ in idx}
        used_c = {c for _, c in idx}
        rows = [r for r in rows if r.id in used_r]
        cols = [c for c in cols if c.id in used_c]
    if sort == "coverage":
        def by_row(r: NodeRef) -> tuple[Any, ...]:
            s = _score([idx.get((r.id, c.id)) for c in cols])
            return (-s[0], -s[1], -s[2], r.label.casefold(), r.id)

        def by_col(c: NodeRef) -> tuple[Any, ...]:
            s = _score([idx.get((r.id, c.id)) for r in rows])
            return (-s[0], -s[1], -s[2], c.label.casefold(), c.id)

        rows.sort(key=by_row)
        cols.sort(key=by_col)
    keep_r, keep_c = {r.id for r in rows}, {c.id for c in cols}
    cells = tuple(c for c in cov.cells if c.row in keep_r and c.col in keep_c)
    return Coverage(tuple(rows), tuple(cols), cov.via, cells)


def trim(cov: Coverage, max_cells: int = MAX_MAP_CELLS,
         max_cols: int = MAX_MAP_COLS) -> tuple[Coverage, bool]:
    """The part one figure draws: up to ``max_cols`` columns, then as many rows as fit in
    ``max_cells``. Returns the (possibly) smaller matrix and whether it was cut."""
    n_cols = min(len(cov.cols), max_cols)
    n_rows = min(len(cov.rows), max(1, max_cells // max(1, n_cols)))
    if n_cols == len(cov.cols) and n_rows == len(cov.rows):
        return cov, False
    rows, cols = cov.rows[:n_rows], cov.cols[:n_cols]
    keep_r, keep_c = {r.id for r in rows}, {c.id for c in cols}
    cells = tuple(c for c in cov.cells if c.row in keep_r and c.col in keep_c)
    return Coverage(rows, cols, cov.via, cells), True


def short(label: str, n: int = LABEL_CHARS) -> str:
    return label if len(label) <= n else label[: n - 1].rstrip() + "…"


def noun(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def via_noun(via: str, n: int) -> str:
    one = {"Intervention": "intervention", "Organization": "organization",
           "PreventionStrategy": "prevention strategy"}.get(via, via.lower())
    many = "prevention strategies" if via == "PreventionStrategy" else None
    return noun(n, one, many)


def hover_text(row: NodeRef, col: NodeRef, cell: CoverageCell | None, via: str) -> str:
    st = cell_state(cell)
    what = STATE_LABEL[st]
    if cell is not None and st != NOTHING:
        bits = []
        if cell.count:
            bits.append(via_noun(via, cell.count))
        if cell.claims:
            bits.append(noun(len(cell.claims), "claim"))
        if getattr(cell, "links", ()):
            bits.append("linked directly")
        what += ": " + ", ".join(bits)
    return f"{short(row.label, 60)} × {short(col.label, 60)}<br>{what}"


def bubble_size(n: int, biggest: int) -> float:
    """Marker diameter in px: area grows with the count, the largest fills most of a cell."""
    if n <= 0:
        return 0.0
    return round(9 + (CELL_PX - 12) * math.sqrt(n / max(1, biggest)), 1)


def figure_size(cov: Coverage) -> tuple[int, int, dict[str, int]]:
    """(width, height, margins) in px: a fixed size per cell, room for the labels."""
    left = min(280, 24 + int(6.6 * max((len(short(r.label)) for r in cov.rows), default=10)))
    # column labels run up and to the right at 60°: room above and past the last column
    longest = 6.6 * max((len(short(c.label)) for c in cov.cols), default=10)
    top = min(230, 24 + int(0.87 * longest))
    right = max(16, min(140, int(0.5 * longest) - CELL_PX // 2))
    margin = {"l": left, "t": top, "r": right, "b": 16}
    return (left + right + CELL_PX * max(1, len(cov.cols)),
            top + 16 + CELL_PX * max(1, len(cov.rows)), margin)


def selection_shape(x: int | None, y: int | None) -> dict[str, Any]:
    """The outline around the chosen cell: a layout shape, so moving it (Plotly.relayout of
    ``shapes[0]``) redraws only the shape, never the traces."""
    on = x is not None and y is not None
    return {"type": "rect", "xref": "x", "yref": "y", "visible": on,
            "x0": (x or 0) - 0.5, "x1": (x or 0) + 0.5, "y0": (y or 0) - 0.5,
            "y1": (y or 0) + 0.5, "line": {"color": "#111111", "width": 3},
            "fillcolor": "rgba(0,0,0,0)", "layer": "above"}


#: Above this many bubbles the counts are left out of them (one SVG text per bubble is most of
#: the drawing cost); the hover text and the side panel still give every count.
MAX_BUBBLE_TEXTS = 400


def figure(cov: Coverage, selected: tuple[str, str] | None = None) -> dict[str, Any]:
    """One Plotly figure (as a dict: no per-point validation cost) for the whole map.

    Trace 0: heat map of cell states (clickable anywhere, hover text per cell); trace 1:
    bubbles for cells with interventions (number inside, up to :data:`MAX_BUBBLE_TEXTS`);
    trace 2: diamonds for evidence-only cells; ``layout.shapes[0]``: the selection outline.
    Axes are indices; tick text carries the labels.
    """
    idx = index_cells(cov)
    code = {NOTHING: 0, EVIDENCE: 1, INTERVENTIONS: 2}
    z: list[list[int]] = []
    text: list[list[str]] = []
    bx: list[int] = []
    by: list[int] = []
    bn: list[int] = []
    ex: list[int] = []
    ey: list[int] = []
    biggest = max((c.count for c in cov.cells), default=1)
    for y, r in enumerate(cov.rows):
        zr, tr = [], []
        for x, c in enumerate(cov.cols):
            cell = idx.get((r.id, c.id))
            st = cell_state(cell)
            zr.append(code[st])
            tr.append(hover_text(r, c, cell, cov.via))
            if st == INTERVENTIONS and cell is not None:
                bx.append(x)
                by.append(y)
                bn.append(cell.count)
            elif st == EVIDENCE:
                ex.append(x)
                ey.append(y)
        z.append(zr)
        text.append(tr)
    width, height, margin = figure_size(cov)
    sx = sy = None
    if selected:
        rpos = {r.id: i for i, r in enumerate(cov.rows)}
        cpos = {c.id: i for i, c in enumerate(cov.cols)}
        if selected[0] in rpos and selected[1] in cpos:
            sx, sy = cpos[selected[1]], rpos[selected[0]]
    scale = [[0.0, STATE_FILL[NOTHING]], [0.33, STATE_FILL[NOTHING]],
             [0.34, STATE_FILL[EVIDENCE]], [0.66, STATE_FILL[EVIDENCE]],
             [0.67, STATE_FILL[INTERVENTIONS]], [1.0, STATE_FILL[INTERVENTIONS]]]
    data = [
        {"type": "heatmap", "z": z, "zmin": 0, "zmax": 2, "colorscale": scale,
         "showscale": False, "xgap": 2, "ygap": 2, "text": text, "hoverinfo": "text",
         "hoverongaps": False, "name": "Cells"},
        {"type": "scatter", "name": STATE_LABEL[INTERVENTIONS],
         "mode": "markers+text" if len(bn) <= MAX_BUBBLE_TEXTS else "markers",
         "x": bx, "y": by, "text": [str(n) for n in bn], "hoverinfo": "skip",
         "textfont": {"color": "#ffffff", "size": 11},
         "marker": {"size": [bubble_size(n, biggest) for n in bn],
                    "color": STATE_MARK[INTERVENTIONS], "line": {"width": 0}}},
        {"type": "scatter", "mode": "markers", "name": STATE_LABEL[EVIDENCE], "x": ex, "y": ey,
         "hoverinfo": "skip", "marker": {"symbol": "diamond", "size": 10,
                                          "color": STATE_MARK[EVIDENCE]}},
    ]
    n_r, n_c = len(cov.rows), len(cov.cols)
    layout = {
        "width": width, "height": height, "margin": margin, "showlegend": False,
        "shapes": [selection_shape(sx, sy)],
        "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff", "dragmode": False,
        "hovermode": "closest", "font": {"family": "system-ui, sans-serif", "size": 12},
        "xaxis": {"side": "top", "tickangle": -60, "ticklabeloverflow": "allow",
                  "tickmode": "array",
                  "tickvals": list(range(n_c)), "ticktext": [short(c.label) for c in cov.cols],
                  "range": [-0.5, n_c - 0.5], "showgrid": False, "zeroline": False,
                  "fixedrange": True, "automargin": False},
        "yaxis": {"tickmode": "array", "tickvals": list(range(n_r)),
                  "ticktext": [short(r.label) for r in cov.rows],
                  "range": [n_r - 0.5, -0.5], "showgrid": False, "zeroline": False,
                  "fixedrange": True, "automargin": False},
    }
    return {"data": data, "layout": layout}


def axes(cov: Coverage) -> dict[str, list[str]]:
    """Row and column ids in drawing order (what a click's x/y index into)."""
    return {"rows": [r.id for r in cov.rows], "cols": [c.id for c in cov.cols]}


def key_at(ax: dict[str, list[str]] | None, x: Any, y: Any) -> str | None:
    """The cell key under a click (x, y are indices into the drawn axes)."""
    try:
        xi, yi = int(round(float(x))), int(round(float(y)))
    except (TypeError, ValueError):
        return None
    if not ax or not (0 <= yi < len(ax["rows"])) or not (0 <= xi < len(ax["cols"])):
        return None
    return cell_key(ax["rows"][yi], ax["cols"][xi])


def position(ax: dict[str, list[str]] | None, key: str | None) -> tuple[int | None, int | None]:
    """(x, y) of a cell in the drawn axes, or (None, None) when it is not drawn."""
    rc = parse_key(key)
    if not ax or rc is None or rc[0] not in ax["rows"] or rc[1] not in ax["cols"]:
        return None, None
    return ax["cols"].index(rc[1]), ax["rows"].index(rc[0])


def summary_text(c: Counts, via: str) -> str:
    return (f"{c.rows:,} × {c.cols:,} = {c.total:,} cells: {c.interventions:,} with "
            f"{via_noun(via, 2).split(' ', 1)[1]} curated, {c.evidence:,} with evidence but no "
            f"{via_noun(via, 1).split(' ', 1)[1]}, {c.nothing:,} with nothing curated.")


def long_csv(cov: Coverage) -> str:
    """Every cell (nothing-curated ones included) with its state and what covers it."""
    buf = io.StringIO()
    w = csvsafe.writer(buf)
    v = cov.via.lower()
    w.writerow(["row_id", "row_label", "col_id", "col_label", "state", f"{v}_count",
                "claim_count", f"{v}_ids", "claim_ids", "direct_links"])
    idx = index_cells(cov)
    for r in cov.rows:
        for c in cov.cols:
            cell = idx.get((r.id, c.id))
            w.writerow([r.id, r.label, c.id, c.label, cell_state(cell),
                        cell.count if cell else 0, len(cell.claims) if cell else 0,
                        ";".join(i.id for i in cell.items) if cell else "",
                        ";".join(cell.claims) if cell else "",
                        ";".join(getattr(cell, "links", ())) if cell else ""])
    return buf.getvalue()


# --------------------------------------------------------------------------- side panel
def explore_href(node_id: str) -> str:
    """The Explore page opened on a node."""
    return f"/explore?node={node_id}"


def _claim_md(c: ClaimInfo) -> list[str]:
    """One claim as Markdown: statement and flags, numbers, citations with DOI, where it is
    stated, flag notes, and a link to the claim's own page (what a claim card shows)."""
    flags = " ".join(f"*[{md_escape(QUALITY_FLAGS[f].label if f in QUALITY_FLAGS else f)}]*"
                     for f in c.flags)
    out = [f"**{md_escape(c.statement)}** {flags}".rstrip(), ""]
    out += [f"- {md_escape(statistic_text(s))}" for s in c.statistics]
    if c.statistics:
        out.append("")
    if c.citations:
        cites = []
        for ci in c.citations:
            bit = md_link(ci.short(), citation_href(ci.id))
            if ci.doi_url:
                bit += " · " + md_link(f"doi:{ci.doi}", ci.doi_url)
            cites.append(bit)
        out.append("Citations: " + "; ".join(cites))
    else:
        out.append("No citation given in the source document.")
    src = md_escape(c.stated_in.title) if c.stated_in else "unknown source document"
    where = f", {md_escape(c.locator)}" if c.locator else ""
    kind = (f" · evidence: {md_escape(c.evidence_kind.replace('_', ' '))}"
            if c.evidence_kind != "unknown" else " · kind of evidence not stated")
    out += ["", f"Stated in **{src}**{where}{kind}", ""]
    for f in c.flags:
        if f in QUALITY_FLAGS:
            out += [f"> {md_escape(flag_explanation(f))}", ""]
    if c.note and "contested" in c.flags:
        out += [f"> Why contested: {md_escape(c.note)}", ""]
    out += [md_link("Open the claim's page", claim_href(c.id)), "", "---", ""]
    return out


def panel_markdown(cell: CoverageCell, claims: Sequence[ClaimInfo], via: str) -> str:
    """The body of a cell's side panel as ONE Markdown text: interventions (links to Explore),
    direct links, claims (as on a claim card, each linking to its page) and their citations.

    One Markdown component instead of a claim card of ~20 Dash components per claim: the Dash
    renderer's cost of a panel grows with its component count (BENCHMARKS.md, gap map)."""
    out: list[str] = []
    if cell.items:
        out += [f"### {md_escape(via_noun(via, cell.count).capitalize())}", ""]
        out += [f"- {md_link(i.label, explore_href(i.id))}"
                for i in cell.items[:MAX_PANEL_ITEMS]]
        out.append("")
        if cell.count > MAX_PANEL_ITEMS:
            out += [f"… and {cell.count - MAX_PANEL_ITEMS:,} more: “Download CSV (every "
                    "cell)” lists them all.", ""]
    links = getattr(cell, "links", ())
    if links:
        out += [f"Linked directly in the evidence base ({md_escape(', '.join(links))}).", ""]
    out += [f"### Claims ({len(cell.claims):,})", ""]
    if len(cell.claims) > len(claims) and claims:
        out += [f"Showing the first {len(claims)}; “Download CSV (every cell)” lists every "
                "claim id of every cell.", ""]
    if not claims:
        out.append("No claim is about both.")
        return "\n".join(out)
    for c in claims:
        out += _claim_md(c)
    cites = {ci.id: ci for c in claims
             for ci in (*c.citations, *([c.stated_in] if c.stated_in else []))}
    out += [f"### Citations ({len(cites)})", ""]
    for ci in sorted(cites.values(), key=lambda x: (x.year or 0, x.id)):
        line = f"- {md_link(ci.short(), citation_href(ci.id))} {md_escape(ci.title)}"
        if ci.venue:
            line += f". *{md_escape(ci.venue)}*"
        if ci.doi_url:
            line += " · " + md_link(f"doi:{ci.doi}", ci.doi_url)
        elif ci.url and ci.url.startswith(("https://", "http://")):
            line += " · " + md_link("link", ci.url)
        out.append(line)
    return "\n".join(out)
