"""The one citation serializer: every citation kind round-trips through bibtexparser (and RIS,
CSL-JSON through their readers) with special characters intact and a proper entry type."""

from __future__ import annotations

import json
from typing import get_args

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares

from graph.citations import BIBTEX_TYPES, export_bibtex, export_citations, export_csl, export_ris
from graph.models import CitationInfo
from loaders.entries import CitationEntry
from loaders.errors import IntersectionsError

KINDS = get_args(CitationEntry.model_fields["kind"].annotation)
TITLE = "Safety & support: 50% of #1 cases {NYC} in $ and a_b"
EXPECTED_TYPE = {"journal_article": "article", "book": "book", "book_chapter": "incollection",
                 "report": "techreport", "government_report": "techreport",
                 "thesis": "phdthesis"}


def cite(kind: str, *, authors: tuple[str, ...] = ("Smith, A.", "Jones, B."),
         publisher: str | None = "Office of Victims & Crime") -> CitationInfo:
    return CitationInfo(id=f"cite:{kind.replace('_', '-')}-2020", title=TITLE, authors=authors,
                        year=2020, venue="Journal of Violence & Abuse", kind=kind,
                        doi="10.1000/abc_def%20", url="https://example.org/a_b?x=1&y=2",
                        properties={"publisher": publisher, "pages": "12-30", "volume": "4"})


def parse(text: str) -> bibtexparser.Library:
    lib = bibtexparser.parse_string(
        text, append_middleware=[middlewares.LatexDecodingMiddleware()])
    assert not lib.failed_blocks, [b.error for b in lib.failed_blocks]
    return lib


def test_the_kinds_are_the_ontologys() -> None:
    assert set(KINDS) == set(BIBTEX_TYPES) and "book_chapter" in KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_round_trips_through_bibtexparser(kind: str) -> None:
    c = cite(kind)
    text = export_bibtex([c])
    (entry,) = parse(text).entries
    assert entry.key == c.id.partition(":")[2]
    assert entry.entry_type == EXPECTED_TYPE.get(kind, "misc")
    assert entry["title"] == TITLE  # & % # { } $ _ escaped on the way out, decoded back
    assert entry["author"] == "Smith, A. and Jones, B."
    assert entry["year"] == "2020" and entry["pages"] == "12–30"  # "12--30", an en dash
    (raw,) = bibtexparser.parse_string(text).entries  # doi/url are verbatim: read undecoded
    assert raw["doi"] == c.doi and raw["url"] == c.url
    venue_field = {"article": "journal", "incollection": "booktitle"}.get(entry.entry_type,
                                                                         "howpublished")
    assert entry[venue_field] == "Journal of Violence & Abuse"
    publisher_field = {"techreport": "institution", "phdthesis": "school"}.get(
        entry.entry_type, "publisher")
    assert entry[publisher_field] == "Office of Victims & Crime"


def test_report_without_authors_names_the_agency_and_special_characters_are_escaped() -> None:
    c = cite("government_report", authors=())
    text = export_bibtex([c])
    assert text.startswith("@techreport{")
    assert r"Victims \& Crime" in text and r"50\%" in text and r"\#1" in text
    (entry,) = parse(text).entries
    assert entry["author"] == "Office of Victims & Crime"


def test_notes_duplicates_and_formats() -> None:
    a, b = cite("journal_article"), cite("book_chapter")
    lib = parse(export_bibtex([a, b, a], notes={a.id: "supports claim:x"}))
    assert [e.key for e in lib.entries] == ["journal-article-2020", "book-chapter-2020"]
    assert lib.entries[0]["note"] == "Intersections: supports claim:x"
    with pytest.raises(IntersectionsError, match="unknown citation format"):
        export_citations([a], "docx")


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_round_trips_through_ris_and_csl(kind: str) -> None:
    c = cite(kind)
    (ris,) = rispy.loads(export_ris([c]))
    assert ris["id"] == c.id and ris["title"] == TITLE and ris["doi"] == c.doi
    assert (ris["start_page"], ris["end_page"]) == ("12", "30")
    (csl,) = json.loads(export_csl([c]))
    assert csl["id"] == c.id and csl["title"] == TITLE and csl["DOI"] == c.doi
    assert csl["author"][0] == {"family": "Smith", "given": "A."}
