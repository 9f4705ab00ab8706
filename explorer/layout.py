"""Server-side graph layouts that leave room for every label.

Why on the server: the browser's force layouts cost seconds of main-thread time on a few hundred
nodes and still stack labels on top of each other; these functions are pure (ids and labels in,
positions out), deterministic and unit-tested for label overlap.

Every position is in Cytoscape model units, i.e. screen pixels at zoom 1. A label's box is
estimated from its text with :class:`Metrics` (font size, wrap width, glyph width), the same
numbers the stylesheet uses (:mod:`explorer.theme`), so "no overlap" here means no overlap on
screen. The canvas never zooms out below :data:`MIN_ZOOM`, so a label drawn at
``Metrics.font`` px is at least ``MIN_ZOOM * font`` px on screen (≥ 12 px normally, ≥ 20 px in
presentation mode); views that would need a smaller zoom are summarised instead of drawn
(see :mod:`explorer.elements`).

Three layouts, one per view:

- :func:`layered` — Paths: left to right in hop layers; a layer taller than the canvas wraps
  into several columns (the destinations end up grouped on the right).
- :func:`two_sided` — Intersections: the two harms left and right, what they share in a grid
  between them, grouped by type, and what is particular to each on its outer side.
- :func:`rings` — Explore: the centre node, its neighbours on rings whose radius leaves room
  for each label, neighbours of expanded nodes on outer rings next to their parent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

#: The canvas never zooms out further than this (label px on screen = zoom x font size).
MIN_ZOOM = 0.875


@dataclass(frozen=True)
class Metrics:
    """Label and node sizes in model units; must match the stylesheet (explorer.theme)."""

    font: float = 14.0        # node label font-size
    max_width: float = 140.0  # text-max-width (labels wrap at this width)
    node: float = 28.0        # node width/height
    char: float = 0.6         # average glyph width / font size (generous for sans-serif)
    line: float = 1.3         # line height / font size
    margin: float = 4.0       # text-margin between node and label
    pad: float = 3.0          # text-background padding
    gap: float = 14.0         # free space kept between two boxes

    @property
    def screen_font(self) -> float:
        """Smallest on-screen label size the canvas allows (font x MIN_ZOOM)."""
        return self.font * MIN_ZOOM


NORMAL = Metrics()
PRESENT = Metrics(font=24.0, max_width=200.0, node=40.0, gap=20.0)

#: The model-space area a view should fit at MIN_ZOOM: the canvas at 1440 x 900 (about
#: 1,375 x 640 px normally, 1,375 x 545 px presenting) divided by MIN_ZOOM.
FIT_NORMAL = (1375 / MIN_ZOOM, 640 / MIN_ZOOM)
FIT_PRESENT = (1375 / MIN_ZOOM, 540 / MIN_ZOOM)
#: Presenting on a phone held upright (390 x 844: a canvas of about 358 x 650 px — 78vh,
#: assets/style.css — less the view's 20 px padding): views are stacked top to bottom and
#: hold fewer items.
NARROW_WIDTH = 700  # px; a window narrower than this presents the stacked views
NARROW_PADDING = 20
FIT_PRESENT_NARROW = ((358 - 2 * NARROW_PADDING) / MIN_ZOOM,
                      (650 - 2 * NARROW_PADDING) / MIN_ZOOM)

#: Where a label sits relative to its node.
BELOW, RIGHT = "below", "right"

Pos = dict[str, tuple[float, float]]


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle (x1 < x2, y1 < y2)."""

    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def w(self) -> float:
        return self.x2 - self.x1

    @property
    def h(self) -> float:
        return self.y2 - self.y1

    def shift(self, x: float, y: float) -> Box:
        return Box(self.x1 + x, self.y1 + y, self.x2 + x, self.y2 + y)

    def overlaps(self, o: Box) -> bool:
        return self.x1 < o.x2 and o.x1 < self.x2 and self.y1 < o.y2 and o.y1 < self.y2


# --------------------------------------------------------------------------- label sizes
def wrap(label: str, m: Metrics = NORMAL) -> list[str]:
    """Greedy word wrap at ``m.max_width`` (what Cytoscape's ``text-wrap: wrap`` does)."""
    per_line = max(1, int(m.max_width / (m.char * m.font)))
    lines: list[str] = []
    cur = ""
    for word in label.split() or [""]:
        while len(word) > per_line:  # an over-long word is cut (Cytoscape lets it overflow)
            if cur:
                lines.append(cur)
                cur = ""
            lines.append(word[:per_line])
            word = word[per_line:]
        if not cur:
            cur = word
        elif len(cur) + 1 + len(word) <= per_line:
            cur += " " + word
        else:
            lines.append(cur)
            cur = word
    lines.append(cur)
    return lines


@lru_cache(maxsize=1 << 16)
def text_size(label: str, m: Metrics = NORMAL) -> tuple[float, float]:
    """Width and height of a label's text box (background padding included).

    Memoised: a view is laid out and measured several times per request while its budget is
    searched (see ``explorer.elements.fitted``), and the same labels recur on every request;
    wrapping is most of a layout's cost.
    """
    lines = wrap(label, m)
    w = max(len(s) for s in lines) * m.char * m.font
    return w + 2 * m.pad, len(lines) * m.line * m.font + 2 * m.pad


@lru_cache(maxsize=1 << 16)
def node_box(label: str, m: Metrics = NORMAL, placement: str = BELOW) -> Box:
    """The node and its label as one box, relative to the node's centre (memoised; a
    :class:`Box` is immutable)."""
    tw, th = text_size(label, m)
    r = m.node / 2
    if placement == RIGHT:
        return Box(-r, -max(r, th / 2), r + m.margin + tw, max(r, th / 2))
    half = max(r, tw / 2)
    return Box(-half, -r, half, r + m.margin + th)


def boxes(pos: Mapping[str, tuple[float, float]], labels: Mapping[str, str],
          m: Metrics = NORMAL, placement: Mapping[str, str] | None = None) -> dict[str, Box]:
    """Absolute boxes of placed nodes (used by the tests and :func:`overlapping`)."""
    place = placement or {}
    return {i: node_box(labels[i], m, place.get(i, BELOW)).shift(*xy) for i, xy in pos.items()}


def overlapping(b: Mapping[str, Box]) -> list[tuple[str, str]]:
    """Pairs of ids whose boxes overlap (sweep over x; fine for the few hundred nodes drawn)."""
    items = sorted(b.items(), key=lambda kv: kv[1].x1)
    out = []
    for k, (i, bi) in enumerate(items):
        for j, bj in items[k + 1:]:
            if bj.x1 >= bi.x2:
                break
            if bi.overlaps(bj):
                out.append((i, j))
    return out


# --------------------------------------------------------------------------- layered (Paths)
def layered(layers: Sequence[Sequence[tuple[str, str]]], m: Metrics = NORMAL, *,
            max_height: float = 620.0, parents: Mapping[str, Sequence[str]] | None = None
            ) -> Pos:
    """Left-to-right layers of ``(id, label)``; labels below their nodes.

    Each layer is one column, or several side by side when it would be taller than
    ``max_height`` (model units). Within a layer nodes are ordered by the mean row of their
    ``parents`` in earlier layers (fewer crossings), then by label.
    """
    parents = parents or {}
    pos: Pos = {}
    rank: dict[str, float] = {}
    x = 0.0
    for layer in layers:
        if not layer:
            continue

        def key(item: tuple[str, str]) -> tuple[float, str, str]:
            ps = [rank[p] for p in parents.get(item[0], ()) if p in rank]
            return (sum(ps) / len(ps) if ps else 0.0, item[1].casefold(), item[0])

        ordered = sorted(layer, key=key)
        bx = [node_box(lab, m) for _, lab in ordered]
        row_h = max(b.h for b in bx) + m.gap
        col_w = max(b.w for b in bx) + m.gap * 2
        per_col = max(1, int((max_height + m.gap) // row_h))
        n_cols = math.ceil(len(ordered) / per_col)
        per_col = math.ceil(len(ordered) / n_cols)  # balance the columns
        for k, (i, _) in enumerate(ordered):
            c, r = divmod(k, per_col)
            in_col = min(per_col, len(ordered) - c * per_col)
            y = (r - (in_col - 1) / 2) * row_h - m.node  # centre the column (label below)
            pos[i] = (round(x + c * col_w, 1), round(y, 1))
            rank[i] = r + c * 0.5
        x += n_cols * col_w + m.gap * 2
    return pos


def snake(ids: Sequence[tuple[str, str]], m: Metrics = PRESENT, per_row: int = 4) -> Pos:
    """One path in rows of ``per_row`` nodes, alternately left→right and right→left.

    For presentation: a 6-hop path stays within a projector's width at full label size.
    """
    if not ids:
        return {}
    bx = [node_box(lab, m) for _, lab in ids]
    col_w = max(b.w for b in bx) + m.gap * 3
    row_h = max(b.h for b in bx) + m.gap * 3
    pos: Pos = {}
    for k, (i, _) in enumerate(ids):
        r, c = divmod(k, per_row)
        if r % 2:
            c = per_row - 1 - c
        pos[i] = (round(c * col_w, 1), round(r * row_h, 1))
    return pos


# --------------------------------------------------------------------------- grids (Intersections)
Group = tuple[str, Sequence[tuple[str, str]]]  # (header id+label pair owner, items)


def grid_block(groups: Sequence[tuple[tuple[str, str], Sequence[tuple[str, str]]]],
               m: Metrics = NORMAL, *, max_height: float = 620.0
               ) -> tuple[Pos, float, float]:
    """Groups in newspaper columns: each a header node, then its items, top to bottom.

    ``groups`` is ``[((header_id, header_label), [(id, label), ...]), ...]``; labels sit right
    of their nodes. Entries flow down a column (each as tall as its own label) until
    ``max_height``, then on into the next column (a header is never last in a column), so the
    block is no wider than needed. Returns positions relative to the block's top-left, its
    width and height.
    """
    entries: list[tuple[str, Box, bool]] = []
    for (hid, hlab), its in groups:
        entries.append((hid, node_box(hlab, m, RIGHT), True))
        entries += [(i, node_box(lab, m, RIGHT), False) for i, lab in its]
    if not entries:
        return {}, 0.0, 0.0
    pos: Pos = {}
    col_x = y = col_w = used_h = 0.0
    for k, (i, b, is_head) in enumerate(entries):
        h = b.h + m.gap
        need = h + (entries[k + 1][1].h + m.gap if is_head and k + 1 < len(entries) else 0)
        if y > 0 and y + need > max_height:
            col_x += col_w + m.gap * 2
            y = col_w = 0.0
        pos[i] = (round(col_x - b.x1, 1), round(y + h / 2, 1))
        y += h
        col_w = max(col_w, b.w)
        used_h = max(used_h, y)
    return pos, col_x + col_w, used_h


def two_sided(a: tuple[str, str] | None, b: tuple[str, str] | None,
              left: Sequence[tuple[tuple[str, str], Sequence[tuple[str, str]]]] = (),
              middle: Sequence[tuple[tuple[str, str], Sequence[tuple[str, str]]]] = (),
              right: Sequence[tuple[tuple[str, str], Sequence[tuple[str, str]]]] = (),
              m: Metrics = NORMAL, *, max_height: float = 620.0) -> Pos:
    """``left-grid | A | middle-grid | B | right-grid``, all vertically centred on y = 0.

    A or B may be None (a presentation step about one harm only); empty grids take no room.
    """
    pos: Pos = {}
    x = 0.0
    gap = m.gap * 4
    for part in (left, a, middle, b, right):
        if part is None or (isinstance(part, Sequence) and not part):
            continue
        if isinstance(part, tuple) and len(part) == 2 and isinstance(part[0], str):
            hub_id, hub_label = part  # a harm node: label below, centred on y = 0
            box = node_box(hub_label, m)
            pos[hub_id] = (round(x - box.x1, 1), 0.0)
            x += box.w + gap
            continue
        block, w, h = grid_block(part, m, max_height=max_height)  # type: ignore[arg-type]
        for i, (bx_, by_) in block.items():
            pos[i] = (round(x + bx_, 1), round(by_ - h / 2, 1))
        x += w + gap
    return pos


def stacked(a: tuple[str, str] | None, b: tuple[str, str] | None,
            middle: Sequence[tuple[tuple[str, str], Sequence[tuple[str, str]]]] = (),
            m: Metrics = PRESENT) -> Pos:
    """Top to bottom, centred on x = 0: A, the grid in one column, B — :func:`two_sided`
    turned upright for a phone (either harm may be None)."""
    pos: Pos = {}
    y = 0.0
    for part in (a, middle, b):
        if part is None or (isinstance(part, Sequence) and not part):
            continue
        if isinstance(part, tuple) and len(part) == 2 and isinstance(part[0], str):
            hub_id, hub_label = part
            box = node_box(hub_label, m)
            pos[hub_id] = (0.0, round(y - box.y1, 1))
            y += box.h + m.gap
            continue
        block, w, h = grid_block(part, m, max_height=math.inf)  # type: ignore[arg-type]
        for i, (bx_, by_) in block.items():
            pos[i] = (round(bx_ - w / 2, 1), round(y + by_, 1))
        y += h + m.gap
    return pos


# --------------------------------------------------------------------------- rings (Explore)
def rings(center: tuple[str, str] | None, layers: Sequence[Sequence[tuple[str, str]]],
          m: Metrics = NORMAL, *, parents: Mapping[str, str] | None = None) -> Pos:
    """The centre at (0, 0), then each layer (neighbours, then their neighbours…) on rings.

    Nodes on a ring are spaced by their boxes' extent along the ring (a label is wide, so
    neighbours at the top and bottom need more room than those at the sides); a ring that is
    full continues on the next, larger ring. ``parents`` (node → node on an inner ring) orders
    outer nodes by their parent's angle so they sit next to it.
    """
    pos: Pos = {}
    angle_of: dict[str, float] = {}
    if center is not None:
        pos[center[0]] = (0.0, 0.0)
        angle_of[center[0]] = 0.0
        cb = node_box(center[1], m)
        radius = max(abs(cb.x1), cb.x2, abs(cb.y1), cb.y2)
    else:
        radius = 0.0
    parents = parents or {}
    for layer in layers:
        todo = sorted(layer, key=lambda it: (angle_of.get(parents.get(it[0], ""), 0.0), it[0]))
        if not todo:
            continue
        bx = {i: node_box(lab, m) for i, lab in todo}
        ring_gap = max(b.h for b in bx.values()) + m.gap
        radius += ring_gap + (max(b.w for b in bx.values()) / 2 if radius == 0 else 0)
        while todo:
            placed, radius = _one_ring(todo, bx, radius, m)
            for i, (x, y, a) in placed.items():
                pos[i] = (round(x, 1), round(y, 1))
                angle_of[i] = a
            todo = todo[len(placed):]
            if todo:
                radius += ring_gap
    return pos


def _extent(b: Box, a: float) -> float:
    """Extent of box ``b`` along the tangent of a circle at angle ``a``."""
    return abs(b.w * math.sin(a)) + abs(b.h * math.cos(a))


def _one_ring(todo: Sequence[tuple[str, str]], bx: Mapping[str, Box], radius: float,
              m: Metrics) -> tuple[dict[str, tuple[float, float, float]], float]:
    """Place as many of ``todo`` as fit on a ring of ``radius``; spread them over the ring."""
    full = 2 * math.pi
    # how many fit: walk around the ring with each box's extent at its angle
    a, n = -math.pi / 2, 0
    for i, _ in todo:
        step = (_extent(bx[i], a) + m.gap) / radius
        if (a + math.pi / 2) + step > full and n:
            break
        a += step
        n += 1
    chosen = todo[:n]
    # spread: angles proportional to extents, using all of the ring
    widths = [_extent(bx[i], -math.pi / 2 + full * k / n) + m.gap for k, (i, _) in
              enumerate(chosen)]
    total = sum(widths)
    if total > full * radius:  # the estimate at the spread angles does not fit: grow the ring
        radius = total / full
    out: dict[str, tuple[float, float, float]] = {}
    a = -math.pi / 2
    for (i, _), w in zip(chosen, widths, strict=True):
        out[i] = (radius * math.cos(a), radius * math.sin(a), a)
        a += full * w / total
    return out, radius


def fix_overlaps(pos: Pos, labels: Mapping[str, str], m: Metrics = NORMAL,
                 placement: Mapping[str, str] | None = None, rounds: int = 8) -> Pos:
    """Scale positions out from their centre until no two label boxes overlap.

    A safety net for :func:`rings` (whose spacing is an estimate along a curve): scaling keeps
    the picture, only the distances grow. Returns the positions unchanged when nothing overlaps.
    """
    out = dict(pos)
    for _ in range(rounds):
        if not overlapping(boxes(out, labels, m, placement)):
            return out
        out = {i: (round(x * 1.25, 1), round(y * 1.25, 1)) for i, (x, y) in out.items()}
    return out
