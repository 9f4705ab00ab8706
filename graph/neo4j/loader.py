"""Records → a Neo4j database, idempotently and without ever showing half an evidence base.

:class:`Neo4jWriter` collects and checks every record first (labels and relationship types from
the ontology, endpoints present, property names free, values storable) — nothing is sent to the
server until all records passed. :meth:`Neo4jWriter.finalize` then:

1. creates constraints and indexes (``IF NOT EXISTS``);
2. marks the dataset ``loading`` in its ``(:_LoadState {dataset})`` node — readers refuse it now;
3. upserts nodes and relationships in batched ``UNWIND … MERGE`` managed write transactions,
   ``writers`` in flight at once (:data:`DEFAULT_WRITERS`; all nodes before any link), every
   entity tagged ``_dataset`` and ``_version`` (a hash of the loaded content, computed once
   from the collected rows — :meth:`Neo4jWriter.content_version`); into a
   database that holds no entity yet (a first load) the batches ``CREATE`` instead — no index
   lookup per row, no prune pass — which is the bulk path without leaving Bolt (see
   docs/neo4j.md for ``neo4j-admin database import`` on very large bases);
4. deletes this dataset's nodes and relationships of any other version (entries removed since the
   last load) — nodes no load owns are never touched; skipped when the count store says the
   database holds nothing but what this load just wrote (:meth:`Neo4jWriter._stored_counts`);
5. marks the dataset ``complete`` with its version and counts.

If the server fails part-way, the dataset stays ``loading`` (explorer and CLI refuse it) and a
re-run converges to exactly the state of a clean load. ``per_row=True`` sends one transaction per
node/relationship; it exists only so the benchmark can show what batching buys.
"""

from __future__ import annotations

import gc
import hashlib
import json
import pickle
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from graph.neo4j import cypher
from graph.neo4j.backend import DEFAULT_DATASET, open_driver
from graph.neo4j.errors import Neo4jUnavailable, translate_error
from graph.neo4j.settings import Neo4jSettings
from loaders.errors import IntersectionsError, Problem, ValidationFailed
from loaders.evidence import EvidenceBase
from loaders.limits import MAX_REMOVAL_SHARE, removal_allowed
from loaders.records import EdgeRecord, NodeRecord, Record
from loaders.writers.base import Writer, feed_records
from ontology.schema import neo4j_labels, neo4j_rel_type

if TYPE_CHECKING:
    import neo4j

#: Rows per UNWIND transaction. 10,000 rather than 1,000: at 10k nodes / 87k links the reload's
#: server CPU fell from 10-23 s to ~5 s and its wall time 2.5x (fewer commits, plans, round
#: trips; BENCHMARKS.md "Neo4j loads"); a batch's transaction state stays a few MB.
DEFAULT_BATCH_SIZE = 10_000
PRUNE_BATCH = 10_000
#: Write transactions in flight at once (each on its own session; batches touch disjoint
#: nodes and links, and a transaction that still meets a lock conflict is retried by the
#: driver). One: the next batch's statement is still built while the server runs the current
#: one, and on the shared 2-core project machine two in flight cost more server CPU and ran
#: slower (100k reload, same run, load 3-5: 25.6 / 27.3 s with one, 30.9 / 35.2 s with two);
#: ``writers=2`` may pay off on a server with idle cores.
DEFAULT_WRITERS = 1
#: Distinct link property maps the collector remembers to share (see Neo4jRows.write_edge).
SHARED_PROPS_LIMIT = 65_536

#: Progress callback: (phase, rows done in this call, rows in total). May raise to abort
#: (tests use that to simulate a failure mid-load).
BatchHook = Callable[[str, int, int], None]


#: ``allow_removal`` for code that deliberately replaces whatever is loaded (test fixtures that
#: load their own base, benchmarks that document they empty the dataset) — never the CLI default.
REPLACE_ANYTHING = 2**63 - 1


class DestructiveLoadRefused(IntersectionsError):
    """The load would delete more of the loaded base than allowed; nothing was written."""

    def __init__(self, removing: int, loaded: int, dataset: str) -> None:
        self.removing, self.loaded = removing, loaded
        super().__init__(
            f"this load would remove {removing:,} of the {loaded:,} entries now loaded in "
            f"dataset {dataset!r} (more than {MAX_REMOVAL_SHARE:.0%}); nothing was written. "
            "Check --evidence points at the whole evidence base (not an empty or partial "
            f"folder); if removing them is intended, re-run with --allow-removal {removing}")


def check_removal(removing: int, loaded: int, dataset: str, allow_removal: int | None) -> None:
    """Refuse a load that deletes more than :data:`MAX_REMOVAL_SHARE` of what is loaded, unless
    ``allow_removal`` is at least the number it would delete (the user named the count)."""
    if not removal_allowed(removing, loaded, allow_removal):
        raise DestructiveLoadRefused(removing, loaded, dataset)


class Neo4jLoadInterrupted(Neo4jUnavailable):
    """The server failed during a load; the dataset is marked incomplete until a re-run."""


@dataclass
class LoadReport:
    """What one load did, and how fast."""

    dataset: str
    uri: str
    database: str | None
    version: str
    run_id: str
    mode: str
    batch_size: int
    nodes: int
    relationships: int
    removed_nodes: int
    removed_relationships: int
    transactions: int
    seconds: float
    write_seconds: float
    by_category: dict[str, int] = field(default_factory=dict)
    by_predicate: dict[str, int] = field(default_factory=dict)
    #: True when the database held no entity and the batches CREATEd (the bulk first load).
    first_load: bool = False
    #: Wall seconds of the load's named steps, where it reports them (the bulk finish:
    #: ``connect``, ``check``, ``schema``, ``indexes``, ``fixups``, ``state``) — where a
    #: load's time goes.
    steps: dict[str, float] = field(default_factory=dict)

    @property
    def nodes_per_second(self) -> float:
        return self.nodes / self.write_seconds if self.write_seconds else 0.0

    @property
    def relationships_per_second(self) -> float:
        return self.relationships / self.write_seconds if self.write_seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"nodes_per_second": round(self.nodes_per_second, 1),
                               "relationships_per_second":
                                   round(self.relationships_per_second, 1)}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while millions of row dicts are built.

    Each full collection walks every live container; building 1M link rows triggered dozens of
    them (writing the 100k base's bulk files took 35 CPU-s, 19x the 10k base's for 11x the rows;
    at 10k pausing halves it). Reference counting still frees everything, and the rows hold no
    cycles, so nothing piles up."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: Property value types a shared link map may hold (exact types: a float is not shared, so
#: ``0.0`` and ``-0.0`` stay apart).
_SHAREABLE = frozenset({str, int, bool, type(None)})


class Neo4jRows(Writer):
    """Collect and check records as the rows Neo4j stores (one dict per node or link, grouped
    by class / relation) — shared by the Bolt load (:class:`Neo4jWriter`) and the
    ``neo4j-admin database import`` files (:mod:`graph.neo4j.bulk`), so both write exactly the
    same labels and properties."""

    def __init__(self, *, dataset: str = DEFAULT_DATASET, source: str = "") -> None:
        if not dataset:
            raise ValueError("dataset name must not be empty")
        self.dataset = dataset
        self.source = source
        self._nodes: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._node_ids: dict[str, str] = {}
        self._edges: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._edge_keys: set[tuple[str, str, str]] = set()
        self._relations_ok: set[str] = set()
        self._problems: list[Problem] = []
        self._shared_props: dict[tuple[Any, ...], dict[str, Any]] = {}

    # ------------------------------------------------------------------ collecting
    def _problem(self, origin: str | None, record: str, rule: str, message: str,
                 hint: str) -> None:
        file, _, line = (origin or "<records>").rpartition(":")
        if not file or not line.isdigit():
            file, line = origin or "<records>", ""
        self._problems.append(Problem(file, int(line) if line else None, record, rule, message,
                                      hint))

    def write_node(self, node: NodeRecord) -> None:
        try:
            neo4j_labels(node.category)
        except (KeyError, ValueError):
            self._problem(node.origin, node.id, "neo4j-unknown-class",
                          f"class {node.category!r} is not in the ontology",
                          "use a class from ontology/schema.py")
            return
        if node.id in self._node_ids:
            self._problem(node.origin, node.id, "duplicate-id", "id written twice",
                          "give each entry its own id")
            return
        try:
            props = cypher.encode_properties(node.as_attrs())
        except (ValueError, TypeError) as exc:
            self._problem(node.origin, node.id, "neo4j-property", str(exc),
                          "rename the property")
            return
        props["id"] = node.id
        props.update(cypher.search_properties(node.label, node.alt_labels))
        self._node_ids[node.id] = node.category
        self._nodes[node.category].append({"id": node.id, "props": props})

    def write_edge(self, edge: EdgeRecord) -> None:
        # called once per link (1M at 100k nodes): attributes read once, relations checked once
        subject, predicate, obj = edge.subject, edge.predicate, edge.object
        if predicate not in self._relations_ok:
            try:
                neo4j_rel_type(predicate)
            except ValueError:
                self._problem(edge.origin, subject, "neo4j-unknown-relation",
                              f"relation {predicate!r} is not in the ontology",
                              "use a relation from ontology/schema.py")
                return
            self._relations_ok.add(predicate)
        ids = self._node_ids
        if subject not in ids or obj not in ids:
            end = subject if subject not in ids else obj
            self._problem(edge.origin, subject, "unknown-reference",
                          f"{subject} {predicate} {obj}: no node {end!r}",
                          "add the entry or correct the reference")
            return
        key = (subject, predicate, obj)
        if key in self._edge_keys:
            self._problem(edge.origin, subject, "duplicate-link",
                          f"{subject} {predicate} {obj} written twice",
                          "merge the two links")
            return
        props = self._link_props(edge)
        if isinstance(props, str):
            self._problem(edge.origin, subject, "neo4j-property", props, "rename the property")
            return
        self._edge_keys.add(key)
        self._edges[predicate].append({"s": subject, "o": obj, "props": props})

    def _link_props(self, edge: EdgeRecord) -> dict[str, Any] | str:
        """The encoded property map of a link (or why it cannot be stored).

        Links with the same claims and the same plain property values (text, integers,
        booleans, null — compared with their type, so ``1``, ``1.0`` and ``True`` never share)
        get the SAME map object: at 100k nodes ~936k links carry ~3.8k distinct maps, so most
        links skip :func:`cypher.encode_properties`, and :func:`cypher.merge_edges` sends each
        distinct map once per batch. Rows are never changed in place, so sharing is safe.
        """
        claims, properties = edge.claims, edge.properties
        key: tuple[Any, ...] | None = None
        if claims.__class__ is tuple:
            key = (claims,)
            for k, v in properties.items():  # 0-2 items: a loop beats all() + a generator
                if v.__class__ not in _SHAREABLE:
                    key = None
                    break
                key += (k, v.__class__, v)
            if key is not None:
                shared = self._shared_props.get(key)
                if shared is not None:
                    return shared
        try:
            # no claims: no "claims" key at all (not an "_empty" entry on nearly every one of
            # a million links — the import tool spent 2-4 of its ~20 CPU-s at 100k writing that
            # array); readers take a missing "claims" as none, like every list property
            props = cypher.encode_properties({"claims": list(claims), **properties} if claims
                                             else properties)
        except (ValueError, TypeError) as exc:
            return str(exc)
        if key is not None and len(self._shared_props) < SHARED_PROPS_LIMIT:
            self._shared_props[key] = props
        return props

    def add_all(self, records: Iterable[Record]) -> None:
        """Collect records, nodes first (:func:`loaders.writers.base.feed_records`), with the
        garbage collector paused (:func:`paused_gc`)."""
        with paused_gc():
            feed_records(records, self)

    def check(self) -> None:
        """Raise :class:`ValidationFailed` with every problem found while collecting."""
        if self._problems:
            raise ValidationFailed(self._problems, what="records for Neo4j")

    @property
    def node_count(self) -> int:
        return sum(len(r) for r in self._nodes.values())

    @property
    def edge_count(self) -> int:
        return sum(len(r) for r in self._edges.values())

    def content_version(self) -> str:
        """A hash of everything collected (same records in the same order → same version).

        One pickle per class/relation list, hashed with BLAKE2 — about 15x cheaper than the
        per-row sorted ``json.dumps`` + SHA-256 it replaces (seconds, not minutes, at 1M links),
        and nothing per row is touched again before the first write. Pickling shares repeated
        objects, so equal content parsed differently could hash differently; that only costs a
        rewrite of unchanged entries (every load writes all rows anyway), never a wrong prune.
        """
        h = hashlib.blake2b(digest_size=8)
        for kind, groups in (("n", self._nodes), ("e", self._edges)):
            for key in sorted(groups):
                h.update(pickle.dumps((kind, key, groups[key]), protocol=5))
        return h.hexdigest()

    def about_with_claims(self) -> list[str]:
        """The nodes some ``about`` link into which carries claims of its own (rare), stored
        with the load state (:data:`cypher.WITH_CLAIMS_KEY`) so that paths to claims need not
        scan every ``about`` link to find them (``GraphBackend._ordered_claims``)."""
        return sorted({r["o"] for r in self._edges.get("about", ()) if r["props"].get("claims")})

    def finalize(self) -> Any:
        """The collected rows themselves (subclasses write them somewhere)."""
        return self


class Neo4jWriter(Neo4jRows):
    """Buffer and check records; on :meth:`finalize`, load them as one owned dataset."""

    def __init__(self, settings: Neo4jSettings, *, dataset: str = DEFAULT_DATASET,
                 batch_size: int = DEFAULT_BATCH_SIZE, per_row: bool = False,
                 on_batch: BatchHook | None = None, source: str = "",
                 allow_removal: int | None = None, bulk_first_load: bool = True,
                 writers: int = DEFAULT_WRITERS) -> None:
        if batch_size < 1:
            raise ValueError("batch size must be at least 1")
        if writers < 1:
            raise ValueError("writers must be at least 1")
        super().__init__(dataset=dataset, source=source)
        self.settings = settings
        self.database = settings.database
        self.batch_size = 1 if per_row else batch_size
        self.per_row = per_row
        self.on_batch = on_batch
        self.allow_removal = allow_removal
        self.bulk_first_load = bulk_first_load
        #: write transactions in flight at once (:data:`DEFAULT_WRITERS`; per row: one)
        self.writers = 1 if per_row else writers

    # ------------------------------------------------------------------ loading
    def finalize(self) -> LoadReport:
        """Check, then write everything (see the module docstring). Returns a report."""
        self.check()
        t0 = time.perf_counter()
        version = self.content_version()
        driver = open_driver(self.settings)
        try:
            return self._load(driver, version, t0)
        finally:
            driver.close()

    def _write(self, driver: neo4j.Driver, statement: cypher.Statement) -> list[Any]:
        """One managed write transaction (retried by the driver on transient errors)."""
        query, params = statement
        # the driver formats every RUN message for its debug log whether or not that log is
        # on (repr of all parameters: ~45 ms per 10,000-row batch); lists with a short repr
        # pack exactly like plain lists
        params = _quiet(params)
        with driver.session(database=self.database) as session:
            return session.execute_write(lambda tx: list(tx.run(query, params)))

    def _write_batches(self, driver: neo4j.Driver, jobs: Iterable[_Job], total: int,
                       progress: _Progress) -> None:
        """Run write transactions with up to :attr:`writers` in flight (each its own session).

        Statements are built here while earlier ones run; each job's result is checked and
        reported (``on_batch``) in submission order, from this thread. On any error — a failed
        transaction, a short ``written`` count, a hook that raises — nothing more is submitted,
        the transactions in flight finish (none is left running when this returns) and the
        error is raised; the dataset is still marked ``loading`` then."""
        pending: deque[tuple[_Job, Future[list[Any]]]] = deque()

        def settle() -> None:
            job, future = pending.popleft()
            progress.phase = job.phase
            rows = future.result()
            if job.expect is not None:
                written = rows[0]["written"] if rows else 0
                if written < job.expect:
                    raise Neo4jLoadInterrupted(
                        f"{job.expect - written} {job.phase.removeprefix('links ')} links lost "
                        "an end node while loading (was the database changed concurrently?); "
                        "re-run the load")
            progress.txs += 1
            progress.done += job.rows
            self._tick(job.phase, job.rows, total)

        with ThreadPoolExecutor(max_workers=self.writers,
                                thread_name_prefix="neo4j-load") as pool:
            try:
                for job in jobs:
                    while len(pending) >= self.writers:
                        settle()
                    progress.phase = job.phase
                    pending.append((job, pool.submit(self._write, driver, job.statement)))
                while pending:
                    settle()
            finally:
                for _, future in pending:
                    future.cancel()

    def _load(self, driver: neo4j.Driver, version: str, t0: float) -> LoadReport:
        n_nodes = sum(len(r) for r in self._nodes.values())
        n_edges = sum(len(r) for r in self._edges.values())
        total = n_nodes + n_edges
        run_id = uuid.uuid4().hex
        progress = _Progress("schema")
        try:
            with driver.session(database=self.database) as session:
                for stmt in cypher.schema_statements():
                    session.run(stmt).consume()
                q, p = cypher.await_indexes()
                session.run(q, p).consume()
                q, p = cypher.count_removals(self.dataset, list(self._node_ids))
                counts = session.run(q, _quiet(p)).single()
                q, p = cypher.count_entities()
                entities = session.run(q, p).single()
            # a database without entities gets the bulk path: CREATE, no lookups, no prune
            create = bool(self.bulk_first_load and not self.per_row and entities is not None
                          and entities["n"] == 0)
            tags = {cypher.DATASET_KEY: self.dataset, cypher.VERSION_KEY: version}
            if counts is not None:  # before anything is written: the destructive-load guard
                check_removal(counts["removing"], counts["loaded"], self.dataset,
                              self.allow_removal)
            progress.phase = "start"
            self._write(driver, cypher.set_load_state(self.dataset, {
                "status": "loading", "version": version, "run_id": run_id,
                "started_at": _now(), "finished_at": None, "source": self.source}))
            tw = time.perf_counter()
            # every node before any link (a link's MATCH needs both ends)
            self._write_batches(driver, (
                _Job(f"nodes {category}", len(batch),
                     cypher.merge_nodes(category, batch, tags=tags, create=create))
                for category in sorted(self._nodes)
                for batch in _batches(self._nodes[category], self.batch_size)),
                total, progress)
            self._write_batches(driver, (
                _Job(f"links {predicate}", len(batch),
                     cypher.merge_edges(predicate, batch, tags=tags, create=create), len(batch))
                for predicate in sorted(self._edges)
                for batch in _batches(self._edges[predicate], self.batch_size)),
                total, progress)
            write_seconds = time.perf_counter() - tw
            progress.phase = "prune"
            removed_rels = removed_nodes = 0
            if not create:
                stored_nodes, stored_rels = self._stored_counts(driver)
                if stored_rels != n_edges:
                    removed_rels = self._prune(driver, cypher.prune_edges, version)
                if stored_nodes != n_nodes:
                    removed_nodes = self._prune(driver, cypher.prune_nodes, version)
            by_cat = {c: len(r) for c, r in sorted(self._nodes.items())}
            by_pred = {p: len(r) for p, r in sorted(self._edges.items())}
            progress.phase = "finish"
            self._write(driver, cypher.set_load_state(self.dataset, {
                "status": "complete", "version": version, "run_id": run_id,
                "finished_at": _now(), "nodes": n_nodes, "relationships": n_edges,
                "ranked_search": True,
                cypher.WITH_CLAIMS_KEY: self.about_with_claims(),
                cypher.WITH_CLAIMS_RUN_KEY: run_id,
                "by_category": json.dumps(by_cat), "by_predicate": json.dumps(by_pred)}))
        except (Neo4jLoadInterrupted, DestructiveLoadRefused):
            raise
        except Exception as exc:
            from neo4j import exceptions as ne

            if not isinstance(exc, ne.Neo4jError | ne.DriverError):
                raise
            base = translate_error(exc, self.settings)
            if progress.phase in ("schema", "start"):
                raise base from None
            raise Neo4jLoadInterrupted(
                f"load stopped at {progress.phase} after {progress.done} of {total} rows: "
                f"{base}. The dataset "
                f"{self.dataset!r} is marked incomplete (the explorer refuses it); re-run the "
                "same command to finish") from None
        return LoadReport(
            dataset=self.dataset, uri=self.settings.redacted_uri, database=self.database,
            version=version,
            run_id=run_id, mode="per-row" if self.per_row else "batched", first_load=create,
            batch_size=self.batch_size, nodes=n_nodes, relationships=n_edges,
            removed_nodes=removed_nodes, removed_relationships=removed_rels,
            transactions=progress.txs,
            seconds=round(time.perf_counter() - t0, 3), write_seconds=round(write_seconds, 3),
            by_category=by_cat, by_predicate=by_pred)

    def _stored_counts(self, driver: neo4j.Driver) -> tuple[int, int]:
        """All entities and all relationships in the database, from the count store (no scan).

        Every node and link this load wrote — distinct ids, distinct (subject, relation,
        object) keys, each batch's ``written`` checked — now carries this version. When the
        database holds exactly that many entities (relationships) in all, none of them is of
        another version or dataset, so the prune pass would delete nothing and is skipped:
        the link prune reads every relationship in the database (~1 s at 936k links).
        """
        with driver.session(database=self.database) as session:
            q, p = cypher.count_entities()
            entities = session.run(q, p).single()
            q, p = cypher.count_all_relationships()
            relationships = session.run(q, p).single()
        return (int(entities["n"]) if entities else -1,
                int(relationships["relationships"]) if relationships else -1)

    def _prune(self, driver: neo4j.Driver, build: Callable[[str, str, int], cypher.Statement],
               version: str) -> int:
        removed = 0
        while True:
            rows = self._write(driver, build(self.dataset, version, PRUNE_BATCH))
            n = rows[0]["deleted"] if rows else 0
            removed += n
            if n < PRUNE_BATCH:
                return removed

    def _tick(self, phase: str, n: int, total: int) -> None:
        if self.on_batch is not None:
            self.on_batch(phase, n, total)


@dataclass
class _Job:
    """One write transaction of a load: its phase, rows and statement; ``expect``: how many
    rows it must report ``written`` (links: every end node must have been found)."""

    phase: str
    rows: int
    statement: cypher.Statement
    expect: int | None = None


@dataclass
class _Progress:
    """Where a load is (for the error message of a load that stops part-way)."""

    phase: str
    done: int = 0
    txs: int = 0


class _Quiet(list):  # type: ignore[type-arg]
    """A list whose ``repr`` is short. The driver builds the text of its debug log line for
    every RUN (``repr`` of all parameters) even when that log is off — about as much client
    CPU as packing the batch; ``neo4j-rust-ext`` packs a list subclass exactly like a list."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} items>"


def _quiet(params: dict[str, Any]) -> dict[str, Any]:
    return {k: _Quiet(v) if isinstance(v, list) else v for k, v in params.items()}


def _batches(rows: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [rows[i:i + size] for i in range(0, len(rows), size)]


def load_neo4j(eb: EvidenceBase, settings: Neo4jSettings, *,
               batch_size: int = DEFAULT_BATCH_SIZE, progress: bool = False,
               per_row: bool = False, dataset: str = DEFAULT_DATASET,
               on_batch: BatchHook | None = None,
               allow_removal: int | None = None,
               bulk_first_load: bool = True,
               writers: int = DEFAULT_WRITERS) -> LoadReport:
    """Load a validated evidence base into Neo4j, replacing the dataset it owns there.

    Into a database with no entity at all the batches ``CREATE`` (``bulk_first_load``; the
    report's ``first_load`` says so); otherwise they ``MERGE``.

    A load that would delete more than :data:`MAX_REMOVAL_SHARE` of the entries now loaded is
    refused (:class:`DestructiveLoadRefused`) unless ``allow_removal`` is at least that number.

    ``progress=True`` shows a progress bar on stderr; ``on_batch`` is called after every write
    transaction (see :data:`BatchHook`). ``writers``: write transactions in flight at once
    (1 = one after the other).
    """
    if not progress:
        writer = Neo4jWriter(settings, dataset=dataset,
                             batch_size=batch_size, per_row=per_row, on_batch=on_batch,
                             source=eb.origin, allow_removal=allow_removal,
                             bulk_first_load=bulk_first_load, writers=writers)
        writer.add_all(eb.records())
        return writer.finalize()
    bar = _LazyProgress(on_batch)
    try:
        writer = Neo4jWriter(settings, dataset=dataset,
                             batch_size=batch_size, per_row=per_row, on_batch=bar.tick,
                             source=eb.origin, allow_removal=allow_removal,
                             bulk_first_load=bulk_first_load, writers=writers)
        writer.add_all(eb.records())
        return writer.finalize()
    finally:
        bar.stop()


class _LazyProgress:
    """A rich progress bar on stderr that appears with the first written batch, so a load that
    fails to connect prints only its one-line error."""

    def __init__(self, forward: BatchHook | None) -> None:
        self.forward = forward
        self.bar: Any = None
        self.task: Any = None

    def tick(self, phase: str, n: int, total: int) -> None:
        if self.bar is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self.bar = Progress(TextColumn("{task.description:<28}"), BarColumn(),
                                MofNCompleteColumn(), TimeElapsedColumn(),
                                console=Console(stderr=True))
            self.bar.start()
            self.task = self.bar.add_task(phase, total=total)
        self.bar.update(self.task, advance=n, total=total, description=phase)
        if self.forward is not None:
            self.forward(phase, n, total)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _deleted(tx: neo4j.ManagedTransaction, query: str, params: dict[str, Any]) -> int:
    record = tx.run(query, params).single()
    return int(record["deleted"]) if record else 0


def unload_neo4j(settings: Neo4jSettings, *, dataset: str = DEFAULT_DATASET) -> int:
    """Remove every node (and link) a dataset owns, and its load record. Returns nodes removed."""
    database = settings.database
    driver = open_driver(settings)
    try:
        removed = 0
        with driver.session(database=database) as session:
            session.execute_write(lambda tx: tx.run(*cypher.set_load_state(
                dataset, {"status": "unloading", "finished_at": None})).consume())
            while True:
                q, p = cypher.delete_dataset_nodes(dataset, PRUNE_BATCH)
                n = session.execute_write(_deleted, q, p)
                removed += n
                if n < PRUNE_BATCH:
                    break
            session.execute_write(lambda tx: tx.run(*cypher.delete_load_state(dataset))
                                  .consume())
        return removed
    except Neo4jUnavailable:
        raise
    except Exception as exc:
        raise translate_error(exc, settings) from None
    finally:
        driver.close()
