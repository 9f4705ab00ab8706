"""``intersections serve``: run the explorer (binds 127.0.0.1:8050 unless told otherwise).

Thin: the work is :func:`explorer.serve.serve` (imported when the command runs, so other commands
do not pay for importing Dash).
"""

# No `from __future__ import annotations`: typer reads the option annotations at runtime.
from pathlib import Path
from typing import Annotated

import typer

from cli.helpers import BackendOpt, EvidenceOpt

app = typer.Typer()


def serve(host: str, port: int, backend: str, evidence: Path | None, debug: bool, *,
          sparql_endpoint: bool = True) -> None:
    """Start the explorer (a seam the CLI test replaces to check the parsed options)."""
    from explorer.serve import serve as run_explorer

    run_explorer(host, port, backend, evidence, debug, sparql_endpoint=sparql_endpoint)


@app.command("serve")
def serve_cmd(
    host: Annotated[str, typer.Option(help="Interface to bind (default: this machine "
                                            "only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8050,
    backend: BackendOpt = "embedded",
    evidence: EvidenceOpt = None,
    debug: Annotated[bool, typer.Option(help="Dash debug mode (dev only).")] = False,
    sparql_endpoint: Annotated[bool, typer.Option(
        "--sparql-endpoint/--no-sparql-endpoint",
        help="Offer the read-only SPARQL 1.1 Protocol endpoint at /sparql (on by default; "
             "same limits as the Query page).")] = True,
) -> None:
    """Start the explorer web app (Explore, Paths, Intersections, Service gaps, Evidence)."""
    serve(host, port, backend, evidence, debug, sparql_endpoint=sparql_endpoint)
