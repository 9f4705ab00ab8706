"""Researchers' Cypher against Neo4j: read-only sessions, a transaction timeout, a row limit.

Layers of safety (the server-side one is the guarantee, the others give clearer messages and
cover what "read mode" alone does not):

1. **Pre-check** of the text with comments and strings masked (and backtick-quoted names
   unquoted for the procedure checks, so ``CALL `dbms`.`listConfig`()`` is refused): write and admin
   clauses (CREATE, MERGE, DELETE, DETACH, SET, REMOVE, DROP, FOREACH, LOAD CSV, ALTER, GRANT,
   DENY, REVOKE, RENAME, START/STOP/TERMINATE, SHOW, USE, ``IN TRANSACTIONS``) are refused before
   anything is sent — also inside ``CALL { … }`` subqueries. Procedure calls are allowed only for
   a short list of read-only schema procedures; ``dbms.*``, ``apoc.*``, ``gds.*`` are refused
   anywhere in the text (APOC has procedures *and functions* that write or reach the network).
2. **Read-access session** (``default_access_mode=READ_ACCESS``): the server refuses any write
   with ``Neo.ClientError.Statement.AccessMode``, which becomes "read-only: …".
3. **Transaction timeout** (``neo4j.Query(text, timeout=…)``): the server stops a long query.
4. **Row limit**: at most ``limit`` records are pulled (``fetch_size`` = limit + 1); the rest is
   discarded and the result says it was truncated.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from graph.neo4j.settings import Neo4jSettings
from graph.query import (
    DEFAULT_LIMIT,
    DEFAULT_TIMEOUT,
    MAX_LIMIT,
    MAX_TIMEOUT,
    GraphData,
    QueryRefused,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
)
from ontology.schema import ID_PATTERN

if TYPE_CHECKING:
    import neo4j

#: Longest query text the console sends (the checks below are regex scans of the text).
MAX_QUERY_CHARS = 10_000
WRITE_CLAUSES = ("CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "DROP", "FOREACH",
                 "LOAD", "ALTER", "GRANT", "DENY", "REVOKE", "RENAME", "START", "STOP",
                 "TERMINATE", "SHOW", "USE")
#: Procedures a researcher may CALL (all read-only schema helpers), lower-cased.
READ_ONLY_PROCEDURES = frozenset({
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
    "db.schema.nodetypeproperties", "db.schema.reltypeproperties",
    "db.index.fulltext.querynodes", "db.index.fulltext.queryrelationships",
})
_FORBIDDEN_NAMESPACES = re.compile(r"(?<![\w$`])(dbms|apoc|gds)\s*\.", re.IGNORECASE)
_KEYWORD = re.compile(r"(?<![\w.$`:])(" + "|".join(WRITE_CLAUSES) + r")(?![\w`])(?!\s*:)",
                      re.IGNORECASE)
_IN_TX = re.compile(r"\bIN\s+(?:\d+\s+)?(?:CONCURRENT\s+)?TRANSACTIONS\b", re.IGNORECASE)
_CALL = re.compile(r"(?<![\w.$`])CALL\s+([A-Za-z_][\w]*(?:\s*\.\s*[A-Za-z_][\w]*)*)",
                   re.IGNORECASE)
# strings, quoted names, comments → blanks before scanning
_NOISE = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`(?:[^`]|``)*`|//[^\n]*|/\*.*?\*/',
                    re.DOTALL)


def _mask(text: str) -> str:
    return _NOISE.sub(lambda m: " " * len(m.group(0)), text)


def _unquote_names(text: str) -> str:
    """Strings and comments blanked, backtick-quoted names written plainly.

    ``CALL `dbms`.`listConfig`()`` must meet the same checks as ``CALL dbms.listConfig()``:
    Cypher resolves both to one procedure, so procedure and namespace checks run on this form.
    Characters other than letters, digits and ``_`` inside a quoted name become ``_``.
    """
    def repl(m: re.Match[str]) -> str:
        tok = m.group(0)
        if tok.startswith("`"):
            return re.sub(r"\W", "_", tok[1:-1].replace("``", "`")) or "_"
        return " " * len(tok)

    return _NOISE.sub(repl, text)


def check_cypher(text: str) -> None:
    """Refuse writes, admin commands and unsafe procedure calls before they reach the server."""
    if not text or not text.strip():
        raise QuerySyntaxError("empty query: write a MATCH … RETURN query")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRefused(f"the query is {len(text):,} characters; the limit is "
                           f"{MAX_QUERY_CHARS:,} — shorten it, pass values as $parameters")
    masked = _mask(text)
    m = _KEYWORD.search(masked)
    if m:
        word = m.group(1).upper()
        what = "LOAD CSV" if word == "LOAD" else word
        raise QueryRefused(
            f"read-only: {what} is not allowed in the console; it only runs queries that read "
            "(MATCH, OPTIONAL MATCH, WITH, UNWIND, RETURN, CALL { … } subqueries that read)")
    if _IN_TX.search(masked):
        raise QueryRefused("read-only: CALL { … } IN TRANSACTIONS is not allowed in the console")
    plain = _unquote_names(text)  # procedure/namespace checks see quoted names unquoted
    m = _FORBIDDEN_NAMESPACES.search(plain)
    if m:
        raise QueryRefused(
            f"read-only: {m.group(1)}.* procedures and functions are not allowed in the console "
            "(they can change the database or its settings, or reach the network)")
    for call in _CALL.finditer(plain):
        name = re.sub(r"\s+", "", call.group(1)).lower()
        if name not in READ_ONLY_PROCEDURES:
            allowed = ", ".join(sorted(READ_ONLY_PROCEDURES))
            raise QueryRefused(
                f"read-only: procedure {name} is not allowed in the console; allowed: {allowed}")


# ------------------------------------------------------------------------------- values
class _Collector:
    """Turns driver values into table cells and gathers nodes/relationships for a graph view."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}  # element id → node info
        self.rels: dict[str, Any] = {}
        self.ids: dict[str, None] = {}

    def node(self, n: Any) -> str:
        props = dict(n)
        nid = props.get("id") or n.element_id
        if isinstance(nid, str) and ID_PATTERN.match(nid):
            self.ids[nid] = None
        cat = props.get("category") or next(
            (lbl for lbl in sorted(n.labels) if lbl != "Entity"), "Entity")
        self.nodes[n.element_id] = {"id": nid, "label": props.get("label") or str(nid),
                                    "category": cat}
        return nid

    def value(self, v: Any) -> Any:
        from neo4j.graph import Node, Path, Relationship

        if isinstance(v, Node):
            return self.node(v)
        if isinstance(v, Relationship):
            self.rels[v.element_id] = v
            for end in (v.start_node, v.end_node):
                if end is not None:
                    self.node(end)
            for c in v.get("claims") or ():
                self.ids[c] = None
            return v.type
        if isinstance(v, Path):
            for r in v.relationships:
                self.value(r)
            return " → ".join(str(self.node(n)) for n in v.nodes)
        if isinstance(v, list | tuple):
            return [self.value(x) for x in v]
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        if isinstance(v, str) and ID_PATTERN.match(v):
            self.ids[v] = None
        if hasattr(v, "iso_format"):  # neo4j temporal types
            return v.iso_format()
        return v

    def graph(self) -> GraphData | None:
        if not self.rels and not self.nodes:
            return None
        g = GraphData(nodes=list(self.nodes.values()))
        for r in self.rels.values():
            s = self.nodes.get(r.start_node.element_id) if r.start_node is not None else None
            o = self.nodes.get(r.end_node.element_id) if r.end_node is not None else None
            if s and o:
                g.edges.append({"source": s["id"], "target": o["id"],
                                "predicate": r.type.lower()})
        return g


# ------------------------------------------------------------------------------- console
class CypherConsole:
    """Runs researchers' Cypher on one Neo4j database, read-only and bounded."""

    def __init__(self, driver: neo4j.Driver, settings: Neo4jSettings | None = None, *,
                 owns_driver: bool = False) -> None:
        self.driver = driver
        self.settings = settings or Neo4jSettings()
        self._owns = owns_driver

    @property
    def database(self) -> str | None:
        return self.settings.database

    @classmethod
    def connect(cls, settings: Neo4jSettings | None = None) -> CypherConsole:
        """Connect with ``settings`` (default: NEO4J_URI / NEO4J_USERNAME / NEO4J_PASSWORD)."""
        from graph.neo4j.backend import open_driver

        settings = settings or Neo4jSettings.from_env()
        return cls(open_driver(settings), settings, owns_driver=True)

    @classmethod
    def for_backend(cls, backend: object) -> CypherConsole:
        """Share the driver of an open :class:`graph.neo4j.backend.Neo4jBackend`."""
        from graph.neo4j.backend import Neo4jBackend

        if not isinstance(backend, Neo4jBackend):
            raise QueryRefused(
                "Cypher needs the Neo4j backend; open it with open_backend('neo4j') or use "
                "SPARQL on the embedded graph")
        return cls(backend.driver, backend.settings)

    def close(self) -> None:
        if self._owns:
            self.driver.close()

    def __enter__(self) -> CypherConsole:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, text: str, params: Mapping[str, Any] | None = None, *,
            limit: int = DEFAULT_LIMIT, timeout: float = DEFAULT_TIMEOUT,
            precheck: bool = True) -> QueryResult:
        """Run one read-only query. ``precheck=False`` skips the client-side refusal (tests use
        it to prove the server-side read mode holds on its own)."""
        from neo4j import READ_ACCESS, Query

        if precheck:
            check_cypher(text)
        limit = max(1, min(int(limit), MAX_LIMIT))
        timeout = max(0.1, min(float(timeout), MAX_TIMEOUT))
        col = _Collector()
        rows: list[dict[str, Any]] = []
        truncated = False
        t0 = time.perf_counter()
        try:
            with self.driver.session(database=self.database,
                                      default_access_mode=READ_ACCESS,
                                      fetch_size=limit + 1) as session:
                result = session.run(Query(text, timeout=timeout), dict(params or {}))
                keys = list(result.keys())
                for record in result:
                    if len(rows) >= limit:
                        truncated = True
                        break
                    rows.append({k: col.value(record[k]) for k in keys})
        except Exception as exc:
            raise self._translate(exc, timeout) from None
        elapsed = (time.perf_counter() - t0) * 1000
        return QueryResult("cypher", "CYPHER", keys, rows, truncated=truncated, limit=limit,
                           elapsed_ms=elapsed, graph=col.graph(), node_ids=tuple(col.ids))

    def _translate(self, exc: Exception, timeout: float) -> Exception:
        from neo4j import exceptions as ne

        from graph.neo4j.errors import translate_error

        code = getattr(exc, "code", None) or ""
        msg = (getattr(exc, "message", None) or str(exc)).strip()
        first = msg.splitlines()[0] if msg else type(exc).__name__
        if "AccessMode" in code or "read access mode" in msg.lower() or (
                "Forbidden" in code and "write" in msg.lower()):
            return QueryRefused(f"read-only: the server refused a write ({first}); the console "
                                "only runs queries that read")
        if "TransactionTimedOut" in code or ("Terminated" in code and "Transaction" in code):
            return QueryTimeout(
                f"stopped after the time limit of {timeout:g} s; narrow the query (match from an "
                f"id, bound path lengths, add LIMIT) or raise --timeout (max {MAX_TIMEOUT:g} s)")
        if "ExternalResourceFailed" in code:
            return QueryRefused(f"read-only: the server refused to load an external resource "
                                f"({first}); LOAD CSV is not allowed")
        if "SyntaxError" in code:
            return QuerySyntaxError(f"Cypher syntax error: {msg[:400]}")
        if "ParameterMissing" in code:
            return QuerySyntaxError(f"{first}; pass it with --param name=value")
        if "ProcedureNotFound" in code:
            return QueryRefused(f"{first}")
        if isinstance(exc, ne.ClientError):
            return QuerySyntaxError(f"Cypher error: {first}")
        return translate_error(exc, self.settings)


def cypher(backend: object, text: str, params: Mapping[str, Any] | None = None, *,
           limit: int = DEFAULT_LIMIT, timeout: float = DEFAULT_TIMEOUT) -> QueryResult:
    """Notebook entry point: run read-only Cypher on an open Neo4j backend."""
    return CypherConsole.for_backend(backend).run(text, params, limit=limit, timeout=timeout)
