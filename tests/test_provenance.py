"""Provenance: the sources behind results, and every export carrying them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from graph import provenance as pv
from graph.sparql import engine_for

ROOT = Path(__file__).resolve().parents[1]


def test_claims_bring_supporting_citations_and_stating_document(embedded) -> None:
    s = pv.sources_for(embedded, ["claim:foster-care-raises-risk"])
    by_id = {e.citation.id: e for e in s.entries}
    assert set(by_id) == {"cite:doc-brief", "cite:smith-2017", "cite:lee-2019"}
    assert by_id["cite:smith-2017"].supports == ["claim:foster-care-raises-risk"]
    assert by_id["cite:doc-brief"].states == ["claim:foster-care-raises-risk"]
    assert "claim:foster-care-raises-risk: Section A" in by_id["cite:doc-brief"].locators
    assert s.entries[0].citation.kind == "source_document"  # documents listed first
    assert s.unsourced_claims == []


def test_unsourced_claims_are_flagged_not_hidden(embedded) -> None:
    s = pv.sources_for(embedded, ["claim:runaways-one-in-six"])
    assert s.ids == ["cite:doc-brief"]
    assert s.unsourced_claims == ["claim:runaways-one-in-six"]
    assert any("Flagged: no supporting citation" in line for line in s.lines())


def test_concepts_bring_their_sources_and_citations_their_lists(embedded) -> None:
    s = pv.sources_for(embedded, ["tactic:isolation", "cite:lee-2019", "nope:missing"])
    by_id = {e.citation.id: e for e in s.entries}
    assert by_id["cite:doc-brief"].source_of == ["tactic:isolation"]
    assert by_id["cite:doc-brief"].lists == ["cite:lee-2019"]
    assert by_id["cite:lee-2019"].in_result


def test_reference_and_bibtex_formats(embedded) -> None:
    smith = embedded.citation("cite:smith-2017")
    ref = pv.format_reference(smith)
    assert ref.startswith("Smith, A.; Jones, B. (2017). Child welfare involvement and trafficking.")
    assert "Child Maltreatment, 22, 265-274." in ref and "https://doi.org/10.1177/" in ref
    from graph.citations import export_bibtex

    bib = export_bibtex([smith], {smith.id: "supports claim:x"})
    assert bib.startswith("@article{smith-2017,")
    assert "author = {Smith, A. and Jones, B.}" in bib and "journal = {Child Maltreatment}" in bib
    import bibtexparser

    lib = bibtexparser.parse_string(pv.sources_for(
        embedded, ["claim:foster-care-raises-risk"]).to_bibtex())
    assert {e.key for e in lib.entries} == {"doc-brief", "smith-2017", "lee-2019"}
    assert not lib.failed_blocks


def test_csv_export_carries_sources_and_reads_back(embedded) -> None:
    r = engine_for(embedded).query(
        "SELECT ?claim WHERE { ?claim int:supportedBy cite:lee-2019 } ORDER BY ?claim")
    text = pv.export_csv(r, embedded, "SELECT …")
    head = [line for line in text.splitlines() if line.startswith("#")]
    assert any("Partner abuse before trafficking" in line for line in head)
    assert any(line.startswith("# How to cite: Intersections contributors") for line in head)
    import pandas as pd

    df = pd.read_csv(io.StringIO(text), comment="#")
    assert list(df["claim"]) == ["claim:foster-care-raises-risk", "claim:ipv-before-trafficking"]
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert list(csv.reader(body))[0] == ["claim"]


def test_json_export_carries_sources(embedded) -> None:
    r = engine_for(embedded).query("SELECT ?c WHERE { ?c a int:Claim }")
    doc = json.loads(pv.export_json(r, embedded, "q"))
    assert {s["id"] for s in doc["sources"]} >= {"cite:doc-brief", "cite:smith-2017"}
    assert set(doc["unsourced_claims"]) == {"claim:runaways-one-in-six",
                                            "claim:navigators-serve-youth"}
    assert doc["how_to_cite"] == pv.PROJECT_CITATION


def test_citation_cff_matches_the_project_citation() -> None:
    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["title"] == pv.PROJECT_TITLE
    assert str(cff["version"]) == pv.PROJECT_VERSION
    assert cff["license"] == "MIT" and cff["type"] == "software"
    assert cff["authors"][0]["name"] == pv.PROJECT_AUTHORS
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == pv.PROJECT_VERSION


def test_citation_cff_lists_every_source_document() -> None:
    yaml = pytest.importorskip("yaml")
    from graph.nx_backend import NetworkxBackend
    from loaders.errors import ValidationFailed

    try:
        g = NetworkxBackend.load()
    except ValidationFailed:
        pytest.skip("shipped evidence base does not validate right now")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    notes = " ".join(r.get("notes", "") for r in cff["references"])
    docs = [c.id for c in g.citations() if c.kind == "source_document"]
    assert docs
    missing = [d for d in docs if d not in notes]
    assert not missing, f"add these source documents to CITATION.cff references: {missing}"
