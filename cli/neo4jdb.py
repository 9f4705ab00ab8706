"""Neo4j commands: ``intersections load --neo4j``, ``neo4j-status`` and ``neo4j-unload``.

``load --neo4j-bulk-files DIR`` writes the files of a bulk first load for
``neo4j-admin database import`` instead (:mod:`graph.neo4j.bulk`), and
``load --neo4j --finish-bulk DIR`` finishes a database imported from them (docs/neo4j.md).

Thin wrappers over :func:`graph.neo4j.loader.load_neo4j`, :func:`graph.neo4j.backend.server_status`
and :func:`graph.neo4j.loader.unload_neo4j`. Connection settings come from flags or the
environment (NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE) through one
:class:`graph.neo4j.settings.Neo4jSettings`; the password is never printed. Connection problems
exit with code 4 and one line saying what is wrong and how to fix it.
"""

# No `from __future__ import annotations`: typer reads the option annotations at runtime.
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli.helpers import (
    EXIT_USAGE,
    DatabaseOpt,
    EvidenceOpt,
    JsonOpt,
    PasswordOpt,
    UriOpt,
    UserOpt,
    console,
    emit_json,
    fail,
    neo4j_settings,
    run_guarded,
)

if TYPE_CHECKING:
    from graph.neo4j.loader import LoadReport


app = typer.Typer()


def _summary(report: "LoadReport") -> str:
    db = report.database or "default database"
    removed = ""
    if report.removed_nodes or report.removed_relationships:
        removed = (f"; removed {report.removed_nodes} entries and "
                   f"{report.removed_relationships} links no longer in the evidence base")
    return (f"loaded {report.nodes} entries and {report.relationships} links into "
            f"{report.uri} ({db}) in {report.seconds:.1f} s "
            f"[{report.relationships_per_second:,.0f} links/s, {report.transactions} "
            f"transactions]{removed}; version {report.version}, status complete")


@app.command()
def load(
    neo4j: Annotated[bool, typer.Option(
        "--neo4j", help="Load into Neo4j (the only target so far).")] = False,
    uri: UriOpt = None, username: UserOpt = None, password: PasswordOpt = None,
    database: DatabaseOpt = None, evidence: EvidenceOpt = None,
    batch_size: Annotated[int, typer.Option(
        "--batch-size", min=1, help="Rows per UNWIND … MERGE transaction.")] = 10_000,
    per_row: Annotated[bool, typer.Option(
        "--per-row", help="One transaction per node/link (slow; for benchmarks only).")]
    = False,
    dataset: Annotated[str, typer.Option(
        "--dataset", help="Name of the loaded dataset this load replaces.")] = "evidence",
    allow_removal: Annotated[int | None, typer.Option(
        "--allow-removal", min=0, metavar="N",
        help="Allow this load to remove up to N loaded entries (needed when it would remove "
             "more than 10% of them, e.g. after deleting a file).")] = None,
    bulk_files: Annotated[Path | None, typer.Option(
        "--neo4j-bulk-files", metavar="DIR",
        help="Instead of loading, write the files of a bulk first load into DIR (a new or empty "
             "folder of your own) for `neo4j-admin database import`; then import them and run "
             "`load --neo4j --finish-bulk DIR` (docs/neo4j.md).")] = None,
    finish_bulk: Annotated[Path | None, typer.Option(
        "--finish-bulk", metavar="DIR",
        help="With --neo4j: after `neo4j-admin database import` of the files in DIR, check the "
             "database against them, create the indexes and mark the dataset complete.")]
    = None,
    json_out: JsonOpt = False,
) -> None:
    """Validate the evidence base and load it into Neo4j (idempotent; replaces only the
    evidence base a previous load wrote, never other data)."""
    from graph.neo4j.loader import load_neo4j
    from loaders.evidence import load_evidence_base

    if bulk_files is not None:
        _write_bulk(bulk_files, evidence, dataset, json_out)
        return
    if not neo4j:
        fail("say where to load: `intersections load --neo4j` (URI and credentials from "
             "--uri/--username/--password or NEO4J_URI/NEO4J_USERNAME/NEO4J_PASSWORD), or "
             "`intersections load --neo4j-bulk-files DIR` for neo4j-admin import files",
             EXIT_USAGE)
    settings = neo4j_settings(uri, username, password, database, evidence)
    if finish_bulk is not None:
        from graph.neo4j.bulk import finish_bulk_import

        report = run_guarded(lambda: finish_bulk_import(settings, finish_bulk))
        if json_out:
            emit_json(report.to_dict())
        else:
            console.print(f"[green]finished the bulk import: {report.nodes} entries and "
                          f"{report.relationships} links in {report.uri} "
                          f"({report.database or 'default database'}), indexes created; "
                          f"version {report.version}, status complete[/]", highlight=False)
        return
    eb = run_guarded(lambda: load_evidence_base(evidence))
    report = run_guarded(lambda: load_neo4j(
        eb, settings, batch_size=batch_size, progress=not json_out, per_row=per_row,
        dataset=dataset, allow_removal=allow_removal))
    if json_out:
        emit_json(report.to_dict())
        return
    console.print(f"[green]{_summary(report)}[/]", highlight=False)


def _write_bulk(folder: Path, evidence: Path | None, dataset: str, json_out: bool) -> None:
    from graph.neo4j.bulk import check_output_folder, write_bulk_files
    from loaders.evidence import load_evidence_base

    run_guarded(lambda: check_output_folder(folder))  # before minutes of parsing
    eb = run_guarded(lambda: load_evidence_base(evidence))
    files = run_guarded(lambda: write_bulk_files(eb, folder, dataset=dataset))
    if json_out:
        emit_json(files.to_dict())
        return
    console.print(
        f"[green]wrote {files.nodes} entries and {files.relationships} links as {files.files} "
        f"CSV files into {files.folder} in {files.seconds:.1f} s[/] (version {files.version})."
        "\nNext: import them into a stopped, empty database — "
        f"`scripts/neo4j/neo4j-server.sh import {files.folder}` for the project's test server, "
        "or `neo4j-admin database import full neo4j @import.args --overwrite-destination` run "
        "in that folder (docs/neo4j.md, also for Docker) — start Neo4j, then "
        f"`intersections load --neo4j --finish-bulk {files.folder}`.", highlight=False)


@app.command("neo4j-status")
def neo4j_status(uri: UriOpt = None, username: UserOpt = None,
                 password: PasswordOpt = None, database: DatabaseOpt = None,
                 json_out: JsonOpt = False) -> None:
    """Check the Neo4j connection and show what is loaded (exit 1 if a load is
    incomplete, 4 if Neo4j cannot be used)."""
    from graph.neo4j.backend import server_status

    settings = neo4j_settings(uri, username, password, database)
    st = run_guarded(lambda: server_status(settings))
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
def neo4j_unload(uri: UriOpt = None, username: UserOpt = None,
                 password: PasswordOpt = None, database: DatabaseOpt = None,
                 yes: Annotated[bool, typer.Option(
                     "--yes", help="Really remove it (otherwise nothing happens).")]
                 = False) -> None:
    """Remove the evidence base a load wrote to Neo4j (other data stays)."""
    from graph.neo4j.loader import unload_neo4j

    if not yes:
        fail("this removes the loaded evidence base from Neo4j; add --yes to confirm",
             EXIT_USAGE)
    settings = neo4j_settings(uri, username, password, database)
    n = run_guarded(lambda: unload_neo4j(settings))
    console.print(f"removed {n} entries (and their links) from Neo4j", highlight=False)
