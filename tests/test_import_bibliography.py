"""Bibliography import/export: BibTeX, RIS, CSL-JSON → Citations, dedupe, stable re-import."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest
import rispy

from graph.citations import export_bibtex, export_csl, export_ris
from graph.nx_backend import NetworkxBackend
from loaders.errors import ValidationFailed
from loaders.evidence import load_evidence_base
from loaders.importers.bibliography import (
    citation_id,
    import_bibliography,
    parse_year,
)
from tests.fixtures.importers.support import HERE, mini_copy, snapshot


@pytest.fixture
def ev(tmp_path: Path) -> Path:
    return mini_copy(tmp_path)


def test_bibtex_import_dedupes_and_writes_one_valid_file(ev: Path) -> None:
    r = import_bibliography(HERE / "refs.bib", "bibtex", ev)
    assert r.written and r.target == ev / "imports" / "bibtex-refs.yaml"
    # smith (same DOI, even written as a URL) and lee (same title/year/first author, different
    # case and punctuation) are already in mini; the second garcia is a duplicate in the file
    assert any("cite:smith-2017" in m and "DOI" in m for m in r.merged)
    assert any("cite:lee-2019" in m and "title" in m for m in r.merged)
    assert any("same file" in m for m in r.merged)
    assert r.counts == {"citations": 2}
    eb = load_evidence_base(ev)
    garcia = [n for n in eb.nodes.values() if n.properties.get("doi") == "10.5555/jys.2021.0042"]
    assert len(garcia) == 1
    g = garcia[0]
    assert g.label == "Screening for Exploitation in Youth Shelters"
    assert g.properties["authors"] == ["García, María", "Okafor, Ngozi"]
    assert g.properties["pages"] == "101-118" and g.properties["kind"] == "journal_article"
    book = next(n for n in eb.nodes.values() if n.label == "Survivor-Centered Advocacy")
    assert book.properties["kind"] == "book" and book.properties["place"] == "Saint Paul, MN"


def test_reimport_is_byte_identical_and_not_duplicated(ev: Path) -> None:
    first = import_bibliography(HERE / "refs.bib", "bibtex", ev)
    before = snapshot(ev)
    again = import_bibliography(HERE / "refs.bib", "bibtex", ev)
    assert again.unchanged and not again.written and again.text == first.text
    assert snapshot(ev) == before
    assert again.counts == first.counts  # its own earlier file is not a duplicate source


def test_ris_and_csl_merge_with_earlier_imports(ev: Path) -> None:
    import_bibliography(HERE / "refs.bib", "bibtex", ev)
    ris = import_bibliography(HERE / "refs.ris", "ris", ev)
    assert any("same DOI" in m for m in ris.merged)  # garcia came in with the BibTeX file
    assert ris.counts == {"citations": 1}
    csl = import_bibliography(HERE / "refs.json", "csl", ev)
    assert any("cite:lee-2019" in m for m in csl.merged)
    eb = load_evidence_base(ev)
    hotline = next(n for n in eb.nodes.values() if n.label == "Hotline data explained")
    assert hotline.properties["kind"] == "web_page" and hotline.properties["year"] == 2020
    report = next(n for n in eb.nodes.values() if n.label == "Housing First for Young Survivors")
    assert report.properties["kind"] == "report"


def test_stable_ids_follow_doi_or_title() -> None:
    from loaders.importers.bibliography import BibRecord

    a = BibRecord(title="A", authors=["Lee, C."], year=2019, doi="10.1/X")
    b = BibRecord(title="Another title", authors=["Lee, Chris"], year=2019, doi="10.1/x")
    assert citation_id(a) == citation_id(b)  # DOI decides, case-insensitively
    c = BibRecord(title="Partner Abuse!", authors=["Lee, C."], year=2019)
    d = BibRecord(title="partner abuse", authors=["C. Lee"], year=2019)
    assert citation_id(c) == citation_id(d) and citation_id(c).startswith("cite:lee-2019-")
    assert parse_year("2012///") == 2012 and parse_year("n.d.") is None


@pytest.mark.parametrize("text,rule", [
    ("@article{x, title = {No year ok}, year = {twenty}}", "bad-year"),
    ("@article{x, author = {Lee, C.}, year = {2019}}", "missing-title"),
    ("@article{x, title={T}, doi={not-a-doi}}", "schema"),
    ("just some prose, no entries", "empty"),
])
def test_bibtex_errors_name_line_and_leave_folder_unchanged(ev: Path, tmp_path: Path,
                                                            text: str, rule: str) -> None:
    bad = tmp_path / "bad.bib"
    bad.write_text(text, encoding="utf-8")
    before = snapshot(ev)
    with pytest.raises(ValidationFailed) as exc:
        import_bibliography(bad, "bibtex", ev)
    assert any(p.rule == rule for p in exc.value.problems), exc.value
    assert str(bad) in str(exc.value)
    assert snapshot(ev) == before


def test_ris_without_end_tag_points_at_the_record(ev: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ris"
    bad.write_text("TY  - JOUR\nTI  - One\nER  - \n\nTY  - JOUR\nTI  - Two\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        import_bibliography(bad, "ris", ev)
    assert [(p.line, p.rule) for p in exc.value.problems] == [(5, "ris-structure")]


def test_csl_json_syntax_error_has_line(ev: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[\n {"title": "x",\n  "issued": }\n]', encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        import_bibliography(bad, "csl", ev)
    assert exc.value.problems[0].line == 3


def test_conflict_with_existing_base_is_reported_before_writing(ev: Path) -> None:
    # a curated entry already uses the id the import would create: whole-base validation fails
    from loaders.importers.bibliography import BibtexSource

    rec = next(r for r in BibtexSource(HERE / "refs.bib").records() if r.key == "nguyen2020")
    (ev / "clash.yaml").write_text(
        f"citations:\n  - id: {citation_id(rec)}\n    title: Something else\n    kind: other\n",
        encoding="utf-8")
    before = snapshot(ev)
    with pytest.raises(ValidationFailed) as exc:
        import_bibliography(HERE / "refs.bib", "bibtex", ev)
    assert any(p.rule == "duplicate-id" for p in exc.value.problems)
    assert snapshot(ev) == before


def test_exports_round_trip_through_the_parsers(ev: Path, tmp_path: Path) -> None:
    g = NetworkxBackend.load(ev)
    cites = g.citations(["cite:smith-2017", "cite:lee-2019"])
    bib = bibtexparser.parse_string(export_bibtex(cites))
    assert {e.key for e in bib.entries} == {"smith-2017", "lee-2019"}
    smith = next(e for e in bib.entries if e.key == "smith-2017")
    assert smith.entry_type == "article" and smith["doi"] == "10.1177/0000000000000001"
    ris = rispy.loads(export_ris(cites))
    assert {r["id"] for r in ris} == {"cite:smith-2017", "cite:lee-2019"}
    assert next(r for r in ris if r["id"] == "cite:smith-2017")["start_page"] == "265"
    csl = json.loads(export_csl(cites))
    assert csl[0]["author"][0] == {"family": "Smith", "given": "A."}
    # re-importing every export merges everything (nothing duplicated)
    for fmt, text, ext in (("bibtex", export_bibtex(cites), "bib"),
                           ("ris", export_ris(cites), "ris"), ("csl", export_csl(cites), "json")):
        p = tmp_path / f"export.{ext}"
        p.write_text(text, encoding="utf-8")
        r = import_bibliography(p, fmt, ev)
        assert len(r.merged) == 2 and not r.written, (fmt, r.merged)
