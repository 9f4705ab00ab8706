"""Linked data: the RDF description of one entry, the dataset (VoID + DCAT), the SPARQL service.

Every entry has an IRI under ``https://w3id.org/intersections/id/`` (``risk:foster-care-placement``
→ ``…/id/risk/foster-care-placement``); links have ``…/id/link/<hash>``. The web app answers for
those IRIs (``explorer/linked_data.py``); the graphs it sends are built here, from the same
in-memory RDF store the SPARQL console queries, with fixed, trusted pattern look-ups (no user
query text reaches this module).

The dataset description follows VoID (W3C Interest Group Note) and DCAT 3: title, licence,
version, the source documents the evidence was curated from, counts per class, the IRI space,
vocabularies used and the SPARQL endpoint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SKOS

from graph.sparql import DEFAULT_PREFIXES, engine_for
from loaders.void import DATASET_IRI, FORMATS_NS, VOID, DatasetStats, describe_dataset
from ontology.namespace import ID

if TYPE_CHECKING:
    from graph.backend import GraphBackend

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

#: Most triples sent for one IRI (a hub's incoming links are cut, the response says so).
MAX_DESCRIBE_TRIPLES = 5000

_LABEL_PREDICATES = (SKOS.prefLabel, RDFS.label, DCTERMS.title)


def _rdflib(term: object) -> URIRef | BNode | Literal:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value if term.datatype else None
        if dt and not dt.endswith("#string"):
            return Literal(term.value, datatype=URIRef(dt))
        return Literal(term.value)
    raise TypeError(f"unsupported RDF term {term!r}")  # pragma: no cover - no RDF-star here


def _bind(g: Graph) -> Graph:
    for prefix, iri in DEFAULT_PREFIXES.items():
        g.bind(prefix, iri, override=True)
    g.bind("void", VOID)
    g.bind("dcat", DCAT)
    g.bind("sd", SD)
    return g


def describe(backend: GraphBackend, iri: str) -> Graph | None:
    """The description of one entry or link IRI; None when the evidence base has no such IRI.

    What a client gets: every triple about the resource (with the blank nodes it points to:
    statistics, document locators), the triples that point at it (capped at
    :data:`MAX_DESCRIBE_TRIPLES`), and a label for every entry mentioned, so the document reads
    on its own.
    """
    store = engine_for(backend).store
    node = ox.NamedNode(iri)
    g = _bind(Graph())
    outgoing = list(store.quads_for_pattern(node, None, None))
    if not outgoing:
        return None
    seen_bnodes: set[str] = set()
    stack = list(outgoing)
    while stack:
        q = stack.pop()
        g.add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)))  # type: ignore[arg-type]
        if isinstance(q.object, ox.BlankNode) and q.object.value not in seen_bnodes:
            seen_bnodes.add(q.object.value)
            stack.extend(store.quads_for_pattern(q.object, None, None))
    cut = False
    for q in store.quads_for_pattern(None, None, node):
        if len(g) >= MAX_DESCRIBE_TRIPLES:
            cut = True
            break
        if isinstance(q.subject, ox.NamedNode):
            g.add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)))  # type: ignore[arg-type]
    mentioned = {o for o in g.objects() if isinstance(o, URIRef) and str(o).startswith(str(ID))}
    mentioned |= {s for s in g.subjects() if isinstance(s, URIRef)}
    for ref in mentioned:
        for pred in _LABEL_PREDICATES:
            for q in store.quads_for_pattern(ox.NamedNode(str(ref)), ox.NamedNode(str(pred)),
                                             None):
                g.add((ref, pred, _rdflib(q.object)))
    if cut:
        g.add((URIRef(iri), RDFS.comment, Literal(
            f"Incoming links cut at {MAX_DESCRIBE_TRIPLES} triples; query the SPARQL endpoint "
            "for all of them.", lang="en")))
    return g


def dataset_description(backend: GraphBackend, base_url: str | None = None) -> Graph:
    """VoID + DCAT description of the evidence base this backend holds.

    ``base_url`` is where the app is served (``https://example.org/``): it adds the SPARQL
    endpoint, the VoID document's own address and the landing page.
    """
    engine = engine_for(backend)
    store = engine.store
    per_class = {}
    for sol in store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
                           prefixes=DEFAULT_PREFIXES):  # type: ignore[union-attr]
        per_class[sol[0].value] = int(sol[1].value)  # type: ignore[union-attr]
    sources = [(sol[0].value, sol[1].value) for sol in store.query(  # type: ignore[union-attr]
        "SELECT ?s ?title WHERE { ?s a int:SourceDocument ; dcterms:title ?title } ORDER BY ?s",
        prefixes=DEFAULT_PREFIXES)]
    schemes = sorted({q.object.value for q in store.quads_for_pattern(
        None, ox.NamedNode(str(SKOS.inScheme)), None) if not isinstance(q.object, ox.Triple)})
    entities = sum(1 for _ in store.quads_for_pattern(
        None, ox.NamedNode(str(DCTERMS.identifier)), None))
    stats = DatasetStats(triples=engine.triples, entities=entities, per_class=per_class,
                         sources=sources, schemes=schemes)
    return _bind(describe_dataset(stats, base_url))


def service_description(endpoint_url: str) -> Graph:
    """SPARQL 1.1 Service Description of the endpoint (what ``GET /sparql`` with no query gives)."""
    g = _bind(Graph())
    s = URIRef(f"{endpoint_url}#service")
    g.add((s, RDF.type, SD.Service))
    g.add((s, SD.endpoint, URIRef(endpoint_url)))
    g.add((s, SD.supportedLanguage, SD.SPARQL11Query))
    for fmt in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                "SPARQL_Results_TSV", "Turtle", "JSON-LD", "N-Triples", "RDF_XML"):
        g.add((s, SD.resultFormat, FORMATS_NS[fmt]))
    ds = BNode()
    g.add((s, SD.defaultDataset, ds))
    g.add((ds, RDF.type, SD.Dataset))
    g.add((ds, DCTERMS.source, DATASET_IRI))
    g.add((s, RDFS.comment, Literal(
        "Read-only: SELECT, ASK, CONSTRUCT and DESCRIBE over the evidence base; no updates, "
        "no SERVICE, no FROM; time and row limits apply.", lang="en")))
    return g
