"""Colour and shape per ontology class, and the Cytoscape stylesheet built from them.

Every class gets a colour from the Okabe–Ito palette (safe for the common forms of colour
blindness) AND its own shape, so no one has to tell types apart by colour alone. The table
lives in ``assets/node_styles.json`` (data, editable without touching code); this module reads
it, checks it covers every class in ``ontology.schema.CLASSES``, and turns it into the
Cytoscape stylesheet and the legend's CSS.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from ontology.schema import CLASS_BY_NAME, CLASSES

ASSETS = Path(__file__).parent / "assets"

#: CSS clip-path polygons that draw each Cytoscape shape in the HTML legend.
SHAPE_POLYGONS: dict[str, str] = {
    "ellipse": "circle(50% at 50% 50%)",
    "round-rectangle": "inset(0 round 25%)",
    "rectangle": "inset(0)",
    "triangle": "polygon(50% 0, 100% 100%, 0 100%)",
    "diamond": "polygon(50% 0, 100% 50%, 50% 100%, 0 50%)",
    "hexagon": "polygon(25% 0, 75% 0, 100% 50%, 75% 100%, 25% 100%, 0 50%)",
    "pentagon": "polygon(50% 0, 100% 38%, 82% 100%, 18% 100%, 0 38%)",
    "octagon": "polygon(30% 0, 70% 0, 100% 30%, 100% 70%, 70% 100%, 30% 100%, 0 70%, 0 30%)",
    "star": "polygon(50% 0, 61% 35%, 98% 35%, 68% 57%, 79% 91%, 50% 70%, 21% 91%, 32% 57%, "
            "2% 35%, 39% 35%)",
    "vee": "polygon(0 0, 50% 40%, 100% 0, 50% 100%)",
    "tag": "polygon(0 0, 70% 0, 100% 50%, 70% 100%, 0 100%)",
    "rhomboid": "polygon(25% 0, 100% 0, 75% 100%, 0 100%)",
    "barrel": "polygon(10% 0, 90% 0, 100% 20%, 100% 80%, 90% 100%, 10% 100%, 0 80%, 0 20%)",
    "concave-hexagon": "polygon(0 0, 100% 0, 85% 50%, 100% 100%, 0 100%, 15% 50%)",
    "heptagon": "polygon(50% 0, 90% 20%, 100% 60%, 75% 100%, 25% 100%, 0 60%, 10% 20%)",
    "cut-rectangle": "polygon(20% 0, 80% 0, 100% 20%, 100% 80%, 80% 100%, 20% 100%, 0 80%, "
                     "0 20%)",
    "bottom-round-rectangle": "inset(0 round 0 0 35% 35%)",
    "round-triangle": "polygon(50% 0, 100% 100%, 0 100%)",
    "round-tag": "polygon(0 0, 70% 0, 100% 50%, 70% 100%, 0 100%)",
}


@cache
def node_styles() -> dict[str, dict[str, str]]:
    """``{class name: {"color", "shape", "text"}}`` from assets/node_styles.json."""
    data = json.loads((ASSETS / "node_styles.json").read_text(encoding="utf-8"))
    styles = data["classes"]
    missing = [c.name for c in CLASSES if c.name not in styles]
    if missing:
        raise ValueError(f"assets/node_styles.json has no style for: {', '.join(missing)}")
    unknown_shapes = {s["shape"] for s in styles.values()} - set(SHAPE_POLYGONS)
    if unknown_shapes:
        raise ValueError(f"unknown shapes in node_styles.json: {sorted(unknown_shapes)}")
    return styles


def style_of(category: str) -> dict[str, str]:
    return node_styles().get(category, {"color": "#999999", "shape": "ellipse",
                                        "text": "#000000"})


def type_label(category: str) -> str:
    spec = CLASS_BY_NAME.get(category)
    return spec.label if spec else category


@cache
def base_stylesheet() -> tuple[dict[str, Any], ...]:
    """The static part of the Cytoscape stylesheet (assets/cytoscape_base.json)."""
    return tuple(json.loads((ASSETS / "cytoscape_base.json").read_text(encoding="utf-8")))


def stylesheet(*, large: bool = False) -> list[dict[str, Any]]:
    """Base rules, then one rule per class (colour + shape); ``large`` for presentation mode."""
    rules = [dict(r) for r in base_stylesheet()]
    for name, s in node_styles().items():
        rules.append({"selector": f"node.cat-{name}",
                      "style": {"background-color": s["color"], "shape": s["shape"]}})
    if large:  # sizes from explorer.layout.PRESENT, which the presentation layouts assume
        from explorer.layout import PRESENT

        rules.append({"selector": "node", "style": {
            "font-size": PRESENT.font, "width": PRESENT.node, "height": PRESENT.node,
            "text-max-width": PRESENT.max_width}})
        rules.append({"selector": "edge", "style": {"font-size": 18, "width": 3}})
    return rules


def legend_items(categories: list[str] | None = None) -> list[dict[str, str]]:
    """Rows for the legend: label, colour, CSS clip-path of the shape."""
    names = categories if categories is not None else [c.name for c in CLASSES]
    out = []
    for n in names:
        s = style_of(n)
        out.append({"category": n, "label": type_label(n), "color": s["color"],
                    "shape": s["shape"], "clip": SHAPE_POLYGONS.get(s["shape"], "none")})
    return out


def shape_points(shape: str) -> list[tuple[float, float]]:
    """The legend shape as polygon points in the unit square (for the PNG/SVG export key).

    Read from the same CSS ``clip-path`` table the HTML legend uses, so the exported key and
    the on-screen key draw the same shapes: ``polygon(...)`` as given, ``circle`` as a
    24-gon, ``inset`` as the square.
    """
    import math

    clip = SHAPE_POLYGONS.get(shape, "inset(0)")
    if clip.startswith("circle"):
        return [(round(0.5 + 0.5 * math.cos(2 * math.pi * i / 24), 4),
                 round(0.5 + 0.5 * math.sin(2 * math.pi * i / 24), 4)) for i in range(24)]
    if clip.startswith("polygon("):
        pts = []
        for pair in clip[len("polygon("):-1].split(","):
            x, y = (float(v.strip().rstrip("%") or 0) / (100 if v.strip().endswith("%") else 1)
                    for v in pair.split())
            pts.append((x, y))
        return pts
    return [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]


def export_key() -> list[dict[str, Any]]:
    """Key rows for image exports: category, label, colour, shape points (see shape_points)."""
    return [{"category": i["category"], "label": i["label"], "color": i["color"],
             "points": shape_points(i["shape"])} for i in legend_items()]
