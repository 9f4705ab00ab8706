"""Importer commands: bringing evidence in and citations/sheets out.

``intersections import bibtex|ris|csl|hsds|sheet PATH`` · ``intersections ingest PATH`` ·
``intersections accept REVIEW_FILE`` · ``intersections export-citations`` ·
``intersections export-sheet``. Each command is a thin wrapper over a plain function of the
format's module; user mistakes are printed as one clear message (no traceback) and exit 1.
"""

# No `from __future__ import annotations`: typer reads the option annotations at runtime.
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.helpers import (
    EXIT_USAGE,
    BackendOpt,
    DryRunOpt,
    EvidenceOpt,
    JsonOpt,
    console,
    emit_json,
    fail,
    open_for_cli,
    run_guarded,
)

app = typer.Typer()

ImportFmt = ("bibtex", "ris", "csl", "hsds", "sheet")


def _print_result(result: Any, json_out: bool) -> None:
    if json_out:
        emit_json(result.to_dict())
        return
    counts = ", ".join(f"{n} {fam}" for fam, n in result.counts.items()) or "nothing"
    if result.written:
        console.print(f"[green]imported[/] {counts} → {result.target}", highlight=False)
    elif result.unchanged:
        console.print(f"[green]up to date[/]: {result.target} already holds {counts}",
                      highlight=False)
    elif result.text:
        console.print(f"[yellow]dry run[/]: would write {counts} → {result.target}",
                      highlight=False)
    for m in result.merged:
        console.print(f"  merged: {m}", highlight=False, markup=False)
    for w in result.warnings:
        console.print(f"  [yellow]warning:[/] {w}", highlight=False)


@app.command("import")
def import_(
    fmt: Annotated[str, typer.Argument(help="bibtex, ris, csl, hsds or sheet.")],
    path: Annotated[Path, typer.Argument(help="The file (or HSDS folder) to import.")],
    mapping: Annotated[Path | None, typer.Option(
        "--mapping", "-m", help="HSDS only: taxonomy mapping YAML (terms → our ids).")]
    = None,
    name: Annotated[str | None, typer.Option(
        help="HSDS/sheet: name of the directory or sheet (default: from the input).")]
    = None,
    evidence: EvidenceOpt = None, dry_run: DryRunOpt = False, json_out: JsonOpt = False,
    allow_removal: Annotated[int | None, typer.Option(
        "--allow-removal", min=0, metavar="N",
        help="Allow a re-import to drop up to N entries of the earlier import (needed when "
             "it would drop more than 10% of them).")] = None,
) -> None:
    """Import a bibliography, an HSDS service directory or the program spreadsheet.

    Validates the whole resulting evidence base first; writes one file
    <evidence>/imports/<format>-<name>.yaml atomically, or nothing.
    """
    if fmt not in ImportFmt:
        fail(f"unknown import format {fmt!r}; use one of: {', '.join(ImportFmt)}", EXIT_USAGE)

    def go() -> Any:
        if fmt in ("bibtex", "ris", "csl"):
            from loaders.importers.bibliography import import_bibliography

            return import_bibliography(path, fmt, evidence, dry_run=dry_run)
        if fmt == "hsds":
            from loaders.importers.hsds import import_hsds

            return import_hsds(path, mapping, evidence, name=name, dry_run=dry_run)
        from loaders.importers.sheet import import_sheet

        return import_sheet(path, evidence, name=name, dry_run=dry_run)

    from loaders.importers.base import allowing_removal

    with allowing_removal(allow_removal):
        _print_result(run_guarded(go), json_out)


@app.command("export-citations")
def export_citations_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="bibtex, ris or csl.")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="File to write ('-' = stdout; default: the workspace's "
                            "exports/citations.<ext>).")] = None,
    ids: Annotated[list[str] | None, typer.Option(
        "--id", help="Citation id (repeatable); default: every citation.")] = None,
    source: Annotated[str | None, typer.Option(
        "--source", help="Only references listed in this source document (its id).")]
    = None,
    backend: BackendOpt = "embedded", evidence: EvidenceOpt = None,
) -> None:
    """Write citations as BibTeX, RIS or CSL-JSON (for Zotero, EndNote, Mendeley)."""
    from graph.citations import EXTENSIONS, citations_for, export_citations
    from loaders.importers.base import atomic_write
    from loaders.workspace import default_output

    target = out if out is not None else run_guarded(lambda: default_output(
        evidence, "exports", "citations" + EXTENSIONS.get(fmt, "." + fmt)))
    g = open_for_cli(backend, evidence)

    def go() -> Any:
        if source:
            g.require(source)  # an unknown document id exits 3 with the nearest ids
        cites = citations_for(g, ids)
        if source:
            cites = [c for c in cites if c.id == source or any(
                li.get("citation") == source for li in c.properties.get("listed_in", []))]
        text = export_citations(cites, fmt)
        if str(target) == "-":
            typer.echo(text, nl=False)
        else:
            atomic_write(target, text)
        return cites

    cites = run_guarded(go)
    if str(target) != "-":
        console.print(f"wrote {len(cites)} citations to {target} ({fmt})", highlight=False)


@app.command("export-sheet")
def export_sheet_cmd(
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help=".csv or .xlsx file (default: the workspace's "
                            "exports/programs.xlsx).")] = None,
    template: Annotated[bool, typer.Option(
        "--template", help="Write the empty template (headers, help, allowed values).")]
    = False,
    evidence: EvidenceOpt = None,
) -> None:
    """Write interventions as the planners' spreadsheet (or the empty template)."""
    from loaders.importers.sheet import export_sheet
    from loaders.workspace import default_output

    target = out if out is not None else run_guarded(lambda: default_output(
        evidence, "exports", "programs-template.xlsx" if template else "programs.xlsx"))
    n = run_guarded(lambda: export_sheet(target, evidence, template=template))
    console.print(f"wrote {n} programs to {target}" if not template else
                  f"wrote the template to {target}", highlight=False)


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="A .pdf, .txt or .md document.")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Review file (default: the workspace's reviews/<document>"
                            ".review.yaml, else next to the document).")]
    = None,
    title: Annotated[str | None, typer.Option(help="Document title (default: from the "
                                                   "document).")] = None,
    evidence: EvidenceOpt = None, json_out: JsonOpt = False,
) -> None:
    """Find concept mentions and statistics in a document; write a review file of
    candidate claims for a curator."""
    from loaders.importers.ingest import ingest_document

    review = run_guarded(lambda: ingest_document(path, evidence, out=out, title=title))
    if json_out:
        emit_json(review.summary())
        return
    s = review.summary()
    console.print(f"[green]wrote[/] {s['review_file']}: {s['candidates']} candidate claims "
                  f"({s['with_statistics']} with statistics, {s['concepts']} concepts "
                  "mentioned)", highlight=False)
    console.print("next: edit the file (rewrite each statement in your own words, set "
                  "status: accept or reject), then run "
                  f"`intersections accept {s['review_file']}`", highlight=False)


@app.command()
def accept(
    review_file: Annotated[Path, typer.Argument(help="A review file written by ingest.")],
    allow_verbatim: Annotated[bool, typer.Option(
        "--allow-verbatim", help="Accept statements still identical to the source "
                                 "sentence (marked as quotes) instead of refusing.")]
    = False,
    evidence: EvidenceOpt = None, dry_run: DryRunOpt = False, json_out: JsonOpt = False,
) -> None:
    """Move accepted review entries into <evidence>/accepted/<document>.yaml."""
    from loaders.importers.ingest import accept_review

    _print_result(run_guarded(lambda: accept_review(
        review_file, evidence, allow_verbatim=allow_verbatim, dry_run=dry_run)), json_out)
