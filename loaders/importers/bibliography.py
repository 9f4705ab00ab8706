"""Bibliographies in and out: BibTeX, RIS and CSL-JSON (what Zotero, EndNote, Mendeley export).

Reading uses the well-kept parsers (bibtexparser 2, rispy, json + pydantic). Each format has a
source class whose :meth:`records` generator yields :class:`BibRecord` (a format-neutral,
pydantic-typed record that remembers the input line/record). :func:`import_bibliography` turns
them into :class:`~loaders.entries.CitationEntry` with stable ids, drops those already in the
evidence base (same DOI, else same normalised title + year + first author: reported as merged) and
writes one import file. Writing citations out (BibTeX, RIS, CSL-JSON) is the graph layer's job:
:mod:`graph.citations`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

import bibtexparser
import rispy
from bibtexparser import middlewares
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from loaders.entries import CitationEntry
from loaders.errors import IntersectionsError, Problem, ValidationFailed
from loaders.importers.base import (
    ImportResult,
    build_entry,
    clean_text,
    evidence_dir,
    existing_nodes,
    import_target,
    read_json,
    read_text,
    short_hash,
    slugify,
    surname,
    write_import,
)
from loaders.limits import time_limit
from loaders.text import normalize

Format = Literal["bibtex", "ris", "csl"]
FORMATS: tuple[str, ...] = ("bibtex", "ris", "csl")
CitationKind = Literal["journal_article", "book", "book_chapter", "report", "government_report",
                       "web_page", "dataset", "thesis", "presentation", "source_document",
                       "other"]

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_YEAR = re.compile(r"(1[89]\d\d|20\d\d|2100)")


class BibRecord(BaseModel):
    """One bibliographic record, format-neutral, with where it was read."""

    model_config = ConfigDict(str_strip_whitespace=True)

    key: str | None = None
    kind: CitationKind = "other"
    title: str | None = None
    authors: list[str] = []
    year: int | None = None
    venue: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    place: str | None = None
    doi: str | None = None
    url: str | None = None
    note: str | None = None
    #: input location, for messages
    file: str = ""
    line: int | None = None
    record: str | None = None

    @field_validator("doi", mode="before")
    @classmethod
    def _doi(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = _DOI_PREFIX.sub("", v.strip()).strip() or None
        return v

    def where(self, rule: str = "schema", hint: str | None = None) -> Problem:
        return Problem(self.file, self.line, self.record or self.key, rule, "", hint)


def parse_year(value: Any) -> int | None:
    """'2012', '2012///', '2012-05-01', 2012 → 2012; None when no plausible year is in it."""
    if value is None or value == "":
        return None
    m = _YEAR.search(str(value))
    return int(m.group(1)) if m else None


def _pages(value: Any) -> str | None:
    text = clean_text(value)
    return re.sub(r"\s*(?:--|–|—)\s*", "-", text) if text else None


# --------------------------------------------------------------------------- BibTeX
_BIBTEX_KIND: dict[str, CitationKind] = {
    "article": "journal_article", "book": "book", "inbook": "book_chapter",
    "incollection": "book_chapter", "techreport": "report", "report": "report",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
    "online": "web_page", "electronic": "web_page", "www": "web_page", "dataset": "dataset",
    "data": "dataset", "misc": "other", "inproceedings": "other", "conference": "other",
    "unpublished": "other", "manual": "report", "booklet": "book",
}


class BibtexSource:
    """A ``.bib`` file → :class:`BibRecord` (bibtexparser 2 with LaTeX decoding)."""

    fmt = "bibtex"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.problems: list[Problem] = []

    def records(self) -> Iterator[BibRecord]:
        text = read_text(self.path, "BibTeX")
        logging.getLogger("bibtexparser").setLevel(logging.ERROR)
        try:
            lib = bibtexparser.parse_string(text, append_middleware=[
                middlewares.LatexDecodingMiddleware(), middlewares.SeparateCoAuthors()])
        except Exception as exc:  # the parser's own errors are not typed
            raise ValidationFailed([Problem(str(self.path), None, None, "bibtex-syntax",
                                            f"cannot parse: {exc}",
                                            "check the file is BibTeX (@article{key, ...})")],
                                   "BibTeX file") from None
        for block in lib.failed_blocks:
            err = getattr(block, "error", None)
            self.problems.append(Problem(
                str(self.path), (block.start_line or 0) + 1, None, "bibtex-syntax",
                f"entry could not be parsed ({type(err).__name__ if err else 'error'}): "
                f"{(block.raw or '').strip()[:60]!r}",
                "check braces, quotes and commas in this entry"))
        macros = {b.key.lower(): str(b.value) for b in lib.strings}
        for entry in lib.entries:
            f = {k.lower(): _concat(fld.value, macros)
                 for k, fld in entry.fields_dict.items()}
            authors = f.get("author") or f.get("editor") or []
            if isinstance(authors, str):
                authors = [authors]
            kind = _BIBTEX_KIND.get(entry.entry_type.lower(), "other")
            if kind == "other" and f.get("url") and entry.entry_type.lower() == "misc":
                kind = "web_page"
            yield _checked(dict(
                key=entry.key, kind=kind, title=clean_text(f.get("title")),
                authors=[a for a in (clean_text(x) for x in authors) if a],
                year=f.get("year") or f.get("date"),
                venue=clean_text(f.get("journal") or f.get("journaltitle")
                                 or f.get("booktitle")),
                volume=clean_text(f.get("volume")), issue=clean_text(f.get("number")),
                pages=_pages(f.get("pages")),
                publisher=clean_text(f.get("publisher") or f.get("institution")
                                     or f.get("school") or f.get("organization")),
                place=clean_text(f.get("address") or f.get("location")),
                doi=clean_text(f.get("doi")), url=clean_text(f.get("url")),
                note=clean_text(f.get("note")),
                file=str(self.path), line=(entry.start_line or 0) + 1, record=entry.key,
            ), self.problems)


_CONCAT_PART = re.compile(
    r'\s*(?:"([^"]*)"|\{((?:[^{}]|\{[^{}]*\})*)\}|([A-Za-z_][\w:.-]*)|(\d+))\s*')


def _concat(value: Any, macros: dict[str, str]) -> Any:
    """Expand a BibTeX ``#`` concatenation of @string macros and literals.

    bibtexparser resolves a field that is a single macro (``journal = jiv``) but leaves
    ``pre # jiv # " Extra"`` as raw text; this joins it the way BibTeX does. Anything that is not
    a clean concatenation is returned unchanged.
    """
    if not isinstance(value, str) or "#" not in value:
        return value
    out: list[str] = []
    for part in value.split("#"):
        m = _CONCAT_PART.fullmatch(part)
        if m is None:
            return value
        quoted, braced, name, number = m.groups()
        if name is not None:
            if name.lower() not in macros:
                return value
            out.append(macros[name.lower()])
        else:
            out.append(next(x for x in (quoted, braced, number) if x is not None))
    return "".join(out)


# --------------------------------------------------------------------------- RIS
_RIS_KIND: dict[str, CitationKind] = {
    "JOUR": "journal_article", "JFULL": "journal_article", "MGZN": "journal_article",
    "NEWS": "journal_article", "EJOUR": "journal_article", "BOOK": "book", "EBOOK": "book",
    "CHAP": "book_chapter", "ECHAP": "book_chapter", "RPRT": "report", "GOVDOC":
    "government_report", "ELEC": "web_page", "WEB": "web_page", "BLOG": "web_page",
    "DATA": "dataset", "DBASE": "dataset", "THES": "thesis", "SLIDE": "presentation",
    "CPAPER": "other", "CONF": "other", "GEN": "other",
}
_RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")


class RisSource:
    """A ``.ris`` file → :class:`BibRecord` (rispy), after a structural check with line numbers."""

    fmt = "ris"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.problems: list[Problem] = []

    def _starts(self, text: str) -> list[int]:
        """Line of each ``TY`` tag; records without ``ER`` are problems (rispy drops them)."""
        starts: list[int] = []
        open_at: int | None = None
        for n, raw in enumerate(text.splitlines(), 1):
            m = _RIS_TAG.match(raw.rstrip())
            if not m:
                continue
            tag = m.group(1)
            if tag == "TY":
                if open_at is not None:
                    self.problems.append(Problem(str(self.path), open_at, None, "ris-structure",
                                                 "record has no end tag 'ER  -'",
                                                 "end every record with a line 'ER  - '"))
                open_at = n
                starts.append(n)
            elif tag == "ER":
                if open_at is None:
                    self.problems.append(Problem(str(self.path), n, None, "ris-structure",
                                                 "'ER' without a record start",
                                                 "start every record with 'TY  - <type>'"))
                open_at = None
            elif open_at is None:
                self.problems.append(Problem(str(self.path), n, None, "ris-structure",
                                             f"tag {tag!r} outside a record",
                                             "start every record with 'TY  - <type>'"))
        if open_at is not None:
            self.problems.append(Problem(str(self.path), open_at, None, "ris-structure",
                                         "record has no end tag 'ER  -'",
                                         "end every record with a line 'ER  - '"))
        return starts

    def records(self) -> Iterator[BibRecord]:
        text = read_text(self.path, "RIS")
        starts = self._starts(text)
        if self.problems:
            return
        try:
            items = rispy.loads(text, skip_unknown_tags=True)
        except Exception as exc:  # rispy raises plain IOError/ValueError variants
            raise ValidationFailed([Problem(str(self.path), None, None, "ris-syntax",
                                            f"cannot parse: {exc}",
                                            "export the file again as RIS")],
                                   "RIS file") from None
        for i, it in enumerate(items):
            line = starts[i] if i < len(starts) else None
            ty = str(it.get("type_of_reference") or "GEN").upper()
            title = it.get("title") or it.get("primary_title") or it.get("translated_title")
            venue = (it.get("journal_name") or it.get("secondary_title")
                     or it.get("alternate_title1") or it.get("alternate_title3")
                     or it.get("alternate_title2"))
            if ty in ("BOOK", "EBOOK", "RPRT", "GOVDOC", "ELEC", "DATA", "THES") and \
                    venue == it.get("secondary_title"):
                venue = None if ty != "ELEC" else venue
            sp, ep = it.get("start_page"), it.get("end_page")
            pages = f"{sp}-{ep}" if sp and ep else (sp or None)
            urls = it.get("urls") or []
            authors = (it.get("authors") or it.get("first_authors") or [])
            yield _checked(dict(
                key=clean_text(it.get("id")), kind=_RIS_KIND.get(ty, "other"),
                title=clean_text(title), authors=[a for a in map(clean_text, authors) if a],
                year=it.get("year") or it.get("publication_year") or it.get("date"),
                venue=clean_text(venue), volume=clean_text(it.get("volume")),
                issue=clean_text(it.get("number")), pages=_pages(pages),
                publisher=clean_text(it.get("publisher")),
                place=clean_text(it.get("place_published")),
                doi=clean_text(it.get("doi")), url=clean_text(urls[0]) if urls else None,
                note=None, file=str(self.path), line=line,
                record=f"record {i + 1}" + (f" ({it['id']})" if it.get("id") else ""),
            ), self.problems)


# --------------------------------------------------------------------------- CSL-JSON
class CslName(BaseModel):
    model_config = ConfigDict(extra="ignore")
    family: str | None = None
    given: str | None = None
    literal: str | None = None

    def display(self) -> str | None:
        if self.literal:
            return clean_text(self.literal)
        if self.family:
            return clean_text(f"{self.family}, {self.given}" if self.given else self.family)
        return clean_text(self.given)


class CslDate(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    date_parts: list[list[int | str]] | None = None
    raw: str | None = None
    literal: str | None = None

    @classmethod
    def from_json(cls, v: Any) -> CslDate:
        if isinstance(v, dict) and "date-parts" in v:
            v = {**v, "date_parts": v["date-parts"]}
        return cls.model_validate(v)

    def year(self) -> Any:
        if self.date_parts and self.date_parts[0]:
            return self.date_parts[0][0]
        return self.raw or self.literal


class CslItem(BaseModel):
    """The CSL-JSON fields we read (others are ignored)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    id: str | int | None = None
    type: str = "article"
    title: str | None = None
    author: list[CslName] = []
    editor: list[CslName] = []
    issued: dict[str, Any] | None = None
    container_title: str | None = None
    volume: str | int | None = None
    issue: str | int | None = None
    page: str | None = None
    publisher: str | None = None
    publisher_place: str | None = None
    DOI: str | None = None
    URL: str | None = None
    note: str | None = None


_CSL_KIND: dict[str, CitationKind] = {
    "article-journal": "journal_article", "article-magazine": "journal_article",
    "article-newspaper": "journal_article", "article": "journal_article", "book": "book",
    "chapter": "book_chapter", "report": "report", "webpage": "web_page",
    "post-weblog": "web_page", "post": "web_page", "dataset": "dataset", "thesis": "thesis",
    "speech": "presentation", "paper-conference": "other", "legislation": "other",
    "document": "other",
}


class CslJsonSource:
    """A CSL-JSON file (a list of items, or ``{"items": [...]}``) → :class:`BibRecord`."""

    fmt = "csl"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.problems: list[Problem] = []

    def records(self) -> Iterator[BibRecord]:
        data = read_json(self.path, "CSL-JSON file")
        if isinstance(data, dict):
            data = data.get("items", [data]) if "items" in data or "title" in data else None
        if not isinstance(data, list):
            raise ValidationFailed([Problem(str(self.path), 1, None, "csl-shape",
                                            "expected a JSON list of CSL items",
                                            "export as 'CSL JSON' from your reference manager")],
                                   "CSL-JSON file")
        for i, raw in enumerate(data):
            rec = f"item {i + 1}"
            if not isinstance(raw, dict):
                self.problems.append(Problem(str(self.path), None, rec, "csl-shape",
                                             "an item must be a JSON object", None))
                continue
            fixed = {k.replace("-", "_"): v for k, v in raw.items()}
            try:
                item = CslItem.model_validate(fixed)
                year = CslDate.from_json(item.issued).year() if item.issued else None
            except ValidationError as exc:
                for err in exc.errors():
                    loc = ".".join(str(x) for x in err["loc"]).replace("_", "-")
                    self.problems.append(Problem(str(self.path), None,
                                                 f"{rec} ({raw.get('id', '?')})", "csl-schema",
                                                 f"{loc}: {err['msg']}",
                                                 "see the CSL-JSON schema for this field"))
                continue
            names = item.author or item.editor
            yield _checked(dict(
                key=str(item.id) if item.id is not None else None,
                kind=_CSL_KIND.get(item.type, "other"), title=clean_text(item.title),
                authors=[n for n in (x.display() for x in names) if n], year=year,
                venue=clean_text(item.container_title),
                volume=clean_text(item.volume), issue=clean_text(item.issue),
                pages=_pages(item.page), publisher=clean_text(item.publisher),
                place=clean_text(item.publisher_place), doi=clean_text(item.DOI),
                url=clean_text(item.URL), note=clean_text(item.note),
                file=str(self.path), line=None,
                record=f"{rec}" + (f" ({item.id})" if item.id is not None else ""),
            ), self.problems)


SOURCES: dict[str, type[BibtexSource] | type[RisSource] | type[CslJsonSource]] = {
    "bibtex": BibtexSource, "ris": RisSource, "csl": CslJsonSource,
}


def _checked(data: dict[str, Any], problems: list[Problem]) -> BibRecord:
    """Build a BibRecord, noting an unreadable year instead of failing the whole file."""
    raw_year = data.get("year")
    data["year"] = parse_year(raw_year)
    rec = BibRecord.model_validate(data)
    if raw_year not in (None, "") and rec.year is None:
        problems.append(Problem(rec.file, rec.line, rec.record, "bad-year",
                                f"year {str(raw_year)[:20]!r} is not a year between 1800 and "
                                "2100", "write the four-digit year of publication"))
    return rec


# --------------------------------------------------------------------------- dedupe + ids
def title_key(title: str | None, year: int | None, authors: Iterable[str]) -> tuple[str, ...]:
    """Normalised title + year + first author's family name (the fallback duplicate key)."""
    first = next(iter(authors), "")
    return (normalize(title or ""), str(year or ""), surname(first) if first else "")


def citation_id(rec: BibRecord) -> str:
    """Stable id: ``cite:<first author>-<year>-<hash>``; the hash is of the DOI, else the key."""
    who = surname(rec.authors[0]) if rec.authors else ""
    who = slugify(who, 30) or slugify(" ".join((rec.title or "untitled").split()[:3]), 30)
    basis = f"doi:{rec.doi.lower()}" if rec.doi else "|".join(
        title_key(rec.title, rec.year, rec.authors))
    return f"cite:{who or 'untitled'}-{rec.year or 'nd'}-{short_hash(basis)}"


class _Index:
    """Existing citations by DOI and by title key."""

    def __init__(self) -> None:
        self.by_doi: dict[str, str] = {}
        self.by_title: dict[tuple[str, ...], str] = {}

    def add(self, cid: str, doi: str | None, title: str | None, year: int | None,
            authors: Iterable[str]) -> None:
        if doi:
            self.by_doi.setdefault(doi.lower(), cid)
        if title:
            self.by_title.setdefault(title_key(title, year, authors), cid)

    def find(self, rec: BibRecord) -> tuple[str, str] | None:
        if rec.doi and rec.doi.lower() in self.by_doi:
            return self.by_doi[rec.doi.lower()], "same DOI"
        if rec.title:
            hit = self.by_title.get(title_key(rec.title, rec.year, rec.authors))
            if hit:
                return hit, "same title, year and first author"
        return None


def to_entry(rec: BibRecord, cid: str, problems: list[Problem]) -> CitationEntry | None:
    data = rec.model_dump(exclude={"key", "file", "line", "record"})
    entry = build_entry(CitationEntry, {"id": cid, **data},
                        rec.where("schema", "correct this field in the source file"), problems)
    return entry  # type: ignore[return-value]


def import_bibliography(path: Path | str, fmt: str, evidence: Path | str | None = None, *,
                        dry_run: bool = False) -> ImportResult:
    """Import a BibTeX/RIS/CSL-JSON file as Citations into ``<evidence>/imports/``."""
    if fmt not in SOURCES:
        raise IntersectionsError(f"unknown bibliography format {fmt!r}; use one of: "
                                 + ", ".join(FORMATS))
    path = Path(path)
    ev = evidence_dir(evidence)
    target = import_target(ev, fmt, path)
    result = ImportResult(fmt, str(path), target)
    source = SOURCES[fmt](path)
    with time_limit(path, f"{fmt} file"):
        recs = list(source.records())
    problems = list(source.problems)
    if not recs and not problems:
        problems.append(Problem(str(path), None, None, "empty",
                                f"no {fmt} records found",
                                "check the file format matches the command "
                                "(bibtex, ris or csl)"))
    index = _Index()
    for node in existing_nodes(ev, exclude=[target]).values():
        if node.category == "Citation":
            index.add(node.id, node.properties.get("doi"), node.label,
                      node.properties.get("year"), node.properties.get("authors") or [])
    new: list[CitationEntry] = []
    seen = _Index()
    for rec in recs:
        if not rec.title:
            problems.append(Problem(rec.file, rec.line, rec.record, "missing-title",
                                    "the record has no title",
                                    "add a title (TI / title) to this record"))
            continue
        hit = index.find(rec)
        if hit:
            result.merged.append(f"{rec.record or rec.key}: already in the evidence base as "
                                 f"{hit[0]} ({hit[1]}); not re-created")
            continue
        dup = seen.find(rec)
        if dup:
            result.merged.append(f"{rec.record or rec.key}: duplicate of {dup[0]} in the same "
                                 f"file ({dup[1]}); skipped")
            continue
        cid = citation_id(rec)
        entry = to_entry(rec, cid, problems)
        if entry is not None:
            new.append(entry)
            seen.add(cid, rec.doi, rec.title, rec.year, rec.authors)
    if problems:
        raise ValidationFailed(problems, f"{fmt} file {path.name}")
    new.sort(key=lambda e: e.id)
    header = (f"Imported by `intersections import {fmt}` from {path.name}.\n"
              "Re-running the import rewrites this file; edit the source file, not this one.")
    families: dict[str, list[BaseModel]] = {"citations": list(new)}
    return write_import(result, ev, families, header, dry_run=dry_run)
