"""Read-only SPARQL over the RDF form of the evidence base, with row and time limits.

Why pyoxigraph executes and rdflib only parses: on the shipped evidence base (~9k triples)
oxigraph answers our example queries 25–65× faster than rdflib (0.3–1 ms vs 13–66 ms) and loads
N-Triples 15× faster; at ~480k triples a GROUP BY over the reified links takes 49 ms vs 1.5 s
(numbers in the module report / README). The store is built straight from the records
(``loaders.rdf.records_to_store``: the one mapping, no rdflib graph in between); rdflib's
SPARQL *parser* is the gate that decides what may run.

Safety, in layers (each one alone would stop the attacks we test for):

1. **Parse-level gate** — the text must parse with rdflib's SPARQL 1.1 *query* grammar as
   SELECT/ASK/CONSTRUCT/DESCRIBE; updates (INSERT/DELETE/LOAD/CLEAR/DROP/CREATE…) parse only with
   the update grammar and are refused; the parse tree is walked and any ``SERVICE`` pattern
   (anywhere: OPTIONAL, UNION, sub-select, MINUS, FILTER EXISTS) or ``FROM``/``FROM NAMED`` clause
   is refused, because oxigraph would fetch remote endpoints/graphs (server-side request forgery).
2. **Lexical check** on the text with comments, strings and IRIs removed: the keywords
   ``SERVICE``/``LOAD``/``INSERT``/``DELETE``/``CLEAR``/``DROP``/``CREATE`` are refused even if a
   parser quirk let them through.
3. **Only ``Store.query`` is ever called** (never ``update``) on a private in-memory store.
4. **Isolated execution** — on Linux each query runs in a pre-forked worker process
   (:mod:`graph.sparql_pool`), forked from the process that holds the store on its first query
   (so the store is shared copy-on-write, and under gunicorn the workers belong to each
   gunicorn worker, never to the master). Each worker first drops into a new user+network
   namespace (no network at all, not even loopback) when the kernel allows it and limits its
   own memory (``RLIMIT_AS``: what it inherited + 512 MB); then, per query, it runs the gate
   (1–2) and the query. A worker still busy at the wall-clock deadline is killed and replaced,
   so neither a slow parse nor a runaway join outlives it; one that hits its memory limit is
   replaced too. At most ``INTERSECTIONS_SPARQL_CHILDREN`` queries run at once on the machine
   (file-lock slots shared by all processes); when all are taken a query gets "busy, try
   again" (:class:`QueryBusy`). Query text over 10,000 characters is refused before any
   parsing. Elsewhere (no ``fork``) the query runs in-process and the deadline is checked
   between result rows. A query costs one pipe round trip (~10 ms) instead of a fork
   (~0.2 s at 10k nodes, ~0.5 s at 100k): BENCHMARKS.md, "SPARQL worker pool".
"""

from __future__ import annotations

import functools
import os
import re
import threading
import time
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

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
from graph.sparql_pool import QueryBusy as QueryBusy
from graph.sparql_pool import Slot as _Slot  # noqa: F401 - the name tests and callers know
from graph.sparql_pool import WorkerPool, child_memory_bytes, fork_available
from graph.sparql_pool import max_children as max_children
from loaders.errors import IntersectionsError
from loaders.records import EdgeRecord, NodeRecord, SourceRef
from ontology.namespace import ID
from ontology.schema import (
    CLASS_BY_NAME,
    CLASSES,
    ID_PATTERN,
    PREDICATES,
    id_to_iri,
    iri_to_id,
)

if TYPE_CHECKING:
    import pyoxigraph as ox

    from graph.backend import GraphBackend
    from loaders.evidence import EvidenceBase

#: Prefixes every query may use without declaring them (a query's own PREFIX wins).
DEFAULT_PREFIXES: dict[str, str] = {
    "int": "https://w3id.org/intersections/ontology#",
    "id": str(ID),
    "scheme": "https://w3id.org/intersections/scheme/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "bibo": "http://purl.org/ontology/bibo/",
}
#: Entry prefixes, so ``harm:human-trafficking`` in a query is exactly the evidence-base id.
#: ``int:`` is the ontology's own prefix, so interventions are written ``intervention:…``.
ENTRY_PREFIXES: dict[str, str] = {
    ("intervention" if c.prefix == "int" else c.prefix): f"{ID}{c.prefix}/"
    for c in CLASSES
}
DEFAULT_PREFIXES.update(ENTRY_PREFIXES)
#: Shown above the editor and accepted by the CLI: the prefixes spelled out.
PREFIX_BLOCK = "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in DEFAULT_PREFIXES.items())

_QUERY_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
                "DescribeQuery": "DESCRIBE"}
_FORBIDDEN_WORDS = ("SERVICE", "LOAD", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE")
_FORBIDDEN_RE = re.compile(r"(?<![\w:?$\-])(" + "|".join(_FORBIDDEN_WORDS) + r")(?![\w:\-])",
                           re.IGNORECASE)
# strings (long forms first), IRIs, comments — replaced by blanks before the keyword scan
_LEXICAL_NOISE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_NUMERIC = {"http://www.w3.org/2001/XMLSchema#" + t for t in (
    "integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}
_FLOATS = {"http://www.w3.org/2001/XMLSchema#" + t for t in ("decimal", "double", "float")}


# ------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Term:
    """One RDF term of a result, kept exact (kind, lexical value, datatype, language)."""

    kind: str  # iri | bnode | literal | triple
    value: str
    datatype: str | None = None
    lang: str | None = None

    @property
    def node_id(self) -> str | None:
        """The evidence-base id when this is the IRI of an entry (``risk:…``)."""
        return iri_to_id(self.value) if self.kind == "iri" else None

    def display(self) -> Any:
        """A friendly value: entry ids, prefixed names, numbers as numbers, else text."""
        if self.kind == "iri":
            nid = self.node_id
            if nid:
                return nid
            for p, base in DEFAULT_PREFIXES.items():
                if self.value.startswith(base) and p not in ENTRY_PREFIXES and p != "id":
                    return f"{p}:{self.value[len(base):]}"
            return self.value
        if self.kind == "bnode":
            return f"_:{self.value}"
        if self.kind == "literal":
            try:
                if self.datatype in _NUMERIC:
                    return int(self.value)
                if self.datatype in _FLOATS:
                    return float(Decimal(self.value))
                if self.datatype == "http://www.w3.org/2001/XMLSchema#boolean":
                    return self.value == "true"
            except (ValueError, ArithmeticError):
                return self.value
        return self.value

    def sparql_json(self) -> dict[str, str]:
        """The SPARQL 1.1 Query Results JSON form of the term."""
        if self.kind == "iri":
            return {"type": "uri", "value": self.value}
        if self.kind == "bnode":
            return {"type": "bnode", "value": self.value}
        out = {"type": "literal", "value": self.value}
        if self.lang:
            out["xml:lang"] = self.lang
        elif self.datatype and not self.datatype.endswith("#string"):
            out["datatype"] = self.datatype
        return out


# ------------------------------------------------------------------------------- the gate
@dataclass(frozen=True)
class CheckedQuery:
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    text: str


def _walk(node: Any) -> Iterable[Any]:
    """Every CompValue in an rdflib parse tree (dicts, ParseResults, lists)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, CompValue):
            yield n
            stack.extend(n.values())
        elif isinstance(n, ParseResults | list | tuple):
            stack.extend(n)
        elif isinstance(n, dict):
            stack.extend(n.values())


def _strip_noise(text: str) -> str:
    return _LEXICAL_NOISE.sub(lambda m: " " * len(m.group(0)), text)


def max_query_chars() -> int:
    """Longest query text accepted (``INTERSECTIONS_SPARQL_MAX_CHARS``, default 10,000).

    rdflib's parser is slow on adversarial text (an 18 KB UNION chain takes ~18 s to check), so
    the cap keeps each gate short; the gate also runs under the deadline in the query worker."""
    try:
        return max(100, int(os.environ.get("INTERSECTIONS_SPARQL_MAX_CHARS", "10000")))
    except ValueError:
        return 10_000


def check_size(text: str) -> None:
    """Refuse an over-long query before any parsing (a 43 KB query took 37 s to check)."""
    limit = max_query_chars()
    if len(text) > limit:
        raise QueryRefused(
            f"the query is {len(text):,} characters; the limit is {limit:,}. Shorten it (bind "
            "values with $parameters or VALUES instead of pasting long lists)")


def check_query(text: str) -> CheckedQuery:
    """Refuse anything but a local, read-only SELECT/ASK/CONSTRUCT/DESCRIBE query.

    Raises :class:`QueryRefused` (with the reason and what to do instead) or
    :class:`QuerySyntaxError` (with line and column).
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    if not text or not text.strip():
        raise QuerySyntaxError("empty query: write a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    check_size(text)
    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        try:
            parseUpdate(text)
        except ParseException:
            pass
        except RecursionError:
            raise QueryRefused("query nests too deeply to be checked") from None
        else:
            raise QueryRefused(
                "read-only: updates (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY) "
                "are not allowed; the console only runs SELECT, ASK, CONSTRUCT and DESCRIBE"
            ) from None
        raise QuerySyntaxError(
            f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}. "
            f"Near: {exc.line.strip()[:80]!r}") from None
    except RecursionError:
        raise QueryRefused("query nests too deeply to be checked") from None
    main = parsed[1]
    form = _QUERY_FORMS.get(getattr(main, "name", ""))
    if form is None:  # pragma: no cover - the grammar only yields the four forms
        raise QueryRefused("only SELECT, ASK, CONSTRUCT and DESCRIBE queries are allowed")
    for cv in _walk(parsed):
        if cv.name == "ServiceGraphPattern":
            raise QueryRefused(
                "SERVICE (federated query) is not allowed: the console never contacts other "
                "endpoints; query the evidence base only")
        if cv.name == "DatasetClause":
            raise QueryRefused(
                "FROM / FROM NAMED are not allowed: queries run over the evidence base's "
                "default graph; remove the FROM clause")
    hit = _FORBIDDEN_RE.search(_strip_noise(text))
    if hit:  # defence in depth: should be unreachable after the parse-level checks
        raise QueryRefused(f"keyword {hit.group(1).upper()} is not allowed in the console")
    return CheckedQuery(form, text)


# ------------------------------------------------------------------------------- execution
def _encode(t: Any) -> tuple[str, str, str | None, str | None] | None:
    import pyoxigraph as ox

    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return ("iri", t.value, None, None)
    if isinstance(t, ox.BlankNode):
        return ("bnode", t.value, None, None)
    if isinstance(t, ox.Literal):
        return ("literal", t.value, t.datatype.value if t.datatype else None, t.language)
    return ("triple", str(t), None, None)


def _term_text(value: Any) -> str:
    """A parameter value as SPARQL term text: ids → IRIs, numbers/booleans typed, else a string.

    The literal is serialised by oxigraph (N-Triples escaping), so a value can never close the
    string and inject syntax; ids must match the strict id pattern, so IRIs are safe too.
    """
    import pyoxigraph as ox

    if isinstance(value, str) and ID_PATTERN.match(value):
        return f"<{id_to_iri(value)}>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return str(ox.Literal(str(value)))


def bind_params(text: str, params: Mapping[str, Any] | None) -> str:
    """Replace ``$name`` placeholders (outside strings, IRIs, comments) with safe term text."""
    if not params:
        return text
    for name in params:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryRefused(f"bad parameter name {name!r}")
    masked = _strip_noise(text)
    out, pos = [], 0
    for m in re.finditer(r"\$([A-Za-z_][A-Za-z0-9_]*)", masked):
        if m.group(1) in params:
            out.append(text[pos:m.start()])
            out.append(_term_text(params[m.group(1)]))
            pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def placeholders(text: str) -> list[str]:
    """The ``$name`` placeholders of a query text, in order of first use."""
    names = re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", _strip_noise(text))
    return list(dict.fromkeys(names))


def _execute(store: ox.Store, text: str, limit: int,
             deadline: float | None) -> dict[str, Any]:
    """Run a checked query; returns plain, picklable data (also used inside the query worker)."""
    import pyoxigraph as ox

    try:
        res = store.query(text, prefixes=DEFAULT_PREFIXES)
    except SyntaxError as exc:
        return {"error": "syntax", "message": str(exc)}
    except OSError as exc:
        return {"error": "runtime", "message": str(exc)}
    if isinstance(res, ox.QueryBoolean):
        return {"boolean": bool(res)}
    out: dict[str, Any] = {"truncated": False}
    items: list[Any] = []
    if isinstance(res, ox.QuerySolutions):
        names = [v.value for v in res.variables]
        out["vars"] = names
        for sol in res:
            if len(items) >= limit:
                out["truncated"] = True
                break
            items.append([_encode(sol[n]) for n in names])
            if deadline is not None and time.monotonic() > deadline:
                return {"error": "timeout"}
    else:
        out["vars"] = ["subject", "predicate", "object"]
        for tr in res:
            if len(items) >= limit:
                out["truncated"] = True
                break
            items.append([_encode(tr.subject), _encode(tr.predicate), _encode(tr.object)])
            if deadline is not None and time.monotonic() > deadline:
                return {"error": "timeout"}
    out["items"] = items
    return out


def _gate(text: str, params: Mapping[str, Any] | None) -> tuple[str, str]:
    """The safety gate: check, bind parameters, check again. Returns (form, final text)."""
    form = check_query(text).form
    if not params:  # nothing to bind: the text is what was checked (saves a second parse)
        return form, text
    text = bind_params(text, params)
    return check_query(text).form, text  # again, with the values in place


def _answer(store: ox.Store, request: tuple[str, dict[str, Any], int]) -> dict[str, Any]:
    """A pool worker's handler: the gate, then the query (under the caller's deadline)."""
    text, params, limit = request
    try:
        form, text = _gate(text, params)
    except (QueryRefused, QuerySyntaxError) as exc:
        return {"error": "refused" if isinstance(exc, QueryRefused) else "syntax",
                "message": str(exc), "checked": True}
    payload = _execute(store, text, limit, None)
    payload["form"] = form
    return payload


# ------------------------------------------------------------------------------- the engine
class SparqlEngine:
    """An in-memory oxigraph store of one evidence base, queried safely.

    Build it from a validated :class:`~loaders.evidence.EvidenceBase`
    (:meth:`from_evidence_base`), from records, or from any :class:`GraphBackend`
    (:meth:`from_backend`, so Neo4j users get SPARQL too).
    """

    def __init__(self, ntriples: bytes | ox.Store, labels: dict[str, tuple[str, str]], *,
                 isolate: bool | None = None) -> None:
        import pyoxigraph as ox

        if isinstance(ntriples, ox.Store):  # built straight from records (from_records)
            self.store = ntriples
        else:
            self.store = ox.Store()
            self.store.bulk_load(ntriples, ox.RdfFormat.N_TRIPLES)
        self.triples = len(self.store)
        self.labels = labels
        self.isolate = fork_available() if isolate is None else isolate
        self.last_isolated: bool | None = None
        self.last_worker: int | None = None  # process id of the worker that answered last
        self._pool: WorkerPool | None = None
        self._pool_lock = threading.Lock()
        if self.isolate:  # build the gate's grammar once, so forked workers inherit it
            import rdflib.plugins.sparql.parser  # noqa: F401

    @classmethod
    def from_records(cls, nodes: Iterable[NodeRecord], edges: Iterable[EdgeRecord],
                     **kw: Any) -> SparqlEngine:
        from loaders.rdf import records_to_store

        # The same triples as loaders.rdf.records_to_graph, straight into oxigraph: the rdflib
        # graph + N-Triples text in between cost ~80% of the start-up at 100k nodes.
        nodes = list(nodes)
        store = records_to_store(nodes, edges)
        labels = {n.id: (n.label, n.category) for n in nodes}
        return cls(store, labels, **kw)

    @classmethod
    def from_evidence_base(cls, eb: EvidenceBase, **kw: Any) -> SparqlEngine:
        return cls.from_records(eb.nodes.values(), eb.edges.values(), **kw)

    @classmethod
    def from_backend(cls, backend: GraphBackend, **kw: Any) -> SparqlEngine:
        nodes, edges = records_from_backend(backend)
        return cls.from_records(nodes, edges, **kw)

    # -------------------------------------------------------------------------- querying
    def query(self, text: str, *, params: Mapping[str, Any] | None = None,
              limit: int = DEFAULT_LIMIT, timeout: float = DEFAULT_TIMEOUT) -> QueryResult:
        """Check, run and convert one query. ``params`` bind ``$name`` variables (ids → IRIs).

        Isolated (Linux): the size is checked here; the safety gate and the query then run in
        a pre-forked worker process (:mod:`graph.sparql_pool`) with its own memory limit,
        inside the deadline, in one of a fixed number of machine-wide slots
        (:class:`QueryBusy` when all are taken).
        """
        check_size(text)
        limit = max(1, min(int(limit), MAX_LIMIT))
        timeout = max(0.05, min(float(timeout), MAX_TIMEOUT))
        t0 = time.perf_counter()
        if self.isolate:
            raw = self._run_isolated(text, params, limit, timeout)
            form = raw.pop("form", "SELECT")
        else:
            form, text = _gate(text, params)
            raw = _execute(self.store, text, limit, time.monotonic() + timeout)
        elapsed = (time.perf_counter() - t0) * 1000
        err = raw.get("error")
        if err == "syntax" and raw.get("checked"):
            raise QuerySyntaxError(raw["message"])
        if err == "memory":
            raise QueryRefused(
                f"the query needed more than its memory limit "
                f"({child_memory_bytes() // (1024 * 1024)} MB); narrow it (bind a node, add "
                "LIMIT, avoid cross products)")
        if err == "timeout":
            raise QueryTimeout(
                f"stopped after the time limit of {timeout:g} s; narrow the query (bind a node, "
                f"add LIMIT, avoid unbounded ?s ?p ?o joins) or raise --timeout "
                f"(max {MAX_TIMEOUT:g} s)")
        if err == "syntax":
            raise QuerySyntaxError(f"SPARQL syntax error: {raw['message']}")
        if err == "refused":
            raise QueryRefused(raw["message"])
        if err:
            raise IntersectionsError(f"query failed: {raw['message']}")
        return self._to_result(form, raw, limit, elapsed)

    def _run_isolated(self, text: str, params: Mapping[str, Any] | None, limit: int,
                      timeout: float) -> dict[str, Any]:
        """One round trip to a pre-forked worker (the gate and the query run there)."""
        with self._pool_lock:
            if self._pool is None:  # forked on first use: in the process that queries
                # pyparsing prepares the grammar on its first parse (~0.2 s): do it once here,
                # so every worker (and every replacement) inherits it ready
                check_query("ASK { ?s ?p ?o }")
                self._pool = WorkerPool(functools.partial(_answer, self.store))
                weakref.finalize(self, self._pool.close)
            pool = self._pool
        payload = pool.run((text, dict(params or {}), limit), timeout)
        if payload.get("error") == "died":
            payload = {"error": "runtime",
                       "message": "the query process ended unexpectedly; try again"}
        self.last_isolated = payload.pop("isolated", self.last_isolated)
        self.last_worker = payload.pop("worker", self.last_worker)
        return payload

    def worker_pids(self) -> list[int]:
        """Process ids of this engine's live query workers (empty before the first query)."""
        return self._pool.pids() if self._pool is not None else []

    def _to_result(self, form: str, raw: dict[str, Any], limit: int,
                   elapsed: float) -> QueryResult:
        if "boolean" in raw:
            return QueryResult("sparql", form, ["answer"], [{"answer": raw["boolean"]}],
                               boolean=raw["boolean"], limit=limit, elapsed_ms=elapsed)
        cols: list[str] = raw["vars"]
        terms: list[dict[str, Term | None]] = []
        ids: dict[str, None] = {}
        for item in raw["items"]:
            row = {c: (Term(*t) if t is not None else None) for c, t in zip(cols, item,
                                                                            strict=True)}
            for t in row.values():
                if t is not None and t.node_id:
                    ids[t.node_id] = None
            terms.append(row)
        rows = [{c: (t.display() if t is not None else None) for c, t in r.items()}
                for r in terms]
        result = QueryResult("sparql", form, cols, rows, truncated=raw["truncated"],
                             limit=limit, elapsed_ms=elapsed, node_ids=tuple(ids), terms=terms)
        result.graph = self._graph_of(form, cols, terms)
        return result

    def _graph_of(self, form: str, cols: list[str],
                  terms: list[dict[str, Term | None]]) -> GraphData | None:
        """CONSTRUCT/DESCRIBE triples — or SELECT ?s ?p ?o rows — between entries → a graph."""
        if form in ("CONSTRUCT", "DESCRIBE"):
            keys = ("subject", "predicate", "object")
        elif {"s", "p", "o"} <= set(cols):
            keys = ("s", "p", "o")
        elif {"subject", "predicate", "object"} <= set(cols):
            keys = ("subject", "predicate", "object")
        else:
            return None
        g = GraphData()
        seen: set[str] = set()
        seen_edges: set[tuple[str, str, str]] = set()
        for row in terms:
            s, p, o = (row.get(k) for k in keys)
            if s is None or o is None or p is None:
                continue
            sid, oid = s.node_id, o.node_id
            for nid in (sid, oid):
                if nid and nid not in seen:
                    seen.add(nid)
                    label, cat = self.labels.get(nid, (nid, "Entity"))
                    g.nodes.append({"id": nid, "label": label, "category": cat})
            if sid and oid:
                pred = _PREDICATE_NAMES.get(p.value) or str(p.display())
                if (sid, pred, oid) not in seen_edges:
                    seen_edges.add((sid, pred, oid))
                    g.edges.append({"source": sid, "target": oid, "predicate": pred})
        return g if g.nodes else None


#: RDF predicate IRI → ontology relation name (so graph views label edges like the explorer).
_PREDICATE_NAMES = {str(p.iri): p.name for p in PREDICATES}


def records_from_backend(backend: GraphBackend) -> tuple[list[NodeRecord], list[EdgeRecord]]:
    """Rebuild node and edge records from any backend's primitives (e.g. Neo4j → RDF)."""
    ids = backend.ids_of(frozenset(CLASS_BY_NAME))
    data = backend.node_data(ids)
    nodes = []
    for i in ids:
        d = dict(data[i])
        cat, label = d.pop("category"), d.pop("label")
        alts = tuple(d.pop("alt_labels", None) or ())
        definition = d.pop("definition", None)
        sources = tuple(SourceRef(**s) for s in (d.pop("sources", None) or ()))
        nodes.append(NodeRecord(id=i, category=cat, label=label, alt_labels=alts,
                                definition=definition, properties=d, sources=sources))
    edges = {}
    for e in backend.edges_of(ids):
        key = (e.subject, e.predicate, e.object)
        if key not in edges:
            edges[key] = EdgeRecord(subject=e.subject, predicate=e.predicate, object=e.object,
                                    claims=tuple(e.claims), properties=dict(e.properties or {}))
    return nodes, [edges[k] for k in sorted(edges)]


_ENGINES: weakref.WeakKeyDictionary[Any, SparqlEngine] = weakref.WeakKeyDictionary()
_ENGINES_LOCK = threading.Lock()


def engine_for(backend: GraphBackend) -> SparqlEngine:
    """The SPARQL engine of a backend, built once and cached while the backend lives."""
    with _ENGINES_LOCK:
        eng = _ENGINES.get(backend)
        if eng is None:
            eng = SparqlEngine.from_backend(backend)
            _ENGINES[backend] = eng
        return eng


def sparql(backend: GraphBackend, text: str, *, params: Mapping[str, Any] | None = None,
           limit: int = DEFAULT_LIMIT, timeout: float = DEFAULT_TIMEOUT) -> QueryResult:
    """Run a read-only SPARQL query against a backend (the notebook entry point)."""
    return engine_for(backend).query(text, params=params, limit=limit, timeout=timeout)
