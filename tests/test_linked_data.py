"""The SPARQL 1.1 Protocol endpoint, resolvable IRIs and the VoID/DCAT description.

The protocol tests run the real explorer (werkzeug on 127.0.0.1, a free port) over the mini
evidence base and talk to it with SPARQLWrapper, the client researchers' notebooks use, plus
plain HTTP for content negotiation, CORS and errors. The formats are also checked without a
server, straight from a query result.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from graph.linked_data import DATASET_IRI, VOID, dataset_description, describe
from graph.nx_backend import NetworkxBackend
from graph.sparql import SparqlEngine, sparql
from graph.sparql_protocol import (
    CSV,
    SPARQL_JSON,
    SPARQL_XML,
    TSV,
    TURTLE,
    NotAcceptable,
    negotiate,
    render,
)
from ontology.namespace import ID
from tests.conftest import IN_CI, MINI

SPARQLWrapper = pytest.importorskip("SPARQLWrapper") if not IN_CI else __import__("SPARQLWrapper")

FOSTER = "https://w3id.org/intersections/id/risk/foster-care-placement"
SELECT_LABELS = """SELECT ?s ?label WHERE { ?s a int:RiskFactor ; skos:prefLabel ?label }
ORDER BY ?s"""


# ------------------------------------------------------------------------------ formats
@pytest.fixture(scope="module")
def engine(mini_eb) -> SparqlEngine:
    return SparqlEngine.from_evidence_base(mini_eb, isolate=False)


def test_negotiation_defaults_wildcards_and_refusals() -> None:
    assert negotiate(None, "SELECT") == SPARQL_JSON
    assert negotiate("*/*", "SELECT") == SPARQL_JSON
    assert negotiate("text/csv;q=0.5, application/sparql-results+xml", "SELECT") == SPARQL_XML
    assert negotiate("text/*", "ASK") == CSV
    assert negotiate("application/ld+json", "CONSTRUCT") == "application/ld+json"
    assert negotiate(None, "DESCRIBE") == TURTLE
    assert negotiate("text/html", "SELECT", fmt="tsv") == TSV
    with pytest.raises(NotAcceptable):
        negotiate("image/png", "SELECT")
    with pytest.raises(NotAcceptable):
        negotiate(None, "SELECT", fmt="ttl")  # Turtle cannot carry solutions


def test_select_results_in_every_format(engine: SparqlEngine) -> None:
    res = engine.query(SELECT_LABELS)
    n = len(res.rows)
    assert n >= 3
    js = json.loads(render(res, SPARQL_JSON).body)
    assert js["head"]["vars"] == ["s", "label"]
    first = js["results"]["bindings"][0]
    assert first["s"]["type"] == "uri" and first["s"]["value"].startswith(str(ID))
    assert first["label"] == {"type": "literal", "value": res.rows[0]["label"], "xml:lang": "en"}

    root = ET.fromstring(render(res, SPARQL_XML).body)
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["s", "label"]
    assert len(root.findall("r:results/r:result", ns)) == n

    body = render(res, CSV).body.decode()
    assert "\r\n" in body
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["s", "label"] and len(rows) == n + 1
    assert rows[1][0] == first["s"]["value"]

    tsv = render(res, TSV).body.decode().splitlines()
    assert tsv[0] == "?s\t?label"
    assert tsv[1].split("\t")[0] == f"<{first['s']['value']}>"
    assert tsv[1].split("\t")[1].endswith('"@en')


def test_ask_and_construct_results(engine: SparqlEngine) -> None:
    ask = engine.query(f"ASK {{ <{FOSTER}> a int:RiskFactor }}")
    assert json.loads(render(ask, SPARQL_JSON).body) == {"head": {}, "boolean": True}
    assert b"<boolean>true</boolean>" in render(ask, SPARQL_XML).body
    con = engine.query(f"CONSTRUCT {{ <{FOSTER}> ?p ?o }} WHERE {{ <{FOSTER}> ?p ?o }}")
    g = Graph().parse(data=render(con, TURTLE).body, format="turtle")
    risk = URIRef("https://w3id.org/intersections/ontology#RiskFactor")
    assert (URIRef(FOSTER), RDF.type, risk) in g
    g2 = Graph().parse(data=render(con, "application/ld+json").body, format="json-ld")
    assert len(g2) == len(g) == len(con.rows)


# ------------------------------------------------------------------------------ description
def test_describe_an_entry_and_an_unknown_iri(mini_eb) -> None:
    backend = NetworkxBackend.from_evidence_base(mini_eb)
    g = describe(backend, FOSTER)
    assert g is not None
    assert (URIRef(FOSTER), DCTERMS.identifier, Literal("risk:foster-care-placement")) in g
    # labels of the entries it mentions come along, so the document reads on its own
    mentioned = {o for o in g.objects(URIRef(FOSTER)) if str(o).startswith(str(ID))}
    assert mentioned and all(any(True for _ in g.triples((m, None, None))) for m in mentioned)
    assert describe(backend, f"{ID}risk/no-such-thing") is None


def test_void_counts_match_the_evidence_base(mini_eb) -> None:
    backend = NetworkxBackend.from_evidence_base(mini_eb)
    g = dataset_description(backend, "http://example.org/")
    d = DATASET_IRI
    assert (d, RDF.type, VOID.Dataset) in g
    assert int(g.value(d, VOID.entities)) == len(mini_eb.nodes)
    counts = mini_eb.counts()
    parts = {str(g.value(p, VOID["class"])).rsplit("#", 1)[1]: int(g.value(p, VOID.entities))
             for p in g.objects(d, VOID.classPartition)}
    for cls, n in counts.items():
        assert parts[cls] >= n  # subclasses also count for their superclass
    assert g.value(d, VOID.sparqlEndpoint) == URIRef("http://example.org/sparql")
    assert g.value(d, DCTERMS.license) is not None
    sources = set(g.objects(d, DCTERMS.source))
    assert sources and all(g.value(s, DCTERMS.title) for s in sources)


def test_rdf_export_carries_the_dataset_description(mini_eb, tmp_path) -> None:
    from loaders.records import NodeRecord
    from loaders.writers.rdf_writer import RdfWriter

    out = tmp_path / "base.ttl"
    w = RdfWriter(out, "ttl")
    for rec in mini_eb.records():
        (w.write_node if isinstance(rec, NodeRecord) else w.write_edge)(rec)
    w.finalize()
    g = Graph().parse(out, format="turtle")
    assert (DATASET_IRI, RDF.type, VOID.Dataset) in g
    assert int(g.value(DATASET_IRI, VOID.entities)) == len(mini_eb.nodes)
    assert g.value(DATASET_IRI, VOID.sparqlEndpoint) is None  # no deployment in an export
    backend = NetworkxBackend.from_evidence_base(mini_eb)
    served = dataset_description(backend)
    # the export and the served description count the same entries per class
    for part in served.objects(DATASET_IRI, VOID.classPartition):
        assert g.value(part, VOID.entities) == served.value(part, VOID.entities)


# ------------------------------------------------------------------------------ the server
@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    from werkzeug.serving import make_server

    from explorer.app import create_app

    app = create_app("embedded", MINI)
    httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()


def _get(url: str, accept: str | None = None, method: str = "GET",
         data: bytes | None = None, ctype: str | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, method=method, data=data)
    if accept:
        req.add_header("Accept", accept)
    if ctype:
        req.add_header("Content-Type", ctype)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a: Any, **k: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def _wrapper(server: str) -> Any:
    w = SPARQLWrapper.SPARQLWrapper(f"{server}/sparql")
    w.setTimeout(60)
    return w


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json_xml_csv(server: str, engine: SparqlEngine, method: str) -> None:
    expected = [(r["s"], r["label"]) for r in engine.query(SELECT_LABELS).rows]
    w = _wrapper(server)
    w.setMethod(method)
    w.setQuery(SELECT_LABELS)
    w.setReturnFormat(SPARQLWrapper.JSON)
    out = w.query().convert()
    got = [(b["s"]["value"], b["label"]["value"]) for b in out["results"]["bindings"]]
    assert [label for _, label in got] == [label for _, label in expected]
    assert got[0][0] == f"{ID}{expected[0][0].replace(':', '/', 1)}"

    w.setReturnFormat(SPARQLWrapper.XML)
    doc = w.query().convert()
    assert len(doc.getElementsByTagName("result")) == len(expected)
    w.setReturnFormat(SPARQLWrapper.CSV)
    rows = list(csv.reader(io.StringIO(w.query().convert().decode())))
    assert len(rows) == len(expected) + 1


def test_sparqlwrapper_ask_construct_and_post_body(server: str) -> None:
    w = _wrapper(server)
    w.setQuery(f"ASK {{ <{FOSTER}> a int:RiskFactor }}")
    w.setReturnFormat(SPARQLWrapper.JSON)
    assert w.query().convert()["boolean"] is True

    w.setQuery(f"CONSTRUCT {{ <{FOSTER}> ?p ?o }} WHERE {{ <{FOSTER}> ?p ?o }}")
    w.setReturnFormat(SPARQLWrapper.TURTLE)
    g = Graph().parse(data=w.query().convert(), format="turtle")
    assert (URIRef(FOSTER), DCTERMS.identifier, Literal("risk:foster-care-placement")) in g
    w.setReturnFormat(SPARQLWrapper.JSONLD)
    res = w.query().convert()  # SPARQLWrapper parses JSON-LD into an rdflib graph
    assert len(res) == len(g)

    w.setMethod(SPARQLWrapper.POST)
    w.setRequestMethod(SPARQLWrapper.POSTDIRECTLY)
    w.setQuery(f"SELECT ?o WHERE {{ <{FOSTER}> dcterms:identifier ?o }}")
    w.setReturnFormat(SPARQLWrapper.JSON)
    b = w.query().convert()["results"]["bindings"]
    assert b == [{"o": {"type": "literal", "value": "risk:foster-care-placement"}}]


def test_updates_and_remote_access_refused_with_400(server: str) -> None:
    w = _wrapper(server)
    w.setQuery("INSERT DATA { <http://x> <http://y> <http://z> }")
    with pytest.raises(SPARQLWrapper.SPARQLExceptions.QueryBadFormed) as exc:
        w.query()
    assert "read-only" in str(exc.value)
    w.setQuery("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    with pytest.raises(SPARQLWrapper.SPARQLExceptions.QueryBadFormed):
        w.query()
    status, _, body = _get(f"{server}/sparql?" + urllib.parse.urlencode(
        {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "http://x"}))
    assert status == 400 and b"default-graph-uri" in body
    status, _, body = _get(f"{server}/sparql", method="POST", data=b"update=DROP+ALL",
                           ctype="application/x-www-form-urlencoded")
    assert status == 400 and b"read-only" in body
    status, _, body = _get(f"{server}/sparql?query=" + "x" * 12_000)
    assert status == 413 and b"10,000" in body


def test_cors_and_service_description(server: str) -> None:
    status, headers, _ = _get(f"{server}/sparql", method="OPTIONS")
    assert status == 204 and headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    status, headers, body = _get(f"{server}/sparql", accept="text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=body, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, URIRef(sd + "endpoint"), URIRef(f"{server}/sparql")) in g
    status, headers, _ = _get(f"{server}/sparql", accept="text/html,*/*;q=0.8")
    assert status == 303 and headers["Location"].endswith("/query")
    status, headers, _ = _get(f"{server}/sparql?query=ASK{{}}&format=json")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"


def test_iri_resolves_to_rdf_or_to_the_page(server: str) -> None:
    path = "/id/risk/foster-care-placement"
    status, headers, body = _get(server + path, accept="text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert "Accept" in headers.get("Vary", "")
    g = Graph().parse(data=body, format="turtle")
    assert (URIRef(FOSTER), DCTERMS.identifier, Literal("risk:foster-care-placement")) in g
    status, headers, body = _get(server + path, accept="application/ld+json")
    assert status == 200 and len(Graph().parse(data=body, format="json-ld")) == len(g)
    status, headers, _ = _get(server + path, accept="text/html,application/xhtml+xml,*/*;q=0.8")
    assert status == 303
    assert headers["Location"].endswith("/explore?node=risk:foster-care-placement")
    status, headers, _ = _get(server + "/id/claim/foster-care-raises-risk", accept="text/html")
    assert status == 303 and "/evidence/claim/claim:foster-care-raises-risk" in headers["Location"]
    assert _get(server + "/id/risk/no-such-risk", accept="text/turtle")[0] == 404
    assert _get(server + "/id/risk/no-such-risk", accept="text/html")[0] == 404
    assert _get(server + "/id/../etc/passwd", accept="text/turtle")[0] == 404


def test_well_known_void_and_ontology(server: str, mini_eb) -> None:
    status, headers, body = _get(f"{server}/.well-known/void", accept="text/turtle")
    assert status == 200
    g = Graph().parse(data=body, format="turtle")
    assert int(g.value(DATASET_IRI, VOID.entities)) == len(mini_eb.nodes)
    assert g.value(DATASET_IRI, VOID.sparqlEndpoint) == URIRef(f"{server}/sparql")
    status, _, body = _get(f"{server}/ontology")
    assert status == 200 and b"owl:Ontology" in body


def test_endpoint_can_be_turned_off() -> None:
    from explorer.app import create_app

    app = create_app("embedded", MINI, sparql_endpoint=False)
    client = app.server.test_client()
    assert client.get("/sparql?query=ASK{}").status_code == 404
    assert client.get("/id/risk/foster-care-placement",
                      headers={"Accept": "text/turtle"}).status_code == 200
    void = Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    assert void.value(DATASET_IRI, VOID.sparqlEndpoint) is None


def test_endpoint_answers_what_the_console_answers(mini_eb) -> None:
    backend = NetworkxBackend.from_evidence_base(mini_eb)
    from explorer.app import create_app

    app = create_app("embedded", MINI)
    client = app.server.test_client()
    q = "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c"
    r = client.get("/sparql", query_string={"query": q},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    got = [(b["c"]["value"], int(b["n"]["value"])) for b in r.get_json()["results"]["bindings"]]
    expected = [(t["c"].value, int(t["n"].value)) for t in sparql(backend, q).terms or []]
    assert got == expected and got
