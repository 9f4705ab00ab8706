"""The SPARQL store is built straight into pyoxigraph from the one RDF mapping (loaders/rdf.py);
it must hold exactly the triples of the rdflib route (graph → N-Triples → oxigraph)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from loaders.evidence import load_evidence_base
from loaders.rdf import records_to_graph, records_to_store

MINI = Path(__file__).parent / "fixtures" / "mini"


def _canonical(store: ox.Store) -> tuple[set[str], Counter[tuple[str, tuple[str, ...]]]]:
    """Ground triples, plus each blank node described by the one triple pointing at it and
    its own (ground) triples. The mapping writes tree-shaped blank nodes (one incoming
    triple, ground objects), checked here, so this form is complete."""
    ground: set[str] = set()
    out: dict[str, list[str]] = {}
    into: dict[str, list[str]] = {}
    for q in store:
        s_blank, o_blank = isinstance(q.subject, ox.BlankNode), isinstance(q.object, ox.BlankNode)
        assert not (s_blank and o_blank)
        if s_blank:
            out.setdefault(q.subject.value, []).append(f"{q.predicate} {q.object}")
        elif o_blank:
            into.setdefault(q.object.value, []).append(f"{q.subject} {q.predicate}")
        else:
            ground.add(str(q.triple))
    assert all(len(v) == 1 for v in into.values())
    assert set(out) <= set(into)
    blanks = Counter((into[b][0], tuple(sorted(out.get(b, [])))) for b in into)
    return ground, blanks


@pytest.mark.parametrize("base", [MINI, None], ids=["mini", "shipped"])
def test_direct_store_holds_the_same_triples_as_the_rdflib_route(base: Path | None) -> None:
    eb = load_evidence_base(base)
    g = records_to_graph(eb.nodes.values(), eb.edges.values())
    via_rdflib = ox.Store()
    via_rdflib.bulk_load(g.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
    direct = records_to_store(eb.nodes.values(), eb.edges.values())
    assert len(direct) == len(via_rdflib) == len(g)
    ground_a, blanks_a = _canonical(via_rdflib)
    ground_b, blanks_b = _canonical(direct)
    assert ground_b == ground_a
    assert blanks_b == blanks_a
    assert blanks_a  # the bases do have statistics / sources as blank nodes
    # typed and language-tagged literals came through with their datatype / tag
    kinds = {(o.datatype.value if o.datatype else None, o.language)
             for o in (q.object for q in direct) if isinstance(o, ox.Literal)}
    assert ("http://www.w3.org/2001/XMLSchema#integer", None) in kinds
    assert any(lang == "en" for _, lang in kinds)


def test_sparql_engine_uses_the_direct_store() -> None:
    from graph.sparql import SparqlEngine

    eb = load_evidence_base(MINI)
    eng = SparqlEngine.from_evidence_base(eb, isolate=False)
    g = records_to_graph(eb.nodes.values(), eb.edges.values())
    assert eng.triples == len(g)
    res = eng.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(res.rows[0]["n"]) == len(g)
