"""The dataset description (VoID + DCAT) of an evidence base, from its statistics.

One builder, two callers: RDF exports (``intersections export --format ttl``) describe the graph
they write (:func:`stats_of_graph`), and the web app's ``/.well-known/void`` describes the base it
serves (``graph.linked_data``, statistics from the SPARQL store). Title, licence, version, the
source documents the evidence was curated from, counts per class, the IRI space, vocabularies
and, when deployed, the SPARQL endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SKOS, XSD

from ontology.namespace import ID, INT, ONTOLOGY_IRI, SCHEME
from ontology.schema import CLASSES

VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")
#: The dataset's own IRI (a deployment's ``/.well-known/void`` describes this resource).
DATASET_IRI = URIRef("https://w3id.org/intersections/dataset")
#: Licence of the software and the curated evidence base (LICENSE, CITATION.cff). The source
#: documents themselves stay their authors'; the evidence base restates and cites them.
LICENSE_IRI = URIRef("https://spdx.org/licenses/MIT")


def package_version() -> str:
    try:
        return metadata.version("intersections")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


@dataclass
class DatasetStats:
    """What the description counts: triples, entries, entries per class IRI, sources, schemes."""

    triples: int
    entities: int
    per_class: dict[str, int] = field(default_factory=dict)
    sources: list[tuple[str, str]] = field(default_factory=list)  # (IRI, title), sorted
    schemes: list[str] = field(default_factory=list)


def stats_of_graph(g: Graph) -> DatasetStats:
    """Statistics of an rdflib graph holding an evidence base (the RDF export)."""
    per_class: dict[str, int] = {}
    for _, cls in g.subject_objects(RDF.type):
        per_class[str(cls)] = per_class.get(str(cls), 0) + 1
    sources = sorted((str(s), str(g.value(s, DCTERMS.title) or ""))
                     for s in g.subjects(RDF.type, INT.SourceDocument))
    schemes = sorted({str(o) for o in g.objects(None, SKOS.inScheme)})
    return DatasetStats(triples=len(g), entities=len(set(g.subjects(DCTERMS.identifier))),
                        per_class=per_class, sources=sources, schemes=schemes)


def describe_dataset(stats: DatasetStats, base_url: str | None = None) -> Graph:
    """VoID + DCAT description; ``base_url`` (where the app is served) adds the endpoint.

    Without ``base_url`` (an export) the description names only what does not depend on a
    deployment.
    """
    g = Graph()
    g.bind("void", VOID)
    g.bind("dcat", DCAT)
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
    g.add((d, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
    g.add((d, VOID.entities, Literal(stats.entities, datatype=XSD.integer)))
    for vocab in (ONTOLOGY_IRI, str(SKOS), str(DCTERMS), "http://www.w3.org/ns/prov#",
                  "http://purl.org/ontology/bibo/"):
        g.add((d, VOID.vocabulary, URIRef(vocab)))
    g.add((d, VOID.feature, FORMATS_NS["Turtle"]))
    g.add((d, VOID.feature, FORMATS_NS["JSON-LD"]))
    for spec in CLASSES:
        n = stats.per_class.get(str(spec.iri), 0)
        if n:
            part = URIRef(f"{DATASET_IRI}/class/{spec.name}")
            g.add((d, VOID.classPartition, part))
            g.add((part, VOID["class"], spec.iri))
            g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for scheme in stats.schemes:
        if scheme.startswith(str(SCHEME)):
            g.add((d, VOID.subset, URIRef(scheme)))
    for iri, title in stats.sources:
        g.add((d, DCTERMS.source, URIRef(iri)))
        g.add((URIRef(iri), DCTERMS.title, Literal(title)))
    dist = URIRef(f"{DATASET_IRI}/distribution/turtle")
    g.add((d, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCAT.mediaType,
           URIRef("https://www.iana.org/assignments/media-types/text/turtle")))
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
