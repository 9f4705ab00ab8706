"""SHACL validation of the RDF form, reported in the same file/line/id terms as other checks.

Policy (measured in BENCHMARKS.md): every shape in ``ontology/shapes.ttl`` is also enforced on
every entry by the pydantic models and the loader's cross-record checks, so SHACL is a second,
independent check that the RDF form says what the records say. pyshacl costs ~0.3 ms per triple
(minutes at 100k nodes), so it runs over the whole RDF form for bases up to
:data:`SHACL_FULL_LIMIT` nodes (the shipped base: all of it) and over a deterministic, stratified
sample of entries above that. All shapes are node-local (a focus node's own triples and the
types of the nodes it points to), so a sampled entry gets exactly the verdict full validation
would give it. ``INTERSECTIONS_SHACL=full`` (or ``full=True``) forces the whole form.
"""

from __future__ import annotations

import hashlib
import os

from pyshacl import validate
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from loaders.errors import Problem
from loaders.evidence import EvidenceBase
from loaders.rdf import (
    add_edge,
    add_node,
    class_lineage_triples,
    new_graph,
    records_to_graph,
)
from ontology.build import load_ontology, load_shapes
from ontology.namespace import INT
from ontology.schema import CLASS_BY_NAME, id_to_iri, iri_to_id

#: Bases with at most this many nodes get SHACL over their whole RDF form.
SHACL_FULL_LIMIT = 1_500
#: Above the limit: entries checked in all, and at least this many of every class.
SHACL_SAMPLE_SIZE = 150
SHACL_MIN_PER_CLASS = 6


def shacl_report(data: Graph, *, skip: set[URIRef] | frozenset[URIRef] = frozenset()
                 ) -> Graph:
    """Run pyshacl (RDFS inference off: superclass types are materialised first).

    ``skip``: nodes that are in ``data`` only so that the entries' links can be checked
    against their types (a sample's link targets); the shapes do not target them (see
    :func:`_targets_without`), so no time goes into validating nodes that are not there.
    """
    shapes, ontology = load_shapes(), load_ontology()
    if skip:
        _targets_without(shapes, data + ontology, skip)
    _conforms, report, _text = validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none",
        allow_warnings=True, advanced=True,
    )
    return report


def _targets_without(shapes: Graph, data: Graph, skip: set[URIRef] | frozenset[URIRef]
                     ) -> None:
    """Replace each ``sh:targetClass C`` that would target a node of ``skip`` by ``sh:targetNode``
    for every other node it targets: the same focus nodes minus ``skip``, each checked by the
    same shapes, so the same results for them.

    The targets are read as pyshacl reads ``sh:targetClass`` (its ``Shape.focus_nodes``): the
    subjects of ``rdf:type C`` or of ``rdf:type`` any ``rdfs:subClassOf*`` subclass of C, in
    the data graph with the ontology mixed in (``data`` here). Without this, a 100k base's
    sample made pyshacl validate ~4,900 type-only link targets against their class shapes —
    ~5,000 violations (no definition, no source…) that :func:`shacl_problems` then dropped, a
    second or more of a first open.
    """
    for shape, cls in list(shapes.subject_objects(SH.targetClass)):
        classes = set(data.transitive_subjects(RDFS.subClassOf, cls)) | {cls}
        targets = {s for c in classes for s in data.subjects(RDF.type, c)}
        if targets.isdisjoint(skip):
            continue
        shapes.remove((shape, SH.targetClass, cls))
        for node in targets - skip:
            shapes.add((shape, SH.targetNode, node))


def shacl_sample(eb: EvidenceBase) -> set[str]:
    """Entries SHACL checks in a large base: every class, then a stable hash-ordered spread."""
    by_class: dict[str, list[str]] = {}
    for i, n in eb.nodes.items():
        by_class.setdefault(n.category, []).append(i)
    total = len(eb.nodes)
    picked: set[str] = set()
    for ids in by_class.values():
        ids.sort(key=lambda x: hashlib.sha1(x.encode()).digest())
        share = round(SHACL_SAMPLE_SIZE * len(ids) / total)
        picked.update(ids[:max(SHACL_MIN_PER_CLASS, share)])
    return picked


def _sample_graph(eb: EvidenceBase, ids: set[str]) -> Graph:
    """The sampled entries' triples plus the types of every node they point to."""
    return _sample_graph_and_refs(eb, ids)[0]


def _sample_graph_and_refs(eb: EvidenceBase, ids: set[str]) -> tuple[Graph, set[URIRef]]:
    """:func:`_sample_graph`, and the nodes in it only by their types (not to be validated)."""
    g = new_graph()
    refs: set[str] = set()
    for i in ids:
        node = eb.nodes[i]
        add_node(g, node)
        refs.update(s.citation for s in node.sources)
        refs.update(li["citation"] for li in node.properties.get("listed_in", []))
    for (subject, _p, _o), e in eb.edges.items():  # keys (compact) before records (scattered)
        if subject in ids:
            add_edge(g, e)
            refs.add(e.object)
            refs.update(e.claims)
    typed_only: set[URIRef] = set()
    for r in refs - ids:
        ref_node = eb.nodes.get(r)
        if ref_node is None:
            continue
        iri = id_to_iri(r)
        typed_only.add(iri)
        g.add((iri, RDF.type, CLASS_BY_NAME[ref_node.category].iri))
        if ref_node.properties.get("kind") == "source_document":
            g.add((iri, RDF.type, INT.SourceDocument))
    class_lineage_triples(g)
    return g, typed_only


def shacl_problems_full(eb: EvidenceBase) -> list[Problem]:
    """SHACL over the whole RDF form, whatever the size (slow above a few thousand nodes)."""
    return shacl_problems(eb, full=True)


def shacl_problems(eb: EvidenceBase, *, full: bool | None = None) -> list[Problem]:
    """SHACL violations as Problems pointing back at the YAML entry of the focus node.

    ``full=None`` applies the size policy of this module (see the module docstring).
    """
    if full is None:
        full = (len(eb.nodes) <= SHACL_FULL_LIMIT
                or os.environ.get("INTERSECTIONS_SHACL", "").lower() == "full")
    sample: set[str] | None = None
    if full:
        data = records_to_graph(eb.nodes.values(), eb.edges.values())
        class_lineage_triples(data)
    else:
        sample = shacl_sample(eb)
        data, typed_only = _sample_graph_and_refs(eb, sample)
    report = shacl_report(data, skip=typed_only if sample is not None else frozenset())
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        msg = report.value(result, SH.resultMessage)
        # a blank node (statistic, source reference) is reported on the entry that holds it
        for _ in range(3):
            if not isinstance(focus, BNode):
                break
            focus = next(data.subjects(None, focus), focus)
        fid = iri_to_id(str(focus)) if focus is not None else None
        if sample is not None and fid in eb.nodes and fid not in sample:
            continue  # a node present only by its type, as the target of a sampled entry
        node = eb.nodes.get(fid) if fid else None
        file, line = "?", None
        if node is not None and node.origin:
            file, _, ln = node.origin.rpartition(":")
            line = int(ln) if ln.isdigit() else None
            file = file or node.origin
        where_path = f" ({_short(path)})" if path is not None else ""
        problems.append(Problem(file, line, fid or str(focus), "shacl",
                                f"{msg or 'constraint violated'}{where_path}"))
    return sorted(set(problems))


def _short(iri: object) -> str:
    s = str(iri)
    return s.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
