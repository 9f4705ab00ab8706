"""The budget search of ``explorer.elements.fitted`` (issue 14 item 7): it picks the same
budget as walking down the budgets one by one, but builds the view a bounded number of times.
"""

from __future__ import annotations

import random

import pytest

from explorer import elements as el
from explorer import layout as lay
from graph.models import Neighbor, NodeRef, SharedItem, SharedResult

CATS = ("RiskFactor", "Indicator", "ControlTactic", "Barrier")
WORDS = ("coercion", "isolation", "debt", "housing", "instability", "threats", "of",
         "immigration", "status", "economic", "abuse", "monitoring", "phone", "fear")


def _shared(seed: int, n_shared: int, n_a: int, n_b: int) -> SharedResult:
    rng = random.Random(seed)
    a = NodeRef("harm:a", "Harm", "Intimate partner violence")
    b = NodeRef("harm:b", "Harm", "Sex trafficking")

    def items(prefix: str, n: int, to_a: bool, to_b: bool) -> tuple[SharedItem, ...]:
        return tuple(SharedItem(NodeRef(f"{prefix}:{i}", CATS[i % 4],
                                        " ".join(rng.choice(WORDS)
                                                 for _ in range(rng.randint(1, 7)))),
                                (Neighbor(a, "uses", "out"),) if to_a else (),
                                (Neighbor(b, "uses", "out"),) if to_b else ())
                     for i in range(n))

    return SharedResult(a, b, None, items("s", n_shared, True, True),
                        items("oa", n_a, True, False), items("ob", n_b, False, True))


def _fits(view: el.GraphView, fit: tuple[float, float], m: lay.Metrics) -> bool:
    w, h = el.extent(view.elements, m)
    return w <= fit[0] and h <= fit[1]


def test_fit_budgets_step_down_by_a_fifth_to_four():
    assert el.fit_budgets(72) == [72, 57, 45, 36, 28, 22, 17, 13, 10, 8, 6, 4]
    assert el.fit_budgets(4) == [4]


@pytest.mark.parametrize("sizes", [(2, 1, 1), (40, 20, 20), (150, 90, 80), (400, 200, 200)])
@pytest.mark.parametrize("present", [False, True])
def test_fitted_builds_a_bounded_number_of_times_and_picks_the_first_budget_that_fits(
        sizes, present):
    r = _shared(sum(sizes), *sizes)
    if present:
        budget, fit, m = el.SHARED_PRESENT_BUDGET, lay.FIT_PRESENT, lay.PRESENT

        def build(k: int) -> el.GraphView:
            return el._shared_present_view(r, 1, k)
    else:
        budget, fit, m = el.SHARED_BUDGET, lay.FIT_NORMAL, lay.NORMAL

        def build(k: int) -> el.GraphView:
            return el._shared_view(r, k)

    calls: list[int] = []

    def counting(k: int) -> el.GraphView:
        calls.append(k)
        return build(k)

    view = el.fitted(counting, budget, fit, m)
    assert len(calls) <= el.MAX_FIT_BUILDS
    # the same view as walking down the budgets until one fits (what it did before)
    cands = el.fit_budgets(budget)
    walked = next((k for k in cands if _fits(build(k), fit, m)), cands[-1])
    assert view.elements == build(walked).elements


@pytest.mark.parametrize("sizes", [(3, 2, 1), (150, 90, 80), (400, 200, 200)])
def test_intersections_view_is_built_once_and_measured_from_its_layout(sizes, monkeypatch):
    """The budget search measures the layout alone; the elements are built once, and the view
    is the one walking down the budgets with full builds gives."""
    r = _shared(sum(sizes), *sizes)
    cands = el.fit_budgets(el.SHARED_BUDGET)
    walked = next((k for k in cands if _fits(el._shared_view(r, k), lay.FIT_NORMAL, lay.NORMAL)),
                  cands[-1])
    for k in cands:  # the cheap measure is the built drawing's extent
        assert el._shared_extent(r, k) == el.extent(el._shared_view(r, k).elements)
    expected = el._shared_view(r, walked).elements
    real, calls = el._shared_view, []
    monkeypatch.setattr(el, "_shared_view", lambda res, k: calls.append(k) or real(res, k))
    assert el.shared_view(r).elements == expected
    assert calls == [walked]
