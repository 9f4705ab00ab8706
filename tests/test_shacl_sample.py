"""SHACL over a large base's sample (loaders/shacl.py): the shapes no longer target the nodes
that are in the sample graph only by their type (a sampled entry's link targets), and that
must change no verdict on anything that is checked.

The comparison runs pyshacl both ways on the same sample graph, with violations put into it on
purpose (entries without a label or a definition, a statistic without a unit, a link without its
basis), so "the same results" is about results that exist, not about two empty reports.
"""

from __future__ import annotations

from typing import Any

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH, SKOS

from benchmarks.generator import generate
from loaders import shacl
from loaders.evidence import load_evidence_base
from ontology.namespace import INT


@pytest.fixture(scope="module")
def sample_graph(tmp_path_factory: pytest.TempPathFactory) -> tuple[Graph, set[URIRef]]:
    folder = tmp_path_factory.mktemp("gen") / "g"
    generate(folder, 2_000, seed=11)
    eb = load_evidence_base(folder, shacl=False, use_cache=False)
    sample = shacl.shacl_sample(eb)
    data, typed_only = shacl._sample_graph_and_refs(eb, sample)
    # violations on checked nodes: two entries lose label and definition, a statistic its unit,
    # a link its basis
    entries = sorted((URIRef(str(s)) for s in data.subjects(SKOS.definition, None)), key=str)
    for s in entries[:2]:
        data.remove((s, SKOS.definition, None))
        data.remove((s, SKOS.prefLabel, None))
    for b in list(data.subjects(RDF.type, INT.Statistic))[:1]:
        data.remove((b, INT.unit, None))
    for link in sorted(data.subjects(RDF.type, INT.Link), key=str)[:1]:
        data.remove((link, INT.basis, None))
    return data, typed_only


def _results(report: Graph, data: Graph, drop: set[URIRef] | frozenset[URIRef] = frozenset()
             ) -> set[tuple[Any, ...]]:
    out = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(r, SH.focusNode)
        if focus in drop:
            continue
        if isinstance(focus, BNode):  # a blank node: named by the entry that holds it
            focus = ("held by", next(data.subjects(None, focus)))
        out.add((focus, report.value(r, SH.resultPath), str(report.value(r, SH.resultMessage)),
                 report.value(r, SH.sourceConstraintComponent), report.value(r, SH.value)))
    return out


def test_typed_only_nodes_are_not_validated_and_no_verdict_changes(
        sample_graph: tuple[Graph, set[URIRef]]) -> None:
    data, typed_only = sample_graph
    assert typed_only  # a sample always points outside itself
    before = shacl.shacl_report(data)  # the shapes as written: they target everything
    after = shacl.shacl_report(data, skip=typed_only)
    # the old way validated the typed-only nodes too (and shacl_problems dropped those)…
    assert set(before.objects(None, SH.focusNode)) & typed_only
    # …now nothing is reported on them, and everything else is reported exactly as before
    assert not set(after.objects(None, SH.focusNode)) & typed_only
    expected = _results(before, data, drop=typed_only)
    assert _results(after, data) == expected
    assert SH.MinCountConstraintComponent in {x[3] for x in expected}
    held = {x[0] for x in expected if isinstance(x[0], tuple)}
    assert held  # the statistic's missing unit (a blank node) is among them
    assert any("/link/" in str(x[0]) for x in expected)  # and the link's missing basis


def test_the_shapes_are_unchanged_when_nothing_is_skipped(
        sample_graph: tuple[Graph, set[URIRef]]) -> None:
    data, _ = sample_graph
    assert _results(shacl.shacl_report(data), data) == \
        _results(shacl.shacl_report(data, skip=frozenset()), data)


def test_retargeting_keeps_every_other_target() -> None:
    """sh:targetClass C → sh:targetNode for each instance of C or of a subclass, minus skip."""
    from ontology.build import load_shapes

    ex = "https://example.org/"
    data = Graph()
    harm, tt = INT.Harm, INT.TraffickingType  # TraffickingType is a subclass of Harm
    a, b, c = URIRef(ex + "a"), URIRef(ex + "b"), URIRef(ex + "c")
    data.add((a, RDF.type, harm))
    data.add((b, RDF.type, tt))
    data.add((c, RDF.type, harm))
    from ontology.build import load_ontology

    shapes = load_shapes()
    shacl._targets_without(shapes, data + load_ontology(), {c})
    harm_shape = next(shapes.subjects(SH.targetNode, a))
    assert set(shapes.objects(harm_shape, SH.targetNode)) == {a, b}
    assert (harm_shape, SH.targetClass, harm) not in shapes
    # a shape none of whose targets is skipped keeps its class target
    assert next(shapes.subjects(SH.targetClass, INT.Statistic), None) is not None
