"""The Neo4j backend: the same primitives as the embedded graph, answered by a Neo4j database.

Only the five primitives are implemented here; every user-facing query (search, paths, shared,
coverage, claims…) is inherited from :class:`graph.backend.GraphBackend`, so both backends rank,
cap and break ties identically. Reads run in read transactions (``session.execute_read``) with a
transaction timeout, and through the driver's routing, so ``neo4j://`` / ``neo4j+s://`` URIs work
against clusters and Aura as well as a single server. All Cypher lives in :mod:`graph.neo4j.cypher`.

Connection problems become :class:`Neo4jUnavailable` (exit code 4) with one line saying what is
wrong and how to fix it; a dataset whose load has not completed is refused
(:class:`IncompleteEvidenceBase`) so nobody explores half an evidence base.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from graph.backend import (
    LIST_PREDICATES,
    MAX_HOPS,
    STRUCTURAL_PREDICATES,
    EdgeView,
    GraphBackend,
    HubLevel,
    SearchRank,
    category_rank,
    predicate_ends,
)
from graph.claim_order import HUB_INFERRED, HUB_PLAIN, ClaimEvent
from graph.models import NodeRef
from graph.neo4j import cypher
from graph.neo4j.errors import (
    IncompleteEvidenceBase,
    Neo4jQueryTimeout,
    Neo4jUnavailable,
    translate_error,
)
from graph.neo4j.settings import DEFAULT_TIMEOUT, Neo4jSettings, redact
from graph.text import best_match_texts, search_texts
from ontology.schema import (
    EVIDENCE_CLASSES,
    PREDICATE_BY_NAME,
    predicate_from_rel_type,
)

if TYPE_CHECKING:
    import neo4j

__all__ = ["BOLT_SCHEMES", "DEFAULT_DATASET", "DEFAULT_TIMEOUT", "ID_CHUNK",
           "IncompleteEvidenceBase", "Neo4jBackend", "Neo4jQueryTimeout", "Neo4jSettings",
           "Neo4jUnavailable", "check_uri", "open_driver", "redact", "server_status",
           "translate_error"]

DEFAULT_DATASET = "evidence"
#: ids per primitive call; larger inputs are split so no single read ships a huge parameter.
ID_CHUNK = 5_000
#: Reads of one many-chunk request run at once (the full coverage matrix at 100k asks refs and
#: claims of ~8.5k nodes in two chunks: 235 + 146 ms one after the other)
CHUNKS_IN_FLIGHT = 2
BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
LOAD_HINT = "run `intersections load --neo4j` to load it"

# The driver logs connection failures as warnings; without a handler Python would print them
# next to our one-line error. Applications that configure logging still receive them.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


def check_uri(uri: str) -> None:
    """Reject URIs the Bolt driver cannot use, with the fix (before the driver sees them)."""
    scheme = urlsplit(uri).scheme.lower() if "://" in uri else ""
    if scheme in BOLT_SCHEMES:
        return
    if scheme in ("http", "https"):
        raise Neo4jUnavailable(
            f"NEO4J_URI {redact(uri)!r} is the HTTP (Browser) address; use the Bolt address, "
            "e.g. bolt://127.0.0.1:7687 for one server or neo4j+s://<id>.databases.neo4j.io "
            "for Aura/clusters")
    raise Neo4jUnavailable(
        f"NEO4J_URI {redact(uri)!r} has no supported scheme ({scheme or 'none'}); use "
        "bolt://host:7687 (one server) or neo4j://host:7687 / neo4j+s://host (cluster, Aura)")


def open_driver(settings: Neo4jSettings) -> neo4j.Driver:
    """A verified driver (the server answered a read on the database), or a clear error."""
    from neo4j import GraphDatabase
    from neo4j import exceptions as ne

    check_uri(settings.uri)
    try:
        driver = GraphDatabase.driver(settings.uri, auth=(settings.username, settings.password),
                                      connection_timeout=settings.connect_timeout,
                                      connection_acquisition_timeout=settings.acquire_timeout,
                                      max_transaction_retry_time=settings.retry_time)
    except (ne.ConfigurationError, ValueError) as exc:
        raise translate_error(exc, settings) from None
    try:
        driver.verify_connectivity()
        query, params = cypher.ping()
        with driver.session(database=settings.database, default_access_mode="READ") as s:
            s.execute_read(lambda tx: tx.run(query, params).consume())
    except Exception as exc:
        driver.close()
        raise translate_error(exc, settings) from None
    return driver


def _is_outage(exc: BaseException) -> bool:
    """The server is unreachable (as opposed to a bad query or a timeout of one read)."""
    from neo4j import exceptions as ne

    return isinstance(exc, ne.ServiceUnavailable | ne.SessionExpired | OSError) or (
        isinstance(exc, ne.DriverError) and "acquisition" in str(exc).lower())


class Neo4jBackend(GraphBackend):
    """Primitives over a Neo4j database that ``intersections load --neo4j`` filled."""

    name = "neo4j"

    def __init__(self, driver: neo4j.Driver, settings: Neo4jSettings | None = None, *,
                 dataset: str = DEFAULT_DATASET) -> None:
        self.driver = driver
        self.settings = settings or Neo4jSettings()
        self.dataset = dataset
        self._down: tuple[float, str] | None = None  # (when, message) of the last outage
        self._loaded_checked_at = time.monotonic()  # connect() checked the load just now
        self._ranked_search: bool | None = None  # the load stored the texts search ranks on
        # (load run_id, nodes with an "about" link that carries claims) — _about_with_claims
        self._with_claims: tuple[Any, frozenset[str]] | None = None

    @property
    def uri(self) -> str:
        """The URI for messages (credentials removed)."""
        return self.settings.redacted_uri

    @property
    def database(self) -> str | None:
        return self.settings.database

    @property
    def timeout(self) -> float:
        return self.settings.timeout

    @classmethod
    def connect(cls, settings: Neo4jSettings | None = None, *, dataset: str = DEFAULT_DATASET,
                require_complete: bool = True) -> Neo4jBackend:
        """Connect, verify the server, and check that the evidence base is completely loaded.

        ``settings`` default to :meth:`Neo4jSettings.from_env` (its ``timeout``, seconds per read
        transaction, comes from NEO4J_QUERY_TIMEOUT or 30). ``require_complete=False`` only warns
        about an unfinished load (for diagnostics).
        """
        settings = settings or Neo4jSettings.from_env()
        driver = open_driver(settings)
        backend = cls(driver, settings, dataset=dataset)
        try:
            backend.check_loaded(strict=require_complete)
        except BaseException:
            driver.close()
            raise
        return backend

    def close(self) -> None:
        self.driver.close()

    # ------------------------------------------------------------------ plumbing
    #: After a failed read, further reads fail at once for this long (no new connection
    #: attempts), so every click during an outage gets its answer immediately.
    REMEMBER_FAILURE_S = 5.0
    #: How often reads re-check that the evidence base is still loaded (a Neo4j that came back
    #: empty must say "nothing loaded", not show empty pages).
    RECHECK_LOADED_S = 5.0

    def _read(self, statement: cypher.Statement) -> list[Any]:
        """Run one read in a read transaction with the timeout; records as a list.

        Fails fast while an outage is remembered, and every :attr:`RECHECK_LOADED_S` makes sure
        the dataset is still loaded (raising :class:`IncompleteEvidenceBase` if not).
        """
        now = time.monotonic()
        if self._down is not None:
            when, message = self._down
            if now - when < self.REMEMBER_FAILURE_S:
                raise Neo4jUnavailable(f"{message} (checked {now - when:.0f} s ago; the next "
                                       f"try is in {self.REMEMBER_FAILURE_S - (now - when):.0f} s)")
            self._down = None
        if now - self._loaded_checked_at >= self.RECHECK_LOADED_S:
            self._loaded_checked_at = now
            self._ensure_loaded()
        return self._read_raw(statement)

    def _ensure_loaded(self) -> None:
        rows = self._read_raw(cypher.load_state(self.dataset))
        if not rows:
            raise IncompleteEvidenceBase(
                f"nothing loaded — Neo4j at {self.settings.where} holds no evidence base "
                "(was the database emptied or replaced?); run `intersections load --neo4j`")
        if dict(rows[0]["state"]).get("status") != "complete":
            raise IncompleteEvidenceBase(
                f"the evidence base in Neo4j at {self.settings.where} is being loaded or a "
                "load did not finish; re-run `intersections load --neo4j`")

    def _read_raw(self, statement: cypher.Statement) -> list[Any]:
        from neo4j import unit_of_work

        query, params = statement

        @unit_of_work(timeout=self.timeout)
        def work(tx: Any) -> list[Any]:
            return list(tx.run(query, params))

        try:
            with self._session() as session:
                return session.execute_read(work)
        except Exception as exc:
            err = translate_error(exc, self.settings)
            if _is_outage(exc):
                self._down = (time.monotonic(), str(err))
                self._loaded_checked_at = 0.0  # when it answers again, check what it holds
            raise err from None

    def _session(self) -> Any:
        return self.driver.session(database=self.database, default_access_mode="READ")

    def load_state(self) -> dict[str, Any] | None:
        """The bookkeeping of this backend's dataset (status, version, counts), if any."""
        rows = self._read(cypher.load_state(self.dataset))
        if not rows:
            return None
        state = dict(rows[0]["state"])
        for key in ("by_category", "by_predicate"):
            if isinstance(state.get(key), str):
                state[key] = json.loads(state[key])
        return state

    def check_loaded(self, strict: bool = True) -> dict[str, Any] | None:
        """Raise (or warn) unless the dataset's last load completed."""
        state = self.load_state()
        where = self.settings.where
        problem: str | None = None
        if state is None:
            by_cat, _ = self.counts()
            if not by_cat:
                problem = f"Neo4j at {where} holds no evidence base yet; {LOAD_HINT}"
            else:
                warnings.warn(f"Neo4j at {where} has entries but no load record; reload with "
                              "`intersections load --neo4j` to be sure they are complete",
                              stacklevel=2)
        elif state.get("status") != "complete":
            problem = (f"the evidence base in Neo4j at {where} is incomplete: a load started "
                       f"{state.get('started_at', '?')} did not finish (status "
                       f"{state.get('status')!r}); re-run `intersections load --neo4j` to "
                       "complete it")
        if problem:
            if strict:
                raise IncompleteEvidenceBase(problem)
            warnings.warn(problem, stacklevel=2)
        return state

    def _chunked(self, ids: Iterable[str], build: Callable[[list[str]], cypher.Statement],
                 *, collected: bool = False) -> list[Any]:
        """One read per :data:`ID_CHUNK` ids; ``collected``: each read returns its rows as
        one list (:meth:`_collected`)."""
        unique = list(dict.fromkeys(ids))
        read = self._collected if collected else self._read
        statements = [build(unique[start:start + ID_CHUNK])
                      for start in range(0, len(unique), ID_CHUNK)]
        if len(statements) <= 1 or CHUNKS_IN_FLIGHT <= 1:
            return [row for st in statements for row in read(st)]
        # several chunks: up to CHUNKS_IN_FLIGHT reads at once, each in its own session (the
        # driver is thread-safe); rows come back in chunk order, the first error is raised
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=CHUNKS_IN_FLIGHT,
                                thread_name_prefix="intersections-chunk") as pool:
            return [row for rows in pool.map(read, statements) for row in rows]

    def _collected(self, statement: cypher.Statement) -> list[Any]:
        """The rows of a statement that returns them as one list of lists (``RETURN
        collect([...])``): a hub's thousands of link rows decode as plain lists in one record,
        about a third of the client CPU of one record each (measured at 100k)."""
        rows = self._read(statement)
        return list(rows[0][0]) if rows else []

    # ------------------------------------------------------------------ primitives
    def node_data(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        rows = self._chunked(ids, cypher.node_data)
        return {r["id"]: cypher.decode_properties(r["props"]) for r in rows}

    def edges_of(self, ids: Iterable[str],
                  predicates: frozenset[str] | None = None) -> list[EdgeView]:
        if predicates is not None and not predicates:
            return []
        rows = self._chunked(ids, lambda chunk: cypher.edges_of(chunk, predicates))
        return self._edge_views(rows)

    def node_refs(self, ids: Iterable[str]) -> dict[str, NodeRef]:
        return {r["id"]: NodeRef(r["id"], r["category"], r["label"])
                for r in self._chunked(ids, cypher.node_refs)}

    def _walk_edges(self, frontier: list[str], predicates: frozenset[str] | None,
                    claims_kept: int | None) -> list[EdgeView]:
        """Paths to claims: a hub's claims are cut to the ``claims_kept`` the ranking can use
        on the server (:func:`cypher.top_claims_about`), then every ``about`` link between the
        kept claims and the frontier is read, as :meth:`GraphBackend._walk_edges` requires."""
        if claims_kept is None or not self._server_ranks_search() or (
                predicates is not None and "about" not in predicates):
            return self._lean_edges(frontier, predicates)
        others = (predicates if predicates is not None
                  else frozenset(PREDICATE_BY_NAME)) - {"about"}
        edges = self._lean_edges(frontier, others) if others else []
        rows = self._read(cypher.top_claims_about(frontier, claims_kept))
        return edges + self._edge_views(rows)

    def _walk_level(self, frontier: list[str], predicates: frozenset[str] | None,
                    claims_kept: int | None, destinations: frozenset[str] | None,
                    ) -> Iterator[tuple[list[EdgeView], dict[str, NodeRef]]]:
        """One level of a path walk in two reads: first the links that reach a destination
        class (and, for claims, the kept ``about`` links of :func:`cypher.top_claims_about`),
        then — only if :meth:`GraphBackend.paths` asks, i.e. the level did not find enough
        destinations and another level follows — the links to every other node. A hub's
        thousands of structural links stay on the server when its destinations suffice.
        Each row brings its far node's class and label (no separate lookup)."""
        if not destinations:
            yield self._walk_edges(frontier, predicates, claims_kept), {}
            return
        everything = frozenset(PREDICATE_BY_NAME) if predicates is None else predicates
        trim = (claims_kept is not None and "about" in everything
                and self._server_ranks_search())
        plain = everything - {"about"} if trim else everything
        # links the ontology lets end at a destination class (the loader checks every link's
        # domain and range): no read for structural links when claims are the destinations
        reaching = frozenset(p for p in plain if predicate_ends(p) & destinations)
        rows = self._lean_rows(frontier, reaching, destinations, to_others=False)
        if trim:
            rows += self._read(cypher.top_claims_about(frontier, claims_kept or 0))
        yield self._lean_views(rows), self._far_refs(rows)
        rows = self._lean_rows(frontier, plain, destinations, to_others=True)
        yield self._lean_views(rows), self._far_refs(rows)

    def _about_with_claims(self, nodes: list[str]) -> set[str]:
        """One scan of every ``about`` link, kept while the same load is in the database
        (:meth:`_with_claims_ids`), instead of reading the ``about`` links of a hub's
        thousands of neighbours."""
        return set(nodes) & self._with_claims_ids()

    def _with_claims_ids(self) -> frozenset[str]:
        """Every node an ``about`` link into which carries claims: the list the load stored
        with the load state (:data:`cypher.WITH_CLAIMS_KEY`, read on every call, as the load
        state is), or — for a dataset loaded before that list existed — one scan of every
        ``about`` link (:func:`cypher.about_with_claims`), kept while the load's ``run_id``
        stays the same."""
        state = self.load_state() or {}
        run_id = state.get("run_id")
        if run_id is not None and state.get(cypher.WITH_CLAIMS_RUN_KEY) == run_id:
            return frozenset(state.get(cypher.WITH_CLAIMS_KEY) or ())
        if self._with_claims is None or self._with_claims[0] != run_id or run_id is None:
            ids = frozenset(r["id"] for r in self._read(cypher.about_with_claims()))
            self._with_claims = (run_id, ids)
        return self._with_claims[1]

    def _hub_level(self, source: str, links: frozenset[str], wanted: frozenset[str],
                   include_inferred: bool, whole_below: int) -> HubLevel | None:
        """One read (:func:`cypher.hub_level`): a hub's thousands of first-level links stay
        on the server, only the few to special neighbours come back; a smaller level comes
        back whole (the walk's own read of it is skipped). The list of nodes whose ``about``
        links carry claims is read from the load state in the same query."""
        if not links or not self._server_ranks_search():
            return None  # a load from before issue 17 stores no casefolded labels
        rows = self._read(cypher.hub_level(self.dataset, source, links, wanted,
                                           include_inferred, EVIDENCE_CLASSES, whole_below))
        if not rows or not rows[0]["listed"]:
            return None
        row = rows[0]
        refs: dict[str, NodeRef] = {}
        wc: set[str] = set()
        lean: list[Any] = []
        for x, category, label, in_with_claims, link_rows in row["nodes"]:
            refs[x] = NodeRef(x, category, label)
            if in_with_claims:
                wc.add(x)
            lean.extend(link_rows)
        return HubLevel(count=int(row["n"] or 0), evidence=int(row["evidence"] or 0),
                        edges=self._lean_views(lean), refs=refs, with_claims=frozenset(wc),
                        plain=bool(row["plain"]), inferred=bool(row["inferred"]),
                        whole=bool(row["whole"]))

    def _hub_claims(self, source: str, links: frozenset[str], wanted: frozenset[str],
                    include_inferred: bool, special: frozenset[str], ev: ClaimEvent,
                    n: int | None, exclude: Sequence[str],
                    ) -> tuple[list[EdgeView], list[EdgeView], dict[str, NodeRef],
                               dict[str, NodeRef], str | None]:
        """One read per event (:func:`cypher.hub_claims`), with :meth:`_claims_into`'s
        handling of the n-th label's ties."""
        marks = {HUB_PLAIN: "P", HUB_INFERRED: "I"}

        def build(want: int | None) -> cypher.Statement:
            return cypher.hub_claims(
                source, links, wanted, include_inferred, sorted(special), ev.every,
                [x for x in ev.plain if x not in marks], [x for x in ev.inferred if x not in marks],
                [marks[x] for x in ev.plain if x in marks],
                [marks[x] for x in ev.inferred if x in marks], want, exclude)

        rows, boundary = self._tie_rows(build, n)
        via = self._lean_views([v for r in rows for v in r["via"]])
        nodes = {r["o"]: NodeRef(r["o"], r["fc"], r["fl"]) for r in rows}
        return self._lean_views(rows), via, self._far_refs(rows), nodes, boundary

    def _claims_into(self, every: Sequence[str], plain: Sequence[str],
                     inferred: Sequence[str], frontier: Sequence[str], n: int | None,
                     exclude: Sequence[str],
                     ) -> tuple[list[EdgeView], dict[str, NodeRef], str | None]:
        """One event of an ordered claims level in one read (:func:`cypher.claims_into`)."""
        rows, boundary = self._tie_rows(lambda want: cypher.claims_into(
            every, plain, inferred, frontier, want, exclude), n)
        return self._lean_views(rows), self._far_refs(rows), boundary

    def _tie_rows(self, build: Callable[[int | None], cypher.Statement], n: int | None,
                  ) -> tuple[list[Any], str | None]:
        """The rows of an event read for its first ``n`` claims (by casefolded label, then
        id) and every claim with the n-th one's label, and the boundary (None: every claim
        came). It asks for a few claims more than ``n``, so that the n-th one's label ties
        usually come in the same read; when they may not, it asks again for more."""
        extra = 8
        while True:
            want = None if n is None else n + extra
            rows = self._read(build(want))
            folds = dict(sorted({(r["s"], r["fold"]) for r in rows},
                                key=lambda x: (x[1] or "", x[0])))
            order = list(folds)
            if n is None or len(order) <= n:
                boundary = None
                break
            boundary = folds[order[n - 1]] or ""
            kept = [c for c in order if (folds[c] or "") <= boundary]
            if len(kept) < len(order):  # a claim after the last label's ties: all came
                order = kept
                break
            assert want is not None
            if len(order) < want:  # every candidate came, and all tie with the n-th
                boundary = None
                break
            extra *= 4
        chosen = set(order)
        return [r for r in rows if r["s"] in chosen], boundary

    def _neighbour_links(self, node_id: str, predicates: frozenset[str] | None,
                         ) -> tuple[list[EdgeView], dict[str, NodeRef]]:
        """One read: the node's links with only what a neighbour row shows (claims, basis)
        and each far node's class and label — no sources JSON, no second lookup."""
        rows = self._collected(cypher.walk_edges([node_id], predicates))
        return self._lean_views(rows), self._far_refs(rows)

    def _lean_rows(self, ids: list[str], predicates: frozenset[str],
                   to_classes: frozenset[str], *, to_others: bool) -> list[Any]:
        if not predicates:
            return []
        return self._chunked(ids, lambda chunk: cypher.walk_edges(
            chunk, predicates, to_classes=to_classes, to_others=to_others), collected=True)

    def _lean_views(self, rows: list[Any]) -> list[EdgeView]:
        """Edge views of lean link rows (:func:`cypher.walk_edges`), unset properties dropped."""
        return self._edge_views(rows, lean=True)

    @staticmethod
    def _far_refs(rows: list[Any]) -> dict[str, NodeRef]:
        """Far-node refs of link rows whose columns 4–6 are ``m, mc, ml`` (by position)."""
        return {r[4]: NodeRef(r[4], r[5], r[6]) for r in rows}

    def _coverage_cells(self, via_cats: frozenset[str], row_ids: list[str], col_ids: list[str],
                        rollup: bool, include_inferred: bool) -> dict[tuple[str, str], set[str]]:
        """The matrix from one query that starts at the rows and columns
        (:func:`cypher.coverage_members`: each ships the ids of the via nodes that count for
        it); the cells are paired here. Only links into the matrix's hierarchies are read."""
        if not via_cats or not row_ids or not col_ids:
            return {}
        # only relations the ontology lets touch a via class (the loader checks every link's
        # domain and range): a harm's risk-factor, tactic, setting … links are never expanded
        links = frozenset(p for p in STRUCTURAL_PREDICATES if predicate_ends(p) & via_cats)
        if not links:
            return {}
        rows = self._read(cypher.coverage_members(
            via_cats, sorted(set(row_ids) | set(col_ids)), structural=links,
            rollup=rollup, include_inferred=include_inferred))
        members = {r["node"]: r["items"] for r in rows}
        in_rows: defaultdict[str, list[str]] = defaultdict(list)  # via node → its rows
        in_cols: defaultdict[str, list[str]] = defaultdict(list)
        for r in row_ids:
            for i in members.get(r, ()):
                in_rows[i].append(r)
        for c in col_ids:
            for i in members.get(c, ()):
                in_cols[i].append(c)
        cells: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
        for i, rs in in_rows.items():
            cs = in_cols.get(i)
            if not cs:
                continue
            for r in rs:
                for c in cs:
                    if r != c:
                        cells[(r, c)].add(i)
        return dict(cells)

    def collection_members(self, collection_id: str) -> list[NodeRef]:
        """One read (items, their refs and positions) instead of the links then the refs —
        search runs this for every list it finds."""
        rows = self._read(cypher.collection_members(collection_id, LIST_PREDICATES))
        rows = sorted(rows, key=lambda r: (r["position"] or 0, r["id"]))
        return [NodeRef(r["id"], r["category"], r["label"]) for r in rows]

    def _breadth(self, ids: Iterable[str]) -> dict[str, int]:
        """How many concepts sit below each node, in one read (:func:`cypher.breadth`) instead of
        one read per hierarchy level."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        got = {r["id"]: r["below"]
               for r in self._chunked(wanted, lambda c: cypher.breadth(c, MAX_HOPS))}
        return {i: got.get(i, 0) for i in wanted}

    def _coverage_details(self, in_cells: list[str], shown: list[str],
                          ) -> tuple[dict[str, set[str]], dict[str, NodeRef]]:
        """Refs and claims of the matrix's nodes in one read (:func:`cypher.refs_and_claims`)."""
        rows = self._chunked(shown, cypher.refs_and_claims, collected=True)
        return ({r[0]: set(r[3]) for r in rows if r[3]},
                {r[0]: NodeRef(r[0], r[1], r[2]) for r in rows})

    def _claims_about(self, ids: list[str]) -> dict[str, set[str]]:
        return {r["id"]: set(r["claims"]) for r in self._chunked(ids, cypher.claims_about)}

    def _lean_edges(self, ids: list[str], predicates: frozenset[str] | None) -> list[EdgeView]:
        """Links with only the properties a walk reads (claims, basis, basis_note)."""
        if predicates is not None and not predicates:
            return []
        rows = self._chunked(ids, lambda chunk: cypher.walk_edges(chunk, predicates),
                             collected=True)
        return self._lean_views(rows)

    def _edge_views(self, rows: list[Any], *, lean: bool = False) -> list[EdgeView]:
        """Rows whose first four columns are ``s, t, o, props`` (every link read returns them
        first; positional access: a hub's thousands of rows). ``lean``: the props are the few a
        walk reads (claims, basis, basis note), kept only when set."""
        seen: set[tuple[str, str, str]] = set()
        out = []
        for r in rows:
            s, t, o, raw = r[0], r[1], r[2], r[3]
            pred = predicate_from_rel_type(t)
            key = (s, pred, o)
            if key in seen:
                continue
            seen.add(key)
            if lean:
                props = {k: v for k, v in raw.items() if v is not None}
            else:
                props = cypher.decode_properties(raw)
            claims = tuple(props.pop("claims", None) or ())
            out.append(EdgeView(s, pred, o, claims, props))
        return out

    def ids_of(self, categories: frozenset[str]) -> list[str]:
        if not categories:
            return []
        return sorted(r["id"] for r in self._read(cypher.ids_of(categories)))

    def search_candidates(self, query_tokens: list[str]) -> Iterable[tuple[str, dict[str, Any]]]:
        if not query_tokens:
            return []
        rows = self._read(cypher.search_candidates(query_tokens))
        return sorted(((r["id"], {"category": r["category"], "label": r["label"],
                                  "alt_labels": list(r["alt_labels"] or ())}) for r in rows),
                      key=lambda x: x[0])

    # ------------------------------------------------------------------ server-side ranking
    def _server_ranks_search(self) -> bool:
        """True when the loaded dataset stores the normalised texts (loads since issue 17)."""
        if self._ranked_search is None:
            state = self.load_state() or {}
            self._ranked_search = bool(state.get("ranked_search"))
        return self._ranked_search

    def _best_matches(self, q: str, wanted: frozenset[str] | None,
                      limit: int) -> list[SearchRank]:
        """Search scored and ranked by the server; only the best rows travel.

        The server orders by exactly the embedded key: the score (computed like
        :func:`graph.text.score_text` on the stored normalised texts), class rank, label length
        (Cypher's ``size()`` counts code points, like ``len``) and id (ids are ASCII by the
        ontology's id pattern, so string order agrees), so its first ``limit`` rows are the
        embedded top. The client re-scores them in Python and checks the order; any
        disagreement (texts stored by another version) falls back to the embedded ranking.
        """
        if not self._server_ranks_search():
            return super()._best_matches(q, wanted, limit)
        cats = None if wanted is None else wanted | {"Collection"}
        # first only the exact / prefix / word-prefix classes (few candidates, found by the
        # text index); when they fill the top, nothing scoring lower can enter it
        rows = self._read(cypher.search_ranked(q, cats, EVIDENCE_CLASSES, limit,
                                               words_first=True))
        if len(rows) < limit:
            rows = self._read(cypher.search_ranked(q, cats, EVIDENCE_CLASSES, limit))
        scored: list[SearchRank] = []
        for r in rows:
            alts = list(r["alt_labels"] or ())
            score, matched = best_match_texts(q, search_texts(r["label"], alts))
            if score != r["score"]:
                return super()._best_matches(q, wanted, limit)  # stale or foreign texts
            scored.append((-score, category_rank(r["category"]), len(r["label"]), r["id"],
                           matched, r["category"], r["label"]))
        if scored != sorted(scored):  # the server's order must be the embedded order
            return super()._best_matches(q, wanted, limit)
        return scored

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        by_cat = {r["key"]: r["n"] for r in self._read(cypher.count_nodes())
                  if r["key"] is not None}
        by_pred = {predicate_from_rel_type(r["key"]): r["n"]
                   for r in self._read(cypher.count_edges())}
        return by_cat, by_pred


def server_status(settings: Neo4jSettings) -> dict[str, Any]:
    """What ``intersections neo4j-status`` shows: server, every dataset's load state, counts."""
    driver = open_driver(settings)
    backend = Neo4jBackend(driver, settings)
    try:
        comp = backend._read(cypher.server_components())
        states = []
        for row in backend._read(cypher.all_load_states()):
            state = dict(row["state"])
            owned = backend._read(cypher.count_dataset(state["dataset"]))[0]
            state["stored_nodes"], state["stored_relationships"] = (
                owned["nodes"], owned["relationships"])
            for key in ("by_category", "by_predicate"):
                if isinstance(state.get(key), str):
                    state[key] = json.loads(state[key])
            states.append(state)
        by_cat, by_pred = backend.counts()
        unowned = backend._read(cypher.count_unowned())[0]["n"]
        return {
            "uri": settings.redacted_uri,
            "routing": urlsplit(settings.uri).scheme.startswith("neo4j"),
            "database": settings.database or "(server default)",
            "server": ({"name": comp[0]["name"], "version": comp[0]["version"],
                        "edition": comp[0]["edition"]} if comp else {}),
            "datasets": states,
            "entities": sum(by_cat.values()),
            "links": sum(by_pred.values()),
            "unowned_nodes": unowned,
        }
    finally:
        backend.close()
