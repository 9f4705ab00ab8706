"""Typed records every source yields and every writer consumes.

Sources (the YAML evidence base, bibliographies, service directories…) turn their input into
:class:`NodeRecord` and :class:`EdgeRecord`; writers (networkx, RDF, Neo4j, GraphML, CSV) only ever
see these. Values in ``properties`` are JSON-compatible (str, int, float, bool, lists and dicts of
those) so every writer can store them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SourceRef(BaseModel):
    """Where an entry comes from: a citation id and a locator inside it (slide, section, page)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    citation: str
    locator: str | None = None


class NodeRecord(BaseModel):
    """One entry of the evidence base as a graph node."""

    model_config = ConfigDict(frozen=True)

    id: str
    category: str
    label: str
    alt_labels: tuple[str, ...] = ()
    definition: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    sources: tuple[SourceRef, ...] = ()
    #: where the entry was written (``file:line``), for messages; not part of the data.
    origin: str | None = Field(default=None, exclude=True)

    def as_attrs(self) -> dict[str, Any]:
        """Flat attribute dict (what the embedded graph stores on a node)."""
        return {
            "category": self.category,
            "label": self.label,
            "alt_labels": list(self.alt_labels),
            "definition": self.definition,
            "sources": [s.model_dump() for s in self.sources],
            **self.properties,
        }


class EdgeRecord(BaseModel):
    """One relation between two entries; ``claims`` are the Claims that support it."""

    model_config = ConfigDict(frozen=True)

    subject: str
    predicate: str
    object: str
    claims: tuple[str, ...] = ()
    properties: dict[str, Any] = Field(default_factory=dict)
    origin: str | None = Field(default=None, exclude=True)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.subject, self.predicate, self.object)


Record = NodeRecord | EdgeRecord

_set = object.__setattr__


def trusted(cls: type, values: dict[str, Any]) -> Any:
    """A frozen record from values that passed every check already (no second validation).

    For the loader's internal copies of validated entries and for the base cache: at 100k
    nodes pydantic re-validating a million records cost seconds for nothing. ``values`` must
    hold every field, with the field's type (tuples, not lists). Equal to the validated
    record (``==``, ``model_dump``); ``model_fields_set`` is every field.
    """
    obj: Any = _new(cls)
    _set_dict(obj, values)
    # every field is set, so one set per class serves all its records (pydantic copies it
    # before changing it in model_copy; frozen records never add to it): ~200 MB at 100k nodes
    fields = _ALL_SET.get(cls)
    if fields is None:
        fields = _ALL_SET[cls] = set(values)
    _set_fields(obj, fields)
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


_ALL_SET: dict[type, set[str]] = {}
_new = object.__new__


def _slot_setter(name: str) -> Any:
    """The setter of one of BaseModel's slots, called directly (half the time per record of
    ``object.__setattr__``, which looks the slot up again each call)."""
    try:
        return BaseModel.__dict__[name].__set__
    except (KeyError, AttributeError):  # pragma: no cover - another pydantic layout
        return lambda obj, value: _set(obj, name, value)


_set_dict, _set_fields, _set_extra, _set_private = (
    _slot_setter(n) for n in ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__",
                              "__pydantic_private__"))


def node_record(id: str, category: str, label: str, alt_labels: tuple[str, ...],  # noqa: A002
                definition: str | None, properties: dict[str, Any],
                sources: tuple[SourceRef, ...], origin: str | None) -> NodeRecord:
    """:func:`trusted` NodeRecord with every field named (a typo is a TypeError here)."""
    rec: NodeRecord = trusted(NodeRecord, {
        "id": id, "category": category, "label": label, "alt_labels": alt_labels,
        "definition": definition, "properties": properties, "sources": sources,
        "origin": origin})
    return rec


def edge_record(subject: str, predicate: str, obj: str, claims: tuple[str, ...],
                properties: dict[str, Any], origin: str | None) -> EdgeRecord:
    """:func:`trusted` EdgeRecord with every field named."""
    rec: EdgeRecord = trusted(EdgeRecord, {
        "subject": subject, "predicate": predicate, "object": obj, "claims": claims,
        "properties": properties, "origin": origin})
    return rec


def source_ref(citation: str, locator: str | None) -> SourceRef:
    ref: SourceRef = trusted(SourceRef, {"citation": citation, "locator": locator})
    return ref
