"""The evidence base itself: ``validate``, ``export`` and ``ontology``.

Thin wrappers over :func:`loaders.evidence.load_evidence_base`, :mod:`loaders.writers` and
:func:`ontology.build.write`.
"""

# No `from __future__ import annotations`: typer reads the option annotations at runtime.
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.helpers import EXIT_USAGE, EvidenceOpt, JsonOpt, console, emit_json, fail, run_guarded

app = typer.Typer()


@app.command()
def validate(evidence: EvidenceOpt = None, json_out: JsonOpt = False) -> None:
    """Check the evidence base (schema, ids, references, claims, SHACL) without loading it."""
    from loaders.evidence import load_evidence_base

    eb = run_guarded(lambda: load_evidence_base(evidence, use_cache=False))
    counts = eb.counts()
    if json_out:
        emit_json({"valid": True, "nodes": len(eb.nodes), "edges": len(eb.edges),
                   "by_category": counts})
        return
    console.print(f"[green]valid[/]: {len(eb.nodes)} entries, {len(eb.edges)} links "
                  f"({eb.origin})")


@app.command()
def export(fmt: Annotated[str, typer.Option("--format", "-f",
                                            help="ttl, jsonld, nt, graphml or csv.")],
           out: Annotated[Path, typer.Option(
               "--out", "-o", help="File; for csv a folder (nodes.csv + edges.csv) or a .zip "
                                   "holding both.")],
           evidence: EvidenceOpt = None) -> None:
    """Write the validated evidence base as RDF, GraphML or CSV."""
    from loaders.evidence import load_evidence_base
    from loaders.writers import get_writer, write_records

    if fmt == "csv" and out.suffix.lower() == ".csv":
        fail(f"--out {out}: the csv export is two files (nodes.csv, edges.csv) — pass a folder "
             f"(--out {out.with_suffix('')}) or a zip (--out {out.with_suffix('.zip')})",
             EXIT_USAGE)

    def go() -> Any:
        from loaders.workspace import check_writable

        check_writable(out)  # never into the package's data folder
        writer = get_writer(fmt, out)
        eb = load_evidence_base(evidence, use_cache=False)
        return write_records(eb.records(), writer), eb

    _, eb = run_guarded(go)
    where = str(out)
    if fmt == "csv":
        where = f"{out} (nodes.csv, edges.csv)" if out.suffix.lower() != ".zip" else \
            f"{out} (a zip of nodes.csv and edges.csv)"
    console.print(f"wrote {len(eb.nodes)} entries and {len(eb.edges)} links to {where} ({fmt})",
                  highlight=False)


@app.command()
def ontology(out_dir: Annotated[Path | None, typer.Option(
        help="Where to write intersections.ttl and shapes.ttl (default: the package).")]
        = None) -> None:
    """Regenerate the ontology and SHACL Turtle files from ontology/schema.py."""
    from ontology.build import HERE, write

    for p in write(out_dir or HERE):
        console.print(f"wrote {p}")
