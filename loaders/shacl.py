"""SHACL validation of the RDF form, reported in the same file/line/id terms as other checks."""

from __future__ import annotations

from pyshacl import validate
from rdflib import BNode, Graph
from rdflib.namespace import RDF, SH

from loaders.errors import Problem
from loaders.evidence import EvidenceBase
from loaders.rdf import class_lineage_triples, records_to_graph
from ontology.build import load_ontology, load_shapes
from ontology.schema import iri_to_id


def shacl_report(data: Graph) -> Graph:
    """Run pyshacl (RDFS inference off: superclass types are materialised first)."""
    _conforms, report, _text = validate(
        data, shacl_graph=load_shapes(), ont_graph=load_ontology(), inference="none",
        allow_warnings=True, advanced=True,
    )
    return report


def shacl_problems(eb: EvidenceBase) -> list[Problem]:
    """SHACL violations as Problems pointing back at the YAML entry of the focus node."""
    data = records_to_graph(eb.nodes.values(), eb.edges.values())
    class_lineage_triples(data)
    report = shacl_report(data)
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
