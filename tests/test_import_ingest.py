"""Ingest documents we wrote (known findings) and accept curated entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from graph.nx_backend import NetworkxBackend
from loaders.errors import IntersectionsError, ValidationFailed
from loaders.importers.ingest import (
    accept_review,
    find_statistics,
    ingest_document,
    read_document,
    sentences,
)
from tests.fixtures.importers.support import HERE, SAMPLES, make_pdf, mini_copy, snapshot

REPORT_PAGES = [
    ["Community Safety Report",
     "Of the 250 survivors we served, 45% had been placed in foster care as children. One in "
     "four said a partner had taken their wages."],
    ["Staff noted that intimate partner violence and human trafficking share tactics such as "
     "isolation. This sentence mentions nothing of interest.",
     "Outreach workers made 1,200 contacts with young people in 2022, and 12 sessions were "
     "held for parents."],
]


@pytest.fixture
def ev(tmp_path: Path) -> Path:
    return mini_copy(tmp_path)


def _by_text(review, fragment: str):
    return next(c for c in review.candidates if fragment in c.source_text)


def test_statistics_parser_known_cases() -> None:
    s = find_statistics("Of the 250 survivors we served, 45% had been placed in foster care.")
    assert [(x["value"], x["unit"]) for x in s] == [(250, "people"), (45, "percent")]
    assert s[0]["measure"] == "survivors"
    assert find_statistics("One in four said so.") == [
        {"value": 25.0, "unit": "percent", "text": "One in four"}]
    rng = find_statistics("Between 40% and 60% of adults.")
    assert rng == [{"value": 40, "value_max": 60, "unit": "percent", "text": "40% and 60%"}]
    assert find_statistics("They were 3 times more likely.")[0]["unit"] == "ratio"
    assert find_statistics("In 2019 we moved offices on 12 May.") == []
    assert find_statistics("We held 12 sessions.")[0] == {"value": 12, "unit": "sessions",
                                                          "text": "12 sessions"}


def test_sentence_split_keeps_abbreviations() -> None:
    assert sentences("Data from the U.S. Department of State, e.g. the TIP report. Next one.") \
        == ["Data from the U.S. Department of State, e.g. the TIP report.", "Next one."]


@pytest.mark.parametrize("kind", ["txt", "pdf"])
def test_ingest_finds_known_concepts_statistics_and_locators(ev: Path, tmp_path: Path,
                                                             kind: str) -> None:
    if kind == "txt":
        doc = HERE / "report.txt"
    else:
        doc = tmp_path / "report.pdf"
        doc.write_bytes(make_pdf(REPORT_PAGES, title="Community Safety Report"))
    before = snapshot(ev)
    res = ingest_document(doc, ev, out=tmp_path / f"{kind}.review.yaml")
    assert snapshot(ev) == before  # ingest never writes into the evidence base
    review = res.review
    assert len(review.candidates) == 4
    assert not any("nothing of interest" in c.source_text for c in review.candidates)
    foster = _by_text(review, "250 survivors")
    assert foster.about == ["risk:foster-care-placement"]
    assert [(s.value, s.unit) for s in foster.statistics] == [(250, "people"), (45, "percent")]
    assert foster.needs_rewrite and foster.statement == foster.source_text
    tactics = _by_text(review, "share tactics")
    assert tactics.about == ["harm:intimate-partner-violence", "harm:human-trafficking",
                             "tactic:isolation"]
    assert tactics.statistics == []
    outreach = _by_text(review, "1,200 contacts")
    assert [(s.value, s.unit) for s in outreach.statistics] == [(1200, "contacts"),
                                                                 (12, "sessions")]
    if kind == "pdf":
        assert foster.locator == "page 1, paragraph 2"
        assert tactics.locator == "page 2, paragraph 1"
        assert outreach.locator == "page 2, paragraph 2"
    else:
        assert (foster.locator, tactics.locator, outreach.locator) == (
            "paragraph 2", "paragraph 3", "paragraph 4")
    assert review.document.citation["title"] == "Community Safety Report"


def test_markdown_sections_in_locator(ev: Path, tmp_path: Path) -> None:
    res = ingest_document(SAMPLES / "needs-assessment.md", ev, out=tmp_path / "r.yaml")
    dmst = _by_text(res.review, "DMST")
    assert dmst.about == ["harm:domestic-minor-sex-trafficking"]
    assert dmst.locator == "section 'Service use', paragraph 1"
    assert res.review.document.citation["title"] == \
        "Lakes Region Youth and Family Safety Needs Assessment"


def _edit(path: Path, fn) -> None:
    yaml = YAML()
    data = yaml.load(path.read_text())
    fn(data)
    with path.open("w") as fh:
        yaml.dump(data, fh)


def test_accept_refuses_verbatim_then_writes_and_is_idempotent(ev: Path, tmp_path: Path) -> None:
    review_path = tmp_path / "r.review.yaml"
    ingest_document(HERE / "report.txt", ev, out=review_path)

    def accept_two(data) -> None:
        for c in data["candidates"]:
            if "250 survivors" in c["source_text"]:
                c["status"] = "accept"
            if "share tactics" in c["source_text"]:
                c["status"] = "accept"
                c["statement"] = "Partner abuse and trafficking rely on shared control tactics."
            if "1,200" in c["source_text"]:
                c["status"] = "reject"

    _edit(review_path, accept_two)
    before = snapshot(ev)
    with pytest.raises(ValidationFailed) as exc:
        accept_review(review_path, ev)
    assert [p.rule for p in exc.value.problems] == ["verbatim-statement"]
    assert exc.value.problems[0].line is not None
    assert snapshot(ev) == before

    def rewrite(data) -> None:
        for c in data["candidates"]:
            if "250 survivors" in c["source_text"]:
                c["statement"] = "Nearly half of the survivors served had been in foster care."

    _edit(review_path, rewrite)
    r = accept_review(review_path, ev)
    assert r.written and r.target.parent.name == "accepted"
    assert r.counts == {"citations": 1, "claims": 2}
    assert any("2 accepted, 1 rejected, 1 still pending" in w for w in r.warnings)
    g = NetworkxBackend.load(ev)
    claims = g.claims(source=f"cite:doc-{r.target.stem}")
    assert len(claims) == 2
    foster = next(c for c in claims if "foster care" in c.statement)
    assert foster.stated_in.kind == "source_document" and foster.locator == "paragraph 2"
    assert "unsourced_figure" in foster.flags  # a figure, no citation yet
    assert foster.statistics[1]["value"] == 45
    before = snapshot(ev)
    again = accept_review(review_path, ev)
    assert again.unchanged and snapshot(ev) == before


def test_allow_verbatim_marks_quote(ev: Path, tmp_path: Path) -> None:
    review_path = tmp_path / "r.review.yaml"
    ingest_document(HERE / "report.txt", ev, out=review_path)
    _edit(review_path, lambda d: d["candidates"][0].update(status="accept"))
    r = accept_review(review_path, ev, allow_verbatim=True)
    assert "verbatim" in r.text and any("verbatim" in w for w in r.warnings)


def test_review_file_errors(ev: Path, tmp_path: Path) -> None:
    review_path = tmp_path / "r.review.yaml"
    ingest_document(HERE / "report.txt", ev, out=review_path)
    _edit(review_path, lambda d: d["candidates"][1].update(status="maybe"))
    with pytest.raises(ValidationFailed) as exc:
        accept_review(review_path, ev)
    assert exc.value.problems[0].rule == "review-schema" and exc.value.problems[0].line


def test_review_file_may_not_go_into_the_evidence_folder(ev: Path) -> None:
    with pytest.raises(IntersectionsError, match="inside the evidence folder"):
        ingest_document(HERE / "report.txt", ev, out=ev / "r.review.yaml")


def test_unreadable_documents_are_clean_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a pdf")
    with pytest.raises(IntersectionsError):
        read_document(bad)
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n\n  ")
    with pytest.raises(ValidationFailed, match="no text"):
        read_document(empty)
