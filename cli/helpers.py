"""What every ``intersections`` command shares: consoles, exit codes, error handling, the common
options (evidence folder, backend, JSON, query format/limit/timeout/params, Neo4j connection)
and the one list of backend names.

Exit codes: 0 ok · 1 invalid input or failed check (message says what to fix) · 2 usage error ·
3 unknown id (nearest ids suggested) · 4 backend unreachable.
"""

# No `from __future__ import annotations`: typer reads the Annotated options at runtime.
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from graph.api import BACKEND_NAMES, open_backend
from graph.backend import GraphBackend, UnknownNodeError
from graph.neo4j.settings import Neo4jSettings
from loaders.errors import IntersectionsError, ValidationFailed

console = Console()
err = Console(stderr=True)

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_UNKNOWN, EXIT_BACKEND = 0, 1, 2, 3, 4

T = TypeVar("T")


def _check_backend(value: str) -> str:
    """The one check of ``--backend`` (every command that takes it accepts the same names)."""
    if value not in BACKEND_NAMES:
        raise typer.BadParameter(f"unknown backend {value!r}; use one of: "
                                 f"{', '.join(BACKEND_NAMES)}")
    return value


# ------------------------------------------------------------------------------ options
EvidenceOpt = Annotated[Path | None, typer.Option(
    "--workspace", "--evidence", "-w", "-e",
    help="Workspace made by `intersections init` (its evidence over the shipped base), or an "
         "evidence folder [env INTERSECTIONS_WORKSPACE, INTERSECTIONS_EVIDENCE; default: the "
         "shipped base, read-only].",
    envvar=["INTERSECTIONS_WORKSPACE", "INTERSECTIONS_EVIDENCE"])]
BackendOpt = Annotated[str, typer.Option(
    "--backend", "-b", help="embedded (networkx, default) or neo4j (NEO4J_URI/…).",
    envvar="INTERSECTIONS_BACKEND", callback=_check_backend)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Validate and report; write nothing.")]

# Neo4j connection flags: None means "not given", so Neo4jSettings.from_env() fills them in from
# the environment (the one place it is read).
UriOpt = Annotated[str | None, typer.Option(
    "--uri", show_default=False,
    help="Bolt URI [env NEO4J_URI; default bolt://127.0.0.1:7687]: bolt://host:7687 for one "
         "server, neo4j://host:7687 or neo4j+s://<id>.databases.neo4j.io for a cluster or Aura "
         "(routing).")]
UserOpt = Annotated[str | None, typer.Option(
    "--username", "-u", show_default=False, help="Neo4j user [env NEO4J_USERNAME; default neo4j].")]
PasswordOpt = Annotated[str | None, typer.Option(
    "--password", show_default=False,
    help="Neo4j password [env NEO4J_PASSWORD] (prefer the environment variable: flags end up in "
         "shell history).")]
DatabaseOpt = Annotated[str | None, typer.Option(
    "--database", "-d", show_default=False,
    help="Database name [env NEO4J_DATABASE; default: the server's default database].")]


def neo4j_settings(uri: str | None, username: str | None, password: str | None,
                   database: str | None) -> Neo4jSettings:
    """Flags over the environment, as one settings object (errors become exit code 4)."""
    return run_guarded(lambda: Neo4jSettings.from_env(
        uri=uri, username=username, password=password, database=database))


# ------------------------------------------------------------------------------ output
def fail(message: str, code: int) -> NoReturn:
    """Print one clear error line and exit with ``code``."""
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def run_guarded(fn: Callable[[], T]) -> T:
    """Turn user mistakes into one clear message and a meaningful exit code."""
    try:
        return fn()
    except ValidationFailed as exc:
        err.print(str(exc), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_INVALID) from None
    except UnknownNodeError as exc:
        fail(str(exc), EXIT_UNKNOWN)
    except IntersectionsError as exc:
        fail(str(exc), getattr(exc, "exit_code", EXIT_INVALID))
    except (ValueError, FileNotFoundError) as exc:
        fail(str(exc), EXIT_USAGE)


def open_for_cli(backend: str, evidence: Path | None) -> GraphBackend:
    """Open a backend, or exit with a clear message."""
    return run_guarded(lambda: open_backend(backend, evidence=evidence))


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
