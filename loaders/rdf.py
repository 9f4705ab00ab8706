"""Records → RDF (rdflib): SKOS concepts, BIBO/Dublin Core citations, PROV-style provenance.

Evidence-bearing links are written twice: as the direct triple (``risk … int:increasesRiskOf
harm …``) so SPARQL reads naturally, and as an ``int:Link`` reified statement carrying
``int:supportingClaim`` for every claim behind it, so the evidence on a hop survives in RDF.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, cast
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

if TYPE_CHECKING:
    import pyoxigraph as ox

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


class Lit(NamedTuple):
    """A literal as the mapping states it: a value, and a datatype or a language (adapters
    turn it into rdflib's or pyoxigraph's literal)."""

    value: Any
    datatype: URIRef | None = None
    lang: str | None = None


#: A neutral RDF term: IRIs are rdflib URIRefs (plain ``str`` subclasses), blank nodes
#: rdflib BNodes (fresh per statement), literals :class:`Lit`.
Term = URIRef | BNode | Lit
Triple = tuple[Term, Term, Term]


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in (("int", INT._NS), ("id", ID), ("scheme", SCHEME), ("skos", SKOS),
                       ("dcterms", DCTERMS), ("prov", PROV), ("bibo", BIBO), ("owl", OWL),
                       ("htcds", HTCDS), ("ctdc", CTDC), ("polaris", POLARIS),
                       ("duluth", DULUTH), ("polariswheel", POLARIS_WHEEL)):
        g.bind(prefix, ns)
    return g


def _map_triples(subject: URIRef | BNode, data: dict[str, Any],
                 table: dict[str, tuple[URIRef, URIRef | None]]) -> Iterator[Triple]:
    for key, value in data.items():
        if key in table and value is not None:
            pred, dt = table[key]
            yield (subject, pred, Lit(value, dt))


def external_iri(scheme: str, code: str) -> URIRef:
    """The IRI we mint for a category of a public standard (see ontology/README.md)."""
    return EXTERNAL_SCHEMES[scheme][quote(code.replace(" ", "_"), safe="/_-")]


def node_triples(node: NodeRecord) -> Iterator[Triple]:
    """All triples of one node, as neutral terms (the one RDF mapping of a node)."""
    s = id_to_iri(node.id)
    spec = CLASS_BY_NAME[node.category]
    yield (s, RDF.type, spec.iri)
    yield (s, DCTERMS.identifier, Lit(node.id))
    props = node.properties
    if node.category == "Claim":
        yield (s, RDFS.label, Lit(node.label, None, "en"))
        yield (s, INT.statement, Lit(node.definition or "", None, "en"))
        for flag in props.get("flags", []):
            yield (s, INT.qualityFlag, Lit(flag))
        for stat in props.get("statistics", []):
            b = BNode()
            yield (s, INT.hasStatistic, b)
            yield (b, RDF.type, INT.Statistic)
            yield from _map_triples(b, stat, STAT_PROPS)
    elif node.category == "Citation":
        yield (s, DCTERMS.title, Lit(node.label))
        yield (s, RDF.type, PROV.Entity)
        if props.get("kind") == "source_document":
            yield (s, RDF.type, INT.SourceDocument)
        for author in props.get("authors", []):
            yield (s, DCTERMS.creator, Lit(author))
        if props.get("authors"):
            yield (s, INT.authorsText, Lit("; ".join(props["authors"])))
        if props.get("year"):
            yield (s, DCTERMS.issued, Lit(int(props["year"]), XSD.integer))
        if props.get("url"):
            yield (s, INT.url, Lit(props["url"], XSD.anyURI))
        study = props.get("study") or {}
        yield from _map_triples(s, study, STUDY_PROPS)
        for lim in study.get("limitations", []):
            yield (s, INT.limitation, Lit(lim))
        for li in props.get("listed_in", []):
            b = BNode()
            yield (s, INT.listedIn, b)
            yield (b, INT.citation, id_to_iri(li["citation"]))
            if li.get("locator"):
                yield (b, BIBO.locator, Lit(li["locator"]))
            if li.get("number") is not None:
                yield (b, INT.referenceNumber, Lit(li["number"], XSD.integer))
    else:
        yield (s, RDF.type, SKOS.Concept)
        yield (s, SKOS.inScheme, SCHEME[spec.family.replace("_", "-")])
        yield (s, SKOS.prefLabel, Lit(node.label, None, "en"))
        for alt in node.alt_labels:
            yield (s, SKOS.altLabel, Lit(alt, None, "en"))
        if node.definition:
            yield (s, SKOS.definition, Lit(node.definition, None, "en"))
        for m in props.get("mappings", []):
            yield (s, MATCH[m.get("match", "close")], external_iri(m["scheme"], m["code"]))
        for n, item in enumerate(props.get("items") or (), 1):  # a collection's own list
            yield (s, INT.item, Lit(f"{n}. {item}"))
    handled = {"year", "url"} if node.category == "Citation" else set()
    yield from _map_triples(s, {k: v for k, v in props.items() if k not in handled},
                            SCALAR_PROPS)
    for src in node.sources:
        cite = id_to_iri(src.citation)
        yield (s, DCTERMS.source, cite)
        b = BNode()
        yield (s, INT.hasSource, b)
        yield (b, RDF.type, INT.SourceReference)
        yield (b, INT.citation, cite)
        if src.locator:
            yield (b, BIBO.locator, Lit(src.locator))


def link_iri(edge: EdgeRecord) -> URIRef:
    digest = hashlib.sha1("|".join(edge.key).encode()).hexdigest()[:16]
    return ID[f"link/{digest}"]


def edge_triples(edge: EdgeRecord) -> Iterator[Triple]:
    """The direct triple, plus a reified int:Link saying what the link rests on.

    The int:Link (an rdf:Statement about the direct triple) carries ``int:basis`` ("stated" or
    "inferred"), the supporting claims, the curators' note (``rdfs:comment``, an annotation, so
    the graph stays OWL 2 DL) and any document locators. It is written when there is something
    to say: claims, an evidence relation, an inferred basis or sources. A direct triple without
    an int:Link is a relation written inside an entry: stated by that entry's own sources.
    """
    spec = PREDICATE_BY_NAME[edge.predicate]
    s, o = id_to_iri(edge.subject), id_to_iri(edge.object)
    yield (s, spec.iri, o)
    props = edge.properties or {}
    basis = props.get("basis") or "stated"
    if edge.claims or spec.evidence or basis != "stated" or props.get("sources") or \
            props.get("position"):
        link = link_iri(edge)
        yield (link, RDF.type, INT.Link)
        yield (link, RDF.type, RDF.Statement)
        yield (link, RDF.subject, s)
        yield (link, RDF.predicate, spec.iri)
        yield (link, RDF.object, o)
        yield (link, INT.basis, Lit(basis))
        for c in edge.claims:
            yield (link, INT.supportingClaim, id_to_iri(c))
        if props.get("position"):
            yield (link, INT.position, Lit(int(props["position"]), XSD.integer))
        note = props.get("basis_note") or props.get("note")
        if note:
            yield (link, RDFS.comment, Lit(note, None, "en"))
        for src in props.get("sources") or ():
            b = BNode()
            yield (link, INT.hasSource, b)
            yield (b, RDF.type, INT.SourceReference)
            yield (b, INT.citation, id_to_iri(src["citation"]))
            if src.get("locator"):
                yield (b, BIBO.locator, Lit(src["locator"]))


def records_triples(nodes: Iterable[NodeRecord],
                    edges: Iterable[EdgeRecord]) -> Iterator[Triple]:
    for n in nodes:
        yield from node_triples(n)
    for e in edges:
        yield from edge_triples(e)


# ------------------------------------------------------------------------- adapters
def to_rdflib(term: Term) -> URIRef | BNode | Literal:
    """A neutral term as rdflib's (exactly what the mapping wrote before it was neutral)."""
    if not isinstance(term, Lit):
        return term
    value, dt, lang = term
    if lang is not None:
        return Literal(value, lang=lang)
    if dt is None:
        return Literal(str(value))
    if dt == XSD.decimal:
        return Literal(Decimal(str(value)), datatype=XSD.decimal)
    return Literal(value, datatype=dt)


def add_node(g: Graph, node: NodeRecord) -> None:
    """All triples of one node, into an rdflib graph."""
    for s, p, o in node_triples(node):
        g.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))


def add_edge(g: Graph, edge: EdgeRecord) -> None:
    """All triples of one link, into an rdflib graph."""
    for s, p, o in edge_triples(edge):
        g.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))


def records_to_graph(nodes: Iterable[NodeRecord], edges: Iterable[EdgeRecord]) -> Graph:
    g = new_graph()
    for n in nodes:
        add_node(g, n)
    for e in edges:
        add_edge(g, e)
    return g


def records_to_store(nodes: Iterable[NodeRecord], edges: Iterable[EdgeRecord]) -> ox.Store:
    """The same triples straight into a pyoxigraph store (no rdflib graph, no N-Triples text:
    at 100k nodes the rdflib route spent ~80% of the SPARQL start-up)."""
    import pyoxigraph as ox

    named: dict[str, ox.NamedNode] = {}
    blank: dict[str, ox.BlankNode] = {}
    plain: dict[str, ox.Literal] = {}
    OxNamed, OxLit, OxBlank, Quad = ox.NamedNode, ox.Literal, ox.BlankNode, ox.Quad

    def iri(t: str) -> ox.NamedNode:
        n = named.get(t)
        if n is None:
            n = named[t] = OxNamed(t)
        return n

    def term(t: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(t, Lit):
            value, dt, lang = t
            if lang is not None:
                return OxLit(value, language=lang)
            if dt is None:
                text = str(value)
                lit = plain.get(text)
                if lit is None:
                    lit = plain[text] = OxLit(text)
                return lit
            # typed literal: rdflib's lexical form, so both stores hold the same literal
            return OxLit(str(to_rdflib(t)), datatype=iri(dt))
        if isinstance(t, BNode):
            b = blank.get(t)
            if b is None:
                b = blank[t] = OxBlank()
            return b
        return iri(t)

    store = ox.Store()
    store.bulk_extend(Quad(cast("ox.NamedNode | ox.BlankNode", term(s)),
                           iri(cast(str, p)), term(o))
                      for s, p, o in records_triples(nodes, edges))
    return store


def class_lineage_triples(g: Graph) -> None:
    """Materialise superclass types (a TraffickingType is also a Harm) for SHACL targets."""
    for s, _, cls in list(g.triples((None, RDF.type, None))):
        name = str(cls).removeprefix(str(INT._NS))
        if name in CLASS_BY_NAME:
            for a in ancestors(name)[1:]:
                g.add((s, RDF.type, INT[a]))
