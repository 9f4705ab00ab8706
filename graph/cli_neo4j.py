"""Neo4j commands: ``intersections load --neo4j``, ``neo4j-status`` and ``neo4j-unload``.

Thin wrappers over :func:`loaders.writers.neo4j_writer.load_neo4j`,
:func:`graph.neo4j_backend.server_status` and :func:`loaders.writers.neo4j_writer.unload_neo4j`.
Connection settings come from flags or the environment (NEO4J_URI, NEO4J_USERNAME,
NEO4J_PASSWORD, NEO4J_DATABASE); the password is never printed. Connection problems exit with
code 4 and one line saying what is wrong and how to fix it.
"""

# No `from __future__ import annotations`: typer reads the option annotations at runtime, and
# EvidenceOpt/JsonOpt are imported inside register() (graph.cli imports this module).
from typing import Annotated, Any

import typer

UriOpt = Annotated[str, typer.Option(
    "--uri", envvar="NEO4J_URI", show_envvar=True,
    help="Bolt URI: bolt://host:7687 for one server, neo4j://host:7687 or "
         "neo4j+s://<id>.databases.neo4j.io for a cluster or Aura (routing).")]
UserOpt = Annotated[str, typer.Option("--username", "-u", envvar="NEO4J_USERNAME",
                                      show_envvar=True, help="Neo4j user.")]
PasswordOpt = Annotated[str, typer.Option(
    "--password", envvar="NEO4J_PASSWORD", show_envvar=True, show_default=False,
    help="Neo4j password (prefer the environment variable: flags end up in shell history).")]
DatabaseOpt = Annotated[str | None, typer.Option(
    "--database", "-d", envvar="NEO4J_DATABASE", show_envvar=True,
    help="Database name (default: the server's default database).")]

DEFAULT_URI = "bolt://127.0.0.1:7687"


def _summary(report: Any) -> str:
    db = report.database or "default database"
    removed = ""
    if report.removed_nodes or report.removed_relationships:
        removed = (f"; removed {report.removed_nodes} entries and "
                   f"{report.removed_relationships} links no longer in the evidence base")
    return (f"loaded {report.nodes} entries and {report.relationships} links into "
            f"{report.uri} ({db}) in {report.seconds:.1f} s "
            f"[{report.relationships_per_second:,.0f} links/s, {report.transactions} "
            f"transactions]{removed}; version {report.version}, status complete")


def register(app: typer.Typer) -> None:
    """Add the Neo4j commands to the ``intersections`` app."""
    from graph.cli import EXIT_USAGE, EvidenceOpt, JsonOpt, console, emit_json, fail, run_guarded

    @app.command()
    def load(
        neo4j: Annotated[bool, typer.Option(
            "--neo4j", help="Load into Neo4j (the only target so far).")] = False,
        uri: UriOpt = DEFAULT_URI, username: UserOpt = "neo4j", password: PasswordOpt = "",
        database: DatabaseOpt = None, evidence: EvidenceOpt = None,
        batch_size: Annotated[int, typer.Option(
            "--batch-size", min=1, help="Rows per UNWIND … MERGE transaction.")] = 1_000,
        per_row: Annotated[bool, typer.Option(
            "--per-row", help="One transaction per node/link (slow; for benchmarks only).")]
        = False,
        json_out: JsonOpt = False,
    ) -> None:
        """Validate the evidence base and load it into Neo4j (idempotent; replaces only the
        evidence base a previous load wrote, never other data)."""
        from loaders.evidence import load_evidence_base
        from loaders.writers.neo4j_writer import load_neo4j

        if not neo4j:
            fail("say where to load: `intersections load --neo4j` (URI and credentials from "
                 "--uri/--username/--password or NEO4J_URI/NEO4J_USERNAME/NEO4J_PASSWORD)",
                 EXIT_USAGE)
        eb = run_guarded(lambda: load_evidence_base(evidence))
        report = run_guarded(lambda: load_neo4j(
            eb, uri, username, password, database or None, batch_size=batch_size,
            progress=not json_out, per_row=per_row))
        if json_out:
            emit_json(report.to_dict())
            return
        console.print(f"[green]{_summary(report)}[/]", highlight=False)

    @app.command("neo4j-status")
    def neo4j_status(uri: UriOpt = DEFAULT_URI, username: UserOpt = "neo4j",
                     password: PasswordOpt = "", database: DatabaseOpt = None,
                     json_out: JsonOpt = False) -> None:
        """Check the Neo4j connection and show what is loaded (exit 1 if a load is
        incomplete, 4 if Neo4j cannot be used)."""
        from rich.table import Table

        from graph.neo4j_backend import server_status

        st = run_guarded(lambda: server_status(uri, username, password, database or None))
        incomplete = [d for d in st["datasets"] if d.get("status") != "complete"]
        if json_out:
            emit_json(st)
        else:
            srv = st["server"]
            console.print(
                f"[green]connected[/] to {srv.get('name', 'Neo4j')} {srv.get('version', '?')} "
                f"({srv.get('edition', '?')}) at {st['uri']}, database {st['database']}"
                f"{' (routing)' if st['routing'] else ''}", highlight=False)
            t = Table(title=f"{st['entities']} entities, {st['links']} links; "
                            f"{st['unowned_nodes']} other nodes (not touched by loads)")
            for col in ("dataset", "status", "entries", "links", "version", "finished"):
                t.add_column(col)
            for d in st["datasets"]:
                colour = "green" if d.get("status") == "complete" else "red"
                t.add_row(d["dataset"], f"[{colour}]{d.get('status')}[/]",
                          str(d.get("stored_nodes")), str(d.get("stored_relationships")),
                          str(d.get("version", "")), str(d.get("finished_at") or "—"))
            console.print(t)
            if not st["datasets"]:
                console.print("no evidence base loaded yet: run `intersections load --neo4j`")
            for d in incomplete:
                console.print(f"[red]dataset {d['dataset']!r} is incomplete[/] (started "
                              f"{d.get('started_at')}); re-run `intersections load --neo4j`",
                              highlight=False)
        if incomplete:
            raise typer.Exit(1)

    @app.command("neo4j-unload")
    def neo4j_unload(uri: UriOpt = DEFAULT_URI, username: UserOpt = "neo4j",
                     password: PasswordOpt = "", database: DatabaseOpt = None,
                     yes: Annotated[bool, typer.Option(
                         "--yes", help="Really remove it (otherwise nothing happens).")]
                     = False) -> None:
        """Remove the evidence base a load wrote to Neo4j (other data stays)."""
        from loaders.writers.neo4j_writer import unload_neo4j

        if not yes:
            fail("this removes the loaded evidence base from Neo4j; add --yes to confirm",
                 EXIT_USAGE)
        n = run_guarded(lambda: unload_neo4j(uri, username, password, database or None))
        console.print(f"removed {n} entries (and their links) from Neo4j", highlight=False)
