"""Loader validation: every kind of bad input gives one clear message and loads nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.errors import ValidationFailed
from loaders.evidence import EvidenceBaseSource, assemble, load_evidence_base
from loaders.records import EdgeRecord, NodeRecord, SourceRef
from loaders.shacl import shacl_problems


def _problems(path: Path) -> list:
    with pytest.raises(ValidationFailed) as info:
        load_evidence_base(path)
    return info.value.problems


def _append(folder: Path, text: str, name: str = "extra.yaml") -> Path:
    target = folder / name
    target.write_text(text, encoding="utf-8")
    return target


def test_mini_fixture_is_valid(mini_eb) -> None:
    assert len(mini_eb.nodes) == 27
    assert ("risk:foster-care-placement", "increases_risk_of",
            "harm:domestic-minor-sex-trafficking") in mini_eb.edges


def test_malformed_yaml_names_file_and_line(evidence_copy: Path) -> None:
    _append(evidence_copy, "harms:\n  - id: harm:x\n    label: [unclosed\n    definition: y\n")
    (p,) = _problems(evidence_copy)
    assert p.file.endswith("extra.yaml")
    assert p.rule == "yaml-syntax"
    assert p.line in (3, 4, 5)
    assert "extra.yaml:" in str(p)


def test_unknown_reference_suggests_the_nearest_id(evidence_copy: Path) -> None:
    _append(evidence_copy, """
links:
  - subject: risk:running-away
    predicate: increases_risk_of
    object: harm:sex-trafficing
    claims: [claim:runaways-one-in-six]
""")
    (p,) = _problems(evidence_copy)
    assert p.rule == "unknown-reference"
    assert p.line == 3
    assert "harm:sex-trafficing" in p.message
    assert "harm:sex-trafficking" in (p.hint or "")


def test_claim_without_citation_must_be_flagged_unsourced(evidence_copy: Path) -> None:
    _append(evidence_copy, """
claims:
  - id: claim:no-source
    statement: A figure with no source.
    about: [risk:running-away]
    stated_in: {citation: cite:doc-brief, locator: "Section A"}
""")
    (p,) = _problems(evidence_copy)
    assert p.rule == "schema"
    assert p.record == "claim:no-source"
    assert "unsourced" in p.message and "supported_by" in p.message


def test_claim_must_name_where_it_was_stated(evidence_copy: Path) -> None:
    _append(evidence_copy, """
claims:
  - id: claim:nowhere
    statement: Stated nowhere.
    about: [risk:running-away]
    supported_by: [cite:smith-2017]
""")
    (p,) = _problems(evidence_copy)
    assert p.rule == "schema" and "stated_in" in p.message
    assert p.hint == "add 'stated_in:'"


def test_stated_in_must_be_a_source_document(evidence_copy: Path) -> None:
    _append(evidence_copy, """
claims:
  - id: claim:wrong-doc
    statement: Stated in a journal article, which is not a curated document.
    about: [risk:running-away]
    supported_by: [cite:smith-2017]
    stated_in: {citation: cite:smith-2017, locator: p. 3}
""")
    (p,) = _problems(evidence_copy)
    assert p.rule == "stated-in-not-a-document"


def test_duplicate_ids_point_at_both_places(evidence_copy: Path) -> None:
    _append(evidence_copy, """
populations:
  - id: pop:youth
    label: Young people
    definition: Again.
    sources: [{citation: cite:doc-brief}]
""")
    (p,) = _problems(evidence_copy)
    assert p.rule == "duplicate-id" and p.record == "pop:youth"
    assert {"vocabulary.yaml", "extra.yaml"} <= {Path(x.split(":")[0]).name
                                                  for x in (p.file, p.message.split()[-1])}


def test_relation_to_the_wrong_class_is_refused(evidence_copy: Path) -> None:
    _append(evidence_copy, """
interventions:
  - id: int:wrong
    label: Wrong program
    kind: program
    definition: Implements a harm, which makes no sense.
    implements: [harm:sex-trafficking]
    sources: [{citation: cite:doc-brief}]
""")
    (p,) = _problems(evidence_copy)
    assert p.rule == "wrong-target"
    assert "implements" in p.message and "PreventionStrategy" in (p.hint or "")


def test_evidence_link_needs_claims(evidence_copy: Path) -> None:
    _append(evidence_copy, """
links:
  - {subject: risk:running-away, predicate: increases_risk_of, object: harm:human-trafficking}
""")
    (p,) = _problems(evidence_copy)
    assert p.rule == "link-without-evidence"


def test_misspelt_key_and_section_get_suggestions(evidence_copy: Path) -> None:
    _append(evidence_copy, """
risk_factor:
  - id: risk:a
populations:
  - id: pop:adults
    label: Adults
    definiton: People over 18.
    sources: [{citation: cite:doc-brief}]
""")
    problems = _problems(evidence_copy)
    rules = {p.rule for p in problems}
    assert "unknown-family" in rules
    fam = next(p for p in problems if p.rule == "unknown-family")
    assert "risk_factors" in (fam.hint or "")
    key = next(p for p in problems if "unknown key" in p.message)
    assert "definition" in (key.hint or "") and key.line == 7


def test_bad_enum_value_is_named(evidence_copy: Path) -> None:
    _append(evidence_copy, """
risk_factors:
  - id: risk:bad-level
    label: Bad level
    definition: Wrong level.
    ecological_level: global
    sources: [{citation: cite:doc-brief}]
""")
    (p,) = _problems(evidence_copy)
    assert p.rule == "schema" and "ecological_level" in p.message
    assert "individual" in p.message


def test_claim_backing_a_link_must_be_about_it(evidence_copy: Path) -> None:
    _append(evidence_copy, """
links:
  - {subject: risk:running-away, predicate: increases_risk_of, object: harm:human-trafficking,
     claims: [claim:navigators-serve-youth]}
""")
    (p,) = _problems(evidence_copy)
    assert p.rule == "claim-not-about-link" and p.record == "claim:navigators-serve-youth"


def test_one_run_reports_every_problem(evidence_copy: Path) -> None:
    _append(evidence_copy, """
populations:
  - id: pop:a
    label: A
    definition: a
    sources: [{citation: cite:missing}]
  - id: BAD ID
    label: B
    definition: b
    sources: [{citation: cite:doc-brief}]
""")
    problems = _problems(evidence_copy)
    assert {p.rule for p in problems} == {"unknown-source", "schema"}
    assert len(problems) == 2


def test_shacl_violation_is_reported_on_the_entry(tmp_path: Path) -> None:
    """A record that bypasses the YAML models (e.g. from a buggy importer) still fails SHACL."""
    doc = NodeRecord(id="cite:doc", category="Citation", label="Doc",
                     properties={"kind": "source_document", "document_kind": "brief"})
    rf = NodeRecord(id="risk:no-level", category="RiskFactor", label="No level",
                    definition="Missing its ecological level.",
                    sources=(SourceRef(citation="cite:doc"),), origin="risks.yaml:12")
    problems: list = []
    from loaders.evidence import _Parsed

    eb = assemble([_Parsed(doc, "c.yaml", 1), _Parsed(rf, "risks.yaml", 12)], problems)
    assert problems == []
    found = shacl_problems(eb)
    assert len(found) == 1
    (p,) = found
    assert (p.file, p.line, p.record, p.rule) == ("risks.yaml", 12, "risk:no-level", "shacl")
    assert "social-ecological level" in p.message


def test_shacl_flags_evidence_link_without_claim() -> None:
    doc = NodeRecord(id="cite:doc", category="Citation", label="Doc",
                     properties={"kind": "source_document", "document_kind": "brief"})
    a = NodeRecord(id="harm:a", category="Harm", label="A", definition="a",
                   sources=(SourceRef(citation="cite:doc"),))
    b = NodeRecord(id="harm:b", category="Harm", label="B", definition="b",
                   sources=(SourceRef(citation="cite:doc"),))
    from loaders.evidence import EvidenceBase

    eb = EvidenceBase(nodes={n.id: n for n in (doc, a, b)},
                      edges={("harm:a", "co_occurs_with", "harm:b"):
                             EdgeRecord(subject="harm:a", predicate="co_occurs_with",
                                        object="harm:b")})
    problems = shacl_problems(eb)
    assert any("supporting claim" in p.message for p in problems)


def test_source_parse_yields_typed_records(tmp_path: Path) -> None:
    from tests.conftest import MINI

    recs = list(EvidenceBaseSource(MINI).parse())
    assert {type(r) for r in recs} == {NodeRecord, EdgeRecord}
    claim = next(r for r in recs if getattr(r, "id", "") == "claim:ipv-before-trafficking")
    assert claim.properties["statistics"][0] == {"value": 70.0, "unit": "percent",
                                                 "text": "as many as 70%",
                                                 "population": "adult women"}


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    problems = _problems(tmp_path / "nope")
    assert problems[0].rule == "missing"
