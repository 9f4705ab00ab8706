"""Citations out: BibTeX, RIS and CSL-JSON for any selection of
:class:`~graph.models.CitationInfo` (what ``GraphBackend.citations()`` returns).

Reading bibliographies in is :mod:`loaders.importers.bibliography`; this is the way back out, for
reference managers (Zotero, EndNote, Mendeley).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field

from graph.models import CitationInfo
from loaders.errors import IntersectionsError

FORMATS: tuple[str, ...] = ("bibtex", "ris", "csl")

# --------------------------------------------------------------------------- export
_KIND_TO_BIBTEX = {"journal_article": "article", "book": "book", "book_chapter": "incollection",
                   "report": "techreport", "government_report": "techreport",
                   "web_page": "online", "dataset": "misc", "thesis": "phdthesis",
                   "presentation": "misc", "source_document": "misc", "other": "misc"}
_KIND_TO_RIS = {"journal_article": "JOUR", "book": "BOOK", "book_chapter": "CHAP",
                "report": "RPRT", "government_report": "GOVDOC", "web_page": "ELEC",
                "dataset": "DATA", "thesis": "THES", "presentation": "SLIDE",
                "source_document": "RPRT", "other": "GEN"}
_KIND_TO_CSL = {"journal_article": "article-journal", "book": "book", "book_chapter": "chapter",
                "report": "report", "government_report": "report", "web_page": "webpage",
                "dataset": "dataset", "thesis": "thesis", "presentation": "speech",
                "source_document": "report", "other": "document"}


def _key(c: CitationInfo) -> str:
    return c.id.partition(":")[2] or c.id


def _bibtex_escape(v: str) -> str:
    return v.replace("&", r"\&").replace("%", r"\%").replace("#", r"\#")


def export_bibtex(citations: Iterable[CitationInfo]) -> str:
    """BibTeX text for the citations (entry keys are the ids without ``cite:``)."""
    entries = []
    for c in citations:
        p = c.properties
        fields: list[tuple[str, Any]] = [
            ("title", "{" + _bibtex_escape(c.title) + "}"),
            ("author", " and ".join(c.authors) or None),
            ("year", str(c.year) if c.year else None),
            ("journal" if c.kind == "journal_article" else "booktitle"
             if c.kind == "book_chapter" else "howpublished" if c.venue else "journal", c.venue),
            ("volume", p.get("volume")), ("number", p.get("issue")),
            ("pages", str(p["pages"]).replace("-", "--") if p.get("pages") else None),
            ("institution" if c.kind in ("report", "government_report") else "publisher",
             p.get("publisher")),
            ("address", p.get("place")), ("doi", c.doi), ("url", c.url), ("note", p.get("note")),
        ]
        entries.append(Entry(_KIND_TO_BIBTEX.get(c.kind or "other", "misc"), _key(c),
                             [Field(k, _bibtex_escape(str(v)) if k != "title" else v)
                              for k, v in fields if v]))
    return bibtexparser.write_string(bibtexparser.Library(entries))


def export_ris(citations: Iterable[CitationInfo]) -> str:
    """RIS text for the citations (``ID`` holds the evidence-base id)."""
    items = []
    for c in citations:
        p = c.properties
        pages = str(p.get("pages") or "")
        sp, _, ep = pages.partition("-")
        item: dict[str, Any] = {"type_of_reference": _KIND_TO_RIS.get(c.kind or "other", "GEN"),
                                "id": c.id, "title": c.title}
        if c.authors:
            item["authors"] = list(c.authors)
        for k, v in (("year", str(c.year) if c.year else None), ("secondary_title", c.venue),
                     ("volume", p.get("volume")), ("number", p.get("issue")),
                     ("start_page", sp or None), ("end_page", ep or None),
                     ("publisher", p.get("publisher")), ("place_published", p.get("place")),
                     ("doi", c.doi)):
            if v:
                item[k] = str(v)
        if c.url:
            item["urls"] = [c.url]
        if p.get("note"):
            item["notes"] = [str(p["note"])]
        items.append(item)
    return rispy.dumps(items)


def csl_items(citations: Iterable[CitationInfo]) -> list[dict[str, Any]]:
    """CSL-JSON items (dicts) for the citations."""
    out = []
    for c in citations:
        p = c.properties
        item: dict[str, Any] = {"id": c.id, "type": _KIND_TO_CSL.get(c.kind or "other",
                                                                     "document"),
                                "title": c.title}
        names = []
        for a in c.authors:
            fam, sep, given = a.partition(",")
            names.append({"family": fam.strip(), "given": given.strip()} if sep
                         else {"literal": a})
        if names:
            item["author"] = names
        if c.year:
            item["issued"] = {"date-parts": [[c.year]]}
        for k, v in (("container-title", c.venue), ("volume", p.get("volume")),
                     ("issue", p.get("issue")), ("page", p.get("pages")),
                     ("publisher", p.get("publisher")), ("publisher-place", p.get("place")),
                     ("DOI", c.doi), ("URL", c.url), ("note", p.get("note"))):
            if v:
                item[k] = str(v)
        out.append(item)
    return out


def export_csl(citations: Iterable[CitationInfo]) -> str:
    """CSL-JSON text (a list of items) for the citations."""
    return json.dumps(csl_items(citations), indent=2, ensure_ascii=False) + "\n"


EXPORTERS = {"bibtex": export_bibtex, "ris": export_ris, "csl": export_csl}
EXTENSIONS = {"bibtex": ".bib", "ris": ".ris", "csl": ".json"}


def export_citations(citations: Iterable[CitationInfo], fmt: str) -> str:
    """Any selection of citations as BibTeX, RIS or CSL-JSON text."""
    if fmt not in EXPORTERS:
        raise IntersectionsError(f"unknown citation format {fmt!r}; use one of: "
                                 + ", ".join(FORMATS))
    return EXPORTERS[fmt](citations)


def citations_for(backend: Any, ids: Iterable[str] | None = None) -> list[CitationInfo]:
    """Citations from a GraphBackend: the given ids (unknown ids are an error) or all."""
    if ids is None:
        return backend.citations()
    wanted = list(dict.fromkeys(ids))
    found = {c.id: c for c in backend.citations(wanted)}
    missing = [i for i in wanted if i not in found]
    not_cites = [i for i in wanted if i in found and backend.node(i).category != "Citation"]
    if missing or not_cites:
        raise IntersectionsError(
            "not citation ids: " + ", ".join(repr(m) for m in missing + not_cites)
            + " — list citations with `intersections search --type Citation TEXT`")
    return [found[i] for i in wanted]
