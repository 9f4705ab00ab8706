"""The planners' program spreadsheet (CSV or XLSX): one row per program, in and out.

Columns (header names are matched loosely: case, spaces and underscores do not matter):

========== ======== ============================================================================
column     required what it holds
========== ======== ============================================================================
name       yes      the program's name
description yes     one or two sentences: what the program does (our definition)
kind       no       program (default), service, hotline, training, curriculum, campaign, law…
provider   no       the organization that runs it (existing label/id, or a new name)
strategies no       prevention strategies / practices it implements (labels or ids, ``;``-list)
addresses  no       harms and risk factors it addresses (labels or ids, ``;``-list)
populations no      populations it serves (labels or ids, ``;``-list)
regions    no       where it operates (existing label/id, or a new place name)
url        no       contact / website URL
contact    no       phone, email or contact person
year       no       year started
id         no       keep an id across renames (default ``int:<slug of name>``)
========== ======== ============================================================================

Every problem names the file, the row and the column (letter and name) and how to fix it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict

from loaders import csvsafe
from loaders.entries import (
    CitationEntry,
    InterventionEntry,
    OrganizationEntry,
    RegionEntry,
    SourceEntry,
)
from loaders.errors import IntersectionsError, Problem, ValidationFailed
from loaders.importers.base import (
    ImportResult,
    atomic_write,
    build_entry,
    clean_text,
    evidence_dir,
    existing_nodes,
    file_mode,
    import_target,
    make_id,
    read_text,
    slugify,
    write_import,
)
from loaders.importers.resolve import LabelIndex
from loaders.limits import MB, check_import_size, max_import_bytes, max_sheet_rows, time_limit
from loaders.text import normalize
from loaders.workspace import check_writable

COLUMNS: tuple[str, ...] = ("name", "description", "kind", "provider", "strategies",
                            "addresses", "populations", "regions", "url", "contact", "year",
                            "id")
REQUIRED = ("name", "description")
HELP: dict[str, str] = {
    "name": "Program name (required).",
    "description": "What the program does, in one or two sentences (required).",
    "kind": "One of: " + ", ".join(get_args(InterventionEntry.model_fields["kind"].annotation))
            + " (default: program).",
    "provider": "Organization that runs it: a name from the Lists sheet, or a new name.",
    "strategies": "Prevention strategies or practices it implements; separate several with ;",
    "addresses": "Harms and risk factors it addresses; separate several with ;",
    "populations": "Populations it serves; separate several with ;",
    "regions": "Where it operates: a place from the Lists sheet, or a new place name.",
    "url": "Contact or website URL.",
    "contact": "Phone, email or contact person.",
    "year": "Year the program started.",
    "id": "Optional stable id (int:...). Leave empty to derive it from the name.",
}
ALIASES: dict[str, str] = {
    "program": "name", "program name": "name", "title": "name",
    "definition": "description", "summary": "description",
    "type": "kind", "program type": "kind",
    "organization": "provider", "provided by": "provider", "organisation": "provider",
    "strategy": "strategies", "prevention strategy": "strategies",
    "implements": "strategies",
    "harms risk factors addressed": "addresses", "harms risk factors": "addresses",
    "harms": "addresses", "risk factors": "addresses", "harms addressed": "addresses",
    "population": "populations", "serves": "populations", "populations served": "populations",
    "region": "regions", "operates in": "regions", "area": "regions", "service area": "regions",
    "contact url": "url", "website": "url", "link": "url",
    "email": "contact", "phone": "contact", "year started": "year",
}
LIST_SEP = re.compile(r"\s*[;\n]\s*")
KINDS = get_args(InterventionEntry.model_fields["kind"].annotation)
#: column → (relation field, accepted classes)
LINK_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "strategies": ("implements", ("PreventionStrategy", "Practice")),
    "addresses": ("addresses", ("RiskFactor", "Harm", "Barrier", "ControlTactic")),
    "populations": ("serves", ("Population",)),
}


class SheetRow(BaseModel):
    """One data row as read (cells are stripped strings), with its position."""

    model_config = ConfigDict(str_strip_whitespace=True)
    row: int
    cells: dict[str, str]
    letters: dict[str, str]


def _col_letter(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


class SheetSource:
    """A CSV or XLSX program sheet → :class:`SheetRow` (header mapped to canonical columns)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.problems: list[Problem] = []

    def _table(self) -> list[list[Any]]:
        suffix = self.path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            return self._xlsx()
        if suffix in (".csv", ".txt", ".tsv"):
            text = read_text(self.path, "CSV")
            try:
                dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel  # type: ignore[assignment]
            try:
                return list(csv.reader(io.StringIO(text), dialect))
            except csv.Error as exc:
                raise ValidationFailed([Problem(str(self.path), None, None, "csv-syntax",
                                                str(exc), "save the sheet again as CSV")],
                                       "program sheet") from None
        raise IntersectionsError(f"{self.path}: unsupported sheet type {suffix!r} — use .csv "
                                 "or .xlsx")

    def _xlsx(self) -> list[list[Any]]:
        """Rows of the workbook, bounded: file size, unpacked size, rows; XML via defusedxml."""
        from zipfile import BadZipFile, ZipFile

        import openpyxl
        import openpyxl.xml

        if not self.path.is_file():
            raise IntersectionsError(f"{self.path}: no such file — check the path")
        if not openpyxl.xml.DEFUSEDXML:
            raise IntersectionsError("reading .xlsx needs the defusedxml package (it blocks XML "
                                     "entity attacks) — pip install defusedxml, or save the "
                                     "sheet as CSV")
        check_import_size(self.path, "program sheet")

        def bad(msg: str, hint: str = "save it from Excel/LibreOffice as .xlsx") -> Any:
            return ValidationFailed([Problem(str(self.path), None, None, "xlsx", msg, hint)],
                                    "program sheet")

        try:
            with ZipFile(self.path) as zf:
                unpacked = sum(i.file_size for i in zf.infolist())
        except (BadZipFile, OSError, ValueError) as exc:
            raise bad(f"not a readable Excel workbook ({exc})") from None
        if unpacked > 8 * max_import_bytes():
            raise bad(f"the workbook unpacks to {unpacked // MB} MB, over the "
                      f"{8 * max_import_bytes() // MB} MB limit",
                      "split it into smaller sheets, or raise INTERSECTIONS_MAX_IMPORT_MB") \
                from None
        max_rows = max_sheet_rows()
        try:
            wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
            try:
                ws = wb["Programs"] if "Programs" in wb.sheetnames else wb.worksheets[0]
                out: list[list[Any]] = []
                for r in ws.iter_rows(values_only=True):
                    if len(out) > max_rows:
                        raise bad(f"the sheet has more than {max_rows:,} rows",
                                  "split it, or raise INTERSECTIONS_MAX_SHEET_ROWS")
                    out.append(list(r))
                return out
            finally:
                wb.close()
        except ValidationFailed:
            raise
        except (BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError,
                SyntaxError, RecursionError) as exc:
            # defusedxml's DTDForbidden/EntitiesForbidden are ValueErrors; expat's are SyntaxErrors
            cause: BaseException | None = exc
            while cause is not None:
                if type(cause).__name__.endswith("Forbidden"):
                    raise bad(f"the workbook's XML declares a DTD or entities "
                              f"({type(cause).__name__}); refused for safety",
                              "open it in Excel/LibreOffice and save it again as .xlsx") \
                        from None
                cause = cause.__cause__ or cause.__context__
            raise bad(f"not a readable Excel workbook ({type(exc).__name__}: "
                      f"{str(exc).splitlines()[0][:200]})") from None

    def rows(self) -> Iterator[SheetRow]:
        table = self._table()
        header_at = next((i for i, r in enumerate(table)
                          if any(c not in (None, "") for c in r)), None)
        if header_at is None:
            self.problems.append(Problem(str(self.path), 1, None, "empty",
                                         "the sheet has no header row",
                                         "start from the template: programs-template.csv"))
            return
        columns: dict[int, str] = {}
        for i, raw in enumerate(table[header_at]):
            key = normalize(str(raw or ""))
            col = key.replace(" ", "_") if key.replace(" ", "_") in COLUMNS else \
                ALIASES.get(key)
            if col and col not in columns.values():
                columns[i] = col
            elif key:
                self.problems.append(Problem(
                    str(self.path), header_at + 1, None, "unknown-column",
                    f"column {_col_letter(i)} {str(raw)!r} is not a template column",
                    "use: " + ", ".join(COLUMNS) + " (or delete the column)"))
        missing = [c for c in REQUIRED if c not in columns.values()]
        if missing:
            self.problems.append(Problem(str(self.path), header_at + 1, None, "missing-column",
                                         "no column " + ", ".join(repr(m) for m in missing),
                                         "add the column to the header row"))
            return
        for r, values in enumerate(table[header_at + 1:], start=header_at + 2):
            cells = {col: csvsafe.restore(clean_text(values[i]) or "") if i < len(values)
                     else "" for i, col in columns.items()}
            if isinstance(cells.get("year"), str) and cells["year"].endswith(".0"):
                cells["year"] = cells["year"][:-2]
            if not any(cells.values()):
                continue
            extra = [v for v in values[len(table[header_at]):] if v not in (None, "")]
            if extra:
                self.problems.append(Problem(str(self.path), r, None, "extra-cells",
                                             "row has more cells than the header",
                                             "check for an unquoted comma or delete them"))
            yield SheetRow(row=r, cells=cells,
                           letters={col: _col_letter(i) for i, col in columns.items()})


def _new_marker(value: str) -> tuple[str, bool]:
    """'new: Anoka County' → ('Anoka County', True): create it even if it looks like another."""
    m = re.match(r"^new\s*:\s*(.+)$", value, re.I)
    return (m.group(1).strip(), True) if m else (value, False)


def _must_exist(value: str, why: str | None, index: LabelIndex, classes: tuple[str, ...]) -> bool:
    """An unknown provider/place is created, unless it is an id, ambiguous or very close to a
    known one (probably a typo)."""
    from ontology.schema import ID_PATTERN

    return bool(ID_PATTERN.match(value)) or "ambiguous" in (why or "") or bool(
        index.near(value, classes, cutoff=0.85))


def _where(path: Path, row: SheetRow, col: str | None, rule: str, hint: str | None = None,
           record: str | None = None) -> Problem:
    at = f"column {row.letters[col]} ({col})" if col else None
    return Problem(str(path), row.row, record or at, rule, "", hint)


def import_sheet(path: Path | str, evidence: Path | str | None = None, *,
                 name: str | None = None, dry_run: bool = False) -> ImportResult:
    """Import a program sheet as Interventions (plus new providers and places)."""
    path = Path(path)
    ev = evidence_dir(evidence)
    target = import_target(ev, "sheet", path)
    result = ImportResult("sheet", str(path), target)
    source = SheetSource(path)
    with time_limit(path, "program sheet"):
        rows = list(source.rows())
    problems = list(source.problems)
    if not rows and not problems:
        problems.append(Problem(str(path), None, None, "empty", "the sheet has no program rows",
                                "add one row per program under the header"))
    existing = existing_nodes(ev, exclude=[target])
    index = LabelIndex(existing.values())
    sheet_name = name or path.stem
    cite_id = make_id("cite", "sheet", sheet_name)
    citation = CitationEntry(id=cite_id, title=f"Program sheet: {sheet_name}", kind="dataset",
                             note=f"Imported by `intersections import sheet` from {path.name}.")
    orgs: dict[str, OrganizationEntry] = {}
    regions: dict[str, RegionEntry] = {}
    programs: list[InterventionEntry] = []
    seen: dict[str, int] = {}

    def fail(row: SheetRow, col: str | None, rule: str, msg: str,
             hint: str | None = None) -> None:
        w = _where(path, row, col, rule, hint)
        problems.append(Problem(w.file, w.line, w.record, rule, msg, hint))

    for row in rows:
        c = row.cells
        for col in REQUIRED:
            if not c.get(col):
                fail(row, col, "missing-value", f"{col} is empty",
                     f"write the program's {col}")
        if not c.get("name"):
            continue
        pid = c.get("id") or make_id("int", c["name"])
        if pid in seen:
            fail(row, "id" if c.get("id") else "name", "duplicate-program",
                 f"{pid} is already used by row {seen[pid]}",
                 "merge the two rows, or give one a different name or id")
            continue
        seen[pid] = row.row
        if pid in existing:
            node = existing[pid]
            fail(row, "id" if c.get("id") else "name", "exists",
                 f"{pid} already exists in the evidence base ({node.origin})",
                 "edit that entry instead, or give this program another name or an 'id'")
            continue
        locator = f"row {row.row}"
        src = [{"citation": cite_id, "locator": locator}]
        data: dict[str, Any] = {"id": pid, "label": c["name"], "definition": c.get("description"),
                                "kind": (c.get("kind") or "program").strip().lower()
                                .replace(" ", "_"), "url": c.get("url"),
                                "contact": c.get("contact"), "sources": src}
        if data["kind"] not in KINDS:
            fail(row, "kind", "bad-kind", f"kind {c.get('kind')!r} is not known",
                 "use one of: " + ", ".join(KINDS))
            continue
        if c.get("year"):
            if not re.fullmatch(r"\d{4}", c["year"]):
                fail(row, "year", "bad-year", f"year {c['year']!r} is not a four-digit year",
                     "write e.g. 2019, or leave it empty")
            else:
                data["year"] = int(c["year"])
        for col, (field, classes) in LINK_COLUMNS.items():
            ids: list[str] = []
            for value in LIST_SEP.split(c.get(col) or ""):
                if not value:
                    continue
                hit, why = index.resolve(value, classes)
                if hit is None:
                    fail(row, col, "unknown-value", why or value,
                         "use a label or id from the Lists sheet of the template "
                         "(`intersections export-sheet --template`)")
                else:
                    ids.append(hit)
            data[field] = list(dict.fromkeys(ids))
        provider = c.get("provider")
        if provider:
            provider, is_new = _new_marker(provider)
            hit, why = (None, None) if is_new else index.resolve(provider, ("Organization",))
            if hit is None and not is_new and _must_exist(provider, why, index, ("Organization",)):
                fail(row, "provider", "unknown-value", why or provider,
                     "write an existing organization's name or id; for a new organization "
                     "that looks like an existing one, write 'new: <name>'")
            elif hit is None:
                oid = make_id("org", provider)
                if oid in existing:
                    fail(row, "provider", "exists", f"{oid} exists but is not an organization",
                         "write the organization's exact name")
                else:
                    orgs.setdefault(oid, OrganizationEntry(
                        id=oid, label=provider, kind="other",
                        definition=f"Organization named as a program provider in the program "
                                   f"sheet '{sheet_name}'.",
                        sources=[SourceEntry(citation=cite_id, locator=locator)]))
                    hit = oid
            if hit:
                data["provided_by"] = [hit]
        region_ids: list[str] = []
        for value in LIST_SEP.split(c.get("regions") or ""):
            if not value:
                continue
            value, is_new = _new_marker(value)
            hit, why = (None, None) if is_new else index.resolve(value, ("Region",))
            if hit is None and not is_new and _must_exist(value, why, index, ("Region",)):
                fail(row, "regions", "unknown-value", why or value,
                     "write an existing place's name or id; for a new place that looks like "
                     "an existing one, write 'new: <place>'")
                continue
            if hit is None:
                rid = make_id("region", value)
                if rid in existing:
                    fail(row, "regions", "exists", f"{rid} exists but is not a region",
                         "write the place's exact name")
                    continue
                regions.setdefault(rid, RegionEntry(
                    id=rid, label=value, kind="region",
                    definition=f"Place named as a program region in the program sheet "
                               f"'{sheet_name}'.",
                    sources=[SourceEntry(citation=cite_id, locator=locator)]))
                hit = rid
            region_ids.append(hit)
        data["operates_in"] = list(dict.fromkeys(region_ids))
        entry = build_entry(InterventionEntry, data,
                            _where(path, row, None, "schema", "correct this row", pid),
                            problems)
        if entry is not None:
            programs.append(entry)  # type: ignore[arg-type]
    if problems:
        raise ValidationFailed(problems, f"program sheet {path.name}")
    for oid in orgs:
        result.warnings.append(f"new organization {oid} ({orgs[oid].label}); if it already "
                               "exists under another name, write that name in 'provider'")
    for rid in regions:
        result.warnings.append(f"new region {rid} ({regions[rid].label}); consider adding "
                               "'broader' to place it in the region hierarchy")
    header = (f"Imported by `intersections import sheet` from {path.name}.\n"
              "Re-running the import rewrites this file; edit the sheet, not this one.")
    families: dict[str, list[Any]] = {
        "citations": [citation], "organizations": sorted(orgs.values(), key=lambda e: e.id),
        "regions": sorted(regions.values(), key=lambda e: e.id), "interventions": programs}
    if not programs:
        families = {}
    return write_import(result, ev, families, header, dry_run=dry_run)


# --------------------------------------------------------------------------- export
def _cell(ids: list[str], labels: dict[str, str]) -> str:
    return "; ".join(f"{labels.get(i, i)} ({i})" for i in ids)


def program_rows(evidence: Path | str | None = None) -> list[dict[str, str]]:
    """Every intervention as a template row (links as 'Label (id)'; import reads them back)."""
    from loaders.evidence import load_evidence_base

    eb = load_evidence_base(evidence, shacl=False)
    labels = {i: n.label for i, n in eb.nodes.items()}
    out_links: dict[str, dict[str, list[str]]] = {}
    for (s, p, o) in eb.edges:
        out_links.setdefault(s, {}).setdefault(p, []).append(o)
    rows = []
    for n in sorted((n for n in eb.nodes.values() if n.category == "Intervention"),
                    key=lambda n: n.label.casefold()):
        links = out_links.get(n.id, {})
        rows.append({
            "name": n.label, "description": n.definition or "",
            "kind": str(n.properties.get("kind", "")),
            "provider": _cell(sorted(links.get("provided_by", [])), labels),
            "strategies": _cell(sorted(links.get("implements", [])), labels),
            "addresses": _cell(sorted(links.get("addresses", [])), labels),
            "populations": _cell(sorted(links.get("serves", [])), labels),
            "regions": _cell(sorted(links.get("operates_in", [])), labels),
            "url": str(n.properties.get("url") or ""),
            "contact": str(n.properties.get("contact") or ""),
            "year": str(n.properties.get("year") or ""), "id": n.id,
        })
    return rows


def allowed_values(evidence: Path | str | None = None) -> list[tuple[str, str, str]]:
    """(column, label, id) for the Lists sheet: what the linked columns accept."""
    nodes = existing_nodes(evidence_dir(evidence))
    out = []
    for col, classes in (("strategies", LINK_COLUMNS["strategies"][1]),
                         ("addresses", LINK_COLUMNS["addresses"][1]),
                         ("populations", LINK_COLUMNS["populations"][1]),
                         ("regions", ("Region",)), ("provider", ("Organization",))):
        from ontology.schema import is_a

        for n in sorted((n for n in nodes.values() if is_a(n.category, classes)),
                        key=lambda n: (n.category, n.label.casefold())):
            out.append((col, n.label, n.id))
    return out


def export_sheet(out: Path | str, evidence: Path | str | None = None, *,
                 template: bool = False) -> int:
    """Write interventions (or, with ``template``, an empty sheet) as .csv or .xlsx."""
    out = Path(out)
    rows = [] if template else program_rows(evidence)
    suffix = out.suffix.lower()
    if suffix == ".csv":
        buf = io.StringIO()
        w = csvsafe.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        atomic_write(out, buf.getvalue())
        return len(rows)
    if suffix != ".xlsx":
        raise IntersectionsError(f"{out}: write a .csv or .xlsx file")
    _write_xlsx(out, rows, allowed_values(evidence))
    return len(rows)


def _write_xlsx(out: Path, rows: list[dict[str, str]],
                lists: list[tuple[str, str, str]]) -> None:
    import os
    import tempfile

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Programs"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for r in rows:
        ws.append([csvsafe.neutralise(r.get(c, "")) for c in COLUMNS])  # never a formula
    widths = {"name": 36, "description": 60, "kind": 12, "provider": 30, "strategies": 40,
              "addresses": 40, "populations": 30, "regions": 24, "url": 32, "contact": 24,
              "year": 8, "id": 30}
    for i, col in enumerate(COLUMNS):
        ws.column_dimensions[_col_letter(i)].width = widths.get(col, 20)
        ws.cell(row=1, column=i + 1).alignment = Alignment(wrap_text=True)
    ws.freeze_panes = "B2"
    kind_col = _col_letter(COLUMNS.index("kind"))
    dv = DataValidation(type="list", formula1='"' + ",".join(KINDS) + '"', allow_blank=True)
    dv.error = "Choose a kind from the list"
    ws.add_data_validation(dv)
    dv.add(f"{kind_col}2:{kind_col}1000")
    helpws = wb.create_sheet("Help")
    helpws.append(["column", "what to write"])
    for col in COLUMNS:
        helpws.append([col, HELP[col]])
    helpws.append([])
    helpws.append(["", "Several values in one cell: separate them with ;  Labels, synonyms and "
                       "ids are all accepted. Import: intersections import sheet FILE.xlsx"])
    helpws.column_dimensions["A"].width = 14
    helpws.column_dimensions["B"].width = 100
    lws = wb.create_sheet("Lists")
    lws.append(["column", "label", "id"])
    for item in lists:
        lws.append(list(item))
    for cell in (*helpws[1], *lws[1]):
        cell.font = Font(bold=True)
    lws.column_dimensions["A"].width = 14
    lws.column_dimensions["B"].width = 70
    lws.column_dimensions["C"].width = 50
    check_writable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.fchmod(fd, file_mode())  # a normal file (0644), not mkstemp's private 0600
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["COLUMNS", "SheetSource", "export_sheet", "import_sheet", "program_rows",
           "slugify"]
