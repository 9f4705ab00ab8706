"""Run the explorer (binds 127.0.0.1:8050 unless told otherwise); ``intersections serve`` calls
:func:`serve` (the command itself is :mod:`cli.serve`)."""

from __future__ import annotations

from pathlib import Path

import typer


def serve(host: str = "127.0.0.1", port: int = 8050, backend: str = "embedded",
          evidence: Path | None = None, debug: bool = False, *,
          sparql_endpoint: bool = True) -> None:
    """Start the explorer web app; plain function behind the command (tested directly)."""
    from explorer import state
    from explorer.app import create_app

    app = create_app(backend, evidence, debug=debug, sparql_endpoint=sparql_endpoint)

    def report(problem: str) -> None:
        typer.secho(f"warning: {problem}\nThe explorer runs anyway and shows this message "
                    "in its pages.", err=True, fg="yellow")

    # The port is bound at once; the base opens in the background (pages say "Loading the
    # evidence base…" and refresh when it is ready).
    state.start_loading(app.server, on_error=report)
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.secho(f"note: listening on {host}, reachable from other machines.", err=True)
    typer.echo(f"Intersections explorer on http://{host}:{port}/ (Ctrl+C to stop)")
    if not debug:
        _quiet_dev_server()
        typer.echo("This is Flask's built-in server, fine for one person on this machine. To "
                   "share it with a team, run it under gunicorn: `gunicorn -b 127.0.0.1:8050 "
                   "explorer.wsgi:server` (or the Docker image).")
    app.run(host=host, port=port, debug=debug)


def _quiet_dev_server() -> None:
    """Hide Flask's banner, werkzeug's red "development server" warning and Dash's duplicate
    "running on" line (the message above says the same, with what to use instead), and the
    per-request log lines."""
    import logging

    import flask.cli

    flask.cli.show_server_banner = lambda *args, **kwargs: None
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("dash.dash").setLevel(logging.WARNING)
