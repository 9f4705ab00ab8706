"""Open Referral HSDS service directories (what 211s and community resource directories publish).

Input: the HSDS **CSV data package** (a folder with ``datapackage.json`` and ``organizations.csv``,
``services.csv``, ``locations.csv``, ``addresses.csv``, ``service_at_locations.csv``,
``service_areas.csv``, ``taxonomy_terms.csv``, ``attributes.csv``, ``phones.csv``; HSDS 2 names
such as ``organization.csv``, ``physical_address.csv``, ``service_taxonomy.csv`` are read too) or
its **JSON form** (a list of nested service objects as the HSDS API returns them, a page
``{"contents": [...]}``, or ``{"services": [...], "organizations": [...], ...}`` tables).

Output: Organization, Intervention (one per active service, ``definition`` = the service
description) and Region nodes (service areas, and the cities of service locations under their
state). A small YAML **mapping file** relates the directory's taxonomy terms to our harms, risk
factors, populations and strategies (and to intervention kinds), so a coalition's own directory
feeds the service-gap map; unmapped terms are listed as warnings, not errors.

Ids derive from the directory name and the HSDS ids (``int:<dir>-<service id>``), so the same
directory imports to the same file every time.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from loaders.entries import (
    CitationEntry,
    InterventionEntry,
    OrganizationEntry,
    RegionEntry,
)
from loaders.errors import IntersectionsError, Problem, ValidationFailed
from loaders.importers.base import (
    ImportResult,
    build_entry,
    clean_text,
    evidence_dir,
    existing_nodes,
    import_target,
    read_text,
    short_hash,
    slugify,
    write_import,
)
from loaders.importers.resolve import LabelIndex
from loaders.text import normalize
from loaders.yamlio import line_of, load_yaml, to_plain
from ontology.schema import is_a

KINDS = get_args(InterventionEntry.model_fields["kind"].annotation)
#: relation of an intervention → classes a mapped id may have
RELATION_FOR: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("addresses", ("RiskFactor", "Harm", "Barrier", "ControlTactic")),
    ("serves", ("Population",)),
    ("implements", ("PreventionStrategy", "Practice")),
    ("operates_in", ("Region",)),
)
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
US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico",
}


# --------------------------------------------------------------------------- typed rows
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
    """A typed row and where it was read (file, line, record)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    row: Any
    file: str
    line: int | None
    record: str


# --------------------------------------------------------------------------- reading
class HsdsSource:
    """An HSDS directory (CSV data package folder or JSON file) → typed, located rows."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.problems: list[Problem] = []
        self.tables: dict[str, list[Located]] = defaultdict(list)
        self.links: list[Located] = []
        self.title: str | None = None
        self.meta: dict[str, Any] = {}

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

    def _read_csv(self, name: str, path: Path) -> list[tuple[dict[str, Any], int]]:
        if not path.is_file():
            self.problems.append(Problem(str(path), None, None, "missing-file",
                                         f"datapackage.json lists {path.name}, which is missing",
                                         "add the file or remove it from datapackage.json"))
            return []
        text = read_text(path, "CSV")
        reader = csv.reader(io.StringIO(text))
        try:
            rows = []
            header: list[str] | None = None
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
            return rows
        except csv.Error as exc:
            self.problems.append(Problem(str(path), reader.line_num, None, "csv-syntax",
                                         str(exc), "fix the quoting on this line"))
            return []

    def _load_csv_package(self) -> None:
        files = self._csv_files()
        if "services" not in files:
            raise ValidationFailed([Problem(str(self.path), None, None, "hsds-shape",
                                            "no services.csv in this folder",
                                            "pass the folder of an HSDS CSV data package "
                                            "(datapackage.json, services.csv, "
                                            "organizations.csv, ...)")], "HSDS directory")
        raw: dict[str, list[tuple[dict[str, Any], int]]] = {
            name: self._read_csv(name, p) for name, p in files.items()}
        for name, rows in raw.items():
            for data, line in rows:
                self._add(name, data, str(files[name]), line, f"row {line}")

    # JSON ----------------------------------------------------------------------------
    def _load_json(self) -> None:
        text = read_text(self.path, "JSON")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationFailed([Problem(str(self.path), exc.lineno, None, "json-syntax",
                                            f"{exc.msg} (column {exc.colno})",
                                            "check commas, quotes and brackets")],
                                   "HSDS JSON") from None
        f = str(self.path)
        if isinstance(data, dict) and "contents" in data:
            self.title = clean_text(data.get("title"))
            data = data["contents"]
        if isinstance(data, list):
            for i, svc in enumerate(data):
                self._flatten_service(svc, f, f"[{i}]")
            return
        if isinstance(data, dict) and any(k in TABLE_NAMES for k in data):
            self.title = clean_text(data.get("title") or data.get("name"))
            for key, rows in data.items():
                name = TABLE_NAMES.get(key)
                if name is None:
                    continue
                if not isinstance(rows, list):
                    self.problems.append(Problem(f, None, key, "hsds-shape",
                                                 f"{key!r} must be a list of objects", None))
                    continue
                for i, row in enumerate(rows):
                    self._add(name, row, f, None, f"{key}[{i}]")
            return
        raise ValidationFailed([Problem(f, 1, None, "hsds-shape",
                                        "expected a list of HSDS services, a page with "
                                        "'contents', or an object of HSDS tables",
                                        "export the directory as HSDS JSON")], "HSDS JSON")

    def _flatten_service(self, svc: Any, f: str, at: str) -> None:
        if not isinstance(svc, dict):
            self.problems.append(Problem(f, None, at, "hsds-shape",
                                         "a service must be a JSON object", None))
            return
        sid = svc.get("id")
        org = svc.get("organization")
        if isinstance(org, dict):
            self._add("organizations", org, f, None, f"{at}.organization")
            svc = {**svc, "organization_id": svc.get("organization_id") or org.get("id")}
        self._add("services", svc, f, None, at)
        for key, sub in (("service_areas", "service_areas"), ("phones", "phones")):
            for j, item in enumerate(_as_list(svc.get(key))):
                if isinstance(item, dict):
                    self._add(sub, {**item, "service_id": sid}, f, None, f"{at}.{key}[{j}]")
        for j, sal in enumerate(_as_list(svc.get("service_at_locations"))):
            loc = sal.get("location") if isinstance(sal, dict) else None
            if not isinstance(loc, dict):
                continue
            where = f"{at}.service_at_locations[{j}].location"
            self._add("locations", loc, f, None, where)
            self._add("service_at_locations", {"service_id": sid, "location_id": loc.get("id")},
                      f, None, where)
            for k, addr in enumerate(_as_list(loc.get("addresses")) +
                                     _as_list(loc.get("physical_addresses"))):
                if isinstance(addr, dict):
                    self._add("addresses", {**addr, "location_id": loc.get("id")}, f, None,
                              f"{where}.addresses[{k}]")
        for j, attr in enumerate(_as_list(svc.get("attributes"))):
            term = attr.get("taxonomy_term") if isinstance(attr, dict) else None
            if isinstance(term, dict):
                self._add("taxonomy_terms", term, f, None, f"{at}.attributes[{j}].taxonomy_term")
                self._add_link(sid, term.get("id"), f, None, f"{at}.attributes[{j}]")
        for j, term in enumerate(_as_list(svc.get("taxonomy_terms"))):
            if isinstance(term, dict):
                self._add("taxonomy_terms", term, f, None, f"{at}.taxonomy_terms[{j}]")
                self._add_link(sid, term.get("id"), f, None, f"{at}.taxonomy_terms[{j}]")

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


def _as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


# --------------------------------------------------------------------------- mapping
class TaxonomyMapping(BaseModel):
    """Directory taxonomy terms → our ids and intervention kinds; place names → regions."""

    terms: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    regions: dict[str, str] = {}
    lines: dict[tuple[str, str], int] = {}

    def ids_for(self, term: HsdsTerm) -> tuple[list[str], bool]:
        for key in _term_keys(term):
            if key in self.terms:
                return self.terms[key], True
        return [], False

    def kind_for(self, term: HsdsTerm) -> str | None:
        for key in _term_keys(term):
            if key in self.kinds:
                return self.kinds[key]
        return None


def _term_keys(term: HsdsTerm) -> list[str]:
    return [normalize(k) for k in (term.code, term.id, term.name) if k]


def load_mapping(path: Path | None, index: LabelIndex) -> TaxonomyMapping:
    """Read and check the mapping file: every id must exist and fit the relation it feeds."""
    if path is None:
        return TaxonomyMapping()
    path = Path(path)
    if not path.is_file():
        raise IntersectionsError(f"{path}: no such mapping file — check the --mapping path")
    doc, problems = load_yaml(path, str(path))
    if problems:
        raise ValidationFailed(problems, "taxonomy mapping")
    if doc is None:
        return TaxonomyMapping()
    if not isinstance(doc, dict):
        raise ValidationFailed([Problem(str(path), 1, None, "mapping-shape",
                                        "the mapping file must be a YAML mapping",
                                        "write 'terms:' with 'TERM: [our:id, ...]' under it")],
                               "taxonomy mapping")
    sections = doc if any(k in doc for k in ("terms", "kinds", "regions")) else {"terms": doc}
    for k in sections:
        if k not in ("terms", "kinds", "regions"):
            problems.append(Problem(str(path), line_of(sections, k), str(k), "mapping-shape",
                                    f"unknown section {k!r}", "use terms, kinds, regions"))
    out = TaxonomyMapping()
    allowed = tuple(c for _, cs in RELATION_FOR for c in cs)
    terms = sections.get("terms") or {}
    if not isinstance(terms, dict):
        problems.append(Problem(str(path), line_of(sections, "terms"), "terms", "mapping-shape",
                                "'terms' must map term codes to lists of ids", None))
        terms = {}
    for key, ids in terms.items():
        ln = line_of(terms, key)
        ids = to_plain(ids)
        ids = [ids] if isinstance(ids, str) else ids
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            problems.append(Problem(str(path), ln, str(key), "mapping-shape",
                                    "expected a list of ids", "write [harm:..., pop:...]"))
            continue
        good = []
        for i in ids:
            hit, why = index.resolve(i, allowed)
            if hit is None:
                problems.append(Problem(str(path), ln, str(key), "mapping-id", why or i,
                                        "map terms to harms, risk factors, barriers, tactics, "
                                        "populations, strategies, practices or regions"))
            else:
                good.append(hit)
        out.terms[normalize(str(key))] = good
    kinds = sections.get("kinds") or {}
    for key, kind in (kinds.items() if isinstance(kinds, dict) else ()):
        if kind not in KINDS:
            problems.append(Problem(str(path), line_of(kinds, key), str(key), "mapping-kind",
                                    f"unknown intervention kind {kind!r}",
                                    "use one of: " + ", ".join(KINDS)))
        out.kinds[normalize(str(key))] = str(kind)
    regions = sections.get("regions") or {}
    for key, rid in (regions.items() if isinstance(regions, dict) else ()):
        hit, why = index.resolve(str(rid), ("Region",))
        if hit is None:
            problems.append(Problem(str(path), line_of(regions, key), str(key), "mapping-id",
                                    why or str(rid), "map place names to region ids"))
        else:
            out.regions[normalize(str(key))] = hit
    if problems:
        raise ValidationFailed(problems, "taxonomy mapping")
    return out


# --------------------------------------------------------------------------- building
def _local(hsds_id: str) -> str:
    s = slugify(hsds_id, 200)
    return s if s and len(s) <= 24 else short_hash(hsds_id, length=10)


def import_hsds(path: Path | str, mapping: Path | str | None = None,
                evidence: Path | str | None = None, *, name: str | None = None,
                dry_run: bool = False) -> ImportResult:
    """Import an HSDS directory into ``<evidence>/imports/hsds-<name>.yaml``."""
    path = Path(path)
    ev = evidence_dir(evidence)
    target = import_target(ev, "hsds", Path(name) if name else path)
    result = ImportResult("hsds", str(path), target)
    existing = existing_nodes(ev, exclude=[target])
    index = LabelIndex(existing.values())
    tmap = load_mapping(Path(mapping) if mapping else None, index)
    src = HsdsSource(path).load()
    problems = list(src.problems)
    services = src.tables["services"]
    if not services and not problems:
        problems.append(Problem(str(path), None, None, "empty", "the directory has no services",
                                "check you passed the right folder or file"))
    dir_name = name or src.title or (path.name if path.is_dir() else path.stem)
    dslug = slugify(dir_name, 30) or "directory"
    cite_id = f"cite:hsds-{dslug}"
    citation = CitationEntry(
        id=cite_id, kind="dataset",
        title=src.title or f"{dir_name} (HSDS service directory)",
        url=clean_text(src.meta.get("homepage")) if src.meta else None,
        note=f"Open Referral HSDS directory imported by `intersections import hsds` from "
             f"{path.name}.")

    def src_ref(loc: Located) -> list[dict[str, str]]:
        return [{"citation": cite_id, "locator": f"{Path(loc.file).name} {loc.record}"}]

    def unique(table: str, loc_rows: list[Located]) -> dict[str, Located]:
        out: dict[str, Located] = {}
        for loc in loc_rows:
            rid = getattr(loc.row, "id", None)
            if rid is None:
                continue
            if rid in out:
                first = out[rid]
                if table == "services" or first.row != loc.row:
                    problems.append(Problem(loc.file, loc.line, loc.record, "duplicate-id",
                                            f"{table} id {rid!r} also used at "
                                            f"{first.record}",
                                            "HSDS ids must be unique within a table"))
                continue
            out[rid] = loc
        return out

    orgs_in = unique("organizations", src.tables["organizations"])
    svcs_in = unique("services", services)
    locs_in = unique("locations", src.tables["locations"])
    terms_in = unique("taxonomy_terms", src.tables["taxonomy_terms"])

    # organizations
    orgs: dict[str, OrganizationEntry] = {}
    org_ids: dict[str, str] = {}
    for hid, loc in orgs_in.items():
        o: HsdsOrganization = loc.row
        oid = f"org:{dslug}-{_local(hid)}"
        org_ids[hid] = oid
        if not o.description:
            problems.append(Problem(loc.file, loc.line, f"{loc.record}, column 'description'",
                                    "hsds-schema", f"organization {o.name!r} has no "
                                    "description", "add one (HSDS requires it for "
                                    "organizations)"))
            continue
        entry = build_entry(OrganizationEntry, {
            "id": oid, "label": o.name, "alt_labels": [o.alternate_name] if o.alternate_name
            else [], "definition": o.description, "url": o.website or o.url,
            "sources": src_ref(loc)}, Problem(loc.file, loc.line, loc.record, "schema", ""),
            problems)
        if entry is not None:
            orgs[oid] = entry  # type: ignore[assignment]

    # regions: service areas and location cities
    regions: dict[str, RegionEntry] = {}

    def place(label: str, kind: str, loc: Located, broader: str | None = None,
              definition: str | None = None) -> str:
        key = normalize(label)
        if key in tmap.regions:
            return tmap.regions[key]
        hit, _ = index.resolve(label, ("Region",))
        if hit:
            return hit
        rid = f"region:{dslug}-{slugify(label, 40) or short_hash(label)}"
        if rid not in regions:
            regions[rid] = RegionEntry(
                id=rid, label=label, kind=kind, broader=[broader] if broader else [],
                definition=definition or f"{'Service area' if kind == 'service_area' else 'Place'}"
                f" listed in the directory '{dir_name}'.", sources=src_ref(loc))
        return rid

    def state_region(state: str | None) -> str | None:
        if not state:
            return None
        for cand in (state, US_STATES.get(state.upper(), "")):
            if cand and normalize(cand) in tmap.regions:
                return tmap.regions[normalize(cand)]
            if cand:
                hit, _ = index.resolve(cand, ("Region",))
                if hit:
                    return hit
        return None

    loc_places: dict[str, list[str]] = defaultdict(list)
    loc_text: dict[str, list[str]] = defaultdict(list)
    for a in src.tables["addresses"]:
        ad: HsdsAddress = a.row
        if ad.city:
            state = state_region(ad.state_province)
            label = f"{ad.city}, {ad.state_province}" if ad.state_province else ad.city
            hit, _ = index.resolve(ad.city, ("Region",))
            rid = hit or place(label, "city", a, broader=state)
            loc_places[ad.location_id].append(rid)
        elif ad.state_province and state_region(ad.state_province):
            loc_places[ad.location_id].append(state_region(ad.state_province) or "")
        parts = [ad.address_1, ad.city, " ".join(x for x in (ad.state_province,
                                                              ad.postal_code) if x)]
        loc_text[ad.location_id].append(", ".join(p for p in parts if p))
    svc_places: dict[str, list[str]] = defaultdict(list)
    svc_notes: dict[str, list[str]] = defaultdict(list)
    for s in src.tables["service_at_locations"]:
        sal: HsdsServiceAtLocation = s.row
        if sal.location_id not in locs_in:
            problems.append(Problem(s.file, s.line, f"{s.record}, column 'location_id'",
                                    "hsds-reference", f"no location with id "
                                    f"{sal.location_id!r}", "fix the location id"))
            continue
        svc_places[sal.service_id].extend(loc_places.get(sal.location_id, []))
        lname = locs_in[sal.location_id].row.name
        addr = "; ".join(loc_text.get(sal.location_id, []))
        svc_notes[sal.service_id].append(" — ".join(x for x in (lname, addr) if x))
    for a in src.tables["service_areas"]:
        sa: HsdsServiceArea = a.row
        if sa.service_id and sa.label:
            svc_places[sa.service_id].append(place(sa.label, "service_area", a,
                                                   definition=sa.description))

    # taxonomy
    svc_terms: dict[str, list[HsdsTerm]] = defaultdict(list)
    for link in src.links:
        tl: HsdsTermLink = link.row
        term_loc = terms_in.get(tl.term_id)
        if term_loc is None:
            problems.append(Problem(link.file, link.line, link.record, "hsds-reference",
                                    f"no taxonomy term with id {tl.term_id!r}",
                                    "fix the taxonomy_term_id or add the term"))
            continue
        svc_terms[tl.service_id].append(term_loc.row)
    unmapped: dict[str, int] = defaultdict(int)
    phones: dict[str, list[str]] = defaultdict(list)
    for p in src.tables["phones"]:
        if p.row.service_id:
            phones[p.row.service_id].append(p.row.number)

    interventions: list[InterventionEntry] = []
    skipped_inactive, no_description, unlinked = [], [], []
    for hid, loc in svcs_in.items():
        s: HsdsService = loc.row
        if s.status and s.status.lower() not in ("active",):
            skipped_inactive.append(s.name)
            continue
        if s.organization_id and s.organization_id not in orgs_in:
            problems.append(Problem(loc.file, loc.line, f"{loc.record}, column "
                                    "'organization_id'", "hsds-reference",
                                    f"no organization with id {s.organization_id!r}",
                                    "fix the organization id or add the organization"))
            continue
        if not s.description:
            no_description.append(f"{s.name} ({loc.record})")
            continue
        rel: dict[str, list[str]] = {r: [] for r, _ in RELATION_FOR}
        kind = None
        for term in svc_terms.get(hid, []):
            ids, known = tmap.ids_for(term)
            if not known:
                unmapped[f"{term.name}" + (f" ({term.code})" if term.code else "")] += 1
            for i in ids:
                for r, classes in RELATION_FOR:
                    if is_a(index.nodes[i].category, classes):
                        rel[r].append(i)
                        break
            kind = kind or tmap.kind_for(term)
        rel["operates_in"].extend(svc_places.get(hid, []))
        if not (rel["addresses"] or rel["serves"] or rel["implements"]):
            unlinked.append(s.name)
        contact = " · ".join(x for x in (s.email, *phones.get(hid, [])) if x) or None
        notes = svc_notes.get(hid)
        data = {"id": f"int:{dslug}-{_local(hid)}", "label": s.name,
                "alt_labels": [s.alternate_name] if s.alternate_name else [],
                "definition": s.description, "kind": kind or "service", "url": s.url,
                "contact": contact, "sources": src_ref(loc),
                "provided_by": [org_ids[s.organization_id]] if s.organization_id else [],
                "note": ("Delivered at: " + "; ".join(dict.fromkeys(notes))) if notes else None,
                **{r: list(dict.fromkeys(v)) for r, v in rel.items()}}
        entry = build_entry(InterventionEntry, data,
                            Problem(loc.file, loc.line, loc.record, "schema", ""), problems)
        if entry is not None:
            interventions.append(entry)  # type: ignore[arg-type]
    if problems:
        raise ValidationFailed(problems, f"HSDS directory {path.name}")
    for term, n in sorted(unmapped.items()):
        result.warnings.append(f"taxonomy term {term} (used by {n} service"
                               f"{'s' if n != 1 else ''}) is not in the mapping file; add it "
                               "to 'terms:' to place these services on the gap map")
    if skipped_inactive:
        result.warnings.append(f"skipped {len(skipped_inactive)} services that are not active: "
                               + ", ".join(skipped_inactive))
    if no_description:
        result.warnings.append(f"skipped {len(no_description)} services without a "
                               "description (our interventions need one): "
                               + ", ".join(no_description))
    if unlinked:
        result.warnings.append(f"{len(unlinked)} services map to no harm, risk factor, "
                               "population or strategy: " + ", ".join(unlinked))
    families: dict[str, list[Any]] = {
        "citations": [citation], "organizations": sorted(orgs.values(), key=lambda e: e.id),
        "regions": sorted(regions.values(), key=lambda e: e.id),
        "interventions": sorted(interventions, key=lambda e: e.id)}
    if not interventions and not orgs:
        families = {}
    header = (f"Imported by `intersections import hsds` from {path.name} (Open Referral HSDS).\n"
              "Re-running the import rewrites this file; edit the directory or the mapping "
              "file, not this one.")
    return write_import(result, ev, families, header, dry_run=dry_run)
