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

from importlib import metadata
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD

from graph.sparql import DEFAULT_PREFIXES, engine_for
from ontology.namespace import ID, ONTOLOGY_IRI, SCHEME
from ontology.schema import CLASSES

if TYPE_CHECKING:
    from graph.backend import GraphBackend

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")

#: The dataset's own IRI (a deployment's ``/.well-known/void`` describes this resource).
DATASET_IRI = URIRef("https://w3id.org/intersections/dataset")
#: Licence of the software and the curated evidence base (LICENSE, CITATION.cff). The source
#: documents themselves stay their authors'; the evidence base restates and cites them.
LICENSE_IRI = URIRef("https://spdx.org/licenses/MIT")
#: Most triples sent for one IRI (a hub's incoming links are cut, the response says so).
MAX_DESCRIBE_TRIPLES = 5000

_LABEL_PREDICATES = (SKOS.prefLabel, RDFS.label, DCTERMS.title)


def package_version() -> str:
    try:
        return metadata.version("intersections")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


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


def _count(store: ox.Store, query: str) -> list[tuple[str, int]]:
    out = []
    for sol in store.query(query, prefixes=DEFAULT_PREFIXES):  # type: ignore[union-attr]
        key, n = sol[0], sol[1]
        out.append((key.value if key is not None else "", int(n.value) if n is not None else 0))
    return out


def dataset_description(backend: GraphBackend, base_url: str | None = None) -> Graph:
    """VoID + DCAT description of the evidence base this backend holds.

    ``base_url`` is where the app is served (``https://example.org/``): it adds the SPARQL
    endpoint, the VoID document's own address and the IRI resolution root. Without it (an
    export) the description names only what does not depend on a deployment.
    """
    engine = engine_for(backend)
    store = engine.store
    g = _bind(Graph())
    d = DATASET_IRI
    version = package_version()
    for t in (VOID.Dataset, DCAT.Dataset):
        g.add((d, RDF.type, t))
    g.add((d, DCTERMS.title, Literal("Intersections evidence base", lang="en")))
    g.add((d, DCTERMS.description, Literal(
        "Curated knowledge graph of how human trafficking intersects with intimate partner and "
        "domestic violence, sexual violence and child welfare: risk factors, harms, control "
        "tactics, indicators, prevention strategies, services, and the claims and citations "
        "behind every link. Aggregate evidence and services only; no records about individuals.",
        lang="en")))
    g.add((d, DCTERMS.license, LICENSE_IRI))
    g.add((d, OWL.versionInfo, Literal(version)))
    g.add((d, DCTERMS.hasVersion, Literal(version)))
    g.add((d, FOAF.homepage, URIRef("https://w3id.org/intersections")))
    for kw in ("human trafficking", "intimate partner violence", "domestic violence",
               "sexual violence", "child welfare", "prevention", "evidence map"):
        g.add((d, DCAT.keyword, Literal(kw, lang="en")))
    g.add((d, VOID.uriSpace, Literal(str(ID))))
    g.add((d, VOID.triples, Literal(engine.triples, datatype=XSD.integer)))
    for vocab in (ONTOLOGY_IRI, str(SKOS), str(DCTERMS), "http://www.w3.org/ns/prov#",
                  "http://purl.org/ontology/bibo/"):
        g.add((d, VOID.vocabulary, URIRef(vocab)))
    g.add((d, VOID.feature, FORMATS_NS["Turtle"]))
    g.add((d, VOID.feature, FORMATS_NS["JSON-LD"]))

    by_class = dict(_count(store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) "
                                  "WHERE { ?s a ?c } GROUP BY ?c"))
    for spec in CLASSES:
        n = by_class.get(str(spec.iri), 0)
        if not n:
            continue
        part = URIRef(f"{DATASET_IRI}/class/{spec.name}")
        g.add((d, VOID.classPartition, part))
        g.add((part, VOID["class"], spec.iri))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    entities = sum(1 for _ in store.quads_for_pattern(
        None, ox.NamedNode(str(DCTERMS.identifier)), None))
    g.add((d, VOID.entities, Literal(entities, datatype=XSD.integer)))
    for scheme_iri in sorted({str(q.object) for q in store.quads_for_pattern(
            None, ox.NamedNode(str(SKOS.inScheme)), None)}):
        if scheme_iri.startswith(str(SCHEME)):
            g.add((d, VOID.subset, URIRef(scheme_iri)))

    docs = store.query(
        "SELECT ?s ?title WHERE { ?s a int:SourceDocument ; dcterms:title ?title } ORDER BY ?s",
        prefixes=DEFAULT_PREFIXES)
    for sol in docs:  # type: ignore[union-attr]
        s, title = URIRef(sol[0].value), sol[1].value  # type: ignore[union-attr]
        g.add((d, DCTERMS.source, s))
        g.add((s, DCTERMS.title, Literal(title)))

    dist = URIRef(f"{DATASET_IRI}/distribution/turtle")
    g.add((d, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/text/turtle")))
    g.add((dist, DCTERMS.description, Literal(
        "The whole evidence base as Turtle: `intersections export --format ttl`.", lang="en")))
    if base_url:
        root = base_url.rstrip("/")
        endpoint = URIRef(f"{root}/sparql")
        g.add((d, VOID.sparqlEndpoint, endpoint))
        g.add((d, VOID.rootResource, URIRef(f"{root}/")))
        service = URIRef(f"{root}/sparql#service")
        g.add((service, RDF.type, DCAT.DataService))
        g.add((service, DCAT.endpointURL, endpoint))
        g.add((service, DCAT.servesDataset, d))
        g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
        g.add((d, DCAT.accessService, service))
        g.add((d, DCAT.landingPage, URIRef(f"{root}/about")))
        g.add((URIRef(f"{root}/.well-known/void"), FOAF.primaryTopic, d))
    return g


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
