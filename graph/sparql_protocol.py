"""SPARQL 1.1 Protocol: content negotiation and the standard result serialisations.

Pure functions from a :class:`graph.sparql.QueryResult` to the bytes a SPARQL client expects, so
the web endpoint (``explorer/linked_data.py``) stays a thin HTTP shell and the formats can be
tested without a server:

* SELECT / ASK → SPARQL 1.1 Query Results JSON (``application/sparql-results+json``, the
  default), XML (``application/sparql-results+xml``), CSV (``text/csv``) and TSV
  (``text/tab-separated-values``), as the W3C recommendations define them;
* CONSTRUCT / DESCRIBE → Turtle (default), JSON-LD, N-Triples or RDF/XML.

Result CSV is the W3C format, read by programs: values are written as they are (no spreadsheet
formula neutralising, which would change the data); explorer downloads, meant for spreadsheets,
are neutralised instead.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef

from graph.sparql import DEFAULT_PREFIXES, QueryResult, Term

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
JSONLD = "application/ld+json"
NTRIPLES = "application/n-triples"
RDFXML = "application/rdf+xml"

#: Media types per result kind, the default first.
SOLUTION_TYPES = (SPARQL_JSON, SPARQL_XML, CSV, TSV, "application/json", "application/xml",
                  "text/xml")
GRAPH_TYPES = (TURTLE, JSONLD, NTRIPLES, RDFXML, "application/json", "text/plain")
#: Short names accepted in a ``format`` parameter (what YASGUI-style tools and curl users type).
FORMAT_ALIASES = {"json": SPARQL_JSON, "xml": SPARQL_XML, "csv": CSV, "tsv": TSV,
                  "ttl": TURTLE, "turtle": TURTLE, "jsonld": JSONLD, "json-ld": JSONLD,
                  "nt": NTRIPLES, "ntriples": NTRIPLES, "rdfxml": RDFXML}
_RDFLIB_FORMAT = {TURTLE: "turtle", JSONLD: "json-ld", NTRIPLES: "nt", RDFXML: "xml",
                  "application/json": "json-ld", "text/plain": "nt"}


class NotAcceptable(ValueError):
    """No media type the client accepts can carry this kind of result."""


@dataclass(frozen=True)
class Rendered:
    body: bytes
    media_type: str


def _accept_list(accept: str | None) -> list[tuple[str, float]]:
    """Parse an Accept header into (media type, q) pairs, best first (stable order)."""
    out: list[tuple[str, float, int]] = []
    for i, part in enumerate((accept or "").split(",")):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        out.append((bits[0].lower(), q, i))
    out.sort(key=lambda t: (-t[1], t[2]))
    return [(m, q) for m, q, _ in out if q > 0]


def negotiate(accept: str | None, form: str, fmt: str | None = None) -> str:
    """The media type to answer with, for a query form and the client's Accept / format.

    ``fmt`` (a ``format`` request parameter: a short name or a media type) wins over Accept.
    A missing or wildcard Accept gets the default. Raises :class:`NotAcceptable`.
    """
    offered = GRAPH_TYPES if form in ("CONSTRUCT", "DESCRIBE") else SOLUTION_TYPES
    if fmt:
        wanted = FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
        if wanted in offered:
            return wanted
        raise NotAcceptable(f"format {fmt!r} cannot carry a {form} result; use one of "
                            f"{', '.join(offered[:4])}")
    prefs = _accept_list(accept)
    if not prefs:
        return offered[0]
    for media, _q in prefs:
        if media in offered:
            return media
        if media in ("*/*", "application/*", "text/*"):
            kind = media.split("/")[0]
            for o in offered:
                if kind == "*" or o.startswith(kind + "/"):
                    return o
    raise NotAcceptable(f"none of the accepted types ({accept}) can carry a {form} result; "
                        f"use one of {', '.join(offered[:4])}")


def render(result: QueryResult, media_type: str) -> Rendered:
    """Serialise a SPARQL result in ``media_type`` (one :func:`negotiate` returned)."""
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        g = to_graph(result)
        body = g.serialize(format=_RDFLIB_FORMAT[media_type], encoding="utf-8")
        return Rendered(body, media_type)
    if media_type in (SPARQL_JSON, "application/json"):
        return Rendered(json.dumps(results_json(result), ensure_ascii=False).encode(),
                        SPARQL_JSON if media_type == SPARQL_JSON else media_type)
    if media_type in (SPARQL_XML, "application/xml", "text/xml"):
        return Rendered(results_xml(result).encode(), media_type)
    if media_type == CSV:
        return Rendered(results_csv(result).encode(), CSV)
    if media_type == TSV:
        return Rendered(results_tsv(result).encode(), TSV)
    raise NotAcceptable(media_type)


def _terms(result: QueryResult) -> list[dict[str, Term | None]]:
    if result.terms is None:
        raise ValueError("not a SPARQL result: it carries no RDF terms")
    return result.terms


def results_json(result: QueryResult) -> dict[str, object]:
    """SPARQL 1.1 Query Results JSON Format."""
    if result.boolean is not None:
        return {"head": {}, "boolean": result.boolean}
    return {"head": {"vars": list(result.columns)},
            "results": {"bindings": [
                {k: t.sparql_json() for k, t in row.items() if t is not None}
                for row in _terms(result)]}}


def results_xml(result: QueryResult) -> str:
    """SPARQL Query Results XML Format (second edition)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    if result.boolean is not None:
        out += ["</head>", f"<boolean>{'true' if result.boolean else 'false'}</boolean>",
                "</sparql>"]
        return "\n".join(out) + "\n"
    out += [f"<variable name={quoteattr(c)}/>" for c in result.columns]
    out += ["</head>", "<results>"]
    for row in _terms(result):
        out.append("<result>")
        for name, t in row.items():
            if t is None:
                continue
            if t.kind == "iri":
                inner = f"<uri>{escape(t.value)}</uri>"
            elif t.kind == "bnode":
                inner = f"<bnode>{escape(t.value)}</bnode>"
            else:
                attr = ""
                if t.lang:
                    attr = f" xml:lang={quoteattr(t.lang)}"
                elif t.datatype and not t.datatype.endswith("#string"):
                    attr = f" datatype={quoteattr(t.datatype)}"
                inner = f"<literal{attr}>{escape(t.value)}</literal>"
            out.append(f"<binding name={quoteattr(name)}>{inner}</binding>")
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"


def results_csv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results CSV: plain values, CRLF line ends, blank for unbound."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if result.boolean is not None:  # not defined by the spec; what most stores answer
        w.writerow(["_askResult"])
        w.writerow(["true" if result.boolean else "false"])
        return buf.getvalue()
    w.writerow(result.columns)
    for row in _terms(result):
        w.writerow([_csv_value(row.get(c)) for c in result.columns])
    return buf.getvalue()


def _csv_value(t: Term | None) -> str:
    if t is None:
        return ""
    return f"_:{t.value}" if t.kind == "bnode" else t.value


def results_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results TSV: terms in Turtle/N-Triples syntax, ``?var`` header."""
    if result.boolean is not None:
        return "?_askResult\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{c}" for c in result.columns)]
    for row in _terms(result):
        lines.append("\t".join(_tsv_value(row.get(c)) for c in result.columns))
    return "\n".join(lines) + "\n"


def _tsv_value(t: Term | None) -> str:
    if t is None:
        return ""
    return _to_rdflib(t).n3()


def _to_rdflib(t: Term) -> URIRef | BNode | Literal:
    if t.kind == "iri":
        return URIRef(t.value)
    if t.kind == "bnode":
        return BNode(t.value)
    if t.lang:
        return Literal(t.value, lang=t.lang)
    if t.datatype and not t.datatype.endswith("#string"):
        return Literal(t.value, datatype=URIRef(t.datatype))
    return Literal(t.value)


def to_graph(result: QueryResult) -> Graph:
    """The triples of a CONSTRUCT/DESCRIBE result as an rdflib graph (prefixes bound)."""
    g = Graph()
    for prefix, iri in DEFAULT_PREFIXES.items():
        g.bind(prefix, iri, override=True)
    for row in _terms(result):
        s, p, o = row.get("subject"), row.get("predicate"), row.get("object")
        if s is None or p is None or o is None:
            continue
        g.add((_to_rdflib(s), _to_rdflib(p), _to_rdflib(o)))  # type: ignore[arg-type]
    return g
