"""HTTP for researchers' tools: a SPARQL 1.1 Protocol endpoint, resolvable IRIs, VoID.

Routes added to the explorer's Flask server by :func:`install` (``create_app`` calls it):

``/sparql``            SPARQL 1.1 Protocol: GET ``?query=``, POST form (``query=``) or POST
                       ``application/sparql-query``; results negotiated (JSON, XML, CSV, TSV;
                       Turtle, JSON-LD, N-Triples, RDF/XML for CONSTRUCT/DESCRIBE). The same
                       read-only gate, time and row limits and sandbox as the Query page
                       (:mod:`graph.sparql`). Without a query: the SPARQL Service Description
                       (or, for a browser, the Query page). CORS open: it only reads.
``/id/<prefix>/<slug>`` an entry's IRI (``https://w3id.org/intersections/id/…`` once w3id
                       redirects here): Turtle / JSON-LD / N-Triples for RDF clients, a
                       ``303 See Other`` to the explorer's page for a browser (W3C "Cool URIs").
``/.well-known/void``  VoID + DCAT description of the dataset (RFC 5785 well-known path).
``/ontology``          the ontology (OWL + SKOS) as Turtle.

The endpoint is on by default and can be turned off (``serve --no-sparql-endpoint``,
``INTERSECTIONS_SPARQL_ENDPOINT=off``): it is read-only and bounded, but a deployment may not
want to offer ad-hoc queries at all. The IRIs and VoID stay on: they only read fixed patterns.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

import flask
from rdflib import RDF

from explorer import state
from graph.linked_data import dataset_description, describe, service_description
from graph.sparql import (
    DEFAULT_TIMEOUT,
    MAX_LIMIT,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    max_query_chars,
)
from graph.sparql import sparql as run_sparql
from graph.sparql_protocol import (
    JSONLD,
    NTRIPLES,
    RDFXML,
    TURTLE,
    NotAcceptable,
    negotiate,
    render,
)
from loaders.errors import IntersectionsError
from ontology.namespace import ID
from ontology.schema import ID_PATTERN

CONFIG_ENDPOINT = "INTERSECTIONS_SPARQL_ENDPOINT"
CONFIG_BASE_URL = "INTERSECTIONS_BASE_URL"
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept",
    "Access-Control-Max-Age": "86400",
}
_RDF_DOC_TYPES = (TURTLE, JSONLD, NTRIPLES, RDFXML)
_HTML = ("text/html", "application/xhtml+xml")


def endpoint_enabled_from_env(default: bool = True) -> bool:
    """Read ``INTERSECTIONS_SPARQL_ENDPOINT`` (off/0/false/no turn the endpoint off)."""
    raw = os.environ.get(CONFIG_ENDPOINT)
    if raw is None or not raw.strip():
        return default
    return raw.strip().lower() not in {"0", "off", "false", "no"}


def _text(status: int, message: str, **headers: str) -> flask.Response:
    resp = flask.Response(message.rstrip() + "\n", status=status,
                          mimetype="text/plain", headers=headers)
    return resp


def _cors(resp: flask.Response) -> flask.Response:
    resp.headers.update(_CORS)
    return resp


def _base_url() -> str:
    configured = flask.current_app.config.get(CONFIG_BASE_URL) or os.environ.get(CONFIG_BASE_URL)
    return (configured or flask.request.url_root).rstrip("/") + "/"


def _prefers_html() -> bool:
    best = flask.request.accept_mimetypes.best_match(
        [*_HTML, *_RDF_DOC_TYPES, "application/sparql-results+json"])
    return best in _HTML


# ------------------------------------------------------------------------------- /sparql
def _query_text() -> tuple[str | None, flask.Response | None]:
    req = flask.request
    if req.method == "GET":
        return req.args.get("query"), None
    ctype = (req.mimetype or "").lower()
    if ctype == "application/sparql-query":
        raw = req.get_data(cache=False, as_text=False)
        try:
            return raw.decode("utf-8"), None
        except UnicodeDecodeError:
            return None, _text(400, "the query body is not UTF-8 text")
    if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if "update" in req.form:
            return None, _text(400, "read-only endpoint: SPARQL Update is not accepted")
        return req.form.get("query"), None
    return None, _text(415, "send the query as ?query=, as a form field 'query' "
                            "(application/x-www-form-urlencoded) or as the body with "
                            "Content-Type: application/sparql-query")


def sparql_view() -> flask.Response:
    """The SPARQL 1.1 Protocol query operation."""
    req = flask.request
    if req.method == "OPTIONS":
        return _cors(flask.Response(status=204))
    if not flask.current_app.config.get(CONFIG_ENDPOINT, True):
        return _text(404, "the SPARQL endpoint is turned off on this server")
    text, problem = _query_text()
    if problem is not None:
        return _cors(problem)
    if text is None or not text.strip():
        if _prefers_html():
            return flask.redirect("/query", code=303)
        endpoint = _base_url() + "sparql"
        media = _negotiate_document(req.headers.get("Accept"))
        body = service_description(endpoint).serialize(format=_RDFLIB[media], encoding="utf-8")
        return _cors(flask.Response(body, mimetype=media, headers={"Vary": "Accept"}))
    for name in ("default-graph-uri", "named-graph-uri", "using-graph-uri",
                 "using-named-graph-uri"):
        if req.values.get(name):
            return _cors(_text(400, f"{name} is not supported: queries run over the evidence "
                                    "base's default graph"))
    limit = max_query_chars()  # the console's own cap, checked here first to answer 413
    if len(text) > limit:
        return _cors(_text(413, f"query is {len(text):,} characters; the limit is {limit:,} "
                                "(INTERSECTIONS_SPARQL_MAX_CHARS)"))
    try:
        backend = state.open_configured(flask.current_app)
    except state.BackendUnavailable as exc:
        return _cors(_text(503, str(exc), **{"Retry-After": "10"}))
    try:
        result = run_sparql(backend, text, limit=MAX_LIMIT, timeout=DEFAULT_TIMEOUT)
    except (QuerySyntaxError, QueryRefused) as exc:
        return _cors(_text(400, str(exc)))
    except QueryTimeout as exc:
        return _cors(_text(503, str(exc)))
    except IntersectionsError as exc:
        status = 503 if "busy" in str(exc).lower() else 500
        headers = {"Retry-After": "5"} if status == 503 else {}
        return _cors(_text(status, str(exc), **headers))
    try:
        media = negotiate(req.headers.get("Accept"), result.form, req.values.get("format"))
    except NotAcceptable as exc:
        return _cors(_text(406, str(exc)))
    out = render(result, media)
    resp = flask.Response(out.body, mimetype=out.media_type, headers={"Vary": "Accept"})
    if out.media_type.startswith("text/") or out.media_type.endswith("+xml"):
        resp.charset = "utf-8"
    if result.truncated:
        resp.headers["X-Intersections-Truncated"] = f"cut at {result.limit} rows"
    return _cors(resp)


# ------------------------------------------------------------------------------- IRIs
_RDFLIB = {TURTLE: "turtle", JSONLD: "json-ld", NTRIPLES: "nt", RDFXML: "xml",
           "application/json": "json-ld", "text/plain": "nt"}


def _negotiate_document(accept: str | None) -> str:
    try:
        return negotiate(accept, "DESCRIBE")
    except NotAcceptable:
        return TURTLE


def page_for(entry_id: str) -> str:
    """The explorer page a browser is sent to for an entry id."""
    prefix = entry_id.split(":", 1)[0]
    if prefix == "claim":
        return f"/evidence/claim/{quote(entry_id, safe=':')}"
    if prefix == "cite":
        return f"/evidence/citation/{quote(entry_id, safe=':')}"
    return f"/explore?node={quote(entry_id, safe=':')}"


def resolve_iri(rest: str) -> flask.Response:
    """``/id/<prefix>/<slug>``: the entry's RDF, or a 303 to its page for a browser."""
    req = flask.request
    if req.method == "OPTIONS":
        return _cors(flask.Response(status=204))
    prefix, _, local = rest.partition("/")
    entry_id = f"{prefix}:{local}"
    is_link = prefix == "link"
    if not is_link and not ID_PATTERN.match(entry_id):
        return _text(404, f"no entry {entry_id!r}: ids look like risk:foster-care-placement")
    iri = f"{ID}{rest}"
    try:
        backend = state.open_configured(flask.current_app)
    except state.BackendUnavailable as exc:
        return _text(503, str(exc), **{"Retry-After": "10"})
    fmt = req.args.get("format")
    if not fmt and _prefers_html():
        if is_link:
            g = describe(backend, iri)
            if g is None:
                return _text(404, f"no link {rest!r} in this evidence base")
            subj = next((o for o in g.objects(None, RDF.subject)), None)
            target = page_for(str(subj)[len(str(ID)):].replace("/", ":", 1)) if subj else "/"
        else:
            if _exists(backend, entry_id) is False:
                return _text(404, f"no entry {entry_id!r} in this evidence base")
            target = page_for(entry_id)
        resp = flask.redirect(target, code=303)
        resp.headers["Vary"] = "Accept"
        return resp
    try:
        media = negotiate(req.headers.get("Accept"), "DESCRIBE", fmt)
    except NotAcceptable as exc:
        return _cors(_text(406, str(exc)))
    g = describe(backend, iri)
    if g is None:
        return _cors(_text(404, f"no entry {entry_id!r} in this evidence base"))
    body = g.serialize(format=_RDFLIB[media], encoding="utf-8")
    resp = flask.Response(body, mimetype=media, headers={"Vary": "Accept"})
    return _cors(resp)


def _exists(backend: Any, entry_id: str) -> bool:
    from graph.backend import UnknownNodeError

    try:
        backend.node(entry_id)
    except UnknownNodeError:
        return False
    return True


def void_document() -> flask.Response:
    """``/.well-known/void``: the dataset description (Turtle by default)."""
    if flask.request.method == "OPTIONS":
        return _cors(flask.Response(status=204))
    try:
        backend = state.open_configured(flask.current_app)
    except state.BackendUnavailable as exc:
        return _text(503, str(exc), **{"Retry-After": "10"})
    media = _negotiate_document(flask.request.headers.get("Accept"))
    if flask.request.args.get("format"):
        try:
            media = negotiate(None, "DESCRIBE", flask.request.args["format"])
        except NotAcceptable as exc:
            return _cors(_text(406, str(exc)))
    endpoint_on = flask.current_app.config.get(CONFIG_ENDPOINT, True)
    g = dataset_description(backend, _base_url() if endpoint_on else None)
    body = g.serialize(format=_RDFLIB[media], encoding="utf-8")
    return _cors(flask.Response(body, mimetype=media, headers={"Vary": "Accept"}))


def ontology_document() -> flask.Response:
    """``/ontology``: the OWL + SKOS ontology as Turtle (what the ontology IRI resolves to)."""
    from ontology.build import ONTOLOGY_FILE

    return _cors(flask.Response(ONTOLOGY_FILE.read_bytes(), mimetype=TURTLE))


def install(server: flask.Flask, *, sparql_endpoint: bool = True,
            base_url: str | None = None) -> None:
    """Add the routes to the explorer's Flask server."""
    server.config[CONFIG_ENDPOINT] = sparql_endpoint
    if base_url:
        server.config[CONFIG_BASE_URL] = base_url
    server.add_url_rule("/sparql", "sparql", sparql_view,
                        methods=["GET", "POST", "OPTIONS"])
    server.add_url_rule("/id/<path:rest>", "resolve_iri", resolve_iri,
                        methods=["GET", "OPTIONS"])
    server.add_url_rule("/.well-known/void", "void", void_document, methods=["GET", "OPTIONS"])
    server.add_url_rule("/ontology", "ontology", ontology_document, methods=["GET"])

