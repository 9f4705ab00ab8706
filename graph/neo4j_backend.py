"""The Neo4j backend: the same primitives as the embedded graph, answered by a Neo4j database.

Only the five primitives are implemented here; every user-facing query (search, paths, shared,
coverage, claims…) is inherited from :class:`graph.backend.GraphBackend`, so both backends rank,
cap and break ties identically. Reads run in read transactions (``session.execute_read``) with a
transaction timeout, and through the driver's routing, so ``neo4j://`` / ``neo4j+s://`` URIs work
against clusters and Aura as well as a single server. All Cypher lives in :mod:`graph.cypher`.

Connection problems become :class:`Neo4jUnavailable` (exit code 4) with one line saying what is
wrong and how to fix it; a dataset whose load has not completed is refused
(:class:`IncompleteEvidenceBase`) so nobody explores half an evidence base.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from graph import cypher
from graph.backend import EdgeView, GraphBackend
from loaders.errors import IntersectionsError
from ontology.schema import predicate_from_rel_type

DEFAULT_DATASET = "evidence"
DEFAULT_TIMEOUT = 30.0
#: ids per primitive call; larger inputs are split so no single read ships a huge parameter.
ID_CHUNK = 5_000
BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
LOAD_HINT = "run `intersections load --neo4j` to load it"

# The driver logs connection failures as warnings; without a handler Python would print them
# next to our one-line error. Applications that configure logging still receive them.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


class Neo4jUnavailable(IntersectionsError):
    """Neo4j cannot be used as configured (down, wrong URI, wrong password, no such database)."""

    exit_code = 4


class Neo4jQueryTimeout(Neo4jUnavailable):
    """A read took longer than the configured transaction timeout."""


class IncompleteEvidenceBase(Neo4jUnavailable):
    """The database holds no evidence base, or one whose load did not finish."""


def redact(uri: str) -> str:
    """The URI without any user:password part (for messages)."""
    parts = urlsplit(uri)
    if parts.username or parts.password:
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return parts._replace(netloc=f"{host}{port}").geturl()
    return uri


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


def translate_error(exc: BaseException, uri: str, username: str,
                    database: str | None) -> IntersectionsError:
    """A driver exception → one user-facing line (what went wrong, how to fix it)."""
    from neo4j import exceptions as ne

    where = redact(uri) + (f" (database {database!r})" if database else "")
    if isinstance(exc, IntersectionsError):
        return exc
    if isinstance(exc, ne.AuthError):
        return Neo4jUnavailable(
            f"Neo4j at {where} rejected user {username!r}: wrong username or password; set "
            "NEO4J_USERNAME/NEO4J_PASSWORD (or --username/--password)")
    if isinstance(exc, ne.ServiceUnavailable | ne.SessionExpired):
        return Neo4jUnavailable(
            f"cannot reach Neo4j at {where}: is the server running and is NEO4J_URI right? "
            "(start one with `docker compose up -d neo4j`)")
    if isinstance(exc, ne.ConfigurationError):
        return Neo4jUnavailable(f"Neo4j connection settings are invalid for {where}: "
                                f"{_first_line(exc)}; check NEO4J_URI")
    code = getattr(exc, "code", None) or ""
    if "DatabaseNotFound" in code:
        return Neo4jUnavailable(
            f"Neo4j at {redact(uri)} has no database {database!r}; set NEO4J_DATABASE to an "
            "existing one (or leave it unset for the server's default)")
    if "TransactionTimedOut" in code or ("Terminated" in code and "Transaction" in code):
        return Neo4jQueryTimeout(
            f"the query to {where} ran past its time limit and was stopped; narrow it "
            "(fewer hops, a type filter) or raise the timeout")
    if "Forbidden" in code or isinstance(exc, ne.Forbidden):
        return Neo4jUnavailable(f"user {username!r} may not do this on {where}: "
                                f"{_first_line(exc)}")
    if isinstance(exc, ne.Neo4jError | ne.DriverError):
        return Neo4jUnavailable(f"Neo4j at {where} failed: {_first_line(exc)}")
    if isinstance(exc, ValueError):
        return Neo4jUnavailable(f"Neo4j connection settings are invalid for {where}: "
                                f"{_first_line(exc)}")
    raise exc


def _env_timeout() -> float:
    raw = os.environ.get("NEO4J_QUERY_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise Neo4jUnavailable(f"NEO4J_QUERY_TIMEOUT={raw!r} is not a number of seconds") \
            from None
    if value <= 0:
        raise Neo4jUnavailable("NEO4J_QUERY_TIMEOUT must be a positive number of seconds")
    return value


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return text.strip().splitlines()[0]


def open_driver(uri: str, username: str, password: str, database: str | None = None) -> Any:
    """A verified driver (the server answered a read on ``database``), or a clear error."""
    from neo4j import GraphDatabase
    from neo4j import exceptions as ne

    check_uri(uri)
    try:
        driver = GraphDatabase.driver(uri, auth=(username, password),
                                      connection_timeout=10.0,
                                      connection_acquisition_timeout=30.0)
    except (ne.ConfigurationError, ValueError) as exc:
        raise translate_error(exc, uri, username, database) from None
    try:
        driver.verify_connectivity()
        query, params = cypher.ping()
        with driver.session(database=database, default_access_mode="READ") as s:
            s.execute_read(lambda tx: tx.run(query, params).consume())
    except Exception as exc:
        driver.close()
        raise translate_error(exc, uri, username, database) from None
    return driver


class Neo4jBackend(GraphBackend):
    """Primitives over a Neo4j database that ``intersections load --neo4j`` filled."""

    name = "neo4j"

    def __init__(self, driver: Any, *, uri: str = "", username: str = "",
                 database: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                 dataset: str = DEFAULT_DATASET) -> None:
        self._driver = driver
        self.uri = uri
        self.username = username
        self.database = database
        self.timeout = timeout
        self.dataset = dataset

    @classmethod
    def connect(cls, uri: str, username: str, password: str, database: str | None = None, *,
                timeout: float | None = None, dataset: str = DEFAULT_DATASET,
                require_complete: bool = True) -> Neo4jBackend:
        """Connect, verify the server, and check that the evidence base is completely loaded.

        ``timeout`` (seconds per read transaction) defaults to NEO4J_QUERY_TIMEOUT or 30.
        ``require_complete=False`` only warns about an unfinished load (for diagnostics).
        """
        if timeout is None:
            timeout = _env_timeout()
        driver = open_driver(uri, username, password, database)
        backend = cls(driver, uri=uri, username=username, database=database, timeout=timeout,
                      dataset=dataset)
        try:
            backend.check_loaded(strict=require_complete)
        except BaseException:
            driver.close()
            raise
        return backend

    def close(self) -> None:
        self._driver.close()

    # ------------------------------------------------------------------ plumbing
    def _read(self, statement: cypher.Statement) -> list[Any]:
        """Run one read in a read transaction with the timeout; records as a list."""
        from neo4j import unit_of_work

        query, params = statement

        @unit_of_work(timeout=self.timeout)
        def work(tx: Any) -> list[Any]:
            return list(tx.run(query, params))

        try:
            with self._session() as session:
                return session.execute_read(work)
        except Exception as exc:
            raise translate_error(exc, self.uri, self.username, self.database) from None

    def _session(self) -> Any:
        return self._driver.session(database=self.database, default_access_mode="READ")

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
        where = redact(self.uri) + (f" (database {self.database!r})" if self.database else "")
        problem: str | None = None
        if state is None:
            by_cat, _ = self._counts()
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

    def _chunked(self, ids: Iterable[str],
                 build: Callable[[list[str]], cypher.Statement]) -> list[Any]:
        unique = list(dict.fromkeys(ids))
        out: list[Any] = []
        for start in range(0, len(unique), ID_CHUNK):
            out.extend(self._read(build(unique[start:start + ID_CHUNK])))
        return out

    # ------------------------------------------------------------------ primitives
    def _node_data(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        rows = self._chunked(ids, cypher.node_data)
        return {r["id"]: cypher.decode_properties(r["props"]) for r in rows}

    def _edges_of(self, ids: Iterable[str],
                  predicates: frozenset[str] | None = None) -> list[EdgeView]:
        if predicates is not None and not predicates:
            return []
        rows = self._chunked(ids, lambda chunk: cypher.edges_of(chunk, predicates))
        seen: set[tuple[str, str, str]] = set()
        out = []
        for r in rows:
            pred = predicate_from_rel_type(r["t"])
            key = (r["s"], pred, r["o"])
            if key in seen:
                continue
            seen.add(key)
            props = cypher.decode_properties(r["props"])
            claims = tuple(props.pop("claims", None) or ())
            out.append(EdgeView(r["s"], pred, r["o"], claims, props))
        return out

    def _ids_of(self, categories: frozenset[str]) -> list[str]:
        if not categories:
            return []
        return sorted(r["id"] for r in self._read(cypher.ids_of(categories)))

    def _search_candidates(self, query_tokens: list[str]) -> Iterable[tuple[str, dict[str, Any]]]:
        if not query_tokens:
            return []
        rows = self._read(cypher.search_candidates(query_tokens))
        return sorted(((r["id"], {"category": r["category"], "label": r["label"],
                                  "alt_labels": list(r["alt_labels"] or ())}) for r in rows),
                      key=lambda x: x[0])

    def _counts(self) -> tuple[dict[str, int], dict[str, int]]:
        by_cat = {r["key"]: r["n"] for r in self._read(cypher.count_nodes())
                  if r["key"] is not None}
        by_pred = {predicate_from_rel_type(r["key"]): r["n"]
                   for r in self._read(cypher.count_edges())}
        return by_cat, by_pred


def server_status(uri: str, username: str, password: str, database: str | None = None) -> dict:
    """What ``intersections neo4j-status`` shows: server, every dataset's load state, counts."""
    driver = open_driver(uri, username, password, database)
    backend = Neo4jBackend(driver, uri=uri, username=username, database=database)
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
        by_cat, by_pred = backend._counts()
        unowned = backend._read(cypher.count_unowned())[0]["n"]
        return {
            "uri": redact(uri),
            "routing": urlsplit(uri).scheme.startswith("neo4j"),
            "database": database or "(server default)",
            "server": ({"name": comp[0]["name"], "version": comp[0]["version"],
                        "edition": comp[0]["edition"]} if comp else {}),
            "datasets": states,
            "entities": sum(by_cat.values()),
            "links": sum(by_pred.values()),
            "unowned_nodes": unowned,
        }
    finally:
        backend.close()
