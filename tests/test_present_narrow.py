"""Present on a phone (390 px wide): stacked views that fit the narrow canvas at room size."""

from __future__ import annotations

import pytest

from explorer import elements as el
from explorer import layout as lay
from graph.models import Hop, Path
from tests.test_graph_fit import _shared


def _boxes(view: el.GraphView) -> dict[str, lay.Box]:
    nodes = [e for e in view.elements if el.is_node(e)]
    place = {n["data"]["id"]: lay.RIGHT if "lbl-right" in n.get("classes", "") else lay.BELOW
             for n in nodes}
    return lay.boxes({n["data"]["id"]: (n["position"]["x"], n["position"]["y"]) for n in nodes},
                     {n["data"]["id"]: n["data"]["label"] for n in nodes}, lay.PRESENT, place)


@pytest.mark.parametrize("sizes", [(3, 2, 1), (40, 20, 20), (150, 90, 80)])
@pytest.mark.parametrize("step", [0, 1, 2, 3])
def test_narrow_intersection_steps_fit_a_phone_and_count_what_they_leave_out(sizes, step):
    r = _shared(sum(sizes), *sizes)
    view = el.shared_present_view(r, step, narrow=True)
    w, h = el.extent(view.elements, lay.PRESENT)
    assert w <= lay.FIT_PRESENT_NARROW[0] and h <= lay.FIT_PRESENT_NARROW[1]
    assert lay.overlapping(_boxes(view)) == []
    items = (None, r.shared, r.only_a, r.only_b)[step] or ()
    ids = {i.node.id for i in items}
    drawn = [e for e in view.elements if e["data"]["id"] in ids]
    more = sum(e["data"]["count"] for e in view.elements if "more" in e["data"])
    assert len(drawn) + more == len(items)  # nothing silently dropped
    if items:
        assert drawn, "a phone slide still shows at least one item"
    # stacked: everything within one column's width, the harms above/below the items
    xs = [e["position"]["x"] for e in view.elements if el.is_node(e)]
    assert max(xs) - min(xs) < lay.FIT_PRESENT_NARROW[0]


def test_narrow_path_present_shows_only_the_current_hop_one_end_above_the_other():
    from graph.models import NodeRef

    nodes = [NodeRef(f"n:{i}", "RiskFactor", f"Step {i} of a long path label") for i in range(4)]
    hops = tuple(Hop(nodes[i], nodes[i + 1], "increases_risk_of", True)
                 for i in range(3))
    p = Path(tuple(nodes), hops)
    first = el.path_present_view(p, 0, narrow=True)
    assert [e["data"]["id"] for e in first.elements] == ["n:0"]
    v = el.path_present_view(p, 2, narrow=True)
    node_ids = [e["data"]["id"] for e in v.elements if el.is_node(e)]
    edges = [e for e in v.elements if not el.is_node(e)]
    assert node_ids == ["n:1", "n:2"] and len(edges) == 1
    pos = {e["data"]["id"]: e["position"] for e in v.elements if el.is_node(e)}
    assert pos["n:1"]["x"] == pos["n:2"]["x"] and pos["n:1"]["y"] < pos["n:2"]["y"]
    src = next(e for e in v.elements if e["data"]["id"] == "n:1")
    assert "lbl-above" in src["classes"]  # the edge runs between the two labels
