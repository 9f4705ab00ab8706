"""The one query-result model and the one way to run a researcher's query.

:class:`QueryResult` is the shape of every console result — SPARQL (:mod:`graph.sparql`), Cypher
(:mod:`graph.neo4j.console`) and saved API queries (:mod:`graph.saved_queries`) — and
:func:`run_query` is the one dispatch from a language name to its engine, used by the CLI
(``intersections sparql|cypher|queries run``), the saved queries and the explorer's Query page.
Limits are clamped to :data:`MAX_LIMIT` rows and :data:`MAX_TIMEOUT` seconds by the engines.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from loaders import csvsafe
from loaders.errors import IntersectionsError

if TYPE_CHECKING:
    from graph.backend import GraphBackend
    from graph.sparql import Term

#: Defaults and hard ceilings (the CLI and the explorer clamp user values to these).
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 60.0
#: Query languages :func:`run_query` understands.
LANGUAGES = ("sparql", "cypher")


# ------------------------------------------------------------------------------- errors
class QueryRefused(IntersectionsError, ValueError):
    """The query is not allowed (not read-only, remote access, too broad). Says why."""

    exit_code = 1


class QuerySyntaxError(IntersectionsError, ValueError):
    """The query does not parse; the message carries the parser's line and column."""

    exit_code = 1


class QueryTimeout(IntersectionsError, TimeoutError):
    """The query ran past its wall-clock limit and was stopped."""

    exit_code = 1


# ------------------------------------------------------------------------------- results
@dataclass
class GraphData:
    """Nodes and links of a graph-shaped result (for the cytoscape view)."""

    nodes: list[dict[str, Any]] = field(default_factory=list)  # id, label, category
    edges: list[dict[str, Any]] = field(default_factory=list)  # source, target, predicate


@dataclass
class QueryResult:
    """The common shape of every console result: SPARQL, Cypher and saved API queries.

    ``rows`` hold display values (ids, numbers, text); ``terms`` the exact RDF terms when the
    language is SPARQL. ``node_ids`` lists every evidence-base id the result mentions, which is
    what :mod:`graph.provenance` turns into the "Sources" block of an export.
    """

    language: str
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE | CYPHER | API
    columns: list[str]
    rows: list[dict[str, Any]]
    boolean: bool | None = None
    truncated: bool = False
    limit: int = DEFAULT_LIMIT
    elapsed_ms: float = 0.0
    graph: GraphData | None = None
    node_ids: tuple[str, ...] = ()
    terms: list[dict[str, Term | None]] | None = None
    notice: str | None = None

    @property
    def message(self) -> str:
        """One line for the user: how many rows, and whether the limit cut the result."""
        if self.boolean is not None:
            return f"answer: {'yes' if self.boolean else 'no'} ({self.elapsed_ms:.0f} ms)"
        what = "triples" if self.form in ("CONSTRUCT", "DESCRIBE") else "rows"
        n = len(self.rows)
        msg = f"{n} {what[:-1] if n == 1 else what} ({self.elapsed_ms:.0f} ms)"
        if self.truncated:
            msg += (f" — truncated at the row limit of {self.limit}; add LIMIT/filters or raise "
                    f"the limit (max {MAX_LIMIT})")
        if self.notice:
            msg += f" — {self.notice}"
        return msg

    def to_frame(self) -> Any:
        import pandas as pd

        if self.boolean is not None:
            return pd.DataFrame([{"answer": self.boolean}])
        return pd.DataFrame(self.rows, columns=self.columns)

    def to_csv(self) -> str:
        buf = io.StringIO()
        if self.boolean is not None:
            w = csvsafe.writer(buf)
            w.writerow(["answer"])
            w.writerow([str(self.boolean).lower()])
            return buf.getvalue()
        dw = csvsafe.DictWriter(buf, fieldnames=self.columns, extrasaction="ignore")
        dw.writeheader()
        for r in self.rows:
            dw.writerow({k: _cell(v) for k, v in r.items()})
        return buf.getvalue()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"language": self.language, "form": self.form,
                               "columns": self.columns, "rows": self.rows,
                               "truncated": self.truncated, "limit": self.limit,
                               "elapsed_ms": round(self.elapsed_ms, 2)}
        if self.boolean is not None:
            out["boolean"] = self.boolean
        if self.terms is not None and self.form == "SELECT":
            out["sparql_results"] = {
                "head": {"vars": self.columns},
                "results": {"bindings": [
                    {k: t.sparql_json() for k, t in row.items() if t is not None}
                    for row in self.terms]}}
        return out


def _cell(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return "; ".join(str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, default=str)
    return v


def run_query(language: str, text: str, backend: GraphBackend,
              params: Mapping[str, Any] | None = None, *, limit: int = DEFAULT_LIMIT,
              timeout: float = DEFAULT_TIMEOUT, hint: str | None = None) -> QueryResult:
    """Run read-only ``text`` in ``language`` ("sparql" on any backend, "cypher" on Neo4j).

    ``params`` fill ``$name`` placeholders. ``hint`` replaces the default advice when Cypher is
    asked of a backend that is not Neo4j. Refusals, syntax errors and timeouts raise
    :class:`QueryRefused`, :class:`QuerySyntaxError` and :class:`QueryTimeout`.
    """
    lang = (language or "").strip().lower()
    if lang == "sparql":
        from graph.sparql import engine_for

        return engine_for(backend).query(text, params=params, limit=limit, timeout=timeout)
    if lang == "cypher":
        if backend.name != "neo4j":
            raise QueryRefused(hint or "Cypher needs the Neo4j backend (--backend neo4j); write "
                                       "the query in SPARQL to run it on the embedded graph")
        from graph.neo4j.console import CypherConsole

        return CypherConsole.for_backend(backend).run(text, params, limit=limit, timeout=timeout)
    raise QueryRefused(f"unknown query language {language!r}; use one of: {', '.join(LANGUAGES)}")
