"""Validation of HSDS 3.0 JSON objects against the shipped Open Referral schemas.

The schemas (``loaders/data/hsds-3.0/``, CC BY-SA 4.0) refer to each other by file name
(``"$ref": "phone.json"``); a ``referencing`` registry resolves those offline. Each error names
its JSON path (``$.contents[3].organization.description``).

Errors are split in two: those that touch what the import reads (ids, names, descriptions,
status, links between objects, the nesting itself, and every ``required`` field of the
specification) stop the import; deviations in fields the import never reads (a number sent as
text in ``minimum_age``, say) are reported as warnings, so a directory that is faithful where it
matters still imports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "data" / "hsds-3.0"
#: Object kind → schema file.
SCHEMA_FILES = {"service": "service.json", "organization": "organization.json",
                "service_at_location": "service_at_location.json", "location": "location.json"}
#: Fields the importer reads: a schema error on one of these stops the import.
USED_FIELDS = frozenset({
    "id", "name", "alternate_name", "description", "url", "website", "email", "status",
    "organization_id", "service_id", "location_id", "number", "address_1", "city",
    "state_province", "postal_code", "country", "code", "taxonomy", "taxonomy_term_id",
    "link_id", "link_entity", "link_type", "organization", "location", "service",
    "service_at_locations", "services", "locations", "addresses", "physical_addresses",
    "phones", "service_areas", "attributes", "taxonomy_term", "taxonomy_terms",
})
#: Most schema messages reported per file (the rest are counted).
MAX_REPORTED = 50


@dataclass(frozen=True)
class SchemaIssue:
    path: str  # JSON path, from the file's root
    message: str
    blocking: bool


@cache
def _registry() -> Registry:
    reg: Registry = Registry()
    for p in sorted(SCHEMA_DIR.glob("*.json")):
        contents = json.loads(p.read_text(encoding="utf-8"))
        reg = reg.with_resource(p.name, Resource.from_contents(
            contents, default_specification=DRAFT202012))
    return reg


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": SCHEMA_FILES[kind]}, registry=_registry())


def _json_path(prefix: str, parts: Any) -> str:
    out = prefix
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _is_blocking(err: Any) -> bool:
    if err.validator == "required":
        return True
    names = [p for p in err.absolute_path if isinstance(p, str)]
    if not names:  # the object itself has the wrong shape
        return True
    if err.validator == "type" and err.validator_value in ("object", "array"):
        return True
    return names[-1] in USED_FIELDS


def check(obj: Any, kind: str, at: str) -> list[SchemaIssue]:
    """Every schema error of one HSDS object (``kind`` one of :data:`SCHEMA_FILES`)."""
    issues = []
    for err in sorted(_validator(kind).iter_errors(obj), key=lambda e: list(map(str, e.path))):
        msg = err.message if len(err.message) <= 200 else err.message[:197] + "..."
        issues.append(SchemaIssue(_json_path(at, err.absolute_path), msg, _is_blocking(err)))
    return issues
