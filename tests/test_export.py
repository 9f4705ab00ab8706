"""Exports re-read to the same content: Turtle and JSON-LD triples, GraphML and CSV counts."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from loaders.rdf import records_to_graph
from loaders.void import describe_dataset, stats_of_graph
from loaders.writers import WRITERS, get_writer, write_records


@pytest.mark.parametrize(("fmt", "rdf_format"), [("ttl", "turtle"), ("jsonld", "json-ld"),
                                                  ("nt", "nt")])
def test_rdf_exports_reparse_to_the_same_triples(mini_eb, tmp_path: Path, fmt: str,
                                                 rdf_format: str) -> None:
    out = tmp_path / f"eb.{fmt}"
    write_records(mini_eb.records(), get_writer(fmt, out))
    reread = Graph().parse(out, format=rdf_format)
    expected = records_to_graph(mini_eb.nodes.values(), mini_eb.edges.values())
    expected += describe_dataset(stats_of_graph(expected))  # every RDF export describes itself
    assert len(reread) == len(expected) > 300
    assert isomorphic(reread, expected)


def test_graphml_rereads_with_networkx(mini_eb, tmp_path: Path) -> None:
    out = tmp_path / "eb.graphml"
    write_records(mini_eb.records(), get_writer("graphml", out))
    g = nx.read_graphml(out, force_multigraph=True)
    assert g.number_of_nodes() == len(mini_eb.nodes)
    assert g.number_of_edges() == len(mini_eb.edges)
    assert g.nodes["risk:foster-care-placement"]["label"] == "Foster care placement"


def test_csv_export_has_one_row_per_node_and_edge(mini_eb, tmp_path: Path) -> None:
    write_records(mini_eb.records(), get_writer("csv", tmp_path / "csv"))
    with (tmp_path / "csv" / "nodes.csv").open(encoding="utf-8") as fh:
        nodes = list(csv.DictReader(fh))
    with (tmp_path / "csv" / "edges.csv").open(encoding="utf-8") as fh:
        edges = list(csv.DictReader(fh))
    assert len(nodes) == len(mini_eb.nodes) and len(edges) == len(mini_eb.edges)
    link = next(e for e in edges if e["predicate"] == "increases_risk_of"
                and e["subject"] == "risk:foster-care-placement")
    assert link["claims"] == "claim:foster-care-raises-risk"


def test_evidence_links_survive_in_rdf(mini_eb) -> None:
    g = records_to_graph(mini_eb.nodes.values(), mini_eb.edges.values())
    rows = list(g.query("""
        PREFIX int: <https://w3id.org/intersections/ontology#>
        SELECT ?claim WHERE {
          ?l a int:Link ; rdf:subject ?s ; rdf:predicate int:increasesRiskOf ; rdf:object ?o ;
             int:supportingClaim ?claim .
          ?s dcterms:identifier "risk:foster-care-placement" .
        }"""))
    assert [str(r[0]).rsplit("/", 1)[-1] for r in rows] == ["foster-care-raises-risk"]


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        get_writer("xls", tmp_path / "x")
    assert {"ttl", "jsonld", "graphml", "csv"} <= set(WRITERS)
