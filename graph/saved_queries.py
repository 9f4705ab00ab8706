"""The library of saved example queries: questions researchers ask, ready to run and adapt.

Each query is data (:class:`SavedQuery`): an id, a title, what it answers, its language —
``sparql`` (runs on every backend: the RDF form is built from it), ``cypher`` (Neo4j only) or
``api`` (a :class:`~graph.backend.GraphBackend` call; the text shows the notebook equivalent) —
its text with ``$parameters``, the parameters with defaults, and the columns it returns.
Queries that ask the same question in another language name it in ``same_as``; the tests hold
them to the same answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.backend import GraphBackend
from graph.query import DEFAULT_LIMIT, DEFAULT_TIMEOUT, GraphData, QueryResult, run_query
from graph.query import LANGUAGES as QUERY_LANGUAGES

LANGUAGES = ("sparql", "cypher", "api")


@dataclass(frozen=True)
class Param:
    """One ``$name`` parameter: ``kind`` id (an entry id, optionally of ``category``) or text."""

    name: str
    label: str
    default: str
    kind: str = "id"
    category: str | None = None


@dataclass(frozen=True)
class SavedQuery:
    id: str
    title: str
    description: str
    language: str
    text: str
    params: tuple[Param, ...] = ()
    columns: tuple[str, ...] = ()
    same_as: str | None = None
    graph: bool = False  # the result is meant to be shown as a graph

    def defaults(self) -> dict[str, str]:
        return {p.name: p.default for p in self.params}

    def runs_on(self, backend_name: str) -> bool:
        return self.language != "cypher" or backend_name == "neo4j"


# ------------------------------------------------------------------------------- API queries
def _api_shared_tactics(g: GraphBackend, harm_a: str, harm_b: str) -> QueryResult:
    r = g.shared(harm_a, harm_b, "ControlTactic")
    rows = [{"tactic": it.node.id, "label": it.node.label} for it in r.shared]
    rows.sort(key=lambda x: (x["label"], x["tactic"]))
    return QueryResult("api", "API", ["tactic", "label"], rows,
                       node_ids=(harm_a, harm_b, *(x["tactic"] for x in rows)))


def _api_citations_by_year_kind(g: GraphBackend) -> QueryResult:
    cites: dict[tuple[str, str], set[str]] = {}
    claims: dict[tuple[str, str], set[str]] = {}
    for c in g.claims():
        for ci in c.citations:
            key = (str(ci.year) if ci.year else "n.d.", c.evidence_kind or "unknown")
            cites.setdefault(key, set()).add(ci.id)
            claims.setdefault(key, set()).add(c.id)
    rows = [{"year": y, "evidence_kind": k, "citations": len(cites[(y, k)]),
             "claims": len(claims[(y, k)])} for y, k in sorted(cites)]
    ids = sorted({i for s in cites.values() for i in s})
    return QueryResult("api", "API", ["year", "evidence_kind", "citations", "claims"], rows,
                       node_ids=tuple(ids))


def _api_paths_to_interventions(g: GraphBackend, start: str) -> QueryResult:
    paths = g.paths(start, "Intervention", max_hops=4, limit=20)
    rows, graph, ids = [], GraphData(), {start: None}
    seen_nodes: set[str] = set()
    for p in paths:
        rows.append({"intervention": p.end.id, "label": p.end.label, "hops": p.length,
                     "route": " → ".join(n.label for n in p.nodes),
                     "claims": list(p.claims), "citations": list(p.citations)})
        for n in p.nodes:
            ids[n.id] = None
            if n.id not in seen_nodes:
                seen_nodes.add(n.id)
                graph.nodes.append({"id": n.id, "label": n.label, "category": n.category})
        for h in p.hops:
            graph.edges.append({"source": h.subject.id, "target": h.object.id,
                                "predicate": h.predicate})
            ids.update(dict.fromkeys(h.claims))
    return QueryResult("api", "API", ["intervention", "label", "hops", "route", "claims",
                                      "citations"], rows, graph=graph if rows else None,
                       node_ids=tuple(ids))


def _api_evidence_for(g: GraphBackend, node: str) -> QueryResult:
    rows = [{"claim": c.id, "statement": c.statement,
             "citations": [ci.id for ci in c.citations],
             "stated_in": c.stated_in.id if c.stated_in else None, "locator": c.locator,
             "flags": list(c.flags)} for c in g.evidence_for(node)]
    return QueryResult("api", "API", ["claim", "statement", "citations", "stated_in", "locator",
                                      "flags"], rows,
                       node_ids=(node, *(str(r["claim"]) for r in rows)))


API_FUNCTIONS: dict[str, Callable[..., QueryResult]] = {
    "tactics-shared-by-two-harms-api": _api_shared_tactics,
    "citations-by-year-and-evidence-kind-api": _api_citations_by_year_kind,
    "paths-to-interventions": _api_paths_to_interventions,
    "evidence-for-a-node": _api_evidence_for,
}

# ------------------------------------------------------------------------------- the library
_X = Param("x", "First entry", "risk:foster-care-placement")
_Y = Param("y", "Second entry", "harm:domestic-minor-sex-trafficking")
_HA = Param("harm_a", "Harm A", "harm:intimate-partner-violence", category="Harm")
_HB = Param("harm_b", "Harm B", "harm:human-trafficking", category="Harm")

SAVED_QUERIES: tuple[SavedQuery, ...] = (
    SavedQuery(
        "claims-supporting-link", "Claims that support the link between X and Y",
        "Every claim recorded on a direct link between two entries (either direction), with "
        "the relation, the statement and each supporting citation.",
        "sparql", """\
SELECT DISTINCT ?claim ?relation ?statement ?citation WHERE {
  ?link a int:Link ;
        rdf:subject ?s ; rdf:predicate ?relation ; rdf:object ?o ;
        int:supportingClaim ?claim .
  FILTER ((?s = $x && ?o = $y) || (?s = $y && ?o = $x))
  ?claim int:statement ?statement .
  OPTIONAL { ?claim int:supportedBy ?citation }
}
ORDER BY ?claim ?citation""", (_X, _Y), ("claim", "relation", "statement", "citation")),
    SavedQuery(
        "claims-supporting-link-cypher", "Claims that support the link between X and Y (Cypher)",
        "The same question on Neo4j: claims listed on the relationship between the two nodes.",
        "cypher", """\
MATCH (x:Entity {id: $x})-[r]-(y:Entity {id: $y})
WHERE size(coalesce(r.claims, [])) > 0
UNWIND r.claims AS claim_id
MATCH (c:Claim {id: claim_id})
OPTIONAL MATCH (c)-[:SUPPORTED_BY]->(cite:Citation)
RETURN DISTINCT c.id AS claim, toLower(type(r)) AS relation, c.definition AS statement,
       cite.id AS citation
ORDER BY claim, citation""", (_X, _Y), ("claim", "relation", "statement", "citation"),
        same_as="claims-supporting-link"),
    SavedQuery(
        "citations-by-year-and-evidence-kind", "Citations by year and evidence kind",
        "How many distinct citations (and claims) support claims of each evidence kind, per "
        "publication year of the citation. 'n.d.' = no year; 'unknown' = kind not recorded.",
        "sparql", """\
SELECT ?year ?evidence_kind (COUNT(DISTINCT ?citation) AS ?citations)
       (COUNT(DISTINCT ?claim) AS ?claims) WHERE {
  ?claim a int:Claim ; int:supportedBy ?citation .
  OPTIONAL { ?claim int:evidenceKind ?kind }
  OPTIONAL { ?citation dcterms:issued ?issued }
  BIND (COALESCE(?kind, "unknown") AS ?evidence_kind)
  BIND (COALESCE(STR(?issued), "n.d.") AS ?year)
}
GROUP BY ?year ?evidence_kind
ORDER BY ?year ?evidence_kind""", (), ("year", "evidence_kind", "citations", "claims")),
    SavedQuery(
        "citations-by-year-and-evidence-kind-cypher",
        "Citations by year and evidence kind (Cypher)",
        "The same counts on Neo4j.",
        "cypher", """\
MATCH (c:Claim)-[:SUPPORTED_BY]->(cite:Citation)
WITH coalesce(toString(cite.year), 'n.d.') AS year,
     coalesce(c.evidence_kind, 'unknown') AS evidence_kind, cite, c
RETURN year, evidence_kind, count(DISTINCT cite) AS citations, count(DISTINCT c) AS claims
ORDER BY year, evidence_kind""", (), ("year", "evidence_kind", "citations", "claims"),
        same_as="citations-by-year-and-evidence-kind"),
    SavedQuery(
        "citations-by-year-and-evidence-kind-api",
        "Citations by year and evidence kind (Python API)",
        "The same counts from the notebook API.",
        "api", """\
rows = Counter()
for c in g.claims():
    for ci in c.citations:
        ...  # group by (ci.year or 'n.d.', c.evidence_kind)""", (),
        ("year", "evidence_kind", "citations", "claims"),
        same_as="citations-by-year-and-evidence-kind"),
    SavedQuery(
        "interventions-per-strategy-and-region", "Interventions per strategy and region",
        "How many interventions implement each prevention strategy in each region they operate "
        "in (as recorded; a state's programs are not counted again for the country).",
        "sparql", """\
SELECT ?strategy ?strategy_label ?region ?region_label
       (COUNT(DISTINCT ?intervention) AS ?interventions) WHERE {
  ?intervention a int:Intervention ; int:implements ?strategy ; int:operatesIn ?region .
  ?strategy a int:PreventionStrategy ; skos:prefLabel ?strategy_label .
  ?region skos:prefLabel ?region_label .
}
GROUP BY ?strategy ?strategy_label ?region ?region_label
ORDER BY DESC(?interventions) ?strategy_label ?region_label""", (),
        ("strategy", "strategy_label", "region", "region_label", "interventions")),
    SavedQuery(
        "interventions-per-strategy-and-region-cypher",
        "Interventions per strategy and region (Cypher)",
        "The same counts on Neo4j.",
        "cypher", """\
MATCH (i:Intervention)-[:IMPLEMENTS]->(s:PreventionStrategy),
      (i)-[:OPERATES_IN]->(r:Region)
RETURN s.id AS strategy, s.label AS strategy_label, r.id AS region, r.label AS region_label,
       count(DISTINCT i) AS interventions
ORDER BY interventions DESC, strategy_label, region_label""", (),
        ("strategy", "strategy_label", "region", "region_label", "interventions"),
        same_as="interventions-per-strategy-and-region"),
    SavedQuery(
        "tactics-shared-by-two-harms", "Tactics shared by two harms",
        "Control tactics used in both harms — counting sub-types (a tactic of sex trafficking "
        "counts for human trafficking).",
        "sparql", """\
SELECT DISTINCT ?tactic ?label WHERE {
  ?ha skos:broader* $harm_a . ?ha int:usesTactic ?tactic .
  ?hb skos:broader* $harm_b . ?hb int:usesTactic ?tactic .
  ?tactic a int:ControlTactic ; skos:prefLabel ?label .
}
ORDER BY ?label ?tactic""", (_HA, _HB), ("tactic", "label")),
    SavedQuery(
        "tactics-shared-by-two-harms-cypher", "Tactics shared by two harms (Cypher)",
        "The same question on Neo4j.",
        "cypher", """\
MATCH (a:Entity {id: $harm_a}), (b:Entity {id: $harm_b})
MATCH (ha)-[:BROADER*0..6]->(a), (ha)-[:USES_TACTIC]->(t:ControlTactic)
MATCH (hb)-[:BROADER*0..6]->(b), (hb)-[:USES_TACTIC]->(t)
RETURN DISTINCT t.id AS tactic, t.label AS label
ORDER BY label, tactic""", (_HA, _HB), ("tactic", "label"),
        same_as="tactics-shared-by-two-harms"),
    SavedQuery(
        "tactics-shared-by-two-harms-api", "Tactics shared by two harms (Python API)",
        "The same question through the notebook API (what the Intersections page uses).",
        "api", 'g.shared($harm_a, $harm_b, via_category="ControlTactic").shared',
        (_HA, _HB), ("tactic", "label"), same_as="tactics-shared-by-two-harms"),
    SavedQuery(
        "risk-factors-for-a-harm", "Risk factors for a harm, by amount of evidence",
        "Risk factors linked to the harm or one of its sub-types, with how many claims back "
        "the link.",
        "sparql", """\
SELECT ?risk ?label (COUNT(DISTINCT ?claim) AS ?claims) WHERE {
  ?harm skos:broader* $harm .
  ?risk a int:RiskFactor ; int:increasesRiskOf ?harm ; skos:prefLabel ?label .
  OPTIONAL { ?link a int:Link ; rdf:subject ?risk ; rdf:predicate int:increasesRiskOf ;
                   rdf:object ?harm ; int:supportingClaim ?claim }
}
GROUP BY ?risk ?label
ORDER BY DESC(?claims) ?label""",
        (Param("harm", "Harm", "harm:human-trafficking", category="Harm"),),
        ("risk", "label", "claims")),
    SavedQuery(
        "unsourced-claims", "Claims without a supporting citation",
        "Claims that are stated in a source document but cite no research — figures to treat "
        "with care (they are flagged, not hidden).",
        "sparql", """\
SELECT ?claim ?statement ?document (GROUP_CONCAT(DISTINCT ?flag; separator=", ") AS ?flags)
WHERE {
  ?claim a int:Claim ; int:statement ?statement ; int:statedIn ?document .
  FILTER NOT EXISTS { ?claim int:supportedBy ?any }
  OPTIONAL { ?claim int:qualityFlag ?flag }
}
GROUP BY ?claim ?statement ?document
ORDER BY ?document ?claim""", (), ("claim", "statement", "document", "flags")),
    SavedQuery(
        "source-documents", "Source documents: claims stated and references listed",
        "Each curated source document with how many claims it states and how many references "
        "it lists.",
        "sparql", """\
SELECT ?document ?title (COUNT(DISTINCT ?claim) AS ?claims)
       (COUNT(DISTINCT ?reference) AS ?references) WHERE {
  ?document a int:SourceDocument ; dcterms:title ?title .
  OPTIONAL { ?claim int:statedIn ?document }
  OPTIONAL { ?reference int:listedIn/int:citation ?document }
}
GROUP BY ?document ?title
ORDER BY DESC(?claims) ?document""", (), ("document", "title", "claims", "references")),
    SavedQuery(
        "neighbourhood-graph", "Neighbourhood of an entry (graph)",
        "Every direct link between the entry and other concepts, as a graph.",
        "sparql", """\
CONSTRUCT { ?s ?p ?o }
WHERE {
  { BIND ($node AS ?s) ?s ?p ?o . ?o a skos:Concept . FILTER (?p != skos:broader) }
  UNION
  { BIND ($node AS ?o) ?s ?p ?o . ?s a skos:Concept . FILTER (?p != skos:broader) }
}""", (Param("node", "Entry", "harm:human-trafficking"),), ("subject", "predicate", "object"),
        graph=True),
    SavedQuery(
        "paths-to-interventions", "From a risk factor to interventions",
        "Ranked paths from an entry to interventions (up to 4 hops), with the claims and "
        "citations on each hop.",
        "api", 'g.paths($start, "Intervention", max_hops=4, limit=20)',
        (Param("start", "Start", "risk:foster-care-placement"),),
        ("intervention", "label", "hops", "route", "claims", "citations"), graph=True),
    SavedQuery(
        "evidence-for-a-node", "Evidence for an entry",
        "Claims about the entry or behind any of its links, with citations and where each "
        "claim is stated.",
        "api", "g.evidence_for($node)",
        (Param("node", "Entry", "risk:foster-care-placement"),),
        ("claim", "statement", "citations", "stated_in", "locator", "flags")),
)

BY_ID: dict[str, SavedQuery] = {q.id: q for q in SAVED_QUERIES}


def get(query_id: str) -> SavedQuery:
    try:
        return BY_ID[query_id]
    except KeyError:
        import difflib

        near = difflib.get_close_matches(query_id, BY_ID, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else \
            "; `intersections queries list` shows them"
        raise ValueError(f"no saved query {query_id!r}{hint}") from None


@dataclass
class Prepared:
    query: SavedQuery
    params: dict[str, Any] = field(default_factory=dict)


def prepare(query: SavedQuery | str, backend: GraphBackend,
            params: Mapping[str, Any] | None = None) -> Prepared:
    """Defaults filled in, unknown names refused, and every id parameter checked to exist."""
    q = get(query) if isinstance(query, str) else query
    known = {p.name: p for p in q.params}
    extra = set(params or {}) - set(known)
    if extra:
        raise ValueError(f"{q.id} has no parameter(s) {', '.join(sorted(extra))}; it takes: "
                         f"{', '.join(known) or 'none'}")
    values = {**q.defaults(), **{k: v for k, v in (params or {}).items() if v not in (None, "")}}
    for name, p in known.items():
        if p.kind == "id":
            backend.require(str(values[name]))  # UnknownNodeError with suggestions
    return Prepared(q, values)


def run(query: SavedQuery | str, backend: GraphBackend, params: Mapping[str, Any] | None = None,
        *, limit: int = DEFAULT_LIMIT, timeout: float = DEFAULT_TIMEOUT) -> QueryResult:
    """Run a saved query on a backend (Cypher ones need the Neo4j backend)."""
    prep = prepare(query, backend, params)
    q = prep.query
    if q.language in QUERY_LANGUAGES:
        return run_query(q.language, q.text, backend, prep.params, limit=limit, timeout=timeout,
                         hint=f"{q.id} is Cypher and needs the Neo4j backend (--backend neo4j); "
                              f"{q.same_as or 'its SPARQL version'} runs on the embedded graph")
    t0 = time.perf_counter()
    result = API_FUNCTIONS[q.id](backend, **prep.params)
    result.elapsed_ms = (time.perf_counter() - t0) * 1000
    result.limit = limit
    if len(result.rows) > limit:
        result.rows, result.truncated = result.rows[:limit], True
    return result


def summary() -> list[dict[str, Any]]:
    """id, language, title and parameters of every saved query (for `queries list`)."""
    return [{"id": q.id, "language": q.language, "title": q.title,
             "params": {p.name: p.default for p in q.params}} for q in SAVED_QUERIES]


__all__ = ["API_FUNCTIONS", "BY_ID", "LANGUAGES", "Param", "SAVED_QUERIES",
           "SavedQuery", "get", "prepare", "run", "summary"]
