"""Unit tests: backend results → Cytoscape elements, list rows, CSV, BibTeX (no browser)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import bibtexparser
import pytest

from explorer import elements as el
from explorer.theme import SHAPE_POLYGONS, legend_items, node_styles, stylesheet
from graph.api import open_backend
from graph.models import Neighbor, NodeRef
from ontology.schema import CLASSES

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture(scope="module")
def g():
    return open_backend("embedded", evidence=MINI)


def test_every_class_has_a_distinct_colour_and_shape_pair_and_unique_shape():
    styles = node_styles()
    assert {c.name for c in CLASSES} <= set(styles)
    shapes = [s["shape"] for s in styles.values()]
    assert len(shapes) == len(set(shapes)), "shape alone must tell classes apart"
    assert all(s in SHAPE_POLYGONS for s in shapes)
    selectors = {r["selector"] for r in stylesheet()}
    assert all(f"node.cat-{c.name}" in selectors for c in CLASSES)
    assert len(legend_items()) == len(CLASSES)


def test_neighbourhood_elements_have_stored_direction_and_classes(g):
    center = g.node("harm:intimate-partner-violence").ref
    view = el.neighbourhood(center, g.neighbors(center.id))
    nodes = {e["data"]["id"]: e for e in view.elements if el.is_node(e)}
    edges = {e["data"]["id"]: e for e in view.elements if not el.is_node(e)}
    assert "focus" in nodes[center.id]["classes"]
    assert "cat-ControlTactic" in nodes["tactic:isolation"]["classes"]
    e = edges["harm:intimate-partner-violence|uses_tactic|tactic:isolation"]
    assert (e["data"]["source"], e["data"]["target"]) == (center.id, "tactic:isolation")
    assert e["data"]["claims"] == 1 and "evidence" in e["classes"]
    assert e["data"]["label"] == "uses tactic"
    # every edge ends on a node that is drawn
    assert all(x["data"]["source"] in nodes and x["data"]["target"] in nodes
               for x in edges.values())


def test_filters_keep_subclasses_and_relations(g):
    center = g.node("harm:intimate-partner-violence").ref
    nbrs = g.neighbors(center.id)
    only_harms = el.filter_neighbors(nbrs, types=["Harm"])
    assert only_harms and all(n.node.category in ("Harm", "TraffickingType")
                              for n in only_harms)
    only_tactic = el.filter_neighbors(nbrs, relations=["uses_tactic"])
    assert {n.node.id for n in only_tactic} == {"tactic:isolation", "tactic:economic-abuse"}


def test_expansion_sends_only_what_is_not_on_screen(g):
    center = g.node("harm:intimate-partner-violence").ref
    first = el.neighbourhood(center, g.neighbors(center.id))
    shown = {e["data"]["id"] for e in first.elements}
    other = g.node("harm:human-trafficking").ref
    delta = el.neighbourhood(other, g.neighbors(other.id), existing=shown, focus=False)
    ids = [e["data"]["id"] for e in delta.elements]
    assert not set(ids) & shown
    assert "tactic:isolation" not in ids  # already drawn
    assert "harm:human-trafficking|uses_tactic|tactic:isolation" in ids  # new link to it


def test_cap_summarises_and_says_how_to_narrow():
    center = NodeRef("harm:x", "Harm", "X")
    nbrs = [Neighbor(NodeRef(f"risk:r{i}", "RiskFactor", f"R{i}"), "increases_risk_of", "in")
            for i in range(50)]
    view = el.neighbourhood(center, nbrs, max_nodes=10)
    # the centre, 9 neighbours and one "+ 41 more Risk factors" node standing for the rest
    assert view.truncated and view.shown_nodes == 11
    more = [e for e in view.elements if "more" in e["data"]]
    assert [m["data"]["label"] for m in more] == ["+ 41 more Risk factors"]
    assert all(e["data"]["source"] != e["data"]["target"] for e in view.elements
               if not el.is_node(e))
    assert "filters" in view.notes[0]


def test_every_view_gets_server_positions():
    small = [el.node_element(NodeRef(f"a:{i}", "Harm", str(i))) for i in range(10)]
    assert el.auto_layout(small, center="a:0")["name"] == "preset"
    big = [el.node_element(NodeRef(f"a:{i}", "Harm", str(i))) for i in range(600)]
    lay = el.auto_layout(big, center="a:0")
    assert lay["name"] == "preset"
    assert big[0]["position"] == {"x": 0.0, "y": 0.0}
    pts = {(n["position"]["x"], n["position"]["y"]) for n in big}
    assert len(pts) == 600  # no two nodes on the same spot


def test_paths_rows_read_each_hop_with_relation_and_evidence_counts(g):
    paths = g.paths("risk:foster-care-placement", "Intervention")
    rows = el.path_rows(paths)
    assert rows[0]["end"].id == "int:safe-harbor-navigators"
    hop0, hop1 = rows[0]["hops"]
    assert hop0["relation"] == "increases risk of"
    assert hop0["evidence"] == "1 claim / 2 citations"
    assert hop1["relation"] == "addressed by"  # stored intervention → harm, read backwards
    view = el.path_view(paths, selected=0)
    start = next(e for e in view.elements if e["data"]["id"] == "risk:foster-care-placement")
    end = next(e for e in view.elements if e["data"]["id"] == "int:safe-harbor-navigators")
    assert start["position"]["x"] < end["position"]["x"]
    assert view.layout["name"] == "preset"


def test_presentation_steps_reveal_one_hop_at_a_time(g):
    p = g.paths("risk:foster-care-placement", "Intervention")[0]
    steps = el.path_steps(p)
    assert len(steps) == p.length + 1
    seen = [set().union(*steps[:k + 1]) for k in range(len(steps))]
    assert seen[0] == {"risk:foster-care-placement"}
    assert "harm:domestic-minor-sex-trafficking" in seen[1]
    assert "int:safe-harbor-navigators" not in seen[1]
    assert "int:safe-harbor-navigators" in seen[2]
    assert seen[0] < seen[1] < seen[2]


def test_shared_view_places_shared_items_between_the_two_harms(g):
    r = g.shared("harm:intimate-partner-violence", "harm:human-trafficking", "ControlTactic")
    view = el.shared_view(r)
    pos = {e["data"]["id"]: e["position"]["x"] for e in view.elements if el.is_node(e)}
    assert pos[r.a.id] < pos["tactic:isolation"] < pos[r.b.id]
    groups = el.shared_groups(r)
    assert [x["node"].id for x in groups["shared"]] == ["tactic:isolation"]


def test_coverage_csv_has_every_cell_and_marks_gaps_with_zero(g):
    cov = g.coverage("Harm", "PreventionStrategy")
    rows = list(csv.reader(io.StringIO(el.coverage_csv(cov))))
    assert len(rows) == len(cov.rows) + 1 and len(rows[0]) == len(cov.cols) + 2
    total = sum(int(x) for r in rows[1:] for x in r[2:])
    assert total == sum(c.count for c in cov.cells)
    assert any(x == "0" for r in rows[1:] for x in r[2:])


def test_claim_rows_keep_numbers_citations_source_and_flags(g):
    rows = {r["id"]: r for r in map(el.claim_row, g.claims())}
    r = rows["claim:ipv-before-trafficking"]
    assert r["numbers"] == "as many as 70% (adult women)"
    assert r["flags"] == "secondary" and r["locator"] == "Section B"
    assert r["source"] == "A Test Brief on Intersections"
    fc = rows["claim:foster-care-raises-risk"]
    assert "https://doi.org/10.1177/0000000000000001" in fc["doi"]
    assert rows["claim:runaways-one-in-six"]["citations"] == "none"
    text = el.claims_csv(list(rows.values()))
    back = list(csv.DictReader(io.StringIO(text)))
    assert {b["id"] for b in back} == set(rows)


def test_bibtex_round_trips_through_a_parser(g):
    cites = g.citations()
    lib = bibtexparser.parse_string(el.bibtex(cites + cites))  # duplicates dropped
    assert len(lib.entries) == len(cites)
    smith = next(e for e in lib.entries if e.key == "smith-2017")
    assert smith.entry_type == "article"
    assert smith["doi"] == "10.1177/0000000000000001" and smith["year"] == "2017"
    assert smith["author"] == "Smith, A. and Jones, B."
