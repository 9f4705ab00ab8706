"""The model in one table: classes, relations, and how each maps to YAML, RDF and Neo4j.

Everything that needs to know "which classes exist", "which relation may link what", "what is the
Neo4j label / relationship type of X" asks this module. Neo4j labels and relationship types are
derived here (hetnetpy's ``neo4j_label`` / ``neo4j_rel_type`` idea) and nowhere else, so Cypher
never takes a label or type from user text: only names that pass :func:`neo4j_label` /
:func:`neo4j_rel_type` can reach a query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rdflib import URIRef
from rdflib.namespace import DCTERMS, SKOS

from ontology.namespace import INT


@dataclass(frozen=True)
class ClassSpec:
    """One class of entry.

    ``family`` is the top-level YAML key under which entries of this class are written,
    ``prefix`` the id prefix (``risk`` in ``risk:foster-care-placement``), ``parent`` the
    superclass name (``TraffickingType`` is a ``Harm``), ``vocabulary`` whether its entries form a
    SKOS concept scheme.
    """

    name: str
    family: str
    prefix: str
    label: str
    plural: str
    description: str
    parent: str | None = None
    vocabulary: bool = True

    @property
    def iri(self) -> URIRef:
        return INT[self.name]


@dataclass(frozen=True)
class PredicateSpec:
    """One relation: YAML key, IRI, human labels in both directions, allowed domain and range.

    ``evidence`` relations are the risk/overlap/tactic links whose every assertion must carry
    the ids of the Claims behind it. ``symmetric`` relations read the same both ways.
    """

    name: str
    iri: URIRef
    label: str
    inverse_label: str
    domain: tuple[str, ...]
    range: tuple[str, ...]
    evidence: bool = False
    symmetric: bool = False
    description: str = ""


CLASSES: tuple[ClassSpec, ...] = (
    ClassSpec("RiskFactor", "risk_factors", "risk", "Risk factor", "Risk factors",
              "A condition or experience that makes a harm more likely (individual, relationship, "
              "community or societal level)."),
    ClassSpec("Harm", "harms", "harm", "Harm", "Harms",
              "A form of violence, abuse or exploitation."),
    ClassSpec("TraffickingType", "trafficking_types", "harm", "Trafficking type",
              "Trafficking types", "A form or sub-type of human trafficking.", parent="Harm"),
    ClassSpec("ControlTactic", "control_tactics", "tactic", "Control tactic", "Control tactics",
              "A behaviour used to gain or keep power and control over another person."),
    ClassSpec("Indicator", "indicators", "ind", "Indicator", "Indicators",
              "A red flag, a screening question or a context in which a harm may come to light."),
    ClassSpec("Barrier", "barriers", "barrier", "Barrier", "Barriers",
              "A reason a person may stay in, or not leave, a harmful situation."),
    ClassSpec("Setting", "settings", "setting", "Setting", "Settings",
              "An industry or venue in which exploitation takes place."),
    ClassSpec("PerpetratorType", "perpetrator_types", "perp", "Perpetrator type",
              "Perpetrator types", "A kind of person or group that exploits others."),
    ClassSpec("PreventionStrategy", "prevention_strategies", "strat", "Prevention strategy",
              "Prevention strategies", "A category of prevention work, its goal and key factors."),
    ClassSpec("Practice", "practices", "practice", "Practice", "Practices",
              "A survivor-centred principle or engagement technique for practitioners."),
    ClassSpec("Right", "rights", "right", "Right", "Rights",
              "A right or protection that a person experiencing trafficking holds."),
    ClassSpec("Intervention", "interventions", "int", "Intervention", "Interventions",
              "A program, service, law, policy, task force, training or curriculum."),
    ClassSpec("Organization", "organizations", "org", "Organization", "Organizations",
              "An organization that provides, funds or coordinates work.", vocabulary=False),
    ClassSpec("Population", "populations", "pop", "Population", "Populations",
              "A group of people an intervention serves or a finding is about."),
    ClassSpec("Region", "regions", "region", "Region", "Regions",
              "A place: country, state, city or service area."),
    ClassSpec("Collection", "collections", "coll", "Collection", "Collections",
              "A named, ordered set that a document presents as a list (red flags, screening "
              "questions, the seven prevention strategies…), with where it does so.",
              vocabulary=False),
    ClassSpec("Claim", "claims", "claim", "Claim", "Claims",
              "An evidence statement, with its numbers, citations and where it was stated.",
              vocabulary=False),
    ClassSpec("Citation", "citations", "cite", "Citation", "Citations",
              "A bibliographic record; the curated source documents are citations too.",
              vocabulary=False),
)

CLASS_BY_NAME: dict[str, ClassSpec] = {c.name: c for c in CLASSES}
CLASS_BY_FAMILY: dict[str, ClassSpec] = {c.family: c for c in CLASSES}
#: Classes whose nodes are "concepts": everything but the evidence layer.
EVIDENCE_CLASSES = frozenset({"Claim", "Citation"})

_CONCEPTS = tuple(c.name for c in CLASSES if c.name not in EVIDENCE_CLASSES)
_HARMS = ("Harm", "TraffickingType")

PREDICATES: tuple[PredicateSpec, ...] = (
    PredicateSpec("increases_risk_of", INT.increasesRiskOf, "increases risk of",
                  "risk increased by", ("RiskFactor", *_HARMS), _HARMS, evidence=True,
                  description="The subject makes the object harm more likely."),
    PredicateSpec("co_occurs_with", INT.coOccursWith, "co-occurs with", "co-occurs with",
                  _HARMS, _HARMS, evidence=True, symmetric=True,
                  description="The two harms overlap or are often experienced together."),
    PredicateSpec("uses_tactic", INT.usesTactic, "uses tactic", "tactic used in",
                  (*_HARMS, "PerpetratorType"), ("ControlTactic",), evidence=True,
                  description="People who perpetrate the harm use this tactic."),
    PredicateSpec("indicates", INT.indicates, "indicates", "indicated by",
                  ("Indicator",), (*_HARMS, "ControlTactic", "RiskFactor")),
    PredicateSpec("addresses", INT.addresses, "addresses", "addressed by",
                  ("Intervention", "PreventionStrategy", "Practice"),
                  ("RiskFactor", *_HARMS, "Barrier", "ControlTactic")),
    PredicateSpec("implements", INT.implements, "implements", "implemented by",
                  ("Intervention",), ("PreventionStrategy", "Practice")),
    PredicateSpec("serves", INT.serves, "serves", "served by",
                  ("Intervention", "Organization", "PreventionStrategy"), ("Population",)),
    PredicateSpec("operates_in", INT.operatesIn, "operates in", "has",
                  ("Intervention", "Organization"), ("Region",)),
    PredicateSpec("provided_by", INT.providedBy, "provided by", "provides",
                  ("Intervention",), ("Organization",)),
    PredicateSpec("part_of", INT.partOf, "part of", "has part", ("Organization",),
                  ("Organization",)),
    PredicateSpec("occurs_in", INT.occursIn, "occurs in", "setting of", _HARMS, ("Setting",)),
    PredicateSpec("perpetrated_by", INT.perpetratedBy, "perpetrated by", "perpetrates",
                  _HARMS, ("PerpetratorType",)),
    PredicateSpec("hinders_exit_from", INT.hindersExitFrom, "hinders exit from",
                  "exit hindered by", ("Barrier",), _HARMS),
    PredicateSpec("established_by", INT.establishedBy, "established by", "establishes",
                  ("Right",), ("Intervention",)),
    PredicateSpec("applies_to", INT.appliesTo, "applies to", "guided by",
                  ("Practice", "Right"), (*_HARMS, "Population", "Barrier")),
    PredicateSpec("members", INT.hasMember, "has member", "member of", ("Collection",),
                  tuple(c for c in _CONCEPTS if c != "Collection"),
                  description="An item of a collection; the link's 'position' keeps the "
                              "document's order."),
    PredicateSpec("broader", SKOS.broader, "broader", "narrower", _CONCEPTS, _CONCEPTS,
                  description="SKOS hierarchy inside one vocabulary."),
    PredicateSpec("about", DCTERMS.subject, "about", "evidence", ("Claim",), _CONCEPTS),
    PredicateSpec("supported_by", INT.supportedBy, "supported by", "supports", ("Claim",),
                  ("Citation",)),
    PredicateSpec("stated_in", INT.statedIn, "stated in", "states", ("Claim",), ("Citation",)),
)

PREDICATE_BY_NAME: dict[str, PredicateSpec] = {p.name: p for p in PREDICATES}

@dataclass(frozen=True)
class FlagSpec:
    """One evidence-quality flag a claim may carry: short label and what it means for a reader."""

    name: str
    label: str
    explanation: str


#: The one table of claim quality flags. The explorer, the CLI and every export explain a flag
#: with this text; the YAML format, SHACL shapes and quality-gate tests take the names from it.
QUALITY_FLAGS: dict[str, FlagSpec] = {f.name: f for f in (
    FlagSpec("unsourced_figure", "Figure without a source",
             "The document states this figure but gives no source for it; the statement says "
             "so. Check the original before repeating it."),
    FlagSpec("contested", "Contested figure",
             "A widely repeated figure with no study behind it; the claim's note says why. "
             "Do not quote it as a finding."),
    FlagSpec("descriptive", "Descriptive statement",
             "A definition, description or recommendation with no figure in it; there is "
             "nothing to cite beyond the document that says it."),
    FlagSpec("secondary", "Secondary",
             "Reported through another publication, not read in the original study."),
    FlagSpec("dated", "Dated", "Old enough that it may no longer hold; look for newer data."),
    FlagSpec("small_sample", "Small sample",
             "Rests on a small or unrepresentative sample; do not generalise from it."),
)}
#: Flags that let a claim stand without a supporting citation (one of them is required then).
NO_CITATION_FLAGS = ("unsourced_figure", "contested", "descriptive")
#: Flags on a figure whose source is missing: its label and statement must attribute it.
ATTRIBUTED_FLAGS = frozenset({"unsourced_figure", "contested"})
#: Flag names of earlier versions → what a loader turns them into (see loaders.entries).
LEGACY_FLAGS = {"unsourced": "unsourced_figure or descriptive (figure or not)"}


def flag_explanation(flag: str) -> str:
    """``Label: explanation`` of a flag, or the bare name for a flag this table does not know."""
    spec = QUALITY_FLAGS.get(flag)
    return f"{spec.label}: {spec.explanation}" if spec else flag


@dataclass(frozen=True)
class BasisSpec:
    """Why a link is in the graph."""

    name: str
    label: str
    explanation: str


#: The one table of link bases. Every link carries ``basis`` (one of these names).
LINK_BASES: dict[str, BasisSpec] = {b.name: b for b in (
    BasisSpec("stated", "Stated",
              "A source document states this link: the claims on it (or, for a link written "
              "inside an entry, the entry's own sources) say so."),
    BasisSpec("inferred", "Inferred by the curators",
              "No document states this link; the curators drew it, and their note says why. "
              "Paths, Intersections and the gap map can leave such links out."),
)}
EVIDENCE_PREDICATES = frozenset(p.name for p in PREDICATES if p.evidence)
#: Relations that connect the evidence layer (claims, citations) to everything else.
EVIDENCE_LAYER_PREDICATES = frozenset({"about", "supported_by", "stated_in"})
#: Relations that only group things for reading (a collection and its items): shown on a
#: node, but never walked by paths, intersections or the gap map (a list is not a mechanism).
LIST_PREDICATES = frozenset({"members"})

ID_PATTERN = re.compile(r"^(?P<prefix>[a-z]+):(?P<local>[a-z0-9]+(?:[-.][a-z0-9]+)*)$")


def ancestors(class_name: str) -> tuple[str, ...]:
    """The class and its superclasses, most specific first (``TraffickingType``, ``Harm``)."""
    out = []
    spec: ClassSpec | None = CLASS_BY_NAME[class_name]
    while spec is not None:
        out.append(spec.name)
        spec = CLASS_BY_NAME[spec.parent] if spec.parent else None
    return tuple(out)


def is_a(class_name: str, wanted: str | set[str] | frozenset[str] | tuple[str, ...]) -> bool:
    """True when ``class_name`` is ``wanted`` (or one of them) or a subclass of it."""
    wanted_set = {wanted} if isinstance(wanted, str) else set(wanted)
    return any(a in wanted_set for a in ancestors(class_name))


@cache
def subclasses(class_name: str) -> frozenset[str]:
    """The class and every class below it."""
    return frozenset(c.name for c in CLASSES if class_name in ancestors(c.name))


def expand_classes(names: set[str] | list[str] | tuple[str, ...] | None) -> frozenset[str] | None:
    """Turn requested class names into the set that includes their subclasses (None = all)."""
    if not names:
        return None
    out: set[str] = set()
    for n in names:
        if n not in CLASS_BY_NAME:
            import difflib

            lower = {c.name.lower(): c.name for c in CLASSES}
            near = difflib.get_close_matches(str(n).lower(), lower, n=1, cutoff=0.6)
            hint = f"did you mean {lower[near[0]]!r}? " if near else ""
            raise ValueError(
                f"unknown type {n!r}; {hint}known types: {', '.join(c.name for c in CLASSES)}"
            )
        out |= subclasses(n)
    return frozenset(out)


def neo4j_label(class_name: str) -> str:
    """The Neo4j label of a class. Only ontology class names are accepted."""
    if class_name not in CLASS_BY_NAME and class_name != "Entity":
        raise ValueError(f"not an ontology class: {class_name!r}")
    return class_name


def neo4j_labels(class_name: str) -> tuple[str, ...]:
    """All labels a node of this class carries in Neo4j: ``Entity`` plus the class lineage."""
    return ("Entity", *reversed(ancestors(class_name)))


def neo4j_rel_type(predicate: str) -> str:
    """Neo4j relationship type of a predicate: ``increases_risk_of`` → ``INCREASES_RISK_OF``."""
    if predicate not in PREDICATE_BY_NAME:
        raise ValueError(f"not an ontology relation: {predicate!r}")
    return predicate.upper()


def predicate_from_rel_type(rel_type: str) -> str:
    """Inverse of :func:`neo4j_rel_type`."""
    name = rel_type.lower()
    if name not in PREDICATE_BY_NAME:
        raise ValueError(f"not an ontology relationship type: {rel_type!r}")
    return name


def class_for_id(entry_id: str) -> tuple[ClassSpec, ...]:
    """Classes whose prefix matches the id (``harm:`` fits Harm and TraffickingType)."""
    m = ID_PATTERN.match(entry_id)
    if not m:
        return ()
    return tuple(c for c in CLASSES if c.prefix == m["prefix"])


def id_to_iri(entry_id: str) -> URIRef:
    """``risk:foster-care-placement`` → ``https://w3id.org/intersections/id/risk/foster-care-placement``."""
    from ontology.namespace import ID

    prefix, _, local = entry_id.partition(":")
    return ID[f"{prefix}/{local}"]


def iri_to_id(iri: str) -> str | None:
    """Inverse of :func:`id_to_iri`; None for IRIs outside the evidence base."""
    from ontology.namespace import ID

    s = str(iri)
    if not s.startswith(str(ID)):
        return None
    prefix, _, local = s[len(str(ID)):].partition("/")
    return f"{prefix}:{local}" if local else None
