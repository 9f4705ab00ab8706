"""Paths to claims across a wide level: read the claims in rank order, stop when the answer is
certain.

When claims are the destinations of :meth:`graph.backend.GraphBackend.paths` and a level's
frontier is wide (the thousands of neighbours of a hub), reading every claim about every
frontier node ships tens of thousands of rows to rank a dozen routes (BENCHMARKS.md, issue 17:
29,274 rows, 1.5 s in one read, for one start at 100k nodes). This module holds the pure part
of the way out, which stays exact:

* the rank of a route (:func:`route_key`, the first six parts of
  :func:`graph.backend.path_rank`) up to its last ``about`` link does not depend on which claim
  ends it. So each frontier node ``m`` gets, from its best route, the key of every route that
  ends with a *plain* ``about`` link into it (no claims of its own, not inferred), and the key
  of every route that ends with an inferred one (:func:`prefix_bounds`: never above the real
  key, and equal to it unless a claim repeats along a route);
* a node some ``about`` link into which carries claims (rare; the curated base can have them)
  gets a lower bound instead, and its claims are read whole;
* :func:`claim_events` sorts these into events, best key first. The backend reads one event's
  claims at a time, best label first (``GraphBackend._claims_into``), and the walk stops as soon
  as ``limit`` destinations are certain to rank before anything not yet read
  (:func:`certain`).

Nothing here reads the graph; the walk in :meth:`GraphBackend.paths` feeds it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # graph.backend imports this module
    from graph.backend import EdgeView

#: The rank parts of a route before its destination's label: hops without a claim, breadth
#: of the nodes passed through, hops, inferred hops, minus distinct claims, minus citations.
RouteKey = tuple[int, int, int, int, int, int]

#: Stands for "any number of claims / citations" in a lower bound.
_MANY = 1 << 60

#: Stand-ins in :func:`claim_events` for two groups of a hub's first-level neighbours that
#: the walk never lists (``GraphBackend._hub_ordered_claims``): those with a plain link from
#: the start, and those with only inferred ones (no claims on their links either way). No id
#: holds a NUL.
HUB_PLAIN = "\x00plain"
HUB_INFERRED = "\x00inferred"


def is_inferred(edge: EdgeView) -> bool:
    """True when the curators inferred the link (its ``basis``)."""
    return (edge.properties or {}).get("basis") == "inferred"


def route_key(route: list[str], es: list[EdgeView], breadth: Mapping[str, int],
              cites: Mapping[str, tuple[str, ...]]) -> RouteKey:
    """The first six parts of :func:`graph.backend.path_rank` for a route given as node ids
    and links (before any result object is built)."""
    claims = dict.fromkeys(c for e in es for c in e.claims)
    cited = dict.fromkeys(ci for cl in claims for ci in cites.get(cl, ()))
    return (sum(1 for e in es if not e.claims), sum(breadth.get(n, 0) for n in route[1:-1]),
            len(es), sum(1 for e in es if is_inferred(e)), -len(claims), -len(cited))


def prefix_bounds(source: str, frontier: Iterable[str],
                  preds_of: Mapping[str, list[tuple[str, EdgeView]]],
                  breadth: Mapping[str, int], cites: Mapping[str, tuple[str, ...]],
                  ) -> dict[str, RouteKey]:
    """For each frontier node, a key no route to it beats — :func:`route_key` of the route as
    if one more node followed it (the node itself counts in the breadth) — level by level
    through the walk's predecessor lists (one step per link, not one route enumeration per
    node: a hub's level has thousands of frontier nodes).

    Each hop adds its parts; claims and citations are counted per hop, so a claim that backs
    two hops of one route counts twice — never less than the route's distinct count, hence a
    bound (equal to the best key whenever no claim repeats along a route). A node missing from
    ``breadth`` counts 0, which keeps it a bound; ``cites`` must hold every claim on the links
    (a missing one would count no citations, more than it has)."""
    memo: dict[str, RouteKey] = {source: (0, 0, 0, 0, 0, 0)}

    def key(node: str) -> RouteKey:
        got = memo.get(node)
        if got is not None:
            return got
        below = breadth.get(node, 0)
        best: RouteKey | None = None
        for prev, e in preds_of[node]:
            k = memo.get(prev) or key(prev)
            inf = k[3] + (1 if e.properties and e.properties.get("basis") == "inferred" else 0)
            if e.claims:
                cited = {ci for cl in e.claims for ci in cites.get(cl, ())}
                cand = (k[0], k[1] + below, k[2] + 1, inf, k[4] - len(set(e.claims)),
                        k[5] - len(cited))
            else:
                cand = (k[0] + 1, k[1] + below, k[2] + 1, inf, k[4], k[5])
            if best is None or cand < best:
                best = cand
        memo[node] = got = best if best is not None else (0, 0, 0, 0, 0, 0)
        return got

    return {m: key(m) for m in frontier}


def claims_on_walk(preds_of: Mapping[str, list[tuple[str, EdgeView]]]) -> set[str]:
    """Every claim on a link the walk took so far — those on the routes to a frontier among
    them, whose citations :func:`prefix_bounds` needs (a few more cost one read anyway)."""
    return {c for links in preds_of.values() for _, e in links for c in e.claims}


def plain_key(prefix: RouteKey, *, inferred: bool = False) -> RouteKey:
    """The exact key of a route that goes on from ``prefix`` by one ``about`` link without
    claims of its own (inferred or not)."""
    no_claim, breadth, hops, inf, claims, cited = prefix
    return (no_claim + 1, breadth, hops + 1, inf + int(inferred), claims, cited)


def lower_bound(prefix: RouteKey) -> RouteKey:
    """A key no route through the node can beat when its ``about`` links may carry claims
    (the hop may add a claim, any number of claims and citations)."""
    no_claim, breadth, hops, inf, _, _ = prefix
    return (no_claim, breadth, hops + 1, inf, -_MANY, -_MANY)


@dataclass(frozen=True)
class ClaimEvent:
    """Frontier nodes whose claims share one key (or, for ``every``, one lower bound).

    ``plain`` / ``inferred``: nodes whose plain / inferred ``about`` links give routes of
    ``key`` (or, where a claim repeats along a route, worse); ``every`` (``exact`` False):
    nodes whose links may carry claims, ``key`` a lower bound — their claims are read whole.
    Nothing read through an event ranks before its key."""

    key: RouteKey
    every: tuple[str, ...] = ()
    plain: tuple[str, ...] = ()
    inferred: tuple[str, ...] = ()
    exact: bool = True


def claim_events(prefixes: Mapping[str, RouteKey], with_claims: Iterable[str], *,
                 include_inferred: bool) -> list[ClaimEvent]:
    """The events of one level, in the order their claims must be read: by key, and a lower
    bound before an exact key that equals it (its claims may rank first).

    ``prefixes``: each frontier node's best :func:`prefix_key`; ``with_claims``: the frontier
    nodes some ``about`` link into which carries claims.
    """
    special = set(with_claims)
    exact: dict[RouteKey, tuple[list[str], list[str]]] = {}
    bounds: dict[RouteKey, list[str]] = {}
    for node in sorted(prefixes):
        p = prefixes[node]
        if node in special:
            bounds.setdefault(lower_bound(p), []).append(node)
            continue
        exact.setdefault(plain_key(p), ([], []))[0].append(node)
        if include_inferred:
            exact.setdefault(plain_key(p, inferred=True), ([], []))[1].append(node)
    events = [ClaimEvent(k, every=tuple(ids), exact=False) for k, ids in bounds.items()]
    events += [ClaimEvent(k, plain=tuple(pl), inferred=tuple(inf))
               for k, (pl, inf) in exact.items()]
    events.sort(key=lambda ev: (ev.key, ev.exact))
    return events


def certain(best: Mapping[str, RouteKey], folds: Mapping[str, str], key: RouteKey,
            boundary: str | None = None) -> int:
    """How many destinations found so far rank before every destination not yet read, when
    nothing unread can have a key below ``key`` — and, with ``boundary``, nothing unread of key
    ``key`` has a label (casefolded) at or before it.

    ``best``: each found destination's best key over the routes the ranking will see;
    ``folds``: their casefolded labels.
    """
    if boundary is None:
        return sum(1 for b in best.values() if b < key)
    return sum(1 for d, b in best.items()
               if b < key or (b == key and folds.get(d, "") <= boundary))
