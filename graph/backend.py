"""The graph-backend interface, and the queries written once on top of it.

A backend implements the public *storage protocol* — five primitives:

* :meth:`GraphBackend.node_data` — attributes of some nodes;
* :meth:`GraphBackend.edges_of` — every link touching some nodes (optionally some relations);
* :meth:`GraphBackend.ids_of` — ids of the nodes of some classes;
* :meth:`GraphBackend.search_candidates` — nodes whose label or synonyms contain query tokens;
* :meth:`GraphBackend.counts` — nodes per class, links per relation;

and inherits every user-facing query (:meth:`GraphBackend.search`, ``node``, ``neighbors``,
``paths``, ``shared``, ``coverage``, ``claims``…). The networkx and Neo4j backends therefore rank,
cap and break ties identically, and one contract test suite holds both to the same answers.
Other modules (SPARQL's RDF view, provenance, saved queries) read a backend through the protocol
and :meth:`GraphBackend.require`; none of them uses a backend's ``_private`` members.
"""

from __future__ import annotations

import difflib
import heapq
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
from operator import itemgetter
from typing import Any, NamedTuple

from graph.claim_order import (
    HUB_INFERRED,
    HUB_PLAIN,
    ClaimEvent,
    RouteKey,
    certain,
    claim_events,
    claims_on_walk,
    is_inferred,
    prefix_bounds,
    route_key,
)
from graph.models import (
    CitationInfo,
    ClaimInfo,
    Coverage,
    CoverageCell,
    GapCell,
    Hop,
    Link,
    Neighbor,
    Node,
    NodeRef,
    Path,
    PathGroup,
    SearchHit,
    SharedItem,
    SharedResult,
    Stats,
)
from graph.text import SearchText, best_match_texts, normalize, search_texts
from loaders.errors import IntersectionsError
from ontology.schema import (
    CLASS_BY_NAME,
    EVIDENCE_CLASSES,
    EVIDENCE_LAYER_PREDICATES,
    LIST_PREDICATES,
    PREDICATE_BY_NAME,
    expand_classes,
)

STRUCTURAL_PREDICATES = frozenset(PREDICATE_BY_NAME) - EVIDENCE_LAYER_PREDICATES - LIST_PREDICATES
ABOUT = frozenset({"about"})

#: Hard caps that keep any single query bounded, whatever the graph size.
MAX_HOPS = 6
MAX_PATHS = 200
PATHS_PER_TARGET = 3
MAX_FRONTIER = 20_000


class EdgeView(NamedTuple):
    """One stored link as the primitives return it."""

    subject: str
    predicate: str
    object: str
    claims: tuple[str, ...] = ()
    properties: dict[str, Any] = {}


class UnknownNodeError(IntersectionsError, KeyError):
    """No node has this id; carries the nearest ids to suggest."""

    def __init__(self, node_id: str, suggestions: list[str]) -> None:
        self.node_id = node_id
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no node with id {node_id!r}.{hint}")

    def __str__(self) -> str:
        return self.args[0]


#: How search orders a match: (-score, category rank, label length, id, matched text,
#: category, label) — smaller is better; ids are unique, so no two keys tie.
SearchRank = tuple[int, int, int, str, str, str, str]


@cache
def predicate_ends(predicate: str) -> frozenset[str]:
    """Every class a link of ``predicate`` may start or end at (subclasses included; the
    loader checks every link's domain and range). Cached: the ontology is fixed, and every
    path walk asks."""
    spec = PREDICATE_BY_NAME[predicate]
    return expand_classes([*spec.domain, *spec.range]) or frozenset()


def category_rank(category: str) -> int:
    """Search lists concepts (0) before claims and citations (1) of the same score."""
    return 1 if category in EVIDENCE_CLASSES else 0


def _basis(edge: EdgeView) -> str:
    """``stated`` or ``inferred`` (links loaded before bases existed count as stated)."""
    return (edge.properties or {}).get("basis") or "stated"


_inferred = is_inferred
_LINK_ORDER = itemgetter(0, 1, 2)  # (subject, predicate, object) of an EdgeView


@dataclass
class _Level:
    """What :meth:`GraphBackend._ordered_claims` shares with the walk of
    :meth:`GraphBackend.paths`: its state, its caches and how it walks a batch of links."""

    source: str
    frontier: list[str]
    preds_of: dict[str, list[tuple[str, EdgeView]]]
    targets: list[str]
    known: dict[str, NodeRef]
    breadth: dict[str, int]
    cites: dict[str, tuple[str, ...]]
    need: Callable[[Iterable[str], Iterable[str]], None]
    take: Callable[[list[EdgeView], dict[str, NodeRef]], None]


@dataclass
class _Hub:
    """A start's first level when :meth:`GraphBackend._hub_ordered_claims` reads the second
    level's claims without it: ``level`` the walk's state (its ``take`` walks links of the
    first level), ``links`` the relations of the first level's links, ``wanted`` the
    destination classes, ``second`` a ``take`` for the second level over a frontier set."""

    level: _Level
    links: frozenset[str]
    wanted: frozenset[str]
    include_inferred: bool
    second: Callable[[set[str]], Callable[[list[EdgeView], dict[str, NodeRef]], None]]


@dataclass
class HubLevel:
    """A start's first level as :meth:`GraphBackend._hub_level` summarises it.

    ``count``: the walkable neighbours (not destinations); ``evidence``: how many of them are
    claims or citations; ``edges``/``refs``: every walkable link to the *special* neighbours
    (a link to them carries claims, or one of their ``about`` links does — ``with_claims``),
    with their refs — or, when ``whole`` (a level too small to be a hub), to every neighbour;
    ``plain``/``inferred``: whether some other neighbour has a plain link (no claims, not
    inferred), or only inferred ones."""

    count: int
    evidence: int
    edges: list[EdgeView]
    refs: dict[str, NodeRef]
    with_claims: frozenset[str]
    plain: bool
    inferred: bool
    whole: bool = False

    @property
    def special(self) -> frozenset[str]:
        return frozenset(self.refs)


class HubOutcome(Enum):
    """What :meth:`GraphBackend._hub_ordered_claims` did: ``ANSWERED`` (the answer is certain),
    ``RESTART`` (walk again, reading the level whole), ``TAKEN`` (not a hub; the level's links
    came whole and were walked), ``NOT_APPLICABLE`` (read the level as usual)."""

    ANSWERED = "answered"
    RESTART = "restart"
    TAKEN = "taken"
    NOT_APPLICABLE = "not applicable"


def path_rank(p: Path, breadth: dict[str, int]) -> tuple[Any, ...]:
    """Sort key of a route (smaller is better), the rule docs/curation.md documents:

    1. fewest hops without a claim (a hop a claim backs beats one that only an entry's
       definition or a curator states);
    2. least umbrella: the fewest concepts below the nodes the route passes through (a route
       through "Domestic minor sex trafficking" beats one through "Human trafficking");
    3. fewest hops; 4. fewest inferred hops; 5. most distinct claims; 6. most citations;
    7. destination label, then ids, so every backend returns the same order.
    """
    return (sum(1 for h in p.hops if not h.claims),
            sum(breadth.get(n.id, 0) for n in p.nodes[1:-1]),
            p.length, sum(1 for h in p.hops if h.basis == "inferred"),
            -len(p.claims), -len(p.citations), p.end.label.casefold(),
            tuple(n.id for n in p.nodes), tuple(h.predicate for h in p.hops))


class GraphBackend(ABC):
    """Read-only access to one evidence base."""

    name: str = "abstract"

    # ------------------------------------------------------------------ storage protocol
    @abstractmethod
    def node_data(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Attributes of the given nodes (missing ids are absent from the result).

        Each dict has at least ``category``, ``label``, ``alt_labels``, ``definition``,
        ``sources`` and the node's other properties, decoded to Python values.
        """

    @abstractmethod
    def edges_of(self, ids: Iterable[str],
                  predicates: frozenset[str] | None = None) -> list[EdgeView]:
        """Every link touching any of the given nodes (either direction), optionally filtered."""

    @abstractmethod
    def ids_of(self, categories: frozenset[str]) -> list[str]:
        """Ids of all nodes whose category is in ``categories`` (sorted)."""

    @abstractmethod
    def search_candidates(self, query_tokens: list[str]) -> Iterable[tuple[str, dict[str, Any]]]:
        """(id, attrs) of at least every node where each query token occurs inside some word
        of its label or of one synonym. Extra candidates are fine: ranking filters them."""

    @abstractmethod
    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """(nodes per category, links per predicate)."""

    def _search_texts(self, node_id: str, attrs: dict[str, Any]) -> tuple[SearchText, ...]:
        """Normalised label and synonyms of a node (backends with an index override this)."""
        return search_texts(attrs["label"], attrs.get("alt_labels") or ())

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections (no-op for in-memory backends)."""

    def __enter__(self) -> GraphBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ helpers
    def _refs(self, ids: Iterable[str]) -> dict[str, NodeRef]:
        return self.node_refs(ids)

    def node_refs(self, ids: Iterable[str]) -> dict[str, NodeRef]:
        """Id, class and label of some nodes (missing ids absent). A backend whose
        :meth:`node_data` is costly (a server shipping whole property maps) overrides this."""
        data = self.node_data(ids)
        return {i: NodeRef(i, d["category"], d["label"]) for i, d in data.items()}

    def _walk_edges(self, frontier: list[str], predicates: frozenset[str] | None,
                    claims_kept: int | None) -> list[EdgeView]:
        """The links one level of :meth:`paths` walks from ``frontier``.

        ``claims_kept`` (set when claims are destinations) allows a backend to leave out
        claims that cannot make the answer: of the plain ``about`` links into one frontier node
        (no claims of their own, not inferred, from a Claim), only the first ``claims_kept``
        claims by label (casefold) then id are needed — every other claim reached there has
        that many destinations ranked before it, at every depth. A backend that trims must
        still return every ``about`` link between a kept claim and the frontier. The default
        returns every link.
        """
        return self.edges_of(frontier, predicates)

    def _walk_level(self, frontier: list[str], predicates: frozenset[str] | None,
                    claims_kept: int | None, destinations: frozenset[str] | None,
                    ) -> Iterator[tuple[list[EdgeView], dict[str, NodeRef]]]:
        """The links of one level of :meth:`paths` in batches, each with the refs of nodes
        the backend already knows (so :meth:`paths` need not look them up again).

        When ``destinations`` (classes) is given, a backend may split the level: the FIRST
        batch must hold every link (of :meth:`_walk_edges`) from the frontier to a node of
        those classes, later batches only links to other nodes. :meth:`paths` stops asking
        for more batches once the level found enough destinations (or is the last level), so
        a server need not ship a hub's links to nodes that cannot be on a kept route. The
        default is one batch with every link.
        """
        yield self._walk_edges(frontier, predicates, claims_kept), {}

    def _neighbour_links(self, node_id: str, predicates: frozenset[str] | None,
                         ) -> tuple[list[EdgeView], dict[str, NodeRef]]:
        """The links of one node (of ``predicates``) and the refs of the nodes at their other
        ends — what :meth:`neighbors` shows. Only claims and basis of a link are read from it;
        a server backend overrides this to fetch both in one lean read."""
        edges = self.edges_of([node_id], predicates)
        return edges, self._refs({e.object if e.subject == node_id else e.subject
                                  for e in edges})

    def require(self, node_id: str) -> dict[str, Any]:
        """Attributes of one node, or :class:`UnknownNodeError` naming the nearest ids."""
        data = self.node_data([node_id]).get(node_id)
        if data is None:
            raise UnknownNodeError(node_id, self.suggest(node_id))
        return data

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """Nearest ids for a mistyped id or label."""
        local = text.split(":", 1)[-1].replace("-", " ")
        hits = [h.node.id for h in self.search(local, limit=n)]
        if len(hits) < n:
            all_ids = self.ids_of(frozenset(CLASS_BY_NAME))
            for i in difflib.get_close_matches(text, all_ids, n=n, cutoff=0.5):
                if i not in hits:
                    hits.append(i)
        return hits[:n]

    # ------------------------------------------------------------------ queries
    def stats(self) -> Stats:
        by_cat, by_pred = self.counts()
        return Stats(sum(by_cat.values()), sum(by_pred.values()), dict(sorted(by_cat.items())),
                     dict(sorted(by_pred.items())))

    def search(self, text: str, categories: Iterable[str] | None = None,
               limit: int = 20) -> list[SearchHit]:
        """Nodes whose label or synonym matches ``text``, best first.

        Ranking: match score (exact > prefix > word prefixes > substring), concepts before
        claims and citations, shorter labels first, then id.
        """
        q = normalize(text)
        if not q:
            return []
        wanted = expand_classes(list(categories) if categories else None)
        hits = [SearchHit(NodeRef(i, cat, label), -neg, matched)
                for neg, _, _, i, matched, cat, label in self._best_matches(q, wanted, limit)]
        return self._with_collection_members(hits, wanted, limit)

    def _best_matches(self, q: str, wanted: frozenset[str] | None,
                      limit: int) -> list[SearchRank]:
        """The ``limit`` best matches of the normalised query ``q``, best first, as
        :data:`SearchRank` tuples (a backend that ranks on its server overrides this and must
        return exactly the same list)."""
        scored = []
        for node_id, d in self.search_candidates(q.split()):
            cat = d["category"]
            if wanted is not None and cat not in wanted and cat != "Collection":
                continue  # a matching list still brings its items of the wanted types
            score, matched = best_match_texts(q, self._search_texts(node_id, d))
            if score > 0:
                scored.append((-score, category_rank(cat), len(d["label"]), node_id, matched,
                               cat, d["label"]))
        # ids are unique, so tuples never compare past the id
        return heapq.nsmallest(limit, scored)

    def _with_collection_members(self, hits: list[SearchHit], wanted: frozenset[str] | None,
                                 limit: int) -> list[SearchHit]:
        """A collection that matches brings its items along, in the document's order, right
        after it ("red flags" finds the red-flag indicators, not just the list's name)."""
        if not any(h.node.category == "Collection" for h in hits):
            return hits
        out: list[SearchHit] = []
        seen = {h.node.id for h in hits}
        for h in hits:
            out.append(h)
            if h.node.category != "Collection":
                continue
            for m in self.collection_members(h.node.id):
                if m.id not in seen and (wanted is None or m.category in wanted):
                    seen.add(m.id)
                    out.append(SearchHit(m, max(1, h.score - 1), f"in {h.node.label}"))
        if wanted is not None:
            out = [h for h in out if h.node.category in wanted]
        return out[:limit]

    def collection_members(self, collection_id: str) -> list[NodeRef]:
        """The items of a collection in the document's order (empty for any other node)."""
        edges = [e for e in self.edges_of([collection_id], LIST_PREDICATES)
                 if e.subject == collection_id]
        edges.sort(key=lambda e: ((e.properties or {}).get("position") or 0, e.object))
        refs = self._refs(e.object for e in edges)
        return [refs[e.object] for e in edges if e.object in refs]

    def collections_of(self, node_id: str) -> list[NodeRef]:
        """The collections a node is an item of, by label."""
        edges = [e for e in self.edges_of([node_id], LIST_PREDICATES) if e.object == node_id]
        refs = self._refs(e.subject for e in edges)
        return sorted(refs.values(), key=lambda r: (r.label.casefold(), r.id))

    def node(self, node_id: str) -> Node:
        d = dict(self.require(node_id))
        return Node(
            id=node_id,
            category=d.pop("category"),
            label=d.pop("label"),
            alt_labels=tuple(d.pop("alt_labels", None) or ()),
            definition=d.pop("definition", None),
            sources=tuple(d.pop("sources", None) or ()),
            properties=d,
        )

    def nodes(self, category: str) -> list[NodeRef]:
        """Every node of a class (and its subclasses), sorted by label."""
        wanted = expand_classes([category]) or frozenset()
        refs = self._refs(self.ids_of(wanted))
        return sorted(refs.values(), key=lambda r: (r.label.casefold(), r.id))

    def neighbors(self, node_id: str, categories: Iterable[str] | None = None,
                  predicates: Iterable[str] | None = None, *, include_evidence: bool = False,
                  limit: int | None = None) -> list[Neighbor]:
        """Links of a node. Claims and citations are left out unless ``include_evidence``."""
        here = self.require(node_id)["category"]
        wanted = expand_classes(list(categories) if categories else None)
        preds = frozenset(predicates) if predicates else None
        if preds:
            unknown = preds - set(PREDICATE_BY_NAME)
            if unknown:
                raise ValueError(f"unknown relation(s): {', '.join(sorted(unknown))}")
        fetch = preds
        if not include_evidence and here not in EVIDENCE_CLASSES:
            # evidence-layer links start at a Claim (their domain), so from a concept they lead
            # only to claims, which are left out: do not fetch a hub's thousands of them
            fetch = (preds or frozenset(PREDICATE_BY_NAME)) - EVIDENCE_LAYER_PREDICATES
        edges, refs = self._neighbour_links(node_id, fetch) if fetch is None or fetch else (
            [], {})
        out = []
        for e in edges:
            out_dir = e.subject == node_id
            other = refs.get(e.object if out_dir else e.subject)
            if other is None:
                continue
            if not include_evidence and (other.category in EVIDENCE_CLASSES):
                continue
            if wanted is not None and other.category not in wanted:
                continue
            out.append(Neighbor(other, e.predicate, "out" if out_dir else "in", e.claims,
                                _basis(e)))
        out.sort(key=lambda n: (n.predicate, n.direction, n.node.label.casefold(), n.node.id))
        return out[:limit] if limit else out

    # -- paths ------------------------------------------------------------------------
    def _walkable(self, edge: EdgeView, at: str, node_cat: dict[str, str],
                  to_evidence: bool, preds: frozenset[str] | None) -> str | None:
        """The node an edge leads to from ``at``, or None when the walk may not take it."""
        other = edge.object if edge.subject == at else edge.subject
        if preds is not None and edge.predicate not in preds:
            return None
        if edge.predicate in LIST_PREDICATES:  # a list groups items; it is not a route
            return None
        here = node_cat.get(at)
        if edge.predicate in EVIDENCE_LAYER_PREDICATES:
            if not to_evidence:
                return None
            # concept → claim (via "about"), claim → citation; never back out of evidence
            if here == "Claim":
                return other if edge.subject == at and edge.predicate != "about" else None
            if here == "Citation":
                return None
            return other if edge.predicate == "about" and edge.object == at else None
        if here in EVIDENCE_CLASSES:
            return None
        return other

    def paths(self, from_id: str, to_category: str | None = None, *, to_id: str | None = None,
              max_hops: int = 4, limit: int = 10,
              predicates: Iterable[str] | None = None,
              include_inferred: bool = True) -> list[Path]:
        """Simple paths from a node to nodes of a class (or one node), best first.

        Paths walk links in either direction; each hop reports the stored direction, the claims
        and citations on that link and its basis (stated or inferred). For every reachable
        target the ``PATHS_PER_TARGET`` best shortest routes are kept, and results come grouped
        by destination (a destination's routes together), destinations ordered by their best
        route. Ranking (:func:`path_rank`, the same on every backend): fewest hops without a
        claim, then least umbrella (the fewest narrower concepts below the nodes passed
        through, so "Domestic minor sex trafficking" beats "Human trafficking" when both lead
        to the destination), then fewest hops, most distinct claims, most citations, end label
        and ids. ``include_inferred=False`` leaves links the curators inferred out of the walk.
        """
        return self._paths(from_id, to_category, to_id, max_hops, limit, predicates,
                           include_inferred, hub=True)

    def _paths(self, from_id: str, to_category: str | None, to_id: str | None, max_hops: int,
               limit: int, predicates: Iterable[str] | None, include_inferred: bool, *,
               hub: bool) -> list[Path]:
        """:meth:`paths`; ``hub``: a hub's second level of claims may be read without its
        whole first level (:meth:`_hub_ordered_claims`; when that cannot answer, the walk
        starts again without it)."""
        if to_category is None and to_id is None:
            raise ValueError("give a destination: a type (to_category) or a node (to_id)")
        max_hops = max(1, min(int(max_hops), MAX_HOPS))
        limit = max(1, min(int(limit), MAX_PATHS))
        start = self.require(from_id)
        wanted = expand_classes([to_category]) if to_category else None
        if to_id is not None:
            self.require(to_id)
        to_evidence = bool(wanted and wanted & EVIDENCE_CLASSES) or bool(
            to_id and self.node_data([to_id])[to_id]["category"] in EVIDENCE_CLASSES)
        preds = frozenset(predicates) if predicates else None
        # fetch only links the walk may take: without evidence destinations the claim links
        # (most of a large base, thousands on a hub) are never walked (see _walkable)
        walk_preds = None if to_evidence else (
            (preds or frozenset(PREDICATE_BY_NAME)) & frozenset(PREDICATE_BY_NAME)
        ) - EVIDENCE_LAYER_PREDICATES - LIST_PREDICATES

        # claims as destinations: a backend may trim a hub's thousands of claims per level
        claims_kept = limit if (to_id is None and wanted is not None and "Claim" in wanted
                                and (preds is None or "about" in preds)) else None
        node_cat: dict[str, str] = {from_id: start["category"]}
        known: dict[str, NodeRef] = {from_id: NodeRef(from_id, start["category"], start["label"])}
        dist: dict[str, int] = {from_id: 0}
        preds_of: dict[str, list[tuple[str, EdgeView]]] = defaultdict(list)
        targets: list[str] = []
        breadth: dict[str, int] = {}  # filled as needed, read once per node
        cites: dict[str, tuple[str, ...]] = {}

        def need(nodes: Iterable[str], claims: Iterable[str]) -> None:
            """Fetch the breadth and citations not known yet (one read each)."""
            missing = {n for n in nodes if n not in breadth}
            if missing:
                breadth.update(self._breadth(missing))
            unknown = {c for c in claims if c not in cites}
            if unknown:
                got = self._citations_of_claims(unknown)
                cites.update({c: got.get(c, ()) for c in unknown})

        def make_take(depth: int, frontier_set: set[str], seen_links: set[tuple[str, str, str]],
                      next_frontier: set[str]) -> Callable[[list[EdgeView], dict[str, NodeRef]],
                                                           None]:
            """The walk of one level: ``frontier_set`` its frontier (a set the caller may
            grow), ``seen_links`` and ``next_frontier`` its state."""

            def take(edges: list[EdgeView], batch_refs: dict[str, NodeRef]) -> None:
                """Walk one batch of the level's links (each link once)."""
                known.update(batch_refs)
                new_ids = {e.subject for e in edges} | {e.object for e in edges}
                unknown = [i for i in new_ids if i not in node_cat and i not in known]
                known.update(self.node_refs(unknown))
                for i in new_ids:
                    if i not in node_cat and i in known:
                        node_cat[i] = known[i].category
                for e in sorted(edges, key=_LINK_ORDER):
                    link = (e.subject, e.predicate, e.object)
                    if link in seen_links:
                        continue
                    seen_links.add(link)
                    for at in ((e.subject,) if e.subject in frontier_set else ()) + (
                            (e.object,) if e.object in frontier_set else ()):
                        other = self._walkable(e, at, node_cat, to_evidence, preds)
                        if other is None or other not in node_cat or (
                                not include_inferred and is_inferred(e)):
                            continue
                        if other in dist and dist[other] < depth:
                            continue
                        if other not in dist:
                            dist[other] = depth
                            is_target = (other == to_id) if to_id else (
                                wanted is not None and node_cat[other] in wanted)
                            if is_target:
                                targets.append(other)
                            else:
                                next_frontier.add(other)
                        preds_of[other].append((at, e))

            return take

        frontier = [from_id]
        hub_done = False
        for depth in range(1, max_hops + 1):
            if not frontier:
                break
            frontier_set = set(frontier)
            frontier = frontier[:MAX_FRONTIER]
            next_frontier: set[str] = set()
            take = make_take(depth, frontier_set, set(), next_frontier)

            level_preds = walk_preds
            if to_evidence and not any(node_cat.get(f) in EVIDENCE_CLASSES for f in frontier):
                # from concepts only "about" leads into the evidence layer (see _walkable)
                # (nor do lists); the other evidence links are never read for them
                level_preds = ((preds or frozenset(PREDICATE_BY_NAME))
                               & frozenset(PREDICATE_BY_NAME)
                               ) - (EVIDENCE_LAYER_PREDICATES - ABOUT) - LIST_PREDICATES
            ordered = (claims_kept is not None and depth > 1
                       and len(frontier) >= self.ORDERED_CLAIMS_MIN_FRONTIER
                       and level_preds is not None and "about" in level_preds
                       and not any(node_cat.get(f) in EVIDENCE_CLASSES for f in frontier))
            if ordered:
                assert level_preds is not None
                level_preds = level_preds - ABOUT  # the claims come in rank order below
            # batches: the first holds every link to a destination class (see _walk_level);
            # links to other nodes only matter when another level follows
            for n_batch, (edges, batch_refs) in enumerate(self._walk_level(
                    frontier, level_preds, None if ordered else claims_kept,
                    None if to_id else wanted)):
                take(edges, batch_refs)
                if n_batch == 0 and ordered and self._ordered_claims(
                        _Level(from_id, frontier, preds_of, targets, known, breadth, cites,
                               need, take), limit, include_inferred):
                    break
                if (to_id and to_id in dist) or len(targets) >= limit or depth == max_hops:
                    break
                if (n_batch == 0 and hub and depth == 1 and claims_kept is not None
                        and level_preds is not None and not ordered):
                    outcome = self._hub_ordered_claims(_Hub(
                        _Level(from_id, [], preds_of, targets, known, breadth, cites, need,
                               take),
                        level_preds - ABOUT, frozenset(wanted or ()), include_inferred,
                        lambda f2: make_take(2, f2, set(), set())), limit)
                    if outcome is HubOutcome.ANSWERED:
                        hub_done = True
                        break
                    if outcome is HubOutcome.TAKEN:  # the level came whole: walked
                        break
                    if outcome is HubOutcome.RESTART:  # the claims do not answer: walk whole
                        return self._paths(from_id, to_category, to_id, max_hops, limit,
                                           predicates, include_inferred, hub=False)
            if hub_done:
                break
            found = len(targets)
            if (to_id and to_id in dist) or found >= limit:
                break
            frontier = sorted(next_frontier)

        if not targets:
            return []
        paths: list[tuple[list[str], list[EdgeView]]] = []
        for t in targets:
            paths.extend(self._routes(from_id, t, preds_of, PATHS_PER_TARGET * 10))
        all_ids = {n for route, _ in paths for n in route}
        refs = {i: known[i] for i in all_ids if i in known}
        refs.update(self._refs(all_ids - refs.keys()))
        need({n for route, _ in paths for n in route[1:-1]},
             {c for _, es in paths for e in es for c in e.claims})

        def raw_rank(route: list[str], es: list[EdgeView]) -> tuple[Any, ...]:
            # the same key as path_rank, computed before any result object is built (a hub
            # start reaches thousands of destinations; only the kept routes become Paths)
            return (*route_key(route, es, breadth, cites), refs[route[-1]].label.casefold(),
                    tuple(route), tuple(e.predicate for e in es))

        ranked = sorted(paths, key=lambda r: raw_rank(*r))
        per_target: dict[str, list[tuple[list[str], list[EdgeView]]]] = defaultdict(list)
        for r in ranked:  # best first, so each destination's first route is its best
            if len(per_target[r[0][-1]]) < PATHS_PER_TARGET:
                per_target[r[0][-1]].append(r)
        kept = [r for group in per_target.values() for r in group][:limit]  # insertion order
        out = []
        for route, es in kept:
            hops = tuple(
                Hop(refs[a], refs[b], e.predicate, e.subject == a, e.claims,
                    tuple(dict.fromkeys(c for cl in e.claims for c in cites.get(cl, ()))),
                    _basis(e), (e.properties or {}).get("basis_note"))
                for a, b, e in zip(route[:-1], route[1:], es, strict=True))
            out.append(Path(tuple(refs[n] for n in route), hops))
        return out

    #: A level whose destinations are claims and whose frontier has at least this many nodes
    #: reads its claims in rank order and stops when the answer is certain
    #: (:mod:`graph.claim_order`); a narrower level reads them in one go.
    ORDERED_CLAIMS_MIN_FRONTIER = 64

    def _ordered_claims(self, lv: _Level, limit: int, include_inferred: bool) -> bool:
        """Read a wide level's claims best first (:mod:`graph.claim_order`): one event at a
        time, at most ``limit`` claims (and their label's ties) per read. True when ``limit``
        destinations are certain to rank before every claim left unread — the walk then has
        its answer; False when every claim of the level was read.

        The answer is the one reading every claim gives: every claim read comes with all its
        ``about`` links into the frontier (so all its routes), each frontier node's key is
        never above that of a route through it, and a destination counts as certain only by
        the key of the routes the final ranking sees."""
        # breadth not read yet counts as 0 (a bound still: nothing has less); a hub's
        # thousands of neighbours are nearly all specific, and a destination only counts as
        # certain by its real key (refresh reads the breadth on its routes)
        lv.need((), claims_on_walk(lv.preds_of))
        prefixes = prefix_bounds(lv.source, lv.frontier, lv.preds_of, lv.breadth, lv.cites)
        events = claim_events(prefixes, self._about_with_claims(lv.frontier),
                              include_inferred=include_inferred)

        def read(ev: ClaimEvent, n: int | None, exclude: list[str],
                 ) -> tuple[list[EdgeView], dict[str, NodeRef], str | None]:
            return self._claims_into(ev.every, ev.plain, ev.inferred, lv.frontier, n, exclude)

        return self._read_events(lv, events, limit, read)

    def _read_events(self, lv: _Level, events: list[ClaimEvent], limit: int,
                     read: Callable[[ClaimEvent, int | None, list[str]],
                                    tuple[list[EdgeView], dict[str, NodeRef], str | None]],
                     ) -> bool:
        """Read the events' claims best first until ``limit`` destinations are certain
        (True) or every event was read (False). ``read(event, n, exclude)`` returns one
        read's ``about`` links, claim refs and boundary, as :meth:`_claims_into` does."""
        cap = PATHS_PER_TARGET * 10
        best: dict[str, RouteKey] = {}

        def refresh() -> None:
            new = [t for t in lv.targets if t not in best]  # a found claim's routes are all in
            found = {t: self._routes(lv.source, t, lv.preds_of, cap) for t in new}
            lv.need({n for rs in found.values() for route, _ in rs for n in route[1:-1]},
                    {c for rs in found.values() for _, es in rs for e in es for c in e.claims})
            for t, rs in found.items():
                if rs:
                    best[t] = min(route_key(r, es, lv.breadth, lv.cites) for r, es in rs)

        done: set[str] = set()
        for ev in events:
            refresh()
            if certain(best, {}, ev.key) >= limit:
                return True
            while True:
                edges, refs, boundary = read(ev, limit if ev.exact else None, sorted(done))
                done.update(refs)
                lv.take(edges, refs)
                if boundary is None:
                    break  # the event is read whole
                refresh()
                folds = {t: lv.known[t].label.casefold() for t in best if t in lv.known}
                if certain(best, folds, ev.key, boundary) >= limit:
                    return True
        return False

    #: A start whose first level has at least this many neighbours has its second level of
    #: claims read without that whole level (:meth:`_hub_ordered_claims`).
    HUB_MIN_FRONTIER = 1024

    def _hub_ordered_claims(self, hub: _Hub, limit: int) -> HubOutcome:
        """Paths to claims from a hub, without its first level: the ordered claims walk of
        the second level (:meth:`_ordered_claims`), but the first level is known only in part.

        Every first-level neighbour whose links carry no claims (and whose own ``about`` links
        carry none) has one of two keys — plain or inferred link — and its breadth, unread,
        counts 0 (:func:`graph.claim_order.prefix_bounds` gives the same), so the neighbours
        form two groups the backend describes by pattern, not by id; the others, few, are read
        with all their links (:meth:`_hub_level`). The events are those :func:`claim_events`
        gives for the whole level, read in the same order with the same limits
        (:meth:`_hub_claims`), and each read brings, with the claims' ``about`` links into
        the level, every first-level link to the neighbours they reach — so every route to a
        claim read is walked, as reading the level whole walks it, and the answer is the same.

        A start with fewer neighbours is no hub: the same read brings its level whole, and
        the walk takes it as the level's second batch (:class:`HubOutcome`).
        """
        lv = hub.level
        source = lv.source
        if lv.known[source].category in EVIDENCE_CLASSES or any(
                predicate_ends(p) & hub.wanted for p in hub.links):
            return HubOutcome.NOT_APPLICABLE
        low = max(self.HUB_MIN_FRONTIER, self.ORDERED_CLAIMS_MIN_FRONTIER)
        summary = self._hub_level(source, hub.links, hub.wanted, hub.include_inferred, low)
        if summary is None:
            return HubOutcome.NOT_APPLICABLE
        if summary.whole:
            # every link to a node that is not a destination, as the level's second batch
            # reads them (inferred ones left out when the walk leaves them out anyway)
            lv.take(summary.edges, summary.refs)
            return HubOutcome.TAKEN
        if summary.evidence or summary.count > MAX_FRONTIER:
            return HubOutcome.NOT_APPLICABLE
        lv.take(summary.edges, summary.refs)  # the special neighbours, whole
        second: set[str] = set(summary.refs)
        lv2 = _Level(source, sorted(second), lv.preds_of, lv.targets, lv.known, lv.breadth,
                     lv.cites, lv.need, hub.second(second))
        lv.need((), claims_on_walk(lv.preds_of))
        prefixes = prefix_bounds(source, lv2.frontier, lv.preds_of, lv.breadth, lv.cites)
        if summary.plain:
            prefixes[HUB_PLAIN] = (1, 0, 1, 0, 0, 0)
        if summary.inferred:
            prefixes[HUB_INFERRED] = (1, 0, 1, 1, 0, 0)
        events = claim_events(prefixes, summary.with_claims & second,
                              include_inferred=hub.include_inferred)

        def read(ev: ClaimEvent, n: int | None, exclude: list[str],
                 ) -> tuple[list[EdgeView], dict[str, NodeRef], str | None]:
            about, via, claims, nodes, boundary = self._hub_claims(
                source, hub.links, hub.wanted, hub.include_inferred, summary.special, ev, n,
                exclude)
            lv.take(via, nodes)  # the first-level links to the neighbours reached, first
            second.update(e.object for e in about)
            return about, claims, boundary

        return HubOutcome.ANSWERED if self._read_events(lv2, events, limit, read) \
            else HubOutcome.RESTART

    def _hub_level(self, source: str, links: frozenset[str], wanted: frozenset[str],
                   include_inferred: bool, whole_below: int) -> HubLevel | None:
        """The start's first level, summarised (:class:`HubLevel`): the walkable links of
        ``links`` from ``source`` to nodes not of ``wanted``; whole when it has fewer than
        ``whole_below`` neighbours. None: this backend reads levels whole (it has no cheaper
        way; the default)."""
        return None

    def _hub_claims(self, source: str, links: frozenset[str], wanted: frozenset[str],
                    include_inferred: bool, special: frozenset[str], ev: ClaimEvent,
                    n: int | None, exclude: Sequence[str],
                    ) -> tuple[list[EdgeView], list[EdgeView], dict[str, NodeRef],
                               dict[str, NodeRef], str | None]:
        """One event of :meth:`_hub_ordered_claims`, as :meth:`_claims_into` reads it, where
        ``ev.plain``/``ev.inferred`` may hold :data:`HUB_PLAIN` / :data:`HUB_INFERRED`: the
        first-level neighbours outside ``special`` with a plain link from ``source`` / with
        only inferred ones. Returns the claims' ``about`` links into the first level, every
        walkable first-level link from ``source`` to the nodes they reach, the claims' refs,
        those nodes' refs and the boundary."""
        raise NotImplementedError("a backend with _hub_level must read hub events")

    def _about_with_claims(self, nodes: list[str]) -> set[str]:
        """The nodes some ``about`` link into which carries claims of its own (their claims
        are read whole by :meth:`_ordered_claims`). A server backend answers without reading
        every ``about`` link."""
        return {e.object for e in self.edges_of(nodes, ABOUT)
                if e.predicate == "about" and e.claims}

    def _claims_into(self, every: Sequence[str], plain: Sequence[str],
                     inferred: Sequence[str], frontier: Sequence[str], n: int | None,
                     exclude: Sequence[str],
                     ) -> tuple[list[EdgeView], dict[str, NodeRef], str | None]:
        """One event's claims (:mod:`graph.claim_order`), best label first: the claims, other
        than ``exclude``, with an ``about`` link into a node of ``every`` (any link), of
        ``plain`` (a link without claims, not inferred) or of ``inferred`` (without claims,
        inferred). With ``n``, only the first ``n`` by casefolded label then id, and every
        other claim with the n-th one's label.

        Returns every ``about`` link from the claims returned into ``frontier``, their refs,
        and — when claims were left out — the casefolded label of the last one returned
        (None when every claim came). A server backend does this in one read.
        """
        pl, inf, ev, skip = set(plain), set(inferred), set(every), set(exclude)
        cands: set[str] = set()
        for e in self.edges_of([*every, *plain, *inferred], ABOUT):
            if e.predicate != "about" or e.subject in skip:
                continue
            f = e.object
            if f in ev or (not e.claims and (f in inf if is_inferred(e) else f in pl)):
                cands.add(e.subject)
        refs = self.node_refs(cands)
        order = sorted(refs, key=lambda c: (refs[c].label.casefold(), c))
        boundary = None
        if n is not None and len(order) > n:
            boundary = refs[order[n - 1]].label.casefold()
            kept = [c for c in order if refs[c].label.casefold() <= boundary]
            if len(kept) < len(order):
                order = kept
            else:
                boundary = None
        chosen = set(order)
        fs = set(frontier)
        edges = [e for e in self.edges_of(order, ABOUT)
                 if e.predicate == "about" and e.subject in chosen and e.object in fs]
        return edges, {c: refs[c] for c in order}, boundary

    def path_groups(self, from_id: str, to_category: str | None = None, *,
                    to_id: str | None = None, max_hops: int = 4,
                    predicates: Iterable[str] | None = None,
                    include_inferred: bool = True) -> list[PathGroup]:
        """Every reachable destination (up to ``MAX_PATHS`` routes) with its best routes,
        best destination first — what a journey view pages through."""
        found = self.paths(from_id, to_category, to_id=to_id, max_hops=max_hops,
                           limit=MAX_PATHS, predicates=predicates,
                           include_inferred=include_inferred)
        groups: dict[str, list[Path]] = {}
        for p in found:
            groups.setdefault(p.end.id, []).append(p)
        return [PathGroup(ps[0].end, tuple(ps)) for ps in groups.values()]

    def _breadth(self, ids: Iterable[str]) -> dict[str, int]:
        """How many concepts sit below each node in its hierarchy (0 for a specific one)."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        below: dict[str, set[str]] = defaultdict(set)
        frontier = {i: {i} for i in wanted}  # node reached → the asked nodes above it
        for _ in range(MAX_HOPS):
            if not frontier:
                break
            edges = self.edges_of(sorted(frontier), frozenset({"broader"}))
            nxt: dict[str, set[str]] = defaultdict(set)
            for e in edges:
                if e.object in frontier:
                    for top in frontier[e.object]:
                        if e.subject not in below[top] and e.subject != top:
                            below[top].add(e.subject)
                            nxt[e.subject].add(top)
            frontier = nxt
        return {i: len(below[i]) for i in wanted}

    @staticmethod
    def _routes(source: str, target: str, preds_of: dict[str, list[tuple[str, EdgeView]]],
                cap: int) -> list[tuple[list[str], list[EdgeView]]]:
        """Shortest routes source → target through the BFS predecessor lists (capped)."""
        out: list[tuple[list[str], list[EdgeView]]] = []

        def walk(node: str, nodes: list[str], edges: list[EdgeView]) -> None:
            if len(out) >= cap:
                return
            if node == source:
                out.append((nodes[::-1], edges[::-1]))
                return
            for prev, e in preds_of.get(node, ()):
                if prev in nodes:
                    continue
                walk(prev, [*nodes, prev], [*edges, e])

        walk(target, [target], [])
        return out

    def _citations_of_claims(self, claim_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        ids = list(claim_ids)
        if not ids:
            return {}
        out: dict[str, list[str]] = defaultdict(list)
        for e in self.edges_of(ids, frozenset({"supported_by"})):
            out[e.subject].append(e.object)
        return {k: tuple(sorted(v)) for k, v in out.items()}

    # -- intersections -----------------------------------------------------------------
    def narrower(self, node_id: str, max_depth: int = 6) -> list[str]:
        """Ids below a node in its SKOS hierarchy (not including the node)."""
        seen: list[str] = []
        frontier = [node_id]
        for _ in range(max_depth):
            edges = self.edges_of(frontier, frozenset({"broader"}))
            nxt = sorted({e.subject for e in edges if e.object in frontier} - set(seen)
                         - {node_id})
            if not nxt:
                break
            seen.extend(nxt)
            frontier = nxt
        return seen

    def broader_chain(self, ids: Iterable[str], max_depth: int = 6) -> dict[str, set[str]]:
        """For each id, the set of its ancestors in the SKOS hierarchy."""
        parents: dict[str, set[str]] = defaultdict(set)
        frontier = set(ids)
        seen = set(frontier)
        for _ in range(max_depth):
            if not frontier:
                break
            edges = self.edges_of(frontier, frozenset({"broader"}))
            nxt = set()
            for e in edges:
                if e.subject in frontier:
                    parents[e.subject].add(e.object)
                    if e.object not in seen:
                        nxt.add(e.object)
            seen |= nxt
            frontier = nxt
        out: dict[str, set[str]] = {}
        for i in ids:
            acc: set[str] = set()
            stack = list(parents.get(i, ()))
            while stack:
                p = stack.pop()
                if p not in acc:
                    acc.add(p)
                    stack.extend(parents.get(p, ()))
            out[i] = acc
        return out

    def _reach(self, node_id: str, wanted: frozenset[str] | None,
               include_narrower: bool, exclude: set[str],
               include_broader: bool = False,
               include_inferred: bool = True) -> dict[str, list[Neighbor]]:
        ids = [node_id, *(self.narrower(node_id) if include_narrower else [])]
        if include_broader:
            ids += sorted(self.broader_chain([node_id])[node_id] - set(ids))
        edges = self.edges_of(ids)
        others = {e.object if e.subject in ids else e.subject for e in edges}
        refs = self._refs(others | set(ids))
        out: dict[str, list[Neighbor]] = defaultdict(list)
        idset = set(ids)
        for e in edges:
            if e.predicate in EVIDENCE_LAYER_PREDICATES or e.predicate == "broader" or \
                    e.predicate in LIST_PREDICATES:
                continue
            if not include_inferred and _inferred(e):
                continue
            for at, other, direction in ((e.subject, e.object, "out"),
                                         (e.object, e.subject, "in")):
                if at not in idset or other in idset or other in exclude:
                    continue
                ref = refs.get(other)
                if ref is None or ref.category in EVIDENCE_CLASSES:
                    continue
                if wanted is not None and ref.category not in wanted:
                    continue
                out[other].append(Neighbor(refs[at], e.predicate, direction, e.claims,
                                           _basis(e)))
        return out

    def shared(self, a_id: str, b_id: str, via_category: str | None = None, *,
               include_narrower: bool = True, include_broader: bool = False,
               include_inferred: bool = True) -> SharedResult:
        """What two nodes have in common (e.g. tactics used in both IPV and sex trafficking).

        A node counts for A when A — or, with ``include_narrower``, a sub-type of A, or, with
        ``include_broader``, a broader category of A (what is said of human trafficking in
        general then counts for sex trafficking) — links to it directly. Each item says which
        node of A's side links to it, how, with which claims and on what basis;
        ``include_inferred=False`` leaves links the curators inferred out.
        """
        a, b = self.require(a_id), self.require(b_id)
        wanted = expand_classes([via_category]) if via_category else None
        exclude = {a_id, b_id}
        ra = self._reach(a_id, wanted, include_narrower, exclude, include_broader,
                         include_inferred)
        rb = self._reach(b_id, wanted, include_narrower, exclude, include_broader,
                         include_inferred)
        refs = self._refs(set(ra) | set(rb))

        def items(keys: Iterable[str]) -> tuple[SharedItem, ...]:
            rows = [SharedItem(refs[k], tuple(ra.get(k, ())), tuple(rb.get(k, ())))
                    for k in keys]
            rows.sort(key=lambda s: (s.node.category, s.node.label.casefold(), s.node.id))
            return tuple(rows)

        return SharedResult(
            NodeRef(a_id, a["category"], a["label"]), NodeRef(b_id, b["category"], b["label"]),
            via_category, items(set(ra) & set(rb)), items(set(ra) - set(rb)),
            items(set(rb) - set(ra)))

    # -- coverage (service-gap map) -----------------------------------------------------
    def coverage(self, rows: str = "Harm", cols: str = "PreventionStrategy", *,
                 via: str = "Intervention", rollup: bool = True,
                 top_level_only: bool = False, include_inferred: bool = True) -> Coverage:
        """Matrix rows × cols → the ``via`` nodes (interventions) linked to both.

        An intervention covers a row when it links to the row node — or, with ``rollup``, to
        any node below it in the hierarchy. Cells with no intervention are the gaps; they are
        not listed (``Coverage.cell`` returns an empty cell for them). ``claims`` of a cell are
        the claims about its interventions or about both the row and the column.
        ``include_inferred=False`` counts only links a document states.
        """
        row_cats = expand_classes([rows]) or frozenset()
        col_cats = expand_classes([cols]) or frozenset()
        via_cats = expand_classes([via]) or frozenset()
        row_ids, col_ids = self.ids_of(row_cats), self.ids_of(col_cats)
        if top_level_only:
            anc = self.broader_chain(row_ids + col_ids)
            row_set, col_set = set(row_ids), set(col_ids)
            row_ids = [r for r in row_ids if not (anc[r] & row_set)]
            col_ids = [c for c in col_ids if not (anc[c] & col_set)]
        cell_items = self._coverage_cells(via_cats, row_ids, col_ids, rollup, include_inferred)
        covered = set().union(*cell_items.values()) if cell_items else set()
        in_cells = covered | {r for r, _ in cell_items} | {c for _, c in cell_items}
        about, refs = self._coverage_details(sorted(in_cells), row_ids + col_ids + sorted(covered))
        # every covering node's place in the (label, id) order, computed once: a full matrix
        # at 100k nodes has ~20k cells holding ~80k items
        rank = {x.id: k for k, x in enumerate(sorted((refs[i] for i in covered),
                                                     key=lambda x: (x.label, x.id)))}
        none: frozenset[str] = frozenset()
        cells = []
        for (r, c), items in sorted(cell_items.items()):
            claims = set().union(*[about[i] for i in items if i in about])
            claims |= about.get(r, none) & about.get(c, none)
            ordered = tuple(refs[i] for i in sorted(items, key=rank.__getitem__))
            cells.append(CoverageCell(r, c, ordered, tuple(sorted(claims))))

        def order(ids: list[str]) -> tuple[NodeRef, ...]:
            return tuple(sorted((refs[i] for i in ids), key=lambda x: (x.label.casefold(), x.id)))

        return Coverage(order(row_ids), order(col_ids), via, tuple(cells))

    def _structural_links(self, ids: list[str],
                          include_inferred: bool) -> defaultdict[str, set[str]]:
        """Each of ``ids`` → the nodes it is linked to by structural links, in either direction
        (claim links left out: they are most of a large base). Shared by the coverage cells and
        the gap map's population/region scope, so both count a link the same way."""
        linked: defaultdict[str, set[str]] = defaultdict(set)
        if not ids:
            return linked
        wanted = set(ids)
        for e in self.edges_of(ids, STRUCTURAL_PREDICATES):
            if not include_inferred and _inferred(e):
                continue
            if e.subject in wanted:
                linked[e.subject].add(e.object)
            if e.object in wanted:
                linked[e.object].add(e.subject)
        return linked

    def _coverage_cells(self, via_cats: frozenset[str], row_ids: list[str], col_ids: list[str],
                        rollup: bool, include_inferred: bool) -> dict[tuple[str, str], set[str]]:
        """(row, col) → the ``via`` nodes linked (structural links) to a node at or below the
        row and one at or below the column (below: with ``rollup``, up to 6 ``broader`` steps).
        A server backend overrides this with one aggregate query."""
        via_ids = self.ids_of(via_cats)
        # structural links only: claim links are most of a large base and are fetched later
        # for the few nodes that end up in a cell
        linked = self._structural_links(via_ids, include_inferred)
        row_set, col_set = set(row_ids), set(col_ids)
        anc = self.broader_chain({t for ts in linked.values() for t in ts}) if rollup else {}
        cell_items: dict[tuple[str, str], set[str]] = defaultdict(set)
        for i, targets in linked.items():
            expanded = set(targets)
            for t in targets:
                expanded |= anc.get(t, set())
            rs = expanded & row_set
            cs = expanded & col_set
            for r in rs:
                for c in cs:
                    if r != c:
                        cell_items[(r, c)].add(i)
        return cell_items

    def _coverage_details(self, in_cells: list[str], shown: list[str],
                          ) -> tuple[dict[str, set[str]], dict[str, NodeRef]]:
        """What a coverage matrix shows besides its cells: the claims about each node in a
        cell (``in_cells``) and the refs of every row, column and covering node (``shown``,
        which holds ``in_cells``). A server backend answers both in one read."""
        about = self._claims_about(in_cells) if in_cells else {}
        return about, self._refs(shown)

    def _claims_about(self, ids: list[str]) -> dict[str, set[str]]:
        """Node → the claims about it (``about`` links), for some nodes."""
        wanted = set(ids)
        about: dict[str, set[str]] = defaultdict(set)
        for e in self.edges_of(ids, ABOUT):
            if e.object in wanted:
                about[e.object].add(e.subject)
        return about

    def gap_map(self, rows: str = "Harm", cols: str = "PreventionStrategy", *,
                via: str = "Intervention", top_level_only: bool = False,
                population: str | None = None, region: str | None = None,
                evidence_kind: str | None = None, source: str | None = None,
                include_inferred: bool = True) -> Coverage:
        """The evidence-and-gap map: :meth:`coverage` plus the cells that only evidence reaches,
        narrowed by filters. Every returned cell is in one of two states — ``count > 0``:
        interventions curated; ``count == 0``: evidence but no intervention — claims about both
        the row and the column (sub-types rolled up) and/or a curated link between the two
        (``links``, e.g. a strategy that serves a population). A cell that is absent has
        nothing curated, which is not proof that no service exists.

        Filters: ``population`` / ``region`` keep interventions linked to that node (or one
        below it) and claims about it (or about a kept intervention); ``source`` keeps
        interventions described in that source document and claims stated in it;
        ``evidence_kind`` keeps claims of that kind (interventions carry no evidence kind);
        ``include_inferred=False`` counts only links a document states (see docs/curation.md).
        """
        base = self.coverage(rows, cols, via=via, top_level_only=top_level_only,
                             include_inferred=include_inferred)
        row_set = {r.id for r in base.rows}
        col_set = {c.id for c in base.cols}
        scope = [x for x in (population, region) if x]
        for x in scope:
            self.require(x)
        items = {i.id: i for cell in base.cells for i in cell.items}
        keep = set(items)
        if scope and keep:
            linked = self._structural_links(sorted(keep), include_inferred)
            linked_to = sorted({t for ts in linked.values() for t in ts})
            anc = self.broader_chain(linked_to)
            for i in list(keep):
                reach = set(linked[i]).union(*(anc.get(t, set()) for t in linked[i]))
                if not all(x in reach for x in scope):
                    keep.discard(i)
        if source and keep:
            data = self.node_data(sorted(keep))
            keep = {i for i in keep if any(
                isinstance(s, dict) and s.get("citation") == source
                for s in (data.get(i, {}).get("sources") or ()))}
        # every claim, what it is about (with ancestors) and where it was stated
        claim_ids = self.ids_of(frozenset({"Claim"}))
        about: dict[str, set[str]] = defaultdict(set)
        stated: dict[str, str] = {}
        for e in self.edges_of(claim_ids, frozenset({"about", "stated_in"})) if claim_ids else []:
            if e.predicate == "about":
                about[e.subject].add(e.object)
            else:
                stated[e.subject] = e.object
        anc = self.broader_chain(sorted({t for ts in about.values() for t in ts}))
        kinds = (self.node_data(sorted(about)) if evidence_kind else {})
        by_item: dict[str, set[str]] = defaultdict(set)
        by_cell: dict[tuple[str, str], set[str]] = defaultdict(set)
        for c, targets in about.items():
            if evidence_kind and (kinds.get(c, {}).get("evidence_kind") or "unknown") \
                    != evidence_kind:
                continue
            if source and stated.get(c) != source:
                continue
            for t in targets & keep:
                by_item[t].add(c)
            reach = set(targets).union(*(anc.get(t, set()) for t in targets))
            if scope and not all(x in reach for x in scope) and not targets & keep:
                continue
            for r in reach & row_set:
                for k in reach & col_set:
                    if r != k:
                        by_cell[(r, k)].add(c)
        # direct curated links between a row node and a column node (e.g. a strategy that
        # serves a population); the source filter keeps links the document states
        direct: dict[tuple[str, str], set[str]] = defaultdict(set)
        ends = sorted(row_set | col_set)
        def stated_by(e: EdgeView) -> bool:
            cites = {s.get("citation") for s in (e.properties.get("sources") or ())
                     if isinstance(s, dict)}
            return source in cites or any(stated.get(c) == source for c in e.claims)

        edges = [e for e in self.edges_of(ends, STRUCTURAL_PREDICATES - {"broader"})
                 if (not source or stated_by(e)) and (include_inferred or not _inferred(e))
                 ] if ends else []
        e_anc = self.broader_chain(sorted({x for e in edges for x in (e.subject, e.object)}))
        for e in edges:
            s_reach = {e.subject} | e_anc.get(e.subject, set())
            o_reach = {e.object} | e_anc.get(e.object, set())
            for a, b in ((s_reach, o_reach), (o_reach, s_reach)):
                for r in a & row_set:
                    for k in b & col_set:
                        if r != k:
                            direct[(r, k)].add(e.predicate)
        cells: dict[tuple[str, str], CoverageCell] = {}
        for cell in base.cells:
            kept = tuple(i for i in cell.items if i.id in keep)
            if kept:
                claims = set().union(*(by_item.get(i.id, set()) for i in kept))
                claims |= by_cell.get((cell.row, cell.col), set())
                key = (cell.row, cell.col)
                cells[key] = GapCell(cell.row, cell.col, kept, tuple(sorted(claims)),
                                     tuple(sorted(direct.get(key, ()))))
        for key in set(by_cell) | (set(direct) if not (scope or evidence_kind) else set()):
            if key not in cells:
                cells[key] = GapCell(key[0], key[1], (), tuple(sorted(by_cell.get(key, ()))),
                                     tuple(sorted(direct.get(key, ()))))
        return Coverage(base.rows, base.cols, via, tuple(cells[k] for k in sorted(cells)))

    # -- evidence ----------------------------------------------------------------------
    def citation(self, cite_id: str) -> CitationInfo:
        return self._citation_infos([cite_id])[cite_id]

    def _citation_infos(self, ids: Iterable[str]) -> dict[str, CitationInfo]:
        out = {}
        for i, d in self.node_data(ids).items():
            d = dict(d)
            out[i] = CitationInfo(
                id=i, title=d.pop("label"), authors=tuple(d.pop("authors", None) or ()),
                year=d.pop("year", None), venue=d.pop("venue", None), doi=d.pop("doi", None),
                url=d.pop("url", None), kind=d.pop("kind", None),
                document_kind=d.pop("document_kind", None),
                properties={k: v for k, v in d.items()
                            if k not in ("category", "alt_labels", "definition")})
        return out

    def claims(self, ids: Iterable[str] | None = None, *, about: str | None = None,
               source: str | None = None, evidence_kind: str | None = None,
               flag: str | None = None, year: int | None = None,
               text: str | None = None) -> list[ClaimInfo]:
        """Claims with their citations and provenance, filtered; sorted by source then id.

        ``year`` keeps claims with at least one citation of that year; ``text`` matches the
        statement, label or the label of a node it is about (case/accent-insensitive).
        """
        if ids is not None:
            claim_ids = sorted(set(ids))
        elif about is not None:
            self.require(about)
            claim_ids = sorted({e.subject for e in self.edges_of([about], frozenset({"about"}))
                                if e.object == about})
        else:
            claim_ids = self.ids_of(frozenset({"Claim"}))
        data = self.node_data(claim_ids)
        claim_ids = [c for c in claim_ids if c in data and data[c]["category"] == "Claim"]
        edges = self.edges_of(claim_ids, EVIDENCE_LAYER_PREDICATES)
        about_of: dict[str, list[str]] = defaultdict(list)
        cites_of: dict[str, list[str]] = defaultdict(list)
        stated: dict[str, tuple[str, str | None]] = {}
        for e in edges:
            if e.subject not in data:
                continue
            if e.predicate == "about":
                about_of[e.subject].append(e.object)
            elif e.predicate == "supported_by":
                cites_of[e.subject].append(e.object)
            elif e.predicate == "stated_in":
                stated[e.subject] = (e.object, e.properties.get("locator"))
        refs = self._refs({x for v in about_of.values() for x in v})
        cinfo = self._citation_infos({x for v in cites_of.values() for x in v}
                                     | {s for s, _ in stated.values()})
        q = normalize(text) if text else ""
        out = []
        for c in claim_ids:
            d = data[c]
            st = stated.get(c)
            info = ClaimInfo(
                id=c, label=d["label"], statement=d.get("definition") or "",
                about=tuple(sorted((refs[x] for x in about_of[c] if x in refs),
                                   key=lambda r: r.label.casefold())),
                citations=tuple(cinfo[x] for x in sorted(cites_of[c]) if x in cinfo),
                stated_in=cinfo.get(st[0]) if st else None,
                locator=st[1] if st else None,
                statistics=tuple(d.get("statistics") or ()),
                flags=tuple(d.get("flags") or ()),
                evidence_kind=d.get("evidence_kind") or "unknown",
                note=d.get("note"),
            )
            if source and (info.stated_in is None or info.stated_in.id != source):
                continue
            if evidence_kind and info.evidence_kind != evidence_kind:
                continue
            if flag and flag not in info.flags:
                continue
            if year and not any(ci.year == year for ci in info.citations):
                continue
            if q and q not in normalize(" ".join(
                    [info.statement, info.label, *(a.label for a in info.about)])):
                continue
            out.append(info)
        out.sort(key=lambda i: (i.stated_in.id if i.stated_in else "", i.id))
        return out

    def evidence_for(self, node_id: str) -> list[ClaimInfo]:
        """Claims about a node, and claims behind any link of the node."""
        self.require(node_id)
        ids: set[str] = set()
        for e in self.edges_of([node_id]):
            if e.predicate == "about" and e.object == node_id:
                ids.add(e.subject)
            ids.update(e.claims)
        return self.claims(sorted(ids)) if ids else []

    def links_supported_by(self, claim_ids: Iterable[str]) -> list[Link]:
        """The concept-to-concept links the given claims support, sorted by subject label,
        relation and object label.

        A claim backing a link is about one of its ends (the loader enforces it), so only the
        links of the claims' ``about`` nodes are read, never the whole graph.
        """
        wanted = set(claim_ids)
        if not wanted:
            return []
        ends = {e.object for e in self.edges_of(sorted(wanted), ABOUT) if e.subject in wanted}
        links = [e for e in self.edges_of(sorted(ends), STRUCTURAL_PREDICATES)
                 if wanted.intersection(e.claims)]
        refs = self._refs({x for e in links for x in (e.subject, e.object)})
        out = [Link(refs[e.subject], e.predicate, refs[e.object], e.claims, dict(e.properties))
               for e in links if e.subject in refs and e.object in refs]
        out.sort(key=lambda x: (x.subject.label.casefold(), x.predicate,
                                x.object.label.casefold(), x.subject.id, x.object.id))
        return out

    def claims_citing(self, cite_id: str) -> list[ClaimInfo]:
        """Claims that cite a citation (``supported_by``) or were stated in it (``stated_in``).

        Tell the two apart on each result: ``claim.stated_in.id == cite_id`` or ``cite_id`` among
        ``claim.citations``. Raises :class:`UnknownNodeError` for an unknown id.
        """
        self.require(cite_id)
        ids = {e.subject for e in self.edges_of([cite_id], frozenset({"supported_by",
                                                                       "stated_in"}))
               if e.object == cite_id}
        return self.claims(sorted(ids)) if ids else []

    def citations(self, ids: Iterable[str] | None = None) -> list[CitationInfo]:
        cite_ids = sorted(set(ids)) if ids is not None else self.ids_of(frozenset({"Citation"}))
        infos = self._citation_infos(cite_ids)
        return sorted(infos.values(), key=lambda c: (c.year or 0, c.id))
