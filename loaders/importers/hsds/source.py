"""Read an HSDS directory, in any form the specification defines, into typed, located rows.

Forms accepted:

* the **tabular data package**: a folder with ``datapackage.json`` and one CSV per table
  (HSDS 3 names, and HSDS 2 names such as ``physical_address.csv``, ``service_taxonomy.csv``);
* **JSON as an HSDS 3.0 API returns it**: a single service (``GET /services/{id}``) with its
  nested organization (one object), service areas, phones, attributes and service-at-locations
  (which omit the parent's ids); a single organization (``GET /organizations/{id}``) with nested
  services and locations; a single service-at-location with nested ``service`` and
  ``location``; a paginated list (``{"total_items": …, "contents": [...]}``) of any of these, a
  list of such pages, or a plain list; and an object of tables (``{"services": [...], …}``).

Each JSON object is validated against the shipped HSDS 3.0 schemas
(:mod:`loaders.importers.hsds.schemas`); problems name the JSON path. Children inherit the
parent's id where the API leaves it out (an organization's services get its id as
``organization_id``; a service's service-at-locations get its id as ``service_id``).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from loaders.errors import IntersectionsError, Problem, ValidationFailed
from loaders.importers.base import clean_text, read_json, read_text
from loaders.importers.hsds import schemas
from loaders.importers.hsds.rows import MODELS, TABLE_NAMES, HsdsTermLink, Located

PAGE_KEYS = frozenset({"contents", "total_items", "total_pages", "page_number", "size",
                       "first_page", "last_page", "empty"})


def _as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def kind_of(obj: dict[str, Any]) -> str | None:
    """Which HSDS object this is: service, organization or service_at_location (None: unknown).

    Services are the only objects with a ``status`` (required by HSDS 3.0); a
    service-at-location carries a nested ``service``/``location`` or both link ids; an
    organization has a description and no status, or organization-only fields.
    """
    if isinstance(obj.get("service"), dict) or isinstance(obj.get("location"), dict) or (
            "service_id" in obj and "location_id" in obj and "name" not in obj):
        return "service_at_location"
    if "status" in obj or "service_at_locations" in obj or isinstance(obj.get("organization"),
                                                                      dict):
        return "service"
    if "services" in obj or any(k in obj for k in (
            "tax_status", "tax_id", "year_incorporated", "legal_status", "website",
            "organization_identifiers", "parent_organization_id")):
        return "organization"
    if "name" in obj and "description" in obj and "organization_id" not in obj:
        return "organization"
    return None


class HsdsSource:
    """An HSDS directory (CSV data package folder or JSON file) → typed, located rows."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.tables: dict[str, list[Located]] = defaultdict(list)
        self.links: list[Located] = []
        self.title: str | None = None
        self.meta: dict[str, Any] = {}
        self._schema_notes: list[str] = []
        self._schema_blocking = 0

    # CSV package ---------------------------------------------------------------------
    def _csv_files(self) -> dict[str, Path]:
        files: dict[str, Path] = {}
        pkg = self.path / "datapackage.json"
        if pkg.is_file():
            try:
                meta = json.loads(read_text(pkg, "datapackage.json"))
            except json.JSONDecodeError as exc:
                raise ValidationFailed([Problem(str(pkg), exc.lineno, None, "json-syntax",
                                                exc.msg, "fix the JSON syntax")],
                                       "HSDS data package") from None
            if not isinstance(meta, dict):
                raise ValidationFailed([Problem(str(pkg), 1, None, "datapackage",
                                                "datapackage.json must be a JSON object",
                                                None)], "HSDS data package")
            self.meta = meta
            self.title = clean_text(meta.get("title") or meta.get("name"))
            for res in meta.get("resources") or []:
                if isinstance(res, dict) and isinstance(res.get("path"), str):
                    name = TABLE_NAMES.get(str(res.get("name", "")).lower()) or \
                        TABLE_NAMES.get(Path(res["path"]).stem.lower())
                    p = (self.path / res["path"]).resolve()
                    if name and self.path.resolve() in p.parents:
                        files.setdefault(name, p)
        for p in sorted(self.path.glob("*.csv")):
            name = TABLE_NAMES.get(p.stem.lower())
            if name:
                files.setdefault(name, p)
        return files

    def _read_csv(self, path: Path) -> list[tuple[dict[str, Any], int]]:
        if not path.is_file():
            self.problems.append(Problem(str(path), None, None, "missing-file",
                                         f"datapackage.json lists {path.name}, which is missing",
                                         "add the file or remove it from datapackage.json"))
            return []
        reader = csv.reader(io.StringIO(read_text(path, "CSV")))
        rows: list[tuple[dict[str, Any], int]] = []
        header: list[str] | None = None
        try:
            for values in reader:
                if header is None:
                    header = [h.strip().lower() for h in values]
                    continue
                if not any(v.strip() for v in values):
                    continue
                if len(values) > len(header):
                    self.problems.append(Problem(str(path), reader.line_num, None, "csv-shape",
                                                 f"{len(values)} cells but {len(header)} "
                                                 "columns", "quote cells that contain commas"))
                    continue
                rows.append((dict(zip(header, values, strict=False)), reader.line_num))
        except csv.Error as exc:
            self.problems.append(Problem(str(path), reader.line_num, None, "csv-syntax",
                                         str(exc), "fix the quoting on this line"))
            return []
        return rows

    def _load_csv_package(self) -> None:
        files = self._csv_files()
        if "services" not in files and "organizations" not in files:
            raise ValidationFailed([Problem(str(self.path), None, None, "hsds-shape",
                                            "no services.csv or organizations.csv in this "
                                            "folder",
                                            "pass the folder of an HSDS CSV data package "
                                            "(datapackage.json, services.csv, "
                                            "organizations.csv, ...)")], "HSDS directory")
        for name, p in files.items():
            for data, line in self._read_csv(p):
                self._add(name, data, str(p), line, f"row {line}")

    # JSON ----------------------------------------------------------------------------
    def _load_json(self) -> None:
        data = read_json(self.path, "HSDS JSON")
        f = str(self.path)
        if isinstance(data, dict) and isinstance(data.get("contents"), list):
            self._page(data, f, "$")
        elif isinstance(data, list):
            self._items(data, f, "$")
        elif isinstance(data, dict) and "id" in data and kind_of(data):
            self._object(data, f, "$")
        elif isinstance(data, dict) and any(isinstance(data.get(k), list)
                                            for k in TABLE_NAMES):
            self.title = clean_text(data.get("title") or data.get("name"))
            for key, rows in data.items():
                name = TABLE_NAMES.get(key)
                if name is None:
                    continue
                if not isinstance(rows, list):
                    self.problems.append(Problem(f, None, f"$.{key}", "hsds-shape",
                                                 f"{key!r} must be a list of objects", None))
                    continue
                for i, row in enumerate(rows):
                    self._add(name, row, f, None, f"$.{key}[{i}]")
        else:
            raise ValidationFailed([Problem(
                f, 1, "$", "hsds-shape",
                "not an HSDS 3.0 response: expected a service, organization or "
                "service-at-location object, a page of them ({\"contents\": [...]}), a list, "
                "or an object of HSDS tables",
                "export the directory as HSDS JSON (the API's /services, /organizations or "
                "/service_at_locations responses) or as the CSV data package")], "HSDS JSON")
        self._fold_schema_notes()

    def _page(self, page: dict[str, Any], f: str, at: str) -> None:
        self.title = self.title or clean_text(page.get("title"))
        total_pages = page.get("total_pages")
        number = page.get("page_number")
        if isinstance(total_pages, int) and total_pages > 1:
            self.warnings.append(
                f"{at}: page {number} of {total_pages} ({len(page['contents'])} of "
                f"{page.get('total_items', '?')} items): only this page is imported; save every "
                "page into one JSON list of pages to import the whole directory")
        self._items(page["contents"], f, f"{at}.contents")

    def _items(self, items: list[Any], f: str, at: str) -> None:
        for i, item in enumerate(items):
            where = f"{at}[{i}]"
            if isinstance(item, dict) and isinstance(item.get("contents"), list) and \
                    PAGE_KEYS.issuperset(k for k in item if k != "title"):
                self._page(item, f, where)
            elif isinstance(item, dict):
                self._object(item, f, where)
            else:
                self.problems.append(Problem(f, None, where, "hsds-shape",
                                             "a list item must be an HSDS object", None))

    def _object(self, obj: dict[str, Any], f: str, at: str) -> None:
        kind = kind_of(obj)
        if kind is None:
            self.problems.append(Problem(
                f, None, at, "hsds-shape",
                "cannot tell which HSDS object this is (no status, nested service/location, or "
                "organization fields)", "services need 'status'; organizations 'description'"))
            return
        self._validate(obj, kind, f, at)
        if kind == "service":
            self._service(obj, f, at)
        elif kind == "organization":
            self._organization(obj, f, at)
        else:
            self._service_at_location(obj, f, at)

    def _validate(self, obj: dict[str, Any], kind: str, f: str, at: str) -> None:
        for issue in schemas.check(obj, kind, at):
            if issue.blocking:
                self._schema_blocking += 1
                if self._schema_blocking <= schemas.MAX_REPORTED:
                    self.problems.append(Problem(f, None, issue.path, "hsds-schema",
                                                 issue.message, "make the object match the "
                                                 "HSDS 3.0 schema for this field"))
            else:
                self._schema_notes.append(f"{issue.path}: {issue.message}")

    def _fold_schema_notes(self) -> None:
        if self._schema_blocking > schemas.MAX_REPORTED:
            self.problems.append(Problem(str(self.path), None, None, "hsds-schema",
                                         f"{self._schema_blocking - schemas.MAX_REPORTED} more "
                                         "schema errors not listed", None))
        if self._schema_notes:
            shown = "; ".join(self._schema_notes[:5])
            more = len(self._schema_notes) - 5
            self.warnings.append(
                f"{len(self._schema_notes)} HSDS schema deviations in fields this import does "
                f"not read (kept as they are): {shown}" + (f"; and {more} more" if more > 0
                                                          else ""))

    def _service(self, svc: dict[str, Any], f: str, at: str,
                 organization_id: str | None = None) -> None:
        sid = svc.get("id")
        org = svc.get("organization")
        org_id = svc.get("organization_id") or organization_id
        if isinstance(org, dict):
            self._organization(org, f, f"{at}.organization", with_children=False)
            org_id = org_id or org.get("id")
        self._add("services", {**svc, "organization_id": org_id}, f, None, at)
        for key in ("service_areas", "phones"):
            for j, item in enumerate(_as_list(svc.get(key))):
                if isinstance(item, dict):
                    self._add(key, {**item, "service_id": sid}, f, None, f"{at}.{key}[{j}]")
        for j, sal in enumerate(_as_list(svc.get("service_at_locations"))):
            if isinstance(sal, dict):
                self._sal_link(sal, sid, f, f"{at}.service_at_locations[{j}]")
        self._terms(svc, sid, f, at)

    def _terms(self, svc: dict[str, Any], sid: Any, f: str, at: str) -> None:
        for j, attr in enumerate(_as_list(svc.get("attributes"))):
            term = attr.get("taxonomy_term") if isinstance(attr, dict) else None
            if isinstance(term, dict):
                self._add("taxonomy_terms", term, f, None, f"{at}.attributes[{j}].taxonomy_term")
                self._add_link(sid, term.get("id"), f, None, f"{at}.attributes[{j}]")
            elif isinstance(attr, dict) and attr.get("taxonomy_term_id"):
                self._add_link(sid, attr["taxonomy_term_id"], f, None, f"{at}.attributes[{j}]")
        for j, term in enumerate(_as_list(svc.get("taxonomy_terms"))):
            if isinstance(term, dict):
                self._add("taxonomy_terms", term, f, None, f"{at}.taxonomy_terms[{j}]")
                self._add_link(sid, term.get("id"), f, None, f"{at}.taxonomy_terms[{j}]")

    def _organization(self, org: dict[str, Any], f: str, at: str, *,
                      with_children: bool = True) -> None:
        self._add("organizations", org, f, None, at)
        if not with_children:
            return
        oid = org.get("id")
        for j, svc in enumerate(_as_list(org.get("services"))):
            if isinstance(svc, dict):
                self._validate(svc, "service", f, f"{at}.services[{j}]")
                self._service(svc, f, f"{at}.services[{j}]", organization_id=oid)
        for j, loc in enumerate(_as_list(org.get("locations"))):
            if isinstance(loc, dict):
                self._location({**loc, "organization_id": loc.get("organization_id") or oid},
                               f, f"{at}.locations[{j}]")

    def _service_at_location(self, sal: dict[str, Any], f: str, at: str) -> None:
        svc = sal.get("service")
        sid = sal.get("service_id")
        if isinstance(svc, dict):
            self._validate(svc, "service", f, f"{at}.service")
            self._service(svc, f, f"{at}.service")
            sid = sid or svc.get("id")
        self._sal_link(sal, sid, f, at)

    def _sal_link(self, sal: dict[str, Any], service_id: Any, f: str, at: str) -> None:
        """One service-at-location: its location (nested or by id) and the link to the service."""
        sid = sal.get("service_id") or service_id
        loc = sal.get("location")
        lid = sal.get("location_id")
        if isinstance(loc, dict):
            self._location(loc, f, f"{at}.location")
            lid = lid or loc.get("id")
        if lid is None:
            return  # a service-at-location with neither a location nor its id places nothing
        self._add("service_at_locations", {"service_id": sid, "location_id": lid}, f, None, at)

    def _location(self, loc: dict[str, Any], f: str, at: str) -> None:
        self._add("locations", loc, f, None, at)
        for k, addr in enumerate(_as_list(loc.get("addresses")) +
                                 _as_list(loc.get("physical_addresses"))):
            if isinstance(addr, dict):
                self._add("addresses", {**addr, "location_id": loc.get("id")}, f, None,
                          f"{at}.addresses[{k}]")

    # shared --------------------------------------------------------------------------
    def _add(self, name: str, data: Any, file: str, line: int | None, record: str) -> None:
        if not isinstance(data, dict):
            self.problems.append(Problem(file, line, record, "hsds-shape",
                                         "a record must be an object", None))
            return
        if name == "attributes":
            entity = str(data.get("link_entity") or data.get("link_type") or "service").lower()
            if entity == "service":
                self._add_link(data.get("link_id") or data.get("service_id"),
                               data.get("taxonomy_term_id"), file, line, record)
            return
        if name == "service_taxonomy":
            self._add_link(data.get("service_id"), data.get("taxonomy_id") or
                           data.get("taxonomy_term_id"), file, line, record)
            return
        if name == "taxonomy":  # HSDS 2: the taxonomy table holds the terms
            name = "taxonomy_terms"
        model = MODELS.get(name)
        if model is None:
            return
        try:
            row = model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                col = ".".join(str(x) for x in err["loc"])
                what = "is missing or empty" if err["type"] == "missing" or \
                    err.get("input", "") is None else err["msg"]
                self.problems.append(Problem(file, line, f"{record}, column {col!r}",
                                             "hsds-schema", f"{name}: {col} {what}",
                                             f"fill in '{col}' (required by HSDS)"))
            return
        self.tables[name].append(Located(row=row, file=file, line=line, record=record))

    def _add_link(self, service_id: Any, term_id: Any, file: str, line: int | None,
                  record: str) -> None:
        if not service_id or not term_id:
            self.problems.append(Problem(file, line, record, "hsds-schema",
                                         "taxonomy link without service id or term id",
                                         "fill in link_id and taxonomy_term_id"))
            return
        self.links.append(Located(row=HsdsTermLink(service_id=str(service_id),
                                                   term_id=str(term_id)),
                                  file=file, line=line, record=record))

    def load(self) -> HsdsSource:
        if self.path.is_dir():
            self._load_csv_package()
        elif self.path.suffix.lower() == ".json":
            self._load_json()
        elif not self.path.exists():
            raise IntersectionsError(f"{self.path}: no such file or folder — check the path")
        else:
            raise IntersectionsError(f"{self.path}: pass an HSDS CSV data package folder or an "
                                     "HSDS .json file")
        return self
