"""Evidence pages: the backend reads behind them (on every backend) and the pure view functions.

The contract part runs once per backend (``backend`` fixture, tests/conftest.py) on
tests/fixtures/mini; the rest maps plain results to rows, URLs and components, no browser.
"""

from __future__ import annotations

from typing import Any

import pytest

from explorer import evidence_views as ev
from graph.backend import GraphBackend, UnknownNodeError
from graph.models import CitationInfo, ClaimInfo, Link, NodeRef

SHARED = "claim:shared-tactics"
FOSTER_CLAIM = "claim:foster-care-raises-risk"


# ---------------------------------------------------------------- backend reads (contract)
def test_links_supported_by_a_claim(backend: GraphBackend) -> None:
    links = backend.links_supported_by([SHARED])
    got = {(x.subject.id, x.predicate, x.object.id) for x in links}
    assert got == {
        ("harm:human-trafficking", "co_occurs_with", "harm:intimate-partner-violence"),
        ("harm:intimate-partner-violence", "uses_tactic", "tactic:isolation"),
        ("harm:intimate-partner-violence", "uses_tactic", "tactic:economic-abuse"),
        ("harm:human-trafficking", "uses_tactic", "tactic:isolation"),
        ("harm:sex-trafficking", "uses_tactic", "tactic:debt-bondage"),
    }
    assert all(SHARED in x.claims for x in links)
    assert links[0].subject.label <= links[-1].subject.label  # sorted for reading
    assert backend.links_supported_by([]) == []
    # a claim that only describes its node backs no link
    assert backend.links_supported_by(["claim:navigators-serve-youth"]) == []


def test_links_supported_by_several_claims_are_not_repeated(backend: GraphBackend) -> None:
    links = backend.links_supported_by([SHARED, FOSTER_CLAIM, "claim:ipv-before-trafficking"])
    keys = [(x.subject.id, x.predicate, x.object.id) for x in links]
    assert len(keys) == len(set(keys)) == 7


def test_claims_citing_a_study_and_a_source_document(backend: GraphBackend) -> None:
    lee = backend.claims_citing("cite:lee-2019")
    assert [c.id for c in lee] == [FOSTER_CLAIM, "claim:ipv-before-trafficking"]
    assert all(any(ci.id == "cite:lee-2019" for ci in c.citations) for c in lee)
    brief = backend.claims_citing("cite:doc-brief")  # every mini claim is stated in it
    assert len(brief) == 5 and all(c.stated_in and c.stated_in.id == "cite:doc-brief"
                                   for c in brief)
    with pytest.raises(UnknownNodeError):
        backend.claims_citing("cite:nobody-2000")


# ---------------------------------------------------------------- URLs
@pytest.mark.parametrize(("entry", "href"), [
    ("claim:ncap-79-percent", "/evidence/claim/ncap-79-percent"),
    ("other:x-1", "/evidence/claim/other:x-1"),
])
def test_claim_urls_round_trip(entry: str, href: str) -> None:
    assert ev.claim_href(entry) == href
    assert ev.id_from_path(href.rsplit("/", 1)[1], ev.CLAIM_PREFIX) == entry


def test_citation_urls_round_trip() -> None:
    href = ev.citation_href("cite:uroc-roundtable-2018")
    assert href == "/evidence/citation/uroc-roundtable-2018"
    assert ev.id_from_path("uroc-roundtable-2018", ev.CITE_PREFIX) == "cite:uroc-roundtable-2018"
    assert ev.id_from_path("cite:smith-2017/", ev.CITE_PREFIX) == "cite:smith-2017"


# ---------------------------------------------------------------- figures and rows
def _cite(cid: str, doi: str | None = None, **kw: Any) -> CitationInfo:
    return CitationInfo(id=cid, title=kw.pop("title", "T"), doi=doi, **kw)


def _claim(**kw: Any) -> ClaimInfo:
    base: dict[str, Any] = dict(
        id="claim:x", label="X", statement="A *statement* [with] markup_chars.",
        about=(NodeRef("harm:a", "Harm", "Harm A"),),
        citations=(_cite("cite:a-2017", "10.1/aaa", authors=("Able, A.",), year=2017),
                   _cite("cite:b-2019", None, authors=("Baker, B.",), year=2019)),
        stated_in=_cite("cite:doc", title="The Doc", kind="source_document"),
        locator="slide 4", statistics=(), flags=(), evidence_kind="survey")
    base.update(kw)
    return ClaimInfo(**base)


def test_figure_text_reads_like_a_sentence() -> None:
    assert ev.figure_text({"value": 79, "unit": "percent", "text": "79%",
                           "measure": "had experienced economic exploitation",
                           "population": "IPV survivors"}) == \
        "79% — had experienced economic exploitation (IPV survivors)"
    assert ev.figure_text({"value": 12.0, "value_max": 18.0, "unit": "years"}) == "12–18 years"
    assert ev.figure_text({"value": 70, "unit": "percent"}) == "70%"


def test_grid_row_ties_each_doi_to_its_citation_and_links_the_claim() -> None:
    row = ev.grid_row(_claim(statistics=({"value": 70, "unit": "percent",
                                          "text": "as many as 70%"},)))
    assert row["claim"] == "[x](/evidence/claim/x)"
    lines = row["citations"].split("  \n")
    assert lines[0] == ("[Able \\(2017\\)](/evidence/citation/a-2017) · "
                        "[doi:10\\.1/aaa](https://doi.org/10.1/aaa)")
    assert lines[1] == "[Baker \\(2019\\)](/evidence/citation/b-2019)"  # no DOI, none borrowed
    assert row["numbers"] == "as many as 70%"
    two = ev.grid_row(_claim(statistics=({"value": 10, "unit": "percent"},
                                         {"value": 28, "unit": "percent"})))
    assert two["numbers"] == "- 10%\n- 28%"
    assert row["source"].startswith("[The Doc](/evidence/citation/doc)")
    assert "slide 4" in row["source"]
    # markdown in the curators' text is shown as text, never as markup
    assert row["statement"].startswith("A \\*statement\\* \\[with\\] markup\\_chars\\.")


def test_grid_row_without_figures_or_citations_says_so() -> None:
    row = ev.grid_row(_claim(citations=(), flags=("descriptive",)))
    assert row["numbers"] == "—"
    assert row["citations"] == "*none given*"


def test_flags_have_labels_and_explanations() -> None:
    from ontology import schema

    for name in getattr(schema, "QUALITY_FLAGS", {"secondary": None}):
        assert ev.flag_label(name) and ev.flag_label(name) != name
        assert len(ev.flag_explanation(name)) > 20
    tips = ev.grid_tooltips([_claim(flags=("secondary",)), _claim()])
    assert ev.flag_explanation("secondary") in tips[0]["flags"]["value"]
    assert tips[1] == {}
    if "note" in ClaimInfo.__dataclass_fields__:  # the curators' why, for a contested figure
        tip = ev.grid_tooltips([_claim(flags=("contested",), note="no study behind it")])[0]
        assert tip["flags"]["value"].endswith("Why contested: no study behind it")


def test_basis_text() -> None:
    assert ev.basis_text({}) == ""
    assert ev.basis_text({"basis": "stated"}).startswith("Stated")
    text = ev.basis_text({"basis": "inferred", "basis_note": "the programme serves youth"})
    assert "Inferred" in text and text.endswith("the programme serves youth")


def test_study_facts_in_reading_order() -> None:
    facts = ev.study_facts({"method": "interviews", "sample_size": 176,
                            "sample": "key stakeholders", "data_collection_period": "2013-2016",
                            "limitations": ["not a prevalence study"], "design": "qualitative"})
    assert [h for h, _ in facts] == ["Design", "Method", "Sample", "Period", "Limits"]
    assert dict(facts)["Sample"] == "n = 176; key stakeholders"
    assert ev.study_facts(None) == [] and ev.study_facts({}) == []


# ---------------------------------------------------------------- views (component trees)
def _texts(component: Any) -> str:
    out: list[str] = []

    def walk(c: Any) -> None:
        if c is None:
            return
        if isinstance(c, str | int | float):
            out.append(str(c))
            return
        if isinstance(c, list | tuple):
            for x in c:
                walk(x)
            return
        walk(getattr(c, "children", None))

    walk(component)
    return " ".join(out)


def _hrefs(component: Any) -> list[str]:
    out: list[str] = []

    def walk(c: Any) -> None:
        if isinstance(c, list | tuple):
            for x in c:
                walk(x)
            return
        if c is None or isinstance(c, str | int | float):
            return
        if getattr(c, "href", None):
            out.append(c.href)
        walk(getattr(c, "children", None))

    walk(component)
    return out


def test_claim_view_shows_everything_a_reader_checks() -> None:
    link = Link(NodeRef("harm:a", "Harm", "Harm A"), "increases_risk_of",
                NodeRef("harm:b", "Harm", "Harm B"), ("claim:x",),
                {"basis": "inferred", "basis_note": "because"})
    view = ev.claim_view(_claim(flags=("secondary",)), [link])
    text, hrefs = _texts(view), _hrefs(view)
    assert "https://doi.org/10.1/aaa" in hrefs
    assert "/evidence/citation/a-2017" in hrefs and "/evidence/citation/doc" in hrefs
    assert "slide 4" in text and "The Doc" in text
    assert ev.flag_explanation("secondary") in text
    assert "increases risk of" in text and "because" in text
    assert "/explore?node=harm:a" in hrefs and "/explore?node=harm:b" in hrefs
    assert "Links it supports (1)" in text


def test_citation_view_lists_claims_links_and_the_study() -> None:
    doc = _cite("cite:doc", title="The Doc", kind="source_document",
                properties={"study": {"method": "interviews", "sample_size": 176,
                                      "limitations": ["not a prevalence study"]}})
    stated = _claim(stated_in=doc)
    citing = _claim(id="claim:y", citations=(doc,), stated_in=_cite("cite:other"))
    link = Link(NodeRef("harm:a", "Harm", "Harm A"), "co_occurs_with",
                NodeRef("harm:b", "Harm", "Harm B"), ("claim:y",))
    view = ev.citation_view(doc, [stated, citing], [link])
    text, hrefs = _texts(view), _hrefs(view)
    assert "1 claim stated in it · 1 claim citing it · 1 link they support" in text
    assert "interviews" in text and "n = 176" in text and "not a prevalence study" in text
    assert "/evidence/claim/x" in hrefs and "/evidence/claim/y" in hrefs
    assert "/explore?node=harm:a" in hrefs


def test_evidence_table_pages_are_clamped() -> None:
    page_of = ev.page_of
    assert page_of(0, 0, 25) == (0, 1)  # an empty result still has one (empty) page
    assert page_of(122, 1, 25) == (1, 5)
    assert page_of(122, 9, 25) == (4, 5)  # past the end: the last page
    assert page_of(50, -3, 25) == (0, 2)
    assert page_of(50, None, 25) == (0, 2)


def test_citation_view_caps_long_lists_and_links_to_the_table() -> None:
    doc = _cite("cite:hub")
    many = [_claim(id=f"claim:c{i:03d}", citations=(doc,), stated_in=_cite("cite:other"))
            for i in range(ev.MAX_LISTED + 7)]
    view = ev.citation_view(doc, many, [])
    text, hrefs = _texts(view), _hrefs(view)
    assert f"Claims citing it ({ev.MAX_LISTED + 7})" in text
    assert "7 more are not listed here." in text
    assert "/evidence?cites=cite:hub" in hrefs
    assert sum(1 for h in hrefs if h.startswith("/evidence/claim/")) == ev.MAX_LISTED
