"""What every ``intersections`` command shares: consoles, exit codes, error handling, the common
options (evidence folder, backend, JSON, query format/limit/timeout/params, Neo4j connection)
and the one list of backend names.

Exit codes: 0 ok · 1 invalid input or failed check (message says what to fix) · 2 usage error ·
3 unknown id (nearest ids suggested) · 4 backend unreachable.
"""

# No `from __future__ import annotations`: typer reads the Annotated options at runtime.
import difflib
import json
import re
import sys
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

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


def workspace_config(evidence: Path | None) -> Any:
    """The ``intersections.toml`` of the workspace in use (``--workspace`` or
    INTERSECTIONS_WORKSPACE), or None for a plain evidence folder or the shipped base."""
    from loaders.workspace import active_workspace, is_workspace, load_config

    root = evidence if evidence is not None and is_workspace(evidence) else (
        None if evidence is not None else run_guarded(active_workspace))
    return run_guarded(lambda: load_config(root)) if root is not None else None


def neo4j_settings(uri: str | None, username: str | None, password: str | None,
                   database: str | None, evidence: Path | None = None) -> Neo4jSettings:
    """Flags over the environment over the workspace's intersections.toml, as one settings
    object (errors become exit code 4). The password never comes from the workspace."""
    cfg = workspace_config(evidence)
    fallback = ({"uri": cfg.neo4j_uri, "username": cfg.neo4j_username,
                 "database": cfg.neo4j_database or None} if cfg is not None else None)
    return run_guarded(lambda: Neo4jSettings.from_env(
        uri=uri, username=username, password=password, database=database, fallback=fallback))


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
    except MemoryError:
        fail("ran out of memory: the input is too large for this machine — split it, or raise "
             "the limits only for input you trust (see README 'Input limits')", EXIT_INVALID)
    except RecursionError:
        fail("the input nests too deeply to be processed — flatten it", EXIT_INVALID)


def open_for_cli(backend: str, evidence: Path | None) -> GraphBackend:
    """Open a backend, or exit with a clear message.

    In a workspace, a ``--backend`` left at its default (no flag, no INTERSECTIONS_BACKEND)
    is the workspace's own (``intersections.toml``), with its Neo4j address and user."""
    cfg = workspace_config(evidence)
    if cfg is not None and _backend_from_default():
        backend = cfg.backend
    if backend == "neo4j":
        s = neo4j_settings(None, None, None, None, evidence)
        return run_guarded(lambda: open_backend(
            "neo4j", uri=s.uri, username=s.username, database=s.database))
    return run_guarded(lambda: open_backend(backend, evidence=evidence))


def _backend_from_default() -> bool:
    """True when the running command's --backend was not given (flag or environment)."""
    try:  # typer 0.2x runs on its own copy of click (typer._click); older ones on click
        from typer._click.core import ParameterSource
        from typer._click.globals import get_current_context
    except ImportError:  # pragma: no cover - depends on the typer version
        from click.core import ParameterSource  # type: ignore[no-redef,assignment]
        from click.globals import get_current_context  # type: ignore[no-redef,assignment]

    ctx = get_current_context(silent=True)
    if ctx is None or "backend" not in ctx.params:
        return False
    return ctx.get_parameter_source("backend") in (ParameterSource.DEFAULT, None)


_ID = re.compile(r"^[a-z][a-z0-9_]*:[^\s]+$")


def looks_like_id(value: Any) -> bool:
    """``risk:foster-care-placement``-shaped text (an entry id, or a prefixed IRI)."""
    return isinstance(value, str) and bool(_ID.match(value))


#: Narrowest a wrapped (non-id) column may get before id_table switches to a list.
MIN_TEXT_COL = 10


def id_table(columns: Sequence[str], rows: Iterable[Sequence[Any]],
             ids: Collection[str] | None = None, **table_kw: Any) -> RenderableType:
    """A rich table whose id columns are never cut short (you copy ids from it): they keep
    their full width and the other columns wrap instead. ``ids`` names the id columns; by
    default, every column whose values all look like ids. On a terminal too narrow for that,
    one block per row instead (the id on its own line, whole)."""
    body = [["" if v is None else str(v) for v in r] for r in rows]
    if ids is None:
        ids = {c for i, c in enumerate(columns)
               if body and all(looks_like_id(r[i]) or not r[i] for r in body)}
    id_w = sum(max([len(c), *(len(r[i]) for r in body)])
               for i, c in enumerate(columns) if c in ids)
    others = len(columns) - sum(1 for c in columns if c in ids)
    if ids and id_w + others * MIN_TEXT_COL + 3 * len(columns) + 1 > console.width:
        lines: list[Text] = [Text(table_kw["title"], style="italic")] \
            if table_kw.get("title") else []
        for r in body:
            lines.append(Text("  ".join(r[i] for i, c in enumerate(columns) if c in ids),
                              style="bold", overflow="fold"))
            lines.append(Text("  " + " · ".join(f"{c}: {r[i]}" for i, c in enumerate(columns)
                                                 if c not in ids and r[i])))
        return Group(*lines)
    t = Table(**table_kw)
    for i, c in enumerate(columns):
        if c in ids:
            width = max([len(c), *(len(r[i]) for r in body)])
            t.add_column(c, no_wrap=True, min_width=width, overflow="fold")
        else:
            t.add_column(c, overflow="fold")
    for r in body:
        t.add_row(*r)
    return t


def unknown_id(what: str, value: str, known: Iterable[str]) -> NoReturn:
    """Exit 3 (unknown id) naming the nearest known ids."""
    near = difflib.get_close_matches(value, list(known), n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(near)}?" if near else ""
    fail(f"no {what} {value!r}.{hint}", EXIT_UNKNOWN)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
