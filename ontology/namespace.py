"""Every term of the Intersections ontology, declared once.

The Turtle files (`intersections.ttl`, `shapes.ttl`) describe these terms; Python code refers to
them only through :class:`INT` so a typo is an ``AttributeError`` at import time rather than a
silently wrong IRI. Instances (the evidence base entries) live under :data:`ID`.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

#: Base IRI of the ontology's own terms.
ONTOLOGY_IRI = "https://w3id.org/intersections/ontology#"
#: Base IRI of evidence-base entries:
#: ``risk:foster-care-placement`` → ``…/id/risk/foster-care-placement``.
ID = Namespace("https://w3id.org/intersections/id/")
#: Concept schemes (one per vocabulary family).
SCHEME = Namespace("https://w3id.org/intersections/scheme/")
#: External taxonomies we map to (category names from public standards; see ontology/README.md).
HTCDS = Namespace("https://w3id.org/intersections/ext/htcds/")
CTDC = Namespace("https://w3id.org/intersections/ext/ctdc/")
POLARIS = Namespace("https://w3id.org/intersections/ext/polaris-typology/")
DULUTH = Namespace("https://w3id.org/intersections/ext/duluth-wheel/")
POLARIS_WHEEL = Namespace("https://w3id.org/intersections/ext/polaris-wheel/")
CDC_SEM = Namespace("https://w3id.org/intersections/ext/cdc-social-ecological/")
BIBO = Namespace("http://purl.org/ontology/bibo/")


class INT(DefinedNamespace):
    """Classes and properties of the Intersections ontology."""

    _NS = Namespace(ONTOLOGY_IRI)
    _fail = True

    # --- classes -------------------------------------------------------------------------
    Entity: URIRef  # anything with an id in the evidence base
    RiskFactor: URIRef
    Harm: URIRef
    TraffickingType: URIRef
    ControlTactic: URIRef
    Indicator: URIRef
    Barrier: URIRef
    Claim: URIRef
    Citation: URIRef
    SourceDocument: URIRef
    PreventionStrategy: URIRef
    Intervention: URIRef
    Organization: URIRef
    Population: URIRef
    Region: URIRef
    Setting: URIRef
    PerpetratorType: URIRef
    Practice: URIRef
    Right: URIRef
    Statistic: URIRef
    SourceReference: URIRef
    Link: URIRef  # a reified evidence-bearing link (subject, predicate, object, claims)

    # --- relations between entries -------------------------------------------------------
    increasesRiskOf: URIRef
    coOccursWith: URIRef
    usesTactic: URIRef
    indicates: URIRef
    addresses: URIRef
    implements: URIRef
    serves: URIRef
    operatesIn: URIRef
    providedBy: URIRef
    partOf: URIRef
    occursIn: URIRef
    perpetratedBy: URIRef
    hindersExitFrom: URIRef
    establishedBy: URIRef
    appliesTo: URIRef
    supportedBy: URIRef
    statedIn: URIRef

    # --- evidence on links ---------------------------------------------------------------
    supportingClaim: URIRef

    # --- datatype and qualifying properties ----------------------------------------------
    ecologicalLevel: URIRef
    kind: URIRef
    goal: URIRef
    organizationLevel: URIRef
    preventionLevel: URIRef
    year: URIRef
    evidenceKind: URIRef
    qualityFlag: URIRef
    basis: URIRef  # "stated" or "inferred": why a link is in the graph
    Collection: URIRef
    hasMember: URIRef
    position: URIRef
    item: URIRef
    statement: URIRef
    hasStatistic: URIRef
    value: URIRef
    valueMax: URIRef
    unit: URIRef
    valueText: URIRef
    population: URIRef
    place: URIRef
    period: URIRef
    hasSource: URIRef
    citation: URIRef
    documentKind: URIRef
    venue: URIRef
    sampleSize: URIRef
    method: URIRef
    limitation: URIRef
    dataCollectionPeriod: URIRef
    listedIn: URIRef
    referenceNumber: URIRef
    authorsText: URIRef
    url: URIRef
    contact: URIRef
    note: URIRef
