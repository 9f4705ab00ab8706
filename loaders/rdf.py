"""Records → RDF (rdflib): SKOS concepts, BIBO/Dublin Core citations, PROV-style provenance.

Evidence-bearing links are written twice: as the direct triple (``risk … int:increasesRiskOf
harm …``) so SPARQL reads naturally, and as an ``int:Link`` reified statement carrying
``int:supportingClaim`` for every claim behind it, so the evidence on a hop survives in RDF.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from loaders.records import EdgeRecord, NodeRecord
from ontology.namespace import (
    BIBO,
    CDC_SEM,
    CTDC,
    DULUTH,
    HTCDS,
    ID,
    INT,
    POLARIS,
    POLARIS_WHEEL,
    SCHEME,
)
from ontology.schema import CLASS_BY_NAME, PREDICATE_BY_NAME, ancestors, id_to_iri

EXTERNAL_SCHEMES = {
    "htcds": HTCDS,
    "ctdc": CTDC,
    "polaris-typology": POLARIS,
    "duluth-wheel": DULUTH,
    "polaris-wheel": POLARIS_WHEEL,
    "cdc-social-ecological": CDC_SEM,
}
MATCH = {"exact": SKOS.exactMatch, "close": SKOS.closeMatch, "broad": SKOS.broadMatch,
         "narrow": SKOS.narrowMatch, "related": SKOS.relatedMatch}

#: Scalar node properties → RDF predicate (and datatype when not a plain string).
SCALAR_PROPS: dict[str, tuple[URIRef, URIRef | None]] = {
    "ecological_level": (INT.ecologicalLevel, None),
    "kind": (INT.kind, None),
    "goal": (INT.goal, None),
    "level": (INT.preventionLevel, None),
    "organization_level": (INT.organizationLevel, XSD.integer),
    "url": (INT.url, XSD.anyURI),
    "contact": (INT.contact, None),
    "year": (INT.year, XSD.integer),
    "note": (SKOS.note, None),
    "evidence_kind": (INT.evidenceKind, None),
    "document_kind": (INT.documentKind, None),
    "venue": (INT.venue, None),
    "volume": (BIBO.volume, None),
    "issue": (BIBO.issue, None),
    "pages": (BIBO.pages, None),
    "publisher": (DCTERMS.publisher, None),
    "place": (INT.place, None),
    "doi": (BIBO.doi, None),
}
STUDY_PROPS: dict[str, tuple[URIRef, URIRef | None]] = {
    "design": (INT.method, None),
    "method": (INT.method, None),
    "sample_size": (INT.sampleSize, XSD.integer),
    "sample": (INT.population, None),
    "data_collection_period": (INT.dataCollectionPeriod, None),
    "analysis": (INT.method, None),
}
STAT_PROPS: dict[str, tuple[URIRef, URIRef | None]] = {
    "value": (INT.value, XSD.decimal),
    "value_max": (INT.valueMax, XSD.decimal),
    "unit": (INT.unit, None),
    "text": (INT.valueText, None),
    "population": (INT.population, None),
    "place": (INT.place, None),
    "period": (INT.period, None),
    "measure": (RDFS.comment, None),
}


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in (("int", INT._NS), ("id", ID), ("scheme", SCHEME), ("skos", SKOS),
                       ("dcterms", DCTERMS), ("prov", PROV), ("bibo", BIBO), ("owl", OWL),
                       ("htcds", HTCDS), ("ctdc", CTDC), ("polaris", POLARIS),
                       ("duluth", DULUTH), ("polariswheel", POLARIS_WHEEL)):
        g.bind(prefix, ns)
    return g


def _lit(value: Any, datatype: URIRef | None) -> Literal:
    if datatype == XSD.decimal:
        return Literal(Decimal(str(value)), datatype=XSD.decimal)
    if datatype is not None:
        return Literal(value, datatype=datatype)
    return Literal(str(value))


def _add_map(g: Graph, subject: URIRef | BNode, data: dict[str, Any],
             table: dict[str, tuple[URIRef, URIRef | None]]) -> None:
    for key, value in data.items():
        if key in table and value is not None:
            pred, dt = table[key]
            g.add((subject, pred, _lit(value, dt)))


def external_iri(scheme: str, code: str) -> URIRef:
    """The IRI we mint for a category of a public standard (see ontology/README.md)."""
    return EXTERNAL_SCHEMES[scheme][quote(code.replace(" ", "_"), safe="/_-")]


def add_node(g: Graph, node: NodeRecord) -> None:
    """All triples of one node."""
    s = id_to_iri(node.id)
    spec = CLASS_BY_NAME[node.category]
    g.add((s, RDF.type, spec.iri))
    g.add((s, DCTERMS.identifier, Literal(node.id)))
    props = node.properties
    if node.category == "Claim":
        g.add((s, RDFS.label, Literal(node.label, lang="en")))
        g.add((s, INT.statement, Literal(node.definition or "", lang="en")))
        for flag in props.get("flags", []):
            g.add((s, INT.qualityFlag, Literal(flag)))
        for stat in props.get("statistics", []):
            b = BNode()
            g.add((s, INT.hasStatistic, b))
            g.add((b, RDF.type, INT.Statistic))
            _add_map(g, b, stat, STAT_PROPS)
    elif node.category == "Citation":
        g.add((s, DCTERMS.title, Literal(node.label)))
        g.add((s, RDF.type, PROV.Entity))
        if props.get("kind") == "source_document":
            g.add((s, RDF.type, INT.SourceDocument))
        for author in props.get("authors", []):
            g.add((s, DCTERMS.creator, Literal(author)))
        if props.get("authors"):
            g.add((s, INT.authorsText, Literal("; ".join(props["authors"]))))
        if props.get("year"):
            g.add((s, DCTERMS.issued, Literal(int(props["year"]), datatype=XSD.integer)))
        if props.get("url"):
            g.add((s, INT.url, Literal(props["url"], datatype=XSD.anyURI)))
        study = props.get("study") or {}
        _add_map(g, s, study, STUDY_PROPS)
        for lim in study.get("limitations", []):
            g.add((s, INT.limitation, Literal(lim)))
        for li in props.get("listed_in", []):
            b = BNode()
            g.add((s, INT.listedIn, b))
            g.add((b, INT.citation, id_to_iri(li["citation"])))
            if li.get("locator"):
                g.add((b, BIBO.locator, Literal(li["locator"])))
            if li.get("number") is not None:
                g.add((b, INT.referenceNumber, Literal(li["number"], datatype=XSD.integer)))
    else:
        g.add((s, RDF.type, SKOS.Concept))
        g.add((s, SKOS.inScheme, SCHEME[spec.family.replace("_", "-")]))
        g.add((s, SKOS.prefLabel, Literal(node.label, lang="en")))
        for alt in node.alt_labels:
            g.add((s, SKOS.altLabel, Literal(alt, lang="en")))
        if node.definition:
            g.add((s, SKOS.definition, Literal(node.definition, lang="en")))
        for m in props.get("mappings", []):
            g.add((s, MATCH[m.get("match", "close")], external_iri(m["scheme"], m["code"])))
        for n, item in enumerate(props.get("items") or (), 1):  # a collection's own list
            g.add((s, INT.item, Literal(f"{n}. {item}")))
    handled = {"year", "url"} if node.category == "Citation" else set()
    _add_map(g, s, {k: v for k, v in props.items() if k not in handled}, SCALAR_PROPS)
    for src in node.sources:
        cite = id_to_iri(src.citation)
        g.add((s, DCTERMS.source, cite))
        b = BNode()
        g.add((s, INT.hasSource, b))
        g.add((b, RDF.type, INT.SourceReference))
        g.add((b, INT.citation, cite))
        if src.locator:
            g.add((b, BIBO.locator, Literal(src.locator)))


def link_iri(edge: EdgeRecord) -> URIRef:
    digest = hashlib.sha1("|".join(edge.key).encode()).hexdigest()[:16]
    return ID[f"link/{digest}"]


def add_edge(g: Graph, edge: EdgeRecord) -> None:
    """The direct triple, plus a reified int:Link saying what the link rests on.

    The int:Link (an rdf:Statement about the direct triple) carries ``int:basis`` ("stated" or
    "inferred"), the supporting claims, the curators' note (``rdfs:comment``, an annotation, so
    the graph stays OWL 2 DL) and any document locators. It is written when there is something
    to say: claims, an evidence relation, an inferred basis or sources. A direct triple without
    an int:Link is a relation written inside an entry: stated by that entry's own sources.
    """
    spec = PREDICATE_BY_NAME[edge.predicate]
    s, o = id_to_iri(edge.subject), id_to_iri(edge.object)
    g.add((s, spec.iri, o))
    props = edge.properties or {}
    basis = props.get("basis") or "stated"
    if edge.claims or spec.evidence or basis != "stated" or props.get("sources") or \
            props.get("position"):
        link = link_iri(edge)
        g.add((link, RDF.type, INT.Link))
        g.add((link, RDF.type, RDF.Statement))
        g.add((link, RDF.subject, s))
        g.add((link, RDF.predicate, spec.iri))
        g.add((link, RDF.object, o))
        g.add((link, INT.basis, Literal(basis)))
        for c in edge.claims:
            g.add((link, INT.supportingClaim, id_to_iri(c)))
        if props.get("position"):
            g.add((link, INT.position, Literal(int(props["position"]), datatype=XSD.integer)))
        note = props.get("basis_note") or props.get("note")
        if note:
            g.add((link, RDFS.comment, Literal(note, lang="en")))
        for src in props.get("sources") or ():
            b = BNode()
            g.add((link, INT.hasSource, b))
            g.add((b, RDF.type, INT.SourceReference))
            g.add((b, INT.citation, id_to_iri(src["citation"])))
            if src.get("locator"):
                g.add((b, BIBO.locator, Literal(src["locator"])))


def records_to_graph(nodes: Iterable[NodeRecord], edges: Iterable[EdgeRecord]) -> Graph:
    g = new_graph()
    for n in nodes:
        add_node(g, n)
    for e in edges:
        add_edge(g, e)
    return g


def class_lineage_triples(g: Graph) -> None:
    """Materialise superclass types (a TraffickingType is also a Harm) for SHACL targets."""
    for s, _, cls in list(g.triples((None, RDF.type, None))):
        name = str(cls).removeprefix(str(INT._NS))
        if name in CLASS_BY_NAME:
            for a in ancestors(name)[1:]:
                g.add((s, RDF.type, INT[a]))
