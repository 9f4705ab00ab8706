"""Server-side layouts (explorer.layout) and the views built on them (explorer.elements).

Pure functions on synthetic data: label boxes never overlap, layers read left to right, the two
harms sit left and right of what they share, big neighbourhoods are summarised by type, the
presentation steps stay within their bounds.
"""

from __future__ import annotations

import random

import pytest

from explorer import elements as el
from explorer import layout as lay
from explorer.theme import stylesheet
from graph.models import Hop, Neighbor, NodeRef, Path, SharedItem, SharedResult

WORDS = ["foster", "care", "placement", "commercial", "sexual", "exploitation", "of",
         "children", "intimate", "partner", "violence", "runaway", "homeless", "youth", "labor",
         "trafficking", "coercive", "control", "survival", "sex", "economic", "abuse",
         "isolation", "threats", "immigration", "status", "substance", "use"]
CATS = ("RiskFactor", "Harm", "Intervention", "ControlTactic", "Indicator", "Barrier")


def _label(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 7))).capitalize()


def _ref(i: int, rng: random.Random, cat: str | None = None) -> NodeRef:
    return NodeRef(f"n:{i}", cat or rng.choice(CATS), _label(rng))


def _boxes_of(elements: list[dict], m: lay.Metrics = lay.NORMAL) -> dict[str, lay.Box]:
    nodes = [e for e in elements if el.is_node(e)]
    pos = {n["data"]["id"]: (n["position"]["x"], n["position"]["y"]) for n in nodes}
    labels = {n["data"]["id"]: n["data"]["label"] for n in nodes}
    place = {n["data"]["id"]: lay.RIGHT if "lbl-right" in n.get("classes", "").split()
             else lay.BELOW for n in nodes}
    return lay.boxes(pos, labels, m, place)


def _x(elements: list[dict], i: str) -> float:
    return next(e["position"]["x"] for e in elements if e["data"]["id"] == i)


# --------------------------------------------------------------------------- sizes
def test_screen_label_sizes_meet_the_floor_and_match_the_stylesheet():
    assert lay.NORMAL.screen_font >= 12 and lay.PRESENT.screen_font >= 20
    node_rule = next(r for r in stylesheet() if r["selector"] == "node")["style"]
    assert node_rule["font-size"] == lay.NORMAL.font
    assert node_rule["text-max-width"] == lay.NORMAL.max_width
    big = [r for r in stylesheet(large=True) if r["selector"] == "node"][-1]["style"]
    assert big["font-size"] == lay.PRESENT.font
    assert big["text-max-width"] == lay.PRESENT.max_width


def test_wrap_keeps_each_line_within_the_wrap_width():
    m = lay.NORMAL
    per_line = int(m.max_width / (m.char * m.font))
    lines = lay.wrap("Education and outreach to youth in high-risk situations", m)
    assert len(lines) > 1 and all(len(s) <= per_line for s in lines)
    assert " ".join(lines) == "Education and outreach to youth in high-risk situations"


# --------------------------------------------------------------------------- explore
@pytest.mark.parametrize("n", [1, 5, 18, 40])
def test_explore_rings_leave_every_label_clear(n):
    rng = random.Random(n)
    center = _ref(0, rng, "Harm")
    nbrs = [Neighbor(_ref(i, rng), "increases_risk_of", rng.choice(("in", "out")))
            for i in range(1, n + 1)]
    view = el.neighbourhood(center, nbrs)
    view.layout = el.auto_layout(view.elements, center=center.id)
    assert view.layout["name"] == "preset"
    assert lay.overlapping(_boxes_of(view.elements)) == []


def test_expanded_nodes_go_on_outer_rings_without_overlap():
    rng = random.Random(7)
    center = _ref(0, rng, "Harm")
    first = [Neighbor(_ref(i, rng), "uses", "out") for i in range(1, 13)]
    view = el.neighbourhood(center, first)
    shown = {e["data"]["id"] for e in view.elements}
    hub = first[0].node
    second = [Neighbor(_ref(i, rng), "uses", "out") for i in range(100, 120)]
    delta = el.neighbourhood(hub, second, existing=shown, focus=False)
    assert all(e["data"].get("parent") == hub.id for e in delta.elements if el.is_node(e))
    elements = view.elements + delta.elements
    el.auto_layout(elements, center=center.id)
    assert lay.overlapping(_boxes_of(elements)) == []

    def r(i: str) -> float:
        p = next(e["position"] for e in elements if e["data"]["id"] == i)
        return (p["x"] ** 2 + p["y"] ** 2) ** 0.5

    assert min(r(n.node.id) for n in second) > max(r(n.node.id) for n in first)


def test_a_big_neighbourhood_is_summarised_by_type_and_a_type_can_be_opened():
    rng = random.Random(3)
    center = _ref(0, rng, "Harm")
    nbrs = [Neighbor(NodeRef(f"c:{i}", "Claim" if i % 3 else "RiskFactor", f"item {i}"),
                     "about", "in") for i in range(300)]
    view = el.neighbourhood(center, nbrs)
    real = [e for e in view.elements if el.is_node(e) and "more" not in e["data"]
            and e["data"]["id"] != center.id]
    more = [e for e in view.elements if el.is_node(e) and "more" in e["data"]]
    assert len(real) == el.SUMMARY_ABOVE
    assert {m["data"]["more"] for m in more} == {"Claim", "RiskFactor"}
    assert len(real) + sum(m["data"]["count"] for m in more) == 300
    claims_more = next(m for m in more if m["data"]["more"] == "Claim")
    assert claims_more["data"]["label"].startswith(f"+ {claims_more['data']['count']} more ")
    assert claims_more["data"]["label"].endswith("s")
    assert view.truncated and "summarised by type" in view.notes[0]
    # opening the claims draws all 200 of them (the cap allows it); risk factors stay summed up
    opened = el.neighbourhood(center, nbrs, opened=["Claim"])
    ids = {e["data"]["id"] for e in opened.elements}
    assert all(f"c:{i}" in ids for i in range(300) if i % 3)
    assert len(ids & {f"c:{i}" for i in range(300)}) <= el.MAX_NODES


def test_the_cap_turns_the_rest_into_summaries_not_silent_cuts():
    rng = random.Random(5)
    center = _ref(0, rng, "Harm")
    nbrs = [Neighbor(NodeRef(f"x:{i}", "Intervention", f"x {i}"), "serves", "out")
            for i in range(200)]
    view = el.neighbourhood(center, nbrs, max_nodes=30, opened=["Intervention"])
    nodes = [e for e in view.elements if el.is_node(e)]
    assert len(nodes) <= 31
    more = [e for e in nodes if "more" in e["data"]]
    assert more and more[0]["data"]["count"] == 200 - (len(nodes) - 2)


def test_inferred_links_are_drawn_dashed():
    a, b = NodeRef("a:1", "Harm", "A"), NodeRef("b:1", "RiskFactor", "B")
    view = el.neighbourhood(a, [Neighbor(b, "increases_risk_of", "in", basis="inferred")])
    edge = next(e for e in view.elements if not el.is_node(e))
    assert "inferred" in edge["classes"].split() and edge["data"]["basis"] == "inferred"
    rule = next(r for r in stylesheet() if r["selector"] == "edge.inferred")
    assert rule["style"]["line-style"] == "dashed"


# --------------------------------------------------------------------------- paths
def _paths(rng: random.Random, n_ends: int = 20, hops: int = 3) -> list[Path]:
    start = NodeRef("s:0", "RiskFactor", "Foster care placement")
    mids = [NodeRef(f"m:{i}", "Harm", _label(rng)) for i in range(4)]
    out = []
    for k in range(n_ends):
        chain = [start]
        for h in range(hops - 1):
            chain.append(mids[(k + h) % len(mids)] if h == 0 else
                         NodeRef(f"m{h}:{k % 3}", "Setting", _label(rng)))
        chain.append(NodeRef(f"e:{k}", "Intervention", _label(rng)))
        hop_list = tuple(Hop(chain[i], chain[i + 1], "related_to", True)
                         for i in range(len(chain) - 1))
        out.append(Path(tuple(chain), hop_list))
    return out


def test_paths_read_left_to_right_with_destinations_grouped_on_the_right():
    rng = random.Random(11)
    paths = _paths(rng)
    view = el.path_view(paths, selected=0)
    els = view.elements
    xs = {e["data"]["id"]: e["position"]["x"] for e in els if el.is_node(e)}
    ends = {p.end.id for p in paths}
    assert xs["s:0"] == min(xs.values())
    assert min(xs[i] for i in ends) > max(x for i, x in xs.items() if i not in ends)
    for p in paths:  # every hop moves right
        assert all(xs[a.id] < xs[b.id] for a, b in zip(p.nodes, p.nodes[1:], strict=False))
    assert lay.overlapping(_boxes_of(els)) == []
    # 20 destinations do not make one column taller than the canvas: they wrap
    assert len({xs[i] for i in ends}) >= 2
    ys = [e["position"]["y"] for e in els if el.is_node(e)]
    assert max(ys) - min(ys) <= 640


def test_present_path_reveals_hops_in_order_and_clamps_the_step():
    rng = random.Random(2)
    p = _paths(rng, n_ends=1, hops=6)[0]
    seen_positions: dict[str, dict] = {}
    for step in range(p.length + 1):
        v = el.path_present_view(p, step)
        ids = {e["data"]["id"] for e in v.elements if el.is_node(e)}
        assert ids == {n.id for n in p.nodes[:step + 1]}
        for e in v.elements:
            if el.is_node(e):  # a node keeps its place from step to step
                assert seen_positions.setdefault(e["data"]["id"], e["position"]) == e["position"]
        assert lay.overlapping(_boxes_of(v.elements, lay.PRESENT)) == []
    past = el.path_present_view(p, 99)
    assert {e["data"]["id"] for e in past.elements if el.is_node(e)} == {n.id for n in p.nodes}
    assert el.clamp_step(99, p.length + 1) == p.length and el.clamp_step(-3, 4) == 0
    # rows of four: a 6-hop path stays as wide as four nodes
    xs = {e["position"]["x"] for e in past.elements if el.is_node(e)}
    assert len(xs) == 4


# --------------------------------------------------------------------------- intersections
def _shared(rng: random.Random, n_shared: int, n_a: int, n_b: int) -> SharedResult:
    a, b = NodeRef("harm:a", "Harm", "Intimate partner violence"), NodeRef(
        "harm:b", "Harm", "Sex trafficking")

    def items(prefix: str, n: int, to_a: bool, to_b: bool) -> tuple[SharedItem, ...]:
        out = []
        for i in range(n):
            ref = NodeRef(f"{prefix}:{i}", CATS[i % 4], _label(rng))
            out.append(SharedItem(ref, (Neighbor(a, "uses", "out"),) if to_a else (),
                                  (Neighbor(b, "uses", "out"),) if to_b else ()))
        return tuple(out)

    return SharedResult(a, b, None, items("s", n_shared, True, True),
                        items("oa", n_a, True, False), items("ob", n_b, False, True))


@pytest.mark.parametrize("sizes", [(3, 2, 1), (28, 12, 9), (90, 40, 39)])
def test_intersections_put_the_harms_left_and_right_of_a_grid_by_type(sizes):
    rng = random.Random(sum(sizes))
    r = _shared(rng, *sizes)
    view = el.shared_view(r)
    els = view.elements
    xa, xb = _x(els, "harm:a"), _x(els, "harm:b")
    drawn = [e for e in els if el.is_node(e) and e["data"]["id"] not in ("harm:a", "harm:b")]
    for e in drawn:
        x = e["position"]["x"]
        if e["data"]["id"].startswith(("s:", "group:shared", "more:shared")):
            assert xa < x < xb
        elif e["data"]["id"].startswith(("oa:", "group:only-a", "more:only-a")):
            assert x < xa
        else:
            assert x > xb
    assert lay.overlapping(_boxes_of(els)) == []
    # grouped by type: reading the shared grid column by column, a type's items follow its
    # heading until the next heading
    shared = sorted((e for e in drawn if e["data"]["id"].startswith(("s:", "group:shared"))),
                    key=lambda e: (e["position"]["x"], e["position"]["y"]))
    cats = [e["data"]["id"].split(":")[-1] if e["data"]["id"].startswith("group:")
            else e["data"]["category"] for e in shared]
    assert [c for k, c in enumerate(cats) if k == 0 or c != cats[k - 1]] == sorted(set(cats),
                                                                                    key=cats.index)
    n_items = sum(1 for e in drawn if e["data"]["id"].split(":")[0] in ("s", "oa", "ob"))
    assert n_items <= el.SHARED_BUDGET
    more = sum(e["data"]["count"] for e in drawn if "more" in e["data"])
    assert n_items + more == sum(sizes)


def test_present_intersections_show_one_group_per_step_within_a_room_sized_budget():
    rng = random.Random(9)
    r = _shared(rng, 60, 30, 25)
    steps = [el.shared_present_view(r, s) for s in range(4)]
    ids = [{e["data"]["id"] for e in v.elements if el.is_node(e)} for v in steps]
    assert ids[0] == {"harm:a", "harm:b"}
    assert {"harm:a", "harm:b"} <= ids[1] and any(i.startswith("s:") for i in ids[1])
    assert "harm:b" not in ids[2] and all(not i.startswith(("s:", "ob:")) for i in ids[2])
    assert "harm:a" not in ids[3] and any(i.startswith("ob:") for i in ids[3])
    for v in steps:
        items = [e for e in v.elements if el.is_node(e) and e["data"]["id"].split(":")[0]
                 in ("s", "oa", "ob")]
        assert len(items) <= el.SHARED_PRESENT_BUDGET
        assert lay.overlapping(_boxes_of(v.elements, lay.PRESENT)) == []
    assert {e["data"]["id"] for e in el.shared_present_view(r, 17).elements} == \
        {e["data"]["id"] for e in steps[3].elements}


def test_explore_by_relation_puts_what_the_centre_points_at_right_and_the_rest_left():
    rng = random.Random(21)
    center = _ref(0, rng, "Harm")
    nbrs = [Neighbor(_ref(i, rng), rng.choice(("uses_tactic", "increases_risk_of")),
                     "out" if i % 2 else "in") for i in range(1, 31)]
    view = el.neighbourhood(center, nbrs)
    el.relation_layout(view.elements, center.id)
    xs = {e["data"]["id"]: e["position"]["x"] for e in view.elements if el.is_node(e)}
    for n in nbrs:
        assert (xs[n.node.id] > xs[center.id]) == (n.direction == "out")
    heads = [e for e in view.elements if "group-label" in e.get("classes", "")]
    assert {h["data"]["label"].rsplit(" (", 1)[0].lower() for h in heads} <= {
        el.relation_label(p, fwd).lower() for p in ("uses_tactic", "increases_risk_of")
        for fwd in (True, False)}
    assert all("quiet" in e["classes"] for e in view.elements if not el.is_node(e))
    assert lay.overlapping(_boxes_of(view.elements)) == []
    w, h = el.extent(view.elements)
    assert h <= el.FIT_EXPLORE[1]


def test_the_key_explains_dashed_inferred_links_and_summaries():
    from explorer.components import legend

    text = str(legend().to_plotly_json())
    assert "inferred by the curators" in text and "dashed" in text
    assert "+ n more" in text
