"""The ontology Turtle files agree with ontology/schema.py and with the namespace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rdflib import RDF, Graph
from rdflib.compare import isomorphic
from rdflib.namespace import OWL

from ontology.build import build_ontology, build_shapes, load_ontology, load_shapes
from ontology.namespace import INT, ONTOLOGY_IRI
from ontology.schema import (
    CLASSES,
    PREDICATES,
    ancestors,
    expand_classes,
    id_to_iri,
    iri_to_id,
    neo4j_labels,
    neo4j_rel_type,
)


def test_committed_turtle_is_up_to_date() -> None:
    """Run `intersections ontology` after editing ontology/schema.py."""
    assert isomorphic(load_ontology(), build_ontology())
    assert isomorphic(load_shapes(), build_shapes())


def test_regenerating_gives_identical_bytes(tmp_path: Path) -> None:
    """`intersections ontology` run twice (fresh interpreters, different hash seeds, so set
    order and blank-node ids would differ) writes the same bytes as the committed files."""
    root = Path(__file__).resolve().parents[1]
    runs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        out.mkdir()
        subprocess.run([sys.executable, "-m", "cli", "ontology", "--out-dir", str(out)],
                       cwd=root, env={**os.environ, "PYTHONHASHSEED": seed}, check=True,
                       capture_output=True)
        runs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert set(runs[0]) == {"intersections.ttl", "shapes.ttl"}
    assert runs[0] == runs[1]
    for name, data in runs[0].items():
        assert (root / "ontology" / name).read_bytes() == data, "run `intersections ontology`"


def test_every_term_used_in_the_turtle_is_declared() -> None:
    used = set()
    for g in (load_ontology(), load_shapes()):
        for triple in g:
            for term in triple:
                if str(term).startswith(ONTOLOGY_IRI):
                    used.add(str(term)[len(ONTOLOGY_IRI):])
    declared = set(INT.__annotations__)
    assert used <= declared, used - declared


def test_classes_and_properties_are_owl() -> None:
    g = load_ontology()
    for c in CLASSES:
        assert (c.iri, RDF.type, OWL.Class) in g
    for p in PREDICATES:
        if str(p.iri).startswith(ONTOLOGY_IRI):
            assert (p.iri, RDF.type, OWL.ObjectProperty) in g


def test_schema_helpers() -> None:
    assert ancestors("TraffickingType") == ("TraffickingType", "Harm")
    assert expand_classes(["Harm"]) == {"Harm", "TraffickingType"}
    assert neo4j_labels("TraffickingType") == ("Entity", "Harm", "TraffickingType")
    assert neo4j_rel_type("increases_risk_of") == "INCREASES_RISK_OF"
    iri = id_to_iri("risk:foster-care-placement")
    assert iri_to_id(str(iri)) == "risk:foster-care-placement"
    for bad in ("DETACH DELETE", "Entity`) DELETE n //"):
        try:
            neo4j_rel_type(bad)
        except ValueError:
            pass
        else:  # pragma: no cover
            raise AssertionError("unsafe relationship type accepted")


def test_shapes_parse_as_shacl() -> None:
    g: Graph = load_shapes()
    from rdflib.namespace import SH

    targets = set(g.objects(None, SH.targetClass))
    assert {c.iri for c in CLASSES} <= targets
