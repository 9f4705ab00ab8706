"""Typed HSDS rows: the few fields of each HSDS table the importer uses, and where each was read.

CSV cells and JSON values both pass through these pydantic models (numbers coerced to text,
empty cells to None), so the builder sees one shape whatever the input form was.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

#: File / JSON key names (HSDS 3 and HSDS 2 spellings) → the table they hold.
TABLE_NAMES: dict[str, str] = {
    "organization": "organizations", "organizations": "organizations",
    "service": "services", "services": "services",
    "location": "locations", "locations": "locations",
    "address": "addresses", "addresses": "addresses", "physical_address": "addresses",
    "physical_addresses": "addresses",
    "service_at_location": "service_at_locations", "service_at_locations":
    "service_at_locations", "services_at_location": "service_at_locations",
    "service_area": "service_areas", "service_areas": "service_areas",
    "taxonomy_term": "taxonomy_terms", "taxonomy_terms": "taxonomy_terms",
    "taxonomy": "taxonomy", "taxonomies": "taxonomies",
    "attribute": "attributes", "attributes": "attributes",
    "service_taxonomy": "service_taxonomy", "service_taxonomies": "service_taxonomy",
    "phone": "phones", "phones": "phones",
}


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, coerce_numbers_to_str=True)

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, v: Any) -> Any:
        return None if isinstance(v, str) and not v.strip() else v


class HsdsOrganization(_Row):
    id: str
    name: str
    alternate_name: str | None = None
    description: str | None = None
    website: str | None = None
    url: str | None = None
    email: str | None = None


class HsdsService(_Row):
    id: str
    name: str
    organization_id: str | None = None
    alternate_name: str | None = None
    description: str | None = None
    url: str | None = None
    email: str | None = None
    status: str | None = None


class HsdsLocation(_Row):
    id: str
    name: str | None = None
    organization_id: str | None = None


class HsdsAddress(_Row):
    location_id: str
    address_1: str | None = None
    city: str | None = None
    state_province: str | None = None
    postal_code: str | None = None
    country: str | None = None


class HsdsServiceAtLocation(_Row):
    service_id: str
    location_id: str


class HsdsServiceArea(_Row):
    service_id: str | None = None
    name: str | None = None
    service_area: str | None = None  # HSDS 2
    description: str | None = None

    @property
    def label(self) -> str | None:
        return self.name or self.service_area or self.description


class HsdsTerm(_Row):
    id: str
    name: str
    code: str | None = None
    taxonomy: str | None = None
    vocabulary: str | None = None


class HsdsTermLink(_Row):
    service_id: str
    term_id: str


class HsdsPhone(_Row):
    service_id: str | None = None
    organization_id: str | None = None
    number: str


MODELS: dict[str, type[_Row]] = {
    "organizations": HsdsOrganization, "services": HsdsService, "locations": HsdsLocation,
    "addresses": HsdsAddress, "service_at_locations": HsdsServiceAtLocation,
    "service_areas": HsdsServiceArea, "taxonomy_terms": HsdsTerm, "phones": HsdsPhone,
}


class Located(BaseModel):
    """A typed row and where it was read: file, line (CSV) and record (CSV row or JSON path)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    row: Any
    file: str
    line: int | None
    record: str
