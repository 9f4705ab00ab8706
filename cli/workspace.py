"""``intersections init DIR``: a coalition's workspace (see :mod:`loaders.workspace`)."""

# No `from __future__ import annotations`: typer reads the option annotations at runtime.
from pathlib import Path
from typing import Annotated

import typer

from cli.helpers import BackendOpt, console, run_guarded

app = typer.Typer()


@app.command("init")
def init_cmd(
    path: Annotated[Path, typer.Argument(help="New (or empty) folder for the workspace.")],
    name: Annotated[str | None, typer.Option(help="Workspace name (default: the folder's).")]
    = None,
    backend: BackendOpt = "embedded",
    uri: Annotated[str, typer.Option(help="Neo4j Bolt URI to record.")]
    = "bolt://127.0.0.1:7687",
    username: Annotated[str, typer.Option(help="Neo4j user to record.")] = "neo4j",
    database: Annotated[str, typer.Option(help="Neo4j database to record (empty: default).")]
    = "",
) -> None:
    """Create a workspace: your own evidence over the shipped base, imports, accepted claims,
    reviews, exports and intersections.toml (no password: NEO4J_PASSWORD stays in the env)."""
    from loaders.workspace import init_workspace

    kind = "neo4j" if backend == "neo4j" else "embedded"  # networkx/nx are embedded
    root = run_guarded(lambda: init_workspace(path, name=name, backend=kind, uri=uri,
                                              username=username, database=database))
    console.print(f"[green]created workspace[/] {root}", highlight=False)
    console.print(f"use it: `export INTERSECTIONS_WORKSPACE={root.resolve()}` "
                  f"(or --workspace {root} on any command); add YAML under "
                  f"{root / 'evidence'}, then `intersections validate`", highlight=False)
