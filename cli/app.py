"""The ``intersections`` app: every command group's module, put together in one place.

Each module in this package declares its commands at module level on its own ``typer.Typer()``;
this file only adds them to the one app. Nothing is registered conditionally: a module that
fails to import fails the command, loudly.
"""

from __future__ import annotations

import typer

from benchmarks.cli import bench_app
from cli import browse, evidence, imports, neo4jdb, queries, query, serve, workspace

app = typer.Typer(
    name="intersections",
    help="Knowledge graph and evidence explorer: human trafficking, intimate partner violence, "
         "sexual violence and child welfare.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

#: The command-group modules, in the order ``--help`` lists their commands.
COMMAND_GROUPS = (workspace, evidence, browse, neo4jdb, serve, imports, query, queries)

def _version(value: bool) -> None:
    """``--version``: the installed distribution's version (the one pyproject.toml declares)."""
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"intersections {version('intersections')}")
        except PackageNotFoundError:  # run from a checkout without installing it
            from graph.provenance import PROJECT_VERSION

            typer.echo(f"intersections {PROJECT_VERSION}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Knowledge graph and evidence explorer: human trafficking, intimate partner violence,
    sexual violence and child welfare."""


for _group in COMMAND_GROUPS:
    app.add_typer(_group.app)
app.add_typer(bench_app, name="bench")


def main() -> None:
    app()
