"""Generate the ontology (OWL + SKOS) and SHACL shapes as Turtle from :mod:`ontology.schema`.

The Turtle files in this folder are committed so they can be read, diffed and used by other
tools; ``intersections ontology`` regenerates them and a test fails when they are stale, so the
Python table and the Turtle never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from ontology.namespace import BIBO, INT, ONTOLOGY_IRI, SCHEME
from ontology.schema import (
    CLASSES,
    EVIDENCE_CLASSES,
    LINK_BASES,
    NO_CITATION_FLAGS,
    PREDICATES,
    QUALITY_FLAGS,
    ancestors,
)

HERE = Path(__file__).parent
ONTOLOGY_FILE = HERE / "intersections.ttl"
SHAPES_FILE = HERE / "shapes.ttl"
SHAPES = URIRef("https://w3id.org/intersections/shapes#")

DATATYPE_PROPS: dict[str, tuple[str, URIRef]] = {
    "ecologicalLevel": ("social-ecological level (individual, relationship, community, "
                        "societal)", XSD.string),
    "kind": ("kind of entry within its class", XSD.string),
    "goal": ("goal of a prevention strategy", XSD.string),
    "preventionLevel": ("primary, secondary or tertiary prevention", XSD.string),
    "organizationLevel": ("1 = least organized … 5 = most organized", XSD.integer),
    "evidenceKind": ("kind of evidence behind a claim", XSD.string),
    "qualityFlag": ("evidence quality flag: " + "; ".join(
        f"{f.name} ({f.label.lower()})" for f in QUALITY_FLAGS.values()), XSD.string),
    "position": ("place of an item in a collection, as the document orders it", XSD.integer),
    "item": ("an item of a collection, as the document lists it (in the curators' words)",
             XSD.string),
    "basis": ("why a link is in the graph: " + "; ".join(
        f"{b.name} ({b.explanation})" for b in LINK_BASES.values()), XSD.string),
    "statement": ("the claim in the curators' words", RDF.langString),
    "value": ("number reported", XSD.decimal),
    "valueMax": ("upper end of a reported range", XSD.decimal),
    "unit": ("unit of a reported number", XSD.string),
    "valueText": ("the figure as written in the source", XSD.string),
    "population": ("who the number is about", XSD.string),
    "place": ("where", XSD.string),
    "period": ("when", XSD.string),
    "documentKind": ("research summary, brief, training slides, …", XSD.string),
    "venue": ("journal or series", XSD.string),
    "sampleSize": ("study sample size", XSD.integer),
    "method": ("study design / method / analysis", XSD.string),
    "limitation": ("a limitation the study states", XSD.string),
    "dataCollectionPeriod": ("when data were collected", XSD.string),
    "referenceNumber": ("number in a reference list", XSD.integer),
    "authorsText": ("authors as one string, in order", XSD.string),
    "url": ("web address", XSD.anyURI),
    "contact": ("how to reach a service", XSD.string),
    "year": ("year a program or law started", XSD.integer),
}


def _union(g: Graph, classes: Iterable[str]) -> URIRef | BNode:
    names = list(dict.fromkeys(classes))
    if len(names) == 1:
        return INT[names[0]]
    node = BNode()
    lst = BNode()
    Collection(g, lst, [INT[n] for n in names])
    g.add((node, RDF.type, OWL.Class))
    g.add((node, OWL.unionOf, lst))
    return node


def _minimal(classes: Iterable[str]) -> list[str]:
    """Drop classes already covered by a listed superclass (Harm covers TraffickingType)."""
    names = list(dict.fromkeys(classes))
    return [n for n in names if not any(a in names for a in ancestors(n)[1:])]


def build_ontology() -> Graph:
    g = Graph()
    for prefix, ns in (("int", INT._NS), ("skos", SKOS), ("dcterms", DCTERMS), ("prov", PROV),
                       ("bibo", BIBO), ("owl", OWL), ("scheme", SCHEME)):
        g.bind(prefix, ns)
    onto = URIRef(ONTOLOGY_IRI.rstrip("#"))
    g.add((onto, RDF.type, OWL.Ontology))
    g.add((onto, DCTERMS.title, Literal("Intersections ontology", lang="en")))
    g.add((onto, DCTERMS.description, Literal(
        "Risk factors, harms and trafficking types, control tactics, indicators, barriers, "
        "claims with citations, prevention strategies and interventions, and how they link.",
        lang="en")))
    g.add((onto, OWL.versionInfo, Literal("0.1.0")))
    g.add((INT.Entity, RDF.type, OWL.Class))
    g.add((INT.Entity, RDFS.label, Literal("Entity", lang="en")))
    for c in CLASSES:
        g.add((c.iri, RDF.type, OWL.Class))
        g.add((c.iri, RDFS.label, Literal(c.label, lang="en")))
        g.add((c.iri, RDFS.comment, Literal(c.description, lang="en")))
        g.add((c.iri, RDFS.subClassOf, INT[c.parent] if c.parent else INT.Entity))
        if c.vocabulary:
            g.add((c.iri, RDFS.subClassOf, SKOS.Concept))
            scheme = SCHEME[c.family.replace("_", "-")]
            g.add((scheme, RDF.type, SKOS.ConceptScheme))
            g.add((scheme, SKOS.prefLabel, Literal(c.plural, lang="en")))
    g.add((INT.Claim, RDFS.subClassOf, PROV.Entity))
    g.add((INT.Citation, RDFS.subClassOf, BIBO.Document))
    g.add((INT.SourceDocument, RDF.type, OWL.Class))
    g.add((INT.SourceDocument, RDFS.subClassOf, INT.Citation))
    g.add((INT.SourceDocument, RDFS.label, Literal("Source document", lang="en")))
    for name, label in (("Statistic", "Statistic"), ("SourceReference", "Source reference"),
                        ("Link", "Evidence-bearing link")):
        g.add((INT[name], RDF.type, OWL.Class))
        g.add((INT[name], RDFS.label, Literal(label, lang="en")))
    g.add((INT.Link, RDFS.subClassOf, RDF.Statement))
    for p in PREDICATES:
        if not str(p.iri).startswith(ONTOLOGY_IRI):
            continue  # skos:broader, dcterms:subject are reused, not redeclared
        g.add((p.iri, RDF.type, OWL.ObjectProperty))
        g.add((p.iri, RDFS.label, Literal(p.label, lang="en")))
        if p.description:
            g.add((p.iri, RDFS.comment, Literal(p.description, lang="en")))
        g.add((p.iri, RDFS.domain, _union(g, _minimal(p.domain))))
        g.add((p.iri, RDFS.range, _union(g, _minimal(p.range))))
        if p.symmetric:
            g.add((p.iri, RDF.type, OWL.SymmetricProperty))
    g.add((INT.supportedBy, RDFS.subPropertyOf, PROV.wasDerivedFrom))
    g.add((INT.statedIn, RDFS.subPropertyOf, PROV.hadPrimarySource))
    for name, (comment, dt) in DATATYPE_PROPS.items():
        g.add((INT[name], RDF.type, OWL.DatatypeProperty))
        g.add((INT[name], RDFS.comment, Literal(comment, lang="en")))
        g.add((INT[name], RDFS.range, dt))
    for name, comment in (("supportingClaim", "a claim that supports a link"),
                          ("hasStatistic", "a number a claim reports"),
                          ("hasSource", "where an entry was read (citation + locator)"),
                          ("citation", "the citation of a source reference"),
                          ("listedIn", "reference list entry that names this citation")):
        g.add((INT[name], RDF.type, OWL.ObjectProperty))
        g.add((INT[name], RDFS.comment, Literal(comment, lang="en")))
    return g


def _prop(g: Graph, shape: URIRef, path: URIRef, **kw: Any) -> BNode:
    b = BNode()
    g.add((shape, SH.property, b))
    g.add((b, SH.path, path))
    for key, val in kw.items():
        if key == "in_":
            lst = BNode()
            Collection(g, lst, [Literal(v) for v in val])
            g.add((b, SH["in"], lst))
        elif key == "or_classes":
            lst = BNode()
            items: list[Node] = []
            for cls in val:
                alt = BNode()
                g.add((alt, SH["class"], INT[cls]))
                items.append(alt)
            Collection(g, lst, items)
            g.add((b, SH["or"], lst))
        else:
            g.add((b, SH[key.rstrip("_")], val if isinstance(val, URIRef | Literal)
                   else Literal(val)))
    return b


def build_shapes() -> Graph:
    g = Graph()
    g.bind("sh", SH)
    g.bind("int", INT._NS)
    g.bind("skos", SKOS)
    g.bind("dcterms", DCTERMS)
    g.bind("shapes", SHAPES)

    def shape(name: str, target: URIRef) -> URIRef:
        s = URIRef(f"{SHAPES}{name}")
        g.add((s, RDF.type, SH.NodeShape))
        g.add((s, SH.targetClass, target))
        return s

    id_rx = Literal(r"^[a-z]+:[a-z0-9]+([-.][a-z0-9]+)*$")
    for c in CLASSES:
        s = shape(f"{c.name}Shape", c.iri)
        _prop(g, s, DCTERMS.identifier, minCount=1, maxCount=1, pattern=id_rx,
              message=f"every {c.label.lower()} has exactly one id like prefix:words")
        if c.name not in EVIDENCE_CLASSES:
            _prop(g, s, SKOS.prefLabel, minCount=1, maxCount=1, datatype=RDF.langString,
                  message="a concept has exactly one preferred label")
            _prop(g, s, SKOS.definition, minCount=1,
                  message="a concept needs a definition in the curators' own words")
            _prop(g, s, INT.hasSource, minCount=1,
                  message="a concept names at least one source (citation + locator)")
        # relations this class may start, with the classes they may point to
        for p in PREDICATES:
            if c.name in p.domain and p.name != "broader":
                rng = _minimal(p.range)
                msg = f"{p.label} must point to a {' or '.join(rng)}"
                if len(rng) == 1:
                    _prop(g, s, p.iri, class_=INT[rng[0]], message=msg)
                else:
                    _prop(g, s, p.iri, or_classes=rng, message=msg)
    rf = URIRef(f"{SHAPES}RiskFactorShape")
    _prop(g, rf, INT.ecologicalLevel, minCount=1, maxCount=1,
          in_=["individual", "relationship", "community", "societal"],
          message="a risk factor has one social-ecological level")
    claim = URIRef(f"{SHAPES}ClaimShape")
    _prop(g, claim, INT.statement, minCount=1, maxCount=1,
          message="a claim has one statement")
    _prop(g, claim, INT.statedIn, minCount=1, maxCount=1, class_=INT.SourceDocument,
          message="a claim is stated in exactly one curated source document")
    _prop(g, claim, INT.qualityFlag,
          in_=list(QUALITY_FLAGS), message="unknown quality flag")
    # supported by a citation, or flagged as a figure without a source / contested / descriptive
    either = BNode()
    a = BNode()
    g.add((a, SH.path, INT.supportedBy))
    g.add((a, SH.minCount, Literal(1)))
    alternatives: list[Node] = [_wrap(g, a)]
    for flag in NO_CITATION_FLAGS:
        b = BNode()
        g.add((b, SH.path, INT.qualityFlag))
        g.add((b, SH.hasValue, Literal(flag)))
        alternatives.append(_wrap(g, b))
    Collection(g, either, alternatives)
    g.add((claim, SH["or"], either))
    g.add((claim, SH.message, Literal(
        "a claim cites at least one citation or carries one of the flags "
        + ", ".join(repr(f) for f in NO_CITATION_FLAGS))))
    cite = URIRef(f"{SHAPES}CitationShape")
    _prop(g, cite, DCTERMS.title, minCount=1, maxCount=1, message="a citation has a title")
    _prop(g, cite, DCTERMS.issued, maxCount=1, datatype=XSD.integer,
          message="year of a citation is a single year")
    stat = shape("StatisticShape", INT.Statistic)
    _prop(g, stat, INT.value, minCount=1, maxCount=1, datatype=XSD.decimal,
          message="a statistic has one numeric value")
    _prop(g, stat, INT.unit, minCount=1, maxCount=1, message="a statistic has a unit")
    link = shape("LinkShape", INT.Link)
    _prop(g, link, INT.supportingClaim, class_=INT.Claim,
          message="a link's supporting claims are claims")
    # what a link rests on: claims, a document locator, or the curators' inference
    rests = BNode()
    alts: list[Node] = []
    for path, kw in ((INT.supportingClaim, {"minCount": 1}), (INT.hasSource, {"minCount": 1}),
                     (INT.basis, {"hasValue": Literal("inferred")}),
                     (INT.position, {"minCount": 1})):  # a collection item: the list states it
        b = BNode()
        g.add((b, SH.path, path))
        for k, v in kw.items():
            g.add((b, SH[k], v if isinstance(v, Literal) else Literal(v)))
        alts.append(_wrap(g, b))
    Collection(g, rests, alts)
    g.add((link, SH["or"], rests))
    g.add((link, SH.message, Literal(
        "a link names at least one supporting claim, a source with its locator, a position in "
        "a collection, or is marked inferred")))
    _prop(g, link, INT.basis, minCount=1, maxCount=1, in_=list(LINK_BASES),
          message="a link says its basis: " + " or ".join(LINK_BASES))
    return g


def _wrap(g: Graph, prop: BNode) -> BNode:
    n = BNode()
    g.add((n, SH.property, prop))
    return n


def stable(g: Graph) -> Graph:
    """The same graph with every blank node renamed canonically (RDF graph canonicalisation,
    :func:`rdflib.compare.to_canonical_graph`), so equal graphs serialise to equal bytes."""
    out = Graph()
    for prefix, ns in g.namespaces():
        out.bind(prefix, ns, override=True, replace=True)
    for triple in to_canonical_graph(g):
        out.add(triple)
    return out


def turtle(g: Graph) -> str:
    """Deterministic Turtle: canonical blank nodes, and rdflib's sorted subjects/predicates."""
    return stable(g).serialize(format="turtle")


def write(out_dir: Path = HERE) -> list[Path]:
    """(Re)write intersections.ttl and shapes.ttl; returns the paths written.

    The bytes depend only on ontology/schema.py: regenerating twice gives identical files.
    """
    paths = []
    for graph, name in ((build_ontology(), ONTOLOGY_FILE.name), (build_shapes(), SHAPES_FILE.name)):
        path = out_dir / name
        path.write_text(turtle(graph), encoding="utf-8")
        paths.append(path)
    return paths


def load_ontology() -> Graph:
    g = Graph()
    g.parse(ONTOLOGY_FILE, format="turtle")
    return g


def load_shapes() -> Graph:
    g = Graph()
    g.parse(SHAPES_FILE, format="turtle")
    return g
