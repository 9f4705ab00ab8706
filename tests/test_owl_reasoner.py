"""OWL 2 DL: the ontology plus the exported data is accepted by a real reasoner.

HermiT (shipped inside owlready2, run on the machine's Java) is the standard OWL 2 DL reasoner;
it reads the ontology plus the Turtle export (dataset description included).
It refuses a datatype outside the OWL 2 datatype map (``xsd:gYear`` was one), reports an
inconsistent ontology, and lets us list unsatisfiable classes. These tests fail on any of the
three, on the shipped evidence base and on the mini test base.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS, XSD

from loaders.evidence import load_evidence_base
from loaders.records import NodeRecord
from loaders.writers.rdf_writer import RdfWriter
from ontology.build import build_ontology
from tests.conftest import IN_CI, MINI

#: The OWL 2 datatype map (OWL 2 Structural Specification, section 4), plus rdf:PlainLiteral.
OWL2_DATATYPES = {str(XSD[t]) for t in (
    "decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger",
    "negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt",
    "unsignedShort", "unsignedByte", "double", "float", "string", "normalizedString", "token",
    "language", "Name", "NCName", "NMTOKEN", "boolean", "hexBinary", "base64Binary", "anyURI",
    "dateTime", "dateTimeStamp")} | {
    str(RDF.PlainLiteral), str(RDF.XMLLiteral), str(RDFS.Literal),
    "http://www.w3.org/2002/07/owl#real", "http://www.w3.org/2002/07/owl#rational",
    str(RDF.langString)}


def _ontology_and_data(evidence: Path | None) -> Graph:
    """The ontology plus exactly what ``intersections export --format ttl`` writes."""
    eb = load_evidence_base(evidence, shacl=False)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "export.ttl"
        writer = RdfWriter(out, "ttl")
        for rec in eb.records():
            (writer.write_node if isinstance(rec, NodeRecord) else writer.write_edge)(rec)  # type: ignore[arg-type]
        writer.finalize()
        g = Graph().parse(out, format="turtle")
    g += build_ontology()
    return g


def _datatypes(g: Graph) -> set[str]:
    used = {str(o.datatype) for o in g.objects() if isinstance(o, Literal) and o.datatype}
    used |= {str(o) for o in g.objects(None, RDFS.range) if str(o).startswith(str(XSD))}
    return used


@pytest.mark.parametrize("evidence", [None, MINI], ids=["shipped", "mini"])
def test_only_owl2_datatypes(evidence: Path | None) -> None:
    g = _ontology_and_data(evidence)
    outside = _datatypes(g) - OWL2_DATATYPES
    assert not outside, f"datatypes outside the OWL 2 datatype map: {sorted(outside)}"


def test_datatype_check_would_catch_gyear() -> None:
    g = Graph()
    g.add((RDFS.Resource, RDFS.comment, Literal("2018", datatype=XSD.gYear)))
    assert _datatypes(g) - OWL2_DATATYPES == {str(XSD.gYear)}


def _java_available() -> bool:
    return shutil.which("java") is not None


@pytest.mark.parametrize("evidence", [None, MINI], ids=["shipped", "mini"])
def test_hermit_accepts_ontology_and_data(evidence: Path | None, tmp_path: Path) -> None:
    owlready2 = pytest.importorskip("owlready2") if not IN_CI else __import__("owlready2")
    if not _java_available():
        if IN_CI:
            pytest.fail("java is needed for the HermiT reasoner")
        pytest.skip("java not found: HermiT cannot run")
    g = _ontology_and_data(evidence)
    path = tmp_path / "ontology-and-data.nt"
    g.serialize(path, format="nt", encoding="utf-8")

    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load(format="ntriples")
    try:
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as exc:  # pragma: no cover - a failure
        pytest.fail(f"HermiT: ontology + data are inconsistent: {exc}")
    except owlready2.OwlReadyJavaError as exc:  # pragma: no cover - a failure
        pytest.fail(f"HermiT refused ontology + data: {str(exc)[-1500:]}")
    unsatisfiable = [c.iri for c in world.inconsistent_classes()]
    assert not unsatisfiable, f"unsatisfiable classes: {unsatisfiable}"
