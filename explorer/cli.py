"""``intersections serve``: run the explorer (binds 127.0.0.1:8050 unless told otherwise)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def serve(host: str = "127.0.0.1", port: int = 8050, backend: str = "embedded",
          evidence: Path | None = None, debug: bool = False) -> None:
    """Start the explorer web app; plain function behind the command (tested directly)."""
    from explorer.app import create_app, warm

    app = create_app(backend, evidence, debug=debug)
    problem = warm(app)
    if problem:
        typer.secho(f"warning: {problem}\nThe explorer starts anyway and shows this message "
                    "in its pages.", err=True, fg="yellow")
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.secho(f"note: listening on {host}, reachable from other machines.", err=True)
    typer.echo(f"Intersections explorer on http://{host}:{port}/ (Ctrl+C to stop)")
    app.run(host=host, port=port, debug=debug)


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_cmd(
        host: Annotated[str, typer.Option(help="Interface to bind (default: this machine "
                                                "only).")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port.")] = 8050,
        backend: Annotated[str, typer.Option(
            "--backend", "-b", help="embedded (networkx, default) or neo4j (NEO4J_URI/…).",
            envvar="INTERSECTIONS_BACKEND")] = "embedded",
        evidence: Annotated[Path | None, typer.Option(
            "--evidence", "-e", help="Evidence-base folder (default: the shipped one).",
            envvar="INTERSECTIONS_EVIDENCE")] = None,
        debug: Annotated[bool, typer.Option(help="Dash debug mode (dev only).")] = False,
    ) -> None:
        """Start the explorer web app (Explore, Paths, Intersections, Service gaps, Evidence)."""
        if backend not in ("embedded", "neo4j"):
            from graph.cli import EXIT_USAGE, fail

            fail(f"unknown backend {backend!r}; use embedded or neo4j", EXIT_USAGE)
        serve(host, port, backend, evidence, debug)
