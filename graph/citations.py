"""The one citation serializer: BibTeX, RIS and CSL-JSON for any selection of
:class:`~graph.models.CitationInfo` (what ``GraphBackend.citations()`` returns).

Every export uses it: ``intersections export-citations``, the Evidence page's BibTeX download and
the "Sources" of query downloads (:mod:`graph.provenance`, which adds a note saying what each
citation backs). Reading bibliographies in is :mod:`loaders.importers.bibliography`.

BibTeX is written with bibtexparser; field values are LaTeX-escaped (``&``, ``%``, ``#``, ``$``,
``_``, braces, backslash) except ``doi`` and ``url``, which BibTeX styles print verbatim. Every
citation kind maps to a standard BibTeX type (book chapters ``@incollection``, reports and
government reports ``@techreport``), so nothing falls back to ``@misc`` that has a better type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import bibtexparser
import rispy
from bibtexparser.model import Block, Entry, Field

from graph.models import CitationInfo
from loaders.errors import IntersectionsError

FORMATS: tuple[str, ...] = ("bibtex", "ris", "csl")

#: citation ``kind`` → BibTeX entry type (standard BibTeX types only).
BIBTEX_TYPES = {"journal_article": "article", "book": "book", "book_chapter": "incollection",
                "report": "techreport", "government_report": "techreport",
                "web_page": "misc", "dataset": "misc", "thesis": "phdthesis",
                "presentation": "misc", "source_document": "misc", "other": "misc"}
_KIND_TO_RIS = {"journal_article": "JOUR", "book": "BOOK", "book_chapter": "CHAP",
                "report": "RPRT", "government_report": "GOVDOC", "web_page": "ELEC",
                "dataset": "DATA", "thesis": "THES", "presentation": "SLIDE",
                "source_document": "RPRT", "other": "GEN"}
_KIND_TO_CSL = {"journal_article": "article-journal", "book": "book", "book_chapter": "chapter",
                "report": "report", "government_report": "report", "web_page": "webpage",
                "dataset": "dataset", "thesis": "thesis", "presentation": "speech",
                "source_document": "report", "other": "document"}
_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}",
                  "&": r"\&", "%": r"\%", "#": r"\#", "$": r"\$", "_": r"\_",
                  "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_LATEX_RE = re.compile("|".join(re.escape(k) for k in _LATEX_SPECIAL))
_VERBATIM = frozenset({"doi", "url"})


def _key(c: CitationInfo) -> str:
    return c.id.partition(":")[2] or c.id


def bibtex_escape(text: str) -> str:
    """Text safe inside a BibTeX field: LaTeX's special characters escaped."""
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIAL[m.group(0)], text)


def bibtex_fields(c: CitationInfo, note: str = "") -> tuple[str, list[tuple[str, str]]]:
    """(entry type, [(field, raw value)]) for one citation; ``note`` overrides its own note."""
    etype = BIBTEX_TYPES.get(c.kind or "other", "misc")
    p = c.properties
    publisher = p.get("publisher")
    fields: list[tuple[str, Any]] = [("title", c.title)]
    if c.authors:
        fields.append(("author", " and ".join(c.authors)))
    elif publisher and etype != "book":
        fields.append(("author", "{" + bibtex_escape(str(publisher)) + "}"))  # corporate author
    fields.append(("year", str(c.year) if c.year else None))
    venue_field = {"article": "journal", "incollection": "booktitle"}.get(etype, "howpublished")
    if etype == "techreport" and not publisher:
        venue_field = "institution"
    fields += [
        (venue_field, c.venue),
        ("volume", p.get("volume")), ("number", p.get("issue")),
        ("pages", str(p["pages"]).replace("--", "-").replace("-", "--") if p.get("pages")
         else None),
        ({"techreport": "institution", "phdthesis": "school"}.get(etype, "publisher"), publisher),
        ("address", p.get("place")), ("doi", c.doi), ("url", c.url),
        ("note", f"Intersections: {note}" if note else p.get("note")),
    ]
    out: list[tuple[str, str]] = []
    for k, v in fields:
        if not v:
            continue
        if k == "author" and not c.authors:
            out.append((k, str(v)))  # already escaped and braced
        elif k == "title":
            out.append((k, "{" + bibtex_escape(str(v)) + "}"))  # braces keep its capitals
        else:
            out.append((k, str(v) if k in _VERBATIM else bibtex_escape(str(v))))
    return etype, out


def export_bibtex(citations: Iterable[CitationInfo],
                  notes: Mapping[str, str] | None = None) -> str:
    """BibTeX text for the citations (keys are the ids without ``cite:``; each id once).

    ``notes`` maps a citation id to a note written into its entry (what it backs in a result).
    """
    entries: list[Block] = []
    seen: set[str] = set()
    for c in citations:
        if c.id in seen:
            continue
        seen.add(c.id)
        etype, fields = bibtex_fields(c, (notes or {}).get(c.id, ""))
        entries.append(Entry(etype, _key(c), [Field(k, v) for k, v in fields]))
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
    return rispy.dumps(items, implementation=_UnnumberedRisWriter)


class _UnnumberedRisWriter(rispy.RisWriter):
    """RIS without rispy's "1." / "2." line before each record (reference managers and the
    RIS spec expect each record to start at its TY tag)."""

    def set_header(self, count: int) -> str:
        return ""


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
    if missing and not backend.node_data(missing[:1]):
        backend.require(missing[0])  # unknown id: exit 3 with the nearest ids
    not_cites = [i for i in wanted if i in found and backend.node(i).category != "Citation"]
    if missing or not_cites:
        raise IntersectionsError(
            "not citation ids: " + ", ".join(repr(m) for m in missing + not_cites)
            + " — list citations with `intersections search --type Citation TEXT`")
    return [found[i] for i in wanted]
