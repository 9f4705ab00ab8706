"""``intersections queries [list|show|run]``: the library of saved example queries.

Thin wrappers over :mod:`graph.saved_queries`; output through :func:`cli.query.emit`.
"""

# No `from __future__ import annotations`: typer reads the option annotations at runtime.
from typing import Annotated

import typer
from rich.table import Table

from cli.helpers import BackendOpt, EvidenceOpt, console, emit_json, open_for_cli, run_guarded
from cli.query import FormatOpt, LimitOpt, ParamOpt, TimeoutOpt, emit, parse_params
from graph import saved_queries
from graph.query import DEFAULT_LIMIT, DEFAULT_TIMEOUT

queries = typer.Typer(help="The library of saved example queries.",
                      invoke_without_command=True, no_args_is_help=False)


@queries.callback()
def queries_default(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        list_queries(json_out=False)


@queries.command("list")
def list_queries(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every saved query: id, language, title, parameters and defaults."""
    rows = saved_queries.summary()
    if json_out:
        emit_json(rows)
        return
    t = Table("id", "language", "title", "parameters (defaults)")
    for r in rows:
        t.add_row(r["id"], r["language"], r["title"],
                  ", ".join(f"{k}={v}" for k, v in r["params"].items()))
    console.print(t)


@queries.command("show")
def show_query(query_id: str) -> None:
    """Print a saved query's text (to copy, adapt and run with `sparql`/`cypher`)."""
    q = run_guarded(lambda: saved_queries.get(query_id))
    typer.echo(f"# {q.title} [{q.language}]\n# {q.description}\n{q.text}")


@queries.command("run")
def run_query(query_id: str, params: ParamOpt = None, fmt: FormatOpt = "table",
              limit: LimitOpt = DEFAULT_LIMIT, timeout: TimeoutOpt = DEFAULT_TIMEOUT,
              backend: BackendOpt = "embedded", evidence: EvidenceOpt = None) -> None:
    """Run a saved query, e.g. `queries run tactics-shared-by-two-harms -p harm_a=…`."""
    q = run_guarded(lambda: saved_queries.get(query_id))
    values = run_guarded(lambda: parse_params(params))
    g = open_for_cli(backend, evidence)
    result = run_guarded(lambda: saved_queries.run(q, g, values, limit=limit,
                                                   timeout=timeout))
    run_guarded(lambda: emit(result, fmt, g, q.text))


app = typer.Typer()
app.add_typer(queries, name="queries")
