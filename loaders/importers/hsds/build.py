"""HSDS rows → our entries: organizations, interventions (active services), regions.

:class:`HsdsImport` builds the import in steps, one method per HSDS table, each adding problems
(file, row or JSON path, what, how to fix) instead of stopping, so one run lists everything to
fix; :func:`import_hsds` writes the file only when there are none.

Ids derive from the directory name and the HSDS ids (``int:<dir>-<service id>``), so the same
directory imports to the same file every time.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from loaders.entries import CitationEntry, InterventionEntry, OrganizationEntry, RegionEntry
from loaders.errors import Problem, ValidationFailed
from loaders.importers.base import (
    ImportResult,
    build_entry,
    clean_text,
    evidence_dir,
    existing_nodes,
    import_target,
    short_hash,
    slugify,
    write_import,
)
from loaders.importers.hsds.mapping import RELATION_FOR, TaxonomyMapping, load_mapping
from loaders.importers.hsds.rows import (
    HsdsAddress,
    HsdsOrganization,
    HsdsService,
    HsdsServiceArea,
    HsdsServiceAtLocation,
    HsdsTerm,
    HsdsTermLink,
    Located,
)
from loaders.importers.hsds.source import HsdsSource
from loaders.importers.resolve import LabelIndex
from loaders.limits import check_import_size, time_limit
from loaders.text import normalize
from ontology.schema import is_a

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


def _local(hsds_id: str) -> str:
    s = slugify(hsds_id, 200)
    return s if s and len(s) <= 24 else short_hash(hsds_id, length=10)


class HsdsImport:
    """One import of one directory: the source rows, the mapping, and what they become."""

    def __init__(self, src: HsdsSource, path: Path, tmap: TaxonomyMapping, index: LabelIndex,
                 name: str | None) -> None:
        self.src, self.path, self.tmap, self.index = src, path, tmap, index
        self.problems: list[Problem] = list(src.problems)
        self.warnings: list[str] = list(src.warnings)
        self.dir_name = name or src.title or (path.name if path.is_dir() else path.stem)
        self.dslug = slugify(self.dir_name, 30) or "directory"
        self.cite_id = f"cite:hsds-{self.dslug}"
        self.orgs_in = self._unique("organizations")
        self.svcs_in = self._unique("services")
        self.locs_in = self._unique("locations")
        self.terms_in = self._unique("taxonomy_terms")
        self.orgs: dict[str, OrganizationEntry] = {}
        self.org_ids: dict[str, str] = {}
        self.regions: dict[str, RegionEntry] = {}
        self.svc_places: dict[str, list[str]] = defaultdict(list)
        self.svc_notes: dict[str, list[str]] = defaultdict(list)
        self.svc_terms: dict[str, list[HsdsTerm]] = defaultdict(list)
        self.phones: dict[str, list[str]] = defaultdict(list)
        self.interventions: list[InterventionEntry] = []

    # helpers ---------------------------------------------------------------------------
    def src_ref(self, loc: Located) -> list[dict[str, str]]:
        return [{"citation": self.cite_id, "locator": f"{Path(loc.file).name} {loc.record}"}]

    def _unique(self, table: str) -> dict[str, Located]:
        """Rows by HSDS id; the same id twice is fine when the rows agree (nested copies)."""
        out: dict[str, Located] = {}
        for loc in self.src.tables[table]:
            rid = getattr(loc.row, "id", None)
            if rid is None:
                continue
            first = out.get(rid)
            if first is None:
                out[rid] = loc
            elif first.row != loc.row:
                self.problems.append(Problem(loc.file, loc.line, loc.record, "duplicate-id",
                                             f"{table} id {rid!r} also used, with other "
                                             f"values, at {first.record}",
                                             "HSDS ids must be unique within a table"))
        return out

    def citation(self) -> CitationEntry:
        meta = self.src.meta
        return CitationEntry(
            id=self.cite_id, kind="dataset",
            title=self.src.title or f"{self.dir_name} (HSDS service directory)",
            url=clean_text(meta.get("homepage")) if meta else None,
            note=f"Open Referral HSDS directory imported by `intersections import hsds` from "
                 f"{self.path.name}.")

    # one step per table ----------------------------------------------------------------
    def organizations(self) -> None:
        for hid, loc in self.orgs_in.items():
            o: HsdsOrganization = loc.row
            oid = f"org:{self.dslug}-{_local(hid)}"
            self.org_ids[hid] = oid
            if not o.description:
                self.problems.append(Problem(
                    loc.file, loc.line, f"{loc.record}, column 'description'", "hsds-schema",
                    f"organization {o.name!r} has no description",
                    "add one (HSDS requires it for organizations)"))
                continue
            entry = build_entry(OrganizationEntry, {
                "id": oid, "label": o.name,
                "alt_labels": [o.alternate_name] if o.alternate_name else [],
                "definition": o.description, "url": o.website or o.url,
                "sources": self.src_ref(loc)},
                Problem(loc.file, loc.line, loc.record, "schema", ""), self.problems)
            if isinstance(entry, OrganizationEntry):
                self.orgs[oid] = entry

    def _place(self, label: str, kind: str, loc: Located, broader: str | None = None,
               definition: str | None = None) -> str:
        key = normalize(label)
        if key in self.tmap.regions:
            return self.tmap.regions[key]
        hit, _ = self.index.resolve(label, ("Region",))
        if hit:
            return hit
        rid = f"region:{self.dslug}-{slugify(label, 40) or short_hash(label)}"
        if rid not in self.regions:
            what = "Service area" if kind == "service_area" else "Place"
            self.regions[rid] = RegionEntry.model_validate({
                "id": rid, "label": label, "kind": kind, "broader": [broader] if broader else [],
                "definition": definition or f"{what} listed in the directory '{self.dir_name}'.",
                "sources": self.src_ref(loc)})
        return rid

    def _state_region(self, state: str | None) -> str | None:
        if not state:
            return None
        for cand in (state, US_STATES.get(state.upper(), "")):
            if cand and normalize(cand) in self.tmap.regions:
                return self.tmap.regions[normalize(cand)]
            if cand:
                hit, _ = self.index.resolve(cand, ("Region",))
                if hit:
                    return hit
        return None

    def locations(self) -> None:
        """Addresses → places (cities under their state); service-at-locations → service notes."""
        loc_places: dict[str, list[str]] = defaultdict(list)
        loc_text: dict[str, list[str]] = defaultdict(list)
        for a in self.src.tables["addresses"]:
            ad: HsdsAddress = a.row
            state = self._state_region(ad.state_province)
            if ad.city:
                label = f"{ad.city}, {ad.state_province}" if ad.state_province else ad.city
                hit, _ = self.index.resolve(ad.city, ("Region",))
                loc_places[ad.location_id].append(hit or self._place(label, "city", a,
                                                                     broader=state))
            elif state:
                loc_places[ad.location_id].append(state)
            parts = [ad.address_1, ad.city,
                     " ".join(x for x in (ad.state_province, ad.postal_code) if x)]
            loc_text[ad.location_id].append(", ".join(p for p in parts if p))
        for s in self.src.tables["service_at_locations"]:
            sal: HsdsServiceAtLocation = s.row
            if sal.location_id not in self.locs_in:
                self.problems.append(Problem(s.file, s.line, f"{s.record}, column 'location_id'",
                                             "hsds-reference",
                                             f"no location with id {sal.location_id!r}",
                                             "fix the location id"))
                continue
            self.svc_places[sal.service_id].extend(loc_places.get(sal.location_id, []))
            lname = self.locs_in[sal.location_id].row.name
            addr = "; ".join(loc_text.get(sal.location_id, []))
            self.svc_notes[sal.service_id].append(" — ".join(x for x in (lname, addr) if x))

    def service_areas(self) -> None:
        for a in self.src.tables["service_areas"]:
            sa: HsdsServiceArea = a.row
            if sa.service_id and sa.label:
                self.svc_places[sa.service_id].append(
                    self._place(sa.label, "service_area", a, definition=sa.description))

    def taxonomy(self) -> None:
        for link in self.src.links:
            tl: HsdsTermLink = link.row
            term_loc = self.terms_in.get(tl.term_id)
            if term_loc is None:
                self.problems.append(Problem(link.file, link.line, link.record, "hsds-reference",
                                             f"no taxonomy term with id {tl.term_id!r}",
                                             "fix the taxonomy_term_id or add the term"))
                continue
            self.svc_terms[tl.service_id].append(term_loc.row)

    def phone_numbers(self) -> None:
        for p in self.src.tables["phones"]:
            if p.row.service_id:
                self.phones[p.row.service_id].append(p.row.number)

    def services(self) -> None:
        unmapped: dict[str, int] = defaultdict(int)
        inactive, no_description, unlinked = [], [], []
        for hid, loc in self.svcs_in.items():
            s: HsdsService = loc.row
            if s.status and s.status.lower() != "active":
                inactive.append(s.name)
                continue
            if s.organization_id and s.organization_id not in self.orgs_in:
                self.problems.append(Problem(
                    loc.file, loc.line, f"{loc.record}, column 'organization_id'",
                    "hsds-reference", f"no organization with id {s.organization_id!r}",
                    "fix the organization id or add the organization"))
                continue
            if not s.description:
                no_description.append(f"{s.name} ({loc.record})")
                continue
            rel, kind = self._relations(hid, unmapped)
            if not (rel["addresses"] or rel["serves"] or rel["implements"]):
                unlinked.append(s.name)
            self._intervention(hid, loc, s, rel, kind)
        for term, n in sorted(unmapped.items()):
            self.warnings.append(f"taxonomy term {term} (used by {n} service"
                                 f"{'s' if n != 1 else ''}) is not in the mapping file; add it "
                                 "to 'terms:' to place these services on the gap map")
        if inactive:
            self.warnings.append(f"skipped {len(inactive)} services that are not active: "
                                 + ", ".join(inactive))
        if no_description:
            self.warnings.append(f"skipped {len(no_description)} services without a "
                                 "description (our interventions need one): "
                                 + ", ".join(no_description))
        if unlinked:
            self.warnings.append(f"{len(unlinked)} services map to no harm, risk factor, "
                                 "population or strategy: " + ", ".join(unlinked))

    def _relations(self, hid: str,
                   unmapped: dict[str, int]) -> tuple[dict[str, list[str]], str | None]:
        rel: dict[str, list[str]] = {r: [] for r, _ in RELATION_FOR}
        kind = None
        for term in self.svc_terms.get(hid, []):
            ids, known = self.tmap.ids_for(term)
            if not known:
                unmapped[f"{term.name}" + (f" ({term.code})" if term.code else "")] += 1
            for i in ids:
                for r, classes in RELATION_FOR:
                    if is_a(self.index.nodes[i].category, classes):
                        rel[r].append(i)
                        break
            kind = kind or self.tmap.kind_for(term)
        rel["operates_in"].extend(self.svc_places.get(hid, []))
        return rel, kind

    def _intervention(self, hid: str, loc: Located, s: HsdsService,
                      rel: dict[str, list[str]], kind: str | None) -> None:
        contact = " · ".join(x for x in (s.email, *self.phones.get(hid, [])) if x) or None
        notes = self.svc_notes.get(hid)
        data: dict[str, Any] = {
            "id": f"int:{self.dslug}-{_local(hid)}", "label": s.name,
            "alt_labels": [s.alternate_name] if s.alternate_name else [],
            "definition": s.description, "kind": kind or "service", "url": s.url,
            "contact": contact, "sources": self.src_ref(loc),
            "provided_by": [self.org_ids[s.organization_id]] if s.organization_id else [],
            "note": ("Delivered at: " + "; ".join(dict.fromkeys(notes))) if notes else None,
            **{r: list(dict.fromkeys(v)) for r, v in rel.items()}}
        entry = build_entry(InterventionEntry, data,
                            Problem(loc.file, loc.line, loc.record, "schema", ""), self.problems)
        if isinstance(entry, InterventionEntry):
            self.interventions.append(entry)

    def run(self) -> dict[str, list[Any]]:
        """Every step, in order; the families to write (empty when nothing importable)."""
        if not self.svcs_in and not self.orgs_in and not self.problems:
            self.problems.append(Problem(str(self.path), None, None, "empty",
                                         "the directory has no services or organizations",
                                         "check you passed the right folder or file"))
        self.organizations()
        self.locations()
        self.service_areas()
        self.taxonomy()
        self.phone_numbers()
        self.services()
        if not self.interventions and not self.orgs:
            return {}
        return {"citations": [self.citation()],
                "organizations": sorted(self.orgs.values(), key=lambda e: e.id),
                "regions": sorted(self.regions.values(), key=lambda e: e.id),
                "interventions": sorted(self.interventions, key=lambda e: e.id)}


def import_hsds(path: Path | str, mapping: Path | str | None = None,
                evidence: Path | str | None = None, *, name: str | None = None,
                dry_run: bool = False) -> ImportResult:
    """Import an HSDS directory into ``<evidence>/imports/hsds-<name>.yaml``."""
    path = Path(path)
    ev = evidence_dir(evidence)
    target = import_target(ev, "hsds", Path(name) if name else path)
    result = ImportResult("hsds", str(path), target)
    index = LabelIndex(existing_nodes(ev, exclude=[target]).values())
    tmap = load_mapping(Path(mapping) if mapping else None, index)
    check_import_size(path, "HSDS directory")
    with time_limit(path, "HSDS directory"):
        src = HsdsSource(path).load()
    job = HsdsImport(src, path, tmap, index, name)
    families = job.run()
    if job.problems:
        raise ValidationFailed(job.problems, f"HSDS directory {path.name}")
    result.warnings.extend(job.warnings)
    header = (f"Imported by `intersections import hsds` from {path.name} (Open Referral HSDS).\n"
              "Re-running the import rewrites this file; edit the directory or the mapping "
              "file, not this one.")
    return write_import(result, ev, families, header, dry_run=dry_run)
