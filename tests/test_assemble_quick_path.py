"""assemble()'s quick path for plain links (loaders/evidence.py, issue 17 first open).

Most links pass at a glance — both ends exist with classes the predicate allows, no claims, no
rule of its own — and skip _check_edge. The quick path may only ever send a link the long way,
never let one through that _check_edge would stop: the same base must give the same links in
the same order and the same problems whether or not the quick path is used.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import loaders.evidence as ev
from loaders.errors import Problem
from loaders.records import edge_record
from ontology.schema import CLASS_BY_NAME, PREDICATE_BY_NAME, is_a


def _parsed_with_bad_links(folder: Path) -> list[ev._Parsed]:
    from benchmarks.generator import generate

    generate(folder, 600, seed=3)
    parsed = list(ev.EvidenceBaseSource(folder)._parse_all())
    by_class: dict[str, str] = {}
    for item in parsed:
        rec = item.record
        if isinstance(rec, ev.NodeRecord):
            by_class.setdefault(rec.category, rec.id)
    extra = []
    for name in sorted(PREDICATE_BY_NAME):
        for s_cls in sorted(by_class):
            o_cls = sorted(by_class)[(len(name) + len(s_cls)) % len(by_class)]
            # a subject and an object of whatever class: right or wrong for this predicate
            extra.append(edge_record(by_class[s_cls], name, by_class[o_cls], (), {}, "x.yaml:1"))
        extra.append(edge_record("no:such-node", name, by_class["Harm"], (), {}, "x.yaml:2"))
    return [*parsed, *(ev._Parsed(e, "x.yaml", n) for n, e in enumerate(extra, 1))]


def test_the_quick_path_changes_no_link_and_no_problem(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = _parsed_with_bad_links(tmp_path / "g")
    quick_problems: list[Problem] = []
    quick = ev.assemble(parsed, quick_problems)
    monkeypatch.setattr(ev, "_quick_ends", dict)  # every link the long way
    long_problems: list[Problem] = []
    long = ev.assemble(parsed, long_problems)
    assert list(quick.edges.items()) == list(long.edges.items())
    assert quick_problems == long_problems
    rules = {p.rule for p in long_problems}
    assert {"wrong-target", "unknown-reference"} <= rules  # the bad links were really bad
    assert len(quick.edges) > 1_000


def test_the_quick_sets_are_is_a() -> None:
    for name, (subjects, objects) in ev._quick_ends().items():
        spec = PREDICATE_BY_NAME[name]
        assert not spec.evidence and name not in ev._CHECKED_PREDICATES
        for c in CLASS_BY_NAME:
            assert (c in subjects) == is_a(c, spec.domain), (name, c)
            assert (c in objects) == is_a(c, spec.range), (name, c)


def test_claimed_keys_are_every_link_with_claims_and_give_the_same_problems(
        tmp_path: Path) -> None:
    """assemble() lists the links with claims so check_evidence_links reads only those; the
    list must be exactly the links that end up with claims (merges included), and the check
    must find the same problems in the same order."""
    parsed = _parsed_with_bad_links(tmp_path / "g")
    nodes = [i.record for i in parsed if isinstance(i.record, ev.NodeRecord)]
    claims = [n.id for n in nodes if n.category == "Claim"][:3]
    others = [n for n in nodes if n.category == "Harm"][:2]
    # a link written twice, once without and once with claims (merged), and claims that are
    # about neither end of their link (problems for check_evidence_links)
    a, b = others[0].id, others[1].id
    extra = [edge_record(a, "co_occurs_with", b, (), {"basis": "inferred"}, "y.yaml:1"),
             edge_record(a, "co_occurs_with", b, (claims[0],), {"basis": "inferred"},
                         "y.yaml:2"),
             edge_record(b, "increases_risk_of", a, (claims[1], claims[2]),
                         {"basis": "inferred"}, "y.yaml:3")]
    parsed += [ev._Parsed(e, "y.yaml", n) for n, e in enumerate(extra, 1)]
    claimed: set[tuple[str, str, str]] = set()
    eb = ev.assemble(parsed, [], claimed=claimed)
    assert claimed == {k for k, e in eb.edges.items() if e.claims}
    assert len(claimed) > 3
    everything: list[Problem] = []
    ev.check_evidence_links(eb, everything)
    only_claimed: list[Problem] = []
    ev.check_evidence_links(eb, only_claimed, claimed)
    assert only_claimed == everything
    assert any(p.rule == "claim-not-about-link" for p in everything)
