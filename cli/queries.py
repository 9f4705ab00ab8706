"""``intersections queries [list|show|run]``: the library of saved example queries.

Thin wrappers over :mod:`graph.saved_queries`; output through :func:`cli.query.emit`.
"""

# No `from __future__ import annotations`: typer reads the option annotations at runtime.
from typing import Annotated

import typer

from cli.helpers import (
    BackendOpt,
    EvidenceOpt,
    JsonOpt,
    console,
    emit_json,
    id_table,
    open_for_cli,
    run_guarded,
    unknown_id,
)
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
    console.print(id_table(
        ("id", "language", "title", "parameters (defaults)"),
        [(r["id"], r["language"], r["title"],
          ", ".join(f"{k}={v}" for k, v in r["params"].items())) for r in rows], ids={"id"}))


@queries.command("show")
def show_query(query_id: str) -> None:
    """Print a saved query's text (to copy, adapt and run with `sparql`/`cypher`)."""
    q = _saved(query_id)
    typer.echo(f"# {q.title} [{q.language}]\n# {q.description}\n{q.text}")


@queries.command("run")
def run_query(query_id: str, params: ParamOpt = None, fmt: FormatOpt = "table",
              limit: LimitOpt = DEFAULT_LIMIT, timeout: TimeoutOpt = DEFAULT_TIMEOUT,
              backend: BackendOpt = "embedded", evidence: EvidenceOpt = None,
              json_out: JsonOpt = False) -> None:
    """Run a saved query, e.g. `queries run tactics-shared-by-two-harms -p harm_a=…`."""
    q = _saved(query_id)
    fmt = "json" if json_out else fmt
    values = run_guarded(lambda: parse_params(params))
    g = open_for_cli(backend, evidence)
    result = run_guarded(lambda: saved_queries.run(q, g, values, limit=limit,
                                                   timeout=timeout))
    run_guarded(lambda: emit(result, fmt, g, q.text))


def _saved(query_id: str) -> saved_queries.SavedQuery:
    """The saved query, or exit 3 (unknown id) with the nearest ids."""
    if query_id not in saved_queries.BY_ID:
        unknown_id("saved query", query_id, saved_queries.BY_ID)
    return saved_queries.BY_ID[query_id]


app = typer.Typer()
app.add_typer(queries, name="queries")
