"""``intersections sparql`` and ``intersections cypher`` (``queries`` is :mod:`cli.queries`).

Thin: read the query (text or ``@file``), call :mod:`graph.sparql`, :mod:`graph.neo4j.console`
or :mod:`graph.saved_queries`, print a table, CSV or JSON. CSV and JSON carry the Sources the
rows rest on (:mod:`graph.provenance`).
"""

# No `from __future__ import annotations`: typer reads the option annotations at runtime.
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.helpers import (
    EXIT_USAGE,
    BackendOpt,
    EvidenceOpt,
    JsonOpt,
    console,
    fail,
    id_table,
    open_for_cli,
    run_guarded,
)
from graph.provenance import export_csv, export_json
from graph.query import DEFAULT_LIMIT, DEFAULT_TIMEOUT, QueryResult, run_query
from graph.sparql import PREFIX_BLOCK

FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]
LimitOpt = Annotated[int, typer.Option("--limit", help="Most rows to return (max 10000).")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", help="Seconds before the query is "
                                                              "stopped (max 60).")]
ParamOpt = Annotated[list[str] | None, typer.Option(
    "--param", "-p", help="A $parameter value, name=value (repeatable).")]
FORMATS = ("table", "csv", "json")


def read_query(text: str) -> str:
    """The query itself, or the contents of ``@path`` (``-`` or ``@-`` read standard input)."""
    if text in ("-", "@-"):
        return sys.stdin.read()
    if text.startswith("@"):
        path = Path(text[1:])
        if not path.is_file():
            raise FileNotFoundError(f"no query file {path}")
        return path.read_text(encoding="utf-8")
    return text


def parse_params(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--param {item!r}: write name=value, e.g. --param x=risk:poverty")
        out[name.strip()] = value.strip()
    return out


def emit(result: QueryResult, fmt: str, backend: Any, query: str | None) -> None:
    """Print a result as a rich table, or CSV/JSON with its Sources."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if fmt == "csv":
        typer.echo(export_csv(result, backend, query), nl=False)
        return
    if fmt == "json":
        typer.echo(export_json(result, backend, query))
        return
    console.print(id_table(result.columns,
                           [[_text(row.get(c)) for c in result.columns] for row in result.rows]))
    console.print(f"[dim]{result.message}[/]", highlight=False)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list | tuple):
        return ", ".join(str(x) for x in v)
    return str(v)


app = typer.Typer()


@app.command("sparql")
def sparql_cmd(query: Annotated[str | None, typer.Argument(
                   help="The query, @file.rq, or - for standard input.")] = None,
               fmt: FormatOpt = "table", limit: LimitOpt = DEFAULT_LIMIT,
               timeout: TimeoutOpt = DEFAULT_TIMEOUT, params: ParamOpt = None,
               backend: BackendOpt = "embedded", evidence: EvidenceOpt = None,
               show_prefixes: Annotated[bool, typer.Option(
                   "--prefixes", help="Print the predeclared prefixes and exit.")] = False,
               json_out: JsonOpt = False,
               ) -> None:
    """Read-only SPARQL (SELECT/ASK/CONSTRUCT/DESCRIBE) over the RDF form of the evidence
    base. Prefixes int:, skos:, dcterms:, rdf:, harm:, risk:, … are predeclared."""
    if show_prefixes:
        typer.echo(PREFIX_BLOCK)
        return
    if query is None:
        fail("give a query (text, @file.rq or -), or --prefixes", EXIT_USAGE)
    fmt = "json" if json_out else fmt
    text = run_guarded(lambda: read_query(query))
    values = run_guarded(lambda: parse_params(params))
    g = open_for_cli(backend, evidence)
    result = run_guarded(lambda: run_query("sparql", text, g, values, limit=limit,
                                           timeout=timeout))
    run_guarded(lambda: emit(result, fmt, g, text))


@app.command("cypher")
def cypher_cmd(query: Annotated[str, typer.Argument(
                   help="The query, @file.cypher, or - for standard input.")],
               fmt: FormatOpt = "table", limit: LimitOpt = DEFAULT_LIMIT,
               timeout: TimeoutOpt = DEFAULT_TIMEOUT, params: ParamOpt = None,
               json_out: JsonOpt = False) -> None:
    """Read-only Cypher on Neo4j (NEO4J_URI / NEO4J_USERNAME / NEO4J_PASSWORD); writes are
    refused, the transaction times out, rows are capped."""
    fmt = "json" if json_out else fmt
    text = run_guarded(lambda: read_query(query))
    values = run_guarded(lambda: parse_params(params))
    g = open_for_cli("neo4j", None)
    result = run_guarded(lambda: run_query("cypher", text, g, values, limit=limit,
                                           timeout=timeout))
    run_guarded(lambda: emit(result, fmt, g, text))
