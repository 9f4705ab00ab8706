"""The evidence-base file format: one pydantic model per YAML family.

A YAML file of the evidence base is a mapping whose keys are family names (``risk_factors``,
``claims``, ``links``…) and whose values are lists of entries. Each family has a model here; its
fields are the keys a curator may write. Relation fields (``broader``, ``implements``…) are named
after the ontology predicate they create, so :func:`relation_fields` can find them generically.
``extra="forbid"`` makes a misspelt key an error that names the key.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ontology.schema import ID_PATTERN, NO_CITATION_FLAGS, PREDICATE_BY_NAME

#: Longest text accepted in any field (a long definition is ~1,000 characters); bounds memory
#: and keeps a pasted 20 MB blob out of the graph.
MAX_TEXT = 10_000
#: Text holds no control characters except tab and newlines (NUL & co. break exports and pages).
#: Checked by the pattern in Rust (a Python validator per field cost ~1 s at 100k entries).
NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

EntryId = Annotated[str, StringConstraints(pattern=ID_PATTERN.pattern)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT,
                                        pattern=NO_CONTROL)]
#: Web addresses: http(s) only — a ``javascript:`` or ``file:`` link must never reach a page.
WebUrl = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000,
                                          pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s<>\"]+$")]

EcologicalLevel = Literal["individual", "relationship", "community", "societal"]
#: Names and meanings live in :data:`ontology.schema.QUALITY_FLAGS` (a test keeps them equal).
QualityFlag = Literal["unsourced_figure", "contested", "descriptive", "secondary", "dated",
                      "small_sample"]
LinkBasis = Literal["stated", "inferred"]
EvidenceKind = Literal[
    "qualitative_interviews",
    "administrative_data",
    "survey",
    "government_report",
    "hotline_data",
    "practice_guidance",
    "literature_review",
    "program_description",
    "legal_text",
    "expert_opinion",
    "unknown",
]
MatchKind = Literal["exact", "close", "broad", "narrow", "related"]
Scheme = Literal["htcds", "ctdc", "polaris-typology", "duluth-wheel", "polaris-wheel",
                 "cdc-social-ecological"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SourceEntry(_Strict):
    """Where a curator read this: a citation id and a locator (``slide 16``, a section title)."""

    citation: EntryId
    locator: Text | None = None


class StatedIn(_Strict):
    """The source document a claim was stated in, and where in it (required)."""

    citation: EntryId
    locator: Text


class Mapping(_Strict):
    """A SKOS mapping to a category of a public standard (HTCDS, CTDC, Polaris, Duluth, CDC)."""

    scheme: Scheme
    code: Text
    match: MatchKind = "close"


class Statistic(_Strict):
    """A number a claim reports, as structured fields."""

    value: float
    value_max: float | None = None
    unit: Literal["percent", "count", "ratio", "per_lifetime", "hours", "years", "sessions",
                  "people", "cases", "contacts", "other"]
    text: Text | None = Field(default=None, description="the figure as written, e.g. '1 in 6'")
    population: Text | None = None
    place: Text | None = None
    period: Text | None = None
    measure: Text | None = Field(default=None, description="what was counted")


class ConceptEntry(_Strict):
    """Fields every vocabulary entry has."""

    id: EntryId
    label: Text
    alt_labels: list[Text] = []
    definition: Text
    sources: list[SourceEntry] = Field(min_length=1)
    broader: list[EntryId] = []
    mappings: list[Mapping] = []
    note: Text | None = None


class RiskFactorEntry(ConceptEntry):
    ecological_level: EcologicalLevel
    increases_risk_of: list[EntryId] = []


class HarmEntry(ConceptEntry):
    occurs_in: list[EntryId] = []
    perpetrated_by: list[EntryId] = []


class TraffickingTypeEntry(HarmEntry):
    pass


class ControlTacticEntry(ConceptEntry):
    pass


class IndicatorEntry(ConceptEntry):
    kind: Literal["red_flag", "screening_question", "identification_context", "vulnerability"]
    indicates: list[EntryId] = []


class BarrierEntry(ConceptEntry):
    hinders_exit_from: list[EntryId] = []


class SettingEntry(ConceptEntry):
    kind: Literal["industry", "venue"] = "industry"


class PerpetratorTypeEntry(ConceptEntry):
    organization_level: int = Field(ge=1, le=5, description="1 = least organized")


class PreventionStrategyEntry(ConceptEntry):
    goal: Text | None = None
    level: Literal["primary", "secondary", "tertiary"] | None = None
    addresses: list[EntryId] = []
    serves: list[EntryId] = []


class PracticeEntry(ConceptEntry):
    kind: Literal["principle", "engagement_technique", "safety_practice", "systems_change"]
    addresses: list[EntryId] = []
    applies_to: list[EntryId] = []


class RightEntry(ConceptEntry):
    established_by: list[EntryId] = []
    applies_to: list[EntryId] = []


class InterventionEntry(ConceptEntry):
    kind: Literal["program", "service", "law", "policy", "task_force", "training", "curriculum",
                  "campaign", "hotline", "resource", "model", "initiative"]
    url: WebUrl | None = None
    contact: Text | None = None
    year: int | None = None
    implements: list[EntryId] = []
    addresses: list[EntryId] = []
    serves: list[EntryId] = []
    operates_in: list[EntryId] = []
    provided_by: list[EntryId] = []


class OrganizationEntry(ConceptEntry):
    kind: Literal["nonprofit", "coalition", "government", "university", "research_center",
                  "business", "network", "funder", "other"] = "other"
    url: WebUrl | None = None
    operates_in: list[EntryId] = []
    serves: list[EntryId] = []
    part_of: list[EntryId] = []


class PopulationEntry(ConceptEntry):
    pass


class RegionEntry(ConceptEntry):
    kind: Literal["country", "state", "county", "city", "tribal_nation", "service_area",
                  "region", "world"] = "region"


class CollectionEntry(ConceptEntry):
    """A named, ordered list a document presents (red flags, screening questions…).

    ``members`` are the entries of the base in the document's order; ``items`` the list's
    entries in the curators' words, for lists that name things the base has no entry for
    (the five actions of Action–Means–Purpose). ``sources`` say where the document lists it.
    """

    members: list[EntryId] = []
    items: list[Text] = []

    @model_validator(mode="after")
    def _not_empty(self) -> CollectionEntry:
        if not self.members and not self.items:
            raise ValueError("a collection lists 'members' (ids) or 'items' (text), or both")
        if len(set(self.members)) != len(self.members):
            raise ValueError("a collection lists each member once")
        return self


class ClaimEntry(_Strict):
    """An evidence statement in the curator's own words, with numbers and provenance."""

    id: EntryId
    statement: Text
    label: Text | None = Field(default=None, description="short title; defaults to the statement")
    about: list[EntryId] = Field(min_length=1)
    supported_by: list[EntryId] = []
    stated_in: StatedIn
    statistics: list[Statistic] = []
    flags: list[QualityFlag] = []
    evidence_kind: EvidenceKind = "unknown"
    note: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _migrate_legacy_flag(cls, data: Any) -> Any:
        """Files written before the flags were split say ``unsourced``: a claim with numbers
        becomes ``unsourced_figure``, one without becomes ``descriptive``."""
        if isinstance(data, dict) and isinstance(data.get("flags"), list) and \
                "unsourced" in data["flags"]:
            new = "unsourced_figure" if data.get("statistics") else "descriptive"
            flags = [new if f == "unsourced" else f for f in data["flags"]]
            data = {**data, "flags": list(dict.fromkeys(flags))}
        return data

    @model_validator(mode="after")
    def _sourced_or_flagged(self) -> ClaimEntry:
        if not self.supported_by and not set(self.flags) & set(NO_CITATION_FLAGS):
            raise ValueError(
                "a claim needs at least one citation in 'supported_by', or one of the flags "
                "'unsourced_figure' (the document gives a figure without a source), "
                "'contested' (a widely repeated figure with no study behind it) or "
                "'descriptive' (no figure, nothing to cite)"
            )
        if "contested" in self.flags and not self.note:
            raise ValueError("a 'contested' claim needs a 'note' saying why it is contested")
        if "descriptive" in self.flags and self.statistics and \
                self.evidence_kind != "program_description":
            raise ValueError(
                "a 'descriptive' claim carries no figure: remove 'statistics' or flag it "
                "'unsourced_figure' (only a program description may give its own numbers)")
        return self


class StudyFacts(_Strict):
    """How a cited study was done, as far as the documents say."""

    design: Text | None = None
    method: Text | None = None
    sample_size: int | None = None
    sample: Text | None = None
    data_collection_period: Text | None = None
    analysis: Text | None = None
    limitations: list[Text] = []


class ListedIn(_Strict):
    """Where a reference is listed (the source document's reference list)."""

    citation: EntryId
    locator: Text | None = None
    number: int | None = None


class CitationEntry(_Strict):
    """A bibliographic record. Source documents set ``document_kind``."""

    id: EntryId
    title: Text
    authors: list[Text] = []
    year: int | None = Field(default=None, ge=1800, le=2100)
    kind: Literal["journal_article", "book", "book_chapter", "report", "government_report",
                  "web_page", "dataset", "thesis", "presentation", "source_document", "other"]
    document_kind: Literal["research_summary", "brief", "training_slides",
                           "training_description", "strategy_sheet", "report"] | None = None
    venue: Text | None = None
    volume: Text | None = None
    issue: Text | None = None
    pages: Text | None = None
    publisher: Text | None = None
    place: Text | None = None
    doi: Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    url: WebUrl | None = None
    note: Text | None = None
    study: StudyFacts | None = None
    listed_in: list[ListedIn] = []
    sources: list[SourceEntry] = []

    @model_validator(mode="after")
    def _document_kind_only_for_documents(self) -> CitationEntry:
        if (self.kind == "source_document") != (self.document_kind is not None):
            raise ValueError(
                "a curated source document has kind 'source_document' and a 'document_kind'; "
                "other citations have neither"
            )
        return self


class LinkEntry(_Strict):
    """A relation written on its own: subject, predicate, object, and its basis.

    ``basis: stated`` (the default) needs what states it: the ``claims`` saying so, or — for a
    structural link a document shows without a claim of its own (a slide listing settings) —
    ``sources`` with a locator. ``basis: inferred`` marks a link no document states: the
    curators drew it, and ``note`` says why.
    """

    subject: EntryId
    predicate: str
    object: EntryId
    claims: list[EntryId] = []
    basis: LinkBasis = "stated"
    sources: list[SourceEntry] = []
    note: Text | None = None

    @model_validator(mode="after")
    def _known_predicate(self) -> LinkEntry:
        if self.predicate not in PREDICATE_BY_NAME:
            raise ValueError(
                f"unknown predicate {self.predicate!r}; use one of: "
                + ", ".join(sorted(PREDICATE_BY_NAME))
            )
        if self.basis == "stated" and not (self.claims or self.sources) and \
                not PREDICATE_BY_NAME[self.predicate].evidence:  # those: 'link-without-evidence'
            raise ValueError(
                "say what the link rests on: 'claims' naming the claims that state it, "
                "'sources' (document and locator) for a link a document shows, or "
                "'basis: inferred' with a 'note' saying why the curators drew it")
        if self.basis == "inferred" and not self.note:
            raise ValueError("an inferred link needs a 'note' saying why the curators drew it")
        return self


#: YAML family key → entry model.
FAMILY_MODELS: dict[str, type[BaseModel]] = {
    "risk_factors": RiskFactorEntry,
    "harms": HarmEntry,
    "trafficking_types": TraffickingTypeEntry,
    "control_tactics": ControlTacticEntry,
    "indicators": IndicatorEntry,
    "barriers": BarrierEntry,
    "settings": SettingEntry,
    "perpetrator_types": PerpetratorTypeEntry,
    "prevention_strategies": PreventionStrategyEntry,
    "practices": PracticeEntry,
    "rights": RightEntry,
    "interventions": InterventionEntry,
    "organizations": OrganizationEntry,
    "populations": PopulationEntry,
    "regions": RegionEntry,
    "collections": CollectionEntry,
    "claims": ClaimEntry,
    "citations": CitationEntry,
    "links": LinkEntry,
}

_COMMON_NODE_FIELDS = {"id", "label", "alt_labels", "definition", "sources", "mappings", "note"}


def relation_fields(model: type[BaseModel]) -> list[str]:
    """Fields of a model that are ontology relations (their values are target ids)."""
    return [f for f in model.model_fields if f in PREDICATE_BY_NAME]


def property_fields(model: type[BaseModel]) -> list[str]:
    """Class-specific attribute fields (not common, not relations)."""
    return [
        f for f in model.model_fields
        if f not in PREDICATE_BY_NAME and f not in _COMMON_NODE_FIELDS
    ]


def dump_value(value: Any) -> Any:
    """Pydantic values → JSON-compatible data (models become dicts without empty keys)."""
    if isinstance(value, BaseModel):
        return {k: dump_value(v) for k, v in value.model_dump(exclude_none=True).items()
                if v not in ([], None)}
    if isinstance(value, list):
        return [dump_value(v) for v in value]
    return value
