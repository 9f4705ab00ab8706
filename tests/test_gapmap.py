"""The evidence-and-gap map: GraphBackend.gap_map (both backends, on tests/fixtures/mini) and the
pure functions of explorer/gapmap.py that turn it into one figure, a summary and CSV."""

from __future__ import annotations

import csv
import io

import pytest

from explorer import gapmap as gm
from graph.backend import GraphBackend
from graph.models import Coverage, CoverageCell, GapCell, NodeRef

DMST, HT, IPV, ST = ("harm:domestic-minor-sex-trafficking", "harm:human-trafficking",
                     "harm:intimate-partner-violence", "harm:sex-trafficking")
EARLY, IDENT = "strat:early-intervention", "strat:identification-of-victims"
FOSTER = "risk:foster-care-placement"


def _states(cov: Coverage) -> dict[tuple[str, str], str]:
    return {(c.row, c.col): gm.cell_state(c) for c in cov.cells}


# ---------------------------------------------------------------- backend (contract: both)
def test_gap_map_keeps_coverage_cells_and_adds_evidence_only_ones(backend: GraphBackend) -> None:
    m = backend.gap_map("Harm", "PreventionStrategy")
    cov = backend.coverage("Harm", "PreventionStrategy")
    assert {(c.row, c.col) for c in cov.cells} <= {(c.row, c.col) for c in m.cells}
    assert _states(m)[(DMST, EARLY)] == gm.INTERVENTIONS
    assert [i.id for i in m.cell(DMST, EARLY).items] == ["int:safe-harbor-navigators"]
    # a claim about the navigators counts for every cell they cover
    assert "claim:navigators-serve-youth" in m.cell(DMST, EARLY).claims
    risk = backend.gap_map("RiskFactor", "Harm")
    cell = risk.cell(FOSTER, DMST)
    assert isinstance(cell, GapCell) and cell.count == 0
    assert "claim:foster-care-raises-risk" in cell.claims
    assert "increases_risk_of" in cell.links
    assert gm.cell_state(cell) == gm.EVIDENCE
    # sub-types roll up: a claim about DMST also joins foster care to human trafficking
    assert "claim:foster-care-raises-risk" in risk.cell(FOSTER, HT).claims
    # nothing links foster care and IPV
    assert gm.cell_state(risk.cell(FOSTER, IPV)) == gm.NOTHING


def test_gap_map_filters(backend: GraphBackend) -> None:
    youth = backend.gap_map("Harm", "PreventionStrategy", population="pop:youth")
    assert youth.cell(DMST, EARLY).count == 1
    # the hotel law serves no listed population: filtered out
    assert gm.cell_state(youth.cell(HT, IDENT)) == gm.NOTHING
    # a region filter rolls up: Minnesota is inside the United States
    us = backend.gap_map("Harm", "PreventionStrategy", region="region:united-states")
    assert us.cell(HT, IDENT).count == 1 and us.cell(DMST, EARLY).count == 1
    # source document: interventions described in it, claims stated in it
    other = backend.gap_map("Harm", "PreventionStrategy", source="cite:smith-2017")
    assert all(c.count == 0 for c in other.cells)
    brief = backend.gap_map("Harm", "PreventionStrategy", source="cite:doc-brief")
    assert brief.cell(DMST, EARLY).count == 1
    # evidence kind narrows claims only
    gov = backend.gap_map("RiskFactor", "Harm", evidence_kind="government_report")
    assert gm.cell_state(gov.cell(FOSTER, DMST)) == gm.NOTHING
    admin = backend.gap_map("RiskFactor", "Harm", evidence_kind="administrative_data")
    assert admin.cell(FOSTER, DMST).claims == ("claim:foster-care-raises-risk",)
    with pytest.raises(KeyError):
        backend.gap_map("Harm", "PreventionStrategy", population="pop:nobody")


# ---------------------------------------------------------------- pure functions
def _ref(i: str, label: str | None = None) -> NodeRef:
    return NodeRef(i, "Harm", label or i.upper())


ROWS = (_ref("a", "Alpha"), _ref("b", "Beta"), _ref("c", "Gamma"))
COLS = (_ref("x", "Xylo"), _ref("y", "Yak"), _ref("z", "Zebra"))
ITEM = NodeRef("int:1", "Intervention", "One")
ITEM2 = NodeRef("int:2", "Intervention", "Two")
COV = Coverage(ROWS, COLS, "Intervention", (
    GapCell("b", "y", (ITEM, ITEM2), ("claim:1",)),
    GapCell("b", "z", (ITEM,), ()),
    GapCell("c", "x", (), ("claim:2",)),
    GapCell("a", "y", (), (), ("serves",)),
))


def test_cell_state_has_three_values() -> None:
    assert gm.cell_state(None) == gm.NOTHING
    assert gm.cell_state(CoverageCell("r", "c", ())) == gm.NOTHING
    assert gm.cell_state(CoverageCell("r", "c", (ITEM,))) == gm.INTERVENTIONS
    assert gm.cell_state(CoverageCell("r", "c", (), ("claim:1",))) == gm.EVIDENCE
    assert gm.cell_state(GapCell("r", "c", (), (), ("serves",))) == gm.EVIDENCE
    # never call "nothing curated" a proven service gap
    assert "not proof" in gm.STATE_TEXT[gm.NOTHING]


def test_counts_and_summary() -> None:
    c = gm.counts(COV)
    assert (c.total, c.interventions, c.evidence, c.nothing) == (9, 2, 2, 5)
    text = gm.summary_text(c, "Intervention")
    assert "2 with interventions curated" in text and "5 with nothing curated" in text


def test_arrange_hides_empty_lines_and_sorts_by_coverage() -> None:
    empty_row = Coverage(ROWS + (_ref("d", "Delta"),), COLS + (_ref("w", "Whale"),),
                         "Intervention", COV.cells)
    hidden = gm.arrange(empty_row, hide_empty=True)
    assert [r.id for r in hidden.rows] == ["a", "b", "c"]
    assert [c.id for c in hidden.cols] == ["x", "y", "z"]
    assert gm.arrange(empty_row).rows == empty_row.rows
    by_cov = gm.arrange(COV, sort="coverage")
    # b: two intervention cells; then c and a tie on evidence cells → by label (Alpha, Gamma)
    assert [r.id for r in by_cov.rows] == ["b", "a", "c"]
    # y: one intervention cell + one evidence cell (2 items) beats z: one cell (1 item)
    assert [c.id for c in by_cov.cols] == ["y", "z", "x"]
    assert set(by_cov.cells) == set(COV.cells)


def test_trim_keeps_whole_columns_then_rows() -> None:
    same, cut = gm.trim(COV, max_cells=9)
    assert not cut and same is COV
    small, cut = gm.trim(COV, max_cells=4, max_cols=2)
    assert cut and len(small.cols) == 2 and len(small.rows) == 2
    assert all(c.row in {"a", "b"} and c.col in {"x", "y"} for c in small.cells)


def test_figure_is_one_heatmap_with_bubbles_diamonds_and_a_selection() -> None:
    fig = gm.figure(COV, ("b", "z"))
    heat, bubbles, diamonds = fig["data"]
    sel = fig["layout"]["shapes"][0]
    assert heat["type"] == "heatmap"
    assert heat["z"] == [[0, 1, 0], [0, 2, 2], [1, 0, 0]]
    assert (bubbles["x"], bubbles["y"], bubbles["text"]) == ([1, 2], [1, 1], ["2", "1"])
    assert bubbles["marker"]["size"][0] > bubbles["marker"]["size"][1]
    assert sorted(zip(diamonds["x"], diamonds["y"], strict=True)) == [(0, 2), (1, 0)]
    assert sel["visible"] and (sel["x0"], sel["x1"], sel["y0"], sel["y1"]) == (1.5, 2.5, 0.5, 1.5)
    assert bubbles["mode"] == "markers+text"
    assert fig["layout"]["xaxis"]["ticktext"] == ["Xylo", "Yak", "Zebra"]
    assert fig["layout"]["yaxis"]["range"][0] > fig["layout"]["yaxis"]["range"][1]  # A at top
    assert "Beta × Yak" in heat["text"][1][1] and "2 interventions" in heat["text"][1][1]
    assert gm.figure(COV, ("nope", "z"))["layout"]["shapes"][0]["visible"] is False
    many = Coverage(tuple(_ref(f"r{i}") for i in range(30)), tuple(_ref(f"c{i}") for i in
                                                                range(30)), "Intervention",
                    tuple(GapCell(f"r{i}", f"c{j}", (ITEM,)) for i in range(30)
                          for j in range(30)))
    assert gm.figure(many)["data"][1]["mode"] == "markers"  # 900 bubbles: no text in them


def test_figure_size_grows_per_cell_and_labels_are_shortened() -> None:
    w1, h1, _ = gm.figure_size(COV)
    more = Coverage(ROWS * 2, COLS * 2, "Intervention", ())
    w2, h2, _ = gm.figure_size(more)
    assert w2 - w1 == 3 * gm.CELL_PX and h2 - h1 == 3 * gm.CELL_PX
    long = "A very long prevention strategy name that goes on and on and on"
    assert len(gm.short(long)) <= gm.LABEL_CHARS and gm.short(long).endswith("…")


def test_click_and_selection_positions() -> None:
    ax = gm.axes(COV)
    assert gm.key_at(ax, 2, 1) == "b~z"
    assert gm.key_at(ax, 2.2, 0.9) == "b~z"
    assert gm.key_at(ax, 3, 0) is None and gm.key_at(ax, None, 0) is None
    assert gm.key_at(None, 0, 0) is None
    assert gm.position(ax, "b~z") == (2, 1)
    assert gm.position(ax, "q~z") == (None, None)
    assert gm.parse_key("r~c~d") == ("r", "c~d")
    assert gm.parse_key("nope") is None and gm.parse_key("~c") is None


def test_long_csv_lists_every_cell_with_its_state() -> None:
    rows = list(csv.DictReader(io.StringIO(gm.long_csv(COV))))
    assert len(rows) == 9
    by = {(r["row_id"], r["col_id"]): r for r in rows}
    assert by[("b", "y")]["state"] == "interventions"
    assert by[("b", "y")]["intervention_ids"] == "int:1;int:2"
    assert by[("c", "x")]["state"] == "evidence" and by[("c", "x")]["claim_ids"] == "claim:2"
    assert by[("a", "y")]["direct_links"] == "serves"
    assert by[("a", "x")]["state"] == "nothing"


def test_panel_markdown_links_interventions_claims_and_citations(backend: GraphBackend) -> None:
    import dataclasses

    cell = backend.gap_map("Harm", "PreventionStrategy").cell(DMST, EARLY)
    claims = backend.claims(list(cell.claims))
    md = gm.panel_markdown(cell, claims, "Intervention")
    assert "(/explore?node=int:safe-harbor-navigators)" in md
    assert "/evidence/claim/navigators-serve-youth)" in md
    assert f"### Claims ({len(cell.claims)})" in md and "### Citations (" in md
    assert "(/evidence/citation/" in md
    # curated text is escaped: a statement cannot inject a link or raw HTML into the panel
    bad = dataclasses.replace(claims[0], statement="[x](javascript:alert(1)) <b>y</b>")
    md = gm.panel_markdown(cell, [bad], "Intervention")
    assert "[x](javascript" not in md and "<b>" not in md
    # a cell whose claims could not be fetched says so instead of an empty list
    empty = gm.panel_markdown(GapCell(DMST, EARLY, (), ("claim:a",)), [], "Intervention")
    assert "No claim is about both." in empty
